"""The one future the timeline shows illustrates the forecast; it never shows more successes than expected.

The choice (partnersim.results.rows.illustrative_replication) is checked on
small arrays where the answer is known, then on runs at several seeds: the
future shown has as many successes as the sum of the chances (a half rounded
down), its title says it is an illustration and gives that expected number.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from partnersim.charts.timeline import finding
from partnersim.results.rows import illustrative_replication, rows_from_columns
from partnersim.simulation import simulate

from .conftest import scenario

SUCCESS, PENDING, REJECTED = 0, 1, 2
INF = np.inf


def test_the_count_of_successes_comes_first() -> None:
    """Three candidates at 45% each expect 1.35 successes: the future shown has exactly one, although futures
    with two or three successes, nearer each candidate's median day, are there."""
    chances = np.array([[0.45, 0.40, 0.15]] * 3)
    ends = np.array([[100, 100, 100], [100, 100, INF], [100, INF, INF], [300, INF, INF]], dtype=np.float32)
    endings = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 1], [0, 1, 1]], dtype=np.int8)
    present = np.ones(4, dtype=bool)
    chosen = illustrative_replication(ends, endings, present, chances, SUCCESS)
    assert (endings[chosen] == SUCCESS).sum() == 1


def test_each_case_ends_its_most_likely_way_given_the_count() -> None:
    """One success expected (0.7 + 0.3): the likelier candidate succeeds, and the other is pending (its likeliest
    other ending), not rejected."""
    chances = np.array([[0.7, 0.2, 0.1], [0.3, 0.6, 0.1]])
    endings = np.array([[1, 0], [0, 2], [0, 1], [0, 0]], dtype=np.int8)
    ends = np.where(endings == SUCCESS, 50.0, INF).astype(np.float32)
    chosen = illustrative_replication(ends, endings, np.ones(4, dtype=bool), chances, SUCCESS)
    assert chosen == 2


def test_within_the_pattern_the_success_nearest_its_median_day_is_shown() -> None:
    chances = np.array([[0.9, 0.1, 0.0]])
    ends = np.array([[10], [20], [30], [40], [50]], dtype=np.float32)
    endings = np.zeros((5, 1), dtype=np.int8)
    assert illustrative_replication(ends, endings, np.ones(5, dtype=bool), chances, SUCCESS) == 2


def test_a_replication_missing_from_the_file_is_never_shown() -> None:
    chances = np.array([[0.5, 0.5, 0.0]])
    ends = np.array([[np.nan], [40]], dtype=np.float32)
    endings = np.array([[-1], [0]], dtype=np.int8)
    assert illustrative_replication(ends, endings, np.array([False, True]), chances, SUCCESS) == 1


CANDIDATES = [{"code": code, "name": name, "request": day} for code, name, day in (
    ("ARG", "Argentina", "2025-01-01"), ("BRA", "Brazil", "2025-06-01"), ("CHL", "Chile", "2026-01-01"),
    ("PER", "Peru", "2026-06-01"), ("MEX", "Mexico", "2027-01-01"))]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_timeline_never_shows_more_successes_than_the_forecast_expects(seed: int) -> None:
    s = scenario(replications=1_500, seed=seed, horizon="4y", candidates=CANDIDATES,
                 allies={"default": {"hold": {"probability": 0.02}}})
    results = simulate(s, jobs=1, keep_rows=True)
    story = rows_from_columns(results.rows, results).story
    expected = sum(c.outcomes[results.success].p for c in results.candidates)
    shown = sum(case.outcome == results.success for case in story.cases)
    assert shown == math.ceil(expected - 0.5)
    title = finding(results, story)
    assert title.startswith("One illustrative future: ")
    assert f"(the forecast expects {expected:.1f})" in title and "typical" not in title
