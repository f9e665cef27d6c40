"""Findings in plain language, one sentence per candidate, for terminals and reports.

Names are put in as one line (:func:`partnersim.safetext.line`): a sentence is
one line of text, whatever a scenario or a run folder holds. Each output then
escapes the sentence for its own format.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from partnersim.process.definition import SHORT_OUTCOME_LABELS
from partnersim.results.standout import named
from partnersim.results.summary import (
    AllyShare,
    CandidateResult,
    Estimate,
    History,
    InputUncertainty,
    Results,
)
from partnersim.safetext import line
from partnersim.scenario.uncertainty import FEW_DRAWS
from partnersim.stats import first_reaching, wilson
from partnersim.text import duration_words, in_sentence, join_words, percent
from partnersim.values.durations import add_days, month_label


def outcome_heading(results: Results, outcome: str) -> str:
    """A table's heading for an outcome: ``Cooperation``, ``Rejected``, ``Talks failed``…"""
    if outcome == results.success:
        return outcome.replace("_", " ").capitalize()
    return SHORT_OUTCOME_LABELS.get(outcome, outcome)


def interval(estimate: Estimate) -> str:
    """``41% (40–42%)``, or ``0.4% (0.3–0.6%)``: both ends with the estimate's precision."""
    ends = (estimate.p, estimate.low, estimate.high)
    decimals = 1 if any(0 < v < 0.01 or 0.99 < v < 1 for v in ends) else 0
    low, high = (percent(v, decimals).rstrip("%") for v in ends[1:])
    return f"{percent(estimate.p, decimals)} ({low}–{high}%)"


def finding(results: Results, candidate: CandidateResult) -> str:
    """``Argentina: 41% (40–42%) chance of cooperation by Dec 2030; median date Aug 2027; …``."""
    success = candidate.outcomes[results.success]
    horizon = month_label(results.end_date)
    parts = [f"{line(candidate.name)}: {interval(success)} chance of {results.success_words} by {horizon}"]
    median = candidate.dates.get("P50")
    parts.append(
        f"even chance by {date_with_interval(results, candidate, 0.5)}" if median else f"not an even chance by {horizon}"
    )
    if candidate.history is not None:
        parts.append(history_clause(candidate.history))
    if candidate.inputs is not None:
        parts.append(inputs_clause(results, candidate.inputs))
    for shares, said, unsaid in ((candidate.last_to_consent, "most often last to consent", "as last to consent"),
                                 (candidate.vetoing, "most likely veto", "in vetoes")):
        if shares:
            picked = standing(shares, results.replications)
            parts.append(f"{said}: " + join_words([f"{line(s.name)} ({percent(s.share)})" for s in picked])
                         if picked else f"no ally stands out {unsaid}")
    return "; ".join(parts)


def date_interval(results: Results, candidate: CandidateResult, q: float
                  ) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """The date by which the chance reaches ``q``, and the dates at which its 95% interval's upper and lower bounds
    reach it (the earliest and the latest it may be); None where that is after the horizon."""
    cdf = np.asarray(candidate.cdf, dtype=float)
    n = results.replications
    counts = np.rint(cdf * n)
    low, high = wilson(counts, n)
    estimate, early, late = (_first(curve, q, results.start) for curve in (cdf, high, low))
    return estimate, early or estimate, late


def date_with_interval(results: Results, candidate: CandidateResult, q: float) -> str:
    """``Jan 2029 (Dec 2028–Mar 2029)``: the date by which the chance reaches ``q``, and its interval."""
    estimate, early, late = date_interval(results, candidate, q)
    after = f"after {month_label(results.end_date)}"
    if estimate is None:
        return after if early is None else f"{after} (95% interval: from {month_label(early)})"
    assert early is not None
    if late is None:
        return f"{month_label(estimate)} ({month_label(early)}–{after})"
    if month_label(early) == month_label(late):
        return f"{month_label(estimate)} ({early.day}–{late.day} {month_label(late)})"
    return f"{month_label(estimate)} ({month_label(early)}–{month_label(late)})"


def first_to(results: Results, q: float) -> list[CandidateResult]:
    """The candidates first to a chance of ``q``: the first, and every other whose date cannot be told from the
    first's (its interval starts before the first's ends), first first; none when no candidate reaches ``q``."""
    dated = [(date_interval(results, c, q), c) for c in results.candidates]
    reached = sorted(((d, c) for d, c in dated if d[0] is not None), key=lambda item: item[0][0])  # type: ignore
    if not reached:
        return []
    (_, _, late), first = reached[0]
    return [first] + [c for (_, early, _), c in reached[1:] if late is None or (early is not None and early <= late)]


def _first(curve: np.ndarray, q: float, start: dt.date) -> dt.date | None:
    day = first_reaching(curve, q)
    return add_days(start, day) if day is not None else None


def stands_out(results: Results, code: str) -> bool:
    """Whether ally ``code`` stands out as holding, vetoing or last to consent for any candidate (for a chart
    across candidates)."""
    return any(s.code == code and s.stands_out for c in results.candidates
               for s in (*c.holding, *c.vetoing, *c.last_to_consent))


def standing(shares: list[AllyShare], n: int) -> list[AllyShare]:
    """The allies a sentence names from a ranking: those that stand out above the allies set alike, the first
    and, when the two cannot be told apart, the second (:mod:`partnersim.results.standout`)."""
    out = [s for s in shares if s.stands_out]
    codes = named([s.code for s in out], {s.code: s.count for s in out}, n)
    return [s for s in out if s.code in codes]


def history_clause(history: History) -> str:
    """``drawn given allied consensus open since 18 Apr 2024 (2.6 years): under these settings, 17% of cases
    entering it then are still in it on the start date``: how the case stood, and how unusual that is."""
    known = []
    if history.consented:
        known.append(f"{len(history.consented)} all{'y' if len(history.consented) == 1 else 'ies'} having consented")
    if history.holding:
        known.append(f"{join_words(history.holding)} holding")
    given = f" with {join_words(known)}" if known else ""
    return (f"drawn given {in_sentence(history.label)} open since {history.since:%d %b %Y} ({duration_words(history.days)}){given}: "
            f"under these settings{' and that' if known else ''}, {percent(history.still_open.p)} of cases entering it "
            "then are still in it on the start date")


def inputs_clause(results: Results, inputs: InputUncertainty) -> str:
    """``the uncertain settings move the chance of cooperation by Dec 2031 by about 5 points from one draw to
    another (8% of its variance; the rest is the process)``, or that the move is not measurable."""
    last = inputs.by_year_end[-1] if inputs.by_year_end else None
    if last is None or last.share != last.share or inputs.draws < FEW_DRAWS:
        return (f"the uncertain settings were drawn {inputs.draws} times, too few to tell their part of the "
                "spread from the process's")
    what = f"the chance of {results.success_words} by {month_label(last.date)}"
    if last.share < 2 * last.error:
        return f"how much the uncertain settings move {what} is not measurable with {inputs.draws} draws of them"
    return (f"the uncertain settings move {what} by about {last.spread * 100:.0f} points from one draw to another "
            f"({percent(last.share)} of its variance; the rest is the process)")


def partnership_finding(results: Results, candidate: CandidateResult) -> str | None:
    """``Argentina: partnership active at the horizon (Dec 2031) in 31% (30–32%) of futures, …``.

    None for a candidate whose run simulated no partnership.
    """
    life = candidate.partnership
    if life is None:
        return None
    horizon = month_label(results.end_date)
    return (
        f"{line(candidate.name)}: partnership active at the horizon ({horizon}) in {interval(life.active)} of "
        f"futures, suspended in {interval(life.suspended)}, lapsed in {interval(life.lapsed)}; "
        f"{life.expected_areas:.1f} areas of cooperation expected; {life.mean_renewals:.2f} renewals on average"
    )
