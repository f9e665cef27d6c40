"""Uncertain settings: drawn once for each group of replications, and the variance split they allow.

The closed form: one ally that vetoes whenever it holds, its chance of holding
θ ~ Beta(a, b), every other step certain. A case is rejected with chance θ,
so P(rejected) = a / (a + b) and the part of the outcome's variance that
comes from θ is Var(θ) / (μ(1 − μ)) = 1 / (a + b + 1). Tolerances are four
standard errors of the estimators, derived below from the design.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from partnersim.engine.inputs import Inputs
from partnersim.errors import ScenarioError
from partnersim.scenario.loader import load_scenario
from partnersim.simulation import simulate

from .conftest import scenario

A, B = 1.0, 8.0
CERTAIN = {"expert_talks": {"round": "1d", "agreement": 1.0}, "ipcp_drafting": {"duration": "1d"},
           "ipcp_approval": {"allies": {"default": {"deliberation": "0d", "hold": {"probability": 0.0}}}}}


def _uncertain(reps: int, per_draw: int, law: dict[str, object] | None = None) -> object:
    return scenario(
        replications=reps, alliance=["AAA"],
        allies={"default": {"deliberation": "0d", "hold": {"probability": 0.5, "lifted": 0.0, "duration": "1d"}}},
        stages=CERTAIN,
        uncertainty={"per_draw": per_draw,
                     "settings": [{"key": "allies.default.hold.probability", **(law or {"beta": {"a": A, "b": B}})}]},
    )


def test_the_variance_split_matches_the_closed_form() -> None:
    reps, m = 20_000, 50
    groups = reps // m
    results = simulate(_uncertain(reps, m), jobs=1)
    arg = results.candidates[0]
    mu = A / (A + B)
    var_theta = A * B / ((A + B) ** 2 * (A + B + 1))
    within = mu * (1 - mu) - var_theta  # E[θ(1 − θ)]
    # the mean: each group's share has variance Var(θ) + E[θ(1 − θ)] / m
    se_mean = math.sqrt((var_theta + within / m) / groups)
    assert arg.outcomes["rejected"].p == pytest.approx(mu, abs=4 * se_mean)
    # the between-group variance: its estimator's standard error is about sqrt(2 / (G − 1)) (σ²_b + σ²_w / m)
    se_share = math.sqrt(2 / (groups - 1)) * (var_theta + within / m) / (mu * (1 - mu))
    inputs = arg.inputs
    assert inputs is not None and inputs.draws == groups and inputs.per_draw == m
    last = inputs.by_year_end[-1]
    assert last.share == pytest.approx(1 / (A + B + 1), abs=4 * se_share)
    assert last.spread == pytest.approx(math.sqrt(var_theta), rel=0.25)
    written = results.model_dump(mode="json")["candidates"][0]["inputs"]
    assert written["draws"] == groups and len(written["by_year_end"]) == len(inputs.by_year_end)


def test_a_certain_setting_leaves_nothing_to_the_inputs() -> None:
    """A beta so narrow that θ hardly moves: the share is near 0 (its estimator's noise only)."""
    results = simulate(_uncertain(4_000, 40, {"beta": {"mean": 0.3, "n": 1e6}}), jobs=1)
    assert results.candidates[0].inputs is not None
    assert results.candidates[0].inputs.by_year_end[-1].share < 0.03


def test_draws_are_keyed_by_group_and_key_so_what_ifs_share_them() -> None:
    base = _uncertain(1_000, 50)
    other = base.with_updates(stages={**base.model_dump()["stages"], "ipcp_drafting": {"kind": "task", "duration": "9d"}})
    one, two = Inputs.of(base), Inputs.of(other)
    assert one is not None and two is not None
    assert [one.values(7, g) for g in range(20)] == [two.values(7, g) for g in range(20)]
    assert one.values(7, 0) != one.values(8, 0)
    # and a run gives the same numbers on one worker or two
    r1, r2 = simulate(base, jobs=1), simulate(base, jobs=2)
    assert r1.model_dump(mode="json") == r2.model_dump(mode="json")


def test_elicited_quantiles_of_a_chance_are_drawn_as_the_fitted_beta() -> None:
    stated = {"p10": 0.02, "p50": 0.08, "p90": 0.2}
    inputs = Inputs.of(_uncertain(1_000, 50, {"elicited": stated}))
    assert inputs is not None
    drawn = np.array([inputs.values(3, g)["allies.default.hold.probability"] for g in range(4_000)])
    (_, a, b), = inputs.laws[0].parts
    band = math.sqrt(math.log(2 / 1e-6) / (2 * len(drawn)))  # DKW
    for p, value in ((0.1, 0.02), (0.5, 0.08), (0.9, 0.2)):
        assert stats.beta.cdf(value, a, b) == pytest.approx(p, abs=0.05)  # the fit, within tolerance
        assert np.mean(drawn <= value) == pytest.approx(stats.beta.cdf(value, a, b), abs=band)


def test_a_panel_of_experts_on_a_chance_is_drawn_from_their_weighted_pool() -> None:
    """Two experts' betas pooled 0.7 / 0.3: the draws' distribution function is 0.7 F₁ + 0.3 F₂ (DKW band)."""
    panel = {"experts": [
        {"name": "Desk officer A", "source": "interview 2026-11-03", "weight": 0.7, "p10": 0.02, "p50": 0.06, "p90": 0.15},
        {"name": "Analyst B", "source": "workshop 2026-11-20", "weight": 0.3, "p10": 0.1, "p50": 0.25, "p90": 0.45}]}
    inputs = Inputs.of(_uncertain(1_000, 50, {"elicited": panel}))
    assert inputs is not None
    law = inputs.laws[0]
    assert [w for w, _, _ in law.parts] == [0.7, 0.3]
    drawn = np.array([inputs.values(5, g)["allies.default.hold.probability"] for g in range(4_000)])
    band = math.sqrt(math.log(2 / 1e-6) / (2 * len(drawn)))
    for x in (0.03, 0.08, 0.2, 0.35):
        pooled = sum(w * stats.beta.cdf(x, a, b) for w, a, b in law.parts)
        assert np.mean(drawn <= x) == pytest.approx(pooled, abs=band)
    assert law.mean == pytest.approx(sum(w * a / (a + b) for w, a, b in law.parts))


def test_a_run_without_uncertain_settings_writes_no_split() -> None:
    results = simulate(scenario(replications=100), jobs=1)
    assert results.candidates[0].inputs is None
    assert "inputs" not in results.model_dump(mode="json")["candidates"][0]


def _problems(tmp_path: Path, block: str, replications: int = 1000) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(f"start: 2026-12-01\nreplications: {replications}\nuncertainty:\n{block}"
                    "candidates:\n  - {code: ARG, request: 2027-01-01}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [line.split(": ", 1)[1] for line in caught.value.lines()]


@pytest.mark.parametrize(("block", "expected"), [
    ("  settings:\n    - {key: allies.default.hold.probability}\n",
     "uncertainty.settings.0: give its uncertainty as beta (a chance) or as elicited quantiles"),
    ("  settings:\n    - {key: allies.default.hold.probability, beta: {a: 1, b: 2}, elicited: {p10: 0.1, p90: 0.3}}\n",
     "uncertainty.settings.0: give its uncertainty as beta (a chance) or as elicited quantiles"),
    ("  settings:\n    - {key: allies.default.hold.probabilty, beta: {a: 1, b: 2}}\n",
     "uncertainty.settings.0.key: allies.default.hold.probabilty cannot take a drawn chance: there is no such setting"),
    ("  settings:\n    - {key: allies.default.hold.probability, elicited: {p10: 1mo, p90: 3mo}}\n",
     "uncertainty.settings.0.key: allies.default.hold.probability cannot take a drawn duration"),
    ("  settings:\n    - {key: stages.ipcp_drafting.duration, elicited: {p10: 0.1, p50: 0.2, p90: 0.3}}\n",
     "uncertainty.settings.0.key: stages.ipcp_drafting.duration cannot take a drawn chance: it is a duration"),
    ("  settings:\n    - {key: allies.default.hold.probability, elicited: {p10: 0.3, p90: 0.1}}\n",
     "uncertainty.settings.0.elicited: quantiles must increase with the probability"),
    ("  settings:\n    - key: allies.default.hold.probability\n      elicited: {experts: [{name: A, weight: 0.5, p10: 0.1, "
     "p90: 0.3}, {name: B, weight: 0.4, p10: 0.2, p90: 0.4}]}\n",
     "uncertainty.settings.0.elicited: the experts' weights must sum to 1, got 0.9"),
    ("  settings:\n    - {key: allies.default.hold.probability, beta: {mean: 0.1}}\n",
     "uncertainty.settings.0.beta: give a and b, or mean and n"),
    ("  settings:\n    - {key: allies.TUR.hold.probability, beta: {a: 1, b: 2}}\n"
     "    - {key: allies.TUR.hold.probability, beta: {a: 2, b: 2}}\n",
     "uncertainty.settings.1.key: allies.TUR.hold.probability is already uncertain"),
])
def test_bad_uncertain_settings_are_one_clear_line(tmp_path: Path, block: str, expected: str) -> None:
    problems = _problems(tmp_path, block)
    assert any(line.startswith(expected) for line in problems), problems


def test_intervals_widen_by_the_design_effect_and_read_back_the_same(tmp_path: Path) -> None:
    """Replications sharing a draw are not independent: the variance of a share grows by 1 + (m − 1) × the share
    of variance between draws, 1 + 49 / (a + b + 1) = 5.9 here; the interval is Wilson's on n / 5.9."""
    from click.testing import CliRunner

    from partnersim.cli import cli
    from partnersim.results.load import load_results

    m = 50
    s = _uncertain(20_000, m)
    results = simulate(s, jobs=1)
    rejected = results.candidates[0].outcomes["rejected"]
    assert rejected.design == pytest.approx(1 + (m - 1) / (A + B + 1), rel=0.4)
    assert rejected.high - rejected.low > 2 * 1.96 * math.sqrt(rejected.p * (1 - rejected.p) / 20_000) * 2
    path = tmp_path / "u.yaml"
    path.write_text(yaml_of(s), encoding="utf-8")
    out = tmp_path / "run"
    done = CliRunner().invoke(cli, ["run", str(path), "-o", str(out), "-q", "--no-rows", "-j", "1"])
    assert done.exit_code == 0, done.output
    again = load_results(out)
    assert again.candidates[0].outcomes["rejected"] == rejected
    inputs = again.candidates[0].inputs
    assert inputs is not None and inputs.model_dump(mode="json") == results.candidates[0].inputs.model_dump(mode="json")


def yaml_of(s: object) -> str:
    from partnersim.results.rundir import resolved_yaml

    return resolved_yaml(s)  # type: ignore[arg-type]


def test_too_few_draws_are_warned_about_and_a_short_run_still_draws_twice(tmp_path: Path) -> None:
    from partnersim.scenario.checks import scenario_warnings

    s = _uncertain(1_000, 600)
    found = scenario_warnings(s)
    assert [f.message for f in found if f.path == ("uncertainty", "per_draw")] == [
        "1,000 replications at 600 a draw make 2 draws of the uncertain settings; the run takes 500 a draw; with "
        "fewer than 20 the split of the spread between them and the process is too rough to read (more "
        "replications, or fewer a draw)"]
    results = simulate(s.with_updates(replications=20), jobs=1)
    inputs = results.candidates[0].inputs
    assert inputs is not None and (inputs.draws, inputs.per_draw) == (2, 10)


def test_a_value_inside_a_distribution_can_be_uncertain_and_a_draw_that_breaks_it_is_said() -> None:
    """A pert's most likely value drawn from a judgement: valid draws run; a draw beyond the pert's high stops the
    run with one line naming the draw, not a traceback."""
    from partnersim.errors import PartnersimError

    base = {"start": "2026-12-01", "replications": 400, "stages": {"ipcp_drafting": {"duration": {"pert": ["1mo", "4mo", "9mo"]}}},
            "candidates": [{"code": "ARG", "request": "2026-12-01"}]}
    fine = scenario(**{**base, "uncertainty": {"per_draw": 20, "settings": [
        {"key": "stages.ipcp_drafting.duration.pert.1", "elicited": {"p10": "3mo", "p50": "4mo", "p90": "5mo"}}]}})
    assert simulate(fine, jobs=1).candidates[0].inputs is not None
    wide = scenario(**{**base, "uncertainty": {"per_draw": 20, "settings": [
        {"key": "stages.ipcp_drafting.duration.pert.1", "elicited": {"p10": "2mo", "p50": "6mo", "p90": "12mo"}}]}})
    with pytest.raises(PartnersimError, match=r"uncertainty: the draw stages.ipcp_drafting.duration.pert.1 = .* makes "
                                              r"the scenario invalid: pert"):
        simulate(wide, jobs=1)


def test_the_briefing_marks_a_written_value_that_a_draw_replaced() -> None:
    from partnersim.report.assumptions import read_inputs

    root = Path(__file__).resolve().parents[1] / "scenarios"
    s = load_scenario(root / "latam-uk-uncertain.yaml")
    inputs = {name: (root / name).read_text(encoding="utf-8") for name in ("latam-uk-uncertain.yaml", "latam.yaml")}
    rows = {row.key: row for f in read_inputs(inputs, s) for row in f.settings}
    assert "not used: drawn for each group of replications" in rows["allies.GBR.hold.probability"].value
    assert "not used" not in rows["allies.HUN.hold.probability"].value
