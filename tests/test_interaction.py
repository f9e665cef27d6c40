"""The interaction layer: shared expert teams and spillover freezes, the one place cases of a replication meet.

Each answer here is worked out by hand from the rules: first come, first
served for a team; a freeze covering the days after a veto and before it
ends. The last test runs the whole engine on a calendar where decisions fall
on the same meeting day, and checks that the order of the candidates in the
file changes nothing.
"""

from __future__ import annotations

import math

import numpy as np

from partnersim.engine import compile_scenario, run_chunk
from partnersim.interaction import AGREED, FAILED, WITHDREW, Decision, Rounds, frozen_decisions, shared_rounds

from .conftest import scenario


def test_one_team_serves_candidates_in_the_order_they_ask() -> None:
    # Both ask on day 0 (the first in the list is served first); the second starts when the first is done.
    left = shared_rounds([Rounds((0, 0), 0.0, math.inf, [10.0], agreed=True),
                          Rounds((0, 1), 0.0, math.inf, [10.0, 5.0], agreed=True)], 1, 1000.0, limited=False)
    assert left == {(0, 0): (10.0, AGREED), (0, 1): (25.0, AGREED)}


def test_each_replication_has_its_own_teams() -> None:
    left = shared_rounds([Rounds((0, 0), 0.0, math.inf, [10.0], agreed=True),
                          Rounds((1, 0), 0.0, math.inf, [10.0], agreed=True)], 1, 1000.0, limited=False)
    assert left == {(0, 0): (10.0, AGREED), (1, 0): (10.0, AGREED)}


def test_a_candidate_withdraws_during_its_round_and_talks_end_at_their_limit() -> None:
    left = shared_rounds([Rounds((0, 0), 0.0, math.inf, [10.0, 10.0], agreed=False),
                          Rounds((0, 1), 0.0, 15.0, [10.0], agreed=True)], 1, 1000.0, limited=True)
    # The first holds the team for days 0–10; the second, first in line, gets it on day 10 and withdraws in
    # its round on day 15; the first's second round runs 15–25, and its talks end there without agreement.
    assert left == {(0, 0): (25.0, FAILED), (0, 1): (15.0, WITHDREW)}


def test_a_candidate_withdraws_while_it_waits_for_a_team() -> None:
    left = shared_rounds([Rounds((0, 0), 0.0, math.inf, [10.0], agreed=True),
                          Rounds((0, 1), 0.0, 5.0, [10.0], agreed=True)], 1, 1000.0, limited=False)
    assert left == {(0, 0): (10.0, AGREED), (0, 1): (5.0, WITHDREW)}


def test_talks_still_running_at_the_horizon_have_no_answer() -> None:
    assert shared_rounds([Rounds((0, 0), 0.0, math.inf, [50.0], agreed=True)], 1, 30.0, limited=False) == {}


def test_a_veto_freezes_the_days_after_it_and_not_its_own_day() -> None:
    # A's veto takes effect on day 10 and freezes 10–30 (length 20). B's consent due the same day stands,
    # whichever comes first in the list; C's, due on day 11, waits until day 30.
    for order in ([0, 1, 2], [2, 1, 0]):
        decisions = [
            [Decision((0, 0), 10.0, True, math.inf, 20.0), Decision((0, 1), 10.0, False, math.inf, 20.0),
             Decision((0, 2), 11.0, False, math.inf, 20.0)][i] for i in order
        ]
        effect = frozen_decisions(decisions, [], 1000.0, lambda case, day: day)
        assert effect == {(0, 0): 10.0, (0, 1): 10.0, (0, 2): 30.0}


def test_a_frozen_veto_freezes_again_once_it_takes_effect_and_the_calendar_settles_each_release() -> None:
    # An earlier veto (candidate 0, day 10, length 20) freezes 10–30. Candidate 1's veto is due on day 15:
    # released on day 30, it takes effect at the next meeting (every 7 days from 0: day 35) and freezes
    # 35–45. Candidate 2's consent, due on day 40, is released on day 45, at the meeting of day 49.
    def meeting(case: tuple[int, int], day: float) -> float:
        return 7.0 * math.ceil(day / 7.0)

    effect = frozen_decisions(
        [Decision((0, 1), 15.0, True, math.inf, 10.0), Decision((0, 2), 40.0, False, math.inf, 10.0)],
        [((0, 0), 10.0, 20.0)], 1000.0, meeting,
    )
    assert effect == {(0, 1): 35.0, (0, 2): 49.0}


def test_a_veto_after_withdrawal_or_the_horizon_freezes_nothing() -> None:
    effect = frozen_decisions(
        [Decision((0, 0), 10.0, True, 5.0, 100.0), Decision((0, 1), 20.0, False, math.inf, 10.0)],
        [], 1000.0, lambda case, day: day,
    )
    assert effect == {(0, 0): 10.0, (0, 1): 20.0}


def test_the_order_of_the_candidates_in_the_file_changes_nothing() -> None:
    """Every decision takes effect at a Friday meeting, so vetoes and approvals fall on the same days; the
    candidates draw by their codes, so listing them the other way round must give every case the same path."""
    candidates = [{"code": code, "request": "2025-01-01"} for code in ("ARG", "BRA", "CHL")]
    base = {
        "replications": 400, "alliance": ["AAA", "BBB"],
        "allies": {"default": {"deliberation": {"uniform": ["0d", "20d"]},
                               "hold": {"probability": 0.3, "duration": "10d", "lifted": 0.5}}},
        "stages": {"expert_talks": {"teams": 10, "round": "0d", "agreement": 1.0},
                   "ipcp_drafting": {"duration": {"uniform": ["0d", "30d"]}}},
        "calendar": {"council": {"weekday": "friday", "stages": ["consensus", "ipcp_approval"]}},
        "spillover": {"freeze": {"uniform": ["20d", "60d"]}},
    }
    forward = compile_scenario(scenario(candidates=candidates, **base))
    backward = compile_scenario(scenario(candidates=candidates[::-1], **base))
    a, b = run_chunk(forward, 3, 0, 400), run_chunk(backward, 3, 0, 400)
    np.testing.assert_array_equal(a.outcome, b.outcome[:, ::-1])
    np.testing.assert_array_equal(a.end, b.end[:, ::-1])
    # Same-day decisions and vetoes do happen here, so the test has something to catch.
    veto_days = np.where(a.outcome == forward.outcomes.index("rejected"), a.end, np.nan)
    coop = forward.outcomes.index("cooperation")
    other_days = np.where(a.outcome == coop, a.end, np.nan)
    assert any(np.intersect1d(veto_days[r][~np.isnan(veto_days[r])], other_days[r]).size for r in range(400))
