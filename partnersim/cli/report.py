"""Briefings: ``chart`` rebuilds charts from a run folder, ``report`` writes a briefing."""

from __future__ import annotations

from pathlib import Path

import click

from partnersim.cli.common import friendly_errors

run_dir_argument = click.argument("run_dir", type=click.Path(path_type=Path), metavar="RUN_DIR")


@click.command(epilog="""\b
Examples:
  partnersim chart runs/latam-20261201-120000
  partnersim chart runs/latam-20261201-120000 --only s_curve --format svg
  partnersim chart runs/latam-20261201-120000 --only outcomes --only allies --size a4

\b
Charts: outcomes, s_curve, start_dates, stage_times, allies, timeline
(needs the run's replications.csv), process. They are written to
RUN_DIR/charts/<name>.<format>. The run is not repeated.""")
@run_dir_argument
@click.option("--only", "only", multiple=True, metavar="NAME",
              help="Draw only this chart (repeat for several). Default: every chart the run allows.")
@click.option("--format", "image_format", type=click.Choice(["png", "svg", "pdf"]), default="png",
              show_default=True, help="File format of the charts.")
@click.option("--size", type=click.Choice(["slide", "a4"]), default="slide", show_default=True,
              help="slide: 16:9 for a presentation; a4: an A4 page in landscape.")
@friendly_errors
def chart(run_dir: Path, only: tuple[str, ...], image_format: str, size: str) -> None:
    """Draw the charts of a finished run again, from its run folder."""
    from partnersim.charts import chart as named
    from partnersim.charts import render_all
    from partnersim.results.load import load_run

    for name in only:
        named(name)  # an unknown name fails before anything is read
    run = load_run(run_dir)
    written = render_all(run.results, run.folder / "charts", format=image_format, size=size,
                         rows=run.rows_path, only=only)
    click.echo(f"Wrote {run.folder / 'charts'}/ ({', '.join(p.name for p in written)})")


COMMANDS: list[click.Command] = [chart]
