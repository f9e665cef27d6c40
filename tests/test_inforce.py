"""The assumptions in force: the values a run uses, each marked as set by the scenario or a default with its source.

The values are checked against what the engine compiles, the marks against
where the file and ``--set`` put them, the closed-form consequences against
the engine's own draws, and every source against the files shipped with the
package.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from partnersim.cli import cli
from partnersim.engine.model import compile_scenario
from partnersim.kinds.base import ChunkKeys
from partnersim.kinds.consensus import Consensus
from partnersim.report.inforce import in_force_table, table
from partnersim.results.load import load_run
from partnersim.scenario.inforce import (
    ALLY_KEYS,
    ASSUMPTIONS,
    DEFAULT,
    DERIVED,
    SET,
    Assumption,
    csv_text,
    distribution_words,
    held,
    lines,
    load_in_force,
    read_csv,
)
from partnersim.scenario.loader import load_located, load_scenario
from partnersim.scenario.sources import every_source
from partnersim.streams import Streams, keys_of
from partnersim.values.distributions import gamma, lognormal, pert

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))
DATA = ROOT / "partnersim" / "data"

# Three allies set apart (two of them alike), the others left to the defaults; approval left to the process.
SCENARIO = """\
name: In force
start: 2026-12-01
horizon: 2031-12-31
replications: 200
allies:
  TUR:
    hold: {probability: 0.2, lifted: 0.5}
  HUN: {hold: {probability: 0.05}}
  FRA: {hold: {probability: 0.05}}
stages:
  expert_talks: {teams: 1}
  ipcp_approval:
    allies:
      default: {hold: {lifted: 0.8}}
candidates:
  - {code: ARG, name: Argentina, request: 2026-01-01}
  - {code: BRA, name: Brazil, request: 2027-01-01, withdrawal: {annual_rate: 0.1}}
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "inforce.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def value_of(rows: list[Assumption], place: str, key: str, code: str) -> Assumption:
    """The row giving ``code``'s ``key`` at ``place``: its own group's, or else the largest group's."""
    here = [r for r in rows if r.place == place and r.key == key and r.mark != DERIVED]
    return next((r for r in here if code in r.members), here[0])


# ---- the values are the engine's ------------------------------------------------------------------


@pytest.mark.parametrize("overrides", [(), ("allies.TUR.hold.probability=0.5", "stages.ipcp_drafting.duration=4mo")])
def test_every_value_in_force_is_the_one_the_engine_compiles(scenario_file: Path, overrides: tuple[str, ...]) -> None:
    rows = load_in_force(scenario_file, overrides)
    model = compile_scenario(load_scenario(scenario_file, overrides))
    labels = {spec.name: spec.label for spec in model.template.stages}
    consensus = [stage for stage in model.stages if isinstance(stage, Consensus)]
    assert [s.name for s in consensus] == ["consensus", "ipcp_approval"]
    for stage in consensus:
        for index, code in enumerate(model.ally_codes):
            params = stage.params[index]
            shown = {key: value_of(rows, labels[stage.name], key, code).number for key in ALLY_KEYS}
            assert shown["hold.probability"] == stage.hold_p[index]
            assert shown["hold.lifted"] == stage.lifted_p[index]
            assert shown["deliberation"] == params.deliberation
            assert shown["hold.duration"] == params.hold.duration
    scenario = model.scenario
    for name, params in scenario.stages.items():
        for key in ("teams", "round", "agreement", "max_rounds", "duration"):
            if hasattr(params, key):
                row = next(r for r in rows if r.place == labels[name] and r.key == key)
                assert row.number == getattr(params, key)
    for code, rate in zip(model.candidate_codes, model.withdrawal_rate, strict=True):
        row = next(r for r in rows if r.key == "withdrawal.annual_rate" and code in r.members)
        assert row.number == pytest.approx(rate * 365.25)


def test_set_values_name_their_file_line_and_key_and_defaults_their_source(scenario_file: Path) -> None:
    text = scenario_file.read_text()
    rows = load_in_force(scenario_file, ["allies.HUN.hold.probability=0.07"])
    turkey = value_of(rows, "Allied consensus", "hold.probability", "TUR")
    assert (turkey.value, turkey.mark, turkey.at) == ("20%", SET, f"inforce.yaml:{line_of(text, 'TUR:') + 1}")
    assert turkey.source == f"inforce.yaml, line {line_of(text, 'TUR:') + 1}: allies.TUR.hold.probability"
    hungary = value_of(rows, "Allied consensus", "hold.probability", "HUN")
    assert (hungary.value, hungary.mark, hungary.at, hungary.source) == (
        "7%", SET, "--set", "--set allies.HUN.hold.probability")
    others = value_of(rows, "Allied consensus", "hold.probability", "ALB")
    assert others.mark == DEFAULT and "partnersim/data/partnership_decisions.csv" in others.source
    approval = value_of(rows, "IPCP approval", "hold.probability", "ALB")
    assert approval.mark == DEFAULT and "programme_approval rows" in approval.source and approval.value == "0.37%"
    lifted = value_of(rows, "IPCP approval", "hold.lifted", "ALB")
    assert (lifted.mark, lifted.value) == (SET, "80%")
    assert lifted.at == f"inforce.yaml:{line_of(text, 'default: {hold: {lifted: 0.8}}')}"
    teams = next(r for r in rows if r.key == "teams")
    assert (teams.mark, teams.value, teams.source) == (SET, "1", f"inforce.yaml, line {line_of(text, 'teams')}: "
                                                                   "stages.expert_talks.teams")
    drafting = next(r for r in rows if r.key == "duration")
    assert drafting.mark == DEFAULT and drafting.source.endswith("(partnersim/process/builtin/global-partner.yaml)")
    brazil = next(r for r in rows if r.key == "withdrawal.annual_rate" and "BRA" in r.members)
    assert (brazil.who, brazil.mark, brazil.source) == ("Brazil", SET, f"inforce.yaml, line {line_of(text, 'BRA')}: "
                                                                       "candidates.BRA.withdrawal.annual_rate")
    argentina = next(r for r in rows if r.key == "withdrawal.annual_rate" and "ARG" in r.members)
    assert (argentina.value, argentina.mark) == ("none", DEFAULT)


def test_allies_alike_share_one_row_and_the_others_show_only_what_differs(scenario_file: Path) -> None:
    rows = load_in_force(scenario_file)
    consensus = [r for r in rows if r.place == "Allied consensus" and r.mark != DERIVED]
    groups = {r.who: [x.key for x in consensus if x.who == r.who] for r in consensus}
    assert groups == {
        "29 other allies": list(ALLY_KEYS),
        "Türkiye": ["hold.probability", "hold.lifted"],
        "France and Hungary": ["hold.probability"],
    }
    pair = next(r for r in consensus if r.who == "France and Hungary")
    text = scenario_file.read_text()
    assert pair.members == ("FRA", "HUN") and pair.value == "5%"
    assert pair.at == f"inforce.yaml:{line_of(text, 'HUN:')}, {line_of(text, 'FRA:')}"
    main = next(r for r in consensus if r.who == "29 other allies")
    assert len(main.members) == 29 and not {"TUR", "HUN", "FRA"} & set(main.members)
    alike = load_in_force(scenario_file, ["allies.HUN.hold.probability=0.0036", "allies.FRA.hold.probability=0.0036"])
    shown = [r for r in alike if r.place == "Allied consensus" and r.mark != DERIVED and r.key == "hold.probability"]
    # The default's value, but set by the scenario: apart from the allies that take the default.
    assert [(r.who, r.value, r.mark) for r in shown] == [
        ("29 other allies", "0.36%", DEFAULT), ("France and Hungary", "0.36%", SET), ("Türkiye", "20%", SET)]


def test_allies_who_can_never_hold_show_no_length_or_lifting_of_a_hold(scenario_file: Path) -> None:
    rows = load_in_force(scenario_file, ["allies.default.hold.probability=0"])
    others = [r.key for r in rows if r.place == "Allied consensus" and r.who == "29 other allies" and r.mark != DERIVED]
    assert others == ["deliberation", "hold.probability"]
    turkey = [r.key for r in rows if r.place == "Allied consensus" and r.who == "Türkiye"]
    assert turkey == ["hold.probability", "hold.lifted"]
    # An election that gives them a chance of holding later brings both back.
    elected = scenario_file.with_name("elected.yaml")
    elected.write_text(scenario_file.read_text().replace(
        "stages:", "calendar:\n  elections:\n    - {ally: ALB, date: 2028-01-01, hold: 0.1}\nstages:"), encoding="utf-8")
    rows = load_in_force(elected, ["allies.default.hold.probability=0"])
    albania = [r.key for r in rows if r.place == "Allied consensus" and "ALB" in r.members and r.mark != DERIVED]
    assert "hold.duration" in albania and "hold.lifted" in albania


# ---- what the values imply -------------------------------------------------------------------------


BLOC = SCENARIO.replace("candidates:", "blocs:\n  - {name: pair, allies: [TUR, HUN], strength: 0.6}\ncandidates:")


@pytest.mark.parametrize("text", [SCENARIO, BLOC], ids=["independent", "bloc"])
def test_the_closed_form_chance_of_a_hold_and_a_veto_is_what_the_engine_draws(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    rows = load_in_force(path)
    derived = {r.key: r for r in rows if r.place == "Allied consensus" and r.mark == DERIVED and len(r.members) == 32}
    model = compile_scenario(load_scenario(path))
    stage = model.stages[0]
    assert isinstance(stage, Consensus)
    # Directly: one hold and one lifting draw per ally, as the engine makes them for 40,000 cases.
    n = 40_000
    plan = stage.draw(Streams(3), ChunkKeys(np.arange(n, dtype=np.uint64), keys_of(["ARG"])))
    stage.resolve(plan, np.zeros((n, 1)))
    assert plan.holds is not None and plan.vetoed is not None
    for key, drawn in (("derived.hold", plan.holds.any(axis=2).mean()), ("derived.veto", plan.vetoed.mean())):
        p = derived[key].number
        assert abs(drawn - p) < 4.5 * np.sqrt(p * (1 - p) / n), (key, drawn, p)
    # Without blocs the closed form is the plain product over the allies.
    if text == SCENARIO:
        p = [params.hold.probability for params in stage.params]
        assert derived["derived.hold"].number == pytest.approx(1 - np.prod([1 - x for x in p]))
        assert derived["derived.veto"].number == pytest.approx(1 - np.prod([1 - x.veto for x in stage.params]))


def test_the_largest_group_gets_its_own_consequence(scenario_file: Path) -> None:
    scenario, origins = load_located(scenario_file)
    rows = load_in_force(scenario_file)
    others = [r for r in rows if r.mark == DERIVED and r.place == "Allied consensus" and len(r.members) == 29]
    assert [r.who for r in others] == ["29 other allies"] * 2
    stage = compile_scenario(scenario).stages[0]
    assert isinstance(stage, Consensus)
    assert others[0].number == pytest.approx(held(scenario, stage.params, others[0].members))
    assert others[0].number == pytest.approx(1 - (1 - 0.0036) ** 29)
    assert others[0].value == "9.9%"


# ---- sources a reader can follow -------------------------------------------------------------------

_FILE = re.compile(r"[\w./-]*[\w-]\.(?:csv|md|yaml|py)\b")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*")


def unfollowable(text: str, folder: Path) -> list[str]:
    """The files ``text`` names that a reader cannot open: neither shipped nor a web address."""
    missing = []
    for name in _FILE.findall(_URL.sub(" ", text)):
        places = [ROOT / name, folder / name, DATA / name, ROOT / "partnersim" / name]
        if not any(p.is_file() for p in places):
            missing.append(name)
    return missing


def test_every_default_names_a_shipped_file_or_a_web_address() -> None:
    for source in every_source():
        assert unfollowable(source, ROOT) == [], source
        named = _FILE.findall(_URL.sub(" ", source))
        assert named or _URL.search(source), f"no file or address in: {source}"
        # A default's file is shipped inside the package, not only beside it.
        assert all(name.startswith("partnersim/") for name in named), source


@pytest.mark.parametrize("path", [*SHIPPED, DATA / "SOURCES.md"], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_shipped_scenarios_cite_only_what_a_reader_can_open(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    comments = text if path.suffix == ".md" else "\n".join(
        line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    assert unfollowable(comments, path.parent) == []
    assert "facts.md" not in text and "domain notes" not in text


def test_no_page_cites_notes_that_are_not_shipped() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "facts.md" not in page.read_text(encoding="utf-8"), page.name


def test_the_checker_catches_a_file_that_is_not_shipped() -> None:
    assert unfollowable("a fact (facts.md §2; events.csv; https://example.org/notes.md)", ROOT) == ["facts.md"]


# ---- how they are shown ------------------------------------------------------------------------------


def test_validate_lists_the_assumptions_in_force_within_80_columns(scenario_file: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(scenario_file)])
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[0].startswith(f"{scenario_file}: ok — 'In force', 2 candidates")
    text = scenario_file.read_text()
    for line in [
        "Assumptions in force: [line n] set in inforce.yaml, [default n] see below",
        "Allied consensus, 29 other allies",
        "  chance of a hold: 0.36% [default 2]",
        "  length of a hold: lognormal, median 2.4 years, p90 9.9 years [default 3]",
        f"Allied consensus, France and Hungary: chance of a hold 5% [lines {line_of(text, 'HUN:')}, "
        f"{line_of(text, 'FRA:')}]",
        "Allied consensus, all 32 allies: at least one holds in 35%, vetoes in 12%",
        "IPCP approval, 29 other allies: at least one holds in 10%, vetoes in 2.1%",
        f"  expert teams: 1 [line {line_of(text, 'teams')}]",
        f"Candidates, Brazil: withdrawal rate per year 0.1 (10% within a year) [line {line_of(text, 'BRA')}]",
        "Sources of the defaults:",
    ]:
        assert line in out, line
    assert all(len(line) <= 80 for line in out[1:]), [line for line in out if len(line) > 80]
    assert any(line.startswith("  [2] fitted: 1 hold in 281 allied decisions") for line in out)


def test_the_listing_in_the_scenario_reference_is_what_validate_prints(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    page = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    section = page.split("## The assumptions in force", 1)[1].split("\n## ", 1)[0]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    Path("in-force.yaml").write_text(example, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "in-force.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == shown


def test_words_for_durations_name_their_family() -> None:
    assert distribution_words(lognormal("1w", "3w")) == "lognormal, median 7 days, 90% within 21 days"
    assert distribution_words(lognormal("1w", "3w"), short=True) == "lognormal, median 7 days, p90 21 days"
    assert distribution_words(pert("3mo", "6mo", "12mo")) == "PERT, 3 months to 12 months, median 6.4 months"
    assert distribution_words(gamma("2mo", 0.5)).startswith("gamma, median 56 days, 90% within 3.3 months")


def test_assumptions_csv_reads_back_as_written(scenario_file: Path) -> None:
    rows = load_in_force(scenario_file, ["allies.TUR.hold.probability=0.5"])
    back = read_csv(csv_text(rows))
    keep = ("place", "who", "setting", "value", "mark", "at", "source", "key", "members")
    assert [[getattr(r, k) for k in keep] for r in back] == [[getattr(r, k) for k in keep] for r in rows]
    with pytest.raises(ValueError, match="expected the columns"):
        read_csv("a,b\n1,2\n")


def test_a_run_writes_assumptions_csv_and_points_at_it(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(scenario_file), "-n", "40", "-j", "1", "--no-rows", "--out", str(out),
                                      "--set", "allies.TUR.hold.probability=0.3"])
    assert result.exit_code == 0, result.output
    assert f"Assumptions in force: {out}/{ASSUMPTIONS} (" in result.stdout
    written = read_csv((out / ASSUMPTIONS).read_text(encoding="utf-8"))
    turkey = value_of(written, "Allied consensus", "hold.probability", "TUR")
    assert (turkey.value, turkey.source) == ("30%", "--set allies.TUR.hold.probability")
    briefing = in_force_table(load_run(out).folder)
    assert briefing.title == "Assumptions in force"
    assert ["Allied consensus: Türkiye", "chance of a hold", "30%", "set with --set"] in briefing.rows
    assert "[1] assumption, no dated record" in briefing.note


def test_the_briefing_table_numbers_the_sources_of_the_defaults(scenario_file: Path) -> None:
    shown = table(load_in_force(scenario_file))
    assert shown.header == ["Applies to", "Setting", "Value in force", "Set by the scenario, or default"]
    bases = [row[3] for row in shown.rows]
    assert "default [2]" in bases and "derived" in bases
    text = scenario_file.read_text()
    assert ["Allied consensus: France and Hungary", "chance of a hold", "5%",
            f"set in inforce.yaml, lines {line_of(text, 'HUN:')}, {line_of(text, 'FRA:')}"] in shown.rows
    assert ["Allied consensus: all 32 allies", "chance that at least one holds, and that at least one vetoes",
            "35% and 12%", "derived"] in shown.rows
    assert shown.note.count("[1] ") == 1 and "[2] fitted: 1 hold in 281" in shown.note
    everything = table([r for r in load_in_force(scenario_file) if r.mark != DEFAULT])
    assert everything.note.endswith("No value here is a default: the scenario sets every one.")


def test_a_run_folder_without_assumptions_csv_says_so(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(scenario_file), "-n", "20", "-j", "1", "--no-rows", "--out", str(out),
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Assumptions in force" not in result.stdout
    text = (out / ASSUMPTIONS).read_text(encoding="utf-8")
    (out / ASSUMPTIONS).write_text(text.replace("Allied consensus", "Allied\x1b[2J consensus"), encoding="utf-8")
    edited = in_force_table(load_run(out).folder)
    assert edited.rows[0][0] == "Allied[2J consensus: 29 other allies"  # shown, never acted on
    assert not any("\x1b" in cell for row in edited.rows for cell in row)
    (out / ASSUMPTIONS).write_text("place,who\nx,y\n", encoding="utf-8")
    damaged = in_force_table(load_run(out).folder)
    assert damaged.rows == [["the whole run", "every setting", "not shown: assumptions.csv cannot be read (expected "
                             "the columns place, who, setting, value, mark, at, source, key, members); run the "
                             "scenario again", ""]]
    (out / ASSUMPTIONS).unlink()
    shown = in_force_table(load_run(out).folder)
    assert len(shown.rows) == 1 and "run the scenario again" in shown.rows[0][2]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_shipped_scenario_lists_its_assumptions_within_80_columns(path: Path) -> None:
    shown = lines(load_in_force(path), main=path.name)
    assert all(len(line) <= 80 or " " not in line.strip() for line in shown)
    assert any(line.startswith(("Allied consensus", "Invitation", "Negotiations opened")) for line in shown)


def test_lines_wrap_nothing_when_given_room() -> None:
    rows = [Assumption("Stage", "", "duration", "PERT, 3 months to 12 months, median 6.4 months", DEFAULT,
                       source="assumption (partnersim/kinds/task.py)")]
    assert lines(rows) == textwrap.dedent("""\
        Assumptions in force: [line n] set by the scenario, [default n] see below
        Stage: duration PERT, 3 months to 12 months, median 6.4 months [default 1]
        Sources of the defaults:
          [1] assumption (partnersim/kinds/task.py)""").splitlines()
