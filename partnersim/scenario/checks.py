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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from partnersim.kinds import KINDS, Context
from partnersim.kinds.base import least_of
from partnersim.kinds.consensus import AllyOverride, AllyParams, ConsensusStage, layer_allies
from partnersim.kinds.silence import SilenceStage
from partnersim.kinds.talks import ROUND_CAP, TalksStage
from partnersim.kinds.task import TaskStage
from partnersim.process.definition import RENEWAL, REQUESTED, Template
from partnersim.scenario.calendar import Calendar
from partnersim.scenario.schema import Scenario
from partnersim.scenario.uncertainty import FEW_DRAWS
from partnersim.scenario.yamlio import KeyPath
from partnersim.streams import keys_of
from partnersim.text import duration_words, join_words, percent
from partnersim.values.distributions import DurationDist
from partnersim.values.durations import DAYS_PER_YEAR

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

# The record below is NATO's: it checks the scenarios of the built-in NATO
# processes, not an EU accession or a process a user writes.
NATO_PROCESSES = frozenset({"global-partner", "membership-accession"})

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


# Partnership programmes on record: an IPCP is a two-year programme (NATO's
# partnership pages; Australia's was "freshened up every two years"); ITPPs run
# about four (Japan, Korea and Australia 2023–2026, Austria 2021–2024). A
# renewal far outside that, under half a year or over five years, is not a
# programme cycle NATO has used.
SHORTEST_RENEWAL_DAYS = DAYS_PER_YEAR / 2
LONGEST_RENEWAL_DAYS = 5 * DAYS_PER_YEAR

# NATO has suspended one of its nine global partnerships: Afghanistan's, after
# 2021-08-20. A partnership suspended at more than this rate a year (39% within
# a year) is far outside that record.
MAX_SUSPENSION_RATE = 0.5

# Partnership decisions on record (partnersim/data/partnership_decisions.csv; docs/calibration.md,
# "Partnership decisions"): 39 decided ones (10 on a partner, 29 approvals of a programme), no veto, 4
# held. At 95% (Jeffreys) a veto per decision is at most 6.2% and a hold at most 23%; settings that put
# a stage's chance above these bounds, rounded up for the record's gaps, claim more than it allows.
PARTNERSHIP_DECISIONS, PARTNERSHIP_HELD = 39, 4
PARTNERSHIP_VETO = 0.10
PARTNERSHIP_HOLD = 0.25
PARTNERSHIP_PROCESSES = frozenset({"global-partner"})

# A request date after the horizon in fewer than one draw in a hundred is not worth a warning.
RESTART_NOTED = 90  # days: a request this long before the start, with no stage given, is noted
LATE_REQUESTS = 0.01


class Finding(NamedTuple):
    """One warning: the key path it is about, and what is suspicious, in one sentence."""

    path: KeyPath
    message: str


def scenario_warnings(scenario: Scenario) -> list[Finding]:
    """Every warning about ``scenario``, in the order of the file's sections."""
    template = scenario.template
    calendar = Calendar(scenario)
    stages = _analyse(scenario, template, calendar)
    renewal = _renewal(scenario, template, stages)
    found = list(_decisions(scenario, template, stages, renewal))
    found += _calendar(scenario, template, calendar, stages, renewal)
    found += _horizon(scenario, template, stages)
    found += _requests(scenario)
    found += _restarts(scenario)
    found += _life(scenario)
    found += _round_cap(scenario)
    found += _draws(scenario)
    if isinstance(scenario.process, str) and scenario.process in NATO_PROCESSES:
        found += _record(scenario, template)
    if isinstance(scenario.process, str) and scenario.process in PARTNERSHIP_PROCESSES:
        found += _partnership_record(scenario, template, stages)
    return found


# --- the stages, analysed once ------------------------------------------------------------


@dataclass
class _Decision:
    """A consensus of the allies: a consensus stage, or the renewal of a partnership."""

    name: str  # the stage name, or "renewal"
    prefix: KeyPath  # where its own allies: block is
    params: ConsensusStage
    allies: list[AllyParams]  # each ally as the engine resolves it
    vetoes: dict[str, float]  # ally code → P(the ally vetoes)

    @property
    def where(self) -> str:
        return "each renewal" if self.name == RENEWAL else self.name


@dataclass
class _Stage:
    name: str
    index: int
    least: float = 0.0  # the fewest days a case can spend in the stage and go on
    dead: bool = False  # no case that enters it ever goes on
    reached: bool = False  # some candidate can enter it
    decision: _Decision | None = None  # a consensus stage


def _analyse(scenario: Scenario, template: Template, calendar: Calendar) -> list[_Stage]:
    codes = list(scenario.roster)
    context = Context(codes, keys_of(codes), allies=scenario.allies, elections=scenario.calendar.elections,
                      blocs=scenario.blocs, start=scenario.start)
    stages = []
    for index, spec in enumerate(template.stages):
        params = scenario.stages[spec.name]
        stage = _Stage(spec.name, index)
        kind = KINDS[params.kind]  # each kind knows its own least time and when no case can pass it
        stage.least = kind.least(params, context)
        stage.dead = kind.dead(params, context)
        if isinstance(params, ConsensusStage):
            stage.decision = _decision(scenario, spec.name, ("stages", spec.name), params)
        # A decision that can take effect only at a meeting or a summit that never comes.
        stage.dead |= spec.name in calendar.council and _no_meeting(calendar)
        stage.dead |= calendar.wait.get(spec.name, 0.0) >= 1.0 and _no_summit(calendar)
        stages.append(stage)
    for start in {_entry(candidate.stage, template) for candidate in scenario.candidates}:
        for stage in stages[start:]:
            stage.reached = True
            if stage.dead:
                break
    return stages


def _decision(scenario: Scenario, name: str, prefix: KeyPath, params: ConsensusStage) -> _Decision:
    codes = list(scenario.roster)
    allies = layer_allies(scenario.allies, params, codes)
    vetoes = {code: p.veto for code, p in zip(codes, allies, strict=True)}
    return _Decision(name, prefix, params, allies, vetoes)


def _renewal(scenario: Scenario, template: Template, stages: list[_Stage]) -> _Decision | None:
    """The renewal consensus of a partnership, when some case can reach the partnership at all."""
    life = scenario.partnership
    if not template.life or life is None or life.renewal is None:
        return None
    succeeds = {_entry(c.stage, template) for c in scenario.candidates}
    if all(any(stage.dead for stage in stages[start:]) for start in succeeds):
        return None
    return _decision(scenario, RENEWAL, ("partnership", "renewal"), ConsensusStage(allies=life.renewal.allies))


def _entry(stage: str | None, template: Template) -> int:
    return 0 if stage is None or stage == REQUESTED else template.stage_names.index(stage)


def _no_meeting(calendar: Calendar) -> bool:
    return bool(calendar.council) and not math.isfinite(float(calendar.next_meeting(np.array([0.0]))[0]))


def _no_summit(calendar: Calendar) -> bool:
    return not np.any((calendar.summits >= 0) & (calendar.summits < calendar.horizon))


# --- 1 and 2: decisions nearly always vetoed, stages that cannot be passed --------------------


def _decisions(
    scenario: Scenario, template: Template, stages: list[_Stage], renewal: _Decision | None
) -> Iterator[Finding]:
    # An ally (or a default) that vetoes most cases, with the decisions where it does: said once.
    likely: dict[tuple[KeyPath, str, float, str], list[str]] = {}
    for stage in stages:
        if not stage.reached:
            continue
        params = scenario.stages[stage.name]
        after = _beyond(stage, stages, template)
        if isinstance(params, TalksStage) and params.agreement <= 0.0:
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
        if isinstance(params, SilenceStage):
            yield from _silence(scenario, stage, params, after, _after_rarely(stage, stages, template))
        if stage.decision is not None:
            yield from _consensus(
                scenario, stage.decision, likely,
                certain=f"so every case that reaches it is rejected and {after}",
                rarely=_after_rarely(stage, stages, template),
            )
    if renewal is not None:
        yield from _consensus(
            scenario, renewal, likely,
            certain="so every partnership lapses at its first renewal",
            rarely="almost every partnership lapses at its first renewal",
        )
    for (path, who, veto, written), names in likely.items():
        yield Finding(path, f"{who} vetoes {_share(veto)} of the cases at {join_words(names)} ({written}); {_RECORD}")
    yield from _elections(scenario, stages, renewal)


_RECORD = f"in the record, {HOLDS_LIFTED} of the {HOLDS_ON_RECORD} single-ally holds ended in consent"


def _consensus(
    scenario: Scenario, decision: _Decision, likely: dict[tuple[KeyPath, str, float, str], list[str]],
    *, certain: str, rarely: str,
) -> Iterator[Finding]:
    roster = scenario.roster
    codes = list(roster)
    groups: dict[KeyPath, list[str]] = {}
    for code, veto in decision.vetoes.items():
        if veto >= LIKELY_VETO:
            groups.setdefault(_decisive(decision, code, scenario), []).append(code)
    for path, members in groups.items():
        hold = decision.allies[codes.index(members[0])].hold
        who = _who(path, members, roster)
        written = f"hold {hold.probability:g}, lifted {hold.lifted:g}"
        if decision.vetoes[members[0]] >= 1.0:
            every = "every renewal" if decision.name == RENEWAL else f"every case at {decision.name}"
            yield Finding(path, f"{who} vetoes {every} ({written}), {certain}")
        else:
            likely.setdefault((path, who, decision.vetoes[members[0]], written), []).append(decision.where)
    # The whole decision: said only when the allies warned about above do not already account for it.
    warned = [v for v in decision.vetoes.values() if v >= LIKELY_VETO]
    if max(decision.vetoes.values(), default=0.0) >= 1.0 or 1 - math.prod(1 - v for v in warned) >= STAGE_VETO:
        return
    vetoed = _vetoed(decision, scenario)
    if vetoed < STAGE_VETO:
        return
    vetoing = {code: v for code, v in decision.vetoes.items() if v > 0}
    low, high = min(vetoing.values()), max(vetoing.values())
    each = _share(low) if low == high else f"{_share(low)}–{_share(high)}"
    paths = {_decisive(decision, code, scenario) for code in vetoing}
    cases = "the renewals" if decision.name == RENEWAL else f"the cases at {decision.name}"
    yield Finding(
        paths.pop() if len(paths) == 1 else decision.prefix,
        f"{_share(min(vetoed, 0.99999))} of {cases} are vetoed by at least one ally ({len(vetoing)} allies "
        f"veto {each} each), so {rarely}",
    )


def _vetoed(decision: _Decision, scenario: Scenario) -> float:
    """P(at least one ally vetoes), with each bloc acting as one with its ``strength``.

    Acting as one, a bloc's members share the uniforms of their hold and of its
    lifting: ally *i* vetoes when the hold uniform is below its hold probability
    hᵢ and the lifting one at or above its ``lifted`` lᵢ, so the bloc vetoes on
    the union of the rectangles [0, hᵢ) × [lᵢ, 1) of the unit square.
    """
    codes = list(scenario.roster)
    passed, in_blocs = 1.0, set()
    for bloc in scenario.blocs:
        members = [code for code in bloc.allies if code in decision.vetoes]
        in_blocs.update(members)
        alone = math.prod(1 - decision.vetoes[code] for code in members)
        rectangles = sorted(
            ((decision.allies[codes.index(c)].hold.probability, decision.allies[codes.index(c)].hold.lifted)
             for c in members),
            reverse=True,
        )
        union, lowest = 0.0, 1.0
        for k, (h, lifted) in enumerate(rectangles):
            lowest = min(lowest, lifted)
            union += (h - (rectangles[k + 1][0] if k + 1 < len(rectangles) else 0.0)) * (1 - lowest)
        passed *= bloc.strength * (1 - union) + (1 - bloc.strength) * alone
    passed *= math.prod(1 - v for code, v in decision.vetoes.items() if code not in in_blocs)
    return 1 - passed


def vetoed(scenario: Scenario, allies: Sequence[AllyParams], members: Iterable[str]) -> float:
    """The chance that at least one of ``members`` vetoes, ``allies`` being every ally's parameters at a decision
    (in roster order): as the warnings compute it, each bloc acting as one with its ``strength``."""
    codes = list(scenario.roster)
    chances = {code: allies[codes.index(code)].veto for code in members}
    return _vetoed(_Decision("", (), ConsensusStage(), list(allies), chances), scenario)


def _decisive(decision: _Decision, code: str, scenario: Scenario) -> KeyPath:
    """The ``hold`` that sets an ally's veto chance: the last layer giving it, as ``layer_allies`` layers."""
    own = decision.params.allies
    layers: list[tuple[KeyPath, AllyOverride | None]] = [
        ((*decision.prefix, "allies", code), own.overrides.get(code)),
        (("allies", code), scenario.allies.overrides.get(code)),
        ((*decision.prefix, "allies", "default"), own.default),
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


def _silence(scenario: Scenario, stage: _Stage, params: SilenceStage, after: str, rarely: str) -> Iterator[Finding]:
    """A silence procedure that always, or nearly always, ends with the proposal dropped."""
    roster = scenario.roster
    breaks = {code: params.allies.breaks(code) for code in roster}
    always = [code for code, b in breaks.items() if b >= 1.0]
    if always:
        own = params.allies.overrides
        code = always[0]
        setter = code if code in own and own[code].breaks is not None else "default"
        who = roster[code] if setter == code else _who(("default", "breaks"), always, roster)
        if params.max_breaks is not None:
            times = f"{params.max_breaks} broken silence{'s' if params.max_breaks != 1 else ''}"
            then = f"so every case that reaches it is dropped after {times} and {after}"
        else:
            then = (
                "and there is no max_breaks, so the proposal is renegotiated without end: every case that "
                f"reaches it stays there until it withdraws or the horizon, and {after}"
            )
        yield Finding(
            ("stages", stage.name, "allies", setter, "breaks"),
            f"{who} breaks silence every time at {stage.name} (breaks 1), {then}",
        )
        return
    if params.max_breaks is None:
        return
    broken = 1 - math.prod(1 - b for b in breaks.values())
    dropped = broken**params.max_breaks
    if dropped >= STAGE_VETO:
        yield Finding(
            ("stages", stage.name, "max_breaks"),
            f"{_share(dropped)} of the cases at {stage.name} are dropped: silence is broken at "
            f"{_share(broken)} of the attempts, and {params.max_breaks} broken in a row drop the proposal, "
            f"so {rarely}",
        )


def _elections(scenario: Scenario, stages: list[_Stage], renewal: _Decision | None) -> Iterator[Finding]:
    """An election after which an ally vetoes most of the cases it decides."""
    roster = scenario.roster
    codes = list(roster)
    decisions = {s.name: s.decision for s in stages if s.reached and s.decision is not None}
    if renewal is not None:
        decisions[RENEWAL] = renewal
    for index, election in enumerate(scenario.calendar.elections):
        if election.date >= scenario.end_date or election.ally not in roster:
            continue  # after the horizon: said by the calendar checks
        # One hold for every decision, or one per decision named under it.
        held: dict[tuple[str, ...], float] = (
            {(name,): p for name, p in election.hold.items()} if isinstance(election.hold, dict)
            else {(): election.hold}
        )
        for suffix, p in held.items():
            found: dict[tuple[float, str], list[str]] = {}
            for name in suffix or tuple(decisions):
                decision = decisions.get(name)
                if decision is None:
                    continue
                lifted = decision.allies[codes.index(election.ally)].hold.lifted
                if p * (1 - lifted) >= LIKELY_VETO:
                    found.setdefault((p * (1 - lifted), f"hold {p:g}, lifted {lifted:g}"), []).append(decision.where)
            for (veto, written), wheres in found.items():
                yield Finding(
                    ("calendar", "elections", index, "hold", *suffix),
                    f"after its election on {election.date}, {roster[election.ally]} vetoes {_share(veto)} of the "
                    f"cases at {join_words(wheres)} ({written}); {_RECORD}",
                )


def _beyond(stage: _Stage, stages: list[_Stage], template: Template) -> str:
    later = [s.name for s in stages[stage.index + 1:]]
    if not later:
        return f"none ends in {template.success_words}"
    return f"never gets to {join_words(later, 'or')}"


def _after_rarely(stage: _Stage, stages: list[_Stage], template: Template) -> str:
    later = [s.name for s in stages[stage.index + 1:]]
    if not later:
        return f"{template.success_words} is almost never reached"
    return f"{join_words(later)} {'are' if len(later) > 1 else 'is'} almost never reached"


# --- the calendar: meetings, summits and elections that cannot matter ---------------------------


def _calendar(
    scenario: Scenario, template: Template, calendar: Calendar, stages: list[_Stage], renewal: _Decision | None
) -> Iterator[Finding]:
    start, end = scenario.start, scenario.end_date
    reached = [s.name for s in stages if s.reached] + ([RENEWAL] if renewal is not None else [])
    council = [name for name in reached if name in calendar.council]
    if council and _no_meeting(calendar):
        weekday = scenario.calendar.council.weekday if scenario.calendar.council is not None else ""
        yield Finding(
            ("calendar", "council"),
            f"no Council meeting falls between the start ({start}) and the horizon ({end}): every "
            f"{weekday.capitalize()} is a holiday, so no decision at {join_words(council, 'or')} ever takes effect "
            "and every case that reaches one waits there until the horizon",
        )
    if _no_summit(calendar):
        for name, p in calendar.wait.items():
            if name in reached:
                yield Finding(
                    ("calendar", "summits", "wait", name),
                    f"{'every decision' if p >= 1 else f'{_share(p)} of the decisions'} at {name} "
                    f"wait{'s' if p >= 1 else ''} for a summit, but no summit falls between the start ({start}) "
                    f"and the horizon ({end}), so {'it never takes' if p >= 1 else 'those never take'} effect; "
                    "list the coming summits under calendar.summits.dates",
                )
    for index, day in enumerate(scenario.calendar.summits.dates):
        if day < start or day >= end:
            side = f"before the start ({start})" if day < start else f"on or after the horizon ({end})"
            yield Finding(
                ("calendar", "summits", "dates", index),
                f"the summit on {day} is {side}, so no decision of this run can wait for it",
            )
    roster = scenario.roster
    for index, election in enumerate(scenario.calendar.elections):
        if election.date >= end:
            name = roster.get(election.ally, election.ally)
            yield Finding(
                ("calendar", "elections", index, "date"),
                f"{name}'s election on {election.date} is on or after the horizon ({end}), so it changes no "
                "decision of this run",
            )


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
        parts = [f"{stage.name} {duration_words(stage.least)}" for stage in path if stage.least > 0]
        yield Finding(
            ("candidates", index),
            f"{candidate.label} cannot reach {template.success_words} by the horizon ({scenario.end_date}): "
            f"from {since}, the shortest possible stages ({', '.join(parts)}) take {duration_words(least)} and end on "
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
        if late < LATE_REQUESTS:  # a range that ends on the horizon's day has a draw or two there
            continue
        how = "always" if late >= 1.0 else f"in {_share(late)} of the draws"
        yield Finding(
            ("candidates", index, "request"),
            f"{candidate.label}'s request falls on or after the horizon ({scenario.end_date}) {how}; "
            "a replication with a request that late ends pending before the candidate asks",
        )


def _restarts(scenario: Scenario) -> Iterator[Finding]:
    """A candidate that asked well before the start but says nothing of where its case stands: it is simulated
    from the start date as if it had just asked, which is rarely what a dated request means."""
    for index, candidate in enumerate(scenario.candidates):
        latest = candidate.request.latest()
        if candidate.stage is not None or (scenario.start - latest).days < RESTART_NOTED:
            continue
        yield Finding(
            ("candidates", index, "request"),
            f"{candidate.label} asked by {latest}, {duration_words((scenario.start - latest).days)} before the "
            f"start, but its case gives no stage: it is simulated from {scenario.start} as if it had just asked; "
            "give its stage and since to resume it where it stands on the start date",
        )


def _draws(scenario: Scenario) -> Iterator[Finding]:
    """Uncertain settings drawn too few times to tell their part of the spread from the process's."""
    block = scenario.uncertainty
    if block is None:
        return
    each = block.each(scenario.replications)
    draws = scenario.replications // each
    if draws >= FEW_DRAWS:
        return
    taken = f"; the run takes {each:,} a draw" if each != block.per_draw else ""
    yield Finding(
        ("uncertainty", "per_draw"),
        f"{scenario.replications:,} replications at {block.per_draw:,} a draw make {draws} draw"
        f"{'s' if draws != 1 else ''} of the uncertain settings{taken}; with fewer than {FEW_DRAWS} the split of the "
        "spread between them and the process is too rough to read (more replications, or fewer a draw)",
    )


def _round_cap(scenario: Scenario) -> Iterator[Finding]:
    """Talks without a round limit are drawn for at most ROUND_CAP rounds; say so where that can matter."""
    for name, params in scenario.stages.items():
        if not isinstance(params, TalksStage) or params.max_rounds is not None or params.agreement <= 0.0:
            continue
        beyond = (1.0 - params.agreement) ** ROUND_CAP
        if beyond < 1e-4 or ROUND_CAP * least_of(params.round) >= scenario.horizon_days:
            continue  # no case needs that many rounds, or they could not end before the horizon
        yield Finding(
            ("stages", name, "agreement"),
            f"talks at {name} have no round limit and are drawn for at most {ROUND_CAP:,} rounds; a case that "
            f"needs more ({_share(beyond)} of cases, at agreement {params.agreement:g} a round) stays in talks "
            "until it withdraws or the horizon; set max_rounds to say when talks fail",
        )


# --- the life of a partnership ------------------------------------------------------------------


def _life(scenario: Scenario) -> Iterator[Finding]:
    life = scenario.partnership
    if life is None:
        return
    if life.renewal is not None:
        every = life.renewal.every
        if every < SHORTEST_RENEWAL_DAYS or every > LONGEST_RENEWAL_DAYS:
            how = "more often" if every < SHORTEST_RENEWAL_DAYS else "less often"
            yield Finding(
                ("partnership", "renewal", "every"),
                f"a renewal every {duration_words(every)} is far {how} than any programme on record: an IPCP runs two "
                "years, an ITPP about four (Japan, Korea and Australia 2023–2026, Austria 2021–2024)",
            )
    rate = life.suspension.annual_rate
    if rate > MAX_SUSPENSION_RATE:
        yield Finding(
            ("partnership", "suspension", "annual_rate"),
            f"a suspension rate of {rate:g} a year suspends {_share(1 - math.exp(-rate))} of the partnerships "
            "within a year; NATO has suspended one of its nine global partnerships (Afghanistan's, in 2021)",
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
                    f"a median deliberation of {duration_words(median)} is more than {DELIBERATION_MARGIN:g} times the "
                    f"slowest consent without a hold on record (Slovakia, {SLOWEST_CONSENT_DAYS:g} days to "
                    "ratify Finland's and Sweden's accession in 2022)",
                )
        duration = layer.hold.duration if layer.hold is not None else None
        if duration is not None:
            median = _median(duration)
            if median > LONGEST_BLOCK_DAYS:
                yield Finding(
                    (*path, "hold", "duration"),
                    f"a median hold of {duration_words(median)} is longer than the longest single-ally block on "
                    "record (Greece on North Macedonia's invitation, 2008–2018, about 10.3 years)",
                )
    slowest = "the slowest recorded path to a partnership programme (Colombia, about 4 years from its 2013 " \
        "security agreement to its first IPCP in 2017)"
    for spec in template.stages:
        params = scenario.stages[spec.name]
        if isinstance(params, TalksStage) and _mean(params.round) > SLOWEST_PATH_DAYS:
            yield Finding(
                ("stages", spec.name, "round"),
                f"one round of talks takes {duration_words(_mean(params.round))} on average, longer than {slowest}",
            )
        if isinstance(params, TaskStage) and _mean(params.duration) > SLOWEST_PATH_DAYS:
            yield Finding(
                ("stages", spec.name, "duration"),
                f"{spec.name} takes {duration_words(_mean(params.duration))} on average, longer than {slowest}",
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


def _partnership_record(scenario: Scenario, template: Template, stages: list[_Stage]) -> Iterator[Finding]:
    """A Council decision on a partnership that the allies without settings of their own (those a default
    covers) make far more often held or vetoed than the record. An ally a scenario names is a judgement
    about that ally, which the briefing shows; a default is what every other ally is taken to do."""
    for spec, stage in zip(template.stages, stages, strict=True):
        decision = stage.decision
        if decision is None or not spec.council or not stage.reached:
            continue
        if max(decision.vetoes.values(), default=0.0) >= LIKELY_VETO or _vetoed(decision, scenario) >= STAGE_VETO:
            continue  # warned about already, more pointedly (an ally that vetoes most cases; a stage barely passed)
        codes = list(scenario.roster)
        by_default: dict[KeyPath, list[int]] = {}
        for index, code in enumerate(codes):
            path = _decisive(decision, code, scenario)
            if path[-2] == "default":
                by_default.setdefault(path, []).append(index)
        for path, members in by_default.items():
            covered = _Decision(decision.name, decision.prefix, decision.params, decision.allies,
                                {codes[i]: decision.vetoes[codes[i]] for i in members})
            vetoed = _vetoed(covered, scenario)  # a bloc acting as one vetoes as one
            held = 1 - math.prod(1 - decision.allies[i].hold.probability for i in members)
            if vetoed <= PARTNERSHIP_VETO and held <= PARTNERSHIP_HOLD:
                continue
            what = (f"a veto in {_share(vetoed)} of the cases and a hold in {_share(held)}" if vetoed > PARTNERSHIP_VETO
                    else f"a hold by at least one of them in {_share(held)} of the cases")
            hold = decision.allies[members[0]].hold
            yield Finding(
                path,
                f"at {spec.name}, the {len(members)} allies this default covers (hold {hold.probability:g}, lifted "
                f"{hold.lifted:g}) alone give {what}; of the {PARTNERSHIP_DECISIONS} partnership decisions on record "
                f"none was vetoed and {PARTNERSHIP_HELD} were held (at 95%, at most 6% vetoed and 23% held a decision; "
                "docs/calibration.md, \"Partnership decisions\")",
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
    """``90%``; ``7.5%``, ``0.4%`` or ``99.6%`` under 10% and near 100% (:func:`partnersim.text.percent`),
    with "under" and "over" in words, as a sentence says them."""
    text = percent(value, fine_below=0.1).replace("<", "under ").replace(">", "over ")
    return text.replace(".0%", "%") if value < 0.99 else text


def _date(scenario: Scenario, day: float) -> dt.date:
    try:
        return scenario.date_of(day)
    except OverflowError:
        return dt.date.max


__all__ = ["Finding", "scenario_warnings", "vetoed"]
