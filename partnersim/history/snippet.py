"""A fitted delay model as text: the YAML to paste into a scenario, and a plain summary.

Numbers are rounded to what the data can carry (whole days above ten days,
two or three significant figures elsewhere); each line's comment says where
its number comes from, as every shipped scenario does.
"""

from __future__ import annotations

from partnersim import safetext
from partnersim.history.fit import DEFAULT_LIFTED, DelayFit, Interval
from partnersim.history.sample import Sample


def days(value: float) -> str:
    """``6.5d``, ``22d``, ``431d``: a duration as a scenario writes it."""
    return f"{value:.1f}d" if value < 10 else f"{value:.0f}d"


def probability(value: float) -> str:
    return f"{value:.3f}" if value >= 0.01 else f"{value:.4f}"


def _interval(interval: Interval | None, of: str = "", as_days: bool = True) -> str:
    """``; 90% interval of the p90 24–98d``, or nothing without a bootstrap."""
    if interval is None:
        return ""
    of = f" of the {of}" if of else ""
    if as_days:
        return f"; 90% interval{of} {days(interval.low)[:-1]}–{days(interval.high)}"
    return f"; 90% interval{of} {interval.low:.2f}–{interval.high:.2f}"


def deliberation_yaml(fit: DelayFit) -> str:
    p = fit.params
    if p.family == "gamma":
        return f"{{gamma: {{mean: {days(p.body_mean)}, cv: {p.body_cv:.2f}}}}}"
    return f"{{lognormal: {{median: {days(p.body_median)}, p90: {days(p.body_p90)}}}}}"


def snippet(fit: DelayFit, sample: Sample, lifted: float = DEFAULT_LIFTED) -> str:
    """The ``allies:`` block of a scenario, fitted to ``sample``, with a comment on every number."""
    p = fit.params
    # A YAML comment ends at a line break: names from the user's CSV are kept to one line.
    what = safetext.line(f"{' + '.join(sample.columns)} of {sample.source}")
    goodness = f"KS distance {fit.ks:.3f}" + (f", bootstrap p = {fit.ks_p:.2f}" if fit.ks_p is not None else "")
    spread = (
        f"p90 from the assumed spread sigma {p.hold_sigma:g} (too few holds to estimate it)"
        if fit.hold_sigma_fixed else f"fitted spread sigma {p.hold_sigma:.2f}"
    )
    intervals = fit.intervals
    lines = [
        f"# Ally delays fitted by `partnersim fit` to {what}:",
        f"# {fit.n} delays, maximum likelihood with each whole day read as an interval; {goodness}.",
        "# As `allies:` it reaches every consensus stage without allies defaults of its own; a stage whose process",
        "# gives it some (membership-accession's invitation and ratification, a programme approval) keeps those:",
        "# to fit such a stage, indent this under `stages: <stage>:` instead.",
        "allies:",
        "  default:",
        f"    deliberation: {deliberation_yaml(fit)}  # fitted body ({p.family}): median "
        f"{days(p.body_median)}, p90 {days(p.body_p90)}{_interval(intervals.get('body_p90'), of='p90')}",
        "    hold:",
        f"      probability: {probability(p.hold_p)}  # fitted: about {fit.holds:.1f} of {fit.n} delays are holds"
        f"{_interval(intervals.get('hold_probability'), as_days=False)}",
        f"      duration: {{lognormal: {{median: {days(p.hold_median)}, p90: {days(p.hold_p90)}}}}}  # fitted median"
        f"{_interval(intervals.get('hold_median'))}; {spread}",
        f"      lifted: {lifted:g}  # assumption: consent dates cannot show vetoes; 10 of 13 recorded single-ally "
        "holds ended in consent (docs/calibration.md)",
    ]
    return "\n".join(lines) + "\n"


__all__ = ["days", "deliberation_yaml", "probability", "snippet"]
