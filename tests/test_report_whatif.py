"""Briefings of what-if folders: compare, sweep and sensitivity folders read back and briefed in three formats."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.errors import RunFolderError
from partnersim.report import folder_kind, write_report
from partnersim.report.analyses import build_whatif
from partnersim.report.whatif import changes_table, warnings
from partnersim.whatif import saved
from partnersim.whatif.compare import compare, load_inputs

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
N = 400
COMPARED = ["latam.yaml", "latam-turkey-hold.yaml", "latam-more-teams.yaml"]


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _fails(*args: str) -> str:
    """The one line a command prints for a folder it cannot use (exit code 2, no traceback)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base and two what-ifs compared through the command line, briefed as PDF, HTML and slides."""
    folder = tmp_path_factory.mktemp("whatif") / "cmp"
    _invoke("compare", *(str(SCENARIOS / name) for name in COMPARED), "-n", str(N), "-j", "1", "--out",
            str(folder), "-q")
    for fmt in ("pdf", "html", "pptx"):
        assert _invoke("report", str(folder), "--format", fmt).strip() == f"Wrote {folder / f'report.{fmt}'}"
    return folder


def _rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "compare.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _numbers(text: str) -> list[float]:
    """The numbers of a cell, signs and Unicode minus signs included: ``55%; −8.9 (−10.6 to −7.3)``."""
    return [float(x.replace("−", "-")) for x in re.findall(r"[+−-]?\d+(?:\.\d+)?", text)]


def _matches(shown: float, exact: float) -> bool:
    """``shown`` is ``exact`` rounded to as many decimals as it is written with (at most two)."""
    decimals = len(str(shown).split(".")[1]) if "." in str(shown) and shown != int(shown) else 0
    return abs(shown - exact) <= 0.5 * 10 ** -decimals + 1e-9


# ---- a comparison ------------------------------------------------------------------------


def test_a_compare_folder_keeps_what_its_briefing_needs_and_reads_back_exactly(tmp_path: Path) -> None:
    from partnersim.results.folder import RunFolder
    from partnersim.whatif.outputs import write_comparison

    base, *variants = load_inputs([(SCENARIOS / name, ()) for name in COMPARED])
    result = compare(base, variants, replications=200)
    import datetime as dt

    with RunFolder(tmp_path / "cmp", kind="compare") as folder:
        written = write_comparison(folder, result, [base, *variants], (), 1, "png",
                                   dt.datetime.now(dt.timezone.utc))
    assert sorted(p.name for p in (written / "inputs").iterdir()) == sorted(COMPARED)
    back = saved.read_comparison(written)
    assert back.names == result.names and back.notes == result.notes and back.base_label == result.base_label
    for before, after in zip(result.variants, back.variants, strict=True):
        assert after.candidates == before.candidates  # every Change, interval and date, exactly
        assert after.differences == before.differences and after.label == before.label
        for one, other in zip(before.results.candidates, after.results.candidates, strict=True):
            assert list(other.cdf) == list(one.cdf) and other.outcomes == one.outcomes
    assert folder_kind(written) == "compare"


def test_the_table_of_what_ifs_holds_the_comparisons_numbers(compared: Path) -> None:
    comparison = saved.read_comparison(compared)
    table = changes_table(comparison)
    assert table.header[1:] == ["Base", *comparison.names[1:]]
    rows = {(r["variant"], r["name"]): r for r in _rows(compared)}
    assert len(table.rows) == 5
    for row in table.rows:
        name = row[0]
        for label, cell in zip([v.label for v in comparison.variants], row[2:], strict=True):
            saved_row = rows[(label, name)]
            assert _matches(_numbers(row[1])[0], float(saved_row["p_cooperation_base"]) * 100)
            shown = _numbers(cell)
            exact = [float(saved_row[key]) * 100 for key in
                     ("p_cooperation_variant", "change_cooperation", "change_cooperation_low",
                      "change_cooperation_high")]
            if "identical" in cell:
                assert shown[1:] == [0] and exact[1] == 0
                continue
            assert all(_matches(s, e) for s, e in zip(shown, exact, strict=True)), (cell, exact)
            assert ("within noise" in cell) == (saved_row["verdict_cooperation"] == "within noise")


def test_a_what_if_that_changes_more_than_one_setting_is_flagged_first(compared: Path) -> None:
    comparison = saved.read_comparison(compared)
    found = warnings(comparison)
    hold = next(w for w in found if "Türkiye holds consent for one year" in w)
    assert "changes 3 settings at once" in hold
    assert "chance of a hold" in hold and "lifting a hold" in hold and "length of Türkiye's holds" in hold
    assert not any("four expert teams" in w and "settings at once" in w for w in found)
    briefing = build_whatif(compared, "compare")
    assert briefing.findings[0].startswith("Read with care: “What-if: Türkiye holds consent for one year”")
    assert briefing.finding_leads[0] == "Read with care:"


def test_opposite_directions_are_flagged_only_beyond_noise(compared: Path) -> None:
    import dataclasses

    comparison = saved.read_comparison(compared)
    variant = comparison.variants[0]
    up, down = variant.candidates[0], variant.candidates[1]
    moved = [dataclasses.replace(up, success=dataclasses.replace(up.success, diff=0.01, low=0.005, high=0.015,
                                                                 gained=40, lost=0)),
             dataclasses.replace(down, success=dataclasses.replace(down.success, diff=-0.05, low=-0.07, high=-0.03,
                                                                   gained=0, lost=20))]
    changed = dataclasses.replace(comparison, variants=[dataclasses.replace(variant, candidates=moved)])
    flagged = [w for w in warnings(changed) if "opposite directions" in w]
    assert len(flagged) == 1 and "raises" in flagged[0] and "for Argentina by +1.0 points (95% interval +0.5 to +1.5) and lowers it" in flagged[0]
    quiet = [dataclasses.replace(moved[0], success=dataclasses.replace(moved[0].success, low=-0.001)), moved[1]]
    within = dataclasses.replace(comparison, variants=[dataclasses.replace(variant, candidates=quiet)])
    assert not any("opposite directions" in w for w in warnings(within))


def test_the_html_briefing_of_a_comparison(compared: Path) -> None:
    import html as markup

    html = markup.unescape(re.sub(r"<[^>]+>", "", (compared / "report.html").read_text(encoding="utf-8")))
    raw = (compared / "report.html").read_text(encoding="utf-8")
    comparison = saved.read_comparison(compared)
    assert "<h1>2 what-ifs against Latin American global partners, 2026–2031</h1>" in raw
    assert "Read with care: “What-if: Türkiye holds consent for one year” changes 3 settings" in html
    assert raw.count('<img src="data:image/png;base64,') == 1  # one chart for several what-ifs
    for row in changes_table(comparison).rows:
        assert all(f"<td>{markup.escape(cell)}</td>" in raw for cell in row)
    assert "stages.consensus.allies.TUR.hold.lifted" in html and "stages.expert_talks.teams" in html
    assert "Newcombe" in html and f"{N:,} paired simulated futures" in html
    assert "latam-turkey-hold.yaml" in html  # the what-if's file, with its comments, among the assumptions


def test_what_ifs_that_share_their_bases_question_ask_it_once(tmp_path: Path) -> None:
    """What-ifs saved from a base (the studio's) extend it and inherit its question: the briefing asks it once."""
    from partnersim.scenario.loader import load_scenario

    files = []
    for name, value in (("hold", 0.5), ("lifted", 0.2)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"extends: {SCENARIOS / 'latam.yaml'}\nallies:\n  TUR:\n    hold:\n      probability: {value}\n",
                        encoding="utf-8")
        files.append(str(path))
    folder = tmp_path / "cmp"
    _invoke("compare", str(SCENARIOS / "latam.yaml"), *files, "-n", "200", "-j", "1", "--out", str(folder), "-q")
    _invoke("report", str(folder), "--format", "html")
    question = " ".join(load_scenario(SCENARIOS / "latam.yaml").question.split())
    import html as markup

    text = markup.unescape((folder / "report.html").read_text(encoding="utf-8"))
    assert text.count(question) == 1


def test_the_pdf_and_the_slides_of_a_comparison(compared: Path) -> None:
    from pptx import Presentation
    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(str(compared / "report.pdf")).pages]
    whole = " ".join(" ".join(pages).split())
    assert "Read with care" in whole and "changes 3 settings at once" in whole
    assert "Argentina" in whole and "What each what-if changes" in whole
    deck = Presentation(str(compared / "report.pptx"))
    texts = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                     if shape.has_text_frame)
    cells = " ".join(cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
                     for row in shape.table.rows for cell in row.cells)
    assert "changes 3 settings at once" in texts
    comparison = saved.read_comparison(compared)
    assert all(cell in cells for cell in changes_table(comparison).rows[1])


def test_a_single_what_if_has_the_change_chart_and_its_curves(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    _invoke("compare", str(SCENARIOS / "latam.yaml"), str(SCENARIOS / "latam-brazil-early.yaml"), "-n", "300",
            "-j", "1", "--out", str(folder), "-q")
    briefing = build_whatif(folder, "compare")
    assert [c.name for c in briefing.charts] == ["changes", "compare"]
    assert briefing.title == "What-if: Brazil asks in December 2026"
    assert not any(f.startswith("Read with care") for f in briefing.findings)
    brazil = next(f for f in briefing.findings if "— Brazil" in f)
    assert "distinguishable from noise" in brazil
    # Candidates the what-if leaves exactly as they were are said in one line, not one each.
    same = [f for f in briefing.findings if "no replication ends differently" in f]
    assert len(same) == 1 and "Argentina" in same[0]


# ---- a sweep and a sensitivity analysis ----------------------------------------------------


def test_a_sweep_folder_is_briefed(tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    _invoke("sweep", str(SCENARIOS / "latam.yaml"), "--param", "allies.TUR.hold.probability=0:0.5:3", "-n", "200",
            "-j", "1", "--out", str(folder), "-q")
    assert folder_kind(folder) == "sweep"
    written = write_report(folder, "html")
    html = written.read_text(encoding="utf-8")
    found = saved.read_sweep(folder)
    assert "Sweep of Türkiye&#x27;s chance of a hold" in html
    assert html.count('<img src="data:image/png;base64,') == 1
    rows = list(csv.DictReader((folder / "sweep.csv").open(encoding="utf-8")))
    argentina = [r for r in rows if r["candidate"] == "ARG"]
    assert len(argentina) == len(found.sweep.points) == 3
    briefing = build_whatif(folder, "sweep")
    table = briefing.tables[0]
    assert [row[0] for row in table.rows] == ["0", "0.25", "0.5"]
    for row, saved_row in zip(table.rows, argentina, strict=True):
        assert _matches(_numbers(row[1])[0], float(saved_row["p_cooperation"]) * 100)
    assert len(briefing.findings) == 5 and briefing.findings[0].startswith("Argentina: chance of cooperation")


def test_a_sensitivity_folder_is_briefed(tmp_path: Path) -> None:
    from pptx import Presentation

    folder = tmp_path / "sens"
    _invoke("sensitivity", str(SCENARIOS / "examples" / "minimal.yaml"), "-n", "200", "-j", "1", "--top", "5",
            "--out", str(folder), "-q")
    sens = saved.read_sensitivity(folder)
    assert sens.codes == ["ARG"] and sens.top == 5
    rows = list(csv.DictReader((folder / "sensitivity.csv").open(encoding="utf-8")))
    assert [e.factor.path for e in sens.effects("ARG")] == [r["path"] for r in rows]
    written = write_report(folder, "pptx", tmp_path / "sens.pptx")
    deck = Presentation(str(written))
    titles = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert any(t.startswith("What moves the results") for t in titles)
    briefing = build_whatif(folder, "sensitivity")
    assert [c.name for c in briefing.charts] == ["tornado_cooperation_ARG", "tornado_p50_ARG"]
    assert len(briefing.tables[0].rows) == 5
    from partnersim.whatif.sensitivity import drivers

    assert briefing.findings == [drivers(sens, "ARG")]


# ---- the wrong kind of folder --------------------------------------------------------------


def test_a_folder_partnersim_did_not_write_gets_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("nothing to brief\n", encoding="utf-8")
    line = _fails("report", str(tmp_path / "notes"))
    assert "is not a folder that partnersim wrote" in line and "compare" in line
    assert not (tmp_path / "notes" / "report.pdf").exists()


def test_a_fit_folder_is_named_as_such(tmp_path: Path) -> None:
    folder = tmp_path / "fit"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "fit", "partnersim": "0.1.0"}), encoding="utf-8")
    assert "is a fit folder, which has no briefing" in _fails("report", str(folder))


def test_an_older_compare_folder_says_to_run_the_compare_again(compared: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(compared, old)
    (old / "comparison.json").unlink()
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]["comparison.json"]
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    line = _fails("report", str(old), "--format", "html", "--out", str(tmp_path / "old.html"))
    assert "is a compare folder written by partnersim" in line and "run the compare again" in line
    assert not (tmp_path / "old.html").exists()


def test_a_damaged_comparison_file_gets_one_line(compared: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(compared, broken)
    (broken / "comparison.json").write_text('{"format": 1, "scenarios": []}', encoding="utf-8")
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["comparison.json"]["bytes"] = (broken / "comparison.json").stat().st_size
    (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(RunFolderError, match=r"comparison.json is not a compare file that partnersim wrote"):
        saved.read_comparison(broken)


def test_chart_and_rerun_name_a_what_if_folder_and_what_to_run(compared: Path) -> None:
    line = _fails("chart", str(compared))
    assert f"{compared} is a compare folder, not a run folder" in line and f"partnersim report {compared}" in line
    line = _fails("rerun", str(compared))
    assert "is a compare folder, not a run folder, so it cannot be replayed; to do it again, run its command: " in line


def test_the_briefing_of_a_comparison_lists_the_bases_values_in_force(compared: Path) -> None:
    """The comparison keeps the base's assumptions.csv, as its run would; the briefing lists it with its marks."""
    from partnersim.report.analyses import build_whatif
    from partnersim.scenario.inforce import read_csv

    written = read_csv((compared / "assumptions.csv").read_text(encoding="utf-8"))
    briefing = build_whatif(compared, "compare")
    table = next(t for t in briefing.tables if t.title.startswith("Assumptions in force (the base)"))
    assert len(table.rows) >= len([a for a in written if a.value]) // 2 and written
    assert any("set in" in " ".join(row) for row in table.rows)


def test_load_run_names_a_compare_folder_and_what_briefs_it(compared: Path) -> None:
    import partnersim
    from partnersim.errors import RunFolderError

    with pytest.raises(RunFolderError, match="is a compare folder .*partnersim report briefs it"):
        partnersim.load_run(compared)


def test_a_briefing_read_from_the_folder_names_the_same_ties_as_the_command(tmp_path: Path) -> None:
    """The swings' futures are not kept, so the ties the drivers and the tornadoes' titles name are kept with the
    effects: the briefing says what the command said."""
    from partnersim.charts.tornado import finding
    from partnersim.whatif.sensitivity import drivers, sensitivity

    folder = tmp_path / "sens"
    _invoke("sensitivity", str(SCENARIOS / "latam.yaml"), "-n", "600", "-j", "1", "--out", str(folder), "-q")
    live = sensitivity(SCENARIOS / "latam.yaml", replications=600)
    read = saved.read_sensitivity(folder)
    assert any(read.ties.values())  # latam has settings the noise cannot rank at 600 futures
    for code in ("ARG", "BRA", "MEX"):
        assert drivers(read, code) == drivers(live, code)
        assert finding(read, code) == finding(live, code)
