"""The SimPy engine: compile a Scenario into a Model, run chunks of replications."""

from partnersim.engine.model import Model, compile_scenario
from partnersim.engine.records import Records
from partnersim.engine.replication import run_chunk

__all__ = ["Model", "Records", "compile_scenario", "run_chunk"]
