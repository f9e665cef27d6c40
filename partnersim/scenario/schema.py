"""The scenario schema, declared once as frozen pydantic models.

Every key has a default here except ``start`` and ``candidates``. The models
check single values and their own fields; checks that span the file (ally
codes against the roster, stage names against the template, request dates
against the horizon) live in :mod:`partnersim.scenario.loader`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PlainSerializer, Tag

from partnersim.scenario.distributions import (
    CalendarDate,
    DateDistribution,
    Distribution,
    Gamma,
    GammaParams,
    Lognormal,
    LognormalParams,
    Pert,
)
from partnersim.scenario.durations import (
    add_days,
    days_between,
    format_duration,
    parse_date,
    parse_duration,
)

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _lognormal(median: str, p90: str) -> Lognormal:
    return Lognormal(
        lognormal=LognormalParams(median=parse_duration(median), p90=parse_duration(p90))
    )


def _gamma(mean: str, cv: float) -> Gamma:
    return Gamma(gamma=GammaParams(mean=parse_duration(mean), cv=cv))


# The ally defaults are fitted on the allies' ratifications of Finland's and
# Sweden's accession protocols: `partnersim fit --column finland_days --column
# sweden_days` (docs/calibration.md tells how, and what is assumption).


class Hold(_Model):
    """An ally withholds consent for a while, then lifts the hold or vetoes."""

    probability: Probability = 0.064  # fitted: 4 holds in 60 ratification decisions
    # Fitted median; the p90 follows from an assumed spread (too few holds to show it).
    duration: Distribution = Field(default_factory=lambda: _lognormal("375d", "712d"))
    lifted: Probability = 0.77  # assumption: 10 of 13 recorded single-ally holds ended in consent


class AllyParams(_Model):
    """How one ally decides at a consensus stage."""

    # Fitted: median 10 days, p90 60 days; a gamma fits the same-day consents better than a lognormal.
    deliberation: Distribution = Field(default_factory=lambda: _gamma("22d", 1.4))
    hold: Hold = Field(default_factory=Hold)


class HoldOverride(_Model):
    probability: Probability | None = None
    duration: Distribution | None = None
    lifted: Probability | None = None


class AllyOverride(_Model):
    """Only the keys an ally (or a stage) changes; the rest comes from ``default``."""

    deliberation: Distribution | None = None
    hold: HoldOverride | None = None


class Allies(BaseModel):
    """``default`` for every ally, then one entry per ally code that differs."""

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, AllyOverride] = Field(init=False)  # type: ignore[assignment]

    default: AllyParams = Field(default_factory=AllyParams)

    @property
    def overrides(self) -> dict[str, AllyOverride]:
        return dict(self.__pydantic_extra__ or {})


class StageAllies(BaseModel):
    """Per-stage changes to the allies' behaviour, layered over the top-level ``allies``."""

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, AllyOverride] = Field(init=False)  # type: ignore[assignment]

    default: AllyOverride = Field(default_factory=AllyOverride)

    @property
    def overrides(self) -> dict[str, AllyOverride]:
        return dict(self.__pydantic_extra__ or {})


class ConsensusStage(_Model):
    """Every ally decides; the last consent ends the stage, the first veto ends the case."""

    kind: Literal["consensus"] = "consensus"
    allies: StageAllies = Field(default_factory=StageAllies)


class TalksStage(_Model):
    """Rounds of talks, each needing one of the shared expert teams."""

    kind: Literal["talks"] = "talks"
    teams: Annotated[Count, Field(ge=1, le=1000)] = 2
    round: Distribution = Field(
        default_factory=lambda: Gamma(gamma=GammaParams(mean=parse_duration("2mo"), cv=0.5))
    )
    agreement: Probability = 0.6
    max_rounds: Annotated[Count, Field(ge=1, le=1000)] | None = None


class TaskStage(_Model):
    """A piece of work that takes a while, such as drafting."""

    kind: Literal["task"] = "task"
    duration: Distribution = Field(
        default_factory=lambda: Pert(
            pert=(parse_duration("3mo"), parse_duration("6mo"), parse_duration("12mo"))
        )
    )


StageParams = Union[ConsensusStage, TalksStage, TaskStage]
STAGE_MODELS: dict[str, type[_Model]] = {
    "consensus": ConsensusStage,
    "talks": TalksStage,
    "task": TaskStage,
}


class Withdrawal(_Model):
    """The candidate may walk away at any time while its case is open."""

    annual_rate: Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)] = 0.0


class Candidate(_Model):
    """A nation asking for partnership."""

    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    name: Text = ""
    request: DateDistribution
    stage: str | None = None
    withdrawal: Withdrawal = Field(default_factory=Withdrawal)

    @property
    def label(self) -> str:
        return self.name or self.code


class AllyEntry(_Model):
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    name: str = ""


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


def _whole_number(value: Any) -> Any:
    """``1e4`` and ``10_000`` are whole numbers too (YAML reads ``1e4`` as text)."""
    if isinstance(value, str):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            return value
        return int(number) if number.is_integer() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_text)]
Count = Annotated[int, BeforeValidator(_whole_number), Field(strict=True)]


def _horizon(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return parse_date(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
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


class Scenario(_Model):
    """A whole scenario, fully defaulted. Immutable: what-ifs are new scenarios."""

    name: Text = ""
    description: Text = ""
    question: Text = ""
    start: CalendarDate
    horizon: Horizon = Field(default=5 * 365.25)
    replications: Annotated[Count, Field(ge=1, le=100_000_000)] = 10_000
    seed: Annotated[Count, Field(ge=0, le=2**63 - 1)] = 1
    alliance: Roster = "nato-2024"
    allies: Allies = Field(default_factory=Allies)
    process: str = "global-partner"
    stages: dict[str, StageParams] = Field(default_factory=dict)
    candidates: Annotated[list[Candidate], Field(min_length=1)]

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

    def with_updates(self, **changes: Any) -> Scenario:
        """A copy with some top-level values replaced (validated again)."""
        data = self.model_dump()
        data.update(changes)
        return Scenario.model_validate(data)


__all__ = [
    "AllyEntry",
    "AllyOverride",
    "AllyParams",
    "Allies",
    "Candidate",
    "CalendarDate",
    "ConsensusStage",
    "Hold",
    "STAGE_MODELS",
    "Scenario",
    "StageAllies",
    "StageParams",
    "TalksStage",
    "TaskStage",
    "Withdrawal",
]
