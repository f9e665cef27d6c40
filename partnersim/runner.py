"""Replications: chunking, seeding and worker processes.

Replications are cut into fixed chunks of ``CHUNK`` (independent of the number
of workers); replication *i* draws only from the keyed random streams of
``(seed, i)``; chunks are folded into the totals in replication order. So a
run gives exactly the same results with ``--jobs 1`` or ``--jobs 8``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from partnersim.engine.model import Model, compile_scenario
from partnersim.engine.records import Records
from partnersim.engine.replication import run_chunk
from partnersim.results.aggregate import Aggregate
from partnersim.results.summary import Results, summarise
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.schema import Scenario

CHUNK = 500


def chunks(replications: int, size: int = CHUNK) -> list[tuple[int, int]]:
    """``(first, count)`` of each chunk."""
    return [(first, min(size, replications - first)) for first in range(0, replications, size)]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def iter_records(model: Model, seed: int, replications: int, jobs: int = 1) -> Iterator[Records]:
    """Records of every chunk, in replication order, computed on ``jobs`` processes."""
    parts = chunks(replications)
    jobs = max(1, min(jobs, len(parts)))
    if jobs == 1:
        for first, count in parts:
            yield run_chunk(model, seed, first, count)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    executor = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method), initializer=_ignore_interrupts
    )
    finished = False
    try:
        firsts = [first for first, _ in parts]
        counts = [count for _, count in parts]
        yield from executor.map(run_chunk, [model] * len(parts), [seed] * len(parts), firsts, counts)
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            # Interrupted, failed, or abandoned by the caller: stop the workers now.
            workers = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.terminate()


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops them; no traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def simulate(
    scenario: Scenario | str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    on_records: Callable[[Model, Records], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run a scenario (or the scenario file at a path) and return its Results.

    ``replications`` and ``seed`` override the scenario's own; ``on_records``
    sees every chunk as it arrives (to write per-replication rows);
    ``progress`` is told how many replications each chunk completed.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    changes = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
    if changes:
        scenario = scenario.with_updates(**changes)
    model = compile_scenario(scenario)
    totals = Aggregate(model)
    for records in iter_records(model, scenario.seed, scenario.replications, jobs):
        totals.add(records)
        if on_records is not None:
            on_records(model, records)
        if progress is not None:
            progress(records.count)
    return summarise(model, totals)
