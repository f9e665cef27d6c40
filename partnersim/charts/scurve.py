"""The S-curve: the chance that cooperation has begun, date by date.

One line per candidate from ``CandidateResult.cdf`` on a calendar axis, the
P50 and P80 dates marked on each line and spelt out in the legend, the
chance reached by the horizon written at the end of each line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from partnersim.charts import dates, style
from partnersim.results.text import first_to
from partnersim.text import distinct_names, join_words, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Annotation

    from partnersim.results.summary import CandidateResult, Results

MARKERS = {"P50": ("o", 50), "P80": ("D", 80)}
END_SIZE = 10.5  # points, the labels at the end of the lines
TALL = 5.0  # inches: a figure this tall has room for a tick at 50 between 40 and 60
WIDE = 9.0  # inches: a figure this wide has room for the legend in two columns
END_LABEL_GAP = 14.0  # points between the centres of two of them: a line of END_SIZE text and a little more


def s_curve_chart(results: Results, *, size: str = "slide") -> Figure:
    """P(cooperation by date) per candidate, with P50 and P80 dates marked."""
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        _guides(ax, results)
        drawn, note = style.room_for(results, style.MOST_LINES, keep=_first(results))
        for index, candidate in enumerate(drawn.candidates):
            _curve(ax, drawn, candidate, index)
        _axes(ax, results)
        style.title(fig, finding(results), style.with_note(note, _subtitle(drawn)))
        style.footer(fig, results)
        ends = _end_labels(ax, drawn)
        # "best" keeps the legend off the curves, the guides and the end labels when there is
        # room; when every spot inside covers a line, the legend goes below the plot.
        legend = ax.legend(loc="best", handlelength=3.2, borderaxespad=0.4, frameon=True, framealpha=0.92)
        legend.get_frame().set_linewidth(0)
        if style.legend_covers_data(ax, legend) or not style.inside(ax, legend):
            legend.remove()
            _legend_below(fig, ax, drawn)
            for label in ends:  # the plot is now shorter: spread them again
                label.remove()
            _end_labels(ax, drawn)
    return fig


def _legend_below(fig: Figure, ax: Axes, results: Results) -> None:
    """The legend in two columns under the plot, each name cut to what its column leaves beside the dates; on a
    figure as narrow as a page, names lose a bracketed note ("Brazil (hypothetical)" → "Brazil") where they
    stay apart, so that the column holds them whole."""
    size, length = 9.5, 3.2
    ncols = min(2, len(results.candidates))
    room = style.legend_room(fig, ncols, size, length)
    names = [c.name for c in results.candidates]
    if fig.get_figwidth() < WIDE:
        names = distinct_names([name.split(" (")[0] for name in names], names)
    labels = []
    for candidate, name in zip(results.candidates, names, strict=True):
        dates = style.measure(fig, legend_text(results, candidate, ""), size)
        labels.append(legend_text(results, candidate, style.shorten(fig, name, room - dates, size)))
    handles, _ = ax.get_legend_handles_labels()
    style.legend_below(fig, ax, handles, labels, ncols=ncols, fontsize=size, handlelength=length)


def finding(results: Results) -> str:
    """The title: who reaches an even chance of success first, and when."""
    what = results.success_words
    candidates = results.candidates
    reached = [(day, c.name) for c in candidates if (day := c.dates.get("P50")) is not None]
    if reached:
        # Several lead when their dates cannot be told apart beyond noise (their 95% intervals overlap).
        first = min(reached)
        month = style.month_year(first[0])
        leaders = [c.name for c in first_to(results, 0.5)]
        if not leaders or leaders[0] != first[1]:  # the curves and the dates given disagree: trust the dates
            leaders = [first[1]]
        if len(candidates) == 1:
            return f"{leaders[0]} has an even chance of {what} by {month}"
        if len(reached) == 1:
            return f"Only {leaders[0]} reaches an even chance of {what} in time, by {month}"
        if len(leaders) == 1:
            return f"{leaders[0]} is first to an even chance of {what}, by {month}"
        return f"{join_words(leaders)} reach an even chance of {what} first, within noise of each other, from {month}"
    by = style.day_month_year(results.end_date)
    shares = [c.outcomes[results.success] for c in candidates]
    if all(e.count == 0 for e in shares):
        if len(candidates) == 1:
            return f"{candidates[0].name} does not reach {what} by {by} in any replication"
        return f"No candidate reaches {what} by {by} in any replication"
    best = max(range(len(candidates)), key=lambda i: shares[i].p)
    if len(candidates) == 1:
        return (f"{candidates[0].name} does not reach an even chance of {what} by {by} "
                f"({percent(shares[0].p)})")
    return (f"No candidate reaches an even chance of {what} by {by}; "
            f"best is {candidates[best].name} at {percent(shares[best].p)}")


def _first(results: Results) -> list[int]:
    """The candidates the title names: those first to an even chance of success (else none)."""
    reached = [(day, i) for i, c in enumerate(results.candidates) if (day := c.dates.get("P50")) is not None]
    if not reached:
        return []
    month = style.month_year(min(day for day, _ in reached))
    return [i for day, i in reached if style.month_year(day) == month]


def legend_text(results: Results, candidate: CandidateResult, name: str | None = None) -> str:
    """``Argentina — P50 Jan 2027, P80 after Jan 2031`` or ``Peru — P50, P80 after Jan 2031`` (``name`` in place
    of the candidate's own)."""
    parts, late = [], []
    for key in MARKERS:
        day = candidate.dates.get(key)
        if day:
            parts.append(f"{key} {style.month_year(day)}")
        else:
            late.append(key)
    if late:  # ``P50, P80 after Dec 2031``: the keys not reached share one "after"
        parts.append(f"{', '.join(late)} after {style.month_year(results.end_date)}")
    return f"{candidate.name if name is None else name} — {', '.join(parts)}"


def _figure(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    return fig


def _dates(results: Results, length: int) -> np.ndarray:
    return np.datetime64(results.start, "D") + np.arange(length).astype("timedelta64[D]")


def _curve(ax: Axes, results: Results, candidate: CandidateResult, index: int) -> None:
    look = style.candidate_style(index)
    cdf = np.asarray(candidate.cdf, dtype=float)
    name = style.short_name(_figure(ax), candidate.name, 10.5, room=style.END_ROOM)
    ax.plot(_dates(results, len(cdf)), cdf * 100, color=look["color"], linestyle=look["linestyle"],
            linewidth=2.4, label=legend_text(results, candidate, name), zorder=3)
    for key, (marker, level) in MARKERS.items():
        day = candidate.dates.get(key)
        if day is not None:
            ax.plot([np.datetime64(day, "D")], [level], marker=marker, markersize=8 if marker == "o" else 7,
                    color=look["color"], markeredgecolor="white", markeredgewidth=1.2, linestyle="none",
                    zorder=5)


def _guides(ax: Axes, results: Results) -> None:
    end = np.datetime64(results.end_date, "D")
    start = np.datetime64(results.start, "D")
    for level in range(20, 101, 20):
        ax.hlines(level, start, end, color=style.GRID_GREY, linewidth=0.8, zorder=0)
    for _, level in MARKERS.values():
        ax.hlines(level, start, end, color=style.LIGHT_GREY, linewidth=1.0, linestyle=(0, (3, 3)), zorder=1)
    ax.axvline(mdates.date2num(results.end_date), color="#444444", linewidth=1.1, zorder=2)
    # Above the plot, beside the end labels' column: no end label can reach it.
    ax.annotate(f"Horizon {style.day_month_year(results.end_date)}", (end, 1.0),
                xycoords=("data", "axes fraction"), xytext=(6, 6), textcoords="offset points",
                ha="left", va="bottom", fontsize=9.5, color="#444444", annotation_clip=False)


def _end_labels(ax: Axes, results: Results) -> list[Annotation]:
    """``74% Brazil`` just right of the horizon, spread so that no two collide.

    They sit outside the plot, in the margin that constrained layout keeps
    for them, so long candidate names never run off the figure. How far apart
    they must be, in percent, depends on the plot's height: it is laid out
    first.
    """
    fig = _figure(ax)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    tall = max(ax.bbox.height / fig.dpi * 72, 1.0)  # points
    finals = [float(c.cdf[-1]) * 100 if len(c.cdf) else 0.0 for c in results.candidates]
    ys = style.spread(finals, END_LABEL_GAP / tall * 100, low=2.0, high=97.0)
    end = mdates.date2num(results.end_date)
    labels = []
    for index, (candidate, y) in enumerate(zip(results.candidates, ys, strict=True)):
        name = style.short_name(fig, candidate.name, END_SIZE, "bold", room=style.END_ROOM)
        labels.append(ax.annotate(f"{percent(finals[index] / 100)} {name}", (end, y),
                                  xytext=(6, 0), textcoords="offset points", ha="left", va="center",
                                  fontsize=END_SIZE, fontweight="bold",
                                  color=style.candidate_style(index)["color"], annotation_clip=False))
    return labels


def _axes(ax: Axes, results: Results) -> None:
    start = mdates.date2num(results.start)
    end = mdates.date2num(results.end_date)
    ax.set_xlim(start, end)
    ax.set_ylim(0, 100)
    # 50 and 80 are where the P50 and P80 markers sit; on a figure as short as half a page, 50 would print over 40
    # and 60, and its dashed guide says it.
    marked = {level for _, level in MARKERS.values()} if _figure(ax).get_figheight() >= TALL else set()
    ax.set_yticks(sorted({*range(0, 101, 20), *marked}))
    wide = _figure(ax).get_figwidth() >= WIDE
    ax.set_ylabel(f"Chance {results.success_words}{' ' if wide else chr(10)}has begun (%)")
    ax.set_xlabel("Date")
    dates.calendar_axis(ax, results.start, results.end_date)


def _subtitle(results: Results) -> str:
    # The widest interval is where a curve is nearest an even chance.
    nearest = [float(c.cdf[np.argmin(np.abs(np.asarray(c.cdf) - 0.5))]) for c in results.candidates if len(c.cdf)]
    margin = style.widest_margin(nearest, results.replications) * 100
    return (f"Share of {results.replications:,} simulated futures in which {results.success_words} "
            f"has begun by each date (95% intervals within ±{margin:.1f} points).   ●  P50 date (even chance)"
            f"    ◆  P80 date")
