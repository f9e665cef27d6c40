"""The briefing as PowerPoint slides (python-pptx): one finding per slide, with its chart.

16:9 slides in the order a briefer presents: a title slide with the
question; the key findings; one slide per chart whose title is the finding
it supports; the summary tables; the assumptions with their sources (on as
many slides as they need); method and provenance. PowerPoint does not shrink
text to fit on its own, so text is sized from its length and long tables are
split across slides.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from partnersim._version import __version__
from partnersim.charts import style
from partnersim.safetext import line

if TYPE_CHECKING:
    from partnersim.report.content import Briefing, ChartSection

SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.55
BODY_W = SLIDE_W - 2 * MARGIN
INK, MUTED, ACCENT = (RGBColor.from_string(colour.lstrip("#")) for colour in (style.INK, style.MUTED, style.ACCENT))
HEADER_FILL = RGBColor(0xE8, 0xEE, 0xF4)
FONT = "Calibri"
CHAR = 0.46  # average width of a character in Calibri, in ems (0.41), with room for line breaks
TABLE_ROOM = 5.5  # inches of slide height for a table under its title


def write_pptx(briefing: Briefing, path: Path) -> Path:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    deck.core_properties.title = line(briefing.title)
    deck.core_properties.author = f"partnersim {__version__}"
    _title_slide(deck, briefing)
    _findings_slides(deck, briefing)
    for section in briefing.charts:
        _chart_slide(deck, section, briefing)
    for table in briefing.tables:
        # Columns as wide as their longest text, so that short cells do not wrap.
        weights = [max(len(cell) for cell in column) + 2.0 for column in zip(table.header, *table.rows, strict=True)]
        _table_slides(deck, table.title, table.header, table.rows, weights, size=13, note=table.note)
    _assumption_slides(deck, briefing)
    _provenance_slide(deck, briefing)
    deck.save(str(path))
    return path


def _blank(deck: Any) -> Any:
    return deck.slides.add_slide(deck.slide_layouts[6])


def _box(slide: Any, x: float, y: float, w: float, h: float) -> Any:
    frame = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h)).text_frame
    frame.word_wrap = True
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(0.02))
    return frame


def _run(paragraph: Any, text: str, size: float, *, bold: bool = False, italic: bool = False,
         colour: RGBColor = INK) -> None:
    run = paragraph.add_run()
    run.text = line(text)  # a control character in a name would make the file invalid XML
    run.font.size, run.font.bold, run.font.italic, run.font.name = Pt(size), bold, italic, FONT
    run.font.color.rgb = colour


def lines(text: str, size: float, width: float, bold: bool = False) -> int:
    """How many lines ``text`` takes at ``size`` points in ``width`` inches (an estimate, erring long)."""
    per_line = max(1, int(width * 72 / (size * (CHAR * 1.1 if bold else CHAR))))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _fit(text: str, width: float, height: float, sizes: tuple[float, ...], bold: bool = False) -> float:
    """The largest of ``sizes`` at which ``text`` fits the box."""
    for size in sizes:
        if lines(text, size, width, bold) * size * 1.2 / 72 <= height:
            return size
    return sizes[-1]


def _title(slide: Any, text: str, height: float = 1.15, top: float = 0.35) -> None:
    size = _fit(text, BODY_W, height, (28, 26, 24, 22, 20, 18), bold=True)
    frame = _box(slide, MARGIN, top, BODY_W, height)
    _run(frame.paragraphs[0], text, size, bold=True)


def _title_slide(deck: Any, briefing: Briefing) -> None:
    slide = _blank(deck)
    bar = slide.shapes.add_shape(1, Inches(MARGIN), Inches(1.55), Inches(1.2), Inches(0.08))
    bar.fill.solid()
    bar.fill.fore_color.rgb = ACCENT
    bar.line.fill.background()
    frame = _box(slide, MARGIN, 1.75, BODY_W, 1.6)
    _run(frame.paragraphs[0], briefing.title, _fit(briefing.title, BODY_W, 1.6, (40, 36, 32, 28), bold=True),
         bold=True)
    if briefing.question:
        frame = _box(slide, MARGIN, 3.55, BODY_W, 2.2)
        _run(frame.paragraphs[0], briefing.question, _fit(briefing.question, BODY_W, 2.2, (24, 22, 20, 18, 16)),
             italic=True, colour=RGBColor(0x33, 0x33, 0x33))
    frame = _box(slide, MARGIN, 6.2, BODY_W, 0.6)
    _run(frame.paragraphs[0], briefing.date_line, 13, colour=MUTED)


def _findings_slides(deck: Any, briefing: Briefing, per_slide: int = 5) -> None:
    pairs = list(zip(briefing.findings, briefing.finding_leads, strict=True))
    chunks = [pairs[i:i + per_slide] for i in range(0, len(pairs), per_slide)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        slide = _blank(deck)
        suffix = f" ({number} of {len(chunks)})" if len(chunks) > 1 else ""
        _title(slide, f"Key findings{suffix}", height=0.8)
        text = "\n".join(f for f, _ in chunk)
        size = _fit(text + "\n" * len(chunk), BODY_W - 0.3, 5.4, (18, 17, 16, 15, 14, 13, 12, 11))
        frame = _box(slide, MARGIN, 1.3, BODY_W, 5.4)
        for i, (finding, lead) in enumerate(chunk):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.space_after = Pt(size * 0.6)
            rest = finding[len(lead):] if finding.startswith(lead) else finding
            _run(paragraph, "• " + lead, size, bold=True)
            _run(paragraph, rest, size)
        note = _box(slide, MARGIN, 6.75, BODY_W, 0.3)
        _run(note.paragraphs[0], "Percentages in brackets are 95% intervals. Dates are the months by which that "
             "chance is reached.", 11, italic=True, colour=MUTED)


def _chart_slide(deck: Any, section: ChartSection, briefing: Briefing) -> None:
    slide = _blank(deck)
    _title(slide, section.headline)
    top, bottom = 1.55, 6.55
    height = bottom - top
    width = min(BODY_W, height * 16 / 9)
    left = (SLIDE_W - width) / 2
    slide.shapes.add_picture(io.BytesIO(section.png), Inches(left), Inches(top), width=Inches(width))
    frame = _box(slide, MARGIN, bottom + 0.08, BODY_W, 0.6)
    size = _fit(section.caption, BODY_W, 0.6, (13, 12, 11, 10))
    _run(frame.paragraphs[0], section.caption, size, italic=True, colour=MUTED)


def _table_slides(deck: Any, title: str, header: list[str], rows: list[list[str]], weights: list[float],
                  size: float = 12, note: str = "") -> None:
    """A table on as many slides as its rows need, the header repeated on each."""
    widths = [BODY_W * w / sum(weights) for w in weights]

    def height(row: list[str]) -> float:
        return max(lines(c, size, w - 0.12) for c, w in zip(row, widths, strict=True)) * size * 1.25 / 72 + 0.1

    chunks = _balanced([height(row) for row in rows], rows, TABLE_ROOM - height(header))
    for number, chunk in enumerate(chunks, start=1):
        slide = _blank(deck)
        suffix = f" ({number} of {len(chunks)})" if len(chunks) > 1 else ""
        _title(slide, title + suffix, height=0.9)
        shape = slide.shapes.add_table(len(chunk) + (1 if any(header) else 0), len(header), Inches(MARGIN),
                                       Inches(1.35), Inches(BODY_W), Inches(0.3))
        table = shape.table
        for k, w in enumerate(widths):
            table.columns[k].width = Emu(int(Inches(w)))
        cells = ([header] if any(header) else []) + chunk
        for r, row in enumerate(cells):
            head = r == 0 and any(header)
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.margin_left = cell.margin_right = Inches(0.06)
                cell.margin_top = cell.margin_bottom = Inches(0.03)
                cell.fill.solid()
                cell.fill.fore_color.rgb = HEADER_FILL if head else RGBColor(0xFF, 0xFF, 0xFF)
                frame = cell.text_frame
                frame.word_wrap = True
                frame.paragraphs[0].text = ""
                _run(frame.paragraphs[0], text, size, bold=head or (c == 0 and not any(header)))
        if note and number == len(chunks):
            frame = _box(slide, MARGIN, 6.75, BODY_W, 0.3)
            _run(frame.paragraphs[0], note, 11, italic=True, colour=MUTED)


def _balanced(heights: list[float], rows: list[list[str]], room: float) -> list[list[list[str]]]:
    """Rows over as few slides as fit, filled evenly (no lone row on the last slide).

    The fewest slides is what filling each to ``room`` needs; the fullest slide is
    then made as empty as that number of slides allows (a search on the cap).
    """
    def split(cap: float) -> list[list[list[str]]]:
        chunks: list[list[list[str]]] = [[]]
        used = 0.0
        for height, row in zip(heights, rows, strict=True):
            if chunks[-1] and used + height > cap:
                chunks.append([])
                used = 0.0
            chunks[-1].append(row)
            used += height
        return chunks

    fewest = len(split(room))
    low, high = max(heights, default=0.0), max(room, max(heights, default=0.0))
    for _ in range(40):
        middle = (low + high) / 2
        if len(split(middle)) <= fewest:
            high = middle
        else:
            low = middle
    even = _even(heights, rows, fewest, high)
    return even if even is not None else split(high)


def _even(heights: list[float], rows: list[list[str]], count: int, cap: float) -> list[list[list[str]]] | None:
    """``count`` slides, each aiming at an equal share of what is left; None if one would overflow ``cap``."""
    chunks: list[list[list[str]]] = []
    index = 0
    for k in range(count):
        target = sum(heights[index:]) / (count - k)
        chunk: list[list[str]] = []
        used = 0.0
        while index < len(rows) and (k == count - 1 or not chunk or
                                     (used + heights[index] <= cap and used + heights[index] / 2 <= target)):
            chunk.append(rows[index])
            used += heights[index]
            index += 1
        if used > cap + 1e-9 and len(chunk) > 1:
            return None
        chunks.append(chunk)
    return chunks if all(chunks) or not rows else None


def _assumption_slides(deck: Any, briefing: Briefing) -> None:
    notes = [briefing.description] if briefing.description else []
    notes += [p for source in briefing.inputs for p in source.header.split("\n\n") if p]
    if notes:
        slide = _blank(deck)
        _title(slide, "Assumptions: what the scenario says about itself", height=0.8)
        text = "\n".join(notes)
        size = _fit(text + "\n" * len(notes), BODY_W, 5.6, (16, 15, 14, 13, 12, 11, 10, 9))
        frame = _box(slide, MARGIN, 1.3, BODY_W, 5.6)
        for i, note in enumerate(notes):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.space_after = Pt(size * 0.5)
            _run(paragraph, note, size, colour=INK if i == 0 and briefing.description else MUTED)
    for source in briefing.inputs:
        if not source.settings:
            continue
        rows = [[s.label, s.value, s.source or "(no source given)"] for s in source.settings]
        _table_slides(deck, f"Assumptions and their sources: {source.name}", ["Setting", "Value", "Source or reasoning"],
                      rows, [2.6, 2.2, 6.5], size=10.5)


def _provenance_slide(deck: Any, briefing: Briefing) -> None:
    slide = _blank(deck)
    _title(slide, "Method and provenance", height=0.8)
    size = _fit(briefing.method, BODY_W, 1.9, (13, 12, 11, 10))
    frame = _box(slide, MARGIN, 1.2, BODY_W, 1.9)
    _run(frame.paragraphs[0], briefing.method, size)
    used = lines(briefing.method, size, BODY_W) * size * 1.2 / 72
    top = 1.2 + used + 0.2
    shape = slide.shapes.add_table(len(briefing.provenance), 2, Inches(MARGIN), Inches(top), Inches(BODY_W),
                                   Inches(0.25))
    table = shape.table
    table.columns[0].width = Emu(int(Inches(3.0)))
    table.columns[1].width = Emu(int(Inches(BODY_W - 3.0)))
    for r, (key, value) in enumerate(briefing.provenance):
        for c, text in enumerate((key, value)):
            cell = table.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            cell.text_frame.word_wrap = True
            cell.text_frame.paragraphs[0].text = ""
            _run(cell.text_frame.paragraphs[0], text, 9.5, bold=c == 0)
