"""A scenario's calendar: when a decision takes effect, at the Council's weekly meeting or a summit.

A decision stage computes the day a decision is *ready* (the last ally
consents, or one vetoes). The calendar then moves it to the day it takes
effect:

- at a stage the North Atlantic Council decides (``calendar.council``), the
  first weekly meeting on or after that day, skipping holidays;
- at a stage with a summit ``wait`` probability, for the cases that wait, the
  first summit on or after that day instead.

Both are lookups: the meeting days are tabulated once per scenario, one entry
per day of the horizon, and the summits are a sorted list. A decision with no
meeting or summit left before the horizon takes effect never (``inf``), and
the case ends pending.

Which cases wait for a summit is drawn by the engine
(:func:`partnersim.engine.replication.summit_waits`); the calendar holds no
random state, so the scenario's checks read it as the engine does.
"""

from __future__ import annotations

import math

import numpy as np

from partnersim.kinds import KINDS
from partnersim.process.definition import RENEWAL
from partnersim.scenario.schema import WEEKDAYS, Scenario
from partnersim.scenario.summits import SUMMITS
from partnersim.values.durations import days_between


class Calendar:
    """A scenario's calendar, compiled once; it holds no random state."""

    def __init__(self, scenario: Scenario) -> None:
        template = scenario.template
        self.horizon = scenario.horizon_days
        council = scenario.calendar.council
        self.council: frozenset[str] = frozenset()
        self._next_meeting = np.zeros(0)
        if council is not None:
            if council.stages is not None:
                names = council.stages
            else:  # the process's Council decisions, and renewals; a silence procedure ends at its deadline
                names = [n for n in template.council_stages if KINDS[scenario.stages[n].kind].meets]
                names.append(RENEWAL)
            self.council = frozenset(names)
            self._next_meeting = _meetings(scenario, WEEKDAYS.index(council.weekday), council.holidays)
        summits = scenario.calendar.summits
        dates = sorted({*(day for day, _ in SUMMITS if summits.builtin), *summits.dates})
        self.summits = np.array([days_between(scenario.start, d) for d in dates], dtype=float)
        self.wait = {name: p for name, p in summits.wait.items() if p > 0}

    @property
    def active(self) -> bool:
        return bool(self.council or self.wait)

    def applies(self, stage: str) -> bool:
        return stage in self.council or stage in self.wait

    def settle(self, stage: str, ready: np.ndarray, waits: np.ndarray | None) -> np.ndarray:
        """The day each decision at ``stage`` ready on day ``ready`` takes effect."""
        out = np.asarray(ready, dtype=float)
        if stage in self.council:
            out = self.next_meeting(out)
        if waits is not None:
            out = np.where(waits, self.next_summit(ready), out)
        return out

    def next_meeting(self, day: np.ndarray) -> np.ndarray:
        """The first meeting on or after ``day`` (inf: none before the horizon).

        Meetings are whole days: a decision ready partway through a meeting
        day takes effect that day, when it is ready.
        """
        day = np.asarray(day, dtype=float)
        table = np.append(self._next_meeting, np.inf)  # past the horizon: no meeting
        index = np.floor(day)
        index = np.where(np.isfinite(index), np.clip(index, 0, len(table) - 1), len(table) - 1)
        return np.maximum(table[index.astype(np.int64)], day)

    def next_summit(self, day: np.ndarray) -> np.ndarray:
        """The first summit on or after ``day`` (inf: none is known)."""
        day = np.asarray(day, dtype=float)
        padded = np.append(self.summits, np.inf)
        # Summits are whole days too: one ready during a summit's day takes effect that day.
        return np.maximum(padded[np.searchsorted(self.summits, np.floor(day), side="left")], day)


def _meetings(scenario: Scenario, weekday: int, holidays: list[tuple]) -> np.ndarray:
    """For every day 0..horizon, the first meeting day on or after it (inf: none)."""
    n = int(math.ceil(scenario.horizon_days)) + 1
    days = np.arange(n)
    start_weekday = scenario.start.weekday()
    meeting = (start_weekday + days) % 7 == weekday
    for first, last in holidays:
        a, b = days_between(scenario.start, first), days_between(scenario.start, last)
        meeting[(days >= a) & (days <= b)] = False
    return np.minimum.accumulate(np.where(meeting, days, np.inf)[::-1])[::-1]


__all__ = ["Calendar", "RENEWAL"]
