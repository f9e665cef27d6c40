"""Global sensitivity: the machinery checked on functions whose indices are known in closed form."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.whatif.indices import sobol_halves

SALib = pytest.importorskip("SALib")
from SALib.analyze import sobol as salib_sobol  # noqa: E402
from SALib.sample import sobol as salib_sample  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"
Z = 1.959963984540054


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Closed form (Ishigami and Homma 1990; Sobol' and Levitan 1999)."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def test_without_noise_the_estimators_are_salibs() -> None:
    x = salib_sample.sample(PROBLEM, 512, calc_second_order=False, seed=4)
    y = _ishigami(x)
    first, first_half, total, total_half, _ = sobol_halves(y, y, 3, seed=4)
    reference = salib_sobol.analyze(PROBLEM, y, calc_second_order=False, num_resamples=1000, seed=4)
    assert np.allclose(first, reference["S1"], rtol=0, atol=1e-12)
    assert np.allclose(total, reference["ST"], rtol=0, atol=1e-12)
    # The same resamples (the same generator and seed): the same intervals.
    assert np.allclose(first_half, reference["S1_conf"], rtol=0, atol=1e-12)
    assert np.allclose(total_half, reference["ST_conf"], rtol=0, atol=1e-12)


def test_ishigami_indices_are_recovered_within_their_intervals() -> None:
    """N = 4,096 base samples, seed fixed; each estimate within four standard errors (its interval is ±1.96)."""
    x = salib_sample.sample(PROBLEM, 4096, calc_second_order=False, seed=7)
    y = _ishigami(x)
    first, first_half, total, total_half, (interactions, low, high) = sobol_halves(y, y, 3, seed=7)
    s1, st = _ishigami_indices()
    assert np.all(np.abs(first - s1) <= 4 * first_half / Z + 1e-3)
    assert np.all(np.abs(total - st) <= 4 * total_half / Z + 1e-3)
    assert low <= 1 - s1.sum() <= high  # interactions: only x1 with x3, 0.244 of the variance
    assert abs(interactions - (1 - s1.sum())) < 0.05


def test_a_noisy_simulator_gives_the_indices_of_its_chance_not_of_the_noise() -> None:
    """A chance p(x) = 0.2 + 0.3·x1 + 0.15·x2 (x3 does nothing) estimated from 16 replications a point, the
    points of a base sample sharing them as the engine's do: the halves' estimator recovers p's indices
    (0.8, 0.2, 0); the same analysis of the noisy estimate itself is biased towards zero."""
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    x = salib_sample.sample(problem, 4096, calc_second_order=False, seed=11)
    p = 0.2 + 0.3 * x[:, 0] + 0.15 * x[:, 1]
    # The replications' uniforms: common to the five points of a base sample, the next base sample's its own.
    u = np.repeat(np.random.default_rng(11).random((4096, 16)), 5, axis=0)
    hits = u < p[:, None]
    ya, yb = hits[:, :8].mean(axis=1), hits[:, 8:].mean(axis=1)
    first, first_half, total, total_half, _ = sobol_halves(ya, yb, 3, seed=11)
    truth = np.array([0.8, 0.2, 0.0])
    assert np.all(np.abs(first - truth) <= 4 * first_half / Z + 1e-3)
    assert np.all(np.abs(total - truth) <= 4 * total_half / Z + 1e-3)
    y = (ya + yb) / 2
    naive = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=200, seed=11)
    assert naive["S1"][0] < first[0] - 2 * first_half[0] / Z  # the noise dilutes it


def test_morris_says_a_setting_is_beyond_noise_only_when_its_effects_agree_across_the_halves() -> None:
    """A chance p(x) = 0.2 + 0.3·x1 + 0.15·x2 (x3 does not move it) estimated from 32 replications a point, shared
    along a trajectory as the engine shares them. μ*, a mean of absolute changes, is above zero by noise alone, so
    its interval calls x3 an effect in most designs; the product of the two halves' effects has mean zero for x3:
    over 200 designs it is called an effect about 2.5% of the time (at most 12: the binomial's 99.9% bound),
    and x1 every time."""
    from SALib.analyze import morris as salib_morris
    from SALib.sample import morris as morris_sample

    from partnersim.whatif.indices import morris_effect_low

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    called = np.zeros(3, dtype=int)
    naive = 0
    for seed in range(200):
        x = morris_sample.sample(problem, 20, num_levels=4, seed=seed)
        p = 0.2 + 0.3 * x[:, 0] + 0.15 * x[:, 1]
        u = np.repeat(np.random.default_rng(seed).random((20, 32)), 4, axis=0)  # one set a trajectory
        # x3 shifts the uniforms a replication uses (as a setting that moves a draw does in the engine): it flips
        # replications both ways without moving the chance.
        hits = (u + 0.37 * x[:, 2:3]) % 1.0 < p[:, None]
        ya, yb = hits[:, :16].mean(axis=1), hits[:, 16:].mean(axis=1)
        called += morris_effect_low(problem, x, ya, yb, 3, seed, resamples=400) > 0
        found = salib_morris.analyze(problem, x, (ya + yb) / 2, num_resamples=200, num_levels=4, seed=seed)
        naive += found["mu_star"][2] - found["mu_star_conf"][2] > 0
    assert called[0] == 200 and called[2] <= 12
    assert naive > 100  # the rule on μ*'s interval named x3 in most designs


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_the_command_writes_indices_charts_and_a_briefing(method: str, tmp_path: Path) -> None:
    out = tmp_path / method
    runner = CliRunner()
    result = runner.invoke(cli, ["sensitivity", str(MINIMAL), "--method", method, "--samples", "8", "-n", "16",
                                  "--by", "2027-12-31", "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "indices.csv").open(encoding="utf-8")))
    assert {r["measure"] for r in rows} == {"cooperation", "by-2027-12-31"}
    assert all(r["beyond_noise"] in ("yes", "no") for r in rows)
    charts = sorted(p.name for p in (out / "charts").iterdir())
    assert charts == [f"indices_by-2027-12-31_{code}.png" for code in _codes(out)] + \
        [f"indices_cooperation_{code}.png" for code in _codes(out)]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "indices" and manifest["analysis"] == method
    briefing = tmp_path / "briefing.html"
    result = runner.invoke(cli, ["report", str(out), "-o", str(briefing), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert "What explains the results" in briefing.read_text(encoding="utf-8")


def test_an_index_above_one_is_drawn_to_the_edge_and_said_to_be_sampling_error(tmp_path: Path) -> None:
    """A share of the variance above 1 (a small sample's estimate) is drawn to 1 with an arrow, labelled with its
    value and what it means, and the command says so."""
    from partnersim.charts.indices import indices_chart
    from partnersim.scenario.loader import load_scenario
    from partnersim.whatif.indices import from_data

    out = tmp_path / "sobol"
    result = CliRunner().invoke(cli, ["sensitivity", str(MINIMAL), "--method", "sobol", "--samples", "8", "-n", "16",
                                      "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "indices.json").read_text(encoding="utf-8"))
    found = from_data(data, load_scenario(MINIMAL))
    code = found.codes[0]
    indices = found.indices[(code, "cooperation")]
    assert indices.first is not None and indices.total is not None
    top = indices.order()[0]
    indices.first[top], indices.total[top] = 1.44, 0.89
    fig = indices_chart(found, code, "cooperation")
    ax = fig.axes[0]
    assert ax.get_xlim()[1] <= 1.15 and max(p.get_width() for p in ax.patches if hasattr(p, "get_width")) <= 1.0
    assert any(t.get_text().startswith("0.89") and t.get_text().endswith("; alone 1.44, above 1: too few samples")
               for t in ax.texts)


def _codes(folder: Path) -> list[str]:
    data = json.loads((folder / "indices.json").read_text(encoding="utf-8"))
    return sorted(data["codes"])


def test_options_of_a_global_analysis_are_refused_without_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sensitivity", str(MINIMAL), "--samples", "8", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--samples goes with --method sobol or morris" in result.output
    assert not (tmp_path / "x").exists()


def test_a_leader_below_a_larger_estimate_within_noise_is_said_to_lead_the_settings_beyond_noise() -> None:
    """A setting within noise may have the larger estimate: the title then says whom the leader leads."""
    from partnersim.charts.indices import finding
    from partnersim.scenario import load_scenario
    from partnersim.whatif.indices import GlobalSensitivity, Indices, measures_of

    scenario = load_scenario(ROOT / "scenarios" / "latam.yaml")
    codes = [c.code for c in scenario.candidates]
    found = GlobalSensitivity(scenario, "sobol", [], ["Length", "Lifted"], 32, 32, 832, measures_of(scenario),
                              codes, [c.label for c in scenario.candidates],
                              ["the length of the allies' holds", "the allies' chance of lifting a hold"])
    noisy_first = Indices(["Length", "Lifted"], np.array([0.2, 0.2]), np.array([0.3, 0.1]), np.array([0.34, 0.23]),
                          np.array([0.37, 0.1]), (0.1, 0.0, 0.3), variance=0.01, mean=0.4)
    found.indices[("ARG", "cooperation")] = noisy_first
    assert finding(found, "ARG", "cooperation").endswith(
        ": of the settings beyond noise, the allies' chance of lifting a hold explains the largest share of its "
        "variance, 23%")
    found.indices[("ARG", "cooperation")] = Indices(["Length", "Lifted"], np.array([0.2, 0.2]),
                                                    np.array([0.1, 0.1]), np.array([0.34, 0.23]),
                                                    np.array([0.05, 0.03]), (0.1, 0.0, 0.3), variance=0.01, mean=0.4)
    assert finding(found, "ARG", "cooperation").endswith(": the length of the allies' holds explains the largest "
                                                          "share of its variance, 34%")
