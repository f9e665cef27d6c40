"""Processes as data: the built-in ones ship as YAML; a user writes one; the route drives the walk.

Closed forms:
- re-application after a veto: a consensus vetoed with probability h, asked
  again after a wait unless the candidate gives up (probability g): cooperation
  (1 − h) / (1 − h(1 − g)), rejected h·g / (1 − h(1 − g));
- a programme sent back to drafting with probability b: every case gets
  through, after a geometric number of approvals with mean 1 / (1 − b);
- a time limit ends a stage that would run longer, on the day it runs out.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from transitions import MachineError

import partnersim.process
from partnersim.cli import cli
from partnersim.engine import compile_scenario, run_chunk
from partnersim.errors import ScenarioError
from partnersim.process.definition import Template, route_of, structure_problems
from partnersim.process.library import TEMPLATES
from partnersim.process.machine import Paths
from partnersim.process.route import Branches, Goto, Retry
from partnersim.scenario import load_scenario, processes
from partnersim.simulation import simulate

N = 4000


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def within(value: float, expected: float, sd: float, n: int) -> None:
    """``value`` is an estimate over ``n`` draws: within four standard errors of ``expected``."""
    assert abs(value - expected) <= 4 * sd / math.sqrt(n) + 1e-12, (value, expected)


ONE_ALLY = textwrap.dedent("""\
    start: 2026-01-01
    horizon: 3000d
    replications: {n}
    seed: 11
    alliance: [{{code: AAA, name: Aland}}]
    allies:
      default: {{deliberation: 1d, hold: {{probability: {h}, lifted: 0.0, duration: 1d}}}}
    process: {process}
    candidates:
      - {{code: ARG, request: 2026-01-01}}
""")


# --- the built-in processes ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_built_in_process_is_a_valid_process_file(name: str) -> None:
    template = TEMPLATES[name]
    assert list(structure_problems(template)) == []
    read, problems = processes.read_file(Path(partnersim.process.__file__).parent / "builtin" / f"{name}.yaml")
    assert problems == [] and read == template
    route = route_of(template)
    # In order: each advance to the next stage, the last to the success; a veto to rejected.
    for index, exits in enumerate(route.exits):
        following = template.stage_names[index + 1] if index + 1 < len(template.stages) else template.success
        assert isinstance(exits[next(iter(exits))], Goto)
        assert [t for e, t in exits.items() if e.name == "ADVANCE"] == [Goto(following)]


# --- re-application after a veto ---------------------------------------------------------------------


REAPPLY = """\
    name: reapply
    success: cooperation
    stages:
      consensus:
        kind: consensus
        exits:
          veto: {to: requested, after: 10d, give_up: 0.3}
      drafting:
        kind: task
        defaults: {duration: 0d}
"""


def test_a_vetoed_candidate_asks_again_unless_it_gives_up(tmp_path: Path) -> None:
    h, g = 0.5, 0.3
    write(tmp_path, "reapply.yaml", REAPPLY)
    scenario = load_scenario(write(tmp_path, "s.yaml", ONE_ALLY.format(n=N, h=h, process="reapply.yaml")))
    results = simulate(scenario, jobs=1)
    outcomes = results.candidate("ARG").outcomes
    cooperation = (1 - h) / (1 - h * (1 - g))
    within(outcomes["cooperation"].p, cooperation, math.sqrt(cooperation * (1 - cooperation)), N)
    assert outcomes["rejected"].p == pytest.approx(1 - outcomes["cooperation"].p)
    # Each visit to the consensus takes 1 day (consent) or 2 (a veto); the walk and the machine agree.
    model = compile_scenario(scenario)
    records = run_chunk(model, scenario.seed, 0, 500)
    waiting = model.column("waiting")
    assert np.isfinite(records.entry[:, 0, waiting]).any()
    assert any("back_to_requested" in path for path in model.paths.seen)


def test_the_retry_is_a_route_of_the_process() -> None:
    template = Template.model_validate(
        {"name": "x", "success": "done", "stages": {"c": {"kind": "consensus", "exits": {
            "veto": {"to": "requested", "after": "1y", "give_up": 0.25}}}}})
    (veto,) = [t for e, t in route_of(template).exits[0].items() if e.name == "VETO"]
    assert isinstance(veto, Retry) and veto.state == "requested" and veto.otherwise == "rejected"
    assert veto.give_up == 0.25


# --- a programme sent back to drafting -------------------------------------------------------------


SEND_BACK = """\
    name: send-back
    success: cooperation
    stages:
      drafting:
        kind: task
        defaults: {duration: 0d}
      approval:
        kind: consensus
        exits:
          advance: [{to: cooperation, p: 0.75}, {to: drafting, p: 0.25}]
"""


def test_a_programme_sent_back_to_drafting_gets_through_after_a_geometric_number_of_approvals(
    tmp_path: Path,
) -> None:
    b = 0.25
    write(tmp_path, "send-back.yaml", SEND_BACK)
    scenario = load_scenario(write(tmp_path, "s.yaml", ONE_ALLY.format(n=N, h=0.0, process="send-back.yaml")))
    results = simulate(scenario, jobs=1)
    candidate = results.candidate("ARG")
    assert candidate.outcomes["cooperation"].p == 1.0
    # Each approval takes the ally's one day of deliberation; approvals are geometric with mean 1 / (1 − b).
    approval = next(s for s in candidate.stages if s.stage == "approval")
    mean, sd = 1 / (1 - b), math.sqrt(b) / (1 - b)
    within(approval.mean_days, mean, sd, N)


def test_a_transition_added_to_a_process_is_produced_and_one_it_lacks_raises(tmp_path: Path) -> None:
    write(tmp_path, "send-back.yaml", SEND_BACK)
    scenario = load_scenario(write(tmp_path, "s.yaml", ONE_ALLY.format(n=200, h=0.0, process="send-back.yaml")))
    model = compile_scenario(scenario)
    run_chunk(model, scenario.seed, 0, 200)
    assert any("advance_to_drafting" in path for path in model.paths.seen)
    # The same walk checked by a machine built from a process without the branch: the path is refused.
    strict = Template.model_validate({**scenario.template.model_dump(), "stages": [
        {**s.model_dump(), "exits": {}} for s in scenario.template.stages]})
    bad = type(model)(**{**model.__dict__, "paths": Paths(strict, route_of(strict))})
    with pytest.raises(MachineError):
        run_chunk(bad, scenario.seed, 0, 200)


def test_branches_of_an_exit_are_drawn_with_their_chances() -> None:
    template = Template.model_validate({"name": "x", "success": "done", "stages": {
        "a": {"kind": "task"}, "b": {"kind": "consensus", "exits": {"advance": [{"to": "done", "p": 0.5},
                                                                                 {"to": "a", "p": 0.5}]}}}})
    (advance,) = [t for e, t in route_of(template).exits[1].items() if e.name == "ADVANCE"]
    assert isinstance(advance, Branches) and advance.choices == (("done", 0.5), ("a", 0.5))


# --- a time limit --------------------------------------------------------------------------------


@pytest.mark.parametrize(("exits", "outcome"), [({}, "withdrawn"), ({"timeout": "rejected"}, "rejected")])
def test_a_stage_that_runs_past_its_time_limit_ends_on_that_day(
    tmp_path: Path, exits: dict[str, Any], outcome: str
) -> None:
    scenario = load_scenario(write(tmp_path, "s.yaml", ONE_ALLY.format(n=50, h=1.0, process="global-partner")))
    scenario = scenario.model_copy(update={"stages": {**scenario.stages, "consensus": scenario.stages[
        "consensus"].model_copy(update={"timeout": 0.5, "exits": exits or None})}})
    records = run_chunk(compile_scenario(scenario), scenario.seed, 0, 50)
    model = compile_scenario(scenario)
    assert {model.outcomes[i] for i in records.outcome.ravel().tolist()} == {outcome}
    assert np.all(records.end == 0.5)


# --- process files and scenarios that name them ------------------------------------------------------


def test_a_scenario_may_declare_its_process_inline(tmp_path: Path) -> None:
    inline = textwrap.indent(textwrap.dedent(SEND_BACK), "  ")
    text = ONE_ALLY.format(n=100, h=0.0, process="\n" + inline.rstrip())
    scenario = load_scenario(write(tmp_path, "s.yaml", text))
    assert scenario.template.name == "send-back"


def test_a_run_of_a_process_file_keeps_the_file_and_replays_without_it(tmp_path: Path) -> None:
    write(tmp_path, "processes/reapply.yaml", REAPPLY)
    scenario = write(tmp_path, "s.yaml", ONE_ALLY.format(n=300, h=0.5, process="processes/reapply.yaml"))
    out = tmp_path / "run"
    runner = CliRunner()
    result = runner.invoke(cli, ["run", str(scenario), "-q", "--out", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert (out / "inputs" / "processes" / "reapply.yaml").read_text() == textwrap.dedent(REAPPLY)
    (tmp_path / "processes" / "reapply.yaml").unlink()
    replay = runner.invoke(cli, ["rerun", str(out), "-q", "-j", "1"])
    assert replay.exit_code == 0 and "matches" in replay.output


def test_the_re_application_option_of_the_global_partner_process(tmp_path: Path) -> None:
    text = ONE_ALLY.format(n=N, h=0.5, process="global-partner") + textwrap.dedent("""\
        stages:
          consensus:
            exits: {veto: {to: requested, after: 10d, give_up: 0.3}}
          expert_talks: {teams: 5, round: 0d, agreement: 1.0}
          ipcp_drafting: {duration: 0d}
          ipcp_approval: {allies: {default: {hold: {probability: 0.0}}}}
        """)
    results = simulate(load_scenario(write(tmp_path, "s.yaml", text)), jobs=1)
    h, g = 0.5, 0.3
    cooperation = (1 - h) / (1 - h * (1 - g))
    within(results.candidate("ARG").outcomes["cooperation"].p, cooperation,
           math.sqrt(cooperation * (1 - cooperation)), N)


BAD_PROCESS = """\
    name: bad
    success: done
    stages:
      consensus:
        kind: consensus
        lable: Consensus
        exits:
          fail: talks_failed
      talks:
        kind: talk
      drafting:
        kind: task
        defaults: {duraton: 3mo}
      approval:
        kind: consensus
        exits:
          advance: [{to: done, p: 0.5}, {to: drafting, p: 0.4}]
          veto: nowhere
"""


def test_a_process_file_gets_every_problem_at_once_by_file_line_and_key(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", BAD_PROCESS)
    scenario = write(tmp_path, "s.yaml", ONE_ALLY.format(n=10, h=0.0, process="bad.yaml"))
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    bad = str(tmp_path / "bad.yaml")
    assert lines == [
        f"{bad}:6: stages.consensus.lable: unknown key 'lable' (did you mean 'label'?)",
        f"{bad}:10: stages.talks.kind: unknown kind 'talk' (did you mean 'talks'?); the kinds are consensus, "
        "talks, task, silence, items",
        f"{bad}:13: stages.drafting.defaults.duraton: unknown key 'duraton' (did you mean 'duration'?)",
    ]


def test_a_process_whole_is_checked_once_its_parts_are_valid(tmp_path: Path) -> None:
    text = """\
        name: loops
        success: done
        stages:
          first:
            kind: consensus
            exits:
              fail: talks_failed
              veto: nowhere
          second:
            kind: task
          third:
            kind: consensus
            exits:
              advance: [{to: done, p: 0.5}, {to: second, p: 0.4}]
    """
    write(tmp_path, "loops.yaml", text)
    problems = _problems(tmp_path, "loops.yaml")
    assert problems == [
        "loops.yaml:7: stages.first.exits.fail: a consensus stage never ends by fail (it ends by advance, veto, "
        "or by a timeout)",
        "loops.yaml:8: stages.first.exits.veto: 'nowhere' is not a state of the process; the states are "
        "requested, first, second, third, done, rejected, withdrawn, talks_failed, pending",
        "loops.yaml:14: stages.third.exits.advance: the chances of the branches add up to 0.9, not 1",
    ]


def test_a_loop_with_no_way_out_and_a_stage_no_case_reaches(tmp_path: Path) -> None:
    text = """\
        name: trap
        success: done
        stages:
          first:
            kind: task
            exits: {advance: third}
          second:
            kind: task
          third:
            kind: task
            exits: {advance: first}
    """
    write(tmp_path, "trap.yaml", text)
    assert _problems(tmp_path, "trap.yaml") == [
        "trap.yaml:7: stages.second: no case that asks can ever reach second: no exit leads to it",
        "trap.yaml:4: stages.first: no case that enters first can ever reach an outcome: every way out leads "
        "back to where it came from",
        "trap.yaml:9: stages.third: no case that enters third can ever reach an outcome: every way out leads "
        "back to where it came from",
    ]


def _problems(folder: Path, name: str) -> list[str]:
    import os

    from partnersim.scenario.processes import read_file

    here = os.getcwd()
    os.chdir(folder)
    try:
        template, problems = read_file(Path(name))
    finally:
        os.chdir(here)
    assert template is None
    return [str(p) for p in problems]


def test_a_scenario_that_sends_an_exit_nowhere_is_told_so_at_its_own_line(tmp_path: Path) -> None:
    text = ONE_ALLY.format(n=10, h=0.0, process="global-partner") + textwrap.dedent("""\
        stages:
          consensus:
            exits: {veto: elsewhere}
        """)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, "s.yaml", text))
    (problem,) = caught.value.problems
    assert problem.line == 13 and problem.path == "stages.consensus.exits.veto"
    assert "'elsewhere' is not a state of the process" in problem.message


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes")
def test_a_process_file_that_is_a_named_pipe_is_one_line(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    scenario = write(tmp_path, "s.yaml", ONE_ALLY.format(n=10, h=0.0, process="pipe.yaml"))
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith("process: a named pipe, not a scenario file: " + str(tmp_path / "pipe.yaml"))


def test_the_diagram_of_a_process_file(tmp_path: Path) -> None:
    write(tmp_path, "reapply.yaml", REAPPLY)
    result = CliRunner().invoke(cli, ["diagram", "--process", str(tmp_path / "reapply.yaml")])
    assert result.exit_code == 0
    assert "consensus --> waiting: veto_to_waiting" in result.output
    assert "waiting --> requested: back_to_requested" in result.output


def test_a_veto_that_leads_back_to_the_request_at_once_starts_the_consensus_again(tmp_path: Path) -> None:
    """Asked again at once, every case gets through in the end: consensus visits are geometric."""
    process = REAPPLY.replace("veto: {to: requested, after: 10d, give_up: 0.3}", "veto: requested")
    write(tmp_path, "again.yaml", process)
    scenario = load_scenario(write(tmp_path, "s.yaml", ONE_ALLY.format(n=N, h=0.5, process="again.yaml")))
    candidate = simulate(scenario, jobs=1).candidate("ARG")
    assert candidate.outcomes["cooperation"].p == 1.0
    # A visit takes 2 days when vetoed (deliberation and hold), 1 when not: E = 1 + 2·h / (1 − h) = 3.
    consensus = next(s for s in candidate.stages if s.stage == "consensus")
    within(consensus.mean_days, 3.0, 2 * math.sqrt(0.5) / 0.5, N)
