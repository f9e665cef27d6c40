"""Charts for briefings: one function per chart, each returning a matplotlib Figure.

``CHARTS`` maps the stable name of each results chart (the file name the run
folder uses, ``charts/<name>.<format>``) to the function that draws it.
Importing this package does not import matplotlib; each chart module does,
when it is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from partnersim.results.summary import Results
    from partnersim.scenario.templates import Template

CHART_NAMES = ("outcomes", "s_curve")


def outcome_chart(results: Results, *, size: str = "slide") -> Figure:
    """Outcome probabilities per candidate by the horizon, with 95% intervals."""
    from partnersim.charts.outcomes import outcome_chart as draw

    return draw(results, size=size)


def s_curve_chart(results: Results, *, size: str = "slide") -> Figure:
    """P(cooperation by date) per candidate, with P50 and P80 dates marked."""
    from partnersim.charts.scurve import s_curve_chart as draw

    return draw(results, size=size)


def process_diagram(template: Template | str, *, size: str = "slide") -> Figure:
    """The process state machine of a template, drawn for a slide."""
    from partnersim.charts.diagram import process_diagram as draw

    return draw(template, size=size)


def mermaid(template: Template | str) -> str:
    """The process state machine of a template as Mermaid ``stateDiagram-v2`` text."""
    from partnersim.charts.mermaid import mermaid as text

    return text(template)


CHARTS: dict[str, Callable[..., Any]] = {"outcomes": outcome_chart, "s_curve": s_curve_chart}


def save(fig: Figure, path: str | Path, format: str | None = None) -> Path:
    """Write a figure as PNG, SVG or PDF and release it (see :func:`partnersim.charts.style.save`)."""
    from partnersim.charts.style import save as write

    return write(fig, path, format)


def render_all(
    results: Results, folder: str | Path, format: str = "png", size: str = "slide"
) -> list[Path]:
    """Draw every chart of ``CHARTS`` into ``folder`` as ``<name>.<format>``; return the paths."""
    from partnersim.charts.style import FORMATS, figure_size
    from partnersim.charts.style import save as write
    from partnersim.errors import PartnersimError

    fmt = format.lower()
    if fmt not in FORMATS:
        raise PartnersimError(f'"format" must be one of {", ".join(FORMATS)}, got {format!r}.')
    figure_size(size)  # fail before drawing anything
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in CHARTS.items():
        written.append(write(draw(results, size=size), folder / f"{name}.{fmt}", fmt))
    return written


__all__ = [
    "CHARTS",
    "CHART_NAMES",
    "mermaid",
    "outcome_chart",
    "process_diagram",
    "render_all",
    "s_curve_chart",
    "save",
]
