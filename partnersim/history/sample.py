"""Observed delays read from a table: one row per ally, one column of days per case.

The shipped table is ``ratification_finland_sweden.csv`` (see
:mod:`partnersim.data`); any CSV with a column of whole days and a first column
naming the rows works the same way. Empty cells are skipped. Where a column
``X_days`` sits beside a date column ``X_consent_date`` (or ``X_date``), day 0 is
found as the date minus the days, so charts can show calendar dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from partnersim import data
from partnersim.errors import PartnersimError
from partnersim.safetext import line
from partnersim.text import suggest

SHIPPED = data.RATIFICATIONS


@dataclass(frozen=True)
class Sample:
    """Delays in whole days, with the row each came from."""

    days: np.ndarray
    labels: tuple[str, ...]  # the row's name (and column, when pooled), one per delay
    rows: tuple[str, ...]  # the row's name alone, one per delay
    columns: tuple[str, ...]
    source: str  # the file name, for titles and snippets
    day_zero: dt.date | None  # the calendar date of day 0, when the table shows it
    excluded: tuple[str, ...]  # rows left out, each with its reason

    @property
    def n(self) -> int:
        return int(self.days.size)

    @property
    def distinct_rows(self) -> int:
        return len(set(self.rows))


def read_delays(path: Path | None, columns: Sequence[str], exclude: Sequence[str] = ()) -> Sample:
    """The delays of ``columns`` in the CSV at ``path`` (the shipped table when None), pooled.

    Rows named in ``exclude`` are left out. In the shipped table, Finland's row
    in the Sweden column is left out too: Finland was not an ally when Sweden's
    protocol was signed and ratified it on joining, so it is no deliberation.
    """
    name = SHIPPED if path is None else line(path.name)
    text = data.text_of(SHIPPED) if path is None else _read(path)
    reader = csv.DictReader(io.StringIO(text))
    fields = list(reader.fieldnames or [])
    if not fields:
        raise PartnersimError(f"{name}: the file has no header row")
    for column in columns:
        if column not in fields:
            hint = suggest(column, fields)
            # The header is the file's, and a message is one line without a terminal's escapes.
            raise PartnersimError(f"{name}: no column {column!r}{hint}; columns: "
                                  f"{', '.join(line(field) for field in fields)}")
    label_field = "ally" if "ally" in fields else fields[0]
    left_out: dict[str, str] = {row: "left out on request" for row in exclude}
    days: list[float] = []
    labels: list[str] = []
    rows: list[str] = []
    zero: set[dt.date] = set()
    seen: set[str] = set()
    for row in reader:
        label = (row.get(label_field) or "").strip()
        seen.add(label)
        for column in columns:
            cell = (row.get(column) or "").strip()
            if not cell:
                continue
            if path is None and label in _not_allies(column):
                left_out[label] = "not an ally when the protocol was signed; it ratified on joining"
                continue
            if label in exclude:
                continue
            try:
                value = float(cell)
            except ValueError:
                raise PartnersimError(
                    f"{name}:{reader.line_num}: {line(column)}: expected a number of days, got {cell!r}"
                ) from None
            days.append(value)
            labels.append(label if len(columns) == 1 else f"{label} ({column})")
            rows.append(label)
            day = _day_zero(row, column, value)
            if day is not None:
                zero.add(day)
    if not days:
        raise PartnersimError(f"{name}: no delays in {', '.join(columns)}")
    missing = [row for row in exclude if row not in seen]
    if missing:
        raise PartnersimError(f"{name}: --exclude names no row: {line(', '.join(missing))}")
    return Sample(
        days=np.array(days),
        labels=tuple(labels),
        rows=tuple(rows),
        columns=tuple(columns),
        source=name,
        day_zero=zero.pop() if len(zero) == 1 else None,
        excluded=tuple(line(f"{row}: {why}") for row, why in left_out.items()),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PartnersimError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def _not_allies(column: str) -> tuple[str, ...]:
    for case in data.CASES:
        if column == f"{case}_days":
            return data.NOT_ALLIES_AT_SIGNATURE[case]
    return ()


def _day_zero(row: dict[str, str], column: str, days: float) -> dt.date | None:
    """The date of day 0 implied by this row's date column, if it has one."""
    if not column.endswith("_days"):
        return None
    prefix = column[: -len("_days")]
    for date_column in (f"{prefix}_consent_date", f"{prefix}_date"):
        cell = (row.get(date_column) or "").strip()
        if cell:
            try:
                return dt.date.fromisoformat(cell) - dt.timedelta(days=days)
            except ValueError:
                return None
    return None


__all__ = ["SHIPPED", "Sample", "read_delays"]
