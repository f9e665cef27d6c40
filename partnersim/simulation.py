"""Simulating a scenario: its replications run and folded into :class:`Results`.

:func:`simulate` is the whole of a run in Python: the scenario compiled once,
its replications run in chunks on the chosen executor
(:mod:`partnersim.runner`), totalled in order, and summarised.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from partnersim.engine.model import Model, compile_scenario
from partnersim.engine.records import Records
from partnersim.executors import Executor
from partnersim.results import table
from partnersim.results.aggregate import Aggregate
from partnersim.results.summary import Results, summarise
from partnersim.runner import CHUNK, TASK_CHUNKS, chunks, iter_tasks
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.schema import Scenario
from partnersim.stats import wilson

MIN_FOR_PRECISION = 1_000
MAX_FOR_PRECISION = 1_000_000


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
    history: bool = True,
) -> Results:
    """Run a scenario (or the scenario file at a path) and return its Results.

    ``replications`` and ``seed`` override the scenario's own; ``jobs`` runs
    it on that many local processes, and ``executor`` anywhere else (a Dask
    cluster). With ``precision`` (e.g. 0.01), replications are added chunk by
    chunk until every candidate's 95% interval on P(success) has a half-width
    of at most that (or ``max_replications`` is reached);
    ``Results.replications`` says how many were needed. ``keep_rows`` keeps
    one row per candidate per replication in ``Results.rows`` (memory grows
    with N). ``on_records`` sees every chunk as it arrives (to write
    per-replication rows); ``progress`` is told how many replications each
    chunk completed. Without ``history``, the Results leave out how unusual
    each resumed case's stated history is (10,000 draws a candidate), for a
    caller that reads only the futures.

    >>> results = simulate("scenarios/latam.yaml", replications=500)  # doctest: +SKIP
    >>> results.candidate("ARG").outcomes["cooperation"].p  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    scenario = scenario.with_run(replications, seed)
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
        model, scenario.seed, parts, fold=Aggregate, group=group, keep=keep,
        executor=executor or Executor(jobs=jobs), total=total,
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
    return summarise(model, totals, history=history).model_copy(update={"rows": rows})


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
