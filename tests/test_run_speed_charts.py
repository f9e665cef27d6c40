"""A run's charts: drawn side by side by chart workers, the same files as drawn one after the other.

- Charts drawn by chart workers are byte for byte those drawn one after the
  other in the run's own process; a run whose workers are gone draws its
  charts itself; the workers end with the run.
- The run's own process does not import matplotlib when workers draw.
- A sensitivity analysis's tornadoes, drawn by the same workers, are the files it draws itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.executors import Executor
from partnersim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
POSIX = pytest.mark.skipif(not hasattr(os, "fork"), reason="chart workers fork")


def _charts(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((folder / "charts").iterdir())}


@POSIX
@pytest.mark.parametrize(("name", "options"), [
    ("latam.yaml", ["-n", "1500", "--seed", "3"]),
    ("latam-calendar.yaml", ["-n", "800"]),  # a partnership: eight charts
    ("latam-uk-uncertain.yaml", ["--precision", "0.05"]),
])
def test_charts_drawn_by_chart_workers_are_the_files_drawn_one_after_the_other(
    tmp_path: Path, name: str, options: list[str]
) -> None:
    runner = CliRunner()
    made = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        result = runner.invoke(cli, ["run", str(SCENARIOS / name), *options, "-j", jobs, "-q", "--out", str(out)])
        assert result.exit_code == 0, result.output
        made[jobs] = _charts(out)
    assert len(made["1"]) >= 7
    assert made["1"] == made["2"]


@POSIX
def test_a_sensitivity_analysis_tornadoes_drawn_by_chart_workers_are_those_drawn_here(tmp_path: Path) -> None:
    runner = CliRunner()
    made = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        result = runner.invoke(cli, ["sensitivity", str(SCENARIOS / "latam.yaml"), "-n", "300", "-j", jobs, "-q",
                                     "--candidate", "BRA", "--out", str(out)])
        assert result.exit_code == 0, result.output
        made[jobs] = _charts(out)
        assert sorted(path.name for path in out.iterdir()) == [
            "charts", "inputs", "manifest.json", "sensitivity.csv", "sensitivity.json"]  # no job file left
    assert sorted(made["1"]) == ["tornado_cooperation_BRA.png", "tornado_p50_BRA.png"]
    assert made["1"] == made["2"]


@POSIX
def test_figures_the_chart_workers_could_not_draw_are_drawn_here(tmp_path: Path, monkeypatch) -> None:
    from partnersim.charts.workers import ChartWorkers

    monkeypatch.setattr(ChartWorkers, "draw", lambda self, figures, patience=None: set())  # the helper drew none
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["sensitivity", str(SCENARIOS / "latam.yaml"), "-n", "300", "-j", "2", "-q",
                                      "--candidate", "BRA", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(_charts(out)) == ["tornado_cooperation_BRA.png", "tornado_p50_BRA.png"]


@POSIX
def test_a_run_whose_chart_workers_are_gone_draws_its_charts_itself(tmp_path: Path) -> None:
    from partnersim.charts.workers import ChartWorkers
    from partnersim.runs import execute

    path = SCENARIOS / "latam.yaml"
    scenario = load_scenario(path).with_run(800, None)
    alone = execute(path, scenario, out=tmp_path / "alone", executor=Executor(jobs=1))
    workers = ChartWorkers.start(2)
    assert workers is not None
    os.killpg(workers.process.pid, signal.SIGKILL)
    workers.process.wait()
    try:
        helped = execute(path, scenario, out=tmp_path / "helped", executor=Executor(jobs=2), chart_workers=workers)
    finally:
        workers.close()
    assert _charts(helped.folder) == _charts(alone.folder) and len(_charts(alone.folder)) == 7


@POSIX
def test_a_run_whose_chart_workers_do_not_answer_draws_its_charts_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partnersim.charts import workers as chart_workers
    from partnersim.charts.workers import ChartWorkers
    from partnersim.runs import execute

    path = SCENARIOS / "latam.yaml"
    scenario = load_scenario(path).with_run(600, None)
    alone = execute(path, scenario, out=tmp_path / "alone", executor=Executor(jobs=1))
    monkeypatch.setattr(chart_workers, "PATIENCE", 1.0)
    workers = ChartWorkers.start(2)
    assert workers is not None
    os.killpg(workers.process.pid, signal.SIGSTOP)  # alive, and silent
    try:
        stuck = execute(path, scenario, out=tmp_path / "stuck", executor=Executor(jobs=2), chart_workers=workers)
        assert workers.process.returncode is not None  # stopped for good, not left behind
    finally:
        workers.close()
    assert _charts(stuck.folder) == _charts(alone.folder)


@POSIX
def test_chart_workers_end_with_the_run(tmp_path: Path) -> None:
    from partnersim.charts.workers import ChartWorkers
    from partnersim.runs import execute

    path = SCENARIOS / "latam.yaml"
    workers = ChartWorkers.start(2)
    assert workers is not None
    try:
        done = execute(path, load_scenario(path).with_run(600, None), out=tmp_path / "run",
                       executor=Executor(jobs=2), chart_workers=workers)
        assert workers.process.returncode == 0  # it finished its work and left: nothing waits at exit
    finally:
        workers.close()
    assert len(_charts(done.folder)) == 7
    assert not [p for p in (done.folder / "charts").iterdir() if p.name.startswith(".")]


@POSIX
def test_a_run_abandoned_stops_its_chart_workers_at_once() -> None:
    from partnersim.charts.workers import ChartWorkers

    workers = ChartWorkers.start(2)
    assert workers is not None
    workers.close()
    assert workers.process.returncode is not None


@POSIX
def test_the_run_leaves_matplotlib_to_its_chart_workers(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from partnersim.cli import main\n"
        f"sys.argv = ['partnersim', 'run', {str(SCENARIOS / 'latam.yaml')!r}, '-n', '600', '-j', '2', '-q', "
        f"'--out', {str(tmp_path / 'run')!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('matplotlib' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stderr.strip().splitlines()[-1] == "False"
    assert len(list((tmp_path / "run" / "charts").glob("*.png"))) == 7
