"""When cooperation starts: a histogram per candidate of the date it begins.

Drawn from the differences of ``CandidateResult.cdf``: the share of all
replications in which cooperation starts in each quarter (each month on
horizons under three years). One panel per candidate, on one calendar axis
and one vertical scale, so both when and how likely compare at a glance; the
chance by the horizon, with its interval, is written beside each panel.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from partnersim.charts import dates, style
from partnersim.results.text import interval
from partnersim.stats import Z95, wilson
from partnersim.text import join_words, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.summary import CandidateResult, Results

QUARTERLY_FROM = 3 * 365  # horizons at least this long (days) are binned by quarter


def start_date_chart(results: Results, *, size: str = "slide") -> Figure:
    """Histogram of the date cooperation starts, one panel per candidate."""
    edges = bin_edges(results.start, results.end_date)
    drawn, note = style.room_for(results, style.MOST_PANELS, keep=_earliest(results))
    shares = [bin_shares(c, results.start, edges) for c in drawn.candidates]
    top = max([float(s.max()) for s in shares if s.size] + [0.0])
    with style.context():
        fig = style.new_figure(size)
        axes = fig.subplots(len(drawn.candidates), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        for index, (ax, candidate) in enumerate(zip(axes, drawn.candidates, strict=True)):
            _panel(ax, drawn, candidate, index, edges, shares[index])
        _scale(axes, results, top)
        style.title(fig, finding(results), style.with_note(note, _subtitle(results, edges, shares)))
        style.footer(fig, results)
    return fig


def bin_edges(start: dt.date, end: dt.date) -> list[dt.date]:
    """Calendar quarters (or months) covering ``[start, end]``; the first and last may be partial."""
    step = 3 if (end - start).days >= QUARTERLY_FROM else 1
    month = (start.month - 1) // step * step + 1
    edges = [start]
    current = dt.date(start.year, month, 1)
    while True:
        month = current.month + step
        current = dt.date(current.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        if current > end:
            break
        edges.append(current)
    edges.append(end + dt.timedelta(days=1))
    return edges


def unit(edges: list[dt.date]) -> str:
    if len(edges) < 3:
        return "month"
    days = (edges[2] - edges[1]).days
    return "quarter" if days > 40 else "month"


def bin_shares(candidate: CandidateResult, start: dt.date, edges: list[dt.date]) -> np.ndarray:
    """Share of all replications in which cooperation starts within each bin."""
    cdf = np.concatenate([[0.0], np.asarray(candidate.cdf, dtype=float)])  # cdf[d + 1] = P(by day d)
    last = len(cdf) - 1
    cut = [min(max((e - start).days, 0), last) for e in edges]
    return np.array([cdf[b] - cdf[a] for a, b in zip(cut, cut[1:], strict=False)])


def middle_half(candidate: CandidateResult, start: dt.date) -> tuple[dt.date, dt.date] | None:
    """The dates between which the middle half of the candidate's cooperation starts fall."""
    cdf = np.asarray(candidate.cdf, dtype=float)
    if not len(cdf) or cdf[-1] <= 0:
        return None
    share = cdf / cdf[-1]
    first = int(np.searchsorted(share, 0.25 - 1e-12))
    third = int(np.searchsorted(share, 0.75 - 1e-12))
    return start + dt.timedelta(days=first), start + dt.timedelta(days=third)


def finding(results: Results) -> str:
    """The title: whose cooperation starts earliest (several, when that is within noise), and when most of the
    first one's starts fall."""
    what = results.success_words
    earliest = _earliest(results)
    if not earliest:
        by = style.day_month_year(results.end_date)
        return f"No candidate reaches {what} by {by} in any replication"
    candidate = results.candidates[earliest[0]]
    span = middle_half(candidate, results.start)
    assert span is not None
    between = _between(*span)
    if len(results.candidates) == 1:
        return f"{candidate.name}: half of the futures with {what} see it start {between}"
    if len(earliest) > 1:
        names = join_words([results.candidates[i].name for i in earliest])
        return (f"{what[:1].upper() + what[1:]} starts about as early for {names} (within noise); half of "
                f"{candidate.name}'s starts fall {between}")
    return f"{candidate.name}'s {what} starts earliest: half of its starts fall {between}"


def median_start(candidate: CandidateResult, n: int) -> tuple[int, int, int] | None:
    """Days from the start to the median start among the futures with success, and its 95% interval (the order
    statistics at ranks m/2 ± 1.96·√m/2 of the m starts); None without a start."""
    counts = np.rint(np.asarray(candidate.cdf, dtype=float) * n)
    m = float(counts[-1]) if len(counts) else 0.0
    if m <= 0:
        return None
    spread = Z95 * math.sqrt(m) / 2

    def day(rank: float) -> int:
        return int(np.searchsorted(counts, min(max(rank, 1.0), m) - 1e-9))

    return day(m / 2), day(m / 2 - spread), day(m / 2 + spread)


def _earliest(results: Results) -> list[int]:
    """The candidate whose median start comes first, then any whose median start cannot be told from it (the two
    intervals overlap); none when nobody starts."""
    medians = [(found, i) for i, c in enumerate(results.candidates)
               if (found := median_start(c, results.replications)) is not None]
    if not medians:
        return []
    medians.sort()
    (_, _, late), first = medians[0]
    return [first] + [i for (_, early, _), i in medians[1:] if early <= late]


def _between(first: dt.date, third: dt.date) -> str:
    if style.month_year(first) == style.month_year(third):
        return f"in {style.month_year(first)}"
    return f"between {style.month_year(first)} and {style.month_year(third)}"


def _panel(ax: Axes, results: Results, candidate: CandidateResult, index: int, edges: list[dt.date],
           shares: np.ndarray) -> None:
    look = style.candidate_style(index)
    left = mdates.date2num(edges[:-1])
    width = np.diff(mdates.date2num(edges))
    ax.bar(left, shares * 100, width=width, align="edge", color=look["color"], edgecolor="white",
           linewidth=0.6, zorder=3)
    # The name where a bar chart puts its categories; the bars need no scale of their own,
    # as the highest one carries its number and every panel shares the same heights.
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    ax.set_ylabel(style.short_name(fig, candidate.name, 11.5), rotation=0, ha="right", va="center", fontsize=11.5,
                  color="#222222", labelpad=8)
    if shares.size and shares.max() > 0:
        peak = int(np.argmax(shares))
        ax.annotate(percent(float(shares[peak])), (left[peak] + width[peak] / 2, shares[peak] * 100),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=9,
                    fontweight="bold", color=look["color"], zorder=5)
    total = candidate.outcomes[results.success]
    ax.annotate(f"{interval(total)}\nby {style.month_year(results.end_date)}", (1.0, 0.35),
                xycoords="axes fraction", xytext=(8, 0), textcoords="offset points", ha="left", va="center",
                fontsize=9.5, color=look["color"], fontweight="bold", linespacing=1.1, annotation_clip=False)
    ax.spines["left"].set_visible(False)
    ax.set_yticks([])


def _scale(axes: np.ndarray, results: Results, top: float) -> None:
    for ax in axes:
        ax.set_ylim(0, max(top * 100, 0.1) * 1.32)  # room for the number above the highest bar
    dates.calendar_axis(axes[-1], results.start, results.end_date)
    for ax in axes[:-1]:
        ax.tick_params(axis="x", which="both", length=0)
        style.light_grid(ax, "x")
    axes[-1].set_xlabel(f"Date {results.success_words} starts")


def _subtitle(results: Results, edges: list[dt.date], shares: list[np.ndarray]) -> str:
    n = results.replications
    margin = max(
        (max(p - wilson(round(p * n), n)[0], wilson(round(p * n), n)[1] - p) for s in shares for p in s),
        default=0.0,
    )
    return (f"Share of {n:,} simulated futures in which {results.success_words} starts in each "
            f"{unit(edges)} (the highest bar is numbered; 95% intervals within ±{margin * 100:.1f} points). "
            f"At right: the chance by the horizon")
