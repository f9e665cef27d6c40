"""Reproducibility: ``rerun`` replays a run from its folder and says whether it matches."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from partnersim.cli.common import (
    force_option,
    friendly_errors,
    jobs_option,
    out_folder_option,
    quiet_option,
    with_progress,
)

EXIT_DIFFERS = 1


@click.command(epilog="""\b
Examples:
  partnersim rerun runs/latam-20261128-025712
  partnersim rerun runs/latam-20261128-025712 --out runs/latam-replay --jobs 2

\b
Exit code 0: the replay matches byte for byte (summary.json, results.csv,
cooperation_by_date.csv, and partnership_areas.csv and replications.csv when
the run wrote them).
Exit code 1: something differs; each difference is listed.
Exit code 2: RUN_DIR is not a finished run folder.""")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path), metavar="RUN_DIR")
@jobs_option
@out_folder_option("", "Keep the replay in this folder (default: a temporary folder, removed afterwards).")
@force_option("--out folder")
@quiet_option("No progress bar.")
@friendly_errors
def rerun(run_dir: Path, jobs: int | None, out: Path | None, force: bool, quiet: bool) -> None:
    """Run a finished run again from its folder and check that the results match.

    The folder's scenario.yaml holds the scenario as it was run: every default,
    every --set, the seed and the number of replications. The replay uses it
    and compares its result files with the recorded ones, byte for byte. A
    warning names any package whose version differs from the one recorded in
    manifest.json.
    """
    from partnersim.results import rerun as replay
    from partnersim.results.load import read_scenario
    from partnersim.runs import execute

    recorded = replay.read_run(run_dir)
    for line in replay.version_differences(recorded.manifest):
        click.echo(f"warning: {line}; the results may differ", err=True)
    scenario = read_scenario(run_dir)
    if not replay.same_scenario(scenario, recorded.manifest):
        click.echo(
            "warning: scenario.yaml is not the scenario recorded in manifest.json (edited since the run?)",
            err=True,
        )
    with tempfile.TemporaryDirectory(prefix="partnersim-rerun-") as scratch:
        target = out if out is not None else Path(scratch) / run_dir.resolve().name
        done = with_progress(
            scenario.replications, quiet,
            lambda progress: execute(
                recorded.scenario_file, scenario, out=target, force=force, jobs=jobs, rows=recorded.rows,
                image_format=recorded.image_format, progress=progress,
            ),
        )
        differences = replay.compare(run_dir, done.folder, recorded.manifest)
    what = f"{scenario.replications:,} replications, seed {scenario.seed}"
    kept = f"; the replay is in {done.folder}/" if out is not None else ""
    if not differences:
        click.echo(f"{run_dir}: matches — the replay ({what}) gives the same results, byte for byte{kept}")
        return
    click.echo(f"{run_dir}: differs — the replay ({what}) does not give the same results{kept}:")
    for line in differences:
        click.echo(f"  {line}")
    sys.exit(EXIT_DIFFERS)


COMMANDS = [rerun]
