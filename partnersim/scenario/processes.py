"""A scenario's process: a built-in one by name, a process file of the user's, or one declared inline.

A process file gets the same care as a scenario file: read safely, every
problem at once, each naming the file, the line and the key path, with a
"did you mean" for a misspelt key; then the checks of the process as a whole
(:func:`partnersim.process.definition.structure_problems`). The process is
kept in the scenario as written out in full, so a run folder's
``scenario.yaml`` holds it and replays without the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from partnersim.errors import Problem
from partnersim.kinds import KINDS
from partnersim.process.definition import StageSpec, Template, structure_problems
from partnersim.process.library import TEMPLATES
from partnersim.scenario import messages
from partnersim.scenario.messages import Locator, suggest
from partnersim.scenario.yamlio import KeyPath, Unreadable, parse_source, read_source, shown_path

DEFAULT = "global-partner"


def is_file_name(value: str) -> bool:
    """Whether ``process:`` names a file rather than a built-in process."""
    return value.endswith((".yaml", ".yml")) or "/" in value or "\\" in value


def resolve(value: Any, where: Locator, problems: list[Problem]) -> Template | None:
    """The process ``value`` stands for (a name, a file name, a mapping); problems are added, located."""
    if value is None:
        return TEMPLATES[DEFAULT]
    if isinstance(value, Template):
        return value
    if isinstance(value, str) and value in TEMPLATES:
        return TEMPLATES[value]
    if isinstance(value, str) and is_file_name(value):
        origin = where.problem(("process",), "")
        path = Path(origin.file).parent / value if origin.file not in ("--set", "--") else Path(value)
        found, file_problems = read_file(path, cited=(origin.file, origin.line))
        problems += file_problems
        return found
    if isinstance(value, dict):
        found, inline = validate(value, Locator(where.origins, where.fallback), ("process",))
        problems += inline
        return found
    problems.append(where.problem(
        ("process",),
        f"unknown process {value!r}{suggest(str(value), TEMPLATES)}; built in: {', '.join(TEMPLATES)}, "
        "or the path of a process file (ending in .yaml), or a process written here",
    ))
    return None


def read_file(path: Path, *, cited: tuple[str, int | None] | None = None) -> tuple[Template | None, list[Problem]]:
    """The process in the file ``path``, and every problem with it (located in that file)."""
    shown = shown_path(path)
    try:
        source = read_source(path)
    except Unreadable as exc:
        file, line = cited if cited is not None else (shown, None)
        return None, [Problem(file, line, "process" if cited else "", f"{exc.reason}: {shown}")]
    document = parse_source(source, shown)
    origins = {key: (shown, line) for key, line in document.lines.items()}
    if document.problems:
        return None, list(document.problems)
    if not isinstance(document.value, dict):
        return None, [Problem(shown, 1, "", "expected a mapping of keys such as name:, stages:, success:")]
    return validate(document.value, Locator(origins, shown), ())


def validate(data: dict[str, Any], where: Locator, prefix: KeyPath) -> tuple[Template | None, list[Problem]]:
    """A process from its mapping: each stage checked by itself (and its defaults by its kind), then the whole."""
    problems: list[Problem] = []
    stages = data.get("stages")
    checked: list[Any] = []
    if isinstance(stages, dict):
        for name, spec in stages.items():
            checked.append(_stage(name, spec, where, (*prefix, "stages", name), problems))
    rest = {key: value for key, value in data.items() if key != "stages"}
    if isinstance(stages, dict):
        rest["stages"] = [stage for stage in checked if stage is not None] or stages
    elif stages is not None:
        rest["stages"] = stages
    try:
        template = Template.model_validate(rest)
    except ValidationError as exc:
        found = messages.problems(exc, prefix, Template, rest, where)
        # Problems inside a stage were reported by the stage itself, at its name.
        problems += [p for p in found if not p.path.startswith(".".join(str(k) for k in (*prefix, "stages", "")))]
        return None, problems
    if problems:
        return None, problems
    problems += [where.problem((*prefix, *path), message) for path, message in structure_problems(template)]
    return (None, problems) if problems else (template, [])


def _stage(name: Any, spec: Any, where: Locator, path: KeyPath, problems: list[Problem]) -> StageSpec | None:
    if not isinstance(spec, dict):
        problems.append(where.problem(path, "expected the settings of a stage: kind:, label:, defaults:, exits:"))
        return None
    try:
        stage = StageSpec.model_validate({"name": name, **spec})
    except ValidationError as exc:
        problems += messages.problems(exc, path, StageSpec, {"name": name, **spec}, where)
        return None
    kind = KINDS.get(stage.kind)
    if kind is None:
        problems.append(where.problem((*path, "kind"), f"unknown kind {stage.kind!r}{suggest(stage.kind, KINDS)}; "
                                                      f"the kinds are {', '.join(KINDS)}"))
        return None
    defaults = {"kind": stage.kind, **stage.defaults}
    try:
        kind.params.model_validate(defaults)
    except ValidationError as exc:
        problems += messages.problems(exc, (*path, "defaults"), kind.params, defaults, where)
        return None
    return stage


