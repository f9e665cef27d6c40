"""partnersim: Monte Carlo simulation of NATO partnership accession for briefings.

The Python API in brief::

    import partnersim
    scenario = partnersim.load_scenario("scenarios/latam.yaml", overrides=["seed=7"])
    results = partnersim.simulate(scenario, replications=2000, jobs=2)
    results.candidate("ARG").outcomes["cooperation"].p
    results.to_frame()                      # a pandas DataFrame, one row per candidate
    results.plot.s_curve()                  # a matplotlib Figure
    change = partnersim.compare("scenarios/latam.yaml", "scenarios/latam-turkey-hold.yaml")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partnersim._version import __version__

__all__ = [
    "Comparison",
    "PartnersimError",
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_scenario",
    "simulate",
]

if TYPE_CHECKING:
    from partnersim.api import compare
    from partnersim.errors import PartnersimError, ScenarioError
    from partnersim.results.summary import Results
    from partnersim.scenario import Scenario, load_scenario
    from partnersim.simulation import simulate
    from partnersim.whatif.compare import Comparison

_LAZY = {
    "compare": "partnersim.api",
    "Comparison": "partnersim.whatif.compare",
    "PartnersimError": "partnersim.errors",
    "ScenarioError": "partnersim.errors",
    "Results": "partnersim.results.summary",
    "simulate": "partnersim.simulation",
    "Scenario": "partnersim.scenario",
    "load_scenario": "partnersim.scenario",
}


def __dir__() -> list[str]:
    return sorted(__all__)


def __getattr__(name: str) -> Any:
    # Imported on first use, so that ``partnersim --help`` stays instant.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'partnersim' has no attribute {name!r}")
