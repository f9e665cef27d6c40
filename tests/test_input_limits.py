"""The limits a scenario is held to, however it is made: a file, ``--set``, the API, a run folder.

Each limit is in the schema, so a :class:`Scenario` built any way gets it;
each refusal is one line naming the file, the line and the key. Names are
plain text: a control character or a Unicode direction control in a name
would reach a terminal, a chart or a briefing.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from partnersim.cli import cli
from partnersim.errors import ScenarioError
from partnersim.scenario import Scenario, load_scenario, scenario_from_dict
from partnersim.whatif.sweep import MAX_POINTS, design_points, parse_param

ROOT = Path(__file__).resolve().parents[1]
LATAM = ROOT / "scenarios" / "latam.yaml"
MINIMAL = "start: 2026-12-01\ncandidates:\n  - {code: ARG, request: 2024-04-18}\n"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems_of(here: Path, text: str) -> list[str]:
    (here / "limits.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(here / "limits.yaml")
    return [str(p) for p in caught.value.problems]


def document(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"start": "2026-12-01", "candidates": [{"code": "ARG", "request": "2024-04-18"}]}
    data.update(changes)
    return data


# --- lengths and counts ------------------------------------------------------------------------

LENGTHS = [
    ("name", 200), ("question", 2000), ("description", 2000),
]


@pytest.mark.parametrize(("key", "most"), LENGTHS)
def test_a_text_at_its_limit_loads_and_one_more_character_is_refused(here: Path, key: str, most: int) -> None:
    assert getattr(load_scenario(_write(here, MINIMAL + f"{key}: {'a' * most}\n")), key) == "a" * most
    assert problems_of(here, MINIMAL + f"{key}: {'a' * (most + 1)}\n") == [
        f"limits.yaml:4: {key}: expected at most {most:,} characters, got {most + 1:,}"
    ]


def _write(here: Path, text: str) -> Path:
    path = here / "limits.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_candidate_name_is_at_most_100_characters(here: Path) -> None:
    assert problems_of(here, f"""\
        start: 2026-12-01
        candidates:
          - {{code: ARG, name: {'a' * 101}, request: 2024-04-18}}
        """) == ["limits.yaml:3: candidates.0.name: expected at most 100 characters, got 101"]


@pytest.mark.parametrize(("text", "line"), [
    ("blocs: [{name: " + "b" * 101 + ", allies: [TUR, HUN], strength: 0.5}]\n",
     "limits.yaml:4: blocs.0.name: expected at most 100 characters, got 101"),
    ("alliance: [USA, {code: GBR, name: " + "g" * 101 + "}]\n",
     "limits.yaml:4: alliance.1.name: expected at most 100 characters, got 101"),
    ("partnership: {areas: {catalogue: [cyber, " + "c" * 101 + "]}}\n",
     "limits.yaml:4: partnership.areas.catalogue.1: expected at most 100 characters, got 101"),
], ids=["bloc", "ally", "area"])
def test_other_labels_are_at_most_100_characters(here: Path, text: str, line: str) -> None:
    assert problems_of(here, MINIMAL + text) == [line]


def test_a_scenario_has_at_most_100_candidates(here: Path) -> None:
    codes = [f"{a}{b}{c}" for a in "ABCDE" for b in "ABCDE" for c in "ABCDE"][:101]
    listing = "".join(f"  - {{code: {code}, request: 2027-01-01}}\n" for code in codes)
    assert load_scenario(_write(here, "start: 2026-12-01\ncandidates:\n" + listing[: -len(listing) // 101]))
    assert problems_of(here, "start: 2026-12-01\ncandidates:\n" + listing) == [
        "limits.yaml:2: candidates: expected at most 100 candidates, got 101"
    ]


# --- durations ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "shown"), [
    ("100000y", "'100000y'"), ("36525000d", "'36525000d'"), ("5218000w", "'5218000w'"),
    ("1200000mo", "'1200000mo'"), ("36525000", "36525000"), ("1e12", "1000000000000.0"),
])
def test_a_duration_of_100000_years_or_more_is_refused(here: Path, written: str, shown: str) -> None:
    assert problems_of(here, MINIMAL + f"allies:\n  default: {{deliberation: {written}}}\n") == [
        f"limits.yaml:5: allies.default.deliberation: a duration must be under 100,000 years, got {shown}"
    ]


def test_a_duration_just_under_100000_years_loads(here: Path) -> None:
    scenario = load_scenario(_write(here, MINIMAL + "allies:\n  default: {deliberation: 99999y}\n"))
    assert scenario.allies.default.deliberation.mean() == pytest.approx(99_999 * 365.25)


def test_a_horizon_duration_has_the_same_limit(here: Path) -> None:
    assert problems_of(here, MINIMAL + "horizon: 200000y\n") == [
        "limits.yaml:4: horizon: a duration must be under 100,000 years, got '200000y'"
    ]


# --- names are plain text ----------------------------------------------------------------------

CONTROLS = [
    ('name: "Latin \\e[31mAmerica"', "name", "the control character U+001B", "names"),
    ('name: "Latin \\u202eAmerica"', "name", "the control character U+202E", "names"),
    ('name: "a\\u0007b\\u200fc"', "name", "the control characters U+0007, U+200F", "names"),
    ('question: "How likely \\e]8;;http://x\\e\\\\?"', "question", "the control character U+001B", "text"),
    ('description: "Line one\\x9b"', "description", "the control character U+009B", "text"),
]


@pytest.mark.parametrize(("written", "key", "what", "kind"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_a_control_character_in_a_text_is_refused(here: Path, written: str, key: str, what: str, kind: str) -> None:
    rule = "names are plain text" if kind == "names" else "write plain text (line breaks and tabs are fine)"
    assert problems_of(here, MINIMAL + written + "\n") == [f"limits.yaml:4: {key}: contains {what}; {rule}"]


def test_line_breaks_and_tabs_in_a_description_are_fine(here: Path) -> None:
    scenario = load_scenario(_write(here, MINIMAL + 'description: "one\\n\\ttwo\\r\\nthree"\n'))
    assert scenario.description == "one\n\ttwo\r\nthree"


@pytest.mark.parametrize(("text", "line"), [
    ('  - {code: BRA, name: "Bra\\ezil", request: 2027-01-01}\n',
     "limits.yaml:4: candidates.1.name: contains the control character U+001B; names are plain text"),
    ('blocs: [{name: "T\\u202eH", allies: [TUR, HUN], strength: 0.5}]\n',
     "limits.yaml:4: blocs.0.name: contains the control character U+202E; names are plain text"),
    ('alliance: [USA, {code: GBR, name: "U\\u2066K"}]\n',
     "limits.yaml:4: alliance.1.name: contains the control character U+2066; names are plain text"),
    ('partnership: {areas: {catalogue: ["cy\\u0000ber"]}}\n',
     "limits.yaml:4: partnership.areas.catalogue.0: contains the control character U+0000; names are plain text"),
], ids=["candidate", "bloc", "ally", "area"])
def test_every_label_is_plain_text(here: Path, text: str, line: str) -> None:
    assert problems_of(here, MINIMAL + text) == [line]


def test_the_limits_hold_for_the_api_set_and_a_run_folder(here: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(document(name="x" * 201))
    assert [p.message for p in caught.value.problems] == ["expected at most 200 characters, got 201"]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, ['name="\\e[2J"'])
    assert [str(p) for p in caught.value.problems] == [
        "--set: name: contains the control character U+001B; names are plain text"
    ]
    # a run folder's scenario.yaml is read back with Scenario.model_validate
    with pytest.raises(ValidationError):
        Scenario.model_validate(document(name="\x1b[2J"))
    with pytest.raises(ValidationError):
        Scenario.model_validate(document(candidates=[{"code": "ARG", "request": "2024-04-18"}] * 101))


# --- -n and --seed beyond the schema's limits ----------------------------------------------------


@pytest.mark.parametrize(("option", "line"), [
    (["-n", "200000000"], "--replications: input should be less than or equal to 100000000, got 200000000"),
    (["--seed", "99999999999999999999"],
     "--seed: input should be less than or equal to 9223372036854775807, got 99999999999999999999"),
])
def test_replications_and_seed_beyond_the_limits_are_one_line(here: Path, option: list[str], line: str) -> None:
    result = CliRunner().invoke(cli, ["run", str(LATAM), *option, "--jobs", "1"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.splitlines() == [line, "1 problem found; nothing was run."]
    assert list(here.iterdir()) == []


# --- sweeps ------------------------------------------------------------------------------------


def test_a_grid_of_more_than_1000_points_is_refused_before_it_is_built() -> None:
    assert MAX_POINTS == 1000
    params = [parse_param("a=0:1:1000"), parse_param("b=0:1:1000")]
    with pytest.raises(ScenarioError) as caught:
        design_points(params, "grid", None, 1)
    assert [str(p) for p in caught.value.problems] == [
        "--param: the grid has 1,000,000 points (1,000 × 1,000); a sweep runs at most 1,000"
    ]
    assert len(design_points([parse_param("a=0:1:1000")], "grid", None, 1)) == 1000


def test_steps_beyond_the_limit_are_refused_as_they_are_read() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_param("a=0:1:1000000000")
    assert [str(p) for p in caught.value.problems] == [
        "--param: a: STEPS must be at most 1,000, got '1000000000'"
    ]


def test_a_sample_of_more_than_1000_points_is_refused() -> None:
    with pytest.raises(ScenarioError) as caught:
        design_points([parse_param("a=0:1")], "lhs", 5000, 1)
    assert [str(p) for p in caught.value.problems] == ["--samples: 5,000 points; a sweep runs at most 1,000"]


def test_sweep_refuses_a_million_points_before_anything_runs(here: Path) -> None:
    result = CliRunner().invoke(cli, [
        "sweep", str(LATAM), "--param", "allies.TUR.hold.probability=0:1:1000",
        "--param", "allies.HUN.hold.probability=0:1:1000", "-n", "10", "--jobs", "1",
    ])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "--param: the grid has 1,000,000 points (1,000 × 1,000); a sweep runs at most 1,000",
        "1 problem found; nothing was run.",
    ]
    assert list(here.iterdir()) == []


# --- a name is one line ------------------------------------------------------------------------

BREAKS = [
    ('name: "Latin\\nAmerica"', "name", "a line break"),
    ('name: "Latin\\r\\nAmerica"', "name", "a line break"),
    ('name: "Latin\\tAmerica"', "name", "a tab"),
    ('name: "Latin\\u2028America"', "name", "a line break"),
    ("name: |\n  Latin\n  America", "name", "a line break"),
]


@pytest.mark.parametrize(("written", "key", "what"), BREAKS, ids=[b[0] for b in BREAKS])
def test_a_name_with_a_line_break_or_a_tab_is_refused(here: Path, written: str, key: str, what: str) -> None:
    assert problems_of(here, MINIMAL + written + "\n") == [
        f"limits.yaml:4: {key}: contains {what}; a name is one line of text"
    ]


@pytest.mark.parametrize(("text", "line"), [
    ('  - {code: BRA, name: "Bra\\nzil", request: 2027-01-01}\n',
     "limits.yaml:4: candidates.1.name: contains a line break; a name is one line of text"),
    ('blocs: [{name: "T\\tH", allies: [TUR, HUN], strength: 0.5}]\n',
     "limits.yaml:4: blocs.0.name: contains a tab; a name is one line of text"),
    ('alliance: [USA, {code: GBR, name: "U\\rK"}]\n',
     "limits.yaml:4: alliance.1.name: contains a line break; a name is one line of text"),
    ('partnership: {areas: {catalogue: ["cy\\nber"]}}\n',
     "limits.yaml:4: partnership.areas.catalogue.0: contains a line break; a name is one line of text"),
], ids=["candidate", "bloc", "ally", "area"])
def test_every_label_is_one_line(here: Path, text: str, line: str) -> None:
    assert problems_of(here, MINIMAL + text) == [line]


def test_a_folded_name_is_one_line_and_loads(here: Path) -> None:
    assert load_scenario(_write(here, MINIMAL + "name: >-\n  Latin\n  America\n")).name == "Latin America"


def test_line_breaks_and_tabs_in_a_question_are_fine(here: Path) -> None:
    scenario = load_scenario(_write(here, MINIMAL + 'question: "How likely\\n\\tby 2031?"\n'))
    assert scenario.question == "How likely\n\tby 2031?"


def test_a_line_break_in_a_name_is_refused_through_set_and_the_api() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(LATAM, ['name="a\\nb"', 'candidates.ARG.name="A\\tB"'])
    assert [str(p) for p in caught.value.problems] == [
        "--set: name: contains a line break; a name is one line of text",
        "--set: candidates.ARG.name: contains a tab; a name is one line of text",
    ]
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(document(name="a\nb"))
    assert [p.message for p in caught.value.problems] == ["contains a line break; a name is one line of text"]
