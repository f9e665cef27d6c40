"""How plain YAML values are read: as YAML 1.2's core schema does, dates kept; explicit tags refused.

YAML 1.1 (PyYAML's default) reads ``yes``, ``no``, ``on`` and ``off`` as
booleans, ``1:30`` as 90 and ``010`` as 8; an explicit tag (``!!str 0.5``,
``!!int 2024-04-18``) silently changes a value's type. A scenario file reads
what it says: the first three are text, ``010`` is ten, and a tag on a value
is refused with its file, line and key.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from pathlib import Path

import pytest

from partnersim.errors import ScenarioError
from partnersim.scenario import load_scenario
from partnersim.scenario.yamlio import parse_text

MINIMAL = "start: 2026-12-01\ncandidates:\n  - {code: ARG, request: 2024-04-18}\n"


def value_of(written: str) -> object:
    document = parse_text(f"key: {written}\n", "test.yaml")
    assert document is not None and not document.problems, document
    return document.value["key"]


READINGS = [
    # YAML 1.1 readings that are text in YAML 1.2
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("Yes", "Yes"), ("NO", "NO"), ("y", "y"),
    ("1:30", "1:30"), ("190:20:30", "190:20:30"), ("-1:30", "-1:30"), ("0b101", "0b101"), ("=", "="),
    # booleans: true and false, in three spellings
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False),
    # null
    ("~", None), ("null", None), ("Null", None), ("NULL", None), ("", None),
    # whole numbers: decimal (a leading zero is not octal), 0o octal, 0x hexadecimal
    ("0", 0), ("7", 7), ("-3", -3), ("+3", 3), ("010", 10), ("007", 7), ("0o17", 15), ("0x1F", 31),
    # digit groups are kept as numbers: meant, and harmless
    ("10_000", 10_000), ("1_000_000", 1_000_000),
    # other numbers
    ("0.5", 0.5), ("-0.5", -0.5), (".5", 0.5), ("5.", 5.0), ("1e4", 10_000.0), ("1.5E-3", 0.0015),
    ("2.5e+2", 250.0), ("1_000.5", 1000.5),
    # text that looks a little like a number
    ("1e", "1e"), ("0x", "0x"), ("1_", "1_"), ("_1", "_1"), ("1__0", "1__0"), ("3w", "3w"), ("80%", "80%"),
    ("0o8", "0o8"), ("1.2.3", "1.2.3"),
    # dates stay dates, which the scenario format relies on
    ("2024-04-18", dt.date(2024, 4, 18)),
    ("2024-04-18T10:00:00", dt.datetime(2024, 4, 18, 10, 0)),
    ("2024-02-30", "2024-02-30"),  # not a day: kept as text, for the schema to report
]


@pytest.mark.parametrize(("written", "expected"), READINGS, ids=[r[0] or "empty" for r in READINGS])
def test_plain_values_are_read_as_yaml_1_2_reads_them(written: str, expected: object) -> None:
    value = value_of(written)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("written", [".inf", "-.inf", "+.INF", ".nan", ".NaN"])
def test_infinities_and_not_a_number(written: str) -> None:
    value = value_of(written)
    assert isinstance(value, float) and not math.isfinite(value)


def test_quoted_values_are_always_text() -> None:
    for written in ("'true'", '"010"', "'2024-04-18'", "'~'", '"1e4"'):
        assert value_of(written) == written[1:-1]


def test_merge_keys_and_anchors_still_work() -> None:
    document = parse_text("base: &b {a: 1, b: 2}\nother:\n  <<: *b\n  b: 3\n", "test.yaml")
    assert document is not None and document.value["other"] == {"a": 1, "b": 3}


TAGGED = [
    ("probability: !!str 0.5", "allies.TUR.hold.probability", "!!str"),
    ("probability: !!float 1", "allies.TUR.hold.probability", "!!float"),
    ("probability: !!int 0", "allies.TUR.hold.probability", "!!int"),
    ("probability: !!bool true", "allies.TUR.hold.probability", "!!bool"),
    ("probability: !!null ''", "allies.TUR.hold.probability", "!!null"),
    ("probability: !!timestamp 2024-04-18", "allies.TUR.hold.probability", "!!timestamp"),
    ("probability: !<tag:yaml.org,2002:str> 0.5", "allies.TUR.hold.probability", "!!str"),
    ("probability: ! 0.5", "allies.TUR.hold.probability", "!"),
]


@pytest.mark.parametrize(("written", "path", "tag"), TAGGED, ids=[t[0] for t in TAGGED])
def test_an_explicit_tag_on_a_value_is_refused(tmp_path: Path, written: str, path: str, tag: str) -> None:
    scenario = tmp_path / "tagged.yaml"
    scenario.write_text(MINIMAL + f"allies:\n  TUR:\n    hold:\n      {written}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}:7: {path}: the tag {tag} is not allowed in a scenario file; remove it "
        "(to mean text, put the value in quotes)"
    ]


def test_a_tag_on_a_date_or_a_key_is_refused(tmp_path: Path) -> None:
    scenario = tmp_path / "tagged.yaml"
    scenario.write_text(textwrap.dedent("""\
        start: 2026-12-01
        !!str seed: 3
        candidates:
          - {code: ARG, request: !!int 2024-04-18}
        """), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    suffix = "is not allowed in a scenario file; remove it (to mean text, put the value in quotes)"
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}:2: the tag !!str {suffix}",
        f"{scenario}:4: candidates.0.request: the tag !!int {suffix}",
    ]


def test_tags_on_lists_and_mappings_change_nothing_and_are_taken(tmp_path: Path) -> None:
    scenario = tmp_path / "tagged.yaml"
    scenario.write_text(MINIMAL + "allies: !!map {TUR: {hold: {probability: 0.2}}}\nblocs: !!seq []\n")
    assert load_scenario(scenario).allies.overrides["TUR"].hold.probability == 0.2  # type: ignore[union-attr]


def test_yaml_1_1_readings_in_a_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "readings.yaml"
    scenario.write_text(MINIMAL + "name: no\nseed: 010\nreplications: 10_000\nhorizon: 1e3\n")
    loaded = load_scenario(scenario)
    assert (loaded.name, loaded.seed, loaded.replications, loaded.horizon) == ("no", 10, 10_000, 1000.0)
    scenario.write_text(MINIMAL + "replications: 1:30\nallies:\n  TUR: {hold: {probability: yes}}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}:4: replications: expected a whole number, got '1:30'",
        f"{scenario}:6: allies.TUR.hold.probability: must be a probability between 0 and 1, got 'yes'",
    ]


LOOKS_LIKE_NUMBERS = ["1e4", "1E5", "1.5e3", "+1e3", "-1e-3", "0o17", "0o7", "09", "089", "0x1F", "010", "10_000",
                      "yes", "no", "on", "1:30", "true", "~", "", "2024-04-18", ".5", "<<", "="]


@pytest.mark.parametrize("text", LOOKS_LIKE_NUMBERS, ids=[t or "empty" for t in LOOKS_LIKE_NUMBERS])
def test_text_written_by_dump_yaml_reads_back_as_text_here_and_in_yaml_1_1(text: str) -> None:
    """A run folder's scenario.yaml must read back exactly: text that either reading would take for a number is quoted."""
    import yaml

    from partnersim.scenario.yamlio import dump_yaml

    written = dump_yaml({"name": text, "seed": 10, "share": 0.5, "start": dt.date(2026, 12, 1), "none": None})
    document = parse_text(written, "scenario.yaml")
    assert document is not None
    expected = {"name": text, "seed": 10, "share": 0.5, "start": dt.date(2026, 12, 1), "none": None}
    assert document.value == expected
    assert yaml.safe_load(written) == expected


def test_a_resolved_scenario_with_names_like_numbers_reads_back_unchanged(tmp_path: Path) -> None:
    from partnersim.scenario.yamlio import dump_yaml

    scenario = tmp_path / "numbers.yaml"
    scenario.write_text(MINIMAL.replace("request: 2024-04-18", "name: '09', request: 2024-04-18")
                        + "name: '1e4'\ndescription: '0o17'\n")
    loaded = load_scenario(scenario)
    assert (loaded.name, loaded.description, loaded.candidates[0].name) == ("1e4", "0o17", "09")
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(dump_yaml(loaded.model_dump(mode="json", exclude_none=True)), encoding="utf-8")
    assert load_scenario(resolved) == loaded


# --- text that YAML reads as something else is refused, never rewritten ---------------------------

QUOTES = "put it in quotes to mean the text"
NUMBER_LIKE = [("010", "10"), ("0x1F", "31"), ("1e3", "1000.0"), ("1.10", "1.1"), ("+5", "5"), (".inf", ".inf"),
               ("-.inf", "-.inf"), (".nan", ".nan"), ("2030", "2030"), ("false", "false"), ("2024-04-18", "2024-04-18"),
               ("2024-04-18T10:00:00", "2024-04-18T10:00:00")]


@pytest.mark.parametrize(("written", "shown"), NUMBER_LIKE, ids=[n[0] for n in NUMBER_LIKE])
def test_a_name_yaml_reads_as_a_number_a_bool_or_a_date_is_refused(tmp_path: Path, written: str, shown: str) -> None:
    scenario = tmp_path / "names.yaml"
    scenario.write_text(textwrap.dedent(f"""\
        name: {written}
        start: 2026-12-01
        candidates:
          - {{code: ARG, name: {written}, request: 2024-04-18}}
        """), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}:1: name: expected text, got {shown}; {QUOTES}",
        f"{scenario}:4: candidates.0.name: expected text, got {shown}; {QUOTES}",
    ]
    scenario.write_text(scenario.read_text().replace(written, f'"{written}"'), encoding="utf-8")
    loaded = load_scenario(scenario)
    assert (loaded.name, loaded.candidates[0].name) == (written, written)


def test_every_text_field_refuses_a_number(tmp_path: Path) -> None:
    scenario = tmp_path / "texts.yaml"
    scenario.write_text(textwrap.dedent("""\
        start: 2026-12-01
        question: 42
        description: 1.5
        alliance: [USA, GBR, {code: FRA, name: 33}, TUR, HUN]
        blocs: [{name: 1, allies: [TUR, HUN], strength: 0.5}]
        partnership: {areas: {catalogue: [cyber, 2]}}
        calendar: {council: {stages: [ipcp_approval, 7]}}
        candidates:
          - {code: ARG, request: 2024-04-18, stage: 2}
        """), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}:2: question: expected text, got 42; {QUOTES}",
        f"{scenario}:3: description: expected text, got 1.5; {QUOTES}",
        f"{scenario}:4: alliance.2.name: expected text, got 33; {QUOTES}",
        f"{scenario}:5: blocs.0.name: expected text, got 1; {QUOTES}",
        f"{scenario}:6: partnership.areas.catalogue.1: expected text, got 2; {QUOTES}",
        f"{scenario}:7: calendar.council.stages.1: expected text, got 7; {QUOTES}",
        f"{scenario}:9: candidates.0.stage: expected text, got 2; {QUOTES}",
    ]


def test_the_api_refuses_a_number_as_a_name_too() -> None:
    from partnersim.scenario import scenario_from_dict

    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"name": 2030, "start": "2026-12-01", "candidates": [{"code": "ARG", "request": "2024-04-18"}]})
    assert [p.message for p in caught.value.problems] == [f"expected text, got 2030; {QUOTES}"]


DATE_TIMES = [
    ("start: 2026-12-01T10:00:00", "start", "2026-12-01T10:00:00"),
    ("start: 2026-12-01 10:00:00", "start", "2026-12-01T10:00:00"),
    ("start: 2026-12-01T10:00:00+05:00", "start", "2026-12-01T10:00:00+05:00"),
    ('start: "2026-12-01T10:00"', "start", "2026-12-01T10:00"),
    ("horizon: 2031-12-31T23:59:59Z", "horizon", "2031-12-31T23:59:59+00:00"),
]


@pytest.mark.parametrize(("written", "key", "shown"), DATE_TIMES, ids=[d[0] for d in DATE_TIMES])
def test_a_date_and_time_where_a_date_is_expected_is_refused(
    tmp_path: Path, written: str, key: str, shown: str
) -> None:
    scenario = tmp_path / "times.yaml"
    base = MINIMAL if key != "start" else MINIMAL.replace("start: 2026-12-01\n", "")
    scenario.write_text(base + written + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    line = 4 if key != "start" else 3
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}:{line}: {key}: expected a date such as 2026-12-01, got a date and time '{shown}'"
    ]


def test_every_date_refuses_a_time(tmp_path: Path) -> None:
    scenario = tmp_path / "times.yaml"
    scenario.write_text(textwrap.dedent("""\
        start: 2026-12-01
        calendar:
          council: {holidays: [[2027-08-01, 2027-08-31T12:00:00]]}
          summits: {dates: [2027-07-01T09:00:00]}
          elections: [{ally: TUR, date: 2028-05-14 08:00:00, hold: 0.1}]
        candidates:
          - {code: ARG, request: 2027-01-01T10:00:00+05:00}
          - {code: BRA, request: {uniform: [2027-01-01, 2028-01-01T00:00:00]}}
        """), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    expected = "expected a date such as 2026-12-01, got a date and time"
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}:3: calendar.council.holidays.0.1: {expected} '2027-08-31T12:00:00'",
        f"{scenario}:4: calendar.summits.dates.0: {expected} '2027-07-01T09:00:00'",
        f"{scenario}:5: calendar.elections.0.date: {expected} '2028-05-14T08:00:00'",
        f"{scenario}:7: candidates.0.request: {expected} '2027-01-01T10:00:00+05:00'",
        f"{scenario}:8: candidates.1.request.uniform.1: {expected} '2028-01-01T00:00:00'",
    ]
