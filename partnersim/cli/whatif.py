"""What-if analysis: ``compare``, ``sweep`` and ``sensitivity``.

Each command runs its scenarios on one seed (common random numbers), prints
what it found in tables and plain sentences, and writes a folder with a CSV
of every number, the charts and a manifest.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from partnersim.cli.common import (
    chart_workers,
    console,
    executor_options,
    force_option,
    format_option,
    friendly_errors,
    jobs_option,
    make_executor,
    out_folder_option,
    quiet_option,
    replications_option,
    scenario_argument,
    seed_option,
    set_option,
    with_progress,
)
from partnersim.cli.tables import print_paragraph, print_table

if TYPE_CHECKING:
    from partnersim.whatif.compare import Comparison

SENSITIVITY_REPLICATIONS = 5_000
SWEEP_REPLICATIONS = 5_000

out_option = out_folder_option("runs/<command>-<scenario>-<date>-<time>")
candidate_option = click.option(
    "--candidate", "candidate", default=None, metavar="CODE",
    help="The candidate whose chart to draw (default: the first in the scenario).",
)


# --- compare -----------------------------------------------------------------------------


@click.command(epilog="""\b
Examples:
  partnersim compare scenarios/latam.yaml scenarios/latam-turkey-hold.yaml
  partnersim compare scenarios/latam.yaml scenarios/latam-more-teams.yaml scenarios/latam-brazil-early.yaml
  partnersim compare scenarios/latam.yaml --set stages.expert_talks.teams=4
  partnersim compare runs/latam-base runs/latam-what-if -n 20000

\b
Every scenario runs with BASE's seed and number of replications, so each
replication of a what-if is paired with the same replication of the base.
A change is "distinguishable from noise" when its paired 95% interval
(Newcombe's method for paired proportions) excludes zero. The folder holds
compare.csv, differences.txt, charts/compare.png and manifest.json.""")
@click.argument("base", type=click.Path(path_type=Path), metavar="BASE")
@click.argument("variants", nargs=-1, type=click.Path(path_type=Path), metavar="[VARIANT]...")
@replications_option
@seed_option
@jobs_option
@click.option(
    "--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
    help="Change one value of every VARIANT (with no VARIANT: of a copy of BASE), e.g. "
    "--set allies.TUR.hold.probability=0.5. Repeat for several; checked like the file itself.",
)
@out_option
@force_option()
@format_option
@quiet_option()
@click.option("--json", "as_json", is_flag=True,
              help="Print the comparison table (one entry per variant and candidate) as JSON instead of tables.")
@friendly_errors
def compare(
    base: Path, variants: tuple[Path, ...], replications: int | None, seed: int | None, jobs: int | None,
    overrides: tuple[str, ...], out: Path | None, force: bool, image_format: str, quiet: bool, as_json: bool,
) -> None:
    """Compare BASE with each VARIANT (scenario files or run folders) on the same random numbers."""
    from partnersim.executors import default_jobs
    from partnersim.whatif.compare import Input, load_inputs
    from partnersim.whatif.compare import compare as run_compare
    from partnersim.whatif.outputs import open_folder, write_comparison

    if not variants and not overrides:
        raise click.UsageError("give at least one VARIANT, or --set KEY.PATH=VALUE to make one from BASE")
    first, *others = load_inputs([(base, ())] + [(path, overrides) for path in variants or [base]])
    if not variants:
        made = others[0]
        others = [Input(made.scenario, made.path, f"{first.label} with {', '.join(overrides)}", made.warnings)]
    for warning in dict.fromkeys(w for item in (first, *others) for w in item.warnings):
        click.echo(warning, err=True)
    n = replications or first.scenario.replications
    jobs = jobs or default_jobs()
    started, clock = dt.datetime.now(dt.timezone.utc), time.monotonic()
    with open_folder("compare", first.label, out, force) as folder:
        result = with_progress(n * (1 + len(others)), quiet, lambda progress: run_compare(
            first, others, replications=replications, seed=seed, jobs=jobs, progress=progress))
        took = time.monotonic() - clock
        if as_json:
            import json

            from partnersim.whatif.text import comparison_rows

            click.echo(json.dumps(comparison_rows(result), indent=2, ensure_ascii=False, default=str))
        elif not quiet:
            _print_comparison(result)
        written = write_comparison(folder, result, [first, *others], overrides, jobs, image_format, started)
    if as_json:
        click.echo(f"Wrote {written}/", err=True)
        return
    if not quiet:
        click.echo(f"Ran {1 + len(others)} scenarios × {n:,} replications in {_duration(took)}.")
    click.echo(f"Wrote {written}/ (compare.csv, differences.txt, charts/compare.{image_format})")


def _print_comparison(result: Comparison) -> None:
    from rich.table import Table

    from partnersim.safetext import console as literal
    from partnersim.whatif.text import (
        candidate_sentence,
        change_text,
        dates_text,
        pair,
        shift_text,
        short_verdict,
    )

    screen = console()
    base = result.base
    success = base.success
    horizon = f"{base.end_date:%d %b %Y}"
    for note in result.notes:
        screen.print(f"[italic]Note:[/italic] {literal(note)}", soft_wrap=True)
    base_name, *names = _headings(result)
    for variant, name in zip(result.variants, names, strict=True):
        screen.print(
            f"[bold]{literal(name)}[/bold] against [bold]{literal(base_name)}[/bold] — "
            f"{result.replications:,} paired replications, seed {result.seed}", soft_wrap=True)
        screen.print(f"What differs ({literal(result.base_label)} → {literal(variant.label)}):")
        for line in [str(d) for d in variant.differences] or ["nothing: the two scenarios are the same"]:
            screen.print(f"  {literal(line)}", soft_wrap=True)
        for code in variant.only_here:
            screen.print(f"  {literal(code)} is only in the what-if, so it has no change to report.")
        chances = Table(title=f"Chance by {horizon}, base → what-if; change in points, what-if minus base "
                        "(paired 95% interval)", title_justify="left",
                        caption="Beyond noise? yes: the interval excludes zero, so the change is larger than the "
                        "simulation's noise; –: the same outcome in every replication", caption_justify="left")
        for name, justify in (("Candidate", "left"), (success.capitalize(), "right"), ("Change", "right"),
                              ("Beyond noise?", "center"), ("Rejected", "right"), ("Change", "right"),
                              ("Beyond noise?", "center")):
            chances.add_column(name, justify=justify, no_wrap=name != "Beyond noise?")  # type: ignore[arg-type]
        for c in variant.candidates:
            chances.add_row(
                literal(c.name), " → ".join(pair(c.success.base, c.success.variant)), change_text(c.success),
                short_verdict(c.success), " → ".join(pair(c.rejected.base, c.rejected.variant)),
                change_text(c.rejected), short_verdict(c.rejected))
        print_table(screen, chances)
        dates = Table(title=f"When {success} becomes likely: base → what-if", title_justify="left",
                      caption=f"– not reached by {horizon}", caption_justify="left")
        for name in ("Candidate", "Even chance (P50)", "Shift", "80% chance (P80)", "Shift"):
            dates.add_column(name, no_wrap=name == "Candidate")
        for c in variant.candidates:
            dates.add_row(literal(c.name), dates_text(c.dates["P50"]), shift_text(c.dates["P50"]),
                          dates_text(c.dates["P80"]), shift_text(c.dates["P80"]))
        print_table(screen, dates)
        lives = [c for c in variant.candidates if c.active is not None]
        if lives:
            life = Table(title=f"The partnership on {horizon}: chance it is active, base → what-if; change in "
                         "points (paired 95% interval)", title_justify="left")
            for name, justify in (("Candidate", "left"), ("Active", "right"), ("Change", "right"),
                                  ("Beyond noise?", "center")):
                life.add_column(name, justify=justify, no_wrap=name != "Beyond noise?")  # type: ignore[arg-type]
            for c in lives:
                assert c.active is not None
                life.add_row(literal(c.name), " → ".join(pair(c.active.base, c.active.variant)), change_text(c.active),
                             short_verdict(c.active))
            print_table(screen, life)
        screen.print("[bold]In plain words[/bold]")
        for c in variant.candidates:
            print_paragraph(screen, literal(candidate_sentence(c, result, success)))
        screen.print()
    if len(result.variants) > 1:
        print_table(screen, _overview(result, names))


def _overview(result: Comparison, names: list[str]) -> Any:
    """Every what-if against every candidate in one table: the change in the chance of success with its paired
    interval, marked where it is beyond noise."""
    from rich.table import Table

    from partnersim.safetext import console as literal
    from partnersim.text import percent
    from partnersim.whatif.text import change_text

    base = result.base
    table = Table(title=f"All what-ifs: change in the chance of {base.success_words} by {base.end_date:%d %b %Y}, in "
                  "points (paired 95% interval)", title_justify="left",
                  caption="*: beyond noise (the interval excludes zero)", caption_justify="left")
    table.add_column("Candidate", no_wrap=True)
    table.add_column("Base", justify="right")
    for name in names:
        table.add_column(literal(name), justify="right")
    for candidate in base.candidates:
        cells = []
        for variant in result.variants:
            try:
                change = variant.candidate(candidate.code).success
            except KeyError:
                cells.append("–")
                continue
            cells.append(change_text(change) + (" *" if change.distinguishable else ""))
        table.add_row(literal(candidate.name), percent(candidate.outcomes[base.success].p), *cells)
    return table


def _headings(result: Comparison) -> list[str]:
    """The base's name, then each what-if's: the scenario names, each with its file label where two
    scenarios share a name (``parent (variants/latam.yaml)``)."""
    names = [result.base.scenario.name, *(v.results.scenario.name for v in result.variants)]
    if result.names == names:
        return names
    return [f"{name} ({label})" if name else label for name, label in zip(names, result.names, strict=True)]


# --- sweep -------------------------------------------------------------------------------


@click.command(epilog="""\b
Examples:
  partnersim sweep scenarios/latam.yaml --param allies.TUR.hold.probability=0:0.5:6
  partnersim sweep scenarios/latam.yaml --param candidates.BRA.request=2026-12-01:2030-12-31:5
  partnersim sweep scenarios/latam.yaml --param allies.TUR.hold.probability=0:0.5:6 \\
      --param stages.expert_talks.teams=1:4:4 --candidate ARG
  partnersim sweep scenarios/latam.yaml --design lhs --samples 30 \\
      --param allies.TUR.hold.probability=0:0.5 --param stages.ipcp_drafting.duration=1mo:12mo

\b
LOW and HIGH are numbers, durations (3mo) or dates (2026-01-01); durations
over a key that holds a distribution are its median, its spread kept. Every
point runs on the same seed, so the points share their random numbers. The folder
holds sweep.csv (one row per point and candidate: the parameters, every
outcome with its 95% interval, the P10–P90 dates), charts/sweep.png (a line
for one parameter, a heatmap for two, scatter panels for a sample) and
manifest.json.""")
@scenario_argument
@click.option("--param", "params", multiple=True, required=True, metavar="PATH=LOW:HIGH:STEPS",
              help="A key path (as for --set) and its range; repeat for several. STEPS may be left out with "
              "--design lhs.")
@click.option("--design", type=click.Choice(["grid", "lhs"]), default="grid", show_default=True,
              help="Every combination of the values (grid) or a Latin hypercube sample (lhs).")
@click.option("--samples", type=click.IntRange(min=2), default=20, show_default=True,
              help="Points of a Latin hypercube sample.")
@click.option("-n", "--replications", type=click.IntRange(min=1), default=SWEEP_REPLICATIONS,
              show_default=True, help="Replications per point.")
@seed_option
@jobs_option
@executor_options
@set_option
@click.option("--outcome", default=None, metavar="OUTCOME",
              help="The outcome to chart: cooperation (default), rejected, withdrawn, talks_failed or pending.")
@candidate_option
@out_option
@force_option()
@format_option
@quiet_option()
@friendly_errors
def sweep(
    scenario: Path, params: tuple[str, ...], design: str, samples: int, replications: int, seed: int | None,
    jobs: int | None, executor: str, scheduler: str | None, overrides: tuple[str, ...], outcome: str | None, candidate: str | None, out: Path | None,
    force: bool, image_format: str, quiet: bool,
) -> None:
    """Run SCENARIO at many values of one or more parameters and chart an outcome against them."""
    from partnersim.executors import default_jobs
    from partnersim.whatif.outputs import open_folder, write_sweep
    from partnersim.whatif.sweep import design_points, prepare
    from partnersim.whatif.sweep import sweep as run_sweep

    base, parsed = prepare(scenario, params, overrides)
    _check_choice(candidate, [c.code for c in base.candidates], "--candidate")
    count = len(design_points(parsed, design, samples, base.seed if seed is None else seed))
    jobs = jobs or default_jobs()
    started, clock = dt.datetime.now(dt.timezone.utc), time.monotonic()
    with open_folder("sweep", scenario.name, out, force) as folder:
        result = with_progress(count * replications, quiet, lambda progress: run_sweep(
            scenario, parsed, design=design, samples=samples, overrides=overrides, replications=replications,
            seed=seed, jobs=jobs, executor=make_executor(executor, jobs, scheduler), progress=progress, base=base))
        took = time.monotonic() - clock
        outcomes = result.points[0].results.outcome_names
        _check_choice(outcome, outcomes, "--outcome")
        if not quiet:
            _print_sweep(result, outcome or result.points[0].results.success)
        written = write_sweep(folder, result, scenario, params, design, count, jobs, overrides, started,
                              image_format, outcome, candidate)
    if not quiet:
        click.echo(f"Ran {count} points × {replications:,} replications in {_duration(took)}.")
    click.echo(f"Wrote {written}/ (sweep.csv, charts/sweep.{image_format})")


def _print_sweep(result: Any, outcome: str) -> None:
    from rich.table import Table

    from partnersim.safetext import console as literal
    from partnersim.text import percent

    screen = console()
    first = result.points[0].results
    screen.print(f"[bold]{literal(first.scenario.name)}[/bold] — {len(result.points)} points × "
                 f"{first.replications:,} replications, seed {first.seed}, all points on the same seed")
    table = Table(title=f"Chance of {outcome} by {first.end_date:%d %b %Y} at each point", title_justify="left")
    # A point's number first: a table too wide for the terminal is stacked under it, naming every parameter.
    table.add_column("Point", justify="right")
    for param in result.params:
        table.add_column(literal(param.path), justify="right", overflow="fold")
    for c in first.candidates:
        table.add_column(literal(c.name), justify="right")
    shown = list(zip(result.values, result.points, strict=True))
    for number, (values, point) in enumerate(shown[:40], start=1):
        table.add_row(f"Point {number}", *[literal(p.shown(x)) for p, x in zip(result.params, values, strict=True)],
                      *[percent(c.outcomes[outcome].p) for c in point.results.candidates])
    if len(shown) > 40:
        table.caption = f"first 40 of {len(shown)} points; every point is in sweep.csv"
    print_table(screen, table)


# --- sensitivity -------------------------------------------------------------------------


@click.command(epilog="""\b
Examples:
  partnersim sensitivity scenarios/latam.yaml
  partnersim sensitivity scenarios/latam.yaml --candidate BRA -n 2000
  partnersim sensitivity scenarios/latam.yaml --range candidates.BRA.request=2026-12-01:2030-12-31
  partnersim sensitivity scenarios/latam.yaml --method sobol
  partnersim sensitivity scenarios/latam.yaml --method morris --group-by ally --by 2027-12-31

\b
Default swings: a probability p goes to p/2 and to min(2p, (1+p)/2); every
duration of a distribution is halved and doubled; expert teams and the round
limit are halved (at least 1) and doubled; withdrawal rates are halved and
doubled. --range replaces a setting's range or adds another key path. The
folder holds sensitivity.csv, a tornado of the chance of cooperation and one
of the P50 date per candidate (charts/), and manifest.json.

\b
--method sobol or morris draws every setting over the same ranges at once
(SALib: pip install 'partnersim[gsa]'), each point run on the same
replications: Sobol' indices (first order and total, with 95% bootstrap
intervals) over N·(k+2) points, N the --samples (default 1,024), k the
settings; or Morris's elementary effects over r·(k+1) points, r the
--samples (default 20). The folder holds indices.csv and one chart per
candidate and measure (the chance by the horizon and by each --by date).""")
@scenario_argument
@click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
              help=f"Replications per setting (default {SENSITIVITY_REPLICATIONS:,}; with --method sobol or morris, "
                   "per point of the design, default 32).")
@click.option("--method", type=click.Choice(["oat", "morris", "sobol"]), default="oat", show_default=True,
              help="oat: one setting at a time, low and high; morris or sobol: every setting at once.")
@click.option("--samples", type=click.IntRange(min=2), default=None, metavar="N",
              help="--method sobol: base samples (default 1,024); morris: trajectories (default 20).")
@click.option("--group-by", "group_by", type=click.Choice(["ally"]), default=None,
              help="--method sobol or morris: count each ally's settings (at every stage), and a bloc's, as one.")
@click.option("--by", "by_dates", multiple=True, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="--method sobol or morris: also analyse the chance by this date; repeat for several.")
@seed_option
@jobs_option
@executor_options
@set_option
@click.option("--range", "ranges", multiple=True, metavar="PATH=LOW:HIGH",
              help="Swing this key path between LOW and HIGH instead of the default rule; repeat for several.")
@click.option("--candidate", "candidate", default=None, metavar="CODE",
              help="Draw the tornadoes of this candidate only (default: one pair per candidate).")
@click.option("--top", type=click.IntRange(min=1), default=12, show_default=True,
              help="Settings shown in each tornado and table.")
@out_option
@force_option()
@format_option
@quiet_option()
@friendly_errors
def sensitivity(
    scenario: Path, replications: int | None, method: str, samples: int | None, group_by: str | None,
    by_dates: tuple[dt.datetime, ...], seed: int | None, jobs: int | None, executor: str,
    scheduler: str | None, overrides: tuple[str, ...], ranges: tuple[str, ...], candidate: str | None, top: int,
    out: Path | None, force: bool, image_format: str, quiet: bool,
) -> None:
    """Swing each setting of SCENARIO low and high, one at a time (or all at once with --method), and rank
    what moves the result."""
    if method != "oat":
        _global_sensitivity(scenario, replications, method, samples, group_by, [d.date() for d in by_dates], seed,
                            jobs, executor, scheduler, overrides, ranges, candidate, top, out, force, image_format,
                            quiet)
        return
    for given, option in ((samples, "--samples"), (group_by, "--group-by"), (by_dates or None, "--by")):
        if given is not None:
            raise click.UsageError(f"{option} goes with --method sobol or morris")
    replications = replications or SENSITIVITY_REPLICATIONS
    from partnersim import safetext
    from partnersim.executors import default_jobs
    from partnersim.scenario.loader import load_scenario
    from partnersim.whatif.factors import factors
    from partnersim.whatif.outputs import open_folder, write_sensitivity
    from partnersim.whatif.sensitivity import check_ranges, drivers
    from partnersim.whatif.sensitivity import sensitivity as run_sensitivity

    loaded = load_scenario(scenario, overrides)
    _check_choice(candidate, [c.code for c in loaded.candidates], "--candidate")
    check_ranges(scenario, overrides, ranges)
    chosen = factors(loaded, list(ranges))
    count = 1 + sum(bool(f.overrides(side)) for f in chosen for side in ("low", "high"))
    jobs = jobs or default_jobs()
    started, clock = dt.datetime.now(dt.timezone.utc), time.monotonic()
    executing = make_executor(executor, jobs, scheduler)
    with open_folder("sensitivity", scenario.name, out, force) as folder, chart_workers(executing) as workers:
        result = with_progress(count * replications, quiet, lambda progress: run_sensitivity(
            scenario, overrides=overrides, ranges=ranges, replications=replications, seed=seed, jobs=jobs,
            executor=executing, progress=progress))
        took = time.monotonic() - clock
        codes = [candidate] if candidate else [c.code for c in result.results.candidates]
        if not quiet:
            _print_sensitivity(result, codes[0], top)
        written, charts = write_sensitivity(folder, result, scenario, codes, top, ranges, jobs, overrides, started,
                                            image_format, workers)
    if not quiet:  # -q: only where the folder was written
        click.echo("Drivers:")
        for code in codes:
            click.echo(f"  {safetext.line(drivers(result, code))}")
        click.echo(f"Ran {len(result.factors)} settings, {result.points} runs × {replications:,} replications "
                   f"in {_duration(took)}.")
    shown = ", ".join(charts[:2]) + (f" and {len(charts) - 2} more charts" if len(charts) > 2 else "")
    click.echo(f"Wrote {written}/ (sensitivity.csv, {shown})")


def _global_sensitivity(
    scenario: Path, replications: int | None, method: str, samples: int | None, group_by: str | None,
    by: list[dt.date], seed: int | None, jobs: int | None, executor: str, scheduler: str | None,
    overrides: tuple[str, ...], ranges: tuple[str, ...], candidate: str | None, top: int, out: Path | None,
    force: bool, image_format: str, quiet: bool,
) -> None:
    from partnersim import safetext
    from partnersim.charts.indices import finding
    from partnersim.executors import default_jobs
    from partnersim.scenario.loader import load_scenario
    from partnersim.whatif import indices as gsa
    from partnersim.whatif.factors import factors
    from partnersim.whatif.outputs import open_folder, write_indices
    from partnersim.whatif.sensitivity import check_ranges

    loaded = load_scenario(scenario, overrides)
    if seed is not None:
        loaded = loaded.with_updates(seed=seed)
    _check_choice(candidate, [c.code for c in loaded.candidates], "--candidate")
    check_ranges(scenario, overrides, ranges)
    gsa.require_salib()
    chosen = factors(loaded, list(ranges))
    replications = replications or gsa.REPLICATIONS
    if method == "sobol" and replications < 2:
        raise click.UsageError("-n must be at least 2 with --method sobol: each point's futures are split in two "
                               "halves, so that the simulation's noise does not count as an effect")
    samples = samples or gsa.SAMPLES[method]
    gsa.measures_of(loaded, by)  # a --by outside the horizon is refused before anything runs
    size = gsa.design_size(method, samples, len(gsa.group_names(gsa.inputs_of(loaded, chosen, group_by))))
    jobs = jobs or default_jobs()
    started, clock = dt.datetime.now(dt.timezone.utc), time.monotonic()
    executing = make_executor(executor, jobs, scheduler)
    with open_folder("indices", scenario.name, out, force) as folder, chart_workers(executing) as workers:
        found = with_progress(size * replications, quiet, lambda progress: gsa.global_sensitivity(
            loaded, chosen, method=method, samples=samples, replications=replications, group_by=group_by, by=by,
            executor=executing, progress=progress))
        took = time.monotonic() - clock
        codes = [candidate] if candidate else found.codes
        written, charts = write_indices(folder, found, scenario, codes, top, ranges, group_by, jobs, overrides,
                                        started, image_format, workers)
    if not quiet:
        _print_indices(found, codes[0], top)
        click.echo("Findings:")
        for code in codes:
            for measure in found.measures:
                click.echo(f"  {safetext.line(finding(found, code, measure.key))}.")
        if any(i.above_one().any() for i in found.indices.values()):
            click.echo(f"Some indices are above 1, which a share of the variance cannot be: the estimates are "
                       f"dominated by sampling error; --samples {samples * 4:,} (four times as many) narrows them.")
        noisy = [i.noise for i in found.indices.values() if i.noise is not None and i.noise > gsa.NOISY]
        if noisy:
            click.echo(f"Replication noise is up to {max(noisy):.0%} of a measure's variance across the design; "
                       f"-n {replications * 4} (four times the replications a point) cuts it to about a quarter.")
        click.echo(f"Ran {len(found.groups)} {'groups of settings' if found.grouped else 'settings'}, "
                   f"{found.points:,} points × {replications:,} replications in {_duration(took)}.")
    shown = ", ".join(charts[:2]) + (f" and {len(charts) - 2} more charts" if len(charts) > 2 else "")
    click.echo(f"Wrote {written}/ (indices.csv, {shown})")


def _print_indices(found: Any, code: str, top: int) -> None:
    from rich.table import Table

    from partnersim.charts.indices import subtitle, what
    from partnersim.safetext import console as literal
    from partnersim.text import capital
    from partnersim.whatif.indices import NOISE_NOTES

    screen = console()
    indices = found.indices[(code, "cooperation")]
    table = Table(title=f"{literal(what(found, code, 'cooperation'))}: what explains it across the design",
                  title_justify="left", caption=literal(f"{subtitle(found, code, 'cooperation')}. "
                                                        f"{capital(NOISE_NOTES[found.method])}"),
                  caption_justify="left")
    sobol = found.method == "sobol"
    columns = ["Setting", "Alone (first order)", "With interactions (total)"] if sobol else \
        ["Setting", "μ*, points", "σ, points"]
    for column in columns:
        table.add_column(column, justify="left" if column == "Setting" else "right")
    for i in indices.order()[:top]:
        mark = indices.mark(i)
        if sobol:
            cells = [f"{max(indices.first[i], 0.0):.2f} ± {indices.first_half[i]:.2f}",
                     f"{max(indices.total[i], 0.0):.2f} ± {indices.total_half[i]:.2f}{mark}"]
        else:
            cells = [f"{indices.mu_star[i]:.1f} ± {indices.mu_star_half[i]:.1f}{mark}", f"{indices.sigma[i]:.1f}"]
        table.add_row(literal(indices.names[i]), *cells)
    print_table(screen, table)


def _print_sensitivity(result: Any, code: str, top: int) -> None:
    from rich.table import Table

    from partnersim.safetext import console as literal
    from partnersim.text import percent
    from partnersim.whatif.text import pair, short_verdict

    screen = console()
    results = result.results
    name = literal(results.candidate(code).name)
    screen.print(f"[bold]{literal(results.scenario.name)}[/bold] — {len(result.factors)} settings swung low and high, "
                 f"{result.points} runs × {results.replications:,} replications, all on seed {results.seed}")
    effects = result.effects(code, "cooperation")
    shown = "" if len(effects) <= top else f"; the {top} settings that move it most, of {len(effects)} (--top)"
    table = Table(title=f"{name}: chance of {results.success_words} by {results.end_date:%d %b %Y} "
                  f"({percent(results.candidate(code).outcomes[results.success].p)} as the scenario stands), "
                  "with each setting at its low and high value", title_justify="left",
                  caption="Beyond noise? yes: the paired 95% interval of the change from the scenario excludes zero; "
                          f"a chance is given with the decimals that tell it from the scenario's{shown}",
                  caption_justify="left")
    for column in ("Setting", "Range", "At low", "Beyond noise?", "At high", "Beyond noise?"):
        table.add_column(column, justify="left" if column in ("Setting", "Range") else "right"
                         if column.startswith("At") else "center")
    for effect in effects[:top]:
        cells = []
        for side in ("low", "high"):
            value = effect.low if side == "low" else effect.high
            change = effect.changes.get(side)
            if value is None or change is None or effect.base is None:
                cells += ["–", "not swung"]
            else:
                cells += [pair(effect.base, value)[1], short_verdict(change)]
        table.add_row(literal(effect.factor.label), literal(effect.factor.range_text), *cells)
    print_table(screen, table)


# --- seek ------------------------------------------------------------------------------


@click.command(epilog="""\b
Examples:
  partnersim seek scenarios/latam.yaml allies.TUR.hold.probability --candidate ARG --by 2027-12-31
  partnersim seek scenarios/latam.yaml stages.expert_talks.teams --range 1:8 --candidate MEX --target 0.6
  partnersim seek scenarios/latam.yaml candidates.BRA.request --range 2026-12-01:2029-12-31 --candidate BRA

\b
The setting is run at 33 values over its range (a probability: 0 to 1 unless
--range says otherwise), every value on the same replications, then at 33
more over the values whose chance's 95% interval holds the target. The answer
is where the chance crosses the target; its interval is every value the
simulation cannot tell from it. The folder holds seek.csv (every value run,
its chance and interval), charts/seek.png and manifest.json.""")
@scenario_argument
@click.argument("setting", metavar="SETTING")
@click.option("--range", "bounds", default=None, metavar="LOW:HIGH",
              help="The range searched: numbers, durations (3mo; over a distribution, its median) or dates "
                   "(2026-01-01). Default for a chance: 0:1.")
@click.option("--target", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.5,
              show_default=True, help="The chance sought, between 0 and 1.")
@click.option("--candidate", "candidate", default=None, metavar="CODE",
              help="The candidate whose chance is sought (default: the scenario's first).")
@click.option("--by", "by_date", default=None, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="The chance of success by this date (default: by the horizon).")
@click.option("-n", "--replications", type=click.IntRange(min=10), default=5_000, show_default=True,
              help="Replications at each value.")
@seed_option
@jobs_option
@executor_options
@set_option
@out_option
@force_option()
@format_option
@quiet_option()
@friendly_errors
def seek(
    scenario: Path, setting: str, bounds: str | None, target: float, candidate: str | None,
    by_date: dt.datetime | None, replications: int, seed: int | None, jobs: int | None, executor: str,
    scheduler: str | None, overrides: tuple[str, ...], out: Path | None, force: bool, image_format: str,
    quiet: bool,
) -> None:
    """Find the value of SETTING (a key path, as for --set) at which a candidate's chance reaches --target."""
    import dataclasses

    from partnersim import safetext
    from partnersim.charts.seek import sentence
    from partnersim.errors import Problem, ScenarioError
    from partnersim.executors import default_jobs
    from partnersim.kinds import PROBABILITY_KEYS
    from partnersim.scenario.keys import flatten
    from partnersim.scenario.loader import load_scenario
    from partnersim.whatif.diff import setting_value
    from partnersim.whatif.indices import measures_of
    from partnersim.whatif.outputs import open_folder, write_seek
    from partnersim.whatif.seek import GRID
    from partnersim.whatif.seek import seek as run_seek
    from partnersim.whatif.sweep import prepare

    loaded = load_scenario(scenario, overrides)
    current = setting_value(flatten(loaded), setting)
    where = "SETTING --range" if bounds is not None else "SETTING"
    if bounds is None:
        if setting.rsplit(".", 1)[-1] not in PROBABILITY_KEYS:
            if current is None:  # a key path that names no setting is said to be so before a range is asked for
                _refuse_unknown(scenario, setting, overrides)
            raise click.UsageError(f"give the range to search for {setting} with --range LOW:HIGH")
        bounds = "0:1"
    if bounds.count(":") != 1:
        raise click.UsageError(f"--range takes LOW:HIGH, got {bounds!r} (seek chooses the values it runs)")
    try:
        base_scenario, (param,) = prepare(scenario, [f"{setting}={bounds}"], overrides)
        if param.low == param.high:
            raise ScenarioError([Problem("--param", None, setting,
                                         f"LOW and HIGH are the same ({bounds}): there is nothing to search")])
    except ScenarioError as exc:  # the setting and its range are this command's, not a sweep's --param
        raise ScenarioError([dataclasses.replace(p, file=where) if p.file == "--param" else p
                             for p in exc.problems]) from None
    if seed is not None:
        base_scenario = base_scenario.with_updates(seed=seed)
    codes = [c.code for c in base_scenario.candidates]
    _check_choice(candidate, codes, "--candidate")
    by = by_date.date() if by_date is not None else None
    measures_of(base_scenario, [by] if by is not None else [])  # a date outside the run is refused at once
    base = param.scenario_value(base_scenario)
    jobs = jobs or default_jobs()
    started, clock = dt.datetime.now(dt.timezone.utc), time.monotonic()
    with open_folder("seek", scenario.name, out, force) as folder:
        found = with_progress(2 * GRID * replications, quiet, lambda progress: run_seek(
            base_scenario, param, code=candidate or codes[0], target=target, by=by, replications=replications,
            base=base, executor=make_executor(executor, jobs, scheduler), progress=progress))
        took = time.monotonic() - clock
        written = write_seek(folder, found, scenario, jobs, overrides, started, image_format)
    if not quiet:
        click.echo(safetext.line(sentence(found)))
        click.echo(f"Ran {found.points} values × {replications:,} replications in {_duration(took)}.")
    click.echo(f"Wrote {written}/ (seek.csv, charts/seek.{image_format})")


def _refuse_unknown(scenario: Path, setting: str, overrides: tuple[str, ...]) -> None:
    """Raise the loader's problems with ``setting`` if its key path names no setting of the scenario."""
    import dataclasses

    from partnersim.errors import ScenarioError
    from partnersim.scenario.messages import is_unknown_key
    from partnersim.whatif.sweep import prepare

    try:
        prepare(scenario, [f"{setting}=0:1"], overrides)
    except ScenarioError as exc:
        unknown = [dataclasses.replace(p, file="SETTING") for p in exc.problems if is_unknown_key(p.message)]
        if unknown:
            raise ScenarioError(unknown) from None


# --- shared ------------------------------------------------------------------------------


def _check_choice(value: str | None, choices: Sequence[str], option: str) -> None:
    if value is not None and value not in choices:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(choices)}", param_hint=option)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    return f"{seconds // 60:.0f} min {seconds % 60:.0f} s"


COMMANDS = [compare, sweep, sensitivity, seek]
