"""The record and what is built on it: shipped data, the fitter, the accession template, the back-test."""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from partnersim import data
from partnersim.cli import cli
from partnersim.errors import PartnersimError, ScenarioError
from partnersim.history.backtest import fit_check, percentile_of, place, quantile_day, run_case
from partnersim.history.fit import ASSUMED_HOLD_SIGMA, Params, check_days, fit_delays, ks_distance
from partnersim.history.observed import Milestone, read_observed
from partnersim.history.sample import read_delays
from partnersim.history.snippet import snippet
from partnersim.kinds.consensus import layer_allies
from partnersim.process.library import TEMPLATES
from partnersim.process.machine import build_machine, state_names, transition_table
from partnersim.scenario import load_scenario, scenario_from_dict
from partnersim.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "scenarios" / "history"

# --- the shipped data -------------------------------------------------------------------------


def test_the_data_ship_inside_the_package() -> None:
    names = {entry.name for entry in resources.files("partnersim.data").iterdir()}
    assert {"events.csv", "ratification_finland_sweden.csv", "SOURCES.md"} <= names


def test_every_row_keeps_its_source() -> None:
    assert len(data.events()) > 100 and all(e.source for e in data.events())
    assert len(data.ratifications()) == 31 and all(r.source for r in data.ratifications())


def test_consent_days_agree_with_consent_dates() -> None:
    for row in data.ratifications():
        for date, days in ((row.finland_date, row.finland_days), (row.sweden_date, row.sweden_days)):
            if date is not None:
                assert (date - data.PROTOCOLS_SIGNED).days == days, row.ally


def test_consent_delays_are_the_30_allies_that_signed() -> None:
    finland, sweden = data.consent_delays("finland"), data.consent_delays("sweden")
    assert len(finland) == len(sweden) == 30 and "Finland" not in sweden
    assert (finland["Hungary"], finland["Turkey"], sweden["Hungary"], sweden["Turkey"]) == (265, 268, 601, 567)


@pytest.mark.parametrize(
    ("text", "precision", "first", "last"),
    [
        ("2022-07-05", "day", dt.date(2022, 7, 5), dt.date(2022, 7, 5)),
        ("2016-12", "month", dt.date(2016, 12, 1), dt.date(2016, 12, 31)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2007", "year", dt.date(2007, 1, 1), dt.date(2007, 12, 31)),
    ],
)
def test_event_dates_keep_their_precision(text: str, precision: str, first: dt.date, last: dt.date) -> None:
    date = data.EventDate.parse(text)
    assert (date.precision, date.first, date.last) == (precision, first, last)


def test_a_malformed_event_date_is_refused() -> None:
    with pytest.raises(ValueError, match="expected a date as YYYY-MM-DD, YYYY-MM or YYYY, got '2016-13'"):
        data.EventDate.parse("2016-13")


# --- reading delays -----------------------------------------------------------------------------


def test_the_shipped_table_is_read_with_its_day_zero() -> None:
    sample = read_delays(None, ["finland_days"])
    assert (sample.n, sample.day_zero, sample.excluded) == (30, data.PROTOCOLS_SIGNED, ())


def test_finland_is_left_out_of_swedens_deliberations_and_says_why() -> None:
    sample = read_delays(None, ["sweden_days"])
    assert sample.n == 30 and "Finland" not in sample.rows
    assert sample.excluded == ("Finland: not an ally when the protocol was signed; it ratified on joining",)


def test_pooled_columns_keep_track_of_the_rows() -> None:
    sample = read_delays(None, ["finland_days", "sweden_days"])
    assert (sample.n, sample.distinct_rows) == (60, 30)
    assert "Hungary (sweden_days)" in sample.labels


@pytest.mark.parametrize(
    ("text", "columns", "exclude", "message"),
    [
        ("ally,days\nA,1\n", ["dyas"], [], "delays.csv: no column 'dyas' (did you mean 'days'?); columns: ally, days"),
        ("ally,days\nA,1\nB,soon\n", ["days"], [], "delays.csv:3: days: expected a number of days, got 'soon'"),
        ("ally,days\nA,1\n", ["days"], ["Z"], "delays.csv: --exclude names no row: Z"),
        ("ally,days\nA,\n", ["days"], [], "delays.csv: no delays in days"),
    ],
)
def test_a_bad_table_is_reported_with_file_and_line(
    tmp_path: Path, text: str, columns: list[str], exclude: list[str], message: str
) -> None:
    path = tmp_path / "delays.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PartnersimError) as caught:
        read_delays(path, columns, exclude)
    assert str(caught.value) == message


# --- the fitter -----------------------------------------------------------------------------------

TRUE = Params("gamma", 0.5, 45.0, 0.10, math.log(300.0), 0.5)


def _numbers(params: Params) -> dict[str, float]:
    return {"body_median": params.body_median, "body_p90": params.body_p90, "hold_p": params.hold_p,
            "hold_median": params.hold_median, "hold_sigma": params.hold_sigma}


def test_the_fitter_recovers_known_parameters_within_their_sampling_error() -> None:
    """Fit 40 synthetic data sets of 2,000 whole-day delays drawn from known parameters.

    The spread of the 40 estimates is the sampling error; their mean must lie
    within 4 standard errors of the truth (the MLE's bias at this size is far
    smaller), and every single estimate within 5 standard deviations.
    """
    rng = np.random.default_rng(20220705)
    estimates = [
        _numbers(fit_delays(np.floor(TRUE.sample(rng, 2000) + 0.5), family="gamma", hold_sigma=None).params)
        for _ in range(40)
    ]
    for key, truth in _numbers(TRUE).items():
        values = np.array([e[key] for e in estimates])
        sd = values.std(ddof=1)
        assert abs(values.mean() - truth) < 4 * sd / math.sqrt(values.size), (key, values.mean(), truth, sd)
        assert np.all(np.abs(values - truth) < 5 * sd), key
        assert sd < 0.2 * truth, key  # and the estimates are informative at all


def test_the_fitter_recovers_a_lognormal_body_and_picks_it() -> None:
    true = Params("lognormal", math.log(12.0), 1.1, 0.05, math.log(400.0), ASSUMED_HOLD_SIGMA)
    rng = np.random.default_rng(11)
    result = fit_delays(np.floor(true.sample(rng, 5000) + 0.5))
    assert result.params.family == "lognormal" and result.by_family["lognormal"] > result.by_family["gamma"]
    # standard errors at n = 5,000: about 2% on the median, 0.003 on the share, 7% on the hold median
    assert result.params.body_median == pytest.approx(12.0, rel=0.08)
    assert result.params.hold_p == pytest.approx(0.05, abs=0.012)
    assert result.params.hold_median == pytest.approx(400.0, rel=0.25)
    assert result.hold_sigma_fixed and result.params.hold_sigma == ASSUMED_HOLD_SIGMA


def test_the_fitted_model_is_the_engines_consensus_model() -> None:
    """One ally, its fitted delays pasted into a scenario: the engine's stage times follow the fitted CDF."""
    result = fit_delays(read_delays(None, ["finland_days"]).days)
    snippet_allies = yaml.safe_load(snippet(result, read_delays(None, ["finland_days"]), lifted=1.0))["allies"]
    scenario = scenario_from_dict({
        "start": "2025-01-01", "horizon": "10y", "replications": 4000, "seed": 5, "alliance": ["USA"],
        "allies": snippet_allies,
        "candidates": [{"code": "ARG", "request": "2025-01-01"}],
    })
    days: list[np.ndarray] = []

    def keep(model, records) -> None:  # type: ignore[no-untyped-def]
        days.append(records.entry[:, 0, model.states.index("expert_talks")])

    simulate(scenario, on_records=keep)
    simulated = np.concatenate(days)
    # The snippet rounds (mean to a day, cv to 0.01): compare with what the scenario now holds.
    ally = scenario.allies.default
    assert ally.deliberation.ppf(np.array([0.5]))[0] == pytest.approx(result.params.body_median, rel=0.05)
    grid = np.array([1.0, 3, 7, 15, 30, 60, 90, 200, 400, 800])
    empirical = np.searchsorted(np.sort(simulated), grid, side="right") / simulated.size
    assert np.max(np.abs(empirical - result.params.cdf(grid))) < 0.035  # KS 1% critical value at n = 4,000 is 0.026


def test_the_shipped_fit_finds_the_two_holdouts() -> None:
    sample = read_delays(None, ["finland_days"])
    result = fit_delays(sample.days)
    shares = dict(zip(sample.labels, result.params.hold_share(result.days), strict=True))
    assert shares["Hungary"] > 0.9 and shares["Turkey"] > 0.9
    assert max(s for label, s in shares.items() if label not in ("Hungary", "Turkey")) < 0.05
    assert result.params.family == "gamma" and result.hold_sigma_fixed
    assert 8 < result.params.body_median < 13 and 0.05 < result.params.hold_p < 0.08


def test_the_bootstrap_is_repeatable_and_gives_intervals() -> None:
    days = read_delays(None, ["finland_days"]).days
    first = fit_delays(days, bootstrap=25, rng=np.random.default_rng(3))
    again = fit_delays(days, bootstrap=25, rng=np.random.default_rng(3))
    assert first.ks_p == again.ks_p and 0 < first.ks_p <= 1  # type: ignore[operator]
    interval = first.intervals["hold_probability"]
    assert interval.low <= first.params.hold_p <= interval.high


def test_the_ks_distance_is_exact_on_whole_days() -> None:
    params = Params("gamma", 1.0, 10.0, 0.0, math.log(100.0), 0.5)  # exponential, mean 10 days
    days = np.array([0.0, 0, 5, 10, 20])
    grid = np.arange(0, 21)
    empirical = np.array([np.mean(days <= d) for d in grid])
    model = 1 - np.exp(-(grid + 0.5) / 10)
    assert ks_distance(days, params) == pytest.approx(np.max(np.abs(empirical - model)))


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([1, 2, 3], "a fit needs at least 5 delays, got 3"),
        ([1, 2, 3, 4, -1], "delays must be finite numbers of days, 0 or more"),
        ([1, 2, 3, 4, 5.5], "delays must be whole days (the fit reads each as consent within that day)"),
        ([1, 1, 1, 2, 2], "a fit needs at least 3 different delays"),
    ],
)
def test_unfit_data_are_refused(days: list[float], message: str) -> None:
    with pytest.raises(PartnersimError) as caught:
        check_days(days)
    assert str(caught.value) == message


def test_the_snippet_loads_as_part_of_a_scenario() -> None:
    sample = read_delays(None, ["sweden_days"])
    text = snippet(fit_delays(sample.days), sample)
    part = yaml.safe_load(text)
    scenario = scenario_from_dict({"start": "2026-12-01", **part, "candidates": [{"code": "ARG", "request": "2024-04-18"}]})
    assert scenario.allies.default.hold.lifted == 0.77
    assert all(" # " in line for line in text.splitlines() if ":" in line and any(c.isdigit() for c in line)
               and not line.startswith("#"))


# --- the built-in defaults and the history files cite the fits ------------------------------------


def test_the_ratification_defaults_are_the_pooled_fit() -> None:
    """The membership-accession process's ratification stage: every ally's parliamentary vote, fitted on
    Finland's and Sweden's ratifications (the built-in defaults are those of partnership decisions)."""
    fit = fit_delays(read_delays(None, ["finland_days", "sweden_days"]).days).params
    s = scenario_from_dict({"start": "2026-12-01", "process": "membership-accession",
                            "candidates": [{"code": "UKR", "request": "2027-01-01"}]})
    ally = layer_allies(s.allies, s.stages["ratification"], list(s.roster))[0]
    assert ally.deliberation.ppf(np.array([0.5]))[0] == pytest.approx(fit.body_median, rel=0.05)
    assert ally.deliberation.ppf(np.array([0.9]))[0] == pytest.approx(fit.body_p90, rel=0.05)
    assert ally.hold.probability == pytest.approx(fit.hold_p, abs=0.002)
    assert ally.hold.duration.ppf(np.array([0.5]))[0] == pytest.approx(fit.hold_median, rel=0.02)


@pytest.mark.parametrize("name", ["finland", "sweden", "colombia"])
def test_each_history_file_matches_the_fit_it_cites(name: str) -> None:
    path = HISTORY / f"{name}.yaml"
    scenario = load_scenario(path)
    observed = read_observed(path, scenario)
    assert observed.fitted_on and fit_check(scenario, observed) is None


def test_a_fit_that_no_stage_runs_with_is_reported(tmp_path: Path) -> None:
    """The fit given only as allies.default sits under the process's ratification defaults and is never used:
    the check says so, naming what is in force instead."""
    text = (HISTORY / "finland.yaml").read_text(encoding="utf-8")
    head, _, rest = text.partition("stages:\n  ratification:\n")
    block = rest.split("\ncandidates:")[0]
    body = "\n".join(line[4:] for line in block.splitlines() if line.startswith("      ") or not line.strip())
    shadowed = tmp_path / "finland.yaml"
    shadowed.write_text(head + "allies:\n" + body + "\n\ncandidates:" + rest.split("\ncandidates:")[1],
                        encoding="utf-8")
    scenario = load_scenario(shadowed)
    assert scenario.allies.default.hold.probability == 0.067  # written, but not in force at ratification
    message = fit_check(scenario, read_observed(shadowed, scenario))
    assert message is not None and "hold median 375 (fit: 560)" in message


def test_no_history_case_is_fitted_on_its_own_dates() -> None:
    fitted = {p.stem: read_observed(p, load_scenario(p)).fitted_on for p in HISTORY.glob("*.yaml")}
    assert fitted["finland"] == ("sweden_days",) and fitted["sweden"] == ("finland_days",)


# --- the membership-accession template ------------------------------------------------------------


def test_membership_accession_is_built_from_the_same_kinds() -> None:
    template = TEMPLATES["membership-accession"]
    assert template.stage_names == ("invitation", "accession_talks", "protocol_signing", "ratification", "deposit")
    assert [s.kind for s in template.stages] == ["consensus", "talks", "task", "consensus", "task"]
    assert template.success == "member"
    machine = build_machine(template)
    assert set(machine.states) == set(state_names(template))
    vetoes = next(row for row in transition_table(template) if row["trigger"] == "veto")
    assert vetoes["source"] == ["invitation", "ratification"]


def test_a_membership_case_runs_to_membership() -> None:
    scenario = scenario_from_dict({
        "start": "2022-05-18", "horizon": "6y", "replications": 500, "seed": 2, "alliance": "nato-2020",
        "process": "membership-accession",
        "candidates": [{"code": "FIN", "name": "Finland", "request": "2022-05-18"}],
    })
    results = simulate(scenario)
    assert results.success == "member" and "member" in results.outcome_names
    assert 0.3 < results.candidate("FIN").outcomes["member"].p < 1.0


# --- percentiles and the back-test ------------------------------------------------------------------


def test_the_percentile_is_a_mid_rank_on_calendar_days() -> None:
    fixed = np.full(100, 65.4)  # every replication on day 65 (fractions of a day fall within it)
    assert (percentile_of(fixed, 64), percentile_of(fixed, 65), percentile_of(fixed, 66)) == (0.0, 0.5, 1.0)
    never = np.array([10.0, 20.0, np.inf, np.inf])
    assert percentile_of(never, 15) == 0.25 and percentile_of(never, 1000) == 0.5
    assert quantile_day(never, 0.5) == 20.0 and quantile_day(never, 0.9) == math.inf


def test_a_month_is_placed_at_its_middle_with_both_ends() -> None:
    days = np.arange(0.0, 100.0)  # one replication on each of days 0 … 99
    milestone = Milestone("x", data.EventDate.parse("2025-02"), "member", "test")
    placement = place(days, milestone, dt.date(2025, 1, 1))
    # February 2025 is days 31 … 58; its middle, 14 February, is day 44.
    assert (placement.low, placement.percentile, placement.high) == (0.315, 0.445, 0.585)
    assert placement.quantiles["P10"] == dt.date(2025, 1, 10) and placement.inside


FIXED = """\
name: fixed-delay case
start: 2025-01-01
horizon: 2027-12-31
replications: {replications}
seed: 9
alliance: [USA]
allies:
  default: {{deliberation: {deliberation}, hold: {{probability: 0}}}}
stages:
  expert_talks: {{round: 20d, agreement: 1.0}}
  ipcp_drafting: {{duration: 30d}}
  ipcp_approval: {{allies: {{default: {{deliberation: 5d, hold: {{probability: 0}}}}}}}}
candidates:
  - {{code: ARG, request: 2025-01-01}}
# observed:
#   candidate: ARG
#   milestones:
#     - {{label: Cooperation, state: cooperation, date: {date}, source: constructed}}
"""


def _case(tmp_path: Path, deliberation: str, date: str, replications: int = 300) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(FIXED.format(deliberation=deliberation, date=date, replications=replications), encoding="utf-8")
    return path


@pytest.mark.parametrize(("date", "percentile"), [("2025-03-06", 0.0), ("2025-03-07", 0.5), ("2025-03-08", 1.0)])
def test_a_fixed_delay_case_places_the_real_date_exactly(tmp_path: Path, date: str, percentile: float) -> None:
    # 10 days of deliberation, one 20-day round, 30 days of drafting, 5 of approval: day 65, 7 March 2025.
    case = run_case(_case(tmp_path, "10d", date))
    (placement,) = case.placements
    assert placement.percentile == percentile and placement.reached == 1.0
    assert placement.quantiles == {key: dt.date(2025, 3, 7) for key in ("P10", "P50", "P90")}
    assert placement.inside == (percentile == 0.5)


def test_a_uniform_delay_case_places_the_real_date_at_its_quantile(tmp_path: Path) -> None:
    # Cooperation on day 55 + U(0, 100) days; the real date is day 55 + 25 = 80, 22 March 2025.
    case = run_case(_case(tmp_path, "{uniform: [0d, 100d]}", "2025-03-22", replications=4000))
    (placement,) = case.placements
    # P(floor(55 + U) < 80) + ½ P(floor(55 + U) = 80) = 0.25 + 0.005; binomial standard error 0.007
    assert placement.percentile == pytest.approx(0.255, abs=0.03)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("#   candidate: BRA\n#   milestones:\n#     - {label: x, state: cooperation, date: 2025-03-07, source: s}\n",
         "observed.candidate: expected one of the scenario's candidates (ARG), got 'BRA'"),
        ("#   candidate: ARG\n#   milestones:\n#     - {label: x, state: membre, date: 2025-03-07, source: s}\n",
         "observed.milestones.0: unknown state 'membre'"),
        ("#   candidate: ARG\n#   milestones:\n#     - {label: x, state: cooperation, date: 2031-01-01, source: s}\n",
         "observed.milestones.0: the date 2031-01-01 must lie between the scenario's start (2025-01-01)"),
    ],
)
def test_a_wrong_observed_block_is_reported_with_its_line(tmp_path: Path, block: str, message: str) -> None:
    text = FIXED.format(deliberation="10d", date="2025-03-07", replications=10).split("# observed:")[0]
    path = tmp_path / "case.yaml"
    path.write_text(text + "# observed:\n" + block, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_observed(path, load_scenario(path))
    assert str(caught.value.problems[0]).startswith(f"{path}:15: {message}")


def test_a_file_without_an_observed_block_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(FIXED.format(deliberation="10d", date="x", replications=10).split("# observed:")[0])
    with pytest.raises(ScenarioError, match="no '# observed:' block"):
        read_observed(path, load_scenario(path))


# --- the commands ----------------------------------------------------------------------------------


def test_fit_prints_the_snippet_and_writes_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "fit"
    result = CliRunner().invoke(cli, ["fit", "--column", "sweden_days", "--bootstrap", "0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Left out: Finland: not an ally when the protocol was signed" in result.output
    assert "30 delays. That is few" in result.output
    assert "deliberation: {gamma: {mean: 22d, cv: 1.39}}" in result.output
    assert (out / "allies.yaml").read_text().startswith("# Ally delays fitted by `partnersim fit`")
    assert (out / "charts" / "fit.png").stat().st_size > 20_000


def test_fit_names_a_misspelt_column(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["fit", "--column", "finland_dyas", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "no column 'finland_dyas' (did you mean 'finland_days'?)" in result.output


def test_backtest_prints_where_reality_fell_and_writes_a_chart_per_case(tmp_path: Path) -> None:
    path = _case(tmp_path, "10d", "2025-03-07")
    out = tmp_path / "bt"
    result = CliRunner().invoke(cli, ["backtest", str(path), "-n", "200", "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "The file does not say what its ally delays were fitted on." in result.output
    rows = (out / "backtest.csv").read_text().splitlines()
    assert rows[1].split(",")[5] == "0.5000" and rows[1].split(",")[12] == "True"
    assert (out / "charts" / "case.png").stat().st_size > 20_000


def test_history_charts_state_their_finding(tmp_path: Path) -> None:
    from partnersim.charts.history import backtest_chart, backtest_finding, fit_chart

    sample = read_delays(None, ["finland_days"])
    figure = fit_chart(fit_delays(sample.days), sample)
    assert figure.texts[0].get_text() == "28 of 30 allies consented within 84 days; 2 held out for 265 to 268 days"
    case = run_case(_case(tmp_path, "10d", "2025-03-06"))
    assert backtest_finding(case) == "ARG: cooperation on 6 Mar 2025, sooner than 100% of simulated futures"
    assert backtest_chart(case).texts[0].get_text().startswith("ARG: cooperation on 6 Mar 2025")


def test_the_history_scenarios_need_nothing_outside_the_project() -> None:
    for path in [*HISTORY.glob("*.yaml"), *Path(data.__file__).parent.iterdir()]:
        if path.suffix in (".yaml", ".csv", ".md", ".py"):
            assert "../shared" not in path.read_text(encoding="utf-8"), path


def test_a_column_named_over_two_lines_stays_in_the_snippets_comment(tmp_path: Path) -> None:
    data = tmp_path / "delays.csv"
    data.write_text('ally,"finland\nTUR: {hold: {probability: 1}}"\nDNK,30\nNOR,45\nFRA,60\nDEU,90\nITA,20\n',
                    encoding="utf-8")
    sample = read_delays(data, ["finland\nTUR: {hold: {probability: 1}}"])
    fit = fit_delays(sample.days, bootstrap=0, rng=np.random.default_rng(1))
    text = snippet(fit, sample)
    assert "\nTUR:" not in text and "finland TUR: {hold" in text
    assert set(yaml.safe_load(text)["allies"]) == {"default"}


CONTROL = ("\x1b", "\x07", "\x00", "\u202e")


def _figure_text(figure: object) -> str:
    from matplotlib.figure import Figure

    assert isinstance(figure, Figure)
    texts = [t.get_text() for t in figure.texts]
    for ax in figure.axes:
        texts += [t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_xticklabels()]
        legend = ax.get_legend()
        texts += [t.get_text() for t in legend.get_texts()] if legend is not None else []
    return "\n".join(texts)


def test_an_escape_in_an_ally_name_reaches_neither_the_fit_chart_nor_the_messages(tmp_path: Path) -> None:
    """The two holdouts are named on the fit chart: as one line each, without the terminal escapes a CSV
    file may hold; so are the rows a message names."""
    from partnersim.charts.history import fit_chart

    shipped = (ROOT / "partnersim" / "data" / "ratification_finland_sweden.csv").read_text(encoding="utf-8")
    path = tmp_path / "delays.csv"
    path.write_text(shipped.replace("Hungary", "Hun\x1b[31mgary\u202e").replace("Canada", "Can\x1b]0;x\x07ada"),
                    encoding="utf-8")
    sample = read_delays(path, ["finland_days"], exclude=["Can\x1b]0;x\x07ada"])
    assert sample.excluded == ("Can]0;xada: left out on request",)
    text = _figure_text(fit_chart(fit_delays(sample.days), sample))
    assert "Hun[31mgary 265 d" in text
    assert not [c for c in CONTROL if c in text]


@pytest.mark.parametrize(
    ("text", "columns", "exclude", "message"),
    [
        ("al\x1bly,da\x07ys\nA,1\n", ["dyas"], [],
         "delays.csv: no column 'dyas' (did you mean 'da\\x07ys'?); columns: ally, days"),
        ("ally,days\nA,1\n", ["days"], ["Z\x1b[2J"], "delays.csv: --exclude names no row: Z[2J"),
    ],
)
def test_a_message_about_a_table_holds_no_control_character(
    tmp_path: Path, text: str, columns: list[str], exclude: list[str], message: str
) -> None:
    path = tmp_path / "delays.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PartnersimError) as caught:
        read_delays(path, columns, exclude)
    assert str(caught.value) == message
