"""Where work runs: in this process, on local worker processes, or on a Dask cluster.

One abstraction for every command that runs many pieces of work: a run's
groups of chunks and a what-if's points alike go through
:meth:`Executor.map`, which gives the results in the order of the items
whoever ran them, so the numbers never depend on the executor or the number
of workers.

Local workers ignore Ctrl-C (the main process stops them), end when the main
process ends however it ended, and are terminated when the work is abandoned.
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
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from partnersim.errors import PartnersimError

Item = TypeVar("Item")
Result = TypeVar("Result")

def default_jobs() -> int:
    """The cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True)
class Executor:
    """Where work runs: ``local`` processes (``jobs`` of them; one means this process) or a ``dask`` cluster.

    For Dask, ``scheduler`` is the address of a running scheduler
    (``tcp://host:8786``); without it a local cluster of ``jobs`` worker
    processes is started for the work.
    """

    kind: str = "local"
    jobs: int = 1
    scheduler: str | None = None

    @property
    def forks(self) -> bool:
        """Whether the work runs on local worker processes (which inherit what this process has loaded)."""
        return self.kind == "local" and self.jobs > 1

    @property
    def description(self) -> str:
        """How a run folder's manifest names the executor."""
        return self.kind if self.scheduler is None else f"{self.kind} {self.scheduler}"

    def map(
        self,
        work: Callable[[Any, Item], Result],
        items: Iterable[Item],
        shared: Any = None,
        *,
        window: int | None = None,
    ) -> Generator[Result, None, None]:
        """``work(shared, item)`` for every item, yielded in the order of ``items``.

        ``shared`` is sent to each worker once (a compiled model, say), not
        with every item. At most ``window`` items are out at a time (by
        default two per worker), so ``items`` may be endless and the caller
        may stop early: closing the generator stops the work.
        """
        if self.kind == "dask":
            yield from _on_dask(self, work, iter(items), shared, window)
        elif self.jobs <= 1:
            for item in items:
                yield work(shared, item)
        else:
            yield from _on_workers(self.jobs, work, iter(items), shared, window or 2 * self.jobs)


def _in_order(
    submit: Callable[[Item], Any], items: Iterator[Item], window: int, result: Callable[[Any], Result],
    done: Callable[[list[Any]], list[Any]],
) -> Generator[Result, None, None]:
    """Keep ``window`` items out, refilled as any finishes; yield results in the order of the items."""
    pending: deque[Any] = deque(submit(item) for item in itertools.islice(items, window))
    finished: set[Any] = set()
    while pending:
        head = pending[0]
        while head not in finished:
            for future in done([f for f in pending if f not in finished]):
                finished.add(future)
                for item in itertools.islice(items, 1):
                    pending.append(submit(item))
        pending.popleft()
        finished.discard(head)
        yield result(head)


def _on_workers(
    jobs: int, work: Callable[[Any, Item], Result], items: Iterator[Item], shared: Any, window: int
) -> Generator[Result, None, None]:
    with worker_pool(jobs, _keep_shared, (shared,)) as pool:

        def submit(item: Item) -> Future[Result]:
            return pool.submit(_call_with_shared, work, item)

        def done(futures: list[Any]) -> list[Any]:
            return list(wait(futures, return_when=FIRST_COMPLETED).done)

        yield from _in_order(submit, items, window, lambda future: future.result(), done)


class _Shared:
    """What a worker process keeps between items: ``shared``, sent once when it starts."""

    value: Any = None


def _keep_shared(shared: Any) -> None:
    _Shared.value = shared


def _call_with_shared(work: Callable[[Any, Item], Result], item: Item) -> Result:
    return work(_Shared.value, item)


def _on_dask(
    executor: Executor, work: Callable[[Any, Item], Result], items: Iterator[Item], shared: Any, window: int | None
) -> Generator[Result, None, None]:
    with dask_client(executor) as client:
        from dask.distributed import wait as dask_wait

        scattered = client.scatter(shared, broadcast=True) if shared is not None else None
        size = window or max(2, 2 * sum(client.nthreads().values()))

        def submit(item: Item) -> Any:
            return client.submit(work, scattered, item, pure=False)

        def done(futures: list[Any]) -> list[Any]:
            return list(dask_wait(futures, return_when="FIRST_COMPLETED").done)

        yield from _in_order(submit, items, size, lambda future: future.result(), done)


@contextmanager
def worker_pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """Local worker processes that ignore Ctrl-C, and are stopped at once if the work is interrupted.

    Leaving the block normally, on an error or on an early stop (the caller
    has what it needs) cancels the work not yet started and waits for what
    the workers are doing; an interruption (Ctrl-C, a signal) terminates them.
    A worker is never killed while it may be sending a result: the pool's own
    thread would then wait for the rest of it for ever, and the interpreter
    waits for that thread when it exits.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method),
        initializer=_ignoring_interrupts, initargs=(initializer, initargs),
    )
    try:
        yield pool
    except (Exception, GeneratorExit):
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:
        # Interrupted: stop at once. The command then leaves without waiting for the pool (see friendly_errors).
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()
        raise
    else:
        pool.shutdown(wait=True)


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
