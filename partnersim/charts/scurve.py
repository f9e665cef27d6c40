"""The S-curve: the chance that cooperation has begun, date by date.

One line per candidate from ``CandidateResult.cdf`` on a calendar axis, the
P50 and P80 dates marked on each line and spelt out in the legend, the
chance reached by the horizon written at the end of each line.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from partnersim.charts import style
from partnersim.charts.labels import success_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.summary import CandidateResult, Results

MARKERS = {"P50": ("o", 50), "P80": ("D", 80)}
END_LABEL_GAP = 6.0  # percentage points between labels at the end of the lines


def s_curve_chart(results: Results, *, size: str = "slide") -> Figure:
    """P(cooperation by date) per candidate, with P50 and P80 dates marked."""
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        _guides(ax, results)
        for index, candidate in enumerate(results.candidates):
            _curve(ax, results, candidate, index)
        _end_labels(ax, results)
        _axes(ax, results)
        ax.legend(loc="upper left", handlelength=3.2, borderaxespad=0.3)
        style.title(fig, finding(results), _subtitle(results))
        style.footer(fig, results)
    return fig


def finding(results: Results) -> str:
    """The title: who reaches an even chance of success first, and when."""
    what = success_label(results).lower()
    candidates = results.candidates
    reached = [c for c in candidates if c.dates.get("P50") is not None]
    if reached:
        first = min(c.dates["P50"] for c in reached)  # type: ignore[type-var]
        month = style.month_year(first)  # type: ignore[arg-type]
        leaders = [c.name for c in reached if style.month_year(c.dates["P50"]) == month]  # type: ignore[arg-type]
        if len(candidates) == 1:
            return f"{leaders[0]} has an even chance of {what} by {month}"
        if len(leaders) == 1:
            return f"{leaders[0]} is first to an even chance of {what}, by {month}"
        return f"{style.join_names(leaders)} reach an even chance of {what} first, by {month}"
    by = style.day_month_year(results.end_date)
    shares = [c.outcomes[results.success] for c in candidates]
    if all(e.count == 0 for e in shares):
        if len(candidates) == 1:
            return f"{candidates[0].name} does not reach {what} by {by} in any replication"
        return f"No candidate reaches {what} by {by} in any replication"
    best = max(range(len(candidates)), key=lambda i: shares[i].p)
    if len(candidates) == 1:
        return (f"{candidates[0].name} does not reach an even chance of {what} by {by} "
                f"({style.percent(shares[0].p)})")
    return (f"No candidate reaches an even chance of {what} by {by}; "
            f"best is {candidates[best].name} at {style.percent(shares[best].p)}")


def legend_text(results: Results, candidate: CandidateResult) -> str:
    """``Argentina — P50 Jan 2027, P80 after Jan 2031``."""
    after = f"after {style.month_year(results.end_date)}"
    parts = [
        f"{key} {style.month_year(candidate.dates[key]) if candidate.dates.get(key) else after}"  # type: ignore[arg-type]
        for key in MARKERS
    ]
    return f"{candidate.name} — {', '.join(parts)}"


def _dates(results: Results, length: int) -> np.ndarray:
    return np.datetime64(results.start, "D") + np.arange(length).astype("timedelta64[D]")


def _curve(ax: Axes, results: Results, candidate: CandidateResult, index: int) -> None:
    look = style.candidate_style(index)
    cdf = np.asarray(candidate.cdf, dtype=float)
    ax.plot(_dates(results, len(cdf)), cdf * 100, color=look["color"], linestyle=look["linestyle"],
            linewidth=2.4, label=legend_text(results, candidate), zorder=3)
    for key, (marker, level) in MARKERS.items():
        day = candidate.dates.get(key)
        if day is not None:
            ax.plot([np.datetime64(day, "D")], [level], marker=marker, markersize=8 if marker == "o" else 7,
                    color=look["color"], markeredgecolor="white", markeredgewidth=1.2, linestyle="none",
                    zorder=5)


def _guides(ax: Axes, results: Results) -> None:
    end = np.datetime64(results.end_date, "D")
    for key, (_, level) in MARKERS.items():
        ax.axhline(level, color=style.LIGHT_GREY, linewidth=0.9, linestyle=(0, (3, 3)), zorder=1)
        words = "even chance" if key == "P50" else f"{level}% chance"
        ax.annotate(f"{key}: {words}", (end, level), xytext=(-6, 3), textcoords="offset points",
                    ha="right", va="bottom", fontsize=9.5, color=style.GREY)
    ax.axvline(end, color="#444444", linewidth=1.1, zorder=2)
    ax.annotate(f"Horizon\n{style.day_month_year(results.end_date)}", (end, 1.0),
                xycoords=("data", "axes fraction"), xytext=(5, -2), textcoords="offset points",
                ha="left", va="top", fontsize=9.5, color="#444444")


def _end_labels(ax: Axes, results: Results) -> None:
    """``74% Brazil`` just right of the horizon, spread so that no two collide."""
    finals = [float(c.cdf[-1]) * 100 if len(c.cdf) else 0.0 for c in results.candidates]
    ys = style.spread(finals, END_LABEL_GAP, low=2.0, high=86.0)  # stay below the horizon label
    end = np.datetime64(results.end_date, "D")
    for index, (candidate, final, y) in enumerate(zip(results.candidates, finals, ys)):
        look = style.candidate_style(index)
        ax.annotate(f"{style.percent(final / 100)} {candidate.name}", (end, final), xytext=(end, y),
                    textcoords="data", xycoords="data", ha="left", va="center", fontsize=10.5,
                    fontweight="bold", color=look["color"],
                    arrowprops=None)
    # Labels sit left-aligned a few points right of the horizon line.
    for text in ax.texts[-len(results.candidates):]:
        text.set_position((mdates.date2num(results.end_date) + _pad_days(results) * 0.25, text.xyann[1]))


def _pad_days(results: Results) -> float:
    span = (results.end_date - results.start).days
    return max(30.0, span * 0.22)


def _axes(ax: Axes, results: Results) -> None:
    start = mdates.date2num(results.start)
    end = mdates.date2num(results.end_date)
    ax.set_xlim(start, end + _pad_days(results))
    ax.set_ylim(0, 100)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel(f"Chance {success_label(results).lower()} has begun (%)")
    ax.set_xlabel("Date")
    years = max(1, (results.end_date.year - results.start.year))
    ax.xaxis.set_major_locator(mdates.YearLocator(base=max(1, math.ceil(years / 10))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)) if years <= 10
                               else mdates.YearLocator())
    ax.tick_params(axis="x", which="minor", length=3, color="#888888")
    # Years beyond the horizon are not simulated: hide their ticks.
    ax.set_xticks([t for t in ax.get_xticks() if t <= end + 1])
    style.light_grid(ax, "both")
    ax.spines["bottom"].set_bounds(start, end)


def _subtitle(results: Results) -> str:
    return (f"Share of {results.replications:,} simulated futures in which {success_label(results).lower()} "
            f"has begun by each date.   ●  P50 date    ◆  P80 date")


def _first_day(results: Results) -> dt.date:
    return results.start


__all__ = ["s_curve_chart", "finding", "legend_text", "Line2D"]
