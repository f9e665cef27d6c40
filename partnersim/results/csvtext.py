"""The run's tables as CSV text: one row per candidate, the daily curve, the areas by month.

Every row goes through :func:`partnersim.safetext.csv_row`, so a name that a
spreadsheet would run as a formula (``=HYPERLINK(…)``) is written as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from partnersim import safetext
from partnersim.results.summary import Results
from partnersim.results.text import standing


def summary_csv(results: Results) -> str:
    """One row per candidate: the numbers of the terminal table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["code", "name"]
    for outcome in results.outcome_names:
        header += [f"p_{outcome}", f"p_{outcome}_low", f"p_{outcome}_high"]
    header += ["p10_date", "p50_date", "p80_date", "p90_date", "last_to_consent", "most_held", "most_vetoed"]
    life = results.has_partnership
    if life:
        for name in ("partnership_active", "suspended", "lapsed"):
            header += [f"p_{name}", f"p_{name}_low", f"p_{name}_high"]
        header += ["mean_renewals", "expected_areas"]
    writer.writerow(header)
    for c in results.candidates:
        row: list[Any] = [c.code, c.name]
        for outcome in results.outcome_names:
            e = c.outcomes[outcome]
            row += [f"{e.p:.6f}", f"{e.low:.6f}", f"{e.high:.6f}"]
        dates = [c.dates[k] for k in ("P10", "P50", "P80", "P90")]
        row += [d.isoformat() if d else "" for d in dates]
        # Only allies that stand out, the two named together when they cannot be told apart; else empty.
        row += [";".join(s.code for s in standing(lst, results.replications))
                for lst in (c.last_to_consent, c.holding, c.vetoing)]
        if life and c.partnership is not None:
            for e in (c.partnership.active, c.partnership.suspended, c.partnership.lapsed):
                row += [f"{e.p:.6f}", f"{e.low:.6f}", f"{e.high:.6f}"]
            row += [f"{c.partnership.mean_renewals:.6f}", f"{c.partnership.expected_areas:.6f}"]
        writer.writerow(safetext.csv_row(row))
    return out.getvalue()


def curve_csv(results: Results) -> str:
    """P(cooperation by date), one row per day of the horizon, one column per candidate."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(safetext.csv_row(["date", *[c.code for c in results.candidates]]))
    length = len(results.candidates[0].cdf)
    for day in range(length):
        date = results.start + dt.timedelta(days=day)
        writer.writerow([date.isoformat(), *[f"{c.cdf[day]:.6f}" for c in results.candidates]])
    return out.getvalue()


def areas_csv(results: Results) -> str:
    """Expected active areas of cooperation at each month end (and the horizon), one column per candidate."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lives = [c.partnership for c in results.candidates]
    writer.writerow(safetext.csv_row(["date", *[c.code for c in results.candidates]]))
    months = next(life.by_month for life in lives if life is not None)
    for index, (date, _) in enumerate(months):
        writer.writerow([date.isoformat(), *[f"{life.by_month[index][1]:.6f}" if life else "" for life in lives]])
    return out.getvalue()
