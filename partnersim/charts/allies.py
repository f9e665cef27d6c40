"""Allies as bottlenecks: how often each ally held its consent, vetoed, or was last to agree.

Three panels side by side on one scale, down the side the allies the scenario
sets apart or that stand out above the others (at most nine), then one row for
the allies set alike: each of them on average, since which of them comes first
is chance (:mod:`partnersim.results.standout`). A *case* is one candidate in one
replication; each bar is the share of all cases, with the count written at its
end; the subtitle gives the widest 95% interval. Counts come from ``replications.csv`` when the run wrote it (every
ally, exactly); otherwise from the Results, which keep each candidate's five
most frequent allies, and the subtitle says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from partnersim.charts import style
from partnersim.charts.labels import first_decision, template_of
from partnersim.kinds.consensus import AllyParams
from partnersim.results.standout import alike, named
from partnersim.results.text import stands_out
from partnersim.stats import wilson
from partnersim.text import in_sentence, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.results.rows import Rows
    from partnersim.results.summary import Results

TOP = 10
KINDS = (
    ("held", "Held its consent", {"color": style.OKABE_ITO["blue"], "hatch": ""}),
    ("vetoed", "Vetoed", style.OUTCOME_STYLE["rejected"]),
    ("last", "Last to consent", {"color": "#8C8C8C", "hatch": ""}),
)


@dataclass(frozen=True)
class AllyRow:
    code: str
    name: str
    held: int
    vetoed: int
    last: int

    def count(self, kind: str) -> int:
        return int(getattr(self, kind))

    @property
    def total(self) -> int:
        return self.held + self.vetoed + self.last


@dataclass(frozen=True)
class AlikeRow:
    """The allies set alike, as one: each one's counts on average, and the range over them."""

    name: str
    members: int
    held: float
    vetoed: float
    last: float
    spread: dict[str, tuple[int, int]]  # kind → (fewest, most) of one member

    def count(self, kind: str) -> float:
        return float(getattr(self, kind))


@dataclass(frozen=True)
class AllyTable:
    cases: int
    rows: list[AllyRow]  # most often in the way first: allies set apart, or standing out above the others
    exact: bool  # counted from every replication (else from each candidate's top five)
    alike: AlikeRow | None = None  # the other allies, set alike (only when counted from every replication)


def ally_table(results: Results, rows: Rows | None = None, top: int = TOP) -> AllyTable:
    """The allies in the way, with their counts over all cases: those set apart or standing out one by one
    (most often in the way first), the others as one row of allies set alike."""

    names = results.scenario.roster
    counts: dict[str, dict[str, int]] = {}
    if rows is not None:
        cases = rows.allies.cases
        for kind in ("held", "vetoed", "last"):
            for code, count in getattr(rows.allies, kind).items():
                counts.setdefault(code, {})[kind] = count
    else:
        cases = results.replications * len(results.candidates)
        for candidate in results.candidates:
            for kind, shares in (("held", candidate.holding), ("vetoed", candidate.vetoing),
                                 ("last", candidate.last_to_consent)):
                for share in shares:
                    names.setdefault(share.code, share.name)
                    slot = counts.setdefault(share.code, {})
                    slot[kind] = slot.get(kind, 0) + share.count
    table = [AllyRow(code, names.get(code, code), c.get("held", 0), c.get("vetoed", 0), c.get("last", 0))
             for code, c in counts.items()]
    table.sort(key=lambda r: (-r.held - r.vetoed, -r.last, r.code))
    table = [r for r in table if r.total]
    if rows is None:
        return AllyTable(cases=cases, rows=table[:top], exact=False)
    same = alike(results.scenario)
    apart = [r for r in table if r.code not in same or stands_out(results, r.code)]
    group = [code for code in names if code in same and code not in {r.code for r in apart}]
    return AllyTable(cases=cases, rows=apart[: top - 1], exact=True,
                     alike=_alike_row(results, group, counts) if group else None)


def _alike_row(results: Results, group: list[str], counts: dict[str, dict[str, int]]) -> AlikeRow:
    members = len(group)
    every = members == len(results.scenario.roster)
    defaults = results.scenario.allies.default == AllyParams()
    setting = "default settings" if defaults else "set alike"
    name = f"Each of the {members} allies\n({setting})" if every else f"Each other ally\n({members}, {setting})"
    mean = {kind: sum(counts.get(code, {}).get(kind, 0) for code in group) / members for kind in ("held", "vetoed",
                                                                                                  "last")}
    spread = {kind: (min(counts.get(code, {}).get(kind, 0) for code in group),
                     max(counts.get(code, {}).get(kind, 0) for code in group)) for kind in mean}
    return AlikeRow(name, members, mean["held"], mean["vetoed"], mean["last"], spread)


def ally_chart(results: Results, *, size: str = "slide", rows: Rows | None = None) -> Figure:
    """The ten allies most often in the way: held consent, vetoed, last to consent."""
    table = ally_table(results, rows)
    with style.context():
        fig = style.new_figure(size)
        axes = fig.subplots(1, len(KINDS), sharey=True, squeeze=False)[0]
        top = max([r.count(k) for r in table.rows for k, _, _ in KINDS]
                  + [table.alike.count(k) for k, _, _ in KINDS if table.alike] + [1]) / max(table.cases, 1)
        for ax, (kind, label, look) in zip(axes, KINDS, strict=True):
            _panel(ax, table, kind, label, look, top)
        names = [style.short_name(fig, r.name, 11.5) for r in table.rows]
        if table.alike is not None:
            names.append(table.alike.name)  # two short lines
        axes[0].set_yticks(range(len(names)), names)
        axes[0].set_ylim(max(len(names), 3) - 0.5, -0.5)
        axes[0].tick_params(axis="y", length=0, labelsize=11.5)
        if table.alike is not None:
            axes[0].get_yticklabels()[-1].set_fontstyle("italic")
        if not table.rows and table.alike is None:
            axes[1].text(0.5, 0.5, "No ally held, vetoed or was last to consent", transform=axes[1].transAxes,
                         ha="center", va="center", fontsize=12, color=style.GREY)
        axes[len(axes) // 2].set_xlabel(f"Share of all {table.cases:,} cases (%)")
        style.title(fig, finding(table, results), _subtitle(results, table))
        style.footer(fig, results)
    return fig


def finding(table: AllyTable, results: Results, share: Callable[[int, int], str] | None = None) -> str:
    """The title: the ally most often in the way, and how often it held and vetoed; or that none stands out.

    ``share`` writes a count of the cases (by default a percent; a briefing gives the interval too).
    """
    def said(count: float) -> str:
        return share(round(count), table.cases) if share else _share(count / max(table.cases, 1))

    if not table.rows and (table.alike is None or not table.alike.held + table.alike.vetoed + table.alike.last):
        return "No ally held its consent, vetoed or was last to consent in any case"
    first = table.rows[0] if table.rows else None
    if first is None or not stands_out(results, first.code):
        group = table.alike
        if group is not None and (first is None or group.held >= first.held):
            return (f"No ally stands out: the {group.members} allies set alike held their consent in about "
                    f"{_share(group.held / max(table.cases, 1))} of cases each")
        most = max([r.held for r in table.rows] + ([round(group.spread["held"][1])] if group else []))
        return f"No ally stands out: those most often in the way held their consent in up to {said(most)} of cases"
    if len(table.rows) > 1 and tied(table, results):
        second = table.rows[1]
        return (f"{first.name} and {second.name} stand in the way most often, neither more than the other beyond "
                f"noise: they held their consent in {said(first.held)} and {said(second.held)} of cases")
    if first.held == 0:
        return f"{first.name} is most often the last ally to consent ({said(first.last)})"
    text = f"{first.name} stands in the way most often: it held its consent in {said(first.held)} of cases"
    if first.vetoed:
        text += f" and vetoed in {said(first.vetoed)}"
    return text


def tied(table: AllyTable, results: Results) -> bool:
    """Whether the two allies most in the way both stand out and cannot be told apart (held and vetoed)."""
    first, second = table.rows[0], table.rows[1]
    if not stands_out(results, second.code):
        return False
    counts = {first.code: first.held + first.vetoed, second.code: second.held + second.vetoed}
    return len(named([first.code, second.code], counts, table.cases)) == 2


def _panel(ax: Axes, table: AllyTable, kind: str, label: str, look: dict[str, str], top: float) -> None:
    counts = np.array([r.count(kind) for r in table.rows] + ([table.alike.count(kind)] if table.alike else []),
                      dtype=float)
    y = np.arange(len(counts))
    shares = counts / max(table.cases, 1) * 100
    ax.barh(y, shares, height=0.62, color=look["color"], hatch=look["hatch"], edgecolor="white", linewidth=0.8)
    for yi, count in enumerate(counts):
        if table.alike is not None and yi == len(table.rows):
            low, high = table.alike.spread[kind]
            text = (f"{_share(count / max(table.cases, 1))} each "
                    f"({_share(low / max(table.cases, 1))}–{_share(high / max(table.cases, 1))})") if high else "0"
        else:
            text = f"{int(count):,} ({_share(count / max(table.cases, 1))})" if count else "0"
        ax.annotate(text, (shares[yi], yi), xytext=(4, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=9, color="#333333")
    if table.alike is not None and table.rows:
        ax.axhline(len(table.rows) - 0.5, color="#BBBBBB", linewidth=0.8, linestyle=(0, (3, 3)))
    ax.set_title(label, loc="left", fontsize=12.5, fontweight="bold", color="#222222", pad=6)
    ax.set_xlim(0, top * 100 * 1.75)
    # The room right of the bars is for their labels: no tick there reads as a share above 100%.
    ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= 100])
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=10)
    style.light_grid(ax, "x")


def margin(table: AllyTable) -> float:
    """The widest half-width of a 95% interval among the shares drawn."""
    widest = 0.0
    if table.alike is not None:  # one ally of those set alike, at their average
        count = round(max(table.alike.count(kind) for kind, _, _ in KINDS))
        low, high = wilson(count, table.cases)
        widest = max(count / table.cases - low, high - count / table.cases)
    for row in table.rows:
        for kind, _, _ in KINDS:
            count = row.count(kind)
            low, high = wilson(count, table.cases)
            widest = max(widest, count / table.cases - low, high - count / table.cases)
    return widest


def _share(p: float) -> str:
    return percent(p, fine_below=0.1)


def _subtitle(results: Results, table: AllyTable) -> str:
    candidates = len(results.candidates)
    cases = (f"{table.cases:,} cases ({candidates} candidate{'s' if candidates != 1 else ''} × "
             f"{table.cases // max(candidates, 1):,} replications)")
    if table.alike is not None and table.rows:
        text = (f"Allies set apart or standing out, then the {table.alike.members} set alike as one row (each on "
                f"average; range in brackets); {cases}")
    elif table.alike is not None:
        text = f"The {table.alike.members} allies, all set alike, as one row (each on average; range in brackets); {cases}"
    else:
        text = f"The allies most often in the way (up to ten), over {cases}"
    # What a reader needs most first, so that a subtitle cut short keeps it: the noise, then the definitions.
    text += f"; 95% intervals within ±{margin(table) * 100:.1f} points"
    if not table.exact:
        text += ". Counted from each candidate's five most frequent allies (the run wrote no replications.csv)"
    template = template_of(results)
    first = first_decision(results)
    if first:
        text += f"; last to consent at {in_sentence(first.label)}"
    silent = [name for name, stage in results.scenario.stages.items() if stage.kind == "silence"]
    if silent and template:
        labels = {s.name: s.label for s in template.stages}
        text += f"; breaking silence at {', '.join(labels.get(n, n) for n in silent)} counts as a hold"
    return text
