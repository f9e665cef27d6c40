"""What differs between two scenarios, as key paths of the resolved files.

Both scenarios are compared as loaded: ``extends:`` merged and every default
filled in, so a key that a what-if states but that leaves the value as it was
is not a difference, and a default changed by a stage's own entry is. Each
difference is one line an analyst can check against the files::

    stages.consensus.allies.TUR.hold.probability: 0.1 (from allies.TUR) → 1 (at Allied consensus only)

A value a file does not set is shown as the value that applies instead, with
where it comes from, following the order in which an ally's settings are
layered: the stage's entry for the ally, the ally's own entry, the stage's
``default``, then ``allies.default``. Distributions are compared whole, as
the loader replaces them whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partnersim.safetext import line
from partnersim.scenario.keys import flatten
from partnersim.scenario.schema import Scenario
from partnersim.values.distributions import DATE_KINDS, DURATION_KINDS

# Titles and run settings are not assumptions about the process.
NOT_COMPARED = ("name", "description", "question", "replications", "seed")
_KINDS = set(DURATION_KINDS) | set(DATE_KINDS)
LONG_LIST = 6


@dataclass(frozen=True)
class Difference:
    """One key path whose value differs between the base and a variant."""

    path: str
    before: str
    after: str
    note: str = ""

    def __str__(self) -> str:
        # One line, whatever a name in either file holds: differences.txt has one difference a line.
        return line(f"{self.path}: {self.before} → {self.after}" + (f" ({self.note})" if self.note else ""))


def show(value: Any) -> str:
    """A value as a scenario file would write it (flow style), long lists shortened."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        if len(value) > LONG_LIST:
            head = ", ".join(show(item) for item in value[:3])
            return f"[{head}, …, {show(value[-1])}] ({len(value)} values)"
        return "[" + ", ".join(show(item) for item in value) + "]"
    return str(value)


def diff_scenarios(base: Scenario, variant: Scenario) -> list[Difference]:
    """The key paths whose values differ, in the order of the files."""
    before, after = flatten(base), flatten(variant)
    stages = _stage_labels(base)
    differences = []
    paths = list(before) + [p for p in after if p not in before]
    shared = _codes(before) & _codes(after)
    # A stage run as another kind has other settings: list the kind, then the variant's own settings.
    rekinded = {name for name, params in variant.stages.items()
                if name in base.stages and params.kind != base.stages[name].kind}
    for path in paths:
        parts = path.split(".")
        if parts[0] in NOT_COMPARED or parts[0] == "candidates" and parts[1] not in shared:
            continue  # candidates in one file only are listed whole below
        old, new = before.get(path), after.get(path)
        if len(parts) > 2 and parts[0] == "stages" and parts[1] in rekinded and parts[2] != "kind":
            if new is not None:
                kind = base.stages[parts[1]].kind
                differences.append(Difference(path, f"not part of a {kind} stage", show(new)))
            continue
        if old == new:
            continue
        note = _reach(after if new is not None else before, path, stages)
        if len(parts) == 3 and parts[0] == "stages" and parts[2] == "kind":
            note = "the stage's settings are replaced, not merged"
        differences.append(Difference(path, _side(before, path, old), _side(after, path, new), note))
    differences += _candidates_added_or_removed(before, after)
    return differences


def _codes(leaves: dict[str, Any]) -> set[str]:
    return {p.split(".")[1] for p in leaves if p.startswith("candidates.") and p.count(".") >= 2}


def _candidates_added_or_removed(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    found = []
    for code in sorted(_codes(after) - _codes(before)):
        found.append(Difference(f"candidates.{code}", "not in the base", _candidate(after, code)))
    for code in sorted(_codes(before) - _codes(after)):
        found.append(Difference(f"candidates.{code}", _candidate(before, code), "not in the variant"))
    return found


def _candidate(leaves: dict[str, Any], code: str) -> str:
    name = leaves.get(f"candidates.{code}.name") or code
    return f"{name}, request {show(leaves.get(f'candidates.{code}.request'))}"


def _side(leaves: dict[str, Any], path: str, value: Any) -> str:
    if value is not None:
        return show(value)
    found = taken_from(leaves, path)
    return f"{show(found[1])} (from {found[0]})" if found is not None else "not set"


def setting_value(leaves: dict[str, Any], path: str) -> Any:
    """The value the setting at ``path`` takes (see :func:`taken_from`), None where nothing is set."""
    found = taken_from(leaves, path)
    return None if found is None else found[1]


def taken_from(leaves: dict[str, Any], path: str) -> tuple[str, Any] | None:
    """Where the value at ``path`` is set, and that value: the path itself, or for an ally's setting that is not
    set the layer it takes its value from (the ally's own entry, the stage's default, the allies' default);
    None where nothing is set. ``leaves`` is a scenario's :func:`flatten`."""
    for source in _sources(path):
        if leaves.get(source) is not None:
            return source, leaves[source]
    return None


def _sources(path: str) -> list[str]:
    """Where the value at an ally path comes from when it is not set, most specific first."""
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "allies":
        code, field = parts[1], ".".join(parts[2:])
        return [path] if code == "default" else [path, f"allies.default.{field}"]
    if len(parts) >= 5 and parts[0] == "stages" and parts[2] == "allies":
        stage, code, field = parts[1], parts[3], ".".join(parts[4:])
        own = [f"stages.{stage}.allies.{code}.{field}", f"allies.{code}.{field}"] if code != "default" else []
        return [path, *own[1:], f"stages.{stage}.allies.default.{field}", f"allies.default.{field}"]
    return [path]


def _stage_labels(scenario: Scenario) -> dict[str, str]:
    template = scenario.template
    labels = {spec.name: spec.label for spec in template.stages} if template else {}
    return {name: labels.get(name, name) for name, params in scenario.stages.items()
            if getattr(params, "kind", None) == "consensus"}


def _reach(leaves: dict[str, Any], path: str, stages: dict[str, str]) -> str:
    """Which consensus stages an ally setting reaches, when that is not all of them."""
    parts = path.split(".")
    if len(parts) >= 5 and parts[0] == "stages" and parts[2] == "allies" and parts[1] in stages:
        return f"at {stages[parts[1]]} only" if len(stages) > 1 else ""
    if len(parts) >= 3 and parts[0] == "allies":
        code, field = parts[1], ".".join(parts[2:])
        reached = [label for stage, label in stages.items()
                   if f"stages.{stage}.allies.{code}.{field}" not in leaves]
        if len(reached) == len(stages):
            return ""
        if not reached:
            return "no stage uses it: each sets its own"
        return f"at {' and '.join(reached)} only; the other stages set their own"
    return ""
