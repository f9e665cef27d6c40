"""The built-in ally defaults are those of partnership decisions, fitted on their own record.

A scenario that leaves the allies out is rejected about as rarely as the record
of partnership decisions allows (no veto in 39), not 42% of the time as with
the ratification fit; ratification keeps the ratification fit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from partnersim.engine import compile_scenario, run_chunk
from partnersim.kinds.consensus import layer_allies

from .conftest import scenario


def test_a_scenario_without_allies_is_rejected_as_rarely_as_the_record_allows() -> None:
    """Every case reaches an outcome in a century; a veto needs a hold (0.0036 a consensus, 0.0037 an approval,
    per ally) not lifted (0.10): P(rejected) = 1 − (1 − 0.0036·0.1)³² (1 − 0.0037·0.1)³², about 2.3%."""
    reps = 40_000
    s = scenario(replications=reps, horizon="100y")
    records = run_chunk(compile_scenario(s), seed=4, first=0, count=reps)
    rejected = float(np.mean(records.outcome[:, 0] == 1))
    expected = 1 - (1 - 0.0036 * 0.1) ** 32 * (1 - 0.0037 * 0.1) ** 32
    assert expected == pytest.approx(0.0232, abs=5e-4)
    assert rejected == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / reps))


def test_ratification_keeps_the_ratification_fit() -> None:
    s = scenario(process="membership-accession")
    codes = list(s.roster)
    ratification = layer_allies(s.allies, s.stages["ratification"], codes)[0]
    assert ratification.hold.probability == 0.064 and ratification.hold.lifted == 0.95
    assert ratification.deliberation.mean() == pytest.approx(22.0, rel=1e-3)
    invitation = layer_allies(s.allies, s.stages["invitation"], codes)[0]
    assert invitation.hold.lifted == 0.77
