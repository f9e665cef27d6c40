"""Expert-elicited durations: stated quantiles fitted by least squares on the CDF, experts pooled linearly.

Fits are checked against quantiles computed from known distributions (which
they must recover), the pool against its CDF in closed form, and every
refused judgement by the text of its message. Statistical checks use fixed
seeds and tolerances derived from the sample's own spread.
"""

from __future__ import annotations

import math
import pickle
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scipy.special import gammaincinv, ndtri

from partnersim.stats import Z90
from partnersim.values.distributions import Gamma, Lognormal
from partnersim.values.durations import parse_duration
from partnersim.values.elicited import (
    TOLERANCE,
    Elicited,
    ElicitedParams,
    ExpertFit,
    elicit,
    elicit_probability,
)

FAST = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

ONE = {"elicited": {"p10": "3mo", "p50": "8mo", "p90": "2y"}}
PANEL = {"elicited": {"experts": [
    {"name": "Desk officer A", "source": "interview 2026-11-03", "weight": 0.6,
     "p10": "3mo", "p50": "8mo", "p90": "2y"},
    {"name": "Analyst B", "source": "workshop notes 2026-11-20", "weight": 0.4,
     "p25": "5mo", "p50": "1y", "p75": "18mo"},
]}}
THREE = {"elicited": {"experts": [
    {"name": "A", "p10": "2w", "p50": "6w", "p90": "5mo"},
    {"name": "B", "p5": "3mo", "p50": "9mo", "p95": "3y"},
    {"name": "C", "p25": "1mo", "p50": "2mo", "p75": "4mo"},
]}}
# Quantiles at which tables are read, from far in the lower tail to far in the upper.
U = np.concatenate([[1e-9, 1e-6, 1e-3], np.linspace(0.01, 0.99, 99), [1 - 1e-3, 1 - 1e-6, 1 - 1e-9]])


def elicited(value: dict[str, Any]) -> Elicited:
    return Elicited.model_validate(value)


def problem(value: dict[str, Any]) -> str:
    """The one-line message a refused judgement gives."""
    with pytest.raises(ValidationError) as caught:
        elicited(value)
    errors = caught.value.errors()
    assert len(errors) == 1
    return str(errors[0]["msg"]).removeprefix("Value error, ")


def closed_form(dist: Lognormal | Gamma) -> Any:
    """The same distribution in scipy.stats, from its parameters."""
    if isinstance(dist, Lognormal):
        mu, sigma = dist.lognormal.log_params()
        return scipy.stats.lognorm(sigma, scale=math.exp(mu))
    shape, scale = dist.gamma.shape_scale()
    return scipy.stats.gamma(shape, scale=scale)


def lognormal_points(median: float, p90: float, probabilities: tuple[float, ...]) -> dict[float, float]:
    mu, sigma = math.log(median), (math.log(p90) - math.log(median)) / Z90
    return {p: math.exp(mu + sigma * float(ndtri(p))) for p in probabilities}


# --- fitting ----------------------------------------------------------------------------------------


def test_quantiles_of_a_lognormal_are_recovered() -> None:
    median, p90 = parse_duration("8mo"), parse_duration("2y")
    fit = elicit(lognormal_points(median, p90, (0.1, 0.25, 0.5, 0.75, 0.9)))
    assert fit.family == "lognormal"
    assert fit.params["mu"] == pytest.approx(math.log(median), rel=1e-6)
    assert fit.params["sigma"] == pytest.approx((math.log(p90) - math.log(median)) / Z90, rel=1e-6)
    assert fit.sse < 1e-20
    assert fit.sse_by_family["gamma"] > 1e-6  # the gamma was tried, and fits worse
    assert isinstance(fit.dist, Lognormal)


@pytest.mark.parametrize(("shape", "scale"), [(0.4, 30.0), (2.5, 60.0), (12.0, 20.0)])
def test_quantiles_of_a_gamma_are_recovered(shape: float, scale: float) -> None:
    fit = elicit({p: scale * float(gammaincinv(shape, p)) for p in (0.05, 0.25, 0.5, 0.75, 0.95)})
    assert fit.family == "gamma"
    assert fit.params["shape"] == pytest.approx(shape, rel=1e-6)
    assert fit.params["scale"] == pytest.approx(scale, rel=1e-6)
    assert fit.sse < 1e-20
    assert isinstance(fit.dist, Gamma)
    assert fit.dist.gamma.shape_scale() == (fit.params["shape"], fit.params["scale"])


@FAST
@given(
    mu=st.floats(1.0, 8.0),
    sigma=st.floats(0.1, 2.0),
    probabilities=st.sets(st.sampled_from([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]), min_size=3),
)
def test_any_three_or_more_lognormal_quantiles_are_recovered(mu: float, sigma: float,
                                                              probabilities: set[float]) -> None:
    fit = elicit({p: math.exp(mu + sigma * float(ndtri(p))) for p in probabilities})
    assert fit.family == "lognormal"
    assert fit.params["mu"] == pytest.approx(mu, rel=1e-6)
    assert fit.params["sigma"] == pytest.approx(sigma, rel=1e-6)


def test_two_quantiles_fit_either_family_exactly_and_the_lognormal_is_kept() -> None:
    fit = elicit({0.5: 100.0, 0.9: 400.0})
    assert all(c.sse < 1e-20 for c in fit.candidates)
    assert fit.family == "lognormal"
    assert fit.params["mu"] == pytest.approx(math.log(100.0), rel=1e-9)


def test_a_fit_reports_its_gaps_at_the_stated_points() -> None:
    points = {0.25: parse_duration("5mo"), 0.5: parse_duration("1y"), 0.75: parse_duration("18mo")}
    fit = elicit(points)
    cdf = closed_form(fit.dist).cdf(np.array(list(points.values())))
    assert np.allclose(fit.best.gaps, cdf - np.array(list(points)), atol=1e-12)
    assert fit.sse == pytest.approx(float(np.sum((cdf - np.array(list(points))) ** 2)), rel=1e-9)
    assert fit.worst == pytest.approx(float(np.max(np.abs(cdf - np.array(list(points))))), rel=1e-9)
    assert fit.sse == min(fit.sse_by_family.values())


@pytest.mark.parametrize(("points", "text"), [
    ({0.5: 10.0}, "at least two quantiles"),
    ({0.0: 1.0, 0.5: 10.0}, "between 0 and 1"),
    ({0.5: 0.0, 0.9: 10.0}, "must be above 0"),
    ({0.1: 30.0, 0.5: 10.0}, "must increase with the probability"),
])
def test_elicit_refuses_points_that_are_not_quantiles(points: dict[float, float], text: str) -> None:
    with pytest.raises(ValueError, match=text):
        elicit(points)


def test_the_chance_of_an_event_is_fitted_by_a_beta() -> None:
    beta = scipy.stats.beta(2.0, 5.0)
    fit = elicit_probability({p: float(beta.ppf(p)) for p in (0.1, 0.5, 0.9)})
    assert (fit.a, fit.b) == (pytest.approx(2.0, rel=1e-6), pytest.approx(5.0, rel=1e-6))
    assert fit.mean == pytest.approx(2 / 7, rel=1e-6)
    assert fit.sse < 1e-20 and fit.within_tolerance
    assert [f for _, f in fit.fitted] == pytest.approx([float(beta.ppf(p)) for p in (0.1, 0.5, 0.9)], rel=1e-6)
    assert np.allclose(fit.ppf(np.array([0.3, 0.7])), beta.ppf([0.3, 0.7]), rtol=1e-6)


def test_a_chance_that_no_beta_fits_is_reported_out_of_tolerance() -> None:
    fit = elicit_probability({0.1: 0.05, 0.5: 0.5, 0.6: 0.9, 0.9: 0.91})
    assert not fit.within_tolerance
    assert fit.worst > TOLERANCE


@pytest.mark.parametrize("points", [{0.1: 0.0, 0.9: 0.5}, {0.1: 0.2, 0.9: 1.0}, {0.1: 0.6, 0.9: 0.5}])
def test_a_chance_must_lie_strictly_between_0_and_1_and_increase(points: dict[float, float]) -> None:
    with pytest.raises(ValueError, match="chance must be above 0 and below 1|must increase"):
        elicit_probability(points)


# --- one expert ---------------------------------------------------------------------------------------


def test_one_expert_is_the_fitted_family_itself() -> None:
    d = elicited(ONE)
    fitted = d.elicited.fit.dist
    assert np.array_equal(d.ppf(U), fitted.ppf(U))
    assert np.array_equal(d.isf(U), fitted.isf(U))
    x = fitted.ppf(U)
    assert np.array_equal(d.sf(x), fitted.sf(x))
    assert np.allclose(d.cdf(x), U, rtol=1e-9)
    assert d.mean() == fitted.mean()
    assert d.describe() == "elicited: lognormal fitted to 3 quantiles (p10 3mo, p50 8mo, p90 2y)"


def test_the_report_sets_the_fitted_quantiles_beside_the_stated() -> None:
    d = elicited(PANEL)
    fits = d.fits()
    assert [f.name for f in fits] == ["Desk officer A", "Analyst B"]
    assert [f.source for f in fits] == ["interview 2026-11-03", "workshop notes 2026-11-20"]
    assert [f.weight for f in fits] == [0.6, 0.4]
    for fit, expert in zip(fits, d.elicited.experts or [], strict=True):
        assert isinstance(fit, ExpertFit)
        assert fit.stated == tuple((p, days) for _, p, days in expert.stated())
        probabilities = np.array([p for p, _ in fit.stated])
        assert [p for p, _ in fit.fitted] == probabilities.tolist()
        assert [days for _, days in fit.fitted] == expert.fit.dist.ppf(probabilities).tolist()
        assert fit.family == expert.fit.family and fit.params == expert.fit.params
        assert fit.sse == expert.fit.sse and fit.worst <= TOLERANCE
    assert [p for p, _ in fits[1].stated] == [0.25, 0.5, 0.75]
    assert fits[0].describe == "lognormal median 8.13mo, p90 23mo"
    assert fits[1].describe.startswith("gamma mean ")


# --- a panel: the linear pool ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool() -> Elicited:
    return elicited(PANEL)


def parts(d: Elicited) -> list[tuple[Any, float]]:
    return [(closed_form(j.fit.dist), w) for _, j, w in d.elicited.panel()]


def test_the_pool_has_the_weighted_cdf_of_its_experts(pool: Elicited) -> None:
    x = np.geomspace(1.0, 1e5, 200)
    expected = sum(w * dist.cdf(x) for dist, w in parts(pool))
    assert np.allclose(pool.cdf(x), expected, rtol=1e-12, atol=0)
    assert np.allclose(pool.sf(x), sum(w * dist.sf(x) for dist, w in parts(pool)), rtol=1e-12, atol=0)
    assert pool.describe() == "elicited: linear pool of 2 experts"


@pytest.mark.parametrize("panel", [PANEL, THREE], ids=["two", "three"])
def test_the_pool_quantiles_invert_its_cdf(panel: dict[str, Any]) -> None:
    d = elicited(panel)
    x = d.ppf(U)
    lower = U <= 0.5  # each tail checked by the function that keeps its precision there
    assert np.allclose(d.cdf(x[lower]) / U[lower], 1.0, rtol=0, atol=1e-8)
    assert np.allclose(d.sf(x[~lower]) / (1 - U[~lower]), 1.0, rtol=0, atol=1e-7)
    days = np.geomspace(x[0], x[-1], 300)
    assert np.allclose(d.ppf(d.cdf(days)), days, rtol=1e-6, atol=0)
    fine = d.ppf(np.linspace(1e-6, 1 - 1e-6, 200_001))
    assert np.all(np.diff(fine) > 0)


def test_a_pool_of_experts_far_apart_jumps_the_gap_between_them() -> None:
    """Days from one expert and years from the other: between them the CDF is flat, the quantiles leap."""
    d = elicited(panel({"name": "soon", "p10": "1d", "p50": "1.2d", "p90": "1.4d"},
                       {"name": "late", "p10": "10y", "p50": "10.5y", "p90": "11y"}))
    u = np.linspace(1e-7, 1 - 1e-7, 200_001)
    x = d.ppf(u)
    assert np.all(np.diff(x) >= 0)
    lower = u <= 0.5
    assert np.allclose(d.cdf(x[lower]) / u[lower], 1.0, rtol=0, atol=1e-7)
    assert np.allclose(d.sf(x[~lower]) / (1 - u[~lower]), 1.0, rtol=0, atol=1e-7)
    assert x[u < 0.4].max() < 2.0 and x[u > 0.6].min() > parse_duration("9y")


def test_the_pool_upper_tail_is_exact_beyond_where_one_minus_cdf_rounds_away(pool: Elicited) -> None:
    p = np.array([1e-12, 1e-20, 1e-30, 1e-40])
    assert np.allclose(pool.sf(pool.isf(p)) / p, 1.0, rtol=0, atol=1e-8)
    q = np.array([0.3, 0.05, 1e-4])
    assert np.allclose(pool.isf(q), pool.ppf(1 - q), rtol=1e-8)


def test_the_pool_ends_of_its_support(pool: Elicited) -> None:
    assert pool.ppf(np.array([0.0]))[0] == 0.0
    assert pool.ppf(np.array([1.0]))[0] == math.inf
    assert pool.isf(np.array([0.0]))[0] == math.inf
    assert pool.isf(np.array([1.0]))[0] == 0.0


def test_the_pool_mean_is_the_weighted_mean_of_its_experts(pool: Elicited) -> None:
    assert pool.mean() == pytest.approx(sum(w * dist.mean() for dist, w in parts(pool)), rel=1e-12)
    draws = pool.ppf(np.random.default_rng(20261103).random(400_000))
    error = draws.std(ddof=1) / math.sqrt(draws.size)
    assert abs(draws.mean() - pool.mean()) < 4 * error


def test_the_pool_residual_life_follows_the_conditional_survival(pool: Elicited) -> None:
    elapsed = parse_duration("1y")
    u = (np.arange(20_000) + 0.5) / 20_000
    rest = pool.residual(u, np.full(u.shape, elapsed))
    beyond = pool.sf(np.array(elapsed))
    assert np.allclose(pool.sf(elapsed + rest) / beyond, 1 - u, rtol=1e-7, atol=1e-12)
    for t in (30.0, 180.0, 730.0):
        expected = float(pool.sf(np.array(elapsed + t)) / beyond)
        assert float(np.mean(rest > t)) == pytest.approx(expected, abs=1 / u.size)


def test_an_unweighted_panel_weighs_its_experts_alike() -> None:
    d = elicited(THREE)
    assert [w for _, _, w in d.elicited.panel()] == [pytest.approx(1 / 3)] * 3
    assert d.mean() == pytest.approx(sum(closed_form(j.fit.dist).mean() for _, j, _ in d.elicited.panel()) / 3)


@pytest.mark.parametrize("panel", [ONE, THREE], ids=["one", "three"])
def test_every_method_keeps_the_shape_of_its_arrays(panel: dict[str, Any]) -> None:
    d = elicited(panel)
    u = np.random.default_rng(7).random((4, 3, 5))  # replications, candidates, allies
    flat = d.ppf(u.ravel())
    assert d.ppf(u).shape == u.shape and np.array_equal(d.ppf(u).ravel(), flat)
    assert d.isf(u).shape == u.shape
    assert d.sf(d.ppf(u)).shape == u.shape
    assert d.residual(u, np.full(u.shape, 30.0)).shape == u.shape


def test_scaling_the_stated_durations_scales_the_distribution() -> None:
    for panel in (ONE, PANEL):
        d = elicited(panel)
        doubled = d.scaled(2.0)
        assert np.allclose(doubled.ppf(U), 2 * d.ppf(U), rtol=1e-6)
        assert [f.name for f in doubled.fits()] == [f.name for f in d.fits()]


# --- the scenario's form --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [ONE, PANEL], ids=["one", "panel"])
def test_the_judgement_round_trips_as_written(value: dict[str, Any]) -> None:
    d = elicited(value)
    dumped = d.model_dump(mode="json")
    again = Elicited.model_validate(dumped)
    assert again == d
    assert np.array_equal(again.ppf(U), d.ppf(U))
    assert again == d  # and still, with what each has worked out and kept
    assert "fit" not in str(dumped) and "_pool" not in str(dumped)
    copied = pickle.loads(pickle.dumps(d))  # as the runner sends it to another process
    assert copied == d and np.array_equal(copied.ppf(U), d.ppf(U))
    written = d.model_dump(mode="json", exclude_none=True)["elicited"]
    source = value["elicited"]
    for shown, stated in zip(written.get("experts", [written]), source.get("experts", [source]), strict=True):
        assert list(shown) == list(stated)  # the keys as written, nothing added
        assert all(isinstance(shown[key], str) for key in shown if key.startswith("p"))  # as durations
        assert {k: parse_duration(v) if k.startswith("p") else v for k, v in shown.items()} == {
            k: parse_duration(v) if k.startswith("p") else v for k, v in stated.items()}


def test_the_schema_describes_the_quantile_keys() -> None:
    schema = ElicitedParams.model_json_schema()
    assert list(schema["patternProperties"]) == [r"^p(\d+(?:\.\d+)?)$"]
    assert schema["additionalProperties"] is False


def panel(*experts: dict[str, Any]) -> dict[str, Any]:
    return {"elicited": {"experts": list(experts)}}


A = {"name": "A", "p10": "3mo", "p50": "8mo", "p90": "2y"}
B = {"name": "B", "p25": "5mo", "p50": "1y", "p75": "18mo"}


@pytest.mark.parametrize(("value", "message"), [
    ({"elicited": {"q10": "3mo", "p50": "8mo"}},
     "unknown key 'q10'; expected name, source, experts, or quantiles such as p10, p50 and p90"),
    ({"elicited": {"median": "3mo", "p90": "8mo"}}, "unknown key 'median': write the median as p50"),
    ({"elicited": {"nmae": "A", "p10": "3mo", "p50": "8mo"}},
     "unknown key 'nmae' (did you mean 'name'?), or quantiles such as p10, p50 and p90"),
    ({"elicited": {"p0": "1d", "p50": "8mo"}}, "p0: a quantile's percentage must be above 0 and below 100, got 0"),
    ({"elicited": {"p50": "8mo", "p100": "2y"}},
     "p100: a quantile's percentage must be above 0 and below 100, got 100"),
    ({"elicited": {"p5": "1mo", "p5.0": "2mo", "p50": "8mo"}}, "p5 and p5.0 state the same quantile; keep one"),
    ({"elicited": {"p10": "3mo", "p50": "2mo", "p90": "2y"}},
     "quantiles must increase with the probability: p50 (2mo) is not above p10 (3mo)"),
    ({"elicited": {"p10": "3mo", "p50": "3mo"}},
     "quantiles must increase with the probability: p50 (3mo) is not above p10 (3mo)"),
    ({"elicited": {"p50": "8mo"}},
     "give at least two quantiles, such as p10, p50 and p90 (three or more are better), got 1 (p50)"),
    ({"elicited": {"p10": "0d", "p50": "8mo"}}, "p10 must be more than 0 days, got 0d"),
    ({"elicited": {}}, "give quantiles, such as p10, p50 and p90, or a list of experts"),
    ({"elicited": {"p10": "3mo", "p90": "2y", "experts": [A]}},
     "give either quantiles (p10, p50, …) or a list of experts, not both"),
    (panel(), "experts: the list is empty; give at least one expert"),
    (panel({**A, "weight": 0.6}, B), "give a weight to every expert or to none: B has none"),
    (panel({**A, "weight": 0.6}, {**B, "weight": 0.3}), "the experts' weights must sum to 1, got 0.9"),
    (panel(A, {**B, "name": "A"}), "two experts are named 'A'; give each expert a name of their own"),
    (panel(A, {"name": "Analyst B", "p25": "5mo", "p50": "6mo", "p75": "18mo"}),
     f"no family fits Analyst B's quantiles within {TOLERANCE:g}: the best (lognormal) puts p50 = 6mo at p0.40"),
    ({"elicited": {"p25": "5mo", "p50": "6mo", "p75": "18mo"}},
     "no family fits these quantiles within 0.05: the best (lognormal) puts p50 = 6mo at p0.40"),
])
def test_a_judgement_that_cannot_be_used_says_why(value: dict[str, Any], message: str) -> None:
    assert problem(value) == message


@pytest.mark.parametrize(("value", "text"), [
    (panel({**A, "weight": True}), "expected a number, got True"),
    (panel({**A, "weight": 0}), "greater than 0"),
    (panel({**A, "weight": 1.5}), "less than or equal to 1"),
    (panel({**A, "name": "Desk\nofficer"}), "contains a line break or a tab"),
    ({"elicited": {"p10": "-3mo", "p50": "8mo"}}, "a duration cannot be negative"),
    ({"elicited": {"p10": "soon", "p50": "8mo"}}, "expected a duration such as 10d"),
])
def test_a_value_of_the_wrong_kind_is_refused(value: dict[str, Any], text: str) -> None:
    assert text in problem(value)


def test_a_refused_expert_is_located_by_its_place_in_the_panel() -> None:
    with pytest.raises(ValidationError) as caught:
        elicited(panel(A, {"name": "B", "p10": "3mo", "p50": "1mo"}))
    assert caught.value.errors()[0]["loc"] == ("elicited", "experts", 1)
