"""The JSON Schema of scenario files: up to date, and it accepts every shipped scenario."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.scenario.jsonschema import scenario_schema

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))


def as_editor_sees_it(value: Any) -> Any:
    """YAML as an editor's language server reads it: dates are text."""
    if isinstance(value, dict):
        return {str(k): as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees_it(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(scenario_schema(), format_checker=jsonschema.FormatChecker())


def test_the_shipped_schema_file_is_up_to_date() -> None:
    shipped = json.loads((ROOT / "docs" / "scenario.schema.json").read_text())
    assert shipped == json.loads(json.dumps(scenario_schema())), "run: partnersim schema -o docs/scenario.schema.json"


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "partnersim scenario"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_every_shipped_scenario_is_valid_and_names_the_schema(validator: Any, path: Path) -> None:
    document = as_editor_sees_it(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=") and first.endswith("scenario.schema.json")


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"start": "2025-01-01", "candidates": [{"code": "ARG", "request": "2025-01-01"}], "horizon": "6yy"}, "horizon"),
        ({"start": "2025-01-01", "candidates": [{"code": "ARG", "request": "2025-01-01"}], "seeed": 1}, ""),
        ({"start": "2025-01-01", "candidates": [{"code": "arg", "request": "2025-01-01"}]}, "candidates.0.code"),
        ({"start": "2025-01-01", "candidates": [{"code": "ARG", "request": "2025-01-01"}],
          "stages": {"expert_talk": {}}}, "stages"),
        ({"candidates": [{"code": "ARG", "request": "2025-01-01"}]}, ""),
    ],
)
def test_the_schema_catches_what_an_editor_should_flag(validator: Any, document: dict[str, Any], where: str) -> None:
    paths = {".".join(map(str, e.path)) for e in validator.iter_errors(document)}
    assert where in paths
