"""The factors of a sensitivity analysis: which settings to swing, and how far.

A scenario file cannot state ranges (its schema knows no such key), so the
swings follow documented rules, applied to every setting of the allies and
the stages that the resolved scenario holds, and to each candidate's
withdrawal rate:

- a probability *p* (``hold.probability``, ``hold.lifted``, ``agreement``,
  ``breaks``, a summit ``wait``):
  low *p*/2 (halfway to 0), high 2*p*, but at most halfway to 1, i.e.
  min(2*p*, (1 + *p*)/2); so 0.1 swings over 0.05–0.2 and 0.6 over 0.3–0.8;
- a duration distribution (``deliberation``, ``hold.duration``, ``round``,
  ``duration``, ``deadline``, ``renegotiation``, the spillover ``freeze``):
  every duration in it halved and doubled (the shape kept);
- a whole number (``teams``, ``max_rounds``, ``max_breaks``): halved (at
  least 1) and doubled;
- a withdrawal rate: halved and doubled.

The partnership's settings (renewal, suspension, areas) are not swung: they
act after cooperation starts, so they cannot move the chance of cooperation
that the analysis measures; ``compare`` measures them.

A swing that leaves the value as it is (a probability of 0, a lifted chance
of 1 doubled) is not run. ``--range PATH=LOW:HIGH`` replaces a factor's
range or adds any other key path, such as a candidate's request date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partnersim.errors import Problem, ScenarioError
from partnersim.kinds import DURATION_KEYS, KINDS, PROBABILITY_KEYS
from partnersim.scenario.keys import flatten
from partnersim.scenario.labels import setting_label, setting_phrase
from partnersim.scenario.schema import Scenario
from partnersim.values.distributions import as_distribution, moves_by_median, scaled, with_median
from partnersim.values.durations import parse_duration
from partnersim.whatif.diff import setting_value, show
from partnersim.whatif.sweep import range_ends, unitless_duration

# How each setting is swung, by its last key: each stage kind says so for its own settings.
_ROLES = {key: role for k in KINDS.values() for key, role in k.roles.items()}
WHOLE = (*(key for key, role in _ROLES.items() if role == "count"),)
SCALE = 2.0

@dataclass(frozen=True)
class Factor:
    """A setting and the two values it is swung to (as ``--set`` writes them; None: not swung that way)."""

    path: str
    label: str
    phrase: str
    base: str
    low: str | None
    high: str | None
    range_text: str  # e.g. "0.05–0.2" or "×0.5–×2"
    rule: str  # how the range was chosen
    # What the setting is: "probability", "rate", "count", "duration" (a distribution, scaled) or "given"
    # (a --range: numbers, durations or dates, as a sweep reads them)
    role: str = "given"
    # A --range of durations over a setting that holds a distribution: the distribution as the document writes
    # it, whose median ``low`` and ``high`` are (its spread kept); see partnersim.whatif.sweep.Param
    spread: Any = None

    def overrides(self, side: str) -> list[str]:
        value = self.low if side == "low" else self.high
        if value is None:
            return []
        if self.spread is not None:
            value = with_median(self.spread, parse_duration(value))
        return [f"{self.path}={value}"]


def factors(scenario: Scenario, ranges: list[str] | tuple[str, ...] = ()) -> list[Factor]:
    """Every factor of ``scenario`` under the default rules, then the ``--range`` ones."""
    leaves = flatten(scenario)
    found: dict[str, Factor] = {}
    for path, value in leaves.items():
        factor = _default_factor(scenario, path, value)
        if factor is not None:
            found[path] = factor
    for text in ranges:
        factor = _given(scenario, text)
        found[factor.path] = factor
    return list(found.values())


def value_at(scenario: Scenario, path: str) -> Any:
    """The value at ``path`` in the resolved scenario, None where it holds none.

    A list item is named as ``--set`` names it: a candidate (or an ally of a
    roster) by its code, any item by its position (``blocs.0.strength``,
    ``calendar.elections.1.date``).
    """
    node: Any = scenario.model_dump(mode="json", exclude_none=True)
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            node = _item(node, part)
        else:
            return None
        if node is None:
            return None
    return node


def _item(items: list[Any], part: str) -> Any:
    for item in items:
        if isinstance(item, dict) and item.get("code") == part:
            return item
    return items[int(part)] if part.isdigit() and int(part) < len(items) else None


def _default_factor(scenario: Scenario, path: str, value: Any) -> Factor | None:
    parts = path.split(".")
    key = parts[-1]
    if parts[0] == "candidates":
        if parts[2:] != ["withdrawal", "annual_rate"] or not value:
            return None
        return _factor(scenario, path, value, _text(value / SCALE), _text(value * SCALE), "halved and doubled",
                       "rate")
    # The partnership's life comes after cooperation starts, so it cannot move the chance of
    # cooperation that a sensitivity analysis measures: its settings are left out.
    if parts[:3] == ["calendar", "summits", "wait"] and parts[3:] != ["renewal"] and isinstance(value, float):
        key = "probability"
    elif path == "spillover.freeze":
        key = "freeze"
    elif parts[0] not in ("allies", "stages"):
        return None
    if key in PROBABILITY_KEYS and isinstance(value, float):
        low, high = value / SCALE, min(value * SCALE, (1 + value) / 2)
        return _factor(scenario, path, value, _text(low), _text(high),
                       "halfway to 0; doubled, at most halfway to 1", "probability")
    if key in WHOLE and isinstance(value, int):
        return _factor(scenario, path, value, str(max(1, round(value / SCALE))), str(value * round(SCALE)),
                       "halved (at least 1) and doubled", "count")
    if key in DURATION_KEYS and (isinstance(value, (dict, str))):
        dist = as_distribution(value)
        return Factor(path, setting_label(scenario, path), setting_phrase(scenario, path), show(value), scaled(dist, 1 / SCALE),
                      scaled(dist, SCALE), f"×{1 / SCALE:g}–×{SCALE:g}", "every duration halved and doubled", "duration")
    return None


def _factor(scenario: Scenario, path: str, base: Any, low: str, high: str, rule: str, role: str) -> Factor | None:
    base_text = show(base)
    low_v = None if low == base_text else low
    high_v = None if high == base_text else high
    if low_v is None and high_v is None:
        return None
    return Factor(path, setting_label(scenario, path), setting_phrase(scenario, path), base_text, low_v, high_v,
                  f"{low}–{high}", rule, role)


def _text(x: float) -> str:
    return f"{x:.4g}"


def _given(scenario: Scenario, text: str) -> Factor:
    path, sep, spec = text.partition("=")
    path = path.strip()
    parts = spec.split(":")
    if not sep or not path or len(parts) != 2:
        raise ScenarioError([Problem("--range", None, path, f"expected PATH=LOW:HIGH, got {text!r}")])
    low_text, high_text = parts[0].strip(), parts[1].strip()
    try:
        low, high, kind = range_ends(path, low_text, high_text)
    except ScenarioError as exc:
        raise ScenarioError([Problem("--range", None, path, p.message) for p in exc.problems]) from None
    unitless = unitless_duration(path, low, high, kind, "--range")
    if unitless is not None:
        raise ScenarioError([unitless])
    current = setting_value(flatten(scenario), path) or value_at(scenario, path)
    if kind == "duration" and moves_by_median(current):  # the distribution's median moves; its spread is kept
        return Factor(path, setting_label(scenario, path), setting_phrase(scenario, path), show(current), low_text,
                      high_text, f"median {low_text}–{high_text}", "given with --range: the median, the spread kept",
                      spread=current)
    return Factor(path, setting_label(scenario, path), setting_phrase(scenario, path), show(value_at(scenario, path)), low_text,
                  high_text, f"{low_text}–{high_text}", "given with --range")
