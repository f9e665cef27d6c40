"""Briefings of what-if folders: a comparison, a sweep or a sensitivity analysis as a :class:`Briefing`.

The folder's JSON file (:mod:`partnersim.whatif.saved`) gives back what the
command found; the charts are drawn again from it and the sentences are the
ones the command prints (:mod:`partnersim.whatif.text`). This module briefs
a comparison and holds what every what-if briefing shares (the folder's
provenance, its charts without their title block); a sweep and a
sensitivity analysis are briefed by :mod:`partnersim.report.analyses`. A comparison's briefing
leads with what a reader must not miss: a what-if that changes several
settings at once, and one that moves candidates in opposite directions. No
candidate is said to be moved by a what-if unless the paired 95% interval of
its change excludes zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from partnersim._version import __version__
from partnersim.report.assumptions import read_inputs
from partnersim.report.content import IMAGE_DPI, Briefing, ChartSection, method, provenance
from partnersim.report.findings import Table
from partnersim.results.folder import read_manifest
from partnersim.results.load import RunResults, SavedRun, input_texts
from partnersim.scenario.labels import possessive, setting_label, setting_phrase
from partnersim.stats import leaders
from partnersim.text import join_words, percent
from partnersim.values.durations import month_label
from partnersim.whatif.text import candidate_sentence, change_text, pair

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from partnersim.results.summary import Results
    from partnersim.whatif.compare import CandidateChange, Comparison, Variant
    from partnersim.whatif.diff import Difference
    from partnersim.whatif.paired import Change

SHORT_VALUE = 24  # a value longer than this (a whole distribution) is left to the table of differences
# A comparison's folder keeps the base's values in force; each what-if's changes to them are listed apart.
COMPARISON_INPUTS_NOTE = ("Each setting of the files as written, with the source or reasoning written beside it. "
                          "The base's values in force, those not written included, are in the table 'Assumptions "
                          "in force (the base)', each marked as set or default, with its source; what each what-if "
                          "changes is in the table 'What each what-if changes'.")

# The files of a what-if are listed as written; the values they leave out are the defaults, which validate lists.
INPUTS_NOTE = ("Each setting of the files as written, with the source or reasoning written beside it. A setting "
               "a file leaves out takes partnersim's default; `partnersim validate FILE` lists every value in "
               "force, each marked as set or default, with its source.")


# ---- a comparison -------------------------------------------------------------------------


def compare_briefing(folder: Path, comparison: Comparison, size: str = "slide") -> Briefing:
    from partnersim.charts.compare import changes_chart, compare_chart

    record = folder_record(folder, comparison.base)
    base, *names = comparison.names
    what, by = comparison.base.success_words, day_text(comparison.base.end_date)
    charts = [section(
        "changes", changes_chart(comparison, size=size), _changes_headline(comparison),
        f"Each dot is one what-if's change in the chance of {what} by {by}, what-if minus base, in "
        "percentage points; the line through it is its paired 95% interval. A hollow dot's interval includes "
        "zero: that change is within the simulation's noise.")]
    if len(comparison.variants) == 1:
        # Its names at the ends of the lines need the slide's width.
        curves = compare_chart(comparison)
        charts.append(section(
            "compare", curves, chart_title(curves),
            f"The share of {comparison.replications:,} simulated futures in which {what} has begun by each date: "
            "a solid line for the base and a dashed one for the what-if, in the candidate's colour; a dot marks "
            "the date of an even chance."))
    findings, leads = _compare_findings(comparison)
    questions = [" ".join(v.results.scenario.question.split()) for v in comparison.variants]
    notes = list(comparison.notes) + [
        f"{code} is only in {name}, so it has no change to report."
        for variant, name in zip(comparison.variants, names, strict=True) for code in variant.only_here]
    return Briefing(
        title=names[0] if len(names) == 1 else f"{len(names)} what-ifs against {base}",
        question=" ".join(dict.fromkeys(q for q in questions if q)),  # what-ifs of one base share its question
        description=" ".join(comparison.base.scenario.description.split()),
        date_line=date_line("Comparison", record, f"{comparison.replications:,} paired simulated futures"),
        findings=findings,
        finding_leads=leads,
        charts=charts,
        tables=[changes_table(comparison), differences_table(comparison), _base_in_force(folder)],
        inputs=read_inputs(record.inputs, comparison.base.scenario),
        inputs_note=COMPARISON_INPUTS_NOTE,
        method=_compare_method(comparison) + " " + method(comparison.base),
        provenance=folder_provenance(record, [("Compared", "; ".join(
            f"{label}: {name}" for label, name in zip(
                [comparison.base_label, *(v.label for v in comparison.variants)], comparison.names, strict=True)
        ) + f" (the first is the base; each scenario run {comparison.replications:,} times on seed "
            f"{comparison.seed})")]),
        notes=notes,
        bottom_line=compare_bottom_line(comparison),
    )


def _changes_headline(comparison: Comparison) -> str:
    """The largest change beyond noise, with its interval, and how many of the changes are beyond it."""
    what, by = comparison.base.success_words, month_label(comparison.base.end_date)
    changes = [(c, name) for v, name in zip(comparison.variants, comparison.names[1:], strict=True)
               for c in v.candidates]
    real = [(c, name) for c, name in changes if c.success.distinguishable]
    if not real:
        return f"No what-if moves a candidate's chance of {what} by {by} beyond the simulation's noise"
    first, *alike = leaders(real, lambda item: (item[0].success.diff, item[0].success.low, item[0].success.high))
    top, name = first
    if alike:  # changes that cannot be told apart from the largest are named with it
        named = join_words([f"{possessive(c.name)} with “{n}”, {with_interval(c.success)}" for c, n in [first, *alike]])
        return f"The largest changes in the chance of {what} by {by}, within noise of each other: {named}"
    return (f"The largest change is {possessive(top.name)} chance of {what} by {by} with “{name}”: "
            f"{with_interval(top.success)}")


def compare_bottom_line(comparison: Comparison) -> str:
    """What each what-if does, one sentence each (the four that move most), after any warning in short."""
    what, by = comparison.base.success_words, month_label(comparison.base.end_date)
    flagged = [f"“{name}” {' and '.join(reasons)}" for name, reasons in _flags(comparison)]
    sentences = [f"Read with care: {join_words(flagged)} (see the findings)."] if flagged else []
    said = []
    for variant, name in zip(comparison.variants, comparison.names[1:], strict=True):
        real = [c for c in variant.candidates if c.success.distinguishable]
        if not real:
            continue
        top, *alike = leaders(real, lambda c: (c.success.diff, c.success.low, c.success.high))
        most = join_words([c.name.split(' (')[0] for c in (top, *alike)])
        signs = {c.success.diff > 0 for c in real}
        verb = "moves" if len(signs) > 1 else "raises" if True in signs else "lowers"
        whom = f"{len(real)} of {len(variant.candidates)} candidates" if len(variant.candidates) > 1 else "the candidate"
        said.append((abs(top.success.diff), f"“{name}” {verb} the chance of {what} by {by} beyond noise for "
                     f"{whom}, most for {most}" + (" (within noise of each other)" if alike else "")
                     + f": {with_interval(top.success)}" + (" for the first" if alike else "") + "."))
    said.sort(key=lambda item: -item[0])
    sentences += [text for _, text in said[:4 - len(sentences)]]
    quiet = len(comparison.variants) - len(said)
    if quiet and len(sentences) < 4:
        sentences.append(("No what-if" if not said else "The other what-ifs" if quiet > 1 else "The other what-if")
                         + f" {'moves' if quiet == 1 or not said else 'move'} no candidate's chance beyond noise.")
    return " ".join(sentences)


def _flags(comparison: Comparison) -> list[tuple[str, list[str]]]:
    """Each what-if that :func:`warnings` warns of, with its reasons in a few words."""
    found = []
    for variant, name in zip(comparison.variants, comparison.names[1:], strict=True):
        settings, up, down = _checks(variant)
        reasons = ([f"changes {len(settings)} settings at once"] if len(settings) > 1 else []) + (
            ["moves candidates in opposite directions"] if up and down else [])
        if reasons:
            found.append((name, reasons))
    return found


def _checks(variant: Variant) -> tuple[list[Difference], list[CandidateChange], list[CandidateChange]]:
    """The settings ``variant`` changes, and the candidates whose chance it raises and lowers beyond noise."""
    settings = [d for d in variant.differences if not d.path.startswith("candidates.") or d.path.count(".") > 1]
    up = [c for c in variant.candidates if c.success.distinguishable and c.success.diff > 0]
    down = [c for c in variant.candidates if c.success.distinguishable and c.success.diff < 0]
    return settings, up, down


def warnings(comparison: Comparison) -> list[str]:
    """What a reader must know before reading a what-if's numbers: that it changes several settings at once,
    or that it moves candidates, beyond noise, in opposite directions."""
    found = []
    what, by = comparison.base.success_words, month_label(comparison.base.end_date)
    scenario = comparison.base.scenario
    for variant, name in zip(comparison.variants, comparison.names[1:], strict=True):
        settings, up, down = _checks(variant)
        if len(settings) > 1:
            changes = [setting_phrase(scenario, d.path) + _values(d.before, d.after) for d in settings]
            found.append(f"“{name}” changes {len(settings)} settings at once, not one: {join_words(changes)}. "
                         "Its results are their combined effect; none of them alone can be credited with it.")
        if up and down:
            why = ("; the settings it changes may pull in opposite directions" if len(settings) > 1
                   else "; see what it changes below")
            found.append(f"“{name}” moves candidates in opposite directions: it raises the chance of {what} by "
                         f"{by} for {_named(up)} and lowers it for {_named(down)}{why}.")
    return found


def with_interval(change: Change) -> str:
    """``+9.8 points (95% interval +8.5 to +11.2)``, as ``partnersim compare`` words a change."""
    return change_text(change).replace(" (", " points (95% interval ", 1)


def _values(before: str, after: str) -> str:
    before, after = before.split(" (from ")[0], after.split(" (at ")[0]
    return f" ({before} → {after})" if len(before) <= SHORT_VALUE and len(after) <= SHORT_VALUE else ""


def _named(changes: list[CandidateChange]) -> str:
    return join_words([f"{c.name.split(' (')[0]} by {with_interval(c.success)}" for c in changes])


def _compare_findings(comparison: Comparison) -> tuple[list[str], list[str]]:
    """The warnings, then each what-if's effect on each candidate in the words ``partnersim compare`` prints;
    the candidates a what-if leaves exactly as they were in one line."""
    findings, leads = [], []
    for warning in warnings(comparison):
        findings.append(f"Read with care: {warning}")
        leads.append("Read with care:")
    success = comparison.base.success
    for variant, name in zip(comparison.variants, comparison.names[1:], strict=True):
        same = []
        for change in variant.candidates:
            if _unchanged(change):
                same.append(change.name)
                continue
            findings.append(f"{name} — {candidate_sentence(change, comparison, success)}")
            leads.append(f"{name} — {change.name}:")
        if same:
            lead = f"{name} — {join_words(same)}:"
            findings.append(f"{lead} no replication ends differently, and the dates of an even chance and of an "
                            "80% chance are the same.")
            leads.append(lead)
    return findings, leads


def _unchanged(change: CandidateChange) -> bool:
    paired = [change.success, change.rejected] + ([change.active] if change.active is not None else [])
    return all(c.identical for c in paired) and all(d.base == d.variant for d in change.dates.values())


def changes_table(comparison: Comparison) -> Table:
    """What-if × candidate: the base's chance, then each what-if's, with its change and paired interval."""
    base = comparison.base
    header = ["Candidate", "Base", *comparison.names[1:]]
    rows = []
    for candidate in base.candidates:
        row = [candidate.name, percent(candidate.outcomes[base.success].p)]
        for variant in comparison.variants:
            change = next((c for c in variant.candidates if c.code == candidate.code), None)
            row.append("not in this what-if" if change is None else _cell(change))
        rows.append(row)
    return Table(
        title=f"Chance of {base.success_words} by {day_text(base.end_date)}: the base, and each what-if with its "
              "change in percentage points (paired 95% interval)",
        header=header, rows=rows,
        note="within noise: the interval includes zero; identical: no replication ends differently. A change "
             "marked neither is beyond the simulation's noise: its interval excludes zero.")


def _cell(change: CandidateChange) -> str:
    c = change.success
    text = f"{pair(c.base, c.variant)[1]}; {change_text(c)}"
    return text if c.identical or c.distinguishable else f"{text}, within noise"


def differences_table(comparison: Comparison) -> Table:
    """Every setting each what-if changes, as the files resolve it (``differences.txt``)."""
    scenario = comparison.base.scenario
    rows = []
    for variant, name in zip(comparison.variants, comparison.names[1:], strict=True):
        if not variant.differences:
            rows.append([name, "nothing", "the two scenarios are the same"])
        for d in variant.differences:
            label = setting_label(scenario, d.path)
            where = label if label == d.path else f"{label} ({d.path})"
            rows.append([name, where, f"{d.before} → {d.after}" + (f" ({d.note})" if d.note else "")])
    return Table(title="What each what-if changes: the settings that differ from the base, every default filled in",
                 header=["What-if", "Setting", "Base → what-if"], rows=rows)


def _compare_method(comparison: Comparison) -> str:
    return (
        f"Each scenario is played out {comparison.replications:,} times on the same seed ({comparison.seed}), so "
        "the same simulated future of the base and of a what-if draws the same random numbers wherever the two "
        "scenarios agree. A change in a chance is the mean of the differences, future by future, what-if minus "
        "base; its 95% interval is Newcombe's interval for paired proportions, to which only the futures that "
        "end differently contribute. A change is beyond noise when that interval excludes zero. Like every "
        "interval here, it measures the simulation's own sampling error, not error in the assumptions."
    )


# ---- shared -------------------------------------------------------------------------------


def folder_record(folder: Path, results: Results) -> SavedRun:
    """The folder as a briefing's provenance reads it: its manifest and its input files, with the results
    of its base run (read back from the folder, so with the time it finished)."""
    assert isinstance(results, RunResults)
    manifest = read_manifest(folder) or {}
    return SavedRun(folder=folder, results=results, manifest=manifest, inputs=input_texts(folder, manifest))


def section(name: str, figure: Figure, headline: str, caption: str) -> ChartSection:
    """A chart drawn without the finding in its own title block: the briefing sets ``headline`` above it."""
    from partnersim.charts.style import png_bytes, untitled

    return ChartSection(name, headline, caption, png_bytes(untitled(figure), IMAGE_DPI), chart_title(figure))


def chart_title(figure: Figure) -> str:
    """The finding in the title block of ``figure`` (matplotlib is imported only once a chart is drawn)."""
    from partnersim.charts.style import chart_title as title

    return title(figure)


def date_line(what: str, record: SavedRun, size: str) -> str:
    results = record.results
    when = record.finished.date() if record.finished else dt.date.today()
    return (f"{what} of {when.day} {when:%B %Y}  ·  {size}, {month_label(results.start)} to "
            f"{month_label(results.end_date)}  ·  seed {results.seed}  ·  "
            f"partnersim {record.manifest.get('partnersim', __version__)}")


def folder_provenance(record: SavedRun, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A run's provenance, said of the folder: what was compared, swept or swung comes after the scenario."""
    rename: dict[str, Callable[[str], tuple[str, str]]] = {
        "Simulated futures (N)": lambda value: ("Simulated futures (N)", f"{value} per run"),
        "Scenario": lambda value: ("Scenario (the base)", value),
        "Scenario SHA-256": lambda value: ("Scenario SHA-256 (the base)", value),
        "Intervals": lambda value: ("Intervals", f"{value}; for a change from the base, Newcombe's interval for "
                                                 "paired proportions"),
        "Run folder": lambda value: ("Folder", value),
    }
    items = []
    for key, value in provenance(record):
        items.append(rename[key](value) if key in rename else (key, value))
        if key == "Scenario":
            items += extra
    return items


def day_text(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


__all__ = ["changes_table", "compare_briefing", "differences_table", "warnings"]


def _base_in_force(folder: Path) -> Table:
    """The base's values in force, as its run would list them, from the comparison's assumptions.csv."""
    from dataclasses import replace

    from partnersim.report.inforce import in_force_table

    found = in_force_table(folder)
    return replace(found, title=f"{found.title} (the base)")
