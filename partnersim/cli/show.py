"""``show``: a finished run's tables printed again from its folder, and an Excel workbook of them."""

from __future__ import annotations

from pathlib import Path

import click

from partnersim.cli.common import friendly_errors


@click.command(epilog="""\b
Examples:
  partnersim show runs/latam-20261201-120000
  partnersim show runs/latam-20261201-120000 --xlsx latam.xlsx

\b
The workbook (pip install 'partnersim[xlsx]') has a sheet per table:
outcomes with their 95% intervals, the chance by each year end, the dates,
stage times, the allies in the way, the partnership (with a partnership
block), the chance by date, the findings, and how the run was made.""")
@click.argument("run_dir", type=click.Path(path_type=Path), metavar="RUN_DIR")
@click.option("--xlsx", "workbook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE.xlsx", help="Also write every table to this Excel workbook, one sheet each.")
@friendly_errors
def show(run_dir: Path, workbook: Path | None) -> None:
    """Print a finished run's tables again, from its run folder.

    The tables are those `partnersim run` printed, read from RUN_DIR's
    summary.json: nothing is simulated again.
    """
    from partnersim.cli.run import _precision_line, _print_results
    from partnersim.results.load import load_run

    if workbook is not None:
        from partnersim.results.xlsx import require_openpyxl

        if workbook.suffix.lower() != ".xlsx":
            raise click.BadParameter(f"an Excel workbook's name ends in .xlsx, got {workbook.name}",
                                     param_hint="--xlsx")
        require_openpyxl()  # before anything is printed
    run = load_run(run_dir)  # a folder of another command is named, in one line
    _print_results(run.results)
    precision = run.manifest.get("precision")
    stopped = isinstance(precision, (int, float)) and not isinstance(precision, bool) and precision > 0
    if stopped or workbook is not None:
        click.echo()
    if stopped:  # as run printed it: how far --precision got
        click.echo(_precision_line(run.results, float(precision)))  # type: ignore[arg-type]
    if workbook is not None:
        from partnersim.results.xlsx import write_xlsx

        click.echo(f"Wrote {write_xlsx(run, workbook)}")



COMMANDS: list[click.Command] = [show]
