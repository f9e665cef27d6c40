"""``run``, ``validate`` and ``diagram``: the main job and its companions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from partnersim.cli.common import (
    EXIT_INPUT,
    chart_workers,
    console,
    executor_options,
    force_option,
    format_option,
    friendly_errors,
    jobs_option,
    make_executor,
    out_file_option,
    out_folder_option,
    precision_option,
    quiet_option,
    replications_option,
    scenario_argument,
    seed_option,
    set_option,
    with_progress,
)
from partnersim.errors import ScenarioError

if TYPE_CHECKING:
    from partnersim.charts.workers import ChartWorkers
    from partnersim.executors import Executor
    from partnersim.results.summary import Results
    from partnersim.runs import Run


@click.command(
    epilog="""\b
Examples:
  partnersim run scenarios/latam.yaml
  partnersim run scenarios/latam.yaml -n 2000 --seed 7
  partnersim run scenarios/latam.yaml --out runs/latam-base --force --format svg
  partnersim run scenarios/latam.yaml --set allies.TUR.hold.probability=0.5
  partnersim run scenarios/latam.yaml --precision 0.005
  partnersim run scenarios/latam.yaml -n 1000000 --no-rows --executor dask --scheduler tcp://10.0.0.5:8786

\b
The run folder holds: scenario.yaml (every default filled in), inputs/ (the
files as written), manifest.json, summary.json, results.csv (one row per
candidate), cooperation_by_date.csv, assumptions.csv (every value in force,
set by the scenario or a default with its source), partnership_areas.csv
(with a partnership block), replications.csv (one row per candidate per
replication) and charts/. Warnings about settings that are valid but almost
certainly not meant are printed first, on standard error (see partnersim
validate).""",
)
@scenario_argument
@replications_option
@seed_option
@jobs_option
@executor_options
@precision_option
@set_option
@out_folder_option("", "Run folder to write (default: runs/<scenario>-<date>-<time>).")
@force_option("run folder")
@click.option(
    "--rows/--no-rows", default=True, show_default=True,
    help="Write replications.csv, one row per candidate per replication.",
)
@click.option(
    "--events", is_flag=True,
    help="Also write the event log of every case (events.csv, and events.xes for process-mining tools).",
)
@click.option("--json", "as_json", is_flag=True, help="Print summary.json to standard output instead of tables.")
@format_option
@quiet_option("Print only warnings about the scenario (on standard error) and where the run was written.")
@friendly_errors
def run(
    scenario: Path, replications: int | None, seed: int | None, jobs: int | None,
    executor: str, scheduler: str | None, precision: float | None, overrides: tuple[str, ...],
    out: Path | None, force: bool, rows: bool, events: bool, as_json: bool, image_format: str, quiet: bool,
) -> None:
    """Run SCENARIO.yaml and write a run folder with tables and charts.

    Warnings about the scenario (valid, but probably not what was meant) are
    printed on standard error before the run starts and kept in manifest.json.
    """
    chosen = make_executor(executor, jobs, scheduler)
    # Started first, so that the processes that draw the charts load matplotlib while this one loads the
    # simulation and runs it.
    with chart_workers(chosen) as workers:
        _quick_exit()
        done = _run(scenario, replications, seed, chosen, precision, overrides, out, force, rows, events,
                    image_format, quiet, workers)
    results = done.results
    if as_json:
        import json

        click.echo(json.dumps(results.to_dict(), indent=2, ensure_ascii=False))
        click.echo(f"Wrote {done.folder}/", err=True)
        return
    if not quiet:
        _print_results(results)
        click.echo()
    if precision:
        click.echo(_precision_line(results, precision))
    click.echo(f"Wrote {done.folder}/ ({', '.join(done.files)})")
    if done.assumptions and not quiet:
        from partnersim.scenario.inforce import ASSUMPTIONS, summary

        click.echo(f"Assumptions in force: {done.folder}/{ASSUMPTIONS} ({summary(done.assumptions)}; "
                   "partnersim validate lists them)")


def _quick_exit() -> None:
    """Once the process ends, what it loaded goes with it: spare the collector the passes it would make over all
    of it while the interpreter shuts down (a tenth of a second once the simulation and its libraries are
    loaded). Only at exit, so nothing changes while the process lives."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once, however many runs this process makes
    atexit.register(gc.freeze)


def _run(
    scenario: Path, replications: int | None, seed: int | None, executor: Executor, precision: float | None,
    overrides: tuple[str, ...], out: Path | None, force: bool, rows: bool, events: bool, image_format: str,
    quiet: bool, chart_workers: ChartWorkers | None,
) -> Run:
    from partnersim.runs import execute
    from partnersim.scenario.loader import load_checked

    loaded, warnings = load_checked(scenario, overrides)
    loaded = loaded.with_run(replications, seed)
    # Shown even with --quiet: a warning is about the input, like an error, and goes to standard error.
    for warning in warnings:
        click.echo(str(warning), err=True)
    return with_progress(
        None if precision else loaded.replications, quiet,
        lambda progress: execute(
            scenario, loaded, out=out, force=force, executor=executor,
            precision=precision, overrides=overrides, warnings=[str(w) for w in warnings],
            rows=rows, events=events, image_format=image_format, progress=progress, chart_workers=chart_workers,
        ),
    )


def _precision_line(results: Results, precision: float) -> str:
    """What ``--precision`` achieved: the target, or, at the cap of replications, how far short it fell."""
    widest = max((c.outcomes[results.success].high - c.outcomes[results.success].low) / 2 for c in results.candidates)
    what = f"95% interval on P({results.success_words})"
    if widest <= precision:
        return (f"Stopped at {results.replications:,} replications: every candidate's {what} is within "
                f"±{precision * 100:g} points.")
    return (f"Stopped at the cap of {results.replications:,} replications before every candidate's {what} was "
            f"within ±{precision * 100:g} points: the widest is ±{widest * 100:.2g} points.")


def _year_end_columns(results: Results, most: int = 6) -> list[int]:
    """Year ends worth a column: not the one just after the start, at most ``most``, the last always."""
    year_ends = results.candidates[0].by_year_end
    useful = [i for i, (day, _) in enumerate(year_ends) if (day - results.start).days >= 90]
    if len(useful) <= most:
        return useful
    step = (len(useful) - 1) / (most - 1)
    return sorted({useful[round(k * step)] for k in range(most)})


def _print_results(results: Results) -> None:
    from rich.table import Table

    from partnersim.cli.tables import print_paragraph, print_table
    from partnersim.results.text import finding, interval, outcome_heading
    from partnersim.safetext import console as literal
    from partnersim.text import join_words, percent
    screen = console()
    scenario = results.scenario
    screen.print(
        f"[bold]{literal(scenario.name)}[/bold] — {results.replications:,} replications, seed {results.seed}, "
        f"{scenario.start:%d %b %Y} to {results.end_date:%d %b %Y}"
    )
    if scenario.question:
        screen.print(f"[italic]{literal(scenario.question.strip())}[/italic]")
    horizon = f"{results.end_date:%d %b %Y}"
    seen = results.seen_outcomes
    unseen = [outcome_heading(results, o).lower() for o in results.outcome_names if o not in seen]
    outcomes = Table(title=f"Outcome by {horizon} (95% interval)", title_justify="left",
                     caption=f"Never seen in any replication: {join_words(unseen)}" if unseen else None,
                     caption_justify="left")
    outcomes.add_column("Candidate", no_wrap=True)
    for name in seen:
        outcomes.add_column(outcome_heading(results, name), justify="right")
    for c in results.candidates:
        outcomes.add_row(literal(c.name), *[interval(c.outcomes[name]) for name in seen])
    print_table(screen, outcomes)

    timing = Table(
        title=f"When {results.success_words} starts: the date by which it has each chance, and the chance by each year end",
        title_justify="left", caption=f"– not reached by {horizon}", caption_justify="left",
    )
    timing.add_column("Candidate", no_wrap=True)
    for key in ("10%", "50%", "80%", "90%"):
        timing.add_column(key, justify="right")
    shown = _year_end_columns(results)
    for index in shown:
        timing.add_column(str(results.candidates[0].by_year_end[index][0].year), justify="right")
    for c in results.candidates:
        dates = [f"{c.dates[k]:%b %Y}" if c.dates[k] else "–" for k in ("P10", "P50", "P80", "P90")]
        timing.add_row(literal(c.name), *dates, *[percent(c.by_year_end[i][1].p) for i in shown])
    print_table(screen, timing)

    stage_labels = {spec.name: spec.label for spec in scenario.template.stages}
    stage_labels["requested"] = "not yet requested"
    stage_labels["prospective"] = "not yet requested"
    allies = Table(title="What stands in the way (share of replications)", title_justify="left")
    allies.add_column("Candidate", no_wrap=True)
    allies.add_column("Last to consent")
    allies.add_column("Held consent")
    allies.add_column("Vetoed")
    allies.add_column("Pending at horizon in")
    for c in results.candidates:
        def top(shares: list[Any]) -> str:
            # Only allies that stand out above those set alike are named; the rest are chance.
            named = [a for a in shares if a.stands_out][:2]
            if not shares:
                return "–"
            return ", ".join(f"{literal(a.code)} {percent(a.share)}" for a in named) or \
                f"none stands out (each ≤ {percent(shares[0].share)})"
        pending = ", ".join(f"{stage_labels.get(stage, stage)} {percent(share)}" for stage, share in
                            sorted(c.pending_at.items(), key=lambda kv: -kv[1])[:2]) or "–"
        allies.add_row(literal(c.name), top(c.last_to_consent), top(c.holding), top(c.vetoing), literal(pending))
    print_table(screen, allies)
    if results.has_partnership:
        print_table(screen, _partnership_table(results))
    screen.print()
    screen.print("[bold]Findings[/bold]")
    for c in results.candidates:
        print_paragraph(screen, literal(finding(results, c)))


def _partnership_table(results: Results) -> Any:
    """After cooperation starts: how the partnership stands at the horizon, over all replications."""
    from rich.table import Table

    from partnersim.results.text import interval
    from partnersim.safetext import console as literal

    n = len(results.scenario.partnership.areas.catalogue) if results.scenario.partnership else 0
    table = Table(title=f"The partnership at {results.end_date:%d %b %Y} (share of all replications, 95% interval)",
                  title_justify="left",
                  caption=f"Areas: of the {n} in the catalogue, in force on that day; averaged over all replications, "
                  "and over those where the partnership is active", caption_justify="left")
    for name in ("Candidate", "Active", "Suspended", "Lapsed", "Renewals (mean)", "Areas, all", "Areas, active"):
        table.add_column(name, no_wrap=name == "Candidate", justify="left" if name == "Candidate" else "right")
    for c in results.candidates:
        if (life := c.partnership) is not None:
            active = f"{life.expected_areas / life.active.p:.1f}" if life.active.p else "–"
            table.add_row(literal(c.name), interval(life.active), interval(life.suspended), interval(life.lapsed),
                          f"{life.mean_renewals:.2f}", f"{life.expected_areas:.1f}", active)
    return table


@click.command(epilog="""\b
Examples:
  partnersim validate scenarios/latam.yaml
  partnersim validate scenarios/*.yaml
  partnersim validate --strict scenarios/*.yaml   # warnings fail too (exit code 2)

\b
A warning is a scenario that is valid but almost certainly not what was meant:
an ally that vetoes most cases, a stage no case can get past, a horizon
shorter than the fastest possible path, a request after the horizon, a
setting far outside the historical record.""")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="SCENARIO.yaml...")
@click.option("--strict", is_flag=True, help="Treat warnings as problems: the file fails, with exit code 2.")
@friendly_errors
def validate(scenarios: tuple[Path, ...], strict: bool) -> None:
    """Check scenario files without running them; list every problem and warning found.

    For a file that is valid, list the assumptions in force: the value used for
    every setting that drives the result, set by the file or a default with its
    source.
    """
    from partnersim.scenario.loader import load_checked

    failed = 0
    for path in scenarios:
        try:
            scenario, warnings = load_checked(path)
        except ScenarioError as exc:
            failed += 1
            for line in exc.lines():
                click.echo(line, err=True)
            continue
        for warning in warnings:
            click.echo(str(warning), err=True)
        if strict and warnings:
            failed += 1
            continue
        count = len(scenario.candidates)
        noted = f"; {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
        click.echo(
            f"{path}: ok — {scenario.name!r}, {count} candidate{'s' if count != 1 else ''}, "
            f"{scenario.start} to {scenario.end_date}, {scenario.replications:,} replications{noted}"
        )
        _print_in_force(path)
    if failed:
        sys.exit(EXIT_INPUT)


def _print_in_force(path: Path) -> None:
    """The values the run would use, each set by the scenario or a default with its source (one line each)."""
    from partnersim import safetext
    from partnersim.scenario.inforce import lines, load_in_force

    for line in lines(load_in_force(path), main=path.name):
        click.echo(safetext.line(line))


@click.command(epilog="""\b
Examples:
  partnersim diagram                      # Mermaid text, paste into a Markdown file
  partnersim diagram -o process.png       # a drawing (Graphviz if installed, else matplotlib)
  partnersim diagram -o process.mmd
  partnersim diagram --process membership-accession -o accession.png
  partnersim diagram --process my-process.yaml -o mine.png   # a process file of your own""")
@click.option("--process", "process_name", default="global-partner", show_default=True, metavar="NAME|FILE.yaml",
              help="A built-in process, or a process file (docs/scenario.md, Processes).")
@out_file_option("Write to a file: .mmd (Mermaid), .png, .svg or .pdf.")
@friendly_errors
def diagram(process_name: str, out: Path | None) -> None:
    """Draw the process as a state diagram."""
    from partnersim import files
    from partnersim.charts.mermaid import mermaid
    from partnersim.process.library import TEMPLATES
    from partnersim.scenario import processes

    if process_name in TEMPLATES:
        template = TEMPLATES[process_name]
    elif processes.is_file_name(process_name):
        found, problems = processes.read_file(Path(process_name))
        if found is None:
            raise ScenarioError(problems)
        template = found
    else:
        raise click.BadParameter(f"unknown process {process_name!r}; built in: {', '.join(TEMPLATES)}, or the "
                                 "path of a process file (ending in .yaml)", param_hint="--process")
    if out is None:
        click.echo(mermaid(template))
        return
    suffix = out.suffix.lower().lstrip(".")
    if suffix in ("mmd", "md", "txt"):
        files.write_text(out, mermaid(template).rstrip("\n") + "\n")
    elif suffix in ("png", "svg", "pdf"):
        from partnersim.charts import graphviz

        if graphviz.available():
            graphviz.render(template, out, suffix)
            click.echo(f"Wrote {out} (Graphviz)")
            return
        from partnersim.charts.diagram import process_diagram
        from partnersim.charts.style import save

        save(process_diagram(template), out, suffix)
        click.echo(f"Wrote {out} (Graphviz's dot is not installed, so drawn with matplotlib)")
        return
    else:
        raise click.BadParameter("expected a file ending in .mmd, .png, .svg or .pdf", param_hint="--out")
    click.echo(f"Wrote {out}")


COMMANDS = [run, validate, diagram]
