"""Numbers, lists and suggestions in words: one rule each, wherever partnersim writes them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partnersim.stats import Z95, first_reaching, wilson
from partnersim.text import duration_words, join_words, percent, suggest


@pytest.mark.parametrize(("p", "text"), [(0.0, "0%"), (0.004, "0.4%"), (0.0002, "<0.1%"), (0.676, "68%"),
                                         (0.996, "99.6%"), (0.9996, ">99.9%"), (1.0, "100%"), (math.nan, "–")])
def test_a_share_is_written_one_way(p: float, text: str) -> None:
    assert percent(p) == text


def test_a_table_of_small_shares_can_keep_the_tenth() -> None:
    assert [percent(p, fine_below=0.1) for p in (0.075, 0.0002, 0.35, 0.996)] == ["7.5%", "<0.1%", "35%", "99.6%"]
    assert percent(0.075) == "8%"


def test_no_share_near_the_ends_is_rounded_to_never_or_always() -> None:
    for p in np.linspace(1e-6, 1 - 1e-6, 2001):
        assert percent(float(p)) not in ("0%", "100%", "0.0%", "100.0%")


@pytest.mark.parametrize(("words", "conjunction", "text"), [
    ([], "and", ""), (["Brazil"], "and", "Brazil"), (["Brazil", "Chile"], "and", "Brazil and Chile"),
    (["Brazil", "Chile", "Peru"], "or", "Brazil, Chile or Peru"),
])
def test_lists_are_joined_as_a_sentence_says_them(words: list[str], conjunction: str, text: str) -> None:
    assert join_words(words, conjunction) == text


def test_suggestions_find_the_closest_word_in_either_case() -> None:
    assert suggest("TRK", ["TUR", "USA"]) == " (did you mean 'TUR'?)"
    assert suggest("consensus", ["Consensus", "talks"]) == " (did you mean 'Consensus'?)"
    assert suggest("zzz", ["TUR", "USA"]) == ""


def test_one_wilson_interval_for_one_count_and_for_many() -> None:
    counts = np.array([0, 3, 50, 97, 100])
    low, high = wilson(counts, 100)
    for count, lo, hi in zip(counts, low, high, strict=True):
        assert wilson(int(count), 100) == (lo, hi)
    # The closed form at p = 1/2: centre 1/2, half-width z·sqrt(1/4n + z²/4n²)/(1 + z²/n).
    n = 100
    half = Z95 * math.sqrt(0.25 / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    assert wilson(50, n) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-15)
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_a_curve_reaches_a_level_on_its_first_day_at_or_above_it() -> None:
    curve = np.array([0.0, 0.1, 0.5, 0.5, 0.9])
    assert [first_reaching(curve, q) for q in (0.1, 0.5, 0.9, 0.95)] == [1, 2, 4, None]


@pytest.mark.parametrize(("days", "text"), [(0.5, "0.5 days"), (1, "1 day"), (12, "12 days"), (137, "4.5 months"),
                                            (3762.3, "10.3 years"), (math.inf, "over a million years")])
def test_a_span_of_days_is_said_as_a_reader_says_it(days: float, text: str) -> None:
    assert duration_words(days) == text
