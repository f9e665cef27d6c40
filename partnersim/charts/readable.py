"""Names as a chart or a briefing shows them: one line each, no longer than a scenario allows.

Results read back from a run folder hold whatever its files hold, and anyone
may have edited them: a name with line breaks or terminal escapes, a name of
ten thousand characters, ten thousand candidates. Charts and briefings draw
from :func:`readable`, a copy of the Results in which every name is one line
(:func:`partnersim.safetext.line`) cut to the length the scenario schema
allows, with an ellipsis; a run with more candidates than a scenario may
have is refused in one sentence, as it can only come from an edited folder.
The numbers are not touched.

Plain Python only (no matplotlib), so briefings can use it before drawing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING, TypeVar

from partnersim.errors import RunFolderError
from partnersim.safetext import line
from partnersim.scenario.schema import MAX_CANDIDATES, MAX_LABEL, MAX_PROSE, MAX_SCENARIO_NAME

if TYPE_CHECKING:
    from partnersim.results.rows import AllyCounts, CaseStory, Rows, StageSpan
    from partnersim.results.summary import AllyShare, CandidateResult, Results
    from partnersim.scenario.schema import Scenario

R = TypeVar("R", bound="Results")

# The scenario schema's limits: a scenario cannot hold more, so a run folder that does was edited.
MOST_CANDIDATES = MAX_CANDIDATES
SCENARIO_NAME = MAX_SCENARIO_NAME
NAME = MAX_LABEL  # a candidate's, an ally's, a stage's or an area's name
TEXT = MAX_PROSE  # the question and the description
CHART_NAME = 48  # a name in a chart: long enough for any country's, short enough for a title to hold


def cut(text: object, limit: int) -> str:
    """``text`` as one line of at most ``limit`` characters, ending in ``…`` when cut."""
    shown = line(text)
    if len(shown) <= limit:
        return shown
    return shown[: max(1, limit - 1)].rstrip() + "…"


def check(results: Results) -> None:
    """Refuse results with more candidates than a scenario may have: only an edited run folder holds them."""
    count = len(results.candidates)
    if count > MOST_CANDIDATES:
        raise RunFolderError(
            f"the run holds {count:,} candidates, more than the {MOST_CANDIDATES} a scenario may have, so its "
            "run folder was changed after the run; its charts and briefings are not drawn"
        )


def readable(results: R, names: int = NAME) -> R:
    """``results`` with every name one line of at most ``names`` characters (the scenario's name and
    question have their own limits); see :func:`check` for what is refused."""
    check(results)
    return results.model_copy(update={
        "scenario": _scenario(results.scenario, names), "candidates": [_candidate(c, names) for c in results.candidates],
    })


def readable_rows(rows: Rows, names: int = NAME) -> Rows:
    """What ``replications.csv`` adds, with its names and ally codes fit to be shown."""
    story = dataclasses.replace(rows.story, cases=tuple(_case(case, names) for case in rows.story.cases))
    return dataclasses.replace(rows, story=story, allies=_counts(rows.allies, names))


def _scenario(scenario: Scenario, names: int) -> Scenario:
    update: dict[str, object] = {
        "name": cut(scenario.name, SCENARIO_NAME),
        "question": cut(scenario.question, TEXT),
        "description": cut(scenario.description, TEXT),
        "candidates": [c.model_copy(update={"name": cut(c.name, names)}) for c in scenario.candidates],
    }
    if not isinstance(scenario.alliance, str):
        update["alliance"] = [a.model_copy(update={"name": cut(a.name, names)}) for a in scenario.alliance]
    if scenario.partnership is not None:
        areas = scenario.partnership.areas
        catalogue = [cut(area, names) for area in areas.catalogue]
        update["partnership"] = scenario.partnership.model_copy(
            update={"areas": areas.model_copy(update={"catalogue": catalogue})})
    return scenario.model_copy(update=update)


def _candidate(candidate: CandidateResult, names: int) -> CandidateResult:
    def shares(items: list[AllyShare]) -> list[AllyShare]:
        return [s.model_copy(update={"code": cut(s.code, names), "name": cut(s.name, names)}) for s in items]

    life = candidate.partnership
    return candidate.model_copy(update={
        "name": cut(candidate.name, names),
        "stages": [stage.model_copy(update={"label": cut(stage.label, names)}) for stage in candidate.stages],
        "last_to_consent": shares(candidate.last_to_consent),
        "holding": shares(candidate.holding),
        "vetoing": shares(candidate.vetoing),
        "by_stage": {stage: {kind: shares(items) for kind, items in table.items()}
                     for stage, table in candidate.by_stage.items()},
        "partnership": None if life is None else life.model_copy(
            update={"areas": {cut(name, names): e for name, e in life.areas.items()}}),
    })


def _case(case: CaseStory, names: int) -> CaseStory:
    return dataclasses.replace(case, name=cut(case.name, names),
                               spans=tuple(_span(span, names) for span in case.spans))


def _span(span: StageSpan, names: int) -> StageSpan:
    return dataclasses.replace(
        span, label=cut(span.label, names), held=tuple(cut(code, names) for code in span.held),
        last=cut(span.last, names), veto=cut(span.veto, names),
    )


def _counts(allies: AllyCounts, names: int) -> AllyCounts:
    def clean(counts: dict[str, int]) -> dict[str, int]:
        total: Counter[str] = Counter()
        for code, count in counts.items():
            total[cut(code, names)] += count
        return dict(total)

    return dataclasses.replace(allies, last=clean(allies.last), held=clean(allies.held),
                               vetoed=clean(allies.vetoed))
