"""Grounded in history: ``fit`` delay models to data and ``backtest`` past cases."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from partnersim.cli.common import (
    console,
    force_option,
    format_option,
    friendly_errors,
    jobs_option,
    out_folder_option,
    replications_option,
    seed_option,
)
from partnersim.cli.tables import print_table

if TYPE_CHECKING:
    from partnersim.history.backtest import Case, Placement
    from partnersim.history.fit import DelayFit
    from partnersim.history.sample import Sample

HISTORY_FOLDER = Path("scenarios") / "history"

out_option = out_folder_option("runs/<command>-<date>-<time>")


# --- fit ---------------------------------------------------------------------------------


def _hold_sigma(value: str) -> float | None:
    if value == "free":
        return None
    try:
        sigma = float(value)
    except ValueError:
        raise click.BadParameter(f"expected a number above 0 or 'free', got {value!r}") from None
    if not 0 < sigma <= 5:
        raise click.BadParameter(f"expected a number above 0 (at most 5) or 'free', got {value!r}")
    return sigma


@click.command(epilog="""\b
Examples:
  partnersim fit                                        # Finland's protocol, shipped data
  partnersim fit --column sweden_days
  partnersim fit --column finland_days --column sweden_days   # both cases pooled
  partnersim fit my-delays.csv --column days --exclude Iceland
  partnersim fit --body lognormal --hold-sigma free --bootstrap 500

\b
DATA.csv has a header row, one row per ally (named in its first column, or in
a column called `ally`) and a column of whole days per case; empty cells are
skipped. Without DATA.csv the shipped ratification_finland_sweden.csv is used
(sources in partnersim/data/SOURCES.md).""")
@click.argument("data", required=False, type=click.Path(dir_okay=False, path_type=Path), metavar="[DATA.csv]")
@click.option("-c", "--column", "columns", multiple=True, metavar="COLUMN",
              help="Column of delays in days (default: finland_days). Repeat to pool several cases.")
@click.option("--exclude", multiple=True, metavar="ROW", help="Leave out the row with this name. Repeatable.")
@click.option("--body", type=click.Choice(["best", "gamma", "lognormal"]), default="best", show_default=True,
              help="Distribution of the deliberation delay; 'best' takes the one with the higher likelihood.")
@click.option("--hold-sigma", "hold_sigma", default="0.5", show_default=True, metavar="SIGMA|free",
              help="Spread of hold lengths (sigma of log-days; 0.5 puts the p90 at 1.9 x the median), "
              "or 'free' to estimate it, which needs more holds than the shipped data have.")
@click.option("--lifted", type=click.FloatRange(0.0, 1.0), default=None, metavar="P",
              help="Share of holds that end in consent, for the snippet (consent dates cannot show it; "
              "default 0.77, see docs/calibration.md).")
@click.option("--bootstrap", type=click.IntRange(min=0), default=200, show_default=True,
              help="Refits to simulated data, for the KS p-value and 90% intervals (0: none).")
@seed_option
@out_option
@force_option()
@format_option
@friendly_errors
def fit(
    data: Path | None, columns: tuple[str, ...], exclude: tuple[str, ...], body: str, hold_sigma: str,
    lifted: float | None, bootstrap: int, seed: int | None, out: Path | None, force: bool, image_format: str,
) -> None:
    """Fit ally delay models to consent delays: the YAML to paste into a scenario, and a chart."""
    import numpy as np

    from partnersim.history.fit import DEFAULT_LIFTED, fit_delays
    from partnersim.history.outputs import write_fit
    from partnersim.history.sample import read_delays
    from partnersim.history.snippet import snippet

    sigma = _hold_sigma(hold_sigma)
    sample = read_delays(data, list(columns) or ["finland_days"], list(exclude))
    result = fit_delays(sample.days, family=body, bootstrap=bootstrap,  # type: ignore[arg-type]
                        rng=np.random.default_rng(seed if seed is not None else 1), hold_sigma=sigma)
    lifted = DEFAULT_LIFTED if lifted is None else lifted
    text = snippet(result, sample, lifted)
    _print_fit(result, sample, lifted)
    click.echo()
    click.echo(text, nl=False)
    click.echo()
    written = write_fit(out, force, result, sample, text, image_format)
    click.echo(f"Wrote {written}/ (allies.yaml, fit.json, charts/fit.{image_format})")


def _print_fit(result: DelayFit, sample: Sample, lifted: float) -> None:
    from partnersim.history.snippet import days
    from partnersim.safetext import console as literal

    p = result.params
    iv = result.intervals

    def interval(key: str, as_days: bool = True) -> str:
        if key not in iv:
            return ""
        low, high = iv[key].low, iv[key].high
        return f" (90% interval {days(low)}–{days(high)})" if as_days else f" (90% interval {low:.2f}–{high:.2f})"

    screen = console()
    origin = "shipped with partnersim" if sample.source == "ratification_finland_sweden.csv" else "your file"
    screen.print(f"[bold]Ally delays fitted to {literal(' + '.join(sample.columns))} of {literal(sample.source)}[/bold] "
                 f"({origin})")
    rows = sample.distinct_rows
    few = (f"{result.n} delays from {rows} rows" if rows < result.n else f"{result.n} delays")
    screen.print(f"{few}. That is few: a goodness-of-fit test on so few points can only reveal a gross "
                 "misfit, and every interval below is wide.", soft_wrap=True)
    if rows < result.n:
        screen.print("Each row appears in several columns; where the same vote counts in each (as for the "
                     "28 allies that ratified both protocols at once), the bootstrap treats them as "
                     "independent, so its p-value and intervals are too narrow.", soft_wrap=True)
    for line in sample.excluded:
        screen.print(f"Left out: {literal(line)}.")
    other = [f"{name} {value:.1f}" for name, value in result.by_family.items() if name != p.family]
    screen.print(f"\n[bold]Deliberation[/bold] (allies that did not hold): {p.family}, median "
                 f"{days(p.body_median)}{interval('body_median')}, p90 {days(p.body_p90)}{interval('body_p90')}")
    if other:
        screen.print(f"  log-likelihood {result.log_likelihood:.1f}; the other body fits worse "
                     f"({', '.join(other)}). Each whole day is read as an interval, so same-day consents "
                     "need no shift.", soft_wrap=True)
    shares = p.hold_share(result.days)
    holders = [f"{label} {d:.0f} d" for label, d, s in zip(sample.labels, result.days, shares, strict=True)
               if s >= 0.5]
    screen.print(f"[bold]Hold[/bold]: probability {p.hold_p:.3f}{interval('hold_probability', False)}, about "
                 f"{result.holds:.1f} of these {result.n}" + (f": {literal(', '.join(holders))}" if holders else ""),
                 soft_wrap=True)
    spread = (f"spread sigma {p.hold_sigma:g} assumed, not estimated: a few holds cannot show it"
              if result.hold_sigma_fixed else f"spread sigma {p.hold_sigma:.2f} estimated")
    screen.print(f"  then holds for a further median {days(p.hold_median)}{interval('hold_median')}, p90 "
                 f"{days(p.hold_p90)} ({spread})", soft_wrap=True)
    screen.print(f"[bold]Lifted[/bold]: {lifted:g} in the snippet, not estimated: consent dates cannot show "
                 "how often a hold ends in a veto (a veto leaves no date); change it with --lifted.", soft_wrap=True)
    verdict = ""
    if result.ks_p is not None:
        if rows < result.n:
            judged = "not a fair test here, as rows count more than once (see above)"
        else:
            judged = "no sign of misfit" if result.ks_p >= 0.05 else "the model fits these data poorly"
        verdict = f"; bootstrap p = {result.ks_p:.2f} from {result.bootstrap} refits: {judged}"
    screen.print(f"[bold]Goodness of fit[/bold]: Kolmogorov–Smirnov distance {result.ks:.3f} between the "
                 f"observed and the fitted share of allies by day{verdict}.", soft_wrap=True)


# --- backtest ----------------------------------------------------------------------------


@click.command(epilog=f"""\b
Examples:
  partnersim backtest                     # the scoreboard of past accessions
  partnersim backtest --training earlier  # fitted on ended rounds only
  partnersim backtest --lifted 1          # no signed protocol vetoed
  partnersim backtest --record my.csv     # your own record
  partnersim backtest {HISTORY_FOLDER}/finland.yaml -n 2000

\b
Without SCENARIO.yaml: forecasts every accession in the shipped record
(partnersim/data/accessions.csv) as of its invitation, its signature and
every six months while open, each from where the case stood that day and with
settings fitted without its own round; scores them (CRPS, log score, Brier,
PIT) against climatology and a naive baseline, and beside public crowd
forecasts; writes a folder that `partnersim report` briefs (docs/calibration.md).
The scoreboard runs 1,000 futures a forecast with seed 20240307 unless -n or
--seed say otherwise.
With SCENARIO.yaml: a history scenario's real dates placed among its simulated
ones, and a chart per case.""")
@click.argument("scenarios", nargs=-1, type=click.Path(dir_okay=False, path_type=Path), metavar="[SCENARIO.yaml]...")
@click.option("--training", type=click.Choice(["others", "earlier"]), default="others", show_default=True,
              help="What each forecast's settings are fitted on: every other round, or only rounds that had "
              "ended by the forecast's day.")
@click.option("--record", "record_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="RECORD.csv", help="A record of accessions to score instead of the shipped one.")
@click.option("--lifted", type=click.FloatRange(0.0, 1.0), default=None, metavar="P",
              help="Share of ratification holds that end in consent (default: the membership-accession "
              "process's assumption, 0.95); the record's consent dates cannot show it.")
@replications_option
@seed_option
@jobs_option
@out_option
@force_option()
@format_option
@friendly_errors
def backtest(
    scenarios: tuple[Path, ...], training: str, record_path: Path | None, lifted: float | None,
    replications: int | None,
    seed: int | None, jobs: int | None, out: Path | None, force: bool, image_format: str,
) -> None:
    """Score partnersim's forecasts of past accessions, or replay history scenarios."""
    if not scenarios:
        _scoreboard(training, record_path, lifted, replications, seed, jobs, out, force, image_format)
        return
    if lifted is not None or record_path is not None or training != "others":
        raise click.UsageError("--training, --record and --lifted are for the scoreboard: give no SCENARIO.yaml")
    from partnersim.executors import default_jobs
    from partnersim.history.backtest import fit_check, run_case
    from partnersim.history.outputs import write_backtest

    cases = [run_case(path, replications=replications, seed=seed, jobs=jobs or default_jobs()) for path in scenarios]
    _print_backtest(cases, [fit_check(case.results.scenario, case.observed) for case in cases])
    written, charts = write_backtest(out, force, cases, image_format)
    click.echo(f"Wrote {written}/ (backtest.csv, backtest.json, {', '.join(charts)})")


def _scoreboard(training: str, record_path: Path | None, lifted: float | None, replications: int | None,
                seed: int | None, jobs: int | None, out: Path | None, force: bool, image_format: str) -> None:
    from partnersim.executors import default_jobs
    from partnersim.history.board import REPLICATIONS, SEED, scoreboard
    from partnersim.history.outputs import write_scoreboard
    from partnersim.history.record import read_record

    record = read_record(record_path)
    click.echo(f"Forecasting {len(record.cases)} cases as of dates along each, then again without hindsight:",
               err=True, nl=False)
    board = scoreboard(record, rule=training, replications=replications or REPLICATIONS,  # type: ignore[arg-type]
                       seed=SEED if seed is None else seed, lifted=lifted,
                       progress=lambda case: click.echo(f" {case}", err=True, nl=False), jobs=jobs or default_jobs())
    click.echo(err=True)
    _print_scoreboard(board)
    written, charts = write_scoreboard(out, force, board, image_format)
    click.echo(f"Wrote {written}/ (forecasts.csv, skill.csv, crowd.csv, scoreboard.json, {', '.join(charts)})")


def _print_scoreboard(board: Any) -> None:
    from rich.table import Table

    from partnersim.charts.record import RULES, forecasts_finding, pit_finding, skill_finding, skill_rows
    from partnersim.history.board import CROWD_HEADER, SKILL_MARKS, crowd_rows, sentences, skill_cell
    from partnersim.history.scores import mean_scores
    from partnersim.safetext import console as literal

    screen = console()
    scored = board.scored
    first = min(s.as_of for s in scored).year
    screen.print(f"[bold]Scoreboard: {len(scored)} forecasts of {len(board.cases)} NATO accessions since {first}[/bold] "
                 f"({len(board.rounds)} rounds: cases whose protocols were signed the same day count as one), each "
                 f"made from where its case stood on the day, with settings fitted on {RULES[board.rule]}; "
                 f"{board.replications:,} simulated futures each, seed {board.seed}.")
    screen.print(f"[bold]Finding[/bold]: {skill_finding(board.skills['crps/climatology'], 'climatology')}.")
    table = Table(title="Skill: 1 − partnersim's mean score ÷ the baseline's (above 0: partnersim better; each round "
                  "weighs the same; 95% from resampling rounds)", title_justify="left")
    for name in ("Question", "vs climatology", "vs naive"):
        table.add_column(name, justify="left" if name == "Question" else "right")
    for key, label in skill_rows(board):
        table.add_row(label, *(skill_cell(board, key, baseline) for baseline in ("climatology", "naive")))
    print_table(screen, table)
    screen.print(f"{SKILL_MARKS}.")
    means = mean_scores(scored)
    screen.print(f"Mean CRPS of the membership date: partnersim {means['partnersim']:.0f} days, climatology "
                 f"{means['climatology']:.0f}, naive {means['naive']:.0f} (lower is better).")
    screen.print(f"Calibration: {forecasts_finding(board)}. {pit_finding(board)}.")
    said = sentences(board)
    if "never" in said:
        screen.print(f"{said['never']}. --lifted changes that assumption.")
    if "hindsight" in said:
        screen.print(f"{said['hindsight']}.")
    if board.skipped:
        screen.print(f"Not forecast: {len(board.skipped)} (" + "; ".join(
            f"{c} {d.isoformat()}" for c, d, _ in board.skipped[:4]) + (" …" if len(board.skipped) > 4 else "")
            + f"): {board.skipped[0][2]}.")
    if board.crowd:
        crowd = Table(title="The crowd on the same question as of the same day (Brier difference below 0: "
                      "partnersim better)", title_justify="left")
        for name in CROWD_HEADER:
            crowd.add_column(name, justify="left" if name.startswith("Platform") else "right")
        for row in crowd_rows(board):
            crowd.add_row(literal(row[0]), *row[1:])
        print_table(screen, crowd)
        screen.print(f"{said['crowd']}.")


def _print_backtest(cases: Sequence[Case], checks: Sequence[str | None]) -> None:
    from partnersim.charts.history import backtest_finding
    from partnersim.safetext import console as literal

    screen = console()
    count = len(cases)
    screen.print(f"[bold]Back-test: {count} historical case{'s' if count != 1 else ''}[/bold]. Percentile: the "
                 "share of simulated futures that reached the step before the real date (futures that never "
                 "reached it count as later).", soft_wrap=True)
    for case, check in zip(cases, checks, strict=True):
        screen.print()
        results = case.results
        screen.print(f"[bold]{literal(results.scenario.name)}[/bold] — {results.replications:,} replications, seed "
                     f"{results.seed}")
        fitted = case.observed.fitted_on
        if fitted:
            screen.print(f"Not circular: the ally delays were fitted on {literal(' + '.join(fitted))} of the shipped "
                         f"ratification data, not on {literal(case.name)}'s own dates.", soft_wrap=True)
        else:
            screen.print("The file does not say what its ally delays were fitted on.", soft_wrap=True)
        if check:
            screen.print(f"[bold]warning[/bold]: {literal(check)}", soft_wrap=True)
        print_table(screen, _placements_table(case))
        for milestone in case.observed.milestones:
            if milestone.state is None:
                screen.print(f"  {literal(milestone.label)}, {literal(milestone.date.text)}: not a stage of the model (shown for "
                             "reference).", soft_wrap=True)
        if case.observed.note:
            screen.print(f"  Note: {literal(case.observed.note)}", soft_wrap=True)
        screen.print(f"  [bold]Finding[/bold]: {literal(backtest_finding(case))}.", soft_wrap=True)


def _placements_table(case: Case) -> Any:
    from rich.table import Table

    from partnersim.safetext import console as literal

    table = Table(title_justify="left")
    for name, justify in (("Milestone", "left"), ("Real date", "right"), ("Percentile", "right"),
                          ("Among futures that got there", "right"), ("Simulated P10", "right"),
                          ("P50", "right"), ("P90", "right"), ("In P10–P90?", "center")):
        table.add_column(name, justify=justify, no_wrap=name in ("Milestone",))  # type: ignore[arg-type]
    for placement in case.placements:
        table.add_row(
            literal(placement.milestone.label), literal(_date_text(placement)), _percentile_text(placement),
            _conditional_text(placement),
            *[_quantile_text(placement, key) for key in ("P10", "P50", "P90")],
            "yes" if placement.inside else "no",
        )
    return table


def _date_text(placement: Placement) -> str:
    date = placement.milestone.date
    if date.precision == "day":
        return f"{date.first.day} {date.first:%b %Y}"
    return f"{date.first:%b %Y}" if date.precision == "month" else date.text


def _percentile_text(placement: Placement) -> str:
    middle = f"{placement.percentile * 100:.0f}%"
    if placement.milestone.date.precision == "day":
        return middle
    return f"{middle} ({placement.low * 100:.0f}–{placement.high * 100:.0f}%)"


def _conditional_text(placement: Placement) -> str:
    if placement.reached <= 0:
        return "none got there"
    among = min(placement.percentile / placement.reached, 1.0)
    return f"{among * 100:.0f}% of {placement.reached * 100:.0f}%"


def _quantile_text(placement: Placement, key: str) -> str:
    day = placement.quantiles[key]
    return f"{day.day} {day:%b %Y}" if day else "never"


COMMANDS = [fit, backtest]
