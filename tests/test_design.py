"""A design's points run together give each point exactly what its own run gives, replication by replication."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from partnersim.designs import Points, fold_points, run_design
from partnersim.engine.design import Layout, stackable
from partnersim.engine.model import compile_scenario
from partnersim.engine.replication import run_chunk
from partnersim.errors import PartnersimError
from partnersim.executors import Executor
from partnersim.results.aggregate import Aggregate
from partnersim.results.summary import summarise
from partnersim.scenario.loader import load_scenario
from partnersim.simulation import simulate
from partnersim.streams import Streams

ROOT = Path(__file__).resolve().parent.parent
LATAM = ROOT / "scenarios" / "latam.yaml"

# Every kind of setting a stacked stage takes per row: an ally's and the allies' chances, a hold's length, the
# deliberation at one stage, the talks' teams, chance, rounds and limit, a task's duration, a withdrawal rate.
CHANGES = [
    {},
    {"allies.TUR.hold.probability": 0.3},
    {"allies.default.hold.lifted": 0.5, "stages.expert_talks.teams": 1},
    {"allies.default.hold.duration": {"lognormal": {"median": "3y", "p90": "9y"}}},
    {"stages.ipcp_approval.allies.default.deliberation": "3w", "stages.ipcp_drafting.duration": "1y"},
    {"stages.expert_talks.max_rounds": 3, "stages.expert_talks.agreement": 0.2},
    {"stages.expert_talks.round": "1y", "candidates.BRA.withdrawal.annual_rate": 0.2},
]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_stacked_rows_are_each_points_own_replications() -> None:
    scenario = load_scenario(LATAM)
    points = Points(scenario, CHANGES)
    models = [points[p] for p in range(len(points))]
    assert stackable(models)
    layout = Layout(len(points), 150)  # 150 rows a point: chunks of 450 rows hold three points each
    got: dict[int, list] = {}
    for first, count in layout.chunks(500):
        (rows_points, reps, records), = run_design(points, layout, Streams(5), first, count)
        for p in np.unique(rows_points).tolist():
            rows = np.flatnonzero(rows_points == p)
            got.setdefault(p, []).append(records.take(rows, int(reps[rows[0]])))
    for p, model in enumerate(models):
        own = run_chunk(model, 5, 0, 150)
        parts = got[p]
        assert [r.first for r in parts] == [0]
        mine = parts[0]
        for name in ("outcome", "end", "opened", "entry", "spent", "last_state"):
            assert _same(getattr(mine, name), getattr(own, name)), (p, name)
        for a, b in zip(mine.allies, own.allies, strict=True):
            assert _same(a.last, b.last) and _same(a.veto, b.veto) and _same(a.held, b.held)


def test_points_larger_than_a_chunk_come_replication_range_by_range_each_in_order() -> None:
    layout = Layout(3, 1_200)
    chunks = list(layout.chunks(500))
    assert sorted(first for first, _ in chunks) == [0, 500, 1000, 1200, 1700, 2200, 2400, 2900, 3400]
    ranges = [layout.keys(first, count) for first, count in chunks]
    assert [(int(p[0]), int(r[0]), len(r)) for p, r in ranges] == [
        (0, 0, 500), (1, 0, 500), (2, 0, 500), (0, 500, 500), (1, 500, 500), (2, 500, 500),
        (0, 1000, 200), (1, 1000, 200), (2, 1000, 200)]
    assert all(len(set(p.tolist())) == 1 for p, _ in ranges)  # no chunk straddles two points


def test_points_run_one_after_the_other_on_remembered_draws_are_each_their_own_run() -> None:
    """A task remembers draws, Argentina's tries and replications' talks across points (Streams(remember=True)):
    each point's rows are still exactly its own run's, whether its settings leave those as they were or not."""
    scenario = load_scenario(LATAM)
    changes = [{}, {"allies.TUR.hold.probability": 0.3}, {}, {"stages.expert_talks.teams": 1},
               {"candidates.BRA.withdrawal.annual_rate": 0.2}, {"allies.default.hold.lifted": 0.5}]
    points = Points(scenario, changes)
    layout = Layout(len(points), 400)
    streams = Streams(7, remember=True)
    for first, count in layout.chunks(400):
        (rows_points, reps, records), = run_design(points, layout, streams, first, count)
        p = int(rows_points[0])
        own = run_chunk(points[p], 7, 0, 400)
        for name in ("outcome", "end", "opened", "entry", "spent", "last_state"):
            assert _same(getattr(records, name), getattr(own, name)), (p, name)
        for a, b in zip(records.allies, own.allies, strict=True):
            assert _same(a.last, b.last) and _same(a.veto, b.veto) and _same(a.held, b.held)
    kept = [tag[0] for tag in streams._kept or {}]
    assert "tries" in kept and "talks" in kept


def test_points_that_do_not_stack_run_one_by_one_with_the_same_rows() -> None:
    scenario = load_scenario(LATAM)
    points = Points(scenario, [{}, {"horizon": "3y"}])
    assert not stackable([points[0], points[1]])
    layout = Layout(2, 100)
    pieces = run_design(points, layout, Streams(3), 0, 200)
    assert len(pieces) == 2
    for p, (rows_points, reps, records) in enumerate(pieces):
        assert set(rows_points.tolist()) == {p} and reps.tolist() == list(range(100))
        assert _same(records.outcome, run_chunk(points[p], 3, 0, 100).outcome)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_points_totals_are_its_own_runs_results(jobs: int) -> None:
    """Totals folded from a design (points spanning several chunks and tasks) summarise to the point's run."""
    scenario = load_scenario(LATAM).with_run(1_200, 11)
    changes = CHANGES[:3]
    totals = fold_points(Points(scenario, changes), 1_200, Aggregate, seed=11, executor=Executor(jobs=jobs))
    for change, total in zip(changes, totals, strict=True):
        point = Points(scenario, [change]).scenario_of(0)
        own = simulate(point)
        mine = summarise(compile_scenario(point), total)
        assert json.dumps(mine.to_dict(), sort_keys=True) == json.dumps(own.to_dict(), sort_keys=True)


def test_a_point_that_makes_the_scenario_invalid_is_named() -> None:
    points = Points(load_scenario(LATAM), [{"allies.TUR.hold.probability": 1.5}], names=["Türkiye's hold at 1.5"])
    with pytest.raises(PartnersimError, match=r"Türkiye's hold at 1.5 makes the scenario invalid: .*"):
        points.scenario_of(0)


def test_a_points_values_change_nothing_shared_with_the_scenario() -> None:
    """Points share the scenario's document and copy only what their values change: after many points the
    document is as the scenario dumps it, and each point holds its own values and no other's."""
    scenario = load_scenario(LATAM)
    points = Points(scenario, CHANGES)
    for p in range(len(points)):
        points.scenario_of(p)
    assert points._document == scenario.model_dump(mode="json")
    assert points.scenario_of(1).model_dump(mode="json")["allies"]["TUR"]["hold"]["probability"] == 0.3
    assert points.scenario_of(2).model_dump(mode="json")["allies"]["TUR"]["hold"]["probability"] != 0.3
