"""``--set key.path=value``: a quick what-if without editing a file.

The value is read as YAML, so ``0.5``, ``2026-06-01``, ``3w`` and
``{gamma: {mean: 1mo, cv: 0.5}}`` all mean what they mean in a file.
Candidates are addressed by code (``candidates.BRA.request=2026-06-01``) or
by position. The changed document is then validated like any file, and a
problem in an override names the override.
"""

from __future__ import annotations

from typing import Any

import yaml

from partnersim.errors import Problem, ScenarioError

SOURCE = "--set"


def parse(text: str) -> tuple[tuple[str, ...], Any]:
    """``("allies", "TUR", "hold", "probability"), 0.5`` from ``allies.TUR.hold.probability=0.5``."""
    key, sep, raw = text.partition("=")
    path = tuple(part.strip() for part in key.strip().split("."))
    if not sep or not key.strip() or any(not part for part in path):
        raise ScenarioError(
            [Problem(SOURCE, None, key.strip(), f"expected key.path=value, got {text!r}")]
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or "not valid YAML"
        raise ScenarioError([Problem(SOURCE, None, key.strip(), f"cannot read the value {raw!r}: {reason}")]) from None
    return path, value


def apply(
    document: dict[str, Any], overrides: list[str] | tuple[str, ...]
) -> tuple[dict[str, Any], dict[tuple[Any, ...], str], list[Problem]]:
    """The document with every override that applies, the text behind each changed path, and the rest as problems."""
    changed: dict[tuple[Any, ...], str] = {}
    problems: list[Problem] = []
    for text in overrides:
        try:
            path, value = parse(text)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        try:
            real_path = _set(document, path, value)
        except ValueError as exc:
            problems.append(Problem(SOURCE, None, ".".join(path), str(exc)))
            continue
        changed[real_path] = text
    return document, changed, problems


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> tuple[Any, ...]:
    node: Any = document
    real: list[Any] = []
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, list):
            index = _index(node, part)
            real.append(index)
            if last:
                node[index] = value
            else:
                node = node[index]
            continue
        if not isinstance(node, dict):
            raise ValueError(f"{'.'.join(path[:depth])} is not a mapping, so it has no key {part!r}")
        real.append(part)
        if last:
            node[part] = value
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = {}
            node = node[part]
    return tuple(real)


def _index(items: list[Any], part: str) -> int:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("code") == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    codes = [str(item.get("code")) for item in items if isinstance(item, dict) and "code" in item]
    raise ValueError(f"no candidate {part!r}; the scenario has {', '.join(codes) or 'none'}")
