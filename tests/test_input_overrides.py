"""``--set`` values are read like the values of a file: every mistake in one is one ``--set:`` line.

A value given on the command line goes through the same YAML reader as a
scenario file (same tags refused, same limits, same reading of dates and
numbers), so an impossible date, a tag or a value nested a thousand levels
deep is a problem naming ``--set`` and the key, exit code 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import ScenarioError
from partnersim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
LATAM = ROOT / "scenarios" / "latam.yaml"

DEEP_PATH = "allies.TUR." + ".".join(["x"] * 5000)

MISTAKES = [
    ("start=2025-02-30", "--set: start: expected an ISO date such as 2025-01-31, got '2025-02-30'"),
    ("start=2025-13-45", "--set: start: expected an ISO date such as 2025-01-31, got '2025-13-45'"),
    ("candidates.ARG.request=2024-02-30",
     "--set: candidates.0.request: expected an ISO date such as 2025-01-31, got '2024-02-30'"),
    ("name=!!binary AAAA", "--set: name: the tag !!binary is not allowed in a scenario file"),
    ("name=!!python/object:os.system x",
     "--set: name: the tag !!python/object:os.system is not allowed in a scenario file"),
    ("allies.TUR={hold: !!python/name:os.system x}",
     "--set: allies.TUR.hold: the tag !!python/name:os.system is not allowed in a scenario file"),
    ("seed=" + "9" * 5000, f"--set: seed: expected a whole number, got {'9' * 50 + '…'!r} (5,000 characters)"),
    ("seed=" + "[" * 100 + "]" * 100,
     "--set: seed.0.0.0.0.…: the value is nested more than 50 levels deep here; a scenario file needs far fewer"),
    (DEEP_PATH + "=1", "--set: allies.TUR.x.x.…: a key path has at most 50 parts"),
    ("allies.TUR={hold: [}", "--set: allies.TUR: cannot read the value '{hold: [}': "
     "expected the node content, but found '}'"),
    ("name=*a", "--set: name: cannot read the value '*a': found undefined alias 'a'"),
    ("name=\x1b[31mred", "--set: name: cannot read the value '\\x1b[31mred': "
     "the value contains a control character (#x001b) that a text file should not hold"),
]


@pytest.mark.parametrize(("override", "line"), MISTAKES, ids=[m[0][:30] for m in MISTAKES])
def test_a_mistake_in_a_set_value_is_one_line(override: str, line: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, [override])
    assert [str(p) for p in caught.value.problems] == [line]


def test_an_impossible_date_through_set_is_refused_by_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", str(LATAM), "--set", "start=2025-02-30", "-n", "100", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "--set: start: expected an ISO date such as 2025-01-31, got '2025-02-30'",
        "1 problem found; nothing was run.",
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [
    ["sensitivity", str(LATAM), "-n", "10"],
    ["sweep", str(LATAM), "--param", "allies.TUR.hold.probability=0:0.5:2", "-n", "10"],
    ["report", str(LATAM), "-n", "10", "--format", "html"],
    ["compare", str(LATAM), "-n", "10"],
], ids=lambda c: c[0])
def test_every_command_with_set_refuses_the_same_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*command, "--set", "start=2025-02-30", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "--set: start: expected an ISO date such as 2025-01-31, got '2025-02-30'" in result.stderr.splitlines()
    assert list(tmp_path.iterdir()) == []


def test_an_empty_set_value_is_empty_text() -> None:
    assert load_scenario(LATAM, ["description="]).description == ""
def test_set_values_are_read_as_in_a_file() -> None:
    """The same reader: YAML 1.1's yes and 1:30 are text here too, and a date is a date."""
    scenario = load_scenario(LATAM, ["name=yes", "candidates.ARG.request=2024-05-01", "seed=10_000"])
    assert scenario.name == "yes"
    assert scenario.candidates[0].request.earliest().isoformat() == "2024-05-01"
    assert scenario.seed == 10_000
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, ["seed=1:30"])
    assert [str(p) for p in caught.value.problems] == ["--set: seed: expected a whole number, got '1:30'"]


