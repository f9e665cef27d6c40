"""Engine bugs found in review, each pinned by a test that failed before its fix.

- Candidates that enter talks at the same moment are served in an order drawn
  for each replication, not in the order the file lists them.
- A ``uniform`` request range draws its last day as often as any other.
- A decision ready partway through a Council meeting day takes effect that day.
- Talks without a round limit that may need more rounds than are drawn say so.

Statistical checks use a fixed seed and a tolerance of four standard errors.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from partnersim.engine import compile_scenario, run_chunk
from partnersim.scenario.calendar import Calendar
from partnersim.scenario.checks import scenario_warnings
from partnersim.values.distributions import DateUniform

from .conftest import scenario

INSTANT = {"deliberation": "0d", "hold": {"probability": 0.0}}


def test_identical_candidates_entering_talks_together_wait_alike() -> None:
    """Three identical candidates enter talks on day 0; one team; each needs one 30-day round.

    Served in an order drawn afresh in each replication, each candidate is
    first, second or third with chance 1/3, so its days in talks are 30, 60
    or 90 alike: 60 on average for every one (listed order gave 30, 60, 90).
    The spread of one case is sqrt(600) days; four standard errors of a mean
    over R replications is 4·sqrt(600/R).
    """
    reps = 3000
    s = scenario(
        replications=reps,
        alliance=["AAA"],
        allies={"default": INSTANT},
        stages={"expert_talks": {"teams": 1, "round": "30d", "agreement": 1.0},
                "ipcp_drafting": {"duration": "0d"}, "ipcp_approval": {"allies": {"default": INSTANT}}},
        candidates=[{"code": code, "request": "2025-01-01", "stage": "expert_talks"} for code in ("AAB", "AAC", "AAD")],
    )
    model = compile_scenario(s)
    records = run_chunk(model, seed=3, first=0, count=reps)
    talks, drafting = model.states.index("expert_talks"), model.states.index("ipcp_drafting")
    days = records.entry[:, :, drafting] - records.entry[:, :, talks]
    assert set(np.unique(days)) == {30.0, 60.0, 90.0}
    tolerance = 4 * math.sqrt(600 / reps)
    for c in range(3):
        assert days[:, c].mean() == pytest.approx(60.0, abs=tolerance)
    # and the order is a draw of the replication, the same whatever the order of the file
    reordered = compile_scenario(s.model_copy(update={"candidates": list(reversed(s.candidates))}))
    again = run_chunk(reordered, seed=3, first=0, count=reps)
    assert np.array_equal(again.entry[:, ::-1, drafting], records.entry[:, :, drafting])


def test_a_uniform_request_range_draws_every_day_alike_the_last_included() -> None:
    """``uniform: [2026-01-01, 2026-01-10]`` is ten days, each with chance 1/10."""
    start = dt.date(2026, 1, 1)
    days = DateUniform(uniform=(start, dt.date(2026, 1, 10))).in_days(start).ppf(
        np.random.default_rng(5).random(50_000))
    dates = np.floor(days)
    assert dates.min() == 0 and dates.max() == 9
    for day in range(10):
        share = float(np.mean(dates == day))
        assert share == pytest.approx(0.1, abs=4 * math.sqrt(0.1 * 0.9 / 50_000))


def test_a_decision_ready_during_a_meeting_day_takes_effect_that_day() -> None:
    """Start Wednesday 2025-01-01; the Council meets on Wednesdays (days 0, 7, 14)."""
    s = scenario(calendar={"council": {"weekday": "wednesday", "stages": ["consensus"]}})
    calendar = Calendar(s)
    ready = np.array([6.5, 7.0, 7.3, 7.99, 8.0])
    assert calendar.settle("consensus", ready, None).tolist() == [7.0, 7.0, 7.3, 7.99, 14.0]


def test_talks_that_may_outlast_the_rounds_drawn_say_so() -> None:
    slow = {"expert_talks": {"round": "1d", "agreement": 0.001}}
    found = [f.message for f in scenario_warnings(scenario(stages=slow))]
    assert any("1,000 rounds" in message for message in found), found
    capped = {"expert_talks": {"round": "1d", "agreement": 0.001, "max_rounds": 50}}
    assert not any("1,000 rounds" in f.message for f in scenario_warnings(scenario(stages=capped)))
    assert not any("1,000 rounds" in f.message for f in scenario_warnings(scenario()))


def test_a_decision_ready_during_a_summit_day_takes_effect_that_day() -> None:
    """A summit on 2025-07-09 (day 189); one ready partway through that day waits no further."""
    s = scenario(calendar={"summits": {"builtin": False, "dates": ["2025-07-09", "2026-07-08"],
                                       "wait": {"consensus": 1.0}}})
    calendar = Calendar(s)
    ready = np.array([100.0, 189.0, 189.6, 190.0])
    waits = np.ones(4, dtype=bool)
    assert calendar.settle("consensus", ready, waits).tolist() == [189.0, 189.0, 189.6, 553.0]
