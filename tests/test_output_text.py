"""User text in every output: shown as written, never read as markup, never breaking a file.

Names come from scenario files and from run folders, and anyone may write
either. Scenario files refuse control characters in names, so the names given
to the commands here hold only markup (Rich's, HTML's, Markdown's, a
spreadsheet's formulas, matplotlib's ``$``); control characters, terminal
escapes and names far beyond the schema's lengths reach the outputs through a
run folder edited after its run, which ``chart`` and ``report`` read back.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

from partnersim.charts import CHART_NAMES, CHARTS, render_all, style
from partnersim.charts.readable import MOST_CANDIDATES, readable
from partnersim.cli import cli
from partnersim.errors import RunFolderError
from partnersim.report.content import build
from partnersim.results import csvtext
from partnersim.results.load import SavedRun, load_run
from partnersim.results.markdown import summary_markdown
from partnersim.results.rows import Rows, read_rows
from partnersim.results.summary import Results
from partnersim.runs import execute, prepare
from partnersim.whatif.diff import Difference
from partnersim.whatif.text import csv_text

ROOT = Path(__file__).resolve().parents[1]
N = 120

TITLE = r"Test [/x] [bold] <b>bold</b> $\frac{ & *x*"
CHILE = "[red]Chile :smile:"
PERU = '=HYPERLINK("http://example.com","Peru")'
SCENARIO = f"""\
name: '{TITLE}'
question: Is [/x] <i>read</i> as markup?
start: 2025-01-01
horizon: 3y
seed: 5
allies:
  TUR: {{hold: {{probability: 0.3}}}}
candidates:
  - {{code: CHL, name: '{CHILE}', request: 2025-01-01}}
  - {{code: PER, name: '{PERU}', request: 2025-03-01}}
  - {{code: MEX, name: '- 1. **Mexico** | <script>alert(1)</script>', request: 2025-06-01}}
"""

# Only a run folder can bring these: a terminal escape that clears the screen, a bell, a NUL,
# a right-to-left override, a line break.
EVIL = "Evil\x00\x07\x1b[2J\u202e\nname [/x] <script>alert(1)</script>"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _control(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text)})


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "markup.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


# ---- markup in names, through the commands --------------------------------------------


@pytest.fixture(scope="module")
def markup_run(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("runs") / "markup"
    result = _invoke(["run", str(scenario_file), "-n", str(N), "-j", "1", "--events", "--out", str(out)])
    return out, result.output


def test_run_prints_names_as_written_and_writes_its_folder(markup_run: tuple[Path, str]) -> None:
    folder, output = markup_run
    assert TITLE in output
    assert "Is [/x] <i>read</i> as markup?" in output
    assert CHILE in output and PERU in output
    assert (folder / "summary.json").is_file() and (folder / "charts" / "outcomes.png").is_file()


@pytest.mark.parametrize("command", [
    ["compare", "{file}", "--set", "allies.TUR.hold.probability=0.6", "-n", "60"],
    ["sweep", "{file}", "--param", "allies.TUR.hold.probability=0:0.5:2", "-n", "30"],
    ["sensitivity", "{file}", "-n", "20", "--candidate", "CHL", "--top", "3"],
])
def test_what_if_commands_print_names_as_written(command: list[str], scenario_file: Path, tmp_path: Path) -> None:
    args = [part.format(file=scenario_file) for part in command] + ["-j", "1", "--out", str(tmp_path / "out")]
    output = _invoke(args).output
    assert TITLE in output
    assert CHILE in output


def test_compare_shows_differences_as_written_one_a_line(scenario_file: Path, tmp_path: Path) -> None:
    variant = tmp_path / "variant.yaml"
    variant.write_text(SCENARIO.replace("- {code: MEX", "- {code: BRA, name: '[b]Brazil', "
                                        "request: 2025-01-01}\n  - {code: MEX"), encoding="utf-8")
    output = _invoke(["compare", str(scenario_file), str(variant), "-n", "40", "-j", "1",
                      "--out", str(tmp_path / "out")]).output
    assert "candidates.BRA: not in the base → [b]Brazil, request 2025-01-01" in output
    lines = (tmp_path / "out" / "differences.txt").read_text(encoding="utf-8").splitlines()
    assert "  candidates.BRA: not in the base → [b]Brazil, request 2025-01-01" in lines
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "compare.csv").read_text(encoding="utf-8"))))
    assert {row["name"] for row in rows} >= {CHILE, "'" + PERU}
    # A line break in a name (from a file the loader took) stays on the difference's line.
    assert str(Difference("candidates.BRA", "not in the base", "Bra\nzil\u2028two")).splitlines() == [
        "candidates.BRA: not in the base → Bra zil two"]


def test_backtest_prints_names_as_written_and_neutralises_its_csv(tmp_path: Path) -> None:
    (tmp_path / "history").mkdir()
    shutil.copy(ROOT / "scenarios" / "colombia.yaml", tmp_path / "colombia.yaml")
    text = (ROOT / "scenarios" / "history" / "colombia.yaml").read_text(encoding="utf-8")
    text = text.replace("label: NATO accepts talks (letter)", "label: \"=cmd|' /C calc'!A0 [/x]\"")
    text = re.sub(r"(?m)^name: .*$", "name: 'Colombia [/x] [bold]'", text)
    case = tmp_path / "history" / "colombia.yaml"
    case.write_text(text, encoding="utf-8")
    output = _invoke(["backtest", str(case), "-n", "80", "-j", "1", "--out", str(tmp_path / "bt")]).output
    assert "Colombia [/x] [bold]" in output and "=cmd|' /C calc'!A0 [/x]" in output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "bt" / "backtest.csv").read_text(encoding="utf-8"))))
    assert "'=cmd|' /C calc'!A0 [/x]" in {row["milestone"] for row in rows}


def test_fit_prints_a_file_name_as_written(tmp_path: Path) -> None:
    data = tmp_path / "[bold]delays.csv"
    shutil.copy(ROOT / "partnersim" / "data" / "ratification_finland_sweden.csv", data)
    output = _invoke(["fit", str(data), "--bootstrap", "0", "--out", str(tmp_path / "fit")]).output
    assert "Ally delays fitted to finland_days of [bold]delays.csv (your file)" in output


# ---- CSV cells a spreadsheet would run ----------------------------------------------------


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_results_csv_writes_a_formula_as_text_and_leaves_numbers_alone(markup_run: tuple[Path, str]) -> None:
    folder, _ = markup_run
    rows = _csv(folder / "results.csv")
    names = [row["name"] for row in rows]
    assert names == [CHILE, "'" + PERU, "'- 1. **Mexico** | <script>alert(1)</script>"]
    for row in rows:
        assert 0 <= float(row["p_cooperation"]) <= 1  # numbers stay numbers
    for name in ("cooperation_by_date.csv", "events.csv"):
        for row in _csv(folder / name):
            assert not any(str(cell).startswith(("=", "+", "@", "\t", "\r")) for cell in row.values())


def test_every_csv_cell_that_would_run_gets_an_apostrophe() -> None:
    rows = [{"name": "=1+2", "change": -0.034, "text": "-0.034", "label": "@SUM(A1)", "plain": "Chile"},
            {"name": "+cmd", "change": 0.5, "text": "-x", "label": "\t=1", "plain": ""}]
    read = list(csv.DictReader(io.StringIO(csv_text(rows))))
    assert [r["name"] for r in read] == ["'=1+2", "'+cmd"]
    assert [r["change"] for r in read] == ["-0.034", "0.5"]
    assert [r["text"] for r in read] == ["-0.034", "'-x"]
    assert [r["label"] for r in read] == ["'@SUM(A1)", "'\t=1"]


# ---- Markdown ---------------------------------------------------------------------------


def test_summary_md_shows_names_as_written_and_holds_no_html(markup_run: tuple[Path, str]) -> None:
    folder, _ = markup_run
    text = (folder / "summary.md").read_text(encoding="utf-8")
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text
    assert text.startswith("# Test \\[/x\\] \\[bold\\] &lt;b&gt;bold&lt;/b&gt; \\$\\\\frac\\{ &amp; \\*x\\*\n")
    assert "- \\- 1. \\*\\*Mexico\\*\\* \\| &lt;script&gt;" in text  # not a list in a list
    table = [line for line in text.splitlines() if line.startswith("| \\[red\\]Chile :smile: |")]
    assert len(table) == 2 and all(line.count(" | ") == line.count("|") - 2 for line in table)


# ---- XES -----------------------------------------------------------------------------------


def test_the_event_log_is_valid_xml_whatever_the_names(scenario_file: Path, tmp_path: Path) -> None:
    scenario = prepare(scenario_file, replications=20)
    scenario = scenario.model_copy(update={"name": EVIL + ' & "quotes" <tag>'})
    done = execute(scenario_file, scenario, out=tmp_path / "run", jobs=1, events=True, image_format="svg")
    root = ET.parse(done.folder / "events.xes").getroot()
    names = [s.get("value") for s in root if s.tag.endswith("string") and s.get("key") == "concept:name"]
    assert names == ['Evil[2J\u202e\nname [/x] <script>alert(1)</script> & "quotes" <tag>']
    assert len(root.findall("{http://www.xes-standard.org/}trace")) == 20 * 3
    assert "\x00" not in (done.folder / "summary.md").read_text(encoding="utf-8")


# ---- a run folder edited after its run ----------------------------------------------------


def _edit(folder: Path, name: str, change: Callable[[str], str]) -> None:
    """Change a file of a run folder as someone with write access would, manifest included."""
    path = folder / name
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest.get("files", {}).get(name)
    if isinstance(entry, dict):
        data = path.read_bytes()
        entry.update({"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _remove(folder: Path, name: str) -> None:
    """Delete a file of a run folder and its entry in the manifest, as someone with write access would."""
    (folder / name).unlink()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if isinstance(manifest.get("files"), dict):
        manifest["files"].pop(name, None)
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _hostile_summary(text: str) -> str:
    summary = json.loads(text)
    first, second = summary["candidates"][:2]
    first["name"] = EVIL + " A" * 5_000
    second["name"] = "\x1b]0;window title\x07Peru\x08"
    for candidate in summary["candidates"]:
        for share in candidate["holding"] + candidate["vetoing"] + candidate["last_to_consent"]:
            share["name"] = "Ally\x00\x0b" + share["name"]
        for stage in candidate["stages"]:
            stage["label"] += "\x1b[31m\n"
    return json.dumps(summary, ensure_ascii=False)


@pytest.fixture(scope="module")
def hostile(markup_run: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "run"
    shutil.copytree(markup_run[0], folder)
    _edit(folder, "summary.json", _hostile_summary)
    source = next((folder / "inputs").iterdir()).name
    _edit(folder, f"inputs/{source}", lambda text: "# A comment\x07 with a bell\x1b[31m\n" + text)
    return folder


def test_chart_and_report_read_an_edited_folder_without_a_control_character(hostile: Path) -> None:
    _invoke(["chart", str(hostile)])
    _invoke(["report", str(hostile), "--format", "html"])
    html = (hostile / "report.html").read_text(encoding="utf-8")
    assert _control(html.replace("\n", "")) == []
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[/x]" in html  # shown, not read


def test_the_slides_of_an_edited_folder_open(hostile: Path) -> None:
    pptx = pytest.importorskip("pptx")
    _invoke(["report", str(hostile), "--format", "pptx"])
    deck = pptx.Presentation(str(hostile / "report.pptx"))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    texts += [cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
              for row in shape.table.rows for cell in row.cells]
    assert any("Evil" in text for text in texts)
    assert _control("".join(texts).replace("\n", "").replace("\v", "")) == []


def test_the_pdf_of_an_edited_folder_shows_no_control_character(hostile: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    _invoke(["report", str(hostile), "--format", "pdf"])
    text = "".join(page.extract_text() for page in pypdf.PdfReader(str(hostile / "report.pdf")).pages)
    assert "Evil" in text and "window title" in text
    assert _control(text.replace("\n", "")) == []


def test_names_beyond_the_schema_are_cut_with_an_ellipsis(hostile: Path) -> None:
    run = load_run(hostile)
    shown = readable(run.results)
    assert len(shown.candidates[0].name) == 100 and shown.candidates[0].name.endswith("…")
    assert shown.candidates[0].name.startswith("Evil[2J name [/x]")
    briefing = build(run, read_rows(run.rows_path, run.results) if run.rows_path else None)
    assert all(len(finding) < 1_000 for finding in briefing.findings)


def _figure_texts(fig: Figure) -> list[str]:
    return [text.get_text() for text in fig.findobj(lambda artist: hasattr(artist, "get_text"))
            if isinstance(text.get_text(), str)]


@pytest.mark.parametrize("name", [name for name in CHART_NAMES if name not in ("process", "partnership")])
def test_chart_text_holds_no_control_character(name: str, hostile: Path) -> None:
    run = load_run(hostile)
    rows = read_rows(run.rows_path, run.results) if run.rows_path else None
    results = run.results.model_copy(update=dict(scenario=run.results.scenario.model_copy(update={"name": EVIL})))
    fig = CHARTS[name](results, rows=rows)
    texts = _figure_texts(fig)
    assert any("Evil" in text for text in texts)
    assert _control("".join(texts).replace("\n", "")) == []


# ---- too many candidates, and charts in bounded time ------------------------------------


def _many(results: Results, rows: Rows | None, count: int, name_length: int = 100,
          title: str = "") -> tuple[Results, Rows | None]:
    """``results`` with ``count`` candidates (copies of the first ones) named by long names."""
    def name(i: int) -> str:
        return f"Candidate {i} of a republic with a very long name ".ljust(name_length, "x")[:name_length]

    base = results.candidates
    candidates = [base[i % len(base)].model_copy(update=dict(code=f"C{i:03d}", name=name(i))) for i in range(count)]
    scenario = results.scenario
    if title:
        scenario = scenario.model_copy(update={"name": title})
    many = results.model_copy(update=dict(candidates=candidates, scenario=scenario))
    if rows is None:
        return many, None
    cases = rows.story.cases
    story = dataclasses.replace(rows.story, cases=tuple(
        dataclasses.replace(cases[i % len(cases)], code=f"C{i:03d}", name=name(i)) for i in range(count)))
    return many, dataclasses.replace(rows, story=story)


@contextmanager
def _measurements() -> Iterator[list[int]]:
    """Count every text measurement the renderer makes (the costly part of laying out a chart)."""
    count = [0]
    original = RendererAgg.get_text_width_height_descent

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return original(self, *args, **kwargs)

    RendererAgg.get_text_width_height_descent = counting  # type: ignore[method-assign]
    try:
        yield count
    finally:
        RendererAgg.get_text_width_height_descent = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def saved(markup_run: tuple[Path, str]) -> tuple[SavedRun, Rows]:
    run = load_run(markup_run[0])
    assert run.rows_path is not None
    return run, read_rows(run.rows_path, run.results)


@pytest.mark.parametrize("name", [name for name in CHART_NAMES if name not in ("process", "partnership")])
def test_a_chart_of_a_hundred_candidates_takes_about_the_work_of_ten(name: str, saved: tuple[SavedRun, Rows]
                                                                      ) -> None:
    run, rows = saved
    work = []
    for count in (10, MOST_CANDIDATES):
        results, more = _many(run.results, rows, count, title="S" * 200)
        with _measurements() as measured:
            style.png_bytes(CHARTS[name](results, rows=more), dpi=40)
        work.append(measured[0])
    assert work[1] <= 1.5 * work[0] + 50, work


def test_a_chart_shows_the_candidates_it_has_room_for_and_says_so(saved: tuple[SavedRun, Rows]) -> None:
    run, rows = saved
    results, _ = _many(run.results, rows, MOST_CANDIDATES)
    fig = CHARTS["outcomes"](results)
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(names) == style.MOST_ROWS and all(len(n) <= 48 for n in names)
    assert any(f"{style.MOST_ROWS} of {MOST_CANDIDATES} candidates shown" in t for t in _figure_texts(fig))


def test_a_long_scenario_name_costs_a_few_measurements(saved: tuple[SavedRun, Rows]) -> None:
    run, _ = saved
    results = run.results.model_copy(update=dict(scenario=run.results.scenario.model_copy(
        update={"name": "A long name " * 1_000})))
    with style.context():
        fig = style.new_figure()
        with _measurements() as measured:
            style.footer(fig, results)
    text = fig.texts[0].get_text()
    assert measured[0] <= 12
    assert "…" in text and f"{results.replications:,} replications" in text and f"seed {results.seed}" in text


def test_a_long_title_is_wrapped_in_two_lines_and_cut_at_the_end() -> None:
    with style.context():
        fig = style.new_figure()
        with _measurements() as measured:
            style.title(fig, " ".join(f"word{i}" for i in range(400)), "a subtitle")
    first, second = fig.texts[0].get_text().split("\n")
    assert first.startswith("word0 word1") and second.endswith("…")
    assert measured[0] <= 400 + 20  # each word once, then a few checks


def test_more_candidates_than_a_scenario_may_have_are_refused_in_one_sentence(saved: tuple[SavedRun, Rows],
                                                                               tmp_path: Path) -> None:
    run, _ = saved
    results, _ = _many(run.results, None, MOST_CANDIDATES + 1)
    with pytest.raises(RunFolderError, match=r"101 candidates, more than the 100 a scenario may have"):
        render_all(results, tmp_path / "charts")
    assert not (tmp_path / "charts").exists() or not any((tmp_path / "charts").iterdir())


def test_the_commands_refuse_a_folder_with_too_many_candidates_in_one_line(markup_run: tuple[Path, str],
                                                                             tmp_path: Path) -> None:
    folder = tmp_path / "many"
    shutil.copytree(markup_run[0], folder)
    codes = [f"{a}{b}{c}" for a in "ABCDEFGH" for b in "ABCDEFGHIJKLMNOP" for c in "AB"][:250]

    def summary(text: str) -> str:
        data = json.loads(text)
        data["candidates"] = [dict(data["candidates"][0], code=code) for code in codes]
        return json.dumps(data)

    def scenario(text: str) -> str:
        data = yaml.safe_load(text)
        data["candidates"] = [dict(data["candidates"][0], code=code) for code in codes]
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    def curves(text: str) -> str:
        days = list(csv.reader(io.StringIO(text)))[1:]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([["date", *codes], *[[d[0], *[d[1]] * len(codes)] for d in days]])
        return out.getvalue()

    _edit(folder, "summary.json", summary)
    _edit(folder, "scenario.yaml", scenario)
    _edit(folder, "cooperation_by_date.csv", curves)
    _remove(folder, "replications.csv")
    for command in (["chart", str(folder)], ["report", str(folder), "--format", "html"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output


@pytest.fixture(scope="module")
def hundred(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenario at the schema's limits: 100 candidates with 100-character names, a 200-character name."""
    codes = [f"{a}{b}{c}" for a in "ABCDE" for b in "ABCDE" for c in "ABCD"][:MOST_CANDIDATES]
    candidates = "".join(
        f"  - {{code: {code}, name: '{f'Candidate {i} of a republic with a very long name'.ljust(100, 'x')}', "
        f"request: 2025-0{1 + i % 9}-01}}\n" for i, code in enumerate(codes))
    path = tmp_path_factory.mktemp("hundred") / "hundred.yaml"
    path.write_text(f"name: '{'S' * 200}'\nstart: 2025-01-01\nhorizon: 3y\nseed: 3\ncandidates:\n{candidates}",
                    encoding="utf-8")
    return path


def _end_labels(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text()[:1].isdigit() or "→" in t.get_text()]


def test_what_if_charts_of_a_hundred_candidates_show_what_fits(hundred: Path) -> None:
    from partnersim.charts.compare import compare_chart
    from partnersim.charts.sweep import sweep_chart
    from partnersim.whatif import compare, sweep
    from partnersim.whatif.compare import load_inputs
    from partnersim.whatif.sweep import prepare as prepare_sweep

    base, variant = load_inputs([(hundred, ()), (hundred, ["allies.TUR.hold.probability=0.6"])])
    figures = [compare_chart(compare(base, [variant], replications=20, jobs=1))]
    scenario, params = prepare_sweep(hundred, ["allies.TUR.hold.probability=0:0.6:2"])
    figures.append(sweep_chart(sweep(hundred, params, replications=10, base=scenario, jobs=1)))
    for fig in figures:
        texts = _figure_texts(fig)
        assert any(f"{style.MOST_LINES} of {MOST_CANDIDATES} candidates shown" in t for t in texts)
        assert 0 < len(_end_labels(fig)) <= style.MOST_LINES
        assert all(len(label) < 60 for label in _end_labels(fig))


def test_markdown_and_csv_of_a_run_are_built_from_the_names_as_given(saved: tuple[SavedRun, Rows]) -> None:
    run, _ = saved
    results = run.results.model_copy(update=dict(candidates=[
        c.model_copy(update=dict(name=EVIL)) for c in run.results.candidates]))
    markdown = summary_markdown(results)
    assert _control(markdown.replace("\n", "")) == [] and "<script>" not in markdown
    table = list(csv.reader(io.StringIO(csvtext.summary_csv(results))))
    assert table[1][1] == EVIL  # the data as it is: CSV quotes it, a spreadsheet shows it as text
