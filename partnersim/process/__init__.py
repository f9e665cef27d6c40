"""The process as a state machine, built with ``transitions`` from a template."""

from partnersim.process.machine import Case, build_machine, life_states, outcome_states, state_names

__all__ = ["Case", "build_machine", "life_states", "outcome_states", "state_names"]
