"""Briefings of a sweep and of a sensitivity analysis, from their folders.

A sweep's briefing gives its chart and its table (each point's chance with its
95% interval) and, per candidate, the lowest and highest chance across the
points, said to be apart only when Newcombe's unpaired interval of their
difference excludes zero (the folder keeps no pairs; the unpaired interval is
the wider). A sensitivity analysis's briefing gives the tornadoes the command
drew, each candidate's table of swings with their paired intervals, and the
drivers in the words the command prints
(:func:`partnersim.whatif.sensitivity.drivers`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partnersim.charts.labels import outcome_label
from partnersim.report.assumptions import read_inputs
from partnersim.report.content import Briefing, method
from partnersim.report.findings import Table
from partnersim.report.whatif import (
    INPUTS_NOTE,
    chart_title,
    compare_briefing,
    date_line,
    day_text,
    folder_provenance,
    folder_record,
    section,
)
from partnersim.results.text import interval
from partnersim.scenario.labels import possessive, setting_label, setting_phrase
from partnersim.stats import newcombe_independent
from partnersim.text import duration_words, join_words, percent
from partnersim.values.durations import month_label
from partnersim.whatif import saved
from partnersim.whatif.text import change_text

if TYPE_CHECKING:
    from partnersim.results.summary import Estimate
    from partnersim.whatif.indices import GlobalSensitivity
    from partnersim.whatif.saved import SavedSensitivity, SavedSweep

MOST_ROWS = 60  # rows of a sweep's table in a briefing; the folder's sweep.csv holds every point


def build_whatif(folder: Path, kind: str, size: str = "slide") -> Briefing:
    """The briefing of the ``compare``, ``sweep``, ``sensitivity`` or ``indices`` folder ``folder``, its charts
    drawn at
    ``size`` (as :func:`partnersim.report.content.build` draws a run's)."""
    if kind == "compare":
        return compare_briefing(folder, saved.read_comparison(folder), size)
    if kind == "sweep":
        return sweep_briefing(folder, saved.read_sweep(folder), size)
    if kind == "indices":
        return indices_briefing(folder, saved.read_indices(folder), size)
    if kind == "scoreboard":
        from partnersim.history.board import read_scoreboard
        from partnersim.report.record import scoreboard_briefing

        return scoreboard_briefing(folder, read_scoreboard(folder), size)
    return sensitivity_briefing(folder, saved.read_sensitivity(folder))


# ---- a sweep ------------------------------------------------------------------------------


def sweep_briefing(folder: Path, found: SavedSweep, size: str = "slide") -> Briefing:
    from partnersim.charts.sweep import sweep_chart

    sweep = found.sweep
    first = sweep.points[0].results
    record = folder_record(folder, first)
    outcome = found.outcome or first.success
    what = outcome_label(first, outcome).lower()
    phrases = [setting_phrase(sweep.scenario, p.path) for p in sweep.params]
    by = day_text(first.end_date)
    findings = [_sweep_finding(found, c.code, outcome) for c in first.candidates]
    headline = _sweep_headline(found, outcome, phrases)
    chart = section(
        "sweep", sweep_chart(sweep, outcome=outcome, candidate=found.candidate, size=size), headline,
        f"The chance of {what} by {by} at each of the {len(sweep.points)} points of the sweep, each point "
        f"{first.replications:,} simulated futures on the same seed; a band or a bar is the 95% interval.")
    return Briefing(
        title=f"Sweep of {join_words(phrases)}: {sweep.scenario.name}",
        question=" ".join(sweep.scenario.question.split()),
        description=" ".join(sweep.scenario.description.split()),
        date_line=date_line("Sweep", record, f"{len(sweep.points)} points × {first.replications:,} simulated futures"),
        findings=findings,
        finding_leads=[f"{c.name}:" for c in first.candidates],
        reading="Percentages in brackets are 95% intervals.",
        charts=[chart],
        tables=[sweep_table(found, outcome)],
        inputs=read_inputs(record.inputs, sweep.scenario),
        inputs_note=INPUTS_NOTE,
        method=(f"The scenario is played out {first.replications:,} times at each point of the sweep ("
                f"{'every combination of the values' if sweep.design == 'grid' else 'a Latin hypercube sample'}), "
                f"every point on seed {first.seed}, so the points share their random numbers. "
                + method(first)),
        provenance=folder_provenance(record, [("Swept", "; ".join(
            f"{setting_label(sweep.scenario, p.path)} ({p.path}): {p.shown(p.low)} to {p.shown(p.high)}"
            + (" (the median of its distribution, its spread as in the scenario)" if p.median else "")
            for p in sweep.params))]),
        bottom_line=headline + ".",
    )


def _sweep_headline(found: SavedSweep, outcome: str, phrases: list[str]) -> str:
    """How many candidates' chances the sweep moves beyond noise, and the widest range among them."""
    first = found.sweep.points[0].results
    what = f"{outcome_label(first, outcome).lower()} by {month_label(first.end_date)}"
    ranges = [_extremes(found, c.code, outcome) for c in first.candidates]
    real = [(c, low, high) for c, (low, high, beyond) in zip(first.candidates, ranges, strict=True) if beyond]
    across = f"across the sweep of {join_words(phrases)}"
    if not real:
        return f"The chance of {what} stays within the simulation's noise for every candidate {across}"
    c, low, high = max(real, key=lambda item: item[2].p - item[1].p)
    whom = "the candidate" if len(first.candidates) == 1 else f"{len(real)} of {len(first.candidates)} candidates"
    return (f"The chance of {what} changes beyond noise for {whom} {across}; most for {c.name.split(' (')[0]}, "
            f"from {interval(low)} to {interval(high)}")


def _chances(found: SavedSweep, code: str, outcome: str) -> list[tuple[Estimate, tuple[float, ...]]]:
    sweep = found.sweep
    index = [c.code for c in sweep.points[0].results.candidates].index(code)
    return [(point.results.candidates[index].outcomes[outcome], values)
            for point, values in zip(sweep.points, sweep.values, strict=True)]


def _extremes(found: SavedSweep, code: str, outcome: str) -> tuple[Estimate, Estimate, bool]:
    """The lowest and the highest chance across the points, and whether they are told apart from noise.

    The points share their random numbers, but a folder keeps no pairs: the interval of the difference is
    Newcombe's for independent samples, wider than the paired one, so a difference it tells apart is real.
    """
    chances = [estimate for estimate, _ in _chances(found, code, outcome)]
    low, high = min(chances, key=lambda e: e.p), max(chances, key=lambda e: e.p)
    bottom, _ = newcombe_independent(high.count, high.n, low.count, low.n)
    return low, high, low.count != high.count and bottom > 0


def _sweep_finding(found: SavedSweep, code: str, outcome: str) -> str:
    """The lowest and the highest chance across the points, where they are, and whether that is beyond noise."""
    sweep = found.sweep
    results = sweep.points[0].results
    chances = _chances(found, code, outcome)
    low, at_low = min(chances, key=lambda item: item[0].p)
    high, at_high = max(chances, key=lambda item: item[0].p)
    name = results.candidate(code).name
    what = f"chance of {outcome_label(results, outcome).lower()} by {month_label(results.end_date)}"
    if low.count == high.count:
        return f"{name}: {what} {interval(low)} at every point."
    if not _extremes(found, code, outcome)[2]:
        return (f"{name}: {what} between {interval(low)} and {interval(high)} across the points; the difference "
                "is within the simulation's noise.")
    return (f"{name}: {what} from {interval(low)} with {_point(sweep, at_low)} to {interval(high)} with "
            f"{_point(sweep, at_high)}.")


def _point(sweep: Any, values: tuple[float, ...]) -> str:
    """``Türkiye's chance of a hold at 0.5``: where in the sweep a value was found."""
    return join_words([f"{setting_phrase(sweep.scenario, p.path)} at {_at(p, x)}"
                       for p, x in zip(sweep.params, values, strict=True)])


def _at(param: Any, x: float) -> str:
    """A value where a sentence says a setting is "at" it: ``0.25``, ``a median of 1y``."""
    return f"a median of {duration_words(x)}" if param.median else param.shown(x)


def sweep_table(found: SavedSweep, outcome: str) -> Table:
    sweep = found.sweep
    first = sweep.points[0].results
    rows = [[*(p.shown(x) for p, x in zip(sweep.params, values, strict=True)),
             *(interval(c.outcomes[outcome]) for c in point.results.candidates)]
            for values, point in zip(sweep.values[:MOST_ROWS], sweep.points[:MOST_ROWS], strict=True)]
    note = (f"The first {MOST_ROWS} of {len(sweep.points)} points; sweep.csv in the folder holds every one."
            if len(sweep.points) > MOST_ROWS else "")
    return Table(
        title=f"Chance of {outcome_label(first, outcome).lower()} by {day_text(first.end_date)} at each point "
              "(95% interval)",
        header=[*(setting_label(sweep.scenario, p.path) for p in sweep.params), *(c.name for c in first.candidates)],
        rows=rows, note=note)


# ---- a sensitivity analysis ---------------------------------------------------------------


def sensitivity_briefing(folder: Path, sens: SavedSensitivity) -> Briefing:
    from partnersim.charts.tornado import tornado_chart
    from partnersim.whatif.sensitivity import drivers

    results = sens.results
    record = folder_record(folder, results)
    what, by = results.success_words, day_text(results.end_date)
    charts, tables = [], []
    for code in sens.codes:
        name = results.candidate(code).name
        # A tornado names its settings down the side: it is drawn at the slide's width, which they need.
        chance = tornado_chart(sens, code, measure="cooperation", top=sens.top)
        charts.append(section(
            f"tornado_cooperation_{code}", chance, chart_title(chance),
            f"What moves {possessive(name)} chance of {what} by {by}: one row per setting, the largest effect on top: the chance of {what} by {by} with the setting at "
            "its low value (blue) and at its high value (orange), the rest as in the scenario; a pale bar: that "
            "swing's change is within the simulation's noise."))
        date = tornado_chart(sens, code, measure="p50", top=sens.top)
        charts.append(section(
            f"tornado_p50_{code}", date, chart_title(date),
            f"What moves the date by which {what} is an even chance for {name.split(' (')[0]}: one row per setting: the date of an even chance (P50) with the setting at its low and its high "
            "value; an arrow at the horizon: not reached by then."))
        tables.append(swings_table(sens, code))
    leads = [possessive(results.candidate(code).name) for code in sens.codes]
    return Briefing(
        title=f"What moves the results: {results.scenario.name}",
        question=" ".join(results.scenario.question.split()),
        description=" ".join(results.scenario.description.split()),
        date_line=date_line("Sensitivity analysis", record,
                             f"{len(sens.factors)} settings, {sens.points} runs × {results.replications:,} "
                             "simulated futures"),
        findings=[drivers(sens, code) for code in sens.codes],
        finding_leads=leads,
        reading="Percentages in brackets are the chance with the setting at the two ends of its range, the rest as "
                "in the scenario; the tables give each change with its paired 95% interval.",
        charts=charts,
        tables=tables,
        inputs=read_inputs(record.inputs, results.scenario),
        inputs_note=INPUTS_NOTE,
        method=(f"Each setting is swung to a low and a high value, one at a time, the rest as in the scenario: "
                "a probability p to p/2 and to min(2p, (1+p)/2), a duration halved and doubled, a number of "
                "teams or rounds halved (at least 1) and doubled, a withdrawal rate halved and doubled, unless "
                f"the analysis gave its own range. Every run is played out {results.replications:,} times on "
                f"seed {results.seed}, so each swing is paired with the scenario future by future, and its change "
                "carries Newcombe's paired 95% interval. " + method(results)),
        provenance=folder_provenance(record, [("Settings swung", f"{len(sens.factors)}, in {sens.points} runs")]),
        bottom_line=drivers(sens, sens.codes[0]) if sens.codes else "",
    )


def swings_table(sens: SavedSensitivity, code: str) -> Table:
    results = sens.results
    candidate = results.candidate(code)
    rows = []
    for effect in sens.effects(code, "cooperation")[:sens.top]:
        cells = []
        for side in ("low", "high"):
            value = effect.low if side == "low" else effect.high
            change = effect.changes.get(side)
            if value is None or change is None:
                cells += ["not swung", "–"]
                continue
            verdict = "" if change.identical or change.distinguishable else ", within noise"
            cells += [percent(value), change_text(change) + verdict]
        rows.append([effect.factor.label, effect.factor.range_text, *cells])
    return Table(
        title=f"{candidate.name}: chance of {results.success_words} by {day_text(results.end_date)} "
              f"({percent(candidate.outcomes[results.success].p)} as the scenario stands), each setting at its "
              "low and high value",
        header=["Setting", "Range", "At low", "Change, points (95% interval)", "At high",
                "Change, points (95% interval)"],
        rows=rows,
        note="within noise: the paired interval of the change includes zero; identical: no replication ends "
             "differently.")


# ---- a global sensitivity analysis ----------------------------------------------------------


def indices_briefing(folder: Path, found: GlobalSensitivity, size: str = "slide") -> Briefing:
    """What explains each candidate's chance across the ranges of every setting at once."""
    from partnersim import __version__
    from partnersim.charts.indices import finding, indices_chart, provenance
    from partnersim.results.folder import read_manifest
    from partnersim.results.load import input_texts

    manifest = read_manifest(folder) or {}
    codes, top = found.charted or found.codes, found.top
    charts, tables, findings, leads = [], [], [], []
    for code in codes:
        for measure in found.measures:
            chart = indices_chart(found, code, measure.key, top=top, size=size)
            charts.append(section(f"indices_{measure.key}_{code}", chart, chart_title(chart), _indices_caption(found)))
            # The finding's subject ("Argentina's chance of cooperation by Dec 2031:") is its lead, set in bold.
            text = finding(found, code, measure.key)
            subject, colon, _ = text.partition(": ")
            leads.append(subject + ":" if colon else "")
            findings.append(text + ".")
        tables.append(indices_table(found, code, top))
    finished = manifest.get("finished")
    when = dt.datetime.fromisoformat(finished).date() if isinstance(finished, str) else dt.date.today()
    scenario = found.scenario
    label = "Sobol' indices" if found.method == "sobol" else "Morris elementary effects"
    settings = f"{len(found.groups)} {'groups of settings' if found.grouped else 'settings'}"
    return Briefing(
        title=f"What explains the results: {scenario.name}",
        question=" ".join(scenario.question.split()),
        description=" ".join(scenario.description.split()),
        date_line=(f"Global sensitivity analysis of {when.day} {when:%B %Y}  ·  {label}, {settings}, "
                   f"{found.points:,} points × {found.replications:,} simulated futures  ·  seed {scenario.seed}  ·  "
                   f"partnersim {manifest.get('partnersim', __version__)}"),
        findings=findings,
        finding_leads=leads,
        reading="Settings are named together where the simulation's noise cannot rank them; the tables give each "
                "index with its 95% bootstrap interval.",
        charts=charts,
        tables=tables,
        inputs=read_inputs(input_texts(folder, manifest), scenario),
        inputs_note=INPUTS_NOTE,
        method=_indices_method(found),
        provenance=[("Analysis", f"{label} (SALib), {settings} drawn at once"),
                    ("Points", f"{found.points:,}, each {found.replications:,} simulated futures"),
                    ("Provenance", provenance(found)), ("Folder", str(folder))],
        bottom_line=findings[0] if findings else "",
    )


def _indices_caption(found: GlobalSensitivity) -> str:
    if found.method == "sobol":
        return ("One row per setting, the largest total index on top: the light bar is the share of the chance's "
                "variance across the design that the setting explains with every interaction it takes part in, "
                "the dark bar the share it explains alone; lines: 95% intervals; pale rows: the interval of the "
                "total reaches zero. The first order cannot exceed the total: a dark bar longer than its light one "
                "is the simulation's noise, and its interval says how much.")
    return ("One row per setting, the largest effect on top: the bar is μ*, the mean change in the chance (in "
            "points) when the setting moves across its range, with its 95% interval; the dot is σ, how much that "
            "change varies with the other settings (interactions, or an effect that is not straight).")


def _indices_method(found: GlobalSensitivity) -> str:
    ranges = ("Every setting is drawn over the range the one-at-a-time analysis swings it over, all at once: a "
              "probability or a rate uniformly between its low and high values, a duration distribution scaled by "
              "a factor between a half and two (as often above one as below), a number of teams or rounds over the "
              "whole numbers between its ends, a range the analysis gave uniformly between its ends. ")
    runs = (f"Each point of the design is played out {found.replications:,} times; the points of one base sample "
            "share their simulated futures, so that their differences are the settings' doing, and each base "
            "sample has futures of its own. ")
    if found.method == "sobol":
        how = (f"Sobol' indices are estimated from Saltelli's design of {found.samples:,} base samples "
               f"({found.points:,} points) with SALib's estimators, each product of two results taking one from "
               "each half of a point's futures, so that the simulation's noise does not count as an effect: the "
               "first-order index is the share of the variance of the chance that the setting explains alone, the "
               "total index adds every interaction it takes part in. Intervals are 95%, from 1,000 resamples of "
               "the base samples, and carry the simulation's noise. ")
    else:
        how = (f"Morris's elementary effects are computed on {found.samples:,} trajectories ({found.points:,} "
               "points) by SALib: μ* is the mean absolute change in the chance when one setting moves and the "
               "others stay, σ the spread of those changes; a screening method, cheaper than Sobol' indices; "
               "the simulation's noise adds to both, so a setting counts as an effect only where the changes it "
               "makes on two independent halves of the futures agree beyond chance (the mean of their product "
               "is above zero at 95%). ")
    beyond = "its index's interval excludes zero" if found.method == "sobol" else "its effect is beyond noise"
    return ranges + runs + how + (f"A setting is named in a finding only where {beyond}, and settings whose "
                                  "intervals overlap the largest are named together.")


def indices_table(found: GlobalSensitivity, code: str, top: int) -> Table:
    from partnersim.charts.indices import what
    from partnersim.whatif.indices import NOISE_NOTES

    rows = []
    for measure in found.measures[:1]:
        indices = found.indices[(code, measure.key)]
        for i in indices.order()[:top]:
            mark = indices.mark(i)
            if found.method == "sobol":
                assert indices.first is not None and indices.first_half is not None
                assert indices.total is not None and indices.total_half is not None
                rows.append([indices.names[i], _between(indices.first[i], indices.first_half[i], 2),
                             _between(indices.total[i], indices.total_half[i], 2) + mark])
            else:
                assert indices.mu_star is not None and indices.mu_star_half is not None
                assert indices.sigma is not None
                rows.append([indices.names[i], _between(indices.mu_star[i], indices.mu_star_half[i], 1) + mark,
                             "–" if indices.sigma[i] != indices.sigma[i] else f"{indices.sigma[i]:.1f}"])
    header = ["Setting", "Alone (first order, 95% interval)", "With interactions (total, 95% interval)"] \
        if found.method == "sobol" else ["Setting", "μ*, points (95% interval)", "σ, points"]
    return Table(title=f"{what(found, code, 'cooperation')}: what explains it", header=header, rows=rows,
                 note=NOISE_NOTES[found.method])


def _between(value: float, half: float, digits: int) -> str:
    """An index and its interval, neither below zero: an index is a share, and an estimate below zero is the
    sampling error of one near zero (indices.csv keeps the estimates as they are)."""
    return f"{max(value, 0.0):.{digits}f} ({max(value - half, 0.0):.{digits}f}–{max(value + half, 0.0):.{digits}f})"
