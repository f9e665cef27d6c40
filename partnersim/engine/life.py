"""The life of a partnership after cooperation starts: areas, renewals, suspension.

Only a case that reaches the success state of a process with a life (the
global-partner process: ``cooperation``) has one. It runs from the day
cooperation starts (t0) to the horizon; the candidate's withdrawal no longer
applies.

- **Areas.** At t0, ``initial`` areas of the catalogue, chosen at random; then
  more at a Poisson rate, each chosen among those not yet agreed, until all
  are. Choosing one at random among the rest, again and again, is taking the
  catalogue in a random order, so each case draws one order (by sorting a
  uniform per area) and the days of the additions.
- **Renewals.** At t0 + k·every a renewal starts: a consensus of every ally,
  drawn by the consensus stage kind. Renewal k is its own compiled stage,
  ``renewal-k``, so its random numbers are keyed by k. Consent returns the
  partnership to cooperation, a veto lets it lapse; the next renewal starts at
  t0 + (k+1)·every or when this one ended, whichever is later.
- **Suspension.** An exponential time from t0; if it comes before a lapse and
  before the horizon, the partnership is suspended for good.

The partnership is *active* in cooperation and during a renewal (the
programme stays in force); a lapsed or suspended one has no active areas.
Every draw comes from the keyed streams, vectorised over (replications,
candidates); only renewal numbers and area additions are loops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from partnersim.engine.records import LifeRecord
from partnersim.kinds.base import VETO, ChunkKeys, Entering
from partnersim.kinds.consensus import Consensus, ConsensusStage
from partnersim.process.definition import RENEWAL
from partnersim.scenario.schema import Partnership
from partnersim.streams import Streams, key_of, keys_of
from partnersim.values.durations import DAYS_PER_YEAR

if TYPE_CHECKING:
    from partnersim.scenario.calendar import Calendar

NONE, ACTIVE, LAPSED, SUSPENDED = 0, 1, 2, 3  # how a life stands at the horizon
ENDINGS = {ACTIVE: "active", LAPSED: "lapsed", SUSPENDED: "suspended"}

_AREA_ORDER = key_of("areas")
_AREA_GAPS = key_of("area-additions")
_SUSPENSION = key_of("suspension")
_SUMMIT = key_of("renewal-summit")


def renewal_name(k: int) -> str:
    """The name of the k-th renewal's consensus, which keys its random numbers."""
    return f"renewal-{k}"


class Life:
    """A scenario's partnership block, compiled once; it holds no random state."""

    def __init__(self, partnership: Partnership, horizon: float, renewals: list[Consensus]) -> None:
        areas = partnership.areas
        self.areas = list(areas.catalogue)
        self.area_keys = keys_of(self.areas)
        self.initial = areas.initial
        self.area_rate = areas.added_per_year / DAYS_PER_YEAR  # per day
        self.every = partnership.renewal.every if partnership.renewal is not None else np.inf
        self.renewals = renewals
        self.suspension_rate = partnership.suspension.annual_rate / DAYS_PER_YEAR  # per day
        self.horizon = horizon

    def run(self, streams: Streams, keys: ChunkKeys, t0: np.ndarray, calendar: Calendar | None = None) -> LifeRecord:
        """The lives of the cases that started cooperation on day ``t0`` (inf: no life).

        With a ``calendar``, a renewal decision takes effect when the calendar
        says decisions at ``renewal`` do (the next Council meeting, a summit).
        """
        horizon = self.horizon
        life = np.isfinite(t0)
        suspend_at = t0 + self._exponential(streams, keys, _SUSPENSION, self.suspension_rate)
        cutoff = np.minimum(suspend_at, horizon)
        renewals, renewing, lapse_at = self._renewals(streams, keys, t0, cutoff, calendar)
        suspended = life & (suspend_at < horizon) & (suspend_at < lapse_at)
        lapsed = life & ~suspended & (lapse_at < horizon)
        stop = np.where(suspended, suspend_at, np.where(lapsed, lapse_at, np.inf))
        ending = np.where(suspended, SUSPENDED, np.where(lapsed, LAPSED, np.where(life, ACTIVE, NONE)))
        area_start = self._areas(streams, keys, t0)
        area_start[area_start >= np.minimum(stop, horizon)[:, :, None]] = np.inf
        return LifeRecord(
            start=np.where(life, t0, np.nan),
            ending=ending.astype(np.int8),
            stop=stop,
            renewals=renewals,
            renewing=renewing,
            area_start=area_start,
        )

    def _exponential(self, streams: Streams, keys: ChunkKeys, key: np.uint64, rate: float) -> np.ndarray:
        if rate <= 0:
            return np.full((len(keys.reps), len(keys.candidates)), np.inf)
        u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], key, np.uint64(0))
        return -np.log1p(-u) / rate

    def _renewals(
        self, streams: Streams, keys: ChunkKeys, t0: np.ndarray, cutoff: np.ndarray, calendar: Calendar | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Renewals agreed, whether one was begun and not agreed, and the day of a lapse (inf: none).

        A renewal counts only if it is settled before ``cutoff`` (the
        suspension or the horizon); one still under way then leaves the
        partnership in renewal.
        """
        shape = t0.shape
        agreed = np.zeros(shape, dtype=np.int16)
        renewing = np.zeros(shape, dtype=bool)
        lapse_at = np.full(shape, np.inf)
        going = np.isfinite(t0)
        previous = t0
        never = np.full(shape, np.inf)
        for k, stage in enumerate(self.renewals, start=1):
            begin = np.maximum(t0 + k * self.every, previous)
            going = going & (begin < cutoff)  # later renewals begin later still
            if not going.any():
                break
            begin = np.where(going, begin, 0.0)
            days, how = stage.finish(stage.draw(streams, keys), Entering(going, begin, never, self.horizon))
            ended = self._settle(calendar, k, begin + days, streams, keys)
            settled = going & (ended < cutoff)
            vetoed = settled & (how == VETO)
            consent = settled & ~vetoed
            agreed += consent
            lapse_at = np.where(vetoed, ended, lapse_at)
            renewing |= going & ~consent
            previous = np.where(consent, ended, previous)
            going = consent
        return agreed, renewing, lapse_at

    @staticmethod
    def _settle(calendar: Calendar | None, k: int, ready: np.ndarray, streams: Streams, keys: ChunkKeys) -> np.ndarray:
        """The day renewal ``k``'s decisions take effect; whether one waits for a summit is drawn per renewal."""
        if calendar is None or not calendar.applies(RENEWAL):
            return ready
        p = calendar.wait.get(RENEWAL, 0.0)
        waits = None
        if p > 0:
            waits = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _SUMMIT, np.uint64(k)) < p
        return calendar.settle(RENEWAL, ready, waits)

    def _areas(self, streams: Streams, keys: ChunkKeys, t0: np.ndarray) -> np.ndarray:
        """The day each area of the catalogue is agreed (inf: after the horizon), shaped (R, C, N)."""
        n = len(self.areas)
        order = streams.uniforms(
            keys.reps[:, None, None], keys.candidates[None, :, None], _AREA_ORDER, self.area_keys[None, None, :]
        )
        rank = np.argsort(np.argsort(order, axis=2), axis=2)  # each area's place in a random order
        added = n - self.initial
        days = np.full(t0.shape + (n,), np.inf)
        days[:, :, : self.initial] = t0[:, :, None]
        if added and self.area_rate > 0:
            u = streams.uniforms(
                keys.reps[:, None, None], keys.candidates[None, :, None], _AREA_GAPS,
                np.arange(added, dtype=np.uint64)[None, None, :],
            )
            days[:, :, self.initial :] = t0[:, :, None] + np.cumsum(-np.log1p(-u), axis=2) / self.area_rate
        days[days >= self.horizon] = np.inf
        return np.take_along_axis(days, rank, axis=2)


def path_codes(record: LifeRecord) -> np.ndarray:
    """Each case's life as a path, (R, C, 3): renewals agreed, a renewal begun and not agreed, the ending."""
    return np.stack(
        [record.renewals.astype(np.int64), record.renewing.astype(np.int64), record.ending.astype(np.int64)], axis=-1
    )


def life_triggers(renewals: int, renewing: int, ending: int) -> tuple[str, ...]:
    """The machine's triggers for a life path of :func:`path_codes`, after the one reaching cooperation."""
    if ending == NONE:
        return ()
    triggers = ["renew", "renewed"] * renewals + ["renew"] * renewing
    if ending == LAPSED:
        triggers.append("lapse")
    elif ending == SUSPENDED:
        triggers.append("suspend")
    return tuple(triggers)


def compile_life(
    partnership: Partnership | None, horizon: float, consensus: Callable[[str, ConsensusStage], Consensus]
) -> Life | None:
    """The compiled life of a scenario's ``partnership`` block (None without one).

    ``consensus`` builds a consensus stage from its name and parameters the way
    the scenario's own consensus stages are built, so renewals use the same
    allies, blocs and elections. Renewals that would start after the horizon
    are not compiled: renewal k starts no earlier than k·every.
    """
    if partnership is None:
        return None
    renewals = []
    if partnership.renewal is not None:
        params = ConsensusStage(allies=partnership.renewal.allies)
        count = int(horizon // partnership.renewal.every)
        renewals = [consensus(renewal_name(k), params) for k in range(1, count + 1)]
    return Life(partnership, horizon, renewals)


__all__ = [
    "ACTIVE", "ENDINGS", "LAPSED", "Life", "NONE", "RENEWAL", "SUSPENDED", "compile_life", "life_triggers",
    "path_codes", "renewal_name",
]
