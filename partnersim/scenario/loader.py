"""Loading a scenario: YAML files → one validated, fully defaulted :class:`Scenario`.

The pipeline, in order: read each file of the ``extends:`` chain with the line
of every key; deep-merge them (the child wins; candidates merge by ``code``);
fill stage defaults from the process template; validate against the schema;
run the checks that span the file. Every problem of every step is collected
and raised together as one :class:`ScenarioError`, each naming file, line and
key path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from partnersim.errors import Problem, ScenarioError
from partnersim.kinds import DECISION_KINDS, KINDS, STAGE_MODELS
from partnersim.process.definition import REQUESTED, Template, exit_problems, reach_problems
from partnersim.process.library import TEMPLATES
from partnersim.scenario import messages, processes
from partnersim.scenario.messages import DISTRIBUTION_KINDS, NUMBER_KEYS, Locator, Origin, Origins, suggest
from partnersim.scenario.overrides import apply as apply_overrides
from partnersim.scenario.overrides import quoting_hints
from partnersim.scenario.rosters import ROSTERS
from partnersim.scenario.schema import RENEWAL_ALLY_DEFAULTS, Scenario
from partnersim.scenario.yamlio import (
    Document,
    KeyPath,
    Unreadable,
    dotted,
    parse_source,
    read_source,
    shown_path,
)
from partnersim.values.durations import format_duration

MAX_HORIZON_YEARS = 100
MAX_EXTENDS = 20


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, merge, default and validate the scenario in ``path``.

    ``overrides`` are ``key.path=value`` texts applied after the files, as
    ``--set`` does on the command line: ``["allies.TUR.hold.probability=0.5"]``.
    """
    return _load(Path(path), overrides)[0]


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
        raise ScenarioError(problems + quoting_hints(_unique(found), changed)) from None
    if problems or refused.problems:
        raise ScenarioError(problems + _unique(refused.problems))
    return scenario, origins


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
    document, origins = _read_chain(Path(path), [], None, _Refused(), files)
    process = document.get("process")
    origin = origins.get(("process",))
    if isinstance(process, str) and processes.is_file_name(process) and origin is not None:
        files.append(Path(origin[0]).parent / process)
    return files


class _Refused:
    """Values a file held but that could not be read (a forbidden tag, say), and why.

    Such a value is None in the document, so the schema's complaint about it
    (``expected text, got nothing``) says nothing new and is left out.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.paths: set[str] = set()

    def add(self, document: Document) -> None:
        self.problems += document.problems
        self.paths |= {dotted(path) for path in document.dropped}

    def covers(self, problem: Problem) -> bool:
        """Whether the problem is about a refused value, or a key inside one."""
        path = problem.path
        if path in self.paths:
            return True
        dot = path.find(".")
        while dot != -1:
            if path[:dot] in self.paths:
                return True
            dot = path.find(".", dot + 1)
        return False


def _read_all(path: Path) -> tuple[dict[str, Any], Origins, _Refused]:
    refused = _Refused()
    try:
        document, origins = _read_chain(path, [], None, refused)
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
    stages = _stages(raw_stages, template, where, problems)
    data["stages"] = stages if stages is not None else {}
    _renewal_defaults(data)
    if template is None:
        data["process"] = "global-partner"
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(messages.problems(exc, (), Scenario, data, where))
        scenario = None
    problems.extend(_numbers(data, (), where))
    if template is not None:
        problems.extend(_raw_checks({**data, "stages": raw_stages}, template, where))
    if scenario is not None and template is not None:
        problems.extend(_cross_checks(scenario, where))
        problems.extend(_exit_checks(scenario, template, where))
    if problems:
        raise ScenarioError(_unique(problems))
    assert scenario is not None
    return scenario


# --- reading and merging -------------------------------------------------------------


def _read_chain(
    path: Path, stack: list[tuple[tuple[int, int], str]], cited: Origin | None, refused: _Refused,
    files: list[Path] | None = None,
) -> tuple[dict[str, Any], Origins]:
    """The merged document of ``path`` and the files it extends; ``stack`` holds the files that extend it.

    ``cited`` is where ``path`` was named (the ``extends:`` line of the file
    before it), so that a file that cannot be read is reported there.
    """
    shown = shown_path(path)
    if len(stack) > MAX_EXTENDS and cited is not None:
        raise ScenarioError(
            [Problem(cited[0], cited[1], "extends", f"more than {MAX_EXTENDS} files extend one another")]
        )
    try:
        source = read_source(path)
    except Unreadable as exc:
        if cited is None:
            raise ScenarioError([Problem(shown, None, "", exc.reason)]) from None
        raise ScenarioError([Problem(cited[0], cited[1], "extends", f"{exc.reason}: {shown}")]) from None
    # A file is known by its device and inode, so a link to a file already in the chain is a cycle too.
    if source.identity in [identity for identity, _ in stack]:
        chain = " → ".join([name for _, name in stack] + [shown])
        file, line = cited if cited else (shown, None)
        raise ScenarioError([Problem(file, line, "extends", f"extends itself in a cycle: {chain}")])
    if files is not None:
        files.append(path)
    parsed = parse_source(source, shown)
    refused.add(parsed)
    document, lines = parsed.value, parsed.lines
    origins: Origins = {key: (shown, line) for key, line in lines.items()}
    if not isinstance(document, dict):
        raise ScenarioError(
            [Problem(shown, lines.get((), 1), "", "expected a mapping of keys such as name:, start:, candidates:")]
        )
    parent = document.get("extends")
    if parent is None:
        return document, origins
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            [Problem(shown, lines.get(("extends",)), "extends", "expected the path of another scenario file")]
        )
    base, base_origins = _read_chain(
        path.parent / parent, [*stack, (source.identity, shown)], (shown, lines.get(("extends",), 1)), refused, files
    )
    merged_origins: Origins = {}
    child = {key: value for key, value in document.items() if key != "extends"}
    merged = _merge(base, (), _Where(base_origins), child, (), _Where(origins), (), merged_origins)
    return merged, merged_origins


class _Where:
    """Where each key path of one file was written, and the key paths below each path.

    With the paths below at hand, copying where a subtree was written costs the
    size of the subtree, not of the file: a parent of thousands of keys merges
    in time proportional to them.
    """

    def __init__(self, origins: Origins) -> None:
        self.origins = origins
        self.below: dict[KeyPath, dict[KeyPath, None]] = {}
        for key in origins:
            while key:
                children = self.below.setdefault(key[:-1], {})
                if key in children:
                    break
                children[key] = None
                key = key[:-1]

    def get(self, path: KeyPath) -> Origin | None:
        return self.origins.get(path)

    def rebase(self, source: KeyPath, target: KeyPath, out: Origins) -> None:
        """Record in ``out`` that what is at ``source`` and below it is now at ``target``."""
        n = len(source)
        stack = [source]
        while stack:
            key = stack.pop()
            if key in self.origins:
                out[target + key[n:]] = self.origins[key]
            stack.extend(self.below.get(key, ()))


def _merge(
    base: Any,
    base_path: KeyPath,
    base_origins: _Where,
    over: Any,
    over_path: KeyPath,
    over_origins: _Where,
    out_path: KeyPath,
    out: Origins,
) -> Any:
    """Deep-merge ``over`` onto ``base``, recording where each merged key came from."""
    if _mergeable(base, over):
        origin = over_origins.get(over_path) or base_origins.get(base_path)
        if origin:
            out[out_path] = origin
        result: dict[str, Any] = {}
        for key, value in base.items():
            if key not in over:
                result[key] = value
                base_origins.rebase((*base_path, key), (*out_path, key), out)
        for key, value in over.items():
            if key in base:
                result[key] = _merge(
                    base[key], (*base_path, key), base_origins,
                    value, (*over_path, key), over_origins, (*out_path, key), out,
                )
            else:
                result[key] = value
                over_origins.rebase((*over_path, key), (*out_path, key), out)
        return result
    if out_path == ("candidates",) and _by_code(base) and _by_code(over):
        return _merge_candidates(base, base_path, base_origins, over, over_path, over_origins, out)
    over_origins.rebase(over_path, out_path, out)
    return over


def _is_distribution(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in DISTRIBUTION_KINDS


def _mergeable(base: Any, over: Any) -> bool:
    """Mappings merge key by key; a distribution is replaced whole by another, and so is a
    stage whose ``kind`` the child changes (its keys belong to the other kind)."""
    return (
        isinstance(base, dict)
        and isinstance(over, dict)
        and not (_is_distribution(base) or _is_distribution(over))
        and not ("kind" in over and over["kind"] != _stage_kind(base, over["kind"]))
    )


def _stage_kind(stage: dict[str, Any], other: Any) -> Any:
    """The kind of a stage's settings; without ``kind`` it is the template's, and only a
    consensus stage can become another kind (a silence procedure)."""
    return stage.get("kind", "consensus" if other in DECISION_KINDS else other)


def _hashable(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _by_code(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) and "code" in item for item in value)


def _merge_candidates(
    base: list[dict[str, Any]],
    base_path: KeyPath,
    base_origins: _Where,
    over: list[dict[str, Any]],
    over_path: KeyPath,
    over_origins: _Where,
    out: Origins,
) -> list[Any]:
    """A child's candidate replaces fields of the parent's candidate with the same code."""
    origin = over_origins.get(over_path)
    if origin is not None:
        out[("candidates",)] = origin
    merged: list[Any] = []
    taken: set[int] = set()
    first: dict[Any, int] = {}
    for j, item in enumerate(over):
        code = item.get("code")
        if _hashable(code):
            first.setdefault(code, j)
    for index, item in enumerate(base):
        code = item.get("code")
        match = first.get(code) if _hashable(code) else None
        target = ("candidates", len(merged))
        if match is None:
            merged.append(item)
            base_origins.rebase((*base_path, index), target, out)
        else:
            taken.add(match)
            merged.append(
                _merge(item, (*base_path, index), base_origins, over[match],
                       (*over_path, match), over_origins, target, out)
            )
    for index, item in enumerate(over):
        if index not in taken:
            over_origins.rebase((*over_path, index), ("candidates", len(merged)), out)
            merged.append(item)
    return merged


# --- validation ----------------------------------------------------------------------


def _stages(
    raw: Any, template: Template | None, where: Locator, problems: list[Problem]
) -> dict[str, Any] | None:
    if template is None:
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.append(where.problem(("stages",), "expected a mapping of stage names to their settings"))
        return None
    stages: dict[str, Any] = {}
    for name in raw:
        if name not in template.stage_names:
            problems.append(
                where.problem(("stages", name), f"unknown stage {name!r}{suggest(name, template.stage_names)}; "
                              f"the {template.name} process has {', '.join(template.stage_names)}")
            )
    for spec in template.stages:
        user = raw.get(spec.name, {})
        if user is None:
            user = {}
        if not isinstance(user, dict):
            problems.append(where.problem(("stages", spec.name), "expected a mapping of settings"))
            continue
        kind = user.get("kind", spec.kind)
        allowed = DECISION_KINDS if spec.approval else (spec.kind,)
        if kind not in allowed:
            approvals = ", ".join(template.approval_stages) or "none in this process"
            problems.append(
                where.problem(("stages", spec.name, "kind"), f"{spec.name} is a {spec.kind} stage; its kind "
                              f"can be {' or '.join(allowed)}, got {kind!r}"
                              + (f" (only a programme approval can run by silence: {approvals})"
                                 if kind == "silence" else ""))
            )
            continue
        model = STAGE_MODELS[kind]
        # The template's defaults describe its own kind; a stage run as another kind starts from that kind's.
        merged = _deep_merge(spec.defaults, user) if kind == spec.kind else dict(user)
        try:
            stages[spec.name] = model.model_validate(merged)
        except ValidationError as exc:
            problems.extend(messages.problems(exc, ("stages", spec.name), model, merged, where))
    return stages


def _renewal_defaults(data: dict[str, Any]) -> None:
    """A partnership's renewal ``allies`` layered over the renewal defaults, as a stage's over its template's."""
    partnership = data.get("partnership")
    if not isinstance(partnership, dict):
        return
    renewal = partnership.get("renewal")
    if isinstance(renewal, dict) and isinstance(renewal.get("allies"), dict):
        data["partnership"] = {**partnership, "renewal": {
            **renewal, "allies": _deep_merge(RENEWAL_ALLY_DEFAULTS, renewal["allies"])}}


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in over.items():
        if _mergeable(result.get(key), value):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def roster_of(scenario: Scenario) -> dict[str, str]:
    """The allies of a scenario: ISO code → name, in roster order."""
    if isinstance(scenario.alliance, str):
        return dict(ROSTERS[scenario.alliance])
    return {entry.code: entry.name or entry.code for entry in scenario.alliance}


def _raw_checks(data: Mapping[str, Any], template: Template, where: Locator) -> list[Problem]:
    """Checks that need only the document, so they run even when the schema failed."""
    problems: list[Problem] = []
    alliance = data.get("alliance", "nato-2024")
    if isinstance(alliance, str):
        if alliance not in ROSTERS:
            problems.append(
                where.problem(("alliance",), f"unknown alliance {alliance!r}{suggest(alliance, ROSTERS)}; "
                              f"built in: {', '.join(ROSTERS)}, or a list of ally codes")
            )
            return problems
        roster = dict(ROSTERS[alliance])
    elif isinstance(alliance, list):
        roster = {}
        for index, entry in enumerate(alliance):
            code = entry.get("code") if isinstance(entry, dict) else entry
            if isinstance(code, str):
                if code in roster:
                    problems.append(where.problem(("alliance", index), f"ally {code} is listed twice"))
                roster[code] = code
    else:
        return problems
    allies = data.get("allies")
    if isinstance(allies, dict):
        problems += _ally_codes([k for k in allies if k != "default"], ("allies",), roster, where)
    stages = data.get("stages")
    for name, stage in (stages if isinstance(stages, dict) else {}).items():
        stage_allies = stage.get("allies") if isinstance(stage, dict) else None
        if isinstance(stage_allies, dict):
            codes = [code for code in stage_allies if code != "default"]
            problems += _ally_codes(codes, ("stages", name, "allies"), roster, where)
    allowed_stages = (REQUESTED, *template.stage_names)
    seen_codes: dict[str, int] = {}
    candidates = data.get("candidates")
    for index, candidate in enumerate(candidates if isinstance(candidates, list) else []):
        if not isinstance(candidate, dict):
            continue
        path: KeyPath = ("candidates", index)
        code = candidate.get("code")
        if isinstance(code, str):
            if code in seen_codes:
                problems.append(
                    where.problem((*path, "code"), f"candidate {code} is listed twice "
                                  f"(first as candidates.{seen_codes[code]})")
                )
            seen_codes.setdefault(code, index)
        stage = candidate.get("stage")
        if isinstance(stage, str) and stage not in allowed_stages:
            problems.append(
                where.problem((*path, "stage"), f"unknown stage {stage!r}{suggest(str(stage), allowed_stages)}; "
                              f"expected one of: {', '.join(allowed_stages)}")
            )
    return problems


def _numbers(value: Any, path: KeyPath, where: Locator) -> list[Problem]:
    """Numbers the schema would take but should not.

    ``probability: true`` would count as 1; ``mu: .nan``
    or ``cv: .inf`` would make every draw meaningless.
    """
    problems: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in NUMBER_KEYS and isinstance(item, bool):
                problems.append(where.problem((*path, key), messages.number_message((key,), item)))
            elif key in NUMBER_KEYS and isinstance(item, float) and not math.isfinite(item):
                problems.append(where.problem((*path, key), messages.number_message((key,), item, finite=True)))
            else:
                problems += _numbers(item, (*path, key), where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += _numbers(item, (*path, index), where)
    return problems


WRITTEN_BACK = "cannot be written to a run folder and read back exactly; use a shorter duration or fewer digits"


def _written_back(scenario: Scenario, where: Locator) -> list[Problem]:
    """A scenario is kept in its run folder as YAML; it must read back as itself, or a rerun would differ."""
    dumped = scenario.model_dump()
    parts: list[tuple[KeyPath, BaseModel, Any]] = [((), scenario, {**dumped, "stages": {}})]
    parts += [(("stages", name), stage, dumped["stages"][name]) for name, stage in scenario.stages.items()]
    problems = []
    for prefix, original, data in parts:
        try:
            again = type(original).model_validate(data)
        except ValidationError as exc:
            problems += [
                where.problem((*prefix, *messages.clean_loc(error["loc"], data)), WRITTEN_BACK)
                for error in exc.errors(include_url=False)
            ]
            continue
        skip = {"stages"} if not prefix else set()
        problems += [where.problem((*prefix, *path), WRITTEN_BACK) for path in _differences(original, again, skip)]
    return problems


def _differences(before: Any, after: Any, skip: Collection[str] = ()) -> list[KeyPath]:
    """Key paths at which two validated values differ (a bare duration is one value, not ``fixed``)."""
    fields = list(type(before).model_fields) if isinstance(before, BaseModel) else []
    if fields and fields != ["fixed"] and type(before) is type(after):
        fields = [name for name in fields if name not in skip]
        pairs = [(name, getattr(before, name), getattr(after, name)) for name in fields]
        extra = {**(before.model_extra or {}), **(after.model_extra or {})}
        pairs += [(name, (before.model_extra or {}).get(name), (after.model_extra or {}).get(name)) for name in extra]
        return [(name, *path) for name, a, b in pairs for path in _differences(a, b)]
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [*before, *[k for k in after if k not in before]]
        return [(str(k), *path) for k in keys for path in _differences(before.get(k), after.get(k))]
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)) and len(before) == len(after):
        return [(i, *path) for i, (a, b) in enumerate(zip(before, after, strict=True)) for path in _differences(a, b)]
    return [] if before == after else [()]


def _horizon_problem(scenario: Scenario) -> str | None:
    """Why the horizon cannot be simulated, or None: it must end after the start, within reach."""
    horizon = scenario.horizon
    if not isinstance(horizon, dt.date) and horizon < 1:
        return f"the horizon must be at least 1d after the start, got {format_duration(horizon)}"
    try:
        end = scenario.end_date
    except OverflowError:
        written = horizon.isoformat() if isinstance(horizon, dt.date) else format_duration(horizon)
        return f"the horizon {written} after {scenario.start} is beyond the year 9999"
    if end <= scenario.start:
        return f"the horizon {end} is not after the start {scenario.start}"
    years = (end - scenario.start).days / 365.25
    if years > MAX_HORIZON_YEARS:
        return (
            f"the horizon {end} is {years:.0f} years after the start; partnersim looks at most "
            f"{MAX_HORIZON_YEARS} years ahead"
        )
    return None


def _exit_checks(scenario: Scenario, template: Template, where: Locator) -> list[Problem]:
    """A stage's ``exits``: each one its kind can produce, leading to a state; and no loop without a way out."""
    found = [
        where.problem(path, message)
        for name, params in scenario.stages.items() if params.exits
        for path, message in exit_problems(template, name, params.exits, ("stages", name, "exits"))
    ]
    if found:
        return found
    changed = {name: params.exits for name, params in scenario.stages.items() if params.exits}
    if not changed:
        return []
    return [where.problem(path, message) for path, message in reach_problems(template, changed)]


def _cross_checks(scenario: Scenario, where: Locator) -> list[Problem]:
    """Checks that need validated values: the horizon, and dates against it."""
    problems: list[Problem] = []
    horizon = _horizon_problem(scenario)
    if horizon is not None:
        return [where.problem(("horizon",), horizon)]
    problems += _written_back(scenario, where)
    for index, candidate in enumerate(scenario.candidates):
        earliest = candidate.request.earliest()
        if earliest > scenario.end_date:
            problems.append(
                where.problem(("candidates", index, "request"), f"the request date {earliest} is after the "
                              f"horizon ({scenario.end_date}), so nothing could be simulated")
            )
    problems += _rule_checks(scenario, where)
    return problems


def _rule_checks(scenario: Scenario, where: Locator) -> list[Problem]:
    """The calendar, blocs, spillover and partnership blocks against the process and the roster."""
    problems: list[Problem] = []
    template = scenario.template
    decisions = [name for name, stage in scenario.stages.items() if stage.kind in DECISION_KINDS]
    consensus = [name for name, stage in scenario.stages.items() if KINDS[stage.kind].holds]
    life = scenario.partnership is not None and scenario.partnership.renewal is not None
    renewal = ["renewal"] if life else []
    known = not isinstance(scenario.alliance, str) or scenario.alliance in ROSTERS
    roster = roster_of(scenario) if known else {}  # an unknown alliance is reported on its own

    def stage_names(names: Iterable[str], path: KeyPath, allowed: list[str], what: str) -> None:
        for name in names:
            if name == "renewal" and not life:
                at = (*path, name) if path[-1] == "wait" else path
                problems.append(where.problem(at, "'renewal' applies only with a partnership block that renews "
                                              "(partnership.renewal)"))
            elif name not in allowed:
                choices = ", ".join(allowed) if allowed else "none in this scenario"
                problems.append(where.problem((*path, name) if path[-1] == "wait" else path,
                                              f"{name!r} is not {what}{suggest(name, allowed)}; "
                                              f"expected one of: {choices}"))

    calendar = scenario.calendar
    if calendar.council is not None:
        council = calendar.council
        if council.stages is not None:
            stage_names(council.stages, ("calendar", "council", "stages"), decisions + renewal, "a decision stage")
        for index, (first, last) in enumerate(council.holidays):
            if last < first:
                problems.append(where.problem(("calendar", "council", "holidays", index),
                                              f"the holiday ends ({last}) before it begins ({first})"))
    stage_names(calendar.summits.wait, ("calendar", "summits", "wait"), decisions + renewal, "a decision stage")
    for index, election in enumerate(calendar.elections):
        path: KeyPath = ("calendar", "elections", index)
        if known:
            problems += _listed_allies([election.ally], (*path, "ally"), roster, where, indexed=False)
        if isinstance(election.hold, dict):
            for name in election.hold:
                if name == "renewal" and not life:
                    problems.append(where.problem((*path, "hold", name), "'renewal' applies only with a "
                                                  "partnership block that renews (partnership.renewal)"))
                elif name not in consensus + renewal:
                    problems.append(where.problem((*path, "hold", name),
                                                  f"{name!r} is not a stage where an ally can hold{suggest(name, consensus + renewal)}; "
                                                  f"expected one of: {', '.join(consensus + renewal)}"))
    seen: dict[str, int] = {}
    for index, bloc in enumerate(scenario.blocs):
        path = ("blocs", index, "allies")
        if known:
            problems += _listed_allies(bloc.allies, path, roster, where)
        for code in bloc.allies:
            if code in seen:
                where_first = "this bloc" if seen[code] == index else f"blocs.{seen[code]}"
                problems.append(where.problem(path, f"ally {code} is already in {where_first}; "
                                              "an ally belongs to one bloc at most"))
            seen.setdefault(code, index)
    if scenario.spillover is not None:
        frozen = scenario.spillover.stages
        if frozen is None and not template.approval_stages:
            problems.append(where.problem(("spillover", "stages"), f"the {template.name} process has no approval "
                                          f"stage to freeze by default; name the stages, from: {', '.join(decisions)}"))
        stage_names(frozen or [], ("spillover", "stages"), decisions, "a decision stage")
    if scenario.partnership is not None:
        if not template.life:
            problems.append(where.problem(("partnership",), f"the {template.name} process ends in "
                                          f"{template.success_words}, which has no partnership life to simulate"))
        areas = scenario.partnership.areas
        if len(set(areas.catalogue)) != len(areas.catalogue):
            problems.append(where.problem(("partnership", "areas", "catalogue"), "an area is listed twice"))
        if areas.initial > len(areas.catalogue):
            problems.append(where.problem(("partnership", "areas", "initial"), f"{areas.initial} initial areas, "
                                          f"but the catalogue has {len(areas.catalogue)}"))
        if scenario.partnership.renewal is not None:
            codes = [code for code in scenario.partnership.renewal.allies.overrides]
            if known:
                problems += _ally_codes(codes, ("partnership", "renewal", "allies"), roster, where)
    return problems


def _listed_allies(
    codes: list[str], path: KeyPath, roster: Mapping[str, str], where: Locator, *, indexed: bool = True
) -> list[Problem]:
    """Unknown ally codes given as values (a list or one key), each named by its own path."""
    problems = []
    for index, code in enumerate(codes):
        at = (*path, index) if indexed else path
        for problem in _ally_codes([code], at, roster, where):
            problems.append(where.problem(at, problem.message))
    return problems


def _ally_codes(
    codes: Iterable[str], path: KeyPath, roster: Mapping[str, str], where: Locator
) -> list[Problem]:
    problems = []
    by_name = {name.lower(): code for code, name in roster.items()}
    by_name.update({"turkey": "TUR", "uk": "GBR", "usa": "USA", "us": "USA"})
    for code in codes:
        if code in roster:
            continue
        if difflib.get_close_matches(code.lower(), ["default"], n=1, cutoff=0.7):
            problems.append(where.problem((*path, code), f"unknown key {code!r} (did you mean 'default'?)"))
            continue
        named = by_name.get(code.lower())
        hint = f" (did you mean {named!r}?)" if named in roster else suggest(code, roster)
        problems.append(
            where.problem((*path, code), f"unknown ally {code!r}{hint}; allies are named by ISO 3166 "
                          "alpha-3 code from the alliance roster")
        )
    return problems


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
    from partnersim.scenario.checks import scenario_warnings

    scenario, origins = _load(Path(path), overrides)
    where = Locator(origins, next(iter(origins.values()), (shown_path(Path(path)), 0))[0])
    found = [where.problem(finding.path, f"warning: {finding.message}") for finding in scenario_warnings(scenario)]
    return scenario, _unique(found)
