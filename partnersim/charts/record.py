"""Charts of the scoreboard: calibration (PIT, reliability), skill with intervals, forecasts over time.

Every title says only what the numbers support: a skill is called better or
worse than its baseline only where its interval excludes zero.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from partnersim.charts import style
from partnersim.scenario.rosters import NATO_2024
from partnersim.stats import MIN_CLUSTERS, cluster_bootstrap, cluster_weights
from partnersim.text import signed_percent
from partnersim.values.durations import add_days

if TYPE_CHECKING:
    from partnersim.history.board import Board
    from partnersim.history.scores import Skill

MODEL = style.OKABE_ITO["blue"]
REAL = style.OKABE_ITO["vermillion"]
GREY = "#8A8A8A"
def skill_rows(board: Board) -> list[tuple[str, str]]:
    """Each score a skill is measured on, with its label: the date's CRPS, then the Brier questions."""
    months = sorted({int(key.split("/")[0][len("brier"):]) for key in board.skills if key.startswith("brier")})
    return [("crps", "Membership date (CRPS)")] + [(f"brier{m}", f"Member within {m} months (Brier)")
                                                     for m in months]


def footer_text(board: Board) -> str:
    return (f"{len(board.scored)} forecasts of {len(board.cases)} cases in {len(board.rounds)} rounds · "
            f"{board.replications:,} futures each · seed {board.seed} · fitted on {RULES[board.rule]} · "
            f"holds lifted {board.lifted:g}")


RULES = {"others": "the other rounds", "earlier": "the rounds ended before each forecast"}


def pit_chart(board: Board, *, size: str = "slide") -> Figure:
    """Where each real membership date fell among its forecast's futures, pooled, each round weighing one."""
    rounds = [s.round for s in board.scored]
    weights = cluster_weights(rounds)
    bins = 10
    index = np.clip((np.array([s.pit for s in board.scored]) * bins).astype(int), 0, bins - 1)
    heights = np.bincount(index, weights=weights, minlength=bins)
    expected = len(set(rounds)) / bins
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        edges = np.linspace(0, 100, bins + 1)
        ax.bar(edges[:-1], heights, width=100 / bins, align="edge", color=MODEL, edgecolor="white", zorder=2)
        ax.axhline(expected, color=GREY, linestyle="--", linewidth=1.2, zorder=3)
        ax.annotate("calibrated: as much in each bin", (100, expected), xytext=(-4, 4), textcoords="offset points",
                    ha="right", fontsize=9.5, color=GREY)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Percentile of the real membership date among the forecast's futures")
        ax.set_ylabel("Rounds (a round's forecasts share one)")
        style.light_grid(ax, "y")
        style.title(fig, pit_finding(board),
                    "PIT histogram: the real date's percentile among each forecast's simulated dates; the forecasts "
                    "of one round (cases that share their dates) weigh one round together")
        style.footer(fig, text=footer_text(board))
    return fig


def pit_finding(board: Board) -> str:
    """Whether the real dates lean early or late among the futures, beyond noise (rounds resampled)."""
    value, low, high = cluster_bootstrap([float(s.pit < 0.5) for s in board.scored], [s.round for s in board.scored],
                                         seed=board.seed)
    said = f"{value:.0%} of real dates (rounds weighed alike; 95%: {low:.0%}–{high:.0%})"
    if len(set(s.round for s in board.scored)) < MIN_CLUSTERS:
        return f"Too few rounds to judge a lean: {said} fell in the earlier half of the futures"
    if low > 0.5:
        return f"Real dates came early: {said} fell in the earlier half of the futures"
    if high < 0.5:
        return f"Real dates came late: {said} fell in the later half of the futures"
    return f"No lean beyond noise: {said} fell in the earlier half of the futures"


def reliability_points(board: Board, bins: int = 5) -> list[tuple[float, float, float, float, int, int]]:
    """For each bin of partnersim's probabilities for 'a member within 6, 12, 24 months?' (pooled): the mean
    probability, the share that happened with its 95% interval from resampling rounds (each round weighing the
    same: the cases of one round share their dates), the number of questions and of rounds."""
    asked = [(p, happened, s.round) for s in board.scored for m in s.brier for p, happened in [s.brier[m]["partnersim"]]]
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize([p for p, _, _ in asked], edges[1:-1]), 0, bins - 1)
    points = []
    for b in range(bins):
        inside = [item for item, i in zip(asked, index, strict=True) if i == b]
        if not inside:
            continue
        rounds = [r for _, _, r in inside]
        p, _, _ = cluster_bootstrap([q for q, _, _ in inside], rounds, seed=board.seed)
        share, low, high = cluster_bootstrap([float(h) for _, h, _ in inside], rounds, seed=board.seed)
        points.append((p, share, low, high, len(inside), len(set(rounds))))
    return points


def reliability_chart(board: Board, *, size: str = "slide") -> Figure:
    """Forecast probability against how often it happened, for the 'member within 6/12/24 months' questions."""
    points = reliability_points(board)
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        ax.plot([0, 100], [0, 100], color=GREY, linestyle="--", linewidth=1.2, zorder=1)
        for p, share, low, high, count, rounds in points:
            judged = rounds >= MIN_CLUSTERS
            ax.errorbar(p * 100, share * 100, yerr=[[(share - low) * 100], [(high - share) * 100]] if judged else None,
                        fmt="o" if judged else "o", color=MODEL if judged else GREY, markersize=7, capsize=3,
                        zorder=3)
            ax.annotate(f"{count} ({rounds} round{'s' if rounds != 1 else ''})", (p * 100, share * 100),
                        xytext=(7, -3), textcoords="offset points", fontsize=9, color=GREY)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.set_xlabel("partnersim's probability (binned)")
        ax.set_ylabel("Share that happened")
        style.light_grid(ax, "both")
        style.title(fig, reliability_finding(points),
                    "'Member within 6, 12 and 24 months?' pooled; each round weighs the same; bars: 95% intervals "
                    f"from resampling rounds; grey: fewer than {MIN_CLUSTERS} rounds; numbers: questions (rounds)")
        style.footer(fig, text=footer_text(board))
    return fig


def reliability_finding(points: list[tuple[float, float, float, float, int, int]]) -> str:
    judged = [point for point in points if point[5] >= MIN_CLUSTERS]
    off = [point for point in judged if not point[2] <= point[0] <= point[3]]
    if not judged:
        return "Reliability: too few rounds in any bin to judge"
    if not off:
        return f"Reliability: in each of the {len(judged)} bins with enough rounds, no gap beyond noise"
    said = "; ".join(f"forecast {p:.0%}, happened {share:.0%}" for p, share, *_ in off)
    if all(share > p for p, share, *_ in off):
        lead = "Membership came more often than forecast"
    elif all(share < p for p, share, *_ in off):
        lead = "Membership came less often than forecast"
    else:
        lead = "Off the diagonal"
    if len(off) == 1:
        return f"{lead} in 1 of {len(judged)} probability bins, beyond noise ({said})"
    return f"{lead} in {len(off)} of {len(judged)} probability bins, beyond noise"


def skill_chart(board: Board, *, size: str = "slide") -> Figure:
    """Skill against each baseline with 95% intervals: above zero, partnersim scored better."""
    rows = [(key, label, baseline) for key, label in skill_rows(board) for baseline in ("climatology", "naive")]
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        for index, (key, _, baseline) in enumerate(rows):
            s = board.skills[f"{key}/{baseline}"]
            y = len(rows) - 1 - index
            colour = MODEL if baseline == "climatology" else style.OKABE_ITO["orange"]
            if np.isfinite(s.value):
                colour = colour if s.judged else GREY
                ax.plot([s.low * 100, s.high * 100], [y, y], color=colour, linewidth=2, zorder=2)
                ax.plot(s.value * 100, y, "o", color=colour, markersize=8, zorder=3)
            else:
                ax.annotate("n/a: the baseline scored perfectly", (0, y), xytext=(6, 0), textcoords="offset points",
                            va="center", fontsize=9.5, color=GREY)
        ax.axvline(0, color="#333333", linewidth=1)
        ax.set_yticks(range(len(rows)), [f"{label} vs {baseline}" for _, label, baseline in reversed(rows)])
        ax.set_xlabel("Skill, % (above 0: partnersim better)")
        style.light_grid(ax, "x")
        crps = board.skills["crps/climatology"]
        style.title(fig, skill_finding(crps, "climatology"),
                    "Skill = 1 − partnersim's mean score ÷ the baseline's; each round weighs the same; "
                    "lines: 95% intervals from resampling rounds")
        style.footer(fig, text=footer_text(board))
    return fig


def skill_finding(s: Skill, baseline: str) -> str:
    """The skill against ``baseline`` in words: better or worse only where its interval excludes zero."""
    value, interval = signed_percent(s.value), f"(95%: {signed_percent(s.low)} to {signed_percent(s.high)})"
    if not np.isfinite(s.value):
        return f"No skill could be measured against {baseline}"
    if not s.judged:
        return f"Too few rounds ({s.rounds}) to judge partnersim's date forecasts against {baseline}: skill {value}"
    if s.low > 0:
        return f"partnersim's date forecasts beat {baseline}: skill {value} {interval}"
    if s.high < 0:
        return f"partnersim's date forecasts scored worse than {baseline}: skill {value} {interval}"
    return f"partnersim's date forecasts are not distinguishable from {baseline}: skill {value} {interval}"


def forecasts_chart(board: Board, *, size: str = "page") -> Figure:
    """Each case's forecast of its membership date as of each day, against the day it happened.

    Cases of one round that share their dates are drawn in one panel (their forecasts differ only by the
    simulation's noise); the first is drawn.
    """
    from matplotlib import dates as mdates

    groups: dict[tuple[str, int], list[str]] = {}
    for s in board.scored:
        key = (s.round, s.as_of.toordinal() + s.real)
        groups.setdefault(key, [])
        if s.case not in groups[key]:
            groups[key].append(s.case)
    panels = list(groups.items())
    columns = 4
    rows = -(-len(panels) // columns)
    with style.context():
        fig = style.new_figure(size)
        axes = fig.subplots(rows, columns, squeeze=False)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        for ax, ((_, _), cases) in zip(axes.flat, panels, strict=False):
            mine = [s for s in board.scored if s.case == cases[0]]
            days = [s.as_of for s in mine]
            low, mid, high = ([add_days(s.as_of, s.quantiles[i]) for s in mine] for i in range(3))
            real = add_days(mine[0].as_of, mine[0].real)
            ax.fill_between(days, low, high, color=MODEL, alpha=0.2, linewidth=0)
            ax.vlines(days, low, high, color=MODEL, alpha=0.5, linewidth=1)
            ax.plot(days, mid, "o-", color=MODEL, markersize=3.5, linewidth=1.4)
            ax.axhline(real, color=REAL, linewidth=1.4)
            top = add_days(real, 730)
            ax.set_ylim(min(days), top)
            names = ", ".join(NATO_2024.get(c, c) for c in cases)
            ax.set_title(names if len(cases) <= 3 else f"{len(cases)} cases of {mine[0].round[:4]}", fontsize=9,
                         loc="left")
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_locator(mdates.YearLocator())
                axis.set_major_formatter(mdates.DateFormatter("%Y"))
            ax.tick_params(labelsize=8)
            ax.set_xlim(min(days) - dt.timedelta(days=30), max(days) + dt.timedelta(days=30))
        style.title(fig, forecasts_finding(board),
                    "Each panel: forecast membership date (y) as of each day (x); line: median, band: P10–P90, "
                    "cut two years after the real date (the orange-red line); where cases share a panel, the first "
                    "is drawn")
        style.footer(fig, text=footer_text(board))
    return fig


def forecasts_finding(board: Board) -> str:
    value, low, high = cluster_bootstrap([float(0.1 <= s.pit <= 0.9) for s in board.scored],
                                         [s.round for s in board.scored], seed=board.seed)
    return (f"{value:.0%} of real membership dates fell within the forecast's P10–P90 (rounds weighed alike; "
            f"95%: {low:.0%}–{high:.0%}; 80% if calibrated)")


__all__ = ["forecasts_chart", "pit_chart", "reliability_chart", "skill_chart", "skill_finding", "skill_rows"]
