"""Residual life: the days still to come for a draw known to have lasted a while already.

The ground on which forecasts will start from where things stand: a case that
has waited ``e`` days draws its remaining time from the distribution
conditioned on exceeding ``e``. Each family is checked in closed form where
one exists, and every family against an independent rejection sampler (draw,
keep what exceeds ``e``), with the Kolmogorov–Smirnov distance held under the
bound that the Dvoretzky–Kiefer–Wolfowitz inequality gives at one chance in a
million.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy.special import ndtr, ndtri

from partnersim.values.distributions import Distribution

U = (np.arange(4000) + 0.5) / 4000  # quantiles, evenly spread


DURATION = TypeAdapter(Distribution)


def dist(value: object) -> Distribution:
    return DURATION.validate_python(value)


def test_an_exponential_wait_forgets_how_long_it_has_lasted() -> None:
    d = dist({"exponential": {"mean": "30d"}})
    for elapsed in (0.0, 10.0, 300.0, 3000.0):
        assert np.allclose(d.residual(U, elapsed), d.ppf(U), rtol=1e-9, atol=1e-9)


def test_a_uniform_wait_is_uniform_over_what_is_left() -> None:
    d = dist({"uniform": ["10d", "50d"]})
    assert np.allclose(d.residual(U, 20.0), U * 30.0)
    assert np.allclose(d.residual(U, 5.0), 5.0 + U * 40.0)  # before the range: all of it still to come
    assert np.isnan(d.residual(U, 60.0)).all()  # past its end, no draw can be this long


def test_a_lognormal_wait_has_the_conditional_quantiles_in_closed_form() -> None:
    """Median 100 days, p90 400 days; after 365 days, the q-quantile of the remaining time is
    exp(mu + sigma·Φ⁻¹(1 − (1 − q)·S)) − 365, with S = 1 − Φ((ln 365 − mu)/sigma)."""
    d = dist({"lognormal": {"median": "100d", "p90": "400d"}})
    mu, sigma = math.log(100), (math.log(400) - math.log(100)) / 1.2815515655446004
    survive = float(ndtr(-(math.log(365) - mu) / sigma))
    for q in (0.1, 0.5, 0.9, 0.999):
        expected = math.exp(mu + sigma * float(ndtri(1 - (1 - q) * survive))) - 365
        assert d.residual(np.array([q]), 365.0)[0] == pytest.approx(expected, rel=1e-9)


def test_far_in_the_tail_the_residual_stays_exact() -> None:
    """A lognormal after 100 times its median: the survival function is about 1e-13, where 1 − F rounds away."""
    d = dist({"lognormal": {"median": "10d", "p90": "30d"}})
    rest = d.residual(U, 1000.0)
    assert np.all(np.isfinite(rest)) and np.all(rest >= 0) and np.all(np.diff(rest) > 0)


CASES = [
    {"uniform": ["10d", "400d"]},
    {"triangular": ["10d", "60d", "400d"]},
    {"pert": ["10d", "60d", "400d"]},
    {"normal": {"mean": "100d", "sd": "40d"}},
    {"lognormal": {"median": "60d", "p90": "300d"}},
    {"gamma": {"mean": "90d", "cv": 1.4}},
    {"exponential": {"mean": "50d"}},
    {"empirical": ["5d", "20d", "20d", "90d", "200d", "365d", "700d"]},
]


@pytest.mark.parametrize("value", CASES, ids=[next(iter(case)) for case in CASES])
@pytest.mark.parametrize("elapsed", [30.0, 120.0])
def test_the_residual_matches_a_rejection_sampler(value: object, elapsed: float) -> None:
    d = dist(value)
    rng = np.random.default_rng(11)
    draws = d.ppf(rng.random(200_000))
    kept = np.sort(draws[draws > elapsed] - elapsed)
    assert kept.size > 10_000
    ours = np.sort(d.residual(rng.random(kept.size), elapsed))
    # Two-sample KS distance, against the DKW bound for each sample at one chance in a million.
    grid = np.union1d(kept, ours)
    distance = np.max(np.abs(np.searchsorted(kept, grid, side="right") / kept.size
                             - np.searchsorted(ours, grid, side="right") / ours.size))
    bound = 2 * math.sqrt(math.log(2 / 1e-6) / (2 * kept.size))
    assert distance < bound
