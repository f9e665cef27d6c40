"""What-if charts: the S-curves of a base and its what-if, and the change per candidate of several.

:func:`compare_chart` overlays the curves: each candidate keeps its colour;
the base is a solid line and each what-if a dashed (then dotted) line of the
same colour, so the gap between two lines of one colour is the effect of the
change. The P50 date of every line is marked; the chance by the horizon,
base → what-if, is written at the end of each candidate's lines. The title
states the shift.

:func:`changes_chart` is the chart of several what-ifs, where curves would be
too many to read: one row per candidate, one dot per what-if at the change
in the chance of success by the horizon (what-if minus base), with its paired
95% interval as a line. A dot is hollow when its interval includes zero, and
the title names only a change beyond the noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from partnersim.charts import dates, style
from partnersim.charts.readable import CHART_NAME, cut
from partnersim.safetext import line
from partnersim.stats import leaders
from partnersim.text import capital, join_words, percent, points

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.summary import Results
    from partnersim.whatif.compare import CandidateChange, Comparison, Variant

VARIANT_LINES: tuple[Any, ...] = ((0, (5, 2.5)), (0, (1.2, 1.8)), (0, (7, 2, 1.5, 2)))
END_LABEL_GAP = 6.0  # percentage points between labels at the end of the lines
MIN_SHIFT_MONTHS = 0.5


def compare_chart(comparison: Comparison, *, size: str = "slide") -> Figure:
    """P(cooperation by date) per candidate: base solid, each what-if dashed, same colour per candidate."""
    base = comparison.base
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        for level in (50, 80):
            ax.axhline(level, color=style.LIGHT_GREY, linewidth=1.0, linestyle=(0, (3, 3)), zorder=1)
        drawn, note = _room(comparison)
        for index in drawn:
            colour = style.candidate_style(index)["color"]
            code = base.candidates[index].code
            _curve(ax, base, code, colour, "-")
            for k, variant in enumerate(comparison.variants):
                _curve(ax, variant.results, code, colour, VARIANT_LINES[k % len(VARIANT_LINES)])
        _end_labels(ax, comparison, fig.get_figheight(), drawn)
        _axes(ax, base)
        _legend(ax, comparison)
        style.title(fig, finding(comparison), style.with_note(note, _subtitle(comparison)))
        style.footer(fig, base, "every scenario on the same seed (paired)")
    return fig


def _room(comparison: Comparison) -> tuple[list[int], str]:
    """The candidates the chart has room for: those whose chance the what-ifs move most, and any the
    title names (see :func:`partnersim.charts.style.room_for`)."""
    base = comparison.base
    moved: dict[str, float] = {}
    for variant in comparison.variants:
        for change in variant.candidates:
            moved[change.code] = max(moved.get(change.code, 0.0), abs(change.success.diff))
    named = {c.code for c in _lost(comparison)[:3]}
    keep = [i for i, c in enumerate(base.candidates) if c.code in named]
    shown, note = style.room_for(base, style.MOST_LINES, rank=lambda c: -moved.get(c.code, 0.0), keep=keep,
                                 ranked="those whose chance the what-if moves most")
    chosen = {id(c) for c in shown.candidates}
    return [i for i, c in enumerate(base.candidates) if id(c) in chosen], note


def _lost(comparison: Comparison) -> list[CandidateChange]:
    """The candidates of a single what-if that no longer reach an even chance by the horizon."""
    if len(comparison.variants) != 1:
        return []
    return [c for c in comparison.variants[0].candidates if c.dates["P50"].base and not c.dates["P50"].variant]


def finding(comparison: Comparison) -> str:
    """The title: how far the what-if moves the even-chance dates and the chance by the horizon."""
    if len(comparison.variants) > 1:
        return _finding_of_many(comparison)
    variant = comparison.variants[0]
    what = comparison.base.success_words
    by = style.month_year(comparison.base.end_date)

    def shift(c: CandidateChange) -> float | None:
        months = c.dates["P50"].months
        return months if months is not None and abs(months) >= MIN_SHIFT_MONTHS else None

    lost = _lost(comparison)
    real = [c for c in variant.candidates if c.success.distinguishable]
    movers = {c.code for c in variant.candidates if shift(c) is not None} | {c.code for c in lost + real}
    if not movers:
        return f"The what-if makes no difference to {what} beyond the simulation's noise"
    parts = []
    moved = [m for c in variant.candidates if (m := shift(c)) is not None]
    if moved:
        parts.append(f"even chance of {what} {_months(moved)}")
    elif lost and len(movers) == 1:
        parts.append(f"no longer an even chance of {what} by {by}")
    elif len(lost) > 3:
        parts.append(f"{len(lost)} candidates no longer reach an even chance of {what}")
    elif lost:
        verb = "reaches" if len(lost) == 1 else "reach"
        parts.append(f"{join_words([_plain(c.name) for c in lost])} no longer {verb} an even chance of {what}")
    if real:
        top = max(real, key=lambda c: abs(c.success.diff))
        points = round(abs(top.success.diff) * 100)
        change = f"{points} point{'' if points == 1 else 's'} {'lower' if top.success.diff < 0 else 'higher'}"
        parts.append(f"chance by {by} {change}" if len(real) == 1 else
                     f"chance by {by} up to {change} ({_plain(top.name)})")
    text = "; ".join(parts)
    if len(movers) == 1:
        name = _plain(next(c.name for c in variant.candidates if c.code in movers))
        return f"{name}: {text}"
    return capital(text)


def _plain(name: str) -> str:
    """``Brazil`` for ``Brazil (hypothetical)``: titles keep to the point (and have no room for a paragraph)."""
    return cut(name.split(" (")[0], CHART_NAME)


def _months(shifts: list[float]) -> str:
    later = all(m > 0 for m in shifts)
    earlier = all(m < 0 for m in shifts)
    if later or earlier:
        low, high = round(min(abs(m) for m in shifts)), round(max(abs(m) for m in shifts))
        span = f"{high}" if low == high else f"{low}–{high}"
        unit = "month" if high == 1 else "months"
        return f"{span} {unit} {'later' if later else 'earlier'}"
    return f"moves by {round(min(shifts)):+d} to {round(max(shifts)):+d} months"


def _finding_of_many(comparison: Comparison) -> str:
    def weight(variant: Variant) -> float:
        return max((abs(c.success.diff) for c in variant.candidates if c.success.distinguishable), default=0.0)

    best = max(comparison.variants, key=weight)
    if weight(best) == 0:
        return (f"No what-if changes the chance of {comparison.base.success_words} beyond the simulation's "
                "noise")
    # The largest change of each what-if; those that cannot be told apart from the largest are named with it.
    tops = [(max((c for c in v.candidates if c.success.distinguishable), key=lambda c: abs(c.success.diff)), k)
            for k, v in enumerate(comparison.variants) if weight(v) > 0]
    first, *alike = leaders(tops, lambda item: (item[0].success.diff, item[0].success.low, item[0].success.high))
    names = _names(comparison)[1:]
    if alike:
        who = join_words([names[k] for _, k in (first, *alike)])
        return f"{who} move the chance by the horizon most, within noise of each other"
    return f"{names[first[1]]} moves the chance by the horizon most, by up to {weight(best) * 100:.0f} points"


def _dates(results: Results, length: int) -> np.ndarray:
    return np.datetime64(results.start, "D") + np.arange(length).astype("timedelta64[D]")


def _curve(ax: Axes, results: Results, code: str, colour: str, linestyle: Any) -> None:
    try:
        candidate = results.candidate(code)
    except KeyError:
        return
    cdf = np.asarray(candidate.cdf, dtype=float)
    ax.plot(_dates(results, len(cdf)), cdf * 100, color=colour, linestyle=linestyle, linewidth=2.2, zorder=3)
    day = candidate.dates.get("P50")
    if day is not None:
        ax.plot([np.datetime64(day, "D")], [50], marker="o", markersize=7, color=colour,
                markeredgecolor="white", markeredgewidth=1.1, linestyle="none", zorder=5)


def _end_labels(ax: Axes, comparison: Comparison, height: float, drawn: list[int]) -> None:
    """``Argentina 56% → 50%`` just right of the horizon, in the candidate's colour, spread apart."""
    base = comparison.base
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    finals, texts = [], []
    for candidate in (base.candidates[i] for i in drawn):
        values = [candidate.outcomes[base.success].p]
        for variant in comparison.variants:
            try:
                values.append(variant.results.candidate(candidate.code).outcomes[base.success].p)
            except KeyError:
                continue
        finals.append(sum(values) / len(values) * 100)
        name = style.short_name(fig, candidate.name, 10, "bold", room=style.END_ROOM)
        texts.append(f"{name}  " + " → ".join(percent(v) for v in values))
    gap = END_LABEL_GAP * style.SIZES["slide"][1] / height
    ys = style.spread(finals, gap, low=2.0, high=97.0)
    end = mdates.date2num(base.end_date)
    for index, text, y in zip(drawn, texts, ys, strict=True):
        ax.annotate(text, (end, y), xytext=(6, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=10, fontweight="bold", color=style.candidate_style(index)["color"],
                    annotation_clip=False)


def _axes(ax: Axes, results: Results) -> None:
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 20, 40, 50, 60, 80, 100])
    ax.set_ylabel(f"Chance {results.success_words} has begun (%)")
    ax.set_xlabel("Date")
    dates.calendar_axis(ax, results.start, results.end_date)
    ax.axvline(mdates.date2num(results.end_date), color="#444444", linewidth=1.1, zorder=2)


def _legend(ax: Axes, comparison: Comparison) -> None:
    base, *names = _names(comparison)
    handles = [Line2D([], [], color="#333333", linewidth=2.2, linestyle="-", label=f"Base: {base}")]
    for k, name in enumerate(names):
        handles.append(Line2D([], [], color="#333333", linewidth=2.2,
                              linestyle=VARIANT_LINES[k % len(VARIANT_LINES)], label=name))
    handles.append(Line2D([], [], color="#333333", marker="o", markeredgecolor="white", linestyle="none",
                          markersize=7, label="P50 date (even chance)"))
    legend = ax.legend(handles=handles, loc="upper left", handlelength=3.2, frameon=True, framealpha=0.92)
    legend.get_frame().set_linewidth(0)


def _names(comparison: Comparison) -> list[str]:
    """The base's name, then each what-if's, as the legend and the title show them: the scenario
    names, or the file labels where two of those names look the same on the chart."""
    from partnersim.text import distinct_names

    base, variants = comparison.base, comparison.variants
    return distinct_names([_short(base.scenario.name), *(_short(v.results.scenario.name) for v in variants)],
                          [_middle(comparison.base_label), *(_middle(v.label) for v in variants)])


def _short(name: str, limit: int = 60) -> str:
    return cut(name, limit)


def _middle(label: str, limit: int = 60) -> str:
    """A file label on one line, cut in the middle when long: its first folder and its file name tell it apart."""
    label = line(label)
    if len(label) <= limit:
        return label
    half = (limit - 1) // 2
    return label[:half] + "…" + label[-half:]


def _subtitle(comparison: Comparison) -> str:
    what = comparison.base.success_words
    return (f"Share of {comparison.replications:,} simulated futures in which {what} has begun by each date; "
            f"solid: base, dashed: what-if")


# ---- the change per candidate, one dot per what-if -------------------------------------------

WHATIF_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "h")
DOT_BAND = 0.66  # the share of a candidate's row its what-ifs' dots spread over
LABELLED_DOTS = 20  # more dots than this and the numbers beside them would run into each other


def changes_chart(comparison: Comparison, *, size: str = "slide") -> Figure:
    """The change in each candidate's chance of success by the horizon, one dot per what-if with its
    paired 95% interval; hollow when the interval includes zero."""
    base = comparison.base
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        rows, note = _rows(comparison)
        codes = [base.candidates[i].code for i in rows]
        count = len(comparison.variants)
        step = min(0.24, DOT_BAND / max(count, 1))
        labelled = len(rows) * count <= LABELLED_DOTS
        ends: list[float] = [0.0]
        for k, variant in enumerate(comparison.variants):
            colour, marker = _whatif_style(k)
            offset = (k - (count - 1) / 2) * step
            for row, code in enumerate(codes):
                change = next((c.success for c in variant.candidates if c.code == code), None)
                if change is None:
                    continue
                y = row + offset
                ends += [change.low * 100, change.high * 100]
                ax.plot([change.low * 100, change.high * 100], [y, y], color=colour, linewidth=2.0,
                        solid_capstyle="butt", zorder=3)
                ax.plot([change.diff * 100], [y], marker=marker, markersize=8, linestyle="none", zorder=4,
                        color=colour, markerfacecolor=colour if change.distinguishable else "white",
                        markeredgecolor=colour, markeredgewidth=1.6)
                if labelled and not change.identical:
                    # Beyond the end of the line away from zero, so that a row's labels part as its dots do.
                    right = change.diff >= 0
                    end = max(change.high, change.diff) if right else min(change.low, change.diff)
                    ax.annotate(points(change.diff), (end * 100, y), xytext=(8 if right else -8, 0),
                                textcoords="offset points", ha="left" if right else "right", va="center",
                                fontsize=9, color="#333333")
        ax.axvline(0, color="#222222", linewidth=1.1, zorder=2)
        style.candidate_rows(ax, [base.candidates[i].name for i in rows])
        low, high = min(ends), max(ends)
        pad = max(0.5, (high - low) * 0.08)
        room = 2.5 if labelled else 1.0  # for the numbers beside the lines
        ax.set_xlim(low - pad * (room if low < 0 else 1.0), high + pad * room)
        ax.set_xlabel(f"Change by {style.day_month_year(base.end_date)}, in percentage points (what-if minus base)")
        style.light_grid(ax, "x")
        style.title(fig, changes_finding(comparison), style.with_note(note, _changes_subtitle(comparison)))
        _changes_legend(fig, ax, comparison)
        style.footer(fig, base, "every scenario on the same seed (paired)")
    return fig


def _whatif_style(k: int) -> tuple[str, str]:
    return style.CANDIDATE_COLOURS[k % len(style.CANDIDATE_COLOURS)], WHATIF_MARKERS[k % len(WHATIF_MARKERS)]


def _rows(comparison: Comparison) -> tuple[list[int], str]:
    """The candidates the chart has room for, one row each: those the what-ifs move most."""
    base = comparison.base
    moved: dict[str, float] = {}
    for variant in comparison.variants:
        for change in variant.candidates:
            moved[change.code] = max(moved.get(change.code, 0.0), abs(change.success.diff))
    shown, note = style.room_for(base, style.MOST_ROWS, rank=lambda c: -moved.get(c.code, 0.0),
                                 ranked="those whose chance the what-ifs move most")
    chosen = {id(c) for c in shown.candidates}
    return [i for i, c in enumerate(base.candidates) if id(c) in chosen], note


def changes_finding(comparison: Comparison) -> str:
    """The title: the largest change beyond noise, naming its candidate and its what-if; else that there is none."""
    what = comparison.base.success_words
    by = style.month_year(comparison.base.end_date)
    names = _names(comparison)[1:]
    real = [(abs(c.success.diff), k, c) for k, v in enumerate(comparison.variants) for c in v.candidates
            if c.success.distinguishable]
    if not real:
        return f"No what-if moves the chance of {what} by {by} beyond the simulation's noise"
    (_, k, top), *alike = leaders(real, lambda item: (item[2].success.diff, item[2].success.low,
                                                      item[2].success.high))
    if alike:  # the largest cannot be told apart from these: named together
        group = [(j, c) for _, j, c in [(0, k, top), *alike]]
        if all(j == k for j, _ in group):  # one what-if: named once
            who = join_words([_plain(c.name) for _, c in group][:4])
            return (f"Largest changes, within noise of each other, with “{names[k]}”: {who}, "
                    f"about {points(top.success.diff)} points by {by}")
        who = join_words([f"{_plain(c.name)} with “{names[j]}”" for j, c in group][:3])
        return f"Largest changes, within noise of each other: {who}, about {points(top.success.diff)} points by {by}"
    return f"Largest change: {_plain(top.name)} {points(top.success.diff)} points by {by} with “{names[k]}”"


def _changes_subtitle(comparison: Comparison) -> str:
    changes = [c.success for v in comparison.variants for c in v.candidates]
    beyond = sum(c.distinguishable for c in changes)
    return (f"Change in the chance of {comparison.base.success_words}, each what-if against "
            f"{_names(comparison)[0]}, over {comparison.replications:,} paired simulated futures; the line is its "
            f"paired 95% interval; {beyond} of {len(changes)} changes are beyond noise")


def _changes_legend(fig: Figure, ax: Axes, comparison: Comparison) -> None:
    """Across the foot of the chart, so that it covers no dot: each what-if, then what a hollow dot means."""
    names = _names(comparison)[1:]
    size = 10.0
    # As many columns as let every name be read whole; one column when even two would cut one.
    ncols = next((n for n in (len(names) + 1, 3, 2) if n <= len(names) + 1 and all(
        style.measure(fig, name, size) <= style.legend_room(fig, n, size, 2.0) for name in names)), 1)
    handles, labels = [], []
    for k, name in enumerate(names):
        colour, marker = _whatif_style(k)
        handles.append(Line2D([], [], color=colour, marker=marker, markersize=7, linewidth=2.0))
        labels.append(style.shorten(fig, name, style.legend_room(fig, ncols, size, 2.0), size))
    handles.append(Line2D([], [], color=style.GREY, marker="o", markersize=7, markerfacecolor="white",
                          linestyle="none"))
    labels.append("hollow: the interval includes zero (within noise)")
    style.legend_below(fig, ax, handles, labels, ncols=ncols, fontsize=size, handlelength=2.0)
