"""Outputs for analysts' own tools: DataFrames, event logs, Parquet, Markdown, JSON."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import partnersim
from partnersim.cli import cli
from partnersim.process import state_names
from partnersim.process.library import GLOBAL_PARTNER

from .conftest import scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs") / "run"
    result = CliRunner().invoke(
        cli, ["run", str(ROOT / "scenarios" / "latam.yaml"), "-n", "200", "-j", "1", "--events", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_a_dataframe_in_three_lines() -> None:
    pytest.importorskip("pandas")
    results = partnersim.simulate(scenario(replications=300), keep_rows=True)
    frame = results.to_frame()
    assert list(frame["code"]) == ["ARG"]
    assert 0 <= frame.loc[0, "p_cooperation_low"] <= frame.loc[0, "p_cooperation"] <= frame.loc[0, "p_cooperation_high"] <= 1
    rows = results.to_frame("replication")
    assert len(rows) == 300 and set(rows["outcome"]) <= set(results.outcome_names)
    assert rows["replication"].tolist() == list(range(300))


def test_rows_are_refused_clearly_when_not_kept() -> None:
    pytest.importorskip("pandas")
    results = partnersim.simulate(scenario(replications=50))
    with pytest.raises(partnersim.PartnersimError, match="keep_rows=True"):
        results.to_frame("replication")


def test_summary_and_plot_methods() -> None:
    results = partnersim.simulate(scenario(replications=100))
    assert results.summary().startswith("Argentina: ")
    figure = results.plot.outcomes()
    assert figure.axes and figure.axes[0].get_title() is not None
    with pytest.raises(AttributeError, match="no chart 'nope'"):
        results.plot.nope()


def test_the_event_log_opens_in_pm4py_with_the_machines_states(run_folder: Path) -> None:
    pm4py = pytest.importorskip("pm4py")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(run_folder / "events.xes"))
    assert log["case:concept:name"].nunique() == 200 * 5
    activities = set(log["concept:name"])
    assert activities <= set(state_names(GLOBAL_PARTNER))
    assert {"consensus", "cooperation"} <= activities
    dfg, start, end = pm4py.discover_dfg(log)
    assert ("consensus", "expert_talks") in dfg
    assert set(end) <= {"cooperation", "rejected", "withdrawn", "talks_failed", "pending"}
    csv_lines = (run_folder / "events.csv").read_text().splitlines()
    assert csv_lines[0] == "case,candidate,replication,activity,timestamp,ally"
    assert len(csv_lines) - 1 == len(log)


def test_parquet_and_markdown_sit_next_to_the_csv(run_folder: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow.parquet")
    table = pyarrow.read_table(run_folder / "replications.parquet")
    assert table.num_rows == 200 * 5
    markdown = (run_folder / "summary.md").read_text()
    assert markdown.startswith("# Latin American global partners")
    assert "| Argentina |" in markdown and "## Findings" in markdown


def test_json_output_is_the_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["run", str(ROOT / "scenarios" / "examples" / "minimal.yaml"), "-n", "100", "-j", "1",
              "--out", str(tmp_path / "run"), "--json", "--no-rows"],
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    data = json.loads(text)
    assert data == json.loads((tmp_path / "run" / "summary.json").read_text())


def test_the_analyst_example_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    pytest.importorskip("pandas")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "analyst.py")], cwd=tmp_path, capture_output=True, text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Argentina: " in completed.stdout and "points (95% interval" in completed.stdout
    assert (tmp_path / "s_curve.png").read_bytes()[:4] == b"\x89PNG"


def test_the_timeline_chart_draws_from_kept_rows() -> None:
    results = partnersim.simulate(scenario(replications=200), keep_rows=True)
    figure = results.plot.timeline()
    assert any("One illustrative future" in text.get_text() for text in figure.texts)


def test_compare_from_python_takes_paths_or_scenarios() -> None:
    base = scenario(replications=300)
    same = partnersim.compare(base, base)
    change = same.variants[0].candidates[0].success
    assert (change.diff, change.low, change.high) == (0.0, 0.0, 0.0)


def test_compare_json_is_machine_readable(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["compare", str(ROOT / "scenarios" / "examples" / "minimal.yaml"), "--set",
              "allies.default.hold.probability=0.2", "-n", "200", "-j", "1", "--json", "--out", str(tmp_path / "c")],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["candidate"] == "ARG"
    assert rows[0]["change_cooperation_low"] <= rows[0]["change_cooperation"] <= rows[0]["change_cooperation_high"]


def test_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    from partnersim.cli.common import console

    monkeypatch.setenv("NO_COLOR", "1")
    assert console().no_color


def test_the_event_log_ends_a_lapsed_or_suspended_partnership(tmp_path: Path) -> None:
    """With a suspension rate of 0.4 a year, many partnerships are suspended before 2031; each such
    case's last event is ``suspended``, after ``cooperation``, and the machine allows that path."""
    what_if = tmp_path / "suspend.yaml"
    what_if.write_text(f"extends: {(ROOT / 'scenarios' / 'latam-calendar.yaml').as_posix()}\n"
                       "partnership: {suspension: {annual_rate: 0.4}}\n", encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(what_if), "-n", "200", "-j", "1", "--events", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    with (out / "events.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cases: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        cases.setdefault(row["case"], []).append(row)
    ended = [events for events in cases.values() if events[-1]["activity"] in ("suspended", "lapsed")]
    assert len(ended) > 50
    for events in ended:
        assert events[-2]["activity"] == "cooperation" and events[-2]["timestamp"] <= events[-1]["timestamp"]


def test_kept_rows_are_read_in_memory_as_the_file_would_be_read(tmp_path: Path) -> None:
    from partnersim.results.rows import read_rows, rows_from_columns

    results = partnersim.simulate(ROOT / "scenarios" / "latam.yaml", replications=600, keep_rows=True)
    assert results.rows is not None
    path = tmp_path / "replications.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:  # every value in full, as the rows hold it
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(list(results.rows))
        for row in zip(*results.rows.values(), strict=True):
            writer.writerow(["" if isinstance(v, float) and v != v else v for v in row])
    in_memory, from_file = rows_from_columns(results.rows, results), read_rows(path, results)
    assert in_memory == from_file
    assert in_memory.replications == 600 and in_memory.allies.cases == 600 * len(results.candidates)


def test_summary_json_is_read_by_the_declaration_that_wrote_it() -> None:
    from partnersim.results.summary import Results

    for name in ("latam.yaml", "latam-calendar.yaml"):  # the second has a partnership block
        results = partnersim.simulate(ROOT / "scenarios" / name, replications=400)
        written = json.loads(json.dumps(results.to_dict()))
        again = Results.read(
            written, scenario=results.scenario, curves={c.code: c.cdf for c in results.candidates},
            areas={c.code: c.partnership.by_month for c in results.candidates if c.partnership is not None},
        )
        assert again.to_dict() == written
        for before, after in zip(results.candidates, again.candidates, strict=True):
            # Read back, an estimate is computed again from its count: exact, not rounded to six places.
            assert after.outcomes == before.outcomes and after.by_year_end == before.by_year_end
            assert (after.partnership is None) == (before.partnership is None)
        assert results.has_partnership == (name == "latam-calendar.yaml") == again.has_partnership
