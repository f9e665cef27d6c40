"""Talks run on the event loop only where a candidate may wait for a team; elsewhere the arrays give the same
results to the last bit. Checked by forcing the event loop for every replication with a case in talks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from partnersim.kinds.base import Entering
from partnersim.kinds.talks import Talks
from partnersim.scenario.loader import load_checked
from partnersim.simulation import simulate

from .conftest import scenario

ROOT = Path(__file__).resolve().parent.parent


def _everywhere(self: Talks, entering: Entering, ends: np.ndarray, teams: object = None) -> np.ndarray:
    return np.flatnonzero(entering.active.any(axis=1))


def _run(s: object, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[str, dict]:
    if monkeypatch is not None:
        monkeypatch.setattr(Talks, "contended", _everywhere)
    results = simulate(s, jobs=1, keep_rows=True)  # type: ignore[arg-type]
    return json.dumps(results.to_dict(), sort_keys=True), results.rows


CROWDED = dict(
    replications=1_500, seed=9, horizon="6y",
    candidates=[{"code": code, "request": "2025-01-01", "withdrawal": {"annual_rate": 0.2}}
                for code in ("ARG", "CHL", "PER", "MEX")],
)


@pytest.mark.parametrize("case", ["latam", "one team, a round limit", "one team, no limit"])
def test_forcing_the_event_loop_everywhere_changes_nothing(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if case == "latam":
        s, _ = load_checked(ROOT / "scenarios" / "latam.yaml", ())
        s = s.with_run(1_500, None)
    else:
        limit = {"max_rounds": 3} if "limit" in case else {}
        s = scenario(**CROWDED, stages={"expert_talks": {"teams": 1, "agreement": 0.4, **limit}})
    fast, fast_rows = _run(s)
    slow, slow_rows = _run(s, monkeypatch)
    assert fast == slow
    assert fast_rows.keys() == slow_rows.keys()
    for key in fast_rows:
        a, b = np.asarray(fast_rows[key]), np.asarray(slow_rows[key])
        assert a.dtype == b.dtype and (a.tobytes() == b.tobytes() if a.dtype.kind == "f" else a.tolist() == b.tolist()), key


def test_only_replications_whose_talks_overlap_beyond_the_teams_are_contended() -> None:
    """Three cases, two teams: the third enters while both are held in the first replication only."""
    talks = Talks("expert_talks", 1, scenario(stages={"expert_talks": {"teams": 2}}).stages["expert_talks"])
    active = np.ones((2, 3), dtype=bool)
    start = np.array([[0.0, 10.0, 20.0], [0.0, 10.0, 50.0]])
    ends = np.array([[30.0, 40.0, 60.0], [30.0, 40.0, 90.0]])
    entering = Entering(active=active, start=start, withdraw_at=np.full((2, 3), np.inf), horizon=1e4)
    assert talks.contended(entering, ends).tolist() == [0]
    withdrawn = Entering(active=active, start=start, withdraw_at=np.array([[15.0, np.inf, np.inf]] * 2),
                         horizon=1e4)
    assert talks.contended(withdrawn, ends).tolist() == []


@pytest.mark.parametrize("params", [{"agreement": 0.6}, {"agreement": 0.08, "max_rounds": 40},
                                    {"agreement": 0.03}])
def test_rounds_drawn_for_the_cases_still_talking_are_those_of_every_round_drawn(params: dict) -> None:
    """The first rounds are drawn for every case, later ones only for the cases still talking, each with the key of
    a full draw: the rounds needed and each round's length are those of drawing every round of every case."""
    from partnersim.kinds.base import ChunkKeys
    from partnersim.streams import Streams, keys_of

    stage = Talks("expert_talks", 1, scenario(stages={"expert_talks": params}).stages["expert_talks"])
    keys = ChunkKeys(np.arange(300, dtype=np.uint64), keys_of(["ARG", "CHL", "PER"]))
    streams = Streams(11)
    plan = stage.draw(streams, keys)
    every = stage._uniforms(streams, keys, np.arange(stage.limit), 1) < stage.agreement
    needed = np.where(every.any(axis=2), every.argmax(axis=2) + 1, -1)
    assert (plan.rounds == needed).all() and (needed > 4).any()  # some cases go past the first block
    held = np.where(needed == -1, stage.limit, needed)
    lengths = stage.round.ppf(stage._uniforms(streams, keys, np.arange(plan.days.shape[2]), 0))
    used = np.arange(plan.days.shape[2])[None, None, :] < held[:, :, None]
    assert plan.days.shape[2] == held.max()
    assert plan.days[used].tobytes() == lengths[used].tobytes() and not plan.days[~used].any()
