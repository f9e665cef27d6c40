"""What every stage kind is and provides: its descriptor, how cases leave a stage, the protocol of its behaviour.

A stage kind is one module of this package (``task``, ``talks``, ``consensus``,
``silence``, ``items``) and one line of its registry (``KINDS`` in the
package). The module holds the kind's parameters (a pydantic model), its
compiled behaviour, the exits it can produce, its checks (the fewest days a
case spends in it; whether no case can get past it) and what its settings are
called. The engine, the process's route and state machine, the scenario
schema and loader, the warnings, the sensitivity analysis, the briefings and
the diagram all ask the registry; none of them names a kind.

A compiled stage draws what it needs for a whole chunk of replications in
vectorised calls (``draw``), and then says, for every case that enters it,
how long it stays and how it leaves (``finish``): all arrays shaped
(replications, candidates). Only a stage whose cases compete for something
(the expert teams of ``talks``) runs SimPy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from partnersim.streams import Streams, key_of
from partnersim.values.distributions import Days
from partnersim.values.numbers import Frozen


class Exit(IntEnum):
    """How a case leaves a stage."""

    ADVANCE = 0
    VETO = 1
    FAIL = 2  # talks that did not agree within their round limit
    WITHDRAW = 3  # the candidate left while the stage ran (a simulated stage says so itself)
    TIMEOUT = 4  # the stage ran longer than its time limit


ADVANCE, VETO, FAIL_TALKS, WITHDRAW, TIMEOUT = Exit.ADVANCE, Exit.VETO, Exit.FAIL, Exit.WITHDRAW, Exit.TIMEOUT


@dataclass
class AllyRecord:
    """Who stood in the way at one consensus stage, per (replication, candidate)."""

    stage: str
    last: np.ndarray  # (R, C) int16: last ally to consent, when consensus was reached; else -1
    veto: np.ndarray  # (R, C) int16: the ally whose veto ended the case; else -1
    held: np.ndarray  # (R, C, A) bool: the ally held its consent while the case was at this stage




@dataclass
class ChunkKeys:
    """The keys of a chunk: replication numbers and candidate keys.

    ``visits`` counts, for the stage being drawn, the times each case has
    been in it before (a process may send a case back). A stage's draws are
    keyed by its name on the first visit and by ``name#k`` on visit k, so a
    second visit draws afresh, and a process that never sends a case back
    draws exactly what it always did.
    """

    reps: np.ndarray  # (R,) uint64
    candidates: np.ndarray  # (C,) uint64
    visits: np.ndarray | None = None  # (R, C) earlier visits to the stage drawn; None: first visits for all
    # (R, C) the draw of a stage already open on the start date that is tried (``name@k`` for try k > 0;
    # see partnersim.engine.resume); None: the first try for all
    tries: np.ndarray | None = None
    # (R,) the design point of each row, when the rows of a chunk belong to several variants of a scenario
    # (see partnersim.engine.design); None: one scenario
    points: np.ndarray | None = None

    def stage(self, name: str, key: np.uint64) -> np.uint64 | np.ndarray:
        """The key of ``name``'s draws: ``key`` (a scalar) when every case is on its first visit, else (R, C)."""
        keyed: np.uint64 | np.ndarray = key
        for counts, mark in ((self.visits, "#"), (self.tries, "@")):
            if counts is None or not counts.any():
                continue
            distinct, which = np.unique(counts, return_inverse=True)
            table = np.array([key_of(f"{name}{mark}{count}") if count > 0 else key for count in distinct.tolist()],
                             dtype=np.uint64)
            keyed = np.where(counts > 0, table[which.reshape(counts.shape)], keyed)
        return keyed

    def for_visits(self, visits: np.ndarray) -> ChunkKeys:
        return ChunkKeys(self.reps, self.candidates, visits, points=self.points)

    def take(self, rows: np.ndarray) -> ChunkKeys:
        """The keys of ``rows`` only, with their visits, tries and points."""
        return ChunkKeys(
            self.reps[rows], self.candidates,
            None if self.visits is None else self.visits[rows],
            None if self.tries is None else self.tries[rows],
            None if self.points is None else self.points[rows],
        )

    def rows(self, rows: np.ndarray, candidates: np.ndarray | None = None, *, repeat: int = 1,
             tries: np.ndarray | None = None) -> ChunkKeys:
        """The keys of ``rows`` of this chunk (each ``repeat`` times over), for ``candidates`` (all by default)."""
        return ChunkKeys(np.repeat(self.reps[rows], repeat), self.candidates if candidates is None else candidates,
                         tries=tries, points=None if self.points is None else np.repeat(self.points[rows], repeat))


@dataclass(frozen=True)
class Members:
    """The design points a stage stacked over several of them serves (see :mod:`partnersim.engine.design`),
    one per member, in ascending order: a row's member is found from its point (``ChunkKeys.points``)."""

    points: np.ndarray  # (M,) int64, ascending

    @classmethod
    def of(cls, points: Sequence[int]) -> Members:
        found = np.asarray(points, dtype=np.int64)
        assert np.all(np.diff(found) > 0), "a stacked stage's points come in ascending order"
        return cls(found)

    def rows(self, points: np.ndarray | None) -> np.ndarray:
        """(R,) the member of each row of a chunk whose rows carry their points."""
        assert points is not None, "a stacked stage runs only on keys that carry each row's point"
        return np.searchsorted(self.points, points)


def expand(key: np.uint64 | np.ndarray, extra: int) -> np.uint64 | np.ndarray:
    """A stage key laid out for broadcasting against (R, C) followed by ``extra`` more axes."""
    if np.ndim(key) == 0:
        return key
    return np.asarray(key).reshape(np.shape(key) + (1,) * extra)


@dataclass
class Entering:
    """The cases entering a stage: who, when, and when their candidate would withdraw."""

    active: np.ndarray  # (R, C) bool
    start: np.ndarray  # (R, C) day of entry (meaningful where active)
    withdraw_at: np.ndarray  # (R, C) day the candidate would withdraw (inf: never)
    horizon: float
    # What is known of one candidate's case already in the stage on the start date (a kind's own
    # record, e.g. the allies that consented or hold at a consensus); None: nothing, or a fresh entry.
    known: Any = None


@dataclass
class Leaving:
    """The cases that were in a stage on one pass of the walk: when they came, and when and how they left."""

    entered: np.ndarray  # (R, C) day entered, NaN if not in the stage on this pass
    left: np.ndarray  # (R, C) day left: the decision taking effect, a withdrawal, or the horizon
    advanced: np.ndarray  # (R, C) bool: left by the stage's advance exit
    vetoed: np.ndarray  # (R, C) bool: left by a veto


class CompiledStage(Protocol):
    name: str
    kind: str
    index: int

    def draw(self, streams: Streams, keys: ChunkKeys) -> Any: ...

    def finish(self, plan: Any, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        """Days spent in the stage and how each case leaves it (ADVANCE, VETO, ...).

        A stage that handles withdrawal itself (because it is simulated) returns
        WITHDRAW with the days until the withdrawal; other stages leave
        withdrawal to the engine.
        """
        ...


class StageBase(Frozen):
    """What the parameters of every kind have.

    ``kind`` is fixed by each kind's model. ``exits`` changes where this
    stage's exits lead, over what the process says (a process's exits are
    described in :mod:`partnersim.process.definition`). With ``timeout``, a
    case still in the stage after that long leaves it by its ``timeout`` exit
    (to ``withdrawn``, unless the process or ``exits`` sends it elsewhere).
    """

    kind: str
    exits: dict[str, Any] | None = None
    timeout: Days | None = None


@dataclass(frozen=True)
class Context:
    """What a kind may need from the scenario to compile or check a stage: the allies and their rules."""

    ally_codes: list[str]
    ally_keys: np.ndarray
    allies: Any = None  # the scenario's ``allies`` (every consensus stage's defaults)
    elections: Sequence[Any] = ()  # the scenario's elections: ally, date, and hold (one, or per stage)
    blocs: Sequence[Any] = ()  # the scenario's blocs: name, allies, strength
    start: Any = None  # the scenario's start date (elections take effect from theirs)


def _no_days(params: Any, context: Context) -> float:
    return 0.0


def _no_limit(params: Any, context: Context) -> float:
    return float("inf")


def _never_dead(params: Any, context: Context) -> bool:
    return False


class ByAlly(BaseModel):
    """``default`` for every ally, then one entry per ally code that differs (its extra keys).

    A subclass declares the type of ``default`` and of each entry
    (``__pydantic_extra__: dict[str, Entry]``).
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    @property
    def overrides(self) -> dict[str, Any]:
        """Each ally code's entry, as written."""
        return dict(self.__pydantic_extra__ or {})


@dataclass(frozen=True)
class Kind:
    """A stage kind, as everything outside its module sees it.

    ``labels`` names its settings (key paths within a stage, as a briefing's
    tables and a sensitivity analysis show them) and ``phrases`` says them in
    a sentence (``{owner}``: whose, for an ally's setting; ``{stage}``: the
    stage's label); ``roles`` says how a sensitivity
    analysis swings a setting, by its last key: ``probability``, ``duration``
    or ``count``.
    """

    name: str
    params: type[BaseModel]
    exits: frozenset[Exit]
    compile: Callable[[str, int, Any, Context], CompiledStage]
    decision: bool = False  # the allies decide at it: who stood in the way is kept
    holds: bool = False  # an ally can hold its consent at it: elections change that chance there
    meets: bool = False  # its decision is taken at a meeting of the Council (a calendar's ``council``)
    note: str = ""  # a few words under its box in the process diagram
    # The diagram's sentence on the stages of this kind: {stages} their labels; {one}, {many}, {a} the
    # process's names for those who decide ("ally", "allies", "an").
    rule: str = ""
    least: Callable[[Any, Context], float] = _no_days  # the fewest days a case spends in it and goes on
    most: Callable[[Any, Context], float] = _no_limit  # the most days a case can spend in it
    # What a case already in it on the start date may say (who consented, who holds), compiled from its
    # candidate for the stage's ``finish`` (``Entering.known``); None: nothing beyond the time spent in it.
    known: Callable[[Any, list[str], Any], Any] | None = None
    dead: Callable[[Any, Context], bool] = _never_dead  # no case that enters it can ever go on
    labels: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)


def most_of(dist: Any) -> float:
    """The upper end of a duration distribution's support (inf for an unbounded one)."""
    with np.errstate(divide="ignore"):
        high = float(dist.isf(np.array([0.0]))[0])
    return high if high == high else float("inf")


def least_of(dist: Any) -> float:
    """The lower end of a duration distribution's support: its quantile at 0 (for a kind's ``least``)."""
    import math

    with np.errstate(invalid="ignore"):
        low = float(dist.ppf(np.array([0.0]))[0])
    if not math.isfinite(low):  # a lognormal with no spread: 0 × −∞ at u = 0
        low = float(dist.ppf(np.array([1e-12]))[0])
    return max(low, 0.0)
