"""Which allies stand out: named only on a difference beyond noise, never on chance alone.

With 32 allies set alike, one of them is always "most often last to consent",
by chance. An ally is named as standing out only when its count is above what
the allies set alike show, beyond noise, with a correction for comparing many
allies at once: a one-sided exact binomial test at 1% against the pooled share
of the allies the scenario sets alike (the largest group of allies with the
same settings at every decision), Bonferroni-corrected over every ally, role
(last to consent, holding, vetoing) and candidate a run reports on, so that a
whole briefing names an ally on chance alone at most once in a hundred runs.
An ally the
scenario sets apart is held to the same test: naming it says its share is
above the others', not merely that it has settings of its own.

Every sentence, chart title and annotation that names an ally asks here.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scipy.special import betainc

from partnersim.kinds.consensus import ConsensusStage, layer_allies
from partnersim.kinds.items import ItemsStage
from partnersim.kinds.silence import SilenceStage
from partnersim.stats import Z95

if TYPE_CHECKING:
    from partnersim.scenario.schema import Scenario

LEVEL = 0.01  # the chance, over all the allies compared, of naming one when none stands out
ROLES = 3  # the rankings a run reports for each candidate: last to consent, holding, vetoing


def alike(scenario: Scenario) -> frozenset[str]:
    """The allies the scenario sets alike: the largest group with the same settings at every decision.

    An ally's settings are what it does at each consensus stage (and each
    renewal), its silence-breaking chance, its bloc and its elections.
    """
    codes = list(scenario.roster)
    signature: dict[str, list[str]] = {code: [] for code in codes}
    for name, params in scenario.stages.items():
        if isinstance(params, ConsensusStage | ItemsStage):
            resolved = layer_allies(scenario.allies, params, codes)  # type: ignore[arg-type]
            for code, ally in zip(codes, resolved, strict=True):
                signature[code].append(f"{name}:{ally.model_dump_json()}")
        elif isinstance(params, SilenceStage):
            for code in codes:
                signature[code].append(f"{name}:{params.allies.breaks(code)}")
    life = scenario.partnership
    if life is not None and life.renewal is not None:
        renewal = ConsensusStage(allies=life.renewal.allies)
        for code, ally in zip(codes, layer_allies(scenario.allies, renewal, codes), strict=True):
            signature[code].append(f"renewal:{ally.model_dump_json()}")
    for bloc in scenario.blocs:
        for code in bloc.allies:
            signature.setdefault(code, []).append(f"bloc:{bloc.name}:{bloc.strength}")
    for election in scenario.calendar.elections:
        signature.setdefault(election.ally, []).append(f"election:{election.model_dump_json()}")
    keys = {code: json.dumps(signature.get(code, [])) for code in codes}
    if not keys:
        return frozenset()
    largest, _ = Counter(keys.values()).most_common(1)[0]
    return frozenset(code for code, key in keys.items() if key == largest)


def standing_out(counts: Mapping[str, int], cases: int, alike_codes: frozenset[str], allies: int,
                 *, complete: bool = True) -> list[str]:
    """The allies whose count (of ``cases``) stands out above the allies set alike, most first.

    ``allies`` is how many are compared (the roster), for the correction.
    With ``complete`` false, ``counts`` holds only some allies (the most
    frequent): the pooled share of the allies set alike is then taken over
    those it holds, which can only make naming an ally harder.
    """
    if cases <= 0 or not counts:
        return []
    pool = [counts[code] for code in counts if code in alike_codes]
    members = len(alike_codes) if complete else len(pool)
    baseline = sum(pool) / (cases * members) if members else 0.0
    compared = max(allies, 1)
    found = []
    for code, count in counts.items():
        if count <= 0:
            continue
        # The exact binomial tail: P(at least this many of ``cases``) at the allies-alike share, corrected.
        # P(at least ``count`` of ``cases``) for a binomial at ``baseline`` is the regularised incomplete beta
        # function I_baseline(count, cases − count + 1): scipy.special, not scipy.stats, which takes half a second
        # to import on every command.
        if baseline <= 0.0 or float(betainc(count, cases - count + 1, baseline)) < LEVEL / compared:
            found.append((count, code))
    return [code for _, code in sorted(found, key=lambda item: (-item[0], item[1]))]


def named(codes: list[str], counts: Mapping[str, int], cases: int) -> list[str]:
    """Of the allies that stand out (most first), those a sentence names: the first, and the second too when the
    two cannot be told apart (their difference within noise at 95%)."""
    if len(codes) < 2:
        return codes[:1]
    a, b = counts[codes[0]], counts[codes[1]]
    spread = math.sqrt(a + b)  # the difference of two counts of one run: about Poisson, variance a + b
    return codes[:2] if spread > 0 and (a - b) / spread < Z95 else codes[:1]
