"""The scenario schema, declared once as frozen pydantic models.

Every key has a default here except ``start`` and ``candidates``. The models
check single values and their own fields; checks that span the file (ally
codes against the roster, stage names against the template, request dates
against the horizon) live in :mod:`partnersim.scenario.loader`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from partnersim.errors import ScenarioError
from partnersim.kinds import STAGE_MODELS, StageParams
from partnersim.kinds.consensus import (
    Allies,
    StageAllies,
)
from partnersim.process.definition import Template, route_of
from partnersim.process.library import TEMPLATES
from partnersim.process.route import Route
from partnersim.safetext import control_characters
from partnersim.scenario import rules
from partnersim.scenario.messages import BROKEN_RULES, option_problems
from partnersim.scenario.rosters import ROSTERS
from partnersim.scenario.uncertainty import Uncertainty
from partnersim.scenario.yamlio import dotted
from partnersim.values.distributions import (
    CalendarDate,
    DateDistribution,
    Days,
    Distribution,
)
from partnersim.values.durations import (
    DAYS_PER_YEAR,
    add_days,
    days_between,
    format_duration,
    parse_date,
    parse_duration,
)
from partnersim.values.numbers import Count, Frozen, Probability


class Withdrawal(Frozen):
    """The candidate may walk away at any time while its case is open."""

    annual_rate: Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)] = 0.0


AllyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


def _consented(value: Any) -> Any:
    """A list of ally codes (the dates of their consents not known) stands for a mapping to no date."""
    if not isinstance(value, list):
        return value
    twice = next((code for i, code in enumerate(value) if code in value[:i]), None)
    if twice is not None:
        raise ValueError(f"ally {twice} is listed twice")
    return dict.fromkeys(value)


class Candidate(Frozen):
    """A nation asking for partnership, and where its case stands on the start date."""

    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    name: Label = ""
    request: DateDistribution
    stage: str | None = None  # the stage its case is in on the start date; None: it starts from its request
    # The day the case entered ``stage``: the rest of the stage is drawn given the time already spent in it.
    # None: the case enters ``stage`` on the start date.
    since: CalendarDate | None = None
    # At a consensus ``stage``: the allies that have consented (a list, or a mapping to the dates of
    # their consents), and the allies holding their consent, each since a date. Any other ally has
    # neither vetoed nor, unless another ally holds, brought the stage to an end.
    consented: Annotated[dict[AllyCode, CalendarDate | None], BeforeValidator(_consented)] = Field(
        default_factory=dict)
    holding: dict[AllyCode, CalendarDate] = Field(default_factory=dict)
    withdrawal: Withdrawal = Field(default_factory=Withdrawal)

    @property
    def label(self) -> str:
        return self.name or self.code


class AllyEntry(Frozen):
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    name: Label = ""


def _ally_entry(value: Any) -> Any:
    return {"code": value} if isinstance(value, str) else value


def _roster_kind(value: Any) -> str:
    return "[name]" if isinstance(value, str) else "[list]"


# The tags are bracketed so that error paths leave them out (see the loader).
Roster = Annotated[
    Union[
        Annotated[str, Tag("[name]")],
        Annotated[list[Annotated[AllyEntry, BeforeValidator(_ally_entry)]], Field(min_length=1), Tag("[list]")],
    ],
    Discriminator(_roster_kind),
]


MAX_SCENARIO_NAME = 200
MAX_LABEL = 100  # a candidate's, an ally's, a bloc's or an area's name
MAX_PROSE = 2_000  # the question and the description
MAX_CANDIDATES = 100


def _plain(rule: str) -> Any:
    """A check that a text holds no control character, nor a Unicode control that reorders what is shown."""

    def check(value: str) -> str:
        found = control_characters(value)
        if found:
            which = "the control character" + (f"s {', '.join(found)}" if len(found) > 1 else f" {found[0]}")
            raise ValueError(f"contains {which}; {rule}")
        return value

    return AfterValidator(check)


_BREAKS = {"\n": "a line break", "\r": "a line break", "\u2028": "a line break", "\u2029": "a line break",
           "\t": "a tab"}


def _one_line(value: str) -> str:
    """A name is shown on one line: a line break or a tab in it would be shown as a space, or break a table."""
    found = next((_BREAKS[char] for char in value if char in _BREAKS), None)
    if found is not None:
        raise ValueError(f"contains {found}; a name is one line of text")
    return value


# Names are shown on one line in tables, charts and briefings, and are copied to CSV and slides.
# A text field takes text only: `name: 1.10` is the number 1.1 to YAML, and turning it back into
# text would show "1.1"; the loader asks for quotes instead.
_NAME = _plain("names are plain text")
Label = Annotated[str, Field(max_length=MAX_LABEL), _NAME, AfterValidator(_one_line)]
ScenarioName = Annotated[str, Field(max_length=MAX_SCENARIO_NAME), _NAME, AfterValidator(_one_line)]
Prose = Annotated[str, Field(max_length=MAX_PROSE), _plain("write plain text (line breaks and tabs are fine)")]


def _horizon(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return parse_date(value)
    if isinstance(value, str) and value[:4].isdigit() and value[4:5] == "-":  # a date, or a date and time
        return parse_date(value)
    days = parse_duration(value)
    if days <= 0:
        raise ValueError(f"the horizon must be a date or a duration longer than zero, got {value!r}")
    return days


def _horizon_text(value: float | dt.date) -> str:
    return value.isoformat() if isinstance(value, dt.date) else format_duration(value)


Horizon = Annotated[
    Union[dt.date, Annotated[float, Field(gt=0)]],
    BeforeValidator(_horizon),
    PlainSerializer(_horizon_text),
]


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


Period = tuple[CalendarDate, CalendarDate]


class Council(Frozen):
    """Decisions of the North Atlantic Council take effect at its weekly meeting."""

    weekday: Weekday = "wednesday"
    holidays: list[Period] = Field(default_factory=list)  # [first, last] days without a meeting
    stages: list[str] | None = None  # None: the process's Council decisions (and renewal)


class Summits(Frozen):
    """Summit dates, and the chance that a stage's decision waits for the next one."""

    builtin: bool = True  # include the recorded summits (Washington 1999 … The Hague 2025)
    dates: list[CalendarDate] = Field(default_factory=list)  # further (future) summits
    wait: dict[str, Probability] = Field(default_factory=dict)  # stage → P(its decision waits for a summit)


def _hold_kind(value: Any) -> str:
    return "[stages]" if isinstance(value, dict) else "[value]"


# The tags are bracketed so that error paths leave them out (see the loader).
ElectionHold = Annotated[
    Union[Annotated[Probability, Tag("[value]")], Annotated[dict[str, Probability], Tag("[stages]")]],
    Discriminator(_hold_kind),
]


class Election(Frozen):
    """An election in an ally, after which its hold probability changes."""

    ally: AllyCode
    date: CalendarDate
    # The new hold probability for decisions from this date: one value for every
    # consensus stage (and renewal), or one per stage name.
    hold: ElectionHold


class Calendar(Frozen):
    council: Council | None = None  # None: decisions take effect on any day
    summits: Summits = Field(default_factory=Summits)
    elections: list[Election] = Field(default_factory=list)


class Bloc(Frozen):
    """Allies whose holds are linked: with probability ``strength`` they act as one."""

    name: Label
    allies: Annotated[list[AllyCode], Field(min_length=2)]
    strength: Probability


class Spillover(Frozen):
    """A veto against one candidate freezes the decisions of every other candidate."""

    freeze: Distribution  # how long the freeze lasts, from the veto
    stages: list[str] | None = None  # stages whose decisions are frozen; None: the process's approval stage


AREAS: tuple[str, ...] = (
    "building_integrity",
    "education_and_training",
    "operations",
    "research",
    "demining",
    "cyber_defence",
    "maritime_security",
    "counter_terrorism",
    "women_peace_and_security",
    "good_governance",
)


class Areas(Frozen):
    """Areas of cooperation: some agreed in the first programme, more added over time."""

    catalogue: Annotated[list[Label], Field(min_length=1, max_length=100)] = Field(
        default_factory=lambda: list(AREAS)
    )
    initial: Annotated[Count, Field(ge=0, le=100)] = 3
    added_per_year: Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)] = 1.0


# As programme approval (the global-partner process's ipcp_approval: fitted on the record of
# programme approvals, docs/calibration.md), but, as an assumption, a hold on a programme in force
# is nearly always lifted: no lapsed IPCP is on record, and Türkiye's block of Austria's
# programmes (2016–2022) ended in consent. A scenario's renewal ``allies`` are layered over these.
RENEWAL_ALLY_DEFAULTS: dict[str, Any] = {
    "default": {"deliberation": {"lognormal": {"median": "2d", "p90": "1w"}},
                "hold": {"probability": 0.0037, "lifted": 0.95}}
}


def _renewal_allies() -> StageAllies:
    return StageAllies.model_validate(RENEWAL_ALLY_DEFAULTS)


class Renewal(Frozen):
    """The programme is renewed every ``every``; each renewal needs the allies' consensus."""

    every: Annotated[Days, Field(ge=30, le=36525)] = 730.5
    allies: StageAllies = Field(default_factory=_renewal_allies)


class Suspension(Frozen):
    annual_rate: Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)] = 0.0


class Partnership(Frozen):
    """What happens after cooperation starts: areas, renewals, suspension."""

    areas: Areas = Field(default_factory=Areas)
    renewal: Renewal | None = Field(default_factory=Renewal)
    suspension: Suspension = Field(default_factory=Suspension)


def _builtin_process(name: str) -> str:
    if name not in TEMPLATES:
        raise ValueError(f"unknown process {name!r}; built in: {', '.join(TEMPLATES)}")
    return name


class Scenario(Frozen):
    """A whole scenario, fully defaulted. Immutable: what-ifs are new scenarios."""

    name: ScenarioName = ""
    description: Prose = ""
    question: Prose = ""
    start: CalendarDate
    horizon: Horizon = Field(default=5 * DAYS_PER_YEAR)
    replications: Annotated[Count, Field(ge=1, le=100_000_000)] = 10_000
    seed: Annotated[Count, Field(ge=0, le=2**63 - 1)] = 1
    alliance: Roster = "nato-2024"
    allies: Allies = Field(default_factory=Allies)
    process: Annotated[str, AfterValidator(_builtin_process)] | Template = "global-partner"
    stages: dict[str, StageParams] = Field(default_factory=dict)
    calendar: Calendar = Field(default_factory=Calendar)
    blocs: list[Bloc] = Field(default_factory=list)
    spillover: Spillover | None = None
    partnership: Partnership | None = None
    uncertainty: Uncertainty | None = None  # settings drawn afresh for each group of replications
    candidates: Annotated[list[Candidate], Field(min_length=1, max_length=MAX_CANDIDATES)]

    @model_validator(mode="before")
    @classmethod
    def _stage_defaults(cls, data: Any) -> Any:
        """A stage the scenario leaves out runs with its process's defaults (a built-in process, or one given whole)."""
        if not isinstance(data, dict):
            return data
        process, stages = data.get("process", "global-partner"), data.get("stages", {})
        template = TEMPLATES.get(process) if isinstance(process, str) else process
        if not isinstance(template, Template) or not isinstance(stages, dict):
            return data
        if all(spec.name in stages for spec in template.stages):
            return data
        filled = {
            spec.name: stages[spec.name] if spec.name in stages else STAGE_MODELS[spec.kind].model_validate(spec.defaults)
            for spec in template.stages
        }
        filled.update((name, value) for name, value in stages.items() if name not in filled)  # refused by a rule
        return {**data, "stages": filled}

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Scenario:
        """Every rule across the keys (:mod:`partnersim.scenario.rules`), each broken one listed."""
        if info.context and info.context.get(rules.PARTS_ONLY):
            return self
        found = rules.scenario_problems(self)
        if found:
            text = "; ".join(f"{dotted(path)}: {message}" if path else message for path, message in found)
            raise PydanticCustomError(BROKEN_RULES, "{text}", {"text": text, "found": found})
        return self

    @property
    def roster(self) -> dict[str, str]:
        """The allies who decide: ISO code → name, in roster order."""
        if isinstance(self.alliance, str):
            return dict(ROSTERS[self.alliance])
        return {entry.code: entry.name or entry.code for entry in self.alliance}

    @property
    def template(self) -> Template:
        """The scenario's process: a built-in one named by ``process``, or its own."""
        return TEMPLATES[self.process] if isinstance(self.process, str) else self.process

    @property
    def route(self) -> Route:
        """Where each exit of each stage leads: the process's route, with this scenario's changes to it."""
        exits = {name: params.exits for name, params in self.stages.items() if params.exits}
        timed = frozenset(name for name, params in self.stages.items() if params.timeout is not None)
        return route_of(self.template, exits, timed)

    @property
    def horizon_days(self) -> float:
        if isinstance(self.horizon, dt.date):
            return days_between(self.start, self.horizon)
        return float(self.horizon)

    @property
    def end_date(self) -> dt.date:
        if isinstance(self.horizon, dt.date):
            return self.horizon
        return add_days(self.start, self.horizon)

    def date_of(self, day: float) -> dt.date:
        """The calendar date ``day`` days after the start."""
        return add_days(self.start, day)

    def with_run(self, replications: int | None = None, seed: int | None = None) -> Scenario:
        """This scenario with the number of replications and the seed a command gave (None: its own)."""
        changes = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
        return self.with_updates(**changes) if changes else self

    def with_updates(self, **changes: Any) -> Scenario:
        """A copy with some top-level values replaced (validated again).

        A value out of range raises :class:`ScenarioError`, each problem named
        by its key as an option (``--replications``, ``--seed``): the changes
        come from the command line.
        """
        data = self.model_dump()
        data.update(changes)
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(option_problems(exc, data, Scenario)) from None


__all__ = [
    "AREAS",
    "RENEWAL_ALLY_DEFAULTS",
    "AllyEntry",
    "Areas",
    "Bloc",
    "Calendar",
    "Candidate",
    "CalendarDate",
    "Council",
    "Election",
    "Partnership",
    "Renewal",
    "Spillover",
    "Summits",
    "Suspension",
    "WEEKDAYS",
    "Scenario",
    "StageParams",
    "Withdrawal",
]
