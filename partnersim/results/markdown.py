"""A Markdown summary of a run, for pasting into notes: the findings and the main table.

Names and the question come from files anyone may write; each goes through
:func:`partnersim.safetext.markdown`, so raw HTML and Markdown in a name are
shown as written, never rendered.
"""

from __future__ import annotations

from partnersim.results.summary import Results
from partnersim.results.text import finding, interval, outcome_heading, partnership_finding
from partnersim.safetext import markdown as md


def summary_markdown(results: Results) -> str:
    scenario = results.scenario
    lines = [f"# {md(scenario.name)}", ""]
    if scenario.question:
        lines += [f"*{md(scenario.question.strip())}*", ""]
    lines += [
        f"{results.replications:,} replications, seed {results.seed}, "
        f"{scenario.start:%d %b %Y} to {results.end_date:%d %b %Y}. "
        "Intervals are 95% Wilson score intervals.",
        "",
        "## Findings",
        "",
        *[f"- {md(finding(results, candidate))}" for candidate in results.candidates],
        *[f"- {md(line)}" for c in results.candidates if (line := partnership_finding(results, c)) is not None],
        "",
        f"## Outcome by {results.end_date:%d %b %Y}",
        "",
        "| Candidate | " + " | ".join(md(outcome_heading(results, o)) for o in results.outcome_names) + " |",
        "|---|" + "---:|" * len(results.outcome_names),
    ]
    for candidate in results.candidates:
        cells = [interval(candidate.outcomes[o]) for o in results.outcome_names]
        lines.append(f"| {md(candidate.name)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"## When {md(results.success_words)} starts (date by which it has each chance)",
        "",
        "| Candidate | 10% | 50% | 80% | 90% |",
        "|---|---:|---:|---:|---:|",
    ]
    for candidate in results.candidates:
        dates = [f"{d:%b %Y}" if d else "not by horizon" for d in (candidate.dates[k] for k in ("P10", "P50", "P80", "P90"))]
        lines.append(f"| {md(candidate.name)} | " + " | ".join(dates) + " |")
    return "\n".join(lines) + "\n"
