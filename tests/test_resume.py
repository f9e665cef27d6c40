"""Cases already in a stage on the start date: the rest of the stage drawn given its history.

Each statistical check compares the engine with a closed form (the memoryless
exponential; the conditional quantiles of a lognormal) or with an independent
rejection sampler written here in plain numpy, at a fixed seed, with a
tolerance of four standard errors (or a DKW band) so that it neither flakes
nor passes vacuously.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from partnersim.engine import compile_scenario, run_chunk
from partnersim.engine.resume import UnlikelyHistory, open_chance
from partnersim.errors import ScenarioError
from partnersim.scenario.loader import load_scenario

from .conftest import scenario

INSTANT = {"deliberation": "0d", "hold": {"probability": 0.0}}
START = "2026-01-01"


def _resumed(stage: str, since: str, stages: dict[str, Any], allies: dict[str, Any] | None = None,
             alliance: list[str] | None = None, reps: int = 20_000, **candidate: Any) -> Any:
    return scenario(
        start=START, horizon="20y", replications=reps, alliance=alliance or ["AAA"],
        allies=allies or {"default": INSTANT},
        stages=stages,
        candidates=[{"code": "ARG", "request": "2024-01-01", "stage": stage, "since": since, **candidate}],
    )


def _ends(s: Any, seed: int = 11) -> tuple[np.ndarray, np.ndarray, Any]:
    model = compile_scenario(s)
    records = run_chunk(model, seed=seed, first=0, count=s.replications)
    return records.end[:, 0], records.outcome[:, 0], model


def test_an_exponential_task_open_for_a_year_has_the_same_time_left_as_a_new_one() -> None:
    """Memoryless: drafting ~ Exp(mean 100 d), open since a year before the start; the approval is instant.

    The days to cooperation are again Exp(mean 100 d): mean 100 ± 4·100/sqrt(R),
    and P(≤ 69.3 d) = 1/2 within four standard errors.
    """
    s = _resumed("ipcp_drafting", "2025-01-01",
                 {"ipcp_drafting": {"duration": {"exponential": {"mean": "100d"}}},
                  "ipcp_approval": {"allies": {"default": INSTANT}}})
    end, outcome, model = _ends(s)
    assert (outcome == model.outcomes.index("cooperation")).all()
    reps = s.replications
    assert end.mean() == pytest.approx(100.0, abs=4 * 100.0 / math.sqrt(reps))
    assert np.mean(end <= 100 * math.log(2)) == pytest.approx(0.5, abs=4 * math.sqrt(0.25 / reps))


def test_a_lognormal_task_draws_its_conditional_quantiles() -> None:
    """Drafting ~ lognormal (median 120 d, p90 400 d), open for 200 days on the start date.

    The q-quantile of the time left is isf((1 − q)·sf(200)) − 200. The engine's
    share of draws below each is q within a DKW band (ε = sqrt(ln(2/α)/2R), α = 1e-6).
    """
    s = _resumed("ipcp_drafting", "2025-06-15",
                 {"ipcp_drafting": {"duration": {"lognormal": {"median": "120d", "p90": "400d"}}},
                  "ipcp_approval": {"allies": {"default": INSTANT}}})
    end, _, model = _ends(s)
    elapsed = 200.0
    sigma = math.log(400 / 120) / stats.norm.ppf(0.9)
    law = stats.lognorm(sigma, scale=120)
    band = math.sqrt(math.log(2 / 1e-6) / (2 * s.replications))
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        left = law.isf((1 - q) * law.sf(elapsed)) - elapsed
        assert np.mean(end <= left) == pytest.approx(q, abs=band)
    assert model.resumes[0].elapsed == elapsed


def test_an_ally_holding_since_a_date_holds_for_the_residual_of_its_hold() -> None:
    """One ally, holding programme approval since 300 days before the start; holds ~ Exp(mean 400 d), always lifted.

    Memoryless again: the days to cooperation are Exp(mean 400 d). With a
    lognormal hold they follow its conditional quantiles.
    """
    approval = {"allies": {"default": {"deliberation": "10d",
                                       "hold": {"probability": 0.2, "lifted": 1.0,
                                                "duration": {"exponential": {"mean": "400d"}}}}}}
    s = _resumed("ipcp_approval", "2025-01-01", {"ipcp_approval": approval}, holding={"AAA": "2025-03-07"})
    end, outcome, model = _ends(s)
    assert (outcome == model.outcomes.index("cooperation")).all()
    assert end.mean() == pytest.approx(400.0, abs=4 * 400.0 / math.sqrt(s.replications))

    approval["allies"]["default"]["hold"]["duration"] = {"lognormal": {"median": "300d", "p90": "900d"}}
    s = _resumed("ipcp_approval", "2025-01-01", {"ipcp_approval": approval}, holding={"AAA": "2025-03-07"})
    end, _, _ = _ends(s)
    so_far = 300.0
    sigma = math.log(900 / 300) / stats.norm.ppf(0.9)
    law = stats.lognorm(sigma, scale=300)
    band = math.sqrt(math.log(2 / 1e-6) / (2 * s.replications))
    for q in (0.1, 0.5, 0.9):
        left = law.isf((1 - q) * law.sf(so_far)) - so_far
        assert np.mean(end <= left) == pytest.approx(q, abs=band)


# The allies of the rejection checks: each deliberates Exp(mean 20 d); holds with 0.3 for Exp(mean 200 d);
# lifts a hold with 0.5, else vetoes.
MEAN_D, HOLD_P, MEAN_H, LIFTED = 20.0, 0.3, 200.0, 0.5
RANDOM_ALLY = {"deliberation": {"exponential": {"mean": "20d"}},
               "hold": {"probability": HOLD_P, "lifted": LIFTED, "duration": {"exponential": {"mean": "200d"}}}}


def _independent(allies: int, elapsed: float, draws: int, consented: int = 0, seed: int = 5) -> dict[str, float]:
    """A plain rejection sampler of the same consensus: every ally from the day the stage opened; kept if open
    on day ``elapsed``. The first ``consented`` allies have consented (they are left out)."""
    rng = np.random.default_rng(seed)
    n = allies - consented
    d = rng.exponential(MEAN_D, (draws, n))
    hold = rng.random((draws, n)) < HOLD_P
    h = np.where(hold, rng.exponential(MEAN_H, (draws, n)), 0.0)
    veto = hold & (rng.random((draws, n)) >= LIFTED)
    decided = d + h
    first_veto = np.where(veto, decided, np.inf).min(axis=1)
    agreed = np.where(veto, -np.inf, decided).max(axis=1)
    end = np.where(np.isfinite(first_veto), first_veto, agreed)
    still = end > elapsed
    return {"open": float(still.mean()), "vetoed": float(np.isfinite(first_veto)[still].mean()),
            "left": float((end[still] - elapsed).mean()), "left_sd": float((end[still] - elapsed).std()),
            "kept": float(still.sum())}


@pytest.mark.parametrize("consented", [0, 1])
def test_a_consensus_open_on_the_start_date_matches_an_independent_rejection_sampler(consented: int) -> None:
    """Three allies, nothing known but that programme approval has been open 150 days (and, second case, that
    one ally consented): the engine's chance of a veto and mean time left match a plain rejection sampler."""
    extra = {"consented": {"AAA": "2025-09-01"}} if consented else {}
    s = _resumed("ipcp_approval", "2025-08-04", {"ipcp_approval": {"allies": {"default": RANDOM_ALLY}}},
                 allies={"default": INSTANT}, alliance=["AAA", "AAB", "AAC"], **extra)
    end, outcome, model = _ends(s)
    reps = s.replications
    truth = _independent(3, 150.0, 2_000_000, consented=consented)
    vetoed = np.mean(outcome == model.outcomes.index("rejected"))
    p = truth["vetoed"]
    se = math.sqrt(p * (1 - p) / reps + p * (1 - p) / truth["kept"])
    assert vetoed == pytest.approx(p, abs=4 * se)
    se = truth["left_sd"] * math.sqrt(1 / reps + 1 / truth["kept"])
    assert end.mean() == pytest.approx(truth["left"], abs=4 * se)
    # and the chance of still being open, which the briefing quotes
    chance = open_chance(model.stages[model.resumes[0].stage], model.resumes[0], model.candidate_keys[0], seed=3,
                         draws=40_000)
    q = truth["open"]
    assert chance == pytest.approx(q, abs=4 * math.sqrt(q * (1 - q) / 40_000))


def test_resumed_draws_do_not_depend_on_how_replications_are_chunked() -> None:
    s = _resumed("ipcp_approval", "2025-08-04", {"ipcp_approval": {"allies": {"default": RANDOM_ALLY}}},
                 allies={"default": INSTANT}, alliance=["AAA", "AAB", "AAC"], reps=400)
    model = compile_scenario(s)
    whole = run_chunk(model, seed=2, first=0, count=400)
    parts = [run_chunk(model, seed=2, first=f, count=100) for f in range(0, 400, 100)]
    assert np.array_equal(whole.end, np.concatenate([p.end for p in parts]))
    assert np.array_equal(whole.allies[-1].held, np.concatenate([p.allies[-1].held for p in parts]))


def test_an_ally_holding_on_the_start_date_is_counted_as_holding() -> None:
    approval = {"allies": {"default": {"deliberation": "1d", "hold": {"probability": 0.0}},
                           "AAB": {"hold": {"probability": 0.5, "lifted": 1.0, "duration": "2y"}}}}
    s = _resumed("ipcp_approval", "2025-06-01", {"ipcp_approval": approval}, alliance=["AAA", "AAB"], reps=200,
                 holding={"AAB": "2025-06-02"})
    end, _, model = _ends(s)
    assert np.allclose(end, 730.5 - (model.resumes[0].elapsed - 1))  # the fixed hold's residual
    records = run_chunk(model, seed=11, first=0, count=200)
    held = records.allies[-1].held[:, 0, :]
    assert held[:, 1].all() and not held[:, 0].any()


def test_a_history_the_settings_rule_out_is_refused_with_a_clear_message() -> None:
    """No ally can hold and every ally decides within days: a consensus open for two years cannot be."""
    s = _resumed("ipcp_approval", "2024-01-01", {"ipcp_approval": {"allies": {"default": {
        "deliberation": {"exponential": {"mean": "5d"}}, "hold": {"probability": 0.0}}}}}, reps=50)
    with pytest.raises(UnlikelyHistory, match=r"ARG, in IPCP approval since 2024-01-01: under this scenario"):
        _ends(s)


def _problems(tmp_path: Path, candidate: str, stages: str = "") -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(f"""start: 2026-12-01
alliance: [AAA, AAB, AAC]
{stages}
candidates:
  - code: ARG
    request: 2024-04-18
{candidate}""")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [line.split(": ", 1)[1] for line in caught.value.lines()]


@pytest.mark.parametrize(("candidate", "expected"), [
    ("    since: 2024-05-01\n", "candidates.0.since: since needs stage"),
    ("    stage: consensus\n    since: 2027-01-01\n", "candidates.0.since: 2027-01-01 is after the start"),
    ("    stage: consensus\n    since: 2024-01-01\n", "candidates.0.since: 2024-01-01 is before the request"),
    ("    stage: consensus\n    consented: [AAA]\n", "candidates.0.consented: consented needs since"),
    ("    stage: consensus\n    since: 2024-05-01\n    consented: {AAA: 2024-04-20}\n",
     "candidates.0.consented.AAA: the consent on 2024-04-20 is before the case entered consensus (2024-05-01)"),
    ("    stage: consensus\n    since: 2024-05-01\n    consented: {AAA: 2026-12-02}\n",
     "candidates.0.consented.AAA: the consent on 2026-12-02 is after the start"),
    ("    stage: consensus\n    since: 2024-05-01\n    holding: {AAB: 2027-02-01}\n",
     "candidates.0.holding.AAB: the hold on 2027-02-01 is after the start"),
    ("    stage: consensus\n    since: 2024-05-01\n    consented: [AAA]\n    holding: {AAA: 2025-01-01}\n",
     "candidates.0.holding.AAA: ally AAA is listed both as consented and as holding"),
    ("    stage: consensus\n    since: 2024-05-01\n    holding: {ZZZ: 2025-01-01}\n",
     "candidates.0.holding.ZZZ: unknown ally 'ZZZ'"),
    ("    stage: ipcp_drafting\n    since: 2024-05-01\n    consented: [AAA]\n",
     "candidates.0.consented: consented applies at a consensus stage; ipcp_drafting is a task stage"),
    ("    stage: consensus\n    since: 2024-05-01\n    consented: [AAA, AAB, AAC]\n",
     "candidates.0.consented: every ally has consented, so consensus is over"),
    ("    stage: consensus\n    since: 2024-05-01\n    consented: [AAA, AAA]\n",
     "candidates.0.consented: ally AAA is listed twice"),
    ("    stage: ipcp_drafting\n    since: 2024-05-01\n",
     "candidates.0.since: ipcp_drafting takes at most 1y; a case that entered it on 2024-05-01 would have left it"),
])
def test_a_history_that_cannot_be_is_one_clear_line(tmp_path: Path, candidate: str, expected: str) -> None:
    problems = _problems(tmp_path, candidate)
    assert any(line.startswith(expected) for line in problems), problems


def test_a_hold_longer_than_any_recorded_one_is_refused(tmp_path: Path) -> None:
    stages = "allies:\n  default:\n    hold: {duration: {empirical: [30d, 1y]}}\n"
    problems = _problems(tmp_path, "    stage: consensus\n    since: 2024-05-01\n    holding: {AAB: 2024-06-01}\n",
                         stages)
    assert any(line.startswith("candidates.0.holding.AAB: AAB's holds at consensus last at most 1y") for line in
               problems), problems


def test_the_results_and_the_briefing_say_the_case_was_drawn_given_its_history() -> None:
    from partnersim.results.text import finding
    from partnersim.simulation import simulate

    s = _resumed("ipcp_approval", "2025-08-04", {"ipcp_approval": {"allies": {"default": RANDOM_ALLY}}},
                 allies={"default": INSTANT}, alliance=["AAA", "AAB", "AAC"], reps=2_000)
    results = simulate(s, jobs=1)
    history = results.candidates[0].history
    assert history is not None and history.stage == "ipcp_approval" and history.days == 150.0
    q = _independent(3, 150.0, 2_000_000)["open"]
    assert history.still_open.p == pytest.approx(q, abs=4 * math.sqrt(q * (1 - q) / history.draws))
    written = results.model_dump(mode="json")["candidates"][0]["history"]
    assert written["since"] == "2025-08-04" and written["draws"] == history.draws
    assert "drawn given IPCP approval open since 04 Aug 2025 (4.9 months): under these settings, " in finding(
        results, results.candidates[0])
    # a case with no history writes none
    fresh = simulate(scenario(replications=50), jobs=1)
    assert "history" not in fresh.model_dump(mode="json")["candidates"][0]


@pytest.mark.parametrize("path", ["latam.yaml", "latam-calendar.yaml"])
def test_ruling_out_tries_that_surely_close_changes_no_try_kept(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A consensus open since 2024 keeps about one try in forty; the tries that no ally could hold in and no
    ally deliberates through are ruled out from their uniforms alone. The records are byte for byte those of
    drawing every try in full (elections included: latam-calendar's change the chance of a hold)."""
    from partnersim.kinds.consensus import Consensus

    model = compile_scenario(load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / path))
    screened = run_chunk(model, seed=5, first=0, count=600)
    monkeypatch.delattr(Consensus, "could_stay_open")
    full = run_chunk(model, seed=5, first=0, count=600)
    for name in ("outcome", "end", "entry", "spent"):
        assert getattr(screened, name).tobytes() == getattr(full, name).tobytes(), name
    for a, b in zip(screened.allies, full.allies, strict=True):
        assert a.held.tobytes() == b.held.tobytes() and a.last.tobytes() == b.last.tobytes()
