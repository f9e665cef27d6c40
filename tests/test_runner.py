"""Runners: the same results whatever executes the chunks."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from partnersim.executors import Executor
from partnersim.runner import chunks
from partnersim.simulation import simulate

from .conftest import scenario

ROOT = Path(__file__).resolve().parents[1]


def test_chunks_cover_every_replication_once() -> None:
    parts = list(chunks(1234, size=500))
    assert parts == [(0, 500), (500, 500), (1000, 234)]
    endless = chunks(None, size=10)
    assert [next(endless) for _ in range(3)] == [(0, 10), (10, 10), (20, 10)]


def test_a_dask_local_cluster_gives_identical_results() -> None:
    pytest.importorskip("dask.distributed")
    s = scenario(
        allies={"TUR": {"hold": {"probability": 0.3}}},
        candidates=[
            {"code": "ARG", "request": "2024-04-18", "withdrawal": {"annual_rate": 0.1}},
            {"code": "BRA", "request": {"uniform": ["2025-06-01", "2027-01-01"]}},
            {"code": "CHL", "request": "2025-03-01"},
        ],
        stages={"expert_talks": {"teams": 1}},
        replications=1500,
    )
    local = simulate(s, jobs=1).to_dict()
    on_dask = simulate(s, executor=Executor(kind="dask", jobs=2)).to_dict()
    assert on_dask == local


def test_partnersim_agrees_with_the_plain_simpy_model() -> None:
    """The bench workload two ways: same success rate and median date within sampling error.

    Success rates are compared with a two-proportion z-test at four standard
    errors. For the median, the order statistics of the plain model's sample
    give a distribution-free interval (ranks n/2 ± 4·√n/2) that must contain
    partnersim's median day.
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import plain_simpy
    finally:
        sys.path.pop(0)
    n_plain, n_ours = 3000, 20000
    plain = plain_simpy.run(n_plain, candidates=1, seed=11)
    days = np.sort([r[0]["cooperation"] for r in plain if "cooperation" in r[0]])
    p_plain = len(days) / n_plain

    ours = simulate(ROOT / "scenarios" / "bench" / "one-candidate.yaml", replications=n_ours, seed=11)
    candidate = ours.candidates[0]
    p_ours = candidate.outcomes["cooperation"].p
    pooled = (p_plain * n_plain + p_ours * n_ours) / (n_plain + n_ours)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_plain + 1 / n_ours))
    assert abs(p_plain - p_ours) < 4 * se

    # partnersim's median day among replications that reached cooperation
    cdf = candidate.cdf
    median_ours = int(np.searchsorted(cdf, cdf[-1] / 2))
    k = len(days)
    low = days[max(0, int(k / 2 - 4 * np.sqrt(k) / 2))]
    high = days[min(k - 1, int(k / 2 + 4 * np.sqrt(k) / 2))]
    assert low - 1 <= median_ours <= high + 1


def test_design_points_on_dask_match_local_points() -> None:
    pytest.importorskip("dask.distributed")
    from partnersim.whatif.points import design_points

    base = scenario(replications=400)
    values = [{"allies.TUR.hold.probability": p} for p in (0.1, 0.6)]
    local = design_points(base, values, ["0.1", "0.6"], executor=Executor(jobs=1))
    remote = design_points(base, values, ["0.1", "0.6"], executor=Executor(kind="dask", jobs=2))
    assert [p.results.to_dict() for p in remote] == [p.results.to_dict() for p in local]
    assert all(np.array_equal(a.outcome, b.outcome) for a, b in zip(local, remote, strict=True))
