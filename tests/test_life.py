"""The life of a partnership after cooperation, against results known in closed form.

Every check starts one candidate at ``ipcp_approval`` with instant approval, so
cooperation starts on the first day (t0 = 0) in every replication, and the
life is all that varies. Each uses a fixed seed and a tolerance of four
standard errors of the quantity checked.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import poisson
from transitions import MachineError

from partnersim.charts import CHARTS, render_all, selection
from partnersim.engine import compile_scenario, run_chunk
from partnersim.engine.life import LAPSED
from partnersim.errors import PartnersimError
from partnersim.process.definition import route_of
from partnersim.process.library import GLOBAL_PARTNER
from partnersim.process.machine import Paths
from partnersim.results.load import load_run
from partnersim.runs import execute, prepare
from partnersim.simulation import simulate

from .conftest import scenario

REPS = 4000
YEAR = 365.25
ALLIES = ["AAA", "BBB", "CCC"]


def at_approval(partnership: dict[str, Any], **overrides: Any) -> Any:
    """ARG already at ipcp_approval on the start date, approved at once: cooperation from day 0."""
    document: dict[str, Any] = {
        "alliance": ALLIES,
        "stages": {"ipcp_approval": {"allies": {"default": {"deliberation": "0d", "hold": {"probability": 0.0}}}}},
        "horizon": "5y",
        "replications": REPS,
        "candidates": [{"code": "ARG", "name": "Argentina", "request": "2025-01-01", "stage": "ipcp_approval"}],
        "partnership": partnership,
    }
    document.update(overrides)
    return scenario(**document)


def within(value: float, expected: float, sd: float, n: int) -> None:
    assert value == pytest.approx(expected, abs=4 * sd / math.sqrt(n))


def test_suspension_alone_leaves_the_partnership_active_with_probability_exp_minus_rate_times_time() -> None:
    """A constant hazard λ = 0.2 a year from t0 = 0 to H = 5 years: P(active at H) = exp(−λH) = e^−1 = 0.368.

    Nothing else ends a partnership here (no renewals), so P(suspended) = 1 − e^−1.
    """
    s = at_approval({"renewal": None, "suspension": {"annual_rate": 0.2}})
    assert np.all(run_chunk(compile_scenario(s), s.seed, 0, 50).life.start == 0.0)  # type: ignore[union-attr]
    life = simulate(s).candidate("ARG").partnership
    assert life is not None
    expected = math.exp(-0.2 * 5)
    sd = math.sqrt(expected * (1 - expected))
    within(life.active.p, expected, sd, REPS)
    within(life.suspended.p, 1 - expected, sd, REPS)
    assert life.lapsed.count == 0 and life.renewals == 0


def _min_poisson(mean: float, cap: int) -> tuple[float, float]:
    """Mean and variance of min(N, cap) for N ~ Poisson(mean), summed exactly."""
    k = np.arange(cap)
    pmf = poisson.pmf(k, mean)
    tail = poisson.sf(cap - 1, mean)  # P(N >= cap)
    first = float((k * pmf).sum() + cap * tail)
    second = float((k * k * pmf).sum() + cap * cap * tail)
    return first, second - first * first


def test_areas_grow_as_a_poisson_process_capped_by_the_catalogue() -> None:
    """3 areas at t0 = 0, then 1 a year until all 10 are agreed: E[areas at t] = 3 + E[min(N_t, 7)],
    N_t ~ Poisson(t / 365.25). At the horizon (5 years) that is 3 + 4.745 = 7.745 (scipy's Poisson,
    summed exactly); at the end of December 2026 (t = 730 days) 3 + 1.997 = 4.997. By symmetry each
    area is active at the horizon with probability E[areas] / 10 = 0.774.
    """
    results = simulate(at_approval({"areas": {"initial": 3, "added_per_year": 1.0}, "renewal": None}))
    life = results.candidate("ARG").partnership
    assert life is not None and life.active.p == 1.0
    horizon_mean, horizon_var = _min_poisson(5.0, 7)
    assert 3 + horizon_mean == pytest.approx(7.745, abs=5e-4)
    within(life.expected_areas, 3 + horizon_mean, math.sqrt(horizon_var), REPS)
    assert life.by_month[-1] == (results.end_date, pytest.approx(life.expected_areas))
    december = dict(life.by_month)[dt.date(2026, 12, 31)]
    t = (dt.date(2026, 12, 31) - dt.date(2025, 1, 1)).days + 1  # the end of that day
    mean, var = _min_poisson(t / YEAR, 7)
    within(december, 3 + mean, math.sqrt(var), REPS)
    share = (3 + horizon_mean) / 10
    assert len(life.areas) == 10
    for estimate in life.areas.values():
        within(estimate.p, share, math.sqrt(share * (1 - share)), REPS)
    months = [value for _, value in life.by_month]
    assert months[0] >= 3.0 and all(b >= a for a, b in zip(months, months[1:], strict=False))


def test_each_renewal_is_a_consensus_that_one_ally_refuses_with_probability_p() -> None:
    """Renewals every year, horizon 4.5 years: renewals start at 1, 2, 3 and 4 years (k = 4; the fifth
    would start after the horizon). One ally holds with probability p = 0.1 and never lifts its hold;
    the others never hold. P(no lapse) = (1 − p)^4 = 0.6561; renewals agreed R = min(G, 4) with G
    geometric, E[R] = Σ_{j=1..4} (1 − p)^j = 3.0951.
    """
    p = 0.1
    renewal = {
        "every": "1y",
        "allies": {
            "default": {"deliberation": "1d", "hold": {"probability": 0.0}},
            "AAA": {"hold": {"probability": p, "lifted": 0.0, "duration": "1d"}},
        },
    }
    s = at_approval({"renewal": renewal}, horizon="4.5y")
    model = compile_scenario(s)
    assert len(model.life.renewals) == 4  # type: ignore[union-attr]
    life = simulate(s).candidate("ARG").partnership
    assert life is not None
    survive = (1 - p) ** 4
    sd = math.sqrt(survive * (1 - survive))
    within(life.active.p, survive, sd, REPS)
    within(life.lapsed.p, 1 - survive, sd, REPS)
    assert life.suspended.count == 0
    probabilities = [(1 - p) ** j * p for j in range(4)] + [survive]
    mean = sum(j * q for j, q in enumerate(probabilities))
    variance = sum(j * j * q for j, q in enumerate(probabilities)) - mean**2
    assert mean == pytest.approx(3.0951)
    within(life.mean_renewals, mean, math.sqrt(variance), REPS)
    # The machine was shown every life path it took, after the path to cooperation.
    run_chunk(model, s.seed, 0, 2000)
    paths = model.paths.seen
    assert ("resume_ipcp_approval", "advance", *["renew", "renewed"] * 2, "renew", "lapse") in paths
    assert ("resume_ipcp_approval", "advance", *["renew", "renewed"] * 4) in paths


def test_renewal_decisions_take_effect_at_the_councils_meeting() -> None:
    """Every ally refuses a renewal two days after it starts (day 365.25 + 2 = 367.25). With the Council
    meeting on Wednesdays from Wednesday 2025-01-01, the refusal takes effect at the first meeting on or
    after day 368 (Sunday 2026-01-04): Wednesday 2026-01-07, day 371. Without the calendar, day 367.25.
    """
    renewal = {"every": "1y", "allies": {"default": {
        "deliberation": "1d", "hold": {"probability": 1.0, "lifted": 0.0, "duration": "1d"}}}}
    plain = at_approval({"renewal": renewal}, replications=20)
    council = at_approval({"renewal": renewal}, replications=20, calendar={"council": {"weekday": "wednesday"}})
    for s, day in ((plain, 367.25), (council, 371.0)):
        life = run_chunk(compile_scenario(s), s.seed, 0, 20).life
        assert life is not None
        assert np.all(life.ending == LAPSED) and np.all(life.stop == day)
    assert dt.date(2025, 1, 1) + dt.timedelta(days=371) == dt.date(2026, 1, 7)


def test_the_machine_allows_the_life_of_a_partnership_and_nothing_else() -> None:
    process = Paths(GLOBAL_PARTNER, route_of(GLOBAL_PARTNER))
    to_cooperation = ("resume_ipcp_approval", "advance")
    assert process.states((*to_cooperation, "renew", "renewed", "renew", "suspend"))[-4:] == (
        "renewal", "cooperation", "renewal", "suspended")
    assert process.states((*to_cooperation, "renew", "lapse"))[-1] == "lapsed"
    for illegal in [
        ("request", "advance", "veto", "renew"),  # a rejected case has no partnership
        (*to_cooperation, "renewed"),  # nothing to agree before a renewal starts
        (*to_cooperation, "lapse"),  # only a renewal can lapse
        (*to_cooperation, "renew", "renew"),  # one renewal at a time
        (*to_cooperation, "suspend", "renew"),  # a suspended partnership is not resumed
        (*to_cooperation, "renew", "lapse", "renewed"),  # nor a lapsed one
    ]:
        with pytest.raises(MachineError):
            process.states(illegal)


LIFE = {"areas": {"added_per_year": 2.0}, "renewal": {"every": "1y"}, "suspension": {"annual_rate": 0.1}}


def test_the_life_does_not_depend_on_chunks_or_workers() -> None:
    two = [{"code": "ARG", "request": "2024-04-18", "stage": "expert_talks"},
           {"code": "BRA", "request": {"uniform": ["2025-03-01", "2026-06-01"]}}]
    s = scenario(candidates=two, partnership=LIFE, alliance=ALLIES, replications=5_500)
    model = compile_scenario(s)
    whole, part = run_chunk(model, s.seed, 0, 400), run_chunk(model, s.seed, 250, 150)
    assert whole.life is not None and part.life is not None
    for name in ("ending", "stop", "renewals", "renewing", "area_start"):
        assert np.array_equal(getattr(whole.life, name)[250:], getattr(part.life, name))
    one = json.dumps(simulate(s, jobs=1).to_dict())
    assert one == json.dumps(simulate(s, jobs=2).to_dict())  # 5,500 replications: two worker tasks
    assert '"partnership"' in one


def test_a_run_folder_keeps_the_partnership_and_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "life.yaml"
    path.write_text(
        "name: Life\nstart: 2025-01-01\nhorizon: 3y\nseed: 5\n"
        "alliance: [AAA, BBB, CCC]\n"
        f"partnership: {json.dumps(LIFE)}\n"
        "candidates:\n  - {code: ARG, name: Argentina, request: 2025-01-01, stage: ipcp_drafting}\n"
        "  - {code: CHL, name: Chile, request: 2025-06-01}\n",
        encoding="utf-8",
    )
    done = execute(path, prepare(path, replications=600), out=tmp_path / "run", jobs=1, rows=False)
    assert (done.folder / "partnership_areas.csv").is_file() and (done.folder / "charts" / "partnership.png").is_file()
    header = (done.folder / "results.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-11:] == ["p_partnership_active", "p_partnership_active_low", "p_partnership_active_high",
                            "p_suspended", "p_suspended_low", "p_suspended_high", "p_lapsed", "p_lapsed_low",
                            "p_lapsed_high", "mean_renewals", "expected_areas"]
    loaded = load_run(done.folder).results
    for before, after in zip(done.results.candidates, loaded.candidates, strict=True):
        a, b = before.partnership, after.partnership
        assert a is not None and b is not None
        assert (a.active, a.suspended, a.lapsed, a.areas, a.renewals) == (b.active, b.suspended, b.lapsed,
                                                                          b.areas, b.renewals)
        assert [d for d, _ in a.by_month] == [d for d, _ in b.by_month]
        assert np.allclose([v for _, v in a.by_month], [v for _, v in b.by_month], atol=1e-6, rtol=0)
    assert "partnership active at the horizon" in loaded.summary()
    frame = loaded.to_frame()
    assert list(frame["expected_areas"]) == pytest.approx([c.partnership.expected_areas  # type: ignore[union-attr]
                                                           for c in loaded.candidates])


def test_the_partnership_chart_states_the_finding_on_calendar_dates(tmp_path: Path) -> None:
    results = simulate(at_approval(LIFE, replications=400))
    fig = CHARTS["partnership"](results)
    texts = [t.get_text() for t in fig.texts]
    life = results.candidate("ARG").partnership
    assert life is not None
    assert texts[0] == (f"Argentina: partnership active in Jan 2030 in {round(life.active.p * 100)}% of futures, "
                        f"{life.expected_areas / life.active.p:.1f} of 10 areas when active")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Areas of cooperation (expected)" and ax.get_xlabel() == "Date"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"Argentina: {round(life.active.p * 100)}%"]
    assert "2026" in [t.get_text() for t in ax.get_xticklabels()]


def test_without_a_partnership_block_nothing_of_it_appears(tmp_path: Path) -> None:
    s = scenario(alliance=ALLIES, replications=200)
    assert compile_scenario(s).life is None and run_chunk(compile_scenario(s), s.seed, 0, 10).life is None
    results = simulate(s)
    assert not results.has_partnership and '"partnership"' not in json.dumps(results.to_dict())
    assert "partnership" not in results.summary() and "expected_areas" not in results.to_frame()
    assert "partnership" not in [c.name for c in selection(has_partnership=results.has_partnership)]
    with pytest.raises(PartnersimError, match="needs a run whose scenario has a partnership block"):
        CHARTS["partnership"](results)
    with pytest.raises(PartnersimError, match="needs a run whose scenario has a partnership block"):
        render_all(results, tmp_path, only=["partnership"])
