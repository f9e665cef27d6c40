"""The goal seek chart: a candidate's chance against one setting, and where it reaches the target.

The chance at every value run (a line, its 95% interval a band), the target
(a dashed line), the answer (a dot on the target) and its interval (a shaded
span: the values at which the chance's interval holds the target), and the
scenario's own value.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from partnersim.charts import style
from partnersim.charts.readable import CHART_NAME, cut
from partnersim.scenario.labels import possessive, setting_phrase
from partnersim.text import capital, percent

if TYPE_CHECKING:
    from partnersim.whatif.seek import Seek

LINE = style.OKABE_ITO["blue"]
ANSWER = style.OKABE_ITO["vermillion"]


def seek_chart(found: Seek, size: str = "slide") -> Figure:
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        x = found.values
        low, high = found.interval()
        ax.fill_between(x, low * 100, high * 100, color=LINE, alpha=0.18, linewidth=0, label="95% interval")
        ax.plot(x, found.chances * 100, color=LINE, linewidth=2.0, label="Chance at each value run")
        ax.axhline(found.target * 100, color="#333333", linestyle="--", linewidth=1.1,
                   label=f"Target: {percent(found.target)}")
        if found.answer is not None:
            span_low = found.low if found.low is not None else float(x[0])
            span_high = found.high if found.high is not None else float(x[-1])
            ax.axvspan(span_low, span_high, color=ANSWER, alpha=0.12, linewidth=0,
                       label="Values the simulation cannot tell from the answer")
            ax.plot([found.answer], [found.target * 100], "o", color=ANSWER, markersize=8, zorder=5,
                    label=f"Answer: {marked(found, found.answer)}")
        if found.base is not None:
            ax.axvline(found.base, color="#666666", linewidth=1.0)
            ax.annotate(f"Scenario: {marked(found, found.base)}", (found.base, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(4, -4), textcoords="offset points", ha="left", va="top", fontsize=9.5,
                        color="#444444")
        ax.set_ylim(0, 100)
        ax.set_xlim(float(x[0]), float(x[-1]))
        ax.set_ylabel(f"Chance of {found.scenario.template.success_words} by "
                      f"{style.day_month_year(found.measure.date)} (%)")
        ax.set_xlabel(_axis_label(found))
        if found.param.kind == "date":
            ticks = ax.get_xticks()
            ax.set_xticks(ticks, [dt.date.fromordinal(int(t)).isoformat() if t >= 1 else "" for t in ticks])
            ax.set_xlim(float(x[0]), float(x[-1]))
        style.light_grid(ax, "y")
        ax.legend(loc="best", frameon=False, fontsize=9.5)
        style.title(fig, finding(found), subtitle(found))
        style.footer(fig, None, f"Scenario: {found.scenario.name}  ·  {found.points} values × "
                                f"{found.replications:,} replications  ·  seed {found.scenario.seed}")
    return fig


def value_text(found: Seek, x: float) -> str:
    param = found.param
    if param.kind == "date":
        return dt.date.fromordinal(int(round(x))).isoformat()
    if param.kind == "duration":
        return f"{x:.0f} days"
    if param.integer:
        return f"{x:.1f}" if abs(x - round(x)) > 1e-9 else f"{int(round(x))}"
    return f"{x:.3g}"


def marked(found: Seek, x: float) -> str:
    """A value searched as a table or a chart's mark gives it: ``median 889 days`` where it is a distribution's
    median."""
    return f"median {value_text(found, x)}" if found.param.median else value_text(found, x)


def _axis_label(found: Seek) -> str:
    median = ", median (days; its spread as in the scenario)" if found.param.median else ""
    return f"{capital(setting_phrase(found.scenario, found.param.path))}{median} ({found.param.path})"



def target_words(found: Seek) -> str:
    return "an even chance" if found.target == 0.5 else f"a {percent(found.target)} chance"


def finding(found: Seek) -> str:
    """The answer in one sentence (without its interval, which the subtitle gives)."""
    name = cut(found.name, CHART_NAME)
    what = f"{target_words(found)} of {found.scenario.template.success_words} by {style.month_year(found.measure.date)}"
    phrase = setting_phrase(found.scenario, found.param.path)
    if found.answer is None:
        lo, hi = float(np.min(found.chances)), float(np.max(found.chances))
        side = "above" if lo > found.target else "below"
        return (f"{possessive(name)} chance of {found.scenario.template.success_words} by "
                f"{style.month_year(found.measure.date)} stays {side} {percent(found.target)} over the whole range "
                f"of {phrase}: {percent(lo)} to {percent(hi)}")
    at = value_text(found, found.answer)
    return f"{capital(phrase)} at {'a median of ' + at if found.param.median else at} gives {name} {what}"


def subtitle(found: Seek) -> str:
    if found.answer is None:
        return (f"{found.points} values from {value_text(found, float(found.values[0]))} to "
                f"{value_text(found, float(found.values[-1]))}, each {found.replications:,} futures on the same seed")
    low = "the range's start" if found.low is None else value_text(found, found.low)
    high = "the range's end" if found.high is None else value_text(found, found.high)
    text = (f"95% interval of the answer: {low} to {high} (the values whose chance's interval holds the target); "
            f"{found.points} values, each {found.replications:,} futures on the same seed")
    if found.crossings > 1:
        text += f"; the chance crosses the target {found.crossings} times: the first is given"
    return text


def sentence(found: Seek) -> str:
    """The answer with its interval and the scenario's own value, for the terminal and a briefing."""
    text = finding(found)
    if found.answer is not None:
        low = "the start of the range" if found.low is None else value_text(found, found.low)
        high = "the end of the range" if found.high is None else value_text(found, found.high)
        text += f" (95% interval {low} to {high})"
    if found.base is not None:
        at = value_text(found, found.base)
        text += (f"; at the scenario's {'median of ' + at if found.param.median else at}, "
                 f"{possessive(cut(found.name, CHART_NAME))} "
                 f"chance is {percent(found.chance_at(found.base))}")
    return text + "."
