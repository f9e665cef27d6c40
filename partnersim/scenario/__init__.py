"""Scenarios: the schema, the loader, and the checks of a scenario file."""

from partnersim.scenario.loader import load_scenario, scenario_from_dict
from partnersim.scenario.schema import Candidate, Scenario

__all__ = ["Candidate", "Scenario", "load_scenario", "scenario_from_dict"]
