"""A problem line is one line of plain text, whatever a hostile file or option puts into it.

A key, a value or a file name may hold an escape character (which can clear
or rewrite a terminal), a line break or a Unicode direction control. Every
problem line shows such characters as escapes (``\\x1b``), exactly once, and
is never endless.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import Problem, ScenarioError
from partnersim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
LATAM = ROOT / "scenarios" / "latam.yaml"
MINIMAL = "start: 2026-12-01\ncandidates:\n  - {code: ARG, request: 2024-04-18}\n"


def visible(line: str) -> bool:
    return line.isprintable()


@pytest.mark.parametrize(("problem", "line"), [
    (Problem("a\x1b[2J.yaml", 3, "allies.\x1b[31m", "unknown key '\x1b[31m'"),
     "a\\x1b[2J.yaml:3: allies.\\x1b[31m: unknown key '\\x1b[31m'"),
    (Problem("a.yaml", None, "name", "two\nlines\r\tand\u202eback"), "a.yaml: name: two\\nlines\\r\\tand\\u202eback"),
    (Problem("a.yaml", 1, "", "already escaped: '\\x1b'"), "a.yaml:1: already escaped: '\\x1b'"),
    (Problem("Türkiye «draft».yaml", 2, "name", "expected text"), "Türkiye «draft».yaml:2: name: expected text"),
])
def test_a_problem_shows_control_characters_escaped_once(problem: Problem, line: str) -> None:
    assert str(problem) == line
    assert visible(str(problem))


def test_a_problem_is_never_endless() -> None:
    line = str(Problem("f.yaml", 1, "k" * 10_000, "unknown key " + "k" * 10_000))
    assert len(line) < 1_000 and visible(line)
    assert line.startswith("f.yaml:1: kkk") and "…" in line


def test_a_hostile_key_in_a_file_is_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(MINIMAL + '"\\e]0;pwned\\a\\e[2J": 1\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1 and visible(lines[0])
    assert lines[0].startswith(f"{path}:4: \\x1b]0;pwned\\x07\\x1b[2J: unknown key '\\x1b]0;pwned\\x07\\x1b[2J'")


@pytest.mark.parametrize("override", [
    "candidates.\x1b[2J.name=x",
    "allies.T\x1bR.hold.probability=0.5",
    "x\u202e=1",
    "=\x1b",
])
def test_a_hostile_set_is_shown_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, override: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", str(LATAM), "--set", override, "-n", "10", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines and all(visible(line) for line in lines), lines
    assert lines[0].startswith("--set: ")
