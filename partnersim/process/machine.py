"""The state machine of a process, built from its route: what may follow what.

The route (:mod:`partnersim.process.route`) says, for every stage and every
way of leaving it, where a case goes; the engine walks cases by it. The
``transitions.Machine`` is built from the same route's transitions, and every
distinct path the engine produces is fired through it once (see
:class:`Paths`): a path the route does not allow raises
``transitions.MachineError``, so the walk and the machine cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError

from partnersim.process.definition import LAPSED, RENEWAL, SUSPENDED, Template, route_of
from partnersim.process.route import (
    PROSPECTIVE,
    REQUESTED,
    WAITING,
    Route,
)


def state_names(template: Template, route: Route | None = None) -> list[str]:
    """Every state of the process, in the order charts and tables show them."""
    route = route or route_of(template)
    waiting = [WAITING] if route.waits else []
    return [PROSPECTIVE, REQUESTED, *route.stages, *waiting, *route.outcomes]


def life_states(template: Template) -> list[str]:
    """The states of a partnership after it starts (none for a process without a life).

    Kept apart from :func:`state_names`, whose states are the columns of the
    engine's entry table and of the charts of the accession process.
    """
    return [RENEWAL, SUSPENDED, LAPSED] if template.life else []


def outcome_states(template: Template, route: Route | None = None) -> list[str]:
    """The terminal states, success first."""
    return list((route or route_of(template)).outcomes)


def transition_table(template: Template, route: Route | None = None) -> list[dict[str, Any]]:
    """The transitions of the process as data, for the machine and the diagram.

    Transitions with the same trigger and destination are one row, whose
    ``source`` lists every state they leave from.
    """
    rows: dict[tuple[str, str], list[str]] = {}
    for step in (route or route_of(template)).transitions():
        rows.setdefault((step.trigger, step.dest), []).append(step.source)
    table = [
        {"trigger": trigger, "source": sources[0] if len(sources) == 1 else sources, "dest": dest}
        for (trigger, dest), sources in rows.items()
    ]
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


def build_machine(template: Template, route: Route | None = None) -> Machine:
    """The machine of a process: one for every case of a run (``add_model``)."""
    route = route or route_of(template)
    return Machine(
        model=None,
        states=state_names(template, route) + life_states(template),
        transitions=transition_table(template, route),
        initial=PROSPECTIVE,
        auto_transitions=False,
        after_state_change="record_state",
    )


class Case:
    """One candidate's case, driven through the machine; ``trace`` holds the states it entered, in order."""

    state: str

    def __init__(self, code: str) -> None:
        self.code = code
        self.trace: list[str] = []

    def start(self, machine: Machine) -> None:
        """Begin afresh: back to ``prospective`` with an empty trace."""
        machine.set_state(PROSPECTIVE, model=self)
        self.trace.clear()

    def record_state(self) -> None:
        self.trace.append(self.state)


class Paths:
    """The machine of a process, asked once for each distinct path a case takes.

    The engine walks every case by the route and notes the triggers it fired
    (``request``, ``advance``…, then ``veto`` or ``censor``…). Cases follow
    only a handful of distinct paths, so each path is fired through the real
    machine once per worker, on a probe case, and the states it entered are
    remembered. The machine is built on first use in each worker (it is not
    sent to them); a path it does not allow raises ``MachineError`` the
    first time it is seen.
    """

    def __init__(self, template: Template, route: Route) -> None:
        self.template = template
        self.route = route
        self._machine: Machine | None = None
        self.seen: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"template": self.template, "route": self.route, "_machine": None, "seen": {}}

    def states(self, triggers: tuple[str, ...]) -> tuple[str, ...]:
        """The states entered, in order, when a new case fires ``triggers``."""
        known = self.seen.get(triggers)
        if known is not None:
            return known
        if self._machine is None:
            self._machine = build_machine(self.template, self.route)
        probe = Case("probe")
        self._machine.add_model(probe, initial=PROSPECTIVE)
        try:
            probe.start(self._machine)
            for trigger in triggers:
                try:
                    probe.trigger(trigger)  # type: ignore[attr-defined]
                except AttributeError:  # a trigger the process has nowhere
                    raise MachineError(f"the process has no transition {trigger!r}") from None
            entered = tuple(probe.trace)
        finally:
            self._machine.remove_model(probe)
        self.seen[triggers] = entered
        return entered
