"""For notebooks and spreadsheets: short reprs, HTML tables, datetimes in frames, the Excel workbook, ``show``."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pandas
import pytest
from click.testing import CliRunner

import partnersim
from partnersim.cli import cli
from partnersim.results.notebook import MOST_LINES
from partnersim.results.text import interval

from .conftest import scenario

HOSTILE = '=HYPERLINK("http://x","<b>Chile</b>") $x^2$ & [bold]'
TINY = """\
name: tiny
start: 2025-01-01
horizon: 4y
replications: 300
seed: 5
candidates:
  - {code: ARG, name: Argentina, request: 2025-01-01}
  - {code: CHL, name: '=HYPERLINK("http://x","<b>Chile</b>") $x^2$ & [bold]', request: 2025-06-01}
"""


def two(**overrides: Any) -> Any:
    """The test scenario with a second candidate whose name is markup, a formula and mathematics at once."""
    return scenario(replications=300, candidates=[
        {"code": "ARG", "name": "Argentina", "request": "2025-01-01"},
        {"code": "CHL", "name": HOSTILE, "request": "2025-06-01"},
    ], **overrides)


@pytest.fixture(scope="module")
def results() -> Any:
    return partnersim.simulate(two(partnership={"suspension": {"annual_rate": 0.2}}))


@pytest.fixture(scope="module")
def comparison() -> Any:
    base = two()
    return partnersim.compare(base, base.with_updates(name="later"), two(
        name="what-if", stages={"consensus": {"allies": {"TUR": {"hold": {"probability": 0.9}}}}}))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small run, and what ``run`` printed on standard output."""
    folder = tmp_path_factory.mktemp("show")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(folder / "tiny.yaml"), "-j", "1", "--no-rows", "--out",
                                      str(folder / "run")])
    assert result.exit_code == 0, result.output
    return folder / "run", result.stdout


# --- repr and HTML -------------------------------------------------------------------------------


def test_the_repr_of_results_is_a_few_lines_with_each_chance_and_its_interval(results: Any) -> None:
    text = repr(results)
    assert len(text.splitlines()) == 1 + len(results.candidates) and len(text) < 600
    assert text.startswith("<Results 'test': 300 replications, seed 7, 01 Jan 2025 to 01 Jan 2031\n")
    for candidate in results.candidates:
        assert f"{candidate.name}: cooperation {interval(candidate.outcomes['cooperation'])}; " in text
    assert str(results) == text


def test_a_repr_counts_the_candidates_past_ten_instead_of_listing_them() -> None:
    many = partnersim.simulate(scenario(replications=50, candidates=[
        {"code": code, "name": f"Candidate {code}", "request": "2025-01-01"}
        for code in ("ARG", "BRA", "CHL", "COL", "ECU", "MEX", "PER", "URY", "PRY", "BOL", "VEN", "CRI")]))
    lines = repr(many).splitlines()
    assert len(lines) == 1 + MOST_LINES + 1
    assert lines[-1] == "  … and 2 more candidates>"


def test_the_html_of_results_holds_the_tables_with_every_name_escaped(results: Any) -> None:
    page = results._repr_html_()
    assert "<b>Chile</b>" not in page and "&lt;b&gt;Chile&lt;/b&gt;" in page
    assert "&amp; [bold]" in page and "mathjax_ignore" in page  # $x^2$ is not typeset
    assert "<caption" in page and "Outcome by 01 Jan 2031 (95% interval)" in page
    chile = results.candidate("CHL")
    assert interval(chile.outcomes["cooperation"]) in page
    assert f"{chile.dates['P50']:%b %Y}" in page
    assert page.count("<table ") == 2


def test_the_repr_of_a_comparison_gives_each_change_and_whether_it_is_beyond_noise(comparison: Any) -> None:
    text = repr(comparison)
    lines = text.splitlines()
    assert lines[0] == "<Comparison of 'test' with 2 what-ifs: 300 paired replications, seed 7"
    assert lines[1] == "  later:" and "no replication ending differently" in lines[2]
    assert "what-if:" in text and " → " in text and len(lines) == 1 + 2 * 3 and len(text) < 1200
    change = comparison.variants[1].candidate("ARG").success
    assert change.verdict in lines[-2]


def test_the_html_of_a_comparison_escapes_names_and_says_beyond_noise(comparison: Any) -> None:
    page = comparison._repr_html_()
    assert "<b>Chile</b>" not in page and "&lt;b&gt;Chile&lt;/b&gt;" in page
    assert "Beyond noise?" in page and "paired 95% interval" in page and "mathjax_ignore" in page
    assert page.count("<table ") == 4  # chances and dates, for each what-if


def test_a_comparison_says_its_changes_in_sentences_and_as_a_frame(comparison: Any) -> None:
    lines = comparison.summary().splitlines()
    assert lines[0] == "later against test:" and lines[1].startswith("  Argentina: chance of cooperation")
    assert len(lines) == 2 * 3
    frame = comparison.to_frame()
    assert list(frame["variant"]) == ["later", "later", "what-if", "what-if"]
    assert pandas.api.types.is_datetime64_any_dtype(frame["p50_base"])
    assert pandas.api.types.is_float_dtype(frame["p80_change_months"])
    arg = comparison.variants[1].candidate("ARG")
    assert frame.loc[2, "change_cooperation"] == pytest.approx(arg.success.diff, abs=1e-6)
    p50 = arg.dates["P50"].base
    assert frame.loc[2, "p50_base"] == (pandas.Timestamp(p50) if p50 else pandas.NaT)


# --- the top level and frames ----------------------------------------------------------------------


def test_the_top_level_lists_the_api_and_imports_nothing_heavy() -> None:
    names = dir(partnersim)
    for name in ("simulate", "load_scenario", "load_run", "compare", "Results", "Comparison", "SavedRun"):
        assert name in names and getattr(partnersim, name) is not None
    probe = "import sys, partnersim; dir(partnersim); print(sorted({'numpy', 'pandas', 'pydantic'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_load_run_at_the_top_level_reads_a_run_folder(run_dir: tuple[Path, str]) -> None:
    folder, _ = run_dir
    run = partnersim.load_run(folder)
    assert isinstance(run, partnersim.SavedRun)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert [c.code for c in run.results.candidates] == [c["code"] for c in summary["candidates"]]
    text = repr(run)
    assert text.startswith(f"<SavedRun {str(folder)!r}, finished ") and len(text.splitlines()) == 4
    assert "&lt;b&gt;Chile" in run._repr_html_()


def test_frames_hold_dates_as_datetimes_and_nat_for_none() -> None:
    results = partnersim.simulate(scenario(replications=300, horizon="1y"), keep_rows=True)
    frame = results.to_frame()
    dates = results.candidate("ARG").dates
    assert None in dates.values()  # a chance not reached in one year
    for key, day in dates.items():
        column = frame[f"{key.lower()}_date"]
        assert pandas.api.types.is_datetime64_any_dtype(column)
        assert (column[0] is pandas.NaT) if day is None else column[0] == pandas.Timestamp(day)
    rows = results.to_frame("replication")
    assert pandas.api.types.is_datetime64_any_dtype(rows["end_date"])
    assert rows["end_date"].min() >= pandas.Timestamp(results.start)


# --- the workbook ----------------------------------------------------------------------------------


def sheet_rows(sheet: Any) -> list[dict[str, Any]]:
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_the_workbook_has_a_sheet_per_table_with_typed_and_formatted_cells(results: Any, tmp_path: Path) -> None:
    path = results.to_xlsx(tmp_path / "tables.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Outcomes", "By year end", "Dates", "Stages", "Allies", "Partnership",
                               "Partnership areas", "Cooperation by date", "Areas by month", "Findings", "Run"]
    outcomes = book["Outcomes"]
    assert outcomes.freeze_panes == "C2" and outcomes.auto_filter.ref == "A1:Q3"
    rows = sheet_rows(outcomes)
    chile = results.candidate("CHL")
    cells = rows[1]
    assert cells["Code"].value == "CHL"
    assert cells["Candidate"].value == HOSTILE and cells["Candidate"].data_type == "s"  # text, not a formula
    for heading, value in (("Cooperation", chile.outcomes["cooperation"].p),
                           ("Cooperation low", chile.outcomes["cooperation"].low),
                           ("Rejected high", chile.outcomes["rejected"].high)):
        assert cells[heading].value == pytest.approx(value) and cells[heading].number_format == "0.0%"
    assert outcomes.column_dimensions["B"].width >= len(HOSTILE)
    dates = sheet_rows(book["Dates"])[1]
    for key, day in chile.dates.items():
        cell = dates[f"{key[1:]}% chance by"]
        assert (cell.value is None) if day is None else (cell.value == dt.datetime.combine(day, dt.time()) and
                                                         cell.number_format == "yyyy-mm-dd")
    year_ends = sheet_rows(book["By year end"])
    assert len(year_ends) == sum(len(c.by_year_end) for c in results.candidates)
    assert year_ends[0]["Year end"].is_date
    allies = sheet_rows(book["Allies"])
    assert all(isinstance(row["Stands out"].value, bool) and row["Cases"].number_format == "#,##0" for row in allies)
    curve = sheet_rows(book["Cooperation by date"])
    assert len(curve) == len(chile.cdf) and curve[-1][HOSTILE].value == pytest.approx(chile.cdf[-1])
    run = {row["Item"].value: row["Value"] for row in sheet_rows(book["Run"])}
    assert run["Replications"].value == 300 and run["Seed"].value == 7 and run["Start"].is_date


def test_show_prints_what_run_printed_and_writes_the_workbook(run_dir: tuple[Path, str], tmp_path: Path) -> None:
    folder, printed = run_dir
    result = CliRunner().invoke(cli, ["show", str(folder)])
    assert result.exit_code == 0, result.output
    tables = printed.rsplit("\nWrote ", 1)[0]
    assert result.stdout == tables and "Outcome by" in tables and "Findings" in tables
    out = tmp_path / "tiny.xlsx"
    result = CliRunner().invoke(cli, ["show", str(folder), "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == tables + f"\nWrote {out}\n"
    book = openpyxl.load_workbook(out)
    run = {row["Item"].value: row["Value"].value for row in sheet_rows(book["Run"])}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert run["Command"] == manifest["command"] and run["Run by partnersim"] == manifest["partnersim"]
    finished = dt.datetime.fromisoformat(manifest["finished"]).astimezone(dt.timezone.utc).replace(tzinfo=None)
    assert run["Finished (UTC)"] == finished


def test_show_prints_how_far_precision_got_as_run_did(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    ran = CliRunner().invoke(cli, ["run", str(tmp_path / "tiny.yaml"), "-j", "1", "--no-rows", "--precision",
                                   "0.05", "--out", str(tmp_path / "run")])
    assert ran.exit_code == 0, ran.output
    shown = CliRunner().invoke(cli, ["show", str(tmp_path / "run")])
    assert shown.exit_code == 0, shown.output
    assert "Stopped at " in shown.stdout and shown.stdout == ran.stdout.rsplit("Wrote ", 1)[0]


def test_without_openpyxl_show_says_what_to_install_and_prints_nothing(
        run_dir: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = CliRunner().invoke(cli, ["show", str(run_dir[0]), "--xlsx", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: Excel workbooks need openpyxl, which is not installed: pip install 'partnersim[xlsx]'"]
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize(("make", "said"), [
    (lambda p: p, "is not a run folder (it has no summary.json"),
    (lambda p: (p / "notes.txt").write_text("x") and p / "notes.txt", "is a file, not a run folder"),
    (lambda p: (p / "manifest.json").write_text(json.dumps({"partnersim": "0.1.0", "kind": "compare"})) and p,
     "is a compare folder (written by partnersim compare), not a run folder; its tables are in compare.csv"),
    (lambda p: (p / "manifest.json").write_text(json.dumps({"partnersim": "0.1.0", "kind": "fit"})) and p,
     "is a fit folder (written by partnersim fit), not a run folder; its tables are in fit.json"),
])
def test_show_refuses_a_folder_that_is_not_a_run_in_one_line(tmp_path: Path, make: Any, said: str) -> None:
    result = CliRunner().invoke(cli, ["show", str(make(tmp_path))])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], lines


def test_a_sheet_is_named_as_excel_allows() -> None:
    from partnersim.results.xlsx import _sheet_name

    assert _sheet_name("Cooperation by date") == "Cooperation by date"
    assert _sheet_name("'Accession: a/b [x]*?\\' by date, and more words") == "Accession ab x' by date, and m"
    assert _sheet_name("[]") == "Sheet"
