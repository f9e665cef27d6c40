"""What really happened in a history scenario: the ``# observed:`` comment block.

A history scenario is an ordinary scenario file that also states its real
milestone dates, in a block of YAML comments that the scenario loader
ignores and :func:`read_observed` reads::

    # observed:
    #   candidate: FIN
    #   fitted_on: [sweden_days]
    #   milestones:
    #     - {label: Invited, state: accession_talks, date: 2022-06-29, source: NATOPA}
    #     - {label: Member, state: member, date: 2023-04-04, source: "https://…"}

Each milestone names the state of the process that was entered on that date
(``state``; leave it out for a date shown only for reference), its date (a
day, or ``YYYY-MM`` / ``YYYY`` when the record knows no better) and its
source. ``fitted_on`` names the columns of the shipped ratification table the
file's ally delays were fitted on, so a back-test can say whether it is
circular.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from partnersim.data import EventDate
from partnersim.errors import Problem, ScenarioError
from partnersim.process.machine import state_names
from partnersim.scenario.schema import Scenario

MARKER = "# observed:"


@dataclass(frozen=True)
class Milestone:
    label: str
    date: EventDate
    state: str | None  # the state entered on that date; None: shown for reference only
    source: str


@dataclass(frozen=True)
class Observed:
    candidate: str
    milestones: tuple[Milestone, ...]
    fitted_on: tuple[str, ...]  # columns of the shipped ratification table; empty: not stated
    note: str

    @property
    def modelled(self) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones if m.state is not None)


def observed_text(path: Path) -> tuple[str, int]:
    """The YAML of the ``# observed:`` block (comment marks removed) and the line it starts on."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.strip() == MARKER:
            body = ["observed:"]
            for following in lines[index + 1 :]:
                if not following.startswith("#  "):
                    break
                body.append(following[1:])
            return "\n".join(body) + "\n", index + 1
    raise ScenarioError([Problem(str(path), None, "", f"no '{MARKER}' block: a history scenario states "
                                 "its real dates in one (see docs/calibration.md)")])


def read_observed(path: Path, scenario: Scenario) -> Observed:
    """The observed block of ``path``, checked against its ``scenario``."""
    text, line = observed_text(path)
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(str(path), line, f"observed.{key}" if key else "observed", message))

    try:
        document = yaml.safe_load(text)["observed"]
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(str(path), line, "observed", f"YAML syntax: {exc}")]) from None
    if not isinstance(document, dict):
        raise ScenarioError([Problem(str(path), line, "observed", "expected keys candidate and milestones")])
    candidate = str(document.get("candidate", ""))
    codes = [c.code for c in scenario.candidates]
    if candidate not in codes:
        problem("candidate", f"expected one of the scenario's candidates ({', '.join(codes)}), got {candidate!r}")
    states = set(state_names(scenario.template))
    milestones = []
    raw = document.get("milestones")
    if not isinstance(raw, list) or not raw:
        problem("milestones", "expected a list of milestones, each with label, date and source")
        raw = []
    for index, entry in enumerate(raw):
        milestone = _milestone(entry, states, scenario, lambda message, i=index: problem(f"milestones.{i}", message))
        if milestone is not None:
            milestones.append(milestone)
    fitted = document.get("fitted_on", [])
    fitted_on = tuple(str(c) for c in (fitted if isinstance(fitted, list) else [fitted]))
    if problems:
        raise ScenarioError(problems)
    return Observed(candidate, tuple(milestones), fitted_on, str(document.get("note", "")).strip())


def _milestone(entry: Any, states: set[str], scenario: Scenario, problem: Any) -> Milestone | None:
    if not isinstance(entry, dict) or not {"label", "date", "source"} <= set(entry):
        problem("expected a mapping with label, date and source (and state, unless shown for reference)")
        return None
    value = entry["date"]
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        date = EventDate.parse(text)
    except ValueError as exc:
        problem(str(exc))
        return None
    state = entry.get("state")
    if state is not None and state not in states:
        problem(f"unknown state {state!r}; the {scenario.process} process has {', '.join(sorted(states))}")
        return None
    if state is not None and not (scenario.start <= date.first and date.last <= scenario.end_date):
        problem(f"the date {text} must lie between the scenario's start ({scenario.start}) and its "
                f"horizon ({scenario.end_date}), or the simulation cannot place it")
        return None
    return Milestone(str(entry["label"]), date, state, str(entry["source"]))


__all__ = ["MARKER", "Milestone", "Observed", "observed_text", "read_observed"]
