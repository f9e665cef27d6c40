"""The record of NATO accessions: every protocol's milestones and each ally's consent, row by row.

``accessions.csv`` (shipped in :mod:`partnersim.data`, sources in its
``SOURCES.md``) holds one row per fact: ``case,event,ally,date,source,note``.
A *case* is one candidate's accession (ISO alpha-3 code); the events are

- ``application``, ``invitation``, ``talks``, ``signature`` (of the accession
  protocol), ``entry_into_force`` (the candidate's instrument deposited: it
  is a member) — one per case;
- ``consent`` (an ally's domestic ratification completed), ``deposit`` (its
  instrument deposited with the United States) and ``last_consent`` (the last
  ally's, where only that is known; its ally may be left empty when the
  source does not name it) — one per ally.

A date known only to the month or the year is written ``YYYY-MM`` or
``YYYY``, never guessed. Where two sources disagree, both rows are kept, each
with a note beginning ``DISPUTED``; the first in the file is the one used.

Cases whose protocols were signed on the same day form one *round*: their
allies ratified them together, often in one vote, so a round is what a
leave-one-out forecast leaves out and what a bootstrap resamples.

:func:`read_record` checks every row and reports every problem at once, one
line each naming the file, the row's line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from partnersim.data import EventDate, text_of
from partnersim.errors import Problem, ScenarioError

RECORD = "accessions.csv"
COLUMNS = ("case", "event", "ally", "date", "source", "note")
CASE_EVENTS = ("application", "invitation", "talks", "signature", "entry_into_force")
ALLY_EVENTS = ("consent", "deposit", "last_consent")
EVENTS = CASE_EVENTS + ALLY_EVENTS
BEGINS = ("application", "invitation")  # a case begins at the first of these it has
DISPUTED = "DISPUTED"


@dataclass(frozen=True)
class Row:
    """One fact of the record."""

    case: str
    event: str
    ally: str  # "" for the case's own events
    date: EventDate
    source: str
    note: str
    line: int

    @property
    def key(self) -> tuple[str, str, str]:
        return self.case, self.event, self.ally

    @property
    def day(self) -> dt.date:
        """The middle of the period the date can mean (its day, month or year)."""
        return self.date.first + (self.date.last - self.date.first) // 2

    def known_by(self, day: dt.date) -> bool:
        """Whether the fact was settled on ``day``: its last possible day is not after it."""
        return self.date.last <= day


@dataclass(frozen=True)
class Record:
    """Every row of the record, in file order; the first row of each key is the one used."""

    rows: tuple[Row, ...]
    name: str = RECORD

    @cached_property
    def _primary(self) -> dict[tuple[str, str, str], Row]:
        found: dict[tuple[str, str, str], Row] = {}
        for row in self.rows:
            found.setdefault(row.key, row)
        return found

    @cached_property
    def cases(self) -> tuple[str, ...]:
        """Every case, in the order of its first row's date (then its code)."""
        firsts: dict[str, dt.date] = {}
        for row in self.rows:
            firsts[row.case] = min(firsts.get(row.case, row.date.first), row.date.first)
        return tuple(sorted(firsts, key=lambda case: (firsts[case], case)))

    def event(self, case: str, event: str) -> Row | None:
        """The case's own ``event`` (its first row), or None if the record has none."""
        return self._primary.get((case, event, ""))

    def by_ally(self, case: str, event: str) -> dict[str, Row]:
        """Each ally's ``event`` row for ``case`` (consent, deposit), the first of each ally."""
        return {ally: row for (c, e, ally), row in self._primary.items() if c == case and e == event and ally}

    def begins(self, case: str) -> Row | None:
        """The case's first application or invitation row."""
        found = [row for event in BEGINS if (row := self.event(case, event)) is not None]
        return min(found, key=lambda row: row.date.first) if found else None

    def round_of(self, case: str) -> str:
        """The case's round: the date its protocol was signed (the case's own code if unsigned)."""
        signed = self.event(case, "signature")
        return signed.date.text if signed is not None else case

    @cached_property
    def rounds(self) -> dict[str, tuple[str, ...]]:
        """Each round and its cases, in order."""
        found: dict[str, list[str]] = {}
        for case in self.cases:
            found.setdefault(self.round_of(case), []).append(case)
        return {key: tuple(cases) for key, cases in found.items()}

    def ended_by(self, key: str, day: dt.date) -> bool:
        """Whether every case of round ``key`` was a member by ``day``, as the record dates it."""
        return all((row := self.event(case, "entry_into_force")) is not None and row.known_by(day)
                   for case in self.rounds[key])

    def known_by(self, day: dt.date) -> Record:
        """The record as it stood on ``day``: only the facts settled by then."""
        return replace(self, rows=tuple(row for row in self.rows if row.known_by(day)))

    def without(self, cases: Iterable[str]) -> Record:
        """The record with every row of ``cases`` left out."""
        left = set(cases)
        return replace(self, rows=tuple(row for row in self.rows if row.case not in left))

    def only(self, cases: Iterable[str]) -> Record:
        """The record of ``cases`` only."""
        kept = set(cases)
        return replace(self, rows=tuple(row for row in self.rows if row.case in kept))


def read_record(path: Path | None = None) -> Record:
    """The record at ``path`` (default: the one shipped with partnersim), every row checked.

    Raises :class:`~partnersim.errors.ScenarioError` listing every problem: a
    wrong header, an unknown event, a bad date or code, a missing source, a
    duplicated row, two dates for one fact without a ``DISPUTED`` note, a row
    dated before its case began, a consent dated after the entry into force.
    """
    name = str(path) if path is not None else RECORD
    if path is None:
        text = text_of(RECORD)
    else:
        if not path.is_file():
            raise ScenarioError([Problem(name, None, "", "no such file")])
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ScenarioError([Problem(name, None, "", "not a text file in UTF-8")]) from None
        except OSError as exc:
            raise ScenarioError([Problem(name, None, "", f"cannot read it: {exc.strerror or exc}")]) from None
    problems: list[Problem] = []
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ScenarioError([Problem(name, 1, "", f"expected the header {','.join(COLUMNS)}, got "
                                     f"{','.join(reader.fieldnames or ()) or 'nothing'}")])
    rows = []
    for fields in reader:
        row = _row(fields, reader.line_num, lambda line, column, message: problems.append(
            Problem(name, line, column, message)))
        if row is not None:
            rows.append(row)
    record = Record(tuple(rows), name)
    problems += _consistency(record)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line or 0, p.path)))
    return record


def _row(fields: dict[str | None, str | None], line: int, say: Callable[[int, str, str], None]) -> Row | None:
    values = {key: (fields.get(key) or "").strip() for key in COLUMNS}
    bad = False

    def report(column: str, message: str) -> None:
        nonlocal bad
        bad = True
        say(line, column, message)

    if None in fields:
        report("", "more cells than the header's six columns (quote a cell that holds a comma)")
    case, event, ally = values["case"], values["event"], values["ally"]
    if not _code(case):
        report("case", f"expected the candidate's ISO alpha-3 code (three capital letters), got {case!r}")
    if event not in EVENTS:
        report("event", f"expected one of {', '.join(EVENTS)}, got {event!r}")
    elif event in ALLY_EVENTS and not _code(ally) and not (event == "last_consent" and not ally):
        report("ally", f"a {event} row names its ally's ISO alpha-3 code (three capital letters), got {ally!r}")
    elif event in CASE_EVENTS and ally:
        report("ally", f"a {event} row is the case's own and names no ally, got {ally!r}")
    if not values["source"]:
        report("source", "no source: every row names the page or document that states it (see SOURCES.md)")
    try:
        date = EventDate.parse(values["date"])
    except ValueError as exc:
        report("date", str(exc))
        return None
    if bad:
        return None
    return Row(case, event, ally, date, values["source"], values["note"], line)


def _code(text: str) -> bool:
    return len(text) == 3 and text.isascii() and text.isalpha() and text.isupper()


def _consistency(record: Record) -> list[Problem]:
    problems = []

    def problem(row: Row, column: str, message: str) -> None:
        problems.append(Problem(record.name, row.line, column, message))

    seen: dict[tuple[str, ...], Row] = {}
    first_of: dict[tuple[str, str, str], Row] = {}
    for row in record.rows:
        whole = (*row.key, row.date.text, row.source)
        if whole in seen:
            problem(row, "", f"duplicates line {seen[whole].line}")
            continue
        seen[whole] = row
        earlier = first_of.setdefault(row.key, row)
        if earlier is not row and earlier.date.text != row.date.text and not (
            earlier.note.startswith(DISPUTED) and row.note.startswith(DISPUTED)
        ):
            problem(row, "date", f"line {earlier.line} dates the same {row.event} {earlier.date.text}: where sources "
                    f"disagree, keep both rows with notes beginning {DISPUTED}")
    for case in record.cases:
        began = record.begins(case)
        entry = record.event(case, "entry_into_force")
        for row in record.rows:
            if row.case != case:
                continue
            if began is not None and row.date.last < began.date.first:
                problem(row, "date", f"{row.date.text} is before the case began ({began.event} "
                        f"{began.date.text}, line {began.line})")
            if entry is not None and row.event in ALLY_EVENTS and row.event != "deposit" \
                    and row.date.first > entry.date.last:
                problem(row, "date", f"a {row.event} on {row.date.text} is after the entry into force "
                        f"({entry.date.text}, line {entry.line})")
    return problems


__all__ = ["ALLY_EVENTS", "CASE_EVENTS", "COLUMNS", "EVENTS", "RECORD", "Record", "Row", "read_record"]
