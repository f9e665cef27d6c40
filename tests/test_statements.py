"""Every statement partnersim writes is supported by the numbers: checked on every output of runs at several seeds.

With every ally set alike, which ally holds, vetoes or comes last most often
is chance: no sentence, chart title, annotation, tick label or table of any
output may name one. A date by which a chance is reached is quoted with its
95% interval; the illustrative future never shows more successes than the
forecast expects; a mean cut short by the horizon says so.
"""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from partnersim.charts import CHARTS, selection
from partnersim.report.findings import candidate_finding, headline
from partnersim.results.csvtext import summary_csv
from partnersim.results.markdown import summary_markdown
from partnersim.results.rows import rows_from_columns
from partnersim.results.text import finding
from partnersim.simulation import simulate

from .conftest import scenario

CANDIDATES = [{"code": code, "name": name, "request": day} for code, name, day in (
    ("ARG", "Argentina", "2025-01-01"), ("CHL", "Chile", "2025-09-01"), ("PER", "Peru", "2026-06-01"))]


def _figure_text(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_no_output_of_a_run_with_allies_set_alike_names_an_ally(seed: int) -> None:
    s = scenario(replications=2_000, seed=seed, horizon="4y", candidates=CANDIDATES,
                 allies={"default": {"hold": {"probability": 0.03}}})
    results = simulate(s, jobs=1, keep_rows=True)
    rows = rows_from_columns(results.rows, results)
    texts = [finding(results, c) for c in results.candidates]
    texts += [candidate_finding(results, c) for c in results.candidates]
    texts.append(summary_markdown(results))
    texts.append(summary_csv(results))
    for chart in selection(has_rows=True, has_partnership=False):
        texts.append(headline(chart.name, results, rows))
        texts += _figure_text(CHARTS[chart.name](results, rows=rows))
    allies = list(s.roster.items())
    for text in texts:
        for code, name in allies:
            assert not re.search(rf"\b{re.escape(code)}\b", text) and name not in text, (code, text)
    assert any(text.startswith("No ally stands out") for text in texts)


def test_a_quoted_date_carries_its_interval() -> None:
    s = scenario(replications=2_000, seed=3, horizon="6y", candidates=CANDIDATES[:1])
    results = simulate(s, jobs=1)
    candidate = results.candidates[0]
    assert candidate.dates["P50"] is not None
    median = f"{candidate.dates['P50']:%b %Y}"
    for text in (finding(results, candidate), candidate_finding(results, candidate)):
        assert re.search(rf"even chance by {median} \((\d+–)?[^()]*\d{{4}}\)", text), text


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_two_candidates_set_alike_are_never_ranked(seed: int) -> None:
    """Two candidates with the same request date and settings differ only by chance: the titles that rank them
    (first to an even chance, earliest start) name both."""
    from partnersim.charts.scurve import finding as s_curve_title
    from partnersim.charts.starts import finding as starts_title

    twins = [{"code": "ARG", "name": "Argentina", "request": "2025-01-01"},
             {"code": "CHL", "name": "Chile", "request": "2025-01-01"}]
    results = simulate(scenario(replications=2_000, seed=seed, horizon="6y", candidates=twins), jobs=1)
    assert "Argentina and Chile" in headline("s_curve", results, None) or "Chile and Argentina" in headline(
        "s_curve", results, None)
    for title in (s_curve_title(results), starts_title(results)):
        assert "Argentina and Chile" in title or "Chile and Argentina" in title, title


def test_the_largest_change_is_named_alone_only_beyond_noise() -> None:
    from partnersim.stats import leaders

    changes = {"Brazil": (-0.089, -0.106, -0.073), "Mexico": (-0.087, -0.103, -0.071), "Peru": (-0.02, -0.03, -0.01)}
    assert leaders(list(changes), changes.__getitem__) == ["Brazil", "Mexico"]
    changes["Mexico"] = (-0.05, -0.06, -0.04)
    assert leaders(list(changes), changes.__getitem__) == ["Brazil"]
    assert leaders([], changes.__getitem__) == []


def test_two_candidates_set_alike_at_the_bottom_are_named_together_as_lowest() -> None:
    cases = [{"code": "ARG", "name": "Argentina", "request": "2025-01-01"},
             {"code": "CHL", "name": "Chile", "request": "2027-06-01"},
             {"code": "PER", "name": "Peru", "request": "2027-06-01"}]
    results = simulate(scenario(replications=2_000, seed=5, horizon="4y", candidates=cases), jobs=1)
    from partnersim.report.content import bottom_line

    for text in (headline("outcomes", results, None), bottom_line(results)):
        assert "lowest" in text and "Chile" in text.split("lowest")[1] and "Peru" in text.split("lowest")[1], text


def test_the_briefing_of_a_what_if_file_says_which_command_measures_its_change() -> None:
    from partnersim.report.assumptions import InputFile
    from partnersim.report.content import _what_if_of

    base = InputFile(name="latam.yaml", header="", extends="")
    change = InputFile(name="latam-more-teams.yaml", header="", extends="latam.yaml")
    assert _what_if_of([base]) == ""
    said = _what_if_of([change, base])
    assert "partnersim compare latam.yaml latam-more-teams.yaml" in said and "alone do not say" in said
