"""The state machine of a process: the single source of truth for what may follow what.

One ``transitions.Machine`` per template and per process serves every case
(``add_model``); the engine fires its triggers and the machine's one
``after_state_change`` callback records each state entered with its time.
A trigger that the process does not allow raises ``transitions.MachineError``:
an illegal transition is a bug, never silently ignored.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol

from transitions import Machine

from partnersim.scenario.templates import (
    LAPSED,
    PENDING,
    PROSPECTIVE,
    REJECTED,
    RENEWAL,
    REQUESTED,
    SUSPENDED,
    TALKS_FAILED,
    TEMPLATES,
    WITHDRAWN,
    Template,
)


def state_names(template: Template) -> list[str]:
    """Every state of the process, in the order charts and tables show them."""
    return [
        PROSPECTIVE,
        REQUESTED,
        *template.stage_names,
        template.success,
        REJECTED,
        WITHDRAWN,
        TALKS_FAILED,
        PENDING,
    ]


def life_states(template: Template) -> list[str]:
    """The states of a partnership after it starts (none for a process without a life).

    Kept apart from :func:`state_names`, whose states are the columns of the
    engine's entry table and of the charts of the accession process.
    """
    return [RENEWAL, SUSPENDED, LAPSED] if template.life else []


def outcome_states(template: Template) -> list[str]:
    """The terminal states, success first."""
    return [template.success, REJECTED, WITHDRAWN, TALKS_FAILED, PENDING]


def transition_table(template: Template) -> list[dict[str, Any]]:
    """The transitions of the process as data, for the machine and the diagram."""
    stages = list(template.stage_names)
    path = [REQUESTED, *stages, template.success]
    open_states = [REQUESTED, *stages]
    table: list[dict[str, Any]] = [{"trigger": "request", "source": PROSPECTIVE, "dest": REQUESTED}]
    table += [
        {"trigger": "advance", "source": source, "dest": dest}
        for source, dest in zip(path, path[1:], strict=False)
    ]
    table += [{"trigger": f"resume_{stage}", "source": PROSPECTIVE, "dest": stage} for stage in stages]
    consensus = [s.name for s in template.stages if s.kind == "consensus"]
    talks = [s.name for s in template.stages if s.kind == "talks"]
    if consensus:
        table.append({"trigger": "veto", "source": consensus, "dest": REJECTED})
    if talks:
        table.append({"trigger": "fail_talks", "source": talks, "dest": TALKS_FAILED})
    table.append({"trigger": "withdraw", "source": open_states, "dest": WITHDRAWN})
    table.append({"trigger": "censor", "source": [PROSPECTIVE, *open_states], "dest": PENDING})
    return table + life_transitions(template)


def life_transitions(template: Template) -> list[dict[str, Any]]:
    """After cooperation starts: renewals, which the allies may refuse, and suspension."""
    if not template.life:
        return []
    success = template.success
    return [
        {"trigger": "renew", "source": success, "dest": RENEWAL},
        {"trigger": "renewed", "source": RENEWAL, "dest": success},
        {"trigger": "lapse", "source": RENEWAL, "dest": LAPSED},
        {"trigger": "suspend", "source": [success, RENEWAL], "dest": SUSPENDED},
    ]


@cache
def build_machine(template_name: str) -> Machine:
    """The machine of a template, built once per process and shared by all cases."""
    template = TEMPLATES[template_name]
    return Machine(
        model=None,
        states=state_names(template) + life_states(template),
        transitions=transition_table(template),
        initial=PROSPECTIVE,
        auto_transitions=False,
        after_state_change="record_state",
    )


class Clock(Protocol):
    @property
    def now(self) -> float: ...


class _Zero:
    now = 0.0


class Case:
    """One candidate's case in one replication, driven through the machine.

    ``trace`` holds ``(state, day)`` for every state entered, in order; it is
    the only record of state changes, written by the machine's callback.
    """

    state: str

    def __init__(self, code: str) -> None:
        self.code = code
        self.trace: list[tuple[str, float]] = []
        self._clock: Clock = _Zero()

    def start(self, machine: Machine, clock: Clock) -> None:
        """Begin a fresh replication: back to ``prospective`` with an empty trace."""
        machine.set_state(PROSPECTIVE, model=self)
        self.trace.clear()
        self._clock = clock

    def record_state(self) -> None:
        self.trace.append((self.state, self._clock.now))


class Process:
    """The machine of a template, asked once for each distinct path a case takes.

    The engine computes, for every case, the triggers it fires (``request``,
    ``advance``…, then ``veto`` or ``censor``…). Cases follow only a handful of
    distinct paths, so each path is fired through the real machine once per
    worker, on a probe case, and the states it entered are remembered. The
    machine stays the one authority on what may follow what: a path it does
    not allow raises ``MachineError`` the first time it is seen.
    """

    def __init__(self, template_name: str) -> None:
        self.machine = build_machine(template_name)
        self._paths: dict[tuple[str, ...], tuple[str, ...]] = {}

    def states(self, triggers: tuple[str, ...]) -> tuple[str, ...]:
        """The states entered, in order, when a new case fires ``triggers``."""
        known = self._paths.get(triggers)
        if known is not None:
            return known
        probe = Case("probe")
        self.machine.add_model(probe, initial=PROSPECTIVE)
        try:
            probe.start(self.machine, _Zero())
            for trigger in triggers:
                probe.trigger(trigger)  # type: ignore[attr-defined]
            entered = tuple(state for state, _ in probe.trace)
        finally:
            self.machine.remove_model(probe)
        self._paths[triggers] = entered
        return entered


@cache
def process_of(template_name: str) -> Process:
    """The Process of a template, one per worker."""
    return Process(template_name)
