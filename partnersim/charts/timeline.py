"""One story: the timeline (Gantt) of one replication that illustrates the forecast.

A row per candidate on a calendar axis: a dotted line until its request,
then a bar per stage in the stage colours of the time-per-stage chart, and a
marker where the case ends. On the allies' stages the ally that held its
consent (or vetoed, or else was the last to agree) is named. How the case
ends is written at the right. The replication shows as many successes as the
forecast expects, each case ending in its most likely way given that (see
:func:`partnersim.results.rows.illustrative_replication`): one simulated future,
shown to make the numbers concrete, not a forecast.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from partnersim.charts import dates, style
from partnersim.charts.labels import first_decision, outcome_label, success_label
from partnersim.charts.stages import stage_order
from partnersim.results.text import stands_out
from partnersim.text import in_sentence, percent
from partnersim.values.durations import add_days

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.rows import CaseStory, StageSpan, Story
    from partnersim.results.summary import Results

BAR_HEIGHT = 0.46
END_MARKERS: dict[str, dict[str, Any]] = {
    "rejected": {"marker": "X", "markersize": 11},
    "withdrawn": {"marker": "<", "markersize": 9},
    "talks_failed": {"marker": "X", "markersize": 10},
    "pending": {"marker": ">", "markersize": 9},
}
SUCCESS_MARKER = {"marker": "o", "markersize": 10}


def timeline_chart(results: Results, story: Story, *, size: str = "slide") -> Figure:
    """Stage bars per candidate in one illustrative replication, with the allies in the way named."""
    stages = stage_order(results)
    index = {name: i for i, (name, _) in enumerate(stages)}
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        drawn, note = _room(results, story)
        for row, case in enumerate(drawn.cases):
            _case(ax, results, case, row, index)
        _axes(ax, results, drawn)
        style.title(fig, finding(results, story), style.with_note(note, _subtitle(results, story)))
        style.footer(fig, results)
        _legend(fig, ax, stages)
        _place_notes(fig, ax)
    return fig


def finding(results: Results, story: Story) -> str:
    """The title: what happens in this one future, called an illustration, beside what the forecast expects."""
    what = results.success_words
    by = style.day_month_year(results.end_date)
    done = [c for c in story.cases if c.outcome == results.success]
    chances = {c.code: c.outcomes[results.success].p for c in results.candidates}
    if len(story.cases) == 1:
        case = story.cases[0]
        chance = f"its chance: {percent(chances.get(case.code, float('nan')))}"
        if done:
            text = f"One illustrative future: {case.name} reaches {what} in {_month(results, case.end)} ({chance})"
        else:
            text = f"One illustrative future: {case.name} does not reach {what} by {by} ({chance})"
    else:
        expected = sum(chances.get(c.code, 0.0) for c in story.cases)
        text = (f"One illustrative future: {len(done)} of {len(story.cases)} candidates reach {what} by {by} "
                f"(the forecast expects {expected:.1f})")
    # No ally in the title: who held whom up in one future is the chart's detail, not the forecast's finding.
    return text


def _room(results: Results, story: Story) -> tuple[Story, str]:
    """The cases the chart has room for (see :func:`partnersim.charts.style.room_for`), with the one the
    title names among them."""
    codes = [c.code for c in results.candidates]
    named = next((case.code for case in story.cases for span in case.spans if span.held), None)
    drawn, note = style.room_for(results, style.MOST_ROWS, keep=[codes.index(named)] if named in codes else [])
    if not note:
        return story, ""
    chosen = {c.code for c in drawn.candidates}
    cases = tuple(case for case in story.cases if case.code in chosen)[: style.MOST_ROWS]
    return dataclasses.replace(story, cases=cases), note


def ally_note(span: StageSpan, names: dict[str, str], out: frozenset[str] | None = None) -> str:
    """``held: United Kingdom``, ``vetoed: Türkiye`` or ``last: Czechia``; empty where nobody stood out.

    With ``out``, only those allies are named (the ones that stand out in the forecast); another ally's hold or
    veto is said without its name, and its being last not at all: in this one future it is chance.
    """
    def name(code: str) -> str | None:
        return names.get(code, code) if out is None or code in out else None

    if span.veto:
        return f"vetoed: {name(span.veto) or 'an ally'}"
    if span.held:
        shown = [n for n in (name(a) for a in span.held) if n]
        return "held: " + (", ".join(shown) if shown else "an ally")
    if span.last and name(span.last):
        return f"last: {name(span.last)}"
    return ""


def ending(results: Results, case: CaseStory) -> str:
    """How the case ends, for the right-hand side: ``Cooperation, Mar 2028``."""
    when = _month(results, case.end)
    if case.outcome == results.success:
        return f"{success_label(results)}, {when}"
    if case.outcome == "rejected":
        vetoes = [s.veto for s in case.spans if s.veto and stands_out(results, s.veto)]
        who = f" ({_ally_names(results).get(vetoes[0], vetoes[0])} vetoed)" if vetoes else ""
        return f"Rejected{who}, {when}"
    if case.outcome == "pending":
        if not case.spans:
            return "No request by the horizon"
        if case.opened > 0:  # a late request may leave too short a bar to see
            return f"Pending; asked {_month(results, case.opened)}"
        return f"Pending: in {in_sentence(case.spans[-1].label)}"
    return f"{outcome_label(results, case.outcome, short=True)}, {when}"


def _case(ax: Axes, results: Results, case: CaseStory, row: int, index: dict[str, int]) -> None:
    day = mdates.date2num(results.start)  # a date number; days from the start are added to it
    if case.opened > 0:
        ax.plot([day, day + min(case.opened, _horizon(results))], [row, row], color="#9A9A9A",
                linewidth=1.3, linestyle=(0, (1.5, 2.5)), zorder=1)
    if not case.spans:
        return
    if case.opened > 0:
        ax.plot([day + case.opened], [row], marker="D", markersize=6, color="#444444", linestyle="none", zorder=4)
    names = _ally_names(results)
    out = frozenset(code for code in names if stands_out(results, code))
    first = _first_consensus(results)
    for span in case.spans:
        look = style.stage_style(index.get(span.stage, len(index)))
        ax.barh(row, span.end - span.start, left=day + span.start, height=BAR_HEIGHT, color=look["color"],
                hatch=look["hatch"], edgecolor="white", linewidth=0.8, zorder=3)
        # The first consensus names its last ally too; later stages only a hold or a veto.
        note = ally_note(span, names, out) if span.stage == first or span.held or span.veto else ""
        if note:
            note = style.short_name(_figure(ax), note, 8.5)
            ax.annotate(note, (day + span.start, row - BAR_HEIGHT / 2), xytext=(1, 2), textcoords="offset points",
                        ha="left", va="bottom", fontsize=8.5, color="#333333", gid="ally-note", zorder=5)
    look_end = SUCCESS_MARKER if case.outcome == results.success else END_MARKERS.get(case.outcome, {})
    if look_end:
        colour = style.outcome_style(case.outcome)["color"]
        if case.outcome == "pending":
            colour = "#555555"
        ax.plot([day + case.end], [row], color=colour, markeredgecolor="white", markeredgewidth=1.2,
                linestyle="none", zorder=6, clip_on=False, **look_end)


def _place_notes(fig: Figure, ax: Axes) -> None:
    """Keep ally notes inside the plot and apart: pull back one that runs past the horizon, and move one
    that would run into the note before it on the same row below its bar, or, where that would run into
    the next row's note, along after the note before it."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    limit = ax.get_window_extent(renderer).x1
    points = 72.0 / fig.dpi
    right_edge: dict[float, float] = {}
    placed: list[Any] = []  # the boxes of the notes that keep their place above their bar
    crowded = []
    notes = sorted((t for t in ax.texts if t.get_gid() == "ally-note"), key=lambda t: t.xy[0])  # type: ignore[attr-defined]
    for note in notes:
        row = round(note.xy[1] + BAR_HEIGHT / 2, 3)  # type: ignore[attr-defined]
        box = note.get_window_extent(renderer)
        shift = max(0.0, box.x1 - limit + 2)
        if shift:
            note.set_position((1 - shift * points, 2))
            box = note.get_window_extent(renderer)
        if box.x0 < right_edge.get(row, -1e9):
            crowded.append((note, row, box, shift))
        else:
            right_edge[row] = box.x1 + 4
            placed.append(box)
    for note, row, box, shift in crowded:
        note.xy = (note.xy[0], row + BAR_HEIGHT / 2)  # type: ignore[attr-defined]
        note.set_verticalalignment("top")
        note.set_position((1 - shift * points, -2))
        below = note.get_window_extent(renderer)
        if any(below.overlaps(other) for other in placed):
            note.xy = (note.xy[0], row - BAR_HEIGHT / 2)  # type: ignore[attr-defined]
            note.set_verticalalignment("bottom")
            note.set_position(((right_edge[row] - box.x0) * points + 1 - shift * points, 2))
            right_edge[row] = note.get_window_extent(renderer).x1 + 4
        placed.append(note.get_window_extent(renderer))


def _axes(ax: Axes, results: Results, story: Story) -> None:
    style.candidate_rows(ax, [c.name for c in story.cases], top=0.75, bottom=0.35)
    dates.calendar_axis(ax, results.start, results.end_date)
    ax.set_xlabel("Date")
    ax.axvline(mdates.date2num(results.end_date), color="#444444", linewidth=1.0, zorder=2)
    right = ax.secondary_yaxis("right")
    endings = [style.short_name(_figure(ax), ending(results, c), 10.5) for c in story.cases]
    right.set_yticks(range(len(story.cases)), endings)
    right.tick_params(length=0, labelsize=10.5, colors="#333333", pad=10)
    right.spines["right"].set_visible(False)


def _legend(fig: Figure, ax: Axes, stages: list[tuple[str, str]]) -> None:
    handles: list[Any] = [
        Line2D([], [], color="#9A9A9A", linewidth=1.3, linestyle=(0, (1.5, 2.5)), marker="D", markersize=6,
               markerfacecolor="#444444", markeredgecolor="#444444", markevery=[1], label="Until the request"),
    ]
    handles += [
        Patch(facecolor=style.stage_style(i)["color"], hatch=style.stage_style(i)["hatch"], edgecolor="white",
              label=style.short_name(fig, label, 10.5))
        for i, (_, label) in enumerate(stages)
    ]
    style.top_legend(fig, ax, handles)


def _subtitle(results: Results, story: Story) -> str:
    return (f"Simulated future no. {story.replication:,} of {results.replications:,}: as many successes as "
            f"expected, each case ending its most likely way. An illustration, not a forecast; allies named only "
            f"where they stand out")


def _figure(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    return fig


def _first_consensus(results: Results) -> str:
    first = first_decision(results)
    return first.name if first else ""


def _ally_names(results: Results) -> dict[str, str]:

    return results.scenario.roster


def _horizon(results: Results) -> float:
    return float((results.end_date - results.start).days)


def _month(results: Results, day: float) -> str:
    return style.month_year(add_days(results.start, day))
