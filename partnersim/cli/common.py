"""What every command shares: error handling, the console, options defined once."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from partnersim import safetext
from partnersim.errors import PartnersimError, ScenarioError

if TYPE_CHECKING:
    from rich.console import Console

    from partnersim.charts.workers import ChartWorkers
    from partnersim.executors import Executor

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a tool that pipe ended


def sized(stream: Any) -> bool:
    """Whether output to ``stream`` has a width to keep to: a terminal's, or the one COLUMNS gives."""
    return bool(stream.isatty()) or os.environ.get("COLUMNS", "").isdigit()


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Written to a file or a pipe, tables keep a readable width instead of 80 columns, unless COLUMNS says.
    width = None if sized(stream) else 132
    # No emoji codes: a name such as "Chile :flag_for_chile:" is printed as written, like any markup.
    screen = Console(stderr=stderr, highlight=False, soft_wrap=False, width=width, emoji=False)
    screen.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return screen


def _broken_pipe() -> None:
    """Output piped into a reader that stopped (``| head``): end quietly, as a tool killed by SIGPIPE does.

    The run folder is complete before anything is printed.
    """
    sys.stderr.flush()
    os._exit(EXIT_BROKEN_PIPE)


@contextlib.contextmanager
def chart_workers(executor: Executor) -> Iterator[ChartWorkers | None]:
    """The processes that draw a command's charts (:mod:`partnersim.charts.workers`), started at once so that
    they load matplotlib while the command works, and stopped when it ends; None where the work does not run
    on local workers (the command then draws its charts itself)."""
    workers = None
    if executor.forks:
        from partnersim.charts.workers import ChartWorkers

        workers = ChartWorkers.start(executor.jobs)
    try:
        yield workers
    finally:
        if workers is not None:
            workers.close()


def friendly_errors(command: F) -> F:
    """Turn the library's errors into one line per problem and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScenarioError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            count = len(exc.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was run.", err=True)
            sys.exit(EXIT_INPUT)
        except PartnersimError as exc:
            # Messages may quote a run folder's contents, which anyone may have written.
            click.echo(f"error: {safetext.line(exc)}", err=True)
            sys.exit(EXIT_INPUT)
        except BrokenPipeError:  # the same, from click.echo
            _broken_pipe()
        except OSError as exc:
            # A file the user named could not be written or read (a missing folder, a full disk).
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(safetext.line(f"error: cannot use{where}: {exc.strerror or exc}"), err=True)
            sys.exit(EXIT_INPUT)
        except (KeyboardInterrupt, Stopped) as exc:
            how = "Interrupted" if isinstance(exc, KeyboardInterrupt) else f"Stopped by {exc}"
            click.echo(f"\n{how}; nothing half-written was left behind.", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            # Partial output is already removed. Leave at once: joining the worker
            # pool's threads at interpreter exit can wait on workers already gone.
            os._exit(EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + exc.signum)

    return wrapper  # type: ignore[return-value]


class Stopped(BaseException):
    """The process was asked to stop (``kill``, a closed terminal): unwind and clean up, as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    """Make ``kill`` (SIGTERM) and a closed terminal (SIGHUP) stop a command the way Ctrl-C does.

    By default they end the process at once, leaving its partial output and
    its worker processes behind; raised as :class:`Stopped`, they unwind
    through every cleanup instead.
    """

    def stop(signum: int, frame: object) -> None:
        signal.signal(signum, signal.SIG_IGN)  # a second signal must not cut the cleanup short
        raise Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


# The scenario reader says in one line what is wrong with a path (a folder, a pipe, no such file).
scenario_argument = click.argument("scenario", type=click.Path(path_type=Path), metavar="SCENARIO.yaml")
replications_option = click.option(
    "-n", "--replications", type=click.IntRange(min=1), default=None,
    help="Number of replications (default: the scenario's `replications`, else 10000).",
)
seed_option = click.option(
    "--seed", type=click.IntRange(min=0), default=None,
    help="Random seed (default: the scenario's `seed`). The same seed gives the same results.",
)
jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Worker processes (default: every core). Results do not depend on it.",
)
format_option = click.option(
    "--format", "image_format", type=click.Choice(["png", "svg", "pdf"]), default="png",
    show_default=True, help="File format of the charts.",
)
set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
    help="Change one value of the scenario without editing it, e.g. "
    "--set allies.TUR.hold.probability=0.5 or --set candidates.BRA.request=2026-06-01. "
    "Repeat for several; checked like the file itself.",
)
def executor_options(command: F) -> F:
    """``--executor local|dask`` and ``--scheduler ADDRESS``, shared by every command that runs replications."""
    command = click.option(
        "--scheduler", metavar="ADDRESS", default=None,
        help="With --executor dask: the address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786. "
        "Without it, a local Dask cluster of --jobs workers is started.",
    )(command)
    return click.option(
        "--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
        help="Run replications in local worker processes, or send batches to a Dask cluster "
        "(pip install 'partnersim[dask]'). Results are identical either way.",
    )(command)


def make_executor(kind: str, jobs: int | None, scheduler: str | None) -> Any:
    """The runner's Executor for the command-line options."""
    from partnersim.executors import Executor, default_jobs

    if scheduler and kind != "dask":
        raise click.BadParameter("--scheduler goes with --executor dask", param_hint="--scheduler")
    return Executor(kind=kind, jobs=jobs or default_jobs(), scheduler=scheduler)


precision_option = click.option(
    "--precision", type=click.FloatRange(min=0.0005, max=0.5), default=None, metavar="HALF-WIDTH",
    help="Add replications until every candidate's 95% interval on P(cooperation) is at most "
    "± this (e.g. 0.01 for ±1 point), then report the number used. Overrides -n.",
)


def out_folder_option(default: str, help_text: str | None = None) -> Callable[[F], F]:
    """``-o/--out`` naming the folder a command writes; ``default`` says where it goes without one."""
    return click.option(
        "-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
        help=help_text or f"Folder to write (default: {default}).",
    )


def out_file_option(help_text: str) -> Callable[[F], F]:
    """``-o/--out`` naming the one file a command writes."""
    return click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help=help_text)


def force_option(what: str = "folder") -> Callable[[F], F]:
    """``--force``: replace the folder ``--out`` names, when it is one partnersim wrote."""
    return click.option("--force", is_flag=True, help=f"Replace the {what} if it exists.")


def quiet_option(help_text: str = "Print only where the run was written.") -> Callable[[F], F]:
    return click.option("-q", "--quiet", is_flag=True, help=help_text)


def with_progress(total: int | None, quiet: bool, work: Callable[[Callable[[int], None] | None], T]) -> T:
    """Run ``work`` with a progress bar on a terminal (none when quiet or redirected)."""
    if quiet or not sys.stderr.isatty():
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task("run", total=total)
        return work(lambda done: bar.advance(task, done))
