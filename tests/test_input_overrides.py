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
     "--set: candidates.ARG.request: expected an ISO date such as 2025-01-31, got '2024-02-30'"),
    ("name=!!binary AAAA", "--set: name: the tag !!binary is not allowed in a scenario file"),
    ("name=!!python/object:os.system x",
     "--set: name: the tag !!python/object:os.system is not allowed in a scenario file"),
    ("allies.TUR={hold: !!python/name:os.system x}",
     "--set: allies.TUR.hold: the tag !!python/name:os.system is not allowed in a scenario file"),
    ("seed=" + "9" * 5000, f"--set: seed: expected a whole number, got {'9' * 50 + '…'!r} (5,000 characters)"),
    ("seed=" + "[" * 100 + "]" * 100,
     "--set: seed.0.0.0.0.…: the value is nested more than 50 levels deep here; a scenario file needs far fewer"),
    (DEEP_PATH + "=1", "--set: allies.TUR.x.x.…: a key path has at most 50 parts"),
    ("allies.TUR={hold: [}", "--set: allies.TUR: cannot read the value '{hold: [}'; "
     "put it in quotes to mean the text: --set 'allies.TUR=\"{hold: [}\"'"),
    ("name=*a", "--set: name: cannot read the value '*a'; put it in quotes to mean the text: --set 'name=\"*a\"'"),
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
    scenario = load_scenario(LATAM, ["name=yes", "candidates.ARG.request=2024-04-01", "seed=10_000"])
    assert scenario.name == "yes"
    assert scenario.candidates[0].request.earliest().isoformat() == "2024-04-01"
    assert scenario.seed == 10_000
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, ["seed=1:30"])
    assert [str(p) for p in caught.value.problems] == ["--set: seed: expected a whole number, got '1:30'"]




# --- what --set cannot do, and what it must say plainly -----------------------------------------

CALENDAR = ROOT / "scenarios" / "latam-calendar.yaml"
PARENT = "--set: extends: a scenario's parent file cannot be changed with --set; write a what-if file that extends it"


@pytest.mark.parametrize("override", [
    f"extends={ROOT / 'scenarios' / 'colombia.yaml'}", "extends=/dev/zero", "extends=", "extends.x=1", " extends =a.yaml",
], ids=["another-scenario", "a-device", "empty", "below", "spaces"])
def test_the_parent_file_cannot_be_changed_with_set(override: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, [override])
    assert [str(p) for p in caught.value.problems] == [PARENT]


def test_run_refuses_extends_in_set_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    other = ROOT / "scenarios" / "colombia.yaml"
    result = CliRunner().invoke(cli, ["run", str(LATAM), "--set", f"extends={other}", "-n", "10", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [PARENT, "1 problem found; nothing was run."]
    assert list(tmp_path.iterdir()) == []


WRONG_LIST = [
    (CALENDAR, "blocs.HUN.strength=1",
     "--set: blocs.HUN.strength: no bloc 'HUN'; a bloc is given by its position, and the scenario has blocs.0"),
    (CALENDAR, "blocs.3.strength=1",
     "--set: blocs.3.strength: no bloc '3'; a bloc is given by its position, and the scenario has blocs.0"),
    (CALENDAR, "calendar.elections.TUR.hold=0.5",
     "--set: calendar.elections.TUR.hold: no election 'TUR'; an election is given by its position, "
     "and the scenario has calendar.elections.0"),
    (CALENDAR, "calendar.summits.dates.x=2030-01-01",
     "--set: calendar.summits.dates.x: no summit date 'x'; a summit date is given by its position, "
     "and the scenario has calendar.summits.dates.0 to calendar.summits.dates.4"),
    (LATAM, "blocs.HUN.strength=1", "--set: blocs.HUN.strength: no bloc 'HUN'; the scenario has none"),
    (LATAM, "calendar.elections.0.hold=0.5",
     "--set: calendar.elections.0.hold: no election '0'; the scenario has none"),
    (LATAM, "alliance.USA.name=x", "--set: alliance.USA.name: no ally 'USA'; alliance is 'nato-2024', not a list"),
    (LATAM, "candidates.XYZ.name=x",
     "--set: candidates.XYZ.name: no candidate 'XYZ'; the scenario has ARG, BRA, CHL, PER, MEX"),
]


@pytest.mark.parametrize(("scenario", "override", "line"), WRONG_LIST, ids=[w[1] for w in WRONG_LIST])
def test_a_missing_item_is_named_by_its_own_list(scenario: Path, override: str, line: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario, [override])
    assert [str(p) for p in caught.value.problems] == [line]


def test_an_item_of_a_list_is_still_found_by_code_or_position() -> None:
    assert load_scenario(CALENDAR, ["blocs.0.strength=0.3"]).blocs[0].strength == 0.3
    assert load_scenario(LATAM, ["candidates.BRA.name=Brasil"]).candidates[1].name == "Brasil"


def test_a_range_names_the_right_list_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["sensitivity", str(CALENDAR), "--range", "blocs.HUN.strength=0:1",
                                      "-n", "10", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    assert ("--range: blocs.HUN.strength: no bloc 'HUN'; a bloc is given by its position, "
            "and the scenario has blocs.0") in result.stderr.splitlines()
    assert list(tmp_path.iterdir()) == []


QUOTE = "put it in quotes to mean the text: "
NOT_PLAIN = [
    ("name=[bold]x[/]", f"--set: name: cannot read the value '[bold]x[/]'; {QUOTE}--set 'name=\"[bold]x[/]\"'"),
    ("name=%TAG", f"--set: name: cannot read the value '%TAG'; {QUOTE}--set 'name=\"%TAG\"'"),
    ("name=*", f"--set: name: cannot read the value '*'; {QUOTE}--set 'name=\"*\"'"),
    ("name=*a", f"--set: name: cannot read the value '*a'; {QUOTE}--set 'name=\"*a\"'"),
    ("name=@home", f"--set: name: cannot read the value '@home'; {QUOTE}--set 'name=\"@home\"'"),
    ("name=| x", f"--set: name: cannot read the value '| x'; {QUOTE}--set 'name=\"| x\"'"),
    ("name=...", f"--set: name: cannot read the value '...'; {QUOTE}--set 'name=\"...\"'"),
    ("description=a\tb", f"--set: description: cannot read the value 'a\\tb'; {QUOTE}--set 'description=\"a\\tb\"'"),
    ('name="x', f"--set: name: cannot read the value '\"x': a quotation mark on this line is never closed; "
     f"{QUOTE}--set 'name=\"\\\"x\"'"),
    ("name=[it's", f"--set: name: cannot read the value \"[it's\": a [ on this line is never closed with ]; "
     f"{QUOTE}--set 'name=\"[it'\"'\"'s\"'"),
    ("name=[it's]", f"--set: name: expected text, got [it's]; {QUOTE}--set 'name=\"[it'\"'\"'s]\"'"),
    ("name=- x", f"--set: name: expected text, got [x]; {QUOTE}--set 'name=\"- x\"'"),
    ("name=a: b", f"--set: name: expected text, got {{a: b}}; {QUOTE}--set 'name=\"a: b\"'"),
    ("name=#1 draft", f"--set: name: expected text, got nothing (null); {QUOTE}--set 'name=\"#1 draft\"'"),
    ("candidates.ARG.name=[a]", f"--set: candidates.ARG.name: expected text, got [a]; "
     f"{QUOTE}--set 'candidates.ARG.name=\"[a]\"'"),
]


@pytest.mark.parametrize(("override", "line"), NOT_PLAIN, ids=[n[0] for n in NOT_PLAIN])
def test_a_set_value_yaml_reads_otherwise_says_how_to_write_the_text(override: str, line: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, [override])
    assert [str(p) for p in caught.value.problems] == [line]
    assert "found" not in line and "\\x00" not in line and "<" not in line


def test_the_quoted_form_that_a_message_gives_works() -> None:
    import shlex

    texts = {"name": lambda s: s.name, "description": lambda s: s.description,
             "candidates.ARG.name": lambda s: s.candidates[0].name}
    for override, _ in NOT_PLAIN:
        key, _, value = override.partition("=")
        if key not in texts:
            continue
        with pytest.raises(ScenarioError) as caught:
            load_scenario(LATAM, [override])
        words = shlex.split(caught.value.problems[0].message.rsplit(QUOTE, 1)[1])
        assert words[0] == "--set" and len(words) == 2
        assert texts[key](load_scenario(LATAM, [words[1]])) == value


LIKE_NUMBERS = [("010", "10"), ("0x1F", "31"), ("1e3", "1000.0"), ("1.10", "1.1"), ("+5", "5"), (".inf", ".inf"),
                ("2030", "2030"), ("true", "true"), ("2026-12-01", "2026-12-01")]


@pytest.mark.parametrize(("written", "read"), LIKE_NUMBERS, ids=[n[0] for n in LIKE_NUMBERS])
def test_a_name_that_yaml_reads_as_a_number_is_refused_through_set(written: str, read: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, [f"name={written}", f"candidates.ARG.name={written}"])
    assert [str(p) for p in caught.value.problems] == [
        f"--set: name: expected text, got {read}; {QUOTE}--set 'name=\"{written}\"'",
        f"--set: candidates.ARG.name: expected text, got {read}; {QUOTE}--set 'candidates.ARG.name=\"{written}\"'",
    ]
    assert load_scenario(LATAM, [f'name="{written}"']).name == written


@pytest.mark.parametrize(("override", "line"), [
    ("start=2026-12-01T10:00:00",
     "--set: start: expected a date such as 2026-12-01, got a date and time '2026-12-01T10:00:00'"),
    ("start=2026-12-01 10:00:00",
     "--set: start: expected a date such as 2026-12-01, got a date and time '2026-12-01T10:00:00'"),
    ("candidates.ARG.request=2027-01-01T10:00:00+05:00",
     "--set: candidates.ARG.request: expected a date such as 2026-12-01, got a date and time "
     "'2027-01-01T10:00:00+05:00'"),
    ("horizon=2031-12-31T00:00:00Z",
     "--set: horizon: expected a date such as 2026-12-01, got a date and time '2031-12-31T00:00:00+00:00'"),
    ('start="2026-12-01T10:00"',
     "--set: start: expected a date such as 2026-12-01, got a date and time '2026-12-01T10:00'"),
])
def test_a_date_and_time_is_not_cut_to_a_date_through_set(override: str, line: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, [override])
    assert [str(p) for p in caught.value.problems] == [line]


def test_an_ally_of_an_alliance_list_is_found_by_its_code(tmp_path: Path) -> None:
    scenario = tmp_path / "allies.yaml"
    scenario.write_text("start: 2026-12-01\nalliance: [USA, GBR, {code: FRA, name: France}, TUR, HUN]\n"
                        "candidates:\n  - {code: ARG, request: 2024-04-18}\n", encoding="utf-8")
    loaded = load_scenario(scenario, ["alliance.GBR={code: GBR, name: Britain}", "alliance.FRA.name=La France"])
    assert isinstance(loaded.alliance, list)
    assert [(a.code, a.name) for a in loaded.alliance][1:3] == [("GBR", "Britain"), ("FRA", "La France")]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario, ["alliance.DEU.name=Germany"])
    assert [str(p) for p in caught.value.problems] == [
        "--set: alliance.DEU.name: no ally 'DEU'; the scenario has USA, GBR, FRA, TUR, HUN"
    ]


def test_a_list_the_file_leaves_to_its_default_is_set_whole() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(ROOT / "scenarios" / "examples" / "minimal.yaml", ["partnership.areas.catalogue.0=cyber"])
    assert [str(p) for p in caught.value.problems] == [
        "--set: partnership.areas.catalogue.0: no area '0'; the scenario does not list them; "
        "give the whole list: --set 'partnership.areas.catalogue=[…]'"
    ]


def test_the_set_line_shown_in_the_robustness_page_is_true() -> None:
    page = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, ["name=[bold]x[/]"])
    assert f"```text\n{caught.value.problems[0]}\n```" in page
    with pytest.raises(ScenarioError) as caught:
        load_scenario(CALENDAR, ["blocs.HUN.strength=1"])
    assert " ".join(str(caught.value.problems[0]).split()) in " ".join(page.replace("`", "").split())
