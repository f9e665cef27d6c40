"""Tornado charts: which settings move a candidate's result most, one swing at a time.

One row per factor, largest effect on top: a bar from the scenario's value
to the result with the setting at its low value, another to the result at
its high value, each labelled with the result. Two measures: the chance of
cooperation by the horizon (a pale bar: that swing is not distinguishable from
the simulation's noise by its paired interval) and the P50 date, on a
calendar axis, where a swing that pushes the even chance past the horizon
ends in an arrow at the horizon.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from partnersim.charts import dates, style
from partnersim.charts.readable import CHART_NAME, cut
from partnersim.scenario.labels import possessive
from partnersim.text import capital, percent
from partnersim.values.durations import add_days

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.whatif.sensitivity import Effect, Sensitivity

LOW_COLOUR = style.OKABE_ITO["blue"]
HIGH_COLOUR = style.OKABE_ITO["orange"]
PALE = 0.35
TOP = 12
BAR_HEIGHT = 0.62
FACTOR_ROOM = 0.35  # the share of the figure's width a setting's name may take down the side


def tornado_chart(sens: Sensitivity, code: str | None = None, *, measure: str = "cooperation",
                  top: int = TOP, size: str = "slide") -> Figure:
    """The settings that move one candidate's ``cooperation`` chance (or ``p50`` date) most."""
    results = sens.results
    code = code or results.candidates[0].code
    effects = [e for e in sens.effects(code, measure) if e.spread > 0]
    shown = effects[:top]
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        if not shown:
            _nothing(ax, sens, code, measure)
        else:
            if measure == "cooperation":
                _probability_bars(ax, sens, shown)
            else:
                _date_bars(ax, sens, shown)
            _factor_axis(ax, shown)
            _legend(ax, measure)
        style.title(fig, finding(sens, code, measure), _subtitle(sens, code, effects, shown, measure))
        style.footer(fig, results, "each setting run on the same seed")
    return fig


def finding(sens: Sensitivity, code: str, measure: str = "cooperation") -> str:
    """The title: the setting that moves the result most, and how far."""
    results = sens.results
    name = cut(results.candidate(code).name, CHART_NAME)  # a title has room for a name, not a paragraph
    what = results.success_words
    effects = [e for e in sens.effects(code, measure) if e.spread > 0]
    if measure == "cooperation":
        effects = [e for e in effects if not e.within_noise]
        if not effects:
            return f"No single setting moves {possessive(name)} chance of {what} beyond the noise"
        e = effects[0]
        alike = [other for other in effects[1:] if sens.tied(code, e, other)]
        if alike:  # the simulation cannot tell which moves it most
            return _tied(e, alike, f"{possessive(name)} chance of {what}")
        swung = [v for v in e.swung() if v is not None]
        low, high = min(swung), max(swung)
        return (f"{capital(e.factor.phrase)} moves {possessive(name)} chance of {what} most: "
                f"{percent(low)} to {percent(high)}")
    if not effects:
        return f"No single setting gives {name} an even chance of {what} by {_by(sens)}"
    e = effects[0]
    noise = sens.date_noise(code)
    alike = [other for other in effects[1:] if e.spread - other.spread <= noise]
    if alike:  # the simulation cannot tell which moves it most (see Sensitivity.date_noise)
        return _tied(e, alike, f"{possessive(name)} even-chance date")
    dates = [_date(sens, v) for v in e.swung()]
    reached = sorted(d for d in dates if d is not None)
    early = style.month_year(reached[0]) if reached else f"after {_by(sens)}"
    late = f"after {_by(sens)}" if None in dates or not reached else style.month_year(reached[-1])
    return f"{capital(e.factor.phrase)} moves {possessive(name)} even-chance date most: {early} to {late}"



def _tied(first: Effect, alike: list[Effect], what: str) -> str:
    """The title when settings are tied for first: the first two named, the rest counted."""
    more = f" and {len(alike) - 1} more" if len(alike) > 1 else ""
    return f"{capital(first.factor.phrase)} and {alike[0].factor.phrase}{more} move {what} most, within noise of each other"


def _by(sens: Sensitivity) -> str:
    return style.month_year(sens.results.end_date)


def _date(sens: Sensitivity, day: float | None) -> dt.date | None:
    return None if day is None else add_days(sens.results.start, day)


def _probability_bars(ax: Axes, sens: Sensitivity, shown: list[Effect]) -> None:
    base = (shown[0].base if shown else None) or 0.0
    for y, e in enumerate(shown):
        for side, colour in _longest_first(e, base):
            value = e.low if side == "low" else e.high
            if value is None:
                continue
            # Each swing pale where its own paired change is within noise, as the table marks it.
            change = e.changes.get(side)
            alpha = PALE if change is None or not change.distinguishable else 1.0
            ax.barh(y, (value - base) * 100, left=base * 100, height=BAR_HEIGHT, color=colour, alpha=alpha,
                    edgecolor="white", linewidth=0.8)
            right = value >= base
            ax.annotate(percent(value), (value * 100, y), xytext=(4 if right else -4, 0),
                        textcoords="offset points", ha="left" if right else "right", va="center",
                        fontsize=9.5, color="#333333")
    values = [v for e in shown for v in (e.low, e.high) if v is not None] + [base]
    low, high = min(values) * 100, max(values) * 100
    pad = max(3.0, (high - low) * 0.15)
    ax.set_xlim(max(0.0, low - pad), min(100.0, high + pad))
    _base_line(ax, base * 100, f"Scenario: {percent(base)}")
    ax.set_xlabel(f"Chance of {sens.results.success_words} by "
                  f"{style.day_month_year(sens.results.end_date)} (%)")
    style.light_grid(ax, "x")


def _date_bars(ax: Axes, sens: Sensitivity, shown: list[Effect]) -> None:
    results = sens.results
    horizon = mdates.date2num(results.end_date)

    def x_of(day: float | None) -> float:
        return horizon if day is None else mdates.date2num(add_days(results.start, day))

    base_day = shown[0].base if shown else None
    base = x_of(base_day)
    xs = [base]
    for y, e in enumerate(shown):
        for side, colour in _longest_first(e, base_day, horizon=e.horizon):
            if (e.factor.low if side == "low" else e.factor.high) is None:
                continue
            day = e.low if side == "low" else e.high
            x = x_of(day)
            xs.append(x)
            if x == base:
                continue
            ax.barh(y, x - base, left=base, height=BAR_HEIGHT, color=colour, edgecolor="white", linewidth=0.8)
            right = x > base
            text = style.month_year(mdates.num2date(x).date()) if day is not None else f"after {_by(sens)} ▶"
            ax.annotate(text, (x, y), xytext=(4 if right else -4, 0), textcoords="offset points",
                        ha="left" if right else "right", va="center", fontsize=9.5, color="#333333",
                        annotation_clip=False)
    # Room on the left for the date written beside the earliest bar.
    low = min(xs) - max(150.0, 0.22 * (horizon - min(xs)))
    ax.set_xlim(low, horizon)
    label = "Scenario: " + (style.month_year(mdates.num2date(base).date()) if base_day is not None
                            else f"after {_by(sens)}")
    _base_line(ax, base, label)
    ax.axvline(horizon, color="#444444", linewidth=1.1)
    dates.date_axis(ax, months=horizon - low <= 3 * 365)
    ax.set_xlabel(f"Date by which {results.success_words} is an even chance (P50)")
    style.light_grid(ax, "x")


def _longest_first(e: Effect, base: float | None, horizon: float | None = None) -> list[tuple[str, str]]:
    """The two sides and their colours, the one whose bar reaches further from ``base`` first: where both ends of
    a swing lie on one side of the scenario's value, the shorter bar is drawn over the longer, not hidden by it
    (None, a date not reached, is the ``horizon``)."""
    def reach(value: float | None) -> float:
        at = horizon if value is None else value
        start = horizon if base is None else base
        return 0.0 if at is None or start is None else abs(at - start)

    sides = [("low", LOW_COLOUR), ("high", HIGH_COLOUR)]
    return sorted(sides, key=lambda side: -reach(e.low if side[0] == "low" else e.high))


def _nothing(ax: Axes, sens: Sensitivity, code: str, measure: str) -> None:
    """No setting moves the measure: say so where the bars would be."""
    name = cut(sens.results.candidate(code).name, CHART_NAME)
    what = sens.results.success_words
    if measure == "cooperation":
        text = f"No setting changes {name}'s chance of {what} in any replication."
    else:
        text = (f"{name} does not reach an even chance of {what} by {_by(sens)}, in the scenario\n"
                f"or with any one setting swung; the tornado of the chance of {what} shows what moves it.")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color=style.GREY, transform=ax.transAxes)
    ax.set_axis_off()


def _base_line(ax: Axes, x: float, label: str) -> None:
    """The scenario's own value: a line through every row, named in the free row on top."""
    ax.axvline(x, color="#222222", linewidth=1.2, zorder=4)
    ax.annotate(label, (x, -1.0), xytext=(0, 0), textcoords="offset points", ha="center", va="center",
                fontsize=10, color="#222222", backgroundcolor="white", zorder=5)


def _factor_axis(ax: Axes, shown: list[Effect]) -> None:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    # A setting is named after a candidate or an ally, whose name may be long: cut, never the range.
    labels = [f"{style.short_name(fig, e.factor.label, 10, room=FACTOR_ROOM)}  ({e.factor.range_text})"
              for e in shown]
    ax.set_yticks(range(len(shown)), labels, fontsize=10)
    ax.set_ylim(max(len(shown), 4) - 0.5, -1.6)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def _legend(ax: Axes, measure: str) -> None:
    handles = [Patch(color=LOW_COLOUR, label="Setting at its low value"),
               Patch(color=HIGH_COLOUR, label="at its high value")]
    if measure == "cooperation":
        handles.append(Patch(color=LOW_COLOUR, alpha=PALE, label="pale: within noise"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=len(handles),
              borderaxespad=0.0, fontsize=9.5, handlelength=1.6, columnspacing=1.2)


def _subtitle(sens: Sensitivity, code: str, effects: list[Effect], shown: list[Effect], measure: str) -> str:
    total = len(sens.factors)
    text = f"Each setting swung low and high, one at a time, the rest as in the scenario ({total} settings)"
    rest = len(effects) - len(shown)
    if rest > 0:
        text += f"; {rest} more move it less"
    # A date not reached by the horizon at either end, nor in the scenario, may move beyond it: not "not at all".
    beyond = 0 if measure != "p50" else sum(
        1 for e in sens.effects(code, measure) if e.spread == 0 and all(v is None for v in (e.base, *e.swung())))
    quiet = total - len(effects) - beyond
    if quiet > 0:
        text += f"; {quiet} do not move it at all"
    if beyond > 0:
        text += f"; {beyond} leave it after {_by(sens)}"
    return text
