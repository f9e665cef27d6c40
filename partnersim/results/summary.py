"""Results: what a run found, per candidate, ready for a table, a chart or a file.

Every probability comes with a 95% Wilson score interval (it behaves well
near 0 and 1, where briefing numbers often sit). Dates are quantiles of the
day cooperation starts over *all* replications, so "P50" is the date by which
cooperation is an even chance; where that chance is never reached before the
horizon, the date is ``None`` and shown as "after <horizon>".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from partnersim.engine.model import Model
from partnersim.results.aggregate import Aggregate, LifeTotals, month_ends
from partnersim.scenario.schema import Scenario
from partnersim.stats import first_reaching, wilson
from partnersim.values.durations import add_days

QUANTILES = (0.10, 0.50, 0.80, 0.90)


@dataclass(frozen=True)
class Estimate:
    """A proportion with its 95% Wilson interval."""

    p: float
    low: float
    high: float
    count: int
    n: int

    @classmethod
    def of(cls, count: int, n: int) -> Estimate:
        low, high = wilson(count, n)
        return cls(p=count / n if n else math.nan, low=low, high=high, count=int(count), n=int(n))

    def to_dict(self) -> dict[str, Any]:
        return {"p": _r(self.p), "low": _r(self.low), "high": _r(self.high), "count": self.count}


@dataclass(frozen=True)
class AllyShare:
    code: str
    name: str
    count: int
    share: float  # of all replications

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "count": self.count, "share": _r(self.share)}


@dataclass(frozen=True)
class StageTime:
    stage: str
    label: str
    entered: float  # share of replications in which the case entered the stage
    mean_days: float  # mean days spent there, among cases that entered (cut at the horizon)

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "label": self.label, "entered": _r(self.entered),
                "mean_days": _r(self.mean_days)}


@dataclass(frozen=True)
class PartnershipResult:
    """The life of a candidate's partnership, over *all* replications (one without cooperation has none)."""

    active: Estimate  # active at the horizon (in cooperation or in renewal)
    suspended: Estimate  # suspended by the horizon
    lapsed: Estimate  # lapsed (a renewal refused) by the horizon
    renewals: int  # renewals agreed by the horizon, summed over replications
    areas: dict[str, Estimate]  # each area of the catalogue: active at the horizon
    by_month: list[tuple[dt.date, float]] = field(repr=False)  # expected active areas at each month end

    @property
    def mean_renewals(self) -> float:
        """Renewals agreed by the horizon, on average over all replications."""
        return self.renewals / self.active.n if self.active.n else math.nan

    @property
    def expected_areas(self) -> float:
        """Expected active areas at the horizon (0 in a future without an active partnership)."""
        return sum(e.count for e in self.areas.values()) / self.active.n if self.active.n else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "active": self.active.to_dict(),
            "suspended": self.suspended.to_dict(),
            "lapsed": self.lapsed.to_dict(),
            "renewals": {"mean": _r(self.mean_renewals), "total": self.renewals},
            "expected_areas": _r(self.expected_areas),
            "areas": {name: e.to_dict() for name, e in self.areas.items()},
        }


@dataclass(frozen=True)
class CandidateResult:
    code: str
    name: str
    outcomes: dict[str, Estimate]
    dates: dict[str, dt.date | None]  # "P10" ... "P90"
    by_year_end: list[tuple[dt.date, Estimate]]
    stages: list[StageTime]
    pending_at: dict[str, float]  # where pending cases stood, as shares of all replications
    last_to_consent: list[AllyShare]  # at the first consensus stage
    holding: list[AllyShare]  # held at any consensus stage
    vetoing: list[AllyShare]  # vetoed, at whichever stage
    by_stage: dict[str, dict[str, list[AllyShare]]]  # consensus stage → last/holding/vetoing
    cdf: np.ndarray = field(repr=False)  # P(cooperation by start + d days), d = 0..horizon
    partnership: PartnershipResult | None = None  # with a ``partnership`` block: its life after cooperation

    def to_dict(self) -> dict[str, Any]:
        life = {"partnership": self.partnership.to_dict()} if self.partnership is not None else {}
        return {
            "code": self.code,
            "name": self.name,
            "outcomes": {k: v.to_dict() for k, v in self.outcomes.items()},
            "dates": {k: (v.isoformat() if v else None) for k, v in self.dates.items()},
            "by_year_end": [{"date": d.isoformat(), **e.to_dict()} for d, e in self.by_year_end],
            "stages": [s.to_dict() for s in self.stages],
            "pending_at": {k: _r(v) for k, v in self.pending_at.items()},
            "last_to_consent": [a.to_dict() for a in self.last_to_consent],
            "holding": [a.to_dict() for a in self.holding],
            "vetoing": [a.to_dict() for a in self.vetoing],
            "by_stage": {
                stage: {kind: [a.to_dict() for a in shares] for kind, shares in table.items()}
                for stage, table in self.by_stage.items()
            },
            **life,
        }


@dataclass(frozen=True)
class Results:
    """What a run found, per candidate.

    >>> import partnersim
    >>> results = partnersim.simulate("scenarios/latam.yaml", replications=500)  # doctest: +SKIP
    >>> print(results.summary())  # doctest: +SKIP
    >>> results.to_frame()  # doctest: +SKIP
    >>> results.plot.s_curve()  # doctest: +SKIP
    """

    scenario: Scenario
    replications: int
    seed: int
    success: str
    outcome_names: list[str]
    candidates: list[CandidateResult]
    rows: dict[str, list[Any]] | None = field(default=None, repr=False, compare=False)
    """One entry per candidate per replication, when asked for with ``simulate(..., keep_rows=True)``."""

    @property
    def start(self) -> dt.date:
        return self.scenario.start

    @property
    def success_words(self) -> str:
        """How a sentence names success: "cooperation", "membership"."""

        template = self.scenario.template
        return template.success_words if template else self.success.replace("_", " ")

    @property
    def end_date(self) -> dt.date:
        return self.scenario.end_date

    @property
    def has_partnership(self) -> bool:
        """Whether the run simulated the life of a partnership (a ``partnership`` block)."""
        return any(c.partnership is not None for c in self.candidates)

    def candidate(self, code: str) -> CandidateResult:
        for result in self.candidates:
            if result.code == code:
                return result
        raise KeyError(code)

    def summary(self) -> str:
        """One plain-language finding per candidate, as a briefing would say it (then the partnerships')."""
        from partnersim.results.text import finding, partnership_finding

        lines = [finding(self, candidate) for candidate in self.candidates]
        lines += [line for c in self.candidates if (line := partnership_finding(self, c)) is not None]
        return "\n".join(lines)

    def to_frame(self, per: str = "candidate") -> Any:
        """A pandas DataFrame: ``per="candidate"`` (one row each, every number of the
        tables) or ``per="replication"`` (one row per candidate per replication;
        needs ``simulate(..., keep_rows=True)``)."""
        from partnersim.results.frames import to_frame

        return to_frame(self, per)

    @property
    def plot(self) -> Any:
        """The briefing charts as methods: ``results.plot.outcomes()``, ``results.plot.s_curve()``…"""
        from partnersim.results.frames import PlotAccessor

        return PlotAccessor(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "start": self.start.isoformat(),
            "horizon": self.end_date.isoformat(),
            "replications": self.replications,
            "seed": self.seed,
            "success": self.success,
            "interval": "95% Wilson score interval",
            "date_quantiles": "dates by which cooperation has that probability, over all replications",
            "candidates": [c.to_dict() for c in self.candidates],
        }


def summarise(model: Model, totals: Aggregate, top: int = 5) -> Results:
    """Turn running totals into Results."""
    n = totals.replications
    scenario = model.scenario
    stage_labels = {s.name: s.label for s in model.template.stages}
    candidates = []
    for c, (code, name) in enumerate(zip(model.candidate_codes, model.candidate_names, strict=True)):
        counts = totals.outcomes[c]
        outcomes = {o: Estimate.of(int(counts[i]), n) for i, o in enumerate(model.outcomes)}
        cdf = np.cumsum(totals.success_days[c]) / n
        dates = {f"P{round(q * 100)}": _quantile_date(cdf, q, scenario.start) for q in QUANTILES}
        stages = []
        for i, state in enumerate(model.states):
            if state in stage_labels:
                entered = int(totals.stage_entered[c, i])
                stages.append(StageTime(
                    stage=state, label=stage_labels[state], entered=entered / n,
                    mean_days=float(totals.stage_days[c, i] / entered) if entered else math.nan,
                ))
        pending_at = {
            model.states[i]: int(totals.pending_at[c, i]) / n
            for i in np.flatnonzero(totals.pending_at[c])
        }
        candidates.append(CandidateResult(
            code=code,
            name=name,
            outcomes=outcomes,
            dates=dates,
            by_year_end=_year_ends(totals.success_days[c], n, scenario),
            stages=stages,
            pending_at=pending_at,
            last_to_consent=_top(model, totals.last[0, c], n, top) if len(totals.last) else [],
            holding=_top(model, totals.held_any[c], n, top),
            vetoing=_top(model, totals.veto[:, c].sum(axis=0), n, top),
            by_stage={
                stage.name: {
                    "last_to_consent": _top(model, totals.last[k, c], n, top),
                    "holding": _top(model, totals.held[k, c], n, top),
                    "vetoing": _top(model, totals.veto[k, c], n, top),
                }
                for k, stage in enumerate(model.consensus_stages)
            },
            cdf=cdf,
            partnership=_partnership(model, totals.life, c, n) if totals.life is not None else None,
        ))
    return Results(
        scenario=scenario,
        replications=n,
        seed=scenario.seed,
        success=model.template.success,
        outcome_names=list(model.outcomes),
        candidates=candidates,
    )


def _partnership(model: Model, life: LifeTotals, c: int, n: int) -> PartnershipResult:
    assert model.life is not None
    dates = [day for day, _ in month_ends(model.scenario)]
    return PartnershipResult(
        active=Estimate.of(int(life.active[c]), n),
        suspended=Estimate.of(int(life.suspended[c]), n),
        lapsed=Estimate.of(int(life.lapsed[c]), n),
        renewals=int(life.renewals[c]),
        areas={name: Estimate.of(int(life.by_area[c, a]), n) for a, name in enumerate(model.life.areas)},
        by_month=[(day, int(total) / n) for day, total in zip(dates, life.areas_by_month[c], strict=True)],
    )


def _quantile_date(cdf: np.ndarray, q: float, start: dt.date) -> dt.date | None:
    day = first_reaching(cdf, q)
    return add_days(start, day) if day is not None else None


def _year_ends(hist: np.ndarray, n: int, scenario: Scenario) -> list[tuple[dt.date, Estimate]]:
    result = []
    cumulative = np.cumsum(hist)
    for year in range(scenario.start.year, scenario.end_date.year + 1):
        day = dt.date(year, 12, 31)
        if day < scenario.start or day > scenario.end_date:
            continue
        index = min((day - scenario.start).days, len(cumulative) - 1)
        result.append((day, Estimate.of(int(cumulative[index]), n)))
    return result


def _top(model: Model, counts: np.ndarray, n: int, top: int) -> list[AllyShare]:
    order = sorted(np.flatnonzero(counts), key=lambda i: (-counts[i], model.ally_codes[i]))[:top]
    return [
        AllyShare(model.ally_codes[i], model.ally_names[i], int(counts[i]), int(counts[i]) / n)
        for i in order
    ]


def _r(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)
