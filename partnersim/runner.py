"""Replications: chunking, seeding and worker processes.

Replications are cut into fixed chunks of ``CHUNK`` (independent of the number
of workers); replication *i* draws only from the keyed random streams of
``(seed, i)``; chunks are folded into the totals in replication order. So a
run gives exactly the same results with ``--jobs 1`` or ``--jobs 8``.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from partnersim.engine.model import Model, compile_scenario
from partnersim.engine.records import Records
from partnersim.engine.replication import run_chunk
from partnersim.errors import PartnersimError
from partnersim.results import table
from partnersim.results.aggregate import Aggregate
from partnersim.results.summary import Results, summarise, wilson
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.schema import Scenario

CHUNK = 500
TASK_CHUNKS = 10  # chunks per task sent to a worker process: fewer round trips
MIN_FOR_PRECISION = 1_000
MAX_FOR_PRECISION = 1_000_000


def chunks(replications: int | None, size: int = CHUNK) -> Iterator[tuple[int, int]]:
    """``(first, count)`` of each chunk; endless when ``replications`` is None."""
    first = 0
    while replications is None or first < replications:
        count = size if replications is None else min(size, replications - first)
        yield first, count
        first += count


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True)
class Executor:
    """Where chunks run: ``local`` processes (``jobs`` of them) or a ``dask`` cluster.

    For Dask, ``scheduler`` is the address of a running scheduler
    (``tcp://host:8786``); without it a local cluster of ``jobs`` worker
    processes is started for the run.
    """

    kind: str = "local"
    jobs: int = 1
    scheduler: str | None = None


@dataclass
class Task:
    """What one task hands back: the totals of its chunks, and their records if asked for."""

    totals: Aggregate
    records: list[Records] | None
    count: int


def run_task(model: Model, seed: int, batch: list[tuple[int, int]], keep: bool) -> Task:
    """Run a group of chunks and total them in order; the unit every executor runs."""
    totals = Aggregate(model)
    kept: list[Records] = []
    for first, count in batch:
        records = run_chunk(model, seed, first, count)
        totals.add(records)
        if keep:
            kept.append(records)
    return Task(totals, kept if keep else None, sum(count for _, count in batch))


def iter_tasks(
    model: Model, seed: int, parts: Iterable[tuple[int, int]], *, group: int = 1, keep: bool = True,
    jobs: int = 1, executor: Executor | None = None, total: int | None = None,
) -> Generator[Task, None, None]:
    """Every group of ``group`` chunks of ``parts``, in order, run on ``jobs`` processes (or a cluster).

    Each group is totalled where it runs and the totals are folded in order by
    the caller, so the numbers depend on the groups, never on who ran them.
    Tasks are submitted a few at a time, so ``parts`` may be endless and the
    caller may stop early (closing the iterator stops the workers).
    """
    tasks = _batched(iter(parts), group, total)
    if executor is not None and executor.kind == "dask":
        yield from _dask_tasks(model, seed, tasks, keep, executor)
        return
    if executor is not None:
        jobs = executor.jobs
    if jobs <= 1:
        for batch in tasks:
            yield run_task(model, seed, batch, keep)
        return
    # One replication here first: the modules the engine imports on first use,
    # and the state machine, are then loaded once and inherited by every worker.
    run_chunk(model, seed, 0, 1)
    with worker_pool(jobs, _start_worker, (model,)) as pool:
        pending: deque[Future[Task]] = deque(
            pool.submit(_run_in_worker, seed, batch, keep) for batch in itertools.islice(tasks, 2 * jobs)
        )
        while pending:
            done = pending.popleft().result()
            for batch in itertools.islice(tasks, 1):
                pending.append(pool.submit(_run_in_worker, seed, batch, keep))
            yield done


@contextmanager
def worker_pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """Local worker processes that ignore Ctrl-C, and are stopped at once if the work is abandoned.

    Leaving the block normally waits for the workers; leaving it on an error,
    an interruption or an early stop terminates them.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method),
        initializer=_ignoring_interrupts, initargs=(initializer, initargs),
    )
    finished = False
    try:
        yield pool
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            workers = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.terminate()


def _ignoring_interrupts(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    # Workers leave Ctrl-C to the main process, which stops them; no traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The main process stops its workers with SIGTERM: they end at once, whatever it handles itself.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    threading.Thread(target=_end_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


PARENT_CHECK = 0.2  # seconds between a worker's checks that the main process is still there


def _end_with_parent(parent: int) -> None:
    """End this worker as soon as the main process is gone, however it ended (``kill -9`` included).

    An orphaned worker would otherwise wait forever for work that never comes.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)


@contextmanager
def dask_client(executor: Executor) -> Iterator[Any]:
    """A Dask client for ``executor``: its scheduler, or a local cluster of ``jobs`` workers."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise PartnersimError(
            "--executor dask needs Dask's distributed scheduler: pip install 'partnersim[dask]'"
        ) from None
    cluster = None
    try:
        if executor.scheduler:
            client = Client(executor.scheduler, timeout="10s")
        else:
            cluster = LocalCluster(
                n_workers=max(1, executor.jobs), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except OSError as exc:
        raise PartnersimError(f"cannot reach the Dask scheduler {executor.scheduler}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_tasks(
    model: Model, seed: int, tasks: Iterator[list[tuple[int, int]]], keep: bool, executor: Executor
) -> Iterator[Task]:
    """The same tasks on a Dask cluster; results are identical to a local run."""
    with dask_client(executor) as client:
        shared = client.scatter(model, broadcast=True)
        window = max(2, 2 * sum(client.nthreads().values()))
        pending: deque[Any] = deque(
            client.submit(run_task, shared, seed, batch, keep, pure=False)
            for batch in itertools.islice(tasks, window)
        )
        while pending:
            done = pending.popleft().result()
            for batch in itertools.islice(tasks, 1):
                pending.append(client.submit(run_task, shared, seed, batch, keep, pure=False))
            yield done


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


class _Worker:
    """What a worker process keeps between tasks: the model, sent once when it starts."""

    model: Model | None = None


def _start_worker(model: Model) -> None:
    _Worker.model = model


def _run_in_worker(seed: int, batch: list[tuple[int, int]], keep: bool) -> Task:
    assert _Worker.model is not None
    return run_task(_Worker.model, seed, batch, keep)


def simulate(
    scenario: Scenario | str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    precision: float | None = None,
    max_replications: int = MAX_FOR_PRECISION,
    keep_rows: bool = False,
    on_records: Callable[[Model, Records], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run a scenario (or the scenario file at a path) and return its Results.

    ``replications`` and ``seed`` override the scenario's own; ``executor``
    sends chunks to a Dask cluster instead of local processes. With
    ``precision`` (e.g. 0.01), replications are added chunk by chunk until
    every candidate's 95% interval on P(success) has a half-width of at most
    that (or ``max_replications`` is reached); ``Results.replications`` says
    how many were needed. ``keep_rows`` keeps one row per candidate per
    replication in ``Results.rows`` (memory grows with N). ``on_records`` sees every chunk as it arrives (to
    write per-replication rows); ``progress`` is told how many replications
    each chunk completed.

    >>> results = simulate("scenarios/latam.yaml", replications=500)  # doctest: +SKIP
    >>> results.candidate("ARG").outcomes["cooperation"].p  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    changes = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
    if changes:
        scenario = scenario.with_updates(**changes)
    model = compile_scenario(scenario)
    totals = Aggregate(model)
    limit = None if precision is not None else scenario.replications
    parts = chunks(limit)
    if precision is not None:
        parts = itertools.takewhile(lambda part: part[0] < max_replications, parts)
    rows: dict[str, list[Any]] | None = None
    keep = keep_rows or on_records is not None
    # With --precision every chunk is checked, so every chunk is its own group.
    group = 1 if precision is not None else TASK_CHUNKS
    total = None if limit is None else -(-limit // CHUNK)
    stream = iter_tasks(
        model, scenario.seed, parts, group=group, keep=keep, jobs=jobs, executor=executor, total=total
    )
    try:
        for task in stream:
            totals.merge(task.totals)
            for records in task.records or []:
                if keep_rows:
                    rows = _extend(rows, table.columns(model, records))
                if on_records is not None:
                    on_records(model, records)
            if progress is not None:
                progress(task.count)
            if precision is not None and totals.replications >= MIN_FOR_PRECISION and _precise(totals, precision):
                break
    finally:
        stream.close()
    if precision is not None:
        scenario = scenario.with_updates(replications=totals.replications)
        model = replace(model, scenario=scenario)
    return replace(summarise(model, totals), rows=rows)


def _extend(rows: dict[str, list[Any]] | None, chunk: dict[str, Any]) -> dict[str, list[Any]]:
    if rows is None:
        rows = {name: [] for name in chunk}
    for name, values in chunk.items():
        rows[name].extend(values.tolist() if hasattr(values, "tolist") else values)
    return rows


def _precise(totals: Aggregate, precision: float) -> bool:
    """True when every candidate's 95% half-width on P(success) is at most ``precision``."""
    n = totals.replications
    for counts in totals.outcomes:
        low, high = wilson(int(counts[0]), n)
        if (high - low) / 2 > precision:
            return False
    return True
