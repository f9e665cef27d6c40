"""Charts for briefings: one function per chart, each returning a matplotlib Figure.

``CHARTS`` maps the stable name of each results chart (the file name the run
folder uses, ``charts/<name>.<format>``) to the function that draws it.
Importing this package does not import matplotlib; each chart module does,
when it is first used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from partnersim.errors import PartnersimError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from partnersim.charts.workers import ChartWorkers
    from partnersim.process.definition import Template
    from partnersim.process.route import Route
    from partnersim.results.rows import Rows
    from partnersim.results.summary import Results
    from partnersim.scenario.schema import Scenario



@dataclass(frozen=True)
class Chart:
    """One chart of a run: its file name, what it shows, and how it is drawn.

    Calling it draws the Figure: ``CHARTS["outcomes"](results)``. Charts that
    tell single replications (``needs_rows``) take ``rows``, read from the
    run's ``replications.csv`` by :func:`partnersim.results.rows.read_rows`.
    A chart that ``needs_partnership`` is drawn only when the run simulated the
    life of a partnership.
    """

    name: str
    shows: str  # what the chart shows, in a few words
    module: str
    function: str
    needs_rows: bool = False
    takes_rows: bool = False  # uses rows when given, draws without them
    needs_partnership: bool = False  # drawn only for a run with a ``partnership`` block

    def __call__(self, results: Results, *, size: str = "slide", rows: Rows | None = None) -> Figure:
        import importlib

        from partnersim.charts.readable import CHART_NAME, readable, readable_rows

        # Names as a chart shows them: one line each, cut to a length a title can hold (the
        # Results may come from a run folder, which anyone may have edited).
        results = readable(results, CHART_NAME)
        rows = readable_rows(rows, CHART_NAME) if rows is not None else None
        draw = getattr(importlib.import_module(f"partnersim.charts.{self.module}"), self.function)
        if self.name == "process":
            template, kinds, route = process_of(results.scenario)
            return draw(template, size=size, kinds=kinds, route=route)  # type: ignore[no-any-return]
        if self.needs_rows:
            if rows is None:
                raise PartnersimError(
                    f"the {self.name} chart needs the run's replications.csv, which this run did not write "
                    "(it was run with --no-rows); run the scenario again without --no-rows"
                )
            return draw(results, rows.story, size=size)  # type: ignore[no-any-return]
        if self.takes_rows:
            return draw(results, size=size, rows=rows)  # type: ignore[no-any-return]
        return draw(results, size=size)  # type: ignore[no-any-return]


def process_of(scenario: Scenario) -> tuple[Template, dict[str, str], Route]:
    """What the process chart draws of a scenario: its process (without the life of a partnership when the
    scenario simulates none), the kind of each stage, and the route through the stages."""
    kinds = {name: stage.kind for name, stage in scenario.stages.items()}
    template = scenario.template
    if scenario.partnership is None:  # the run simulated no partnership life: draw none
        template = template.model_copy(update={"life": False})
    return template, kinds, scenario.route


CHARTS: dict[str, Chart] = {
    chart.name: chart
    for chart in (
        Chart("outcomes", "how each candidate's case ends by the horizon", "outcomes", "outcome_chart"),
        Chart("s_curve", "the chance of cooperation by each date", "scurve", "s_curve_chart"),
        Chart("start_dates", "when cooperation starts (histogram)", "starts", "start_date_chart"),
        Chart("stage_times", "the mean time spent in each stage", "stages", "stage_time_chart", takes_rows=True),
        Chart("allies", "the allies most often in the way", "allies", "ally_chart", takes_rows=True),
        Chart("timeline", "one simulated future, as an illustration", "timeline", "timeline_chart", needs_rows=True),
        Chart("partnership", "the areas of cooperation in force over time", "partnership", "partnership_chart",
              needs_partnership=True),
        Chart("process", "the process diagram", "diagram", "process_diagram"),
    )
}
CHART_NAMES = tuple(CHARTS)


def chart(name: str) -> Chart:
    """The chart called ``name``; an unknown name gets a "did you mean" and the list of charts."""
    try:
        return CHARTS[name]
    except KeyError:
        from partnersim.text import suggest

        hint = suggest(name, CHART_NAMES, cutoff=0.5)
        raise PartnersimError(f"unknown chart {name!r}{hint}; the charts are {', '.join(CHART_NAMES)}") from None


def outcome_chart(results: Results, *, size: str = "slide") -> Figure:
    """Outcome probabilities per candidate by the horizon, with 95% intervals."""
    return CHARTS["outcomes"](results, size=size)


def s_curve_chart(results: Results, *, size: str = "slide") -> Figure:
    """P(cooperation by date) per candidate, with P50 and P80 dates marked."""
    return CHARTS["s_curve"](results, size=size)


def process_diagram(template: Template | str, *, size: str = "slide") -> Figure:
    """The process state machine of a template, drawn for a slide."""
    from partnersim.charts.diagram import process_diagram as draw

    return draw(template, size=size)


def mermaid(template: Template | str) -> str:
    """The process state machine of a template as Mermaid ``stateDiagram-v2`` text."""
    from partnersim.charts.mermaid import mermaid as text

    return text(template)


def save(fig: Figure, path: str | Path, format: str | None = None) -> Path:
    """Write a figure as PNG, SVG or PDF and release it (see :func:`partnersim.charts.style.save`)."""
    from partnersim.charts.style import save as write

    return write(fig, path, format)


def render_all(
    results: Results,
    folder: str | Path,
    format: str = "png",
    size: str = "slide",
    *,
    rows: Rows | str | Path | None = None,
    only: Sequence[str] = (),
    workers: ChartWorkers | None = None,
) -> list[Path]:
    """Draw the charts of a run into ``folder`` as ``<name>.<format>``; return the paths written.

    ``rows`` is what :func:`partnersim.results.rows.read_rows` read, or the path
    of a ``replications.csv``; by default the ``replications.csv`` of the run
    folder that holds ``folder`` is used when it exists. Without it, the
    charts that need single replications are left out (unless named in
    ``only``, which then fails with a message saying why). With ``workers``
    (:class:`partnersim.charts.workers.ChartWorkers`), the charts are drawn
    side by side in its processes; the files are the same.
    """
    rendering = Rendering.start(folder, format, size, workers=workers)
    try:
        rendering.draw(results, rows=rows, only=only)
    except BaseException:
        rendering.discard()
        raise
    return rendering.finish()


class Rendering:
    """A run's charts being drawn into a hidden staging folder inside ``folder``, then moved into it as a set.

    :meth:`start` makes the staging folder (and, with ``workers`` and the
    scenario, has the chart of the process drawn at once: it needs no
    results); :meth:`draw` hands the charts of the results to the workers,
    so this process may do other work meanwhile; :meth:`finish` waits for
    them, draws here whatever they did not, and puts the set in place. An
    interruption or an error midway leaves the charts that were there, never
    half of a new set; :meth:`discard` gives up.
    """

    def __init__(self, folder: Path, staging: Path, fmt: str, size: str, workers: ChartWorkers | None) -> None:
        self.folder, self.staging, self.fmt, self.size, self.workers = folder, staging, fmt, size, workers
        self.results: Results | None = None
        self.rows: Rows | None = None
        self.chosen: list[Chart] = []
        self.early: Scenario | None = None  # the scenario the workers drew the process chart from at the start
        self.story_to_come = False

    @classmethod
    def start(cls, folder: str | Path, format: str = "png", size: str = "slide", *,
              scenario: Scenario | None = None, workers: ChartWorkers | None = None) -> Rendering:
        from partnersim.charts.sizes import FORMATS, figure_size

        fmt = format.lower()
        if fmt not in FORMATS:
            raise PartnersimError(f'"format" must be one of {", ".join(FORMATS)}, got {format!r}.')
        figure_size(size)  # fail before drawing anything
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".charts-", suffix=".partial", dir=folder))
        rendering = cls(folder, staging, fmt, size, workers)
        if workers is not None and scenario is not None and rendering._send(None, scenario, ("process",)):
            rendering.early = scenario
        return rendering

    def draw(self, results: Results, *, rows: Rows | str | Path | None = None, only: Sequence[str] = (),
             story_to_come: bool = False) -> None:
        """Choose the charts of ``results`` to draw (see :func:`render_all`) and hand them to the workers.

        With ``story_to_come``, ``rows`` tell no story yet: the charts that need one wait for the rows
        :meth:`give_rows` gives, while the others are drawn.
        """
        from partnersim.charts.readable import check

        check(results)
        wanted = [chart(name) for name in only] or list(CHARTS.values())
        read = _rows(results, self.folder, rows) if any(c.needs_rows or c.takes_rows for c in wanted) else None
        self.chosen = selection(only, has_rows=read is not None, has_partnership=results.has_partnership)
        self.results, self.rows, self.story_to_come = results, read, story_to_come and read is not None
        drawn_early = self.early is not None and process_of(self.early) == process_of(results.scenario)
        rest = tuple(c.name for c in self.chosen if not (c.name == "process" and drawn_early))
        self._send(results, results.scenario, rest)

    def give_rows(self, rows: Rows) -> None:
        """The rows, story told, of a :meth:`draw` with ``story_to_come``."""
        self.rows, self.story_to_come = rows, False
        if self.workers is not None:
            from partnersim.charts.workers import give_rows

            if not give_rows(self.staging, rows):
                self.workers.close()  # no drawer is left waiting for them: this process draws what is missing

    def _send(self, results: Results | None, scenario: Scenario, charts: tuple[str, ...]) -> bool:
        if self.workers is None or not charts:
            return False
        from partnersim.charts.workers import Job

        return self.workers.send(Job(results, scenario, self.rows, charts, self.staging, self.fmt, self.size,
                                     self.workers.drawers, self.story_to_come))

    def finish(self) -> list[Path]:
        """Wait for the charts handed out, draw those still missing here, one after the other, and move the set
        into ``folder``; return the paths written."""
        assert self.results is not None, "draw() first"
        assert not self.story_to_come, "give_rows() first"
        try:
            done = self.workers.receive() if self.workers is not None else set()
            if self.early is not None and process_of(self.early) != process_of(self.results.scenario):
                done.discard("process")
            drawn = [self.staging / f"{c.name}.{self.fmt}" for c in self.chosen]
            for c, path in zip(self.chosen, drawn, strict=True):
                if c.name not in done or not path.is_file():
                    from partnersim.charts.style import save as write

                    write(c(self.results, size=self.size, rows=self.rows), path, self.fmt)
            for path in drawn:
                os.replace(path, self.folder / path.name)
        finally:
            self.discard()
        return [self.folder / path.name for path in drawn]

    def discard(self) -> None:
        """Give up: stop the workers still drawing, and remove the staging folder with what it holds."""
        if self.workers is not None:
            self.workers.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def selection(only: Sequence[str] = (), *, has_rows: bool = True, has_partnership: bool = False) -> list[Chart]:
    """The charts to draw: those named in ``only`` (every one, by default) that the run allows.

    Without the run's rows, charts that need them are left out of the default
    set; so is the partnership chart for a run without a partnership. Naming
    one of them in ``only`` is an error that says what is missing.
    """
    if not only:
        return [c for c in CHARTS.values()
                if (has_rows or not c.needs_rows) and (has_partnership or not c.needs_partnership)]
    chosen = [chart(name) for name in only]
    if not has_partnership and any(c.needs_partnership for c in chosen):
        raise PartnersimError(
            "the partnership chart needs a run whose scenario has a partnership block (areas, renewals, "
            "suspension); this run has none"
        )
    missing = [c.name for c in chosen if c.needs_rows and not has_rows]
    if missing:
        raise PartnersimError(
            f"the {' and '.join(missing)} chart needs the run's replications.csv, which this run did not write "
            "(it was run with --no-rows); run the scenario again without --no-rows"
        )
    return chosen


def _rows(results: Results, folder: Path, rows: Rows | str | Path | None) -> Rows | None:
    from partnersim.results.rows import ROWS, read_rows

    if rows is not None and not isinstance(rows, (str, Path)):
        return rows
    path = Path(rows) if rows is not None else folder.parent / ROWS
    if not path.is_file():
        if rows is not None:
            raise PartnersimError(f"no replications file at {path}")
        return None
    read = read_rows(path, results)
    if rows is None and read.replications != results.replications:
        return None  # a file beside the folder that belongs to another run
    return read


__all__ = [
    "CHARTS",
    "CHART_NAMES",
    "Chart",
    "chart",
    "selection",
    "mermaid",
    "outcome_chart",
    "process_diagram",
    "Rendering",
    "process_of",
    "render_all",
    "s_curve_chart",
    "save",
]
