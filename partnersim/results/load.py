"""Reading a finished run folder back, so charts and briefings never need a rerun.

:func:`load_run` rebuilds the :class:`Results` of a run from ``summary.json``,
``cooperation_by_date.csv``, ``scenario.yaml`` and ``manifest.json`` (and
``partnership_areas.csv`` for a run with a partnership), and keeps
the input files as written (their comments are the sources a briefing
quotes). :func:`read_rows` reads ``replications.csv``, when the run wrote it,
for what only single replications can show: how often each ally stood in the
way, how much the time in a stage varies, and one replication near the median
told from start to end.

A folder that is missing, unfinished (``.NAME.partial``) or incomplete raises
:class:`RunFolderError` with one line saying what is wrong and what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from partnersim import files
from partnersim.errors import RunFolderError, ScenarioError
from partnersim.results.folder import MAX_JSON_BYTES, is_partial, read_manifest
from partnersim.results.summary import (
    AllyShare,
    CandidateResult,
    Estimate,
    PartnershipResult,
    Results,
    StageTime,
)
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.schema import Scenario
from partnersim.scenario.yamlio import read_yaml
from partnersim.stats import Z95

REQUIRED = ("summary.json", "cooperation_by_date.csv", "scenario.yaml", "manifest.json")
ROWS = "replications.csv"
ROWS_BLOCK = 65_536  # replications per block of the array read_rows keeps
# The files a briefing reads; their sizes are checked against the manifest.
DATA = ("summary.json", "cooperation_by_date.csv", "scenario.yaml", "partnership_areas.csv", ROWS)


@dataclass(frozen=True)
class RunResults(Results):
    """Results read back from a run folder, with the time the run finished (for chart footers)."""

    created: dt.datetime | None = None


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
        results = _results(summary, scenario, curves, areas, _timestamp(manifest.get("finished")))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise RunFolderError(
            f"{folder / 'summary.json'} is not a partnersim summary ({type(exc).__name__}: {exc}); "
            "run the scenario again"
        ) from None
    return SavedRun(folder=folder, results=results, manifest=manifest, inputs=_inputs(folder, manifest))


def _check_folder(folder: Path) -> None:
    if is_partial(folder):
        raise RunFolderError(
            f"{folder} is an unfinished run (it stopped before it completed); run the scenario again"
        )
    if not folder.exists():
        if (folder.parent / f".{folder.name}.partial").exists():
            raise RunFolderError(
                f"{folder} was not finished (the run stopped before it completed); run the scenario again"
            )
        raise RunFolderError(f"no run folder at {folder}")
    if not folder.is_dir():
        raise RunFolderError(
            f"{folder} is a file, not a run folder; give the folder a run wrote, such as runs/latam-20261201-120000"
        )
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if len(missing) == len(REQUIRED):
        raise RunFolderError(f"{folder} is not a run folder (it has no {', '.join(REQUIRED)})")
    if missing:
        raise RunFolderError(
            f"{folder} is an incomplete run folder: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing; run the scenario again"
        )
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
    path = folder / name
    try:
        raw = files.read_regular(path, MAX_JSON_BYTES)
        if len(raw) > MAX_JSON_BYTES:
            raise RunFolderError(f"{path} is larger than a run writes ({MAX_JSON_BYTES / 1e6:.0f} MB); run the scenario again")
        data = json.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise RunFolderError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"cannot read {path}: {exc}") from None
    except RecursionError:
        raise RunFolderError(f"cannot read {path}: it is nested deeper than a run writes; run the scenario again") from None
    if not isinstance(data, dict):
        raise RunFolderError(f"{folder / name} does not hold a JSON object; run the scenario again")
    return data


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
        with _text(path) as stream:
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


def _text(path: Path) -> io.TextIOWrapper:
    """A file of the run folder opened as text, if it is a regular file (a named pipe would never end)."""
    return io.TextIOWrapper(files.open_regular(path), encoding="utf-8", newline="")


def _areas(folder: Path) -> dict[str, list[tuple[dt.date, float]]]:
    """Expected active areas by month, per candidate, from ``partnership_areas.csv``."""
    path = folder / "partnership_areas.csv"
    try:
        with _text(path) as stream:
            reader = csv.reader(stream)
            codes = next(reader)[1:]
            rows = [(dt.date.fromisoformat(row[0]), row[1:]) for row in reader]
            areas = {
                code: [(day, _finite(values[i])) for day, values in rows if values[i]] for i, code in enumerate(codes)
            }
    except FileNotFoundError:
        raise RunFolderError(f"{folder} is an incomplete run folder: partnership_areas.csv is missing; "
                             "run the scenario again") from None
    except (OSError, csv.Error) as exc:
        raise RunFolderError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except (StopIteration, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"cannot read {path}: {exc or 'the file is empty'}") from None
    return areas


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def _partnership(data: dict[str, Any], by_month: list[tuple[dt.date, float]], n: int) -> PartnershipResult:
    return PartnershipResult(
        active=_estimate(data["active"], n),
        suspended=_estimate(data["suspended"], n),
        lapsed=_estimate(data["lapsed"], n),
        renewals=int(data["renewals"]["total"]),
        areas={name: _estimate(e, n) for name, e in data["areas"].items()},
        by_month=by_month,
    )


def _results(
    summary: dict[str, Any], scenario: Scenario, curves: dict[str, np.ndarray],
    areas: dict[str, list[tuple[dt.date, float]]], created: dt.datetime | None,
) -> RunResults:
    n = int(summary["replications"])
    codes = [item["code"] for item in summary["candidates"]]
    if codes != [c.code for c in scenario.candidates]:
        raise ValueError("its candidates are not those of scenario.yaml")
    if n != scenario.replications:
        raise ValueError(f"it counts {n:,} replications, scenario.yaml {scenario.replications:,}")
    candidates = []
    for item in summary["candidates"]:
        code = item["code"]
        if code not in curves:
            raise KeyError(f"{code} is not in cooperation_by_date.csv")
        candidates.append(CandidateResult(
            code=code,
            name=item["name"],
            outcomes={k: _estimate(v, n) for k, v in item["outcomes"].items()},
            dates={k: (dt.date.fromisoformat(v) if v else None) for k, v in item["dates"].items()},
            by_year_end=[(dt.date.fromisoformat(e["date"]), _estimate(e, n)) for e in item["by_year_end"]],
            stages=[
                StageTime(stage=s["stage"], label=s["label"], entered=float(s["entered"]),
                          mean_days=math.nan if s["mean_days"] is None else float(s["mean_days"]))
                for s in item["stages"]
            ],
            pending_at={k: float(v) for k, v in item["pending_at"].items()},
            last_to_consent=_shares(item["last_to_consent"]),
            holding=_shares(item["holding"]),
            vetoing=_shares(item["vetoing"]),
            by_stage={
                stage: {kind: _shares(shares) for kind, shares in table.items()}
                for stage, table in item["by_stage"].items()
            },
            cdf=curves[code],
            partnership=_partnership(item["partnership"], areas[code], n) if "partnership" in item else None,
        ))
    outcome_names = list(summary["candidates"][0]["outcomes"]) if candidates else []
    return RunResults(
        scenario=scenario,
        replications=n,
        seed=int(summary["seed"]),
        success=summary["success"],
        outcome_names=outcome_names,
        candidates=candidates,
        created=created,
    )


def _estimate(data: dict[str, Any], n: int) -> Estimate:
    # Recomputed from the count, so intervals are exact rather than rounded to six places.
    count = int(data["count"])
    if not 0 <= count <= n:
        raise ValueError(f"a count of {count:,} in {n:,} replications")
    return Estimate.of(count, n)


def _shares(items: list[dict[str, Any]]) -> list[AllyShare]:
    return [AllyShare(a["code"], a["name"], int(a["count"]), float(a["share"])) for a in items]


def _inputs(folder: Path, manifest: dict[str, Any]) -> dict[str, str]:
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


# ---- replications.csv -------------------------------------------------------------------


@dataclass(frozen=True)
class StageSpan:
    """One stage of one case in one replication, in days from the scenario's start."""

    stage: str
    label: str
    start: float
    end: float
    held: tuple[str, ...] = ()  # allies who held consent during this stage
    last: str = ""  # the last ally to consent, when every ally did
    veto: str = ""  # the ally whose veto ended the case here


@dataclass(frozen=True)
class CaseStory:
    code: str
    name: str
    outcome: str
    opened: float
    end: float
    spans: tuple[StageSpan, ...]


@dataclass(frozen=True)
class Story:
    """One replication, told case by case: the one nearest the median for every candidate at once."""

    replication: int
    cases: tuple[CaseStory, ...]


@dataclass(frozen=True)
class AllyCounts:
    """How many cases (one candidate in one replication) each ally stood in the way of."""

    cases: int
    last: dict[str, int]  # last to consent at the first consensus stage
    held: dict[str, int]  # held its consent at any consensus stage
    vetoed: dict[str, int]  # vetoed, at whichever stage

    def total(self, code: str) -> int:
        return self.last.get(code, 0) + self.held.get(code, 0) + self.vetoed.get(code, 0)


@dataclass(frozen=True)
class Rows:
    """What ``replications.csv`` adds to the Results."""

    replications: int
    allies: AllyCounts
    story: Story
    # (candidate code, stage) → half-width of the 95% interval of the mean days in the stage
    stage_margin: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass
class _Columns:
    width: int
    replication: int
    candidate: int
    outcome: int
    opened: int
    end: int
    days: list[tuple[str, int]]  # stage, column
    last: list[tuple[str, int]]  # consensus stage, column
    veto: list[tuple[str, int]]
    held: list[tuple[str, int]]


def read_rows(path: str | Path, results: Results) -> Rows:
    """Read ``replications.csv`` of ``results``' run: ally counts, stage spread, and the median story.

    The file is read row by row; what is kept is one number per case (its day
    of success), in blocks of replications made only for the replications the
    file holds, so a run of a million replications is read in little memory
    (and a count of replications edited into the folder cannot make it more).
    """
    path = Path(path)
    columns = _columns(path)
    codes = [c.code for c in results.candidates]
    index = {code: i for i, code in enumerate(codes)}
    last_column = columns.last[0][1] if columns.last else None  # the first consensus stage
    last: Counter[str] = Counter()
    held: Counter[str] = Counter()
    vetoed: Counter[str] = Counter()
    moments = [[[0, 0.0, 0.0] for _ in columns.days] for _ in codes]  # count, sum, sum of squares
    n = results.replications
    # Day of success per replication and candidate (inf: none; NaN: no row), by blocks of replications.
    # Four bytes are enough: days are written to two decimals and stay below 40,000, where float32
    # steps are under 0.004.
    blocks: dict[int, np.ndarray] = {}
    cases = 0
    for line, row in _reader(path, columns.width):
        c = index.get(row[columns.candidate])
        if c is None:
            continue
        try:
            replication = int(row[columns.replication])
            end = _finite(row[columns.end]) if row[columns.outcome] == results.success else math.inf
            days = [(k, _finite(row[col])) for k, (_, col) in enumerate(columns.days) if row[col]]
        except ValueError as exc:
            raise RunFolderError(f"{path}, line {line}: {exc}; the file is damaged, run the scenario again") from None
        if not 0 <= replication < n:
            raise RunFolderError(
                f"{path}, line {line}: replication {replication} in a run of {n:,}; the file belongs to another "
                "run or is damaged, run the scenario again"
            )
        cases += 1
        block = blocks.get(replication // ROWS_BLOCK)
        if block is None:
            block = blocks[replication // ROWS_BLOCK] = np.full((ROWS_BLOCK, len(codes)), np.nan, dtype=np.float32)
        block[replication % ROWS_BLOCK, c] = end
        for k, value in days:
            moment = moments[c][k]
            moment[0] += 1
            moment[1] += value
            moment[2] += value * value
        if last_column is not None and row[last_column]:
            last[row[last_column]] += 1
        held_here = [row[col] for _, col in columns.held if row[col]]
        if held_here:
            held.update(set(";".join(held_here).split(";")))
        for _, col in columns.veto:
            if row[col]:
                vetoed[row[col]] += 1
    if not blocks:
        raise RunFolderError(f"{path} holds no replication of this run's candidates")
    numbers = sorted(blocks)
    ends = np.concatenate([blocks[b] for b in numbers])
    present = np.logical_not(np.isnan(ends).all(axis=1))
    chosen = _median_replication(ends, present)
    return Rows(
        replications=int(present.sum()),
        allies=AllyCounts(cases=cases, last=dict(last), held=dict(held), vetoed=dict(vetoed)),
        story=_story(path, columns, results, numbers[chosen // ROWS_BLOCK] * ROWS_BLOCK + chosen % ROWS_BLOCK),
        stage_margin=_margins(moments, codes, [s for s, _ in columns.days]),
    )


def _reader(path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header, with their line numbers; a row cut short is a one-line error."""
    try:
        with _text(path) as stream:
            reader = csv.reader(stream)
            next(reader, None)
            for row in reader:
                if len(row) != width:
                    raise RunFolderError(
                        f"{path}, line {reader.line_num}: {len(row)} values where the header has {width}; "
                        "the file is damaged or was cut short, run the scenario again"
                    )
                yield reader.line_num, row
    except OSError as exc:
        raise RunFolderError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RunFolderError(f"cannot read {path}: {exc}") from None


def _columns(path: Path) -> _Columns:
    try:
        with _text(path) as stream:
            header = next(csv.reader(stream), [])
    except OSError as exc:
        raise RunFolderError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RunFolderError(f"cannot read {path}: {exc}") from None
    where = {name: i for i, name in enumerate(header)}
    needed = ("replication", "candidate", "outcome", "opened_day", "end_day")
    if len(where) != len(header):
        raise RunFolderError(f"{path} is not a partnersim replications file (its header repeats a column)")
    if any(name not in where for name in needed):
        raise RunFolderError(f"{path} is not a partnersim replications file (its header lacks {needed})")

    def suffixed(suffix: str) -> list[tuple[str, int]]:
        return [(name[: -len(suffix)], i) for name, i in where.items() if name.endswith(suffix)]

    return _Columns(
        width=len(header),
        replication=where["replication"], candidate=where["candidate"], outcome=where["outcome"],
        opened=where["opened_day"], end=where["end_day"],
        days=[(name[len("days_"):], i) for name, i in where.items() if name.startswith("days_")],
        last=suffixed("_last"), veto=suffixed("_veto"), held=suffixed("_held"),
    )


def _median_replication(ends: np.ndarray, present: np.ndarray) -> int:
    """The replication whose every candidate sits nearest the middle of its own distribution.

    ``ends`` holds each case's day of success (inf: none; NaN: not in the
    file), one row per replication. Each case gets the mid-rank of its day
    among its candidate's replications (no success ranks last, all tied); the
    replication with the smallest summed distance from the middle wins, the
    first one on a tie.
    """
    distance = np.zeros(len(ends))
    for column in ends.T:
        mine = ~np.isnan(column)
        if mine.any():
            ranks = (_mid_ranks(column[mine]) - 0.5) / int(mine.sum())
            distance[mine] += np.abs(ranks - 0.5)
    distance[~present] = np.inf
    return int(np.argmin(distance))


def _mid_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, tied values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    below = np.cumsum(counts) - counts
    return (below + (counts + 1) / 2)[inverse.ravel()]


def _story(path: Path, columns: _Columns, results: Results, replication: int) -> Story:
    labels = {s.stage: s.label for c in results.candidates for s in c.stages}
    names = {c.code: c.name for c in results.candidates}
    found: dict[str, CaseStory] = {}
    wanted = str(replication)
    for line, row in _reader(path, columns.width):
        if row[columns.replication] != wanted:
            continue
        try:
            found[row[columns.candidate]] = _case(row, columns, labels, names)
        except ValueError as exc:
            raise RunFolderError(f"{path}, line {line}: {exc}; the file is damaged, run the scenario again") from None
    return Story(replication=replication, cases=tuple(found[c] for c in names if c in found))


def _case(row: list[str], columns: _Columns, labels: dict[str, str], names: dict[str, str]) -> CaseStory:
    code = row[columns.candidate]
    start = _finite(row[columns.opened])
    spans = []
    for stage, col in columns.days:
        if not row[col]:
            continue
        end = start + _finite(row[col])
        spans.append(StageSpan(
            stage=stage, label=labels.get(stage, stage.replace("_", " ").capitalize()), start=start,
            end=end,
            held=tuple(a for a in _cell(row, columns.held, stage).split(";") if a),
            last=_cell(row, columns.last, stage), veto=_cell(row, columns.veto, stage),
        ))
        start = end
    return CaseStory(code=code, name=names.get(code, code), outcome=row[columns.outcome],
                     opened=_finite(row[columns.opened]), end=_finite(row[columns.end]), spans=tuple(spans))


def _cell(row: list[str], columns: list[tuple[str, int]], stage: str) -> str:
    return next((row[col] for name, col in columns if name == stage), "")


def _margins(moments: list[list[list[float]]], codes: list[str], stages: list[str]
             ) -> dict[tuple[str, str], float]:
    margins = {}
    for c, code in enumerate(codes):
        for k, stage in enumerate(stages):
            n, total, squares = moments[c][k]
            if n >= 2:
                variance = max(0.0, (squares - total * total / n) / (n - 1))
                margins[(code, stage)] = Z95 * math.sqrt(variance / n)
    return margins
