"""The process as Mermaid ``stateDiagram-v2`` text, for READMEs, wikis and issue threads.

Plain text built from :func:`partnersim.process.machine.transition_table`:
every state and every transition of the machine appears (with a
partnership's renewal, suspension and lapse after cooperation), each
labelled with its trigger. No matplotlib here, so it is cheap to import.
"""

from __future__ import annotations

import re

from partnersim.charts.labels import resolve_template, state_label
from partnersim.process.definition import LAPSED, PROSPECTIVE, SUSPENDED, Template
from partnersim.process.machine import life_states, outcome_states, state_names, transition_table

# Fill colours of the outcome boxes, as in the charts (Okabe–Ito, lightened).
_CLASSES = {
    "success": "fill:#009E73,color:#ffffff,stroke:#00785A",
    "rejected": "fill:#F7E0CF,stroke:#D55E00",
    "withdrawn": "fill:#FCEFCC,stroke:#E69F00",
    "talks_failed": "fill:#F7E4EE,stroke:#CC79A7",
    "pending": "fill:#F2F2F2,stroke:#BBBBBB",
    "suspended": "fill:#EDEDED,stroke:#000000",
    "lapsed": "fill:#DCEEFB,stroke:#56B4E9",
}


def mermaid(template: Template | str) -> str:
    """A ``stateDiagram-v2`` of ``template``: states with their human names, transitions with triggers."""
    template = resolve_template(template)
    lines = ["stateDiagram-v2", "    direction LR"]
    for state in state_names(template) + life_states(template):
        lines.append(f'    state "{_quote(state_label(template, state))}" as {_id(state)}')
    lines.append(f"    [*] --> {_id(PROSPECTIVE)}")
    for row in transition_table(template):
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source in sources:
            lines.append(f"    {_id(source)} --> {_id(row['dest'])}: {row['trigger']}")
    ends = outcome_states(template) + [s for s in life_states(template) if s in (SUSPENDED, LAPSED)]
    for state in ends:
        lines.append(f"    {_id(state)} --> [*]")
    for name, css in _CLASSES.items():
        lines.append(f"    classDef {name}_outcome {css}")
    for state in ends:
        name = "success" if state == template.success else state
        if name in _CLASSES:
            lines.append(f"    class {_id(state)} {name}_outcome")
    return "\n".join(lines) + "\n"


def _id(state: str) -> str:
    """A Mermaid identifier: letters, digits and underscores only."""
    ident = re.sub(r"\W", "_", state)
    return ident if ident != "end" else "end_state"  # "end" is a Mermaid keyword


def _quote(text: str) -> str:
    return text.replace('"', "'")


__all__ = ["mermaid"]
