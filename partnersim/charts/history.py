"""Charts of the record: a fitted delay model against the data, and a back-test per case.

``fit_chart`` sets each ally's observed consent delay (the empirical
distribution, as steps) against the fitted model, on a logarithmic day axis
so that same-week consents and year-long holds are both legible; the allies
the fit reads as holds are named. ``backtest_chart`` draws, for one
historical case, the simulated chance that each milestone was reached by each
date, with the real date marked on its curve: where the mark sits on the
vertical axis is its percentile.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from partnersim.charts import dates, style
from partnersim.safetext import line
from partnersim.text import percent
from partnersim.values.durations import add_days

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.history.backtest import Case, Placement
    from partnersim.history.fit import DelayFit
    from partnersim.history.sample import Sample

# ---- fit ------------------------------------------------------------------------------

DAY_TICKS = [(0, "0"), (1, "1 day"), (7, "1 week"), (30, "1 month"), (91, "3 months"), (365, "1 year"),
             (730, "2 years")]
HOLD_SHARE = 0.5  # an observation the fit gives at least this probability of being a hold is named
DATA_COLOUR = "#111111"
MODEL_COLOUR = style.OKABE_ITO["blue"]
HOLD_COLOUR = style.OKABE_ITO["vermillion"]


def fit_chart(fit: DelayFit, sample: Sample, *, size: str = "slide") -> Figure:
    """Observed consent delays against the fitted body-plus-hold model."""
    days = np.sort(fit.days)
    shares = fit.params.hold_share(fit.days)
    # Ally names come from a CSV file anyone may have written: one line each, no terminal escapes.
    held = [(line(label), d) for label, d, s in zip(sample.labels, fit.days, shares, strict=True)
            if s >= HOLD_SHARE]
    rows = {line(label): line(row) for label, row in zip(sample.labels, sample.rows, strict=True)}
    columns = " + ".join(line(column) for column in sample.columns)
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        end = float(days.max()) * 1.6 + 10
        grid = np.arange(0.0, np.ceil(end) + 1)
        ax.step(grid, fit.params.day_cdf(grid) * 100, where="post", color=MODEL_COLOUR, linewidth=2.6,
                label=f"Fitted: {fit.params.family} deliberation plus a lognormal hold", zorder=3)
        empirical = np.arange(1, days.size + 1) / days.size * 100
        ax.step(np.concatenate([[0.0], days, [end]]), np.concatenate([[0.0], empirical, [100.0]]),
                where="post", color=DATA_COLOUR, linewidth=1.3, zorder=4, marker="none")
        ax.plot(days, empirical, "o", color=DATA_COLOUR, markersize=4.5, zorder=5, linestyle="none")
        _name_holds(ax, held, rows, days, empirical)
        _fit_axes(ax, end)
        if sample.day_zero is not None:
            _calendar_axis(fig, ax, sample.day_zero, end)
        _fit_note(ax, fit, sample)
        observed = Line2D([], [], color=DATA_COLOUR, linewidth=1.3, marker="o", markersize=4.5,
                          label=f"Observed: {sample.n} consent delays ({columns})")
        model = ax.get_lines()[0]
        ax.legend(handles=[observed, model], loc="upper left", handlelength=2.4, frameon=True, framealpha=0.95,
                  borderaxespad=0.3)
        style.title(fig, fit_finding(fit, sample, held), _fit_subtitle(sample))
        style.footer(fig, text=f"Data: {sample.source} (sources in partnersim/data/SOURCES.md)  ·  "
                     f"partnersim fit --column {' --column '.join(sample.columns)}")
    return fig


def fit_finding(fit: DelayFit, sample: Sample, held: list[tuple[str, float]]) -> str:
    """The title: how fast most allies decided, and how long the holds lasted."""
    n = fit.n
    if not held:
        return f"All {n} consented within {_days_text(float(fit.days.max()))}"
    quick = [d for d, s in zip(fit.days, fit.params.hold_share(fit.days), strict=True) if s < HOLD_SHARE]
    lengths = sorted(d for _, d in held)
    span = _days_text(lengths[0]) if len(lengths) == 1 else f"{lengths[0]:.0f} to {_days_text(lengths[-1])}"
    if sample.distinct_rows < n:
        return (f"{len(quick)} of {n} consents came within {_days_text(max(quick))}; "
                f"{len(held)} held out for {span}")
    return (f"{len(quick)} of {n} allies consented within {_days_text(max(quick))}; "
            f"{len(held)} held out for {span}")


def _days_text(days: float) -> str:
    return f"{days:.0f} day{'s' if round(days) != 1 else ''}"


def _fit_subtitle(sample: Sample) -> str:
    zero = f" ({style.day_month_year(sample.day_zero)})" if sample.day_zero else ""
    return (f"Share of allies that had consented, by days after the protocol was signed{zero}; "
            "each dot is one ally's consent")


def _name_holds(
    ax: Axes, held: list[tuple[str, float]], rows: dict[str, str], days: np.ndarray, empirical: np.ndarray
) -> None:
    """Name the holds in the empty lower right, one label per group of similar lengths.

    The group furthest right gets the lowest label, so that no tie line
    crosses another label.
    """
    if not held:
        return
    groups: list[list[tuple[str, float]]] = []
    for label, d in sorted(held, key=lambda item: item[1]):
        if groups and d <= 1.2 * groups[-1][0][1]:
            groups[-1].append((label, d))
        else:
            groups.append([(label, d)])
    for _, d in held:
        y = float(empirical[np.searchsorted(days, d, side="right") - 1])
        ax.plot([d], [y], "o", color=HOLD_COLOUR, markersize=7, zorder=6)
    for k, group in enumerate(reversed(groups)):
        lowest = min(d for _, d in group)
        y = float(empirical[np.searchsorted(days, lowest, side="right") - 1])
        text = ", ".join(f"{rows[label]} {d:.0f} d" for label, d in group)
        tags = {label[len(rows[label]):].strip(" ()") for label, _ in group} - {""}
        text += f" ({', '.join(sorted(tags))})" if tags else ""
        ax.annotate(f"Held out: {text}", (lowest, y), xytext=(max(d for _, d in group), 8.0 + 9.0 * k),
                    textcoords="data", ha="right", va="bottom", fontsize=10, color=HOLD_COLOUR,
                    fontweight="bold",
                    arrowprops={"arrowstyle": "-", "color": HOLD_COLOUR, "linewidth": 0.8,
                                "shrinkA": 1, "shrinkB": 4, "relpos": (1.0, 1.0)})


def _fit_axes(ax: Axes, end: float) -> None:
    ax.set_xscale("symlog", linthresh=1.0, linscale=0.45)
    ax.set_xlim(0, end)
    ax.set_ylim(0, 102)
    ticks = [(d, text) for d, text in DAY_TICKS if d <= end]
    ax.set_xticks([d for d, _ in ticks], [text for _, text in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Days after the protocol was signed (logarithmic scale)")
    ax.set_ylabel("Allies that had consented (%)")
    ax.set_yticks(range(0, 101, 20))
    style.light_grid(ax, "both")


def _calendar_axis(fig: Figure, ax: Axes, zero: dt.date, end: float) -> None:
    """Calendar months along the top edge, as many as fit without touching.

    Drawn as annotations in data coordinates, so they sit exactly above their
    day on the logarithmic axis.
    """
    fig.canvas.draw()  # lay out first, so that positions are final
    room = 0.85 * fig.dpi  # a little more than the width of "Sep 2022" at this size, in pixels
    last = -np.inf
    for month in dates.month_starts(zero + dt.timedelta(days=1), add_days(zero, end), 1):  # those after zero
        day = (month - zero).days
        x = float(ax.transData.transform((day, 0))[0])
        if x - last < room:
            continue
        last = x
        ax.plot([day, day], [1.0, 1.015], transform=ax.get_xaxis_transform(), color="#777777",
                linewidth=0.8, clip_on=False)
        ax.annotate(f"{month:%b %Y}", (day, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 5),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9.5, color="#555555",
                    annotation_clip=False)


def _fit_note(ax: Axes, fit: DelayFit, sample: Sample) -> None:
    """The fitted numbers and the goodness of fit, under the legend where the plot is empty."""
    p = fit.params
    spread = "assumed spread" if fit.hold_sigma_fixed else "fitted spread"
    points = f"{fit.n} delays" + (f" from {sample.distinct_rows} allies" if sample.distinct_rows < fit.n else "")
    points = points if fit.n <= 2 * sample.distinct_rows else f"{fit.n} delays"
    lines = [
        f"Deliberation: median {p.body_median:.0f} d, p90 {p.body_p90:.0f} d",
        f"Hold: {p.hold_p * 100:.1f}% of allies, for a median",
        f"   {p.hold_median:.0f} d more ({spread})",
        f"Kolmogorov–Smirnov distance {fit.ks:.2f}"
        + (f", bootstrap p {fit.ks_p:.2f}" if fit.ks_p is not None else ""),
        f"Only {points}:",
        "   only a gross misfit would show" if sample.distinct_rows == fit.n
        else "   each counted twice, so p is too low",
    ]
    ax.text(0.012, 0.83, "\n".join(lines), transform=ax.transAxes, ha="left", va="top", fontsize=9.5,
            color="#333333", linespacing=1.4,
            bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": style.GRID_GREY})


# ---- back-test ------------------------------------------------------------------------

MILESTONE_COLOURS = (style.OKABE_ITO["sky_blue"], style.OKABE_ITO["orange"], style.OKABE_ITO["reddish_purple"],
                     style.OKABE_ITO["blue"], style.OKABE_ITO["vermillion"])


def backtest_chart(case: Case, *, size: str = "slide") -> Figure:
    """The simulated chance of each milestone by date, with the real dates marked on the curves."""
    results = case.results
    start = results.start
    end = _chart_end(case)
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        ax.axhspan(10, 90, color="#F1F1F1", zorder=0, linewidth=0)
        ax.annotate("P10–P90 band", (1.0, 90), xycoords=("axes fraction", "data"), xytext=(-4, -3),
                    textcoords="offset points", ha="right", va="top", fontsize=9.5, color="#8A8A8A")
        handles = []
        final = _final(case)
        for index, placement in enumerate(case.placements):
            look = _look(index, placement is final)
            handles.append(_milestone_curve(ax, case, placement, look, end))
        _end_labels(ax, case, end, fig.get_figheight())
        for milestone in case.observed.milestones:
            if milestone.state is None:
                _reference_line(ax, milestone.label, milestone.date.first)
        _backtest_axes(ax, start, end)
        # Above the plot, where no curve can run under it.
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=2, frameon=False,
                  handlelength=2.6, fontsize=9.5, borderaxespad=0.0, columnspacing=1.5)
        style.title(fig, backtest_finding(case), _backtest_subtitle(case))
        style.footer(fig, results)
    return fig


def _final(case: Case) -> Placement | None:
    success = [p for p in case.placements if p.milestone.state == case.results.success]
    return success[-1] if success else (case.placements[-1] if case.placements else None)


def _look(index: int, final: bool) -> dict[str, object]:
    if final:
        return {"color": style.SUCCESS_STYLE["color"], "linewidth": 3.0, "linestyle": "-"}
    return {"color": MILESTONE_COLOURS[index % len(MILESTONE_COLOURS)], "linewidth": 1.8,
            "linestyle": (0, (5, 2)) if index % 2 else "-"}


def _milestone_curve(ax: Axes, case: Case, placement: Placement, look: dict[str, object], end: dt.date) -> Line2D:
    start = case.results.start
    days = np.sort(np.floor(case.days[placement.milestone.state or ""]))
    grid = np.arange(0, (end - start).days + 1)
    share = np.searchsorted(days, grid, side="right") / days.size * 100
    dates = np.datetime64(start, "D") + grid.astype("timedelta64[D]")
    (line,) = ax.plot(dates, share, zorder=3, label=_legend_text(placement), **look)  # type: ignore[arg-type]
    milestone = placement.milestone
    x = np.datetime64(placement.date, "D")
    y = placement.percentile * 100
    if milestone.date.precision != "day":
        ax.plot([np.datetime64(milestone.date.first, "D"), np.datetime64(milestone.date.last, "D")], [y, y],
                color="#111111", linewidth=2.2, solid_capstyle="butt", zorder=5)
    ax.plot([x], [y], marker="D", markersize=9, color=look["color"], markeredgecolor="#111111",
            markeredgewidth=1.4, linestyle="none", zorder=6)
    return line


def _legend_text(placement: Placement) -> str:
    milestone = placement.milestone
    when = style.day_month_year(milestone.date.first) if milestone.date.precision == "day" else milestone.date.text
    if milestone.date.precision == "month":
        when = f"{milestone.date.first:%b %Y}"
    return f"{milestone.label}: {when}, {_ordinal(placement.percentile)} percentile"


def _ordinal(p: float) -> str:
    n = int(round(p * 100))
    if n <= 0:
        return "<1st"
    if n >= 100:
        return ">99th"
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _end_labels(ax: Axes, case: Case, end: dt.date, height: float) -> None:
    """The share of futures that reached each milestone by the end of the chart, right of the plot."""
    offset = (end - case.results.start).days
    finals = [float(np.mean(np.floor(case.days[p.milestone.state or ""]) <= offset)) * 100
              for p in case.placements]
    ys = style.spread(finals, gap=5.5 * style.SIZES["slide"][1] / height, low=2.0, high=98.0)
    final = _final(case)
    for index, (placement, share, y) in enumerate(zip(case.placements, finals, ys, strict=True)):
        colour = _look(index, placement is final)["color"]
        ax.annotate(percent(share / 100), (1.0, y), xycoords=("axes fraction", "data"), xytext=(5, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=10, fontweight="bold",
                    color=colour, annotation_clip=False)


def _reference_line(ax: Axes, label: str, day: dt.date) -> None:
    x = mdates.date2num(day)
    ax.axvline(x, color="#666666", linewidth=1.0, linestyle=(0, (2, 2)), zorder=2)
    ax.annotate(f"{label}\n{style.day_month_year(day)} (not modelled)", (x, 0.98),
                xycoords=("data", "axes fraction"), xytext=(-5, 0), textcoords="offset points",
                ha="right", va="top", fontsize=9, color="#555555")


def _chart_end(case: Case) -> dt.date:
    """Past the last real date, and on until the last curve has (nearly) reached its final level."""
    start, horizon = case.results.start, case.results.end_date
    latest = max(m.date.last for m in case.observed.milestones)
    end = latest + dt.timedelta(days=max(180, int(0.25 * (latest - start).days)))
    final = _final(case)
    if final is not None:
        days = np.sort(np.floor(case.days[final.milestone.state or ""]))
        reached = days[np.isfinite(days)]
        if reached.size:
            level = reached[int(np.searchsorted(np.arange(1, reached.size + 1) / days.size,
                                                reached.size / days.size - 0.003))]
            end = max(end, start + dt.timedelta(days=float(level) + 60))
    return min(horizon, end)


def _backtest_axes(ax: Axes, start: dt.date, end: dt.date) -> None:
    ax.set_xlim(mdates.date2num(start), mdates.date2num(end))
    ax.set_ylim(0, 100)
    ax.set_yticks(range(0, 101, 10))
    ax.set_yticklabels([f"{v}" if v % 20 == 0 or v in (10, 90) else "" for v in range(0, 101, 10)])
    ax.set_ylabel("Simulated futures in which the step\nwas done by each date (%)")
    ax.set_xlabel("Date")
    # Quarters labelled and months between, or years and quarters; fewer where labels would touch.
    dates.date_axis(ax, months=(end - start).days < 2.5 * 365)
    ax.tick_params(axis="x", which="minor", length=3, color="#888888")
    style.light_grid(ax, "x")


def backtest_finding(case: Case) -> str:
    """The title: where the real outcome fell, in words."""
    final = _final(case)
    if final is None:
        return f"{case.name}: no modelled milestone to place"
    milestone = final.milestone
    when = (f"on {style.day_month_year(milestone.date.first)}" if milestone.date.precision == "day"
            else f"in {milestone.date.first:%b %Y}" if milestone.date.precision == "month"
            else f"in {milestone.date.text}")
    label = milestone.label[0].lower() + milestone.label[1:] if milestone.label[1:2].islower() else milestone.label
    return f"{case.name}: {label} {when}, {relation(final)}"


def relation(placement: Placement) -> str:
    """``sooner than 90% of simulated futures`` and the like."""
    p, reached = placement.percentile, placement.reached
    if p < 0.5:
        return f"sooner than {percent(1 - p)} of simulated futures"
    if reached < 0.995 and p <= reached:
        among = p / reached
        return (f"later than {percent(among)} of the simulated futures that got there "
                f"({percent(reached)} of all)")
    return f"later than {percent(p)} of simulated futures"


def _backtest_subtitle(case: Case) -> str:
    fitted = case.observed.fitted_on
    basis = (f"Ally delays fitted on {' + '.join(fitted)}, not on this case's own dates. " if fitted else "")
    return (f"{basis}Lines: share of {case.results.replications:,} simulated futures in which each step was "
            "done by each date.  ◆ what happened")


__all__ = ["backtest_chart", "backtest_finding", "fit_chart", "fit_finding", "relation"]
