"""Nothing a user has is lost, and nothing half-written looks finished.

- ``--force`` replaces only a folder partnersim wrote; a folder being written
  is locked against a second writer; a stale partial folder is removed only
  when it is ours; default names taken in the same second get a suffix.
- Every single file (briefing, chart, diagram) is written under a temporary
  name; an interrupted ``chart`` leaves the old set.
- Worker processes end with their parent, however it ends; SIGTERM unwinds
  like Ctrl-C.
- A run folder that was damaged or written to harm gets one line from every
  command that reads it.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from partnersim import files
from partnersim.cli import cli
from partnersim.errors import RunFolderError
from partnersim.results.folder import RunFolder, input_names

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")

SCENARIO = """\
name: Folder test
start: 2025-01-01
horizon: 2030-12-31
replications: 300
seed: 5
allies:
  TUR: {hold: {probability: 0.2}}
candidates:
  - {code: ARG, name: Argentina, request: 2025-02-01}
  - {code: BRA, name: Brazil, request: 2026-01-01}
"""


def write(path: Path, text: str = SCENARIO) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("partnersim.charts.render_all", lambda *a, **k: [])
        return CliRunner().invoke(cli, list(args))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def process(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "partnersim", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(condition: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# --- --force ------------------------------------------------------------------------------------


def test_force_never_replaces_a_folder_partnersim_did_not_write(tmp_path: Path) -> None:
    important = tmp_path / "important"
    (important / "sub").mkdir(parents=True)
    (important / "thesis.txt").write_text("thesis\n")
    write(important / "my.yaml")
    before = snapshot(important)
    result = invoke("run", str(important / "my.yaml"), "-n", "300", "-q", "--out", str(important), "--force")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {important} is not a folder that partnersim wrote (it has no partnersim manifest.json), so "
        "--force does not replace it; choose another --out, or move its files away first"
    ]
    assert snapshot(important) == before and (important / "sub").is_dir()
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("kind", ["file", "link", "foreign manifest"])
def test_force_refuses_a_file_a_link_and_a_folder_with_a_manifest_of_another_tool(tmp_path: Path, kind: str) -> None:
    scenario = write(tmp_path / "s.yaml")
    target = tmp_path / "out"
    if kind == "file":
        target.write_text("mine\n")
    elif kind == "link":
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "keep.txt").write_text("keep\n")
        target.symlink_to(tmp_path / "elsewhere")
    else:
        target.mkdir()
        (target / "manifest.json").write_text('{"tool": "another"}\n')
    result = invoke("run", str(scenario), "-q", "--out", str(target), "--force")
    assert result.exit_code == 2
    if kind == "file":  # refused by the option itself
        assert "is a file" in result.stderr and target.read_text() == "mine\n"
        return
    assert "so --force does not replace it" in result.stderr and len(result.stderr.splitlines()) == 1
    if kind == "link":
        assert target.is_symlink() and (tmp_path / "elsewhere" / "keep.txt").read_text() == "keep\n"


def test_force_replaces_a_finished_folder_of_every_command(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml")
    for args in (["run", str(scenario), "-n", "40"], ["compare", str(scenario), "--set", "seed=2", "-n", "40"]):
        out = tmp_path / args[0]
        assert invoke(*args, "-q", "--out", str(out)).exit_code == 0
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["kind"] == args[0] and "manifest.json" not in manifest["files"]
        again = invoke(*args, "-q", "--out", str(out), "--force")
        assert again.exit_code == 0, again.output
    assert hidden(tmp_path) == []


def test_an_empty_folder_may_be_replaced(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    result = invoke("run", str(write(tmp_path / "s.yaml")), "-n", "40", "-q", "--out", str(tmp_path / "out"),
                    "--force")
    assert result.exit_code == 0 and (tmp_path / "out" / "summary.json").is_file()


def test_the_manifest_lists_every_file_with_its_size_and_hash(tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "run"
    assert invoke("run", str(write(tmp_path / "s.yaml")), "-n", "40", "-q", "--out", str(out)).exit_code == 0
    listed = json.loads((out / "manifest.json").read_text())["files"]
    on_disk = {name for name in snapshot(out) if name != "manifest.json"}
    assert set(listed) == on_disk
    for name, entry in listed.items():
        data = (out / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


# --- two writers ------------------------------------------------------------------------------


def test_a_folder_being_written_is_refused_to_a_second_writer(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml")
    out = tmp_path / "run"
    with files.Lock(out):
        result = invoke("run", str(scenario), "-n", "40", "-q", "--out", str(out), "--force")
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            f"error: {out} is being written by process {os.getpid()} now; wait for it to finish, or choose another "
            "--out"
        ]
        assert not out.exists() and hidden(tmp_path) == [".run.lock"]
    assert hidden(tmp_path) == []


@POSIX
def test_two_runs_on_one_out_folder_at_once_lose_nothing(tmp_path: Path) -> None:
    write(tmp_path / "long.yaml", SCENARIO.replace("replications: 300", "replications: 40000"))
    first = process("run", "long.yaml", "--out", "run", "-j", "1", "-q", cwd=tmp_path)
    wait_for(lambda: (tmp_path / ".run.partial" / "replications.csv").exists())
    second = process("run", "long.yaml", "--out", "run", "-n", "500", "-j", "1", "-q", "--force", cwd=tmp_path)
    _, refused = second.communicate(timeout=120)
    assert second.returncode == 2
    assert refused.splitlines() == [
        f"error: run is being written by process {first.pid} now; wait for it to finish, or choose another --out"
    ]
    stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert "replications.csv" in stdout and (tmp_path / "run" / "replications.csv").is_file()
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["replications"] == 40000
    assert hidden(tmp_path) == []


def test_default_names_taken_in_the_same_second_get_a_number(tmp_path: Path) -> None:
    base = tmp_path / "runs" / "latam-20261206-120000"
    base.mkdir(parents=True)
    with RunFolder(base, fresh=True) as one, RunFolder(base, fresh=True) as two:
        assert (one.final.name, two.final.name) == ("latam-20261206-120000-2", "latam-20261206-120000-3")


def test_a_partial_folder_left_by_a_killed_run_is_cleared_but_one_that_is_not_ours_is_kept(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml")
    stale = tmp_path / ".run.partial"
    stale.mkdir()
    (stale / ".partnersim-partial").touch()
    (stale / "summary.json").write_text("{}")
    assert invoke("run", str(scenario), "-n", "40", "-q", "--out", str(tmp_path / "run")).exit_code == 0
    assert hidden(tmp_path) == []

    foreign = tmp_path / ".other.partial"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n")
    result = invoke("run", str(scenario), "-n", "40", "-q", "--out", str(tmp_path / "other"))
    assert result.exit_code == 2 and "was not left by partnersim" in result.stderr
    assert (foreign / "notes.txt").read_text() == "mine\n"


def test_a_lock_is_not_held_by_a_forked_child(tmp_path: Path) -> None:
    lock = files.Lock(tmp_path / "run")
    pid = os.fork() if hasattr(os, "fork") else None
    if pid == 0:  # the child: its copy of the lock is closed at once; it must not release the parent's
        os._exit(0 if lock._fd is None else 1)
    if pid is not None:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    with pytest.raises(files.Busy):
        files.Lock(tmp_path / "run")
    lock.release()
    files.Lock(tmp_path / "run").release()


# --- single files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("finished")
    out = folder / "run"
    result = CliRunner().invoke(cli, ["run", str(write(folder / "s.yaml")), "-n", "300", "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["pdf", "html", "pptx"])
def test_an_interrupted_briefing_leaves_the_old_file_and_no_scrap(
    finished: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    import partnersim.report.html
    import partnersim.report.pdf
    import partnersim.report.slides

    target = tmp_path / f"briefing.{fmt}"
    target.write_bytes(b"the old briefing")
    writer = {"pdf": (partnersim.report.pdf, "write_pdf"), "html": (partnersim.report.html, "write_html"),
              "pptx": (partnersim.report.slides, "write_pptx")}[fmt]

    def cut_short(briefing: Any, path: Path, **options: Any) -> Path:  # as a full disk would (Ctrl-C takes the same way out)
        path.write_bytes(b"half a brief")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(*writer, cut_short)
    result = CliRunner().invoke(cli, ["report", str(finished), "--format", fmt, "--out", str(target)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: cannot write {target}: No space left on device"
    assert target.read_bytes() == b"the old briefing"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_an_interrupted_chart_command_leaves_the_old_set(finished: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from partnersim import charts

    before = snapshot(finished / "charts")
    real = charts.Chart.__call__

    def draw(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.name == "allies":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(charts.Chart, "__call__", draw)
    result = CliRunner().invoke(cli, ["chart", str(finished)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert snapshot(finished / "charts") == before
    assert not [p for p in (finished / "charts").iterdir() if p.name.startswith(".")]


def test_a_file_that_cannot_be_written_names_the_target_not_a_temporary_name(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.mmd"
    result = CliRunner().invoke(cli, ["diagram", "-o", str(target)])
    assert result.exit_code == 2 and result.output.strip() == f"error: cannot use {target}: No such file or directory"


# --- inputs -------------------------------------------------------------------------------------


def test_a_what_if_and_the_file_it_extends_keep_both_copies_under_one_name(tmp_path: Path) -> None:
    base = write(tmp_path / "latam.yaml")
    variant = write(tmp_path / "variants" / "latam.yaml", "extends: ../latam.yaml\nname: A what-if\n")
    out = tmp_path / "run"
    assert invoke("run", str(variant), "-n", "40", "-q", "--out", str(out)).exit_code == 0
    assert (out / "inputs" / "latam.yaml").read_text() == base.read_text()
    assert (out / "inputs" / "variants" / "latam.yaml").read_text() == variant.read_text()
    assert set(json.loads((out / "manifest.json").read_text())["inputs"]) == {"variants/latam.yaml", "latam.yaml"}
    from partnersim.results.load import load_run

    assert set(load_run(out).inputs) == {"variants/latam.yaml", "latam.yaml"}


def test_input_names_are_paths_from_the_folder_the_files_share(tmp_path: Path) -> None:
    files_ = [tmp_path / "a" / "x.yaml", tmp_path / "x.yaml", tmp_path / "b" / "c" / "y.yaml"]
    assert input_names(files_) == ["a/x.yaml", "x.yaml", "b/c/y.yaml"]
    assert input_names([tmp_path / "only.yaml"]) == ["only.yaml"]


# --- processes ----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_their_parent_however_it_ends(tmp_path: Path, how: signal.Signals) -> None:
    write(tmp_path / "long.yaml", SCENARIO.replace("replications: 300", "replications: 5000000"))
    parent = process("run", "long.yaml", "--out", "run", "-j", "2", "-q", "--no-rows", cwd=tmp_path)
    wait_for(lambda: len(_children(parent.pid)) >= 2 and (tmp_path / ".run.partial").exists())
    time.sleep(0.5)  # the workers are at work
    workers = _children(parent.pid)
    parent.send_signal(how)
    _, stderr = parent.communicate(timeout=30)
    wait_for(lambda: not any(_alive(pid) for pid in workers), seconds=10)
    if how == signal.SIGTERM:
        assert parent.returncode == 128 + signal.SIGTERM
        assert stderr.strip() == "Stopped by SIGTERM; nothing half-written was left behind."
        assert hidden(tmp_path) == [] and not (tmp_path / "run").exists()
    else:
        assert not (tmp_path / "run").exists()


# --- hostile run folders ------------------------------------------------------------------------


def _copy(finished: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    return copy


def _forget_listing(folder: Path) -> None:
    """As a folder written before manifests listed files: no sizes to check against."""
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


COMMANDS = [["chart"], ["report", "--format", "html"], ["rerun", "-j", "1"]]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_summary_nested_two_hundred_thousand_levels_is_one_line(
    finished: Path, tmp_path: Path, command: list[str]
) -> None:
    copy = _copy(finished, tmp_path)
    _forget_listing(copy)
    (copy / "summary.json").write_text("[" * 200_000 + "]" * 200_000)
    result = CliRunner().invoke(cli, [command[0], str(copy), *command[1:]])
    assert result.exit_code in (1, 2) and len(result.output.strip().splitlines()) <= 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("listed", [True, False])
@pytest.mark.parametrize("command", COMMANDS[:2])
def test_a_replications_file_cut_mid_line_is_one_line(
    finished: Path, tmp_path: Path, command: list[str], listed: bool
) -> None:
    copy = _copy(finished, tmp_path)
    if not listed:
        _forget_listing(copy)
    rows = copy / "replications.csv"
    data = rows.read_bytes()
    rows.write_bytes(data[: len(data) // 2 + 7])
    result = CliRunner().invoke(cli, [command[0], str(copy), *command[1:]])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    expected = "is damaged: replications.csv is" if listed else "was cut short, run the scenario again"
    assert expected in line


def test_rerun_says_a_rows_file_the_run_wrote_is_missing(finished: Path, tmp_path: Path) -> None:
    copy = _copy(finished, tmp_path)
    (copy / "replications.csv").unlink()
    result = CliRunner().invoke(cli, ["rerun", str(copy), "-j", "1", "-q"])
    assert result.exit_code == 1
    assert "  replications.csv: missing from the run folder, though the run wrote it" in result.output.splitlines()


def test_rerun_refuses_a_folder_of_another_command(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    scenario = write(tmp_path / "s.yaml")
    assert invoke("compare", str(scenario), "--set", "seed=2", "-n", "40", "-q", "--out", str(out)).exit_code == 0
    with pytest.raises(RunFolderError, match="is a compare folder, not a run folder, so it cannot be replayed"):
        from partnersim.results.rerun import read_run

        read_run(out)


def test_an_input_named_outside_the_folder_is_never_read(finished: Path, tmp_path: Path) -> None:
    from partnersim.results.load import load_run

    secret = tmp_path / "secret.txt"
    secret.write_text("not for a briefing\n")
    copy = _copy(finished, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["inputs"] = {"../../secret.txt": "0", str(secret): "0"}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert all("not for a briefing" not in text for text in load_run(copy).inputs.values())


def test_rerun_shows_an_edited_key_as_one_line_of_plain_text(finished: Path, tmp_path: Path) -> None:
    copy = _copy(finished, tmp_path)
    summary = json.loads((copy / "summary.json").read_text())
    summary["\x1b[31mred\nline"] = 1
    (copy / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    _forget_listing(copy)
    result = CliRunner().invoke(cli, ["rerun", str(copy), "-j", "1", "-q"])
    assert result.exit_code == 1
    assert "  summary.json: [31mred line: 1 → (absent)" in result.output.splitlines()
    assert "\x1b" not in result.output


# --- what a second hostile review found ---------------------------------------------------------


def test_force_keeps_a_folder_that_holds_files_of_yours(finished: Path, tmp_path: Path) -> None:
    copy = _copy(finished, tmp_path)
    (copy / "mynotes.txt").write_text("notes\n")
    (copy / "extra").mkdir()
    (copy / "extra" / "y").write_text("x\n")
    before = snapshot(copy)
    result = invoke("run", str(write(tmp_path / "s.yaml")), "-n", "40", "-q", "--out", str(copy), "--force")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {copy} holds files that partnersim did not write (extra/y, mynotes.txt), so --force does not "
        "replace it; move them away first, or choose another --out"
    ]
    assert snapshot(copy) == before


def test_force_keeps_a_folder_of_yours_with_a_copied_manifest(finished: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    (notes / "2026").mkdir(parents=True)
    (notes / "manifest.json").write_bytes((finished / "manifest.json").read_bytes())
    (notes / "memo.docx").write_text("memo\n")
    result = invoke("run", str(write(tmp_path / "s.yaml")), "-n", "40", "-q", "--out", str(notes), "--force")
    assert result.exit_code == 2 and "holds files that partnersim did not write (memo.docx)" in result.stderr
    assert (notes / "memo.docx").read_text() == "memo\n"


def test_force_keeps_a_charts_set_drawn_again_and_a_briefing(finished: Path, tmp_path: Path) -> None:
    copy = _copy(finished, tmp_path)
    (copy / "charts" / "outcomes.svg").write_text("<svg/>")
    (copy / "report.pdf").write_bytes(b"%PDF")
    result = invoke("run", str(write(tmp_path / "s.yaml")), "-n", "40", "-q", "--out", str(copy), "--force")
    assert result.exit_code == 0, result.output


def test_a_hidden_folder_of_yours_named_like_a_set_aside_run_is_kept(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml")
    kept = tmp_path / ".r7.replaced"
    kept.mkdir()
    (kept / "notes.txt").write_text("precious\n")
    for extra in ([], ["--force"]):
        assert invoke("run", str(scenario), "-n", "40", "-q", "--out", str(tmp_path / "r7"), *extra).exit_code == 0
    assert (kept / "notes.txt").read_text() == "precious\n"
    assert hidden(tmp_path) == [".r7.replaced"]


def test_force_cannot_replace_the_folder_you_are_in(finished: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy(finished, tmp_path)
    monkeypatch.chdir(copy)
    result = invoke("run", str(write(tmp_path / "s.yaml")), "-n", "40", "-q", "--out", ".", "--force")
    assert result.exit_code == 2 and "holds the folder you are in" in result.stderr
    monkeypatch.chdir(tmp_path)
    dotted = invoke("run", str(tmp_path / "s.yaml"), "-n", "40", "-q", "--out", "copy/charts/..", "--force")
    assert dotted.exit_code == 0, dotted.output
    assert (copy / "summary.json").is_file() and hidden(tmp_path) == []


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("precious.yaml", "--out: a PDF briefing is written to a file ending in .pdf, got precious.yaml"),
        ("RUN/summary.pdf", "RUN/summary.pdf is a file in the run folder, not its briefing; write the briefing "
         "elsewhere, or as report.pdf"),
        ("RUN/summary.json", "--out: a PDF briefing is written to a file ending in .pdf, got summary.json"),
    ],
)
def test_a_briefing_never_replaces_a_file_of_another_kind(
    finished: Path, tmp_path: Path, out: str, message: str
) -> None:
    copy = _copy(finished, tmp_path)
    target = Path(out.replace("RUN", str(copy))) if "RUN" in out else tmp_path / out
    if not target.exists():
        target.write_text("mine\n")
    before, kept = snapshot(copy), target.read_bytes()
    result = CliRunner().invoke(cli, ["report", str(copy), "--out", str(target)])
    assert result.exit_code == 2 and result.output.strip() == f"error: {message.replace('RUN', str(copy))}"
    assert target.read_bytes() == kept and snapshot(copy) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_is_never_replaced_by_a_briefing(finished: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "briefing.pdf"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["report", str(finished), "--out", str(fifo)])
    assert result.exit_code == 2 and "a named pipe, not a file" in result.output
    assert fifo.is_fifo()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("command", [["rerun"], ["run", "S", "-n", "40", "--force"], ["chart"], ["report"]])
def test_a_manifest_that_is_a_named_pipe_never_hangs(finished: Path, tmp_path: Path, command: list[str]) -> None:
    copy = _copy(finished, tmp_path)
    (copy / "manifest.json").unlink()
    os.mkfifo(copy / "manifest.json")
    scenario = write(tmp_path / "s.yaml")
    args = [scenario.name if a == "S" else a for a in command]
    args = [*args, "--out", "copy"] if command[0] == "run" else [*args, "copy"]
    done = subprocess.run([sys.executable, "-m", "partnersim", *args, "-q"] if command[0] in ("run", "rerun")
                          else [sys.executable, "-m", "partnersim", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_run_folder_that_claims_a_hundred_million_replications_is_read_in_little_memory(
    finished: Path, tmp_path: Path
) -> None:

    from partnersim.results.load import load_run
    from partnersim.results.rows import read_rows

    results = load_run(finished).results
    honest = read_rows(finished / "replications.csv", results)
    claimed = read_rows(finished / "replications.csv", results.model_copy(update=dict(replications=100_000_000)))
    assert claimed.story == honest.story and claimed.replications == honest.replications == 300


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda text: text[: len(text) // 2], "a row has too few or too many values"),
        (lambda text: text.replace("0.000000", "nan", 1), "holds a value that is not a probability"),
        (lambda text: text.replace("0.000000", "1.5", 1), "holds a value that is not a probability"),
        (lambda text: "\n".join(text.splitlines()[:-3]) + "\n", "days, the scenario's horizon"),
    ],
)
@pytest.mark.parametrize("command", [["chart"], ["report", "--format", "html"]])
def test_a_damaged_daily_curve_is_one_line(
    finished: Path, tmp_path: Path, edit: Any, expected: str, command: list[str]
) -> None:
    copy = _copy(finished, tmp_path)
    _forget_listing(copy)
    curve = copy / "cooperation_by_date.csv"
    curve.write_text(edit(curve.read_text()))
    result = CliRunner().invoke(cli, [command[0], str(copy), *command[1:]])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert expected in line


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_day_that_is_not_a_number_in_the_rows_is_one_line(finished: Path, tmp_path: Path, value: str) -> None:
    import csv
    import io

    copy = _copy(finished, tmp_path)
    _forget_listing(copy)
    rows = list(csv.reader(io.StringIO((copy / "replications.csv").read_text())))
    column = rows[0].index("end_day")
    for row in rows[1:]:
        if row[rows[0].index("outcome")] == "cooperation":
            row[column] = value
            break
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (copy / "replications.csv").write_text(out.getvalue())
    result = CliRunner().invoke(cli, ["chart", str(copy)])
    assert result.exit_code == 2, result.output
    assert "is not a finite number" in result.output and len(result.output.strip().splitlines()) == 1


def test_inputs_that_link_outside_the_folder_are_never_read(finished: Path, tmp_path: Path) -> None:
    import shutil

    from partnersim.results.load import load_run

    secret = tmp_path / "sec"
    secret.mkdir()
    (secret / "s.yaml").write_text("# SECRET-TOKEN\nseed: 5\n")
    copy = _copy(finished, tmp_path)
    shutil.rmtree(copy / "inputs")
    (copy / "inputs").symlink_to(secret)
    assert load_run(copy).inputs == {}


def test_an_edited_scenario_in_a_run_folder_is_named_by_line_and_key(finished: Path, tmp_path: Path) -> None:
    copy = _copy(finished, tmp_path)
    _forget_listing(copy)
    text = (copy / "scenario.yaml").read_text()
    (copy / "scenario.yaml").write_text(text.replace("replications: 300", "replications: abc"))
    result = CliRunner().invoke(cli, ["chart", str(copy)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: cannot read {copy / 'scenario.yaml'}:") and "replications: " in line
    (copy / "scenario.yaml").write_text("extends: /etc/elsewhere.yaml\n" + text)
    refused = CliRunner().invoke(cli, ["report", str(copy)])
    assert refused.exit_code == 2 and "extends: a run's scenario.yaml extends nothing" in refused.output


def test_a_folder_named_like_a_partial_one_but_not_hidden_is_a_run_folder(tmp_path: Path) -> None:
    out = tmp_path / "my.partial"
    assert invoke("run", str(write(tmp_path / "s.yaml")), "-n", "40", "-q", "--out", str(out)).exit_code == 0
    from partnersim.results.load import load_run

    assert load_run(out).results.replications == 40


def test_precision_at_the_cap_says_the_target_was_not_reached(finished: Path) -> None:

    from partnersim.cli.run import _precision_line
    from partnersim.results.load import load_run

    results = load_run(finished).results
    widest = max((c.outcomes["cooperation"].high - c.outcomes["cooperation"].low) / 2 for c in results.candidates)
    assert _precision_line(results, widest + 0.001).startswith("Stopped at 300 replications: every candidate's")
    short = _precision_line(results.model_copy(), widest / 2)
    assert short.startswith("Stopped at the cap of 300 replications before every candidate's 95% interval")
    assert f"the widest is ±{widest * 100:.2g} points" in short


def test_output_piped_into_a_reader_that_stops_ends_quietly(tmp_path: Path) -> None:
    write(tmp_path / "s.yaml", SCENARIO.replace("replications: 300", "replications: 3000"))
    child = subprocess.Popen([sys.executable, "-m", "partnersim", "run", "s.yaml", "--out", "run", "-j", "1"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before anything is printed
    stderr = child.stderr.read().decode()
    child.wait(timeout=120)
    assert child.returncode == 141 and stderr == ""
    assert (tmp_path / "run" / "manifest.json").is_file()


def test_a_folder_given_up_takes_the_folders_made_for_it_but_no_other(tmp_path: Path) -> None:
    from partnersim.results.folder import RunFolder

    made = RunFolder(tmp_path / "runs" / "deep" / "run-1", fresh=True)
    assert (tmp_path / "runs" / "deep").is_dir()
    made.discard()
    assert not (tmp_path / "runs").exists()  # an interrupted first run leaves no empty runs/
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "mine.txt").write_text("kept", encoding="utf-8")
    RunFolder(tmp_path / "runs" / "run-2", fresh=True).discard()
    assert (tmp_path / "runs" / "mine.txt").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["mine.txt"]
