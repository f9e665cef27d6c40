"""Scoring forecasts of past accessions: proper scores, calibration, skill against baselines.

Every forecast (:class:`~partnersim.history.asof.Forecast`) is a sample of
membership dates. Against the real date it gets

- the CRPS (in days) of the date, the sample cut at the forecast's horizon
  (a future still open then counts as the horizon: scoringrules' ensemble CRPS
  of the censored sample, which is proper for the censored date);
- the log score of the date, ``-log f(y)`` with ``f`` the share that got there
  times a kernel density of their dates (scoringrules' ensemble log score);
- the PIT: the share of futures that got there earlier, a same-day one
  counting half (uniform over many cases if the forecasts are calibrated);
- a Brier score for each question "a member within 6, 12, 24 months of the
  forecast's day?".

The same questions are scored for two baselines with the same information:
*climatology* (the spread of how long the cases the forecast was fitted on took
from the same stage, among those that took longer than the time already spent)
and *naive* (the latest of those rounds takes as long again). Skill is
``1 - score / baseline score``; each round weighs the same, whatever its
number of cases and forecasts (the seven cases of 2003 share their dates), and
intervals come from resampling rounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from partnersim.history.asof import Forecast, add_months, allies_on, consents, last_consent
from partnersim.history.backtest import percentile_of
from partnersim.history.record import Record
from partnersim.stats import MIN_CLUSTERS, cluster_bootstrap, cluster_weights, pit_histogram

HORIZONS = (6, 12, 24)  # months after the forecast's day, for the Brier questions
BASELINES = ("climatology", "naive")
BOOTSTRAP = 2000
LEVEL = 0.95


@dataclass(frozen=True)
class Scored:
    """One forecast and its scores (``forecast`` is None once read back from a folder: the rest is kept)."""

    case: str
    as_of: dt.date
    point: str  # why that day: "invitation", "signature", "signature + 6 months", …
    round: str
    real: int  # days from the forecast's day to membership
    quantiles: tuple[float, float, float]  # P10, P50, P90 of the forecast's days to membership, cut at the horizon
    horizon: int  # days from the forecast's day to its horizon
    never: float  # share of the forecast's futures with no membership by the horizon
    crps: dict[str, float]  # "partnersim", "climatology", "naive" → CRPS in days
    log: float  # partnersim's log score (nats, smaller is better)
    pit: float
    brier: dict[int, dict[str, tuple[float, bool]]]  # months → forecaster → (probability, happened)
    forecast: Forecast | None = None


@dataclass(frozen=True)
class Skill:
    """A skill (or a share) over rounds, with its 95% interval from resampling rounds."""

    value: float
    low: float
    high: float
    rounds: int = 0  # independent rounds it rests on (0: not recorded)

    @property
    def judged(self) -> bool:
        """Enough rounds for its interval to mean something (:data:`~partnersim.stats.MIN_CLUSTERS`)."""
        return self.rounds == 0 or self.rounds >= MIN_CLUSTERS

    @property
    def beyond_noise(self) -> bool:
        return self.judged and (self.low > 0 or self.high < 0)


def realised(record: Record, case: str, day: dt.date) -> int:
    """Days from ``day`` to the case's membership (the middle of its date's period)."""
    entry = record.event(case, "entry_into_force")
    if entry is None:
        raise ValueError(f"{case} has no entry into force in the record")
    return (entry.day - day).days


def stage_lengths(record: Record, rounds: Sequence[str], stage: str) -> np.ndarray:
    """How long the cases of ``rounds`` took from entering ``stage`` to membership, one value per round and length."""
    found: list[float] = []
    for key in rounds:
        lengths = set()
        for case in record.rounds[key]:
            entry, start = record.event(case, "entry_into_force"), _entered(record, case, stage)
            if entry is not None and start is not None:
                lengths.add((entry.day - start).days)
        found += sorted(lengths)
    return np.array(found, dtype=float)


def _entered(record: Record, case: str, stage: str) -> dt.date | None:
    if stage == "protocol_signing":
        row = record.event(case, "invitation")
        return row.day if row is not None else None
    signed = record.event(case, "signature")
    if signed is None:
        return None
    if stage == "ratification":
        return signed.day
    allies = allies_on(signed.day)
    return last_consent(record, case, allies, consents(record, case, allies))


def baselines(record: Record, forecast: Forecast) -> dict[str, np.ndarray]:
    """The climatology sample and the naive point of days to membership, from the forecast's rounds."""
    where = forecast.stand
    spent = (forecast.as_of - where.since).days
    lengths = stage_lengths(record, forecast.fitted.rounds, where.stage)
    longer = lengths[lengths > spent] - spent
    climatology = longer if longer.size else np.array([1.0])
    # Naive: the latest round that had ended by the forecast's day takes as long again (the median of its cases);
    # where none had (or none of those timed this stage), the median of the rounds fitted on.
    ended = sorted((key for key in forecast.fitted.rounds if record.ended_by(key, forecast.as_of)),
                   reverse=True)  # rounds are keyed by their signature day
    timed = [found for key in ended if (found := stage_lengths(record, [key], where.stage)).size]
    last = timed[0] if timed else lengths
    naive = np.array([max(float(np.median(last)) - spent, 1.0)])
    return {"climatology": climatology, "naive": naive}


def score(record: Record, forecast: Forecast) -> Scored:
    """Score ``forecast`` against the record and against the two baselines."""
    import scoringrules as sr

    real = realised(record, forecast.case, forecast.as_of)
    cut = np.minimum(forecast.member, forecast.horizon)
    ensembles = {"partnersim": cut, **baselines(record, forecast)}
    crps = {name: float(sr.crps_ensemble(float(real), sample)) for name, sample in ensembles.items()}
    reached = np.isfinite(forecast.member)
    share = float(reached.mean())
    if share > 0 and np.unique(forecast.member[reached]).size > 1:
        log = float(sr.logs_ensemble(float(real), forecast.member[reached])) - float(np.log(share))
    else:
        log = float("inf")
    brier: dict[int, dict[str, tuple[float, bool]]] = {}
    for months in HORIZONS:
        within = (add_months(forecast.as_of, months) - forecast.as_of).days
        brier[months] = {name: (float(np.mean(sample <= within)), real <= within) for name, sample in ensembles.items()}
    low, middle, high = (float(q) for q in np.quantile(cut, [0.1, 0.5, 0.9]))
    return Scored(forecast.case, forecast.as_of, forecast.point, record.round_of(forecast.case), real,
                  (low, middle, high), forecast.horizon, float(1.0 - share), crps, log,
                  percentile_of(forecast.member, real), brier, forecast)


def brier(probability: float, happened: bool) -> float:
    import scoringrules as sr

    return float(sr.brier_score(float(happened), probability))


def mean_scores(scored: Sequence[Scored]) -> dict[str, float]:
    """Each forecaster's mean CRPS, each round weighing the same."""
    return {name: round_mean(scored, [s.crps[name] for s in scored]) for name in ("partnersim", *BASELINES)}


def skill(scored: Sequence[Scored], baseline: str, *, months: int | None = None, seed: int = 1) -> Skill:
    """``1 - partnersim's mean score / the baseline's`` (CRPS, or the Brier score at ``months``), with a
    95% interval from resampling rounds."""
    rounds = sorted({s.round for s in scored})
    by_round = {key: [s for s in scored if s.round == key] for key in rounds}

    def pair(s: Scored) -> tuple[float, float]:
        if months is None:
            return s.crps["partnersim"], s.crps[baseline]
        (p, happened), (q, _) = s.brier[months]["partnersim"], s.brier[months][baseline]
        return brier(p, happened), brier(q, happened)

    # Per round: the mean of its forecasts' scores, so that each round weighs the same.
    means = np.array([np.mean([pair(s) for s in by_round[key]], axis=0) for key in rounds])

    def ratio(rows: np.ndarray) -> float:
        total = rows.sum(axis=0)
        return float(1.0 - total[0] / total[1]) if total[1] > 0 else float("nan")

    value = ratio(means)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(rounds), size=(BOOTSTRAP, len(rounds)))
    draws = np.array([ratio(means[pick]) for pick in picks])
    draws = draws[np.isfinite(draws)]
    low, high = np.quantile(draws, [(1 - LEVEL) / 2, (1 + LEVEL) / 2]) if draws.size else (np.nan, np.nan)
    return Skill(value, float(low), float(high), len(rounds))


def round_share(scored: Sequence[Scored], chosen: Sequence[bool], *, seed: int = 1) -> Skill:
    """The share of forecasts ``chosen``, each round weighing the same, with a 95% interval from resampling
    rounds (forecasts of one round are not independent: its cases share their dates)."""
    return Skill(*cluster_bootstrap([float(c) for c in chosen], [s.round for s in scored], draws=BOOTSTRAP,
                                    seed=seed, level=LEVEL), len({s.round for s in scored}))


def mean_brier(scored: Sequence[Scored], months: int) -> dict[str, float]:
    """Each forecaster's mean Brier score of 'a member within ``months``?', each round weighing the same."""
    return {name: round_mean(scored, [brier(*s.brier[months][name]) for s in scored])
            for name in ("partnersim", *BASELINES)}


def round_mean(scored: Sequence[Scored], values: Sequence[float]) -> float:
    """The mean of one value per forecast, each round weighing the same."""
    return float(np.average(np.asarray(values, dtype=float), weights=cluster_weights([s.round for s in scored])))


def pit_counts(scored: Sequence[Scored], bins: int = 10) -> np.ndarray:
    """How many PIT values fall in each of ``bins`` equal bins of [0, 1]."""
    return pit_histogram([s.pit for s in scored], bins)


__all__ = [
    "BASELINES",
    "HORIZONS",
    "Scored",
    "Skill",
    "baselines",
    "brier",
    "mean_brier",
    "mean_scores",
    "round_mean",
    "pit_counts",
    "realised",
    "round_share",
    "score",
    "skill",
    "stage_lengths",
]
