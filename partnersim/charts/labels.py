"""Human names of states, outcomes and triggers, for charts and diagrams.

Plain text only (no matplotlib), so :mod:`partnersim.charts.mermaid` can use
it too. Names come from the template (``StageSpec.label``,
``success_label``) and :data:`OUTCOME_LABELS`; nothing here is invented
twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim.kinds import KINDS
from partnersim.process.definition import (
    LAPSED,
    OUTCOME_LABELS,
    PROSPECTIVE,
    RENEWAL,
    REQUESTED,
    SHORT_OUTCOME_LABELS,
    SUSPENDED,
    StageSpec,
    Template,
)
from partnersim.process.library import TEMPLATES

if TYPE_CHECKING:
    from partnersim.results.summary import Results

STATE_LABELS = {
    PROSPECTIVE: "Not yet requested",
    REQUESTED: "Requested",
    RENEWAL: "Renewal",
    SUSPENDED: "Suspended",
    LAPSED: "Lapsed",
}

# What sets each trigger off, in the words of a briefing.
TRIGGER_LABELS = {
    "request": "request",
    "advance": "stage done",
    "veto": "{a} {one} vetoes",
    "fail_talks": "round limit reached",
    "withdraw": "candidate withdraws",
    "censor": "horizon reached",
    "renew": "programme due",
    "renewed": "all agree",
    "lapse": "{a} {one} refuses",
    "suspend": "{many} suspend it",
}


def template_of(results: Results) -> Template | None:
    """The process a run used."""
    return results.scenario.template


def first_decision(results: Results) -> StageSpec | None:
    """The first stage at which the allies decide, as the run ran it: the one whose last ally is counted."""
    template = results.scenario.template
    return next((spec for spec in template.stages if KINDS[results.scenario.stages[spec.name].kind].decision),
                None)


def resolve_template(template: Template | str) -> Template:
    if isinstance(template, Template):
        return template
    from partnersim.errors import PartnersimError

    try:
        return TEMPLATES[template]
    except KeyError:
        known = ", ".join(sorted(TEMPLATES))
        raise PartnersimError(f'unknown process template {template!r}; known: {known}.') from None


def success_label(results: Results) -> str:
    template = template_of(results)
    if template is not None and template.success == results.success:
        return template.success_label
    return results.success.replace("_", " ").capitalize()


def outcome_label(results: Results, outcome: str, short: bool = False) -> str:
    if outcome == results.success:
        return success_label(results)
    table = SHORT_OUTCOME_LABELS if short else OUTCOME_LABELS
    return table.get(outcome, outcome.replace("_", " ").capitalize())


def state_label(template: Template, state: str) -> str:
    """The name a reader sees for any state of ``template``."""
    if state in STATE_LABELS:
        return STATE_LABELS[state]
    if state == template.success:
        return template.success_label
    if state in OUTCOME_LABELS:
        return OUTCOME_LABELS[state]
    try:
        return template.stage(state).label
    except KeyError:
        return state.replace("_", " ").capitalize()
