"""What a briefing says in words: findings with their intervals, chart headlines, summary tables.

Every number is written with its 95% interval: probabilities with the Wilson
score interval (:func:`partnersim.results.text.interval`), dates by which a
chance is reached with the dates at which the interval's bounds reach it, and
mean times with ±1.96 standard errors where the run's rows allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from partnersim.charts.labels import outcome_label
from partnersim.results.summary import Estimate
from partnersim.results.text import (
    date_with_interval,
    first_to,
    history_clause,
    inputs_clause,
    interval,
    standing,
)
from partnersim.scenario.labels import setting_label
from partnersim.scenario.uncertainty import panel
from partnersim.stats import Z90
from partnersim.text import duration_words, join_words, percent
from partnersim.values.durations import month_label
from partnersim.values.elicited import Elicited

if TYPE_CHECKING:
    from partnersim.results.rows import Rows
    from partnersim.results.summary import CandidateResult, Results
    from partnersim.scenario.schema import Scenario

QUANTILES = {"P10": 0.10, "P50": 0.50, "P80": 0.80, "P90": 0.90}


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


def first_year_end(results: Results) -> int | None:
    """Index in ``by_year_end`` of the first year end at least three months after the start."""
    ends = results.candidates[0].by_year_end if results.candidates else []
    return next((i for i, (day, _) in enumerate(ends) if (day - results.start).days >= 90), None)


def share(count: int, n: int) -> str:
    """``13% (13–14%)``; ``1.7% (1.6–1.8%)`` below 10%, or where whole percents would hide the interval."""
    estimate = Estimate.of(count, n)
    text = interval(estimate)
    low, high = text.split("(")[1].rstrip("%)").split("–")
    if estimate.low == estimate.high or (low != high and estimate.p >= 0.1) or "." in text:
        return text
    p, low_, high_ = (f"{v * 100:.1f}" for v in (estimate.p, estimate.low, estimate.high))
    return f"{p}% ({low_}–{high_}%)"


# ---- findings, one per candidate ----------------------------------------------------------


def candidate_finding(results: Results, candidate: CandidateResult) -> str:
    """``Argentina: 56% (56–57%) chance of cooperation by Dec 2031 and 32% (31–32%) by Dec 2027; …``."""
    what = results.success_words
    n = results.replications
    text = f"{candidate.name}: {interval(candidate.outcomes[results.success])} chance of {what} by " \
           f"{month_label(results.end_date)}"
    early = first_year_end(results)
    if early is not None and candidate.by_year_end[early][0] < results.end_date:
        day, estimate = candidate.by_year_end[early]
        text += f" and {interval(estimate)} by {month_label(day)}"
    if candidate.dates.get("P50") is not None:
        text += f"; an even chance by {date_with_interval(results, candidate, 0.5)}"
    else:
        text += f"; not an even chance by {month_label(results.end_date)}"
    if candidate.history is not None:
        text += f"; {history_clause(candidate.history)}"
    if candidate.inputs is not None:
        text += f"; {inputs_clause(results, candidate.inputs)}"
    for shares, holds in ((candidate.holding, True), (candidate.vetoing, False)):
        if not shares:
            continue
        picked = standing(shares, n)
        if picked:
            several = len(picked) > 1
            role = f"to hold {'their' if several else 'its'} consent" if holds else "to veto"
            text += f"; the {'allies' if several else 'ally'} most likely {role}: " + join_words(
                [f"{s.name}, {share(s.count, n)}" for s in picked])
        else:
            text += f"; no ally stands out as {'holding its consent' if holds else 'vetoing'}"
    life = candidate.partnership
    if life is not None and life.active.p > 0:
        areas = len(results.scenario.partnership.areas.catalogue) if results.scenario.partnership else 0
        text += (f"; the partnership active in {month_label(results.end_date)} in {interval(life.active)}, "
                 f"with {life.expected_areas / life.active.p:.1f} of {areas} areas of cooperation when active")
    return text + "."


# ---- headlines, one per chart -------------------------------------------------------------


def headline(name: str, results: Results, rows: Rows | None) -> str:
    """The finding a chart supports, in one sentence with its intervals."""
    if name == "outcomes":
        return _outcomes(results)
    if name == "s_curve":
        return _s_curve(results)
    if name == "start_dates":
        from partnersim.charts.starts import finding

        return _with_year_end(results, finding(results))
    if name == "stage_times":
        from partnersim.charts.stages import DAYS_PER_MONTH
        from partnersim.charts.stages import finding as stage_finding

        text = stage_finding(results)
        if rows is not None and rows.stage_margin:
            text += f" (each mean within ±{max(rows.stage_margin.values()) / DAYS_PER_MONTH:.1f} months, 95%)"
        return text
    if name == "allies":
        return _allies(results, rows)
    if name == "timeline" and rows is not None:
        from partnersim.charts.timeline import finding as story

        return story(results, rows.story)
    if name == "process":
        from partnersim.charts.diagram import finding as process_finding

        return process_finding(results.scenario.template)
    if name == "partnership":
        return _partnership(results)
    raise KeyError(name)


def _partnership(results: Results) -> str:
    """The leading partnership at the horizon: its expected areas, and how likely it is active, with intervals."""
    lives = [(c, c.partnership) for c in results.candidates if c.partnership is not None]
    # The candidate the chart's title leads with: the most areas expected by the horizon.
    candidate, life = max(lives, key=lambda item: item[1].expected_areas)
    by = month_label(results.end_date)
    n = len(results.scenario.partnership.areas.catalogue) if results.scenario.partnership else 0
    when_active = f" ({life.expected_areas / life.active.p:.1f} of {n} when active)" if life.active.p else ""
    return (f"{candidate.name}: {life.expected_areas:.1f} areas of cooperation expected in {by}{when_active}; "
            f"the partnership is active then in {interval(life.active)} of futures, suspended in "
            f"{interval(life.suspended)}, lapsed in {interval(life.lapsed)}")


def ranking(results: Results) -> tuple[list[CandidateResult], list[CandidateResult], list[CandidateResult]]:
    """The candidates by their chance of success, most likely first; those most likely (every one whose 95%
    interval reaches the first's); and those least likely, lowest first (every one, not among the first,
    whose interval reaches the lowest's): a candidate is named first or last alone only beyond noise."""
    ranked = sorted(results.candidates, key=lambda c: -c.outcomes[results.success].p)
    if not ranked:
        return [], [], []
    best, worst = ranked[0].outcomes[results.success], ranked[-1].outcomes[results.success]
    leaders = [c for c in ranked if c.outcomes[results.success].high >= best.low]
    trailing = [c for c in reversed(ranked) if c not in leaders and c.outcomes[results.success].low <= worst.high]
    return ranked, leaders, trailing


def _outcomes(results: Results) -> str:
    """Who is most likely to succeed (several, when their intervals overlap the leader's), and the lowest."""
    what = results.success_words
    by = month_label(results.end_date)
    ranked, leaders, trailing = ranking(results)
    if len(ranked) == 1:
        return f"{ranked[0].name}: {interval(ranked[0].outcomes[results.success])} chance of {what} by {by}"
    best = ranked[0].outcomes[results.success]
    if best.count == 0:
        return (f"No candidate reaches {what} by {by} in any of {results.replications:,} simulated futures "
                f"(95% interval for each: {interval(best)})")
    shares = [interval(c.outcomes[results.success]) for c in leaders]
    if len(leaders) == len(ranked):
        return f"All candidates have about the same chance of {what} by {by}: {join_words(shares)}"
    if len(leaders) == 1:
        text = f"{leaders[0].name} is most likely to reach {what} by {by}: {shares[0]}"
    else:
        text = (f"{join_words([c.name for c in leaders])} are about equally likely to reach {what} by {by}: "
                f"{join_words(shares)}")
    lows = join_words([f"{c.name}, {interval(c.outcomes[results.success])}" for c in trailing])
    return f"{text}; lowest: {lows}" if len(trailing) == 1 else f"{text}; lowest, about equally: {lows}"


def _s_curve(results: Results) -> str:
    what = results.success_words
    leaders = first_to(results, 0.5)
    if len(results.candidates) == 1 and leaders:
        return f"{leaders[0].name} has an even chance of {what} by {date_with_interval(results, leaders[0], 0.5)}"
    if len(leaders) == 1:
        return f"{leaders[0].name} is first to an even chance of {what}, by {date_with_interval(results, leaders[0], 0.5)}"
    if leaders:
        dates = join_words([f"{c.name} by {date_with_interval(results, c, 0.5)}" for c in leaders])
        return f"{join_words([c.name for c in leaders])} reach an even chance of {what} first, within noise: {dates}"
    best = max(results.candidates, key=lambda c: c.outcomes[results.success].p)
    return (f"No candidate reaches an even chance of {what} by {month_label(results.end_date)}; "
            f"the best is {best.name} at {interval(best.outcomes[results.success])}")


def _with_year_end(results: Results, text: str) -> str:
    early = first_year_end(results)
    if early is None:
        return text
    best = max(results.candidates, key=lambda c: c.by_year_end[early][1].p)
    day, estimate = best.by_year_end[early]
    if day >= results.end_date or estimate.count == 0:
        return text
    who = "it" if text.startswith(best.name) else best.name
    return f"{text}; by {month_label(day)} {who} has begun in {interval(estimate)} of futures"


def _allies(results: Results, rows: Rows | None) -> str:
    from partnersim.charts.allies import ally_table
    from partnersim.charts.allies import finding as allies_finding

    return allies_finding(ally_table(results, rows), results, share)


# ---- summary tables --------------------------------------------------------------------------


def judgement_table(results: Results) -> Table | None:
    """Who said what: each expert's stated quantiles of an elicited duration or of an uncertain setting, beside
    the fitted distribution's values at the same chances. None when the scenario states no judgement so."""
    scenario = results.scenario
    rows: list[list[str]] = []

    def add(label: str, name: str, source: str | None, weight: float, several: bool, stated: str, fitted: str) -> None:
        who = name + (f", weight {weight:.2g}" if several else "") + (f" ({source})" if source else "")
        rows.append([label, who, stated, fitted])

    def durations(label: str, dist: Elicited) -> None:
        fits = dist.fits()
        for fit in fits:
            add(label, fit.name, fit.source, fit.weight, len(fits) > 1,
                ", ".join(f"p{p * 100:g} {duration_words(days)}" for p, days in fit.stated),
                f"{family_words(fit.family, fit.params)}: " + ", ".join(duration_words(d) for _, d in fit.fitted))

    for path, dist in elicited_settings(scenario):
        durations(setting_label(scenario, path), dist)
    block = scenario.uncertainty
    for setting in block.settings if block is not None else []:
        if setting.elicited is None:
            continue
        label = f"{setting_label(scenario, setting.key)} (uncertain: drawn for each group of replications)"
        found = panel(setting.elicited)
        if not found.chance:
            durations(label, found.duration)
            continue
        for judgement in found.judgements:
            add(label, judgement.name, judgement.source, judgement.weight, len(found.judgements) > 1,
                ", ".join(f"p{p * 100:g} {percent(v)}" for p, v in judgement.stated),
                f"{judgement.describe}: " + ", ".join(percent(v) for _, v in judgement.fitted))
    if not rows:
        return None
    return Table(
        title="Judgements: who said what, and the distribution fitted to it",
        header=["Setting", "Expert (source)", "Stated", "Fitted, at the same chances"],
        rows=rows,
        note="Each expert's quantiles are fitted by least squares on the distribution function (a duration: "
             "lognormal or gamma, the closer kept; a chance: a beta); several experts are pooled linearly, by their "
             "weights.",
    )


def family_words(family: str, params: dict[str, float]) -> str:
    """A fitted duration family in a reader's units: ``lognormal, median 6 months, p90 1 year``."""
    if family == "lognormal":
        median = math.exp(params["mu"])
        return f"lognormal, median {duration_words(median)}, p90 {duration_words(median * math.exp(params['sigma'] * Z90))}"
    shape, scale = params["shape"], params["scale"]
    return f"gamma, mean {duration_words(shape * scale)}, spread (cv) {1 / math.sqrt(shape):.2g}"


def elicited_settings(scenario: Scenario) -> list[tuple[str, Elicited]]:
    """Every duration of ``scenario`` given as judgements, with its key path (``stages.ipcp_drafting.duration``)."""
    found: list[tuple[str, Elicited]] = []

    def walk(value: object, path: tuple[str, ...]) -> None:
        if isinstance(value, Elicited):
            found.append((".".join(path), value))
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), (*path, name))
            for name, extra in (value.model_extra or {}).items():
                walk(extra, (*path, name))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, str(index)))

    walk(scenario, ())
    return found


def summary_tables(results: Results) -> list[Table]:
    """How cases end, the chance by each year end, and the dates by which each chance is reached."""
    horizon = f"{results.end_date.day} {results.end_date:%b %Y}"
    seen = results.seen_outcomes
    unseen = [outcome_label(results, o, short=True).lower() for o in results.outcome_names if o not in seen]
    outcomes = Table(
        title=f"How the cases end by {horizon} (95% interval)",
        header=["Candidate", *[outcome_label(results, o, short=True) for o in seen]],
        rows=[[c.name, *[interval(c.outcomes[o]) for o in seen]] for c in results.candidates],
        note="The shares of a row add up to 100% before rounding: pending cases are still undecided at the horizon."
             + (f" Never seen in any replication: {join_words(unseen)}." if unseen else ""),
    )
    columns = year_end_columns(results)
    years = Table(
        title=f"Chance of {results.success_words} by the end of each year (95% interval)",
        header=["Candidate", *[month_label(results.candidates[0].by_year_end[i][0]) for i in columns]],
        rows=[[c.name, *[interval(c.by_year_end[i][1]) for i in columns]] for c in results.candidates],
    )
    labels = {"P10": "10% chance by", "P50": "Even chance by", "P80": "80% chance by", "P90": "90% chance by"}
    dates = Table(
        title=f"Dates by which {results.success_words} has each chance (95% interval)",
        header=["Candidate", *labels.values()],
        rows=[[c.name, *[date_with_interval(results, c, q) for q in QUANTILES.values()]] for c in results.candidates],
        note=f"'after {month_label(results.end_date)}': that chance is not reached by the horizon.",
    )
    return [outcomes, years, dates] if columns else [outcomes, dates]


def year_end_columns(results: Results, most: int = 6) -> list[int]:
    """Year ends worth a column: from three months after the start, at most ``most``, the last always."""
    ends = results.candidates[0].by_year_end if results.candidates else []
    useful = [i for i, (day, _) in enumerate(ends) if (day - results.start).days >= 90]
    if len(useful) <= most:
        return useful
    step = (len(useful) - 1) / (most - 1)
    return sorted({useful[round(k * step)] for k in range(most)})
