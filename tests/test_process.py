"""The state machine is the single source of truth: legal paths pass, illegal ones raise."""

from __future__ import annotations

import pytest
from transitions import MachineError

from partnersim.process import Case, build_machine, outcome_states, state_names
from partnersim.process.library import GLOBAL_PARTNER
from partnersim.process.machine import transition_table


@pytest.fixture
def case() -> Case:
    machine = build_machine(GLOBAL_PARTNER)
    case = Case("ARG")
    machine.add_model(case, initial="prospective")
    case.start(machine)
    yield case
    machine.remove_model(case)


def test_the_interview_process_in_order() -> None:
    assert state_names(GLOBAL_PARTNER) == [
        "prospective", "requested", "consensus", "expert_talks", "ipcp_drafting", "ipcp_approval",
        "cooperation", "rejected", "withdrawn", "talks_failed", "pending",
    ]
    assert outcome_states(GLOBAL_PARTNER) == ["cooperation", "rejected", "withdrawn", "talks_failed", "pending"]


def test_the_main_path_is_recorded_by_the_machine(case: Case) -> None:
    case.request()  # type: ignore[attr-defined]
    for _ in range(5):
        case.advance()  # type: ignore[attr-defined]
    assert case.state == "cooperation"
    assert case.trace == [
        "requested", "consensus", "expert_talks", "ipcp_drafting", "ipcp_approval", "cooperation",
    ]


@pytest.mark.parametrize(
    ("path", "trigger"),
    [
        (["request"], "veto"),  # allies decide only once the consensus stage opens
        (["request", "advance", "advance"], "veto"),  # talks cannot be vetoed
        (["request", "advance"], "fail_talks"),  # consensus has no rounds to fail
        ([], "withdraw"),  # a nation that has not asked cannot withdraw
        (["request", "advance", "veto"], "advance"),  # outcomes are final
        (["request", "advance", "veto"], "censor"),
    ],
)
def test_an_illegal_transition_raises(case: Case, path: list[str], trigger: str) -> None:
    for step in path:
        case.trigger(step)  # type: ignore[attr-defined]
    with pytest.raises(MachineError):
        case.trigger(trigger)  # type: ignore[attr-defined]


def test_every_open_state_can_be_withdrawn_from_and_censored() -> None:
    table = transition_table(GLOBAL_PARTNER)
    withdraw = next(t for t in table if t["trigger"] == "withdraw")
    censor = next(t for t in table if t["trigger"] == "censor")
    stages = list(GLOBAL_PARTNER.stage_names)
    assert withdraw["source"] == ["requested", *stages]
    assert censor["source"] == ["prospective", "requested", *stages]

