"""The briefing as PowerPoint slides (python-pptx), every slide on a layout with a title placeholder.

Slides in the order a briefer presents: a title slide with the question; the
bottom line; the key findings; one slide per chart whose title is the finding
it supports; the summary tables; the assumptions with their sources (on as
many slides as they need); the process, the method and the provenance of the
run. Each slide's title is its layout's title placeholder, so the outline
view, a screen reader and a ministry's theme all see it; each caption and
note goes to the slide's speaker notes.

A user's template (``.pptx`` or ``.potx``) is built on as it is: its slide
size, theme and layouts, found by the placeholders they hold (a title slide, a
title only, a title and content), never by name. Its own slides are left out.
Without one, partnersim's own 16:9 layouts are used.

PowerPoint's "shrink text on overflow" is not relied on (LibreOffice ignores
it): every text is measured in DejaVu Sans, wider than the fonts a slide is
shown in (:mod:`partnersim.report.measure`), and set at the largest size at
which it fits its box; a title too long for its placeholder at the smallest
size gets a taller placeholder, and the content moves down.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import PP_ALIGN
from pptx.exc import PackageNotFoundError
from pptx.util import Emu, Inches, Pt

from partnersim._version import __version__
from partnersim.charts import style
from partnersim.errors import PartnersimError
from partnersim.report import measure
from partnersim.safetext import line

if TYPE_CHECKING:
    from partnersim.report.content import Briefing, ChartSection

SLIDE_W, SLIDE_H = 13.333, 7.5  # partnersim's own slides: 16:9
EMU_PER_INCH = 914400
INK, MUTED = (RGBColor.from_string(colour.lstrip("#")) for colour in (style.INK, style.MUTED))
HEADER_FILL = RGBColor(0xE8, 0xEE, 0xF4)
SAFETY = 1.06  # text is measured this much wider than DejaVu Sans sets it: room for a wider theme font
LEADING = 1.2  # a line's height, in font sizes
INSET_X, INSET_Y = 0.1, 0.05  # the insets of a text frame, inches (PowerPoint's defaults)
TITLE_SIZES = (28, 26, 24, 22, 20, 18)
MARK_BAND = 0.3  # inches at the top and the foot of a slide kept for the marking

_FOOT = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
_BODIES = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}
_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
_DECK_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


# ---- the template ------------------------------------------------------------------------


@dataclass
class Template:
    """A deck without slides, and the three layouts the briefing is built on."""

    deck: Any
    cover: Any  # a title (centred or not) and, where the template has one, a subtitle
    plain: Any  # a title only: charts and tables
    content: Any  # a title and a body: text
    warnings: list[str] = field(default_factory=list)


def open_template(path: str | Path | None = None) -> Template:
    """The deck a briefing is built on: the template at ``path`` emptied of its slides, or partnersim's own.

    A file that is not a PowerPoint presentation or template raises a
    :class:`PartnersimError` naming it. A template without a layout that has
    a title placeholder cannot give the slides titles: partnersim's own
    layouts are used instead, and ``warnings`` says so.
    """
    if path is None:
        return _own()
    path = Path(path)
    if path.is_dir():
        raise PartnersimError(f"--template: {path} is a folder; give a .pptx or .potx file")
    if not path.is_file():
        raise PartnersimError(f"--template: no file at {path}")
    if path.suffix.lower() not in (".pptx", ".potx"):
        raise PartnersimError(f"--template: {path.name} is not a PowerPoint presentation or template "
                              "(.pptx or .potx)")
    try:
        deck = Presentation(io.BytesIO(_as_presentation(path.read_bytes())))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        raise PartnersimError(f"--template: cannot read {path} as a PowerPoint file "
                              f"({line(str(exc)) or type(exc).__name__})") from None
    except OSError as exc:
        raise PartnersimError(f"--template: cannot read {path}: {exc.strerror or exc}") from None
    _drop_slides(deck)
    found = _layouts(deck)
    if found is None:
        own = _own()
        own.warnings.append(f"{path.name} has no slide layout with a title placeholder, so the slides use "
                            "partnersim's own layouts")
        return own
    return Template(deck, *found)


def _as_presentation(data: bytes) -> bytes:
    """A template's package as a presentation's: the two differ only in the main part's content type."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml")
        if _TEMPLATE_TYPE not in types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                body = source.read(item)
                target.writestr(item, types.replace(_TEMPLATE_TYPE, _DECK_TYPE) if item.filename ==
                                "[Content_Types].xml" else body)
    return out.getvalue()


def _drop_slides(deck: Any) -> None:
    """The template's own slides left out: a slide no relationship points to is not saved."""
    ids = deck.slides._sldIdLst
    for slide_id in list(ids):
        deck.part.drop_rel(slide_id.rId)
        ids.remove(slide_id)


def _kinds(layout: Any) -> list[Any]:
    return [ph.placeholder_format.type for ph in layout.placeholders if ph.placeholder_format.type not in _FOOT]


def _placeholder(layout: Any, kinds: set[Any]) -> Any:
    return next((ph for ph in layout.placeholders if ph.placeholder_format.type in kinds), None)


def _layouts(deck: Any) -> tuple[Any, Any, Any] | None:
    """The cover, title-only and title-and-content layouts of ``deck``, found by their placeholders; None
    when no layout has a title above the slide's content."""
    layouts = [layout for master in deck.slide_masters for layout in master.slide_layouts]
    height = deck.slide_height

    def titled(layout: Any) -> bool:
        title = _placeholder(layout, {PP_PLACEHOLDER.TITLE})
        return title is not None and title.top is not None and title.top < height / 3

    plain = next((lay for lay in layouts if _kinds(lay) == [PP_PLACEHOLDER.TITLE] and titled(lay)), None)

    def text_layout(layout: Any) -> bool:
        kinds = _kinds(layout)
        if len(kinds) != 2 or PP_PLACEHOLDER.TITLE not in kinds or not titled(layout):
            return False
        body = _placeholder(layout, _BODIES)
        vertical = body is not None and body.text_frame._bodyPr.get("vert", "horz") != "horz"
        return body is not None and not vertical and body.top is not None and body.top > \
            _placeholder(layout, {PP_PLACEHOLDER.TITLE}).top

    content = next((lay for lay in layouts if text_layout(lay)), None)
    if plain is None and content is None:
        return None
    plain, content = plain or content, content or plain
    covers = [lay for lay in layouts if PP_PLACEHOLDER.CENTER_TITLE in _kinds(lay)]
    cover = next((lay for lay in covers if PP_PLACEHOLDER.SUBTITLE in _kinds(lay)), covers[0] if covers else plain)
    return cover, plain, content


def _own() -> Template:
    """python-pptx's default template widened to 16:9, its titles set left, bold and dark (the house look)."""
    deck = Presentation()
    scale = Inches(SLIDE_W) / deck.slide_width
    deck.slide_width, deck.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    master = deck.slide_masters[0]
    shapes: list[Any] = list(master.shapes)
    for layout in master.slide_layouts:
        shapes += list(layout.placeholders)
    for shape in shapes:
        if shape._element.xpath("./p:spPr/a:xfrm"):
            shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)
    found = _layouts(deck)
    assert found is not None
    cover, plain, content = found
    for layout in {id(x): x for x in (plain, content)}.values():
        _place(_placeholder(layout, _TITLES), 0.45, 0.35, SLIDE_W - 0.9, 1.15)
    _place(_placeholder(content, _BODIES), 0.45, 1.6, SLIDE_W - 0.9, SLIDE_H - 1.6 - MARK_BAND - 0.1)
    _place(_placeholder(cover, _TITLES), 0.45, 1.7, SLIDE_W - 0.9, 1.7)
    _place(_placeholder(cover, {PP_PLACEHOLDER.SUBTITLE}), 0.45, 3.6, SLIDE_W - 0.9, 2.4)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
          "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}
    level = master._element.find("./p:txStyles/p:titleStyle/a:lvl1pPr", ns)
    level.set("algn", "l")
    run = level.find("./a:defRPr", ns)
    run.set("b", "1")
    run.find("./a:solidFill/a:schemeClr", ns).getparent().remove(run.find("./a:solidFill/a:schemeClr", ns))
    fill = run.find("./a:solidFill", ns)
    fill.append(fill.makeelement(f"{{{ns['a']}}}srgbClr", {"val": style.INK.lstrip("#")}))
    for paragraph in _placeholder(cover, {PP_PLACEHOLDER.SUBTITLE})._element.findall(".//a:lstStyle/*", ns):
        paragraph.set("algn", "l")
    return Template(deck, cover, plain, content)


def _place(shape: Any, left: float, top: float, width: float, height: float) -> None:
    shape.left, shape.top, shape.width, shape.height = Inches(left), Inches(top), Inches(width), Inches(height)


# ---- measuring ------------------------------------------------------------------------------


def lines(text: str, size: float, width: float, bold: bool = False) -> int:
    """How many lines ``text`` takes at ``size`` points in ``width`` inches, measured with room to spare."""
    return len(measure.wrap(text, size, width / SAFETY, "bold" if bold else "normal"))


def fit(paragraphs: Sequence[str], width: float, height: float, sizes: Sequence[float], *, bold: bool = False,
        gap: float = 0.0) -> float | None:
    """The largest of ``sizes`` at which ``paragraphs`` fit ``width`` × ``height`` inches, ``gap`` (in font
    sizes) between them; None if none does."""
    for size in sizes:
        if tall(paragraphs, size, width, bold=bold, gap=gap) <= height:
            return size
    return None


def tall(paragraphs: Sequence[str], size: float, width: float, *, bold: bool = False, gap: float = 0.0) -> float:
    """The height in inches of ``paragraphs`` set at ``size`` points in ``width`` inches."""
    count = sum(lines(text, size, width, bold) for text in paragraphs)
    return (count * size * LEADING + max(0, len(paragraphs) - 1) * gap * size) / 72


def _inches(value: int) -> float:
    return value / EMU_PER_INCH


# ---- the deck -----------------------------------------------------------------------------------


@dataclass
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class Page:
    """A slide just added: its title's box, the room under the title, and where its body text goes."""

    slide: Any
    title: Box
    room: Box
    body: Box


class Deck:
    """Slides being added to a template's deck; every one gets a title, notes and the marking."""

    def __init__(self, template: Template, marking: str) -> None:
        self.template = template
        self.deck = template.deck
        self.marking = marking
        self.width, self.height = _inches(self.deck.slide_width), _inches(self.deck.slide_height)

    def add(self, layout: Any, title: str, notes: Sequence[str], sizes: Sequence[float] = TITLE_SIZES) -> Page:
        """A slide on ``layout`` titled ``title`` in its title placeholder, at the largest of ``sizes`` that fits."""
        slide = self.deck.slides.add_slide(layout)
        heading = slide.shapes.title
        box = self.title_box(layout)
        size = fit([title], box.width - 2 * INSET_X, box.height - 2 * INSET_Y, sizes, bold=True)
        if size is None:  # too long for the placeholder at the smallest size: a taller placeholder
            size = sizes[-1]
            box.height = tall([title], size, box.width - 2 * INSET_X, bold=True) + 2 * INSET_Y + 0.02
        _place(heading, box.left, box.top, box.width, box.height)
        heading.text_frame.word_wrap = True
        paragraph = heading.text_frame.paragraphs[0]
        paragraph.text = ""
        run = paragraph.add_run()
        run.text = line(title)  # a control character in a name would make the file invalid XML
        run.font.size = Pt(size)
        frame = slide.notes_slide.notes_text_frame
        for i, text in enumerate(t for t in notes if t):
            (frame.paragraphs[0] if i == 0 else frame.add_paragraph()).text = line(text)
        self._mark(slide)
        room = self.room(layout, box)
        return Page(slide, box, room, self.body_box(layout, room))

    def title_box(self, layout: Any) -> Box:
        """Where the layout puts its title, below the marking when there is one."""
        heading = _placeholder(layout, _TITLES)
        box = Box(_inches(heading.left), _inches(heading.top), _inches(heading.width), _inches(heading.height))
        if self.marking and box.top < MARK_BAND:
            box.height, box.top = max(0.5, box.height - (MARK_BAND - box.top)), MARK_BAND
        return box

    def room(self, layout: Any, title: Box) -> Box:
        """The room under a title, as wide as it, down to the layout's footers or the marking."""
        top = title.bottom + 0.1
        foot = [_inches(ph.top) for ph in layout.placeholders
                if ph.placeholder_format.type in _FOOT and ph.top is not None and _inches(ph.top) > top + 1]
        bottom = min([*foot, self.height - 0.15]) - 0.05
        if self.marking:
            bottom = min(bottom, self.height - MARK_BAND)
        return Box(title.left, top, title.width, max(0.5, bottom - top))

    def body_box(self, layout: Any, room: Box) -> Box:
        """Where the layout puts its body text, kept within ``room``; the room itself for a layout without."""
        body = _placeholder(layout, _BODIES)
        if body is None or _kinds(layout).count(PP_PLACEHOLDER.TITLE) != 1:
            return room
        box = Box(_inches(body.left), _inches(body.top), _inches(body.width), _inches(body.height))
        top, bottom = max(box.top, room.top), min(box.bottom, room.bottom)
        return Box(box.left, top, box.width, max(0.5, bottom - top))

    def text_frame(self, page: Page) -> Any:
        """The text frame of the slide's body placeholder, placed at ``page.body``; for a layout without one,
        a text box there."""
        placeholder = next((ph for ph in page.slide.placeholders if ph.placeholder_format.type in _BODIES), None)
        box = page.body
        if placeholder is None:
            return page.slide.shapes.add_textbox(Inches(box.left), Inches(box.top), Inches(box.width),
                                                 Inches(box.height)).text_frame
        _place(placeholder, box.left, box.top, box.width, box.height)
        return placeholder.text_frame

    def only_title(self, page: Page) -> None:
        """A slide on a title-and-content layout (the template has no title-only one) loses its empty body."""
        for ph in list(page.slide.placeholders):
            if ph.placeholder_format.type not in _TITLES:
                ph._element.getparent().remove(ph._element)

    def _mark(self, slide: Any) -> None:
        if not self.marking:
            return
        for top in (0.03, self.height - MARK_BAND + 0.03):
            frame = slide.shapes.add_textbox(Inches(0), Inches(top), Inches(self.width),
                                             Inches(MARK_BAND - 0.06)).text_frame
            frame.word_wrap = False
            frame.margin_top = frame.margin_bottom = 0
            paragraph = frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.CENTER
            _run(paragraph, self.marking, 12, bold=True)


def _run(paragraph: Any, text: str, size: float, *, bold: bool = False, italic: bool = False,
         colour: RGBColor | None = None) -> None:
    """Text in the theme's font (the template decides the face), at a size that was measured to fit."""
    run = paragraph.add_run()
    run.text = line(text)
    run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    if colour is not None:
        run.font.color.rgb = colour


def _paragraphs(frame: Any, texts: Sequence[str], size: float, *, bullets: bool, gap: float,
                write: Callable[[Any, int, str], None] | None = None) -> None:
    """``texts`` as paragraphs of ``frame``, with or without the layout's bullets."""
    frame.word_wrap = True
    for i, text in enumerate(texts):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_before = Pt(0)
        paragraph.space_after = Pt(size * gap)
        if not bullets:
            props = paragraph._p.get_or_add_pPr()
            props.set("marL", "0")
            props.set("indent", "0")
            props.insert(0, props.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/main}buNone", {}))
        if write is None:
            _run(paragraph, text, size)
        else:
            write(paragraph, i, text)


# ---- the slides ---------------------------------------------------------------------------------


def write_pptx(briefing: Briefing, path: Path, template: str | Path | None = None) -> Path:
    deck = Deck(open_template(template), briefing.marking)
    deck.deck.core_properties.title = line(briefing.title)
    deck.deck.core_properties.author = f"partnersim {__version__}"
    _cover(deck, briefing)
    if briefing.bottom_line:
        _bottom_line(deck, briefing)
    _findings(deck, briefing)
    for section in briefing.result_charts:
        _chart(deck, section)
    for table in briefing.tables:
        # Columns as wide as their longest text, so that short cells do not wrap.
        weights = [max(len(cell) for cell in column) + 2.0 for column in zip(table.header, *table.rows, strict=True)]
        _table(deck, table.title, table.header, table.rows, weights, size=14,
               notes=[table.note] if table.note else [briefing.reading])
        if "[1] " in table.note:  # numbered sources the rows refer to: on a slide, not only in the notes
            _text_slides(deck, f"{table.title}: how to read it, and the sources", [table.note],
                         (16, 15, 14, 13, 12))
    _assumptions(deck, briefing)
    if briefing.process is not None:
        _chart(deck, briefing.process)
    _method(deck, briefing)
    deck.deck.save(str(path))
    return path


def _cover(deck: Deck, briefing: Briefing) -> None:
    page = deck.add(deck.template.cover, briefing.title, [briefing.bottom_line, briefing.description],
                    sizes=(40, 36, 32, 28, 24))
    texts = [t for t in (briefing.question, briefing.date_line) if t]
    slide = page.slide
    subtitle = next((ph for ph in slide.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
    for ph in list(slide.placeholders):  # any other placeholder a cover layout holds would stay empty
        if ph.placeholder_format.type not in (*_TITLES, PP_PLACEHOLDER.SUBTITLE):
            ph._element.getparent().remove(ph._element)
    if subtitle is None:
        box = Box(page.room.left, page.room.top, page.room.width, min(page.room.height, 2.4))
        frame = slide.shapes.add_textbox(Inches(box.left), Inches(box.top), Inches(box.width),
                                         Inches(box.height)).text_frame
    else:
        box = Box(_inches(subtitle.left), _inches(subtitle.top), _inches(subtitle.width), _inches(subtitle.height))
        if box.top < page.title.bottom:  # the title grew
            box.height, box.top = max(0.8, box.bottom - page.title.bottom - 0.1), page.title.bottom + 0.1
            _place(subtitle, box.left, box.top, box.width, box.height)
        frame = subtitle.text_frame
    size = fit(texts, box.width - 2 * INSET_X, box.height - 2 * INSET_Y, (24, 22, 20, 18, 16, 14, 12), gap=0.6) or 12

    def write(paragraph: Any, i: int, text: str) -> None:
        if i == 0 and briefing.question:
            _run(paragraph, text, size, italic=True)
        else:
            _run(paragraph, text, size * 0.65, colour=MUTED)

    _paragraphs(frame, texts, size, bullets=False, gap=0.6, write=write)


def _bottom_line(deck: Deck, briefing: Briefing) -> None:
    page = deck.add(deck.template.content, "Bottom line",
                    [briefing.bottom_line, f"The question: {briefing.question}" if briefing.question else "",
                     briefing.reading])
    box = page.body
    size = fit([briefing.bottom_line], box.width - 2 * INSET_X, box.height - 2 * INSET_Y,
               (28, 26, 24, 22, 20, 18, 16, 14)) or 14
    _paragraphs(deck.text_frame(page), [briefing.bottom_line], size, bullets=False, gap=0.5)


def _findings(deck: Deck, briefing: Briefing) -> None:
    """The findings on as few slides as hold them at 14 points or more (one to a slide at the most)."""
    pairs = list(zip(briefing.findings, briefing.finding_leads, strict=True))
    layout = deck.template.content
    box = deck.body_box(layout, deck.room(layout, deck.title_box(layout)))
    width, height = box.width - 2 * INSET_X - 0.4, box.height - 2 * INSET_Y  # 0.4: the bullets' indent
    sizes = (20, 18, 17, 16, 15, 14)
    chunks: list[list[tuple[str, str]]] = []
    for pair in pairs:
        if chunks and fit([f for f, _ in chunks[-1]] + [pair[0]], width, height, sizes, gap=0.6) is not None:
            chunks[-1].append(pair)
        else:
            chunks.append([pair])
    for number, chunk in enumerate(chunks or [[]], start=1):
        suffix = f" ({number} of {len(chunks)})" if len(chunks) > 1 else ""
        page = deck.add(layout, f"Key findings{suffix}", [briefing.reading, *briefing.notes])
        texts = [f for f, _ in chunk]
        size = fit(texts, width, height, (*sizes, 13, 12, 11), gap=0.6) or 11

        def write(paragraph: Any, i: int, text: str, chunk: list[tuple[str, str]] = chunk, size: float = size) -> None:
            lead = chunk[i][1]
            rest = text[len(lead):] if text.startswith(lead) else text
            _run(paragraph, lead, size, bold=True)
            _run(paragraph, rest, size)

        _paragraphs(deck.text_frame(page), texts, size, bullets=True, gap=0.6, write=write)


def _chart(deck: Deck, section: ChartSection) -> None:
    page = deck.add(deck.template.plain, section.headline,
                    [section.caption, f"The chart's own title: {section.title}" if section.title else ""])
    if deck.template.plain is deck.template.content:
        deck.only_title(page)
    from matplotlib.image import imread

    image = imread(io.BytesIO(section.png), format="png")
    room = page.room
    width = min(room.width, room.height * image.shape[1] / image.shape[0])
    left = room.left + (room.width - width) / 2
    picture = page.slide.shapes.add_picture(io.BytesIO(section.png), Inches(left), Inches(room.top),
                                            width=Inches(width))
    picture.name = f"Chart: {section.name}"
    # The picture's alternative text, for a screen reader: the finding it shows.
    picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", line(section.headline))


def _table(deck: Deck, title: str, header: list[str], rows: list[list[str]], weights: list[float],
           size: float = 12, notes: Sequence[str] = ()) -> None:
    """A table on as many slides as its rows need, the header repeated on each."""
    layout = deck.template.plain
    room = deck.room(layout, deck.title_box(layout))
    size, widths = _columns(header, rows, weights, room.width, size)

    def height(row: list[str], bold: bool = False) -> float:
        return max(lines(c, size, w - 0.12, bold) for c, w in zip(row, widths, strict=True)) * size * 1.25 / 72 + 0.08

    head = height(header, bold=True) if any(header) else 0.0
    chunks = _balanced([height(row, bold=not any(header)) for row in rows], rows, room.height - head)
    for number, chunk in enumerate(chunks, start=1):
        suffix = f" ({number} of {len(chunks)})" if len(chunks) > 1 else ""
        page = deck.add(layout, title + suffix, notes)
        if layout is deck.template.content:
            deck.only_title(page)
        box = page.room
        shape = page.slide.shapes.add_table(len(chunk) + (1 if any(header) else 0), len(header), Inches(box.left),
                                            Inches(box.top), Inches(box.width), Inches(0.3))
        table = shape.table
        for k, w in enumerate(widths):
            table.columns[k].width = Emu(int(Inches(w)))
        cells = ([header] if any(header) else []) + chunk
        for r, row in enumerate(cells):
            first = r == 0 and any(header)
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.margin_left = cell.margin_right = Inches(0.06)
                cell.margin_top = cell.margin_bottom = Inches(0.03)
                cell.fill.solid()
                cell.fill.fore_color.rgb = HEADER_FILL if first else RGBColor(0xFF, 0xFF, 0xFF)
                frame = cell.text_frame
                frame.word_wrap = True
                frame.paragraphs[0].text = ""
                _run(frame.paragraphs[0], text, size, bold=first or (c == 0 and not any(header)), colour=INK)
def _columns(header: list[str], rows: list[list[str]], weights: list[float], width: float,
             size: float) -> tuple[float, list[float]]:
    """The largest size up to ``size`` at which every column holds its longest word, and the columns'
    widths: each that word's, and what is left shared by ``weights``. A word longer than 20 characters (an
    address) is broken where the line ends, so only its first 20 count."""
    columns = list(zip(header, *rows, strict=True))
    for points in sorted({size, *(s for s in (13, 12, 11, 10, 9) if s < size)}, reverse=True):
        least = [max((measure.width(word[:20], points, "bold") * SAFETY for cell in column for word in cell.split()),
                     default=0.0) + 0.16 for column in columns]
        if sum(least) <= width or points == 9:
            break
    spare = max(0.0, width - sum(least))
    return points, [w + spare * weight / sum(weights) for w, weight in zip(least, weights, strict=True)]


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


def _assumptions(deck: Deck, briefing: Briefing) -> None:
    notes = [briefing.description] if briefing.description else []
    notes += [p for source in briefing.inputs for p in source.header.split("\n\n") if p]
    if notes:
        _text_slides(deck, "Assumptions: what the scenario says about itself", notes,
                     (18, 17, 16, 15, 14, 13, 12))
    for source in briefing.inputs:
        if not source.settings:
            continue
        rows = [[s.label, s.value, s.source or "(no source given)"] for s in source.settings]
        _table(deck, f"Assumptions and their sources: {source.name}", ["Setting", "Value", "Source or reasoning"],
               rows, [2.6, 2.2, 6.5], size=11,
               notes=[briefing.inputs_note])


def _text_slides(deck: Deck, title: str, paragraphs: list[str], sizes: Sequence[float]) -> None:
    """Paragraphs on as few slides as hold them at the smallest of ``sizes``, in order."""
    layout = deck.template.content
    box = deck.body_box(layout, deck.room(layout, deck.title_box(layout)))
    width, height = box.width - 2 * INSET_X, box.height - 2 * INSET_Y
    chunks: list[list[str]] = []
    for paragraph in paragraphs:
        if chunks and fit([*chunks[-1], paragraph], width, height, sizes[-1:], gap=0.5) is not None:
            chunks[-1].append(paragraph)
        else:
            chunks.append([paragraph])
    for number, chunk in enumerate(chunks, start=1):
        suffix = f" ({number} of {len(chunks)})" if len(chunks) > 1 else ""
        page = deck.add(layout, title + suffix, chunk)
        size = fit(chunk, width, height, sizes, gap=0.5) or sizes[-1]
        _paragraphs(deck.text_frame(page), chunk, size, bullets=False, gap=0.5)


def _method(deck: Deck, briefing: Briefing) -> None:
    _text_slides(deck, "Method", [briefing.method], (20, 18, 17, 16, 15, 14, 13, 12))
    rows = [list(item) for item in briefing.provenance]
    _table(deck, "Provenance of this run", ["", ""], rows, [3.0, 9.0], size=11,
           notes=["How this run was made: enough to make it again with the same numbers."])
