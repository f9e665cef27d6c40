"""Findings in plain language, one sentence per candidate, for terminals and reports."""

from __future__ import annotations

from partnersim.results.summary import CandidateResult, Estimate, Results
from partnersim.scenario.durations import month_label


def percent(value: float) -> str:
    """``41%``, or ``<1%`` / ``>99%`` where rounding would mislead."""
    if value != value:
        return "–"
    if 0 < value < 0.005:
        return "<1%"
    if 0.995 < value < 1:
        return ">99%"
    return f"{value * 100:.0f}%"


def interval(estimate: Estimate) -> str:
    """``41% (40–42%)``."""
    return f"{percent(estimate.p)} ({percent(estimate.low).rstrip('%')}–{percent(estimate.high)})"


def finding(results: Results, candidate: CandidateResult) -> str:
    """``Argentina: 41% (40–42%) chance of cooperation by Dec 2030; median date Aug 2027; …``."""
    success = candidate.outcomes[results.success]
    horizon = month_label(results.end_date)
    parts = [f"{candidate.name}: {interval(success)} chance of {results.success} by {horizon}"]
    median = candidate.dates.get("P50")
    parts.append(
        f"even chance by {month_label(median)}" if median else f"not an even chance by {horizon}"
    )
    if candidate.last_to_consent:
        top = candidate.last_to_consent[0]
        parts.append(f"most often last to consent: {top.name} ({percent(top.share)})")
    if candidate.vetoing:
        top = candidate.vetoing[0]
        parts.append(f"most likely veto: {top.name} ({percent(top.share)})")
    return "; ".join(parts)


def date_or_after(results: Results, value: object) -> str:
    return month_label(value) if value else f"after {month_label(results.end_date)}"  # type: ignore[arg-type]
