"""Durations and dates as a scenario writes them.

Time inside partnersim is a float number of days from the scenario's start.
People write ``10d``, ``3w``, ``4mo``, ``2y`` (or a bare number of days) and
ISO dates; this module turns both into days and back into text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

DAYS_PER_YEAR = 365.25  # an average calendar year
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0  # an average calendar month, 30.44 days
DAYS_PER_UNIT: dict[str, float] = {"d": 1.0, "w": 7.0, "mo": DAYS_PER_MONTH, "y": DAYS_PER_YEAR}

# Far beyond any scenario: a longer duration would no longer read back exactly from a run folder.
MAX_YEARS = 100_000
MAX_DAYS = MAX_YEARS * DAYS_PER_UNIT["y"]

_DURATION = re.compile(r"^\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>d|w|mo|y)\s*$")


def parse_duration(value: object) -> float:
    """Days in ``value`` (``"3w"``, ``"4mo"``, ``"1.5y"``, or a number of days).

    Raises ``ValueError`` with a message fit for a user when the text is not a
    duration or is negative.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 10d, 3w, 4mo or 2y, got {value!r}")
    if isinstance(value, (int, float)):
        days = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            if value.strip().startswith("-"):
                raise ValueError(f"a duration cannot be negative, got {value!r}")
            raise ValueError(
                f"expected a duration such as 10d, 3w, 4mo or 2y, got {value!r}"
            )
        days = float(match["number"]) * DAYS_PER_UNIT[match["unit"]]
    else:
        raise ValueError(f"expected a duration such as 10d, 3w, 4mo or 2y, got {value!r}")
    if days != days or days in (float("inf"), float("-inf")):
        raise ValueError(f"a duration must be a finite number of days, got {value!r}")
    if days < 0:
        raise ValueError(f"a duration cannot be negative, got {value!r}")
    if days >= MAX_DAYS:
        raise ValueError(f"a duration must be under {MAX_YEARS:,} years, got {value!r}")
    return days


def format_duration(days: float) -> str:
    """Short text for a number of days, in the largest unit that reads cleanly."""
    if days == 0:
        return "0d"
    for unit in ("y", "mo", "w"):
        amount = days / DAYS_PER_UNIT[unit]
        if amount >= 1 and abs(amount - round(amount, 2)) < 1e-9:
            return _plain(round(amount, 2)) + unit
    return _plain(days) + "d"


def _plain(number: float) -> str:
    """The shortest text that reads back as the same float, without an exponent."""
    text = f"{Decimal(repr(float(number))):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_date(value: object) -> dt.date:
    """A calendar date from a YAML date or an ISO ``YYYY-MM-DD`` string.

    A date and time (``2026-12-01T10:00:00``, with or without a time zone) is
    refused rather than cut to its day: in another time zone it is another day,
    and a scenario counts whole days.
    """
    if isinstance(value, dt.datetime):
        raise ValueError(date_and_time(value.isoformat()))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        try:
            dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            raise ValueError(date_and_time(value.strip()))
    raise ValueError(f"expected an ISO date such as 2025-01-31, got {value!r}")


def date_and_time(written: str) -> str:
    """Why a date and time is refused where a date is expected."""
    return f"expected a date such as 2026-12-01, got a date and time {written!r}"


def add_days(start: dt.date, days: float) -> dt.date:
    """The calendar date ``days`` after ``start`` (fractions of a day drop)."""
    return start + dt.timedelta(days=int(days // 1))


def days_between(start: dt.date, end: dt.date) -> float:
    """Days from ``start`` to ``end`` (negative when ``end`` comes first)."""
    return float((end - start).days)


def month_label(day: dt.date) -> str:
    """``Aug 2027``: how a briefing names a date known to the month."""
    return day.strftime("%b %Y")
