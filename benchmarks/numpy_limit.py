"""The first reference workload fully vectorised in NumPy, no SimPy: the practical speed limit.

With one candidate and two teams no one ever queues, so every replication is a
few array operations: the consensus is the maximum of the allies' decision
times (or the first veto), talks are a geometric number of gamma rounds,
drafting a triangular draw.
"""

from __future__ import annotations

import numpy as np

ALLIES = 32


def run(replications: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per replication: True if cooperation, and the day it starts (NaN if rejected)."""
    rng = np.random.default_rng(seed)
    n = replications
    deliberation = rng.lognormal(3.0, 0.6, size=(n, ALLIES))
    holds = rng.random((n, ALLIES)) < 0.05
    hold_days = rng.lognormal(4.5, 0.8, size=(n, ALLIES))
    lifted = rng.random((n, ALLIES)) < 0.7
    decided = deliberation + np.where(holds, hold_days, 0.0)
    vetoed = (holds & ~lifted).any(axis=1)
    consensus = decided.max(axis=1)
    rounds = rng.geometric(0.6, size=n)
    talks = rng.gamma(4.0 * rounds, 15.0)  # the sum of k gamma(4, 15) rounds is gamma(4k, 15)
    drafting = rng.triangular(90.0, 180.0, 365.0, size=n)
    day = np.where(vetoed, np.nan, consensus + talks + drafting)
    return ~vetoed, day
