"""The stage kinds: one module each, one line each in the registry.

Everything outside this package that needs to know about a kind asks
``KINDS`` (or :func:`kind`): its parameters, its exits, whether the allies
decide at it, how to compile it, its checks and the names of its settings.
Adding a kind is one module, one line below, and one test file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

from partnersim.kinds import consensus, items, silence, talks, task
from partnersim.kinds.base import Context, Exit, Kind, StageBase

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        consensus.KIND,
        talks.KIND,
        task.KIND,
        silence.KIND,
        items.KIND,
    )
}

# The parameters of a stage: any kind's model (each says its ``kind``), from the registry. To a type
# checker, what they all share.
if TYPE_CHECKING:
    StageParams = StageBase
else:
    StageParams = Union[tuple(k.params for k in KINDS.values())]
STAGE_MODELS = {name: k.params for name, k in KINDS.items()}
DECISION_KINDS = tuple(name for name, k in KINDS.items() if k.decision)
# The settings of any kind that are probabilities, by their last key ("probability", "agreement", …).
PROBABILITY_KEYS = frozenset(key for k in KINDS.values() for key, role in k.roles.items() if role == "probability")
# The keys that hold a duration (a distribution or a fixed length) at some stage kind, and the spillover's freeze.
DURATION_KEYS = frozenset({*(key for k in KINDS.values() for key, role in k.roles.items() if role == "duration"),
                           "freeze"})


def kind(name: str) -> Kind:
    """The kind called ``name``."""
    return KINDS[name]


def is_decision(params: Any) -> bool:
    """Whether the allies decide at a stage with these parameters."""
    return KINDS[params.kind].decision


__all__ = ["DECISION_KINDS", "DURATION_KEYS", "KINDS", "PROBABILITY_KEYS", "STAGE_MODELS", "Context", "Exit", "Kind", "StageParams", "is_decision", "kind"]
