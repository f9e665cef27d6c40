"""The rules a scenario obeys across its keys, each broken rule a key path and a sentence.

The schema checks each value on its own. These rules span the file: ally
codes against the roster, stage names against the process, request dates
against the horizon, exits that lead somewhere. :class:`Scenario` runs them
when it is validated, however it is built (a file, ``--set``,
``with_updates``, the Python API), and a broken rule fails validation with
every broken rule listed. The loader only says where in the files each one is.

Two rules look at the document as written rather than at the validated
model: :func:`document_problems` (so that an unknown ally is reported beside
a value the schema refused) and :func:`number_problems` (``true`` or ``.nan``
where a number belongs, which validation would quietly accept or pass on).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ValidationError

from partnersim.kinds import DECISION_KINDS, KINDS, Context
from partnersim.kinds.base import most_of
from partnersim.kinds.consensus import layer_allies
from partnersim.process.definition import REQUESTED, Template, exit_problems, reach_problems
from partnersim.scenario import messages
from partnersim.scenario.messages import NUMBER_KEYS, suggest
from partnersim.scenario.rosters import ROSTERS
from partnersim.scenario.yamlio import KeyPath
from partnersim.values.distributions import DURATION_KINDS
from partnersim.values.durations import DAYS_PER_UNIT, format_duration

if TYPE_CHECKING:
    from partnersim.scenario.schema import Scenario

Found = tuple[KeyPath, str]

MAX_HORIZON_YEARS = 100
WRITTEN_BACK = "cannot be written to a run folder and read back exactly; use a shorter duration or fewer digits"
# Validation context that skips these rules: for reading back one part of a scenario
# already checked (see _written_back), never for a scenario as a whole.
PARTS_ONLY = "partnersim.parts_only"


def scenario_problems(scenario: Scenario) -> list[Found]:
    """Every rule ``scenario`` breaks, in the order of the file's sections."""
    dumped = scenario.model_dump()  # read by both the document rules and the read-back check
    found = document_problems(dumped, scenario.template)
    horizon = _horizon_problem(scenario)
    if horizon is not None:
        found.append((("horizon",), horizon))
    else:
        found += _written_back(scenario, dumped)
        for index, candidate in enumerate(scenario.candidates):
            earliest = candidate.request.earliest()
            if earliest > scenario.end_date:
                found.append((("candidates", index, "request"), f"the request date {earliest} is after the "
                              f"horizon ({scenario.end_date}), so nothing could be simulated"))
        found += _stage_rules(scenario)
        found += _uncertainty_rules(scenario)
    return found + _exit_rules(scenario)


# --- the document as written ---------------------------------------------------------------


def document_problems(data: Mapping[str, Any], template: Template) -> list[Found]:
    """Ally codes against the roster, candidates listed twice, candidates' stages against the process.

    These need only the document, so the loader also runs them when the schema refused some value.
    """
    found: list[Found] = []
    alliance = data.get("alliance", "nato-2024")
    if isinstance(alliance, str):
        if alliance not in ROSTERS:
            return [(("alliance",), f"unknown alliance {alliance!r}{suggest(alliance, ROSTERS)}; "
                     f"built in: {', '.join(ROSTERS)}, or a list of ally codes")]
        roster = dict(ROSTERS[alliance])
    elif isinstance(alliance, list):
        roster = {}
        for index, entry in enumerate(alliance):
            code = entry.get("code") if isinstance(entry, dict) else entry
            if isinstance(code, str):
                if code in roster:
                    found.append((("alliance", index), f"ally {code} is listed twice"))
                roster[code] = code
    else:
        return found
    allies = data.get("allies")
    if isinstance(allies, dict):
        found += ally_codes([k for k in allies if k != "default"], ("allies",), roster)
    stages = data.get("stages")
    for name, stage in (stages if isinstance(stages, dict) else {}).items():
        stage_allies = stage.get("allies") if isinstance(stage, dict) else None
        if isinstance(stage_allies, dict):
            codes = [code for code in stage_allies if code != "default"]
            found += ally_codes(codes, ("stages", name, "allies"), roster)
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
                found.append(((*path, "code"), f"candidate {code} is listed twice "
                              f"(first as candidates.{seen_codes[code]})"))
            seen_codes.setdefault(code, index)
        stage = candidate.get("stage")
        if isinstance(stage, str) and stage not in allowed_stages:
            found.append(((*path, "stage"), f"unknown stage {stage!r}{suggest(str(stage), allowed_stages)}; "
                          f"expected one of: {', '.join(allowed_stages)}"))
    return found


def number_problems(value: Any, path: KeyPath = ()) -> list[Found]:
    """Numbers the schema would take but should not.

    ``probability: true`` would count as 1; ``mu: .nan``
    or ``cv: .inf`` would make every draw meaningless.
    """
    found: list[Found] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in NUMBER_KEYS and isinstance(item, bool):
                found.append(((*path, key), messages.number_message((key,), item)))
            elif key in NUMBER_KEYS and isinstance(item, float) and not math.isfinite(item):
                found.append(((*path, key), messages.number_message((key,), item, finite=True)))
            else:
                found += number_problems(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += number_problems(item, (*path, index))
    return found


def ally_codes(codes: Iterable[str], path: KeyPath, roster: Mapping[str, str]) -> list[Found]:
    """Unknown ally codes given as keys, each named by its own path."""
    found: list[Found] = []
    by_name = {name.lower(): code for code, name in roster.items()}
    by_name.update({"turkey": "TUR", "uk": "GBR", "usa": "USA", "us": "USA"})
    for code in codes:
        if code in roster:
            continue
        if difflib.get_close_matches(code.lower(), ["default"], n=1, cutoff=0.7):
            found.append(((*path, code), f"unknown key {code!r} (did you mean 'default'?)"))
            continue
        named = by_name.get(code.lower())
        hint = f" (did you mean {named!r}?)" if named in roster else suggest(code, roster)
        found.append(((*path, code), f"unknown ally {code!r}{hint}; allies are named by ISO 3166 "
                      "alpha-3 code from the alliance roster"))
    return found


def _listed_allies(
    codes: list[str], path: KeyPath, roster: Mapping[str, str], *, indexed: bool = True
) -> list[Found]:
    """Unknown ally codes given as values (a list or one key), each named by its own path."""
    found: list[Found] = []
    for index, code in enumerate(codes):
        at = (*path, index) if indexed else path
        found += [(at, message) for _, message in ally_codes([code], at, roster)]
    return found


# --- the validated scenario ------------------------------------------------------------------


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
    years = (end - scenario.start).days / DAYS_PER_UNIT["y"]
    if years > MAX_HORIZON_YEARS:
        return (
            f"the horizon {end} is {years:.0f} years after the start; partnersim looks at most "
            f"{MAX_HORIZON_YEARS} years ahead"
        )
    return None


def _written_back(scenario: Scenario, dumped: dict[str, Any]) -> list[Found]:
    """A scenario is kept in its run folder as YAML; it must read back as itself, or a rerun would differ."""
    parts: list[tuple[KeyPath, BaseModel, Any]] = [((), scenario, {**dumped, "stages": {}})]
    parts += [(("stages", name), stage, dumped["stages"][name]) for name, stage in scenario.stages.items()]
    found: list[Found] = []
    for prefix, original, data in parts:
        try:
            again = type(original).model_validate(data, context={PARTS_ONLY: True})
        except ValidationError as exc:
            found += [((*prefix, *messages.clean_loc(error["loc"], data)), WRITTEN_BACK)
                      for error in exc.errors(include_url=False)]
            continue
        skip = {"stages"} if not prefix else set()
        found += [((*prefix, *path), WRITTEN_BACK) for path in _differences(original, again, skip)]
    return found


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


def _exit_rules(scenario: Scenario) -> list[Found]:
    """A stage's ``exits``: each one its kind can produce, leading to a state; and no loop without a way out."""
    template = scenario.template
    found = [
        (path, message)
        for name, params in scenario.stages.items() if params.exits and name in template.stage_names
        for path, message in exit_problems(template, name, params.exits, ("stages", name, "exits"))
    ]
    if found:
        return found
    changed = {name: params.exits for name, params in scenario.stages.items() if params.exits}
    if not changed:
        return []
    return list(reach_problems(template, changed))


def _stage_rules(scenario: Scenario) -> list[Found]:
    """The stages, calendar, blocs, spillover and partnership blocks against the process and the roster."""
    found: list[Found] = []
    template = scenario.template
    for name in scenario.stages:
        if name not in template.stage_names:
            found.append((("stages", name), f"unknown stage {name!r}{suggest(name, template.stage_names)}; "
                          f"the {template.name} process has {', '.join(template.stage_names)}"))
    for spec in template.stages:
        kind = scenario.stages[spec.name].kind if spec.name in scenario.stages else spec.kind
        allowed = DECISION_KINDS if spec.approval else (spec.kind,)
        if kind not in allowed:
            approvals = ", ".join(template.approval_stages) or "none in this process"
            found.append((("stages", spec.name, "kind"), f"{spec.name} is a {spec.kind} stage; its kind "
                          f"can be {' or '.join(allowed)}, got {kind!r}"
                          + (f" (only a programme approval can run by silence: {approvals})"
                             if kind == "silence" else "")))
    missing = [name for name in template.stage_names if name not in scenario.stages]
    if missing:  # the loader fills every stage; a scenario built by hand may leave some out
        found.append((("stages",), f"no settings for {', '.join(missing)}; build the scenario with "
                      "scenario_from_dict or load_scenario, which fill each stage from its process"))
        return found
    decisions = [name for name, stage in scenario.stages.items() if stage.kind in DECISION_KINDS]
    consensus = [name for name, stage in scenario.stages.items() if KINDS[stage.kind].holds]
    life = scenario.partnership is not None and scenario.partnership.renewal is not None
    renewal = ["renewal"] if life else []
    known = not isinstance(scenario.alliance, str) or scenario.alliance in ROSTERS
    roster = scenario.roster if known else {}  # an unknown alliance is reported on its own

    def stage_names(names: Iterable[str], path: KeyPath, allowed: list[str], what: str) -> None:
        for name in names:
            if name == "renewal" and not life:
                at = (*path, name) if path[-1] == "wait" else path
                found.append((at, "'renewal' applies only with a partnership block that renews "
                              "(partnership.renewal)"))
            elif name not in allowed:
                choices = ", ".join(allowed) if allowed else "none in this scenario"
                found.append(((*path, name) if path[-1] == "wait" else path,
                              f"{name!r} is not {what}{suggest(name, allowed)}; expected one of: {choices}"))

    calendar = scenario.calendar
    if calendar.council is not None:
        council = calendar.council
        if council.stages is not None:
            stage_names(council.stages, ("calendar", "council", "stages"), decisions + renewal, "a decision stage")
        for index, (first, last) in enumerate(council.holidays):
            if last < first:
                found.append((("calendar", "council", "holidays", index),
                              f"the holiday ends ({last}) before it begins ({first})"))
    stage_names(calendar.summits.wait, ("calendar", "summits", "wait"), decisions + renewal, "a decision stage")
    for index, election in enumerate(calendar.elections):
        path: KeyPath = ("calendar", "elections", index)
        if known:
            found += _listed_allies([election.ally], (*path, "ally"), roster, indexed=False)
        if isinstance(election.hold, dict):
            for name in election.hold:
                if name == "renewal" and not life:
                    found.append(((*path, "hold", name), "'renewal' applies only with a "
                                  "partnership block that renews (partnership.renewal)"))
                elif name not in consensus + renewal:
                    found.append(((*path, "hold", name), f"{name!r} is not a stage where an ally can hold"
                                  f"{suggest(name, consensus + renewal)}; "
                                  f"expected one of: {', '.join(consensus + renewal)}"))
    seen: dict[str, int] = {}
    for index, bloc in enumerate(scenario.blocs):
        path = ("blocs", index, "allies")
        if known:
            found += _listed_allies(bloc.allies, path, roster)
        for code in bloc.allies:
            if code in seen:
                where_first = "this bloc" if seen[code] == index else f"blocs.{seen[code]}"
                found.append((path, f"ally {code} is already in {where_first}; an ally belongs to one bloc at most"))
            seen.setdefault(code, index)
    if scenario.spillover is not None:
        frozen = scenario.spillover.stages
        if frozen is None and not template.approval_stages:
            found.append((("spillover", "stages"), f"the {template.name} process has no approval stage to "
                          f"freeze by default; name the stages, from: {', '.join(decisions)}"))
        stage_names(frozen or [], ("spillover", "stages"), decisions, "a decision stage")
    if scenario.partnership is not None:
        if not template.life:
            found.append((("partnership",), f"the {template.name} process ends in {template.success_words}, "
                          "which has no partnership life to simulate"))
        areas = scenario.partnership.areas
        if len(set(areas.catalogue)) != len(areas.catalogue):
            found.append((("partnership", "areas", "catalogue"), "an area is listed twice"))
        if areas.initial > len(areas.catalogue):
            found.append((("partnership", "areas", "initial"), f"{areas.initial} initial areas, "
                          f"but the catalogue has {len(areas.catalogue)}"))
        if scenario.partnership.renewal is not None and known:
            codes = list(scenario.partnership.renewal.allies.overrides)
            found += ally_codes(codes, ("partnership", "renewal", "allies"), roster)
    for index, candidate in enumerate(scenario.candidates):
        found += _history_rules(scenario, candidate, ("candidates", index), roster if known else None)
    return found


def _uncertainty_rules(scenario: Scenario) -> list[Found]:
    """Each uncertain setting names a setting that takes a value of its kind, once."""
    block = scenario.uncertainty
    if block is None:
        return []
    from partnersim.scenario.overrides import set_value
    from partnersim.scenario.schema import Scenario

    found: list[Found] = []
    seen: dict[str, int] = {}
    as_written = scenario.model_dump(mode="json")  # as a file holds it: lists, not tuples; durations as text
    for index, setting in enumerate(block.settings):
        path: KeyPath = ("uncertainty", "settings", index, "key")
        if setting.key in seen:
            found.append((path, f"{setting.key} is already uncertain (uncertainty.settings.{seen[setting.key]})"))
            continue
        seen[setting.key] = index
        try:
            law = setting.law()
        except ValueError as exc:
            found.append((("uncertainty", "settings", index, "elicited"), str(exc)))
            continue
        document = {**copy.deepcopy(as_written), "uncertainty": None}
        what = "chance" if law.chance else "duration"
        try:
            real = set_value(document, tuple(setting.key.split(".")), law.value(0.5))
            before = _at(as_written, real)
            if isinstance(before, dict) and len(before) == 1 and next(iter(before)) in DURATION_KINDS:
                before = "a distribution"
            if isinstance(before, str) and law.chance:
                raise ValueError("it is a duration; give its quantiles as durations, such as 3mo")
            if isinstance(before, (int, float)) and not isinstance(before, bool) and not law.chance:
                raise ValueError("it is a number, not a duration; give its quantiles as numbers")
            Scenario.model_validate(document)
        except ValueError as exc:  # a ValidationError is one
            if isinstance(exc, ValidationError):
                errors = exc.errors(include_url=False)
                error = max(errors, key=lambda e: len(e["loc"]))  # the most specific, not the first of a union
                first = "there is no such setting" if error["type"] == "extra_forbidden" else error["msg"]
            else:
                first = str(exc)
            found.append((path, f"{setting.key} cannot take a drawn {what}: {first.removeprefix('Value error, ')}"))
    return found


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    """The value at ``path`` (keys and list positions) in ``document``, or None where there is none."""
    node = document
    for part in path:
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _history_rules(scenario: Scenario, candidate: Any, path: KeyPath, roster: Mapping[str, str] | None) -> list[Found]:
    """Where a candidate's case stands on the start date: a stage, since a date, who consented, who holds."""
    stage, since, start = candidate.stage, candidate.since, scenario.start
    found: list[Found] = []
    if since is None:
        for key in ("consented", "holding"):
            if getattr(candidate, key):
                found.append(((*path, key), f"{key} needs since: the day the case entered its stage"))
        return found
    if stage is None or stage == REQUESTED:
        return [((*path, "since"), "since needs stage: the stage the case is in on the start date")]
    if stage not in scenario.stages:
        return found  # an unknown stage is reported on its own
    if since > start:
        found.append(((*path, "since"), f"{since} is after the start ({start}); a case already in a stage "
                      "entered it by the start date"))
    latest = candidate.request.latest()
    if since < latest:
        found.append(((*path, "since"), f"{since} is before the request ({latest}); the case entered "
                      f"{stage} after asking"))
    params = scenario.stages[stage]
    kind = KINDS[params.kind]
    elapsed = float((start - since).days)
    context = Context(list(roster or {}), np.zeros(len(roster or {}), dtype=np.uint64), allies=scenario.allies)
    most = kind.most(params, context)
    if elapsed >= most:
        found.append(((*path, "since"), f"{stage} takes at most {format_duration(most)}; a case that entered it on "
                      f"{since} would have left it before the start ({start})"))
    if params.timeout is not None and elapsed >= params.timeout:
        found.append(((*path, "since"), f"{stage} ends by its timeout after {format_duration(params.timeout)}; a case "
                      f"that entered it on {since} would have left it before the start ({start})"))
    if not (candidate.consented or candidate.holding):
        return found
    if kind.known is None:
        keys = [key for key in ("consented", "holding") if getattr(candidate, key)]
        return found + [((*path, key), f"{key} applies at a consensus stage; {stage} is a {params.kind} stage")
                        for key in keys]
    if roster is not None:
        for key in ("consented", "holding"):
            found += ally_codes(list(getattr(candidate, key)), (*path, key), roster)
    for code in candidate.consented.keys() & candidate.holding.keys():
        found.append(((*path, "holding", code), f"ally {code} is listed both as consented and as holding"))
    if roster is not None and roster and set(roster) <= candidate.consented.keys():
        found.append(((*path, "consented"), f"every ally has consented, so {stage} is over; give the stage the "
                      "case is in now"))
    for key, dates in (("consented", candidate.consented), ("holding", candidate.holding)):
        what = "consent" if key == "consented" else "hold"
        for code, day in dates.items():
            if day is None:
                continue
            if day < since:
                found.append(((*path, key, code), f"the {what} on {day} is before the case entered {stage} ({since})"))
            elif day > start:
                found.append(((*path, key, code), f"the {what} on {day} is after the start ({start}); give what "
                              "is known on the start date"))
    if roster is None:
        return found
    codes = list(roster)
    params_of = dict(zip(codes, layer_allies(scenario.allies, params, codes), strict=True))  # type: ignore[arg-type]
    for code, day in candidate.holding.items():
        if code not in params_of or not since <= day <= start:
            continue
        so_far = float((start - day).days)
        duration = params_of[code].hold.duration
        if float(duration.sf(np.array([so_far]))[0]) <= 0.0:
            found.append(((*path, "holding", code), f"{code}'s holds at {stage} last at most "
                          f"{format_duration(most_of(duration))}; a hold since {day} would have ended by the start "
                          f"({start})"))
    return found
