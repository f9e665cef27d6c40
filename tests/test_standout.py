"""No ally is named on noise: with allies set alike, no sentence, title or table names one.

The decision (partnersim.results.standout) is a one-sided test against the
pooled share of the allies set alike, Bonferroni-corrected over the roster:
with every ally alike, the chance of naming any is at most 1%. Checked by
simulation at a fixed seed (tolerance four standard errors), then on the
outputs of runs at several seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from partnersim.charts.allies import ally_table
from partnersim.charts.allies import finding as allies_title
from partnersim.report.findings import candidate_finding
from partnersim.results.standout import alike, named, standing_out
from partnersim.results.text import finding
from partnersim.simulation import simulate

from .conftest import scenario

ALLIES = [f"A{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(32)]


def test_allies_set_alike_are_named_at_most_one_time_in_twenty() -> None:
    """32 allies alike, each in 3% of 10,000 cases: over 2,000 runs, any ally is named in at most 1% (Bonferroni),
    within four standard errors; an ally at twice the share is named nearly always."""
    rng = np.random.default_rng(7)
    cases, runs = 10_000, 2_000
    codes = frozenset(ALLIES)
    counts = rng.binomial(cases, 0.03, size=(runs, len(ALLIES)))
    false = np.mean([bool(standing_out(dict(zip(ALLIES, row.tolist(), strict=True)), cases, codes, 32))
                     for row in counts])
    assert false <= 0.01 + 4 * math.sqrt(0.01 * 0.99 / runs)
    counts[:, 0] = rng.binomial(cases, 0.06, size=runs)
    found = np.mean([standing_out(dict(zip(ALLIES, row.tolist(), strict=True)), cases, codes, 32)[:1] == [ALLIES[0]]
                     for row in counts[:200]])
    assert found > 0.99


def test_two_allies_within_noise_of_each_other_are_named_together() -> None:
    assert named(["AAA", "AAB"], {"AAA": 1401, "AAB": 1386}, 10_000) == ["AAA", "AAB"]
    assert named(["AAA", "AAB"], {"AAA": 1700, "AAB": 1400}, 10_000) == ["AAA"]


def test_the_allies_a_scenario_sets_apart_are_not_alike() -> None:
    s = scenario(allies={"TUR": {"hold": {"probability": 0.1}}}, blocs=[{"name": "b", "allies": ["HUN", "POL"],
                                                                          "strength": 0.5}])
    same = alike(s)
    assert "TUR" not in same and "HUN" not in same and "POL" not in same and "DEU" in same and len(same) == 29


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_no_output_names_an_ally_when_all_are_set_alike(seed: int) -> None:
    s = scenario(replications=3_000, seed=seed, allies={"default": {"hold": {"probability": 0.02}}})
    results = simulate(s, jobs=1)
    names = [name for name in s.roster.values()] + list(s.roster)
    texts = [finding(results, c) for c in results.candidates] + [candidate_finding(results, c)
                                                                  for c in results.candidates]
    texts.append(allies_title(ally_table(results), results))
    for text in texts:
        assert not [name for name in names if f" {name} " in f" {text} " or f" {name}," in text
                    or f" {name}:" in text or f"{name} (" in text], text
    assert "no ally stands out" in texts[0]
    assert allies_title(ally_table(results), results).startswith("No ally stands out")


def test_an_ally_set_apart_and_above_the_others_is_named() -> None:
    s = scenario(replications=3_000, allies={"default": {"hold": {"probability": 0.01}},
                                              "TUR": {"hold": {"probability": 0.3, "lifted": 0.5}}})
    results = simulate(s, jobs=1)
    assert "most likely veto: Türkiye" in finding(results, results.candidates[0])
    assert allies_title(ally_table(results), results).startswith("Türkiye stands in the way most often")
