"""The rules across a scenario's keys hold however the scenario is built.

A file, ``--set``, :meth:`Scenario.with_updates` and ``Scenario(...)`` in
Python all end in the same validation, so a broken rule gets the same
sentence each way: located at file and line from a file, named by its key
path otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from partnersim.cli import cli
from partnersim.errors import ScenarioError
from partnersim.scenario import Scenario, load_scenario, scenario_from_dict

BASE: dict[str, Any] = {
    "name": "rules",
    "start": "2026-01-01",
    "horizon": "3y",
    "candidates": [{"code": "ARG", "request": "2026-02-01"}],
}

# (what is broken, the change to BASE, the key path of the problem, its sentence)
BROKEN = [
    ("an ally not in the roster", {"allies": {"TRK": {"hold": {"probability": 0.5}}}}, "allies.TRK",
     "unknown ally 'TRK' (did you mean 'TUR'?); allies are named by ISO 3166 alpha-3 code from the alliance roster"),
    ("a bloc of unknown allies", {"blocs": [{"name": "b", "allies": ["USA", "XXX"], "strength": 0.5}]},
     "blocs.0.allies.1",
     "unknown ally 'XXX'; allies are named by ISO 3166 alpha-3 code from the alliance roster"),
    ("a request after the horizon", {"candidates": [{"code": "ARG", "request": "2030-01-01"}]},
     "candidates.0.request",
     "the request date 2030-01-01 is after the horizon (2028-12-31), so nothing could be simulated"),
    ("a candidate listed twice", {"candidates": [{"code": "ARG", "request": "2026-02-01"},
                                                 {"code": "ARG", "request": "2026-03-01"}]},
     "candidates.1.code", "candidate ARG is listed twice (first as candidates.0)"),
    ("a summit wait at a stage that decides nothing", {"calendar": {"summits": {"wait": {"expert_talks": 0.5}}}},
     "calendar.summits.wait.expert_talks",
     "'expert_talks' is not a decision stage; expected one of: consensus, ipcp_approval"),
    ("a horizon before the start", {"horizon": "2025-01-01"}, "horizon",
     "the horizon 2025-01-01 is not after the start 2026-01-01"),
]
IDS = [case[0] for case in BROKEN]


def _yaml(document: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(document, sort_keys=False)


@pytest.mark.parametrize(("change", "path", "message"), [case[1:] for case in BROKEN], ids=IDS)
def test_a_file_and_the_python_api_get_the_same_sentence(
    tmp_path: Path, change: dict[str, Any], path: str, message: str
) -> None:
    document = {**BASE, **change}
    file = tmp_path / "broken.yaml"
    file.write_text(_yaml(document), encoding="utf-8")
    with pytest.raises(ScenarioError) as from_file:
        load_scenario(file)
    [problem] = [p for p in from_file.value.problems if p.path == path]
    assert problem.message == message and problem.file.endswith("broken.yaml") and problem.line

    with pytest.raises(ScenarioError) as from_dict:
        scenario_from_dict(document)
    assert [(p.path, p.message) for p in from_dict.value.problems if p.path == path] == [(path, message)]

    with pytest.raises(ValidationError) as built:
        Scenario.model_validate(document)
    assert f"{path}: {message}" in str(built.value)


@pytest.mark.parametrize(("change", "path", "message"), [case[1:] for case in BROKEN], ids=IDS)
def test_with_updates_enforces_the_rules(change: dict[str, Any], path: str, message: str) -> None:
    valid = scenario_from_dict(BASE)
    with pytest.raises(ScenarioError) as caught:
        valid.with_updates(**{key: value for key, value in change.items()})
    assert message in [p.message for p in caught.value.problems]


def test_set_enforces_the_rules_and_names_the_option(tmp_path: Path) -> None:
    file = tmp_path / "ok.yaml"
    file.write_text(_yaml(BASE), encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(file), "-n", "10", "-q", "--out", str(out),
                                      "--set", "allies.TRK.hold.probability=0.5"])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines()[0] == (
        "--set: allies.TRK: unknown ally 'TRK' (did you mean 'TUR'?); allies are named by ISO 3166 alpha-3 "
        "code from the alliance roster"
    )


def test_every_broken_rule_is_listed_at_once() -> None:
    document = {**BASE, **BROKEN[0][1], **BROKEN[1][1], **BROKEN[4][1]}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(document)
    assert {p.path for p in caught.value.problems} == {BROKEN[0][2], BROKEN[1][2], BROKEN[4][2]}


def test_a_scenario_built_in_python_takes_each_stage_from_its_process() -> None:
    built = Scenario(start="2026-01-01", candidates=[{"code": "ARG", "request": "2026-02-01"}])
    loaded = scenario_from_dict({"start": "2026-01-01", "candidates": [{"code": "ARG", "request": "2026-02-01"}]})
    assert built.stages == loaded.stages
    assert list(built.stages) == list(built.template.stage_names)


def test_a_stage_run_as_a_kind_its_process_does_not_allow_is_refused_in_python() -> None:
    stages = scenario_from_dict(BASE).model_dump()["stages"]
    stages["expert_talks"] = {"kind": "task", "duration": "3w"}
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate({**BASE, "stages": stages})
    assert "stages.expert_talks.kind: expert_talks is a talks stage; its kind can be talks, got 'task'" in str(
        caught.value
    )


def test_the_rules_do_not_run_twice_on_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from partnersim.scenario import rules

    calls = []
    original = rules.scenario_problems
    monkeypatch.setattr(rules, "scenario_problems", lambda s: calls.append(s) or original(s))
    file = tmp_path / "ok.yaml"
    file.write_text(_yaml(BASE), encoding="utf-8")
    load_scenario(file)
    assert len(calls) == 1
