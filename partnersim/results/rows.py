"""What single replications show: how often each ally stood in the way, how much the time in a stage
varies, and one replication told from start to end as an illustration of the forecast.

The rows are those of a run's ``replications.csv`` (:func:`read_rows`, read
line by line in little memory) or those a run kept in memory
(:func:`rows_from_columns`, for ``simulate(..., keep_rows=True)``); both are
read by the same code, as the cells the file holds.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from partnersim import files
from partnersim.errors import RunFolderError
from partnersim.results.summary import Results
from partnersim.stats import Z95
from partnersim.values.numbers import finite

ROWS = "replications.csv"
ROWS_BLOCK = 65_536  # replications per block of the array read_rows keeps


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
class _Layout:
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


class _Source:
    """Rows as the cells of ``replications.csv``: a header, then rows of text with their line numbers."""

    name: str  # how messages name it

    def header(self) -> list[str]:
        raise NotImplementedError

    def rows(self, width: int) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError


class _File(_Source):
    def __init__(self, path: Path) -> None:
        self.path, self.name = path, str(path)

    def header(self) -> list[str]:
        try:
            with files.open_text(self.path) as stream:
                return next(csv.reader(stream), [])
        except OSError as exc:
            raise RunFolderError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise RunFolderError(f"cannot read {self.path}: {exc}") from None

    def rows(self, width: int) -> Iterator[tuple[int, list[str]]]:
        """The rows after the header, with their line numbers; a row cut short is a one-line error."""
        path = self.path
        try:
            with files.open_text(path) as stream:
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


class _Columns(_Source):
    """Rows kept in memory, one list per column, written as the file would write them."""

    name = "the kept rows"

    def __init__(self, columns: Mapping[str, Sequence[Any]]) -> None:
        self.columns = columns

    def header(self) -> list[str]:
        return list(self.columns)

    def rows(self, width: int) -> Iterator[tuple[int, list[str]]]:
        for line, row in enumerate(zip(*self.columns.values(), strict=True), start=2):
            yield line, [_cell_text(value) for value in row]


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def read_rows(path: str | Path, results: Results) -> Rows:
    """Read ``replications.csv`` of ``results``' run: ally counts, stage spread, and the median story.

    The file is read row by row; what is kept is one number per case (its day
    of success), in blocks of replications made only for the replications the
    file holds, so a run of a million replications is read in little memory
    (and a count of replications edited into the folder cannot make it more).
    """
    return _read(_File(Path(path)), results)


def rows_from_columns(columns: Mapping[str, Sequence[Any]], results: Results) -> Rows:
    """The same as :func:`read_rows`, from the rows ``simulate(..., keep_rows=True)`` kept in ``results``."""
    return _read(_Columns(columns), results)


def _read(source: _Source, results: Results) -> Rows:
    path = source.name
    columns = _layout(source)
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
    endings: dict[int, np.ndarray] = {}  # how each case ends, as an index into ``outcomes``
    outcomes = {name: k for k, name in enumerate(results.outcome_names)}
    cases = 0
    for line, row in source.rows(columns.width):
        c = index.get(row[columns.candidate])
        if c is None:
            continue
        try:
            replication = int(row[columns.replication])
            end = finite(row[columns.end]) if row[columns.outcome] == results.success else math.inf
            days = [(k, finite(row[col])) for k, (_, col) in enumerate(columns.days) if row[col]]
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
            endings[replication // ROWS_BLOCK] = np.full((ROWS_BLOCK, len(codes)), -1, dtype=np.int8)
        block[replication % ROWS_BLOCK, c] = end
        endings[replication // ROWS_BLOCK][replication % ROWS_BLOCK, c] = outcomes.get(row[columns.outcome], -1)
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
    chances = np.array([[c.outcomes[name].p if name in c.outcomes else 0.0 for name in results.outcome_names]
                        for c in results.candidates]).reshape(len(codes), len(results.outcome_names))
    chosen = illustrative_replication(ends, np.concatenate([endings[b] for b in numbers]), present, chances,
                                      outcomes.get(results.success, -1))
    return Rows(
        replications=int(present.sum()),
        allies=AllyCounts(cases=cases, last=dict(last), held=dict(held), vetoed=dict(vetoed)),
        story=_story(source, columns, results, numbers[chosen // ROWS_BLOCK] * ROWS_BLOCK + chosen % ROWS_BLOCK),
        stage_margin=_margins(moments, codes, [s for s, _ in columns.days]),
    )


def _layout(source: _Source) -> _Layout:
    header = source.header()
    path = source.name
    where = {name: i for i, name in enumerate(header)}
    needed = ("replication", "candidate", "outcome", "opened_day", "end_day")
    if len(where) != len(header):
        raise RunFolderError(f"{path} is not a partnersim replications file (its header repeats a column)")
    if any(name not in where for name in needed):
        raise RunFolderError(f"{path} is not a partnersim replications file (its header lacks {needed})")

    def suffixed(suffix: str) -> list[tuple[str, int]]:
        return [(name[: -len(suffix)], i) for name, i in where.items() if name.endswith(suffix)]

    return _Layout(
        width=len(header),
        replication=where["replication"], candidate=where["candidate"], outcome=where["outcome"],
        opened=where["opened_day"], end=where["end_day"],
        days=[(name[len("days_"):], i) for name, i in where.items() if name.startswith("days_")],
        last=suffixed("_last"), veto=suffixed("_veto"), held=suffixed("_held"),
    )


def illustrative_replication(ends: np.ndarray, endings: np.ndarray, present: np.ndarray, chances: np.ndarray,
                             success: int) -> int:
    """The replication that illustrates the forecast: as many successes as the forecast expects, each case ending
    in its most likely way given that, and each success near the middle of its candidate's successes.

    ``ends`` holds each case's day of success (inf: none; NaN: not in the
    file) and ``endings`` how it ended (an index into the columns of
    ``chances``, each candidate's chance of each outcome; -1: not in the
    file), one row per replication. The choice, in order: the number of
    successes nearest the expected number (the sum of the candidates'
    chances, a half rounded down, so the picture never shows more successes
    than the forecast); then the most likely pattern of endings (the largest
    sum of the log chances of the endings shown); then the successes nearest
    the median day of their candidate's successes (mid-ranks); the first
    replication on a tie.
    """
    n, width = ends.shape
    expected = float(chances[:, success].sum()) if success >= 0 and chances.size else 0.0
    target = math.ceil(expected - 0.5)
    won = endings == success
    shown = endings >= 0
    successes = (won & shown).sum(axis=1)
    with np.errstate(divide="ignore"):
        logs = np.log(np.where(chances > 0, chances, np.nan))
    likelihood = np.zeros(n)
    for c in range(width):
        mine = shown[:, c]
        likelihood[mine] += np.nan_to_num(logs[c, endings[mine, c]], nan=-1e9)
    distance = np.zeros(n)
    for c in range(width):
        mine = won[:, c] & np.isfinite(ends[:, c])
        if mine.any():
            distance[mine] += np.abs((_mid_ranks(ends[mine, c]) - 0.5) / int(mine.sum()) - 0.5)
    gap = np.abs(successes - target).astype(float)
    gap[~present] = np.inf
    # Lexicographic: the count first, then the pattern (rounded, so equal patterns tie), then the timing.
    order = np.lexsort((np.arange(n), distance, -np.round(likelihood, 9), gap))
    return int(order[0])


def _mid_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, tied values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    below = np.cumsum(counts) - counts
    return (below + (counts + 1) / 2)[inverse.ravel()]


def _story(source: _Source, columns: _Layout, results: Results, replication: int) -> Story:
    labels = {s.stage: s.label for c in results.candidates for s in c.stages}
    names = {c.code: c.name for c in results.candidates}
    found: dict[str, CaseStory] = {}
    wanted = str(replication)
    path = source.name
    for line, row in source.rows(columns.width):
        if row[columns.replication] != wanted:
            continue
        try:
            found[row[columns.candidate]] = _case(row, columns, labels, names)
        except ValueError as exc:
            raise RunFolderError(f"{path}, line {line}: {exc}; the file is damaged, run the scenario again") from None
    return Story(replication=replication, cases=tuple(found[c] for c in names if c in found))


def _case(row: list[str], columns: _Layout, labels: dict[str, str], names: dict[str, str]) -> CaseStory:
    code = row[columns.candidate]
    start = finite(row[columns.opened])
    spans = []
    for stage, col in columns.days:
        if not row[col]:
            continue
        end = start + finite(row[col])
        spans.append(StageSpan(
            stage=stage, label=labels.get(stage, stage.replace("_", " ").capitalize()), start=start,
            end=end,
            held=tuple(a for a in _cell(row, columns.held, stage).split(";") if a),
            last=_cell(row, columns.last, stage), veto=_cell(row, columns.veto, stage),
        ))
        start = end
    return CaseStory(code=code, name=names.get(code, code), outcome=row[columns.outcome],
                     opened=finite(row[columns.opened]), end=finite(row[columns.end]), spans=tuple(spans))


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

