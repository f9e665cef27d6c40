"""Briefings: run folders read back, assumptions with their sources, and the PDF, HTML and PPTX files."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import PartnersimError, RunFolderError
from partnersim.report import content, write_report
from partnersim.report.assumptions import read_input
from partnersim.report.content import Briefing
from partnersim.report.findings import date_with_interval, headline, share
from partnersim.report.html import write_html
from partnersim.report.pdf import write_pdf
from partnersim.report.slides import write_pptx
from partnersim.results.load import SavedRun, load_run
from partnersim.results.summary import Estimate
from partnersim.results.text import interval
from partnersim.scenario import load_scenario

N = 300

SCENARIO = """\
# Report test: two candidates
#
# Sources: invented for the test.

name: Report test, two candidates
question: How likely is each candidate to cooperate by the end of 2027?
description: A small scenario whose only job is to be briefed.
start: 2025-01-01       # assumption: the start of the test
horizon: 3y             # assumption: long enough for most cases to finish
seed: 99                # any fixed number
allies:
  # Türkiye holds often in this test, so that the allies chart has a leader.
  TUR:
    hold: {probability: 0.3}  # assumption: three holds in ten
stages:
  expert_talks:
    teams: 1            # one team, shared
candidates:
  - {code: ARG, name: Argentina, request: 2024-04-18, stage: consensus}  # a request already made
  - code: CHL
    name: Chile
    request: 2025-06-01   # hypothetical request
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[SavedRun, str, Briefing]:
    """A scenario file briefed through the command line: run first, then written as HTML.

    The briefing the command builds is kept for the PDF and slide tests, so that the
    charts are drawn once for all three formats.
    """
    here = tmp_path_factory.mktemp("briefing")
    runner = CliRunner()
    built: list[Briefing] = []
    original = content.build

    def keep(*args: object, **kwargs: object) -> Briefing:
        built.append(original(*args, **kwargs))  # type: ignore[arg-type]
        return built[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(here)  # the run folder goes to runs/ under the working folder
        patch.setattr("partnersim.report.content.build", keep)
        Path("two.yaml").write_text(SCENARIO, encoding="utf-8")
        result = runner.invoke(cli, ["report", "two.yaml", "-n", str(N), "-j", "1", "--format", "html",
                                     "--out", "briefing.html"])
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        assert lines[0].startswith("Ran two.yaml into runs/two-") and lines[-1] == "Wrote briefing.html"
        run_folder = here / lines[0].split(" into ", 1)[1].rstrip("/")
    return load_run(run_folder), (here / "briefing.html").read_text(encoding="utf-8"), built[0]


@pytest.fixture(scope="module")
def run(made: tuple[SavedRun, str, Briefing]) -> SavedRun:
    return made[0]


@pytest.fixture(scope="module")
def briefing(made: tuple[SavedRun, str, Briefing]) -> Briefing:
    return made[2]


# ---- reading a run folder back ----------------------------------------------------------


def test_a_run_folder_reads_back_as_the_results_it_wrote(run: SavedRun) -> None:
    results = run.results
    summary = json.loads((run.folder / "summary.json").read_text())
    assert results.replications == N and results.seed == 99
    assert results.scenario == load_scenario(run.folder / "inputs" / "two.yaml").with_updates(replications=N)
    assert [c.code for c in results.candidates] == ["ARG", "CHL"]
    assert results.outcome_names == list(summary["candidates"][0]["outcomes"])
    for candidate, saved in zip(results.candidates, summary["candidates"], strict=True):
        for outcome, estimate in candidate.outcomes.items():
            assert estimate.count == saved["outcomes"][outcome]["count"]
            assert estimate.low == pytest.approx(saved["outcomes"][outcome]["low"], abs=1e-6)
        assert {k: (v.isoformat() if v else None) for k, v in candidate.dates.items()} == saved["dates"]
        assert len(candidate.cdf) - (results.end_date - results.start).days in (1, 2)  # a day per row
        assert np.all(np.diff(candidate.cdf) >= 0)
        assert candidate.cdf[-1] == pytest.approx(candidate.outcomes[results.success].p, abs=1e-6)
    assert results.created == dt.datetime.fromisoformat(run.manifest["finished"])
    assert list(run.inputs) == ["two.yaml"] and "# assumption: three holds in ten" in run.inputs["two.yaml"]


def test_a_missing_folder_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match=r"^no run folder at .*nowhere$"):
        load_run(tmp_path / "nowhere")


def test_an_unfinished_run_is_named_as_such(tmp_path: Path) -> None:
    partial = tmp_path / ".latam-1.partial"
    partial.mkdir()
    with pytest.raises(RunFolderError, match="is an unfinished run"):
        load_run(partial)
    with pytest.raises(RunFolderError, match="was not finished"):
        load_run(tmp_path / "latam-1")


def test_an_incomplete_folder_says_what_is_missing(run: SavedRun, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run.folder, copy)
    (copy / "summary.json").unlink()
    with pytest.raises(RunFolderError, match="incomplete run folder: summary.json is missing; run the scenario"):
        load_run(copy)
    (copy / "summary.json").write_text("{not json")
    with pytest.raises(RunFolderError, match="is damaged: summary.json is 9 bytes, but .* when the run wrote it"):
        load_run(copy)
    # A folder whose manifest lists no files (as before it did) is read, and what is wrong is said.
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["files"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunFolderError, match="cannot read .*summary.json"):
        load_run(copy)
    (copy / "summary.json").write_text('{"replications": 3}')
    with pytest.raises(RunFolderError, match="is not a partnersim summary"):
        load_run(copy)


def test_a_folder_that_is_no_run_and_a_file_are_told_apart(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match="is not a run folder"):
        load_run(tmp_path)
    scenario = tmp_path / "two.yaml"
    scenario.write_text(SCENARIO)
    with pytest.raises(RunFolderError, match="is a file, not a run folder"):
        load_run(scenario)


@pytest.mark.parametrize("command", ["report", "chart"])
def test_the_commands_report_a_missing_run_folder_in_one_line(command: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [command, str(tmp_path / "runs" / "gone")])
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"error: no run folder at {tmp_path / 'runs' / 'gone'}"]


def test_set_on_a_run_folder_is_refused(run: SavedRun) -> None:
    result = CliRunner().invoke(cli, ["report", str(run.folder), "--set", "seed=3"])
    assert result.exit_code == 2
    assert "give its scenario file instead" in result.output


# ---- assumptions with their sources --------------------------------------------------------


def test_each_setting_comes_with_the_comment_beside_and_above_it(run: SavedRun) -> None:
    source = read_input("two.yaml", SCENARIO, run.results.scenario)
    assert source.header == "Report test: two candidates\n\nSources: invented for the test."
    found = {s.key: s for s in source.settings}
    assert found["start"].label == "Start date" and found["start"].value == "2025-01-01"
    assert found["start"].source == "assumption: the start of the test"
    hold = found["allies.TUR.hold"]
    assert hold.label == "Türkiye (TUR): hold" and hold.value == "{probability: 0.3}"
    assert hold.source == ("Türkiye holds often in this test, so that the allies chart has a leader. "
                           "assumption: three holds in ten")
    assert found["stages.expert_talks.teams"].label == "Expert talks: expert teams"
    assert found["candidates.0"].label == "Argentina" and found["candidates.0"].source == "a request already made"
    assert found["candidates.1.request"].label == "Chile: request date"
    assert found["candidates.1.request"].source == "hypothetical request"
    assert "candidates.1.code" not in found  # who a candidate is, not an assumption about it
    assert not {"name", "question", "description"} & set(found)


# ---- findings with their intervals ---------------------------------------------------------


def test_every_finding_carries_its_intervals(run: SavedRun, briefing: Briefing) -> None:
    results = run.results
    for candidate, finding in zip(results.candidates, briefing.findings, strict=True):
        assert finding.startswith(f"{candidate.name}: {interval(candidate.outcomes[results.success])} chance")
    assert all(finding.count("(") >= 2 for finding in briefing.findings)


def test_dates_come_with_the_dates_their_interval_reaches(run: SavedRun) -> None:
    candidate = run.results.candidates[0]
    text = date_with_interval(run.results, candidate, 0.5)
    if candidate.dates["P50"] is None:
        assert text.startswith("after ")
    else:
        assert text.startswith(candidate.dates["P50"].strftime("%b %Y") + " (")
    assert date_with_interval(run.results, candidate, 0.999) .startswith("after ")


@pytest.mark.parametrize(("count", "n", "text"), [(6570, 50000, "13.1% (12.8–13.4%)"),
                                                   (95, 5000, "1.9% (1.6–2.3%)"),
                                                   (3000, 10000, "30% (29–31%)")])
def test_shares_keep_an_interval_that_can_be_seen(count: int, n: int, text: str) -> None:
    assert share(count, n) == text


def test_the_headline_of_a_run_where_nobody_succeeds(run: SavedRun) -> None:

    nobody = run.results.model_copy(update=dict(candidates=[
        c.model_copy(update=dict(outcomes={**c.outcomes, "cooperation": Estimate.of(0, N)})) for c in run.results.candidates
    ]))
    assert headline("outcomes", nobody, None).startswith(
        f"No candidate reaches cooperation by Jan 2028 in any of {N} simulated futures (95% interval")


# ---- the three formats -------------------------------------------------------------------


def test_the_pdf_has_its_pages_in_order_on_a4(briefing: Briefing, tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = write_pdf(briefing, tmp_path / "briefing.pdf")
    reader = PdfReader(str(path))
    pages = [page.extract_text() for page in reader.pages]
    assert 4 <= len(pages) <= 8
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((595.3, 841.9), abs=1)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    first = pages[0]
    assert "Report test, two candidates" in first and "The question" in first and "Key findings" in first
    assert "How likely is each candidate" in first
    whole = " ".join(" ".join(pages).split())
    for finding in briefing.findings:
        assert " ".join(finding.split()[:4]) in whole
    # The first chart follows the findings (on the first page when it has room).
    chart_at = whole.index(" ".join(briefing.charts[0].headline.split()[:4]))
    assert chart_at > whole.index(" ".join(briefing.findings[-1].split()[:4]))
    assert "Assumptions and their sources" in whole and "assumption: three holds in ten" in whole
    assert "Method and provenance" in pages[-2] + pages[-1] and "95% Wilson score interval" in whole
    assert briefing.provenance[4][1] in whole  # the scenario's SHA-256
    images = set()
    for page in reader.pages:  # the pages share one list of resources; read it without decoding the images
        for name, ref in page["/Resources"].get("/XObject", {}).items():
            if ref.get_object()["/Subtype"] == "/Image":
                images.add(name)
    assert len(images) == len(briefing.charts) == 7


def test_the_html_stands_alone_with_its_images_inline(made: tuple[SavedRun, str, Briefing]) -> None:
    text = made[1]

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []
            self.h2: list[str] = []
            self._in_h2 = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))
            self._in_h2 = tag == "h2"

        def handle_data(self, data: str) -> None:
            if self._in_h2:
                self.h2.append(data)
                self._in_h2 = False

    parser = Collect()
    parser.feed(text)
    parser.close()
    images = [attrs for tag, attrs in parser.tags if tag == "img"]
    assert len(images) == 7
    for attrs in images:
        src = attrs["src"] or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        assert attrs["alt"]
    assert not [tag for tag, _ in parser.tags if tag in ("script", "link", "iframe")]
    # Nothing is fetched: no address in an attribute (a source may quote one in its text).
    assert not [attrs for _, attrs in parser.tags if any((v or "").startswith(("http:", "https:", "//"))
                                                         for v in attrs.values())]
    assert parser.h2 == ["Bottom line", "The question", "Key findings", "What the charts show", "Summary tables",
                         "Assumptions and their sources", "Method and provenance"]
    assert "@media print" in text and "@page" in text


def test_the_html_writer_escapes_what_it_is_given(briefing: Briefing, tmp_path: Path) -> None:
    import dataclasses

    risky = dataclasses.replace(briefing, title="<b>Ankara & Rome</b>", charts=briefing.charts[:1])
    text = write_html(risky, tmp_path / "b.html").read_text()
    assert "&lt;b&gt;Ankara &amp; Rome&lt;/b&gt;" in text and "<b>Ankara" not in text


def test_the_slides_reopen_with_one_finding_per_chart(briefing: Briefing, tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    path = write_pptx(briefing, tmp_path / "briefing.pptx")
    deck = Presentation(str(path))
    assert deck.slide_width == Inches(13.333) and deck.slide_height == Inches(7.5)
    slides = list(deck.slides)
    # Every slide's title is its layout's title placeholder: the outline, a screen reader and a theme see it.
    titles = [slide.shapes.title.text_frame.text for slide in slides]
    assert all(slide.shapes.title.is_placeholder for slide in slides)
    assert all(slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip() for slide in slides)

    def pictures(slide: object) -> int:
        return sum(1 for s in slide.shapes if s.shape_type == 13)  # type: ignore[attr-defined]

    charts = briefing.result_charts
    assert titles[:3] == [briefing.title, "Bottom line", "Key findings"]
    cover = " ".join(s.text_frame.text for s in slides[0].placeholders if s.placeholder_format.idx != 0)
    assert briefing.question in cover and briefing.date_line in cover
    assert [p.text for p in slides[1].placeholders[1].text_frame.paragraphs] == [briefing.bottom_line]
    assert titles[3:3 + len(charts)] == [c.headline for c in charts]
    assert all(pictures(s) == 1 for s in slides[3:3 + len(charts)])
    assert [s.notes_slide.notes_text_frame.paragraphs[0].text for s in slides[3:3 + len(charts)]] == \
        [c.caption for c in charts]
    tables = [title.split(" (")[0] for title, s in zip(titles, slides, strict=True)
              if any(shape.has_table for shape in s.shapes)]
    assert list(dict.fromkeys(tables))[:len(briefing.tables)] == [t.title.split(" (")[0] for t in briefing.tables]
    assert any(title.startswith("Assumptions and their sources: two.yaml") for title in titles)
    assert briefing.process is not None and titles[-3:] == [briefing.process.headline, "Method",
                                                           "Provenance of this run"]
    assert sum(pictures(s) for s in slides) == len(briefing.charts)


def test_without_python_pptx_the_message_says_what_to_install(run: SavedRun, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pptx", None)
    with pytest.raises(PartnersimError, match=r"pip install 'partnersim\[pptx\]'"):
        write_report(run.folder, "pptx", tmp_path / "b.pptx")
    result = CliRunner().invoke(cli, ["report", str(run.folder), "--format", "pptx"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "partnersim[pptx]" in result.output


def test_an_unknown_format_is_refused(run: SavedRun) -> None:
    with pytest.raises(PartnersimError, match='"format" must be one of pdf, html, pptx'):
        write_report(run.folder, "docx")


def test_images_are_drawn_for_the_page_a_document_prints_them_on(briefing: Briefing) -> None:
    """The HTML briefing (like the PDF) draws its charts across an A4 page, not shrunk from a slide."""
    from matplotlib.image import imread

    from partnersim.charts.style import SIZES

    width, height = SIZES["page"]
    for section in briefing.charts:
        image = imread(io.BytesIO(section.png), format="png")
        assert image.shape[1] / image.shape[0] == pytest.approx(width / height, rel=0.01)
        assert image.shape[1] == round(width * content.IMAGE_DPI)


def test_the_calendar_blocs_silence_and_partnership_settings_are_named_for_a_reader() -> None:
    """Each setting of latam-calendar.yaml gets a readable row with its own source comment; who a
    row is about (a bloc's members, an election's ally) is in the label, not a row of its own."""
    from pathlib import Path

    from partnersim.scenario.loader import load_scenario

    path = Path(__file__).parent.parent / "scenarios" / "latam-calendar.yaml"
    rows = {s.label: s for s in read_input(path.name, path.read_text(encoding="utf-8"), load_scenario(path)).settings}
    assert rows["Council: weekly decision meeting"].value == "wednesday"
    assert rows["Summits: chance that a renewal waits for one"].value == "0.33"
    assert rows["Election in United Kingdom (GBR): date"].source.startswith("HYPOTHETICAL")
    assert rows["Bloc Türkiye and Hungary: chance of acting as one"].value == "0.5"
    assert rows["IPCP approval · Türkiye (TUR)"].value == "{breaks: 0.05}"
    assert rows["Renewal · Every ally: chance a hold is lifted (not a veto)"].value == "0.95"
    assert rows["Partnership: suspension rate per year"].source.startswith("one suspension (Afghanistan")
    assert sum(label == "Council: holiday" for label in (s.label for s in read_input(
        path.name, path.read_text(encoding="utf-8"), load_scenario(path)).settings)) == 9
    assert not any(label.endswith((": ally", ": members")) for label in rows)


def test_the_editors_schema_line_is_not_part_of_a_files_header() -> None:
    from pathlib import Path

    from partnersim.scenario.loader import load_scenario

    path = Path(__file__).parent.parent / "scenarios" / "latam-calendar.yaml"
    header = read_input(path.name, path.read_text(encoding="utf-8"), load_scenario(path)).header
    assert header.startswith("Latin American global partners with the Council's calendar")
    assert "yaml-language-server" not in header


def test_every_briefing_lists_the_assumptions_in_force(briefing: Briefing) -> None:
    shown = next(t for t in briefing.tables if t.title == "Assumptions in force")
    line = next(i for i, text in enumerate(SCENARIO.splitlines(), 1) if "probability: 0.3" in text)
    assert ["Allied consensus: Türkiye", "chance of a hold", "30%", f"set in two.yaml, line {line}"] in shown.rows
    assert ["Allied consensus: 31 other allies", "chance of a hold", "0.36%", "default [2]"] in shown.rows
    assert "[2] fitted: 1 hold in 281 allied decisions on a partner" in shown.note
