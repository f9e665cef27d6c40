"""What single replications show: how often each ally stood in the way, how much the time in a stage
varies, and one replication told from start to end as an illustration of the forecast.

The rows are those of a run's ``replications.csv`` (:func:`read_rows`, read
line by line in little memory) or those a run kept in memory
(:func:`rows_from_columns`, for ``simulate(..., keep_rows=True)``); both are
read by the same code, as the cells the file holds. A run that writes the
file gathers the same as it goes (:class:`RowsFold`), from the numbers the
file's cells are written from, rounded as the file rounds them, and never
reads the file back.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from partnersim import files
from partnersim.errors import RunFolderError
from partnersim.results.summary import Results
from partnersim.stats import Z95
from partnersim.values.numbers import finite

if TYPE_CHECKING:
    from partnersim.engine.model import Model
    from partnersim.engine.records import Records

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


def two_decimals(values: np.ndarray) -> np.ndarray:
    """Each number as ``replications.csv`` holds it, read back: ``float(f"{v:.2f}")``, for a whole array.

    The rounding to hundredths is done on the array; where the product by 100
    lies too near a half to be sure it was not rounded across it (or is not a
    finite number), the text is written and read as the file does.
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = values * 100.0
        whole = np.rint(scaled)
        # ``whole / 100`` is the double nearest the hundredths, as reading the text gives; the product
        # is within half a unit in the last place of ``values * 100``, far inside this margin.
        sure = np.abs(np.abs(scaled - whole) - 0.5) > 1e-9 * np.maximum(1.0, np.abs(scaled))
    result = whole / 100.0
    for index in np.flatnonzero(~sure).tolist():
        result.flat[index] = float(f"{values.flat[index]:.2f}")
    return result


class RowsFold:
    """What :func:`read_rows` reads from ``replications.csv``, gathered from the records as a run's chunks
    stream in, so the run's charts never read the file back.

    Called with each chunk's records, as the file's writer is; :meth:`rows`
    gives the :class:`Rows`, cell for cell what reading the finished file gives.
    The illustrative replication's story needs its whole rows: its chunk is run
    again (every replication draws from keyed streams of its own, so it comes
    out the same) and its rows written as the file wrote them. Kept: what
    :func:`read_rows` keeps, one day and one ending per case.
    """

    def __init__(self) -> None:
        self.model: Model | None = None
        self.header: list[str] = []
        self.usable = True  # False when the file's columns are not read as the model's (odd stage names)
        self.cases = 0
        self.last: Counter[str] = Counter()
        self.held: Counter[str] = Counter()
        self.vetoed: Counter[str] = Counter()
        self.counts: np.ndarray | None = None  # (C, K) days entered, per candidate and stage column
        self.sums: np.ndarray | None = None  # (C, K, 2) sum and sum of squares of the days, added in file order
        self.ends: list[np.ndarray] = []  # per chunk, (R, C) float32: the day each case ended, as read back
        self.endings: list[np.ndarray] = []  # per chunk, (R, C): the outcome, a column of ``Model.outcomes``
        # The replication the story tells, the first of its chunk, and that chunk's last days and outcomes.
        self.chosen: tuple[int, int, np.ndarray, np.ndarray] | None = None

    def __call__(self, model: Model, records: Records) -> None:
        if self.model is None:
            self._start(model)
        if not self.usable:
            return
        outcome = np.asarray(records.outcome)
        n_rep, n_cand = outcome.shape
        self.cases += n_rep * n_cand
        codes = model.ally_codes
        consensus = records.allies
        if consensus:
            self.last.update(_named(consensus[0].last, codes))
        held = None
        for allies in consensus:
            self.vetoed.update(_named(allies.veto, codes))
            held = allies.held if held is None else held | allies.held
        if held is not None and held.size:
            for ally, count in enumerate(held.reshape(-1, held.shape[-1]).sum(axis=0).tolist()):
                if count:
                    self.held[codes[ally]] += count
        self.ends.append(two_decimals(records.end).astype(np.float32))
        self.endings.append(outcome.astype(np.int16))
        # Days in each stage, as the file writes them (no cell for a stage not entered), summed in the
        # file's order, replication by replication: adding 0.0 where a case has no cell changes no sum.
        columns = [model.stage_column(stage.index) for stage in model.stages]
        spent = np.where(np.isnan(records.entry), np.nan, records.spent)[:, :, columns]
        entered = ~np.isnan(spent)
        days = np.where(entered, two_decimals(np.where(entered, spent, 0.0)), 0.0)
        assert self.counts is not None and self.sums is not None
        self.counts += entered.sum(axis=0)
        for k, values in enumerate((days, days * days)):
            running = np.concatenate([self.sums[None, :, :, k], values])
            self.sums[:, :, k] = np.add.accumulate(running, axis=0)[-1]

    def close(self) -> None:
        """Nothing to release (the same call as the file's writer)."""

    def _start(self, model: Model) -> None:
        from partnersim.results.table import header

        self.model = model
        self.header = header(model)
        stages = [stage.name for stage in model.stages]
        consensus = [stage.name for stage in model.consensus_stages]
        try:
            layout = _layout(_Header(self.header))
        except RunFolderError:
            self.usable = False
            return
        # The reader finds its columns by their names' ends; with a stage named like another column, it
        # reads other columns than those written from these records, and only the file can say what.
        self.usable = (
            [name for name, _ in layout.days] == stages
            and [name for name, _ in layout.last] == consensus
            and [name for name, _ in layout.veto] == consensus
            and [name for name, _ in layout.held] == consensus
            and {layout.candidate, layout.replication, layout.outcome, layout.end} == {0, 1, 2, 5}
        )
        self.counts = np.zeros((len(model.candidate_codes), len(stages)), dtype=np.int64)
        self.sums = np.zeros((len(model.candidate_codes), len(stages), 2))

    def rows(self, results: Results) -> Rows | None:
        """The :class:`Rows` of the run whose chunks were seen; None when only the file can give them."""
        tallies = self.tallies(results)
        story = self.story(results) if tallies is not None else None
        return None if tallies is None or story is None else dataclasses.replace(tallies, story=story)

    def tallies(self, results: Results) -> Rows | None:
        """The :class:`Rows` but for the story, which names its replication and tells nothing yet (see
        :meth:`story`); None when only the file can give them."""
        model = self.model
        if model is None or not self.usable or not self.ends or self.counts is None or self.sums is None:
            return None
        codes = [c.code for c in results.candidates]
        if codes != model.candidate_codes or sum(len(e) for e in self.ends) != results.replications:
            return None
        named = np.array(model.outcomes, dtype=object)
        outcomes = {name: k for k, name in enumerate(results.outcome_names)}
        ending = np.array([outcomes.get(name, -1) for name in model.outcomes], dtype=np.int8)
        won = named == results.success
        days = np.concatenate(self.ends)
        kinds = np.concatenate(self.endings)
        ends = np.where(won[kinds], days, np.float32(np.inf)).astype(np.float32)
        endings = ending[kinds]
        present = np.ones(len(ends), dtype=bool)
        chances = np.array([[c.outcomes[name].p if name in c.outcomes else 0.0 for name in results.outcome_names]
                            for c in results.candidates]).reshape(len(codes), len(results.outcome_names))
        chosen = illustrative_replication(ends, endings, present, chances, outcomes.get(results.success, -1))
        first = chosen // _chunk() * _chunk()
        count = min(_chunk(), results.replications - first)
        self.chosen = (chosen, first, days[first:first + count], kinds[first:first + count])
        stages = [stage.name for stage in model.stages]
        moments = [[[int(self.counts[c, k]), float(self.sums[c, k, 0]), float(self.sums[c, k, 1])]
                    for k in range(len(stages))] for c in range(len(codes))]
        return Rows(
            replications=len(ends),
            allies=AllyCounts(cases=self.cases, last=dict(self.last), held=dict(self.held),
                              vetoed=dict(self.vetoed)),
            story=Story(replication=chosen, cases=()),
            stage_margin=_margins(moments, codes, stages),
        )

    def story(self, results: Results) -> Story | None:
        """The story of the replication :meth:`tallies` chose, from its chunk run again; None if that chunk came
        out otherwise than the first time (only the file can then tell it)."""
        from partnersim.results.table import text_rows
        from partnersim.runner import run_task

        if self.model is None or self.chosen is None:
            return None
        chosen, first, days, kinds = self.chosen
        again = run_task(self.model, [(first, len(days))], seed=results.seed, keep=True, fold=_NoTotals).records
        again = again or []
        if (sum(r.count for r in again) != len(days)
                or not np.array_equal(np.concatenate([r.outcome for r in again]), kinds)
                or not np.array_equal(np.concatenate([two_decimals(r.end).astype(np.float32) for r in again]), days)):
            return None
        cells = [row for records in again for row in text_rows(self.model, records)]
        source = _Cells(self.header, cells)
        return _story(source, _layout(source), results, chosen)

def _chunk() -> int:
    from partnersim.runner import CHUNK

    return CHUNK


class _NoTotals:
    """A fold that keeps nothing: a chunk run again only for its records."""

    def __init__(self, model: Any) -> None:
        pass

    def add(self, records: Any) -> None:
        pass

    def merge(self, other: Any) -> None:
        pass


def _named(allies: np.ndarray, codes: list[str]) -> dict[str, int]:
    """How many cases each ally is named in (-1: none), as a column of ally codes counts them."""
    index = np.asarray(allies).ravel()
    counts = np.bincount(index[index >= 0], minlength=len(codes)) if index.size else np.zeros(0, dtype=int)
    return {codes[ally]: int(count) for ally, count in enumerate(counts.tolist()) if count}


class _Header(_Source):
    name = "the run's rows"

    def __init__(self, header: list[str]) -> None:
        self._header = header

    def header(self) -> list[str]:
        return self._header


class _Cells(_Header):
    """Rows already written as text."""

    def __init__(self, header: list[str], cells: list[list[str]]) -> None:
        super().__init__(header)
        self.cells = cells

    def rows(self, width: int) -> Iterator[tuple[int, list[str]]]:
        yield from enumerate(self.cells, start=2)


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

