"""Sweep charts: an outcome against one parameter, a heatmap for two, scatter panels for a sample.

- one parameter on a grid: one line per candidate with its 95% interval as a
  band, the outcome's chance by the horizon on the y axis;
- two parameters on a grid: a heatmap of one candidate's chance, every cell
  numbered;
- a Latin hypercube: one scatter panel per parameter (up to four).

Dates are shown on a calendar axis and durations in months.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from partnersim.charts import dates, style
from partnersim.charts.labels import outcome_label
from partnersim.charts.readable import CHART_NAME, cut
from partnersim.kinds import PROBABILITY_KEYS
from partnersim.scenario.labels import possessive, setting_label, setting_phrase
from partnersim.stats import newcombe_independent
from partnersim.text import join_words, percent
from partnersim.values.durations import DAYS_PER_UNIT

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.summary import Results
    from partnersim.whatif.sweep import Param, Sweep

MAX_PANELS = 4
OUTCOME_NOUNS = {"rejected": "rejection", "withdrawn": "withdrawal", "talks_failed": "failed talks",
                 "pending": "a case still pending"}


def sweep_chart(sweep: Sweep, *, outcome: str | None = None, candidate: str | None = None,
                size: str = "slide") -> Figure:
    """The chart that fits the sweep: lines for one grid parameter, a heatmap for two, else scatter panels."""
    outcome = outcome or sweep.points[0].results.success
    grid = sweep.design == "grid"
    if grid and len(sweep.params) == 1:
        return line_chart(sweep, outcome=outcome, size=size)
    if grid and len(sweep.params) == 2:
        return heatmap(sweep, outcome=outcome, candidate=candidate, size=size)
    return scatter_chart(sweep, outcome=outcome, candidate=candidate, size=size)


def _noun(sweep: Sweep, outcome: str) -> str:
    results = sweep.points[0].results
    return OUTCOME_NOUNS.get(outcome) or outcome_label(results, outcome).lower()


def _what(sweep: Sweep, outcome: str) -> str:
    results = sweep.points[0].results
    return f"{_noun(sweep, outcome)} by {style.day_month_year(results.end_date)}"


def _axis_values(param: Param, values: list[float]) -> np.ndarray:
    if param.kind == "date":
        return np.array([mdates.date2num(dt.date.fromordinal(int(round(v)))) for v in values])
    if param.kind == "duration":
        return np.array(values) / DAYS_PER_UNIT["mo"]
    return np.array(values)


def _axis_label(sweep: Sweep, param: Param) -> str:
    name = setting_label(sweep.scenario, param.path)
    unit = (" (median, months)" if param.median else " (months)") if param.kind == "duration" else ""
    if param.kind == "number" and param.path.rsplit(".", 1)[-1] in PROBABILITY_KEYS:
        unit = " (probability)"
    return f"{name}{unit}"


def _format_axis(ax: Axes, param: Param) -> None:
    """Dates as calendar dates: years, or quarters on a span under three years; fewer where labels would touch."""
    if param.kind == "date":
        dates.date_axis(ax, months=param.high - param.low < 3 * 365)


def _value_text(param: Param, x: float) -> str:
    if param.kind == "date":
        return style.month_year(dt.date.fromordinal(int(round(x))))
    if param.kind == "duration":
        months = f"{x / DAYS_PER_UNIT['mo']:.3g}"
        return f"{'a median of ' if param.median else ''}{months} month{'' if months == '1' else 's'}"
    return param.value(x)


def line_chart(sweep: Sweep, *, outcome: str, size: str = "slide") -> Figure:
    """The chance of ``outcome`` by the horizon against the one swept parameter, per candidate, with bands."""
    param = sweep.params[0]
    xs = [v[0] for v in sweep.values]
    order = np.argsort(xs)
    x = _axis_values(param, [xs[i] for i in order])
    results0 = sweep.points[0].results
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        finals: list[float] = []
        drawn, note = _room(sweep, outcome)
        for index in drawn:
            est = [sweep.points[i].results.candidates[index].outcomes[outcome] for i in order]
            p = np.array([e.p for e in est]) * 100
            look = style.candidate_style(index)
            ax.fill_between(x, [e.low * 100 for e in est], [e.high * 100 for e in est], color=look["color"],
                            alpha=0.12, linewidth=0, zorder=2)
            ax.plot(x, p, color=look["color"], linestyle=look["linestyle"], linewidth=2.2, marker="o",
                    markersize=4.5, zorder=3)
            finals.append(float(p[-1]))
        _line_labels(ax, results0, drawn, finals, x[-1], fig.get_figheight())
        ax.set_xlim(x[0], x[-1])
        _mark_current(ax, sweep, param, float(x[0]), float(x[-1]))
        top = max(5.0, min(100.0, float(np.ceil(max(_highs(sweep, outcome)) / 10) * 10)))
        ax.set_ylim(0, top)
        ax.set_xlabel(_axis_label(sweep, param))
        ax.set_ylabel(f"Chance of {_noun(sweep, outcome)} (%)")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10], integer=True))
        _format_axis(ax, param)
        style.light_grid(ax, "both")
        style.title(fig, line_finding(sweep, outcome), style.with_note(note, _subtitle(sweep)))
        style.footer(fig, results0, "every point on the same seed")
    return fig


def _mark_current(ax: Axes, sweep: Sweep, param: Param, low: float, high: float) -> None:
    """A dotted line at the value the scenario itself has (the median of a distribution whose median is swept),
    when it lies inside the swept range."""
    value = param.scenario_value(sweep.scenario)
    if value is None:
        return
    x = float(_axis_values(param, [value])[0])
    if not low <= x <= high:
        return
    ax.axvline(x, color="#444444", linewidth=1.0, linestyle=(0, (2, 2)), zorder=2)
    ax.annotate("as in the scenario", (x, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -4),
                textcoords="offset points", ha="left", va="top", fontsize=9.5, color="#444444")


def _highs(sweep: Sweep, outcome: str) -> list[float]:
    return [c.outcomes[outcome].high * 100 for point in sweep.points for c in point.results.candidates]


def _room(sweep: Sweep, outcome: str) -> tuple[list[int], str]:
    """The candidates the line chart has room for: those the sweep moves most (see
    :func:`partnersim.charts.style.room_for`)."""
    results0 = sweep.points[0].results
    moved = {id(c): _swing(sweep, outcome, i) for i, c in enumerate(results0.candidates)}
    shown, note = style.room_for(results0, style.MOST_LINES, rank=lambda c: -moved[id(c)],
                                 ranked="those the swept setting moves most")
    chosen = {id(c) for c in shown.candidates}
    return [i for i, c in enumerate(results0.candidates) if id(c) in chosen], note


def _swing(sweep: Sweep, outcome: str, index: int) -> float:
    """How far the chance of ``outcome`` moves for the candidate at ``index`` across the sweep."""
    chances = [point.results.candidates[index].outcomes[outcome].p for point in sweep.points]
    return max(chances) - min(chances)


def _line_labels(ax: Axes, results: Results, drawn: list[int], finals: list[float], x_end: float,
                 height: float) -> None:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    top = ax.get_ylim()[1] if ax.get_ylim()[1] > 1 else 100.0
    gap = 6.0 * style.SIZES["slide"][1] / height * top / 100
    ys = style.spread(finals, gap, low=0.0, high=top)
    for index, final, y in zip(drawn, finals, ys, strict=True):
        name = style.short_name(fig, results.candidates[index].name, 10.5, "bold", room=style.END_ROOM)
        ax.annotate(f"{percent(final / 100)} {name}", (x_end, y), xytext=(6, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=10.5, fontweight="bold",
                    color=style.candidate_style(index)["color"], annotation_clip=False)


def line_finding(sweep: Sweep, outcome: str) -> str:
    """``Chance of rejection by 31 Dec 2031 rises 4–6 points as Türkiye's chance of a hold goes from 0 to 0.5``.

    Candidates that move by less than a point, or by no more than noise, are left out of the sentence.
    """
    param = sweep.params[0]
    xs = [v[0] for v in sweep.values]
    first, last = int(np.argmin(xs)), int(np.argmax(xs))
    candidates = sweep.points[0].results.candidates
    changes, apart = [], []
    for index in range(len(candidates)):
        before = sweep.points[first].results.candidates[index].outcomes[outcome]
        after = sweep.points[last].results.candidates[index].outcomes[outcome]
        changes.append((after.p - before.p) * 100)
        # Newcombe's unpaired interval: wider than the paired one the points' common seed allows, so a change
        # it tells apart from zero is beyond noise.
        bottom, top = newcombe_independent(after.count, after.n, before.count, before.n)
        apart.append(bottom > 0 or top < 0)
    setting = (f"as {setting_phrase(sweep.scenario, param.path)} goes from {_value_text(param, xs[first])} to "
               f"{_value_text(param, xs[last])}")
    movers = [i for i, change in enumerate(changes) if abs(change) >= 1 and apart[i]]
    if not movers:
        return f"Chance of {_what(sweep, outcome)} hardly changes {setting} (under a point, or within noise)"
    if len(movers) == len(candidates):
        what = f"Chance of {_what(sweep, outcome)}"
    elif len(movers) == 1:
        what = f"{possessive(cut(candidates[movers[0]].name, CHART_NAME))} chance of {_what(sweep, outcome)}"
    elif len(movers) > 3:
        what = f"Chance of {_what(sweep, outcome)} for {len(movers)} of {len(candidates)} candidates"
    else:
        names = [cut(candidates[i].name.split(" (")[0], CHART_NAME) for i in movers]
        what = f"Chance of {_what(sweep, outcome)} for {join_words(names)}"
    moved = [changes[i] for i in movers]
    low, high = min(moved), max(moved)
    if low > 0 or high < 0:
        a, b = sorted((round(abs(low)), round(abs(high))))
        span = f"{b}" if a == b else f"{a}–{b}"
        return f"{what} {'rises' if high > 0 else 'falls'} {span} points {setting}"
    return f"{what} moves by {round(low):+d} to {round(high):+d} points {setting}"


def heatmap(sweep: Sweep, *, outcome: str, candidate: str | None = None, size: str = "slide") -> Figure:
    """One candidate's chance of ``outcome`` by the horizon over two swept parameters."""
    px, py = sweep.params
    xs = sorted({v[0] for v in sweep.values})
    ys = sorted({v[1] for v in sweep.values})
    results0 = sweep.points[0].results
    code = candidate or results0.candidates[0].code
    index = [c.code for c in results0.candidates].index(code)
    grid = np.full((len(ys), len(xs)), np.nan)
    for values, point in zip(sweep.values, sweep.points, strict=True):
        grid[ys.index(values[1]), xs.index(values[0])] = point.results.candidates[index].outcomes[outcome].p * 100
    name = cut(results0.candidates[index].name, CHART_NAME)
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        image = ax.imshow(grid, origin="lower", cmap="cividis", aspect="auto", vmin=0,
                          vmax=max(5.0, float(np.nanmax(grid))))
        for (i, j), value in np.ndenumerate(grid):
            if not np.isnan(value):
                ink = "white" if value < 0.55 * image.get_clim()[1] else "#111111"
                ax.text(j, i, f"{value:.0f}%", ha="center", va="center", fontsize=10.5, color=ink)
        ax.set_xticks(range(len(xs)), [_tick(px, x) for x in xs])
        ax.set_yticks(range(len(ys)), [_tick(py, y) for y in ys])
        ax.set_xlabel(_axis_label(sweep, px))
        ax.set_ylabel(_axis_label(sweep, py))
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label(f"Chance of {_what(sweep, outcome)} (%)", fontsize=10.5)
        style.title(fig, heatmap_finding(sweep, grid, name, outcome),
                    f"Each cell: one setting of both parameters, {sweep.points[0].results.replications:,} "
                    f"simulated futures; all cells share their random numbers{_medians(sweep)}")
        style.footer(fig, results0, "every point on the same seed")
    return fig


def heatmap_finding(sweep: Sweep, grid: np.ndarray, name: str, outcome: str) -> str:
    """``Argentina: chance of cooperation by … from 45% to 62%, driven by Türkiye's chance of a hold``."""
    low, high = float(np.nanmin(grid)), float(np.nanmax(grid))
    text = f"{name}: chance of {_what(sweep, outcome)} from {low:.0f}% to {high:.0f}%"
    # How far each parameter moves the result on average, the other held fixed.
    along_x = float(np.nanmean(np.nanmax(grid, axis=1) - np.nanmin(grid, axis=1)))
    along_y = float(np.nanmean(np.nanmax(grid, axis=0) - np.nanmin(grid, axis=0)))
    if high - low < 1:
        return text + ", whatever the two settings"
    main = sweep.params[0] if along_x >= along_y else sweep.params[1]
    if min(along_x, along_y) < 1:
        return text + f"; only {setting_phrase(sweep.scenario, main.path)} matters"
    return text + f"; {setting_phrase(sweep.scenario, main.path)} matters most"


def _tick(param: Param, x: float) -> str:
    if param.kind == "date":
        return style.month_year(dt.date.fromordinal(int(round(x))))
    if param.kind == "duration":
        return f"{x / DAYS_PER_UNIT['mo']:.3g}"
    return param.value(x)


def scatter_chart(sweep: Sweep, *, outcome: str, candidate: str | None = None, size: str = "slide") -> Figure:
    """One candidate's chance of ``outcome`` against each sampled parameter, one panel each."""
    results0 = sweep.points[0].results
    code = candidate or results0.candidates[0].code
    index = [c.code for c in results0.candidates].index(code)
    ps = np.array([point.results.candidates[index].outcomes[outcome].p * 100 for point in sweep.points])
    params = sweep.params[:MAX_PANELS]
    name = cut(results0.candidates[index].name, CHART_NAME)
    with style.context():
        fig = style.new_figure(size)
        axes = fig.subplots(1, len(params), sharey=True, squeeze=False)[0]
        colour = style.candidate_style(index)["color"]
        for k, (ax, param) in enumerate(zip(axes, params, strict=True)):
            x = _axis_values(param, [v[k] for v in sweep.values])
            ax.scatter(x, ps, s=22, color=colour, alpha=0.85, edgecolor="white", linewidth=0.5, zorder=3)
            ax.set_xlabel(_axis_label(sweep, param), fontsize=10.5)
            _format_axis(ax, param)
            style.light_grid(ax, "both")
        axes[0].set_ylabel(f"Chance of {_what(sweep, outcome)} (%)", fontsize=11)
        axes[0].set_ylim(0, max(5.0, float(np.ceil(ps.max() / 10) * 10)))
        finding = (f"{name}: chance of {_what(sweep, outcome)} from {ps.min():.0f}% to {ps.max():.0f}% "
                   f"across {len(sweep.points)} sampled settings{_strongest(sweep, ps)}")
        shown = "" if len(sweep.params) <= MAX_PANELS else f" (first {MAX_PANELS} parameters shown)"
        style.title(fig, finding, f"Latin hypercube sample: each dot one setting of every parameter{shown}"
                                  f"{_medians(sweep)}")
        style.footer(fig, results0, "every point on the same seed")
    return fig


def _strongest(sweep: Sweep, ps: np.ndarray) -> str:
    """``; Türkiye's chance of a hold matters most``, by rank correlation, when one stands out."""
    if len(sweep.params) < 2 or len(ps) < 5 or np.ptp(ps) == 0:
        return ""

    def ranks(values: np.ndarray) -> np.ndarray:
        return np.argsort(np.argsort(values)).astype(float)

    strength = []
    for k in range(len(sweep.params)):
        xs = np.array([v[k] for v in sweep.values])
        strength.append(0.0 if np.ptp(xs) == 0 else abs(float(np.corrcoef(ranks(xs), ranks(ps))[0, 1])))
    order = np.argsort(strength)[::-1]
    if strength[order[0]] < 0.5 or strength[order[0]] - strength[order[1]] < 0.2:
        return ""
    return f"; {setting_phrase(sweep.scenario, sweep.params[order[0]].path)} matters most"


def _subtitle(sweep: Sweep) -> str:
    n = sweep.points[0].results.replications
    return (f"Each point: {n:,} simulated futures, band: 95% interval; all points share their random "
            f"numbers{_medians(sweep)}")


def _medians(sweep: Sweep) -> str:
    """What a subtitle adds when a swept length is the median of a distribution."""
    return "; a length swept is its distribution's median, the spread as in the scenario" \
        if any(p.median for p in sweep.params) else ""
