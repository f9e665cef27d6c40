"""What a run's charts read of its rows is gathered as the rows are written, and is what reading
``replications.csv`` back gives, to the last bit; the rows file is written as before, only sooner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from partnersim.executors import Executor
from partnersim.results import rundir
from partnersim.results.rows import RowsFold, read_rows, two_decimals
from partnersim.scenario.loader import load_scenario
from partnersim.simulation import simulate

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_two_decimals_is_what_the_file_holds_read_back() -> None:
    rng = np.random.default_rng(5)
    values = np.concatenate([
        rng.uniform(-50, 40_000, 20_000),
        rng.integers(0, 4_000_000, 5_000) / 100 + 0.005,  # halves of a hundredth, as near as doubles get
        np.arange(0, 20, 0.125), -np.arange(0, 2, 0.005), [0.0, -0.0, 0.004999999999, 1e-300, 123456.785],
    ])
    expected = np.array([float(f"{v:.2f}") for v in values.tolist()])
    got = two_decimals(values)
    assert np.array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected))
    assert np.isnan(two_decimals(np.array([np.nan]))[0])


def _run(name: str, folder: Path, replications: int = 1200) -> tuple[RowsFold, object]:
    scenario = load_scenario(SCENARIOS / name).with_run(replications, None)
    writer = rundir.ReplicationRows(folder / "replications.csv")
    fold = RowsFold()

    def both(model: object, records: object) -> None:
        writer(model, records)  # type: ignore[arg-type]
        fold(model, records)  # type: ignore[arg-type]

    results = simulate(scenario, executor=Executor(jobs=1), on_records=both)
    writer.close()
    return fold, results


@pytest.mark.parametrize("name", ["latam.yaml", "latam-uk-uncertain.yaml", "latam-reapply.yaml", "ukraine-eu.yaml"])
def test_the_rows_gathered_as_a_run_goes_are_those_read_back_from_its_file(name: str, tmp_path: Path) -> None:
    fold, results = _run(name, tmp_path)
    gathered = fold.rows(results)  # type: ignore[arg-type]
    assert gathered is not None
    assert gathered == read_rows(tmp_path / "replications.csv", results)  # type: ignore[arg-type]


def test_the_tallies_come_first_and_name_the_replication_the_story_tells(tmp_path: Path) -> None:
    fold, results = _run("latam.yaml", tmp_path, 900)
    tallies = fold.tallies(results)  # type: ignore[arg-type]
    story = fold.story(results)  # type: ignore[arg-type]
    read = read_rows(tmp_path / "replications.csv", results)  # type: ignore[arg-type]
    assert tallies is not None and story is not None
    assert tallies.story.cases == () and tallies.story.replication == read.story.replication
    assert (tallies.allies, tallies.stage_margin, tallies.replications) == (read.allies, read.stage_margin,
                                                                            read.replications)
    assert story == read.story


def test_the_file_is_written_as_before(tmp_path: Path) -> None:
    from partnersim.results import table

    fold, results = _run("latam-turkey-hold.yaml", tmp_path, 600)
    text = (tmp_path / "replications.csv").read_text(encoding="utf-8").splitlines()
    assert text[0] == ",".join(table.header(fold.model))  # type: ignore[arg-type]
    assert len(text) == 1 + 600 * len(results.candidates)  # type: ignore[attr-defined]
