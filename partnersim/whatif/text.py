"""What-if results in plain words and flat rows: sentences for the terminal, rows for CSV files."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from partnersim import safetext
from partnersim.results.summary import Results
from partnersim.results.text import date_interval, date_with_interval
from partnersim.text import percent, points
from partnersim.values.durations import month_label
from partnersim.whatif.compare import CandidateChange, Comparison, DateChange
from partnersim.whatif.paired import Change
from partnersim.whatif.sensitivity import Sensitivity, date_of


def change_text(change: Change) -> str:
    """``+0.7 (+0.2 to +1.1)`` points, the interval with the estimate's decimals; ``0 (identical)``."""
    if change.identical:
        return "0 (identical)"
    amount = abs(change.diff * 100)
    decimals = 0 if amount >= 9.95 else 1 if amount >= 0.095 else 2
    return (f"{points(change.diff, decimals)} ({points(change.low, decimals)} to "
            f"{points(change.high, decimals)})")


def short_verdict(change: Change) -> str:
    """For a table column "Beyond noise?": ``yes``, ``no``, or ``–`` when no replication changed."""
    if change.identical:
        return "–"
    return "yes" if change.distinguishable else "no"


def pair(before: float, after: float) -> tuple[str, str]:
    """Two probabilities as percentages with just enough decimals to tell them apart (at most two)."""
    for decimals in (None, 1, 2):
        texts = percent(before, decimals), percent(after, decimals)
        if before == after or texts[0] != texts[1]:
            return texts
    return texts


def date_text(day: Any, results: Results) -> str:
    return month_label(day) if day else f"after {month_label(results.end_date)}"


def shift_text(dates: DateChange) -> str:
    """``3 months later``, ``same month``, ``no longer reached``, ``now reached``, ``not reached in either``."""
    months = dates.months
    if months is None:
        if dates.base is None and dates.variant is None:
            return "not reached in either"
        return "no longer reached" if dates.variant is None else "now reached"
    rounded = round(months)
    if rounded == 0:
        return "same month" if abs(months) < 0.5 else "less than a month"
    unit = "month" if abs(rounded) == 1 else "months"
    return f"{abs(rounded)} {unit} {'later' if rounded > 0 else 'earlier'}"


def dates_text(dates: DateChange) -> str:
    """``Jan 2029 → Apr 2029``; ``–`` for a date not reached by the horizon."""
    def one(day: Any) -> str:
        return month_label(day) if day else "–"

    return f"{one(dates.base)} → {one(dates.variant)}"


def _shift_sentence(change: CandidateChange, comparison: Comparison) -> str:
    """``even chance by Sep 2031 (Aug–Oct 2031) instead of Jan 2031 (Dec 2030–Feb 2031), 8 months later, beyond
    noise``: each date with its 95% interval, and the shift beyond noise only when the two intervals do not
    meet (a paired interval would be narrower, so this never claims too much)."""
    variant = next(v for v in comparison.variants if any(c is change for c in v.candidates))
    base = comparison.base.candidate(change.code)
    after = variant.results.candidate(change.code)
    _, base_early, base_late = date_interval(comparison.base, base, 0.5)
    _, early, late = date_interval(variant.results, after, 0.5)
    apart = (early is not None and base_late is not None and early > base_late) or (
        late is not None and base_early is not None and late < base_early)
    return (f"even chance by {date_with_interval(variant.results, after, 0.5)} instead of "
            f"{date_with_interval(comparison.base, base, 0.5)}, {shift_text(change.dates['P50'])}, "
            f"{'beyond noise' if apart else 'within noise'}")


def candidate_sentence(change: CandidateChange, comparison: Comparison, success: str) -> str:
    """What the what-if does to one candidate, read aloud."""
    base = comparison.base
    by = month_label(base.end_date)
    c = change.success
    before, after = pair(c.base, c.variant)
    if c.identical:
        parts = [f"{change.name}: chance of {success} by {by} {after} in both, no replication ending differently"]
    else:
        parts = [f"{change.name}: chance of {success} by {by} {after} instead of {before}, "
                 f"{change_text(c).replace(' (', ' points (95% interval ', 1)}, {c.verdict}"]
    p50 = change.dates["P50"]
    if p50.base is None and p50.variant is None:
        parts.append(f"no even chance by {by} in either")
    elif p50.variant is None:
        parts.append(f"no longer an even chance by {by}; the base reached it by "
                     f"{date_with_interval(base, base.candidate(change.code), 0.5)}")
    elif p50.base is None:
        parts.append(f"even chance by {month_label(p50.variant)} (not reached in the base)")
    elif month_label(p50.base) == month_label(p50.variant):
        parts.append(f"even chance by {month_label(p50.variant)} in both")
    else:
        parts.append(_shift_sentence(change, comparison))
    r = change.rejected
    if r.identical:
        parts.append("chance of rejection unchanged")
    else:
        before, after = pair(r.base, r.variant)
        parts.append(f"chance of rejection {after} instead of {before}, {points(r.diff)} points, {r.verdict}")
    a = change.active
    if a is not None:
        if a.identical:
            parts.append(f"partnership active in {by} unchanged")
        else:
            before, after = pair(a.base, a.variant)
            parts.append(f"partnership active in {by} {after} instead of {before}, {points(a.diff)} points, "
                         f"{a.verdict}")
    return "; ".join(parts) + "."


def comparison_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """One row per what-if and candidate: every change with its interval and verdict, and the dates."""
    rows = []
    for variant in comparison.variants:
        for change in variant.candidates:
            row: dict[str, Any] = {"variant": variant.label, "candidate": change.code, "name": change.name,
                                   "replications": comparison.replications, "seed": comparison.seed}
            pairs = [(comparison.base.success, change.success), ("rejected", change.rejected)]
            if change.active is not None:
                pairs.append(("partnership_active", change.active))
            for name, c in pairs:
                row.update({f"p_{name}_base": round(c.base, 6), f"p_{name}_variant": round(c.variant, 6),
                            f"change_{name}": round(c.diff, 6), f"change_{name}_low": round(c.low, 6),
                            f"change_{name}_high": round(c.high, 6), f"verdict_{name}": c.verdict})
            for key, dates in change.dates.items():
                months = dates.months
                row.update({f"{key.lower()}_base": dates.base.isoformat() if dates.base else "",
                            f"{key.lower()}_variant": dates.variant.isoformat() if dates.variant else "",
                            f"{key.lower()}_change_months": "" if months is None else round(months, 2)})
            rows.append(row)
    return rows


def sensitivity_rows(sens: Sensitivity) -> list[dict[str, Any]]:
    """One row per candidate and factor: the values swung to, the chance of success and the P50 date at each."""
    results = sens.results
    rows = []
    for candidate in results.candidates:
        dates = {e.factor.path: e for e in sens.effects(candidate.code, "p50")}
        for rank, e in enumerate(sens.effects(candidate.code, "cooperation"), start=1):
            d = dates[e.factor.path]
            row: dict[str, Any] = {
                "candidate": candidate.code, "rank": rank, "path": e.factor.path, "setting": e.factor.label,
                "value": e.factor.base, "low_value": e.factor.low or "", "high_value": e.factor.high or "",
                "rule": e.factor.rule, f"p_{results.success}": round(e.base or 0.0, 6),
            }
            for side in ("low", "high"):
                value = e.low if side == "low" else e.high
                change = e.changes.get(side)
                row[f"p_{results.success}_{side}"] = "" if value is None else round(value, 6)
                row[f"change_{side}_low"] = "" if change is None else round(change.low, 6)
                row[f"change_{side}_high"] = "" if change is None else round(change.high, 6)
                row[f"verdict_{side}"] = "" if change is None else change.verdict
            for label, day, swung in (("p50_date", d.base, True), ("p50_date_low", d.low, e.factor.low),
                                      ("p50_date_high", d.high, e.factor.high)):
                when = date_of(results, day)
                row[label] = "" if swung is None else when.isoformat() if when else "not reached"
            rows.append(row)
    return rows


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as CSV, with the union of their keys as the header, in first-seen order.

    Every cell goes through :func:`partnersim.safetext.csv_cell`: a name or a
    label that a spreadsheet would run as a formula is written as text.
    """
    out = io.StringIO()
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows({key: safetext.csv_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()
