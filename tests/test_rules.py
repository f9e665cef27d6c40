"""The calendar, elections, blocs, silence procedure and spillover against hand-derived answers.

Every statistical check uses a fixed seed and a tolerance of four standard
errors of the quantity, so it neither flakes nor passes vacuously. Scenarios
start on Wednesday 2025-01-01 (day 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from partnersim.engine import compile_scenario, run_chunk
from partnersim.engine.spillover import Spillover
from partnersim.kinds.base import ADVANCE, VETO
from partnersim.simulation import simulate
from partnersim.values.distributions import Fixed

from .conftest import scenario

INSTANT = {"deliberation": "0d", "hold": {"probability": 0.0}}
QUICK_REST = {
    "expert_talks": {"teams": 10, "round": "0d", "agreement": 1.0},
    "ipcp_drafting": {"duration": "0d"},
    "ipcp_approval": {"allies": {"default": INSTANT}},
}


def four_se(p: float, n: int) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)


def entered(model: Any, records: Any, state: str, candidate: int = 0) -> np.ndarray:
    return records.entry[:, candidate, model.states.index(state)]


def one_chunk(reps: int, **keys: Any) -> tuple[Any, Any]:
    model = compile_scenario(scenario(replications=reps, **keys))
    return model, run_chunk(model, seed=11, first=0, count=reps)


def test_a_council_decision_takes_effect_at_the_next_weekly_meeting() -> None:
    """Meetings on Fridays: days 2, 9, 16 (2025-01-03, -10, -17).

    The single ally's consent is ready uniformly in 0–14 days. A decision
    ready before a Friday takes effect at the start of that Friday, and one
    ready during a Friday takes effect then, that day: on Friday day 2 with
    probability 3/14 (ready in days 0–3), on Friday day 9 with 7/14 (3–10)
    and on Friday day 16 with 4/14 (10–14).
    """
    reps = 6000
    model, records = one_chunk(
        reps,
        alliance=["AAA"],
        allies={"default": {"deliberation": {"uniform": ["0d", "14d"]}, "hold": {"probability": 0.0}}},
        stages=QUICK_REST,
        calendar={"council": {"weekday": "friday", "stages": ["consensus"]}},
    )
    days = entered(model, records, "expert_talks")
    assert set(np.unique(np.floor(days))) <= {2.0, 9.0, 16.0}
    for day, p in ((2.0, 3 / 14), (9.0, 7 / 14), (16.0, 4 / 14)):
        assert np.mean(np.floor(days) == day) == pytest.approx(p, abs=four_se(p, reps))
    # those ready before a meeting day wait for its start; those ready during it take effect when ready
    assert np.mean(days == 9.0) == pytest.approx(6 / 14, abs=four_se(6 / 14, reps))


def test_no_meeting_during_holidays() -> None:
    """Consent ready on day 3; the Friday meetings of days 9 and 16 fall in the holiday
    2025-01-08 → 2025-01-20, so the decision takes effect on Friday 2025-01-24, day 23."""
    model, records = one_chunk(
        50,
        alliance=["AAA"],
        allies={"default": {"deliberation": "3d", "hold": {"probability": 0.0}}},
        stages=QUICK_REST,
        calendar={"council": {"weekday": "friday", "holidays": [["2025-01-08", "2025-01-20"]],
                              "stages": ["consensus"]}},
    )
    assert set(entered(model, records, "expert_talks")) == {23.0}


def test_by_default_the_council_decides_consensus_and_approval() -> None:
    """Both consensus (ready day 3) and approval (ready 3 days after talks start on
    Wednesday day 7) wait for Wednesday meetings: days 7 and 14."""
    model, records = one_chunk(
        50,
        alliance=["AAA"],
        allies={"default": {"deliberation": "3d", "hold": {"probability": 0.0}}},
        stages={**QUICK_REST, "ipcp_approval": {"allies": {"default": {"deliberation": "3d", "hold": {"probability": 0.0}}}}},
        calendar={"council": {}},
    )
    assert set(entered(model, records, "expert_talks")) == {7.0}
    assert set(entered(model, records, "cooperation")) == {14.0}


def test_a_decision_waits_for_the_next_summit_with_the_stated_probability() -> None:
    """Consent ready on day 3; with probability 0.3 the decision waits for the next summit,
    the recorded one in The Hague on 2025-06-24 (day 174), otherwise it takes effect on day 3.
    The scenario's own later summit (2025-07-07) is never the next one."""
    reps = 6000
    model, records = one_chunk(
        reps,
        alliance=["AAA"],
        allies={"default": {"deliberation": "3d", "hold": {"probability": 0.0}}},
        stages=QUICK_REST,
        calendar={"summits": {"dates": ["2025-07-07"], "wait": {"consensus": 0.3}}},
    )
    days = entered(model, records, "expert_talks")
    assert set(np.unique(days)) == {3.0, 174.0}
    assert np.mean(days == 174.0) == pytest.approx(0.3, abs=four_se(0.3, reps))


def test_with_no_summit_ahead_a_waiting_decision_stays_pending() -> None:
    """Every recorded summit is before 2026-01-01 and the scenario adds none: every case waits."""
    results = simulate(scenario(
        start="2026-01-01", replications=200, alliance=["AAA"], allies={"default": INSTANT}, stages=QUICK_REST,
        calendar={"summits": {"wait": {"consensus": 1.0}}},
    ))
    assert results.candidate("ARG").outcomes["pending"].p == 1.0


def test_an_election_changes_an_allys_hold_probability_from_its_date() -> None:
    """The ally never holds before 2025-02-10 (day 40) and always vetoes from then on.
    It decides uniformly in 0–100 days, so it vetoes with probability 60/100."""
    reps = 4000
    results = simulate(scenario(
        replications=reps, alliance=["AAA"],
        allies={"default": {"deliberation": {"uniform": ["0d", "100d"]},
                            "hold": {"probability": 0.0, "lifted": 0.0, "duration": "1d"}}},
        stages=QUICK_REST,
        calendar={"elections": [{"ally": "AAA", "date": "2025-02-10", "hold": 1.0}]},
    ))
    assert results.candidate("ARG").outcomes["rejected"].p == pytest.approx(0.6, abs=four_se(0.6, reps))


def test_an_election_given_per_stage_leaves_the_other_stages_alone() -> None:
    """The election raises the hold to 1 (a certain veto) at approval only: consensus always
    passes, approval is always vetoed."""
    results = simulate(scenario(
        replications=200, alliance=["AAA"],
        allies={"default": {"deliberation": "1d", "hold": {"probability": 0.0, "lifted": 0.0, "duration": "1d"}}},
        stages=QUICK_REST,
        calendar={"elections": [{"ally": "AAA", "date": "2024-01-01", "hold": {"ipcp_approval": 1.0}}]},
    ))
    arg = results.candidate("ARG")
    assert arg.outcomes["rejected"].p == 1.0
    assert next(s for s in arg.stages if s.stage == "ipcp_approval").entered == 1.0


@pytest.mark.parametrize("strength", [0.0, 0.5, 1.0])
def test_allies_in_a_bloc_hold_together_with_the_stated_strength(strength: float) -> None:
    """AAA and BBB each hold with p = 0.2. With probability s they act as one (both hold
    or neither), otherwise independently: P(both hold) = s·p + (1 − s)·p², and each still
    holds with probability p."""
    reps, p = 8000, 0.2
    model, records = one_chunk(
        reps,
        alliance=["AAA", "BBB", "CCC"],
        allies={"default": {"deliberation": "0d", "hold": {"probability": 0.0, "duration": "5d", "lifted": 1.0}},
                "AAA": {"hold": {"probability": p}}, "BBB": {"hold": {"probability": p}}},
        stages=QUICK_REST,
        blocs=[{"name": "AAA and BBB", "allies": ["AAA", "BBB"], "strength": strength}],
    )
    held = records.allies[0].held[:, 0, :]
    both = strength * p + (1 - strength) * p * p
    assert np.mean(held[:, 0] & held[:, 1]) == pytest.approx(both, abs=four_se(both, reps))
    assert np.mean(held[:, 0]) == pytest.approx(p, abs=four_se(p, reps))
    assert np.mean(held[:, 1]) == pytest.approx(p, abs=four_se(p, reps))
    assert not held[:, 2].any()


def test_without_blocs_or_elections_the_numbers_do_not_change() -> None:
    """A bloc of strength 0 and an election that changes nothing leave every draw as it was."""
    keys: dict[str, Any] = {"replications": 500, "stages": QUICK_REST}
    plain = simulate(scenario(**keys))
    ruled = simulate(scenario(
        **keys, blocs=[{"name": "x", "allies": ["TUR", "HUN"], "strength": 0.0}],
        calendar={"elections": [{"ally": "TUR", "date": "2030-01-01", "hold": 0.064}]},
    ))
    assert plain.to_frame().equals(ruled.to_frame())


SILENCE = {"kind": "silence", "deadline": "14d", "renegotiation": "30d", "allies": {"default": {"breaks": 0.1}}}


def test_a_silence_procedure_passes_after_a_geometric_number_of_attempts() -> None:
    """Four allies each break silence with p = 0.1, so an attempt passes with
    q = 0.9⁴ = 0.6561. Attempts are geometric: the proposal is adopted after
    14 + (1/q − 1)·(14 + 30) days on average, with variance 44²·(1 − q)/q²."""
    reps = 6000
    results = simulate(scenario(
        replications=reps, alliance=["AAA", "BBB", "CCC", "DDD"],
        candidates=[{"code": "ARG", "request": "2024-01-01", "stage": "ipcp_approval"}],
        stages={"ipcp_approval": SILENCE},
    ))
    q = 0.9**4
    mean = 14 + (1 / q - 1) * 44
    sd = 44 * math.sqrt(1 - q) / q
    arg = results.candidate("ARG")
    assert arg.outcomes["cooperation"].p == 1.0
    assert next(s for s in arg.stages if s.stage == "ipcp_approval").mean_days == pytest.approx(
        mean, abs=4 * sd / math.sqrt(reps))


def test_a_proposal_whose_silence_is_broken_max_breaks_times_is_dropped() -> None:
    """With max_breaks 2 the proposal is dropped when the first two attempts are both
    broken: probability (1 − q)² with q = 0.9⁴, i.e. 0.1183."""
    reps = 6000
    results = simulate(scenario(
        replications=reps, alliance=["AAA", "BBB", "CCC", "DDD"],
        candidates=[{"code": "ARG", "request": "2024-01-01", "stage": "ipcp_approval"}],
        stages={"ipcp_approval": {**SILENCE, "max_breaks": 2}},
    ))
    p = (1 - 0.9**4) ** 2
    assert results.candidate("ARG").outcomes["rejected"].p == pytest.approx(p, abs=four_se(p, reps))


def test_a_veto_freezes_the_approval_of_another_candidate() -> None:
    """Argentina is vetoed at consensus on day 10 (the one ally holds for 10 days and
    vetoes). Brazil's approval is ready on day 30. The freeze lasts F ~ exponential
    (mean 40 days) from day 10, so Brazil waits iff F > 20: probability e^−0.5; it then
    starts cooperating on day 10 + F. Its mean start is 30 + 40·e^−0.5 (memorylessness:
    F = 20 + G given F > 20), with E[day²] = 900 + 5600·e^−0.5."""
    reps = 6000
    model, records = one_chunk(
        reps,
        alliance=["AAA"],
        allies={"default": {"deliberation": "0d", "hold": {"probability": 1.0, "duration": "10d", "lifted": 0.0}}},
        stages={**QUICK_REST, "ipcp_approval": {"allies": {"default": {"deliberation": "30d",
                                                                      "hold": {"probability": 0.0}}}}},
        candidates=[{"code": "ARG", "request": "2024-01-01", "stage": "consensus"},
                    {"code": "BRA", "request": "2024-01-01", "stage": "ipcp_approval"}],
        spillover={"freeze": {"exponential": {"mean": "40d"}}},
    )
    assert set(entered(model, records, "rejected", 0)) == {10.0}
    day = entered(model, records, "cooperation", 1)
    waited = np.exp(-0.5)
    assert np.mean(day > 30) == pytest.approx(waited, abs=four_se(waited, reps))
    mean = 30 + 40 * waited
    sd = math.sqrt(900 + 5600 * waited - mean**2)
    assert day.mean() == pytest.approx(mean, abs=4 * sd / math.sqrt(reps))


def test_frozen_decisions_are_settled_in_time_order() -> None:
    """A (vetoed earlier, day 10) freezes 10–30. B's veto is due on day 15: it waits to
    day 30 and then freezes 30–40. C's consent, due on day 35, waits to day 40. D's, due
    on day 5, is before every freeze and stands."""
    spill = Spillover(frozenset({3}), Fixed(fixed=0.0))
    leave = np.array([[np.nan, 15.0, 35.0, 5.0]])
    how = np.array([[ADVANCE, VETO, ADVANCE, ADVANCE]], dtype=np.int8)
    active = np.array([[False, True, True, True]])
    lengths = np.array([[20.0, 10.0, 5.0, 5.0]])
    out = spill.apply(
        leave, how, active, vetoed_before=np.array([[True, False, False, False]]),
        vetoed_at=np.array([[10.0, np.nan, np.nan, np.nan]]), lengths=lengths,
        withdraw_at=np.full((1, 4), np.inf), horizon=1000.0, settle=lambda r, c, day: day,
    )
    assert out[0, 1:].tolist() == [30.0, 40.0, 5.0]


def test_a_what_if_that_changes_a_stage_kind_replaces_the_stage(tmp_path: Any) -> None:
    """latam.yaml sets consensus keys on ipcp_approval; a child running it as a silence
    procedure keeps none of them (they would be invalid there), and a grandchild going back
    to consensus starts from the template's defaults."""
    from pathlib import Path

    from partnersim.kinds.consensus import ConsensusStage
    from partnersim.kinds.silence import SilenceStage
    from partnersim.scenario.loader import load_scenario

    shipped = Path(__file__).parent.parent / "scenarios" / "latam-calendar.yaml"
    stage = load_scenario(shipped).stages["ipcp_approval"]
    assert isinstance(stage, SilenceStage)
    assert stage.allies.breaks("TUR") == 0.05 and stage.allies.breaks("DEU") == 0.0018
    back = tmp_path / "back.yaml"
    back.write_text(f"extends: {shipped.as_posix()}\nstages:\n  ipcp_approval: {{kind: consensus}}\n")
    again = load_scenario(back).stages["ipcp_approval"]
    assert isinstance(again, ConsensusStage)
    assert again.allies.default.hold is not None and again.allies.default.hold.probability == 0.0037
    assert "TUR" not in again.allies.overrides


def test_sensitivity_swings_the_new_settings() -> None:
    """The silence procedure, summit waits and the spillover freeze are factors of a sensitivity
    analysis, swung by the documented rules; the partnership's settings, which act only after
    cooperation starts and so cannot move the chance of cooperation, are not."""
    from pathlib import Path

    from partnersim.scenario.loader import load_scenario
    from partnersim.whatif.factors import factors

    shipped = Path(__file__).parent.parent / "scenarios" / "latam-calendar.yaml"
    found = {f.path: f for f in factors(load_scenario(shipped))}
    tur = found["stages.ipcp_approval.allies.TUR.breaks"]
    assert (tur.low, tur.high) == ("0.025", "0.1")
    assert found["stages.ipcp_approval.deadline"].high == "4w"
    assert found["calendar.summits.wait.ipcp_approval"].label == "IPCP approval: chance to wait for a summit"
    assert found["spillover.freeze"].high == '{"lognormal": {"median": "1y", "p90": "20mo"}}'
    assert not [path for path in found if path.startswith("partnership.") or path.endswith("wait.renewal")]


def test_renewal_allies_are_layered_over_the_renewal_defaults() -> None:
    """Setting only the renewal holds keeps the documented renewal deliberation (2d, p90 1w)
    and lifted chance (0.95), as a stage's allies keep its template's defaults."""
    s = scenario(partnership={"renewal": {"allies": {"default": {"hold": {"probability": 0.2}}}}})
    assert s.partnership is not None and s.partnership.renewal is not None
    default = s.partnership.renewal.allies.default
    assert default.hold is not None and (default.hold.probability, default.hold.lifted) == (0.2, 0.95)
    assert default.deliberation is not None and default.deliberation.model_dump(mode="json", exclude_none=True) == {
        "lognormal": {"median": "2d", "p90": "1w"}}


def test_bloc_and_election_settings_are_named_for_a_reader_in_what_ifs() -> None:
    """`--param blocs.0.strength=…` and `--range calendar.elections.0.hold…` label their charts by
    the bloc's name and the ally's, not by key path."""
    from pathlib import Path

    from partnersim.scenario.labels import setting_label as label
    from partnersim.scenario.loader import load_scenario

    s = load_scenario(Path(__file__).parent.parent / "scenarios" / "latam-calendar.yaml")
    assert label(s, "blocs.0.strength") == "Bloc Türkiye and Hungary: chance of acting as one"
    assert label(s, "calendar.elections.0.hold.consensus") == "United Kingdom: hold chance after the election"
