"""Streaming aggregation: fold chunks of records into running totals.

Memory does not grow with the number of replications: outcomes are counts,
the day cooperation starts is a histogram with one bin per day of the
horizon, and time in each stage is a running sum. Chunks are folded in
replication order, so the totals (floating sums included) do not depend on
how many workers produced them. The life of a partnership is folded as
counts only (:class:`LifeTotals`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np

from partnersim.engine.life import ACTIVE, LAPSED, SUSPENDED
from partnersim.engine.model import Model
from partnersim.engine.records import LifeRecord, Records
from partnersim.scenario.schema import Scenario


class Aggregate:
    """Running totals for every candidate of a run."""

    def __init__(self, model: Model) -> None:
        n_cand = len(model.candidate_codes)
        n_states = len(model.states)
        n_allies = len(model.ally_codes)
        n_cons = len(model.consensus_stages)
        self.replications = 0
        self.outcomes = np.zeros((n_cand, len(model.outcomes)), dtype=np.int64)
        self.success_days = np.zeros((n_cand, int(math.ceil(model.horizon)) + 1), dtype=np.int64)
        self.stage_days = np.zeros((n_cand, n_states))
        self.stage_entered = np.zeros((n_cand, n_states), dtype=np.int64)
        self.pending_at = np.zeros((n_cand, n_states), dtype=np.int64)
        self.last = np.zeros((n_cons, n_cand, n_allies), dtype=np.int64)
        self.veto = np.zeros((n_cons, n_cand, n_allies), dtype=np.int64)
        self.held = np.zeros((n_cons, n_cand, n_allies), dtype=np.int64)
        self.held_any = np.zeros((n_cand, n_allies), dtype=np.int64)
        self._success = model.outcomes.index(model.template.success)
        self._pending = model.outcomes.index("pending")
        self.life = LifeTotals(model) if model.life is not None else None
        # With uncertain settings: per group of replications sharing a draw of them, its size and, per
        # candidate, how many reached success by each year end (and the horizon).
        self.per_draw = model.inputs.per_draw if model.inputs is not None else None
        self.checkpoints = np.array([index for _, index in checkpoints(model.scenario)], dtype=np.int64)
        self.draws: dict[int, np.ndarray] = {}  # group → (candidates, checkpoints) counts
        self.draw_outcomes: dict[int, np.ndarray] = {}  # group → (candidates, outcomes) counts
        self.draw_sizes: dict[int, int] = {}

    def merge(self, other: Aggregate) -> None:
        """Fold in the totals of a later group of replications."""
        self.replications += other.replications
        for name in ("outcomes", "success_days", "stage_days", "stage_entered", "pending_at",
                     "last", "veto", "held", "held_any"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if self.life is not None and other.life is not None:
            self.life.merge(other.life)
        for group, counts in other.draws.items():
            self.draws[group] = self.draws.get(group, 0) + counts
            self.draw_outcomes[group] = self.draw_outcomes.get(group, 0) + other.draw_outcomes[group]
            self.draw_sizes[group] = self.draw_sizes.get(group, 0) + other.draw_sizes[group]

    def add(self, records: Records) -> None:
        """Fold in one chunk."""
        n_cand = self.outcomes.shape[0]
        self.replications += records.count
        for c in range(n_cand):
            self.outcomes[c] += np.bincount(records.outcome[:, c], minlength=self.outcomes.shape[1])
            won = records.outcome[:, c] == self._success
            days = np.floor(records.end[won, c]).astype(np.int64)
            self.success_days[c] += np.bincount(days, minlength=self.success_days.shape[1])[
                : self.success_days.shape[1]
            ]
        entered = ~np.isnan(records.entry)
        self.stage_days += np.where(entered, records.spent, 0.0).sum(axis=0)
        self.stage_entered += entered.sum(axis=0)
        pending = records.outcome == self._pending
        for c in range(n_cand):
            rows = pending[:, c]
            self.pending_at[c] += np.bincount(records.last_state[rows, c], minlength=self.pending_at.shape[1])
        for k, allies in enumerate(records.allies):
            n_allies = self.last.shape[2]
            for c in range(n_cand):
                last = allies.last[:, c]
                veto = allies.veto[:, c]
                self.last[k, c] += np.bincount(last[last >= 0], minlength=n_allies)
                self.veto[k, c] += np.bincount(veto[veto >= 0], minlength=n_allies)
            self.held[k] += allies.held.sum(axis=0)
        if records.allies:
            self.held_any += np.logical_or.reduce([a.held for a in records.allies]).sum(axis=0)
        if self.life is not None and records.life is not None:
            self.life.add(records.life)
        if self.per_draw is not None:
            self._add_draws(records)

    def _add_draws(self, records: Records) -> None:
        assert self.per_draw is not None
        groups = (records.first + np.arange(records.count)) // self.per_draw
        won = records.outcome == self._success  # (R, C)
        day = np.where(won, np.floor(records.end), np.inf)
        by = day[:, :, None] <= self.checkpoints[None, None, :]  # (R, C, checkpoints)
        n_outcomes = self.outcomes.shape[1]
        for group in np.unique(groups).tolist():
            rows = groups == group
            self.draws[group] = self.draws.get(group, 0) + by[rows].sum(axis=0)
            ends = np.stack([np.bincount(records.outcome[rows, c], minlength=n_outcomes)
                             for c in range(records.outcome.shape[1])])
            self.draw_outcomes[group] = self.draw_outcomes.get(group, 0) + ends
            self.draw_sizes[group] = self.draw_sizes.get(group, 0) + int(rows.sum())


def year_end_days(scenario: Scenario) -> list[tuple[dt.date, int]]:
    """Each 31 December from the start to the horizon, with the last day counted (days from the start):
    cooperation by that date is cooperation on a day at most that index. The horizon's year end counts
    to the horizon."""
    found = []
    for year in range(scenario.start.year, scenario.end_date.year + 1):
        day = dt.date(year, 12, 31)
        if scenario.start <= day <= scenario.end_date:
            found.append((day, min((day - scenario.start).days, int(math.ceil(scenario.horizon_days)))))
    return found


def checkpoints(scenario: Scenario) -> list[tuple[dt.date, int]]:
    """The year ends, and the horizon when it is not one: the dates at which a run with uncertain settings
    splits the variance of success."""
    found = year_end_days(scenario)
    if not found or found[-1][0] != scenario.end_date:
        found.append((scenario.end_date, int(math.ceil(scenario.horizon_days))))
    return found


class LifeTotals:
    """The partnerships' lives, as counts over replications (so merging is exact in any order)."""

    def __init__(self, model: Model) -> None:
        assert model.life is not None
        n_cand = len(model.candidate_codes)
        self.times = np.array([day for _, day in month_ends(model.scenario)])
        self.active = np.zeros(n_cand, dtype=np.int64)  # active at the horizon
        self.suspended = np.zeros(n_cand, dtype=np.int64)  # suspended by the horizon
        self.lapsed = np.zeros(n_cand, dtype=np.int64)  # lapsed by the horizon
        self.renewals = np.zeros(n_cand, dtype=np.int64)  # renewals agreed, summed
        self.areas_by_month = np.zeros((n_cand, len(self.times)), dtype=np.int64)  # active areas, summed
        self.by_area = np.zeros((n_cand, len(model.life.areas)), dtype=np.int64)  # active at the horizon

    def merge(self, other: LifeTotals) -> None:
        for name in ("active", "suspended", "lapsed", "renewals", "areas_by_month", "by_area"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def add(self, life: LifeRecord) -> None:
        self.active += (life.ending == ACTIVE).sum(axis=0)
        self.suspended += (life.ending == SUSPENDED).sum(axis=0)
        self.lapsed += (life.ending == LAPSED).sum(axis=0)
        self.renewals += life.renewals.sum(axis=0, dtype=np.int64)
        self.by_area += (np.isfinite(life.area_start) & (life.ending == ACTIVE)[:, :, None]).sum(axis=0)
        # An area counts at the month ends from the one after it is agreed up to the one
        # before the partnership stops: +1 and -1 in a running sum over the months.
        n_times = len(self.times)
        n_areas = life.area_start.shape[2]
        for c in range(self.active.shape[0]):
            first = np.searchsorted(self.times, life.area_start[:, c, :].ravel(), side="left")
            after = np.searchsorted(self.times, np.repeat(life.stop[:, c], n_areas), side="left")
            counted = first < after
            steps = (np.bincount(first[counted], minlength=n_times + 1)
                     - np.bincount(after[counted], minlength=n_times + 1))
            self.areas_by_month[c] += np.cumsum(steps)[:n_times]


def month_ends(scenario: Scenario) -> list[tuple[dt.date, float]]:
    """The end of each calendar month from the start to the horizon, and the horizon itself.

    Each date comes with the moment it stands for, in days from the start: the
    end of that day, or the horizon for the last one.
    """
    end = scenario.end_date
    horizon = scenario.horizon_days
    points = []
    year, month = scenario.start.year, scenario.start.month
    while True:
        day = dt.date(year, month, calendar.monthrange(year, month)[1])
        if day >= end:
            break
        points.append((day, float((day - scenario.start).days + 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    points.append((end, horizon))
    return points
