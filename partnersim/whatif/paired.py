"""Differences of two proportions, with 95% intervals, paired or not.

A what-if and its base run on the same seed share their random numbers
replication by replication, so each replication gives a *pair* of outcomes
(base, variant). The change in a probability is then the mean of the
per-replication differences of two indicators, and its interval uses the
pairing: most replications end the same way in both runs and add no noise.

The interval is Newcombe's hybrid score interval for paired proportions
(method 10 of R. G. Newcombe, "Improved confidence intervals for the
difference between binomial proportions based on paired data", *Statistics
in Medicine* 17 (1998) 2635–2650; recommended by M. W. Fagerland, S. Lydersen
and P. Laake, "Recommended tests and confidence intervals for paired binomial
proportions", *Statistics in Medicine* 33 (2014) 2850–2875). It combines the
Wilson intervals of the two proportions with their correlation; unlike the
plain normal interval of the mean difference it stays sensible when only a
handful of replications change outcome. For runs on *independent* seeds the
same construction without the correlation term is Newcombe's method 10 for
independent proportions (*Statistics in Medicine* 17 (1998) 873–890).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from partnersim.stats import wilson


@dataclass(frozen=True)
class Change:
    """A change in a probability, variant minus base, with its 95% interval."""

    base: float
    variant: float
    diff: float
    low: float
    high: float
    n: int
    gained: int  # replications in which the variant has the outcome and the base has not
    lost: int  # replications in which the base has the outcome and the variant has not

    @property
    def identical(self) -> bool:
        """No replication ended differently: with shared random numbers, no change at all."""
        return self.gained == 0 and self.lost == 0

    @property
    def distinguishable(self) -> bool:
        """The interval excludes zero: the change is larger than the simulation's noise."""
        return not self.identical and (self.low > 0 or self.high < 0)

    @property
    def verdict(self) -> str:
        if self.identical:
            return "no change in any replication"
        return "distinguishable from noise" if self.distinguishable else "within noise"

    def to_dict(self) -> dict[str, float | int | str]:
        return {
            "base": round(self.base, 6), "variant": round(self.variant, 6), "change": round(self.diff, 6),
            "low": round(self.low, 6), "high": round(self.high, 6), "gained": self.gained,
            "lost": self.lost, "verdict": self.verdict,
        }


def paired_change(base: np.ndarray, variant: np.ndarray) -> Change:
    """The change from ``base`` to ``variant``, two boolean arrays over the same replications."""
    base = np.asarray(base, dtype=bool)
    variant = np.asarray(variant, dtype=bool)
    if base.shape != variant.shape:
        raise ValueError(f"paired outcomes must have one shape, got {base.shape} and {variant.shape}")
    n = int(base.size)
    both = int(np.count_nonzero(base & variant))
    gained = int(np.count_nonzero(variant & ~base))
    lost = int(np.count_nonzero(base & ~variant))
    neither = n - both - gained - lost
    p_base, p_variant = (both + lost) / n, (both + gained) / n
    diff = (gained - lost) / n
    if gained == 0 and lost == 0:
        # Every replication ended the same way: the difference is exactly zero.
        low = high = 0.0
    else:
        low, high = newcombe_paired(both, gained, lost, neither)
    return Change(p_base, p_variant, diff, low, high, n, gained, lost)


def newcombe_paired(both: int, gained: int, lost: int, neither: int) -> tuple[float, float]:
    """95% interval for P(variant) − P(base) from the paired 2×2 table (Newcombe 1998, method 10).

    ``both``: outcome in base and variant; ``gained``: in the variant only;
    ``lost``: in the base only; ``neither``: in neither.
    """
    n = both + gained + lost + neither
    if n == 0:
        return math.nan, math.nan
    variant, base = both + gained, both + lost
    p1, p2 = variant / n, base / n
    l1, u1 = wilson(variant, n)
    l2, u2 = wilson(base, n)
    margins = (both + gained) * (lost + neither) * (both + lost) * (gained + neither)
    phi = (both * neither - gained * lost) / math.sqrt(margins) if margins > 0 else 0.0
    down = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    up = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    diff = p1 - p2
    return max(-1.0, diff - down), min(1.0, diff + up)

