"""Where the cases of one replication act on each other: the one place that runs SimPy.

Almost everything that happens to a case is drawn independently of the other
cases and computed for a whole chunk of replications as arrays. Two things
couple the cases of one replication, and both run here, as SimPy processes:

- **Shared resources.** A talks stage's expert teams are shared by every
  candidate in talks: a round needs a free team, and a candidate waits in line
  for one (:func:`shared_rounds`).
- **Freezes.** With spillover, a veto against one candidate freezes the other
  candidates' decisions at the frozen stages for a drawn time; a decision
  that would take effect during a freeze waits until it ends, then for the
  calendar (:func:`frozen_decisions`). A frozen decision may itself be a veto
  that starts a freeze, so they settle in the order of time, which is what an
  event loop is for.

Only the replications where cases can meet come here: one with no more
candidates in talks than teams, or with no veto, is computed as arrays by the
stage itself. Replications share one environment only to save setting one up
for each; each has its own teams and its own freezes, and they never meet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

import simpy

Case = tuple[int, int]  # (replication row in the chunk, candidate)
AGREED, FAILED, WITHDREW = "agreed", "failed", "withdrew"  # how a case leaves talks


# --- shared resources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rounds:
    """One case's rounds of talks: when it starts, when it would withdraw, how long each round lasts."""

    case: Case
    start: float
    withdraw_at: float
    durations: list[float]  # the rounds it holds a team for, in order
    agreed: bool  # the last of ``durations`` ends in agreement
    order: float = 0.0  # among cases that ask at the same moment, the lower asks first (a draw of the case)


def shared_rounds(
    cases: Iterable[Rounds], capacity: int, horizon: float, *, limited: bool
) -> dict[Case, tuple[float, str]]:
    """The day each case leaves talks whose rounds need one of ``capacity`` teams per replication, and how
    (``AGREED``, ``FAILED``, ``WITHDREW``).

    A case waits in line (first come, first served) for a free team before
    each round and may withdraw while it waits or talks. Cases that enter at
    the same moment line up by their ``order``, a draw of each case, so no
    candidate is first because of where the file lists it. Without agreement
    after its rounds it fails (``limited``: the talks have a round limit) or
    stays in talks until it withdraws. A case still in talks at ``horizon``
    is absent from the answer.
    """
    env = simpy.Environment()
    teams: dict[int, simpy.Resource] = {}
    left: dict[Case, tuple[float, str]] = {}
    for rounds in sorted(cases, key=lambda r: (r.start, r.order)):
        rep = rounds.case[0]
        if rep not in teams:
            teams[rep] = simpy.Resource(env, capacity=capacity)
        env.process(_talks(env, teams[rep], rounds, limited, left))
    env.run(until=horizon)
    return left


def _talks(
    env: simpy.Environment, teams: simpy.Resource, rounds: Rounds, limited: bool, left: dict[Case, tuple[float, str]],
) -> Generator[simpy.Event, Any, None]:
    case, withdraw_at = rounds.case, rounds.withdraw_at
    yield env.timeout(rounds.start)
    for days in rounds.durations:
        request = teams.request()
        if withdraw_at < math.inf:
            got = yield request | env.timeout(max(withdraw_at - env.now, 0.0))
            if request not in got:
                request.cancel()
                left[case] = (withdraw_at, WITHDREW)
                return
        else:
            yield request
        remaining = withdraw_at - env.now
        if days > remaining:
            yield env.timeout(remaining)
            teams.release(request)
            left[case] = (withdraw_at, WITHDREW)
            return
        yield env.timeout(days)
        teams.release(request)
    if rounds.agreed:
        left[case] = (env.now, AGREED)
    elif limited:
        left[case] = (env.now, FAILED)
    elif withdraw_at < math.inf:
        # No agreement within the drawn rounds and no limit: talks go on until the candidate leaves.
        yield env.timeout(max(withdraw_at - env.now, 0.0))
        left[case] = (withdraw_at, WITHDREW)


# --- freezes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A case's decision at a frozen stage: due on ``due`` unless frozen; a veto starts a freeze."""

    case: Case
    due: float
    veto: bool
    withdraw_at: float
    freeze: float  # how long a veto against this case freezes the others


@dataclass
class _Freezes:
    """The freezes of one replication: (start, end, the case vetoed) in the order they began."""

    windows: list[tuple[float, float, int]] = field(default_factory=list)

    def release(self, day: float, candidate: int, settle: Callable[[float], float]) -> float:
        """The day a decision of ``candidate`` due on ``day`` takes effect, after every freeze by another.

        A freeze covers the days after the veto that started it and before it
        ends: a decision that takes effect on the day of the veto (at the same
        meeting) is not frozen, whatever the order of the candidates.
        """
        moved = True
        while moved and math.isfinite(day):
            moved = False
            for start, end, owner in self.windows:
                if owner != candidate and start < day < end:
                    day = settle(end)
                    moved = True
        return day


def frozen_decisions(
    decisions: Iterable[Decision], earlier: Iterable[tuple[Case, float, float]], horizon: float,
    settle: Callable[[Case, float], float],
) -> dict[Case, float]:
    """The day each decision takes effect, after the freezes of other candidates of its replication.

    ``earlier`` holds the freezes already started when the stage is reached:
    (case vetoed, day of the veto, its length). ``settle(case, day)`` moves a
    decision released on ``day`` to the day it takes effect (the next Council
    meeting or summit). A veto starts a freeze only if it takes effect before
    the case withdraws and before ``horizon``.
    """
    env = simpy.Environment()
    freezes: dict[int, _Freezes] = {}
    for (rep, candidate), day, length in earlier:
        freezes.setdefault(rep, _Freezes()).windows.append((day, day + length, candidate))
    effect: dict[Case, float] = {}
    for decision in decisions:
        rep_freezes = freezes.setdefault(decision.case[0], _Freezes())
        env.process(_decide(env, decision, rep_freezes, horizon, settle, effect))
    env.run()
    return effect


def _decide(
    env: simpy.Environment, decision: Decision, freezes: _Freezes, horizon: float,
    settle: Callable[[Case, float], float], effect: dict[Case, float],
) -> Generator[simpy.Event, Any, None]:
    case = decision.case
    day = decision.due
    while True:  # a freeze begun while the decision waited may cover the day it was released to
        day = freezes.release(day, case[1], lambda end: settle(case, end))
        if not math.isfinite(day):
            effect[case] = day
            return
        if day == env.now:
            break
        yield env.timeout(day - env.now)
    effect[case] = day
    if decision.veto and day < decision.withdraw_at and day < horizon:
        freezes.windows.append((day, day + decision.freeze, case[1]))
