"""Briefings: ``chart`` rebuilds charts from a run folder, ``report`` writes a briefing."""

from __future__ import annotations

from pathlib import Path

import click

from partnersim.cli.common import (
    friendly_errors,
    jobs_option,
    out_file_option,
    replications_option,
    seed_option,
    set_option,
    with_progress,
)
from partnersim.errors import PartnersimError

run_dir_argument = click.argument("run_dir", type=click.Path(path_type=Path), metavar="RUN_DIR")


@click.command(epilog="""\b
Examples:
  partnersim chart runs/latam-20261201-120000
  partnersim chart runs/latam-20261201-120000 --only s_curve --format svg
  partnersim chart runs/latam-20261201-120000 --only outcomes --only allies --size a4

\b
Charts: outcomes, s_curve, start_dates, stage_times, allies, timeline
(needs the run's replications.csv), partnership (needs a scenario with a
partnership block), process. They are written to
RUN_DIR/charts/<name>.<format>. The run is not repeated.""")
@run_dir_argument
@click.option("--only", "only", multiple=True, metavar="NAME",
              help="Draw only this chart (repeat for several). Default: every chart the run allows.")
@click.option("--format", "image_format", type=click.Choice(["png", "svg", "pdf"]), default="png",
              show_default=True, help="File format of the charts.")
@click.option("--size", type=click.Choice(["slide", "a4", "page"]), default="slide", show_default=True,
              help="slide: 16:9 for a presentation; a4: an A4 page in landscape; page: across an A4 page in "
                   "portrait, for a document.")
@friendly_errors
def chart(run_dir: Path, only: tuple[str, ...], image_format: str, size: str) -> None:
    """Draw the charts of a finished run again, from its run folder."""
    from partnersim.charts import chart as named
    from partnersim.charts import render_all
    from partnersim.results.load import load_run

    for name in only:
        named(name)  # an unknown name fails before anything is read
    _not_a_what_if(run_dir)
    run = load_run(run_dir)
    written = render_all(run.results, run.folder / "charts", format=image_format, size=size,
                         rows=run.rows_path, only=only)
    click.echo(f"Wrote {run.folder / 'charts'}/ ({', '.join(p.name for p in written)})")


@click.command(epilog="""\b
Examples:
  partnersim report runs/latam-20261201-120000
  partnersim report runs/latam-20261201-120000 --format pptx --out briefing.pptx
  partnersim report scenarios/latam.yaml --format html
  partnersim report scenarios/latam.yaml --set allies.TUR.hold.probability=0.5 -n 2000
  partnersim report runs/compare-latam-20261201-120000 --format pptx
  partnersim report runs/latam-20261201-120000 --marking "OFFICIAL-SENSITIVE"
  partnersim report runs/latam-20261201-120000 --format pptx --template ministry.potx

\b
A briefing holds the question, the key findings with their 95% intervals,
every chart with a caption, summary tables, the scenario's assumptions with
the source comments of its file, and how the run was made. Given a scenario
file, partnersim runs it first and writes the run folder as `run` does.
Given the folder of `compare`, `sweep` or `sensitivity` (one at a time or
global), it briefs the
what-ifs from what the folder holds: for a comparison, the change per
candidate with its paired 95% interval in one chart and one table, what
each what-if changes in the files, and a warning when a what-if changes
several settings at once or moves candidates in opposite directions.

\b
Every format opens with the bottom line: a short paragraph answering the
scenario's question, with intervals. --marking prints a line such as
OFFICIAL-SENSITIVE or HYPOTHETICAL at the top and foot of every page and
slide. --template builds the slides on a PowerPoint template's layouts and
theme (its own slides are left out).""")
@click.argument("source", type=click.Path(path_type=Path),
                metavar="FOLDER|SCENARIO.yaml")
@click.option("--format", "report_format", type=click.Choice(["pdf", "html", "pptx"]), default="pdf",
              show_default=True, help="pdf: A4 pages; html: one file that opens offline; pptx: slides.")
@out_file_option("File to write (default: report.<format> in the run folder).")
@click.option("--marking", metavar="TEXT",
              help="A marking printed at the top and foot of every page and slide, such as OFFICIAL-SENSITIVE or "
                   "HYPOTHETICAL (one line, at most 60 characters). Default: none.")
@click.option("--template", type=click.Path(path_type=Path), metavar="FILE.pptx|FILE.potx",
              help="With --format pptx: a PowerPoint presentation or template whose layouts and theme the slides "
                   "use. Default: partnersim's own 16:9 layouts.")
@set_option
@replications_option
@seed_option
@jobs_option
@friendly_errors
def report(source: Path, report_format: str, out: Path | None, marking: str | None, template: Path | None,
           overrides: tuple[str, ...], replications: int | None, seed: int | None, jobs: int | None) -> None:
    """Write a briefing (PDF, HTML or PowerPoint) from a folder of run, compare, sweep, sensitivity or scoreboard,
    or from a scenario file."""
    from partnersim.report import check_marking, require_pptx, write_report

    # Every option is checked before a long run, not after it.
    if marking is not None:
        check_marking(marking)
    if template is not None and report_format != "pptx":
        raise PartnersimError("--template gives PowerPoint slides their layouts; add --format pptx")
    if report_format == "pptx":
        require_pptx()
        from partnersim.report.slides import open_template

        for warning in open_template(template).warnings:
            click.echo(f"warning: {warning}", err=True)
    folder = source
    if source.is_file() or source.suffix.lower() in (".yaml", ".yml"):
        folder = _run_first(source, overrides, replications, seed, jobs)
    elif (overrides or replications or seed is not None) and source.is_dir():
        raise PartnersimError(
            "--set, -n and --seed change a scenario before it runs; "
            f"{source} is a folder, so give its scenario file instead"
        )
    written = write_report(folder, report_format, out, marking=marking, template=template)
    click.echo(f"Wrote {written}")


def _not_a_what_if(folder: Path) -> None:
    """One line for the folder of a what-if, which has no run to draw again, saying what it does have."""
    from partnersim.errors import RunFolderError
    from partnersim.whatif.saved import what_if_kind

    kind = what_if_kind(folder)
    if kind is not None:
        raise RunFolderError(f"{folder} is a {kind} folder, not a run folder: its charts are in "
                             f"{folder / 'charts'}/ as `partnersim {kind}` drew them, and `partnersim report "
                             f"{folder}` writes its briefing")


def _run_first(path: Path, overrides: tuple[str, ...], replications: int | None, seed: int | None,
               jobs: int | None) -> Path:
    from partnersim.runs import execute, prepare

    scenario = prepare(path, overrides=overrides, replications=replications, seed=seed)
    done = with_progress(
        scenario.replications, False,
        lambda progress: execute(path, scenario, jobs=jobs, overrides=overrides, progress=progress),
    )
    click.echo(f"Ran {path} into {done.folder}/")
    return done.folder


COMMANDS: list[click.Command] = [chart, report]
