"""Reading a finished run folder back, so charts and briefings never need a rerun.

:func:`load_run` rebuilds the :class:`Results` of a run from ``summary.json``,
``cooperation_by_date.csv``, ``scenario.yaml`` and ``manifest.json`` (and
``partnership_areas.csv`` for a run with a partnership), and keeps
the input files as written (their comments are the sources a briefing
quotes). :func:`read_rows` reads ``replications.csv``, when the run wrote it,
for what only single replications can show: how often each ally stood in the
way, how much the time in a stage varies, and one illustrative replication
told from start to end.

A folder that is missing, unfinished (``.NAME.partial``) or incomplete raises
:class:`RunFolderError` with one line saying what is wrong and what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from partnersim import files
from partnersim.errors import RunFolderError, ScenarioError
from partnersim.results.folder import MAX_JSON_BYTES, check_finished, read_manifest
from partnersim.results.rows import ROWS
from partnersim.results.summary import Results
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.schema import Scenario
from partnersim.scenario.yamlio import read_yaml
from partnersim.values.numbers import finite

REQUIRED = ("summary.json", "cooperation_by_date.csv", "scenario.yaml", "manifest.json")
# The files a briefing reads; their sizes are checked against the manifest.
DATA = ("summary.json", "cooperation_by_date.csv", "scenario.yaml", "partnership_areas.csv", ROWS)


class RunResults(Results):
    """Results read back from a run folder, with the time the run finished (for chart footers)."""

    created: dt.datetime | None = Field(default=None, exclude=True)


@dataclass(frozen=True)
class SavedRun:
    """A finished run folder: its results, its manifest and its input files as written."""

    folder: Path
    results: RunResults
    manifest: dict[str, Any]
    inputs: dict[str, str]  # file name → text, the scenario file first, then what it extends

    @property
    def rows_path(self) -> Path | None:
        path = self.folder / ROWS
        return path if path.is_file() else None

    @property
    def started(self) -> dt.datetime | None:
        return _timestamp(self.manifest.get("started"))

    @property
    def finished(self) -> dt.datetime | None:
        return _timestamp(self.manifest.get("finished"))

    def __repr__(self) -> str:
        """The folder, then the results in a few lines (not the manifest and the input files)."""
        from partnersim.results.notebook import saved_run_repr

        return saved_run_repr(self)

    def _repr_html_(self) -> str:
        """The folder, then the main tables, for Jupyter."""
        from partnersim.results.notebook import saved_run_html

        return saved_run_html(self)


def load_results(folder: str | Path) -> RunResults:
    """The Results of the run in ``folder``."""
    return load_run(folder).results


def load_run(folder: str | Path) -> SavedRun:
    """Everything a briefing needs from the run folder ``folder``."""
    folder = Path(folder)
    _check_folder(folder)
    manifest = _json(folder, "manifest.json")
    summary = _json(folder, "summary.json")
    scenario = read_scenario(folder)
    curves = _curves(folder, scenario)
    areas = _areas(folder) if any("partnership" in c for c in summary.get("candidates", [])) else {}
    try:
        results = RunResults.read({**summary, "created": _timestamp(manifest.get("finished"))},
                                  scenario=scenario, curves=curves, areas=areas)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise RunFolderError(
            f"{folder / 'summary.json'} is not a partnersim summary ({type(exc).__name__}: {exc}); "
            "run the scenario again"
        ) from None
    return SavedRun(folder=folder, results=results, manifest=manifest, inputs=input_texts(folder, manifest))


# What each kind of folder that partnersim writes holds, for a user who gives one that is not a run's.
OTHER_FOLDERS = {
    "compare": "compare.csv and differences.txt",
    "sweep": "sweep.csv",
    "sensitivity": "sensitivity.csv",
    "indices": "indices.csv",
    "fit": "fit.json and allies.yaml",
    "backtest": "backtest.csv and backtest.json",
    "scoreboard": "forecasts.csv, skill.csv and scoreboard.json",
}


BRIEFED = ("compare", "sweep", "sensitivity", "indices", "scoreboard")  # the other folders a briefing is written from


def check_run_kind(folder: Path) -> None:
    """Refuse, in one line, a folder that another command wrote (its manifest names the command)."""
    kind = (read_manifest(folder) or {}).get("kind", "run") if folder.is_dir() else "run"
    if kind != "run":
        holds = OTHER_FOLDERS.get(kind)
        command = {"indices": "sensitivity --method sobol or morris", "scoreboard": "backtest"}.get(kind, kind)
        what = f"partnersim {command}" if holds else "another partnersim command"
        briefed = "; partnersim report briefs it" if kind in BRIEFED else ""
        noun = "global sensitivity" if kind == "indices" else kind
        raise RunFolderError(
            f"{folder} is a {noun} folder (written by {what}), not a run folder"
            + (f"; its tables are in {holds}" if holds else "") + briefed
        )


def _check_folder(folder: Path) -> None:
    check_run_kind(folder)
    check_finished(folder, REQUIRED, "run the scenario again")
    for problem in damaged(folder, DATA):
        raise RunFolderError(f"{folder} is damaged: {problem}; run the scenario again")


def damaged(folder: Path, names: Sequence[str]) -> list[str]:
    """Files among ``names`` that the manifest lists but that are gone or not the size it records.

    A size check is cheap and catches a file cut short; ``partnersim rerun``
    compares every byte. A folder written before manifests listed their files
    has nothing to check.
    """
    manifest = read_manifest(folder)
    listed = manifest.get("files") if manifest is not None else None
    if not isinstance(listed, dict):
        return []
    problems = []
    for name in names:
        entry = listed.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("bytes"), int):
            continue
        try:
            size = (folder / name).stat().st_size
        except OSError:
            problems.append(f"{name} is missing, though the run wrote it")
            continue
        if size != entry["bytes"]:
            problems.append(f"{name} is {size:,} bytes, but {entry['bytes']:,} when the run wrote it")
    return problems


def _json(folder: Path, name: str) -> dict[str, Any]:
    data = read_json(folder / name, "a run", "run the scenario again")
    if not isinstance(data, dict):
        raise RunFolderError(f"{folder / name} does not hold a JSON object; run the scenario again")
    return data


def read_json(path: Path, writer: str, again: str) -> Any:
    """The JSON in ``path`` that ``writer`` ("a run", "a compare") wrote, read within the size a run writes; one
    line naming the file and what to do (``again``) when it cannot be read."""
    try:
        raw = files.read_regular(path, MAX_JSON_BYTES)
        if len(raw) > MAX_JSON_BYTES:
            raise RunFolderError(f"{path} is larger than {writer} writes ({MAX_JSON_BYTES / 1e6:.0f} MB); {again}")
        return json.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise RunFolderError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise RunFolderError(f"cannot read {path}: {exc}; {again}") from None
    except RecursionError:
        raise RunFolderError(f"cannot read {path}: it is nested deeper than {writer} writes; {again}") from None


def read_scenario(folder: Path) -> Scenario:
    """The scenario of the run in ``folder``, from its ``scenario.yaml``, read like a scenario file.

    A run writes its scenario resolved, so the file extends nothing; one that
    does was edited after the run, and is refused rather than followed to a
    file outside the folder.
    """
    path = folder / "scenario.yaml"
    try:
        data, lines = read_yaml(path, str(path))
        if isinstance(data, dict) and "extends" in data:
            raise RunFolderError(
                f"{path}:{lines.get(('extends',), 1)}: extends: a run's scenario.yaml extends nothing, so this one "
                "was edited after the run; run the scenario again"
            )
        return load_scenario(path)
    except ScenarioError as exc:
        raise RunFolderError(f"cannot read {exc.problems[0]}") from None


def _curves(folder: Path, scenario: Scenario) -> dict[str, np.ndarray]:
    """P(success by each day) per candidate; every row complete, every value a probability."""
    path = folder / "cooperation_by_date.csv"
    days = int(math.ceil(scenario.horizon_days)) + 1
    try:
        with files.open_text(path) as stream:
            reader = csv.reader(stream)
            header = next(reader)
            rows = [row for _, row in zip(range(days + 1), reader, strict=False)]
            if any(len(row) != len(header) for row in rows):
                raise ValueError("a row has too few or too many values; the file is damaged or cut short")
            values = np.array([[float(v) for v in row[1:]] for row in rows], dtype=float).reshape(len(rows), -1)
    except (OSError, csv.Error) as exc:
        raise RunFolderError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except (StopIteration, ValueError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"cannot read {path}: {exc or 'the file is empty'}") from None
    if len(rows) != days:
        raise RunFolderError(f"{path} has {len(rows):,} days, the scenario's horizon {days:,}; the file is damaged or "
                             "cut short, run the scenario again")
    if not np.all((values >= 0.0) & (values <= 1.0)):  # NaN fails both
        raise RunFolderError(f"{path} holds a value that is not a probability; the file is damaged, run the "
                             "scenario again")
    codes = header[1:]
    return {code: values[:, i] for i, code in enumerate(codes)}


def _areas(folder: Path) -> dict[str, list[tuple[dt.date, float]]]:
    """Expected active areas by month, per candidate, from ``partnership_areas.csv``."""
    path = folder / "partnership_areas.csv"
    try:
        with files.open_text(path) as stream:
            reader = csv.reader(stream)
            codes = next(reader)[1:]
            rows = [(dt.date.fromisoformat(row[0]), row[1:]) for row in reader]
            areas = {
                code: [(day, finite(values[i])) for day, values in rows if values[i]] for i, code in enumerate(codes)
            }
    except FileNotFoundError:
        raise RunFolderError(f"{folder} is an incomplete run folder: partnership_areas.csv is missing; "
                             "run the scenario again") from None
    except (OSError, csv.Error) as exc:
        raise RunFolderError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except (StopIteration, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"cannot read {path}: {exc or 'the file is empty'}") from None
    return areas


def input_texts(folder: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """The scenario files a folder keeps under ``inputs/``, name → text, in the manifest's order."""
    inputs = folder / "inputs"
    if inputs.is_symlink():  # a link to a folder elsewhere: nothing the run wrote
        return {}
    recorded = manifest.get("inputs")
    listed = [name for name in recorded if isinstance(name, str)] if isinstance(recorded, dict) else []
    present = sorted(p.relative_to(inputs).as_posix() for p in inputs.rglob("*")) if inputs.is_dir() else []
    texts = {}
    for name in [*listed, *[p for p in present if p not in listed]]:
        path = inputs / name
        # A name from the manifest may point anywhere (``../../secret``): read only files inside inputs/.
        if path.is_file() and path.resolve().is_relative_to(inputs.resolve()):
            try:
                texts[name] = files.read_regular(path).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return texts


def _timestamp(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
