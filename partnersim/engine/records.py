"""What a chunk of replications hands on: flat arrays, one entry per candidate per replication."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from partnersim.kinds.base import AllyRecord


@dataclass
class LifeRecord:
    """The life of each partnership after cooperation starts, per (replication, candidate).

    A case that did not reach cooperation has no life: ``ending`` 0, ``start``
    NaN, ``stop`` and every ``area_start`` inf.
    """

    start: np.ndarray  # (R, C) day cooperation started
    ending: np.ndarray  # (R, C) int8: 0 no life, 1 active at the horizon, 2 lapsed, 3 suspended
    stop: np.ndarray  # (R, C) day the partnership lapsed or was suspended (inf: active at the horizon)
    renewals: np.ndarray  # (R, C) int16: renewals agreed before the partnership stopped or the horizon
    renewing: np.ndarray  # (R, C) bool: a renewal began and was not agreed (under way, vetoed or cut short)
    area_start: np.ndarray  # (R, C, N) day each area of the catalogue was agreed (inf: not while active)


@dataclass
class Trail:
    """The states each case entered, in order, with the day of each: its path through the process.

    Arrays shaped (R, C, K), K the longest path of the chunk; a shorter path
    is padded with state -1.
    """

    states: np.ndarray  # (R, C, K) int16 column in Model.states, -1 beyond the path
    days: np.ndarray  # (R, C, K) day each state was entered


@dataclass
class Records:
    """One chunk's results. Replication numbers are global, so chunks can be merged in any order."""

    first: int  # number of the first replication in the chunk
    outcome: np.ndarray  # (R, C) int8 index into Model.outcomes
    end: np.ndarray  # (R, C) day the case ended (the horizon for pending cases)
    opened: np.ndarray  # (R, C) day the case opened (request, or the start when earlier)
    entry: np.ndarray  # (R, C, S) day each state was first entered, NaN if never
    spent: np.ndarray  # (R, C, S) days spent in each state, over every visit (0 if never entered)
    last_state: np.ndarray  # (R, C) column of the last open state the case was in (where a pending case stands)
    trail: Trail  # every state entered, in order
    allies: list[AllyRecord]
    life: LifeRecord | None = None  # only for a scenario with a ``partnership`` block

    @property
    def count(self) -> int:
        return int(self.outcome.shape[0])

    def take(self, rows: np.ndarray, first: int) -> Records:
        """The records of ``rows`` only, numbered from replication ``first`` (one point's rows of a design's chunk)."""

        def part(record: object) -> object:
            return dataclasses.replace(record, **{  # type: ignore[type-var]
                f.name: getattr(record, f.name)[rows] for f in dataclasses.fields(record)  # type: ignore[arg-type]
                if isinstance(getattr(record, f.name), np.ndarray)
            })

        taken = part(self)
        assert isinstance(taken, Records)
        taken.first = first
        taken.trail = part(self.trail)  # type: ignore[assignment]
        taken.allies = [part(a) for a in self.allies]  # type: ignore[misc]
        taken.life = None if self.life is None else part(self.life)  # type: ignore[assignment]
        return taken
