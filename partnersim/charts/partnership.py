"""The partnership chart: how many areas of cooperation are in force, month by month.

One line per candidate of the expected number of active areas at each month
end, from ``PartnershipResult.by_month``, on a calendar axis. A future
without an active partnership (no cooperation yet, or a partnership that
lapsed or was suspended) counts zero areas, so the line folds together the
chance of a partnership and its depth. The legend gives the chance that the
partnership is active at the horizon; the expected areas at the horizon are
written at the end of each line. Drawn only for a run with a ``partnership``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from partnersim.charts import dates, style
from partnersim.errors import PartnersimError
from partnersim.text import percent
from partnersim.values.durations import DAYS_PER_MONTH, DAYS_PER_YEAR

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.summary import CandidateResult, PartnershipResult, Results

END_LABEL_GAP = 0.075  # share of the value axis between labels at the end of the lines
LEGEND_TITLE = "Partnership active at the horizon"
LEGEND_SPAN = 0.6  # the legend sits over the first 60% of the dates…
LEGEND_FLOOR = 0.55  # …and above 55% of the value axis, so the lines there must stay below it


def partnership_chart(results: Results, *, size: str = "slide") -> Figure:
    """Expected active areas of cooperation over time, per candidate."""
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        drawn, note = style.room_for(results, style.MOST_LINES, rank=_areas,
                                     ranked="those with the most areas of cooperation expected at the horizon")
        lives = _lives(drawn)
        top = _top(results, lives)
        for index, (candidate, life) in enumerate(lives):
            _line(ax, drawn, candidate, life, index)
        _axes(ax, results, top)
        _end_labels(ax, drawn, lives, top)
        legend = ax.legend(loc="upper left", handlelength=3.2, borderaxespad=0.4, frameon=True, framealpha=0.92,
                           title=LEGEND_TITLE, title_fontsize=10.5, alignment="left")
        legend.get_frame().set_linewidth(0)
        style.title(fig, finding(results), style.with_note(note, _subtitle(results)))
        style.footer(fig, results)
    return fig


def finding(results: Results) -> str:
    """The title: expected areas at the horizon and the chance the partnership is active then."""
    lives = _lives(results)
    by = style.month_year(results.end_date)
    if all(life.active.count == 0 and life.expected_areas == 0 for _, life in lives):
        if len(lives) == 1:
            return f"{lives[0][0].name}: no active partnership at {by} in any simulated future"
        return f"No candidate has an active partnership at {by} in any simulated future"
    candidate, life = max(lives, key=lambda item: item[1].expected_areas)
    n = len(results.scenario.partnership.areas.catalogue) if results.scenario.partnership else 0
    # The curve averages over every future, those without a partnership too; the title also says
    # how many areas an active partnership has, which is what a reader pictures.
    when_active = f", {life.expected_areas / life.active.p:.1f} of {n} areas when active" if life.active.p else ""
    text = f"partnership active in {by} in {percent(life.active.p)} of futures{when_active}"
    if len(lives) == 1:
        return f"{candidate.name}: {text}"
    return f"{candidate.name} leads: {text}"


def legend_text(candidate: CandidateResult, life: PartnershipResult, name: str | None = None) -> str:
    """``Argentina: 31%``, under the legend's title (active at the horizon)."""
    return f"{candidate.name if name is None else name}: {percent(life.active.p)}"


def _areas(candidate: CandidateResult) -> float:
    """Ranks candidates for the chart: most expected areas at the horizon first, then no partnership."""
    return -candidate.partnership.expected_areas if candidate.partnership is not None else math.inf


def _lives(results: Results) -> list[tuple[CandidateResult, PartnershipResult]]:
    lives = [(c, c.partnership) for c in results.candidates if c.partnership is not None]
    if not lives:
        raise PartnersimError(
            "the partnership chart needs a run whose scenario has a partnership block (areas, renewals, "
            "suspension); this run has none"
        )
    return lives


def _top(results: Results, lives: list[tuple[CandidateResult, PartnershipResult]]) -> float:
    """The top of the value axis, in whole areas: above the highest line, and high enough that the
    lines stay clear of the legend in the upper left (never above the whole catalogue)."""
    highest = max((value for _, life in lives for _, value in life.by_month), default=0.0)
    cut = results.start + (results.end_date - results.start) * LEGEND_SPAN
    early = max((value for _, life in lives for day, value in life.by_month if day <= cut), default=0.0)
    top = max(1, math.ceil(highest * 1.15 + 0.05), math.ceil(early / LEGEND_FLOOR + 0.05))
    return float(min(top, max(_catalogue(results), 1)))


def _catalogue(results: Results) -> int:
    partnership = results.scenario.partnership
    return len(partnership.areas.catalogue) if partnership is not None else 0


def _line(ax: Axes, results: Results, candidate: CandidateResult, life: PartnershipResult, index: int) -> None:
    look = style.candidate_style(index)
    days = np.array([np.datetime64(day, "D") for day, _ in life.by_month])
    values = np.array([value for _, value in life.by_month])
    name = style.short_name(_figure(ax), candidate.name, 10.5, room=style.END_ROOM)
    ax.plot(days, values, color=look["color"], linestyle=look["linestyle"], linewidth=2.4,
            label=legend_text(candidate, life, name), zorder=3)


def _axes(ax: Axes, results: Results, top: float) -> None:
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.set_ylabel("Areas of cooperation (expected)")
    ax.set_xlabel("Date")
    dates.calendar_axis(ax, results.start, results.end_date)
    style.light_grid(ax, "both")


def _end_labels(ax: Axes, results: Results, lives: list[tuple[CandidateResult, PartnershipResult]],
                top: float) -> None:
    """``4.1 Argentina`` just right of the horizon, spread so that no two collide."""
    finals = [life.expected_areas for _, life in lives]
    ys = style.spread(finals, END_LABEL_GAP * top, low=0.03 * top, high=0.97 * top)
    end = mdates.date2num(results.end_date)
    for (candidate, _), value, y in zip(lives, finals, ys, strict=True):
        position = results.candidates.index(candidate)
        name = style.short_name(_figure(ax), candidate.name, 10.5, "bold", room=style.END_ROOM)
        ax.annotate(f"{value:.1f} {name}", (end, y), xytext=(6, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=10.5, fontweight="bold",
                    color=style.candidate_style(position)["color"], annotation_clip=False)


def _figure(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    return fig


def _subtitle(results: Results) -> str:
    partnership = results.scenario.partnership
    n = f"{results.replications:,}"
    text = (f"Areas of cooperation in force at each month end, averaged over {n} simulated futures "
            f"(none without an active partnership)")
    if partnership is None:
        return text + "."
    areas = partnership.areas
    parts = [f"{areas.initial} of {len(areas.catalogue)} areas in the first programme, "
             f"{areas.added_per_year:g} more a year"]
    if partnership.renewal is not None:
        parts.append(f"renewed every {_years(partnership.renewal.every)}")
    if partnership.suspension.annual_rate > 0:
        parts.append(f"suspension risk {partnership.suspension.annual_rate * 100:g}% a year")
    return f"{text}. {'; '.join(parts)}."


def _years(days: float) -> str:
    years = days / DAYS_PER_YEAR
    if abs(years - round(years)) < 0.01:
        whole = round(years)
        return f"{whole} year{'s' if whole != 1 else ''}"
    return f"{days / DAYS_PER_MONTH:.0f} months"
