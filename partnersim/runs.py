"""A run from start to finish: load, simulate, and write the run folder.

The command line, briefings (a report of a scenario file runs it first) and
reruns all go through :func:`execute`, so every run folder has the same shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partnersim.errors import RunFolderError, ScenarioError
from partnersim.executors import Executor, default_jobs
from partnersim.results import csvtext, rundir
from partnersim.results.folder import RunFolder, default_folder
from partnersim.results.markdown import summary_markdown
from partnersim.results.rows import ROWS, RowsFold, read_rows
from partnersim.results.summary import Results
from partnersim.scenario.inforce import ASSUMPTIONS, Assumption, csv_text, in_force
from partnersim.scenario.loader import load_checked, load_located, load_scenario, source_files
from partnersim.scenario.schema import Scenario
from partnersim.simulation import simulate

if TYPE_CHECKING:
    from partnersim.charts import Rendering
    from partnersim.charts.workers import ChartWorkers


@dataclass(frozen=True)
class Run:
    """What a finished run wrote and found."""

    folder: Path
    results: Results
    files: list[str]  # the main files written, relative to the folder
    assumptions: list[Assumption] = field(default_factory=list)  # the values in force, as in assumptions.csv


def prepare(
    path: Path, *, overrides: Sequence[str] = (), replications: int | None = None, seed: int | None = None
) -> Scenario:
    """The scenario in ``path`` with command-line changes applied and checked."""
    return load_scenario(path, overrides).with_run(replications, seed)


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
    warnings: Sequence[str] | None = None,
    rows: bool = True,
    events: bool = False,
    image_format: str = "png",
    progress: Callable[[int], None] | None = None,
    chart_workers: ChartWorkers | None = None,
) -> Run:
    """Simulate ``scenario`` (read from ``path``) and write its complete run folder.

    The folder is written under a hidden name and renamed when complete; on any
    error or interruption nothing is left behind. ``warnings`` (the scenario's
    warnings, one line each) go into manifest.json; without them they are
    found again from ``path`` and ``overrides``. With ``chart_workers``
    (:class:`partnersim.charts.workers.ChartWorkers`, started by the caller,
    who closes them), the charts are drawn side by side while the rest of
    the folder is written; the files are the same.
    """
    if warnings is None:
        warnings = _warnings(path, overrides)
    if executor is None:
        executor = Executor(jobs=jobs or default_jobs())
    jobs = executor.jobs
    started = dt.datetime.now(dt.timezone.utc)
    target = out or default_folder(path.stem, started.astimezone())
    with RunFolder(target, force=force, fresh=out is None) as folder:
        from partnersim.charts import Rendering

        try:
            # Started first: chart workers draw what needs only the scenario while the run simulates.
            rendering = Rendering.start(folder.path / "charts", image_format, scenario=scenario,
                                        workers=chart_workers)
        except OSError as exc:
            raise RunFolderError(f"cannot write the run folder {folder.final}: {exc.strerror or exc}") from None
        try:
            results, assumptions, sources, tables, charts = _simulate_and_write(
                path, scenario, folder, rendering, executor=executor, precision=precision, overrides=overrides,
                rows=rows, events=events, progress=progress,
            )
        except BaseException:
            rendering.discard()
            raise
        scenario = results.scenario
        written = folder.commit(
            rundir.manifest(
                scenario, sources, started, dt.datetime.now(dt.timezone.utc), jobs, overrides=list(overrides),
                precision=precision, warnings=list(warnings),
                executor=executor.description,
            )
        )
    files = ["summary.json", "summary.md", "results.csv", "cooperation_by_date.csv"]
    files += [ASSUMPTIONS] if assumptions is not None else []
    files += [rundir.PARTNERSHIP_AREAS] if results.has_partnership else []
    files += ["replications.csv"] if rows else []
    files += ["events.csv", "events.xes"] if events else []
    files += tables
    files += [f"charts/{p.name}" for p in charts]
    return Run(folder=written, results=results, files=files, assumptions=assumptions or [])


def _simulate_and_write(
    path: Path, scenario: Scenario, folder: RunFolder, rendering: Rendering, *, executor: Executor,
    precision: float | None, overrides: Sequence[str], rows: bool, events: bool,
    progress: Callable[[int], None] | None,
) -> tuple[Results, list[Assumption] | None, list[Path], list[str], list[Path]]:
    """Simulate, then write every file of the run folder but the manifest, the charts drawn meanwhile."""
    sinks: list[Any] = []
    fold = None
    if rows:
        sinks.append(rundir.ReplicationRows(folder.path / ROWS))
        # What the charts need of the rows, gathered as they are written: the file is not read back.
        sinks.append(fold := RowsFold())
    if events:
        from partnersim.results.events import EventLog  # with its XML writer, only for a run that asks for it

        sinks.append(EventLog(folder.path))

    def write(model: Any, records: Any) -> None:
        for sink in sinks:
            sink(model, records)

    try:
        results = simulate(
            scenario, executor=executor, precision=precision, on_records=write if sinks else None,
            progress=progress,
        )
    finally:
        for sink in sinks:
            sink.close()
    scenario = results.scenario
    # The charts are drawn (by the chart workers, if any) while this process writes the other files. What the
    # rows show is at hand at once, but for the one replication told as a story, whose chunk is run again.
    tallies = fold.tallies(results) if fold is not None else None
    if tallies is not None and fold is not None:
        rendering.draw(results, rows=tallies, story_to_come=True)
        story = fold.story(results)
        rendering.give_rows(replace(tallies, story=story) if story is not None else read_rows(folder.path / ROWS,
                                                                                                  results))
    else:
        rendering.draw(results, rows=read_rows(folder.path / ROWS, results) if fold is not None else None)
    sources = source_files(path)
    folder.write_text("scenario.yaml", rundir.resolved_yaml(scenario))
    folder.copy_inputs(sources)
    folder.write_json("summary.json", results.to_dict())
    folder.write_text("results.csv", csvtext.summary_csv(results))
    folder.write_text("summary.md", summary_markdown(results))
    assumptions = values_in_force(path, overrides, scenario)
    if assumptions is not None:
        folder.write_text(ASSUMPTIONS, csv_text(assumptions))
    folder.write_text("cooperation_by_date.csv", csvtext.curve_csv(results))
    if results.has_partnership:
        folder.write_text(rundir.PARTNERSHIP_AREAS, csvtext.areas_csv(results))
    try:
        tables = rundir.parquet_copies(folder.path)
        charts = rendering.finish()
    except OSError as exc:
        raise RunFolderError(f"cannot write the run folder {folder.final}: {exc.strerror or exc}") from None
    return results, assumptions, sources, tables, charts


def values_in_force(path: Path, overrides: Sequence[str], scenario: Scenario) -> list[Assumption] | None:
    """The values ``scenario`` runs with, each marked as set in ``path`` (or by ``overrides``) or a default.

    None when the file no longer gives this scenario (edited during the run): where each value was set is
    then unknown, and no assumptions.csv is written.
    """
    try:
        loaded, origins = load_located(path, overrides)
    except ScenarioError:
        return None
    if loaded.with_run(scenario.replications, scenario.seed) != scenario:
        return None
    return in_force(scenario, origins)


def _warnings(path: Path, overrides: Sequence[str]) -> list[str]:
    """The scenario file's warnings, one line each, for the manifest."""
    try:
        return [str(warning) for warning in load_checked(path, overrides)[1]]
    except ScenarioError:  # the caller's scenario did not come from this file as it is now
        return []
