"""Results in a notebook: a repr of a few lines, and the main tables as HTML.

Typing ``results`` in Jupyter shows :func:`results_html`; ``repr`` and
``print`` give :func:`results_repr`. Both say what the terminal tables say,
with the same words and numbers (:mod:`partnersim.results.text`). Names come
from files anyone may write: each is one line without control characters
(:func:`partnersim.safetext.line`), escaped for HTML, and the HTML is marked
so that Jupyter never reads ``$…$`` in a name as mathematics.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from partnersim.results.summary import Results
from partnersim.results.text import interval, outcome_heading
from partnersim.safetext import line
from partnersim.values.durations import month_label

if TYPE_CHECKING:
    from partnersim.results.load import SavedRun

MOST_LINES = 10  # candidates a repr lists; the rest are counted
LONGEST_NAME = 60  # characters of a name in a repr line


def short(text: object, most: int = LONGEST_NAME) -> str:
    """``text`` as one line of at most ``most`` characters, cut with "…"."""
    text = line(text)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def run_line(results: Results) -> str:
    """``2,000 replications, seed 7, 01 Dec 2026 to 31 Dec 2031``."""
    return (f"{results.replications:,} replications, seed {results.seed}, "
            f"{results.start:%d %b %Y} to {results.end_date:%d %b %Y}")


def results_repr(results: Results) -> str:
    """A few lines: the scenario and run, then each candidate's chance of success with its interval and the
    date it becomes an even chance."""
    horizon = month_label(results.end_date)
    lines = [f"<Results {short(results.scenario.name)!r}: {run_line(results)}"]
    for candidate in results.candidates[:MOST_LINES]:
        median = candidate.dates.get("P50")
        when = f"even chance by {month_label(median)}" if median else f"not an even chance by {horizon}"
        lines.append(f"  {short(candidate.name)}: {results.success_words} "
                     f"{interval(candidate.outcomes[results.success])}; {when}")
    if len(results.candidates) > MOST_LINES:
        lines.append(f"  … and {len(results.candidates) - MOST_LINES} more candidates")
    return "\n".join(lines) + ">"


def results_html(results: Results) -> str:
    """The run's heading, its question, and the tables of outcomes and dates, as the terminal prints them."""
    scenario = results.scenario
    horizon = f"{results.end_date:%d %b %Y}"
    parts = [f"<p><strong>{text(scenario.name)}</strong> — {text(run_line(results))}</p>"]
    if scenario.question:
        parts.append(f"<p><em>{text(scenario.question.strip())}</em></p>")
    parts.append(table(
        f"Outcome by {horizon} (95% interval)",
        ["Candidate", *(outcome_heading(results, name) for name in results.outcome_names)],
        [[c.name, *(interval(c.outcomes[name]) for name in results.outcome_names)] for c in results.candidates],
    ))
    keys = ("P10", "P50", "P80", "P90")
    parts.append(table(
        f"When {results.success_words} starts: the date by which it has each chance",
        ["Candidate", *(f"{key[1:]}%" for key in keys)],
        [[c.name, *(f"{c.dates[key]:%b %Y}" if c.dates.get(key) else "–" for key in keys)]
         for c in results.candidates],
        note=f"– not reached by {horizon}",
    ))
    return block(parts)


def saved_run_repr(run: SavedRun) -> str:
    """``<SavedRun 'runs/latam-…', finished 2026-12-01 12:00 UTC>``, then the results' repr."""
    return f"<SavedRun {line(run.folder)!r}{_finished(run)}>\n{results_repr(run.results)}"


def saved_run_html(run: SavedRun) -> str:
    """The folder and when the run finished, then the results' tables."""
    return block([f"<p>Run folder <code>{text(run.folder)}</code>{text(_finished(run))}</p>",
                  results_html(run.results)])


def _finished(run: SavedRun) -> str:
    finished = run.finished
    return f", finished {finished:%Y-%m-%d %H:%M} {finished.tzname() or ''}".rstrip() if finished else ""


def text(value: object) -> str:
    """A name or a sentence for HTML: one line, escaped."""
    return html.escape(line(value))


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]], note: str = "",
          align: Sequence[str] = ()) -> str:
    """A compact HTML table, each cell on one line: the first column left-aligned (names), the others as
    ``align`` says, else right-aligned (numbers)."""
    sides = ["left", *align[1:]] + ["right"] * len(header)

    def cells(tag: str, values: Sequence[object]) -> str:
        return "".join(f'<{tag} style="text-align:{sides[k]}; white-space:nowrap; padding:2px 8px">{text(v)}</{tag}>'
                       for k, v in enumerate(values))

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    caption = f'<caption style="text-align:left; white-space:nowrap">{text(title)}</caption>'
    small = f"<p><small>{text(note)}</small></p>" if note else ""
    return (f'<table style="margin-bottom:1em">{caption}<thead><tr>{cells("th", header)}</tr></thead>'
            f"<tbody>{body}</tbody></table>{small}")


def block(parts: Sequence[str]) -> str:
    """``parts`` in one element that MathJax leaves alone (Jupyter's classes for that, old and new)."""
    return '<div class="partnersim tex2jax_ignore mathjax_ignore">' + "".join(parts) + "</div>"
