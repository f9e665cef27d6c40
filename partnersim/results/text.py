"""Findings in plain language, one sentence per candidate, for terminals and reports.

Names are put in as one line (:func:`partnersim.safetext.line`): a sentence is
one line of text, whatever a scenario or a run folder holds. Each output then
escapes the sentence for its own format.
"""

from __future__ import annotations

from partnersim.process.definition import SHORT_OUTCOME_LABELS
from partnersim.results.summary import CandidateResult, Estimate, History, InputUncertainty, Results
from partnersim.safetext import line
from partnersim.text import duration_words, join_words, percent
from partnersim.values.durations import month_label


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
    if candidate.history is not None:
        parts[0] += f" ({history_clause(candidate.history)})"
    if candidate.inputs is not None:
        parts.append(inputs_clause(results, candidate.inputs))
    median = candidate.dates.get("P50")
    parts.append(
        f"even chance by {month_label(median)}" if median else f"not an even chance by {horizon}"
    )
    if candidate.last_to_consent:
        top = candidate.last_to_consent[0]
        parts.append(f"most often last to consent: {line(top.name)} ({percent(top.share)})")
    if candidate.vetoing:
        top = candidate.vetoing[0]
        parts.append(f"most likely veto: {line(top.name)} ({percent(top.share)})")
    return "; ".join(parts)


def history_clause(history: History) -> str:
    """``drawn given Allied consensus open since 18 Apr 2024, 2.6 years; under these settings 17% of cases that
    entered it then are still in it on the start date``: how the case stood, and how unusual that is."""
    known = []
    if history.consented:
        known.append(f"{len(history.consented)} allies consented")
    if history.holding:
        known.append(f"{join_words(history.holding)} holding")
    state = f"; {', '.join(known)}" if known else ""
    return (f"drawn given {history.label} open since {history.since:%d %b %Y}, "
            f"{duration_words(history.days)}{state}; under these settings {percent(history.still_open.p)} of "
            "cases that entered it then are still in it on the start date")


def inputs_clause(results: Results, inputs: InputUncertainty) -> str:
    """``12% of the variance of cooperation by Dec 2031 from the uncertain settings (the chance moves by
    about 5 points from one draw of them to another), the rest from the process``."""
    last = inputs.by_year_end[-1] if inputs.by_year_end else None
    if last is None or last.share != last.share:  # too few draws to tell
        return f"the uncertain settings drawn {inputs.draws} times"
    if last.share < 2 * last.error:
        return (f"the uncertain settings account for no part of the variance of {results.success_words} by "
                f"{month_label(last.date)} beyond noise (under {percent(2 * last.error)}, over {inputs.draws} draws)")
    return (f"{percent(last.share)} of the variance of {results.success_words} by {month_label(last.date)} from the "
            f"uncertain settings (the chance moves by about {last.spread * 100:.0f} points from one of their "
            f"{inputs.draws} draws to another), the rest from the process")


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
