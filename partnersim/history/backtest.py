"""Back-testing: run a history scenario and place what really happened in its distribution.

For each observed milestone the simulation gives the day each replication
entered that state (never, if it was rejected, withdrew or was still pending
at the horizon). The real date's *percentile* is the share of replications
that got there earlier, counting those that got there on the same calendar
day as half (the mid-rank: a fixed delay that lands exactly on the real day
gives 50%). A date known only to the month or year is placed at the middle of
its period, with the percentiles of its first and last day beside it.

A back-test is honest only if the case's own dates did not set the
parameters: :func:`fit_check` refits the ratification columns a file says it
was fitted on and reports whether the file still matches them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from partnersim.history.observed import Milestone, Observed, read_observed
from partnersim.kinds.consensus import AllyParams, ConsensusStage, layer_allies
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.schema import Scenario
from partnersim.simulation import simulate
from partnersim.values.distributions import Gamma, Lognormal
from partnersim.values.durations import add_days

if TYPE_CHECKING:
    from partnersim.engine.model import Model
    from partnersim.engine.records import Records
    from partnersim.results.summary import Results

BAND = (0.10, 0.90)


@dataclass(frozen=True)
class Placement:
    """Where one real milestone fell in the simulated distribution of its date."""

    milestone: Milestone
    percentile: float  # at the middle of the milestone's date (its day, month or year)
    low: float  # at the first day the date can mean
    high: float  # at the last day
    quantiles: dict[str, dt.date | None]  # "P10", "P50", "P90"; None: not reached by the horizon
    reached: float  # share of replications that reached the state at all

    @property
    def date(self) -> dt.date:
        first, last = self.milestone.date.first, self.milestone.date.last
        return first + (last - first) // 2

    @property
    def inside(self) -> bool:
        """Within the P10–P90 band of the simulated dates."""
        return BAND[0] <= self.percentile <= BAND[1]


@dataclass(frozen=True)
class Case:
    """One history scenario, run, with reality placed in it."""

    path: Path
    results: Results
    observed: Observed
    placements: tuple[Placement, ...]
    days: dict[str, np.ndarray]  # state → every replication's day of entering it (inf: never)

    @property
    def name(self) -> str:
        return next(c.name for c in self.results.candidates if c.code == self.observed.candidate)


def percentile_of(days: np.ndarray, day: int) -> float:
    """Mid-rank percentile of calendar day ``day`` among simulated ``days`` (inf: never reached)."""
    whole = np.floor(np.asarray(days, dtype=float))
    if whole.size == 0:
        return float("nan")
    return float(np.mean(whole < day) + 0.5 * np.mean(whole == day))


def quantile_day(days: np.ndarray, q: float) -> float:
    """The first calendar day by which a share ``q`` of replications got there (inf: never)."""
    whole = np.sort(np.floor(np.asarray(days, dtype=float)))
    index = int(np.ceil(q * whole.size - 1e-9)) - 1
    return float(whole[max(index, 0)])


def place(days: np.ndarray, milestone: Milestone, start: dt.date) -> Placement:
    """Where ``milestone`` falls among simulated ``days`` counted from ``start``."""
    first = (milestone.date.first - start).days
    last = (milestone.date.last - start).days
    middle = first + (last - first) // 2
    quantiles: dict[str, dt.date | None] = {}
    for q in (BAND[0], 0.5, BAND[1]):
        day = quantile_day(days, q)
        quantiles[f"P{round(q * 100)}"] = add_days(start, day) if np.isfinite(day) else None
    return Placement(
        milestone=milestone,
        percentile=percentile_of(days, middle),
        low=percentile_of(days, first),
        high=percentile_of(days, last),
        quantiles=quantiles,
        reached=float(np.mean(np.isfinite(days))),
    )


def run_case(
    path: Path, *, replications: int | None = None, seed: int | None = None, jobs: int = 1
) -> Case:
    """Run the history scenario at ``path`` and place its observed milestones."""
    scenario = load_scenario(path)
    observed = read_observed(path, scenario)
    states = sorted({m.state for m in observed.modelled if m.state is not None})
    results, days = entry_days(scenario, observed.candidate, states, replications=replications, seed=seed, jobs=jobs)
    placements = tuple(
        place(days[m.state], m, scenario.start) for m in observed.modelled if m.state is not None
    )
    return Case(path, results, observed, placements, days)


def entry_days(scenario: Scenario, candidate: str, states: Sequence[str], **options: Any) -> tuple[Results, dict[str, np.ndarray]]:
    """Run ``scenario`` (``options`` as :func:`~partnersim.simulation.simulate` takes them) and give, for each of
    ``states``, the day each replication's case of ``candidate`` entered it (inf: never)."""
    collected: dict[str, list[np.ndarray]] = {state: [] for state in states}

    def keep(model: Model, records: Records) -> None:
        c = model.candidate_codes.index(candidate)
        for state in states:
            entered = records.entry[:, c, model.states.index(state)]
            collected[state].append(np.where(np.isnan(entered), np.inf, entered))

    results = simulate(scenario, on_records=keep, **options)
    return results, {state: np.concatenate(parts) for state, parts in collected.items()}


def fit_check(scenario: Scenario, observed: Observed) -> str | None:
    """Whether the file's ally delays still match a fit of the columns it names; a message if not.

    Returns None when the file names no columns, or when every number agrees
    with a fresh fit after rounding as the snippet rounds.
    """
    if not observed.fitted_on:
        return None
    from partnersim.history.fit import fit_delays
    from partnersim.history.sample import read_delays

    fit = fit_delays(read_delays(None, list(observed.fitted_on)).days).params
    expected = {
        "deliberation median": fit.body_median,
        "deliberation p90": fit.body_p90,
        "hold probability": fit.hold_p,
        "hold median": fit.hold_median,
    }
    # The fit may be given to every ally or to one consensus stage's: it is in force if any stage runs with it.
    best: list[str] | None = None
    for ally in _default_allies(scenario):
        actual = {
            "deliberation median": _quantile(ally.deliberation, 0.5),
            "deliberation p90": _quantile(ally.deliberation, 0.9),
            "hold probability": ally.hold.probability,
            "hold median": _quantile(ally.hold.duration, 0.5),
        }
        off = [
            f"{key} {actual[key]:.3g} (fit: {value:.3g})"
            for key, value in expected.items()
            if not np.isclose(actual[key], value, rtol=0.05, atol=0.002)
        ]
        if best is None or len(off) < len(best):
            best = off
    if not best:
        return None
    return f"the ally defaults differ from a fit of {' + '.join(observed.fitted_on)}: " + "; ".join(best)


def _default_allies(scenario: Scenario) -> list[AllyParams]:
    """What an ally with no entry of its own does at each consensus stage: the stage's defaults laid over the
    top-level ones (a top-level default a stage overrides is not in force there)."""
    found = []
    for params in scenario.stages.values():
        if isinstance(params, ConsensusStage):
            found += layer_allies(scenario.allies, params, [NO_ENTRY])
    return found


NO_ENTRY = "(an ally with no entry of its own)"


def _quantile(dist: object, q: float) -> float:
    if isinstance(dist, (Gamma, Lognormal)):
        return float(dist.ppf(np.array([q]))[0])
    return float("nan")


def history_scenarios(folder: Path) -> list[Path]:
    """The history scenarios in ``folder``, in name order."""
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


__all__ = [
    "BAND",
    "Case",
    "Placement",
    "entry_days",
    "fit_check",
    "history_scenarios",
    "percentile_of",
    "place",
    "quantile_day",
    "run_case",
]
