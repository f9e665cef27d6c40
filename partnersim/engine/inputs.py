"""Uncertain settings drawn for each group of replications, and the model each draw compiles to.

A scenario's ``uncertainty`` block names settings whose value is itself
uncertain (:mod:`partnersim.scenario.uncertainty`). Replications are taken in
groups of ``per_draw``: group *g* (replications g·per_draw onwards) draws each
setting once, from a uniform keyed by the run's seed, *g* and the key path, so
a what-if with the same block draws the same values; the scenario with those
values is compiled and runs the group's replications, each drawing from its
own keyed streams as always. The totals then tell the spread between groups
(from the inputs) from the spread within them (from the process).

:func:`partnersim.runner.run_task` cuts a run at the groups' edges and runs
each group on its draw's model, so any caller that runs replications through
it (a run, a sweep's points, a sensitivity swing) gets this for a scenario
with the block; a model without it runs as it always did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from partnersim.errors import PartnersimError
from partnersim.scenario.overrides import set_value
from partnersim.streams import Streams, key_of

if TYPE_CHECKING:
    from partnersim.scenario.schema import Scenario

_INPUTS = key_of("uncertain")


@dataclass(frozen=True)
class Inputs:
    """The uncertain settings of a scenario, compiled: their key paths, their laws, replications per draw."""

    keys: tuple[str, ...]
    laws: tuple[Any, ...]  # partnersim.scenario.uncertainty.Law
    per_draw: int

    @classmethod
    def of(cls, scenario: Scenario) -> Inputs | None:
        block = scenario.uncertainty
        if block is None:
            return None
        return cls(tuple(s.key for s in block.settings), tuple(s.law() for s in block.settings),
                   block.each(scenario.replications))

    def group(self, replication: int) -> int:
        return replication // self.per_draw

    def values(self, seed: int, group: int) -> dict[str, float]:
        """Each setting's value for ``group``: a chance, or days."""
        streams = Streams(seed)
        return {
            key: law.value(float(streams.uniforms(np.uint64(group), _INPUTS, key_of(key))))
            for key, law in zip(self.keys, self.laws, strict=True)
        }

    def scenario(self, scenario: Scenario, seed: int, group: int) -> Scenario:
        """``scenario`` with the values drawn for ``group`` in place of the uncertain ones (and no block)."""
        values = self.values(seed, group)
        try:
            return with_values(scenario, values)
        except InvalidValues as exc:
            drawn = ", ".join(f"{key} = {value:g}" for key, value in values.items())
            raise PartnersimError(
                f"uncertainty: the draw {drawn} (replications {group * self.per_draw:,} on) makes the scenario "
                f"invalid: {exc}; narrow the range of the setting it names"
            ) from None


class InvalidValues(ValueError):
    """Values that make a scenario invalid; the message says why (as the schema does)."""


def with_values(scenario: Scenario, values: Mapping[str, Any], document: dict[str, Any] | None = None, *,
                rules: bool = True) -> Scenario:
    """``scenario`` with ``values`` (key path → value, as ``--set`` names them) in place, and no uncertainty
    block; ``document`` is the scenario's own dump, when the caller keeps one for many calls. Without
    ``rules``, the rules across keys are not checked again (a design's points, between ends that were)."""
    from partnersim.scenario import rules as scenario_rules
    from partnersim.scenario.schema import Scenario

    base = document if document is not None else scenario.model_dump(mode="json")
    changed = {**base, "uncertainty": None}
    for key, value in values.items():
        set_value(changed, tuple(key.split(".")), value, own=True)  # what is changed is copied, the rest shared
    try:
        return Scenario.model_validate(changed, context=None if rules else {scenario_rules.PARTS_ONLY: True})
    except ValidationError as exc:
        error = max(exc.errors(include_url=False), key=lambda e: len(e["loc"]))
        raise InvalidValues(error["msg"].removeprefix("Value error, ")) from None

