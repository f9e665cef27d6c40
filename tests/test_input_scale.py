"""A large file, or one of very many mistakes, costs time in proportion to its size and prints a page.

Timings are compared within the test, so the bounds hold on any machine:
loading a file may cost a few times what PyYAML takes to read it (the file
is read twice, then checked), and a file of eight times the keys may take
about eight times as long (a cost that grows with the square of the size
would take 64 times as long).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import MAX_SHOWN, Problem, ScenarioError
from partnersim.scenario.loader import load_checked

HEAD = "start: 2026-12-01\ncandidates:\n  - {code: ARG, request: 2024-04-18}\n"
SMALL, LARGE = 500, 4_000
GROWTH = LARGE / SMALL
READINGS = 8  # loading may cost at most this many times what PyYAML takes to read the file

SHAPES: dict[str, Callable[[int], dict[str, str]]] = {
    "unknown keys": lambda n: {"big.yaml": HEAD + "".join(f"key{i}: {i}\n" for i in range(n))},
    "values with a tag": lambda n: {"big.yaml": HEAD + "".join(f"key{i}: !!binary AAAA\n" for i in range(n))},
    "unknown keys of an ally": lambda n: {"big.yaml": HEAD + "allies:\n  TUR:\n"
                                          + "".join(f"    key{i}: {i}\n" for i in range(n))},
    "unknown allies": lambda n: {"big.yaml": HEAD + "allies:\n" + "".join(f"  X{i:05d}: {{}}\n" for i in range(n))},
    "a parent of many keys": lambda n: {
        "big.yaml": "extends: parent.yaml\nallies: {TUR: {hold: {probability: 0.2}}}\n",
        "parent.yaml": HEAD + "".join(f"key{i}: {i}\n" for i in range(n)),
    },
}


def best_of(work: Callable[[], object], repeats: int = 2) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def loading(folder: Path, files: dict[str, str]) -> tuple[float, float]:
    """Seconds to load the files' scenario, and for PyYAML to read them."""
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")

    def load() -> None:
        with pytest.raises(ScenarioError):
            load_checked(folder / "big.yaml")

    def read() -> None:
        for text in files.values():
            yaml.compose(text, Loader=yaml.SafeLoader)

    return best_of(load), best_of(read)


@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
def test_the_cost_of_loading_is_linear_in_the_file(tmp_path: Path, shape: str) -> None:
    small, _ = loading(tmp_path / "small", SHAPES[shape](SMALL))
    large, reading = loading(tmp_path / "large", SHAPES[shape](LARGE))
    assert large < READINGS * reading, f"{LARGE:,} keys: loaded in {large:.2f} s, read by PyYAML in {reading:.2f} s"
    assert large < 3 * GROWTH * small, f"{LARGE:,} keys took {large:.2f} s, {SMALL:,} took {small:.3f} s"


def test_a_flood_of_problems_shows_the_first_hundred_of_each_file_then_counts_the_rest() -> None:
    problems = [Problem("big.yaml", i + 1, f"key{i}", "unknown key") for i in range(250)]
    problems += [Problem("base.yaml", 3, "seed", "expected a whole number, got 'x'")]
    lines = ScenarioError(problems).lines()
    assert MAX_SHOWN == 100
    assert lines[:100] == [str(p) for p in problems[:100]]
    assert lines[100:] == ["big.yaml: … and 150 more problems", "base.yaml:3: seed: expected a whole number, got 'x'"]
    assert str(ScenarioError(problems)) == "\n".join(lines)
    assert ScenarioError(problems[:100]).lines() == [str(p) for p in problems[:100]]


def test_validate_prints_a_page_of_a_file_of_a_thousand_mistakes(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(HEAD + "".join(f"key{i}: {i}\n" for i in range(1_000)), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_SHOWN + 1
    assert lines[0] == f"{path}:4: key0: unknown key 'key0'; expected one of: " + lines[0].split("expected one of: ")[1]
    assert lines[-1] == f"{path}: … and 900 more problems"
