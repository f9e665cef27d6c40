"""A scenario as its key paths: every leaf by the path ``--set`` would give it."""

from __future__ import annotations

from typing import Any

from partnersim.scenario.schema import Scenario
from partnersim.values.distributions import DATE_KINDS, DURATION_KINDS

_KINDS = set(DURATION_KINDS) | set(DATE_KINDS)


def flatten(scenario: Scenario) -> dict[str, Any]:
    """Every leaf of the resolved scenario by key path; candidates are addressed by code."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    leaves: dict[str, Any] = {}
    _walk(data, "", leaves)
    return leaves


def _walk(node: Any, path: str, leaves: dict[str, Any]) -> None:
    if isinstance(node, dict) and not _is_distribution(node):
        for key, value in node.items():
            _walk(value, f"{path}.{key}" if path else str(key), leaves)
    elif path == "candidates" and isinstance(node, list):
        for candidate in node:
            _walk(candidate, f"candidates.{candidate.get('code')}", leaves)
    else:
        leaves[path] = node


def _is_distribution(node: dict[str, Any]) -> bool:
    return len(node) == 1 and next(iter(node)) in _KINDS
