"""A run's tables as an Excel workbook: one sheet per table, numbers as numbers, dates as dates.

``partnersim show RUN_DIR --xlsx FILE.xlsx`` and :meth:`Results.to_xlsx`
write it. A CSV file opens as one column in a spreadsheet set to a language
that writes decimals with a comma; a workbook holds typed cells, so every
share is a number shown as a percentage, every date a date, in any language.
Each sheet has its header row frozen and filterable, and its columns sized
to their contents.

Names are text cells, never formulas: a name such as ``=HYPERLINK(…)`` is
stored as the text it is. openpyxl (the ``xlsx`` extra) is imported only
here, when a workbook is written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partnersim import files, safetext
from partnersim.errors import PartnersimError
from partnersim.results.load import SavedRun
from partnersim.results.summary import CandidateResult, Estimate, Results
from partnersim.results.text import finding, outcome_heading, partnership_finding
from partnersim.values.durations import add_days

# Excel number formats, by the kind of a column.
FORMATS = {
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "time": "yyyy-mm-dd hh:mm:ss",
    "days": "0.0",
    "decimal": "0.00",
    "count": "#,##0",
    "integer": "0",
}
WIDEST = 80  # characters: a longer text runs on past its column's edge
LONGEST_TEXT = 32_767  # characters Excel holds in a cell


def require_openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise PartnersimError(
            "Excel workbooks need openpyxl, which is not installed: pip install 'partnersim[xlsx]'"
        ) from None
    return openpyxl


@dataclass
class Sheet:
    """A table: its column headings with the kind of each column (a key of :data:`FORMATS`, or ``text`` or
    ``flag``), its rows, and how many columns on the left stay in view when scrolling sideways.

    ``last_kinds``, when given, is the kind of the last column row by row (a list of items and their values).
    """

    title: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]] = field(default_factory=list)
    keep: int = 2
    last_kinds: list[str] | None = None

    def kind(self, row: int, column: int) -> str:
        if self.last_kinds is not None and column == len(self.columns) - 1:
            return self.last_kinds[row]
        return self.columns[column][1]


def write_xlsx(source: Results | SavedRun, path: str | Path) -> Path:
    """Write the tables of ``source`` (a run's Results, or a run folder read with ``load_run``, whose
    manifest adds how the run was made) to the workbook ``path``; return ``path``."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise PartnersimError(f"{path}: an Excel workbook's name ends in .xlsx")
    openpyxl = require_openpyxl()
    results: Results = source.results if isinstance(source, SavedRun) else source
    manifest = source.manifest if isinstance(source, SavedRun) else {}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in sheets(results, manifest):
        _write(book.create_sheet(_sheet_name(sheet.title)), sheet)
    book.properties.title = _text(results.scenario.name)
    book.properties.creator = "partnersim"
    with files.atomic(path) as scratch:
        book.save(scratch)
    return path


def sheets(results: Results, manifest: dict[str, Any]) -> list[Sheet]:
    """Every table of the workbook, in order: the outcomes first, how the run was made last."""
    found = [_outcomes(results), _year_ends(results), _dates(results), _stages(results), _allies(results)]
    if results.has_partnership:
        found += [_partnership(results), _areas(results)]
    found.append(_by_date(results))
    if results.has_partnership:
        found.append(_areas_by_month(results))
    return [*found, _findings(results), _run(results, manifest)]


def _who(c: CandidateResult) -> list[Any]:
    return [c.code, c.name]


WHO = [("Code", "text"), ("Candidate", "text")]


def _estimate(estimate: Estimate) -> list[float]:
    return [estimate.p, estimate.low, estimate.high]


def _estimate_columns(heading: str) -> list[tuple[str, str]]:
    return [(heading, "percent"), (f"{heading} low", "percent"), (f"{heading} high", "percent")]


def _outcomes(results: Results) -> Sheet:
    columns = WHO + [column for name in results.outcome_names
                     for column in _estimate_columns(outcome_heading(results, name))]
    rows = [_who(c) + [v for name in results.outcome_names for v in _estimate(c.outcomes[name])]
            for c in results.candidates]
    return Sheet("Outcomes", columns, rows)


def _year_ends(results: Results) -> Sheet:
    columns = WHO + [("Year end", "date")] + _estimate_columns(f"P({results.success_words} by then)")
    rows = [_who(c) + [day, *_estimate(estimate)] for c in results.candidates for day, estimate in c.by_year_end]
    return Sheet("By year end", columns, rows)


def _dates(results: Results) -> Sheet:
    keys = list(results.candidates[0].dates) if results.candidates else []
    columns = WHO + [(f"{key[1:]}% chance by", "date") for key in keys]
    return Sheet("Dates", columns, [_who(c) + [c.dates[key] for key in keys] for c in results.candidates])


def _stage_labels(results: Results) -> dict[str, str]:
    labels = {spec.name: spec.label for spec in results.scenario.template.stages}
    return {"requested": "not yet requested", "prospective": "not yet requested", **labels}


def _stages(results: Results) -> Sheet:
    labels = _stage_labels(results)
    columns = WHO + [("Stage", "text"), ("Entered", "percent"), ("Mean days there", "days"),
                     ("Pending there at horizon", "percent")]
    rows = []
    for c in results.candidates:
        named = {stage.stage for stage in c.stages}
        for stage in c.stages:
            rows.append(_who(c) + [stage.label, stage.entered, stage.mean_days, c.pending_at.get(stage.stage, 0.0)])
        for state, share in c.pending_at.items():
            if state not in named:
                rows.append(_who(c) + [labels.get(state, state), None, None, share])
    return Sheet("Stages", columns, rows)


ROLES = {"last_to_consent": "Last to consent", "holding": "Held consent", "vetoing": "Vetoed"}


def _allies(results: Results) -> Sheet:
    labels = _stage_labels(results)
    columns = WHO + [("Stage", "text"), ("Role", "text"), ("Rank", "integer"), ("Ally code", "text"),
                     ("Ally", "text"), ("Share", "percent"), ("Cases", "count"), ("Stands out", "flag")]
    rows = []
    for c in results.candidates:
        lists = [(labels.get(stage, stage), role, shares)
                 for stage, roles in c.by_stage.items() for role, shares in roles.items()]
        if len(c.by_stage) > 1:  # across stages: not the sum of the stages for holding (an ally may hold at two)
            lists += [("any consensus stage", role, getattr(c, role)) for role in ("holding", "vetoing")]
        for stage, role, shares in lists:
            for rank, ally in enumerate(shares, start=1):
                rows.append(_who(c) + [stage, ROLES.get(role, role), rank, ally.code, ally.name, ally.share,
                                       ally.count, ally.stands_out])
    return Sheet("Allies", columns, rows)


def _partnership(results: Results) -> Sheet:
    columns = WHO + _estimate_columns("Active") + _estimate_columns("Suspended") + _estimate_columns("Lapsed") + [
        ("Renewals (mean)", "decimal"), ("Areas, all", "decimal"), ("Areas, when active", "decimal")]
    rows = []
    for c in results.candidates:
        if (life := c.partnership) is not None:
            active = life.expected_areas / life.active.p if life.active.p else None
            rows.append(_who(c) + _estimate(life.active) + _estimate(life.suspended) + _estimate(life.lapsed)
                        + [life.mean_renewals, life.expected_areas, active])
    return Sheet("Partnership", columns, rows)


def _areas(results: Results) -> Sheet:
    columns = WHO + [("Area", "text")] + _estimate_columns("Active at horizon")
    rows = [_who(c) + [area, *_estimate(estimate)] for c in results.candidates if c.partnership is not None
            for area, estimate in c.partnership.areas.items()]
    return Sheet("Partnership areas", columns, rows)


def _by_date(results: Results) -> Sheet:
    """P(success by each day), a column per candidate: ready for a chart."""
    columns = [("Date", "date")] + [(c.name, "percent") for c in results.candidates]
    days = min((len(c.cdf) for c in results.candidates), default=0)
    rows = [[add_days(results.start, day)] + [float(c.cdf[day]) for c in results.candidates] for day in range(days)]
    return Sheet(f"{results.success_words.capitalize()} by date", columns, rows, keep=1)


def _areas_by_month(results: Results) -> Sheet:
    lives = [c for c in results.candidates if c.partnership is not None]
    columns = [("Date", "date")] + [(c.name, "decimal") for c in lives]
    months: dict[dt.date, dict[str, float]] = {}
    for c in lives:
        assert c.partnership is not None
        for day, areas in c.partnership.by_month:
            months.setdefault(day, {})[c.code] = areas
    rows = [[day] + [values.get(c.code) for c in lives] for day, values in sorted(months.items())]
    return Sheet("Areas by month", columns, rows, keep=1)


def _findings(results: Results) -> Sheet:
    rows = [_who(c) + [finding(results, c)] for c in results.candidates]
    rows += [_who(c) + [line] for c in results.candidates if (line := partnership_finding(results, c)) is not None]
    return Sheet("Findings", WHO + [("Finding", "text")], rows)


def _run(results: Results, manifest: dict[str, Any]) -> Sheet:
    """How the run was made: the scenario, the numbers of the run, how to read the tables, the provenance."""
    from partnersim._version import __version__

    scenario = results.scenario
    rows: list[list[Any]] = [
        ["Scenario", scenario.name, "text"],
        ["Question", (scenario.question or "").strip(), "text"],
        ["Start", results.start, "date"],
        ["Horizon", results.end_date, "date"],
        ["Replications", results.replications, "count"],
        ["Seed", results.seed, "integer"],
        ["Success", results.success_words, "text"],
        ["Intervals", "95% Wilson score intervals: low and high columns", "text"],
        ["Dates", f"the date by which {results.success_words} has that chance, over all replications; "
                  f"an empty cell: not reached by the horizon", "text"],
        ["Allies", "the five allies most often in each role, as a share of all replications; stands out: above "
                   "the allies the scenario sets alike, beyond noise (only these are named in findings)", "text"],
    ]
    if isinstance(manifest.get("partnersim"), str):
        rows.append(["Run by partnersim", manifest["partnersim"], "text"])
    rows.append(["Written by partnersim", __version__, "text"])
    for key, label in (("started", "Started (UTC)"), ("finished", "Finished (UTC)")):
        when = _utc(manifest.get(key))
        if when is not None:
            rows.append([label, when, "time"])
    for key, label in (("command", "Command"), ("scenario_sha256", "scenario.yaml SHA-256")):
        if isinstance(manifest.get(key), str):
            rows.append([label, manifest[key], "text"])
    for key, label in (("overrides", "--set"), ("warnings", "Warning")):
        values = manifest.get(key)
        for value in values if isinstance(values, list) else []:
            rows.append([label, str(value), "text"])
    kept = [row for row in rows if row[1] not in ("", None)]
    return Sheet("Run", [("Item", "text"), ("Value", "text")], [row[:2] for row in kept], keep=1,
                 last_kinds=[row[2] for row in kept])


def _sheet_name(title: str) -> str:
    """``title`` as Excel allows a sheet's name: none of ``[]:*?/\\``, no apostrophe at either end, at most 31
    characters. (A process file names the success outcome, which names a sheet.)"""
    return re.sub(r"[][:*?/\\]", "", _text(title))[:31].strip("'") or "Sheet"


def _utc(value: Any) -> dt.datetime | None:
    """A manifest's ISO time as a naive UTC datetime (Excel has no time zones); None if it is not one."""
    try:
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when


def _write(sheet_out: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    # A heading stands over its numbers (right) or its text (left); ranks and flags are centred; a column of
    # items and their values of every kind reads down its left edge.
    align = {"text": "left", "integer": "center", "flag": "center"}
    mixed = Alignment(horizontal="left")
    widths = [len(heading) for heading, _ in sheet.columns]
    for col, (heading, kind) in enumerate(sheet.columns, start=1):
        cell = sheet_out.cell(row=1, column=col)
        _put(cell, heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal=align.get(kind, "right"))
    for r, row in enumerate(sheet.rows):
        for col, value in enumerate(row):
            cell = sheet_out.cell(row=r + 2, column=col + 1)
            widths[col] = max(widths[col], _put(cell, value, sheet.kind(r, col)))
            if sheet.last_kinds is not None and col == len(row) - 1:
                cell.alignment = mixed
            elif sheet.kind(r, col) in align:
                cell.alignment = Alignment(horizontal=align[sheet.kind(r, col)])
    for col, width in enumerate(widths, start=1):
        sheet_out.column_dimensions[get_column_letter(col)].width = min(width, WIDEST) + 2
    sheet_out.freeze_panes = sheet_out.cell(row=2, column=sheet.keep + 1)
    # Printed: across the page, every column on one page's width, the header on each page.
    sheet_out.page_setup.orientation = "landscape"
    sheet_out.page_setup.fitToWidth = 1
    sheet_out.page_setup.fitToHeight = 0
    sheet_out.sheet_properties.pageSetUpPr.fitToPage = True
    sheet_out.print_title_rows = "1:1"
    if sheet.rows:
        sheet_out.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"


def _put(cell: Any, value: Any, kind: str = "text") -> int:
    """Put ``value`` in ``cell`` as its kind; return about how many characters it shows."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if kind == "flag":
        cell.value = bool(value)
        return 5
    if kind in ("date", "time"):
        cell.value = value
        cell.number_format = FORMATS[kind]
        return len(FORMATS[kind])
    if kind in ("count", "integer"):
        cell.value = int(value)
        cell.number_format = FORMATS[kind]
        return len(f"{int(value):,}")
    if kind in FORMATS:
        cell.value = float(value)
        cell.number_format = FORMATS[kind]
        return 6 if kind == "percent" else len(f"{float(value):,.2f}")
    text = _text(value)
    cell.value = text
    cell.data_type = "s"  # text, even when it starts with "=" or reads like "#N/A"
    return len(text)


def _text(value: Any) -> str:
    return safetext.xml(safetext.line(value))[:LONGEST_TEXT]
