"""The ``items`` stage kind: many items negotiated in parallel, each opened and closed by a consensus.

The accession negotiations of the European Union are of this kind: dozens of
chapters of the acquis, each opened and then (provisionally) closed by the
unanimity of the member states, any one of whom can hold or block a single
chapter. For every item the engine draws when it is put to the members for
opening (``opening``, days from the stage's start), when it is put to them for
closing (``negotiation`` days after it opened, and not before ``closing`` days
from the stage's start), and, at its opening and again at its closing, every
member's decision exactly as a ``consensus`` stage draws it: a deliberation, a
hold of some length, then consent or a veto. ``closing`` carries a record
counted from the start of negotiations, as the dates of a past accession are;
``negotiation`` one counted from each item's opening. A hold at an item's
opening delays its closing only when the item then opens too late to close on
its ``closing`` day. ``allies`` layers over the
scenario's top-level allies as a consensus stage's does, and blocs and
elections apply as they do there (by the stage's name).

The stage ends when its last item is closed, or on the day a member turns a
hold into a veto at any item. Items do not compete for anything, so the stage
is computed for all replications at once.
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
from partnersim.kinds.consensus import (
    ConsensusPlan,
    ConsensusStage,
    StageAllies,
    compile_consensus,
    least_days,
    resolve_allies,
)
from partnersim.streams import Streams, key_of
from partnersim.values.distributions import Distribution, fixed
from partnersim.values.numbers import Count

_OPENING, _NEGOTIATION, _CLOSING = 0, 1, 2


class ItemsStage(StageBase):
    """Items negotiated in parallel, each opened and closed by the consensus of the members."""

    kind: Literal["items"] = "items"
    items: Annotated[Count, Field(ge=1, le=200)] = 35
    opening: Distribution = Field(default_factory=lambda: fixed("0d"))
    negotiation: Distribution = Field(default_factory=lambda: fixed("0d"))
    closing: Distribution = Field(default_factory=lambda: fixed("0d"))
    allies: StageAllies = Field(default_factory=StageAllies)


@dataclass
class ItemsPlan:
    """One chunk's draws, arrays shaped (replications, candidates, items), and each item's two consensus plans."""

    opening: np.ndarray  # (R, C, N) days from the stage's start to an item's putting for opening
    negotiation: np.ndarray  # (R, C, N) days from an item's opening to its putting for closing
    closing: np.ndarray  # (R, C, N) days from the stage's start before which an item is not put for closing
    opens: list[ConsensusPlan]
    closes: list[ConsensusPlan]
    vetoed: np.ndarray | None = None  # (R, C) a member vetoed an item
    veto_ally: np.ndarray | None = None  # (R, C) roster index of the first member to veto (-1: none)
    last: np.ndarray | None = None  # (R, C) the last member to consent at the last item closed (-1: vetoed)
    requested: np.ndarray | None = None  # (R, C, N, 2) day each item was put to the members: to open, to close


class Items:
    """A compiled items stage: for each item an opening and a closing consensus, drawn for the chunk at once."""

    kind = "items"

    def __init__(self, name: str, index: int, params: ItemsStage, context: Context) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.count = params.items
        self.opening = params.opening
        self.negotiation = params.negotiation
        self.closing = params.closing
        decide = ConsensusStage(allies=params.allies)
        # Every item's decisions are keyed by their own name, and follow the stage's blocs and elections.
        self.opens = [compile_consensus(f"{name}:{i}:open", index, decide, context, rules_of=name)
                      for i in range(self.count)]
        self.closes = [compile_consensus(f"{name}:{i}:close", index, decide, context, rules_of=name)
                       for i in range(self.count)]

    def draw(self, streams: Streams, keys: ChunkKeys) -> ItemsPlan:
        u = streams.uniforms(
            keys.reps[:, None, None, None], keys.candidates[None, :, None, None],
            expand(keys.stage(self.name, self.key), 2), np.arange(self.count, dtype=np.uint64)[None, None, :, None],
            np.array([_OPENING, _NEGOTIATION, _CLOSING], dtype=np.uint64)[None, None, None, :],
        )
        return ItemsPlan(
            opening=self.opening.ppf(u[..., _OPENING]), negotiation=self.negotiation.ppf(u[..., _NEGOTIATION]),
            closing=self.closing.ppf(u[..., _CLOSING]),
            opens=[c.draw(streams, keys) for c in self.opens], closes=[c.draw(streams, keys) for c in self.closes],
        )

    def finish(self, plan: ItemsPlan, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        start = entering.start
        shape = start.shape
        first_veto = np.full(shape, np.inf)
        veto_ally = np.full(shape, -1, dtype=np.int16)
        closed = np.full(shape, -np.inf)
        last = np.full(shape, -1, dtype=np.int16)
        requested = np.empty(shape + (self.count, 2))
        for i, (open_, close) in enumerate(zip(self.opens, self.closes, strict=True)):
            asked = start + plan.opening[:, :, i]
            days, how = open_.finish(plan.opens[i], Entering(entering.active, asked, entering.withdraw_at,
                                                              entering.horizon))
            opened = asked + days
            to_close = np.maximum(opened + plan.negotiation[:, :, i], start + plan.closing[:, :, i])
            days, closing = close.finish(plan.closes[i], Entering(entering.active, to_close, entering.withdraw_at,
                                                                   entering.horizon))
            done = to_close + days
            requested[:, :, i, 0], requested[:, :, i, 1] = asked, to_close
            vetoed_at = np.where(how == VETO, opened, np.where(closing == VETO, done, np.inf))
            who = np.where(how == VETO, plan.opens[i].veto_ally, plan.closes[i].veto_ally)  # type: ignore[arg-type]
            earlier = vetoed_at < first_veto
            first_veto = np.where(earlier, vetoed_at, first_veto)
            veto_ally = np.where(earlier, who, veto_ally).astype(np.int16)
            later = np.isinf(vetoed_at) & (done > closed)
            closed = np.where(later, done, closed)
            last = np.where(later, plan.closes[i].last, last).astype(np.int16)  # type: ignore[arg-type]
        vetoed = np.isfinite(first_veto)
        end = np.where(vetoed, first_veto, closed)
        plan.vetoed, plan.veto_ally, plan.requested = vetoed, np.where(vetoed, veto_ally, -1).astype(np.int16), requested
        plan.last = np.where(vetoed, -1, last).astype(np.int16)
        return end - start, np.where(vetoed, VETO, ADVANCE).astype(np.int8)

    def ally_record(self, plan: ItemsPlan, leaving: Leaving) -> AllyRecord:
        """Who stood in the way: a member who held any item before the stage ended, the first veto, the last consent."""
        entered = leaving.entered
        was_here = ~np.isnan(entered)
        if plan.vetoed is None:  # no case entered the stage in this chunk
            self.finish(plan, Entering(np.zeros(entered.shape, bool), np.zeros(entered.shape),
                                       np.full(entered.shape, np.inf), np.inf))
        assert plan.requested is not None and plan.last is not None and plan.veto_ally is not None
        held = np.zeros(entered.shape + (len(self.opens[0].codes),), dtype=bool)
        for i in range(self.count):
            for phase, decided in enumerate((plan.opens[i], plan.closes[i])):
                assert decided.holds is not None
                hold_start = plan.requested[:, :, i, phase][:, :, None] + decided.deliberation
                held |= decided.holds & (hold_start < leaving.left[:, :, None])
        held &= was_here[:, :, None]
        last = np.where(was_here & leaving.advanced, plan.last, -1).astype(np.int16)
        veto = np.where(leaving.vetoed, plan.veto_ally, -1).astype(np.int16)
        return AllyRecord(stage=self.name, last=last, veto=veto, held=held)


def _compile(name: str, index: int, params: ItemsStage, context: Context) -> Items:
    return Items(name, index, params, context)


def _least(params: ItemsStage, context: Context) -> float:
    """An item's least opening, its members' least decision, its least negotiation (or least closing day), their
    least decision again."""
    deciding = least_days(resolve_allies(ConsensusStage(allies=params.allies), context))
    opened = least_of(params.opening) + deciding
    return max(opened + least_of(params.negotiation), least_of(params.closing)) + deciding


def _dead(params: ItemsStage, context: Context) -> bool:
    return any(p.veto >= 1.0 for p in resolve_allies(ConsensusStage(allies=params.allies), context))


KIND = Kind(
    name="items",
    params=ItemsStage,
    exits=frozenset({Exit.ADVANCE, Exit.VETO}),
    compile=_compile,
    decision=True,
    holds=True,
    note="items by consensus",
    rule="every {one} must agree to open and to close each item of {stages}",
    least=_least,
    dead=_dead,
    labels={
        "items": "items negotiated", "opening": "time until an item is put for opening",
        "negotiation": "negotiation of an item once opened",
        "closing": "time until an item can be put for closing",
    },
    roles={"items": "count", "opening": "duration", "negotiation": "duration", "closing": "duration"},
)
