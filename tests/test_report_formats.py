"""Briefings as a ministry uses them: slides on a template's layouts, full A4 pages with legible charts,
a marking on every page and slide, and the bottom line first."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnersim.charts import CHARTS, selection
from partnersim.charts import style as chart_style
from partnersim.cli import cli
from partnersim.report import content, measure, pdf, slides
from partnersim.report.content import Briefing, bottom_line
from partnersim.results.load import SavedRun, load_run
from partnersim.results.rows import Rows, read_rows
from partnersim.results.text import interval
from tests.test_report import SCENARIO

N = 300
MARK = "OFFICIAL-SENSITIVE"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> SavedRun:
    here = tmp_path_factory.mktemp("formats")
    (here / "two.yaml").write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(here / "two.yaml"), "-n", str(N), "-j", "1", "-q",
                                      "--out", str(here / "run")])
    assert result.exit_code == 0, result.output
    return load_run(here / "run")


@pytest.fixture(scope="module")
def rows(run: SavedRun) -> Rows:
    assert run.rows_path is not None
    return read_rows(run.rows_path, run.results)


@pytest.fixture(scope="module")
def slide_briefing(run: SavedRun, rows: Rows) -> Briefing:
    return content.build(run, rows, size="slide", marking=MARK)


@pytest.fixture(scope="module")
def page_briefing(run: SavedRun, rows: Rows) -> Briefing:
    return content.build(run, rows, size="page", marking=MARK)


def ministry_template(path: Path, *, titles: bool = True) -> Path:
    """A template as a ministry keeps one: 4:3, its layouts renamed and reordered, a sample slide of its own,
    saved as a .potx (or a .pptx); ``titles=False`` takes the title placeholder out of every layout."""
    from pptx import Presentation

    deck = Presentation()
    names = {"Title Slide": "Ministry cover", "Title Only": "Heading only", "Title and Content": "Heading and text"}
    for layout in deck.slide_layouts:
        layout.name = names.get(layout.name, f"Other {layout.name}")
        if not titles:
            for ph in list(layout.placeholders):
                if ph.placeholder_format.type in slides._TITLES:
                    ph._element.getparent().remove(ph._element)
    ids = deck.slide_masters[0].slide_layouts._sldLayoutIdLst
    ids.insert(0, ids[-1])  # the last layout first: no layout is where the default template has it
    sample = deck.slides.add_slide(deck.slide_layouts[1])
    if sample.shapes.title is not None:
        sample.shapes.title.text = "TEMPLATE SAMPLE SLIDE"
    buffer = io.BytesIO()
    deck.save(buffer)
    if path.suffix == ".pptx":
        path.write_bytes(buffer.getvalue())
        return path
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "[Content_Types].xml":
                body = body.replace(b"presentationml.presentation.main+xml", b"presentationml.template.main+xml")
            target.writestr(item, body)
    return path


def texts(slide: object) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]  # type: ignore[attr-defined]


# ---- slides on a template's layouts ---------------------------------------------------------------


def test_a_template_is_built_on_by_its_placeholders_whatever_its_layouts_are_called(
        slide_briefing: Briefing, tmp_path: Path) -> None:
    from pptx import Presentation

    template = ministry_template(tmp_path / "ministry.potx")
    deck = Presentation(str(slides.write_pptx(slide_briefing, tmp_path / "b.pptx", template)))
    assert (deck.slide_width, deck.slide_height) == (9144000, 6858000)  # the template's 4:3, kept
    made = list(deck.slides)
    assert not any("TEMPLATE SAMPLE SLIDE" in text for slide in made for text in texts(slide))
    layouts = [slide.slide_layout.name for slide in made]
    assert layouts[0] == "Ministry cover" and layouts[1] == "Heading and text"
    assert set(layouts) == {"Ministry cover", "Heading only", "Heading and text"}
    charts = [i for i, slide in enumerate(made) if any(s.shape_type == 13 for s in slide.shapes)]
    assert charts and all(layouts[i] == "Heading only" for i in charts)
    for slide in made:
        title = slide.shapes.title
        assert title is not None and title.is_placeholder and title.text_frame.text
        assert slide.notes_slide.notes_text_frame.text.strip()
        assert texts(slide).count(MARK) == 2
        assert not [ph for ph in slide.placeholders if not ph.text_frame.text]  # no empty "Click to add text"


def test_a_template_without_a_title_layout_falls_back_with_a_warning(run: SavedRun, tmp_path: Path) -> None:
    from pptx import Presentation

    template = ministry_template(tmp_path / "plain.pptx", titles=False)
    result = CliRunner().invoke(cli, ["report", str(run.folder), "--format", "pptx", "--template", str(template),
                                      "--out", str(tmp_path / "b.pptx")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["warning: plain.pptx has no slide layout with a title placeholder, so the "
                                          "slides use partnersim's own layouts"]
    deck = Presentation(str(tmp_path / "b.pptx"))
    assert deck.slide_width == 12191695  # partnersim's own 16:9
    assert all(slide.shapes.title is not None for slide in deck.slides)


@pytest.mark.parametrize(("name", "body", "options", "says"), [
    ("missing.pptx", None, [], "error: --template: no file at "),
    ("notes.docx", b"x", [], "error: --template: notes.docx is not a PowerPoint presentation or template"),
    ("broken.pptx", b"not a zip file", [], "error: --template: cannot read "),
    ("fine.pptx", "template", ["--format", "pdf"], "error: --template gives PowerPoint slides their layouts"),
])
def test_a_template_that_cannot_be_used_is_one_line_and_nothing_is_run(
        name: str, body: bytes | str | None, options: list[str], says: str, tmp_path: Path) -> None:
    path = tmp_path / name
    if body == "template":
        ministry_template(path)
    elif isinstance(body, bytes):
        path.write_bytes(body)
    (tmp_path / "two.yaml").write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "two.yaml"), "-n", "50", *(options or
                                      ["--format", "pptx"]), "--template", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith(says), result.output
    assert not (tmp_path / "runs").exists() and not list(Path.cwd().glob("runs/two-*"))


def test_a_folder_given_as_template_is_named(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="is a folder; give a .pptx or .potx file"):
        slides.open_template(tmp_path)


# ---- text that fits without Calibri -------------------------------------------------------------


def _fits(slide: object) -> bool:
    """The title, measured in DejaVu Sans (what LibreOffice shows without Calibri), fits its placeholder."""
    title = slide.shapes.title  # type: ignore[attr-defined]
    size = title.text_frame.paragraphs[0].runs[0].font.size.pt
    room = (title.width / 914400 - 2 * slides.INSET_X, title.height / 914400 - 2 * slides.INSET_Y)
    lines = measure.wrap(title.text_frame.text, size, room[0], "bold")
    return len(lines) * size * slides.LEADING / 72 <= room[1] + 1e-6


def test_every_title_fits_its_placeholder_and_a_long_one_moves_the_chart_down(
        slide_briefing: Briefing, tmp_path: Path) -> None:
    from pptx import Presentation

    long = dataclasses.replace(slide_briefing.charts[0], headline=" ".join(["Argentina (hypothetical) 43% (41–45%)"]
                                                                            * 12))
    briefing = dataclasses.replace(slide_briefing, charts=[long, *slide_briefing.charts[1:]])
    for template in (None, ministry_template(tmp_path / "ministry.pptx")):
        deck = Presentation(str(slides.write_pptx(briefing, tmp_path / "b.pptx", template)))
        assert all(_fits(slide) for slide in deck.slides)
        slide = next(s for s in deck.slides if s.shapes.title.text_frame.text == long.headline)
        title = slide.shapes.title
        picture = next(s for s in slide.shapes if s.shape_type == 13)
        assert title.text_frame.paragraphs[0].runs[0].font.size.pt == slides.TITLE_SIZES[-1]
        assert picture.top >= title.top + title.height
        assert picture.top + picture.height <= deck.slide_height


def test_slide_text_is_left_to_the_theme_font() -> None:
    """No run names a font: the template's theme decides, and sizes were measured for any of them."""
    source = Path(slides.__file__).read_text(encoding="utf-8")
    assert "font.name" not in source and "Calibri" not in source


# ---- full PDF pages, charts printed at the size they are drawn -------------------------------------


def test_pdf_pages_are_full(page_briefing: Briefing) -> None:
    doc = pdf.lay_out(page_briefing)
    column = pdf.PAGE_H - pdf.TOP - pdf.BOTTOM
    assert len(doc.filled) == len(doc.pages) - 1
    # Every page but the last is filled at least two-thirds down: no section starts on a page of its own.
    assert all((y - pdf.TOP) / column >= 2 / 3 for y in doc.filled), [round(y, 2) for y in doc.filled]


def test_chart_text_prints_at_seven_points_or_more(run: SavedRun, rows: Rows) -> None:
    from matplotlib.text import Text

    width = chart_style.SIZES["page"][0]
    scale = pdf.CHART_WIDTH / width  # the PDF prints a page chart this much smaller than drawn
    for chart in selection(has_rows=True, has_partnership=False):
        fig = chart_style.untitled(CHARTS[chart.name](run.results, size="page", rows=rows))
        fig.draw_without_rendering()
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert min(sizes) * scale >= 7.0, chart.name


def test_a_charts_image_leaves_its_finding_to_the_heading_above_it(run: SavedRun) -> None:
    fig = CHARTS["outcomes"](run.results, size="page")
    finding = chart_style.chart_title(fig)
    ax = fig.axes[0]
    fig.draw_without_rendering()
    top = ax.get_position().y1
    chart_style.untitled(fig)
    fig.draw_without_rendering()
    assert finding and chart_style.chart_title(fig) == ""
    assert [t.get_gid() for t in fig.texts].count(chart_style.SUBTITLE_GID) == 1
    assert ax.get_position().y1 > top  # the plot grows into the room


# ---- the marking -----------------------------------------------------------------------------------


def test_the_marking_heads_and_foots_every_pdf_page(page_briefing: Briefing, tmp_path: Path) -> None:
    from pypdf import PdfReader

    marked = PdfReader(str(pdf.write_pdf(page_briefing, tmp_path / "m.pdf")))
    assert all(page.extract_text().count(MARK) == 2 for page in marked.pages)
    plain = PdfReader(str(pdf.write_pdf(dataclasses.replace(page_briefing, marking=""), tmp_path / "p.pdf")))
    assert not any(MARK in page.extract_text() for page in plain.pages)


def test_the_marking_heads_and_foots_the_html_and_every_printed_page(page_briefing: Briefing) -> None:
    from partnersim.report.html import render

    text = render(page_briefing)
    assert text.count(f'<div class="marking">{MARK}</div>') == 2
    # In the head and the foot of the table that holds the page: a browser repeats both on every printed page.
    assert f'<thead><tr><td><div class="marking">{MARK}</div>' in text
    assert f'<tfoot><tr><td><div class="marking">{MARK}</div>' in text
    assert "marking" not in render(dataclasses.replace(page_briefing, marking="")).split("</style>")[1]


@pytest.mark.parametrize(("marking", "says"), [
    ("", "error: --marking is empty"),
    ("SECRET\nUK EYES", "error: --marking must be one line"),
    ("X" * 61, "error: --marking must be at most 60 characters, got 61"),
])
def test_a_bad_marking_is_one_line_before_anything_runs(marking: str, says: str, tmp_path: Path) -> None:
    (tmp_path / "two.yaml").write_text(SCENARIO, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(cli, ["report", "two.yaml", "-n", "50", "--marking", marking])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith(says), result.output
    assert not (tmp_path / "runs").exists()


def test_a_marking_reaches_every_format_through_the_command(run: SavedRun, tmp_path: Path) -> None:
    from pptx import Presentation

    out = tmp_path / "b.pptx"
    result = CliRunner().invoke(cli, ["report", str(run.folder), "--format", "pptx", "--marking", " HYPOTHETICAL ",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert all(texts(slide).count("HYPOTHETICAL") == 2 for slide in Presentation(str(out)).slides)


# ---- the bottom line -------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=\.) (?=[A-ZÀ-Ý])", text)


def test_the_bottom_line_is_short_true_and_first(run: SavedRun, page_briefing: Briefing, tmp_path: Path) -> None:
    from pypdf import PdfReader

    results = run.results
    text = page_briefing.bottom_line
    assert 2 <= len(sentences(text)) <= 4
    for candidate in results.candidates:
        assert f"{candidate.name} {interval(candidate.outcomes[results.success])}" in text
    named = [s.name for c in results.candidates for s in (*c.holding, *c.vetoing, *c.last_to_consent)
             if s.name in text]
    standing = {s.name for c in results.candidates for s in (*c.holding, *c.vetoing) if s.stands_out}
    assert set(named) <= standing
    first = PdfReader(str(pdf.write_pdf(page_briefing, tmp_path / "b.pdf"))).pages[0].extract_text()
    assert first.index("Bottom line") < first.index("The question") < first.index("Key findings")


def test_the_bottom_line_answers_the_years_the_question_names(run: SavedRun) -> None:
    results = run.results

    def asking(question: str) -> str:
        return bottom_line(results.model_copy(update={"scenario": results.scenario.model_copy(
            update={"question": question})}))

    by_2026 = asking("How likely is each candidate to cooperate by the end of 2026, and by 2027?")
    day, estimate = next((d, e) for d, e in results.candidates[0].by_year_end if d.year == 2026)
    assert f"By {day:%b %Y} " in by_2026
    # The horizon's own year end is the first sentence's: not asked twice.
    assert "By Dec 2027" not in by_2026 and "even chance" not in by_2026
    assert "even chance" in asking("")


def test_no_ally_is_named_where_none_stands_out(run: SavedRun) -> None:
    results = run.results
    alike = results.model_copy(update={"candidates": [
        c.model_copy(update={field: [s.model_copy(update={"stands_out": False}) for s in getattr(c, field)]
                             for field in ("holding", "vetoing", "last_to_consent")})
        for c in results.candidates]})
    text = bottom_line(alike)
    assert "No ally stands out as holding its consent" in text
    assert not any(s.name in text for c in results.candidates for s in c.holding)


def test_the_sources_of_the_defaults_are_on_a_slide_not_only_in_the_notes(run: SavedRun, rows: Rows,
                                                                          tmp_path: Path) -> None:
    import pptx

    briefing = content.build(run, rows)
    numbered = [t for t in briefing.tables if "[1] " in t.note]
    assert numbered  # the test scenario leaves settings to their defaults
    deck = pptx.Presentation(str(slides.write_pptx(briefing, tmp_path / "deck.pptx")))
    shown = {slide.shapes.title.text: " ".join(shape.text_frame.text for shape in slide.shapes
                                               if shape.has_text_frame and shape != slide.shapes.title)
             for slide in deck.slides}
    for table in numbered:
        text = next(body for title, body in shown.items() if title.startswith(f"{table.title}: how to read it"))
        assert "[1] " in text
