"""A comparison in a notebook: a repr of a few lines, its tables as HTML, its sentences, a DataFrame.

The words and numbers are those ``partnersim compare`` prints
(:mod:`partnersim.whatif.text`): each change in points with its paired 95%
interval, and whether it is beyond the simulation's noise.
"""

from __future__ import annotations

from typing import Any

from partnersim.results.frames import rows_frame
from partnersim.results.notebook import MOST_LINES, block, short, table, text
from partnersim.safetext import line
from partnersim.whatif.compare import DATE_KEYS, Comparison
from partnersim.whatif.paired import Change
from partnersim.whatif.text import (
    candidate_sentence,
    change_text,
    comparison_rows,
    dates_text,
    pair,
    shift_text,
    short_verdict,
)


def comparison_repr(comparison: Comparison) -> str:
    """The base and the run, then per what-if each candidate's chance of success, base → what-if, with the
    change and whether it is beyond noise."""
    base, *names = comparison.names
    count = len(comparison.variants)
    lines = [f"<Comparison of {short(base)!r} with {count} what-if{'s' if count != 1 else ''}: "
             f"{comparison.replications:,} paired replications, seed {comparison.seed}"]
    shown = 0
    for variant, name in zip(comparison.variants, names, strict=True):
        lines.append(f"  {short(name)}:")
        for change in variant.candidates:
            if shown == MOST_LINES:
                break
            lines.append(f"    {short(change.name)}: {comparison.base.success_words} "
                         f"{_change_words(change.success)}")
            shown += 1
    hidden = sum(len(v.candidates) for v in comparison.variants) - shown
    if hidden:
        lines.append(f"  … and {hidden} more")
    return "\n".join(lines) + ">"


def _change_words(change: Change) -> str:
    """``41% → 38%, −3.1 points (−4.0 to −2.2), distinguishable from noise``; ``41% in both, …``."""
    before, after = pair(change.base, change.variant)
    if change.identical:
        return f"{after} in both, no replication ending differently"
    return f"{before} → {after}, {change_text(change).replace(' (', ' points (', 1)}, {change.verdict}"


def comparison_html(comparison: Comparison) -> str:
    """Per what-if: the chances base → what-if with each change and whether it is beyond noise, and the dates."""
    base = comparison.base
    horizon = f"{base.end_date:%d %b %Y}"
    success = base.success
    base_name, *names = comparison.names
    parts = [f"<p><em>Note:</em> {text(note)}</p>" for note in comparison.notes]
    for variant, name in zip(comparison.variants, names, strict=True):
        parts.append(f"<p><strong>{text(name)}</strong> against <strong>{text(base_name)}</strong> — "
                     f"{comparison.replications:,} paired replications, seed {comparison.seed}</p>")
        header = ["Candidate", success.capitalize(), "Change", "Beyond noise?", "Rejected", "Change", "Beyond noise?"]
        lives = any(c.active is not None for c in variant.candidates)
        if lives:
            header += ["Partnership active", "Change", "Beyond noise?"]
        rows = []
        for c in variant.candidates:
            row = [c.name, *_cells(c.success), *_cells(c.rejected)]
            rows.append(row + (_cells(c.active) if c.active is not None else ["–"] * 3 if lives else []))
        parts.append(table(
            f"Chance by {horizon}, base → what-if; change in points, what-if minus base (paired 95% interval)",
            header, rows, align=["left", *["right", "right", "center"] * 3],
            note="Beyond noise? yes: the interval excludes zero, so the change is larger than the simulation's "
                 "noise; –: the same outcome in every replication",
        ))
        labels = {"P50": "Even chance (P50)", "P80": "80% chance (P80)"}
        parts.append(table(
            f"When {success} becomes likely: base → what-if",
            ["Candidate", *(part for key in DATE_KEYS for part in (labels.get(key, key), "Shift"))],
            [[c.name, *(part for key in DATE_KEYS for part in (dates_text(c.dates[key]), shift_text(c.dates[key])))]
             for c in variant.candidates],
            note=f"– not reached by {horizon}",
        ))
    return block(parts)


def _cells(change: Change) -> list[str]:
    return [" → ".join(pair(change.base, change.variant)), change_text(change), short_verdict(change)]


def comparison_summary(comparison: Comparison) -> str:
    """What each what-if does to each candidate, one sentence each, under the what-if's name when there are
    several."""
    success = comparison.base.success
    base, *names = comparison.names
    several = len(comparison.variants) > 1
    lines = []
    for variant, name in zip(comparison.variants, names, strict=True):
        if several:
            lines.append(line(f"{name} against {base}:"))
        lines += [("  " if several else "") + line(candidate_sentence(c, comparison, success))
                  for c in variant.candidates]
    return "\n".join(lines)


def comparison_frame(comparison: Comparison) -> Any:
    """One row per what-if and candidate, the columns of compare.csv: dates as datetimes, shifts in months
    as floats (NaT and NaN where a date is not reached)."""
    dates = [f"{key.lower()}_{side}" for key in DATE_KEYS for side in ("base", "variant")]
    months = [f"{key.lower()}_change_months" for key in DATE_KEYS]
    return rows_frame(comparison_rows(comparison), dates, months)
