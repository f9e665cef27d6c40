"""A run's charts drawn side by side, in a helper process started before the run needs it.

Drawing a run's seven or so charts one after the other takes seconds, and
importing matplotlib half a second more. A run started on several local
workers therefore starts a helper at once: a fresh Python process (never a
fork of the run's own process, whose worker pool and threads a fork would
copy) that imports matplotlib and the chart modules while the run reads its
scenario, and draws the chart of the process, which needs nothing else,
while the run simulates. When the results are in, it is sent them, forks
itself into as many drawers as the run has workers (it starts no thread of
its own, and forks nothing but itself), and each drawer takes the next chart
from a shared queue, the longest first, and writes it with
:func:`partnersim.charts.style.save_drawn`: the same code, the same file as
when the run draws it. The one chart that tells a replication as a story
waits for it: the run sends it once that replication has been run again.

The analyses that draw many charts of one result (the tornadoes of a sensitivity analysis) start the same
helper and send it :class:`Figures`: each a function of the chart module and its arguments, drawn by the
drawers in turn.

The helper only ever saves time. Whatever it did not write (it could not be
started, it died, a chart failed in it, it did not answer in PATIENCE
seconds), the run draws itself, one chart after the other; an error in a
chart is then raised there, as it always was. It ends with the run however
the run ends: it is stopped with its drawers when the run is abandoned, and
a helper whose run has gone stops at the next chart.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from partnersim.results.rows import Rows
    from partnersim.results.summary import Results
    from partnersim.scenario.schema import Scenario

# The charts, longest to draw first, so that drawers finish together; charts not named go last.
LONGEST_FIRST = ("s_curve", "start_dates", "outcomes", "stage_times", "timeline", "allies", "partnership", "process")
JOB = "job.pickle"  # written in the charts' staging folder, which is removed with what it holds
ROWS = "rows.pickle"  # the rows with their story, when they come after the job
WAIT = 0.005  # seconds between looks for the rows
PATIENCE = 600.0  # seconds the run waits for its charts before it draws them itself


@dataclass(frozen=True)
class Job:
    """What the helper draws: ``charts`` of ``results``, into ``folder`` as ``<name>.<fmt>``.

    A job without results comes first, before the run simulates: it draws the chart of the process, which
    needs only the ``scenario``, while the helper would otherwise wait.
    """

    results: Results | None
    scenario: Scenario
    rows: Rows | None
    charts: tuple[str, ...]
    folder: Path
    fmt: str
    size: str
    drawers: int
    story_to_come: bool = False  # ``rows`` tell no story: the run writes them, story told, to ROWS in ``folder``


@dataclass(frozen=True)
class Figures:
    """Figures that need nothing but their arguments (an analysis's tornadoes, say): each ``(file name, function,
    arguments, keywords)``, the figure ``function(*arguments, **keywords)`` saved as ``folder/<file name>`` in
    ``fmt``. The function is named, ``module:name`` (:func:`figure_function`), so that the process that sends
    them need not import it, nor matplotlib."""

    figures: tuple[tuple[str, str, tuple[Any, ...], dict[str, Any]], ...]
    folder: Path
    fmt: str
    drawers: int


def figure_function(name: str) -> Callable[..., Figure]:
    """The function ``module:name`` names."""
    import importlib

    module, _, function = name.partition(":")
    found: Callable[..., Figure] = getattr(importlib.import_module(module), function)
    return found


class ChartWorkers:
    """The helper process of one run, seen from the run: start it early, send it one job, collect what it drew."""

    def __init__(self, process: subprocess.Popen[bytes], drawers: int) -> None:
        self.process = process
        self.drawers = drawers
        self.sent = False

    @classmethod
    def start(cls, drawers: int) -> ChartWorkers | None:
        """A helper that will draw with ``drawers`` processes; None when one cannot be started here."""
        if drawers < 2 or not sys.executable or not hasattr(os, "fork"):
            return None
        # The helper imports the partnersim this process runs, whatever the folder it was started from holds.
        root = str(Path(__file__).resolve().parents[2])
        code = f"import sys; sys.path[0:1] = [{root!r}]; from partnersim.charts.workers import serve; serve()"
        # The interpreter's options too (-W error, say): a chart that would fail here fails there, and is drawn again
        # here, where it fails as it always did.
        options: list[str] = getattr(subprocess, "_args_from_interpreter_flags", list)()
        try:
            # A session of its own: stopping the run stops the helper and its drawers as one group.
            process = subprocess.Popen([sys.executable, *options, "-c", code], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, start_new_session=True)
        except OSError:
            return None
        return cls(process, drawers)

    def send(self, job: Job | Figures) -> bool:
        """Hand the helper a job (the last one has results, or is figures); False if it is gone."""
        if self.sent or self.process.poll() is not None:
            return False
        try:
            # Written to a file, not the pipe: a pipe holds less than the results, and the run goes on
            # with its own work while the helper may still be importing.
            path = job.folder / f"{_stem(job)}-{JOB}"
            path.write_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            assert self.process.stdin is not None
            self.process.stdin.write(os.fsencode(path) + b"\n")
            self.process.stdin.flush()
        except (OSError, pickle.PicklingError, AttributeError, TypeError):
            return False
        self.sent = _stem(job) != "scenario"
        return True

    def draw(self, figures: Figures, patience: float | None = None) -> set[str]:
        """Have ``figures`` drawn (see :meth:`receive`): the names of the files written, the rest left to the
        caller, who draws them itself."""
        try:
            return self.receive(patience) if self.send(figures) else set()
        finally:  # the job's file is not one of the folder's
            (figures.folder / f"{_stem(figures)}-{JOB}").unlink(missing_ok=True)

    def receive(self, patience: float | None = None) -> set[str]:
        """The names of the charts the helper wrote (waits for it to finish, at most ``patience`` seconds, by default
        PATIENCE); empty if it failed, or took so long that something must be wrong with it (the run then draws
        every chart)."""
        import select
        import time

        if not self.sent or self.process.stdout is None:
            return set()
        stream = self.process.stdout.fileno()
        deadline = time.monotonic() + (PATIENCE if patience is None else patience)
        reply = bytearray()
        try:
            while True:
                ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    return set()
                block = os.read(stream, 1 << 16)
                if not block:
                    break
                reply += block
            done = pickle.loads(reply) if reply else []
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            return set()
        self.process.wait()
        return {name for name in done if isinstance(name, str)}

    def close(self) -> None:
        """Stop the helper and its drawers if they are still at work, and wait for it to end."""
        process = self.process
        if process.returncode is None:  # not waited for yet, so its group cannot belong to anyone else
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        process.wait()


def _stem(job: Job | Figures) -> str:
    return "figures" if isinstance(job, Figures) else "results" if job.results is not None else "scenario"


# ---- the helper process ------------------------------------------------------------------------------------


def serve() -> None:
    """The helper: import what drawing needs, read its jobs (the last one with the results), draw them with its
    drawers, answer which charts were written, and leave."""
    # The run stops the helper itself (Ctrl-C reaches only the run, in another session anyway).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The answer goes on the pipe the run reads; anything a library prints goes to standard error.
    answer = os.dup(1)
    os.dup2(2, 1)
    code = 1
    try:
        written = _serve(answer)
        with contextlib.suppress(OSError):  # a run that is gone reads no answer
            _write_all(answer, pickle.dumps(written, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    except BaseException:  # noqa: BLE001 - nothing to say: the run draws whatever is missing, and says why not
        pass
    finally:
        # Leave at once, without tearing down every module (a good part of a second that the run would wait).
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os._exit(code)


def _serve(answer: int) -> list[str]:
    gc.disable()  # while importing: what is imported is never garbage
    _prepare()
    written: list[str] = []
    while True:
        line = sys.stdin.buffer.readline()
        if not line.strip():
            return []  # the run ended without charts
        job = pickle.loads(Path(os.fsdecode(line.strip())).read_bytes())
        if isinstance(job, Figures):
            return written + _draw_figures(job, answer)
        if job.results is not None:
            return written + _draw(job, answer)
        written += _early(job)


def _prepare() -> None:
    """Import and warm what every chart uses, while the run is still busy with its own work."""
    import importlib

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import partnersim.charts.readable  # noqa: F401
    import partnersim.results.rows  # noqa: F401
    import partnersim.results.summary  # noqa: F401
    from partnersim.charts import CHARTS, style

    for chart in CHARTS.values():
        importlib.import_module(f"partnersim.charts.{chart.module}")
    with style.context():  # the font list and the house font, loaded once for every drawer
        small = Figure(figsize=(1, 1), dpi=style.PNG_DPI)
        FigureCanvasAgg(small)
        style.measure(small, "Warm", style.TICK_SIZE)
    with contextlib.suppress(ImportError):  # the image writers Pillow loads on its first save
        from PIL import Image

        Image.preinit()
    # What is loaded now lives as long as the helper: the collector need not look at it again. Drawing makes
    # objects by the hundred thousand, most of them alive until the chart is saved: look less often.
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    gc.enable()


def _early(job: Job) -> list[str]:
    """The chart of the process, from the scenario alone (the same figure as from the run's results)."""
    if job.charts != ("process",):
        return []
    from partnersim.charts import CHARTS, process_of
    from partnersim.charts.diagram import process_diagram
    from partnersim.charts.style import save_drawn

    assert CHARTS["process"].function == "process_diagram"
    try:
        template, kinds, route = process_of(job.scenario)
        save_drawn(process_diagram(template, size=job.size, kinds=kinds, route=route),
                   job.folder / f"process.{job.fmt}", job.fmt)
    except Exception:  # noqa: BLE001 - the run draws it again, and raises what it raises
        return []
    return ["process"]


def _draw(job: Job, answer: int) -> list[str]:
    """Every chart of ``job``, shared out among its drawers; the names of those written (``answer``: the
    helper's end of the pipe to the run, which the drawers must not hold)."""
    order = sorted(range(len(job.charts)), key=lambda i: _rank(job.charts[i]))
    return _share(job.drawers, order, lambda i: _chart(job, i), answer)


def _draw_figures(job: Figures, answer: int) -> list[str]:
    """The figures of ``job`` shared out among its drawers (one byte an item: any beyond 256 are left to the
    caller, who draws what was not written)."""
    return _share(job.drawers, list(range(min(len(job.figures), 256))), lambda i: _figure(job, i), answer)


def _share(drawers: int, order: list[int], draw: Callable[[int], str | None], answer: int) -> list[str]:
    """``draw(i)`` for each ``i`` of ``order``, taken in turn by ``drawers`` processes (this one and forks of it);
    the names of what was written (``draw`` gives None for what it did not write)."""
    queue_in, queue_out = os.pipe()
    _write_all(queue_out, bytes(order))  # one byte per item; a drawer reads one at a time
    os.close(queue_out)
    children = []
    for _ in range(min(drawers, len(order)) - 1):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a drawer: draw until the queue is empty, say what was written, and leave at once
            code = 1
            try:
                os.close(read)
                os.close(answer)
                _write_all(write, pickle.dumps(_drain(queue_in, draw), protocol=pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        children.append((pid, read))
    written = _drain(queue_in, draw)
    os.close(queue_in)
    for pid, read in children:
        # A drawer that died said nothing: the run draws what it did not write.
        with os.fdopen(read, "rb") as stream, contextlib.suppress(EOFError, pickle.UnpicklingError, OSError):
            written += pickle.loads(stream.read())
        os.waitpid(pid, 0)
    return written


def _rank(name: str) -> int:
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def _drain(queue: int, draw: Callable[[int], str | None]) -> list[str]:
    written: list[str] = []
    while not _abandoned():
        taken = os.read(queue, 1)
        if not taken:
            break
        name = draw(taken[0])
        if name is not None:
            written.append(name)
    return written


def _chart(job: Job, index: int) -> str | None:
    """Chart ``index`` of a run's ``job`` drawn and written: its name, or None (the run draws it)."""
    from partnersim.charts import chart
    from partnersim.charts.style import save_drawn

    assert job.results is not None
    name = job.charts[index]
    rows = job.rows
    if chart(name).needs_rows and job.story_to_come:
        rows = _story_told(job)
        if rows is None:
            return None  # the run draws it
    try:
        save_drawn(chart(name)(job.results, size=job.size, rows=rows), job.folder / f"{name}.{job.fmt}", job.fmt)
    except Exception:  # noqa: BLE001 - the run draws it again, and raises what it raises
        return None
    return name


def _figure(job: Figures, index: int) -> str | None:
    """Figure ``index`` of ``job`` drawn and written: its file name, or None (the caller draws it)."""
    from partnersim.charts.style import save_drawn

    name, function, arguments, keywords = job.figures[index]
    try:
        save_drawn(figure_function(function)(*arguments, **keywords), job.folder / name, job.fmt)
    except Exception:  # noqa: BLE001 - the caller draws it again, and raises what it raises
        return None
    return name


def give_rows(folder: Path, rows: Rows) -> bool:
    """Hand the drawers waiting for them the rows with their story (complete before it bears its name); False if
    they cannot be written (a drawer then waits until the helper is stopped)."""
    scratch = folder / f".{ROWS}"
    try:
        scratch.write_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(scratch, folder / ROWS)
    except (OSError, pickle.PicklingError):
        return False
    return True


def _story_told(job: Job) -> Rows | None:
    """The rows the run gives once their story is told; None if the run is over first."""
    import time

    path = job.folder / ROWS
    while not path.exists():
        if _abandoned():
            return None
        time.sleep(WAIT)
    try:
        rows: Rows = pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError):
        return None
    return rows


def _abandoned() -> bool:
    """Whether the run has closed its end of the helper's input: it ended, or no longer wants the charts."""
    import select

    readable, _, _ = select.select([sys.stdin.fileno()], [], [], 0)
    return bool(readable)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
