"""The historical record shipped with partnersim, read into typed rows.

Two tables of facts, each row with its source (the keys are expanded in
``SOURCES.md`` beside them):

- ``events.csv``: dated milestones of partners, blocks and accessions;
- ``ratification_finland_sweden.csv``: every ally's consent to Finland's and
  Sweden's accession protocols, in days after their signature on 2022-07-05.

The files are package data, read with :mod:`importlib.resources`, so an
installed partnersim needs nothing outside itself. Consent dates are the end of
each ally's parliamentary procedure, not the deposit of its instrument.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from partnersim.errors import PartnersimError

EVENTS = "events.csv"
RATIFICATIONS = "ratification_finland_sweden.csv"

PROTOCOLS_SIGNED = dt.date(2022, 7, 5)
"""The 30 allies signed Finland's and Sweden's accession protocols on this day (NATOPA)."""

Case = Literal["finland", "sweden"]
CASES: tuple[Case, ...] = ("finland", "sweden")

NOT_ALLIES_AT_SIGNATURE: dict[Case, tuple[str, ...]] = {"finland": (), "sweden": ("Finland",)}
"""Rows that are not an ally's deliberation: Finland ratified Sweden's protocol on joining."""

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class EventDate:
    """A date as the record knows it: to the day, the month or only the year."""

    text: str
    precision: Precision
    first: dt.date  # the first day the date can mean
    last: dt.date  # the last day it can mean

    @classmethod
    def parse(cls, text: str) -> EventDate:
        text = text.strip()
        parts = text.split("-")
        shaped = all(part.isdigit() for part in parts) and [len(part) for part in parts] in ([4, 2, 2], [4, 2], [4])
        if shaped:
            numbers = [int(part) for part in parts]
            try:
                if len(numbers) == 3:
                    day = dt.date(*numbers)
                    return cls(text, "day", day, day)
                if len(numbers) == 2:
                    year, month = numbers
                    first = dt.date(year, month, 1)
                    following = dt.date(year + month // 12, month % 12 + 1, 1)
                    return cls(text, "month", first, following - dt.timedelta(days=1))
                return cls(text, "year", dt.date(numbers[0], 1, 1), dt.date(numbers[0], 12, 31))
            except ValueError:
                if len(numbers) == 3:  # shaped as a day, but no such day (2019-02-30)
                    raise ValueError(f"{text!r} is not a day of the calendar") from None
        raise ValueError(f"expected a date as YYYY-MM-DD, YYYY-MM or YYYY, got {text!r}")


@dataclass(frozen=True)
class Event:
    """One dated milestone and where it comes from."""

    subject: str  # the ally, partner or organisation concerned
    event: str
    date: EventDate
    source: str

    @property
    def uncertain(self) -> bool:
        return "UNCERTAIN" in self.event


@dataclass(frozen=True)
class Consent:
    """One ally's consent to the Finland and Sweden accession protocols."""

    ally: str
    finland_date: dt.date | None
    finland_days: int | None
    sweden_date: dt.date | None
    sweden_days: int | None
    note: str
    source: str

    def days(self, case: Case) -> int | None:
        return self.finland_days if case == "finland" else self.sweden_days


def text_of(name: str) -> str:
    """The text of a shipped data file."""
    try:
        return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PartnersimError(f"the shipped data file {name!r} is missing from this installation") from None


def _rows(name: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text_of(name)))
    return [(reader.line_num, row) for row in reader]


@cache
def events() -> tuple[Event, ...]:
    """Every dated event of ``events.csv``, in file order."""
    found = []
    for line, row in _rows(EVENTS):
        try:
            date = EventDate.parse(row["date"])
        except ValueError as exc:
            raise PartnersimError(f"{EVENTS}:{line}: date: {exc}") from None
        found.append(Event(row["ally_or_country"].strip(), row["event"].strip(), date, row["source"].strip()))
    return tuple(found)


@cache
def ratifications() -> tuple[Consent, ...]:
    """Every row of ``ratification_finland_sweden.csv``, in file order."""
    found = []
    for line, row in _rows(RATIFICATIONS):
        try:
            found.append(Consent(
                ally=row["ally"].strip(),
                finland_date=_date(row["finland_consent_date"]),
                finland_days=_days(row["finland_days"]),
                sweden_date=_date(row["sweden_consent_date"]),
                sweden_days=_days(row["sweden_days"]),
                note=row["deposit_or_other_note"].strip(),
                source=row["source"].strip(),
            ))
        except ValueError as exc:
            raise PartnersimError(f"{RATIFICATIONS}:{line}: {exc}") from None
    return tuple(found)


def consent_delays(case: Case) -> dict[str, int]:
    """Days from signature to each ally's consent, for the allies that signed the protocol."""
    return {
        row.ally: days
        for row in ratifications()
        if (days := row.days(case)) is not None and row.ally not in NOT_ALLIES_AT_SIGNATURE[case]
    }


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text.strip()) if text.strip() else None


def _days(text: str) -> int | None:
    return int(text.strip()) if text.strip() else None


__all__ = [
    "CASES",
    "Consent",
    "Event",
    "EventDate",
    "NOT_ALLIES_AT_SIGNATURE",
    "PROTOCOLS_SIGNED",
    "consent_delays",
    "events",
    "ratifications",
    "text_of",
]
