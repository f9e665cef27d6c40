"""Shared fixtures: small scenarios built in code."""

from __future__ import annotations

from typing import Any

import pytest

from partnersim.scenario import Scenario, scenario_from_dict


def scenario(**overrides: Any) -> Scenario:
    """A small valid scenario; keyword arguments replace top-level keys."""
    document: dict[str, Any] = {
        "name": "test",
        "start": "2025-01-01",
        "horizon": "6y",
        "replications": 1000,
        "seed": 7,
        "candidates": [{"code": "ARG", "name": "Argentina", "request": "2025-01-01"}],
    }
    document.update(overrides)
    return scenario_from_dict(document)


@pytest.fixture
def make_scenario() -> Any:
    return scenario
