"""How partnersim writes numbers and lists in words: one rule each, for every table, chart and sentence.

A share is written by :func:`percent` wherever it appears, so that a briefing
never says "100%" on one page and "99.6%" on another; a span of days is said
by :func:`duration_words`; a list of names is joined by :func:`join_words`; a
word not found gets its "did you mean" from :func:`suggest`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence

from partnersim.values.durations import DAYS_PER_MONTH, DAYS_PER_YEAR


def percent(value: float, decimals: int | None = None, *, fine_below: float = 0.01) -> str:
    """``41%``; ``0.4%`` and ``99.6%`` near the ends, where whole percents would mislead; ``<0.1%`` and
    ``>99.9%`` for what is neither never nor always; ``–`` for no value.

    ``fine_below`` moves the first bound: ``0.1`` writes ``7.5%`` where a
    table of small shares needs the tenth.
    """
    if value != value:
        return "–"
    if decimals is None:
        if 0 < value < 0.0005:
            return "<0.1%"
        if 0.9995 <= value < 1:
            return ">99.9%"
        decimals = 1 if 0 < value < fine_below or 0.99 < value < 1 else 0
    return f"{value * 100:.{decimals}f}%"


def points(value: float, decimals: int | None = None) -> str:
    """A change in a probability in percentage points: ``+0.7``, ``−12``, ``+0.03``, ``0``."""
    amount = value * 100
    if amount == 0:
        return "0"
    if decimals is None:
        decimals = 0 if abs(amount) >= 9.95 else 1 if abs(amount) >= 0.095 else 2
    return ("+" if amount > 0 else "−") + f"{abs(amount):.{decimals}f}"


def signed_percent(value: float) -> str:
    """A relative change in whole percents with its sign: ``+12%``, ``−37%``, ``0%`` (never ``-0%``)."""
    whole = round(value * 100)
    return "0%" if whole == 0 else ("+" if whole > 0 else "−") + f"{abs(whole):,}%"


def duration_words(days: float) -> str:
    """A duration as a reader says it: ``0.5 days``, ``12 days``, ``4.5 months``, ``10.3 years``."""
    if not math.isfinite(days) or days > 1e6 * DAYS_PER_YEAR:
        return "over a million years"
    if days < 10:
        amount, unit, digits = days, "day", 1
    elif days < 60:
        amount, unit, digits = days, "day", 0
    elif days < 2 * DAYS_PER_YEAR:
        amount, unit, digits = days / DAYS_PER_MONTH, "month", 1
    else:
        amount, unit, digits = days / DAYS_PER_YEAR, "year", 1
    text = f"{amount:.{digits}f}".removesuffix(".0")
    return f"{text} {unit}{'' if text == '1' else 's'}"


def capital(text: str) -> str:
    """``text`` as it starts a sentence or a title: its first letter a capital, the rest as written."""
    return text[:1].upper() + text[1:]


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: ``Allied consensus`` → ``allied consensus``, but ``IPCP approval``
    and ``NATO`` keep their capitals (a first word in capitals is an acronym)."""
    first = label.split(" ", 1)[0]
    if not label or (len(first) > 1 and first.isupper()):
        return label
    return label[:1].lower() + label[1:]


def join_words(words: Sequence[str], conjunction: str = "and") -> str:
    """``Brazil``, ``Brazil and Chile``, ``Brazil, Chile and Peru`` (or ``… or Peru``)."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def distinct_names(names: Sequence[str], labels: Sequence[str]) -> list[str]:
    """``names`` when every one is given and no two are the same, else ``labels`` (which always are)."""
    return list(names) if all(names) and len(set(names)) == len(names) else list(labels)


def suggest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'TUR'?)`` for the closest of ``choices``, in either case; empty when none is close."""
    options = [str(c) for c in choices]
    close = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    lowered = {c.lower(): c for c in options}
    if not close and (word.lower() != word or list(lowered) != options):  # else the same search again
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
        close = [lowered[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""
