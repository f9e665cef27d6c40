"""Domain checks: scenarios that are valid but almost certainly not what the analyst meant.

A warning never stops a run. Each one is a computation on the validated
:class:`Scenario` — the allies' parameters resolved as the engine resolves
them, the shortest possible path through the stages, the share of a request
distribution after the horizon — or a comparison with a bound taken from the
historical record, each bound a named constant below with its source.

:func:`scenario_warnings` returns ``(key path, message)`` pairs; the loader
(:func:`partnersim.scenario.loader.load_checked`) turns them into located
one-line problems whose message starts with ``warning:``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from partnersim.engine.consensus import _resolve
from partnersim.scenario.distributions import DurationDist
from partnersim.scenario.loader import roster_of
from partnersim.scenario.schema import (
    AllyOverride,
    AllyParams,
    ConsensusStage,
    Scenario,
    TalksStage,
    TaskStage,
)
from partnersim.scenario.templates import REQUESTED, TEMPLATES, Template
from partnersim.scenario.yamlio import KeyPath

DAYS_PER_YEAR = 365.25

# --- bounds from the historical record ------------------------------------------------------

# Of the 13 single-ally holds on record (2008–2024, the Finland and Sweden
# invitation and ratification holds counted one by one), 10 ended in consent;
# not lifted: Hungary on the NATO-Ukraine Commission (worked around in 2023),
# France on a NATO office in Tokyo (2023), Türkiye on Cyprus (ongoing).
HOLDS_ON_RECORD = 13
HOLDS_LIFTED = 10
LIKELY_VETO = 0.5  # an ally that vetoes at least this share of the cases it decides
STAGE_VETO = 0.9  # a stage that at least this share of the cases does not get past

# The longest recorded single-ally block: Greece on (North) Macedonia's
# invitation, from the Bucharest summit (2008-04-02/04) to the Brussels summit
# (2018-07-11), about 10.3 years.
LONGEST_BLOCK_DAYS = 10.3 * DAYS_PER_YEAR

# The slowest consent without a hold in the record: Slovakia ratified Finland's
# and Sweden's accession protocols 84 days after they were signed (2022-07-05 →
# 2022-09-27, a vote delayed by a government reshuffle). A deliberation whose
# median is three times that is far outside what any ally has shown.
SLOWEST_CONSENT_DAYS = 84.0
DELIBERATION_MARGIN = 3.0

# The slowest recorded path to a partnership programme: Colombia, about 4 years
# from its security-of-information agreement (2013-06-25) to its first IPCP
# (2017-05). One round of talks, or the drafting of a programme, taking longer
# than that on average is outside the record.
SLOWEST_PATH_DAYS = 4 * DAYS_PER_YEAR

# No withdrawn partnership request is recorded; Colombia's, filed about 2007,
# stayed open until its first programme in 2017. A candidate that drops its
# request at more than this rate a year (39% within a year) is not in the record.
MAX_WITHDRAWAL_RATE = 0.5


class Finding(NamedTuple):
    """One warning: the key path it is about, and what is suspicious, in one sentence."""

    path: KeyPath
    message: str


def scenario_warnings(scenario: Scenario) -> list[Finding]:
    """Every warning about ``scenario``, in the order of the file's sections."""
    template = TEMPLATES[scenario.process]
    stages = _analyse(scenario, template)
    found = list(_decisions(scenario, template, stages))
    found += _horizon(scenario, template, stages)
    found += _requests(scenario)
    found += _record(scenario, template)
    return found


# --- the stages, analysed once ------------------------------------------------------------


@dataclass
class _Stage:
    name: str
    index: int
    least: float = 0.0  # the fewest days a case can spend in the stage and go on
    dead: bool = False  # no case that enters it ever goes on
    reached: bool = False  # some candidate can enter it
    vetoes: dict[str, float] = field(default_factory=dict)  # consensus: ally code → P(veto)
    params: list[AllyParams] = field(default_factory=list)  # consensus: each ally as the engine resolves it


def _analyse(scenario: Scenario, template: Template) -> list[_Stage]:
    codes = list(roster_of(scenario))
    stages = []
    for index, spec in enumerate(template.stages):
        params = scenario.stages[spec.name]
        stage = _Stage(spec.name, index)
        if isinstance(params, ConsensusStage):
            stage.params = _resolve(scenario.allies, params, codes)
            stage.vetoes = {
                code: p.hold.probability * (1 - p.hold.lifted) for code, p in zip(codes, stage.params, strict=True)
            }
            stage.dead = any(v >= 1.0 for v in stage.vetoes.values())
            stage.least = max(
                (_least(p.deliberation) + (_least(p.hold.duration) if p.hold.probability >= 1.0 else 0.0)
                 for p in stage.params),
                default=0.0,
            )
        elif isinstance(params, TalksStage):
            stage.dead = params.agreement <= 0.0
            stage.least = _least(params.round)
        elif isinstance(params, TaskStage):
            stage.least = _least(params.duration)
        stages.append(stage)
    for start in {_entry(candidate.stage, template) for candidate in scenario.candidates}:
        for stage in stages[start:]:
            stage.reached = True
            if stage.dead:
                break
    return stages


def _entry(stage: str | None, template: Template) -> int:
    return 0 if stage is None or stage == REQUESTED else template.stage_names.index(stage)


def _least(dist: DurationDist) -> float:
    """The lower end of a distribution's support: its quantile at 0."""
    with np.errstate(invalid="ignore"):
        low = float(dist.ppf(np.array([0.0]))[0])
    if not math.isfinite(low):  # a lognormal with no spread: 0 × −∞ at u = 0
        low = float(dist.ppf(np.array([1e-12]))[0])
    return max(low, 0.0)


# --- 1 and 2: decisions nearly always vetoed, stages that cannot be passed --------------------


def _decisions(scenario: Scenario, template: Template, stages: list[_Stage]) -> Iterator[Finding]:
    roster = roster_of(scenario)
    # an ally (or a default) that vetoes most cases, with the stages where it does, said once
    likely: dict[tuple[KeyPath, str, float, str], list[str]] = {}
    for stage in stages:
        if not stage.reached:
            continue
        params = scenario.stages[stage.name]
        after = _beyond(stage, stages, template)
        if isinstance(params, TalksStage) and stage.dead:
            if params.max_rounds is not None:
                rounds = f"{params.max_rounds} round{'s' if params.max_rounds != 1 else ''}"
                yield Finding(
                    ("stages", stage.name, "agreement"),
                    f"talks at {stage.name} never agree (agreement 0), so every case that reaches them "
                    f"fails after {rounds} and {after}",
                )
            else:
                yield Finding(
                    ("stages", stage.name, "agreement"),
                    f"talks at {stage.name} never agree (agreement 0) and have no max_rounds, so every case "
                    f"that reaches them stays in talks until it withdraws or the horizon, and {after}",
                )
        if not isinstance(params, ConsensusStage):
            continue
        groups: dict[KeyPath, list[str]] = {}
        for code, veto in stage.vetoes.items():
            if veto >= LIKELY_VETO:
                groups.setdefault(_decisive(params, stage.name, code, scenario), []).append(code)
        for path, codes in groups.items():
            hold = stage.params[list(roster).index(codes[0])].hold
            who = _who(path, codes, roster)
            written = f"hold {hold.probability:g}, lifted {hold.lifted:g}"
            if stage.vetoes[codes[0]] >= 1.0:
                yield Finding(
                    path, f"{who} vetoes every case at {stage.name} ({written}), so every case that reaches "
                    f"it is rejected and {after}",
                )
            else:
                likely.setdefault((path, who, stage.vetoes[codes[0]], written), []).append(stage.name)
        # The whole stage: said only when the allies warned about above do not already account for it.
        warned = [v for v in stage.vetoes.values() if v >= LIKELY_VETO]
        if stage.dead or 1 - math.prod(1 - v for v in warned) >= STAGE_VETO:
            continue
        vetoed = 1 - math.prod(1 - v for v in stage.vetoes.values())
        if vetoed >= STAGE_VETO:
            vetoing = {code: v for code, v in stage.vetoes.items() if v > 0}
            low, high = min(vetoing.values()), max(vetoing.values())
            each = _share(low) if low == high else f"{_share(low)}–{_share(high)}"
            paths = {_decisive(params, stage.name, code, scenario) for code in vetoing}
            yield Finding(
                paths.pop() if len(paths) == 1 else ("stages", stage.name),
                f"{_share(min(vetoed, 0.99999))} of the cases at {stage.name} are vetoed by at least one ally "
                f"({len(vetoing)} allies veto {each} each), so {_after_rarely(stage, stages, template)}",
            )
    for (path, who, veto, written), names in likely.items():
        yield Finding(
            path,
            f"{who} vetoes {_share(veto)} of the cases at {_joined(names, 'and')} ({written}); in the "
            f"record, {HOLDS_LIFTED} of the {HOLDS_ON_RECORD} single-ally holds ended in consent",
        )


def _decisive(stage: ConsensusStage, name: str, code: str, scenario: Scenario) -> KeyPath:
    """The ``hold`` that sets an ally's veto chance at a stage: the last layer giving it, as ``_resolve`` layers."""
    layers: list[tuple[KeyPath, AllyOverride | None]] = [
        (("stages", name, "allies", code), stage.allies.overrides.get(code)),
        (("allies", code), scenario.allies.overrides.get(code)),
        (("stages", name, "allies", "default"), stage.allies.default),
    ]
    for path, layer in layers:
        hold = layer.hold if layer is not None else None
        if hold is not None and (hold.probability is not None or hold.lifted is not None):
            return (*path, "hold")
    return ("allies", "default", "hold")


def _who(path: KeyPath, codes: list[str], roster: dict[str, str]) -> str:
    if path[-2] != "default":
        return roster[codes[0]]
    if len(codes) == len(roster):
        return f"each of the {len(roster)} allies"
    others = sorted(set(roster) - set(codes))
    but = f" (all but {', '.join(others)})" if len(others) <= 4 else " without a hold of their own"
    return f"each of {len(codes)} allies{but}"


def _beyond(stage: _Stage, stages: list[_Stage], template: Template) -> str:
    later = [s.name for s in stages[stage.index + 1:]]
    if not later:
        return f"none ends in {template.success_words}"
    return f"never gets to {_joined(later, 'or')}"


def _after_rarely(stage: _Stage, stages: list[_Stage], template: Template) -> str:
    later = [s.name for s in stages[stage.index + 1:]]
    if not later:
        return f"{template.success_words} is almost never reached"
    return f"{_joined(later, 'and')} {'are' if len(later) > 1 else 'is'} almost never reached"


# --- 3: a horizon shorter than the fastest path ---------------------------------------------------


def _horizon(scenario: Scenario, template: Template, stages: list[_Stage]) -> Iterator[Finding]:
    horizon = scenario.horizon_days
    for index, candidate in enumerate(scenario.candidates):
        entry = _entry(candidate.stage, template)
        path = stages[entry:]
        if any(stage.dead for stage in path):
            continue  # already said: it cannot succeed at all
        earliest = candidate.request.earliest()
        opens = max((earliest - scenario.start).days, 0)
        if opens >= horizon:
            continue  # the request check says it: the case never opens
        least = sum(stage.least for stage in path)
        if opens + least < horizon:
            continue
        since = f"its earliest request, {earliest}" if opens > 0 else f"the start, {scenario.start}"
        parts = [f"{stage.name} {_human(stage.least)}" for stage in path if stage.least > 0]
        yield Finding(
            ("candidates", index),
            f"{candidate.label} cannot reach {template.success_words} by the horizon ({scenario.end_date}): "
            f"from {since}, the shortest possible stages ({', '.join(parts)}) take {_human(least)} and end on "
            f"{_date(scenario, opens + least)} at the soonest",
        )


# --- 4: requests after the horizon ------------------------------------------------------------------

_GRID = (np.arange(200_000) + 0.5) / 200_000  # quantiles at which a request date is read


def _requests(scenario: Scenario) -> Iterator[Finding]:
    horizon = scenario.horizon_days
    for index, candidate in enumerate(scenario.candidates):
        if candidate.request.latest() < scenario.end_date:
            continue
        # The engine opens a case on its request day; one on or after the horizon ends pending.
        late = float(np.mean(candidate.request.in_days(scenario.start).ppf(_GRID) >= horizon))
        if late <= 0.0:
            continue
        how = "always" if late >= 1.0 else f"in {_share(late)} of the draws"
        yield Finding(
            ("candidates", index, "request"),
            f"{candidate.label}'s request falls on or after the horizon ({scenario.end_date}) {how}; "
            "a replication with a request that late ends pending before the candidate asks",
        )


# --- 5: parameters far outside the record --------------------------------------------------------


def _record(scenario: Scenario, template: Template) -> Iterator[Finding]:
    layers: list[tuple[KeyPath, AllyParams | AllyOverride]] = [(("allies", "default"), scenario.allies.default)]
    layers += [(("allies", code), entry) for code, entry in scenario.allies.overrides.items()]
    for spec in template.stages:
        params = scenario.stages[spec.name]
        if isinstance(params, ConsensusStage):
            layers.append((("stages", spec.name, "allies", "default"), params.allies.default))
            layers += [(("stages", spec.name, "allies", code), entry)
                       for code, entry in params.allies.overrides.items()]
    limit = DELIBERATION_MARGIN * SLOWEST_CONSENT_DAYS
    for path, layer in layers:
        if layer.deliberation is not None:
            median = _median(layer.deliberation)
            if median > limit:
                yield Finding(
                    (*path, "deliberation"),
                    f"a median deliberation of {_human(median)} is more than {DELIBERATION_MARGIN:g} times the "
                    f"slowest consent without a hold on record (Slovakia, {SLOWEST_CONSENT_DAYS:g} days to "
                    "ratify Finland's and Sweden's accession in 2022)",
                )
        duration = layer.hold.duration if layer.hold is not None else None
        if duration is not None:
            median = _median(duration)
            if median > LONGEST_BLOCK_DAYS:
                yield Finding(
                    (*path, "hold", "duration"),
                    f"a median hold of {_human(median)} is longer than the longest single-ally block on "
                    "record (Greece on North Macedonia's invitation, 2008–2018, about 10.3 years)",
                )
    slowest = "the slowest recorded path to a partnership programme (Colombia, about 4 years from its 2013 " \
        "security agreement to its first IPCP in 2017)"
    for spec in template.stages:
        params = scenario.stages[spec.name]
        if isinstance(params, TalksStage) and _mean(params.round) > SLOWEST_PATH_DAYS:
            yield Finding(
                ("stages", spec.name, "round"),
                f"one round of talks takes {_human(_mean(params.round))} on average, longer than {slowest}",
            )
        if isinstance(params, TaskStage) and _mean(params.duration) > SLOWEST_PATH_DAYS:
            yield Finding(
                ("stages", spec.name, "duration"),
                f"{spec.name} takes {_human(_mean(params.duration))} on average, longer than {slowest}",
            )
    for index, candidate in enumerate(scenario.candidates):
        rate = candidate.withdrawal.annual_rate
        if rate > MAX_WITHDRAWAL_RATE:
            yield Finding(
                ("candidates", index, "withdrawal", "annual_rate"),
                f"{candidate.label}'s withdrawal rate of {rate:g} a year drops its request within a year in "
                f"{_share(1 - math.exp(-rate))} of the cases; no withdrawn partnership request is on record (Colombia's, filed about 2007, "
                "stayed open until its first programme in 2017)",
            )


# --- wording ----------------------------------------------------------------------------------------


def _median(dist: DurationDist) -> float:
    with np.errstate(over="ignore"):
        return float(dist.ppf(np.array([0.5]))[0])


def _mean(dist: DurationDist) -> float:
    try:
        return dist.mean()
    except OverflowError:  # a lognormal with a huge spread
        return math.inf


def _share(value: float) -> str:
    """``90%``; ``0.4%`` or ``99.6%`` near the ends, where whole percents would mislead."""
    decimals = 1 if 0 < value < 0.01 or 0.99 < value < 1 else 0
    text = f"{value * 100:.{decimals}f}"
    if 0 < value < 1 and text in ("0.0", "100.0"):
        return "under 0.1%" if value < 0.5 else "over 99.9%"
    return f"{text}%"


def _human(days: float) -> str:
    """A duration as a reader says it: ``0.5 days``, ``12 days``, ``4.5 months``, ``10.3 years``."""
    if not math.isfinite(days) or days > 1e6 * DAYS_PER_YEAR:
        return "over a million years"
    if days < 10:
        amount, unit, digits = days, "day", 1
    elif days < 60:
        amount, unit, digits = days, "day", 0
    elif days < 2 * DAYS_PER_YEAR:
        amount, unit, digits = days / (DAYS_PER_YEAR / 12), "month", 1
    else:
        amount, unit, digits = days / DAYS_PER_YEAR, "year", 1
    text = f"{amount:.{digits}f}".removesuffix(".0")
    return f"{text} {unit}{'' if text == '1' else 's'}"


def _date(scenario: Scenario, day: float) -> dt.date:
    try:
        return scenario.date_of(day)
    except OverflowError:
        return dt.date.max


def _joined(words: list[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


__all__ = ["Finding", "scenario_warnings"]
