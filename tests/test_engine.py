"""The engine against results known in closed form.

Each check uses a fixed seed and a tolerance of four standard errors derived
from the variance of the quantity, so a correct engine fails with probability
below 1e-4 and a wrong one (off by more than a few percent) is caught.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from partnersim.engine import compile_scenario, run_chunk
from partnersim.simulation import simulate

from .conftest import scenario

NO_HOLDS = {"hold": {"probability": 0.0}}
INSTANT = {"deliberation": "0d", "hold": {"probability": 0.0}}


def quick_rest(**stage_overrides: object) -> dict[str, object]:
    """Stages after consensus that take no time and never fail."""
    stages: dict[str, object] = {
        "expert_talks": {"teams": 10, "round": "0d", "agreement": 1.0},
        "ipcp_drafting": {"duration": "0d"},
        "ipcp_approval": {"allies": {"default": INSTANT}},
    }
    stages.update(stage_overrides)
    return stages


def stage_mean(results: object, code: str, stage: str) -> float:
    candidate = results.candidate(code)  # type: ignore[attr-defined]
    return next(s.mean_days for s in candidate.stages if s.stage == stage)


def test_consensus_time_is_the_maximum_of_exponential_deliberations() -> None:
    n_allies, mean, reps = 12, 20.0, 4000
    allies = [f"A{chr(65 + i)}A" for i in range(n_allies)]
    s = scenario(
        alliance=allies,
        allies={"default": {"deliberation": {"exponential": {"mean": f"{mean}d"}}, **NO_HOLDS}},
        stages=quick_rest(),
        replications=reps,
        horizon="20y",
    )
    results = simulate(s)
    harmonic = sum(1 / k for k in range(1, n_allies + 1))
    variance = mean**2 * sum(1 / k**2 for k in range(1, n_allies + 1))
    expected = mean * harmonic
    assert stage_mean(results, "ARG", "consensus") == pytest.approx(expected, abs=4 * math.sqrt(variance / reps))
    assert results.candidate("ARG").outcomes["cooperation"].p == 1.0


@pytest.mark.parametrize("veto", [0.1, 0.35])
def test_one_ally_vetoing_with_probability_v_rejects_with_probability_v(veto: float) -> None:
    reps = 4000
    s = scenario(
        alliance=["AAA"],
        allies={"default": {"deliberation": "1w", "hold": {"probability": veto, "duration": "1mo", "lifted": 0.0}}},
        stages=quick_rest(),
        replications=reps,
    )
    rejected = simulate(s).candidate("ARG").outcomes["rejected"]
    assert rejected.p == pytest.approx(veto, abs=4 * math.sqrt(veto * (1 - veto) / reps))


def test_talk_rounds_are_geometric_in_the_agreement_probability() -> None:
    p, round_days, limit, reps = 0.4, 10.0, 3, 4000
    s = scenario(
        allies={"default": INSTANT},
        stages=quick_rest(expert_talks={"teams": 5, "round": f"{round_days}d", "agreement": p}),
        replications=reps,
    )
    talks = stage_mean(simulate(s), "ARG", "expert_talks")
    variance = round_days**2 * (1 - p) / p**2
    assert talks == pytest.approx(round_days / p, abs=4 * math.sqrt(variance / reps))

    limited = scenario(
        allies={"default": INSTANT},
        stages=quick_rest(expert_talks={"teams": 5, "round": "10d", "agreement": p, "max_rounds": limit}),
        replications=reps,
    )
    failed = simulate(limited).candidate("ARG").outcomes["talks_failed"]
    expected = (1 - p) ** limit
    assert failed.p == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / reps))


def test_a_withdrawal_hazard_gives_exponential_survival() -> None:
    rate, years, reps = 0.3, 4, 4000
    s = scenario(
        horizon=f"{years}y",
        allies={"default": {"deliberation": "50y", "hold": {"probability": 0.0}}},
        candidates=[{"code": "ARG", "request": "2025-01-01", "withdrawal": {"annual_rate": rate}}],
        replications=reps,
    )
    outcomes = simulate(s).candidate("ARG").outcomes
    expected = 1 - math.exp(-rate * years)
    tolerance = 4 * math.sqrt(expected * (1 - expected) / reps)
    assert outcomes["withdrawn"].p == pytest.approx(expected, abs=tolerance)
    assert outcomes["pending"].p == pytest.approx(1 - expected, abs=tolerance)


def test_candidates_queue_for_a_shared_expert_team() -> None:
    s = scenario(
        allies={"default": INSTANT},
        stages=quick_rest(expert_talks={"teams": 1, "round": "30d", "agreement": 1.0}),
        candidates=[
            {"code": "ARG", "request": "2025-01-01"},
            {"code": "BRA", "request": "2025-01-01"},
            {"code": "CHL", "request": "2025-01-01"},
        ],
        replications=20,
    )
    results = simulate(s)
    # In each replication one is served first (30 days), one second (60), one third (90), in a drawn order
    # (tests/test_engine_review.py checks the order); so the three means add up to 180 days.
    waits = [stage_mean(results, code, "expert_talks") for code in ("ARG", "BRA", "CHL")]
    assert sum(waits) == pytest.approx(180.0) and all(30.0 <= w <= 90.0 for w in waits)


def test_pending_cases_are_censored_at_the_horizon_not_dropped() -> None:
    s = scenario(horizon="1y", allies={"default": {"deliberation": "2y", "hold": {"probability": 0.0}}})
    results = simulate(s)
    candidate = results.candidate("ARG")
    assert candidate.outcomes["pending"].p == 1.0
    assert candidate.pending_at == {"consensus": 1.0}
    assert candidate.dates["P50"] is None
    assert stage_mean(results, "ARG", "consensus") == pytest.approx(s.horizon_days)


def test_a_case_that_already_reached_a_stage_starts_there() -> None:
    s = scenario(
        allies={"default": INSTANT},
        candidates=[{"code": "ARG", "request": "2024-04-18", "stage": "ipcp_drafting"}],
        stages=quick_rest(ipcp_drafting={"duration": "100d"}),
        replications=50,
    )
    candidate = simulate(s).candidate("ARG")
    entered = {stage.stage: stage.entered for stage in candidate.stages}
    assert entered == {"consensus": 0.0, "expert_talks": 0.0, "ipcp_drafting": 1.0, "ipcp_approval": 1.0}
    assert candidate.dates["P50"].isoformat() == "2025-04-11"  # 100 days after the start


def test_a_future_request_date_delays_the_case() -> None:
    s = scenario(
        allies={"default": INSTANT},
        stages=quick_rest(),
        candidates=[{"code": "BRA", "request": "2026-01-01"}],
        replications=20,
    )
    assert simulate(s).candidate("BRA").dates["P10"].isoformat() == "2026-01-01"


def test_holds_that_are_never_lifted_end_in_veto_and_runs_never_hang() -> None:
    s = scenario(
        allies={"default": {"deliberation": "0d", "hold": {"probability": 1.0, "duration": "0d", "lifted": 0.0}}},
        stages=quick_rest(expert_talks={"teams": 1, "round": "0d", "agreement": 0.0}),
        replications=50,
    )
    assert simulate(s).candidate("ARG").outcomes["rejected"].p == 1.0
    endless = scenario(
        allies={"default": INSTANT},
        stages=quick_rest(expert_talks={"teams": 1, "round": "0d", "agreement": 0.0}),
        replications=50,
    )
    assert simulate(endless).candidate("ARG").outcomes["pending"].p == 1.0


def test_results_do_not_depend_on_chunking_or_workers() -> None:
    s = scenario(
        allies={"TUR": {"hold": {"probability": 0.3}}},
        candidates=[
            {"code": "ARG", "request": "2024-04-18", "withdrawal": {"annual_rate": 0.1}},
            {"code": "BRA", "request": {"uniform": ["2025-06-01", "2027-01-01"]}},
        ],
        stages={"expert_talks": {"teams": 1}},
        replications=1200,
    )
    model = compile_scenario(s)
    whole = run_chunk(model, s.seed, 0, 1000)
    part = run_chunk(model, s.seed, 600, 400)
    assert np.array_equal(whole.outcome[600:], part.outcome)
    assert np.array_equal(whole.end[600:], part.end)
    one = simulate(s, jobs=1).to_dict()
    two = simulate(s, jobs=2).to_dict()
    assert one == two


def test_a_different_seed_gives_different_draws() -> None:
    s = scenario(allies={"TUR": {"hold": {"probability": 0.3}}}, replications=500)
    assert simulate(s, seed=1).to_dict() != simulate(s, seed=2).to_dict()


@pytest.mark.parametrize(("count", "n"), [(0, 100), (1, 100), (41, 100), (99, 100), (100, 100), (3, 7)])
def test_the_wilson_interval_matches_scipy(count: int, n: int) -> None:
    from scipy.stats import binomtest

    from partnersim.results import wilson

    reference = binomtest(count, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson(count, n) == pytest.approx((reference.low, reference.high), abs=1e-12)


def test_allies_tied_for_last_are_named_evenly_not_by_roster_order() -> None:
    from scipy.stats import chisquare

    reps = 3200
    s = scenario(
        alliance=["AAA", "BBB", "CCC", "DDD"],
        allies={"default": {"deliberation": "1w", "hold": {"probability": 0.0}}},
        stages=quick_rest(),
        replications=reps,
    )
    model = compile_scenario(s)
    last = run_chunk(model, s.seed, 0, reps).allies[0].last[:, 0]
    counts = np.bincount(last, minlength=4)
    assert counts.sum() == reps
    assert chisquare(counts).pvalue > 1e-4


def test_precision_adds_replications_until_every_interval_is_narrow_enough() -> None:
    s = scenario(
        allies={"default": {"deliberation": "1w", "hold": {"probability": 0.02, "lifted": 0.0}}},
        candidates=[{"code": "ARG", "request": "2025-01-01"}, {"code": "BRA", "request": "2027-01-01"}],
    )
    one = simulate(s, precision=0.02, jobs=1)
    two = simulate(s, precision=0.02, jobs=2)
    assert one.to_dict() == two.to_dict()
    n = one.replications
    assert n % 500 == 0 and n >= 1000
    for candidate in one.candidates:
        estimate = candidate.outcomes["cooperation"]
        assert (estimate.high - estimate.low) / 2 <= 0.02
    # one chunk fewer would not have been enough for at least one candidate
    shorter = simulate(s, replications=n - 500)
    widths = [(c.outcomes["cooperation"].high - c.outcomes["cooperation"].low) / 2 for c in shorter.candidates]
    assert n == 1000 or max(widths) > 0.02


def test_very_long_durations_are_kept_exactly_and_end_pending() -> None:
    import yaml

    from partnersim.results.rundir import resolved_yaml
    from partnersim.scenario import scenario_from_dict

    s = scenario(
        allies={"default": {"hold": {"probability": 0.0}},
                "TUR": {"hold": {"probability": 1, "duration": "99999y", "lifted": 1}}},
        stages={"ipcp_drafting": {"duration": "12345.67y"}},
        replications=50,
    )
    again = scenario_from_dict(yaml.safe_load(resolved_yaml(s)))
    assert again == s
    assert simulate(s).candidate("ARG").outcomes["pending"].p == 1.0
