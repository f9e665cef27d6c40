"""What a briefing holds, whatever its format: the :class:`Briefing` built from a run folder.

The PDF, HTML and PowerPoint writers lay out the same content, so the three
never disagree: the bottom line, title and question, findings with their
intervals, every chart with its headline and a one-sentence caption, summary
tables, the assumptions with their sources, and the method and provenance of
the run. Charts are drawn at the size their format shows them (a slide, or
across an A4 page), without the finding in their own title block: the
briefing sets it above the chart, with every interval, so it is said once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from partnersim._version import __version__
from partnersim.charts import CHARTS, selection
from partnersim.charts.labels import template_of
from partnersim.charts.readable import readable, readable_rows
from partnersim.report.assumptions import InputFile, read_inputs
from partnersim.report.findings import (
    Table,
    candidate_finding,
    headline,
    judgement_table,
    ranking,
    share,
    summary_tables,
)
from partnersim.report.inforce import in_force_table
from partnersim.results.summary import Estimate
from partnersim.results.text import interval, standing
from partnersim.text import join_words, percent
from partnersim.values.durations import month_label

if TYPE_CHECKING:
    from partnersim.results.load import SavedRun
    from partnersim.results.rows import Rows
    from partnersim.results.summary import CandidateResult, Results

IMAGE_DPI = 160  # 1600 × 900 pixels for a slide chart, 1323 across for a page: sharp on a projector and in print


@dataclass(frozen=True)
class ChartSection:
    name: str
    headline: str  # the finding the chart supports, with its intervals: the chart's heading
    caption: str  # one sentence: what the chart shows
    png: bytes  # drawn without the finding in its title block (charts.style.untitled)
    title: str = ""  # the finding the chart's own title would state (its image's alternative text)

    @property
    def heading(self) -> str:
        return self.headline


@dataclass(frozen=True)
class Briefing:
    title: str
    question: str
    description: str
    date_line: str
    findings: list[str]
    finding_leads: list[str]  # the start of each finding, set in bold: the candidate's name
    charts: list[ChartSection]
    tables: list[Table]
    inputs: list[InputFile]
    method: str
    provenance: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)  # what the briefing could not include, and why
    bottom_line: str = ""  # two to four sentences that come first: the answer, with its intervals
    marking: str = ""  # a protective marking or "HYPOTHETICAL", on every page and slide; none by default
    # How to read the assumptions as written: what the files state, and where the values they leave out are.
    # How a finding's numbers read, printed under the findings; and the heading of the description.
    reading: str = "Percentages in brackets are 95% intervals. Dates are the months by which that chance is reached."
    description_heading: str = "What the scenario says about itself"
    inputs_note: str = ("Each setting of the scenario as its file states it, with the source or reasoning written "
                        "beside it. The values of every setting in force, those not written here included, are in "
                        "the table 'Assumptions in force', each marked as set by the scenario or a default, with "
                        "its source.")

    @property
    def result_charts(self) -> list[ChartSection]:
        """The charts of the results, in order; the process diagram goes with the method."""
        return [c for c in self.charts if c.name != "process"]

    @property
    def process(self) -> ChartSection | None:
        return next((c for c in self.charts if c.name == "process"), None)


def build(run: SavedRun, rows: Rows | None, size: str = "slide", marking: str = "") -> Briefing:
    """Everything a briefing says about the run in ``run``; ``rows`` from its replications.csv, if any.

    Charts are drawn at ``size`` (:data:`partnersim.charts.style.SIZES`): "slide" for slides,
    "page" for a document printed on A4. Names are taken as
    :func:`partnersim.charts.readable.readable` gives them: one line each, no longer than a
    scenario allows (a run folder may have been edited since the run).
    """
    results = readable(run.results)
    rows = readable_rows(rows) if rows is not None else None
    charts = [_section(chart.name, results, rows, size)
              for chart in selection(has_rows=rows is not None, has_partnership=results.has_partnership)]
    notes = []
    if rows is None:
        notes.append("The run wrote no replications.csv (it was run with --no-rows), so the timeline of one "
                     "simulated future is left out and ally counts come from each candidate's five most "
                     "frequent allies.")
    scenario = results.scenario
    inputs = read_inputs(run.inputs, scenario)
    return Briefing(
        title=scenario.name or "partnersim briefing",
        question=" ".join(scenario.question.split()),
        description=" ".join(scenario.description.split()),
        date_line=_date_line(run),
        findings=[candidate_finding(results, c) for c in results.candidates],
        finding_leads=[f"{c.name}:" for c in results.candidates],
        charts=charts,
        tables=summary_tables(results) + [t for t in (judgement_table(results),) if t is not None] + [in_force_table(run.folder)],
        inputs=inputs,
        method=method(results),
        provenance=provenance(run),
        notes=notes,
        bottom_line=bottom_line(results) + _what_if_of(inputs),
        marking=marking,
    )


def _section(name: str, results: Results, rows: Rows | None, size: str) -> ChartSection:
    from partnersim.charts.style import chart_title, png_bytes, untitled

    figure = CHARTS[name](results, rows=rows, size=size)
    title = chart_title(figure)
    return ChartSection(name, headline(name, results, rows), caption(name, results),
                        png_bytes(untitled(figure), IMAGE_DPI), title)


# ---- the bottom line -------------------------------------------------------------------------


def bottom_line(results: Results) -> str:
    """Two to four sentences that answer the scenario's question, every number with its 95% interval.

    Who is most likely to succeed by the horizon (and the lowest); the chances by the ends of the years
    the question names, else who first reaches an even chance; and the allies that stand out as holding
    their consent, named only when the results say they stand out.
    """
    if not results.candidates:
        return ""
    sentences = [_by_horizon(results)]
    asked = _asked_year_ends(results)
    sentences += [_by_year_end(results, index) for index in asked]
    if not asked:
        sentences.append(headline("s_curve", results, None))
    allies = _holding_allies(results)
    if allies:
        sentences.append(allies)
    return " ".join(_sentence(text) for text in sentences)


def _what_if_of(inputs: list[InputFile]) -> str:
    """For a scenario that extends another: that its numbers alone do not say what the change does, and the
    command that does (a paired comparison on the same random numbers)."""
    changed = next((f for f in inputs if f.extends), None)
    if changed is None:
        return ""
    return (f" This scenario changes {changed.extends}; these numbers alone do not say by how much that moves the "
            f"answer: partnersim compare {changed.extends} {changed.name} measures each change on the same random "
            "numbers, with its interval, and partnersim report turns its folder into a briefing.")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _by_horizon(results: Results) -> str:
    """Who is most likely to succeed by the horizon, with every candidate named beside its chance: several
    when their intervals reach the leader's, and the lowest."""
    what, by = results.success_words, month_label(results.end_date)
    ranked, leaders, trailing = ranking(results)

    def named(candidates: list[CandidateResult]) -> str:
        return join_words([f"{c.name} {interval(c.outcomes[results.success])}" for c in candidates])

    if len(ranked) == 1:
        return f"{ranked[0].name} has a {interval(ranked[0].outcomes[results.success])} chance of {what} by {by}"
    best = ranked[0].outcomes[results.success]
    if best.count == 0:
        return f"no candidate reaches {what} by {by} in any of {results.replications:,} simulated futures"
    if len(leaders) == len(ranked):
        if len(ranked) > 4:
            low = ranked[-1].outcomes[results.success]
            return (f"the {len(ranked)} candidates are about equally likely to reach {what} by {by}, from "
                    f"{ranked[-1].name} {interval(low)} to {ranked[0].name} {interval(best)}")
        return f"the candidates are about equally likely to reach {what} by {by}: {named(ranked)}"
    if len(leaders) == 1:
        text = f"{leaders[0].name} is the most likely to reach {what} by {by}, {interval(best)}"
    else:
        text = f"{named(leaders)} are the most likely to reach {what} by {by}, about equally"
    if len(trailing) == 1:
        return f"{text}; the lowest is {trailing[0].name}, {interval(trailing[0].outcomes[results.success])}"
    return f"{text}; the lowest, about equally: {named(trailing)}"


def _asked_year_ends(results: Results, most: int = 2) -> list[int]:
    """Indexes in ``by_year_end`` of the year ends the question names, before the horizon's month (which the
    first sentence gives): "by the end of 2027 and by the end of 2031" asks for Dec 2027."""
    ends = results.candidates[0].by_year_end
    years = [int(y) for y in re.findall(r"\b(?:19|20|21)\d\d\b", results.scenario.question)]
    found = [i for i, (day, _) in enumerate(ends)
             if day.year in years and (results.end_date - day).days > 31 and (day - results.start).days >= 90]
    return found[:most]


def _by_year_end(results: Results, index: int) -> str:
    what = results.success_words
    day = results.candidates[0].by_year_end[index][0]
    ranked = sorted(results.candidates, key=lambda c: -c.by_year_end[index][1].p)
    best = ranked[0].by_year_end[index][1]
    if best.count == 0:
        return f"by {month_label(day)} no candidate reaches {what} in any simulated future"
    if len(ranked) == 1:
        return f"by {month_label(day)} the chance is {interval(best)}"
    return f"by {month_label(day)} the highest chance is {ranked[0].name}'s, {interval(best)}"


def _holding_allies(results: Results) -> str:
    """The ally that stands out as most likely to hold its consent, for whom, and any ally not told apart
    from it; that none stands out; or "" when the run has no allies' consent to count."""
    n = results.replications
    named = {c.name: standing(c.holding, n) for c in results.candidates}
    if not any(named.values()):
        if not any(c.holding for c in results.candidates):
            return ""
        return "no ally stands out as holding its consent more often than the allies set alike do by chance"
    firsts = [allies[0].code for allies in named.values() if allies]
    lead = max(dict.fromkeys(firsts), key=firsts.count)
    held = [(name, a) for name, allies in named.items() for a in allies if a.code == lead]
    shares = [Estimate.of(a.count, n) for _, a in held]
    who = ("" if len(results.candidates) == 1 else ", for every candidate" if len(held) == len(results.candidates)
           else f", for {join_words([name for name, _ in held])}")
    margin = max(max(e.p - e.low, e.high - e.p) for e in shares) * 100
    within = f"{margin:.0f}" if margin >= 1 else f"{margin:.1f}"
    low, high = min(e.p for e in shares), max(e.p for e in shares)
    how_often = (f"in {share(held[0][1].count, n)} of futures" if len(held) == 1
                 else f"in {percent(low)} to {percent(high)} of futures (each within ±{within} points)")
    text = f"{held[0][1].name} stands out as the ally most likely to hold its consent{who}: {how_often}"
    level: dict[str, list[str]] = {}  # an ally not told apart from the lead, and for whom
    for name, allies in named.items():
        for ally in allies[:2]:
            if ally.code != lead and any(a.code == lead for a in allies):
                level.setdefault(ally.name, []).append(name)
    for other, names in list(level.items())[:1]:
        whom = "" if len(results.candidates) == 1 else f"for {join_words(names)}, "
        text += f"; {whom}{other} is as likely within noise"
    return text


def caption(name: str, results: Results) -> str:
    """One sentence saying what the chart shows."""
    n = f"{results.replications:,}"
    what = results.success_words
    by = f"{results.end_date.day} {results.end_date:%b %Y}"
    captions = {
        "outcomes": (f"How each candidate's case ends by {by} in {n} simulated futures: {what}, rejection "
                     f"by a veto, withdrawal, failed talks, or still pending; the whisker is the 95% interval "
                     f"of the share reaching {what}."),
        "s_curve": (f"The chance that {what} has begun by each date, one line per candidate; a dot marks "
                    f"the date of an even chance (P50) and a diamond the date of an 80% chance (P80)."),
        "start_dates": (f"When {what} starts: the share of simulated futures in which it begins in each "
                        f"period, with the chance of it beginning at all by the horizon at the right."),
        "stage_times": ("The mean time a case spends in each stage of the process, among the cases that "
                        "reach that stage, and how often each stage is reached; time after the horizon is "
                        "not counted."),
        "allies": ("The allies the scenario sets apart or that stand out, one row each, then the allies set "
                   "alike as one row (each on average, with the range over them): how often each held its consent, "
                   "vetoed, or was the last to agree, as a share of all cases (one candidate in one simulated "
                   "future)."),
        "timeline": ("One simulated future, stage by stage for each candidate, chosen so that as many "
                     "candidates succeed as the forecast expects and each case ends in its most likely way: an "
                     "illustration of how the numbers arise, not a forecast."),
        "process": (f"The process the simulation follows, from the request to {what}, and the ways a case "
                    "can end before it."),
        "partnership": (f"The areas of cooperation expected to be in force at each month end, over all "
                        f"{n} simulated futures: a future without an active partnership (none yet, lapsed "
                        f"or suspended) counts none; the legend gives the chance the partnership is active "
                        f"on {by}."),
    }
    return captions[name]


def method(results: Results) -> str:
    template = template_of(results)
    process = template.description if template else f"The {results.scenario.process} process."
    return (
        f"The model follows this process: {process[:1].lower() + process[1:]} partnersim plays it out {results.replications:,} times as a discrete-event "
        f"simulation from {month_label(results.start)} to {month_label(results.end_date)}, drawing every "
        f"uncertain delay and decision (each ally's time to consent, holds and vetoes, rounds of talks, "
        f"drafting, withdrawal) from the distributions of the scenario file, and counts how each case ends. "
        f"A probability is the share of these simulated futures; 'pending' means still undecided at the "
        f"horizon. Every probability carries a 95% Wilson score interval, which measures the simulation's "
        f"own sampling error; it does not cover error in the assumptions, listed with their sources under "
        f"'Assumptions and their sources'. {track_line()}"
    )


def track_line() -> str:
    """One sentence on how partnersim's forecasts of past accessions scored (docs/calibration.md)."""
    import json

    from partnersim.charts.record import skill_finding
    from partnersim.data import text_of
    from partnersim.history.board import skill_of

    found = json.loads(text_of("track_record.json"))
    finding = skill_finding(skill_of(found["skill"]["crps/climatology"]), "the climatology baseline")
    verdict = finding.removeprefix("partnersim's date forecasts ")
    return (f"Track record, of the membership-accession process only: forecasts of the {found['cases']} NATO "
            f"accessions since 1981 ({found['forecasts']} forecasts, each from where its case stood on the day, with "
            f"settings fitted on the other rounds) {verdict}; "
            f"{found['never_member_share']:.0%} of their futures had no membership within eight years, vetoes of "
            "ratification that never happened (that process assumes a hold is lifted with probability "
            f"{found['lifted']:g}). Partnership cases are not scored yet (docs/calibration.md).")


def provenance(run: SavedRun) -> list[tuple[str, str]]:
    results = run.results
    manifest = run.manifest
    inputs = manifest.get("inputs", {})
    deps = manifest.get("dependencies", {})
    versions = ", ".join(f"{k} {v}" for k, v in deps.items() if v and k in ("numpy", "scipy", "simpy", "matplotlib"))
    items = [
        ("Simulated futures (N)", f"{results.replications:,} replications"),
        ("Random seed", f"{results.seed} (the same scenario and seed give the same numbers)"),
        ("Intervals", "95% Wilson score interval for every probability; for a date, the dates at which the "
                      "interval's bounds reach that chance; for a mean time, ±1.96 standard errors"),
        ("Scenario", results.scenario.name),
        ("Scenario SHA-256", str(manifest.get("scenario_sha256", "not recorded"))),
        ("Input files", "; ".join(f"{name} (SHA-256 {digest[:16]}…)" for name, digest in inputs.items()) or "–"),
        ("Changes on the command line", ", ".join(manifest.get("overrides") or []) or "none"),
        ("partnersim version", f"{manifest.get('partnersim', __version__)} (Python {manifest.get('python', '?')}"
                               f"{'; ' + versions if versions else ''})"),
        ("Run", _run_time(run)),
        ("Command", str(manifest.get("command", "not recorded"))),
        ("Run folder", run.folder.resolve().name),
        ("Briefing written", f"{dt.date.today():%d %b %Y} by partnersim {__version__}"),
    ]
    return items


def _run_time(run: SavedRun) -> str:
    started, finished = run.started, run.finished
    if started is None or finished is None:
        return "time not recorded"
    seconds = max(0, round((finished - started).total_seconds()))
    took = f"{seconds} s" if seconds < 120 else f"{seconds // 60} min {seconds % 60} s"
    jobs = run.manifest.get("jobs")
    on = f" on {jobs} worker process{'es' if jobs != 1 else ''}" if jobs else ""
    zone = finished.strftime("%Z") or ""
    return f"{started:%d %b %Y %H:%M} {zone}".rstrip() + f"; took {took}{on}"


def _date_line(run: SavedRun) -> str:
    results = run.results
    when = run.finished.date() if run.finished else dt.date.today()
    return (f"Run of {when.day} {when:%B %Y}  ·  {results.replications:,} simulated futures, "
            f"{month_label(results.start)} to {month_label(results.end_date)}  ·  seed {results.seed}  ·  "
            f"partnersim {run.manifest.get('partnersim', __version__)}")
