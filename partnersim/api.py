"""Conveniences of the public API that take paths or scenarios alike."""

from __future__ import annotations

from pathlib import Path

from partnersim.scenario.schema import Scenario
from partnersim.whatif.compare import Comparison, Input, load_input
from partnersim.whatif.compare import compare as _compare


def compare(
    base: str | Path | Scenario,
    *variants: str | Path | Scenario,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
) -> Comparison:
    """Run ``base`` and each variant on the same seed and pair their outcomes.

    Each argument is a scenario file, a run folder, or a loaded Scenario.

    >>> change = compare("scenarios/latam.yaml", "scenarios/latam-turkey-hold.yaml", replications=2000)  # doctest: +SKIP
    >>> arg = change.variants[0].candidate("ARG")  # doctest: +SKIP
    >>> arg.success.diff, arg.success.low, arg.success.high  # doctest: +SKIP
    """
    return _compare(_input(base), [_input(v) for v in variants], replications=replications, seed=seed, jobs=jobs)


def _input(item: str | Path | Scenario) -> Input:
    if isinstance(item, Scenario):
        return Input(item, Path(f"{item.name}.yaml"), item.name)
    return load_input(item)
