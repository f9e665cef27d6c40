"""The process diagram: the state machine of a template, drawn for a slide.

Drawn from :func:`partnersim.process.machine.transition_table`, the same data
the engine's machine is built from, so the picture cannot drift from the
model. The main path runs left to right; outcomes an ally causes (veto) sit
above it, the others below. Withdrawal and the horizon apply to every open
state, so instead of one arrow per state they leave a frame drawn around the
open states ("Open case"). A process whose success is a partnership with a
life continues to the right: cooperation and renewal sit in a second frame
("Partnership in force") that suspension leaves, and a refused renewal lapses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from partnersim.charts import style
from partnersim.charts.labels import SHORT_OUTCOME_LABELS, TRIGGER_LABELS, resolve_template, state_label
from partnersim.kinds import KINDS, Exit
from partnersim.process.definition import (
    LAPSED,
    PENDING,
    PROSPECTIVE,
    REJECTED,
    RENEWAL,
    REQUESTED,
    SUSPENDED,
    TALKS_FAILED,
    WITHDRAWN,
    Template,
    route_of,
)
from partnersim.process.route import WAITING, Branches, Retry, Route
from partnersim.text import join_words, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

STEP = 1.45  # distance between the centres of neighbouring states on the main path
BOX_W, BOX_H = 1.18, 0.92
SMALL_W, SMALL_H = 0.95, 0.62
FRAME_PAD_X, FRAME_BOTTOM, FRAME_TOP = 0.13, -0.72, 0.76
ABOVE_Y, BELOW_Y = 1.78, -1.78  # centres of the outcome boxes above and below the path
BUS_ABOVE, BUS_BELOW = 1.08, -1.08
LIFE_GAP = 0.55  # between cooperation and renewal: room for the arrows both ways and their labels
LIFE_NOTE = "every cycle"
WRAP_AT = 10  # labels longer than this break onto two lines
NOTE_WRAP_AT = 16  # a kind's note longer than this breaks onto two lines
SMALLEST_TYPE = 7.0  # points: the least a box's words are set in when many stages narrow the boxes
INK = style.INK
ARROW = "#555555"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h / 2

    @property
    def bottom(self) -> float:
        return self.y - self.h / 2

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2


def process_diagram(
    template: Template | str, *, size: str = "slide", kinds: dict[str, str] | None = None,
    route: Route | None = None,
) -> Figure:
    """The process of ``template`` as boxes and arrows: main path, then where a case can end.

    ``kinds`` names the kind a scenario runs a stage as, where it differs from
    the template's (an approval run as a silence procedure); ``route`` is the
    process's route with a scenario's changes to where stages lead. A stage
    that sends cases back, or a wait before asking again, is drawn as an arc
    above the path.
    """
    template = resolve_template(template)
    kinds = {spec.name: spec.kind for spec in template.stages} | (kinds or {})
    route = route or route_of(template)
    edges = _edges(template, route)
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        ax.set_axis_off()
        boxes = _layout(template, edges)
        _draw_frame(ax, boxes, template)
        _draw_main_path(ax, template, boxes, kinds)
        _draw_outcomes(ax, template, boxes, edges)
        _draw_loops(ax, template, route, boxes)
        if template.life:
            _draw_life(ax, template, boxes)
        right = boxes[RENEWAL].right + FRAME_PAD_X if template.life else boxes[template.success].right
        ax.set_xlim(boxes[PROSPECTIVE].left - 0.1, right + 0.1)
        _fit_boxes(fig, ax)
        ax.set_ylim(BELOW_Y - SMALL_H / 2 - 0.1, ABOVE_Y + SMALL_H / 2 + 0.1)
        style.title(fig, finding(template), _subtitle(template, kinds))
        style.footer(fig, text=(f"Process template {template.name!r}. A case already under way when a "
                                "scenario starts enters at its current stage."))
    return fig


def _edges(template: Template, route: Route) -> dict[str, list[str]]:
    """Sources of each way a case ends early: vetoes (to rejected), failed talks, withdrawal, the horizon."""
    sources: dict[str, list[str]] = {}
    ends = {REJECTED: "veto", TALKS_FAILED: "fail_talks", WITHDRAWN: "withdraw", PENDING: "censor"}
    for step in route.transitions():
        trigger = ends.get(step.dest)
        if trigger is not None and step.source != WAITING:
            sources.setdefault(trigger, [])
            if step.source not in sources[trigger]:
                sources[trigger].append(step.source)
    return sources


def _draw_loops(ax: Axes, template: Template, route: Route, boxes: dict[str, Box]) -> None:
    """Where a stage sends a case other than to the next one: back, ahead, or to wait before asking again."""
    path = [REQUESTED, *route.stages, route.success]
    for index, (stage, exits) in enumerate(zip(route.stages, route.exits, strict=True)):
        following = path[index + 2]
        for exit, target in exits.items():
            word = LOOP_WORDS.get(exit, exit.name.lower())
            if isinstance(target, Retry):
                _wait(ax, boxes, stage, target.state, word, target.give_up)
                continue
            chances = dict(target.choices) if isinstance(target, Branches) else {}
            for dest in target.destinations:
                share = f" ({percent(chances[dest])})" if dest in chances else ""
                if dest == following and exit == Exit.ADVANCE:
                    if share:  # the main arrow carries the share of cases that take it
                        mid = (boxes[stage].right + boxes[dest].left) / 2
                        ax.text(mid, 0.14, percent(chances[dest]), ha="center", va="bottom", fontsize=8.5,
                                color="#333333", zorder=6)
                    continue
                if dest in boxes and dest in path:
                    back = boxes[dest].x < boxes[stage].x
                    words = ("sent back" if back else "sent on") if exit == Exit.ADVANCE else word
                    _arc(ax, boxes[stage], boxes[dest], f"{words}{share}")


LOOP_WORDS = {Exit.ADVANCE: "sent on", Exit.VETO: "vetoed", Exit.FAIL: "talks fail", Exit.TIMEOUT: "time limit"}


def _arc(ax: Axes, source: Box, target: Box, label: str) -> None:
    """An arc over the path from ``source`` to ``target``, labelled at its top."""
    backward = target.x < source.x
    start, end = (source.x - 0.25, source.top), (target.x + 0.25, target.top)
    rad = 0.5 if backward else -0.5  # arc3 bends to the left of travel: up, whichever way the arc goes
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=ARROW, linewidth=1.2,
                                 connectionstyle=f"arc3,rad={rad}", zorder=2, shrinkA=0, shrinkB=1))
    peak = source.top + abs(rad) * abs(start[0] - end[0]) / 2
    ax.text((start[0] + end[0]) / 2, peak + 0.04, label, ha="center", va="bottom", fontsize=8.5, color="#333333",
            style="italic", zorder=6, bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                                            "alpha": 0.85})


def _wait(ax: Axes, boxes: dict[str, Box], stage: str, state: str, word: str, give_up: float) -> None:
    """A case that waits (above the path) before it asks again, unless the candidate gives up."""
    if WAITING not in boxes:
        target = boxes[state]
        boxes[WAITING] = Box(target.x, ABOVE_Y, BOX_W, SMALL_H)
        _box(ax, boxes[WAITING], "Waiting", note="to ask again", face="white", edge="#9AA3AD", colour=style.GREY,
             bold=False, fontsize=9.5, dashed=True)
        _arrow(ax, (boxes[WAITING].x, boxes[WAITING].bottom), (target.x, target.top))
        _trigger_text(ax, boxes[WAITING].x, (boxes[WAITING].bottom + target.top) / 2, "asks again")
    waiting, source = boxes[WAITING], boxes[stage]
    start = (source.x - 0.3, source.top)
    ax.add_patch(FancyArrowPatch(start, (waiting.right, waiting.y - 0.12), arrowstyle="-|>", mutation_scale=13,
                                 color=ARROW, linewidth=1.2, zorder=2, shrinkA=0, shrinkB=1,
                                 connectionstyle="arc3,rad=0.3"))
    gives_up = f"\nor gives up ({percent(give_up)})" if give_up > 0 else ""
    ax.text(waiting.right + 0.08, waiting.y + 0.02, f"{word}: waits{gives_up}", ha="left", va="bottom",
            fontsize=8.5, color="#333333", style="italic", zorder=6, linespacing=1.2,
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})


def _layout(template: Template, edges: dict[str, list[str]]) -> dict[str, Box]:
    path = [REQUESTED, *template.stage_names, template.success]
    boxes = {state: Box(i * STEP, 0.0, BOX_W, BOX_H) for i, state in enumerate(path)}
    boxes[PROSPECTIVE] = Box(-STEP, 0.0, SMALL_W, SMALL_H)
    if "veto" in edges:
        xs = [boxes[s].x for s in edges["veto"]]
        boxes[REJECTED] = Box((min(xs) + max(xs)) / 2, ABOVE_Y, BOX_W, SMALL_H)
    # Below the path, left to right: pending, talks failed, withdrawn, moved apart if need be.
    below: list[tuple[str, float]] = [(PENDING, boxes[REQUESTED].x - STEP / 2)]
    if "fail_talks" in edges:
        xs = [boxes[s].x for s in edges["fail_talks"]]
        below.append((TALKS_FAILED, (min(xs) + max(xs)) / 2))
    if "withdraw" in edges:
        below.append((WITHDRAWN, boxes[template.stage_names[-1]].x - STEP / 2 if template.stages
                      else boxes[REQUESTED].x + STEP / 2))
    xs = style.spread([x for _, x in below], BOX_W + 0.35, low=-STEP, high=boxes[template.success].x)
    for (state, _), x in zip(below, xs, strict=True):
        boxes[state] = Box(x, BELOW_Y, BOX_W, SMALL_H)
    if template.life:
        success = boxes[template.success]
        renewal = Box(success.right + LIFE_GAP + BOX_W / 2, 0.0, BOX_W, BOX_H)
        boxes[RENEWAL] = renewal
        boxes[LAPSED] = Box(renewal.x, ABOVE_Y, BOX_W, SMALL_H)
        boxes[SUSPENDED] = Box((success.x + renewal.x) / 2, BELOW_Y, BOX_W, SMALL_H)
    return boxes


def _open_frame(boxes: dict[str, Box], template: Template) -> Box:
    first = boxes[REQUESTED]
    last = boxes[template.stage_names[-1]] if template.stages else first
    left, right = first.left - FRAME_PAD_X, last.right + FRAME_PAD_X
    return Box((left + right) / 2, (FRAME_TOP + FRAME_BOTTOM) / 2, right - left, FRAME_TOP - FRAME_BOTTOM)


def _draw_frame(ax: Axes, boxes: dict[str, Box], template: Template) -> None:
    frame = _open_frame(boxes, template)
    ax.add_patch(FancyBboxPatch((frame.left, frame.bottom), frame.w, frame.h,
                                boxstyle="round,pad=0,rounding_size=0.12", facecolor="#F3F5F7",
                                edgecolor="#9AA3AD", linewidth=1.0, linestyle=(0, (4, 3)), zorder=0))
    ax.text(frame.left + 0.08, frame.top - 0.05, "Open case", ha="left", va="top", fontsize=9,
            color=style.GREY, style="italic", zorder=1)


def _draw_main_path(ax: Axes, template: Template, boxes: dict[str, Box], kinds: dict[str, str]) -> None:
    prospective = boxes[PROSPECTIVE]
    _box(ax, prospective, state_label(template, PROSPECTIVE), face="white", edge="#9AA3AD",
         colour=style.GREY, bold=False, fontsize=9.5, dashed=True)
    _arrow(ax, (prospective.right, 0.0), (boxes[REQUESTED].left, 0.0))
    _box(ax, boxes[REQUESTED], state_label(template, REQUESTED))
    for spec in template.stages:
        _box(ax, boxes[spec.name], spec.label, note=_said(template, KINDS[kinds[spec.name]].note))
    success = style.outcome_style(template.success)["color"]
    # Slightly smaller type when the partnership's life makes the boxes narrower.
    _box(ax, boxes[template.success], template.success_label, face=success, edge=success,
         colour="white", fontsize=9.5 if template.life else 10.5)
    path = [REQUESTED, *template.stage_names, template.success]
    for a, b in pairwise(path):
        _arrow(ax, (boxes[a].right, 0.0), (boxes[b].left, 0.0), width=1.6)


def _draw_outcomes(ax: Axes, template: Template, boxes: dict[str, Box], edges: dict[str, list[str]]) -> None:
    frame = _open_frame(boxes, template)
    if REJECTED in boxes:
        _outcome_box(ax, boxes[REJECTED], REJECTED)
        _bus(ax, [boxes[s] for s in edges["veto"]], boxes[REJECTED], _said(template, TRIGGER_LABELS["veto"]), up=True)
    if TALKS_FAILED in boxes:
        _outcome_box(ax, boxes[TALKS_FAILED], TALKS_FAILED)
        _bus(ax, [boxes[s] for s in edges["fail_talks"]], boxes[TALKS_FAILED],
             _said(template, TRIGGER_LABELS["fail_talks"]), up=False)
    if WITHDRAWN in boxes:
        target = boxes[WITHDRAWN]
        _outcome_box(ax, target, WITHDRAWN)
        _arrow(ax, (target.x, frame.bottom), (target.x, target.top))
        _trigger_text(ax, target.x, (frame.bottom + target.top) / 2, _said(template, TRIGGER_LABELS["withdraw"]))
    pending = boxes[PENDING]
    _outcome_box(ax, pending, PENDING)
    from_frame = min(max(pending.x, frame.left + 0.2), frame.right - 0.2)
    _arrow(ax, (from_frame, frame.bottom), (from_frame, pending.top))
    if PROSPECTIVE in edges.get("censor", []):
        prospective = boxes[PROSPECTIVE]
        _arrow(ax, (prospective.x, prospective.bottom), (pending.left + 0.12, pending.top))
    _trigger_text(ax, from_frame, (frame.bottom + pending.top) / 2, _said(template, TRIGGER_LABELS["censor"]))


def _life_frame(boxes: dict[str, Box], template: Template) -> Box:
    left, right = boxes[template.success].left - FRAME_PAD_X, boxes[RENEWAL].right + FRAME_PAD_X
    return Box((left + right) / 2, (FRAME_TOP + FRAME_BOTTOM) / 2, right - left, FRAME_TOP - FRAME_BOTTOM)


def _draw_life(ax: Axes, template: Template, boxes: dict[str, Box]) -> None:
    """Cooperation and renewal in a frame; a renewal refused lapses; the frame is left by suspension."""
    frame = _life_frame(boxes, template)
    ax.add_patch(FancyBboxPatch((frame.left, frame.bottom), frame.w, frame.h,
                                boxstyle="round,pad=0,rounding_size=0.12", facecolor="none",
                                edgecolor="#9AA3AD", linewidth=1.0, linestyle=(0, (4, 3)), zorder=0))
    ax.text(frame.left + 0.08, frame.top + 0.05, "Partnership in force", ha="left", va="bottom", fontsize=9,
            color=style.GREY, style="italic", zorder=1)
    success, renewal = boxes[template.success], boxes[RENEWAL]
    _box(ax, renewal, state_label(template, RENEWAL), note=LIFE_NOTE)
    middle = (success.right + renewal.left) / 2
    _arrow(ax, (success.right, 0.2), (renewal.left, 0.2))
    _arrow(ax, (renewal.left, -0.2), (success.right, -0.2))
    for y, trigger in ((0.6, "renew"), (-0.6, "renewed")):
        ax.text(middle, y, _said(template, TRIGGER_LABELS[trigger]), ha="center", va="center", fontsize=9, color="#333333",
                style="italic", zorder=6)
    lapsed = boxes[LAPSED]
    _outcome_box(ax, lapsed, LAPSED)
    _arrow(ax, (renewal.x, renewal.top), (lapsed.x, lapsed.bottom))
    ax.text(renewal.x - 0.06, (frame.top + lapsed.bottom) / 2 + 0.1, _said(template, TRIGGER_LABELS["lapse"]), ha="right",
            va="center", fontsize=9.5, color="#333333", style="italic", zorder=6)
    suspended = boxes[SUSPENDED]
    _outcome_box(ax, suspended, SUSPENDED)
    _arrow(ax, (suspended.x, frame.bottom), (suspended.x, suspended.top))
    _trigger_text(ax, suspended.x, (frame.bottom + suspended.top) / 2, _said(template, TRIGGER_LABELS["suspend"]))


def _bus(ax: Axes, sources: list[Box], target: Box, label: str, up: bool) -> None:
    """Lines from each source to a shared rail, one arrow from the rail to the target."""
    rail = BUS_ABOVE if up else BUS_BELOW
    xs = [s.x for s in sources]
    if len(sources) == 1 and abs(sources[0].x - target.x) < 1e-9:
        start = sources[0].top if up else sources[0].bottom
        end = target.bottom if up else target.top
        _arrow(ax, (target.x, start), (target.x, end))
        _trigger_text(ax, target.x, _label_y(up, target), label)
        return
    line: dict[str, Any] = {"color": ARROW, "linewidth": 1.3, "solid_capstyle": "round", "zorder": 2}
    for source in sources:
        ax.plot([source.x, source.x], [source.top if up else source.bottom, rail], **line)
    low, high = min([*xs, target.x]), max([*xs, target.x])
    if high > low:
        ax.plot([low, high], [rail, rail], **line)
    _arrow(ax, (target.x, rail), (target.x, target.bottom if up else target.top))
    _trigger_text(ax, target.x, _label_y(up, target), label)


def _label_y(up: bool, target: Box) -> float:
    """Every trigger label at the same height: halfway between the rail and its target."""
    return (BUS_ABOVE + target.bottom) / 2 if up else (FRAME_BOTTOM + target.top) / 2


def _trigger_text(ax: Axes, x: float, y: float, text: str) -> None:
    ax.text(x + 0.06, y, text, ha="left", va="center", fontsize=9.5, color="#333333", style="italic",
            zorder=6, bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none",
                            "alpha": 0.85})


def _outcome_box(ax: Axes, box: Box, outcome: str) -> None:
    colour = style.outcome_style(outcome)["color"]
    _box(ax, box, SHORT_OUTCOME_LABELS.get(outcome, outcome), face=_tint(colour), edge=colour,
         linewidth=2.0)


def _box(ax: Axes, box: Box, label: str, *, note: str = "", face: str = "white", edge: str = "#44505C",
         colour: str = INK, bold: bool = True, fontsize: float = 10.5, dashed: bool = False,
         linewidth: float = 1.4) -> None:
    ax.add_patch(FancyBboxPatch((box.left, box.bottom), box.w, box.h,
                                boxstyle="round,pad=0,rounding_size=0.1", facecolor=face, edgecolor=edge,
                                linewidth=linewidth, linestyle=(0, (3, 2)) if dashed else "-", zorder=3))
    label = wrap_label(label)
    note = wrap_label(note, NOTE_WRAP_AT) if note else ""
    extra = 0.07 * note.count("\n")  # a note on two lines lifts the label
    y = box.y + (0.1 + extra if note else 0.0)
    fits = box.w == BOX_W
    ax.text(box.x, y, label, ha="center", va="center", fontsize=fontsize, linespacing=1.1,
            fontweight="bold" if bold else "normal", color=colour, zorder=4, gid="label" if fits else None)
    if note:
        lines = label.count("\n") + 1
        ax.text(box.x, y - 0.1 * lines - 0.12 - extra, note, ha="center", va="center", fontsize=8.5,
                linespacing=1.05, color=style.GREY, zorder=4, gid="note" if fits else None)


def _fit_boxes(fig: Figure, ax: Axes) -> None:
    """Set the boxes' labels, and their notes, smaller by one factor each when the widest would not fit.

    A process with many stages makes the boxes narrow on the page; every label
    and note is measured as drawn, against the width a box takes on the page.
    """
    left, right = ax.get_xlim()
    room = BOX_W * style.plot_width(fig) / (right - left) * 0.9
    for kind in ("label", "note"):
        texts = [text for text in ax.texts if text.get_gid() == kind]
        widths = [max(style.measure(fig, line, float(t.get_fontsize()), t.get_fontweight())
                      for line in t.get_text().split("\n")) for t in texts]
        scale = min([1.0] + [room / wide for wide in widths])
        for text in texts if scale < 1.0 else []:
            text.set_fontsize(max(SMALLEST_TYPE, math.floor(2 * float(text.get_fontsize()) * scale) / 2))


def wrap_label(label: str, width: int = WRAP_AT) -> str:
    """``Allied consensus`` → two lines; short labels stay on one."""
    if len(label) <= width or " " not in label:
        return label
    words = label.split()
    cut = min(range(1, len(words)),
              key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
    return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], width: float = 1.3) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=ARROW,
                                 linewidth=width, shrinkA=0, shrinkB=1, zorder=2))


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _said(template: Template, words: str, **values: str) -> str:
    """A trigger's or a kind's words with the process's name for those who decide (an ally, member states),
    and ``values`` (a user's labels, put in as they are)."""
    one = template.decider
    return words.format(one=one, many=template.deciders, a=_article(one), **values)


def _tint(colour: str, amount: float = 0.82) -> Any:
    from matplotlib.colors import to_rgb

    return tuple(c + (1 - c) * amount for c in to_rgb(colour))


def finding(template: Template) -> str:
    n = len(template.stages)
    vetoes = [s.label for s in template.stages if KINDS[s.kind].decision]
    head = f"The {template.name} process: {n} stage{'s' if n != 1 else ''} to {template.success_words}"
    if not vetoes:
        return head
    where = "one of them" if len(vetoes) == 1 else f"{len(vetoes)} of them"
    return f"{head}; any one {template.decider} can block at {where}"


def _subtitle(template: Template, kinds: dict[str, str] | None = None) -> str:
    kinds = kinds or {}
    by_kind: dict[str, list[str]] = {}
    for spec in template.stages:
        by_kind.setdefault(kinds.get(spec.name, spec.kind), []).append(spec.label)
    parts = [_said(template, KINDS[kind].rule, stages=join_words(labels))
             for kind, labels in by_kind.items() if KINDS[kind].rule]
    parts.append("the candidate may withdraw at any open stage")
    if template.life:
        parts.append(f"then every {template.decider} must agree to each renewal")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]
