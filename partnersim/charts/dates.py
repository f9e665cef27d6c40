"""Calendar axes: ticks on dates that never touch, however long the span or narrow the chart.

Years with quarters between; on a span under two and a half years, quarters
labelled ``Apr 2026`` with months between. Where labels would come too close,
fewer are labelled: half-years, then every 2, 5, 10, 20 … years, each a round
number. The step is chosen from the axis's width when it is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.ticker import Locator

from partnersim.charts.style import PLOT_WIDTH, TICK_SIZE, light_grid
from partnersim.values.durations import DAYS_PER_MONTH

# A date tick label ("2031", or "Sep" over "2031") is at most four digits wide, about 2.6 ems in the
# house font; ticks at least 4 ems apart leave a gap of more than an em between labels.
TICK_ROOM = 4.0
# Months between labelled date ticks, fewest first: quarters, half-years, years, then 2, 5, 10 … years;
# and the finer, unlabelled ticks between them.
DATE_STEPS = (3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000)
MINOR_STEP = {3: 1, 6: 1, 12: 3, 24: 12, 60: 12, 120: 12, 240: 60, 600: 120, 1200: 600, 2400: 1200, 6000: 1200}


def date_ticks(start: dt.date, end: dt.date, width: float = PLOT_WIDTH,
               size: float = TICK_SIZE) -> tuple[list[dt.date], list[dt.date], str]:
    """Major ticks, minor ticks and the label format of a calendar axis ``width`` inches wide.

    Years with quarters between; on a span under two and a half years,
    quarters labelled ``Apr 2026`` with months between. Where labels of
    ``size`` points would come closer than :data:`TICK_ROOM` ems, fewer are
    labelled: half-years, then every 2, 5, 10, 20 … years, each a round
    number (2030, 2040 …).
    """
    months = (end - start).days < 2.5 * 365
    step = _date_step(start, end, width, size, months)
    return month_starts(start, end, step), month_starts(start, end, MINOR_STEP[step]), _date_format(months)


def _date_format(months: bool) -> str:
    return "%b\n%Y" if months else "%Y"


def _date_step(start: dt.date, end: dt.date, width: float, size: float, months: bool) -> int:
    """The fewest months between labelled ticks that keeps labels :data:`TICK_ROOM` ems apart."""
    steps = DATE_STEPS if months else DATE_STEPS[2:]
    span = max((end - start).days, 1)
    need = TICK_ROOM * size / 72  # inches
    return next((step for step in steps if width * step * DAYS_PER_MONTH / span >= need), steps[-1])


def month_starts(start: dt.date, end: dt.date, every: int) -> list[dt.date]:
    """The first day of every ``every``-th month (counted from January of year 0) within ``[start, end]``."""
    first = start.year * 12 + start.month - 1 + (start.day > 1)
    first = -(-first // every) * every
    last = end.year * 12 + end.month - 1
    return [dt.date(k // 12, k % 12 + 1, 1) for k in range(first, last + 1, every) if 1 <= k // 12 <= 9999]


class CalendarTicks(Locator):
    """The labelled (or, with ``minor``, the finer) ticks of a calendar axis in matplotlib date numbers.

    The step is chosen each time the axis is drawn, from its width then, so
    that labels never touch however long the span (see :func:`date_ticks`).
    """

    def __init__(self, months: bool, size: float = TICK_SIZE, minor: bool = False) -> None:
        self.months, self.size, self.minor = months, size, minor

    def __call__(self) -> Sequence[float]:
        low, high = self.axis.get_view_interval()  # type: ignore[union-attr]
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> Sequence[float]:
        from matplotlib import dates as mdates

        low, high = sorted((vmin, vmax))
        ax = getattr(self.axis, "axes", None)
        width = PLOT_WIDTH if ax is None else ax.bbox.width / ax.get_figure(root=True).dpi
        # Asked again and again while a chart is laid out and drawn, always for the same few axes.
        key = (low, high, width, self.size, self.months, self.minor, mdates.get_epoch())
        ticks = _TICKS.get(key)
        if ticks is None:
            start, end = mdates.num2date(low).date(), mdates.num2date(high).date()
            step = _date_step(start, end, width, self.size, self.months)
            days = month_starts(start, end, MINOR_STEP[step] if self.minor else step)
            ticks = [float(mdates.date2num(day)) for day in days]
            if len(_TICKS) >= 256:
                _TICKS.clear()
            _TICKS[key] = ticks
        return self.raise_if_exceeds(list(ticks))


_TICKS: dict[tuple[object, ...], list[float]] = {}  # the ticks worked out for an axis: its span, width and kind


def date_axis(ax: Axes, months: bool) -> None:
    """Calendar ticks on ``ax``'s x axis (matplotlib date numbers): quarters labelled ``Apr 2026``
    (``months``) or years, as many as the axis has room for when drawn."""
    from matplotlib import dates as mdates
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=matplotlib.rcParams["xtick.labelsize"]).get_size_in_points()
    ax.xaxis.set_major_locator(CalendarTicks(months, size))
    ax.xaxis.set_minor_locator(CalendarTicks(months, size, minor=True))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(_date_format(months)))


def calendar_axis(ax: Axes, start: dt.date, end: dt.date) -> None:
    """A calendar x axis from ``start`` to ``end``: labelled years (or quarters), light grid lines."""
    from matplotlib import dates as mdates

    ax.set_xlim(mdates.date2num(start), mdates.date2num(end))
    date_axis(ax, months=(end - start).days < 2.5 * 365)
    ax.tick_params(axis="x", which="minor", length=3, color="#888888")
    light_grid(ax, "x")
