"""The ``talks`` stage kind: rounds of talks with a shared pool of expert teams.

Each round needs one of the stage's expert teams, shared by every candidate of
the replication. A round ends in agreement with probability ``agreement``;
the uniform that decides round *k* is keyed by *k*, so raising the
probability only ever makes talks end sooner, draw for draw. With
``max_rounds`` set, talks that have not agreed after that many rounds fail.

When, in a replication, no case ever enters talks while all the teams are
held (each case holding one from its entry, round after round, until its
rounds end or it withdraws), nobody can ever wait, and the stage is a sum of
round durations computed for all replications at once. Otherwise that
replication's talks run on the interaction layer (:mod:`partnersim.interaction`,
on SimPy): candidates queue for the teams, and a candidate may withdraw while
it waits. The sums are added in the order the event loop adds them, so both
give the same days to the last bit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from partnersim.interaction import AGREED, FAILED, Rounds, shared_rounds
from partnersim.kinds.base import (
    ADVANCE,
    FAIL_TALKS,
    WITHDRAW,
    ChunkKeys,
    Context,
    Entering,
    Exit,
    Kind,
    Members,
    StageBase,
    expand,
    least_of,
)
from partnersim.streams import Streams, key_of
from partnersim.values.distributions import Distribution, gamma
from partnersim.values.numbers import Count, Probability


class TalksStage(StageBase):
    """Rounds of talks, each needing one of the shared expert teams."""

    kind: Literal["talks"] = "talks"
    teams: Annotated[Count, Field(ge=1, le=1000)] = 2
    round: Distribution = Field(default_factory=lambda: gamma("2mo", 0.5))
    agreement: Probability = 0.6
    max_rounds: Annotated[Count, Field(ge=1, le=1000)] | None = None


NEVER = -1
ROUND_CAP = 1000  # rounds drawn at most when talks have no round limit
_FIRST_BLOCK = 4  # rounds drawn for every case at first
_BLOCK = 32  # rounds drawn at a time after that, for the cases still talking
_QUEUE = key_of("queue")


@dataclass
class TalksPlan:
    """One chunk's draws: rounds needed (or NEVER) and each round's duration."""

    rounds: np.ndarray  # (R, C) rounds until agreement, NEVER if none within the limit
    days: np.ndarray  # (R, C, W) duration of each round a case holds (0 beyond), W the most any case holds
    order: np.ndarray  # (R, C) where a case stands among those that enter talks at the same moment
    rows: _Rows  # the settings each row was drawn with
    streams: Streams | None = None  # the chunk's draws, whose kept outcomes hold replications' talks run before


@dataclass(frozen=True)
class _Rows:
    """A talks stage's settings for each row of a chunk: scalars, or (R, 1) for a stage stacked over a design's
    points, with each row's member in ``members``."""

    members: np.ndarray | None
    teams: int | np.ndarray
    agreement: float | np.ndarray
    limit: int | np.ndarray
    unlimited: bool | np.ndarray  # no round limit: talks that never agree stay in talks


class Talks:
    """A compiled talks stage: rounds drawn for the chunk at once, SimPy only where candidates wait."""

    kind = "talks"

    def __init__(self, name: str, index: int, params: TalksStage) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.teams = params.teams
        self.round = params.round
        self.agreement = params.agreement
        self.max_rounds = params.max_rounds
        self.limit = params.max_rounds if params.max_rounds is not None else ROUND_CAP
        self.members: list[Talks] = [self]  # more than one: stacked over a design's points (``stack``)
        self.points: Members | None = None  # the design points of the members, when stacked

    @classmethod
    def stack(cls, stages: list[Talks], points: list[int]) -> Talks:
        """One stage drawing the rows of design points ``points`` at once, each row with its own point's teams,
        rounds, chance of agreement and round limit."""
        stacked = copy.copy(stages[0])
        stacked.members = list(stages)
        stacked.points = Members.of(points)
        return stacked

    def _rows(self, keys: ChunkKeys) -> _Rows:
        """Each row's settings: scalars for one stage, (R, 1) arrays for a stacked one."""
        if self.points is None:
            return _Rows(None, self.teams, self.agreement, self.limit, self.max_rounds is None)
        members = self.points.rows(keys.points)

        def column(values: list[float | int | bool]) -> np.ndarray:
            return np.asarray(values)[members][:, None]

        ms = self.members
        return _Rows(members, column([m.teams for m in ms]), column([m.agreement for m in ms]),
                     column([m.limit for m in ms]), column([m.max_rounds is None for m in ms]))

    def _uniforms(self, streams: Streams, keys: ChunkKeys, rounds: np.ndarray, slot: int,
                  cases: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Uniforms keyed (replication, candidate, stage, round, slot): of every case for the ``rounds`` (R, C,
        rounds), or of the ``cases`` (rows and columns, broadcast with ``rounds``) only, keyed as every case's."""
        stage = keys.stage(self.name, self.key)
        rounds = np.asarray(rounds, dtype=np.uint64)
        if cases is None:
            return streams.uniforms(keys.reps[:, None, None], keys.candidates[None, :, None], expand(stage, 1),
                                    rounds[None, None, :], np.uint64(slot))
        r, c = cases
        return streams.uniforms(keys.reps[r], keys.candidates[c],
                                stage if np.ndim(stage) == 0 else np.asarray(stage)[r, c], rounds, np.uint64(slot))

    def draw(self, streams: Streams, keys: ChunkKeys) -> TalksPlan:
        shape = (len(keys.reps), len(keys.candidates))
        rows = self._rows(keys)
        rounds = np.full(shape, NEVER, dtype=np.int64)
        # Most talks agree within a few rounds: the first rounds are drawn for every case, later ones, a block at
        # a time, for the cases still talking only (with the keys of a full draw, so nothing changes but work).
        first, block = 0, _FIRST_BLOCK
        cases: tuple[np.ndarray, np.ndarray] | None = None  # None: every case
        most = max(m.limit for m in self.members)
        agreement = np.broadcast_to(np.asarray(rows.agreement), shape)
        limit = np.broadcast_to(np.asarray(rows.limit), shape)
        while first < most and any(m.agreement > 0.0 for m in self.members):
            last = min(first + block, most)
            at = np.arange(first, last)
            if cases is None:
                agreed = (self._uniforms(streams, keys, at, 1) < agreement[:, :, None]) \
                    & (at < limit[:, :, None])
                hit = agreed.any(axis=2)
                rounds[hit] = first + agreed.argmax(axis=2)[hit] + 1
            else:
                r, c = cases
                agreed = (self._uniforms(streams, keys, at[None, :], 1, (r[:, None], c[:, None]))
                          < agreement[r, c][:, None]) \
                    & (at < limit[r, c][:, None])
                hit = agreed.any(axis=1)
                rounds[r[hit], c[hit]] = first + agreed.argmax(axis=1)[hit] + 1
            first, block = last, _BLOCK
            r, c = np.nonzero((rounds == NEVER) & (limit > first))
            if not r.size:
                break
            cases = (r, c)
        held = np.where(rounds == NEVER, rows.limit, rounds)
        widest = int(held.max()) if held.size else 0
        # A case holds only its own rounds: the quantile function (slow for a gamma) runs on those alone.
        days = np.zeros(shape + (widest,))
        if widest:
            used = np.arange(widest)[None, None, :] < held[:, :, None]
            r, c, k = np.nonzero(used)
            u = self._uniforms(streams, keys, k, 0, (r, c))
            if rows.members is None:
                days[used] = streams.quantiles(self.round, u)
            else:
                for m in np.unique(rows.members).tolist():
                    mine = rows.members[r] == m
                    days[r[mine], c[mine], k[mine]] = streams.quantiles(self.members[m].round, u[mine])
        order = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], keys.stage(self.name, self.key), _QUEUE)
        return TalksPlan(rounds=rounds, days=days, order=order, rows=rows, streams=streams)

    def finish(self, plan: TalksPlan, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        ends = self._ends(plan, entering)
        days, ending = self._uncontended(plan, entering, ends)
        contended = self.contended(entering, ends, plan.rows.teams)
        if contended.size:
            members = plan.rows.members
            if members is None:
                self._simulate(contended, plan, entering, days, ending)
            else:
                for k in np.unique(members[contended]).tolist():
                    self.members[k]._simulate(contended[members[contended] == k], plan, entering, days, ending)
        return days, ending

    def _ends(self, plan: TalksPlan, entering: Entering) -> np.ndarray:
        """The day each case's rounds would end if it never waited: its entry, then each round it holds a team for,
        added one after the other (the order the event loop adds them in, so both give the same number)."""
        held = np.where(plan.rounds == NEVER, plan.rows.limit, plan.rounds)
        steps = np.concatenate([entering.start[:, :, None], plan.days], axis=2)
        return np.take_along_axis(np.cumsum(steps, axis=2), held[:, :, None], axis=2)[:, :, 0]

    def contended(self, entering: Entering, ends: np.ndarray, teams: int | np.ndarray | None = None) -> np.ndarray:
        """The replications where a candidate may wait for a team: at the moment some case enters, more cases hold
        a team than there are teams. A case holds one from its entry until its rounds end or it withdraws, if
        nobody waits; where that never crowds the teams, nobody waits, and the arrays are exact."""
        active = entering.active
        teams = self.teams if teams is None else teams
        if np.ndim(teams):
            teams = np.asarray(teams)[:, 0]
        many = np.flatnonzero(active.sum(axis=1) > teams)
        if not many.size:
            return many
        present = active[many]
        start = entering.start[many]
        until = np.minimum(ends[many], entering.withdraw_at[many])
        entry = start[:, :, None]  # (R, C, 1): the moment case i enters; against every case j on the last axis
        holding = present[:, None, :] & (start[:, None, :] <= entry) & (entry < until[:, None, :])
        crowd = np.where(present, holding.sum(axis=2), 0)
        return many[(crowd > (np.asarray(teams)[many][:, None] if np.ndim(teams) else teams)).any(axis=1)]

    def _uncontended(self, plan: TalksPlan, entering: Entering, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Days in talks when no one waits: the rounds needed, back to back."""
        never = plan.rounds == NEVER
        days = np.where(entering.active, ends - entering.start, 0.0)
        unlimited = plan.rows.unlimited
        if plan.rows.members is not None:
            days = np.where(never & unlimited, np.inf, days)
            ending = np.where(never & ~unlimited, FAIL_TALKS, ADVANCE).astype(np.int8)
        elif unlimited:
            days = np.where(never, np.inf, days)
            ending = np.full(never.shape, ADVANCE, dtype=np.int8)
        else:
            ending = np.where(never, FAIL_TALKS, ADVANCE).astype(np.int8)
        return days, ending

    def _simulate(
        self, reps: np.ndarray, plan: TalksPlan, entering: Entering, days: np.ndarray, ending: np.ndarray
    ) -> None:
        """The talks of the replications where candidates may wait for a team, on the interaction layer."""
        # A replication's talks depend on its cases alone: one run before on the same cases (by another point of a
        # design, see Streams) is looked up rather than run again.
        kept = plan.streams if plan.streams is not None and plan.streams.remembers else None
        limited = self.max_rounds is not None
        cases: list[Rounds] = []
        tags: dict[int, tuple[tuple[Any, ...], list[Rounds]]] = {}  # a replication run here: its tag and cases
        for r in reps.tolist():
            mine = []
            for c in np.flatnonzero(entering.active[r]).tolist():
                needed = int(plan.rounds[r, c])
                held = self.limit if needed == NEVER else needed
                mine.append(Rounds((r, c), float(entering.start[r, c]), float(entering.withdraw_at[r, c]),
                                   plan.days[r, c, :held].tolist(), agreed=needed != NEVER,
                                   order=float(plan.order[r, c])))
            if kept is not None:
                tag = ("talks", self.teams, float(entering.horizon), limited,
                       tuple((case.case[1], case.start, case.withdraw_at, tuple(case.durations), case.agreed,
                              case.order) for case in mine))
                known = kept.recall(tag)
                if known is not None:
                    for c, left_at in known:
                        self._left(r, c, left_at, entering, days, ending)
                    continue
                tags[r] = (tag, mine)
            cases += mine
        left = shared_rounds(cases, self.teams, entering.horizon, limited=limited)
        for case in cases:
            r, c = case.case
            self._left(r, c, left.get(case.case), entering, days, ending)
        if kept is not None:
            for tag, mine in tags.values():
                kept.keep(tag, tuple((case.case[1], left.get(case.case)) for case in mine), 200 * len(mine) + 100)

    @staticmethod
    def _left(r: int, c: int, left_at: tuple[float, str] | None, entering: Entering, days: np.ndarray,
              ending: np.ndarray) -> None:
        end, how = left_at if left_at is not None else (np.inf, AGREED)  # not done: still in talks at the horizon
        days[r, c] = end - entering.start[r, c]
        ending[r, c] = ADVANCE if how == AGREED else FAIL_TALKS if how == FAILED else WITHDRAW


def _compile(name: str, index: int, params: TalksStage, context: Context) -> Talks:
    return Talks(name, index, params)


KIND = Kind(
    name="talks",
    params=TalksStage,
    exits=frozenset({Exit.ADVANCE, Exit.FAIL}),
    compile=_compile,
    note="rounds of talks",
    least=lambda params, context: least_of(params.round),
    dead=lambda params, context: params.agreement <= 0.0,
    labels={
        "teams": "expert teams", "round": "length of a round of talks",
        "agreement": "chance a round ends in agreement", "max_rounds": "round limit",
    },
    phrases={
        "teams": "the number of expert teams", "round": "the length of a round of talks",
        "agreement": "the chance that a round of talks agrees", "max_rounds": "the limit on rounds of talks",
    },
    roles={"teams": "count", "round": "duration", "agreement": "probability", "max_rounds": "count"},
)
