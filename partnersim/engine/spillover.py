"""Spillover: a veto against one candidate freezes the approvals of every other candidate.

In 2016–2017 Türkiye's veto aimed at Austria froze the partnership programmes
of all partners, because they were approved together, until the allies split
the approvals country by country on 2017-05-22. With a ``spillover:`` block a
veto at any decision stage starts a freeze of a drawn length; a decision of
another candidate of the same replication at a frozen stage that would take
effect during the freeze waits until it ends (and then for the next Council
meeting or summit, as the calendar says).

Vetoes and frozen decisions interact (a frozen decision may itself be a veto
that starts a new freeze), so the cases of a replication settle in the order
of time, on the interaction layer (:mod:`partnersim.interaction`). Only the
replications with a veto and more than one candidate go there; every other
replication is untouched. A freeze covers the days after the veto: another
candidate's decision that takes effect on the day of the veto is not frozen.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from partnersim.interaction import Decision, frozen_decisions
from partnersim.kinds.base import VETO, ChunkKeys
from partnersim.process.definition import Template
from partnersim.scenario.schema import Scenario
from partnersim.streams import Streams, key_of
from partnersim.values.distributions import DurationDist

_FREEZE = key_of("spillover")


class Spillover:
    def __init__(self, frozen: frozenset[int], freeze: DurationDist) -> None:
        self.frozen = frozen  # indices of the stages whose decisions a veto freezes
        self.freeze = freeze

    @classmethod
    def compile(cls, scenario: Scenario, template: Template) -> Spillover:
        assert scenario.spillover is not None
        names = scenario.spillover.stages or list(template.approval_stages)
        return cls(frozenset(template.stage_names.index(n) for n in names), scenario.spillover.freeze)

    def lengths(self, streams: Streams, keys: ChunkKeys) -> np.ndarray:
        """(R, C) how long a veto against each candidate would freeze the others."""
        u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _FREEZE, np.uint64(0))
        return self.freeze.ppf(u)

    def apply(
        self, leave: np.ndarray, how: np.ndarray, active: np.ndarray, vetoed_before: np.ndarray,
        vetoed_at: np.ndarray, lengths: np.ndarray, withdraw_at: np.ndarray, horizon: float,
        settle: Callable[[int, int, float], float],
    ) -> np.ndarray:
        """The day each decision at a frozen stage takes effect, freezes included.

        ``leave`` holds the unfrozen days of the ``active`` cases, ``how`` how
        each leaves the stage; ``vetoed_before`` marks cases vetoed at an
        earlier stage, on day ``vetoed_at``. ``settle(r, c, day)`` moves a
        decision released on ``day`` to the day it takes effect. Only the
        replications where a freeze can touch another candidate go to the
        interaction layer.
        """
        leave = leave.copy()
        n_active = active.sum(axis=1)
        veto_here = (active & (how == VETO)).any(axis=1)
        rows = np.flatnonzero((n_active > 0) & (vetoed_before.any(axis=1) | (veto_here & (n_active > 1))))
        if not rows.size:
            return leave
        decisions = [
            Decision((r, c), float(leave[r, c]), bool(how[r, c] == VETO), float(withdraw_at[r, c]),
                     float(lengths[r, c]))
            for r in rows.tolist() for c in np.flatnonzero(active[r]).tolist()
        ]
        earlier = [((r, c), float(vetoed_at[r, c]), float(lengths[r, c]))
                   for r in rows.tolist() for c in np.flatnonzero(vetoed_before[r]).tolist()]
        effect = frozen_decisions(decisions, earlier, horizon, lambda case, day: settle(case[0], case[1], day))
        for (r, c), day in effect.items():
            leave[r, c] = day
        return leave
