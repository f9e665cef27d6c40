"""Charts: every chart is a titled, labelled, footed Figure; files are what they claim to be."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from partnersim.charts import (
    CHART_NAMES,
    CHARTS,
    chart,
    dates,
    mermaid,
    process_diagram,
    render_all,
    save,
    selection,
    style,
)
from partnersim.charts.allies import ally_table
from partnersim.charts.dates import date_ticks
from partnersim.charts.outcomes import finding as outcome_finding
from partnersim.charts.scurve import finding as s_curve_finding
from partnersim.charts.scurve import legend_text
from partnersim.charts.starts import bin_edges, bin_shares
from partnersim.cli import cli
from partnersim.errors import PartnersimError
from partnersim.process.library import GLOBAL_PARTNER
from partnersim.process.machine import state_names, transition_table
from partnersim.results.load import SavedRun, load_run
from partnersim.results.rows import Rows, read_rows
from partnersim.results.summary import Estimate, Results
from partnersim.results.text import interval, stands_out
from partnersim.runs import execute, prepare
from partnersim.simulation import simulate
from partnersim.text import percent

N = 300
SEED = 4242

# Argentina and Chile can finish within two years; Peru asks a month before
# the horizon and can never reach cooperation in time. Türkiye often holds.
# The partnerships' life follows cooperation (areas, renewals, suspension).
THREE = f"""\
name: Chart test, three candidates
start: 2025-01-01
horizon: 2y
seed: {SEED}
allies:
  TUR: {{hold: {{probability: 0.3}}}}
partnership:
  areas: {{initial: 2, added_per_year: 2}}
  renewal: {{every: 6mo}}
  suspension: {{annual_rate: 0.1}}
candidates:
  - {{code: ARG, name: Argentina, request: 2024-04-18, stage: expert_talks}}
  - {{code: CHL, name: Chile, request: 2025-01-01, withdrawal: {{annual_rate: 0.1}}}}
  - {{code: PER, name: Peru, request: 2026-12-01}}
"""

ONE = f"""\
name: Chart test, one candidate
start: 2025-01-01
horizon: 3y
seed: {SEED}
candidates:
  - {{code: COL, name: Colombia, request: 2025-02-01}}
"""

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<svg"}
RESULT_CHARTS = [name for name in CHART_NAMES if name != "process"]


def _run(tmp_path_factory: pytest.TempPathFactory, text: str) -> Results:
    path = tmp_path_factory.mktemp("scenario") / "scenario.yaml"
    path.write_text(text)
    return simulate(path, replications=N, jobs=1)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> SavedRun:
    """A run folder of the three-candidate scenario, read back as the chart command reads it."""
    folder = tmp_path_factory.mktemp("runs")
    path = folder / "three.yaml"
    path.write_text(THREE)
    done = execute(path, prepare(path, replications=N), out=folder / "three", jobs=1)
    return load_run(done.folder)


@pytest.fixture(scope="module")
def three(run: SavedRun) -> Results:
    return run.results


@pytest.fixture(scope="module")
def rows(run: SavedRun) -> Rows:
    assert run.rows_path is not None
    return read_rows(run.rows_path, run.results)


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return _run(tmp_path_factory, ONE)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts]


def _all_text(fig: Figure) -> str:
    found = _texts(fig)
    axes = [*fig.axes, *(child for ax in fig.axes for child in ax.child_axes)]
    for ax in axes:
        found += [t.get_text() for t in ax.texts]
        found += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        found += [ax.get_ylabel(), ax.get_xlabel()]
        if hasattr(ax, "get_title"):
            found.append(ax.get_title(loc="left"))
        legend = ax.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()]
    return "\n".join(found)


def _legend(fig: Figure) -> list[str]:
    """The texts of the chart's legends, on its axes or on the figure (a legend laid out above the plot)."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def _ink(fig: Figure) -> float:
    """Share of the pixels that are not white: a blank chart has almost none."""
    from matplotlib.image import imread

    data = imread(io.BytesIO(style.png_bytes(fig, dpi=40)), format="png")
    return float((data[:, :, :3].min(axis=2) < 0.9).mean())


# ---- importing --------------------------------------------------------------------


def test_importing_charts_and_mermaid_does_not_import_matplotlib() -> None:
    code = (
        "import sys, partnersim.charts, partnersim.charts.mermaid;"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_chart_names_are_stable() -> None:
    assert list(CHARTS) == ["outcomes", "s_curve", "start_dates", "stage_times", "allies", "timeline",
                            "partnership", "process"]


def test_an_unknown_chart_name_gets_a_suggestion() -> None:
    with pytest.raises(PartnersimError, match=r"unknown chart 'outcome' \(did you mean 'outcomes'\?\); the charts "
                                              r"are outcomes, s_curve, start_dates"):
        chart("outcome")


# ---- every chart ------------------------------------------------------------------


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_chart_renders_is_not_blank_and_says_what_it_shows(name: str, three: Results, rows: Rows) -> None:
    fig = CHARTS[name](three, rows=rows)
    assert isinstance(fig, Figure)
    assert list(fig.get_size_inches()) == [10.0, 5.625]
    title, subtitle, footer = _texts(fig)[0], _texts(fig)[1], _texts(fig)[-1]
    assert len(title) > 20 and len(subtitle) > 20
    if name == "process":
        assert "partnersim" in footer
    else:
        # A value axis carries its unit; a calendar axis says it is a date.
        text = _all_text(fig)
        assert "(%)" in text or "(months)" in text or "Date" in text
        assert f"seed {SEED}" in footer and f"{N:,} replications" in footer and three.scenario.name in footer
    assert 0.03 < _ink(fig) < 0.6  # last: drawing the image releases the figure


@pytest.mark.parametrize("name", [n for n in RESULT_CHARTS if not CHARTS[n].needs_rows
                                  and not CHARTS[n].needs_partnership])
def test_one_candidate_charts_are_titled_and_footed(name: str, one: Results) -> None:
    fig = CHARTS[name](one)
    assert "Colombia" in _texts(fig)[0] or "%" in _texts(fig)[0] or "Allied" in _texts(fig)[0]
    assert "Colombia" in _all_text(fig) or "1 candidate" in _texts(fig)[1]
    assert f"seed {SEED}" in _texts(fig)[-1]


@pytest.mark.parametrize("name", ["outcomes", "start_dates", "timeline"])
def test_a4_size(name: str, three: Results, rows: Rows) -> None:
    fig = CHARTS[name](three, size="a4", rows=rows)
    assert tuple(fig.get_size_inches()) == pytest.approx(style.SIZES["a4"])


def test_a_chart_read_back_from_a_run_folder_shows_the_run_date(run: SavedRun) -> None:
    assert run.results.created is not None
    footer = _texts(CHARTS["outcomes"](run.results))[-1]
    assert f"run {run.results.created.date().isoformat()}" in footer


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_save_writes_the_format_it_names(fmt: str, one: Results, tmp_path: Path) -> None:
    fig = CHARTS["outcomes"](one)
    path = save(fig, tmp_path / f"chart.{fmt}")
    data = path.read_bytes()
    assert len(data) > 1000
    if fmt == "svg":
        assert MAGIC["svg"] in data[:400]
    else:
        assert data.startswith(MAGIC[fmt])
    assert not fig.axes  # released


def test_render_all_draws_what_is_asked(one: Results, tmp_path: Path) -> None:
    written = render_all(one, tmp_path / "charts", format="svg", only=["process"])
    assert [p.name for p in written] == ["process.svg"] and written[0].stat().st_size > 0


def test_without_rows_the_timeline_is_left_out_unless_asked_for() -> None:
    assert [c.name for c in selection(has_partnership=True)] == list(CHART_NAMES)
    assert [c.name for c in selection(has_rows=False, has_partnership=True)] == [
        n for n in CHART_NAMES if n != "timeline"]
    assert [c.name for c in selection()] == [n for n in CHART_NAMES if n != "partnership"]
    assert [c.name for c in selection(["allies", "outcomes"], has_rows=False)] == ["allies", "outcomes"]


def test_a_run_folder_gets_every_chart(run: SavedRun) -> None:
    assert sorted(p.name for p in (run.folder / "charts").iterdir()) == sorted(f"{n}.png" for n in CHART_NAMES)


def test_the_timeline_without_rows_says_what_is_missing(one: Results, tmp_path: Path) -> None:
    with pytest.raises(PartnersimError, match="needs the run's replications.csv"):
        render_all(one, tmp_path, only=["timeline"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"format": "jpg"}, '"format" must be one of png, svg, pdf'),
     ({"size": "poster"}, '"size" must be one of slide, a4'),
     ({"only": ["tornadoes"]}, "unknown chart 'tornadoes'")],
)
def test_render_all_rejects_unknown_options(one: Results, tmp_path: Path, kwargs: dict[str, str],
                                            message: str) -> None:
    with pytest.raises(PartnersimError, match=message):
        render_all(one, tmp_path, **kwargs)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


# ---- the chart command --------------------------------------------------------------


def test_chart_command_redraws_only_what_is_asked(run: SavedRun) -> None:
    result = CliRunner().invoke(cli, ["chart", str(run.folder), "--only", "s_curve", "--only", "allies",
                                      "--format", "svg", "--size", "a4"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote {run.folder / 'charts'}/ (s_curve.svg, allies.svg)"
    assert (run.folder / "charts" / "allies.svg").read_bytes()[:400].find(b"<svg") >= 0


def test_chart_command_rejects_an_unknown_name_in_one_line(run: SavedRun) -> None:
    result = CliRunner().invoke(cli, ["chart", str(run.folder), "--only", "timelines"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "did you mean 'timeline'?" in lines[0] and "outcomes, s_curve, start_dates" in lines[0]


def test_chart_command_on_a_missing_folder_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["chart", str(tmp_path / "runs" / "nothing-here")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: no run folder at {tmp_path / 'runs' / 'nothing-here'}"]


# ---- the outcome chart --------------------------------------------------------------


def test_outcome_chart_shows_every_candidate_and_its_interval(three: Results) -> None:
    fig = CHARTS["outcomes"](three)
    text = _all_text(fig)
    for candidate in three.candidates:
        assert candidate.name in text
    assert "Probability by 1 Jan 2027 (%)" == fig.axes[0].get_xlabel()
    assert "whisker and figures at the right: 95% interval of cooperation" in " ".join(text.split())


def _with_success(results: Results, counts: list[int]) -> Results:
    n = results.replications
    candidates = [
        c.model_copy(update=dict(outcomes={**c.outcomes, results.success: Estimate.of(k, n)}))
        for c, k in zip(results.candidates, counts, strict=True)
    ]
    return results.model_copy(update=dict(candidates=candidates))


def test_outcome_finding_names_a_clear_leader(three: Results) -> None:
    title = outcome_finding(_with_success(three, [270, 60, 0]))
    assert title == "Argentina is most likely to reach cooperation by 1 Jan 2027 (90%)"


def test_outcome_finding_does_not_split_candidates_it_cannot_tell_apart(three: Results) -> None:
    title = outcome_finding(_with_success(three, [150, 150, 0]))
    assert title == "Argentina and Chile are about equally likely to reach cooperation by 1 Jan 2027 (50%)"


def test_outcome_finding_when_nobody_succeeds(three: Results, one: Results) -> None:
    assert outcome_finding(_with_success(three, [0, 0, 0])) == (
        "No candidate reaches cooperation by 1 Jan 2027 in any replication")
    assert outcome_finding(_with_success(one, [0])) == (
        "Colombia does not reach cooperation by 1 Jan 2028 in any replication")


def test_outcome_finding_for_a_single_candidate(one: Results) -> None:
    assert outcome_finding(_with_success(one, [120])) == (
        "Colombia has a 40% chance of cooperation by 1 Jan 2028")


# ---- the S-curve ---------------------------------------------------------------------


def test_candidate_that_never_succeeds_is_shown_after_the_horizon(three: Results) -> None:
    peru = three.candidate("PER")
    assert peru.dates["P50"] is None
    assert legend_text(three, peru) == "Peru — P50, P80 after Jan 2027"
    fig = CHARTS["s_curve"](three)
    assert "0% Peru" in _all_text(fig)


def _with_p50(results: Results, p50s: list[dt.date | None]) -> Results:
    candidates = [
        c.model_copy(update=dict(dates={**c.dates, "P50": d}))
        for c, d in zip(results.candidates, p50s, strict=True)
    ]
    return results.model_copy(update=dict(candidates=candidates))


def test_s_curve_finding(three: Results, one: Results) -> None:
    early, late = dt.date(2025, 9, 3), dt.date(2026, 5, 1)
    assert s_curve_finding(_with_p50(three, [early, late, None])) == (
        "Argentina is first to an even chance of cooperation, by Sep 2025")
    assert s_curve_finding(_with_p50(three, [None, late, None])) == (
        "Only Chile reaches an even chance of cooperation in time, by May 2026")
    assert s_curve_finding(_with_p50(one, [early])) == "Colombia has an even chance of cooperation by Sep 2025"
    none = _with_success(_with_p50(three, [None, None, None]), [120, 30, 0])
    assert s_curve_finding(none) == (
        "No candidate reaches an even chance of cooperation by 1 Jan 2027; best is Argentina at 40%")


def test_calendar_ticks() -> None:
    major, minor, label = date_ticks(dt.date(2025, 1, 1), dt.date(2031, 1, 1))
    assert major == [dt.date(y, 1, 1) for y in range(2025, 2032)] and label == "%Y"
    assert len(minor) == 6 * 4 + 1
    major, _, _ = date_ticks(dt.date(2025, 3, 15), dt.date(2045, 3, 15))
    assert major[0] == dt.date(2026, 1, 1) and major[1] == dt.date(2028, 1, 1)
    major, _, label = date_ticks(dt.date(2025, 5, 1), dt.date(2026, 10, 30))
    assert major[0] == dt.date(2025, 7, 1) and label == "%b\n%Y"


def test_s_curve_draws_one_line_per_candidate_on_a_calendar_axis(three: Results) -> None:
    fig = CHARTS["s_curve"](three)
    ax = fig.axes[0]
    assert len(_legend(fig)) == len(three.candidates)
    assert [t.split(" — ")[0] for t in _legend(fig)] == [c.name for c in three.candidates]
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.DateFormatter)
    assert ax.get_xlim() == pytest.approx((mdates.date2num(three.start), mdates.date2num(three.end_date)))


# ---- when cooperation starts ------------------------------------------------------------


def test_start_date_bins_add_up_to_the_chance_by_the_horizon(three: Results) -> None:
    edges = bin_edges(three.start, three.end_date)
    assert edges[0] == three.start and edges[-1] == three.end_date + dt.timedelta(days=1)
    for candidate in three.candidates:
        shares = bin_shares(candidate, three.start, edges)
        assert shares.sum() == pytest.approx(candidate.outcomes[three.success].p, abs=1e-5)  # CSV: 6 places
        assert (shares >= -1e-12).all()


def test_start_date_chart_has_a_panel_per_candidate_on_one_calendar(three: Results) -> None:
    fig = CHARTS["start_dates"](three)
    panels = [ax for ax in fig.axes if any(bar.get_height() > 0 for bar in ax.patches)]
    assert [ax.get_ylabel() for ax in fig.axes] == [c.name for c in three.candidates]
    assert len(panels) == 2  # Peru asks too late to start in time: no bars
    assert isinstance(fig.axes[-1].xaxis.get_major_formatter(), mdates.DateFormatter)
    assert fig.axes[-1].get_xlabel() == "Date cooperation starts"
    text = _all_text(fig)
    for candidate in three.candidates:
        assert candidate.name in text
    peru = three.candidate("PER").outcomes[three.success]
    assert peru.count == 0 and f"{interval(peru)}\nby Jan 2027" in text  # the chance by the horizon, with its interval
    assert "quarter" in _texts(fig)[1] or "month" in _texts(fig)[1]


# ---- where the time goes ---------------------------------------------------------------


def test_stage_chart_stacks_every_stage_for_every_candidate(three: Results, rows: Rows) -> None:
    fig = CHARTS["stage_times"](three, rows=rows)
    ax = fig.axes[0]
    assert _legend(fig) == ["Allied consensus", "Expert talks", "IPCP drafting", "IPCP approval"]
    assert len(ax.containers) == 4 and all(len(c) == 3 for c in ax.containers)
    assert [t.get_text() for t in ax.get_yticklabels()] == [c.name for c in three.candidates]
    assert ax.get_xlabel().endswith("(months)")
    argentina = three.candidate("ARG")
    talks = next(s for s in argentina.stages if s.stage == "expert_talks")
    width = ax.containers[1][0].get_width()
    assert width == pytest.approx(talks.mean_days / (365.25 / 12))
    assert "95% intervals within ±" in _texts(fig)[1]


def test_stage_title_says_when_the_horizon_cuts_the_mean_short(three: Results) -> None:
    """Peru asks a month before the horizon: every case of it is still in allied consensus then, so the mean
    time there counts only that month, and the title says so with the share cut short."""
    from partnersim.charts.stages import cut, finding

    peru = three.candidate("PER")
    consensus = next(s for s in peru.stages if s.stage == "consensus")
    assert cut(peru, consensus) == pytest.approx(peru.pending_at["consensus"] / consensus.entered)
    shares = [cut(c, s) for c in three.candidates for s in c.stages if s.label == "Allied consensus"]
    title = finding(three)
    assert title.startswith("Allied consensus takes longest for 2 of 3 candidates")
    assert "counting time up to 1 Jan 2027 only (up to " in title
    assert any(f"(up to {percent(share)} of the cases in it are still there then)" in title for share in shares)


# ---- allies ------------------------------------------------------------------------------


def test_ally_counts_from_rows_match_the_results(three: Results, rows: Rows) -> None:
    assert rows.allies.cases == N * 3
    for candidate in three.candidates:
        for share in candidate.holding:
            assert rows.allies.held.get(share.code, 0) >= share.count
    table = ally_table(three, rows)
    assert table.exact and len(table.rows) <= 10
    assert table.rows[0].code == "TUR"  # held with probability 0.3, ten times any other ally
    assert table.rows[0].held == rows.allies.held["TUR"]


def test_ally_chart_names_the_ally_set_apart_and_the_others_as_one_row(three: Results, rows: Rows) -> None:
    """Türkiye, set apart, has its own row; the 31 allies set alike are one row, each on average: which of them
    comes first is chance, so none is named."""
    fig = CHARTS["allies"](three, rows=rows)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Held its consent", "Vetoed", "Last to consent"]
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert names == ["Türkiye", "Each other ally\n(31, default settings)"]
    assert all(len(ax.patches) == 2 for ax in fig.axes)
    counts = [t.get_text() for t in fig.axes[0].texts]
    assert counts[0].startswith(f"{rows.allies.held['TUR']:,} (")
    others = [code for code in three.scenario.roster if code != "TUR"]
    mean = sum(rows.allies.held.get(code, 0) for code in others) / len(others)
    assert counts[1].startswith(f"{percent(mean / rows.allies.cases, fine_below=0.1)} each (")
    assert _texts(fig)[0].startswith("Türkiye stands in the way most often")


def test_ally_chart_without_rows_says_where_its_counts_come_from(three: Results) -> None:
    fig = CHARTS["allies"](three)
    assert "five most frequent allies" in _texts(fig)[1]


# ---- the timeline ------------------------------------------------------------------------


def test_the_story_is_one_whole_replication(three: Results, rows: Rows) -> None:
    story = rows.story
    assert 0 <= story.replication < N
    assert [c.code for c in story.cases] == ["ARG", "CHL", "PER"]
    for case in story.cases:
        if case.spans:
            assert case.spans[0].start == pytest.approx(case.opened)
            assert case.spans[-1].end == pytest.approx(case.end, abs=0.02)
            assert all(a.end == pytest.approx(b.start) for a, b in zip(case.spans, case.spans[1:], strict=False))


def test_timeline_draws_the_stages_on_calendar_dates_and_says_how_each_case_ends(three: Results,
                                                                                   rows: Rows) -> None:
    fig = CHARTS["timeline"](three, rows=rows)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [c.name for c in three.candidates]
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.DateFormatter)
    endings = [t.get_text() for t in ax.child_axes[0].get_yticklabels()]
    assert len(endings) == 3
    outcome = {"cooperation": "Cooperation", "pending": "Pending", "rejected": "Rejected",
               "withdrawn": "Withdrawn", "talks_failed": "Talks failed"}
    for case, ending in zip(rows.story.cases, endings, strict=True):
        assert (ending.startswith(outcome[case.outcome]) or ending == "No request by the horizon"
                or (case.outcome == "pending" and ending.startswith("Pending; asked ")))
    bars = sum(len(case.spans) for case in rows.story.cases)
    assert len([p for p in ax.patches if p.get_height() == pytest.approx(0.46)]) == bars
    notes = [t.get_text() for t in ax.texts]
    consensus = [s for c in rows.story.cases for s in c.spans if s.stage == "consensus"]
    # Every hold and veto is noted; an ally's name only where it stands out in the forecast, and being last only
    # then (in one future, being last is chance).
    out = {code for code in three.scenario.roster if stands_out(three, code)}
    assert len([n for n in notes if n.startswith(("held:", "last:", "vetoed:"))]) >= len(
        [s for s in consensus if s.held or s.veto or s.last in out])
    named = {name for code, name in three.scenario.roster.items() if code not in out}
    assert not [n for n in notes if any(n.endswith(f": {name}") for name in named)]
    assert "not a forecast" in _texts(fig)[1]


# ---- the process --------------------------------------------------------------------


def test_mermaid_holds_every_state_and_trigger() -> None:
    text = mermaid("global-partner")
    assert text.startswith("stateDiagram-v2\n")
    for state in state_names(GLOBAL_PARTNER):
        assert f" as {state}\n" in text
    for row in transition_table(GLOBAL_PARTNER):
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source in sources:
            assert f"{source} --> {row['dest']}: {row['trigger']}\n" in text
    assert 'state "Allied consensus" as consensus' in text


def test_process_diagram_draws_every_stage_and_outcome() -> None:
    fig = process_diagram(GLOBAL_PARTNER)
    text = _all_text(fig).replace("\n", " ")
    for label in ["Requested", "Allied consensus", "Expert talks", "IPCP drafting", "IPCP approval",
                  "Cooperation", "Rejected", "Withdrawn", "Talks failed", "Pending"]:
        assert label in text
    assert "vetoes" in text and "withdraws" in text and "horizon reached" in text
    assert "any one ally can block at 2" in _texts(fig)[0]


def test_a_run_without_a_partnership_block_draws_no_partnership_life(one: Results) -> None:
    """The run simulated no renewals or suspensions, so its process chart shows none; the process itself
    (``partnersim diagram``) still does."""
    assert one.scenario.partnership is None
    run_chart = _all_text(CHARTS["process"](one))
    assert "Renewal" not in run_chart and "Lapsed" not in run_chart and "renewal" not in run_chart
    assert "Renewal" in _all_text(process_diagram(GLOBAL_PARTNER))


def test_unknown_template_is_a_partnersim_error() -> None:
    with pytest.raises(PartnersimError, match="unknown process template 'membership'"):
        mermaid("membership")


# ---- style --------------------------------------------------------------------------


def test_outcome_colours_are_fixed_and_distinct() -> None:
    colours = [style.outcome_style(o)["color"] for o in style.OUTCOME_STYLE]
    hatches = [style.outcome_style(o)["hatch"] for o in style.OUTCOME_STYLE]
    assert len(set(colours)) == len(colours) and len(set(hatches)) == len(hatches)
    assert style.candidate_style(0) == style.candidate_style(0)
    assert style.candidate_style(0) != style.candidate_style(1)
    assert style.SIZES["slide"][0] / style.SIZES["slide"][1] == pytest.approx(16 / 9)


def test_spread_keeps_order_and_gap() -> None:
    placed = style.spread([74.0, 72.0, 72.5, 10.0], gap=5, low=0, high=86)
    assert placed[3] == 10.0
    ordered = sorted(placed[:3])
    assert all(b - a >= 5 - 1e-9 for a, b in zip(ordered, ordered[1:], strict=False))
    assert max(placed) <= 86


def test_a_long_scenario_name_is_cut_but_never_the_numbers(one: Results) -> None:
    long_name = ("A scenario name that goes on and on " * 6)[:200]  # as long as the schema allows
    results = one.model_copy(update=dict(scenario=one.scenario.with_updates(name=long_name)))
    footer = _texts(CHARTS["outcomes"](results))[-1]
    assert "…" in footer and f"seed {SEED}" in footer and f"{N:,} replications" in footer


def test_two_row_legend_reads_row_by_row() -> None:
    from partnersim.charts.outcomes import _row_major

    # a legend fills columns first: columns (a, d), (b, e), (c) read a b c / d e
    assert _row_major(list("abcde"), 3) == list("adbec")


def test_the_process_diagram_shows_an_approval_run_as_a_silence_procedure() -> None:
    from partnersim.charts.diagram import process_diagram

    fig = process_diagram("global-partner", kinds={"ipcp_approval": "silence"})
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("IPCP approval passes unless an ally breaks silence" in t for t in texts)
    assert "by silence" in texts and any(t.startswith("Every ally must agree at Allied consensus;") for t in texts)


def test_the_s_curve_legend_never_covers_a_line() -> None:
    """In latam-calendar.yaml Argentina's curve levels off at about 70% right where the
    legend would go; the legend then goes below the plot instead."""
    from pathlib import Path

    from partnersim.charts import style
    from partnersim.charts.scurve import s_curve_chart
    from partnersim.simulation import simulate

    results = simulate(Path(__file__).parent.parent / "scenarios" / "latam-calendar.yaml", replications=600)
    fig = s_curve_chart(results)
    ax = fig.axes[0]
    assert not style.legend_covers_data(ax, ax.get_legend())


# ---- scripts the house font lacks ------------------------------------------------------


def test_the_fallback_fonts_are_those_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    monkeypatch.setattr(style, "FALLBACK_FONTS", ("No Such Font", "STIXGeneral"))
    assert style.font_families() == ["sans-serif", "STIXGeneral"]
    with style.context():
        assert matplotlib.rcParams["font.family"] == ["sans-serif", "STIXGeneral"]


def test_a_character_the_house_font_lacks_comes_from_a_fallback_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """U+2312 (an arc) is not in DejaVu Sans but is in STIX, which matplotlib ships: with STIX as the
    fallback the arc is measured (and drawn) as STIX draws it."""
    from matplotlib.font_manager import FontProperties

    fig = style.new_figure()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    monkeypatch.setattr(style, "FALLBACK_FONTS", ())
    with style.context():
        stix, _, _ = renderer.get_text_width_height_descent("\u2312", FontProperties(family="STIXGeneral", size=12),
                                                            ismath=False)
    with style.context():
        alone = style.measure(fig, "\u2312", 12)
    monkeypatch.setattr(style, "FALLBACK_FONTS", ("STIXGeneral",))
    with style.context():
        fallback = style.measure(fig, "\u2312", 12)
    assert fallback == pytest.approx(stix / fig.dpi) and alone != pytest.approx(fallback)


def test_names_in_a_script_the_fonts_lack_draw_without_a_warning(one: Results) -> None:
    import warnings

    korea = one.candidates[0].model_copy(update=dict(name="대한민국"))
    results = one.model_copy(update=dict(candidates=[korea], scenario=one.scenario.with_updates(name="日本 Japan")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ("outcomes", "s_curve"):
            fig = CHARTS[name](results)
            assert "대한민국" in _all_text(fig)
            style.png_bytes(fig, dpi=40)
    assert not [str(w.message) for w in caught if "Glyph" in str(w.message)]


# ---- long names and long horizons -------------------------------------------------------

# Eight candidates with names as long as briefings give them, over a century.
LONG_NAMES = [
    "Argentine Republic (hypothetical request after the 2027 general election)",
    "Federative Republic of Brazil (hypothetical, under a new government)",
    "Republic of Chile (hypothetical request following the Pacific summit)",
    "Republic of Peru (hypothetical request, contingent on congress approval)",
    "United Mexican States (hypothetical request after USMCA review talks)",
    "Republic of Colombia (upgrade from partner across the globe status)",
    "Oriental Republic of Uruguay (hypothetical request, low-profile track)",
    "Republic of Ecuador (hypothetical request after security cooperation)",
]
CENTURY = f"""\
name: Eight long names over a century
start: 2026-12-01
horizon: 100y
seed: {SEED}
partnership:
  areas: {{initial: 2, added_per_year: 2}}
candidates:
""" + "".join(f"  - {{code: {code}, name: '{name}', request: 2027-{k + 1:02d}-01}}\n"
              for k, (code, name) in enumerate(zip(["ARG", "BRA", "CHL", "PER", "MEX", "COL", "URY", "ECU"],
                                                   LONG_NAMES, strict=True)))


@pytest.fixture(scope="module")
def century(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return _run(tmp_path_factory, CENTURY)


def _apart(boxes: list[Any], gap: float = 2.0) -> bool:
    """Whether boxes, left to right, leave at least ``gap`` pixels between neighbours."""
    ordered = sorted(boxes, key=lambda box: box.x0)
    return all(a.x1 + gap <= b.x0 for a, b in zip(ordered, ordered[1:], strict=False))


def _tick_labels(ax: Any) -> list[Any]:
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text() and t.get_visible()]


@pytest.mark.parametrize("case", ["three", "century"])
def test_the_s_curve_keeps_its_legend_and_labels_inside_the_figure_and_apart(case: str,
                                                                              request: pytest.FixtureRequest) -> None:
    """Eight 70-character names put the legend below the plot: it fits the figure, the horizon's label
    stays clear of the labels at the ends of the lines, and a century's year labels do not touch."""
    results = request.getfixturevalue(case)
    fig = CHARTS["s_curve"](results)
    ax = fig.axes[0]
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = ax.get_legend().get_window_extent(renderer)
    assert fig.bbox.x0 <= legend.x0 and legend.x1 <= fig.bbox.x1
    footer = fig.texts[-1].get_window_extent(renderer)
    assert not legend.overlaps(footer) and not legend.overlaps(ax.xaxis.label.get_window_extent(renderer))
    assert not any(legend.overlaps(box) for box in _tick_labels(ax))
    horizon = next(t for t in ax.texts if t.get_text().startswith("Horizon"))
    ends = [t.get_window_extent(renderer) for t in ax.texts if t is not horizon]
    assert len(ends) == len(results.candidates)
    assert not any(a.overlaps(b) for k, a in enumerate(ends) for b in ends[k + 1:])
    assert not any(horizon.get_window_extent(renderer).overlaps(box) for box in ends)
    assert _apart(_tick_labels(ax), gap=8)
    for text in _legend(fig):
        assert " — P50" in text and ", P80 " in text  # the dates are never cut, only the names


@pytest.mark.parametrize("name", ["start_dates", "partnership"])
def test_a_century_of_years_is_labelled_without_touching(name: str, century: Results) -> None:
    fig = CHARTS[name](century)
    fig.draw_without_rendering()
    ax = fig.axes[-1]
    assert len(_tick_labels(ax)) >= 4 and _apart(_tick_labels(ax), gap=8)


@pytest.mark.parametrize(("start", "end", "width"), [
    (dt.date(2026, 12, 1), dt.date(2126, 12, 1), 6.5), (dt.date(2026, 12, 1), dt.date(2126, 12, 1), 2.5),
    (dt.date(2025, 1, 1), dt.date(2045, 1, 1), 2.0), (dt.date(2025, 1, 1), dt.date(2026, 6, 1), 1.5),
    (dt.date(2026, 12, 1), dt.date(2031, 12, 31), 6.5),
])
def test_date_ticks_are_round_and_far_enough_apart(start: dt.date, end: dt.date, width: float) -> None:
    major, minor, label = date_ticks(start, end, width=width, size=11)
    span = (end - start).days
    inches = [(b - a).days / span * width for a, b in zip(major, major[1:], strict=False)]
    assert len(major) >= 2 and min(inches) * 72 >= 0.95 * dates.TICK_ROOM * 11
    assert set(major) <= set(minor) and all(start <= d <= end and d.day == 1 for d in minor)
    step = (major[1].year - major[0].year) * 12 + major[1].month - major[0].month
    assert all((d.year * 12 + d.month - 1) % step == 0 for d in major)  # 2030, 2040 …; Jan, Apr …
    assert label == ("%b\n%Y" if span < 2.5 * 365 else "%Y")


@pytest.mark.parametrize("months", [False, True])
def test_a_date_axis_thins_its_ticks_to_the_width_it_is_drawn_at(months: bool) -> None:
    """Any chart with dates along x (tornado, sweep, back-test) gets labels that never touch."""
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    end = dt.date(2028, 6, 1) if months else dt.date(2126, 1, 1)
    for width in (10.0, 4.0, 2.0):
        with style.context():
            fig = Figure(figsize=(width, 2), dpi=100)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            ax.set_xlim(mdates.date2num(dt.date(2026, 1, 1)), mdates.date2num(end))
            dates.date_axis(ax, months=months)
            fig.draw_without_rendering()
            assert len(_tick_labels(ax)) >= 2 and _apart(_tick_labels(ax), gap=6)


def test_a_legend_of_long_stage_names_takes_rows_and_leaves_the_plot_its_width(run: SavedRun) -> None:
    """Seven long stage names at page width: the legend above the plot takes rows, inside the band, and the
    plot keeps the width the layout gives it, not the legend's."""
    from matplotlib.patches import Patch

    fig = style.new_figure("page")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    handles = [Patch(label=f"A rather long stage name {k}") for k in range(7)]
    style.top_legend(fig, ax, handles)
    fig.draw_without_rendering()
    legend = fig.legends[0]
    renderer = fig.canvas.get_renderer()
    assert legend._ncols < 7  # noqa: SLF001 (more than one row)
    assert legend.get_window_extent(renderer).x1 <= fig.bbox.width
    assert ax.get_window_extent(renderer).width > 0.7 * style.plot_width(fig) * fig.dpi
    assert ax.get_window_extent(renderer).y1 < legend.get_window_extent(renderer).y0


def test_the_start_dates_chart_names_the_process_success() -> None:
    """A membership run's chart says when membership starts, not cooperation."""
    from partnersim.scenario import scenario_from_dict

    results = simulate(scenario_from_dict({
        "start": "2026-01-01", "horizon": "8y", "replications": 300, "process": "membership-accession",
        "candidates": [{"code": "UKR", "request": "2026-01-01"}]}), jobs=1)
    fig = CHARTS["start_dates"](results)
    assert fig.axes[-1].get_xlabel() == "Date membership starts"


def test_a_name_too_wide_is_cut_after_as_many_characters_as_fit() -> None:
    """Two labels that share a long beginning are cut at the same place, each after the most characters that fit."""
    from partnersim.charts.style import measure, new_figure, shorten

    fig = new_figure()
    room, size = 1.6, 9.0
    names = ["Türkiye's chance of lifting a hold at consensus", "Türkiye's chance of lifting a hold at IPCP approval",
             "W" * 40, "a"]
    cut = [shorten(fig, name, room, size) for name in names]
    assert cut[0] == cut[1] and cut[0].endswith("…") and cut[3] == "a"
    for name, short in zip(names[:3], cut[:3], strict=True):
        kept = len(short) - 1
        assert name.startswith(short[:-1].rstrip()) and measure(fig, short, size) <= room
        assert measure(fig, name[:kept + 1].rstrip() + "…", size) > room  # one more character does not fit
