"""The outcome chart: how each candidate's case ends by the horizon.

One horizontal bar per candidate, split into the outcomes (success first),
with the 95% interval of the success share as a whisker; the title states
which candidate is most likely to succeed, or that several cannot be told
apart at this number of replications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch

from partnersim.charts import style
from partnersim.charts.labels import outcome_label
from partnersim.text import join_words, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.summary import CandidateResult, Results

T = TypeVar("T")

LEGEND_LABELS = {"rejected": "Rejected (veto)", "pending": "Pending at the horizon"}
NUMBER_WORDS = {4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
BAR_HEIGHT = 0.62
LABEL_MIN_SHARE = 0.065  # narrower segments (or what the whisker leaves of them) carry no number


def outcome_chart(results: Results, *, size: str = "slide") -> Figure:
    """Outcome probabilities per candidate by the horizon, with 95% intervals."""
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        shown = _shown_outcomes(results)
        drawn, note = style.room_for(results, style.MOST_ROWS)
        _draw_bars(ax, drawn, shown)
        _draw_whiskers(ax, drawn)
        _label_axes(ax, drawn)
        style.title(fig, finding(results), style.with_note(note, _subtitle(results, shown)))
        style.footer(fig, results)
        _legend(fig, ax, results, shown)
    return fig


def finding(results: Results) -> str:
    """The title: who is most likely to succeed by the horizon, and how likely."""
    what = results.success_words
    by = style.day_month_year(results.end_date)
    candidates = results.candidates
    shares = [c.outcomes[results.success] for c in candidates]
    if all(e.count == 0 for e in shares):
        if len(candidates) == 1:
            return f"{candidates[0].name} does not reach {what} by {by} in any replication"
        return f"No candidate reaches {what} by {by} in any replication"
    if len(candidates) == 1:
        return f"{candidates[0].name} has a {percent(shares[0].p)} chance of {what} by {by}"
    best = max(range(len(candidates)), key=lambda i: shares[i].p)
    # Candidates whose interval reaches the leader's cannot be told apart from it.
    leaders = [i for i in range(len(candidates)) if shares[i].high >= shares[best].low]
    leaders.sort(key=lambda i: -shares[i].p)
    if len(leaders) == 1:
        return (f"{candidates[best].name} is most likely to reach {what} by {by} "
                f"({percent(shares[best].p)})")
    span = _span([shares[i].p for i in leaders])
    if len(leaders) == len(candidates):
        return f"All candidates have about the same chance of {what} by {by} ({span})"
    if len(leaders) <= 3:
        names = join_words([candidates[i].name for i in leaders])
        return f"{names} are about equally likely to reach {what} by {by} ({span})"
    count = NUMBER_WORDS.get(len(leaders), str(len(leaders)))
    return f"{count.capitalize()} candidates are about equally likely to reach {what} by {by} ({span})"


def _span(ps: list[float]) -> str:
    low, high = percent(min(ps)), percent(max(ps))
    return low if low == high else f"{low.rstrip('%')}–{high}"


def _shown_outcomes(results: Results) -> list[str]:
    """Outcomes seen in at least one replication of one candidate (success always; pending only when seen)."""
    return [o for o in results.seen_outcomes if o != "pending" or any(c.outcomes[o].count for c in results.candidates)]


def _draw_bars(ax: Axes, results: Results, shown: list[str]) -> None:
    y = np.arange(len(results.candidates))
    left = np.zeros(len(y))
    whiskers = [_whisker_span(c, results.success) for c in results.candidates]
    for outcome in shown:
        share = np.array([c.outcomes[outcome].p for c in results.candidates]) * 100
        look = style.outcome_style(outcome)
        ax.barh(y, share, left=left, height=BAR_HEIGHT, color=look["color"], hatch=look["hatch"],
                edgecolor="white", linewidth=1.0)
        for yi, (x0, w) in enumerate(zip(left, share, strict=True)):
            a, b = _free_part(x0, x0 + w, whiskers[yi])
            if b - a >= LABEL_MIN_SHARE * 100:
                _segment_label(ax, (a + b) / 2, yi, w / 100, look["color"], hatched=bool(look["hatch"]))
        left += share


def _whisker_span(candidate: CandidateResult, success: str) -> tuple[float, float]:
    """Where the whisker of a bar lies (percent, with room for its caps)."""
    e = candidate.outcomes[success]
    return (e.low * 100 - 0.8, e.high * 100 + 0.8) if e.count else (0.0, 0.0)


def _free_part(start: float, end: float, whisker: tuple[float, float]) -> tuple[float, float]:
    """The longest part of a segment that the whisker does not cross, so a number never sits on it."""
    parts = [(start, min(end, whisker[0])), (max(start, whisker[1]), end)]
    return max(parts, key=lambda part: part[1] - part[0])


def _segment_label(ax: Axes, x: float, y: float, p: float, colour: str, hatched: bool) -> None:
    ax.text(x, y, percent(p), ha="center", va="center", fontsize=11, fontweight="bold",
            color=style.ink(colour),
            # a plain backing keeps the number readable over a hatch
            bbox=None if not hatched else {"boxstyle": "round,pad=0.15", "facecolor": colour,
                                           "edgecolor": "none"})


def _draw_whiskers(ax: Axes, results: Results) -> None:
    for yi, c in enumerate(results.candidates):
        e = c.outcomes[results.success]
        if e.count == 0:
            continue  # nothing to bracket; the interval is written at the right
        below, above = max(0.0, e.p - e.low) * 100, max(0.0, e.high - e.p) * 100  # rounding can go below 0
        bars = ax.errorbar(e.p * 100, yi, xerr=[[below], [above]],
                           fmt="none", ecolor="#111111", elinewidth=1.6, capsize=5, capthick=1.6, zorder=4)
        # A white halo keeps the whisker visible on any fill, in colour or in greyscale.
        halo: list[patheffects.AbstractPathEffect] = [patheffects.withStroke(linewidth=3.2, foreground="white")]
        for artist in bars.lines[1] + tuple(bars.lines[2]):
            artist.set_path_effects(halo)


def _label_axes(ax: Axes, results: Results) -> None:
    style.candidate_rows(ax, [c.name for c in results.candidates])
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(f"Probability by {style.day_month_year(results.end_date)} (%)")
    right = ax.secondary_yaxis("right")
    right.set_yticks(range(len(results.candidates)), [_interval_text(c, results.success) for c in results.candidates])
    right.tick_params(length=0, labelsize=10.5, colors=style.GREY)
    right.spines["right"].set_visible(False)  # what the figures at the right are, the subtitle says


def _interval_text(candidate: CandidateResult, success: str) -> str:
    """``56–60%``; one decimal near 0 and 100, where whole percents would read ``0–0%``."""
    e = candidate.outcomes[success]
    return f"{_bound(e.low)}–{_bound(e.high)}%"


def _bound(p: float) -> str:
    value = p * 100
    if value == 0 or value == 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value < 1 or value > 99 else f"{value:.0f}"


def _legend(fig: Figure, ax: Axes, results: Results, shown: list[str]) -> None:
    """Above the bars, in the order of the segments: one row if it fits the slide, else two."""
    handles = [
        Patch(facecolor=style.outcome_style(o)["color"], hatch=style.outcome_style(o)["hatch"],
              edgecolor="white", label=LEGEND_LABELS.get(o) or outcome_label(results, o, short=True))
        for o in shown
    ]
    legend = _place_legend(ax, handles, len(handles))
    engine = fig.get_layout_engine()
    if engine is None:
        return
    engine.execute(fig)
    right = fig.bbox.width - style.MARGIN * fig.dpi
    if legend.get_window_extent(fig.canvas.get_renderer()).x1 <= right:  # type: ignore[attr-defined]
        return
    legend.remove()
    ncols = (len(handles) + 1) // 2
    _place_legend(ax, _row_major(handles, ncols), ncols)


def _place_legend(ax: Axes, handles: list[Patch], ncols: int) -> Legend:
    return ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols,
                     borderaxespad=0.0, handlelength=2.0, handleheight=1.2, columnspacing=1.4)


def _row_major(items: list[T], ncols: int) -> list[T]:
    """Order ``items`` so that a legend, which fills columns first, reads row by row."""
    rows = -(-len(items) // ncols)
    return [items[r * ncols + c] for c in range(ncols) for r in range(rows) if r * ncols + c < len(items)]


def _subtitle(results: Results, shown: list[str]) -> str:
    shares = [e.p for c in results.candidates for e in c.outcomes.values()]
    margin = style.widest_margin(shares, results.replications) * 100
    text = (f"How the case ends in {results.replications:,} simulated futures; "
            f"whisker and figures at the right: 95% interval of {results.success_words}; every share within "
            f"±{margin:.1f} points")
    unseen = [outcome_label(results, o, short=True).lower() for o in results.outcome_names if o not in shown]
    if unseen:
        text += f". Never seen: {join_words(unseen)}"
    return text
