"""What-if analysis: compare scenarios, sweep parameters, find the settings that matter.

Every analysis here runs its scenarios on one seed, so they share their
random numbers replication by replication (common random numbers; see
:mod:`partnersim.streams`), and reports changes with intervals that
use that pairing.

- :func:`compare` — a base and its what-ifs: the change per candidate with a
  paired 95% interval, and what differs between the files;
- :func:`sweep` — one scenario at many values of one or more key paths;
- :func:`sensitivity` — each setting swung low and high, one at a time;
- :func:`diff_scenarios` — the key paths whose values differ.

>>> from partnersim.whatif import compare, load_input  # doctest: +SKIP
>>> result = compare(load_input("scenarios/latam.yaml"),  # doctest: +SKIP
...                  [load_input("scenarios/latam-turkey-hold.yaml")], jobs=2)
>>> result.variants[0].candidate("ARG").success  # doctest: +SKIP
"""

from __future__ import annotations

from partnersim.whatif.compare import Comparison, compare, load_input
from partnersim.whatif.diff import Difference, diff_scenarios
from partnersim.whatif.factors import Factor, factors
from partnersim.whatif.paired import Change, paired_change
from partnersim.whatif.sensitivity import Sensitivity, drivers, sensitivity
from partnersim.whatif.sweep import Param, Sweep, parse_param, sweep

__all__ = [
    "Change",
    "Comparison",
    "Difference",
    "Factor",
    "Param",
    "Sensitivity",
    "Sweep",
    "compare",
    "diff_scenarios",
    "drivers",
    "factors",
    "load_input",
    "paired_change",
    "parse_param",
    "sensitivity",
    "sweep",
]
