"""The process diagram through Graphviz, when its ``dot`` program is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from partnersim import files
from partnersim.charts.labels import STATE_LABELS
from partnersim.process.definition import OUTCOME_LABELS, PROSPECTIVE, RENEWAL, Template
from partnersim.process.machine import life_states, outcome_states, transition_table


def available() -> bool:
    return shutil.which("dot") is not None


def dot_source(template: Template) -> str:
    """The process as Graphviz DOT text, main path left to right, outcomes below."""
    labels = {spec.name: spec.label for spec in template.stages}
    labels.update(OUTCOME_LABELS)
    labels.update(STATE_LABELS)
    labels[template.success] = template.success_label
    lines = [
        "digraph process {",
        '  rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#f2f2f2", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    life = life_states(template)
    terminals = outcome_states(template) + [state for state in life if state != RENEWAL]
    for state in ["requested", *template.stage_names, *terminals, *[s for s in life if s == RENEWAL]]:
        fill = "#cfe8d5" if state == template.success else ("#f6d5c5" if state in terminals else "#f2f2f2")
        lines.append(f'  "{state}" [label="{labels.get(state, state)}", fillcolor="{fill}"];')
    for row in transition_table(template):
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source in sources:
            if source == PROSPECTIVE:
                continue
            label = "" if row["trigger"] == "advance" else row["trigger"].replace("_", " ")
            lines.append(f'  "{source}" -> "{row["dest"]}" [label="{label}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(template: Template, path: Path, image_format: str) -> None:
    with files.atomic(path) as scratch:
        subprocess.run(
            ["dot", f"-T{image_format}", "-o", str(scratch)], input=dot_source(template), text=True, check=True,
        )
