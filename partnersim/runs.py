"""A run from start to finish: load, simulate, and write the run folder.

The command line, briefings (a report of a scenario file runs it first) and
reruns all go through :func:`execute`, so every run folder has the same shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from partnersim.results import rundir
from partnersim.results.summary import Results
from partnersim.runner import Executor, default_jobs, simulate
from partnersim.scenario.loader import load_scenario, source_files
from partnersim.scenario.schema import Scenario


@dataclass(frozen=True)
class Run:
    """What a finished run wrote and found."""

    folder: Path
    results: Results
    files: list[str]  # the main files written, relative to the folder


def prepare(
    path: Path, *, overrides: Sequence[str] = (), replications: int | None = None, seed: int | None = None
) -> Scenario:
    """The scenario in ``path`` with command-line changes applied and checked."""
    scenario = load_scenario(path, overrides)
    changes = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
    return scenario.with_updates(**changes) if changes else scenario


def execute(
    path: Path,
    scenario: Scenario,
    *,
    out: Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    executor: Executor | None = None,
    precision: float | None = None,
    overrides: Sequence[str] = (),
    rows: bool = True,
    image_format: str = "png",
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Simulate ``scenario`` (read from ``path``) and write its complete run folder.

    The folder is written under a hidden name and renamed when complete; on any
    error or interruption nothing is left behind.
    """
    if executor is None:
        executor = Executor(jobs=jobs or default_jobs())
    jobs = executor.jobs
    started = dt.datetime.now(dt.timezone.utc)
    folder = rundir.RunFolder(out or rundir.default_folder(scenario, path, started.astimezone()), force=force)
    try:
        sink = rundir.ReplicationRows(folder.path / "replications.csv") if rows else None
        try:
            results = simulate(
                scenario, executor=executor, precision=precision, on_records=sink, progress=progress
            )
        finally:
            if sink is not None:
                sink.close()
        scenario = results.scenario
        finished = dt.datetime.now(dt.timezone.utc)
        sources = source_files(path)
        folder.write_text("scenario.yaml", rundir.resolved_yaml(scenario))
        folder.copy_inputs(sources)
        folder.write_json("summary.json", results.to_dict())
        folder.write_text("results.csv", rundir.summary_csv(results))
        folder.write_text("cooperation_by_date.csv", rundir.curve_csv(results))
        folder.write_json(
            "manifest.json",
            rundir.manifest(
                scenario, sources, started, finished, jobs, overrides=list(overrides), precision=precision,
                executor=executor.kind if executor.scheduler is None else f"dask {executor.scheduler}",
            ),
        )
        from partnersim.charts import render_all

        charts = render_all(results, folder.path / "charts", format=image_format)
        written = folder.commit()
    except BaseException:
        folder.discard()
        raise
    files = ["summary.json", "results.csv"] + (["replications.csv"] if rows else [])
    files += [f"charts/{p.name}" for p in charts]
    return Run(folder=written, results=results, files=files)
