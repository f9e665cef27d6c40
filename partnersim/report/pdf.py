"""The briefing as a PDF on A4 pages, laid out with matplotlib alone (no external program).

A small flowing layout: text is measured with the same font that draws it and
wrapped to the column, so nothing runs off a page; a heading is kept with
what follows it, a chart with its headline and caption, a table row with
itself (a table that breaks repeats its header). Sections follow each other
without a forced page break, so no page is left mostly empty. Charts are
drawn for the page (:data:`partnersim.charts.style.SIZES` "page") and printed
across it, their own margins in line with the text: the smallest text in a
chart prints at 7 points. Every page carries the scenario's name, its page
number and, when asked for, the marking at its top and foot. Every text is
drawn as one line (:func:`partnersim.safetext.line`): no control character
reaches a page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from partnersim import safetext
from partnersim._version import __version__
from partnersim.charts import style
from partnersim.report.measure import width as _width

if TYPE_CHECKING:
    from partnersim.report.content import Briefing, ChartSection
    from partnersim.report.findings import Table

PAGE_W, PAGE_H = 8.27, 11.69  # A4 portrait, inches
LEFT, RIGHT, TOP, BOTTOM = 0.75, 0.75, 0.62, 0.78
WIDTH = PAGE_W - LEFT - RIGHT
CHART_WIDTH = 7.27  # a "page" chart (8.27 in) at 88%: its own side margins line up with the text's
LEADING = 1.38
INK, MUTED = style.INK, style.MUTED
RULE = "#C8C8C8"
ACCENT = style.ACCENT


@dataclass(frozen=True)
class Font:
    size: float = 10.0
    weight: str = "normal"
    style: Literal["normal", "italic", "oblique"] = "normal"
    color: str = INK

    @property
    def line(self) -> float:
        return self.size * LEADING / 72

    def props(self) -> FontProperties:
        return FontProperties(family=style.RC["font.sans-serif"][0], size=self.size, weight=self.weight,
                              style=self.style)


BODY = Font(10.0)
SMALL = Font(8.5, color=MUTED)
CELL = Font(8.3)
CELL_BOLD = Font(8.3, weight="bold")
HEAD = Font(11, "bold")  # a chart's heading: the finding it supports
CAPTION = Font(8.5, style="italic", color=MUTED)
TABLE_TITLE = Font(10, "bold")
TABLE_NOTE = Font(8, style="italic", color=MUTED)
PAD_X, PAD_Y = 0.05, 0.035  # a table cell's padding, inches


def wrap(text: str, font: Font, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` inches; words too long are cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = [(w, font) for w in safetext.line(paragraph).split()]
        lines += [" ".join(word for word, _ in line) for line in _wrap_words(words, width)]
    return lines


def _wrap_words(words: list[tuple[str, Font]], width: float) -> list[list[tuple[str, Font]]]:
    """Greedy line breaking of words that may differ in font.

    Each word is measured once (and remembered); a line's width is the sum of
    its words and spaces, less a little room kept for kerning.
    """
    width *= 0.99
    lines: list[list[tuple[str, Font]]] = [[]]
    used = 0.0
    for word, font in words:
        for piece in _pieces(word, font, width):
            size = _width(piece, font.size, font.weight, font.style)
            space = _width(" ", font.size, font.weight, font.style) if lines[-1] else 0.0
            if lines[-1] and used + space + size > width:
                lines.append([])
                used, space = 0.0, 0.0
            lines[-1].append((piece, font))
            used += space + size
    return lines


def _runs(line: list[tuple[str, Font]]) -> list[tuple[str, Font]]:
    """Neighbouring words in the same font joined, to be drawn as one text."""
    runs: list[tuple[str, Font]] = []
    for word, font in line:
        if runs and runs[-1][1] == font:
            runs[-1] = (f"{runs[-1][0]} {word}", font)
        else:
            runs.append((word, font))
    return runs


def _pieces(word: str, font: Font, width: float) -> list[str]:
    if _width(word, font.size, font.weight, font.style) <= width:
        return [word]
    pieces, current = [], ""
    for char in word:
        if current and _width(current + char, font.size, font.weight, font.style) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]


class Document:
    """Pages being filled from the top; ``y`` is the distance from the top of the page, in inches."""

    def __init__(self, footer: str, marking: str = "") -> None:
        self.footer = footer
        self.marking = marking
        self.pages: list[Figure] = []
        self.filled: list[float] = []  # how far down each finished page was filled, inches from its top
        self.y = TOP

    @property
    def fig(self) -> Figure:
        if not self.pages:
            self.new_page()
        return self.pages[-1]

    def new_page(self) -> None:
        if self.pages:
            self.filled.append(self.y)
        fig = Figure(figsize=(PAGE_W, PAGE_H))
        FigureCanvasAgg(fig)
        self.pages.append(fig)
        self.y = TOP

    def room(self) -> float:
        return PAGE_H - BOTTOM - self.y

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` inches still fit on this one."""
        if self.pages and height > self.room() and self.y > TOP + 1e-9:
            self.new_page()
        self.fig  # noqa: B018 - make sure a page exists

    def text(self, x: float, y: float, text: str, font: Font, **options: Any) -> None:
        self.fig.text(x / PAGE_W, 1 - y / PAGE_H, safetext.line(text), fontsize=font.size, fontweight=font.weight,
                      fontstyle=font.style, color=font.color, va="top", ha=options.pop("ha", "left"),
                      parse_math=False, **options)

    def paragraph(self, text: str, font: Font = BODY, indent: float = 0.0, after: float = 0.08,
                  bullet: str = "", lead: str = "") -> None:
        """A wrapped paragraph; ``lead``, the start of ``text``, is set in bold."""
        bold = Font(font.size, "bold", font.style, font.color)
        text, lead = safetext.line(text), safetext.line(lead)
        rest = text[len(lead):] if lead and text.startswith(lead) else text
        words = [(w, bold) for w in lead.split()] + [(w, font) for w in rest.split()]
        for i, line in enumerate(_wrap_words(words, WIDTH - indent)):
            self.need(font.line)
            if bullet and i == 0:
                self.text(LEFT + indent - 0.17, self.y, bullet, font)
            x = LEFT + indent
            for run, run_font in _runs(line):
                self.text(x, self.y, run, run_font)
                x += _width(run + " ", run_font.size, run_font.weight, run_font.style)
            self.y += font.line
        self.y += after

    def heading(self, text: str, size: float = 14.0, keep: float = 1.2, before: float = 0.16) -> None:
        font = Font(size, "bold", color=INK)
        lines = wrap(text, font, WIDTH)
        self.need(before + font.line * len(lines) + keep)
        if self.y > TOP + 1e-9:
            self.y += before
        for line in lines:
            self.text(LEFT, self.y, line, font)
            self.y += font.line
        self.y += 0.05

    def rule(self, colour: str = RULE, after: float = 0.12) -> None:
        self.fig.add_artist(_line(self.y, colour))
        self.y += after

    def callout(self, title: str, text: str) -> None:
        """``text`` under ``title`` on a tinted panel across the column: what a reader must see first."""
        from matplotlib.patches import Rectangle

        font, pad = Font(11), 0.14
        lines = wrap(text, font, WIDTH - 2 * pad)
        head = Font(11, "bold", color=ACCENT)
        height = pad + head.line + 0.04 + len(lines) * font.line + pad
        self.need(height + 0.1)
        top = self.y
        self.fig.add_artist(Rectangle((LEFT / PAGE_W, 1 - (top + height) / PAGE_H), WIDTH / PAGE_W, height / PAGE_H,
                                      facecolor="#EEF3F8", edgecolor="none", zorder=0))
        self.fig.add_artist(Rectangle((LEFT / PAGE_W, 1 - (top + height) / PAGE_H), 0.05 / PAGE_W, height / PAGE_H,
                                      facecolor=ACCENT, edgecolor="none", zorder=0))
        self.y = top + pad
        self.text(LEFT + pad, self.y, title, head)
        self.y += head.line + 0.04
        for line in lines:
            self.text(LEFT + pad, self.y, line, font)
            self.y += font.line
        self.y = top + height + 0.16

    def chart_height(self, section: ChartSection) -> float:
        """The height in inches of a chart with its heading and caption."""
        head = wrap(section.heading, HEAD, WIDTH)
        note = wrap(section.caption, CAPTION, WIDTH)
        image = _image(section.png)
        return (0.08 + len(head) * HEAD.line + 0.04 + CHART_WIDTH * image.shape[0] / image.shape[1] + 0.06
                + len(note) * CAPTION.line + 0.14)

    def chart(self, section: ChartSection) -> None:
        font = HEAD
        head = wrap(section.heading, font, WIDTH)
        note = wrap(section.caption, CAPTION, WIDTH)
        image = _image(section.png)
        width = CHART_WIDTH
        height = width * image.shape[0] / image.shape[1]
        self.need(self.chart_height(section))
        if self.y > TOP + 1e-9:
            self.y += 0.08
        for line in head:
            self.text(LEFT, self.y, line, font)
            self.y += font.line
        self.y += 0.04
        x = (PAGE_W - width) / 2
        ax = self.fig.add_axes((x / PAGE_W, 1 - (self.y + height) / PAGE_H, width / PAGE_W, height / PAGE_H))
        ax.imshow(image, interpolation="none")
        ax.set_axis_off()
        self.y += height + 0.06
        for line in note:
            self.text(LEFT, self.y, line, CAPTION)
            self.y += CAPTION.line
        self.y += 0.14

    def table_height(self, table: Table, fractions: list[float] | None = None, font: Font = CELL) -> float:
        """The height in inches of ``table`` whole, with its title and note."""
        widths = _column_widths(table, font, fractions)
        header = [wrap(h, CELL_BOLD, w - 2 * PAD_X) for h, w in zip(table.header, widths, strict=True)]
        header_h = max(len(c) for c in header) * font.line + 2 * PAD_Y if any(table.header) else 0.0
        note = len(wrap(table.note, TABLE_NOTE, WIDTH)) * TABLE_NOTE.line + 0.05 if table.note else 0.0
        return (len(wrap(table.title, TABLE_TITLE, WIDTH)) * TABLE_TITLE.line + 0.05 + header_h + 0.06 + note + 0.12
                + sum(self._row_height(row, widths, font, PAD_X, PAD_Y) for row in table.rows))

    def table_start(self, table: Table, fractions: list[float] | None = None, font: Font = CELL) -> float:
        """The room in inches ``table`` asks for on the page it starts on: the whole table when it fits in half a
        page (it is kept whole), else its title, header and first row (a longer one breaks between rows). A
        heading kept with the table keeps this much after it."""
        widths = _column_widths(table, font, fractions)
        header = [wrap(h, CELL_BOLD, w - 2 * PAD_X) for h, w in zip(table.header, widths, strict=True)]
        header_h = max(len(c) for c in header) * font.line + 2 * PAD_Y if any(table.header) else 0.0
        heights = [self._row_height(row, widths, font, PAD_X, PAD_Y) for row in table.rows]
        start = len(wrap(table.title, TABLE_TITLE, WIDTH)) * TABLE_TITLE.line + 0.05 + header_h
        whole = start + sum(heights)
        return whole if whole <= (PAGE_H - TOP - BOTTOM) / 2 else start + (heights[0] if heights else 0.0)

    def table(self, table: Table, fractions: list[float] | None = None, font: Font = CELL) -> None:
        widths = _column_widths(table, font, fractions)
        pad_x, pad_y = PAD_X, PAD_Y
        header = [wrap(h, CELL_BOLD, w - 2 * pad_x) for h, w in zip(table.header, widths, strict=True)]
        header_h = max(len(c) for c in header) * font.line + 2 * pad_y if any(table.header) else 0.0
        title = TABLE_TITLE
        title_lines = wrap(table.title, title, WIDTH)
        heights = [self._row_height(row, widths, font, pad_x, pad_y) for row in table.rows]
        self.need(self.table_start(table, fractions, font))
        for line in title_lines:
            self.text(LEFT, self.y, line, title)
            self.y += title.line
        self.y += 0.05
        self._header(header, widths, header_h, pad_x, pad_y)
        for row, height in zip(table.rows, heights, strict=True):
            if height > self.room():
                self.new_page()
                self._header(header, widths, header_h, pad_x, pad_y)
            x = LEFT
            for cell, w in zip(row, widths, strict=True):
                for k, line in enumerate(wrap(cell, font, w - 2 * pad_x)):
                    self.text(x + pad_x, self.y + pad_y + k * font.line, line, font)
                x += w
            self.y += height
            self.fig.add_artist(_line(self.y, "#E2E2E2", width=0.5))
        self.y += 0.06
        if table.note:
            self.paragraph(table.note, TABLE_NOTE, after=0.05)
        self.y += 0.12

    def _row_height(self, row: list[str], widths: list[float], font: Font, pad_x: float, pad_y: float) -> float:
        lines = max(len(wrap(cell, font, w - 2 * pad_x)) for cell, w in zip(row, widths, strict=True))
        return lines * font.line + 2 * pad_y

    def _header(self, header: list[list[str]], widths: list[float], height: float, pad_x: float,
                pad_y: float) -> None:
        if not height:
            self.fig.add_artist(_line(self.y, "#555555", width=0.9))
            return
        x = LEFT
        for lines, w in zip(header, widths, strict=True):
            for k, line in enumerate(lines):
                self.text(x + pad_x, self.y + pad_y + k * CELL_BOLD.line, line, CELL_BOLD)
            x += w
        self.y += height
        self.fig.add_artist(_line(self.y, "#555555", width=0.9))

    def save(self, path: Path) -> None:
        total = len(self.pages)
        metadata = {"Creator": f"partnersim {__version__}", "Title": self.footer}
        with style.context(), PdfPages(path, metadata=metadata) as pdf:
            for number, fig in enumerate(self.pages, start=1):
                fig.text(LEFT / PAGE_W, 0.45 / PAGE_H, self.footer, fontsize=7.5, color="#8A8A8A",
                         va="bottom", parse_math=False)
                fig.text(1 - RIGHT / PAGE_W, 0.45 / PAGE_H, f"Page {number} of {total}", fontsize=7.5,
                         color="#8A8A8A", va="bottom", ha="right")
                if self.marking:
                    for y, va in ((PAGE_H - 0.28, "top"), (0.2, "bottom")):
                        fig.text(0.5, y / PAGE_H, self.marking, fontsize=10, fontweight="bold", color=INK,
                                 ha="center", va=va, parse_math=False)
                pdf.savefig(fig)


def _line(y: float, colour: str, width: float = 0.8) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([LEFT / PAGE_W, 1 - RIGHT / PAGE_W], [1 - y / PAGE_H] * 2, color=colour, linewidth=width)


def _image(png: bytes) -> Any:
    """The chart as 8-bit RGB, which the PDF embeds as it is (floats and alpha would be re-encoded)."""
    import numpy as np
    from matplotlib.image import imread

    data = imread(io.BytesIO(png), format="png")
    return np.round(data[:, :, :3] * 255).astype(np.uint8)


LONGEST_WORD = 1.4  # inches: the widest a single word may make a table's column


def _column_widths(table: Table, font: Font, fractions: list[float] | None) -> list[float]:
    """Fixed ``fractions`` of the width, or widths from the content: natural where it fits, else squeezed."""
    if fractions:
        return [WIDTH * f / sum(fractions) for f in fractions]
    columns = list(zip(table.header, *table.rows, strict=True))
    pad = 0.1
    natural = [max(_width(c, font.size, "bold" if i == 0 else font.weight, font.style) for i, c in enumerate(col)) + pad
               for col in columns]
    # Each column at least as wide as its longest word, but a word longer than LONGEST_WORD (an address) is
    # broken where the line ends, so that one address cannot squeeze the other columns to a letter each.
    shortest = [max(max((min(_width(w, font.size, "bold", font.style), LONGEST_WORD) for w in c.split()),
                        default=0.0) for c in col) + pad for col in columns]
    if sum(natural) <= WIDTH:
        extra = (WIDTH - sum(natural)) / len(natural)
        return [n + extra for n in natural]
    spare = WIDTH - sum(shortest)
    give = [n - s for n, s in zip(natural, shortest, strict=True)]
    return [s + spare * g / sum(give) if sum(give) else s for s, g in zip(shortest, give, strict=True)]


# ---- the briefing -----------------------------------------------------------------------


def write_pdf(briefing: Briefing, path: Path) -> Path:
    lay_out(briefing).save(path)
    return path


def lay_out(briefing: Briefing) -> Document:
    """The briefing's pages: the bottom line, question and findings; the charts, two to a page where they fit,
    with the summary tables filling the room a chart leaves; the assumptions; the method, the process and
    the provenance."""
    doc = Document(f"{safetext.line(briefing.title)}  ·  partnersim {__version__}", safetext.line(briefing.marking))
    _title_page(doc, briefing)
    tables = list(briefing.tables)
    # Each chart comes under its own heading, the finding it supports; no section heading above them, which
    # would cost the room that two charts to a page need.
    for number, section in enumerate(briefing.result_charts):
        if doc.room() < doc.chart_height(section) and tables:
            # The chart goes to the next page. Rather than leave the rest of this one empty, the summary
            # tables that fit float up into it.
            shown = len(briefing.tables) - len(tables)
            while tables and doc.table_height(tables[0]) + (0.45 if number == 0 and not shown else 0.0) <= doc.room():
                if number == 0 and not shown:
                    _summary_heading(doc, tables[0], False)
                doc.table(tables.pop(0))
                shown += 1
        doc.chart(section)
    if tables:
        _summary_heading(doc, tables[0], continued=len(tables) < len(briefing.tables))
    for table in tables:
        doc.table(table)
    _assumptions(doc, briefing)
    _provenance(doc, briefing)
    return doc


def _title_page(doc: Document, briefing: Briefing) -> None:
    for line in wrap(briefing.title, Font(22, "bold"), WIDTH):
        doc.need(Font(22).line)
        doc.text(LEFT, doc.y, line, Font(22, "bold"))
        doc.y += Font(22).line
    doc.y += 0.04
    doc.paragraph(briefing.date_line, Font(9, color=MUTED), after=0.1)
    doc.rule(ACCENT)
    if briefing.bottom_line:
        doc.callout("Bottom line", briefing.bottom_line)
    if briefing.question:
        doc.heading("The question", size=12.5, keep=0.4, before=0.05)
        doc.paragraph(briefing.question, Font(11.5, style="italic"), after=0.12)
    doc.heading("Key findings", size=12.5, keep=0.6)
    for finding, lead in zip(briefing.findings, briefing.finding_leads, strict=True):
        doc.paragraph(finding, Font(10), indent=0.2, bullet="•", after=0.07, lead=lead)
    doc.paragraph(briefing.reading, Font(8.5, style="italic", color=MUTED), after=0.1)
    for note in briefing.notes:
        doc.paragraph(note, Font(8.5, style="italic", color=MUTED), after=0.1)


def _summary_heading(doc: Document, first: Table, continued: bool) -> None:
    doc.heading("Summary tables" + (" (continued)" if continued else ""), size=12.5, keep=doc.table_start(first))


def _assumptions(doc: Document, briefing: Briefing) -> None:
    doc.heading("Assumptions and their sources", size=15, keep=1.5)
    doc.paragraph(briefing.inputs_note, Font(9.5, color=MUTED), after=0.12)
    if briefing.description:
        doc.heading(briefing.description_heading, size=11, keep=0.4)
        doc.paragraph(briefing.description, Font(9.5), after=0.12)
    for source in briefing.inputs:
        title = source.name + (f" (extends {source.extends})" if source.extends else "")
        doc.heading(title, size=11, keep=0.8)
        for paragraph in source.header.split("\n\n"):
            if paragraph:
                doc.paragraph(paragraph, Font(8.8, color=MUTED), after=0.06)
        doc.y += 0.06
        if source.settings:
            from partnersim.report.findings import Table

            rows = [[s.label, s.value, s.source or "(no source given)"] for s in source.settings]
            doc.table(Table(title=f"Settings in {source.name}", header=["Setting", "Value", "Source or reasoning"],
                            rows=rows), fractions=[0.25, 0.2, 0.55], font=Font(8))


def _provenance(doc: Document, briefing: Briefing) -> None:
    from partnersim.report.findings import Table

    doc.heading("Method and provenance", size=15, keep=2.0)
    doc.paragraph(briefing.method, Font(9.5), after=0.14)
    if briefing.process is not None:
        doc.chart(briefing.process)
    doc.table(Table(title="This run", header=["", ""], rows=[list(item) for item in briefing.provenance]),
              fractions=[0.28, 0.72])
