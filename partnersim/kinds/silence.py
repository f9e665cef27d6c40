"""The ``silence`` stage kind: a proposal passes at its deadline unless an ally breaks silence.

The proposal is circulated with a deadline. If no ally breaks silence by then
it is adopted at the deadline (as Austria's partnership programme was on
2022-04-04). If one or more allies break silence, the proposal goes back for
renegotiation and is circulated again with a new deadline. With
``max_breaks`` set, a proposal whose silence has been broken that many times
is dropped: the case ends as a veto by the ally who broke silence last.

Attempt *k* draws its own deadline, renegotiation and breaks, each keyed by
*k*, so raising an ally's ``breaks`` probability only ever adds attempts,
draw for draw. Like ``consensus``, nothing is shared between cases, so the
stage is computed for all replications at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

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
    StageBase,
    expand,
    least_of,
)
from partnersim.streams import Streams, key_of
from partnersim.values.distributions import Distribution, fixed, lognormal
from partnersim.values.numbers import Count, Frozen, Probability


class SilenceAlly(Frozen):
    """How one ally treats a proposal under silence procedure."""

    breaks: Probability = 0.01  # assumption: silence is rarely broken on a drafted programme


class SilenceAllyOverride(Frozen):
    breaks: Probability | None = None


class SilenceAllies(ByAlly):
    """``default`` for every ally, then one entry per ally code that differs."""

    __pydantic_extra__: dict[str, SilenceAllyOverride] = Field(init=False)  # type: ignore[assignment]

    default: SilenceAlly = Field(default_factory=SilenceAlly)

    def breaks(self, code: str) -> float:
        override = self.overrides.get(code)
        if override is not None and override.breaks is not None:
            return override.breaks
        return self.default.breaks


class SilenceStage(StageBase):
    """A proposal passes at its deadline unless an ally breaks silence.

    A broken silence sends the proposal back for renegotiation, after which it
    is circulated again with a new deadline. With ``max_breaks`` set, a
    proposal whose silence is broken that many times is dropped (a veto).
    """

    kind: Literal["silence"] = "silence"
    deadline: Distribution = Field(default_factory=lambda: fixed("2w"))
    renegotiation: Distribution = Field(default_factory=lambda: lognormal("1mo", "3mo"))
    allies: SilenceAllies = Field(default_factory=SilenceAllies)
    max_breaks: Annotated[Count, Field(ge=1, le=1000)] | None = None


ATTEMPT_CAP = 1000  # attempts drawn at most when there is no max_breaks
_BLOCK = 8
_DEADLINE, _RENEGOTIATION, _PICK = 0, 1, 2


@dataclass
class SilencePlan:
    """One chunk's draws, arrays shaped (replications, candidates[, allies])."""

    attempts: np.ndarray  # (R, C) attempts made: the last one passed or was dropped
    dropped: np.ndarray  # (R, C) bool: silence broken max_breaks times
    end: np.ndarray  # (R, C) days from entry to adoption (or to the drop)
    broke: np.ndarray  # (R, C, A) bool: the ally broke silence at least once
    first_break: np.ndarray  # (R, C, A) days from entry to the ally's first break (inf: none)
    last_breaker: np.ndarray  # (R, C) roster index of an ally who broke the last silence (-1: none)


class Silence:
    """A compiled silence procedure: attempts drawn for the chunk at once."""

    kind = "silence"

    def __init__(self, name: str, index: int, params: SilenceStage, codes: list[str], ally_keys: np.ndarray) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.codes = codes
        self.ally_keys = ally_keys
        self.deadline = params.deadline
        self.renegotiation = params.renegotiation
        self.breaks = np.array([params.allies.breaks(code) for code in codes])
        self.max_breaks = params.max_breaks
        self.limit = params.max_breaks if params.max_breaks is not None else ATTEMPT_CAP

    def _attempt_uniforms(self, streams: Streams, keys: ChunkKeys, first: int, last: int, slot: int) -> np.ndarray:
        attempts = np.arange(first, last, dtype=np.uint64)
        return streams.uniforms(
            keys.reps[:, None, None], keys.candidates[None, :, None], expand(keys.stage(self.name, self.key), 1),
            attempts[None, None, :], np.uint64(slot),
        )

    def draw(self, streams: Streams, keys: ChunkKeys) -> SilencePlan:
        shape = (len(keys.reps), len(keys.candidates))
        n_allies = len(self.codes)
        attempts = np.zeros(shape, dtype=np.int64)  # 0: not settled yet
        dropped = np.zeros(shape, dtype=bool)
        end = np.zeros(shape)
        broke = np.zeros(shape + (n_allies,), dtype=bool)
        first_break = np.full(shape + (n_allies,), np.inf)
        last_breaker = np.full(shape, -1, dtype=np.int64)
        first = 0
        while first < self.limit and (attempts == 0).any():
            last = min(first + _BLOCK, self.limit)
            open_ = attempts == 0
            deadline = self.deadline.ppf(self._attempt_uniforms(streams, keys, first, last, _DEADLINE))
            renegotiate = self.renegotiation.ppf(self._attempt_uniforms(streams, keys, first, last, _RENEGOTIATION))
            # (R, C, A, k): does ally a break silence on attempt first + k?
            u = streams.uniforms(
                keys.reps[:, None, None, None], keys.candidates[None, :, None, None],
                expand(keys.stage(self.name, self.key), 2), self.ally_keys[None, None, :, None],
                np.arange(first, last, dtype=np.uint64)[None, None, None, :],
            )
            breaking = u < self.breaks[None, None, :, None]
            for k in range(last - first):
                number = first + k + 1  # attempts are counted from 1
                here = open_ & (attempts == 0)
                if not here.any():
                    break
                breakers = breaking[:, :, :, k] & here[:, :, None]
                broken = breakers.any(axis=2)
                at_deadline = end + deadline[:, :, k]
                newly = breakers & ~broke
                first_break = np.where(newly, at_deadline[:, :, None], first_break)
                broke |= breakers
                # The ally whose break is "most decided" (lowest u/p) stands for the attempt: a uniform pick.
                ratio = np.where(breakers, u[:, :, :, k] / np.where(self.breaks > 0, self.breaks, 1.0), np.inf)
                last_breaker = np.where(broken, ratio.argmin(axis=2), last_breaker)
                passed = here & ~broken
                drop = here & broken & (self.max_breaks is not None and number >= self.max_breaks)
                settled = passed | drop
                attempts = np.where(settled, number, attempts)
                dropped |= drop
                end = np.where(settled, at_deadline, np.where(here, at_deadline + renegotiate[:, :, k], end))
            first = last
        # Beyond the cap (no max_breaks, silence always broken): never adopted.
        never = attempts == 0
        end[never] = np.inf
        return SilencePlan(
            attempts=attempts, dropped=dropped, end=end, broke=broke, first_break=first_break,
            last_breaker=np.where(dropped, last_breaker, -1),
        )

    def finish(self, plan: SilencePlan, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        return plan.end, np.where(plan.dropped, VETO, ADVANCE).astype(np.int8)

    def ally_record(self, plan: SilencePlan, leaving: Leaving) -> AllyRecord:
        """An ally "held" here when it broke silence before the case left the stage."""
        entered = leaving.entered
        was_here = ~np.isnan(entered)
        held = plan.broke & was_here[:, :, None] & (entered[:, :, None] + plan.first_break <= leaving.left[:, :, None])
        veto = np.where(leaving.vetoed, plan.last_breaker, -1).astype(np.int16)
        return AllyRecord(stage=self.name, last=np.full(entered.shape, -1, dtype=np.int16), veto=veto, held=held)


def _compile(name: str, index: int, params: SilenceStage, context: Context) -> Silence:
    return Silence(name, index, params, context.ally_codes, context.ally_keys)


KIND = Kind(
    name="silence",
    params=SilenceStage,
    exits=frozenset({Exit.ADVANCE, Exit.VETO}),
    compile=_compile,
    decision=True,
    note="by silence",
    rule="{stages} passes unless {a} {one} breaks silence",
    least=lambda params, context: least_of(params.deadline),
    dead=lambda params, context: any(params.allies.breaks(code) >= 1.0 for code in context.ally_codes),
    labels={
        "breaks": "chance of breaking silence", "deadline": "silence deadline",
        "renegotiation": "renegotiation after a broken silence",
        "max_breaks": "broken silences before the proposal is dropped",
    },
    phrases={
        "breaks": "{owner} chance of breaking silence",
        "deadline": "the deadline of the silence procedure at {stage}",
        "renegotiation": "the renegotiation after a broken silence at {stage}",
        "max_breaks": "the broken silences allowed at {stage}",
    },
    roles={"breaks": "probability", "deadline": "duration", "renegotiation": "duration", "max_breaks": "count"},
)
