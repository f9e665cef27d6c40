"""The briefing style of every chart: colours, sizes, fonts, titles, footer, saving.

Charts are pasted into slides and printed in black and white, so every
outcome has one fixed colour *and* one fixed hatch, the same in every chart;
every candidate keeps the colour and line style of its position in the
scenario. Colours are the Okabe–Ito palette, which stays distinct under the
common forms of colour blindness.

Figures are built with :class:`matplotlib.figure.Figure` directly (never
pyplot), so no interactive backend is involved and nothing global changes.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from partnersim import files, safetext
from partnersim._version import __version__
from partnersim.charts.sizes import FORMATS, figure_size
from partnersim.charts.sizes import SIZES as SIZES  # the sizes of every chart, named here too
from partnersim.errors import PartnersimError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

    from partnersim.results.summary import CandidateResult, Results

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
ACCENT = OKABE_ITO["blue"]  # the one highlight colour of a briefing
INK = "#1A1A1A"  # text and lines: charts, the diagram, the PDF and the slides alike
GREY = "#5A5A5A"
MUTED = GREY  # notes and captions
LIGHT_GREY = "#BBBBBB"
GRID_GREY = "#E3E3E3"

# One colour and one hatch per outcome, in every chart. Hatches carry the
# distinction when a slide is printed in greyscale.
OUTCOME_STYLE: dict[str, dict[str, str]] = {
    "cooperation": {"color": OKABE_ITO["bluish_green"], "hatch": ""},
    "rejected": {"color": OKABE_ITO["vermillion"], "hatch": "///"},
    "withdrawn": {"color": OKABE_ITO["orange"], "hatch": "\\\\\\"},
    "talks_failed": {"color": OKABE_ITO["reddish_purple"], "hatch": "xx"},
    "pending": {"color": LIGHT_GREY, "hatch": ".."},
    # How a partnership can end after cooperation (the process diagram).
    "lapsed": {"color": OKABE_ITO["sky_blue"], "hatch": "--"},
    "suspended": {"color": OKABE_ITO["black"], "hatch": "++"},
}
SUCCESS_STYLE = OUTCOME_STYLE["cooperation"]  # any template's success state

# Stages by position in the process: blue for the allies' decisions (hatched the
# second time), yellow for talks, sky blue for drafting. None of them is an
# outcome colour, so a timeline's bars never read as its end.
STAGE_STYLES: tuple[dict[str, str], ...] = (
    {"color": OKABE_ITO["blue"], "hatch": ""},
    {"color": OKABE_ITO["yellow"], "hatch": ""},
    {"color": OKABE_ITO["sky_blue"], "hatch": "..."},
    {"color": OKABE_ITO["blue"], "hatch": "///"},
    {"color": "#999999", "hatch": "xx"},
    {"color": "#DDDDDD", "hatch": "\\\\"},
    {"color": OKABE_ITO["sky_blue"], "hatch": ""},
    {"color": OKABE_ITO["yellow"], "hatch": "xx"},
)

# Candidates by position in the scenario; yellow last, as it is faint on white.
CANDIDATE_COLOURS = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)
# Five styles against eight colours: no two of the first 40 candidates look alike.
CANDIDATE_LINESTYLES: tuple[Any, ...] = ("-", (0, (6, 2)), (0, (6, 2, 1.5, 2)), (0, (1.5, 1.5)), (0, (10, 3)))

PNG_DPI = 200

# Space kept for the title block above the plot and the footer below it (inches).
MARGIN = 0.3
HEADER = 0.95
FOOTER = 0.32
TITLE_SIZE = 16
TITLE_GID, SUBTITLE_GID = "title", "subtitle"  # how the title block's texts are found again (untitled)
SUBTITLE_SIZE = 11.5
FOOTER_SIZE = 8
NAME_SIZE = 12.5  # candidate names down the side of a chart
NAME_ROOM = 0.3  # the share of the figure's width a name down the side may take; longer ones are cut
END_ROOM = 0.2  # …a name at the end of a line, or in a legend beside other words
TICK_SIZE = 11.0  # the house size of tick labels (points)
PLOT_WIDTH = 6.5  # a slide's plot width in inches, for ticks worked out before a chart is laid out
# The most candidates a chart draws; with more, it shows those a briefing most needs and says so.
MOST_ROWS = 12  # one row each (outcomes, stage times, timeline)
MOST_PANELS = 8  # one panel each (start dates)
MOST_LINES = 8  # one line each (S-curve, partnership)

RC: dict[str, Any] = {
    "font.family": "sans-serif",  # then the fallback fonts installed (see font_families)
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": 10.5,
    "legend.frameon": False,
    "hatch.linewidth": 1.0,
    # Unhinted glyphs have the same width at every resolution, so text measured
    # while laying out a chart fits the same way in PNG, SVG and PDF.
    "text.hinting": "no_hinting",
    # A "$" in a name is a dollar sign: chart text is never read as mathematics (an unmatched
    # "$\frac" would stop the drawing).
    "text.parse_math": False,
    "svg.fonttype": "path",  # text looks the same on a machine without the font
    "pdf.fonttype": 42,  # TrueType: text in a PDF stays selectable
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}


# Fonts for scripts the house font lacks, used where installed: matplotlib draws each character from
# the first font in "font.family" that has it, so a Korean or Japanese name then reads as written.
FALLBACK_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK SC", "Noto Sans CJK TC",
                  "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari", "Noto Sans Thai")


def font_families() -> list[str]:
    """The house font, then each fallback font this machine has (naming one it lacks would log a warning)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ["sans-serif", *(name for name in FALLBACK_FONTS if name in installed)]


@contextmanager
def context() -> Iterator[None]:
    """The house style, for building and saving a figure (leaves global settings as they were)."""
    settings: dict[str, Any] = {**RC, "font.family": font_families()}
    with matplotlib.rc_context(settings), quiet_missing_glyphs():  # type: ignore[arg-type]
        yield


@contextmanager
def quiet_missing_glyphs() -> Iterator[None]:
    """Text measured and drawn without a warning for each character that no installed font has."""
    with warnings.catch_warnings():
        # Such a character is drawn as a box showing its script (docs/outputs.md). matplotlib warns
        # for it each time text is measured or drawn: a name in Korean gave a hundred warnings a
        # run, burying the run's own messages on standard error.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        yield


def candidate_style(index: int) -> dict[str, Any]:
    """Colour and line style of the candidate at ``index`` in the scenario."""
    return {
        "color": CANDIDATE_COLOURS[index % len(CANDIDATE_COLOURS)],
        "linestyle": CANDIDATE_LINESTYLES[index % len(CANDIDATE_LINESTYLES)],
    }


def outcome_style(outcome: str) -> dict[str, str]:
    """Colour and hatch of an outcome state (a template's success looks like cooperation)."""
    return OUTCOME_STYLE.get(outcome, SUCCESS_STYLE)


def stage_style(index: int) -> dict[str, str]:
    """Colour and hatch of the stage at ``index`` in the process, the same in every chart."""
    return STAGE_STYLES[index % len(STAGE_STYLES)]


def ink(fill: str) -> str:
    """Text colour that reads on ``fill``: white on dark colours, near-black on light ones."""
    return "white" if luminance(fill) < 0.35 else "#111111"


def luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a colour, 0 for black to 1 for white."""
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def new_figure(size: str = "slide") -> Figure:
    """A blank figure in the house style, with room for the title block and the footer.

    Plots go inside the band between header and footer; constrained layout
    fits axes, tick labels and legends into it.
    """
    width, height = figure_size(size)
    fig = Figure(figsize=(width, height), dpi=PNG_DPI)
    fig.set_layout_engine(ConstrainedLayoutEngine(rect=_plot_band(width, height, HEADER),
                                                  w_pad=0.04, h_pad=0.06))
    FigureCanvasAgg(fig)
    return fig


def legend_covers_data(ax: Axes, legend: Any) -> bool:
    """Whether ``legend`` (drawn inside ``ax``) sits on any of the axes' lines, guides included."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    fig.draw_without_rendering()
    box = legend.get_window_extent()
    for line in ax.get_lines():
        xy = np.asarray(line.get_xydata(), dtype=float)
        if not line.get_visible() or len(xy) == 0:
            continue
        # Points along every segment, so a segment crossing the box counts even if its ends do not.
        steps = np.linspace(0.0, 1.0, 12)[:, None, None]
        dense = (xy[:-1][None] + steps * (xy[1:] - xy[:-1])[None]).reshape(-1, 2) if len(xy) > 1 else xy
        x, y = line.get_transform().transform(dense).T
        if np.any((x > box.x0) & (x < box.x1) & (y > box.y0) & (y < box.y1)):
            return True
    return False


def inside(ax: Axes, legend: Any) -> bool:
    """Whether ``legend`` lies within the axes it was placed in (a wide one can spill out of them)."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    fig.draw_without_rendering()
    box, frame = legend.get_window_extent(), ax.get_window_extent()
    return bool(box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1
                and box.y1 <= frame.y1 + 1)


def title(fig: Figure, finding: str, subtitle: str = "") -> None:
    """The title block: the finding in bold, then what the chart shows, left-aligned.

    Text too long for one line is set smaller, then wrapped on two; the plot
    area below moves down to make room.
    """
    width, height = fig.get_size_inches()
    x = MARGIN / width
    top = 0.18
    finding, subtitle = safetext.line(finding), safetext.line(subtitle)
    main = fig.text(x, 1.0 - top / height, finding, ha="left", va="top", fontsize=TITLE_SIZE,
                    fontweight="bold", color="#111111", gid=TITLE_GID)
    lines = _fit(fig, main, width - 2 * MARGIN, smallest=13)
    used = top + 0.3 * lines
    if subtitle:
        sub = fig.text(x, 1.0 - (used + 0.08) / height, subtitle, ha="left", va="top",
                       fontsize=SUBTITLE_SIZE, color=GREY, gid=SUBTITLE_GID)
        used += 0.08 + 0.23 * _fit(fig, sub, width - 2 * MARGIN, smallest=10)
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=_plot_band(width, height, max(HEADER, used + 0.22)))


def chart_title(fig: Figure) -> str:
    """The finding in the title block of ``fig`` ("" for a figure without one)."""
    main = next((text for text in fig.texts if text.get_gid() == TITLE_GID), None)
    return " ".join(main.get_text().split()) if main is not None else ""


TOP_LEGEND_GID = "partnersim-top-legend"


def untitled(fig: Figure) -> Figure:
    """``fig`` without the finding in its title block, for a document that sets the finding above the chart
    in its own type (with every interval): the chart then never says it a second time, rounded otherwise.

    The subtitle, what the chart shows, moves up into the room, and the plots grow into what is left.
    """
    main = next((text for text in fig.texts if text.get_gid() == TITLE_GID), None)
    if main is None:
        return fig
    width, height = fig.get_size_inches()
    main.remove()
    used = 0.18
    sub = next((text for text in fig.texts if text.get_gid() == SUBTITLE_GID), None)
    if sub is not None:
        sub.set_y(1.0 - used / height)
        used += 0.23 * (sub.get_text().count("\n") + 1)
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        left, bottom, across, up = engine.get()["rect"]
        top = 1.0 - (used + 0.22) / height
        # A legend at the top of the band (top_legend) moves up with it, and keeps its room.
        legend = next((found for found in fig.legends if found.get_gid() == TOP_LEGEND_GID), None)
        if legend is not None:
            legend.set_bbox_to_anchor((left, top), transform=fig.transFigure)
            renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
            top -= legend.get_window_extent(renderer).height / fig.bbox.height + 0.1 / height
        engine.set(rect=(left, bottom, across, top - bottom))
    return fig


def _plot_band(width: float, height: float, header: float) -> tuple[float, float, float, float]:
    """Where plots go, in figure fractions: inside the side margins, between header and footer.

    The side margins match the title's, so names on the left line up with it.
    """
    side = MARGIN * 0.85 / width
    bottom = FOOTER / height
    return (side, bottom, 1.0 - 2 * side, 1.0 - header / height - bottom)


def plot_width(fig: Figure) -> float:
    """The width in inches of the band plots go in, inside the side margins."""
    width, height = fig.get_size_inches()
    return float(_plot_band(width, height, HEADER)[2] * width)


def _fit(fig: Figure, text: Text, width_in: float, smallest: float, wrap: bool = True) -> int:
    """Shrink ``text`` until it fits ``width_in`` inches, else wrap it in two balanced lines.

    What two lines at the smallest size cannot hold is cut with an ellipsis.
    Returns the number of lines needed (2 without ``wrap`` means: does not
    fit). The text is measured a few times whatever its length: whole once,
    then each word once; sizes and breaks are worked out from those widths and
    checked once (a width grows in proportion to the font size).
    """
    limit = width_in * fig.dpi * 0.98

    def wide() -> float:
        return measure(fig, text.get_text(), float(text.get_fontsize()), text.get_fontweight()) * fig.dpi

    size = float(text.get_fontsize())
    full = wide()
    if full <= limit:
        return 1
    # The largest size, in steps of half a point, at which the text fits on one line.
    fitting = max(smallest, math.floor(2 * size * limit / full) / 2)
    for candidate in (fitting + 0.5, fitting, fitting - 0.5):
        if smallest <= candidate < size:
            text.set_fontsize(candidate)
            if wide() <= limit:
                return 1
    text.set_fontsize(smallest)
    if not wrap:
        return 2
    first, second = _two_lines(fig, text, limit)
    text.set_text(first + "\n" + second)
    text.set_linespacing(1.2)
    return 2


def _two_lines(fig: Figure, text: Text, limit: float) -> tuple[str, str]:
    """``text`` in two lines of at most ``limit`` pixels: balanced when it fits, else the first line
    filled and the second cut with an ellipsis, so that it reads on to where it stops."""
    size, weight = float(text.get_fontsize()), text.get_fontweight()
    words = text.get_text().split()
    room = limit / fig.dpi
    if len(words) < 2:
        return shorten(fig, " ".join(words), room, size, weight), ""
    widths = {word: measure(fig, word, size, weight) * fig.dpi for word in set(words)}
    space = measure(fig, "a a", size, weight) * fig.dpi - 2 * measure(fig, "a", size, weight) * fig.dpi
    ends = [float(end) for end in np.cumsum([widths[word] + space for word in words]) - space]
    total = ends[-1]

    def lines(k: int) -> tuple[float, float]:  # the widths of the two lines when the break is after word k
        return ends[k - 1], total - ends[k - 1] - space

    cut = min(range(1, len(words)), key=lambda k: (max(lines(k)), k))
    if max(lines(cut)) > limit:  # no break fits: fill the first line, cut the second
        cut = max([k for k in range(1, len(words)) if lines(k)[0] <= limit] or [1])
    return (shorten(fig, " ".join(words[:cut]), room, size, weight),
            shorten(fig, " ".join(words[cut:]), room, size, weight))


def measure(fig: Figure, text: str, size: float, weight: str | int = "normal") -> float:
    """The width of ``text`` in inches at ``size`` points, in the house font, as ``fig`` draws it."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    font = FontProperties(size=size, weight=weight)
    # The same names and titles are measured again and again while charts are fitted: each width is
    # worked out once for everything it depends on (the font the settings find, the resolution).
    params = matplotlib.rcParams
    key = (text, tuple(font.get_family()), font.get_style(), font.get_variant(), font.get_weight(),
           font.get_stretch(), font.get_size_in_points(), font.get_file(), float(renderer.dpi), float(fig.dpi),
           *(tuple(params[name]) for name in _GENERIC_FAMILIES),
           params["text.hinting"], params["text.hinting_factor"], params["text.kerning_factor"])
    found = _WIDTHS.get(key)
    if found is None:
        width, _, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        found = float(width) / fig.dpi
        if len(_WIDTHS) >= 4096:
            _WIDTHS.clear()
        _WIDTHS[key] = found
    return found


_WIDTHS: dict[tuple[object, ...], float] = {}
_GENERIC_FAMILIES: tuple[Any, ...] = ("font.serif", "font.sans-serif", "font.cursive", "font.fantasy",
                                      "font.monospace")


def shorten(fig: Figure, text: str, width: float, size: float, weight: str | int = "normal") -> str:
    """``text`` on one line, cut with an ellipsis after as many characters as fit in ``width`` inches.

    Measured whole once; when too wide, the cut is searched by halving between a length that fits and one
    that does not, starting where the width in proportion says: a long name costs a few measurements, never
    one per character, and two names cut in one chart end at the same width.
    """
    text = safetext.line(text)
    full = measure(fig, text, size, weight)
    if full <= width:
        return text

    def cut(keep: int) -> str:
        return text[:keep].rstrip() + "…"

    fits, wide = 0, len(text)  # the longest kept that fits, the shortest that does not
    keep = min(max(int(len(text) * width / full), 1), wide - 1)
    while fits + 1 < wide:
        if measure(fig, cut(keep), size, weight) <= width:
            fits = keep
        else:
            wide = keep
        keep = (fits + wide) // 2
    return cut(fits) if fits else "…"


def footer_text(results: Results, run_date: dt.date | None = None, name_limit: int | None = None) -> str:
    """Scenario, replications, seed, version and date of a run, for the foot of a chart.

    ``name_limit`` cuts a long scenario name (with an ellipsis) so that the
    numbers after it stay on the chart.
    """
    name = results.scenario.name or "unnamed scenario"
    if name_limit is not None and len(name) > name_limit:
        name = name[: max(1, name_limit - 1)].rstrip() + "…"
    when = run_date or _run_date(results)
    return (
        f"Scenario: {name}  ·  {results.replications:,} replications  ·  seed {results.seed}"
        f"  ·  partnersim {__version__}  ·  run {when.isoformat()}"
    )


def footer(fig: Figure, results: Results | None = None, text: str | None = None) -> None:
    """Small grey provenance text across the bottom of the figure.

    With ``results``: scenario name, N, seed, partnersim version and run date,
    then ``text`` if given. Without (a process diagram): ``text`` and the
    partnersim version.
    """
    width, height = fig.get_size_inches()

    def compose(name_limit: int | None = None) -> str:
        parts = [footer_text(results, name_limit=name_limit)] if results is not None else []
        if text:
            parts.append(text)
        if results is None:
            parts.append(f"partnersim {__version__}")
        return "  ·  ".join(parts)

    note = fig.text(MARGIN / width, 0.12 / height, safetext.line(compose()), ha="left", va="bottom",
                    fontsize=FOOTER_SIZE, color="#8A8A8A")
    room = width - 2 * MARGIN
    if results is None or _fit(fig, note, room, smallest=6.5, wrap=False) == 1:
        return
    # Still too wide at the smallest size: shorten the scenario name, never the numbers. How
    # much to cut is worked out from the widths, then checked, not tried four letters at a time.
    size = float(note.get_fontsize())
    name = safetext.line(results.scenario.name)
    excess = measure(fig, note.get_text(), size) - room * 0.98
    keep = len(name) - math.ceil(excess / max(measure(fig, name, size) / max(len(name), 1), 1e-9))
    for _ in range(8):
        note.set_text(safetext.line(compose(max(keep, 12))))
        if keep <= 12 or measure(fig, note.get_text(), size) <= room * 0.98:
            break
        keep = min(keep - 2, int(keep * 0.92))


def _run_date(results: Results) -> dt.date:
    # The time stamp of the run where Results carry one; else the date of
    # drawing, which is the run's date when charts are drawn as it finishes.
    stamp = getattr(results, "created", None)
    if isinstance(stamp, dt.datetime):
        return stamp.date()
    if isinstance(stamp, dt.date):
        return stamp
    return dt.date.today()


def save(fig: Figure, path: str | Path, format: str | None = None) -> Path:
    """Write ``fig`` as PNG (200 dpi), SVG or PDF, then release it; return the path written.

    ``format`` defaults to the file's suffix. The figure keeps its size: no
    tight cropping, so every slide chart is exactly 16:9.
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "png").lower()
    if fmt not in FORMATS:
        raise PartnersimError(f'"format" must be one of {", ".join(FORMATS)}, got {fmt!r}.')
    metadata: dict[str, str] = {"Creator": f"partnersim {__version__}"}
    if fmt == "png":
        metadata = {"Software": metadata["Creator"]}
    try:
        with context(), files.atomic(path) as scratch:
            fig.savefig(scratch, format=fmt, dpi=PNG_DPI if fmt == "png" else "figure", metadata=metadata)
    finally:
        fig.clear()
    return path


def save_drawn(fig: Figure, path: str | Path, format: str | None = None) -> Path:
    """Write ``fig`` as :func:`save` does, the same file, for a figure thrown away after: not cleared, and a PNG
    laid out and drawn in one pass (savefig first lays a figure out in a pass that draws nothing, then draws
    it again as laid out). For the processes that only draw charts (:mod:`partnersim.charts.workers`)."""
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "png").lower()
    if fmt != "png" or fig.dpi != PNG_DPI:
        return save(fig, path, fmt)
    with context(), files.atomic(path) as scratch:
        params = matplotlib.rcParams
        for prop, colour in (("facecolor", params["savefig.facecolor"]), ("edgecolor", params["savefig.edgecolor"])):
            if not (isinstance(colour, str) and colour == "auto"):  # as savefig sets them
                fig.set(**{prop: colour})
        fig.canvas.print_png(scratch, metadata={"Software": f"partnersim {__version__}"})  # type: ignore[attr-defined]
    return path


def png_bytes(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """``fig`` as PNG data (for documents that embed their images), then release it."""
    import io

    buffer = io.BytesIO()
    try:
        with context():
            fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": f"partnersim {__version__}"})
    finally:
        fig.clear()
    return buffer.getvalue()


# ---- small helpers shared by the charts -------------------------------------------


def widest_margin(shares: Sequence[float], n: int) -> float:
    """The widest half-width of the 95% Wilson intervals of ``shares`` of ``n`` replications."""
    from partnersim.stats import wilson

    widest = 0.0
    for p in shares:
        count = round(float(p) * n)
        low, high = wilson(count, n)
        widest = max(widest, count / n - low, high - count / n) if n else widest
    return widest


def day_month_year(day: dt.date) -> str:
    """``1 Jan 2031``."""
    return f"{day.day} {day:%b %Y}"


def month_year(day: dt.date) -> str:
    """``Jan 2031``."""
    return f"{day:%b %Y}"


def spread(positions: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Move labels apart so that neighbours are at least ``gap`` apart, within ``[low, high]``.

    Keeps the order of ``positions``; used to set end-of-line labels that
    would otherwise sit on top of each other.
    """
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [float(positions[i]) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    if placed and placed[-1] > high:
        placed[-1] = high
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    if placed and placed[0] < low:
        shift = low - placed[0]
        placed = [p + shift for p in placed]
    result = [0.0] * len(positions)
    for k, i in enumerate(order):
        result[i] = placed[k]
    return result


def legend_room(fig: Figure, ncols: int, fontsize: float, handlelength: float) -> float:
    """The width in inches a label may take in a legend of ``ncols`` columns across the figure's
    width inside its margins (see :func:`legend_below`), with matplotlib's default paddings."""
    em = fontsize / 72
    params = matplotlib.rcParams
    inside = (fig.get_figwidth() - 2 * MARGIN - 2 * params["legend.borderpad"] * em
              - (ncols - 1) * params["legend.columnspacing"] * em)
    return 0.98 * inside / ncols - (handlelength + params["legend.handletextpad"]) * em


def legend_below(fig: Figure, ax: Axes, handles: list[Any], labels: list[str], *, ncols: int, fontsize: float,
                 **options: Any) -> Any:
    """A legend across the foot of the figure, just above the footer; the plot moves up to make room.

    Call it after :func:`title`, which sets the band the plot is laid out in.
    The legend is centred on the figure, not on the plot, so labels that fit
    :func:`legend_room` stay inside it.
    """
    height = fig.get_figheight()
    low = FOOTER + 0.04
    legend = ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, low / height),
                       bbox_transform=fig.transFigure, ncols=ncols, fontsize=fontsize, frameon=False,
                       borderaxespad=0.0, **options)
    # Laid out by hand: in the layout, a legend pinned to the figure would squeeze the plot to nothing.
    legend.set_in_layout(False)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    tall = legend.get_window_extent(renderer).height / fig.dpi
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        left, bottom, across, up = engine.get()["rect"]
        above = (low + tall + 0.1) / height
        engine.set(rect=(left, above, across, bottom + up - above))
    return legend


def top_legend(fig: Figure, ax: Axes, handles: list[Any], **options: Any) -> None:
    """A legend at the top of the band the plot is laid out in, on one row if it fits the band's width, else on
    as few rows as do (two, then three…), read row by row; the plot is laid out below it.

    Call it after :func:`title`. Laid out by hand, as :func:`legend_below` is: a legend hung on the axes
    and wider than they are would make the layout narrow the axes to its width.
    """
    engine = fig.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine) or len(handles) < 2:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=len(handles),
                  borderaxespad=0.0, handlelength=2.0, handleheight=1.2, columnspacing=1.3, **options)
        return
    left, bottom, across, up = engine.get()["rect"]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    tried: set[int] = set()
    legend = None
    for rows in range(1, len(handles) + 1):
        ncols = -(-len(handles) // rows)
        if ncols in tried:
            continue
        tried.add(ncols)
        rows = -(-len(handles) // ncols)
        # A legend fills columns first; reorder so that it reads row by row.
        ordered = [handles[r * ncols + c] for c in range(ncols) for r in range(rows) if r * ncols + c < len(handles)]
        if legend is not None:
            legend.remove()
        legend = fig.legend(handles=ordered, loc="upper left", bbox_to_anchor=(left, bottom + up),
                            bbox_transform=fig.transFigure, ncols=ncols, borderaxespad=0.0, handlelength=2.0,
                            handleheight=1.2, columnspacing=1.3, frameon=False, **options)
        legend.set_in_layout(False)
        legend.set_gid(TOP_LEGEND_GID)
        if ncols == 1 or legend.get_window_extent(renderer).width <= across * fig.bbox.width:
            break
    assert legend is not None
    tall = legend.get_window_extent(renderer).height / fig.bbox.height
    engine.set(rect=(left, bottom, across, up - tall - 0.1 / fig.get_figheight()))


def room_for(results: Results, most: int, *, rank: Callable[[CandidateResult], Any] | None = None,
             keep: Collection[int] = (), ranked: str = "") -> tuple[Results, str]:
    """The candidates a chart has room for: every one, or the ``most`` that ``rank`` puts first.

    ``rank`` defaults to the chance of success by the horizon, highest first;
    the candidates at the indexes in ``keep`` (those a title names) are always
    among them. Returns Results holding the chosen candidates, in scenario
    order, and a sentence for the subtitle that says which are shown ("" when
    all are); ``ranked`` words the ranking ("most likely to …" by default).
    """
    count = len(results.candidates)
    if count <= most:
        return results, ""
    score = rank or (lambda c: -c.outcomes[results.success].p)
    chosen = list(dict.fromkeys([i for i in keep if 0 <= i < count][:most]))
    for i in sorted(range(count), key=lambda i: (score(results.candidates[i]), i)):
        if len(chosen) >= most:
            break
        if i not in chosen:
            chosen.append(i)
    what = ranked or (f"those most likely to reach {results.success_words} by "
                      f"{day_month_year(results.end_date)}")
    shown = results.model_copy(update={"candidates": [results.candidates[i] for i in sorted(chosen)]})
    return shown, f"{most} of {count} candidates shown, {what}"


def short_name(fig: Figure, name: str, size: float, weight: str | int = "normal", room: float = NAME_ROOM) -> str:
    """A name cut to ``room`` (a share) of the figure's width, for labels, legends and tick labels."""
    return shorten(fig, name, fig.get_figwidth() * room, size, weight)


def with_note(note: str, text: str) -> str:
    """``text`` after ``note`` (which candidates are shown), so that a cut subtitle never loses it."""
    return f"{note}. {text}" if note else text


def candidate_rows(ax: Axes, names: list[str], top: float = 0.5, bottom: float = 0.5) -> None:
    """One row per candidate, the first on top; one or two rows keep a slide-friendly thickness.

    A name wider than :data:`NAME_ROOM` of the figure is cut with an ellipsis.
    """
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    names = [short_name(fig, name, NAME_SIZE) for name in names]
    ax.set_yticks(range(len(names)), names)
    extra = max(0.0, (3 - len(names)) / 2)
    ax.set_ylim(len(names) - bottom + extra, -top - extra)
    ax.tick_params(axis="y", length=0, labelsize=NAME_SIZE)
    ax.spines["left"].set_visible(False)


def light_grid(ax: Axes, axis: Literal["both", "x", "y"] = "x") -> None:
    ax.grid(True, axis=axis, color=GRID_GREY, linewidth=0.8)
    ax.set_axisbelow(True)
