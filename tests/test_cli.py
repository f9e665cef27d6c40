"""The command line as a user meets it, through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnersim.cli import cli

GOOD = """\
name: CLI test
start: 2025-01-01
horizon: 2030-12-31
replications: 400
seed: 3
allies:
  TUR: {hold: {probability: 0.2}}
candidates:
  - {code: ARG, name: Argentina, request: 2024-04-18, stage: consensus}
  - {code: BRA, name: Brazil, request: {uniform: [2026-01-01, 2028-01-01]}}
"""

BAD = """\
name: broken
start: 2025-01-01
allies:
  TRU: {hold: {probabilty: 1.3}}
  default:
    deliberation: -3w
candidates:
  - {code: ARG, request: 2024-13-18}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_run_prints_tables_and_findings_and_writes_a_complete_folder(runner: CliRunner, tmp_path: Path) -> None:
    scenario = write(tmp_path, "good.yaml", GOOD)
    out = tmp_path / "run"
    result = runner.invoke(cli, ["run", str(scenario), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Argentina:" in result.output and "chance of cooperation by Dec 2030" in result.output
    assert f"Wrote {out}/" in result.output
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "scenario.yaml", "inputs/good.yaml", "manifest.json", "summary.json", "results.csv",
        "cooperation_by_date.csv", "replications.csv", "charts/outcomes.png", "charts/s_curve.png",
    } <= names
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["replications"] == 400 and len(manifest["scenario_sha256"]) == 64
    rows = (out / "replications.csv").read_text().splitlines()
    assert len(rows) == 1 + 400 * 2
    assert not list(tmp_path.glob(".*partial"))


def test_run_options_override_the_scenario(runner: CliRunner, tmp_path: Path) -> None:
    scenario = write(tmp_path, "good.yaml", GOOD)
    out = tmp_path / "run"
    result = runner.invoke(
        cli, ["run", str(scenario), "-n", "150", "--seed", "9", "--out", str(out), "--quiet", "--no-rows",
              "--format", "svg", "-j", "1"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["replications"], summary["seed"]) == (150, 9)
    assert (out / "charts" / "outcomes.svg").exists()
    assert not (out / "replications.csv").exists()
    assert "Argentina" not in result.output  # --quiet prints only where it wrote


def test_an_existing_run_folder_is_kept_without_force(runner: CliRunner, tmp_path: Path) -> None:
    scenario = write(tmp_path, "good.yaml", GOOD)
    out = tmp_path / "run"
    out.mkdir()
    result = runner.invoke(cli, ["run", str(scenario), "--out", str(out), "-n", "50", "-j", "1"])
    assert result.exit_code == 2
    assert "already exists" in result.output and "--force" in result.output
    forced = runner.invoke(cli, ["run", str(scenario), "--out", str(out), "-n", "50", "-j", "1", "--force", "-q"])
    assert forced.exit_code == 0, forced.output
    assert (out / "summary.json").exists()


def test_bad_input_is_one_line_per_problem_and_exit_code_2(runner: CliRunner, tmp_path: Path) -> None:
    scenario = write(tmp_path, "bad.yaml", BAD)
    out = tmp_path / "never"
    result = runner.invoke(cli, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert any(":4: allies.TRU: unknown ally 'TRU' (did you mean 'TUR'?)" in line for line in lines)
    assert any(":4: allies.TRU.hold.probabilty: unknown key 'probabilty' (did you mean 'probability'?)" in line
               for line in lines)
    assert any(":6: allies.default.deliberation: a duration cannot be negative" in line for line in lines)
    assert any(":8: candidates.0.request: expected an ISO date" in line for line in lines)
    assert lines[-1] == "4 problems found; nothing was run."
    assert "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.glob(".*partial"))


def test_a_missing_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["run", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.output.strip().startswith(str(tmp_path / "nope.yaml"))
    assert "no such file" in result.output


def test_validate_reports_each_file(runner: CliRunner, tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", BAD)
    ok = runner.invoke(cli, ["validate", str(good)])
    assert ok.exit_code == 0 and "ok — 'CLI test', 2 candidates" in ok.output
    both = runner.invoke(cli, ["validate", str(good), str(bad)])
    assert both.exit_code == 2 and "unknown ally 'TRU'" in both.output


def test_diagram_prints_mermaid_and_writes_files(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["diagram"])
    assert result.exit_code == 0
    assert "stateDiagram-v2" in result.output and "ipcp_approval" in result.output
    png = tmp_path / "process.png"
    drawn = runner.invoke(cli, ["diagram", "-o", str(png)])
    assert drawn.exit_code == 0, drawn.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    wrong = runner.invoke(cli, ["diagram", "--process", "membership"])
    assert wrong.exit_code == 2 and "unknown process" in wrong.output


def test_help_has_examples_and_python_m_works() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output
    completed = subprocess.run(
        [sys.executable, "-m", "partnersim", "--version"], capture_output=True, text=True, check=True
    )
    assert completed.stdout.startswith("partnersim, version")


def test_help_does_not_import_the_heavy_modules() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from partnersim.cli import cli; "
        "CliRunner().invoke(cli, ['--help']); "
        "print(sorted(m for m in ('numpy', 'simpy', 'matplotlib', 'scipy', 'pydantic') if m in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def test_a_run_imports_no_scipy_stats() -> None:
    """scipy.stats takes about half a second to import; nothing a run needs comes from it."""
    code = ("import sys, partnersim.runs, partnersim.results.summary, partnersim.simulation; "
            "print('scipy.stats' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_the_workers_quickly_and_leaves_no_run_folder(tmp_path: Path) -> None:
    import os
    import signal
    import time

    scenario = write(tmp_path, "long.yaml", GOOD.replace("replications: 400", "replications: 5000000"))
    out = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-m", "partnersim", "run", str(scenario), "--out", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    partial = tmp_path / ".run.partial"
    deadline = time.monotonic() + 30
    while not (partial / "replications.csv").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    output, _ = process.communicate(timeout=30)
    assert time.monotonic() - sent < 2.0
    assert process.returncode == 130
    assert "Interrupted; nothing half-written was left behind." in output
    assert "Traceback" not in output
    assert not out.exists() and not partial.exists()


def test_set_changes_a_value_and_is_checked_like_the_file(runner: CliRunner, tmp_path: Path) -> None:
    scenario = write(tmp_path, "good.yaml", GOOD)
    out = tmp_path / "run"
    result = runner.invoke(
        cli, ["run", str(scenario), "--out", str(out), "-n", "100", "-j", "1", "-q",
              "--set", "allies.TUR.hold.probability=0.9", "--set", "candidates.BRA.request=2026-06-01"],
    )
    assert result.exit_code == 0, result.output
    resolved = (out / "scenario.yaml").read_text()
    assert "probability: 0.9" in resolved and "request: '2026-06-01'" in resolved
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"] == ["allies.TUR.hold.probability=0.9", "candidates.BRA.request=2026-06-01"]
    bad = runner.invoke(cli, ["run", str(scenario), "--set", "allies.TUR.hold.probability=1.3",
                              "--set", "candidates.XXX.request=2026-01-01"])
    assert bad.exit_code == 2
    assert bad.output.splitlines() == [
        "--set: candidates.XXX.request: no candidate 'XXX'; the scenario has ARG, BRA",
        "--set: allies.TUR.hold.probability: must be a probability between 0 and 1, got 1.3",
        "2 problems found; nothing was run.",
    ]


def test_a_key_that_only_set_creates_is_reported_as_set(runner: CliRunner, tmp_path: Path) -> None:
    scenario = write(tmp_path, "good.yaml", GOOD)
    result = runner.invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 0
    bad = runner.invoke(cli, ["run", str(scenario), "--set", "allies.XXX.hold.probability=0.5"])
    assert bad.exit_code == 2
    assert bad.output.splitlines()[0].startswith("--set: allies.XXX: unknown ally 'XXX'")


@pytest.mark.parametrize(("command", "name"), [(["schema", "-o"], "out.json"), (["diagram", "-o"], "out.mmd")])
def test_an_unwritable_output_file_is_one_line(runner: CliRunner, tmp_path: Path, command: list[str], name: str) -> None:
    target = tmp_path / "no-such-folder" / name
    result = runner.invoke(cli, [*command, str(target)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: cannot use {target}: No such file or directory"


@pytest.mark.parametrize(("args", "says"), [
    (["run", "{latam}", "--bogus"], "error: No such option '--bogus'."),
    (["sensitivity"], "error: Missing argument 'SCENARIO.yaml'."),
    (["sensitivity", "{latam}", "--jobs", "0"], "error: Invalid value for '-j' / '--jobs': 0 is not in the range x>=1."),
    (["seek", "{latam}", "stages.expert_talks.teams"],
     "error: give the range to search for stages.expert_talks.teams with --range LOW:HIGH"),
    (["nosuch"], "error: No such command 'nosuch'."),
])
def test_a_command_called_the_wrong_way_is_one_line_and_exit_code_2(tmp_path: Path, args: list[str],
                                                                   says: str) -> None:
    latam = str(Path(__file__).resolve().parent.parent / "scenarios" / "latam.yaml")
    result = CliRunner().invoke(cli, [a.format(latam=latam) for a in args])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith(says), result.output
    assert "--help)" in result.output and "Usage:" not in result.output


def test_help_and_version_still_exit_0() -> None:
    for args in (["--help"], ["run", "--help"], ["--version"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and result.output.strip(), args
