"""Output integrity, reproducibility and runs that cannot hang.

- A run killed with SIGKILL leaves nothing that looks finished; an existing
  run folder is replaced only with ``--force``; an unwritable folder and a full
  disk are one-line errors with exit code 2 and nothing half-written. Signals
  and resource limits are tested on real processes.
- The same scenario and seed give byte-identical result files whatever
  ``--jobs`` is; the manifest records the versions; ``partnersim rerun``
  replays a run from its folder and says whether it matches.
- A scenario that cannot finish ends at the horizon.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import partnersim
from partnersim.cli import cli
from partnersim.scenario import load_scenario
from partnersim.simulation import simulate

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and resource limits")

SCENARIO = """\
name: Integrity test
start: 2025-01-01
horizon: 2030-12-31
replications: 1200
seed: 3
allies:
  TUR: {hold: {probability: 0.2}}
candidates:
  - {code: ARG, name: Argentina, request: 2024-04-18, stage: consensus}
  - {code: BRA, name: Brazil, request: {uniform: [2026-01-01, 2028-01-01]}}
"""
RESULT_FILES = ("summary.json", "results.csv", "cooperation_by_date.csv", "replications.csv", "scenario.yaml")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def partnersim_process(*args: str, cwd: Path, **options: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "partnersim", *args], cwd=cwd, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options,
    )


def partnersim_run(*args: str, cwd: Path, timeout: float = 60, **options: Any) -> subprocess.CompletedProcess[str]:
    process = partnersim_process(*args, cwd=cwd, **options)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@contextmanager
def charts_skipped() -> Iterator[None]:
    """Charts take most of a small run's time and have no part in these tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("partnersim.charts.render_all", lambda *args, **kwargs: [])
        yield


def invoke(*args: str) -> Any:
    """``partnersim ARGS`` in this process, without drawing charts."""
    with charts_skipped():
        return CliRunner().invoke(cli, list(args))


def leftovers(folder: Path) -> list[str]:
    """Hidden folders a run writes in (``.NAME.partial``) or sets aside (``.NAME.replaced``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".partial", ".replaced")))


# --- interrupted and refused runs --------------------------------------------------------------


@POSIX
def test_a_run_killed_with_sigkill_leaves_nothing_that_looks_finished(tmp_path: Path) -> None:
    write(tmp_path, "long.yaml", SCENARIO.replace("replications: 1200", "replications: 5000000"))
    process = partnersim_process("run", "long.yaml", "--out", "run", "--jobs", "2", cwd=tmp_path,
                                 start_new_session=True)
    partial = tmp_path / ".run.partial"
    deadline = time.monotonic() + 30
    while not (partial / "replications.csv").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, with no chance to clean up
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert not (tmp_path / "run").exists()
    assert not list(tmp_path.rglob("summary.json")) and not list(tmp_path.rglob("manifest.json"))
    assert leftovers(tmp_path) == [".run.partial"]  # hidden, and never taken for a run

    refused = invoke("rerun", str(partial))
    assert refused.exit_code == 2 and "never finished" in refused.stderr

    again = invoke("run", str(tmp_path / "long.yaml"), "--out", str(tmp_path / "run"), "-n", "50", "-j", "1", "-q")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "run" / "summary.json").exists() and leftovers(tmp_path) == []


def test_an_existing_run_folder_is_never_overwritten_without_force(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", SCENARIO)
    existing = tmp_path / "run"
    first = invoke("run", str(tmp_path / "good.yaml"), "--out", str(existing), "-n", "30", "-j", "1", "-q")
    assert first.exit_code == 0, first.output
    before = (existing / "summary.json").read_bytes()
    refused = partnersim_run("run", "good.yaml", "--out", "run", "-n", "50", "-j", "1", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "error: run already exists; choose another --out or add --force to replace it"
    ]
    assert (existing / "summary.json").read_bytes() == before
    assert leftovers(tmp_path) == []

    forced = invoke("run", str(tmp_path / "good.yaml"), "--out", str(existing), "-n", "50", "-j", "1", "-q", "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads((existing / "summary.json").read_text())["replications"] == 50
    assert leftovers(tmp_path) == [] and not list(tmp_path.glob(".*.lock"))


def test_an_out_folder_that_cannot_be_made_is_a_one_line_error(tmp_path: Path) -> None:
    """A path under a regular file cannot be a folder, even for root."""
    write(tmp_path, "good.yaml", SCENARIO)
    (tmp_path / "a-file").write_text("not a folder\n")
    result = partnersim_run("run", "good.yaml", "--out", "a-file/run", "-n", "50", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: cannot write the run folder a-file/run: Not a directory"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "good.yaml"]


def _limit_file_size() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


@POSIX
def test_a_disk_that_fills_up_during_a_run_is_a_one_line_error(tmp_path: Path) -> None:
    """With files limited to 200 kB, writing replications.csv fails as on a full disk."""
    write(tmp_path, "good.yaml", SCENARIO)
    existing = tmp_path / "run"
    assert invoke("run", str(tmp_path / "good.yaml"), "--out", str(existing), "-n", "30", "-j", "1", "-q").exit_code == 0
    before = (existing / "summary.json").read_bytes()
    result = partnersim_run("run", "good.yaml", "--out", "run", "-n", "5000", "-j", "1", "--force", cwd=tmp_path,
                            preexec_fn=_limit_file_size)  # replications.csv would be about 1 MB
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: cannot write replications.csv in the run folder: File too large"]
    assert (existing / "summary.json").read_bytes() == before  # --force replaces only with a finished run
    assert leftovers(tmp_path) == []


def _to_dev_full(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Send writes of the run folder's ``name`` to /dev/full, where every write fails with ENOSPC."""
    real_open = Path.open

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name == name and "w" in mode:
            return real_open(Path("/dev/full"), mode, *args, **kwargs)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("replications.csv", "error: cannot write replications.csv in the run folder: No space left on device"),
        ("summary.json", "error: cannot write {out}/summary.json: No space left on device"),
    ],
)
def test_a_full_disk_is_a_one_line_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    scenario = write(tmp_path, "good.yaml", SCENARIO)
    out = tmp_path / "run"
    _to_dev_full(monkeypatch, name)
    result = invoke("run", str(scenario), "--out", str(out), "-n", "600", "-j", "1", "-q")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message.format(out=out)]
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_full_disk_while_drawing_the_charts_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.figure import Figure

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Figure, "savefig", full)
    scenario = write(tmp_path, "good.yaml", SCENARIO)
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "-n", "50", "-j", "1", "-q"])
    assert not out.exists() and leftovers(tmp_path) == []
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1


# --- reproducibility ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same scenario, with a --set and a --seed, run with --jobs 1 and with --jobs 2 (three chunks)."""
    folder = tmp_path_factory.mktemp("runs")
    scenario = write(folder, "good.yaml", SCENARIO)
    made = {}
    for label, jobs in (("first", "1"), ("two jobs", "2")):
        out = folder / label.replace(" ", "-")
        result = invoke(
            "run", str(scenario), "--out", str(out), "--jobs", jobs, "-q", "--seed", "11",
            "--set", "allies.HUN.hold.probability=0.5",
        )
        assert result.exit_code == 0, result.output
        made[label] = out
    return made


@pytest.mark.parametrize("name", RESULT_FILES)
def test_the_same_seed_gives_byte_identical_files_whatever_the_jobs(runs: dict[str, Path], name: str) -> None:
    assert (runs["first"] / name).read_bytes() == (runs["two jobs"] / name).read_bytes()


def test_the_manifest_records_the_versions_seed_and_changes(runs: dict[str, Path]) -> None:
    manifest = json.loads((runs["first"] / "manifest.json").read_text())
    assert manifest["partnersim"] == partnersim.__version__
    for name in ("numpy", "scipy", "simpy", "transitions", "pydantic", "PyYAML"):
        assert manifest["dependencies"][name] == metadata.version(name)
    assert (manifest["seed"], manifest["replications"]) == (11, 1200)
    assert manifest["overrides"] == ["allies.HUN.hold.probability=0.5"]
    assert manifest["python"] and len(manifest["scenario_sha256"]) == 64
    resolved = load_scenario(runs["first"] / "scenario.yaml")
    assert resolved.seed == 11 and resolved.allies.overrides["HUN"].hold is not None


def test_rerun_replays_a_run_and_says_it_matches(runs: dict[str, Path], tmp_path: Path) -> None:
    """A second run, byte for byte the same as the first: the same seed gives the same files across runs."""
    replay = tmp_path / "replay"
    result = invoke("rerun", str(runs["two jobs"]), "--out", str(replay), "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{runs['two jobs']}: matches")
    assert result.stderr == ""
    for name in RESULT_FILES:
        assert (replay / name).read_bytes() == (runs["two jobs"] / name).read_bytes()


def test_rerun_says_what_differs_and_warns_of_other_versions(
    runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = tmp_path / "changed"
    shutil.copytree(runs["first"], changed)
    summary = json.loads((changed / "summary.json").read_text())
    true_p = summary["candidates"][0]["outcomes"]["cooperation"]["p"]
    summary["candidates"][0]["outcomes"]["cooperation"]["p"] = 0.123
    (changed / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    manifest = json.loads((changed / "manifest.json").read_text())
    manifest["dependencies"]["numpy"] = "1.0.0"
    (changed / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    result = invoke("rerun", str(changed), "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"warning: numpy 1.0.0 when the run was made, {metadata.version('numpy')} now; the results may differ"
    ]
    assert result.stdout.splitlines() == [
        f"{changed}: differs — the replay (1,200 replications, seed 11) does not give the same results:",
        "  summary.json: changed since the run wrote it (its SHA-256 is not the one in manifest.json)",
        f"  summary.json: candidates.0.outcomes.cooperation.p: 0.123 → {true_p}",
    ]
    assert list(scratch.iterdir()) == []  # the replay's temporary folder is gone


@pytest.mark.parametrize("kind", ["unfinished", "empty", "missing"])
def test_rerun_refuses_what_is_not_a_finished_run(tmp_path: Path, kind: str) -> None:
    folder = {"unfinished": tmp_path / ".run.partial", "empty": tmp_path / "run", "missing": tmp_path / "gone"}[kind]
    if kind != "missing":
        folder.mkdir()
        (folder / "replications.csv").write_text("replication\n")
    result = CliRunner().invoke(cli, ["rerun", str(folder)])
    assert result.exit_code == 2
    said = f"error: no run folder at {folder}\n" if kind == "missing" else f"error: {folder} "
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(said)


# --- runs that cannot finish end at the horizon ----------------------------------------------------


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail instead of waiting forever: SIGALRM interrupts a run that hangs."""

    def hung(*_: Any) -> None:
        raise TimeoutError(f"the run did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


NEVER_FINISH = {
    "every hold lasts past the horizon": (
        {"allies": {"default": {"deliberation": "0d", "hold": {"probability": 1, "duration": "50y", "lifted": 1}}}},
        "pending"),
    "every hold turns into a veto": (
        {"allies": {"default": {"deliberation": "0d", "hold": {"probability": 1, "lifted": 0}}}}, "rejected"),
    "talks never agree, with no round limit": (
        {"stages": {"expert_talks": {"agreement": 0}}}, "pending"),
    "talks never agree, in rounds of no time": (
        {"stages": {"expert_talks": {"agreement": 0, "round": "0d", "teams": 1}}}, "pending"),
    "rounds of no time, one team for many": (
        {"stages": {"expert_talks": {"agreement": 1e-9, "round": "0d", "teams": 1}},
         "candidates": [{"code": c, "request": "2026-12-01"} for c in ("ARG", "BRA", "CHL", "PER", "MEX")]},
        "pending"),
}


@POSIX
@pytest.mark.parametrize(("changes", "outcome"), NEVER_FINISH.values(), ids=NEVER_FINISH.keys())
def test_a_scenario_that_cannot_finish_ends_at_the_horizon(changes: dict[str, Any], outcome: str) -> None:
    from partnersim.scenario import scenario_from_dict

    document: dict[str, Any] = {
        "start": "2026-12-01", "horizon": "5y", "replications": 40,
        "allies": {"default": {"deliberation": "0d", "hold": {"probability": 0}}},
        "candidates": [{"code": "ARG", "request": "2026-12-01"}],
    }
    document.update(changes)
    with within(20):
        results = simulate(scenario_from_dict(document), jobs=1)
    for candidate in results.candidates:
        assert candidate.outcomes[outcome].p == 1.0
        assert candidate.outcomes["cooperation"].p == 0.0


@POSIX
def test_a_run_that_cannot_finish_ends_with_pending_cases_from_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, "stuck.yaml", """\
        start: 2026-12-01
        horizon: 2y
        replications: 40
        allies: {default: {deliberation: 0d, hold: {probability: 0}}}
        stages:
          expert_talks: {agreement: 0, round: 0d, teams: 1}
        candidates:
          - {code: ARG, request: 2026-12-01}
          - {code: BRA, request: 2027-06-01}
        """)
    with within(60):
        result = invoke("run", str(tmp_path / "stuck.yaml"), "--out", str(tmp_path / "run"), "-j", "1", "-q")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    for candidate in summary["candidates"]:
        assert candidate["outcomes"]["pending"]["p"] == 1.0
