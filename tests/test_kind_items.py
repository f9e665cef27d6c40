"""The ``items`` stage kind against results known in closed form.

- Every member decides in one day and nothing else takes time: an item opens
  on day 1 and closes on day 2, and so does the stage.
- Items put for opening after exponential times (mean m) with no other delay:
  the stage lasts the largest of N exponentials, m·H_N on average.
- One member holds at each decision with probability h and never lifts: the
  stage is vetoed with probability 1 − (1 − h)^(2N), and that member is named.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from partnersim.engine import compile_scenario, run_chunk
from partnersim.kinds import KINDS
from partnersim.kinds.items import ItemsStage
from partnersim.scenario import scenario_from_dict
from partnersim.simulation import simulate

N = 4000


def scenario(items: dict[str, Any], hold: float = 0.0, replications: int = N) -> Any:
    return scenario_from_dict({
        "start": "2026-01-01", "horizon": "20y", "replications": replications, "seed": 5,
        "alliance": [{"code": "AAA"}, {"code": "BBB"}, {"code": "CCC"}],
        "allies": {"default": {"deliberation": "1d", "hold": {"probability": 0.0}},
                   "BBB": {"hold": {"probability": hold, "lifted": 0.0, "duration": "1d"}}},
        "process": {"name": "chapters", "success": "member", "stages": {"chapters": {"kind": "items"}}},
        "stages": {"chapters": items},
        "candidates": [{"code": "UKR", "request": "2026-01-01"}],
    })


def within(value: float, expected: float, sd: float, n: int) -> None:
    assert abs(value - expected) <= 4 * sd / math.sqrt(n) + 1e-12, (value, expected)


def test_the_kind_is_registered_with_its_exits_and_parameters() -> None:
    kind = KINDS["items"]
    assert kind.params is ItemsStage and kind.decision
    assert {e.name for e in kind.exits} == {"ADVANCE", "VETO"}


def test_each_item_opens_and_closes_a_day_after_it_is_put_to_the_members() -> None:
    s = scenario({"items": 5})
    records = run_chunk(compile_scenario(s), s.seed, 0, 50)
    model = compile_scenario(s)
    assert np.all(records.spent[:, 0, model.column("chapters")] == 2.0)
    assert {model.outcomes[o] for o in records.outcome.ravel().tolist()} == {"member"}


def test_parallel_items_last_as_long_as_the_slowest() -> None:
    n, mean = 8, 100.0
    s = scenario({"items": n, "opening": {"exponential": {"mean": f"{mean}d"}}})
    stage = next(x for x in simulate(s, jobs=1).candidate("UKR").stages if x.stage == "chapters")
    harmonic = sum(1 / k for k in range(1, n + 1))
    # The largest of n exponentials: mean m·H_n, variance m²·Σ 1/k²; the two decisions add 2 days.
    sd = mean * math.sqrt(sum(1 / k**2 for k in range(1, n + 1)))
    within(stage.mean_days, mean * harmonic + 2.0, sd, N)


@pytest.mark.parametrize("n", [1, 3])
def test_a_member_who_blocks_an_item_vetoes_the_stage(n: int) -> None:
    h = 0.1
    results = simulate(scenario({"items": n}, hold=h), jobs=1)
    candidate = results.candidate("UKR")
    vetoed = 1 - (1 - h) ** (2 * n)
    within(candidate.outcomes["rejected"].p, vetoed, math.sqrt(vetoed * (1 - vetoed)), N)
    assert [a.code for a in candidate.vetoing] == ["BBB"]
    assert candidate.vetoing[0].count == candidate.outcomes["rejected"].count


def test_a_process_file_with_an_items_stage_is_checked_like_any_other(tmp_path: Path) -> None:
    from partnersim.scenario.processes import read_file

    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent("""\
        name: p
        success: member
        stages:
          chapters:
            kind: items
            defaults: {items: 0, negotation: 3mo}
            exits: {fail: rejected}
    """))
    template, problems = read_file(path)
    assert template is None
    assert [p.path for p in problems] == ["stages.chapters.defaults.items", "stages.chapters.defaults.negotation"]


def test_an_item_is_not_put_for_closing_before_its_closing_day() -> None:
    # Opened on day 1; put for closing on day max(1, X) with X exponential (mean m); closed a day later.
    # With n items P(max X < 1) is negligible, so the stage lasts m·H_n + 1 on average.
    n, mean = 6, 100.0
    s = scenario({"items": n, "closing": {"exponential": {"mean": f"{mean}d"}}})
    stage = next(x for x in simulate(s, jobs=1).candidate("UKR").stages if x.stage == "chapters")
    harmonic = sum(1 / k for k in range(1, n + 1))
    sd = mean * math.sqrt(sum(1 / k**2 for k in range(1, n + 1)))
    within(stage.mean_days, mean * harmonic + 1.0, sd, N)


def test_a_fixed_closing_day_after_a_fixed_negotiation_takes_the_later() -> None:
    s = scenario({"items": 3, "negotiation": "10d", "closing": "30d"})
    model = compile_scenario(s)
    records = run_chunk(model, s.seed, 0, 20)
    assert np.all(records.spent[:, 0, model.column("chapters")] == 31.0)
    s = scenario({"items": 3, "negotiation": "40d", "closing": "30d"})
    model = compile_scenario(s)
    records = run_chunk(model, s.seed, 0, 20)
    assert np.all(records.spent[:, 0, model.column("chapters")] == 42.0)


def test_the_eu_chapters_take_croatias_last_closing_day_unless_none_of_its_draws_is_the_last() -> None:
    # Without holds or deliberation, the chapters close on the latest of 35 draws from Croatia's 30 closing
    # days (its openings all come earlier), 2,096 days whenever one draw is that day: 1 − (26/30)^35.
    s = scenario_from_dict({
        "start": "2026-12-01", "horizon": "20y", "replications": 3000, "seed": 11, "process": "eu-accession",
        "alliance": "eu-2020", "candidates": [{"code": "UKR", "request": "2022-02-28", "stage": "chapters"}],
    })
    model = compile_scenario(s)
    records = run_chunk(model, s.seed, 0, s.replications)
    days = records.spent[:, 0, model.column("chapters")]
    p = 1 - (26 / 30) ** 35
    within(float(np.mean(days == 2096.0)), p, math.sqrt(p * (1 - p)), s.replications)
    assert days.max() == 2096.0
