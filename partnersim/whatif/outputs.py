"""What the what-if commands write: the folder of a comparison, a sweep or a sensitivity analysis.

The folder is opened before the work runs (:func:`open_folder`), so that an
``--out`` that cannot be used is refused at once; each writer then writes
every file, commits the folder with its manifest and returns what it wrote.
Besides the CSV and the charts, each folder keeps the scenario files as
written (``inputs/``, whose comments are the sources a briefing quotes) and
one JSON file with everything found (:mod:`partnersim.whatif.saved`), from
which ``partnersim report`` writes a briefing without running anything again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partnersim import safetext
from partnersim.charts.workers import ChartWorkers, Figures, figure_function
from partnersim.results.folder import RunFolder, default_folder
from partnersim.results.rundir import manifest
from partnersim.runs import values_in_force
from partnersim.scenario.inforce import ASSUMPTIONS
from partnersim.scenario.inforce import csv_text as inforce_csv
from partnersim.scenario.loader import source_files
from partnersim.scenario.schema import Scenario
from partnersim.whatif.compare import Comparison, Input
from partnersim.whatif.indices import GlobalSensitivity
from partnersim.whatif.saved import DATA, FORMAT, comparison_data, sensitivity_data, sweep_data
from partnersim.whatif.seek import Seek
from partnersim.whatif.sensitivity import Sensitivity
from partnersim.whatif.sweep import Sweep
from partnersim.whatif.text import comparison_rows, csv_text, sensitivity_rows

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def open_folder(kind: str, label: str, out: Path | None, force: bool) -> RunFolder:
    """The folder a what-if writes: ``--out``, or ``runs/<kind>-<scenario>-<date>-<time>``."""
    target = out or default_folder(Path(label).stem, dt.datetime.now().astimezone(), kind)
    return RunFolder(target, force=force, kind=kind, fresh=out is None)


def _save(fig: Figure, folder: RunFolder, name: str, image_format: str) -> None:
    from partnersim.charts.style import save_drawn

    # Each figure is thrown away once written: drawn in one pass, the same file as save() writes.
    save_drawn(fig, folder.path / "charts" / name, image_format)


def _save_all(figures: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]], folder: RunFolder,
              image_format: str, workers: ChartWorkers | None) -> None:
    """Write ``figures`` (``(name, function, arguments, keywords)`` each, the function named as ``module:name``)
    into ``charts/``: those the chart workers drew (:mod:`partnersim.charts.workers`), and the others here, one
    after the other (so this process loads matplotlib only when the workers could not draw them all)."""
    done: set[str] = set()
    if workers is not None and len(figures) > 1:
        done = workers.draw(Figures(tuple(figures), folder.path / "charts", image_format, workers.drawers))
    for name, function, arguments, keywords in figures:
        if name not in done:
            _save(figure_function(function)(*arguments, **keywords), folder, name, image_format)


def _sources(path: Path) -> list[Path]:

    return source_files(path)


def _write_data(folder: RunFolder, kind: str, data: dict[str, Any]) -> None:
    # On one line: the daily counts of a comparison would otherwise take a line each.
    folder.write_text(DATA[kind], json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def _inputs(folder: RunFolder, sources: Sequence[Path]) -> list[Path]:
    """Copy the scenario files, each once, under ``inputs/``; the files copied."""
    unique = list(dict.fromkeys(sources))
    folder.copy_inputs(unique)
    return unique


def _manifest(scenario: Scenario, sources: list[Path], jobs: int, overrides: Sequence[str],
              started: dt.datetime, extra: dict[str, Any]) -> dict[str, Any]:

    finished = dt.datetime.now(dt.timezone.utc)
    unique = list(dict.fromkeys(sources))
    return {**manifest(scenario, unique, started, finished, jobs, overrides=list(overrides)), **extra}


def write_comparison(folder: RunFolder, result: Comparison, inputs: Sequence[Input], overrides: Sequence[str],
                     jobs: int, image_format: str, started: dt.datetime) -> Path:
    """Write a comparison: compare.csv, differences.txt, comparison.json and its chart; the folder written.

    The chart of one what-if draws its curves over the base's; of several, the change per candidate
    with its interval, one dot per what-if (a curve each would be too many to read).
    """
    folder.write_text("compare.csv", csv_text(comparison_rows(result)))
    _write_data(folder, "compare", comparison_data(result))
    lines = []
    for variant in result.variants:
        lines.append(safetext.line(f"{result.base_label} → {variant.label}"))
        lines += [f"  {d}" for d in variant.differences] or ["  nothing: the two scenarios are the same"]
    folder.write_text("differences.txt", "\n".join(lines) + "\n")
    # The base's values in force, as a run writes them: what a briefing of the comparison lists as assumed.
    base = values_in_force(inputs[0].path, (), result.base.scenario)
    if base is not None:
        folder.write_text(ASSUMPTIONS, inforce_csv(base))
    from partnersim.charts.compare import changes_chart, compare_chart

    chart = compare_chart(result) if len(result.variants) == 1 else changes_chart(result)
    _save(chart, folder, f"compare.{image_format}", image_format)
    sources = _inputs(folder, [path for item in inputs for path in item.sources])
    return folder.commit(_manifest(result.base.scenario, sources, jobs, overrides, started, {
        "analysis": "compare", "base": inputs[0].label, "variants": [i.label for i in inputs[1:]]}))


def write_sweep(folder: RunFolder, result: Sweep, scenario: Path, params: Sequence[str], design: str, count: int,
                jobs: int, overrides: Sequence[str], started: dt.datetime, image_format: str,
                outcome: str | None, candidate: str | None) -> Path:
    """Write a sweep: sweep.csv, sweep.json and its chart; the folder written."""
    folder.write_text("sweep.csv", csv_text(result.rows()))
    _write_data(folder, "sweep", sweep_data(result, outcome, candidate))
    from partnersim.charts.sweep import sweep_chart

    _save(sweep_chart(result, outcome=outcome, candidate=candidate), folder, f"sweep.{image_format}", image_format)
    return folder.commit(_manifest(result.scenario, _inputs(folder, _sources(scenario)), jobs, overrides, started, {
        "analysis": "sweep", "design": design, "params": list(params), "points": count}))


def write_sensitivity(folder: RunFolder, result: Sensitivity, scenario: Path, codes: Sequence[str], top: int,
                      ranges: Sequence[str], jobs: int, overrides: Sequence[str], started: dt.datetime,
                      image_format: str, workers: ChartWorkers | None = None) -> tuple[Path, list[str]]:
    """Write a sensitivity analysis: sensitivity.csv, sensitivity.json and two tornado charts per candidate;
    the folder and the charts (drawn by ``workers`` where given)."""
    folder.write_text("sensitivity.csv", csv_text(sensitivity_rows(result)))
    _write_data(folder, "sensitivity", sensitivity_data(result, list(codes), top))
    figures = [(f"tornado_{measure}_{code}.{image_format}", "partnersim.charts.tornado:tornado_chart", (result, code),
                {"measure": measure, "top": top}) for code in codes for measure in ("cooperation", "p50")]
    _save_all(figures, folder, image_format, workers)
    charts = [f"charts/{name}" for name, *_ in figures]
    written = folder.commit(_manifest(result.scenario, _inputs(folder, _sources(scenario)), jobs, overrides, started, {
        "analysis": "sensitivity", "ranges": list(ranges), "points": result.points,
        "factors": [{"path": f.path, "low": f.low, "high": f.high, "rule": f.rule} for f in result.factors]}))
    return written, charts


def write_indices(folder: RunFolder, found: GlobalSensitivity, scenario: Path, codes: Sequence[str], top: int,
                  ranges: Sequence[str], group_by: str | None, jobs: int, overrides: Sequence[str],
                  started: dt.datetime, image_format: str, workers: ChartWorkers | None = None
                  ) -> tuple[Path, list[str]]:
    """Write a global sensitivity analysis: indices.csv, indices.json and one chart per candidate and measure;
    the folder and the charts (drawn by ``workers`` where given)."""
    from partnersim.whatif.indices import rows, to_data

    folder.write_text("indices.csv", csv_text(rows(found)))
    found.charted, found.top = list(codes), top
    _write_data(folder, "indices", {"format": FORMAT, **to_data(found)})
    figures = [(f"indices_{measure.key}_{code}.{image_format}", "partnersim.charts.indices:indices_chart",
                (found, code, measure.key),
                {"top": top}) for code in codes for measure in found.measures]
    _save_all(figures, folder, image_format, workers)
    charts = [f"charts/{name}" for name, *_ in figures]
    written = folder.commit(_manifest(found.scenario, _inputs(folder, _sources(scenario)), jobs, overrides, started, {
        "analysis": found.method, "ranges": list(ranges), "group_by": group_by, "points": found.points,
        "samples": found.samples, "replications_per_point": found.replications,
        "factors": [{"path": i.factor.path, "low": i.factor.low, "high": i.factor.high, "rule": i.factor.rule,
                     "group": i.group} for i in found.inputs]}))
    return written, charts


def write_seek(folder: RunFolder, found: Seek, scenario: Path, jobs: int, overrides: Sequence[str],
               started: dt.datetime, image_format: str) -> Path:
    """Write a goal seek: seek.csv (every value run, its chance and interval) and its chart; the folder."""
    from partnersim.charts.seek import marked, seek_chart, sentence

    low, high = found.interval()
    rows = [{"value": marked(found, float(v)), "round": int(r), "chance": round(float(p), 4),
             "low": round(float(lo), 4), "high": round(float(hi), 4)}
            for v, r, p, lo, hi in zip(found.values, found.rounds, found.chances, low, high, strict=True)]
    folder.write_text("seek.csv", csv_text(rows))
    _save(seek_chart(found), folder, f"seek.{image_format}", image_format)
    # Every value is run on its own replications of the seed: the manifest's count is a value's, not the file's.
    ran = found.scenario.with_updates(replications=found.replications)
    return folder.commit(_manifest(ran, _inputs(folder, _sources(scenario)), jobs, overrides, started, {
        "analysis": "seek", "setting": found.param.path, "candidate": found.code, "target": found.target,
        "by": found.measure.date.isoformat(), "replications_per_value": found.replications,
        "answer": None if found.answer is None else marked(found, found.answer),
        "interval": [None if b is None else marked(found, b) for b in (found.low, found.high)],
        "finding": sentence(found)}))
