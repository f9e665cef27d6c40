"""Terminal tables stay readable at 80 columns: stacked when they do not fit, and never a number cut."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.table import Table

from partnersim.cli import cli
from partnersim.cli.tables import print_table, stacked
from partnersim.results.load import load_run
from partnersim.results.summary import Results
from partnersim.results.text import interval
from partnersim.text import percent

SCENARIO = """\
name: Five candidates
start: 2026-12-01
horizon: 5y
replications: 800
seed: 5
allies:
  TUR: {hold: {probability: 0.1}}
candidates:
  - {code: ARG, name: Argentina, request: 2024-04-18, stage: consensus, since: 2024-04-18}
  - {code: BRA, name: Brazil (hypothetical), request: 2027-06-01}
  - {code: CHL, name: Chile (hypothetical), request: 2027-09-01}
  - {code: PER, name: Peru (hypothetical), request: 2028-01-01}
  - {code: MEX, name: Mexico (hypothetical), request: 2028-06-01}
"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Results]:
    folder = tmp_path_factory.mktemp("width")
    path = folder / "five.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "--out", str(folder / "run"), "--no-rows", "--jobs", "1"],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output, load_run(folder / "run").results


def test_run_at_80_columns_cuts_no_cell(printed: tuple[str, Results]) -> None:
    output, _ = printed
    tables = output.split("Findings")[0]
    assert "…" not in tables
    # Tables and findings alike (the findings wrapped at words) stay within 80 columns, until the files written.
    shown = output.split("\nWrote ")[0]
    assert max(len(line.rstrip()) for line in shown.splitlines()) <= 80


def test_run_at_80_columns_prints_every_number_whole(printed: tuple[str, Results]) -> None:
    output, results = printed
    first = output.split("When cooperation starts")[0]  # the outcomes table, as a table or stacked
    for candidate in results.candidates:
        for name in results.seen_outcomes:
            assert interval(candidate.outcomes[name]) in first
        day, last = candidate.by_year_end[-1]
        assert f"{day.year}: {percent(last.p)}" in output


def test_a_table_that_fits_is_printed_as_a_table() -> None:
    screen = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    table = Table(title="Small")
    table.add_column("Candidate")
    table.add_column("Chance")
    table.add_row("Argentina", "41% (40–42%)")
    print_table(screen, table)
    assert "┃ Candidate" in screen.export_text()


def test_cells_are_packed_to_the_width_and_a_long_one_kept_whole() -> None:
    table = Table(title="Wide")
    table.add_column("Candidate")
    for k in range(6):
        table.add_column(f"C{k}")
    table.add_row("Argentina", *[f"{k}%" for k in range(5)], "a cell far longer than the forty columns given")
    lines = [line.plain for line in stacked(table, 40)]
    assert lines[2:] == ["Argentina", "  C0: 0%   C1: 1%   C2: 2%   C3: 3%", "  C4: 4%",
                         "  C5: a cell far longer than the forty columns given"]
