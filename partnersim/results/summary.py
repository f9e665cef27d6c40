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
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    SkipValidation,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from partnersim.engine.model import Model
from partnersim.engine.resume import open_chance
from partnersim.results.aggregate import Aggregate, LifeTotals, checkpoints, month_ends, year_end_days
from partnersim.results.standout import ROLES, alike, standing_out
from partnersim.scenario.schema import Scenario
from partnersim.stats import between_share, first_reaching, wilson
from partnersim.values.durations import add_days

QUANTILES = (0.10, 0.50, 0.80, 0.90)


Rounded = Annotated[
    float,
    BeforeValidator(lambda value: math.nan if value is None else value),  # summary.json writes NaN as null
    PlainSerializer(lambda value: _r(value), return_type=float | None, when_used="json"),
]


class Part(BaseModel):
    """A part of a run's results: immutable; ``summary.json`` is what ``model_dump(mode="json")`` gives."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    def to_dict(self) -> dict[str, Any]:
        """This part as ``summary.json`` holds it."""
        return self.model_dump(mode="json")


def _context(info: ValidationInfo, key: str) -> Any:
    """What reading a run folder gives besides summary.json (the replications, the curves, …)."""
    return (info.context or {})[key]


class Estimate(Part):
    """A proportion with its 95% Wilson interval.

    Read back from ``summary.json`` it is computed again from its count (the
    number of replications comes from the summary), so intervals are exact
    rather than rounded to six places.
    """

    p: Rounded
    low: Rounded
    high: Rounded
    count: int
    n: int = Field(exclude=True)
    # With uncertain settings, replications that share a draw of them are not independent: the interval is
    # the Wilson interval of n / design replications (1 + (replications a draw − 1) × the share of variance
    # between draws). 1 for independent replications, and then not written.
    design: float = 1.0

    @model_validator(mode="before")
    @classmethod
    def _from_count(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and "n" not in data and info.context and "n" in info.context:
            count, n = int(data["count"]), int(info.context["n"])
            if not 0 <= count <= n:
                raise ValueError(f"a count of {count:,} in {n:,} replications")
            return _estimate_fields(count, n, float(data.get("design", 1.0)))
        return data

    @model_serializer(mode="wrap")
    def _written(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        data = handler(self)
        if info.mode_is_json() and self.design == 1.0:
            data.pop("design", None)
        return data

    @classmethod
    def of(cls, count: int, n: int, design: float = 1.0) -> Estimate:
        return cls(**_estimate_fields(count, n, design))


def _estimate_fields(count: int, n: int, design: float = 1.0) -> dict[str, Any]:
    low, high = wilson(count / design, n / design) if design != 1.0 else wilson(count, n)
    return {"p": count / n if n else math.nan, "low": low, "high": high, "count": int(count), "n": int(n),
            "design": design}


class AllyShare(Part):
    code: str
    name: str
    count: int
    share: Rounded  # of all replications
    # Above the allies the scenario sets alike, beyond noise (partnersim.results.standout): only such an ally is
    # named as standing in the way.
    stands_out: bool = False


class StageTime(Part):
    stage: str
    label: str
    entered: Rounded  # share of replications in which the case entered the stage
    mean_days: Rounded  # mean days spent there, among cases that entered (cut at the horizon)


class PartnershipResult(Part):
    """The life of a candidate's partnership, over *all* replications (one without cooperation has none)."""

    active: Estimate  # active at the horizon (in cooperation or in renewal)
    suspended: Estimate  # suspended by the horizon
    lapsed: Estimate  # lapsed (a renewal refused) by the horizon
    renewals: int  # renewals agreed by the horizon, summed over replications
    areas: dict[str, Estimate]  # each area of the catalogue: active at the horizon
    # expected active areas at each month end (partnership_areas.csv, not summary.json)
    by_month: list[tuple[dt.date, float]] = Field(exclude=True, repr=False)

    @property
    def mean_renewals(self) -> float:
        """Renewals agreed by the horizon, on average over all replications."""
        return self.renewals / self.active.n if self.active.n else math.nan

    @property
    def expected_areas(self) -> float:
        """Expected active areas at the horizon (0 in a future without an active partnership)."""
        return sum(e.count for e in self.areas.values()) / self.active.n if self.active.n else math.nan

    @field_validator("renewals", mode="before")
    @classmethod
    def _total(cls, value: Any) -> Any:
        return value["total"] if isinstance(value, dict) else value

    @model_serializer(mode="wrap")
    def _written(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        data = handler(self)
        if not info.mode_is_json():
            return data
        # summary.json also gives the mean renewals and the expected areas, which readers want at hand.
        return {
            "active": data["active"], "suspended": data["suspended"], "lapsed": data["lapsed"],
            "renewals": {"mean": _r(self.mean_renewals), "total": self.renewals},
            "expected_areas": _r(self.expected_areas), "areas": data["areas"],
        }


class History(Part):
    """Where a case stood on the start date, as its scenario says, and how unusual that is under its settings."""

    stage: str
    label: str  # the stage as tables name it
    since: dt.date  # the day the case entered the stage
    days: float  # days in the stage before the start date
    consented: list[str]  # ally codes
    holding: list[str]  # ally codes
    # Of ``draws`` futures of a case entering the stage on ``since``, under the scenario's settings, how many
    # have it still in the stage on the start date: the futures the forecast keeps.
    open_count: int
    draws: int

    @property
    def still_open(self) -> Estimate:
        """The chance that a case entering the stage on ``since`` is still in it on the start date."""
        return Estimate.of(self.open_count, self.draws)


class InputSpread(Part):
    """At one date: how much of the spread of "success by then" comes from the uncertain inputs."""

    date: dt.date
    share: Rounded  # of the outcome's variance, the part between draws of the inputs (0 to 1)
    spread: Rounded  # the standard deviation of the chance of success by then, from draw to draw
    error: Rounded  # the standard error of ``share``: a share under twice it is not told from none


class InputUncertainty(Part):
    """With uncertain settings: the variance of success by each year end, split into inputs and process."""

    draws: int  # draws of the uncertain settings (groups of replications)
    per_draw: int  # replications run on each draw
    by_year_end: list[InputSpread]  # each year end, and the horizon when it is not one


class CandidateResult(Part):
    code: str
    name: str
    outcomes: dict[str, Estimate]
    dates: dict[str, dt.date | None]  # "P10" ... "P90"
    by_year_end: list[tuple[dt.date, Estimate]]
    stages: list[StageTime]
    pending_at: dict[str, Rounded]  # where pending cases stood, as shares of all replications
    last_to_consent: list[AllyShare]  # at the first consensus stage
    holding: list[AllyShare]  # held at any consensus stage
    vetoing: list[AllyShare]  # vetoed, at whichever stage
    by_stage: dict[str, dict[str, list[AllyShare]]]  # consensus stage → last/holding/vetoing
    # P(cooperation by start + d days), d = 0..horizon (cooperation_by_date.csv, not summary.json)
    cdf: np.ndarray = Field(exclude=True, repr=False)
    partnership: PartnershipResult | None = None  # with a ``partnership`` block: its life after cooperation
    history: History | None = None  # a case already in a stage on the start date, with ``since``
    inputs: InputUncertainty | None = None  # with an ``uncertainty`` block: where the spread comes from

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any, info: ValidationInfo) -> Any:
        """From summary.json: the curve and the areas by month come from the run's CSV files."""
        if not (isinstance(data, dict) and "cdf" not in data and info.context):
            return data
        code = data["code"]
        curves = _context(info, "curves")
        if code not in curves:
            raise KeyError(f"{code} is not in cooperation_by_date.csv")
        data = {**data, "cdf": curves[code]}
        if data.get("partnership") is not None:
            data["partnership"] = {**data["partnership"], "by_month": _context(info, "areas")[code]}
        return data

    @field_validator("by_year_end", mode="before")
    @classmethod
    def _year_ends(cls, value: Any) -> Any:
        return [(item["date"], item) if isinstance(item, dict) else item for item in value]

    @field_serializer("by_year_end", when_used="json")
    def _write_year_ends(self, value: list[tuple[dt.date, Estimate]]) -> list[dict[str, Any]]:
        return [{"date": day.isoformat(), **estimate.to_dict()} for day, estimate in value]

    @model_serializer(mode="wrap")
    def _written(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        data = handler(self)
        if info.mode_is_json():
            for key in ("partnership", "history", "inputs"):  # a run without them writes none
                if data.get(key) is None:
                    data.pop(key, None)
        return data


class Results(Part):
    """What a run found, per candidate.

    >>> import partnersim
    >>> results = partnersim.simulate("scenarios/latam.yaml", replications=500)  # doctest: +SKIP
    >>> print(results.summary())  # doctest: +SKIP
    >>> results.to_frame()  # doctest: +SKIP
    >>> results.plot.s_curve()  # doctest: +SKIP
    """

    scenario: Annotated[Scenario, SkipValidation]  # validated when it was loaded; its rules are not run again
    replications: int
    seed: int
    success: str
    outcome_names: list[str]
    candidates: list[CandidateResult]
    rows: Any | None = Field(default=None, exclude=True, repr=False)  # dict[str, list]: not checked, it may be large
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

    @property
    def seen_outcomes(self) -> list[str]:
        """The outcomes seen in at least one replication of one candidate, success and pending always: a table
        or a chart shows these, and says which were never seen."""
        return [o for o in self.outcome_names if o in (self.success, "pending")
                or any(c.outcomes[o].count for c in self.candidates)]

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

    def to_xlsx(self, path: str | Path) -> Path:
        """Write every table to an Excel workbook at ``path``, one sheet each (needs ``partnersim[xlsx]``)."""
        from partnersim.results.xlsx import write_xlsx

        return write_xlsx(self, path)

    def __repr__(self) -> str:
        """A few lines: the run, then each candidate's chance with its interval (not every field)."""
        from partnersim.results.notebook import results_repr

        return results_repr(self)

    def __str__(self) -> str:
        return repr(self)

    def _repr_html_(self) -> str:
        """The main tables, for Jupyter."""
        from partnersim.results.notebook import results_html

        return results_html(self)

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any, info: ValidationInfo) -> Any:
        """From summary.json: the scenario is the run's scenario.yaml, the outcomes those of its candidates."""
        if not (isinstance(data, dict) and "outcome_names" not in data and info.context):
            return data
        scenario = _context(info, "scenario")
        n = int(data["replications"])
        if [item["code"] for item in data["candidates"]] != [c.code for c in scenario.candidates]:
            raise ValueError("its candidates are not those of scenario.yaml")
        if n != scenario.replications:
            raise ValueError(f"it counts {n:,} replications, scenario.yaml {scenario.replications:,}")
        outcomes = list(data["candidates"][0]["outcomes"]) if data["candidates"] else []
        return {**data, "scenario": scenario, "outcome_names": outcomes}

    @model_serializer(mode="wrap")
    def _written(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        data = handler(self)
        if not info.mode_is_json():
            return data
        return {
            "scenario": self.scenario.name,
            "start": self.start.isoformat(),
            "horizon": self.end_date.isoformat(),
            "replications": self.replications,
            "seed": self.seed,
            "success": self.success,
            "interval": "95% Wilson score interval",
            "date_quantiles": "dates by which cooperation has that probability, over all replications",
            "candidates": data["candidates"],
        }

    @classmethod
    def read(cls, summary: dict[str, Any], **context: Any) -> Any:
        """The Results a run wrote as ``summary.json``, with what its other files hold (``scenario``,
        ``curves``, ``areas``), validated by the same declaration that wrote it."""
        return cls.model_validate(summary, context={"n": int(summary["replications"]), **context})


def summarise(model: Model, totals: Aggregate, top: int = 5, *, history: bool = True) -> Results:
    """Turn running totals into Results; without ``history``, leave out how unusual each case's stated history is
    (10,000 draws a candidate: a what-if's variants leave it to their base)."""
    n = totals.replications
    scenario = model.scenario
    stage_labels = {s.name: s.label for s in model.template.stages}
    same = alike(scenario)  # the allies set alike, against whom an ally must stand out to be named
    candidates = []
    for c, (code, name) in enumerate(zip(model.candidate_codes, model.candidate_names, strict=True)):
        counts = totals.outcomes[c]
        design = _designs(totals, c)
        outcomes = {o: Estimate.of(int(counts[i]), n, design[i]) for i, o in enumerate(model.outcomes)}
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
            by_year_end=_year_ends(totals.success_days[c], n, scenario, _checkpoint_designs(totals, c, scenario)),
            stages=stages,
            pending_at=pending_at,
            last_to_consent=_top(model, totals.last[0, c], n, top, same) if len(totals.last) else [],
            holding=_top(model, totals.held_any[c], n, top, same),
            vetoing=_top(model, totals.veto[:, c].sum(axis=0), n, top, same),
            by_stage={
                stage.name: {
                    "last_to_consent": _top(model, totals.last[k, c], n, top, same),
                    "holding": _top(model, totals.held[k, c], n, top, same),
                    "vetoing": _top(model, totals.veto[k, c], n, top, same),
                }
                for k, stage in enumerate(model.consensus_stages)
            },
            cdf=cdf,
            partnership=_partnership(model, totals.life, c, n) if totals.life is not None else None,
            history=(_history(model, c) if history else None),
            inputs=_inputs(totals, c, scenario),
        ))
    return Results(
        scenario=scenario,
        replications=n,
        seed=scenario.seed,
        success=model.template.success,
        outcome_names=list(model.outcomes),
        candidates=candidates,
    )


def _inputs(totals: Aggregate, c: int, scenario: Scenario) -> InputUncertainty | None:
    """Candidate ``c``'s variance of success by each year end, between draws of the inputs and within them."""
    if totals.per_draw is None or not totals.draws:
        return None
    groups, sizes = _groups(totals)
    counts = np.stack([totals.draws[g][c] for g in groups])  # (groups, checkpoints)
    spreads = []
    for k, (day, _) in enumerate(checkpoints(scenario)):
        share, spread = between_share(counts[:, k], sizes)
        # The estimator's standard error, about sqrt(2 / (G − 1)) (σ²_b + σ²_w / n) over the total variance.
        error = math.sqrt(2 / (len(groups) - 1)) * (share + (1 - share) / totals.per_draw) if len(groups) > 1 \
            else math.nan
        spreads.append(InputSpread(date=day, share=share, spread=spread, error=error))
    return InputUncertainty(draws=len(groups), per_draw=totals.per_draw, by_year_end=spreads)


HISTORY_DRAWS = 10_000  # futures drawn to say how unusual a case's history is: ±1 point at 95%


def _history(model: Model, c: int) -> History | None:
    """Where candidate ``c``'s case stood on the start date, if its scenario says (``since``)."""
    resume = next((r for r in model.resumes if r.candidate == c), None)
    if resume is None:
        return None
    candidate = model.scenario.candidates[c]
    assert candidate.since is not None and candidate.stage is not None
    stage = model.stages[resume.stage]
    chance = open_chance(stage, resume, model.candidate_keys[c], model.scenario.seed, HISTORY_DRAWS)
    return History(
        stage=candidate.stage, label=model.template.stages[resume.stage].label, since=candidate.since,
        days=resume.elapsed, consented=list(candidate.consented), holding=list(candidate.holding),
        open_count=round(chance * HISTORY_DRAWS), draws=HISTORY_DRAWS,
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


def _year_ends(
    hist: np.ndarray, n: int, scenario: Scenario, designs: list[float] | None = None
) -> list[tuple[dt.date, Estimate]]:
    cumulative = np.cumsum(hist)
    return [(day, Estimate.of(int(cumulative[min(index, len(cumulative) - 1)]), n,
                              designs[k] if designs is not None else 1.0))
            for k, (day, index) in enumerate(year_end_days(scenario))]


def design_effect(counts: np.ndarray, sizes: np.ndarray) -> float:
    """How many times the variance of a share grows when its replications come in groups sharing a draw of the
    inputs: 1 + (n₀ − 1) × the share of variance between groups (at least 1; 1 without groups)."""
    share, _ = between_share(counts, sizes)
    if share != share:
        return 1.0
    total = float(sizes.sum())
    n0 = (total - float(np.sum(sizes * sizes)) / total) / (len(sizes) - 1)
    return round(max(1.0, 1.0 + (n0 - 1.0) * share), 6)  # as summary.json writes it, so it reads back the same


def _groups(totals: Aggregate) -> tuple[list[int], np.ndarray]:
    groups = sorted(totals.draw_sizes)
    return groups, np.array([totals.draw_sizes[g] for g in groups], dtype=float)


def _designs(totals: Aggregate, c: int) -> list[float]:
    """Each outcome's design effect for candidate ``c`` (all 1 without uncertain settings)."""
    if totals.per_draw is None or len(totals.draw_sizes) < 2:
        return [1.0] * totals.outcomes.shape[1]
    groups, sizes = _groups(totals)
    counts = np.stack([totals.draw_outcomes[g][c] for g in groups])  # (groups, outcomes)
    return [design_effect(counts[:, i], sizes) for i in range(counts.shape[1])]


def _checkpoint_designs(totals: Aggregate, c: int, scenario: Scenario) -> list[float] | None:
    """The design effect of success by each year end for candidate ``c``, or None without uncertain settings."""
    if totals.per_draw is None or len(totals.draw_sizes) < 2:
        return None
    groups, sizes = _groups(totals)
    counts = np.stack([totals.draws[g][c] for g in groups])  # (groups, checkpoints); year ends come first
    return [design_effect(counts[:, k], sizes) for k in range(len(year_end_days(scenario)))]


def _top(model: Model, counts: np.ndarray, n: int, top: int, same: frozenset[str]) -> list[AllyShare]:
    """The ``top`` allies by ``counts``, each marked whether it stands out above the allies set alike (``same``).

    The correction is over every ally, role (last, holding, vetoing) and candidate a run reports, so that a whole
    briefing names an ally on chance alone at most once in a hundred runs.
    """
    order = sorted(np.flatnonzero(counts), key=lambda i: (-counts[i], model.ally_codes[i]))[:top]
    codes = model.ally_codes
    compared = len(codes) * ROLES * len(model.candidate_codes)
    out = set(standing_out({code: int(counts[i]) for i, code in enumerate(codes)}, n, same, compared))
    return [
        AllyShare(code=codes[i], name=model.ally_names[i], count=int(counts[i]), share=int(counts[i]) / n,
                  stands_out=codes[i] in out)
        for i in order
    ]


def _r(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)
