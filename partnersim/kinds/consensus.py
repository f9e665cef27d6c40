"""The ``consensus`` stage kind: every ally must agree; any one can hold or veto.

For each ally the engine draws, in one vectorised call for all replications,
candidates and allies: a deliberation delay; whether it holds (probability
``hold.probability``); how long the hold lasts; and whether the hold is then
lifted (consent) or turned into a veto. Consensus is reached when the last ally
consents; the first veto ends the case. No SimPy process per ally is needed:
allies do not compete for anything, so the stage's outcome for a case is a
function of these draws alone, and no SimPy is needed.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field

from partnersim.kinds.base import (
    ADVANCE,
    VETO,
    AllyRecord,
    ByAlly,
    ChunkKeys,
    Context,
    Entering,
    Exit,
    Kind,
    Leaving,
    Members,
    StageBase,
    expand,
    least_of,
)
from partnersim.streams import Streams, key_of
from partnersim.values.distributions import Distribution, DurationDist, lognormal
from partnersim.values.numbers import Frozen, Probability

# The ally defaults are those of a partnership decision: the North Atlantic
# Council accepting a partner. They are fitted on the dated record of
# partnership decisions (partnersim/data/partnership_decisions.csv;
# docs/calibration.md, "Partnership decisions"). A process whose consensus is
# another kind of decision gives that stage defaults of its own: the
# membership-accession process's ratification, a parliamentary vote in every
# ally, is fitted on the ratifications of Finland's and Sweden's protocols
# (RATIFICATION below).


class Hold(Frozen):
    """An ally withholds consent for a while, then lifts the hold or vetoes."""

    # Fitted: 1 hold in 281 ally-decisions on partners (Türkiye, Israel's mission, 2011–2016); 95% 0.0004–0.0165.
    probability: Probability = 0.0036
    # Fitted through the four partnership holds on record (188 to 1,966 days, two disputes): too few to show
    # a shape, so the lognormal's spread is an assumption.
    duration: Distribution = Field(default_factory=lambda: lognormal("889d", "3605d"))
    # Fitted: the four partnership holds on record ended without a veto; the Jeffreys mean of 4 in 4 (95% 0.56–1).
    lifted: Probability = 0.90


class AllyParams(Frozen):
    """How one ally decides at a consensus stage."""

    # Assumption (no dated record): a week typically, three at the 90th percentile; the Council meets at
    # least weekly and ambassadors act on instructions from capitals.
    deliberation: Distribution = Field(default_factory=lambda: lognormal("1w", "3w"))
    hold: Hold = Field(default_factory=Hold)

    @property
    def veto(self) -> float:
        """The chance this ally vetoes: it holds, and does not lift the hold."""
        return self.hold.probability * (1 - self.hold.lifted)


class HoldOverride(Frozen):
    probability: Probability | None = None
    duration: Distribution | None = None
    lifted: Probability | None = None


class AllyOverride(Frozen):
    """Only the keys an ally (or a stage) changes; the rest comes from ``default``."""

    deliberation: Distribution | None = None
    hold: HoldOverride | None = None


class Allies(ByAlly):
    """``default`` for every ally, then one entry per ally code that differs."""

    __pydantic_extra__: dict[str, AllyOverride] = Field(init=False)  # type: ignore[assignment]

    default: AllyParams = Field(default_factory=AllyParams)


class StageAllies(ByAlly):
    """Per-stage changes to the allies' behaviour, layered over the top-level ``allies``."""

    __pydantic_extra__: dict[str, AllyOverride] = Field(init=False)  # type: ignore[assignment]

    default: AllyOverride = Field(default_factory=AllyOverride)


class ConsensusStage(StageBase):
    """Every ally decides; the last consent ends the stage, the first veto ends the case."""

    kind: Literal["consensus"] = "consensus"
    allies: StageAllies = Field(default_factory=StageAllies)



_DELIBERATION, _HOLD, _HOLD_DAYS, _LIFTED, _TIEBREAK, _TOGETHER = range(6)
_SHARED = np.array([_HOLD, _HOLD_DAYS, _LIFTED], dtype=np.uint64)  # what a bloc acting as one shares


@dataclass(frozen=True)
class Group:
    """Allies that share one distribution, sampled together."""

    dist: DurationDist
    allies: np.ndarray  # indices into the roster


@dataclass
class ConsensusPlan:
    """One chunk's draws, arrays shaped (replications, candidates[, allies]).

    ``draw`` fills the uniforms and deliberations, which do not depend on when
    a case enters; ``finish`` fills the rest, because an election can change
    an ally's hold probability from a date on.
    """

    u: np.ndarray  # (R, C, A, 2) uniforms: deliberation, hold
    deliberation: np.ndarray  # (R, C, A) days until the ally decides or starts a hold
    tiebreak: Callable[[], np.ndarray]  # (R, C, A) uniforms, drawn only if allies tie
    # (H, 2) uniforms of a hold's length and of its lifting, for the holds at (r, c, a) only
    hold_uniforms: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    holds: np.ndarray | None = None  # (R, C, A) bool
    consent: np.ndarray | None = None  # (R, C, A) day of consent relative to stage entry (inf if veto)
    vetoed: np.ndarray | None = None  # (R, C) bool
    end: np.ndarray | None = None  # (R, C) days from entry to consensus or to the first veto
    last: np.ndarray | None = None  # (R, C) roster index of the last ally to consent (-1 if vetoed)
    veto_ally: np.ndarray | None = None  # (R, C) roster index of the first ally to veto (-1 if none)
    members: np.ndarray | None = None  # (R,) for a stage stacked over a design's points: each row's member


@dataclass(frozen=True)
class Screened:
    """The cases of a chunk's keys that could still be in the stage at a given time, and the full draw of some of
    them (rows of the keys) from the uniforms the screen drew."""

    could: np.ndarray  # (n,) bool
    draw: Callable[[np.ndarray], ConsensusPlan]


@dataclass(frozen=True)
class KnownAllies:
    """What is known of a consensus already open on the start date: who has consented, who holds since when.

    Days count from the day the case entered the stage. An ally not named
    here is drawn afresh from that day, and the draw is kept only if it
    leaves the stage open on the start date (see :mod:`partnersim.engine.resume`).
    """

    elapsed: float  # days from entering the stage to the start date
    consented: np.ndarray  # roster indices
    consented_on: np.ndarray  # day of each consent (0 where its date is not known)
    holding: np.ndarray  # roster indices
    hold_began: np.ndarray  # day each of those holds began


@dataclass(frozen=True)
class Election:
    """From ``day`` (days after the start) the ally's hold probability here is ``hold``."""

    ally: int  # roster index
    day: float
    hold: float


@dataclass(frozen=True)
class Bloc:
    """Allies that, with probability ``strength``, hold (and lift or veto) as one."""

    key: np.uint64
    allies: np.ndarray  # roster indices
    strength: float


def layer_allies(allies: Allies, stage: ConsensusStage, codes: list[str]) -> list[AllyParams]:
    """Each ally's parameters: default ← stage default ← ally entry ← stage ally entry."""
    common = allies.default.model_dump(exclude_none=True)
    _merge_into(common, stage.allies.default.model_dump(exclude_none=True))
    plain = AllyParams.model_validate(common)  # an ally with no entry of its own: most of them, compiled once
    resolved = []
    entries, stage_entries = allies.overrides, stage.allies.overrides
    for code in codes:
        own = [layer for layer in (entries.get(code), stage_entries.get(code)) if layer is not None]
        if not own:
            resolved.append(plain)
            continue
        data = copy.deepcopy(common)
        for layer in own:
            _merge_into(data, layer.model_dump(exclude_none=True))
        resolved.append(AllyParams.model_validate(data))
    return resolved


def _merge_into(base: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key != "duration" and key != "deliberation":
            _merge_into(base[key], value)
        else:
            base[key] = value


def _groups(dists: list[DurationDist]) -> tuple[Group, ...]:
    by_spec: dict[str, list[int]] = {}
    first: dict[str, DurationDist] = {}
    specs: dict[int, str] = {}  # allies sharing one compiled parameter set share its distribution object
    for index, dist in enumerate(dists):
        spec = specs.get(id(dist)) or specs.setdefault(id(dist), dist.model_dump_json())
        by_spec.setdefault(spec, []).append(index)
        first.setdefault(spec, dist)
    return tuple(Group(first[s], np.array(ix, dtype=np.int64)) for s, ix in by_spec.items())


def _pick(tied: np.ndarray, tiebreak: np.ndarray | None) -> np.ndarray:
    """Index of one ally among the ``tied`` ones (last axis), chosen by the largest ``tiebreak``.

    Without ties ``tiebreak`` is not needed (None): the one ally is the answer.
    """
    if tied.shape[-1] == 0:
        return np.full(tied.shape[:-1], -1)
    if tiebreak is None:
        return tied.argmax(axis=-1)
    return np.where(tied, tiebreak, -1.0).argmax(axis=-1)


class Consensus:
    """A compiled consensus stage: every ally's decision drawn for the chunk at once."""

    def _uniforms(self, streams: Streams, keys: ChunkKeys, slots: np.ndarray | np.uint64) -> np.ndarray:
        """Uniforms keyed (replication, candidate, stage, ally, slot); slots on the last axis if several."""
        key = keys.stage(self.name, self.key)
        if np.ndim(slots):
            return streams.uniforms(
                keys.reps[:, None, None, None], keys.candidates[None, :, None, None], expand(key, 2),
                self.ally_keys[None, None, :, None], np.asarray(slots)[None, None, None, :],
            )
        return streams.uniforms(
            keys.reps[:, None, None], keys.candidates[None, :, None], expand(key, 1),
            self.ally_keys[None, None, :], slots,
        )

    kind = "consensus"

    def __init__(
        self, name: str, index: int, params: ConsensusStage, allies: Allies, codes: list[str], ally_keys: np.ndarray,
        *, elections: Sequence[Election] = (), blocs: Sequence[Bloc] = (),
    ) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.codes = codes
        self.ally_keys = ally_keys
        self.params = layer_allies(allies, params, codes)
        self.hold_p = np.array([p.hold.probability for p in self.params])
        self.lifted_p = np.array([p.hold.lifted for p in self.params])
        self.deliberation_groups = _groups([p.deliberation for p in self.params])
        self.hold_groups = _groups([p.hold.duration for p in self.params])
        self.elections = tuple(sorted(elections, key=lambda e: e.day))
        self.blocs = tuple(blocs)
        self.members: list[Consensus] = [self]  # more than one: stacked over a design's points (``stack``)
        self.points: Members | None = None  # the design points of the members, when stacked
        self._signature: bytes | None = None

    @classmethod
    def stack(cls, stages: list[Consensus], points: list[int]) -> Consensus | None:
        """One stage drawing the rows of design points ``points`` (one per stage of ``stages``) at once, each
        row with its own point's settings; None if the stages differ in more than their settings can."""
        first = stages[0]
        if any((s.name, s.codes, [b.key for b in s.blocs]) != (first.name, first.codes, [b.key for b in first.blocs])
               or any(not np.array_equal(b.allies, c.allies) for b, c in zip(s.blocs, first.blocs, strict=True))
               for s in stages):
            return None
        stacked = copy.copy(first)
        stacked.members = list(stages)
        stacked.points = Members.of(points)
        stacked.hold_p = np.stack([s.hold_p for s in stages])  # (M, A)
        stacked.lifted_p = np.stack([s.lifted_p for s in stages])
        return stacked

    def signature(self) -> bytes | None:
        """What decides this stage's draws and their outcome, as bytes: two stages with the same signature draw
        the same for the same keys (None for a stage stacked over a design's points)."""
        if len(self.members) > 1:
            return None
        if self._signature is None:
            self._signature = pickle.dumps((self.name, self.codes, self.ally_keys.tobytes(),
                                            [p.model_dump_json() for p in self.params], self.elections, self.blocs))
        return self._signature

    def _members(self, keys: ChunkKeys) -> np.ndarray | None:
        return None if self.points is None else self.points.rows(keys.points)

    def _each(self, members: np.ndarray | None) -> list[tuple[int, Consensus, np.ndarray | None]]:
        """Each member present, its number and its rows (None: one member, every row)."""
        if members is None:
            return [(0, self, None)]
        return [(k, self.members[k], np.flatnonzero(members == k)) for k in np.unique(members).tolist()]

    def draw(self, streams: Streams, keys: ChunkKeys, u: np.ndarray | None = None) -> ConsensusPlan:
        """The chunk's draws; ``u``, the (R, C, A, 2) uniforms of deliberation and hold of these keys, when they
        are already drawn (the screen of :meth:`could_stay_open`)."""
        key = keys.stage(self.name, self.key)
        members = self._members(keys)
        if u is None:
            u = self._uniforms(streams, keys, np.array([_DELIBERATION, _HOLD], dtype=np.uint64))
        acting: list[tuple[Bloc, np.ndarray, np.ndarray]] = []  # bloc, acts as one (R, C), shared (R, C, 3)
        for b, bloc in enumerate(self.blocs):
            strength = bloc.strength if members is None else \
                np.array([m.blocs[b].strength for m in self.members])[members][:, None]
            together = streams.uniforms(
                keys.reps[:, None], keys.candidates[None, :], key, bloc.key, np.uint64(_TOGETHER)
            ) < strength
            shared = streams.uniforms(
                keys.reps[:, None, None], keys.candidates[None, :, None], expand(key, 1), bloc.key,
                _SHARED[None, None, :]
            )
            column = u[:, :, bloc.allies, _HOLD]
            u[:, :, bloc.allies, _HOLD] = np.where(together[:, :, None], shared[:, :, 0, None], column)
            acting.append((bloc, together, shared))

        def hold_uniforms(r: np.ndarray, c: np.ndarray, a: np.ndarray) -> np.ndarray:
            # The same keys as a dense draw would use, for the holding (r, c, a) only: holds are rare.
            out = streams.uniforms(
                keys.reps[r][:, None], keys.candidates[c][:, None], key if np.ndim(key) == 0 else np.asarray(key)[r, c][:, None],
                self.ally_keys[a][:, None],
                np.array([_HOLD_DAYS, _LIFTED], dtype=np.uint64)[None, :],
            )
            for bloc, together, shared in acting:
                linked = together[r, c] & np.isin(a, bloc.allies)
                out[linked] = shared[r[linked], c[linked], 1:]
            return out

        deliberation = np.empty(u.shape[:3])
        for _, member, rows in self._each(members):
            for group in member.deliberation_groups:
                if rows is None:
                    deliberation[:, :, group.allies] = streams.quantiles(group.dist, u[:, :, group.allies, _DELIBERATION])
                else:
                    where = np.ix_(rows, np.arange(u.shape[1]), group.allies)
                    deliberation[where] = streams.quantiles(group.dist, u[..., _DELIBERATION][where])
        return ConsensusPlan(
            u=u, deliberation=deliberation, tiebreak=lambda: self._uniforms(streams, keys, np.uint64(_TIEBREAK)),
            hold_uniforms=hold_uniforms, members=members,
        )

    def could_stay_open(self, streams: Streams, keys: ChunkKeys, elapsed: float, known: KnownAllies | None
                        ) -> Screened | None:
        """Which cases could still be in the stage ``elapsed`` days after entering it: False for a case that
        surely leaves it by then, because no ally could hold (at the highest chance an election gives it) and none
        deliberates that long. From the uniforms a full draw uses, so a try it rules out is one the full draw
        closes; the draw of the others starts from those uniforms. None where it cannot tell (blocs, a stacked
        stage, allies known to have consented or to hold)."""
        if self.blocs or len(self.members) > 1 or (known is not None and (known.consented.size or known.holding.size)):
            return None
        u = self._uniforms(streams, keys, np.array([_DELIBERATION, _HOLD], dtype=np.uint64))
        hold = self.hold_p.copy()
        for election in self.elections:
            hold[election.ally] = max(hold[election.ally], election.hold)
        slow = np.empty(len(self.codes))  # the uniform above which an ally deliberates longer than ``elapsed``
        for group in self.deliberation_groups:
            slow[group.allies] = 1.0 - float(group.dist.sf(np.array([elapsed]))[0]) - 1e-9  # a margin for rounding
        could = np.asarray(((u[..., _HOLD] < hold) | (u[..., _DELIBERATION] >= slow)).any(axis=(1, 2)))
        return Screened(could, lambda rows: self.draw(streams, keys.take(rows), u=u[rows]))

    def hold_probability(self, plan: ConsensusPlan, start: np.ndarray) -> np.ndarray:
        """Each ally's hold probability when it decides: elections change it from their date."""
        base = self.hold_p if plan.members is None else self.hold_p[plan.members][:, None, :]
        if not any(m.elections for m in self.members):
            return base
        p = np.broadcast_to(base, plan.deliberation.shape).copy()
        for _, member, rows in self._each(plan.members):
            for election in member.elections:
                if rows is None:
                    decides = start + plan.deliberation[:, :, election.ally]
                    p[:, :, election.ally] = np.where(decides >= election.day, election.hold, p[:, :, election.ally])
                else:
                    decides = np.asarray(start)[rows] + plan.deliberation[rows, :, election.ally]
                    p[rows, :, election.ally] = np.where(decides >= election.day, election.hold,
                                                         p[rows, :, election.ally])
        return p

    def resolve(self, plan: ConsensusPlan, start: np.ndarray, known: KnownAllies | None = None) -> None:
        """Fill in the holds, consents and vetoes of cases entering on day ``start``.

        With ``known``, every case is one candidate's consensus already open on
        the start date: the allies that consented have, and each ally holding
        since a day holds for the rest of its hold (the hold's residual life).
        """
        u, deliberation = plan.u, plan.deliberation
        holds = u[..., _HOLD] < self.hold_probability(plan, start)
        if known is not None:
            holds[:, :, known.consented] = False
            holds[:, :, known.holding] = True
            deliberation[:, :, known.consented] = known.consented_on
            deliberation[:, :, known.holding] = known.hold_began
        # A hold's length, and whether it is lifted, are drawn only where there is a hold.
        r, c, a = np.nonzero(holds)
        drawn = plan.hold_uniforms(r, c, a)
        hold_days = np.zeros(holds.shape)
        members = plan.members
        for k, member, _ in self._each(members):
            ours = True if members is None else members[r] == k
            for group in member.hold_groups:
                mine = np.isin(a, group.allies) & ours
                if mine.any():
                    hold_days[r[mine], c[mine], a[mine]] = group.dist.ppf(drawn[mine, 0])
            if known is not None and known.holding.size:  # a hold under way: the rest of it, given its length
                ongoing = np.isin(a, known.holding) & ours
                so_far = known.elapsed - deliberation[r[ongoing], c[ongoing], a[ongoing]]
                for group in member.hold_groups:
                    mine = np.isin(a[ongoing], group.allies)
                    if mine.any():
                        where = (r[ongoing][mine], c[ongoing][mine], a[ongoing][mine])
                        hold_days[where] = so_far[mine] + group.dist.residual(drawn[ongoing, 0][mine], so_far[mine])
        lifted = np.zeros(holds.shape, dtype=bool)
        lifted[r, c, a] = drawn[:, 1] < (self.lifted_p[a] if members is None else self.lifted_p[members[r], a])
        decided = deliberation + hold_days
        vetoes = holds & ~lifted
        consent = np.where(vetoes, np.inf, decided)
        veto_at = np.where(vetoes, decided, np.inf)
        first_veto = veto_at.min(axis=2)
        vetoed = np.isfinite(first_veto)
        agreed = consent.max(axis=2) if consent.shape[2] else np.zeros(consent.shape[:2])
        end = np.where(vetoed, first_veto, agreed)
        # Ties are common with empirical delays; among allies tied for last (or for
        # the first veto) pick one at random rather than the first in the roster.
        tied_last = consent == agreed[:, :, None]
        tied_veto = veto_at == first_veto[:, :, None]
        tiebreak = None
        # (A vetoed case has no last ally: two vetoes tie at an infinite consent, which needs no draw.)
        if (~vetoed & (tied_last.sum(axis=2) > 1)).any() or (vetoed & (tied_veto.sum(axis=2) > 1)).any():
            tiebreak = plan.tiebreak()
        plan.holds, plan.consent, plan.vetoed, plan.end = holds, consent, vetoed, end
        plan.last = np.where(vetoed, -1, _pick(tied_last, tiebreak)).astype(np.int16)
        plan.veto_ally = np.where(vetoed, _pick(tied_veto, tiebreak), -1).astype(np.int16)

    def finish(self, plan: ConsensusPlan, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        self.resolve(plan, entering.start, entering.known)
        assert plan.end is not None and plan.vetoed is not None
        return plan.end, np.where(plan.vetoed, VETO, ADVANCE).astype(np.int8)

    def ally_record(self, plan: ConsensusPlan, leaving: Leaving) -> AllyRecord:
        """Which allies stood in the way, counting only what happened before the case left the stage."""
        entered = leaving.entered
        was_here = ~np.isnan(entered)
        if plan.holds is None:  # no case entered the stage in this chunk
            self.resolve(plan, np.zeros(entered.shape))
        assert plan.holds is not None and plan.vetoed is not None and plan.last is not None
        assert plan.veto_ally is not None
        last = np.where(was_here & leaving.advanced & ~plan.vetoed, plan.last, -1).astype(np.int16)
        veto = np.where(leaving.vetoed, plan.veto_ally, -1).astype(np.int16)
        hold_start = entered[:, :, None] + plan.deliberation
        held = plan.holds & was_here[:, :, None] & (hold_start < leaving.left[:, :, None])
        return AllyRecord(stage=self.name, last=last, veto=veto, held=held)


def compile_consensus(
    name: str, index: int, params: ConsensusStage, context: Context, *, rules_of: str | None = None
) -> Consensus:
    """A compiled consensus with the scenario's elections and blocs; ``rules_of`` names the stage they
    are looked up by (a renewal numbered ``renewal-2`` follows the rules of ``renewal``)."""
    stage = rules_of or name
    codes = context.ally_codes
    elections = []
    for election in context.elections:
        hold = election.hold if not isinstance(election.hold, dict) else election.hold.get(stage)
        if hold is not None:
            day = float((election.date - context.start).days)
            elections.append(Election(ally=codes.index(election.ally), day=day, hold=hold))
    blocs = [
        Bloc(key=key_of(f"bloc:{bloc.name}"), allies=np.array([codes.index(c) for c in bloc.allies]),
             strength=bloc.strength)
        for bloc in context.blocs
    ]
    return Consensus(name, index, params, context.allies, codes, context.ally_keys, elections=elections, blocs=blocs)


def resolve_allies(params: ConsensusStage, context: Context) -> list[AllyParams]:
    """Each ally's parameters at a consensus stage, as the engine uses them."""
    return layer_allies(context.allies, params, context.ally_codes)


def _compile(name: str, index: int, params: ConsensusStage, context: Context) -> Consensus:
    return compile_consensus(name, index, params, context)


def known_allies(candidate: Any, codes: list[str], start: dt.date) -> KnownAllies:
    """What ``candidate`` (a scenario's candidate, with ``since``) says of its consensus on the ``start`` date."""
    since = candidate.since

    def day(value: dt.date | None) -> float:
        return 0.0 if value is None else float((value - since).days)

    return KnownAllies(
        elapsed=float((start - since).days),
        consented=np.array([codes.index(code) for code in candidate.consented], dtype=np.int64),
        consented_on=np.array([day(value) for value in candidate.consented.values()]),
        holding=np.array([codes.index(code) for code in candidate.holding], dtype=np.int64),
        hold_began=np.array([day(value) for value in candidate.holding.values()]),
    )


def least_days(allies: list[AllyParams]) -> float:
    """The fewest days a consensus of ``allies`` takes: the slowest ally's least deliberation, and its least
    hold when it always holds."""
    return max(
        (least_of(p.deliberation) + (least_of(p.hold.duration) if p.hold.probability >= 1.0 else 0.0)
         for p in allies),
        default=0.0,
    )


def _least(params: ConsensusStage, context: Context) -> float:
    return least_days(resolve_allies(params, context))


def _dead(params: ConsensusStage, context: Context) -> bool:
    return any(p.veto >= 1.0 for p in resolve_allies(params, context))


KIND = Kind(
    name="consensus",
    params=ConsensusStage,
    exits=frozenset({Exit.ADVANCE, Exit.VETO}),
    compile=_compile,
    decision=True,
    meets=True,
    holds=True,
    known=lambda candidate, codes, start: known_allies(candidate, codes, start),
    note="all {many} agree",
    rule="every {one} must agree at {stages}",
    least=_least,
    dead=_dead,
    labels={
        "deliberation": "time to consent",
        "hold": "hold",
        "hold.probability": "chance of a hold",
        "hold.duration": "length of a hold",
        "hold.lifted": "chance a hold is lifted (not a veto)",
    },
    phrases={
        "deliberation": "{owner} time to consent",
        "hold.probability": "{owner} chance of a hold",
        "hold.duration": "the length of {owner} holds",
        "hold.lifted": "{owner} chance of lifting a hold",
    },
    roles={"probability": "probability", "lifted": "probability", "deliberation": "duration", "duration": "duration"},
)
