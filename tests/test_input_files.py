"""Paths that name scenario files: only regular files are read, and nothing hangs.

A scenario path (on the command line, in ``extends:``, or given to the API)
may name a named pipe, a device, a folder, a symbolic link that loops, a
path too long for the system or one holding a NUL byte. Each is one line
naming the file (and, for ``extends``, the line and the key), never a hang
or a traceback.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import ScenarioError
from partnersim.scenario import load_scenario
from partnersim.scenario.loader import load_checked, source_files

MINIMAL = "start: 2026-12-01\ncandidates:\n  - {code: ARG, request: 2024-04-18}\n"
LONG_NAME = "x" * 5000


class Hung(BaseException):
    """Raised in a read that blocks; a BaseException, so that no error handler on the way takes it for a mistake."""


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A read that blocks (a named pipe opened for reading waits for a writer) fails the test instead."""

    def stop(signum: int, frame: object) -> None:
        raise Hung("reading a path hung")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 20, 1)  # and again every second, should a second read block too
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems_of(path: str | Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def child(folder: Path, target: str) -> Path:
    """A scenario whose second line extends ``target`` (written in double quotes, so escapes work)."""
    path = folder / "child.yaml"
    path.write_text(f'name: child\nextends: "{target}"\n' + MINIMAL.split("\n", 1)[1], encoding="utf-8")
    return path


# --- extends ---------------------------------------------------------------------------------


def test_extends_a_named_pipe_is_refused_without_waiting(here: Path) -> None:
    os.mkfifo(here / "pipe.yaml")
    assert problems_of(child(here, "pipe.yaml")) == [
        "child.yaml:2: extends: a named pipe, not a scenario file: pipe.yaml"
    ]


def test_extends_a_device_is_refused(here: Path) -> None:
    assert problems_of(child(here, "/dev/zero")) == ["child.yaml:2: extends: a device, not a scenario file: /dev/zero"]


def test_extends_a_folder_is_refused(here: Path) -> None:
    (here / "base").mkdir()
    assert problems_of(child(here, "base")) == ["child.yaml:2: extends: a folder, not a scenario file: base"]


def test_extends_a_path_with_a_nul_byte_is_refused(here: Path) -> None:
    assert problems_of(child(here, "base\\0.yaml")) == [
        "child.yaml:2: extends: the path contains a NUL byte: base\\x00.yaml"
    ]


def test_extends_a_path_too_long_is_refused(here: Path) -> None:
    lines = problems_of(child(here, LONG_NAME))
    assert len(lines) == 1
    assert lines[0].startswith("child.yaml:2: extends: cannot read the file (File name too long): …xxx")
    assert len(lines[0]) < 300


def test_extends_a_symbolic_link_that_loops_is_refused(here: Path) -> None:
    (here / "loop-a.yaml").symlink_to("loop-b.yaml")
    (here / "loop-b.yaml").symlink_to("loop-a.yaml")
    assert problems_of(child(here, "loop-a.yaml")) == [
        "child.yaml:2: extends: cannot read the file (Too many levels of symbolic links): loop-a.yaml"
    ]


def test_extends_through_a_link_to_itself_is_a_cycle(here: Path) -> None:
    (here / "again.yaml").symlink_to("child.yaml")
    assert problems_of(child(here, "again.yaml")) == [
        "child.yaml:2: extends: extends itself in a cycle: child.yaml → again.yaml"
    ]
    os.link(here / "child.yaml", here / "hard.yaml")
    assert problems_of(child(here, "hard.yaml")) == [
        "child.yaml:2: extends: extends itself in a cycle: child.yaml → hard.yaml"
    ]


def test_source_files_reads_the_chain_as_the_loader_does(here: Path) -> None:
    (here / "base.yaml").write_text(MINIMAL, encoding="utf-8")
    assert source_files(child(here, "base.yaml")) == [here / "child.yaml", here / "base.yaml"]
    os.mkfifo(here / "pipe.yaml")
    with pytest.raises(ScenarioError) as caught:
        source_files(child(here, "pipe.yaml"))
    assert [str(p) for p in caught.value.problems] == [
        "child.yaml:2: extends: a named pipe, not a scenario file: pipe.yaml"
    ]


# --- the scenario path itself ------------------------------------------------------------------


@pytest.mark.parametrize(("make", "name", "line"), [
    ("fifo", "pipe.yaml", "pipe.yaml: a named pipe, not a scenario file"),
    ("device", "/dev/zero", "/dev/zero: a device, not a scenario file"),
    ("folder", "base", "base: a folder, not a scenario file"),
    ("nothing", "base\0.yaml", "base\\x00.yaml: the path contains a NUL byte"),
    ("nothing", "missing.yaml", "missing.yaml: no such file"),
], ids=["fifo", "device", "folder", "nul", "missing"])
def test_the_api_refuses_what_is_not_a_regular_file(here: Path, make: str, name: str, line: str) -> None:
    if make == "fifo":
        os.mkfifo(here / name)
    elif make == "folder":
        (here / name).mkdir()
    assert problems_of(name) == [line]
    with pytest.raises(ScenarioError):
        load_checked(name)


def invoke(folder: Path, *args: str) -> tuple[int, list[str]]:
    before = sorted(folder.rglob("*"))
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert sorted(folder.rglob("*")) == before, "a refused scenario must leave nothing behind"
    return result.exit_code, result.stderr.splitlines()


COMMANDS = {
    "run": ["run", "{}", "-n", "10", "--jobs", "1"],
    "validate": ["validate", "{}"],
    "compare": ["compare", "{}", "--set", "seed=2", "-n", "10", "--jobs", "1"],
    "sweep": ["sweep", "{}", "--param", "allies.TUR.hold.probability=0:0.5:2", "-n", "10", "--jobs", "1"],
    "sensitivity": ["sensitivity", "{}", "-n", "10", "--jobs", "1"],
    "report": ["report", "{}", "-n", "10", "--jobs", "1", "--format", "html"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_refuses_a_named_pipe(here: Path, command: list[str]) -> None:
    os.mkfifo(here / "pipe.yaml")
    code, lines = invoke(here, *[part.format("pipe.yaml") for part in command])
    assert code == 2
    assert lines[0] == "pipe.yaml: a named pipe, not a scenario file"
    assert lines[1:] in ([], ["1 problem found; nothing was run."])


@pytest.mark.parametrize("command", [c for k, c in COMMANDS.items() if k != "report"],
                         ids=[k for k in COMMANDS if k != "report"])
def test_every_command_refuses_a_device(here: Path, command: list[str]) -> None:
    code, lines = invoke(here, *[part.format("/dev/zero") for part in command])
    assert code == 2
    assert lines[0] == "/dev/zero: a device, not a scenario file"


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_refuses_a_folder_given_as_a_scenario(here: Path, command: list[str]) -> None:
    (here / "folder.yaml").mkdir()
    code, lines = invoke(here, *[part.format("folder.yaml") for part in command])
    assert code == 2
    assert lines, "the refusal says why"


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_refuses_an_extends_to_a_named_pipe(here: Path, command: list[str]) -> None:
    os.mkfifo(here / "pipe.yaml")
    child(here, "pipe.yaml")
    code, lines = invoke(here, *[part.format("child.yaml") for part in command])
    assert code == 2
    assert lines[0] == "child.yaml:2: extends: a named pipe, not a scenario file: pipe.yaml"
