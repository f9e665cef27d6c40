"""How a scenario's settings are named: in a table (a label) and in a sentence (a phrase).

Each stage kind names its own settings (:attr:`partnersim.kinds.Kind.labels`
and ``phrases``); the candidates' settings are named here. A briefing's
assumption tables and a sensitivity analysis read the same names, so a
setting is called the same thing wherever it appears.
"""

from __future__ import annotations

from partnersim.kinds import KINDS

# Key path within a stage, an ally entry or a candidate → its label.
KEY_LABELS: dict[str, str] = {
    **{key: text for kind in KINDS.values() for key, text in kind.labels.items()},
    "request": "request date",
    "stage": "stage on the start date",
    "withdrawal": "withdrawal",
    "withdrawal.annual_rate": "withdrawal rate per year",
    "code": "code",
    "kind": "run as",
}

# Key path → how a sentence says it; {owner} is whose ("Türkiye's", "the allies'"), {stage} the stage's label.
KEY_PHRASES: dict[str, str] = {key: text for kind in KINDS.values() for key, text in kind.phrases.items()}


def key_label(key: str) -> str:
    """The label of the setting at ``key`` (``hold.probability``), or the key in words."""
    return KEY_LABELS.get(key, key.replace("_", " "))
