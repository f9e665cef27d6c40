"""Replications: chunking, seeding, and folding chunks into totals on any executor.

Replications are cut into fixed chunks of ``CHUNK`` (independent of the number
of workers); replication *i* draws only from the keyed random streams of
``(seed, i)``; chunks are folded into the totals in replication order. So a
run gives exactly the same results with ``--jobs 1`` or ``--jobs 8``.

What the totals are is the caller's: a *fold* made from the model, to which
each chunk's records are added and which merges another fold of the same
kind (:class:`partnersim.results.aggregate.Aggregate` for a run). Workers
total their own groups of chunks, so only totals travel back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from partnersim.engine.model import Model, compile_scenario
from partnersim.engine.records import Records
from partnersim.engine.replication import run_chunk
from partnersim.executors import Executor

CHUNK = 500
TASK_CHUNKS = 10  # chunks per task sent to a worker process: fewer round trips


class Fold(Protocol):
    """Totals of replications: each chunk's records added in order, another fold merged after."""

    def add(self, records: Records) -> None: ...

    def merge(self, other: Any) -> None: ...


FoldT = TypeVar("FoldT", bound=Fold)


def chunks(replications: int | None, size: int = CHUNK) -> Iterator[tuple[int, int]]:
    """``(first, count)`` of each chunk; endless when ``replications`` is None."""
    first = 0
    while replications is None or first < replications:
        count = size if replications is None else min(size, replications - first)
        yield first, count
        first += count


@dataclass
class Task(Generic[FoldT]):
    """What one task hands back: the totals of its chunks, and their records if asked for."""

    totals: FoldT
    records: list[Records] | None
    count: int


def run_task(
    model: Model, batch: list[tuple[int, int]], *, seed: int, keep: bool, fold: Callable[[Model], FoldT]
) -> Task[FoldT]:
    """Run a group of chunks and total them in order; the unit every executor runs."""
    totals = fold(model)
    kept: list[Records] = []
    for first, count in batch:
        # Uncertain settings: each group of replications runs on the model of its own draw of them.
        for part, start, size in _pieces(model, seed, first, count):
            records = run_chunk(part, seed, start, size)
            totals.add(records)
            if keep:
                kept.append(records)
    return Task(totals, kept if keep else None, sum(count for _, count in batch))


def _pieces(model: Model, seed: int, first: int, count: int) -> list[tuple[Model, int, int]]:
    """Replications ``first`` … ``first + count − 1``, cut at the edges of the groups that share a draw of the
    uncertain settings, each with the model compiled from its group's draw (one piece, the model, without them)."""
    inputs = model.inputs
    if inputs is None:
        return [(model, first, count)]
    found = []
    at, end = first, first + count
    while at < end:
        group = inputs.group(at)
        stop = min(end, (group + 1) * inputs.per_draw)
        found.append((compile_scenario(inputs.scenario(model.scenario, seed, group)), at, stop - at))
        at = stop
    return found


def iter_tasks(
    model: Model, seed: int, parts: Iterable[tuple[int, int]], *, fold: Callable[[Model], FoldT],
    group: int = 1, keep: bool = True, executor: Executor | None = None, total: int | None = None,
) -> Generator[Task[FoldT], None, None]:
    """Every group of ``group`` chunks of ``parts``, in order, run on ``executor`` (this process by default).

    Each group is totalled where it runs and the totals are folded in order by
    the caller, so the numbers depend on the groups, never on who ran them.
    Tasks are handed out a few at a time, so ``parts`` may be endless and the
    caller may stop early (closing the iterator stops the workers).
    """
    executor = executor or Executor()
    if executor.forks:
        # One replication here first: the modules the engine imports on first use,
        # and the state machine, are then loaded once and inherited by every worker.
        run_chunk(model, seed, 0, 1)
    work = partial(run_task, seed=seed, keep=keep, fold=fold)
    yield from executor.map(work, _batched(iter(parts), group, total), shared=model)


def _batched(
    parts: Iterator[tuple[int, int]], size: int, total: int | None = None
) -> Iterator[list[tuple[int, int]]]:
    """Groups of ``size`` chunks; with ``total`` chunks known, smaller groups towards the end.

    Tapering keeps the last groups short, so no worker is left finishing a
    long one while the others wait. The sizes depend on ``total`` alone, never
    on the number of workers, so the totals (and their floating sums) are the
    same with any ``jobs``.
    """
    remaining = total
    while True:
        take = size if remaining is None else min(size, max(1, remaining // 4))
        batch = list(itertools.islice(parts, take))
        if not batch:
            return
        if remaining is not None:
            remaining -= len(batch)
        yield batch
