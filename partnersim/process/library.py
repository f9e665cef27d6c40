"""The built-in processes, read from the YAML files shipped in ``partnersim/process/builtin/``.

Each file is a process as a user would write one (see
:mod:`partnersim.process.definition`); the tests check that every one is valid,
so they are read here without the located messages a user's file gets.
"""

from __future__ import annotations

from importlib import resources

import yaml

from partnersim.process.definition import Template


def _builtin() -> dict[str, Template]:
    folder = resources.files("partnersim.process") / "builtin"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            template = Template.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8")))
            found[template.name] = template
    # The interview's process first: it is every scenario's default.
    return {"global-partner": found.pop("global-partner"), **found}


TEMPLATES: dict[str, Template] = _builtin()
GLOBAL_PARTNER = TEMPLATES["global-partner"]
MEMBERSHIP_ACCESSION = TEMPLATES["membership-accession"]
