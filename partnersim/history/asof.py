"""Forecasts of past accessions made as of a date, with only what was known then.

A forecast of case *C* as of day *D* is a run of the ``membership-accession``
process that starts on *D* from where the case stood that day, read from the
record as it stood that day (:meth:`Record.known_by`):

- invited, protocol not yet signed: in ``protocol_signing`` since the
  invitation (invitation to signature is one duration: the record does not
  time the talks in between);
- protocol signed: in ``ratification`` since the signature, with every ally
  whose consent was on record by *D* as consented on its day; the other
  allies are drawn given that the stage was still open on *D*;
- every ally's consent on record: in ``deposit`` since the last one.

Its settings are fitted to other cases only, never to *C*'s round (the cases
signed the same day, which the allies ratified together), by one of two
rules (:data:`TRAINING`):

- ``others``: every other round, whenever it happened (leave one round out);
- ``earlier``: only rounds that had ended by *D* (what an analyst on *D*
  could have fitted). A forecast for which no earlier round had ended is not
  made.

Fitted: the allies' ratification delays (:func:`~partnersim.history.fit.fit_delays`
on the days from signature to each ally's consent), and lognormal durations of
invitation → signature and last consent → entry into force. Everything else is
the process's own: above all ``lifted``, the share of ratification holds that
end in consent (0.95, an assumption the consent dates cannot test, since a veto
leaves no date), which a scoreboard can be run with another value of.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np

from partnersim.data import EventDate
from partnersim.history.fit import ASSUMED_HOLD_SIGMA, Params, fit_delays
from partnersim.history.record import Record, Row
from partnersim.scenario.rosters import NATO_2024, NATO_JOINED
from partnersim.stats import Z90

Training = Literal["others", "earlier"]
TRAINING: tuple[Training, ...] = ("others", "earlier")
HORIZON_YEARS = 8
"""Assumption: a forecast looks this far ahead; a simulated future still open then counts as 'not by then'.
The slowest case on record took 20 months from signature to membership."""
STEP_MONTHS = 6
MIN_DELAYS = 20
"""Consents dated to the day needed to fit the allies' ratification delays; with fewer (the rounds before 2016
hold two each), a fit leans on a handful of news-reported dates and a forecast is not made."""
MEMBER = "member"  # the state entered at membership


@dataclass(frozen=True)
class Duration:
    """A lognormal duration fitted to a few observed days, or the days themselves when too few to fit."""

    days: tuple[float, ...]  # observed, one per round

    @property
    def median(self) -> float:
        return float(math.exp(np.mean(np.log(np.maximum(self.days, 1.0)))))

    @property
    def sigma(self) -> float:
        """Spread of log-days: estimated from three or more rounds, else the assumed spread of a hold."""
        if len(self.days) >= 3:
            return float(np.std(np.log(np.maximum(self.days, 1.0)), ddof=1))
        return ASSUMED_HOLD_SIGMA

    def yaml(self) -> dict[str, Any]:
        p90 = self.median * math.exp(Z90 * max(self.sigma, 0.05))
        return {"lognormal": {"median": day_text(self.median), "p90": day_text(p90)}}


@dataclass(frozen=True)
class Fitted:
    """The settings one forecast runs with, and the rounds they were fitted on."""

    rounds: tuple[str, ...]
    ratification: Params | None  # None: too few consent delays in the rounds to fit
    delays: int  # consent delays known to the day
    ranged: int  # consents known only to lie in a range (dated to the month, or before the last ally's)
    signing: Duration | None
    deposit: Duration | None


@dataclass(frozen=True)
class Stand:
    """Where a case stood on a day, as the record knew it then."""

    stage: str  # protocol_signing, ratification or deposit
    since: dt.date
    consented: dict[str, dt.date]


@dataclass(frozen=True)
class Forecast:
    """One case's simulated futures as of one day."""

    case: str
    as_of: dt.date
    point: str  # why this day: "invitation", "signature", "signature + 6 months", …
    stand: Stand
    fitted: Fitted
    member: np.ndarray  # days from as_of to membership in each future (inf: not by the horizon)
    horizon: int  # days from as_of to the horizon
    note: str = ""


def day_text(value: float) -> str:
    """A duration in whole days, as a scenario writes it (a fraction of a day would not read back exactly)."""
    return f"{max(round(value), 1)}d"


# --- where a case stood ---------------------------------------------------------------------------


def allies_on(day: dt.date) -> tuple[str, ...]:
    """NATO's allies on ``day`` (a fixed table of when each joined, not the record: a forecast must not learn
    from the record who would join later)."""
    return tuple(code for code in NATO_2024 if code not in NATO_JOINED
                 or EventDate.parse(NATO_JOINED[code]).last <= day)


def consents(record: Record, case: str, allies: tuple[str, ...]) -> dict[str, Row]:
    """The consent row of each of ``allies`` for ``case``; where the record has none for the case, its deposits."""
    found = record.by_ally(case, "consent") or record.by_ally(case, "deposit")
    return {ally: row for ally, row in found.items() if ally in allies}


def stand(record: Record, case: str, day: dt.date) -> Stand | None:
    """Where ``case`` stood on ``day`` by the record as known then; None: not yet invited, or a member."""
    known = record.known_by(day)
    invited, signed = known.event(case, "invitation"), known.event(case, "signature")
    if known.event(case, "entry_into_force") is not None:
        return None
    if signed is None:
        return Stand("protocol_signing", invited.day, {}) if invited is not None else None
    allies = allies_on(signed.day)
    rows = consents(known, case, allies)
    done = {ally: min(max(row.day, signed.day), day) for ally, row in rows.items()}
    last = last_consent(known, case, allies, rows)
    if last is not None:
        return Stand("deposit", min(last, day), done)
    return Stand("ratification", signed.day, done)


def as_of_days(record: Record, case: str) -> list[tuple[dt.date, str]]:
    """The days a case is forecast on: its invitation, its signature, then every six months while open."""
    invited, signed = record.event(case, "invitation"), record.event(case, "signature")
    entry = record.event(case, "entry_into_force")
    found = []
    if invited is not None and invited.date.precision == "day":
        found.append((invited.day, "invitation"))
    if signed is not None and signed.date.precision == "day":
        found.append((signed.day, "signature"))
        months = STEP_MONTHS
        while True:
            day = add_months(signed.day, months)
            if entry is None or day >= entry.date.first:
                break
            found.append((day, f"signature + {months} months"))
            months += STEP_MONTHS
    return found


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, min(day.day, 28))


# --- what a forecast is fitted on -----------------------------------------------------------------


def training_rounds(record: Record, case: str, day: dt.date, rule: Training) -> tuple[str, ...]:
    """The rounds a forecast of ``case`` as of ``day`` is fitted on, by ``rule``."""
    own = record.round_of(case)
    rounds = [key for key in record.rounds if key != own]
    if rule == "earlier":
        rounds = [key for key in rounds if record.ended_by(key, day)]
    return tuple(rounds)


@cache
def fitted(record: Record, rounds: tuple[str, ...]) -> Fitted:
    """The settings fitted on ``rounds`` of ``record`` (the same rounds give the same fit: kept)."""
    exact: list[float] = []
    ranges: list[tuple[float, float]] = []
    signing: list[float] = []
    deposit: list[float] = []
    for key in rounds:
        # An ally that ratified the protocols of a round in one vote is one delay, not several.
        seen_exact: set[tuple[str, int]] = set()
        seen_range: set[tuple[str, int, int]] = set()
        gaps_signing, gaps_deposit = set(), set()
        for case in record.rounds[key]:
            signed, invited = record.event(case, "signature"), record.event(case, "invitation")
            entry = record.event(case, "entry_into_force")
            if signed is None:
                continue
            if invited is not None:
                gaps_signing.add((signed.day - invited.day).days)
            allies = allies_on(signed.day)
            rows = consents(record, case, allies)
            last = last_consent(record, case, allies, rows)
            # The last day by which every ally had surely consented: the last consent, else the entry into force.
            ended = last if last is not None else entry.day if entry is not None else None
            for ally in allies:
                row = rows.get(ally)
                if row is not None and row.date.precision == "day":
                    seen_exact.add((ally, (row.day - signed.day).days))
                elif row is not None:
                    seen_range.add((ally, max((row.date.first - signed.day).days, 0),
                                    max((row.date.last - signed.day).days, 0)))
                elif ended is not None:
                    seen_range.add((ally, 0, (ended - signed.day).days))
            if entry is not None and last is not None:
                gaps_deposit.add((entry.day - last).days)
        exact += [float(d) for _, d in sorted(seen_exact)]
        ranges += [(float(low), float(high)) for _, low, high in sorted(seen_range)]
        signing += sorted(gaps_signing)
        deposit += sorted(gaps_deposit)
    params = None
    if len(exact) >= MIN_DELAYS and len(set(exact)) >= 3:
        params = fit_delays(np.array(exact), ranges=np.array(ranges) if ranges else None).params
    return Fitted(
        rounds=rounds, ratification=params, delays=len(exact), ranged=len(ranges),
        signing=Duration(tuple(float(d) for d in signing)) if signing else None,
        deposit=Duration(tuple(float(max(d, 1)) for d in deposit)) if deposit else None,
    )


def last_consent(record: Record, case: str, allies: tuple[str, ...], rows: dict[str, Row]) -> dt.date | None:
    """The day the last ally consented: every ally's consent on record, or a last_consent row."""
    if set(allies) <= set(rows):
        return max(row.day for row in rows.values())
    last = record.event(case, "last_consent") or next(iter(record.by_ally(case, "last_consent").values()), None)
    return last.day if last is not None else None


# --- the forecast ---------------------------------------------------------------------------------


def document(record: Record, case: str, day: dt.date, where: Stand, fit: Fitted, *, replications: int,
             seed: int, holding: bool = False, lifted: float | None = None) -> dict[str, Any]:
    """The scenario of a forecast of ``case`` as of ``day``, as a mapping."""
    signed = record.event(case, "signature")
    allies = allies_on(min(day, signed.day) if signed is not None else day)
    stages: dict[str, Any] = {}
    if fit.signing is not None:
        stages["protocol_signing"] = {"duration": fit.signing.yaml()}
    if fit.deposit is not None:
        stages["deposit"] = {"duration": fit.deposit.yaml()}
    if fit.ratification is not None:
        p = fit.ratification
        body = ({"gamma": {"mean": day_text(p.body_mean), "cv": round(p.body_cv, 3)}} if p.family == "gamma"
                else {"lognormal": {"median": day_text(p.body_median), "p90": day_text(p.body_p90)}})
        stages["ratification"] = {"allies": {"default": {
            "deliberation": body,
            "hold": {"probability": round(min(p.hold_p, 0.999), 4),
                     "duration": {"lognormal": {"median": day_text(p.hold_median), "p90": day_text(p.hold_p90)}},
                     "lifted": ratification_lifted() if lifted is None else lifted}}}}
    candidate: dict[str, Any] = {"code": case, "name": NATO_2024.get(case, case), "stage": where.stage,
                                 "since": where.since}
    begun = record.begins(case)
    candidate["request"] = min(begun.day, where.since) if begun is not None else where.since
    if where.stage == "ratification":
        if where.consented:
            candidate["consented"] = dict(sorted(where.consented.items()))
        if holding:
            candidate["holding"] = {ally: where.since for ally in allies if ally not in where.consented}
    return {
        "name": f"{NATO_2024.get(case, case)}'s accession as of {day.isoformat()}",
        "question": f"As of {day.isoformat()}, when would {NATO_2024.get(case, case)} become a member?",
        "start": day,
        "horizon": add_months(day, 12 * HORIZON_YEARS),
        "replications": replications,
        "seed": seed,
        "process": "membership-accession",
        "alliance": list(allies),
        "stages": stages,
        "candidates": [candidate],
    }


@cache
def ratification_lifted() -> float:
    """The share of ratification holds that end in consent, as the membership-accession process assumes."""
    from partnersim.process.library import MEMBERSHIP_ACCESSION

    stage = next(spec for spec in MEMBERSHIP_ACCESSION.stages if spec.name == "ratification")
    return float(stage.defaults["allies"]["default"]["hold"]["lifted"])


def forecast(record: Record, case: str, day: dt.date, point: str, *, rule: Training = "others",
             replications: int = 2000, seed: int = 1, lifted: float | None = None) -> Forecast | None:
    """``case``'s futures as of ``day``; None where no forecast can be made (nothing to fit, or not open)."""
    from partnersim.engine.resume import UnlikelyHistory
    from partnersim.scenario.loader import scenario_from_dict

    known = record.known_by(day)
    where = stand(known, case, day)
    if where is None:
        return None
    fit = fitted(known if rule == "earlier" else record, training_rounds(record, case, day, rule))
    if fit.ratification is None:
        return None
    note = ""
    try:
        result = _run(scenario_from_dict(document(known, case, day, where, fit, replications=replications,
                                                   seed=seed, lifted=lifted)), case)
    except UnlikelyHistory:
        # The fit all but rules out a stage still open on this day: the allies not yet on record as
        # consenting are taken to be holding since the signature, which is what the record shows.
        note = "allies not yet consenting taken as holding since the signature (the fit all but ruled out the delay)"
        result = _run(scenario_from_dict(document(known, case, day, where, fit, replications=replications,
                                                   seed=seed, holding=True, lifted=lifted)), case)
    member, horizon = result
    return Forecast(case, day, point, where, fit, member, horizon, note)


def _run(scenario: Any, case: str) -> tuple[np.ndarray, int]:
    """Each future's days to membership (inf: not by the horizon), and the days to the horizon."""
    from partnersim.history.backtest import entry_days

    # How unusual the case's history is (10,000 draws) is not read here: not drawn.
    _, days = entry_days(scenario, case, [MEMBER], history=False)
    return days[MEMBER], (scenario.end_date - scenario.start).days


__all__ = [
    "HORIZON_YEARS",
    "add_months",
    "last_consent",
    "document",
    "TRAINING",
    "Duration",
    "Fitted",
    "Forecast",
    "Stand",
    "allies_on",
    "as_of_days",
    "consents",
    "fitted",
    "forecast",
    "stand",
    "training_rounds",
]
