"""What a briefing holds, whatever its format: the :class:`Briefing` built from a run folder.

The PDF, HTML and PowerPoint writers lay out the same content, so the three
never disagree: title and question, findings with their intervals, every
chart with its headline and a one-sentence caption, summary tables, the
assumptions with their sources, and the method and provenance of the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from partnersim._version import __version__
from partnersim.charts import CHARTS, selection
from partnersim.charts.labels import template_of
from partnersim.charts.readable import readable, readable_rows
from partnersim.report.assumptions import InputFile, read_inputs
from partnersim.report.findings import Table, candidate_finding, headline, judgement_table, summary_tables
from partnersim.report.inforce import in_force_table
from partnersim.values.durations import month_label

if TYPE_CHECKING:
    from partnersim.results.load import SavedRun
    from partnersim.results.rows import Rows
    from partnersim.results.summary import Results

IMAGE_DPI = 160  # 1600 × 900 pixels for a slide chart: sharp on a projector and in print


@dataclass(frozen=True)
class ChartSection:
    name: str
    headline: str  # the finding the chart supports, with its intervals
    caption: str  # one sentence: what the chart shows
    png: bytes
    title: str = ""  # the chart's own title, drawn in the image

    @property
    def heading(self) -> str:
        """The headline, unless the chart's own title already says it; then what the chart shows."""
        if " ".join(self.title.split()) == " ".join(self.headline.split()):
            return CHARTS[self.name].shows[0].upper() + CHARTS[self.name].shows[1:]
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


def build(run: SavedRun, rows: Rows | None) -> Briefing:
    """Everything a briefing says about the run in ``run``; ``rows`` from its replications.csv, if any.

    Names are taken as :func:`partnersim.charts.readable.readable` gives them: one line each, no
    longer than a scenario allows (a run folder may have been edited since the run).
    """
    results = readable(run.results)
    rows = readable_rows(rows) if rows is not None else None
    charts = [_section(chart.name, results, rows)
              for chart in selection(has_rows=rows is not None, has_partnership=results.has_partnership)]
    notes = []
    if rows is None:
        notes.append("The run wrote no replications.csv (it was run with --no-rows), so the timeline of one "
                     "simulated future is left out and ally counts come from each candidate's five most "
                     "frequent allies.")
    scenario = results.scenario
    return Briefing(
        title=scenario.name or "partnersim briefing",
        question=" ".join(scenario.question.split()),
        description=" ".join(scenario.description.split()),
        date_line=_date_line(run),
        findings=[candidate_finding(results, c) for c in results.candidates],
        finding_leads=[f"{c.name}:" for c in results.candidates],
        charts=charts,
        tables=summary_tables(results) + [t for t in (judgement_table(results),) if t is not None] + [in_force_table(run)],
        inputs=read_inputs(run.inputs, scenario),
        method=method(results),
        provenance=provenance(run),
        notes=notes,
    )


def _section(name: str, results: Results, rows: Rows | None) -> ChartSection:
    from partnersim.charts.style import png_bytes

    figure = CHARTS[name](results, rows=rows)
    title = figure.texts[0].get_text() if figure.texts else ""
    return ChartSection(name, headline(name, results, rows), caption(name, results),
                        png_bytes(figure, IMAGE_DPI), title)


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
        "allies": ("The ten allies most often in the way: how often each held its consent, vetoed, or was "
                   "the last to agree, as a share of all cases (one candidate in one simulated future)."),
        "timeline": ("One simulated future, stage by stage for each candidate, chosen so that as many "
                     "candidates succeed as the forecast expects and each case ends in its most likely way: an "
                     "illustration of how the numbers arise, not a forecast."),
        "process": ("The process the simulation follows, from the request to cooperation, and the ways a "
                    "case can end before it."),
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
        f"'Assumptions and their sources'."
    )


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
