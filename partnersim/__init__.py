"""partnersim: Monte Carlo simulation of NATO partnership accession for briefings.

The Python API in brief::

    import partnersim
    scenario = partnersim.load_scenario("scenarios/latam.yaml", overrides=["seed=7"])
    results = partnersim.simulate(scenario, replications=2000, jobs=2)
    results.candidate("ARG").outcomes["cooperation"].p
    results.to_frame()                      # a pandas DataFrame, one row per candidate
    results.plot.s_curve()                  # a matplotlib Figure
    results.to_xlsx("latam.xlsx")           # every table, a sheet each
    change = partnersim.compare("scenarios/latam.yaml", "scenarios/latam-turkey-hold.yaml")
    change.to_frame()                       # each change with its paired interval
    run = partnersim.load_run("runs/latam-20261201-120000")   # a run folder read back, no rerun
    run.results.to_frame()

In a notebook, Results and Comparison show their tables; ``repr`` gives a
few lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partnersim._version import __version__

__all__ = [
    "Comparison",
    "PartnersimError",
    "Results",
    "SavedRun",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_run",
    "load_scenario",
    "simulate",
]

if TYPE_CHECKING:
    from partnersim.api import compare
    from partnersim.errors import PartnersimError, ScenarioError
    from partnersim.results.load import SavedRun, load_run
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
    "SavedRun": "partnersim.results.load",
    "load_run": "partnersim.results.load",
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
