"""What-if analysis: paired intervals, compare, sweep, sensitivity, and the differences of two files.

The statistical tests use constructed scenarios whose answers are known:
one ally that vetoes with a chosen probability and no other way for a case to
fail, so that P(rejected) is that probability, and the ally's setting is the
one that matters most.
"""

from __future__ import annotations

import csv
import json
import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from partnersim.charts.compare import compare_chart
from partnersim.charts.sweep import sweep_chart
from partnersim.charts.tornado import tornado_chart
from partnersim.cli import cli
from partnersim.scenario import load_scenario
from partnersim.stats import newcombe_independent
from partnersim.text import percent
from partnersim.whatif import compare, diff_scenarios, factors, load_input, paired_change, sensitivity, sweep
from partnersim.whatif.paired import newcombe_paired
from partnersim.whatif.points import run_point
from partnersim.whatif.sensitivity import drivers
from partnersim.whatif.sweep import design_points, parse_param, prepare
from partnersim.whatif.text import change_text

ROOT = Path(__file__).resolve().parents[1]

# One candidate, one ally that can veto, nothing else that ends a case early:
# nobody withdraws, talks have no round limit, nobody holds at IPCP approval.
# Hungary vetoes half the cases, so P(cooperation) is near one half, where
# independent runs are noisiest.
VETO = """\
name: One ally can veto
start: 2026-01-01
horizon: 2031-12-31
replications: 1000
seed: 11
allies:
  default:
    hold: {probability: 0.0}
stages:
  consensus:
    allies:
      HUN: {hold: {probability: 0.5, duration: 1mo, lifted: 0.0}}
      TUR: {hold: {probability: 0.10, duration: 1mo, lifted: 0.5}}
  ipcp_approval:
    allies:
      default: {hold: {probability: 0.0}}
candidates:
  - {code: ARG, name: Argentina, request: 2026-01-01}
"""

# Only Türkiye ever holds, only at consensus, and every hold it makes ends in a veto.
ONE_VETO = """\
name: Only Türkiye can veto
start: 2026-01-01
horizon: 2031-12-31
replications: 800
seed: 5
allies:
  default:
    hold: {probability: 0.0}
  TUR:
    hold: {probability: 0.2, duration: 1mo, lifted: 0.0}
stages:
  ipcp_approval:
    allies:
      default: {hold: {probability: 0.0}}
      TUR: {hold: {probability: 0.0}}
candidates:
  - {code: ARG, name: Argentina, request: 2026-01-01}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- common random numbers -------------------------------------------------------------------


def test_paired_interval_is_several_times_narrower_than_from_independent_seeds(tmp_path: Path) -> None:
    """Common random numbers make a what-if's difference sharp; the ratio of widths is measured.

    The change: Türkiye's hold probability 0.10 → 0.15, at N = 4,000.

    Derivation. Let X and Y be a replication's indicators of cooperation in the
    base and the variant, p their means and θ = E[Y − X]. The 95% interval on θ
    has half-width ≈ 1.96 · sd/√N, with

    - independent seeds: var = p_x(1 − p_x) + p_y(1 − p_y) ≈ 2 · 0.475 · 0.525 ≈ 0.50;
    - the same seed: var(Y − X) = π − θ², where π is the share of replications
      that end differently. Draws are keyed by meaning, so the variant differs
      from the base only where Türkiye's hold uniform falls in [0.10, 0.15)
      (5% of replications), its hold ends in a veto (1 − lifted = 0.5) and
      Hungary has not vetoed already (0.5): π ≈ θ ≈ 0.05 · 0.5 · 0.5 = 0.0125,
      so var ≈ 0.0123. (A lifted hold delays by a month, far inside the horizon.)

    Expected ratio of widths √(0.50 / 0.0123) ≈ 6.4. With about 50 discordant
    replications the paired width is known to about ±7%, so asserting ≥ 3
    leaves a wide margin.
    """
    base_path = write(tmp_path, "base.yaml", VETO)
    base = load_scenario(base_path).with_updates(replications=4000)
    variant = load_scenario(base_path, ["stages.consensus.allies.TUR.hold.probability=0.15"]).with_updates(replications=4000)
    success = "cooperation"
    x = run_point(base).indicator(success)[:, 0]
    y_paired = run_point(variant).indicator(success)[:, 0]
    y_independent = run_point(variant.with_updates(seed=base.seed + 1)).indicator(success)[:, 0]

    paired = paired_change(x, y_paired)
    low, high = newcombe_independent(int(y_independent.sum()), y_independent.size, int(x.sum()), x.size)
    ratio = (high - low) / (paired.high - paired.low)

    assert 0.40 < x.mean() < 0.55
    assert paired.gained == 0, "raising a hold probability can only take cooperation away, draw for draw"
    assert paired.low < -0.0125 < paired.high
    assert ratio >= 3, f"paired interval only {ratio:.1f} times narrower than from independent seeds"


def test_a_paired_change_is_exactly_zero_when_no_replication_differs() -> None:
    same = np.array([True, False, True, True])
    change = paired_change(same, same.copy())
    assert (change.diff, change.low, change.high) == (0.0, 0.0, 0.0)
    assert change.identical and not change.distinguishable
    assert change.verdict == "no change in any replication"


def test_newcombe_paired_interval_is_antisymmetric_and_covers() -> None:
    low, high = newcombe_paired(40, 12, 3, 45)
    assert low < (12 - 3) / 100 < high
    swapped = newcombe_paired(40, 3, 12, 45)
    assert swapped == pytest.approx((-high, -low))
    # Coverage of 95% intervals on paired Bernoulli data with a known difference of 0.05.
    rng = np.random.default_rng(1)
    n, trials, covered = 300, 2000, 0
    for _ in range(trials):
        base = rng.random(n) < 0.4
        flip = rng.random(n)
        variant = np.where(flip < 0.08, True, np.where(flip < 0.11, False, base))
        c = paired_change(base, variant)
        truth = 0.08 * 0.6 - 0.03 * 0.4
        covered += c.low <= truth <= c.high
    assert 0.93 <= covered / trials <= 0.975


# --- compare ---------------------------------------------------------------------------------


def test_compare_of_a_scenario_with_itself_gives_zero_difference_exactly(tmp_path: Path) -> None:
    path = write(tmp_path, "veto.yaml", VETO)
    result = compare(load_input(path), [load_input(path)], replications=500)
    variant = result.variants[0]
    assert variant.differences == []
    for change in variant.candidates:
        for c in (change.success, change.rejected):
            assert (c.diff, c.low, c.high, c.gained, c.lost) == (0.0, 0.0, 0.0, 0, 0)
        assert all(dates.base == dates.variant for dates in change.dates.values())
    assert "no difference" in compare_chart(result).texts[0].get_text()


def test_compare_prints_the_change_its_verdict_and_the_differing_keys(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", VETO)
    variant = write(tmp_path, "variant.yaml", """\
        extends: base.yaml
        name: More Türkiye holds
        stages:
          consensus:
            allies:
              TUR: {hold: {probability: 0.6}}
          expert_talks: {teams: 3}
        """)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["compare", str(tmp_path / "base.yaml"), str(variant), "-n", "600",
                                      "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "stages.consensus.allies.TUR.hold.probability: 0.1 → 0.6" in result.output
    assert "stages.expert_talks.teams: 2 → 3" in result.output
    assert "distinguishable from noise" in result.output
    assert "Argentina: chance of cooperation by Dec 2031" in result.output
    assert {p.name for p in out.iterdir()} == {"compare.csv", "differences.txt", "comparison.json", "assumptions.csv", "inputs", "charts",
                                              "manifest.json"}
    assert (out / "charts" / "compare.png").read_bytes().startswith(b"\x89PNG")
    rows = list(csv.DictReader((out / "compare.csv").open(encoding="utf-8")))
    assert rows[0]["candidate"] == "ARG" and float(rows[0]["change_cooperation"]) < 0
    assert rows[0]["verdict_cooperation"] == "distinguishable from noise"


def test_compare_with_set_and_no_variant_compares_the_base_with_its_change(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", VETO)
    runner = CliRunner()
    result = runner.invoke(cli, ["compare", str(base), "--set", "stages.consensus.allies.TUR.hold.probability=0.3",
                                 "-n", "300", "--jobs", "1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "stages.consensus.allies.TUR.hold.probability: 0.1 → 0.3" in result.output
    missing = runner.invoke(cli, ["compare", str(base)])
    assert missing.exit_code == 2 and "give at least one VARIANT" in missing.output


def test_compare_reads_a_run_folder(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", VETO)
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(base), "-n", "300", "--jobs", "1", "--no-rows", "-q",
                               "--out", str(tmp_path / "run")]).exit_code == 0
    result = compare(load_input(tmp_path / "run"), [load_input(base)], replications=300)
    assert result.variants[0].differences == []
    assert result.variants[0].candidates[0].success.identical


def test_differences_of_the_shipped_turkey_what_if_name_the_stage() -> None:
    base = load_scenario(ROOT / "scenarios" / "latam.yaml")
    what_if = load_scenario(ROOT / "scenarios" / "latam-turkey-hold.yaml")
    lines = [str(d) for d in diff_scenarios(base, what_if)]
    assert lines[0] == ("stages.consensus.allies.TUR.hold.probability: 0.1 (from allies.TUR.hold.probability)"
                        " → 1 (at Allied consensus only)")
    assert [line.split(":")[0] for line in lines] == [
        "stages.consensus.allies.TUR.hold.probability",
        "stages.consensus.allies.TUR.hold.duration",
        "stages.consensus.allies.TUR.hold.lifted",
    ]
    assert diff_scenarios(base, base) == []


# --- sweep -----------------------------------------------------------------------------------


def test_sweeping_a_veto_probability_gives_that_chance_of_rejection(tmp_path: Path) -> None:
    """Only Türkiye can veto, at consensus, always within the horizon: P(rejected) = v at each point."""
    path = write(tmp_path, "veto.yaml", ONE_VETO)
    n = 1500
    base, params = prepare(path, ["stages.consensus.allies.TUR.hold.probability=0:0.6:4"])
    result = sweep(path, params, replications=n, base=base)
    rejected = []
    for (v,), point in zip(result.values, result.points, strict=True):
        p = point.results.candidates[0].outcomes["rejected"].p
        se = math.sqrt(v * (1 - v) / n)
        assert abs(p - v) <= 4 * se + 1e-12, f"P(rejected) {p:.3f} at v = {v}"
        rejected.append(point.indicator("rejected")[:, 0])
    # The same seed at every point: a higher veto probability only ever adds vetoes.
    for lower, higher in zip(rejected, rejected[1:], strict=False):
        assert not (lower & ~higher).any()
    rows = result.rows()
    assert [row["stages.consensus.allies.TUR.hold.probability"] for row in rows] == [0.0, 0.2, 0.4, 0.6]
    assert {"p_rejected", "p_rejected_low", "p_rejected_high", "p50_date"} <= set(rows[0])
    assert isinstance(sweep_chart(result, outcome="rejected"), Figure)


def test_sweep_command_writes_a_tidy_table_and_a_chart(tmp_path: Path) -> None:
    path = write(tmp_path, "veto.yaml", ONE_VETO)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "sweep", str(path), "--param", "allies.TUR.hold.probability=0:0.4:3",
        "--param", "stages.expert_talks.teams=1:2:2", "-n", "200", "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "sweep.csv").open(encoding="utf-8")))
    assert len(rows) == 6
    assert {row["stages.expert_talks.teams"] for row in rows} == {"1", "2"}
    assert (out / "charts" / "sweep.png").exists()
    assert "Ran 6 points × 200 replications" in result.output


@pytest.mark.parametrize(("param", "message"), [
    ("allies.TUR.hold.probabilty=0:1:3", "--param: allies.TUR.hold.probabilty: unknown key 'probabilty' "
                                        "(did you mean 'probability'?)"),
    ("allies.TUR.hold.probability=0:1.5:3", "--param: allies.TUR.hold.probability: must be a probability "
                                           "between 0 and 1, got 1.5"),
    ("allies.TUR.hold.probability=0:1", "--param: allies.TUR.hold.probability: a grid needs STEPS: "
                                       "PATH=LOW:HIGH:STEPS"),
    ("allies.TUR.hold.probability=0.5", "--param: allies.TUR.hold.probability: expected PATH=LOW:HIGH:STEPS, "
                                       "got 'allies.TUR.hold.probability=0.5'"),
    ("stages.expert_talks.teams=1:x:3", "--param: stages.expert_talks.teams: LOW and HIGH must both be numbers"),
])
def test_a_wrong_param_is_one_line_and_exit_code_2(tmp_path: Path, param: str, message: str) -> None:
    path = write(tmp_path, "veto.yaml", ONE_VETO)
    result = CliRunner().invoke(cli, ["sweep", str(path), "--param", param, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_latin_hypercube_points_are_fixed_by_the_seed_and_stay_in_range() -> None:
    params = [parse_param("allies.TUR.hold.probability=0.1:0.3"), parse_param("candidates.BRA.request=2027-01-01:2028-01-01")]
    first = design_points(params, "lhs", 12, seed=3)
    assert first == design_points(params, "lhs", 12, seed=3) and len(first) == 12
    assert all(0.1 <= p <= 0.3 for p, _ in first)
    # Each twelfth of the range holds exactly one point: a Latin hypercube.
    assert sorted(int((p - 0.1) / 0.2 * 12) for p, _ in first) == list(range(12))
    assert all(float(d).is_integer() for _, d in first)


# --- sensitivity -----------------------------------------------------------------------------


def test_the_only_ally_that_can_veto_ranks_first_in_the_tornado(tmp_path: Path) -> None:
    path = write(tmp_path, "one-veto.yaml", ONE_VETO)
    result = sensitivity(path, replications=800)
    effects = result.effects("ARG", "cooperation")
    assert effects[0].factor.path == "allies.TUR.hold.probability"
    top = effects[0]
    assert (top.low, top.high) == pytest.approx((0.9, 0.6), abs=0.05)  # 1 − 0.1 and 1 − 0.4
    assert not top.within_noise
    assert "Türkiye's chance of a hold" in drivers(result, "ARG")
    assert "Türkiye's chance of a hold moves Argentina's chance" in tornado_chart(result, "ARG").texts[0].get_text()
    assert isinstance(tornado_chart(result, "ARG", measure="p50"), Figure)


def test_a_swing_on_one_side_of_the_scenario_is_quoted_by_its_ends_and_both_bars_show(tmp_path: Path) -> None:
    """A --range that does not hold the scenario's value (Türkiye holds with chance 0.1; swung 0.3 to 0.6): the
    title and the drivers quote the chances at its ends, not the scenario's, and the shorter bar, drawn last,
    is not hidden by the longer."""
    from matplotlib.patches import Rectangle

    path = write(tmp_path, "one-veto.yaml", ONE_VETO)
    result = sensitivity(path, replications=800, ranges=["allies.TUR.hold.probability=0.3:0.6"])
    top = result.effects("ARG", "cooperation")[0]
    assert top.factor.path == "allies.TUR.hold.probability" and top.base is not None
    assert top.base > top.low > top.high  # about 0.9, then 0.7 and 0.4
    assert top.swung() == [top.low, top.high]
    fig = tornado_chart(result, "ARG")
    assert fig.texts[0].get_text().endswith(f"most: {percent(top.high)} to {percent(top.low)}")
    assert f"({percent(top.high)}–{percent(top.low)})" in drivers(result, "ARG")
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and abs(p.get_y() + p.get_height() / 2) < 1e-9]
    assert [round(abs(b.get_width()), 6) for b in bars] == sorted((round(abs(b.get_width()), 6) for b in bars),
                                                                   reverse=True)


def test_an_even_chance_date_beyond_the_horizon_everywhere_is_not_said_to_be_unmoved() -> None:
    """Where the date is after the horizon in the scenario and at both ends of a swing, nobody can tell whether the
    setting moves it: the tornado says it leaves it after the horizon, not that it does not move it."""
    result = sensitivity(ROOT / "scenarios" / "latam.yaml", replications=300)
    beyond = [e for e in result.effects("ARG", "p50") if e.spread == 0 and e.base is None
              and e.low is None and e.high is None]
    assert beyond  # Argentina's even chance is after the horizon in latam
    subtitle = tornado_chart(result, "ARG", measure="p50").texts[1].get_text()
    assert f"; {len(beyond)} leave it after Dec 2031" in subtitle
    assert f"{len(beyond)} do not move it at all" not in subtitle


def test_the_drivers_name_every_setting_the_noise_cannot_tell_from_the_last_named() -> None:
    """The sentence names three settings; a setting whose spread is within noise of the third's (the paired
    interval of the difference of their spreads holds zero) is named too, and none that is not."""
    result = sensitivity(ROOT / "scenarios" / "latam.yaml", replications=1000,
                         ranges=["allies.TUR.hold.duration=1y:5y"])
    for code in ("ARG", "BRA", "MEX"):
        beyond = [e for e in result.effects(code, "cooperation") if not e.within_noise and e.spread > 0]
        said = drivers(result, code)
        assert result.tied(code, beyond[0], beyond[0])  # a setting against itself
        alike = [e for e in beyond[3:] if result.tied(code, beyond[2], e)]
        for effect in beyond[3:]:  # the first two alike are named, the rest counted
            assert (f"{effect.factor.phrase} (" in said) == (effect in alike[:2]), (code, effect.factor.path)
        assert (f"and {len(alike) - 2} more" in said) == (len(alike) > 2)
    assert any(result.tied(code, b[2], e) for code in ("ARG", "BRA", "MEX")
               for b in [[e for e in result.effects(code, "cooperation") if not e.within_noise and e.spread > 0]]
               for e in b[3:])  # the case arises in latam
    # The even-chance date: the settings whose spread is within the noise bound of the third's are named after it.
    noise = result.date_noise("BRA")
    assert 0 < noise < math.inf
    dated = [e for e in result.effects("BRA", "p50") if e.spread >= max(15, noise)]
    date_part = drivers(result, "BRA").split("; its even-chance date", 1)[1]
    alike = [e for e in dated[3:] if dated[2].spread - e.spread <= noise]
    assert alike  # Brazil's fourth date driver is within noise of its third in latam
    assert all(e.factor.phrase in date_part for e in alike[:2])
    assert (f"and {len(alike) - 2} more" in date_part) == (len(alike) > 2)
    assert all(e.factor.phrase not in date_part for e in dated[3:] if e not in alike
               and not any(e.factor.phrase in a.factor.phrase for a in alike[:2]))


def test_an_even_chance_tornado_names_the_settings_tied_for_first(tmp_path: Path) -> None:
    from partnersim.charts.tornado import finding

    result = sensitivity(ROOT / "scenarios" / "latam.yaml", replications=1000)
    for code in ("BRA", "CHL", "PER"):
        dated = [e for e in result.effects(code, "p50") if e.spread > 0]
        tied = [e for e in dated[1:] if dated[0].spread - e.spread <= result.date_noise(code)]
        title = finding(result, code, "p50")
        assert ("within noise of each other" in title) == bool(tied), (code, title)
        assert title.startswith(dated[0].factor.phrase[:1].upper() + dated[0].factor.phrase[1:])


def test_a_setting_swept_twice_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sweep", str(LATAM), "--param", "stages.expert_talks.round=1mo:3mo:2",
                                      "--param", "stages.expert_talks.round=2mo:4mo:2", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and not (tmp_path / "x").exists()
    assert "--param: stages.expert_talks.round: given more than once; give each setting one range" in result.output


def test_the_interval_of_a_paired_mean_covers_its_mean_95_times_in_100() -> None:
    """Paired differences of two yes/no outcomes with the same chance: over 400 seeds the 95% interval holds
    zero between 372 and 392 times (the binomial's 99.9% range around 380)."""
    from partnersim.stats import mean_interval

    covered = 0
    for seed in range(400):
        rng = np.random.default_rng(seed)
        a, b = rng.random(2000) < 0.3, rng.random(2000) < 0.3
        _, low, high = mean_interval(a.astype(float) - b.astype(float))
        covered += low <= 0.0 <= high
    assert 366 <= covered <= 394


def test_default_swings() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "latam.yaml")
    found = {f.path: f for f in factors(scenario)}
    assert (found["allies.TUR.hold.probability"].low, found["allies.TUR.hold.probability"].high) == ("0.05", "0.2")
    assert (found["stages.expert_talks.agreement"].low, found["stages.expert_talks.agreement"].high) == ("0.3", "0.8")
    assert (found["stages.expert_talks.teams"].low, found["stages.expert_talks.teams"].high) == ("1", "4")
    assert found["stages.ipcp_drafting.duration"].high == '{"pert": ["2mo", "8mo", "1.5y"]}'
    assert found["candidates.ARG.withdrawal.annual_rate"].range_text == "0.025–0.1"
    # Every swing is a valid --set value.
    for factor in found.values():
        for side in ("low", "high"):
            load_scenario(ROOT / "scenarios" / "latam.yaml", factor.overrides(side))


def test_sensitivity_command_writes_tornadoes_and_names_the_drivers(tmp_path: Path) -> None:
    path = write(tmp_path, "one-veto.yaml", ONE_VETO)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["sensitivity", str(path), "-n", "200", "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Argentina's chance of cooperation by Dec 2031" in result.output
    assert "depends most on Türkiye's chance of a hold" in result.output
    assert {p.name for p in (out / "charts").iterdir()} == {"tornado_cooperation_ARG.png", "tornado_p50_ARG.png"}
    rows = list(csv.DictReader((out / "sensitivity.csv").open(encoding="utf-8")))
    assert rows[0]["path"] == "allies.TUR.hold.probability" and rows[0]["rank"] == "1"


def test_compare_pairs_the_chance_that_the_partnership_is_active(tmp_path: Path) -> None:
    """Cooperation starts on day 0 in every replication (the candidate is at an approval no
    ally holds, decided at once). The base never suspends; the what-if suspends at 0.2 a
    year, so over the 5-year horizon the partnership stays active with probability e^−1 and
    the paired change is e^−1 − 1; cooperation itself is unchanged in every replication."""
    base = tmp_path / "base.yaml"
    base.write_text(textwrap.dedent("""\
        start: 2026-01-01
        horizon: 5y
        replications: 3000
        allies: {default: {deliberation: 0d, hold: {probability: 0}}}
        stages: {ipcp_approval: {allies: {default: {deliberation: 0d, hold: {probability: 0}}}}}
        partnership: {renewal: null}
        candidates:
          - {code: ARG, request: 2025-01-01, stage: ipcp_approval}
        """), encoding="utf-8")
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: base.yaml\npartnership: {suspension: {annual_rate: 0.2}}\n", encoding="utf-8")
    result = compare(load_input(base), [load_input(variant)])
    change = result.variants[0].candidate("ARG")
    assert change.success.identical
    assert change.active is not None and change.active.base == 1.0
    p = math.exp(-1)
    assert change.active.diff == pytest.approx(p - 1, abs=4 * math.sqrt(p * (1 - p) / 3000))
    assert change.active.high < 0


def test_a_stage_run_as_another_kind_is_one_difference_and_its_own_settings() -> None:
    """latam-calendar runs IPCP approval by silence: the consensus settings it no longer has are not
    reported as changed holds; the kind and the silence procedure's own settings are."""
    root = Path(__file__).parent.parent / "scenarios"
    found = {d.path: d for d in diff_scenarios(load_scenario(root / "latam.yaml"), load_scenario(root / "latam-calendar.yaml"))}
    assert str(found["stages.ipcp_approval.kind"]) == (
        "stages.ipcp_approval.kind: consensus → silence (the stage's settings are replaced, not merged)")
    assert str(found["stages.ipcp_approval.allies.TUR.breaks"]) == (
        "stages.ipcp_approval.allies.TUR.breaks: not part of a consensus stage → 0.05")
    assert not [p for p in found if p.startswith("stages.ipcp_approval.allies.") and ".hold" in p]


def test_compare_shows_the_warnings_of_the_files_it_compares(tmp_path: Path) -> None:
    """A what-if in which Türkiye vetoes 95% of cases is valid but suspicious: compare says so on
    standard error, as run does, and --json output stays clean."""
    root = Path(__file__).parent.parent / "scenarios"
    variant = tmp_path / "veto.yaml"
    variant.write_text(f"extends: {(root / 'latam.yaml').as_posix()}\n"
                       "allies: {TUR: {hold: {probability: 0.95, lifted: 0.0}}}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compare", str(root / "latam.yaml"), str(variant), "-n", "200", "-j", "1",
                                      "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert "veto.yaml:2: allies.TUR.hold: warning: Türkiye vetoes 95% of the cases at consensus" in result.stderr
    assert isinstance(json.loads(result.stdout), list)


@pytest.mark.parametrize("command", [
    ["sensitivity", "{path}", "-n", "100"],
    ["compare", "{path}", "--set", "allies.TUR.hold.probability=0.3", "-n", "100"],
    ["sweep", "{path}", "--param", "allies.TUR.hold.probability=0:0.4:2", "-n", "100"],
])
def test_quiet_prints_only_where_the_folder_was_written(tmp_path: Path, command: list[str]) -> None:
    path = write(tmp_path, "one-veto.yaml", ONE_VETO)
    out = tmp_path / "out"
    args = [part.format(path=path) for part in command] + ["--jobs", "1", "-q", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Wrote {out}/ ("), result.output


# Two allies whose holds are linked, and an election after which Türkiye holds more often: list
# items that a --range names by position.
LISTS = """\
name: Linked holds
start: 2026-01-01
horizon: 5y
seed: 3
blocs: [{name: X, allies: [TUR, HUN], strength: 0.5}]
calendar:
  elections: [{ally: TUR, date: 2027-06-01, hold: 0.2}]
  summits: {dates: [2029-07-01]}
candidates:
  - {code: ARG, name: Argentina, request: 2026-01-01}
  - {code: BRA, name: Brazil, request: 2026-06-01}
"""


@pytest.mark.parametrize(("given", "value"), [
    ("blocs.0.strength=0:1", "0.5"),
    ("calendar.elections.0.hold=0:0.5", "0.2"),
    ("calendar.elections.0.date=2027-01-01:2028-01-01", "2027-06-01"),
    ("calendar.summits.dates.0=2028-07-01:2030-07-01", "2029-07-01"),
    ("candidates.1.request=2026-01-01:2027-01-01", "2026-06-01"),
    ("candidates.BRA.request=2026-01-01:2027-01-01", "2026-06-01"),
])
def test_a_range_over_a_list_item_shows_the_scenarios_value(tmp_path: Path, given: str, value: str) -> None:
    scenario = load_scenario(write(tmp_path, "lists.yaml", LISTS))
    path = given.split("=")[0]
    found = {f.path: f for f in factors(scenario, [given])}
    assert found[path].base == value
    if path.startswith("candidates."):
        assert found[path].label == "Brazil: request date"


def test_sensitivity_csv_shows_a_blocs_strength_as_set(tmp_path: Path) -> None:
    path = write(tmp_path, "lists.yaml", LISTS)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["sensitivity", str(path), "--range", "blocs.0.strength=0:1", "-n", "60",
                                      "--jobs", "1", "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [r for r in csv.DictReader((out / "sensitivity.csv").open(encoding="utf-8"))
            if r["path"] == "blocs.0.strength"]
    assert [r["value"] for r in rows] == ["0.5", "0.5"] and rows[0]["setting"] == "Bloc X: chance of acting as one"


@pytest.mark.parametrize(("paths", "labels"), [
    (["latam.yaml", "variants/latam.yaml", "v3/latam.yaml"], ["latam.yaml", "variants/latam.yaml", "v3/latam.yaml"]),
    (["a/x.yaml", "b/a/x.yaml", "x.yaml"], ["a/x.yaml", "b/a/x.yaml", "x.yaml"]),
    (["runs/base", "old/runs/base"], ["runs/base", "old/runs/base"]),
    (["x.yaml", "x.yaml", "y.yaml"], ["x.yaml", "x.yaml (2)", "y.yaml"]),
    (["one.yaml", "two.yaml"], ["one.yaml", "two.yaml"]),
])
def test_inputs_that_share_a_file_name_are_named_by_the_shortest_path_that_tells_them_apart(
        paths: list[str], labels: list[str]) -> None:
    from partnersim.whatif.compare import distinct_labels

    assert distinct_labels([Path(p).name for p in paths], [Path(p) for p in paths]) == labels


VARIANTS = {
    "latam.yaml": VETO.replace("name: One ally can veto", "name: parent"),
    "variants/latam.yaml": "extends: ../latam.yaml\nstages: {consensus: {allies: {HUN: {hold: {probability: 0.1}}}}}\n",
    "v3/latam.yaml": "extends: ../latam.yaml\nstages: {consensus: {allies: {HUN: {hold: {probability: 1.0}}}}}\n",
}


def test_a_comparison_tells_apart_inputs_that_share_a_file_name_and_a_scenario_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two what-ifs in other folders, each called latam.yaml and keeping the name of the file they extend:
    every place that names an input names each by the shortest path that tells it apart."""
    for name, text in VARIANTS.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        write(tmp_path, name, text)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["compare", *VARIANTS, "-n", "300", "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for label in ("variants/latam.yaml", "v3/latam.yaml"):
        assert f"What differs (latam.yaml → {label}):" in result.output
        assert f"parent ({label}) against parent (latam.yaml)" in result.output
    assert "parent against parent" not in result.output
    overview = result.output.split("All what-ifs: change in the chance of")[1]
    assert "parent (variants/latam.yaml)" in overview and "parent (v3/latam.yaml)" in overview
    comparison = compare(*_loaded(), replications=300)
    for candidate in comparison.base.candidates:
        cells = [change_text(v.candidate(candidate.code).success) for v in comparison.variants]
        assert all(cell in overview for cell in cells)
    rows = list(csv.DictReader((out / "compare.csv").open(encoding="utf-8")))
    assert [r["variant"] for r in rows] == ["variants/latam.yaml", "v3/latam.yaml"]
    heads = [line for line in (out / "differences.txt").read_text(encoding="utf-8").splitlines()
             if not line.startswith(" ")]
    assert heads == ["latam.yaml → variants/latam.yaml", "latam.yaml → v3/latam.yaml"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["variants"] == ["variants/latam.yaml", "v3/latam.yaml"]

    fig = compare_chart(compare(*_loaded(), replications=300))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:3] == ["Base: latam.yaml", "variants/latam.yaml", "v3/latam.yaml"]
    assert fig.texts[0].get_text().startswith("v3/latam.yaml moves the chance")


def _loaded() -> tuple[Any, list[Any]]:
    from partnersim.whatif.compare import load_inputs

    base, *variants = load_inputs([(name, ()) for name in VARIANTS])
    return base, variants


def test_the_api_tells_apart_inputs_with_the_same_label(tmp_path: Path) -> None:
    path = write(tmp_path, "veto.yaml", VETO)
    result = compare(load_input(path), [load_input(path), load_input(path)], replications=100)
    assert [result.base_label, *(v.label for v in result.variants)] == ["veto.yaml", "veto.yaml (2)", "veto.yaml (3)"]


@pytest.mark.parametrize("command", [
    ["sensitivity"], ["sensitivity", "--method", "sobol", "--samples", "4"], ["sensitivity", "--method", "morris"],
])
@pytest.mark.parametrize(("ends", "says"), [
    ("0.5:0.2", "LOW '0.5' is above HIGH '0.2'"),
    ("0.3:0.3", "LOW and HIGH are the same ('0.3'): there is nothing to swing"),
])
def test_a_range_that_is_reversed_or_empty_is_refused_before_anything_runs(
    tmp_path: Path, command: list[str], ends: str, says: str
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*command, str(ROOT / "scenarios" / "latam.yaml"), "-n", "4", "--out", str(out),
                                      "--range", f"allies.TUR.hold.probability={ends}"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[0] == f"--range: allies.TUR.hold.probability: {says}"
    assert not out.exists()


def test_a_goal_seek_over_an_empty_range_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["seek", str(ROOT / "scenarios" / "latam.yaml"), "allies.TUR.hold.probability",
                                      "--range", "0.3:0.3", "-n", "20", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[0] == ("SETTING --range: allies.TUR.hold.probability: LOW and HIGH are the "
                                             "same (0.3:0.3): there is nothing to search")
    assert not out.exists()


# --- a range of durations over a setting that holds a distribution -----------------------------------------------

LATAM = Path(__file__).resolve().parent.parent / "scenarios" / "latam.yaml"


@pytest.mark.parametrize("spec", [{"lognormal": {"median": "127w", "p90": "515w"}}, {"pert": ["1mo", "4mo", "9mo"]},
                                  {"gamma": {"mean": "2mo", "cv": 0.5}}, {"empirical": ["10d", "20d", "40d"]}])
def test_a_distribution_moved_to_a_median_keeps_its_shape(spec: dict[str, Any]) -> None:
    """Every duration of the distribution is scaled alike: the median lands on the value asked for (to the
    thousandth of a day that --set text keeps) and every quantile moves by the same factor."""
    from pydantic import TypeAdapter

    from partnersim.values.distributions import Distribution, median_days, moves_by_median, with_median

    adapter: Any = TypeAdapter(Distribution)
    before = adapter.validate_python(spec)
    after = adapter.validate_python(json.loads(with_median(spec, 400.0)))
    assert moves_by_median(spec) and type(after) is type(before)
    assert median_days(after) == pytest.approx(400.0, abs=0.01)
    u = np.array([0.1, 0.25, 0.75, 0.9])
    factor = 400.0 / median_days(before)
    assert np.allclose(after.ppf(u), before.ppf(u) * factor, rtol=1e-4)
    assert not moves_by_median("6mo") and not moves_by_median({"fixed": "6mo"}) and not moves_by_median(None)


def test_a_range_of_durations_moves_the_median_of_the_distribution_a_setting_takes() -> None:
    """A key that holds a distribution, set where it stands or taken from the allies' default (Türkiye's hold
    length is the default's), is swept by its median with its spread kept; a key set to a fixed duration is set to
    each value; each point's scenario holds what the sweep says."""
    from partnersim.whatif.sweep import load_point

    base, params = prepare(LATAM, ["allies.TUR.hold.duration=1y:5y:3", "stages.ipcp_drafting.duration=2mo:6mo:3"])
    tur, drafting = params
    assert tur.median and drafting.median
    assert tur.spread == {"lognormal": {"median": "127w", "p90": "515w"}}  # the allies' default, as written
    point = load_point(LATAM, (), params, [tur.high, drafting.low])
    hold = point.allies.overrides["TUR"].hold
    assert hold is not None and hold.duration is not None
    assert hold.duration.lognormal.median == pytest.approx(5 * 365.25, abs=0.01)  # type: ignore[union-attr]
    assert hold.duration.lognormal.p90 / hold.duration.lognormal.median == pytest.approx(515 / 127, rel=1e-5)  # type: ignore[union-attr]
    assert float(point.stages["ipcp_drafting"].duration.ppf(np.array([0.5]))[0]) == pytest.approx(2 * 30.4375, abs=0.01)  # type: ignore[union-attr]
    assert tur.shown(tur.high) == "median 5 years" and tur.label(tur.low) == "allies.TUR.hold.duration: median 12 months"
    _, (fixed,) = prepare(LATAM, ["stages.ipcp_drafting.duration=2mo:6mo:3"], ["stages.ipcp_drafting.duration=4mo"])
    assert not fixed.median and fixed.value(fixed.low) == "2mo"


def test_goal_seek_and_one_at_a_time_ranges_over_a_distribution_say_they_move_its_median(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["seek", str(LATAM), "allies.TUR.hold.duration", "--range", "1y:15y",
                                      "--candidate", "BRA", "-n", "300", "-o", str(tmp_path / "seek")])
    assert result.exit_code == 0, result.output
    assert "the scenario's median of 889 days" in result.output
    with open(tmp_path / "seek" / "seek.csv", encoding="utf-8") as handle:
        assert all(row["value"].startswith("median ") for row in csv.DictReader(handle))
    result = CliRunner().invoke(cli, ["sensitivity", str(LATAM), "--range", "allies.TUR.hold.duration=1y:5y",
                                      "-n", "200", "-o", str(tmp_path / "oat")])
    assert result.exit_code == 0, result.output
    assert "median 1y–5y" in result.output
    given = next(f for f in factors(load_scenario(LATAM), ["allies.TUR.hold.duration=1y:5y"])
                 if f.path == "allies.TUR.hold.duration")
    (text,) = given.overrides("high")  # 515w / 127w × 5y = 7,405.66 days
    assert text == 'allies.TUR.hold.duration={"lognormal": {"median": "5y", "p90": "7405.659d"}}'
    assert given.range_text == "median 1y–5y" and given.base == "{lognormal: {median: 127w, p90: 515w}}"


@pytest.mark.parametrize("args", [
    ["sweep", str(LATAM), "--param", "allies.TUR.hold.duration=30:365:2"],
    ["seek", str(LATAM), "allies.TUR.hold.duration", "--range", "30:365"],
    ["sensitivity", str(LATAM), "--range", "allies.TUR.hold.duration=30:365"],
    ["sensitivity", str(LATAM), "--method", "morris", "--range", "stages.ipcp_drafting.duration=30:365"],
])
def test_a_range_of_bare_numbers_over_a_duration_asks_for_units(args: list[str], tmp_path: Path) -> None:
    """Bare numbers would be read as days and set as one fixed length, whatever the key holds."""
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "a duration: give the range with its units, such as 30d:365d (days) or 1mo:12mo" in result.output
    assert not (tmp_path / "out").exists()
