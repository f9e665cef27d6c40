"""Goal seek: the value found where a chance known in closed form reaches the target, with an honest interval."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.optimize import brentq

from partnersim.cli import cli
from partnersim.kinds.consensus import layer_allies
from partnersim.whatif.seek import seek
from partnersim.whatif.sweep import Param

from .conftest import scenario

HOLD = 0.05


def _scenario(lifted: float = 0.9) -> object:
    # A century: every case ends; only a veto (a hold not lifted, at either decision) stops cooperation.
    return scenario(replications=2_000, horizon="100y", seed=3,
                    allies={"default": {"hold": {"probability": HOLD, "lifted": lifted}}})


def _chance(lifted: float) -> float:
    """P(cooperation) = Π over the decisions and allies of (1 − hold · (1 − lifted)), as each ally's settings are
    layered at each decision."""
    s = _scenario(lifted)
    p = 1.0
    for name in ("consensus", "ipcp_approval"):
        for ally in layer_allies(s.allies, s.stages[name], list(s.roster)):  # type: ignore[attr-defined]
            p *= 1 - ally.hold.probability * (1 - ally.hold.lifted)
    return p


def test_the_answer_is_where_the_closed_form_reaches_the_target() -> None:
    truth = brentq(lambda lifted: _chance(lifted) - 0.5, 0.0, 1.0)
    found = seek(_scenario(), Param("allies.default.hold.lifted", 0.0, 1.0, None), code="ARG", target=0.5,
                 replications=2_000, base=0.9)
    assert found.answer is not None and found.low is not None and found.high is not None
    assert found.low <= truth <= found.high
    assert found.high - found.low < 0.15  # not vacuous: ±1.1 points of chance at n = 2,000, slope ≈ 0.5
    assert found.crossings == 1
    assert np.all(np.diff(found.chances) >= 0)  # common random numbers: lifting more only ever helps
    assert set(found.rounds.tolist()) == {1, 2}


def test_a_target_out_of_reach_is_said_so(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"name": "t", "start": "2025-01-01", "horizon": "100y", "replications": 500,
                                "seed": 3, "candidates": [{"code": "ARG", "request": "2025-01-01"}]}),
                    encoding="utf-8")
    out = tmp_path / "seek"
    result = CliRunner().invoke(cli, ["seek", str(path), "allies.default.hold.lifted", "--target", "0.2",
                                      "-n", "500", "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "ARG's chance of cooperation by Jan 2125 stays above 20% over the whole range of the allies' chance of " \
        "lifting a hold" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["answer"] is None and (out / "charts" / "seek.png").is_file()
    rows = (out / "seek.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "value,round,chance,low,high" and len(rows) == 1 + 33 + 1  # the grid, and the scenario's 0.9


def test_a_setting_that_is_not_a_chance_needs_a_range(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["seek", str(Path(__file__).parent.parent / "scenarios" / "latam.yaml"),
                                      "stages.expert_talks.teams", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "give the range to search for stages.expert_talks.teams with --range LOW:HIGH" in result.output
    assert not (tmp_path / "x").exists()


def test_a_range_with_steps_is_refused_since_seek_chooses_its_values(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["seek", str(Path(__file__).parent.parent / "scenarios" / "latam.yaml"),
                                      "allies.TUR.hold.probability", "--range", "0:1:5", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--range takes LOW:HIGH, got '0:1:5'" in result.output
    assert not (tmp_path / "x").exists()


def test_a_setting_that_takes_neither_end_is_one_problem(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["seek", str(Path(__file__).parent.parent / "scenarios" / "latam.yaml"),
                                      "allies.TUR", "--range", "0:1", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and "1 problem found" in result.output
    assert "allies.TUR: expected a mapping of keys, got 0" in result.output and "got 1" not in result.output
    result = CliRunner().invoke(cli, ["seek", str(Path(__file__).parent.parent / "scenarios" / "latam.yaml"),
                                      "name", "--range", "0:1", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2  # --set's advice to quote a text does not fit a range
    assert "name: expected text, got 0; a range sweeps numbers, durations or dates, not text" in result.output


@pytest.mark.parametrize(("setting", "said"), [
    ("stages.expert_talks.teamz", "SETTING: stages.expert_talks.teamz: unknown key 'teamz' (did you mean 'teams'?)"),
    ("nosuch.setting", "SETTING: nosuch: unknown key 'nosuch'; expected one of: name,"),
])
def test_a_key_path_naming_no_setting_is_said_so_before_a_range_is_asked_for(setting: str, said: str,
                                                                            tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["seek", str(Path(__file__).parent.parent / "scenarios" / "latam.yaml"),
                                      setting, "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert said in result.output and "give the range" not in result.output
    assert not (tmp_path / "x").exists()


def test_a_setting_that_does_not_load_is_one_line_naming_it(tmp_path: Path) -> None:
    latam = str(Path(__file__).parent.parent / "scenarios" / "latam.yaml")
    result = CliRunner().invoke(cli, ["seek", latam, "allies.TRU.hold.probability", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "SETTING: allies.TRU: unknown ally 'TRU' (did you mean 'TUR'?)" in result.output  # no --range was given
    assert "--param" not in result.output and not (tmp_path / "x").exists()
