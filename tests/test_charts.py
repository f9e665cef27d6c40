"""Charts: every chart is a titled, labelled, footed Figure; files are what they claim to be."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from partnersim.charts import CHARTS, mermaid, process_diagram, render_all, save, style
from partnersim.charts.outcomes import finding as outcome_finding
from partnersim.charts.scurve import date_ticks, legend_text
from partnersim.charts.scurve import finding as s_curve_finding
from partnersim.errors import PartnersimError
from partnersim.process.machine import state_names, transition_table
from partnersim.results.summary import Estimate, Results
from partnersim.runner import simulate
from partnersim.scenario.templates import GLOBAL_PARTNER

N = 300
SEED = 4242

# Argentina and Chile can finish within two years; Peru asks a month before
# the horizon and can never reach cooperation in time.
THREE = f"""\
name: Chart test, three candidates
start: 2025-01-01
horizon: 2y
seed: {SEED}
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


def _run(tmp_path_factory: pytest.TempPathFactory, text: str) -> Results:
    path = tmp_path_factory.mktemp("scenario") / "scenario.yaml"
    path.write_text(text)
    return simulate(path, replications=N, jobs=1)


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return _run(tmp_path_factory, THREE)


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return _run(tmp_path_factory, ONE)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts]


def _all_text(fig: Figure) -> str:
    found = _texts(fig)
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts]
        found += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()]
    return "\n".join(found)


# ---- importing --------------------------------------------------------------------


def test_importing_charts_and_mermaid_does_not_import_matplotlib() -> None:
    code = (
        "import sys, partnersim.charts, partnersim.charts.mermaid;"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_chart_names_are_stable() -> None:
    assert list(CHARTS) == ["outcomes", "s_curve"]


# ---- every chart ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CHARTS))
@pytest.mark.parametrize("case", ["three", "one"])
def test_chart_is_titled_labelled_and_footed(name: str, case: str, request: pytest.FixtureRequest) -> None:
    results: Results = request.getfixturevalue(case)
    fig = CHARTS[name](results)
    assert isinstance(fig, Figure)
    title = _texts(fig)[0]
    names = [c.name for c in results.candidates]
    assert title and (any(n in title for n in names) or "%" in title)
    ax = fig.axes[0]
    # A value axis carries its label and unit; a category axis names each category.
    assert "(%)" in ax.get_xlabel() + ax.get_ylabel()
    assert ax.get_ylabel() or [t.get_text() for t in ax.get_yticklabels()] == names
    footer = _texts(fig)[-1]
    assert f"seed {SEED}" in footer
    assert f"{N:,} replications" in footer
    assert results.scenario.name in footer
    assert list(fig.get_size_inches()) == [10.0, 5.625]


@pytest.mark.parametrize("name", list(CHARTS))
def test_a4_size(name: str, one: Results) -> None:
    fig = CHARTS[name](one, size="a4")
    assert tuple(fig.get_size_inches()) == pytest.approx(style.SIZES["a4"])


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


def test_render_all_writes_every_chart(one: Results, tmp_path: Path) -> None:
    written = render_all(one, tmp_path / "charts", format="svg")
    assert [p.name for p in written] == ["outcomes.svg", "s_curve.svg"]
    assert all(p.stat().st_size > 0 for p in written)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"format": "jpg"}, '"format" must be one of png, svg, pdf'),
     ({"size": "poster"}, '"size" must be one of slide, a4')],
)
def test_render_all_rejects_unknown_options(one: Results, tmp_path: Path, kwargs: dict[str, str],
                                            message: str) -> None:
    with pytest.raises(PartnersimError, match=message):
        render_all(one, tmp_path, **kwargs)
    assert not list(tmp_path.iterdir())


# ---- the outcome chart --------------------------------------------------------------


def test_outcome_chart_shows_every_candidate_and_its_interval(three: Results) -> None:
    fig = CHARTS["outcomes"](three)
    text = _all_text(fig)
    for candidate in three.candidates:
        assert candidate.name in text
    assert "Probability by 1 Jan 2027 (%)" == fig.axes[0].get_xlabel()
    assert "95% interval" in text


def _with_success(results: Results, counts: list[int]) -> Results:
    n = results.replications
    candidates = [
        dataclasses.replace(c, outcomes={**c.outcomes, results.success: Estimate.of(k, n)})
        for c, k in zip(results.candidates, counts, strict=True)
    ]
    return dataclasses.replace(results, candidates=candidates)


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
    assert legend_text(three, peru) == "Peru — P50 after Jan 2027, P80 after Jan 2027"
    fig = CHARTS["s_curve"](three)
    assert "0% Peru" in _all_text(fig)


def _with_p50(results: Results, p50s: list[dt.date | None]) -> Results:
    candidates = [
        dataclasses.replace(c, dates={**c.dates, "P50": d})
        for c, d in zip(results.candidates, p50s, strict=True)
    ]
    return dataclasses.replace(results, candidates=candidates)


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


@pytest.mark.parametrize(("p", "text"), [(0.0, "0%"), (0.004, "<1%"), (0.676, "68%"), (0.996, ">99%"),
                                         (1.0, "100%")])
def test_percent(p: float, text: str) -> None:
    assert style.percent(p) == text


def test_spread_keeps_order_and_gap() -> None:
    placed = style.spread([74.0, 72.0, 72.5, 10.0], gap=5, low=0, high=86)
    assert placed[3] == 10.0
    ordered = sorted(placed[:3])
    assert all(b - a >= 5 - 1e-9 for a, b in zip(ordered, ordered[1:], strict=False))
    assert max(placed) <= 86


def test_a_long_scenario_name_is_cut_but_never_the_numbers(one: Results) -> None:
    long_name = "A scenario name that goes on and on " * 6
    results = dataclasses.replace(one, scenario=one.scenario.with_updates(name=long_name))
    footer = _texts(CHARTS["outcomes"](results))[-1]
    assert "…" in footer and f"seed {SEED}" in footer and f"{N:,} replications" in footer


def test_two_row_legend_reads_row_by_row() -> None:
    from partnersim.charts.outcomes import _row_major

    # a legend fills columns first: columns (a, d), (b, e), (c) read a b c / d e
    assert _row_major(list("abcde"), 3) == list("adbec")
