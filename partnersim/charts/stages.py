"""Where the time goes: the mean time a case spends in each stage, per candidate.

One horizontal bar per candidate, split into the stages of the process in
order; each segment is the mean number of months spent in that stage by the
cases that entered it (time after the horizon is not counted), with the share
of replications that entered it beneath. Stage colours and hatches are the
same as on the timeline chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from partnersim.charts import style
from partnersim.text import percent
from partnersim.values.durations import DAYS_PER_MONTH

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

    from partnersim.results.rows import Rows
    from partnersim.results.summary import CandidateResult, Results, StageTime

BAR_HEIGHT = 0.62
CUT_NOTED = 0.05  # the share of cases cut by the horizon from which a title says the mean is cut short
SHARE_ROWS = 6  # with more bars, each is too thin for its share beneath the number, which is left out


def stage_time_chart(results: Results, *, size: str = "slide", rows: Rows | None = None) -> Figure:
    """Mean months per stage per candidate, with the share of cases that entered each stage."""
    stages = stage_order(results)
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        drawn, note = style.room_for(results, style.MOST_ROWS)
        widest, labels = _draw(ax, drawn, stages, len(drawn.candidates) <= SHARE_ROWS)
        _axes(ax, drawn, widest)
        shares = len(drawn.candidates) <= SHARE_ROWS
        style.title(fig, finding(results), style.with_note(note, _subtitle(results, rows, shares)))
        style.footer(fig, results)
        handles = [
            Patch(facecolor=style.stage_style(i)["color"], hatch=style.stage_style(i)["hatch"],
                  edgecolor="white", label=style.short_name(fig, label, 10.5))
            for i, (_, label) in enumerate(stages)
        ]
        style.top_legend(fig, ax, handles)
        _fit_labels(fig, ax, labels)
    return fig


def stage_order(results: Results) -> list[tuple[str, str]]:
    """The stages of the process, in order, as (name, label)."""
    seen: dict[str, str] = {}
    for candidate in results.candidates:
        for stage in candidate.stages:
            seen.setdefault(stage.stage, stage.label)
    return list(seen.items())


def months(stage: StageTime) -> float:
    return 0.0 if stage.entered == 0 or np.isnan(stage.mean_days) else stage.mean_days / DAYS_PER_MONTH


def finding(results: Results) -> str:
    """The title: which stage takes longest, for whom, and how long on average; and, where many cases are still in
    it at the horizon, that the average counts their time only up to then."""
    longest = []
    for candidate in results.candidates:
        entered = [s for s in candidate.stages if s.entered > 0 and not np.isnan(s.mean_days)]
        if entered:
            top = max(entered, key=months)
            longest.append((top.label, months(top), candidate.name, cut(candidate, top)))
    if not longest:
        return "No case entered any stage of the process"
    labels = [label for label, _, _, _ in longest]
    label = max(set(labels), key=labels.count)
    values = [m for lab, m, _, _ in longest if lab == label]
    span = _months_span(values)
    if len(results.candidates) == 1:
        text = f"{label} takes longest for {longest[0][2]}: {span} on average"
    elif labels.count(label) == len(results.candidates):
        text = f"{label} takes longest for every candidate: {span} on average"
    else:
        text = f"{label} takes longest for {labels.count(label)} of {len(results.candidates)} candidates: {span}"
    still = max(share for lab, _, _, share in longest if lab == label)
    if still >= CUT_NOTED:
        text += (f", counting time up to {style.day_month_year(results.end_date)} only (up to {percent(still)} "
                 f"of the cases in it are still there then)")
    return text


def cut(candidate: CandidateResult, stage: StageTime) -> float:
    """The share of the cases that entered ``stage`` still in it at the horizon: their time there is cut short."""
    return min(1.0, candidate.pending_at.get(stage.stage, 0.0) / stage.entered) if stage.entered else 0.0


def _months_span(values: list[float]) -> str:
    low, high = f"{min(values):.0f}", f"{max(values):.0f}"
    return f"{low} months" if low == high else f"{low}–{high} months"


def _draw(ax: Axes, results: Results, stages: list[tuple[str, str]], shares: bool = True
          ) -> tuple[float, list[_Label]]:
    y = np.arange(len(results.candidates))
    left = np.zeros(len(y))
    widths = np.array([[months(_stage(c.stages, name)) for name, _ in stages] for c in results.candidates])
    widest = float(widths.sum(axis=1).max()) if widths.size else 0.0
    labels: list[_Label] = []
    for k, (name, _) in enumerate(stages):
        look = style.stage_style(k)
        ax.barh(y, widths[:, k], left=left, height=BAR_HEIGHT, color=look["color"], hatch=look["hatch"],
                edgecolor="white", linewidth=1.0)
        for yi, candidate in enumerate(results.candidates):
            width = widths[yi, k]
            if widest and width > 0:
                labels += _segment_label(ax, left[yi], yi, width, _stage(candidate.stages, name), look, shares)
        left += widths[:, k]
    return widest, labels


def _stage(stages: list[StageTime], name: str) -> StageTime:
    from partnersim.results.summary import StageTime

    return next((s for s in stages if s.stage == name), StageTime(stage=name, label=name, entered=0.0, mean_days=float("nan")))


@dataclass
class _Label:
    text: Text
    left: float  # the segment, in months
    right: float
    choices: list[str]  # longest first; the first that fits the segment is kept


def _segment_label(ax: Axes, left: float, y: float, width: float, stage: StageTime, look: dict[str, str],
                   shares: bool = True) -> list[_Label]:
    backing = None if not look["hatch"] else {"boxstyle": "round,pad=0.15", "facecolor": look["color"],
                                              "edgecolor": "none"}
    colour = style.ink(look["color"])
    x = left + width / 2
    number = f"{width:.1f}" if width < 10 else f"{width:.0f}"
    share = percent(stage.entered)
    main = ax.text(x, y - 0.07 if shares else y, f"{number} mo", ha="center", va="center", fontsize=10.5,
                   fontweight="bold", color=colour, bbox=backing)
    if not shares:
        return [_Label(main, left, left + width, [f"{number} mo", number])]
    note = ax.text(x, y + 0.19, f"reached in {share}", ha="center", va="center", fontsize=8, color=colour,
                   bbox=backing)
    return [_Label(main, left, left + width, [f"{number} mo", number]),
            _Label(note, left, left + width, [f"reached in {share}", share])]


def _fit_labels(fig: Figure, ax: Axes, labels: list[_Label]) -> None:
    """Shorten each segment's text until it fits inside the segment, or drop it."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for label in labels:
        x0, x1 = (ax.transData.transform((v, 0))[0] for v in (label.left, label.right))
        room = (x1 - x0) - 6
        for choice in label.choices:
            label.text.set_text(choice)
            if label.text.get_window_extent(renderer).width <= room:
                break
        else:
            label.text.remove()


def _axes(ax: Axes, results: Results, widest: float) -> None:
    style.candidate_rows(ax, [c.name for c in results.candidates])
    ax.set_xlim(0, max(widest * 1.02, 1.0))
    ax.set_xlabel("Mean time in a stage, for the cases that entered it (months)")
    style.light_grid(ax, "x")


def _subtitle(results: Results, rows: Rows | None, shares: bool = True) -> str:
    reached = "; beneath each number, the share of futures in which the case reached that stage" if shares else ""
    text = f"Over {results.replications:,} simulated futures{reached}. Time after the horizon is not counted"
    if rows is not None and rows.stage_margin:
        margin = max(rows.stage_margin.values()) / DAYS_PER_MONTH
        text += f"; 95% intervals within ±{margin:.1f} months"
    return text
