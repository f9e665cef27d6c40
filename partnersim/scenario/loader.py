"""Loading a scenario: YAML files → one validated, fully defaulted :class:`Scenario`.

The pipeline, in order, each step a module of its own:

1. read every file of the ``extends:`` chain and merge them, knowing the file
   and line of every key (:mod:`~partnersim.scenario.merge`);
2. apply ``--set`` overrides (:mod:`~partnersim.scenario.overrides`);
3. fill each stage's settings from the process (:mod:`~partnersim.scenario.defaults`);
4. validate: the schema, then the rules across the keys, both run by
   :class:`Scenario` itself (:mod:`~partnersim.scenario.rules`);
5. locate: every problem of every step, named by file, line and key path
   (:mod:`~partnersim.scenario.messages`), raised together as one
   :class:`ScenarioError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from partnersim.errors import Problem, ScenarioError
from partnersim.process.library import TEMPLATES
from partnersim.scenario import messages, processes, rules
from partnersim.scenario.checks import scenario_warnings
from partnersim.scenario.defaults import renewal_defaults, stage_settings
from partnersim.scenario.merge import Refused, read_chain
from partnersim.scenario.messages import Locator, Origins
from partnersim.scenario.overrides import apply as apply_overrides
from partnersim.scenario.overrides import quoting_hints
from partnersim.scenario.schema import Scenario
from partnersim.scenario.yamlio import KeyPath, shown_path


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, merge, default and validate the scenario in ``path``.

    ``overrides`` are ``key.path=value`` texts applied after the files, as
    ``--set`` does on the command line: ``["allies.TUR.hold.probability=0.5"]``.
    """
    return _load(Path(path), overrides)[0]


def load_located(path: str | Path, overrides: Sequence[str] = ()) -> tuple[Scenario, Origins]:
    """:func:`load_scenario`, and where each key was written: its file and line, or ``("--set", 0)``."""
    return _load(Path(path), overrides)


def _load(path: Path, overrides: Sequence[str]) -> tuple[Scenario, Origins]:
    """The scenario, and where each of its keys was written (for messages about it)."""
    document, origins, refused = _read_all(path)
    problems: list[Problem] = []
    changed: dict[KeyPath, str] = {}
    if overrides:
        document, changed, problems = apply_overrides(document, list(overrides))
        _located_at_set(origins, changed)
    try:
        scenario = validate_document(document, origins, default_name=path.stem)
    except ScenarioError as exc:
        found = refused.problems + [p for p in exc.problems if not refused.covers(p)]
        raise ScenarioError(problems + _as_set(quoting_hints(_unique(found), changed), changed)) from None
    if problems or refused.problems:
        raise ScenarioError(problems + _unique(refused.problems))
    return scenario, origins


def _as_set(problems: list[Problem], changed: Mapping[KeyPath, str]) -> list[Problem]:
    """A problem with a value ``--set`` gave names its key as the user wrote it (``candidates.BRA.request``),
    not as the file's position (``candidates.1.request``)."""
    named = []
    for problem in problems:
        for real, text in changed.items():
            dotted_real = ".".join(str(part) for part in real)
            written = text.partition("=")[0].strip()
            if problem.file == "--set" and (problem.path == dotted_real or problem.path.startswith(dotted_real + ".")):
                problem = replace(problem, path=written + problem.path[len(dotted_real):])
                break
        named.append(problem)
    return named


def _located_at_set(origins: Origins, changed: Iterable[KeyPath]) -> None:
    """Values that ``--set`` changed are located at ``--set``, not in the file."""
    for changed_path in changed:
        for key in [k for k in origins if k[: len(changed_path)] == changed_path]:
            del origins[key]
        origins[changed_path] = ("--set", 0)
        # keys the override created (e.g. a new ally entry) belong to it too
        for end in range(1, len(changed_path)):
            origins.setdefault(changed_path[:end], ("--set", 0))


def scenario_from_dict(document: Mapping[str, Any], *, name: str = "scenario") -> Scenario:
    """Validate a scenario given as a Python mapping (as from a notebook or a test)."""
    return validate_document(document, {}, default_name=name)


def source_files(path: str | Path) -> list[Path]:
    """The file and every file it ``extends``, child first, read as the loader reads them; then its process
    file, when it names one."""
    files: list[Path] = []
    document, origins = read_chain(Path(path), [], None, Refused(), files)
    process = document.get("process")
    origin = origins.get(("process",))
    if isinstance(process, str) and processes.is_file_name(process) and origin is not None:
        files.append(Path(origin[0]).parent / process)
    return files


def _read_all(path: Path) -> tuple[dict[str, Any], Origins, Refused]:
    refused = Refused()
    try:
        document, origins = read_chain(path, [], None, refused)
    except ScenarioError as exc:
        raise ScenarioError(_unique(refused.problems + exc.problems)) from None
    return document, origins, refused


def validate_document(
    document: Mapping[str, Any], origins: Origins, *, default_name: str = "scenario"
) -> Scenario:
    """Validate a merged document; raise every problem at once."""
    fallback = next(iter(origins.values()), (f"<{default_name}>", 0))[0]
    where = Locator(origins, fallback)
    data = dict(document)
    data.pop("extends", None)
    data.setdefault("name", default_name)
    problems: list[Problem] = []

    value = data.get("process")
    template = processes.resolve(value, where, problems)
    if template is not None and not (value is None or isinstance(value, str) and value in TEMPLATES):
        data["process"] = template  # a process of the scenario's own is kept in it, written out in full
    raw_stages = data.get("stages")
    stages = stage_settings(raw_stages, template, where, problems)
    data["stages"] = stages if stages is not None else {}
    renewal_defaults(data)
    if template is None:
        data["process"] = "global-partner"
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(messages.problems(exc, (), Scenario, data, where))
        broke_rules = any(error["type"] == messages.BROKEN_RULES for error in exc.errors())
        if template is not None and not broke_rules:  # the schema refused a value: say what else is wrong
            found = rules.document_problems({**data, "stages": raw_stages}, template)
            problems.extend(where.problem(path, message) for path, message in found)
    problems.extend(where.problem(path, message) for path, message in rules.number_problems(data))
    if problems:
        raise ScenarioError(_unique(problems))
    assert scenario is not None
    return scenario


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    result = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return sorted(result, key=lambda p: (p.file, p.line or 0))


def load_checked(path: str | Path, overrides: Sequence[str] = ()) -> tuple[Scenario, list[Problem]]:
    """:func:`load_scenario`, plus the domain warnings of the scenario, each named by file, line and key path.

    A warning (a :class:`Problem` whose message starts with ``warning:``) does not stop
    anything: the scenario is valid, but almost certainly not what was meant
    (see :mod:`partnersim.scenario.checks`).
    """
    scenario, origins = _load(Path(path), overrides)
    where = Locator(origins, next(iter(origins.values()), (shown_path(Path(path)), 0))[0])
    found = [where.problem(finding.path, f"warning: {finding.message}") for finding in scenario_warnings(scenario)]
    return scenario, _unique(found)
