"""The route of a process: for every stage and every way of leaving it, where a case goes next.

A process is compiled once into a :class:`Route`. The engine walks cases by
it (``route.target(stage, exit)``), and the state machine is built from the
same route's :meth:`Route.transitions`, so the two cannot drift apart: the
engine can only produce transitions the machine has, and every transition the
machine has is one the engine can take.

A case starts ``prospective``; its request makes it ``requested``, and it
enters the first stage at once (a case may also start in a later stage, by
``resume_<stage>``). From a stage, each exit its kind can produce leads to:

- one state (``Goto``): the next stage, an earlier one, or an outcome;
- one of several states with given probabilities (``Branches``);
- back to a state after a delay spent ``waiting``, unless the candidate gives
  up, with a given probability, and the case ends in ``otherwise`` (``Retry``).

Withdrawal (to ``withdrawn``) and the horizon (to ``pending``) can cut in from
every open state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from partnersim.kinds.base import Exit
from partnersim.values.distributions import DurationDist

TRIGGERS = {Exit.ADVANCE: "advance", Exit.VETO: "veto", Exit.FAIL: "fail_talks", Exit.TIMEOUT: "time_out"}

PROSPECTIVE = "prospective"
REQUESTED = "requested"
WAITING = "waiting"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
TALKS_FAILED = "talks_failed"
PENDING = "pending"


@dataclass(frozen=True)
class Goto:
    """The exit leads to one state."""

    state: str

    @property
    def destinations(self) -> tuple[str, ...]:
        return (self.state,)


@dataclass(frozen=True)
class Branches:
    """The exit leads to one of several states, each with its probability (they sum to 1)."""

    choices: tuple[tuple[str, float], ...]

    @property
    def destinations(self) -> tuple[str, ...]:
        return tuple(state for state, _ in self.choices)


@dataclass(frozen=True)
class Retry:
    """After a delay spent ``waiting``, the case goes back to ``state``; with ``give_up`` it ends in ``otherwise``."""

    state: str
    after: DurationDist
    give_up: float
    otherwise: str

    @property
    def destinations(self) -> tuple[str, ...]:
        return (WAITING, self.otherwise) if self.give_up > 0 else (WAITING,)


Target = Union[Goto, Branches, Retry]


@dataclass(frozen=True)
class Step:
    """One transition of the state machine, as data."""

    trigger: str
    source: str
    dest: str

    def as_dict(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "source": self.source, "dest": self.dest}


@dataclass(frozen=True)
class Route:
    """Stages in order, what each exit of each stage leads to, and the outcomes."""

    stages: tuple[str, ...]
    exits: tuple[dict[Exit, Target], ...]  # per stage: the exits its kind can produce, and where they lead
    success: str
    outcomes: tuple[str, ...]  # success first

    @property
    def waits(self) -> bool:
        """Whether a case can wait between stages (an exit that retries after a delay)."""
        return any(isinstance(t, Retry) for exits in self.exits for t in exits.values())

    @property
    def retry_states(self) -> tuple[str, ...]:
        """The states a case goes back to after waiting, in stage order."""
        found = {t.state for exits in self.exits for t in exits.values() if isinstance(t, Retry)}
        return tuple(s for s in (REQUESTED, *self.stages) if s in found)

    @property
    def open_states(self) -> tuple[str, ...]:
        return (REQUESTED, *self.stages, *((WAITING,) if self.waits else ()))

    def trigger(self, stage: int, exit: Exit, dest: str) -> str:
        """The name of the transition from ``stage`` by ``exit`` to ``dest``."""
        target = self.exits[stage][exit]
        base = TRIGGERS[exit]
        return base if len(target.destinations) == 1 else f"{base}_to_{dest}"

    def transitions(self) -> list[Step]:
        """Every transition a case can take, for the state machine and the diagram."""
        steps = [Step("request", PROSPECTIVE, REQUESTED)]
        if self.stages:
            steps.append(Step("advance", REQUESTED, self.stages[0]))
        steps += [Step(f"resume_{stage}", PROSPECTIVE, stage) for stage in self.stages]
        for index, stage in enumerate(self.stages):
            for exit, target in self.exits[index].items():
                steps += [Step(self.trigger(index, exit, dest), stage, dest) for dest in target.destinations]
        steps += [Step(f"back_to_{state}", WAITING, state) for state in self.retry_states]
        steps += [Step("withdraw", state, WITHDRAWN) for state in self.open_states]
        steps += [Step("censor", state, PENDING) for state in (PROSPECTIVE, *self.open_states)]
        return steps
