"""Tests of the scenario layer: durations and dates, distributions, the loader, shipped files.

Statistical checks use fixed seeds and tolerances derived from each
distribution's variance; hypothesis runs derandomised, so the file gives the
same verdict on every run.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from partnersim.errors import Problem, ScenarioError
from partnersim.kinds.consensus import ConsensusStage, HoldOverride
from partnersim.scenario import load_scenario
from partnersim.scenario.rosters import NATO_2020, NATO_2024
from partnersim.scenario.schema import Scenario
from partnersim.stats import Z90
from partnersim.values.distributions import (
    DATE_KINDS,
    DURATION_KINDS,
    DateDistribution,
    Distribution,
)
from partnersim.values.durations import (
    DAYS_PER_UNIT,
    add_days,
    days_between,
    format_duration,
    parse_date,
    parse_duration,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))

FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

DURATION = TypeAdapter(Distribution)
DATE_DIST = TypeAdapter(DateDistribution)


def dist(value: object):
    """A duration distribution, validated as the loader validates one."""
    return DURATION.validate_python(value)


def ally_hold(scenario: Scenario, code: str, stage: str | None = None) -> HoldOverride:
    """The hold entry written for ``code``, at the top level or in a consensus stage."""
    if stage is None:
        entry = scenario.allies.overrides[code]
    else:
        params = scenario.stages[stage]
        assert isinstance(params, ConsensusStage)
        entry = params.allies.overrides[code]
    assert entry.hold is not None
    return entry.hold


# --- durations and dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("10d", 10.0),
        ("3w", 21.0),
        ("4mo", 121.75),
        ("12mo", 365.25),
        ("2y", 730.5),
        ("1.5y", 547.875),
        (".5w", 3.5),
        ("0d", 0.0),
        (" 3w ", 21.0),
        (45, 45.0),
        (2.5, 2.5),
        (0, 0.0),
    ],
)
def test_parse_duration(text: object, days: float) -> None:
    assert parse_duration(text) == pytest.approx(days)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3w", "a duration cannot be negative, got '-3w'"),
        (-1, "a duration cannot be negative, got -1"),
        ("3W", "expected a duration such as 10d, 3w, 4mo or 2y, got '3W'"),
        ("3m", "expected a duration such as 10d, 3w, 4mo or 2y, got '3m'"),
        ("3 months", "expected a duration such as 10d, 3w, 4mo or 2y, got '3 months'"),
        ("w", "expected a duration such as 10d, 3w, 4mo or 2y, got 'w'"),
        ("", "expected a duration such as 10d, 3w, 4mo or 2y, got ''"),
        ("45", "expected a duration such as 10d, 3w, 4mo or 2y, got '45'"),
        (True, "expected a duration such as 10d, 3w, 4mo or 2y, got True"),
        (None, "expected a duration such as 10d, 3w, 4mo or 2y, got None"),
        ([3], "expected a duration such as 10d, 3w, 4mo or 2y, got [3]"),
        (float("inf"), "a duration must be a finite number of days, got inf"),
        (float("nan"), "a duration must be a finite number of days, got nan"),
    ],
)
def test_parse_duration_rejects(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "0d"), (10, "10d"), (3.5, "3.5d"), (14, "2w"), (21, "3w"), (121.75, "4mo"),
     (365.25, "1y"), (547.875, "1.5y"), (730.5, "2y"), (76.09375, "2.5mo")],
)
def test_format_duration(days: float, text: str) -> None:
    assert format_duration(days) == text


@FAST
@given(st.floats(min_value=0, max_value=36_525, allow_nan=False))
def test_format_then_parse_keeps_the_days(days: float) -> None:
    # Text keeps six significant digits and four decimals of a day.
    assert parse_duration(format_duration(days)) == pytest.approx(days, rel=5e-6, abs=5e-5)


@FAST
@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=99),
       st.sampled_from(sorted(DAYS_PER_UNIT)))
def test_written_durations_survive_a_round_trip(whole: int, hundredths: int, unit: str) -> None:
    text = f"{whole}.{hundredths:02d}{unit}"
    days = parse_duration(text)
    assert parse_duration(format_duration(days)) == pytest.approx(days, rel=5e-6, abs=5e-5)



def test_format_duration_large_values_parse_back() -> None:
    assert parse_duration(format_duration(1_234_567.0)) == 1_234_567.0


def test_parse_date() -> None:
    assert parse_date("2024-04-18") == dt.date(2024, 4, 18)
    assert parse_date(dt.date(2024, 4, 18)) == dt.date(2024, 4, 18)
    with pytest.raises(ValueError, match="expected a date such as 2026-12-01, got a date and time '2024-04-18T10:30:00'"):
        parse_date(dt.datetime(2024, 4, 18, 10, 30))


@pytest.mark.parametrize("value", ["2024-13-01", "2025-02-30", "18/04/2024", "2024-04", "", 20240418, None])
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(value)
    assert str(caught.value) == f"expected an ISO date such as 2025-01-31, got {value!r}"


def test_day_arithmetic() -> None:
    start = dt.date(2026, 12, 1)
    assert days_between(start, dt.date(2027, 12, 1)) == 365.0
    assert days_between(start, dt.date(2024, 4, 18)) == -957.0
    assert add_days(start, 30.9) == dt.date(2026, 12, 31)


# --- duration distributions: closed forms -------------------------------------------------


def _phi(x: float) -> float:
    return 0.0 if math.isinf(x) else math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def truncated_normal_moments(mean: float, sd: float, low: float, high: float | None) -> tuple[float, float]:
    a = (low - mean) / sd
    b = math.inf if high is None else (high - mean) / sd
    z = _cdf(b) - _cdf(a)
    shift = (_phi(a) - _phi(b)) / z
    b_phi = 0.0 if math.isinf(b) else b * _phi(b)
    var = sd * sd * (1 + (a * _phi(a) - b_phi) / z - shift * shift)
    return mean + sd * shift, var


def moments(kind: str, p: dict) -> tuple[float, float]:
    """Mean and variance in closed form, from the parameters as written (in days)."""
    if kind == "elicited":  # a weighted mixture of fitted lognormals and gammas, each in closed form
        first = second = 0.0
        for fit in dist(p).fits():
            if fit.family == "lognormal":
                mu, s2 = fit.params["mu"], fit.params["sigma"] ** 2
                m, v = math.exp(mu + s2 / 2), (math.exp(s2) - 1) * math.exp(2 * mu + s2)
            else:
                k, theta = fit.params["shape"], fit.params["scale"]
                m, v = k * theta, k * theta**2
            first += fit.weight * m
            second += fit.weight * (v + m * m)
        return first, second - first * first
    if kind == "fixed":
        return p["fixed"], 0.0
    if kind == "uniform":
        low, high = p["uniform"]
        return (low + high) / 2, (high - low) ** 2 / 12
    if kind == "triangular":
        a, c, b = p["triangular"]
        return (a + b + c) / 3, (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    if kind == "pert":
        a, m, b = p["pert"]
        alpha, beta = 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)
        var = (b - a) ** 2 * alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1))
        return (a + 4 * m + b) / 6, var
    if kind == "normal":
        q = p["normal"]
        return truncated_normal_moments(q["mean"], q["sd"], q.get("low", 0.0), q.get("high"))
    if kind == "lognormal":
        q = p["lognormal"]
        mu = q["mu"] if "mu" in q else math.log(q["median"])
        sigma = q["sigma"] if "sigma" in q else (math.log(q["p90"]) - mu) / Z90
        return math.exp(mu + sigma**2 / 2), (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2)
    if kind == "gamma":
        q = p["gamma"]
        shape, scale = (q["shape"], q["scale"]) if "shape" in q else (1 / q["cv"] ** 2, q["mean"] * q["cv"] ** 2)
        return shape * scale, shape * scale * scale
    if kind == "exponential":
        return p["exponential"]["mean"], p["exponential"]["mean"] ** 2
    if kind == "empirical":
        values = np.asarray(p["empirical"], dtype=float)
        return float(values.mean()), float(values.var())
    raise AssertionError(kind)


def bounds(kind: str, p: dict) -> tuple[float, float]:
    if kind in ("uniform", "triangular", "pert"):
        values = p[kind]
        return values[0], values[-1]
    if kind == "normal":
        q = p["normal"]
        return q.get("low", 0.0), q.get("high") or math.inf
    if kind == "empirical":
        return min(p["empirical"]), max(p["empirical"])
    if kind == "fixed":
        return p["fixed"], p["fixed"]
    return 0.0, math.inf


GRID = np.linspace(1e-6, 1 - 1e-6, 4001)


def check_distribution(kind: str, params: dict, n: int = 20_000, seed: int = 20261201) -> None:
    """ppf is monotone and within bounds; the mean matches the closed form."""
    d = dist(params)
    mean, var = moments(kind, params)
    low, high = bounds(kind, params)
    scale = max(1.0, abs(mean), abs(low), 0 if math.isinf(high) else abs(high))

    x = d.ppf(GRID)
    assert np.all(np.isfinite(x))
    assert np.all(np.diff(x) >= -1e-9 * scale), "ppf must not decrease"
    assert x.min() >= low - 1e-9 * scale
    assert x.max() <= high + 1e-9 * scale

    assert d.mean() == pytest.approx(mean, rel=1e-3, abs=1e-6 * scale)

    sample = d.ppf(np.random.default_rng(seed).random(n))
    tolerance = 5 * math.sqrt(var / n) + 1e-9 * scale
    assert abs(sample.mean() - mean) <= tolerance


EXAMPLES = [
    ("fixed", {"fixed": 21.0}),
    ("uniform", {"uniform": [30.0, 90.0]}),
    ("uniform", {"uniform": [14.0, 14.0]}),
    ("triangular", {"triangular": [30.0, 60.0, 365.0]}),
    ("triangular", {"triangular": [30.0, 30.0, 90.0]}),
    ("triangular", {"triangular": [30.0, 90.0, 90.0]}),
    ("pert", {"pert": [91.3125, 182.625, 365.25]}),
    ("pert", {"pert": [0.0, 0.0, 100.0]}),
    ("normal", {"normal": {"mean": 42.0, "sd": 14.0}}),
    ("normal", {"normal": {"mean": 10.0, "sd": 20.0}}),
    ("normal", {"normal": {"mean": 42.0, "sd": 14.0, "low": 7.0, "high": 84.0}}),
    ("lognormal", {"lognormal": {"median": 21.0, "p90": 70.0}}),
    ("lognormal", {"lognormal": {"median": 21.0, "p90": 21.0}}),
    ("lognormal", {"lognormal": {"mu": 3.0, "sigma": 0.9}}),
    ("gamma", {"gamma": {"mean": 60.875, "cv": 0.5}}),
    ("gamma", {"gamma": {"shape": 0.5, "scale": 30.0}}),
    ("exponential", {"exponential": {"mean": 182.625}}),
    ("empirical", {"empirical": [1.0, 7.0, 41.0, 265.0, 268.0, 567.0, 601.0]}),
    ("empirical", {"empirical": [5.0]}),
    ("elicited", {"elicited": {"p10": "3mo", "p50": "8mo", "p90": "2y"}}),
    ("elicited", {"elicited": {"experts": [
        {"name": "A", "source": "interview", "weight": 0.6, "p10": "3mo", "p50": "6mo", "p90": "1y"},
        {"name": "B", "weight": 0.4, "p25": "4mo", "p50": "8mo", "p75": "14mo"}]}}),
]


@pytest.mark.parametrize(("kind", "params"), EXAMPLES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(EXAMPLES)])
def test_distribution_examples(kind: str, params: dict) -> None:
    check_distribution(kind, params)


def test_every_duration_kind_has_an_example() -> None:
    assert {kind for kind, _ in EXAMPLES} == set(DURATION_KINDS)


def test_a_bare_duration_is_fixed() -> None:
    d = dist("3w")
    assert type(d).__name__ == "Fixed"
    assert d.ppf(np.array([0.1, 0.9])).tolist() == [21.0, 21.0]


def test_lognormal_quantiles_are_the_median_and_p90() -> None:
    d = dist({"lognormal": {"median": "3w", "p90": "10w"}})
    assert d.ppf(np.array([0.5, 0.9])) == pytest.approx([21.0, 70.0])


def test_exponential_and_triangular_quantiles() -> None:
    assert dist({"exponential": {"mean": 100}}).ppf(np.array([1 - math.exp(-1)]))[0] == pytest.approx(100)
    # The mode of a triangular distribution sits at u = (mode - low) / (high - low).
    assert dist({"triangular": [0, 25, 100]}).ppf(np.array([0.25]))[0] == pytest.approx(25)


def test_empirical_draws_only_listed_values() -> None:
    values = [0.0, 7.0, 14.0]
    x = dist({"empirical": ["2w", 0, "1w"]}).ppf(GRID)
    assert set(np.unique(x)) == set(values)
    counts = [np.sum(x == v) for v in values]
    assert max(counts) - min(counts) <= 1


positive = st.floats(min_value=0.5, max_value=3650, allow_nan=False)
offset = st.floats(min_value=0, max_value=3650, allow_nan=False)


@FAST
@given(offset, positive)
def test_uniform_property(low: float, width: float) -> None:
    check_distribution("uniform", {"uniform": [low, low + width]})


@FAST
@given(offset, positive, positive, st.floats(0, 1))
def test_triangular_and_pert_property(low: float, left: float, right: float, share: float) -> None:
    a, m, b = low, low + left * share, low + left + right
    check_distribution("triangular", {"triangular": [a, m, b]})
    check_distribution("pert", {"pert": [a, m, b]})


@FAST
@given(st.floats(0, 1000), st.floats(0.5, 300), st.floats(-4, 2), st.one_of(st.none(), st.floats(0.5, 6)))
def test_truncated_normal_property(mean: float, sd: float, a: float, width: float | None) -> None:
    low = max(0.0, mean + a * sd)
    params: dict = {"mean": mean, "sd": sd, "low": low}
    if width is not None:
        params["high"] = low + width * sd
    check_distribution("normal", {"normal": params})


@FAST
@given(st.floats(0.5, 1000), st.floats(0.05, 1.2))
def test_lognormal_property(median: float, sigma: float) -> None:
    check_distribution("lognormal", {"lognormal": {"median": median, "p90": median * math.exp(sigma * Z90)}})
    check_distribution("lognormal", {"lognormal": {"mu": math.log(median), "sigma": sigma}})


@FAST
@given(st.floats(0.5, 1000), st.floats(0.1, 1.5), st.floats(0.3, 20))
def test_gamma_property(mean: float, cv: float, shape: float) -> None:
    check_distribution("gamma", {"gamma": {"mean": mean, "cv": cv}})
    check_distribution("gamma", {"gamma": {"shape": shape, "scale": mean / shape}})


@FAST
@given(positive)
def test_exponential_property(mean: float) -> None:
    check_distribution("exponential", {"exponential": {"mean": mean}})


@FAST
@given(st.lists(offset, min_size=1, max_size=30))
def test_empirical_property(values: list[float]) -> None:
    check_distribution("empirical", {"empirical": values})



def test_truncated_normal_far_in_the_tail_stays_finite() -> None:
    d = dist({"normal": {"mean": "2w", "sd": "2d", "low": "6w"}})
    x = d.ppf(np.array([0.1, 0.5, 0.9]))
    assert np.all(np.isfinite(x)) and np.all(x >= 42.0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"uniform": ["3w", "1w"]}, "uniform: the low end 3w is above the high end 1w"),
        ({"pert": ["6mo", "3mo", "12mo"]}, "pert: expected [low, most likely, high] in increasing order, got [6mo, 3mo, 1y]"),
        ({"lognormal": {"median": "3w"}}, "lognormal: give both median and p90"),
        ({"lognormal": {"median": "3w", "p90": "1w"}}, "lognormal: p90 (1w) cannot be below the median (3w)"),
        ({"lognormal": {"median": "3w", "p90": "9w", "mu": 1.0}}, "lognormal: give either median and p90, or mu and sigma, not both"),
        ({"gamma": {"mean": "2mo"}}, "gamma: give both mean and cv"),
        ({"gamma": {}}, "gamma: give mean and cv, or shape and scale"),
        ({"normal": {"mean": "3w", "sd": "1w", "low": "2w", "high": "1w"}}, "normal: the upper bound 1w must be above the lower bound 2w"),
    ],
)
def test_distribution_parameter_checks(value: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        dist(value)
    assert message in str(caught.value)


# --- date distributions ------------------------------------------------------------------

START = dt.date(2026, 12, 1)


def test_date_kinds() -> None:
    assert set(DATE_KINDS) == {"fixed", "uniform", "triangular", "empirical"}


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        ("2024-04-18", "2024-04-18", "2024-04-18"),
        ({"uniform": ["2027-01-01", "2030-12-31"]}, "2027-01-01", "2030-12-31"),
        ({"triangular": ["2026-12-01", "2027-09-01", "2030-12-31"]}, "2026-12-01", "2030-12-31"),
        ({"empirical": ["2028-07-11", "2027-07-07"]}, "2027-07-07", "2028-07-11"),
    ],
)
def test_date_distributions_stay_between_their_ends(value: object, earliest: str, latest: str) -> None:
    d = DATE_DIST.validate_python(value)
    assert (d.earliest().isoformat(), d.latest().isoformat()) == (earliest, latest)
    days = d.in_days(START).ppf(GRID)
    first = days_between(START, dt.date.fromisoformat(earliest))
    last = days_between(START, dt.date.fromisoformat(latest))
    # a draw of d days falls on the date start + floor(d): every date between the two ends, both included
    assert np.floor(days).min() >= first and np.floor(days).max() <= last
    assert np.all(np.diff(days) >= -1e-9)


def test_a_request_before_the_start_is_negative_days() -> None:
    d = DATE_DIST.validate_python("2024-04-18")
    assert d.in_days(START).ppf(np.array([0.5]))[0] == -957.0


def test_date_uniform_mean_is_the_midpoint() -> None:
    """The middle of the days covered, from the start of the first to the end of the last."""
    d = DATE_DIST.validate_python({"uniform": ["2027-01-01", "2031-01-01"]}).in_days(START)
    assert d.mean() == pytest.approx((31 + 31 + 1461 + 1) / 2)


# --- the loader: valid documents -----------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder that is also the working folder, so messages name files briefly."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


MINIMAL = """\
start: 2026-12-01
candidates:
  - {code: ARG, request: 2024-04-18}
"""

VALID = [
    ("minimal", MINIMAL, lambda s: (
        s.name == "scenario" and s.horizon_days == 5 * 365.25 and s.replications == 10_000
        and s.seed == 1 and s.alliance == "nato-2024" and s.process == "global-partner"
        and set(s.stages) == {"consensus", "expert_talks", "ipcp_drafting", "ipcp_approval"}
        and s.candidates[0].label == "ARG" and s.candidates[0].stage is None
        and s.candidates[0].withdrawal.annual_rate == 0.0
        and s.allies.default.hold.probability == 0.0036 and s.allies.default.hold.lifted == 0.90
    )),
    ("horizon as a date", MINIMAL + "horizon: 2031-12-31\n",
     lambda s: s.end_date == dt.date(2031, 12, 31) and s.horizon_days == 1856.0),
    ("horizon as a duration", MINIMAL + "horizon: 18mo\n", lambda s: s.horizon_days == pytest.approx(547.875)),
    ("horizon as a bare number", MINIMAL + "horizon: 400\n", lambda s: s.horizon_days == 400.0),
    ("alliance as a list", MINIMAL + "alliance: [USA, {code: GBR, name: United Kingdom}]\nallies: {GBR: {hold: {probability: 0.2}}}\n",
     lambda s: s.roster == {"USA": "USA", "GBR": "United Kingdom"} and ally_hold(s, "GBR").probability == 0.2),
    ("nato-2020", MINIMAL + "alliance: nato-2020\n", lambda s: len(s.roster) == 29),
    ("stage settings merge with the template", MINIMAL + "stages:\n  expert_talks: {teams: 1}\n  ipcp_approval: {allies: {TUR: {hold: {probability: 0.05}}}}\n",
     lambda s: s.stages["expert_talks"].teams == 1 and s.stages["expert_talks"].agreement == 0.6
     and s.stages["ipcp_approval"].allies.default.hold.probability == 0.0037
     and ally_hold(s, "TUR", "ipcp_approval").probability == 0.05),
    ("an empty stage keeps its defaults", MINIMAL + "stages:\n  consensus:\n", lambda s: s.stages["consensus"].kind == "consensus"),
    ("request distributions", """
        start: 2026-12-01
        candidates:
          - {code: BRA, request: {uniform: [2027-01-01, 2030-12-31]}}
          - {code: PER, request: {triangular: [2026-12-01, 2027-09-01, 2030-12-31]}}
          - {code: CHL, request: {empirical: [2027-07-07, 2028-07-11]}}
          - {code: MEX, request: {fixed: 2027-01-01}, stage: requested}
        """, lambda s: [c.request.earliest().year for c in s.candidates] == [2027, 2026, 2027, 2027]),
    ("anchors and aliases", """
        start: 2026-12-01
        allies:
          TUR: &held {hold: {probability: 0.2}}
          HUN: *held
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, lambda s: s.allies.overrides["HUN"] == s.allies.overrides["TUR"]),
    ("a byte-order mark", "\ufeff" + MINIMAL, lambda s: s.start == dt.date(2026, 12, 1)),
    ("null keeps an ally's inherited value", MINIMAL + "allies: {TUR: {hold: {probability: null}}}\n",
     lambda s: ally_hold(s, "TUR").probability is None),
]


@pytest.mark.parametrize(("text", "check"), [v[1:] for v in VALID], ids=[v[0] for v in VALID])
def test_valid_documents(here: Path, text: str, check) -> None:
    scenario = load_scenario(write(here, "scenario.yaml", text))
    assert check(scenario)


def test_a_scenario_is_immutable(here: Path) -> None:
    scenario = load_scenario(write(here, "scenario.yaml", MINIMAL))
    with pytest.raises(ValidationError):
        scenario.seed = 2  # type: ignore[misc]
    assert scenario.with_updates(seed=2).seed == 2
    assert scenario.seed == 1


# --- the loader: invalid documents, with their exact messages --------------------------------

INVALID = [
    ("misspelt key", """
        start: 2026-12-01
        replicatons: 5000
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: replicatons: unknown key 'replicatons' (did you mean 'replications'?)"]),
    ("misspelt nested key", """
        start: 2026-12-01
        allies:
          default:
            hold: {probabilty: 0.1}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:4: allies.default.hold.probabilty: unknown key 'probabilty' (did you mean 'probability'?)"]),
    ("unknown key with no close match", """
        start: 2026-12-01
        allies: {TUR: {kind: x}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: allies.TUR.kind: unknown key 'kind'; expected one of: deliberation, hold"]),
    ("probability above 1", """
        start: 2026-12-01
        allies:
          TUR: {hold: {probability: 1.3}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: allies.TUR.hold.probability: must be a probability between 0 and 1, got 1.3"]),
    ("negative probability", """
        start: 2026-12-01
        stages:
          expert_talks: {agreement: -0.1}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: stages.expert_talks.agreement: must be a probability between 0 and 1, got -0.1"]),
    ("negative duration", """
        start: 2026-12-01
        allies:
          default: {deliberation: -3w}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: allies.default.deliberation: a duration cannot be negative, got '-3w'"]),
    ("negative duration inside a distribution", """
        start: 2026-12-01
        stages:
          ipcp_drafting: {duration: {uniform: [-1mo, 2mo]}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: stages.ipcp_drafting.duration.uniform.0: a duration cannot be negative, got '-1mo'"]),
    ("unknown ally code", """
        start: 2026-12-01
        allies:
          TRK: {hold: {probability: 0.2}}
          Turkey: {hold: {probability: 0.2}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, [
        "scenario.yaml:3: allies.TRK: unknown ally 'TRK' (did you mean 'TUR'?); allies are named by ISO 3166 alpha-3 code from the alliance roster",
        "scenario.yaml:4: allies.Turkey: unknown ally 'Turkey' (did you mean 'TUR'?); allies are named by ISO 3166 alpha-3 code from the alliance roster",
    ]),
    ("ally not in the roster of the time", """
        start: 2013-06-25
        alliance: nato-2020
        allies:
          SWE: {hold: {probability: 0.2}}
        candidates:
          - {code: COL, request: 2013-06-25}
        """, ["scenario.yaml:4: allies.SWE: unknown ally 'SWE'; allies are named by ISO 3166 alpha-3 code from the alliance roster"]),
    ("malformed date", """
        start: 2026-13-01
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:1: start: expected an ISO date such as 2025-01-31, got '2026-13-01'"]),
    ("a day that does not exist", """
        start: 2026-12-01
        candidates:
          - {code: ARG, request: 2024-02-30}
        """, ["scenario.yaml:3: candidates.0.request: expected an ISO date such as 2025-01-31, got '2024-02-30'"]),
    ("YAML syntax error", """
        start: 2026-12-01
        candidates:
          - {code: ARG, request: 2024-04-18
        """, ["scenario.yaml:3: YAML syntax: a { on this line is never closed with }"]),
    ("tab indentation", "start: 2026-12-01\ncandidates:\n\t- {code: ARG, request: 2024-04-18}\n",
     ["scenario.yaml:3: YAML syntax: a tab is used for indentation; indent with spaces"]),
    ("duplicate candidate", """
        start: 2026-12-01
        candidates:
          - {code: ARG, request: 2024-04-18}
          - {code: BRA, request: 2027-01-01}
          - {code: ARG, request: 2027-01-01}
        """, ["scenario.yaml:5: candidates.2.code: candidate ARG is listed twice (first as candidates.0)"]),
    ("duplicate key", """
        start: 2026-12-01
        start: 2027-01-01
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: start: duplicate key"]),
    ("python object tag", """
        start: 2026-12-01
        name: !!python/object:os.system {}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: name: the tag !!python/object:os.system is not allowed in a scenario file"]),
    ("python apply tag", """
        start: 2026-12-01
        name: !!python/object/apply:os.system [echo]
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: name: the tag !!python/object/apply:os.system is not allowed in a scenario file"]),
    ("python name tag", """
        start: 2026-12-01
        name: !!python/name:os.system ''
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: name: the tag !!python/name:os.system is not allowed in a scenario file"]),
    ("empty file", "", ["scenario.yaml: the file is empty"]),
    ("only comments", "# nothing yet\n", ["scenario.yaml: the file is empty"]),
    ("not a mapping", "- start\n- candidates\n",
     ["scenario.yaml:1: expected a mapping of keys such as name:, start:, candidates:"]),
    ("not UTF-8", b"start: 2026-12-01\nname: \xff\n",
     ["scenario.yaml:2: the file is not UTF-8 text; save it as UTF-8"]),
    ("required keys missing", "name: nothing else\n", [
        "scenario.yaml:1: start: required key is missing",
        "scenario.yaml:1: candidates: required key is missing",
    ]),
    ("no candidates", "start: 2026-12-01\ncandidates: []\n",
     ["scenario.yaml:2: candidates: expected at least 1 item, got 0"]),
    ("unknown distribution", """
        start: 2026-12-01
        allies:
          default: {deliberation: {lognormel: {median: 3w, p90: 10w}}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: allies.default.deliberation: unknown distribution 'lognormel' (did you mean 'lognormal'?); "
              "expected one of: fixed, uniform, triangular, pert, normal, lognormal, gamma, exponential, empirical, "
              "elicited"]),
    ("not a distribution", """
        start: 2026-12-01
        allies:
          default: {deliberation: [3w, 4w]}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: allies.default.deliberation: expected a duration (such as 3w) or a one-key mapping "
              "naming a distribution, such as {lognormal: {median: 3w, p90: 10w}}"]),
    ("lognormal p90 below median", """
        start: 2026-12-01
        allies:
          default: {deliberation: {lognormal: {median: 3w, p90: 1w}}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: allies.default.deliberation.lognormal: lognormal: p90 (1w) cannot be below the median (3w)"]),
    ("gamma given twice", """
        start: 2026-12-01
        stages:
          expert_talks: {round: {gamma: {mean: 2mo, cv: 0.5, shape: 2}}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: stages.expert_talks.round.gamma: gamma: give either mean and cv, or shape and scale, not both"]),
    ("unknown stage", """
        start: 2026-12-01
        stages:
          expert_talk: {teams: 3}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: stages.expert_talk: unknown stage 'expert_talk' (did you mean 'expert_talks'?); "
              "the global-partner process has consensus, expert_talks, ipcp_drafting, ipcp_approval"]),
    ("too few teams", """
        start: 2026-12-01
        stages:
          expert_talks: {teams: 0}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: stages.expert_talks.teams: input should be greater than or equal to 1, got 0"]),
    ("unknown candidate stage", """
        start: 2026-12-01
        candidates:
          - {code: ARG, request: 2024-04-18, stage: consensos}
        """, ["scenario.yaml:3: candidates.0.stage: unknown stage 'consensos' (did you mean 'consensus'?); "
              "expected one of: requested, consensus, expert_talks, ipcp_drafting, ipcp_approval"]),
    ("lower-case candidate code", """
        start: 2026-12-01
        candidates:
          - {code: arg, request: 2024-04-18}
        """, ["scenario.yaml:3: candidates.0.code: expected a three-letter ISO 3166 code in capitals, such as ARG, got 'arg'"]),
    ("negative withdrawal rate", """
        start: 2026-12-01
        candidates:
          - {code: ARG, request: 2024-04-18, withdrawal: {annual_rate: -0.1}}
        """, ["scenario.yaml:3: candidates.0.withdrawal.annual_rate: input should be greater than or equal to 0, got -0.1"]),
    ("request after the horizon", """
        start: 2026-12-01
        horizon: 1y
        candidates:
          - {code: MEX, request: {uniform: [2028-01-01, 2029-01-01]}}
        """, ["scenario.yaml:4: candidates.0.request: the request date 2028-01-01 is after the horizon (2027-12-01), "
              "so nothing could be simulated"]),
    ("horizon before the start", """
        start: 2026-12-01
        horizon: 2026-01-01
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: horizon: the horizon 2026-01-01 is not after the start 2026-12-01"]),
    ("unknown alliance", """
        start: 2026-12-01
        alliance: nato-2023
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: alliance: unknown alliance 'nato-2023' (did you mean 'nato-2024'?); "
              "built in: nato-2020, nato-2024, eu-2020, or a list of ally codes"]),
    ("unknown process", """
        start: 2026-12-01
        process: global-partnr
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:2: process: unknown process 'global-partnr' (did you mean 'global-partner'?); built in: global-partner, eu-accession, membership-accession, or the path of a process file (ending in .yaml), or a process written here"]),
    ("a tag on a value", """
        start: 2026-12-01
        allies:
          TUR: {hold: {probability: !!str 0.5}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: allies.TUR.hold.probability: the tag !!str is not allowed in a scenario file; "
              "remove it (to mean text, put the value in quotes)"]),
    ("yes is text", """
        start: 2026-12-01
        allies:
          TUR: {hold: {probability: yes}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: allies.TUR.hold.probability: must be a probability between 0 and 1, got 'yes'"]),
    ("1:30 is text", """
        start: 2026-12-01
        stages:
          ipcp_drafting: {duration: 1:30}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: stages.ipcp_drafting.duration: expected a duration such as 10d, 3w, 4mo or 2y, "
              "got '1:30'"]),
    ("a name too long", MINIMAL + "name: " + "n" * 201 + "\n",
     ["scenario.yaml:4: name: expected at most 200 characters, got 201"]),
    ("a control character in a name", """
        start: 2026-12-01
        candidates:
          - {code: ARG, name: "Argentina\\e[8m", request: 2024-04-18}
        """, ["scenario.yaml:3: candidates.0.name: contains the control character U+001B; names are plain text"]),
    ("a duration of 100,000 years", """
        start: 2026-12-01
        stages:
          ipcp_drafting: {duration: 100000y}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """, ["scenario.yaml:3: stages.ipcp_drafting.duration: a duration must be under 100,000 years, got '100000y'"]),
    ("every problem at once", """
        nme: Latin America
        start: 2026-13-01
        horizon: -2y
        allies:
          TRK: {hold: {probability: 1.3}}
        candidates:
          - {code: arg, request: 2024-04-18, stage: consensos}
          - {code: BRA, request: {uniform: [2028-01-01, 2026-01-01]}}
        """, [
        "scenario.yaml:1: nme: unknown key 'nme' (did you mean 'name'?)",
        "scenario.yaml:2: start: expected an ISO date such as 2025-01-31, got '2026-13-01'",
        "scenario.yaml:3: horizon: a duration cannot be negative, got '-2y'",
        "scenario.yaml:5: allies.TRK.hold.probability: must be a probability between 0 and 1, got 1.3",
        "scenario.yaml:5: allies.TRK: unknown ally 'TRK' (did you mean 'TUR'?); allies are named by ISO 3166 alpha-3 code from the alliance roster",
        "scenario.yaml:7: candidates.0.code: expected a three-letter ISO 3166 code in capitals, such as ARG, got 'arg'",
        "scenario.yaml:7: candidates.0.stage: unknown stage 'consensos' (did you mean 'consensus'?); "
        "expected one of: requested, consensus, expert_talks, ipcp_drafting, ipcp_approval",
        "scenario.yaml:8: candidates.1.request.uniform: uniform: the first date 2028-01-01 is after the second 2026-01-01",
    ]),
]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    lines = [str(p) for p in caught.value.problems]
    assert str(caught.value) == "\n".join(lines)
    return lines


@pytest.mark.parametrize(("text", "expected"), [v[1:] for v in INVALID], ids=[v[0] for v in INVALID])
def test_invalid_documents(here: Path, text: str | bytes, expected: list[str]) -> None:
    path = here / "scenario.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        write(here, "scenario.yaml", text)
    assert problems_of(path) == expected


def test_problem_text() -> None:
    assert str(Problem("a.yaml", 3, "allies.TUR", "bad")) == "a.yaml:3: allies.TUR: bad"
    assert str(Problem("a.yaml", None, "", "the file is empty")) == "a.yaml: the file is empty"



def test_unknown_ally_in_a_stage_is_reported(here: Path) -> None:
    path = write(here, "scenario.yaml", """
        start: 2026-12-01
        stages:
          consensus:
            allies:
              TRK: {hold: {probability: 0.5}}
        candidates:
          - {code: ARG, request: 2024-04-18}
        """)
    assert problems_of(path) == [
        "scenario.yaml:5: stages.consensus.allies.TRK: unknown ally 'TRK' (did you mean 'TUR'?); "
        "allies are named by ISO 3166 alpha-3 code from the alliance roster"
    ]



def test_a_zero_horizon_is_reported_as_a_duration(here: Path) -> None:
    path = write(here, "scenario.yaml", MINIMAL + "horizon: 0\n")
    assert not any("1970" in line for line in problems_of(path))



def test_alliance_list_errors_name_the_list_item(here: Path) -> None:
    path = write(here, "scenario.yaml", MINIMAL + "alliance: [USA, usa]\n")
    assert problems_of(path) == [
        "scenario.yaml:4: alliance.1.code: expected a three-letter ISO 3166 code in capitals, such as ARG, got 'usa'"
    ]


# --- extends --------------------------------------------------------------------------------

BASE = """
name: Base
start: 2026-12-01
seed: 2026
allies:
  default:
    deliberation: {lognormal: {median: 3w, p90: 10w}}
    hold: {probability: 0.02}
  TUR: {hold: {probability: 0.1, lifted: 0.9}}
candidates:
  - {code: ARG, name: Argentina, request: 2024-04-18, stage: consensus, withdrawal: {annual_rate: 0.05}}
  - {code: BRA, request: {uniform: [2027-01-01, 2030-12-31]}}
"""


def test_extends_merges_child_over_parent(here: Path) -> None:
    write(here, "base.yaml", BASE)
    child = write(here, "what-if/turkey.yaml", """
        extends: ../base.yaml
        name: Türkiye holds
        allies:
          TUR: {hold: {probability: 1.0}}
        candidates:
          - {code: ARG, withdrawal: {annual_rate: 0.1}}
          - {code: CHL, request: 2027-06-01}
        """)
    s = load_scenario(child)
    assert s.name == "Türkiye holds" and s.seed == 2026
    turkey = ally_hold(s, "TUR")
    assert (turkey.probability, turkey.lifted) == (1.0, 0.9)  # one key changed, the other kept
    assert s.allies.default.hold.probability == 0.02
    assert [c.code for c in s.candidates] == ["ARG", "BRA", "CHL"]
    argentina = s.candidates[0]
    assert argentina.withdrawal.annual_rate == 0.1
    assert (argentina.name, argentina.stage, argentina.request.earliest()) == ("Argentina", "consensus", dt.date(2024, 4, 18))
    assert s.candidates[1].request.latest() == dt.date(2030, 12, 31)


def test_extends_replaces_a_distribution_whole(here: Path) -> None:
    write(here, "base.yaml", BASE)
    child = write(here, "child.yaml", """
        extends: base.yaml
        allies:
          default: {deliberation: {lognormal: {median: 2w}}}
        """)
    assert problems_of(child) == ["child.yaml:3: allies.default.deliberation.lognormal: lognormal: give both median and p90"]
    write(here, "child.yaml", """
        extends: base.yaml
        allies:
          default: {deliberation: {gamma: {mean: 2w, cv: 0.5}}}
        """)
    assert type(load_scenario(child).allies.default.deliberation).__name__ == "Gamma"


def test_extends_reports_problems_in_the_file_they_are_in(here: Path) -> None:
    write(here, "base.yaml", BASE.replace("probability: 0.02", "probability: 2"))
    child = write(here, "child.yaml", """
        extends: base.yaml
        candidates:
          - {code: ARG, withdrawal: {annual_rte: 0.1}}
        """)
    assert problems_of(child) == [
        "base.yaml:7: allies.default.hold.probability: must be a probability between 0 and 1, got 2",
        "child.yaml:3: candidates.0.withdrawal.annual_rte: unknown key 'annual_rte' (did you mean 'annual_rate'?)",
    ]


def test_extends_cycle(here: Path) -> None:
    write(here, "a.yaml", "extends: b.yaml\n")
    write(here, "b.yaml", "extends: a.yaml\nstart: 2026-12-01\n")
    assert problems_of(here / "a.yaml") == ["b.yaml:1: extends: extends itself in a cycle: a.yaml → b.yaml → a.yaml"]
    write(here, "self.yaml", "extends: self.yaml\n")
    assert problems_of(here / "self.yaml") == ["self.yaml:1: extends: extends itself in a cycle: self.yaml → self.yaml"]


def test_extends_missing_parent(here: Path) -> None:
    child = write(here, "child.yaml", "name: x\nextends: no-such-base.yaml\n")
    assert problems_of(child) == ["child.yaml:2: extends: no such file: no-such-base.yaml"]


def test_extends_needs_a_path(here: Path) -> None:
    child = write(here, "child.yaml", MINIMAL + "extends: [base.yaml]\n")
    assert problems_of(child) == ["child.yaml:4: extends: expected the path of another scenario file"]


codes = st.lists(st.sampled_from(["ARG", "BRA", "CHL", "PER", "MEX", "URY", "COL"]), unique=True, max_size=5)


@FAST
@given(st.lists(st.sampled_from(["ARG", "BRA", "CHL", "PER", "MEX"]), unique=True, min_size=1, max_size=5), codes)
def test_candidates_merge_by_code(tmp_path: Path, parent: list[str], child: list[str]) -> None:
    def listing(items: list[str], year: int) -> str:
        return "".join(f"  - {{code: {c}, request: {year}-01-01}}\n" for c in items)

    (tmp_path / "p.yaml").write_text("start: 2026-12-01\ncandidates:\n" + listing(parent, 2027))
    text = "extends: p.yaml\n" + ("candidates:\n" + listing(child, 2028) if child else "")
    (tmp_path / "c.yaml").write_text(text)
    s = load_scenario(tmp_path / "c.yaml")
    assert [c.code for c in s.candidates] == parent + [c for c in child if c not in parent]
    for c in s.candidates:
        assert c.request.earliest().year == (2028 if c.code in child else 2027)


# --- loader properties -----------------------------------------------------------------------


@FAST
@given(st.floats(min_value=0, max_value=1))
def test_any_probability_loads(tmp_path: Path, p: float) -> None:
    text = f"{p:.6f}"
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL + f"allies: {{TUR: {{hold: {{probability: {text}}}}}}}\n")
    assert ally_hold(load_scenario(path), "TUR").probability == float(text)


@FAST
@given(st.one_of(st.floats(min_value=1.000001, max_value=1e6), st.floats(min_value=-1e6, max_value=-0.000001)))
def test_any_probability_outside_0_1_is_reported(tmp_path: Path, p: float) -> None:
    text = f"{p:.6f}"
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL + f"allies: {{TUR: {{hold: {{probability: {text}}}}}}}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [str(q) for q in caught.value.problems] == [
        f"{path}:4: allies.TUR.hold.probability: must be a probability between 0 and 1, got {float(text)!r}"
    ]


@FAST
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(sorted(DAYS_PER_UNIT)))
def test_any_written_duration_loads(tmp_path: Path, amount: int, unit: str) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(MINIMAL + f"allies: {{default: {{deliberation: {amount}{unit}}}}}\n")
    deliberation = load_scenario(path).allies.default.deliberation
    assert deliberation.mean() == pytest.approx(amount * DAYS_PER_UNIT[unit])


yaml_bits = st.sampled_from([
    "start", "candidates", "allies", "stages", "horizon", "code", "request", "hold", "TUR", "default",
    "lognormal", "median", "p90", "extends", "2024-04-18", "2024-02-30", "3w", "-1", "1.3", "null", "ARG",
    "!!python/object:x", "&a", "*a", "{", "}", "[", "]", ":", ": ", ", ", "- ", "\n", "\n  ", "\t", "#", "'", '"',
])


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(yaml_bits, max_size=40).map("".join))
def test_the_loader_only_ever_raises_scenario_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError as error:
        assert error.problems
        assert all(re.match(r"^[^:]+(:\d+)?: ", str(p)) for p in error.problems)


# --- the shipped scenarios -------------------------------------------------------------------


def test_scenarios_are_shipped() -> None:
    names = {p.relative_to(ROOT / "scenarios").as_posix() for p in SCENARIOS}
    assert {"latam.yaml", "colombia.yaml", "examples/minimal.yaml", "latam-turkey-hold.yaml"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.relative_to(ROOT / "scenarios").as_posix())
def test_every_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.candidates


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.relative_to(ROOT / "scenarios").as_posix())
def test_a_resolved_scenario_reloads_unchanged(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), allow_unicode=True, sort_keys=False))
    assert load_scenario(resolved) == scenario


TEXT_KEYS = ("name:", "question:", "description:", "extends:")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.relative_to(ROOT / "scenarios").as_posix())
def test_every_number_in_a_shipped_scenario_has_a_comment(path: Path) -> None:
    """Sources or assumptions are stated beside each number (block text is exempt)."""
    missing = []
    in_text_block = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if in_text_block and (line.startswith("  ") or not stripped):
            continue
        in_text_block = stripped.startswith(TEXT_KEYS) and stripped.endswith((">-", ">", "|", "|-"))
        if not stripped or stripped.startswith("#") or stripped.startswith(TEXT_KEYS):
            continue
        value = line.split(" #", 1)[0]
        if re.search(r"\d", value) and " #" not in line:
            missing.append(f"{path.name}:{number}: {stripped}")
    assert not missing, "numbers without a source or assumption comment:\n" + "\n".join(missing)


def test_latam_scenario() -> None:
    s = load_scenario(ROOT / "scenarios" / "latam.yaml")
    assert (s.start, s.end_date, s.replications) == (dt.date(2026, 12, 1), dt.date(2031, 12, 31), 10_000)
    assert len(s.roster) == len(NATO_2024) == 32
    assert [c.code for c in s.candidates] == ["ARG", "BRA", "CHL", "PER", "MEX"]
    argentina = s.candidates[0]
    assert (argentina.request.earliest(), argentina.stage) == (dt.date(2024, 4, 18), "consensus")
    assert 0 < argentina.withdrawal.annual_rate <= 0.1
    for hypothetical in s.candidates[1:]:
        assert "hypothetical" in hypothetical.name
        assert hypothetical.request.earliest() < hypothetical.request.latest() <= s.end_date
    assert {"TUR", "HUN", "GBR"} <= set(s.allies.overrides)


def test_colombia_scenario_has_the_28_allies_of_2013() -> None:
    s = load_scenario(ROOT / "scenarios" / "colombia.yaml")
    assert set(s.roster) == set(NATO_2020) - {"MNE"}
    assert len(s.roster) == 28
    assert (s.start, s.candidates[0].code, s.candidates[0].stage) == (dt.date(2013, 6, 25), "COL", "consensus")
    for milestone in ("2016", "2017-05", "2018-05-31"):
        assert milestone in s.description


def test_turkey_what_if_changes_only_turkey_at_consensus() -> None:
    base = load_scenario(ROOT / "scenarios" / "latam.yaml")
    what_if = load_scenario(ROOT / "scenarios" / "latam-turkey-hold.yaml")
    hold = ally_hold(what_if, "TUR", "consensus")
    assert hold.duration is not None
    assert (hold.probability, hold.duration.mean(), hold.lifted) == (1.0, 365.25, 1.0)
    assert what_if.seed == base.seed and what_if.candidates == base.candidates
    assert what_if.allies == base.allies
    assert {k: v for k, v in what_if.stages.items() if k != "consensus"} == {
        k: v for k, v in base.stages.items() if k != "consensus"
    }


def test_minimal_example_is_minimal() -> None:
    path = ROOT / "scenarios" / "examples" / "minimal.yaml"
    assert set(yaml.safe_load(path.read_text(encoding="utf-8"))) == {"start", "candidates"}
    assert load_scenario(path).replications == 10_000
