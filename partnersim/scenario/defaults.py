"""Defaults a scenario takes from its process: each stage's settings over its template's.

A stage's settings are laid over the defaults its process gives it, key by key
(a distribution replaced whole); a consensus stage that the scenario runs as a
silence procedure starts from that kind's own defaults instead. A partnership's
renewal allies are laid over the renewal defaults in the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from partnersim.errors import Problem
from partnersim.kinds import DECISION_KINDS, STAGE_MODELS
from partnersim.process.definition import Template
from partnersim.scenario import messages
from partnersim.scenario.merge import mergeable
from partnersim.scenario.messages import Locator, suggest
from partnersim.scenario.schema import RENEWAL_ALLY_DEFAULTS


def stage_settings(
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
        merged = deep_merge(spec.defaults, user) if kind == spec.kind else dict(user)
        try:
            stages[spec.name] = model.model_validate(merged)
        except ValidationError as exc:
            problems.extend(messages.problems(exc, ("stages", spec.name), model, merged, where))
    return stages


def renewal_defaults(data: dict[str, Any]) -> None:
    """A partnership's renewal ``allies`` layered over the renewal defaults, as a stage's over its template's."""
    partnership = data.get("partnership")
    if not isinstance(partnership, dict):
        return
    renewal = partnership.get("renewal")
    if isinstance(renewal, dict) and isinstance(renewal.get("allies"), dict):
        data["partnership"] = {**partnership, "renewal": {
            **renewal, "allies": deep_merge(RENEWAL_ALLY_DEFAULTS, renewal["allies"])}}


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in over.items():
        if mergeable(result.get(key), value):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = value
    return result
