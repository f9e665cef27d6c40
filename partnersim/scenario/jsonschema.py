"""The scenario format as JSON Schema, generated from the same typed models as the loader.

Editors use it to complete and check keys (a scenario starts with
``# yaml-language-server: $schema=…``). The models parse durations, dates and
bare values before validating them; the schema describes what a person may
write instead (``3w`` as well as a number of days), and lists the stages of
every built-in process by name. The loader remains the final judge: the schema
cannot express checks across keys, such as ally codes against the roster.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from partnersim.kinds import DECISION_KINDS, KINDS
from partnersim.process.library import TEMPLATES
from partnersim.scenario import schema as models
from partnersim.values import distributions, numbers
from partnersim.values.durations import parse_date, parse_duration

DURATION: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^\s*(\d+(\.\d*)?|\.\d+)\s*(d|w|mo|y)\s*$"},
    ],
    "description": "A duration: 10d, 3w, 4mo (30.44 days), 2y (365.25 days), or a number of days.",
}
DATE: dict[str, Any] = {"type": "string", "format": "date", "description": "An ISO date, YYYY-MM-DD."}
DISTRIBUTION_SCALAR: dict[str, Any] = {
    "anyOf": [DURATION, DATE],
    "description": "A fixed value: a duration, or a date where a date is expected.",
}


class _Generator(GenerateJsonSchema):
    """Describes what the parsing validators accept, rather than what they produce."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        function = schema["function"]["function"]
        if function is parse_duration:
            return dict(DURATION)
        if function is parse_date:
            return dict(DATE)
        if function is models._horizon:
            return {"anyOf": [DATE, DURATION], "description": "The end of the simulated period: a date or a duration."}
        if function is numbers._whole_number:
            return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^[0-9_.eE+]+$"}]}
        inner = super().function_before_schema(schema)
        if function is distributions._wrap_scalar:
            return {"anyOf": [DISTRIBUTION_SCALAR, inner]}
        if function is models._ally_entry:
            return {"anyOf": [{"type": "string", "pattern": "^[A-Z]{3}$"}, inner]}
        return inner


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    result = models.Scenario.model_json_schema(schema_generator=_Generator)
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["title"] = "partnersim scenario"
    result["description"] = (
        "A partnersim scenario file. Reference: docs/scenario.md. Only `start` and `candidates` are required."
    )
    properties = result["properties"]
    properties["extends"] = {
        "type": "string",
        "description": "Another scenario file (relative to this one) whose keys this file changes.",
    }
    stage_properties: dict[str, Any] = {}
    for template in TEMPLATES.values():
        for spec in template.stages:
            kinds = DECISION_KINDS if spec.approval else (spec.kind,)
            refs = [{"$ref": f"#/$defs/{KINDS[kind].params.__name__}"} for kind in kinds]
            stage_properties[spec.name] = {
                **(refs[0] if len(refs) == 1 else {"anyOf": refs}),
                "description": f"{spec.label} ({' or '.join(kinds)}, {template.name} process).",
            }
    any_kind = {"anyOf": [{"$ref": f"#/$defs/{k.params.__name__}"} for k in KINDS.values()]}
    properties["stages"] = {
        "type": "object",
        "description": "Settings of the process's stages, by name; unset keys take the process's defaults. "
        "The built-in processes' stages are listed; a process of the scenario's own has its own.",
        "properties": stage_properties,
        "additionalProperties": any_kind,
    }
    properties["process"] = {
        "anyOf": [
            {"enum": list(TEMPLATES), "description": "A built-in process."},
            {"type": "string", "pattern": r"\.ya?ml$", "description": "A process file, from this file's folder."},
            {"$ref": "#/$defs/Template", "description": "A process written here."},
        ],
        "default": "global-partner",
    }
    # With a built-in process (or none given), only its stages may be set: an editor flags a misspelt one.
    result["allOf"] = [{
        "if": {"properties": {"process": {"enum": list(TEMPLATES)}}},
        "then": {"properties": {"stages": {"propertyNames": {"enum": list(stage_properties)}}}},
    }]
    # A file that extends another may leave out what its parent states.
    required = result.pop("required", [])
    result["if"] = {"required": ["extends"]}
    result["else"] = {"required": required}
    return result


def process_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a process file."""
    from partnersim.process.definition import Template

    result = Template.model_json_schema(schema_generator=_Generator)
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["title"] = "partnersim process"
    result["description"] = "A partnersim process file. Reference: docs/scenario.md, Processes."
    # In a file, stages are a mapping of name to settings (the model keeps them as a list).
    stage = result["$defs"]["StageSpec"]
    stage["properties"].pop("name", None)
    stage["required"] = [key for key in stage.get("required", []) if key != "name"]
    result["properties"]["stages"] = {
        "type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/StageSpec"},
        "description": "The stages in order, by name (lower case and underscores).",
    }
    return result
