"""Global sensitivity charts: how much of a candidate's result each setting explains, with its interactions.

Sobol': one row per setting (or group), largest total index on top; a light
bar for the total index (the setting with every interaction it takes part
in) and a dark bar for the first-order index (the setting alone), each with
its 95% bootstrap interval. An index below zero is sampling error about a
true value of at least zero: it is drawn at zero, its interval as computed.
A row whose total index's interval reaches zero is drawn pale. Morris: μ*,
the mean absolute change in points when the setting moves across its range,
with its interval, and σ (interactions or a curved effect) as a dot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from partnersim.charts import style
from partnersim.charts.readable import CHART_NAME, cut
from partnersim.scenario.labels import possessive
from partnersim.text import capital, join_words

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from partnersim.whatif.indices import GlobalSensitivity, Indices

TOTAL_COLOUR = style.OKABE_ITO["sky_blue"]
FIRST_COLOUR = style.OKABE_ITO["blue"]
SIGMA_COLOUR = style.OKABE_ITO["orange"]
PALE = 0.35
TOP = 12
FACTOR_ROOM = 0.35


def indices_chart(found: GlobalSensitivity, code: str, measure: str = "cooperation", *, top: int = TOP,
                  size: str = "slide") -> Figure:
    """What explains one candidate's chance (by the horizon, or by a ``--by`` date) across the design."""
    indices = found.indices[(code, measure)]
    order = indices.order()[:top]
    with style.context():
        fig = style.new_figure(size)
        ax = fig.add_subplot()
        handles: list[Any] = []
        if indices.variance == 0:
            ax.text(0.5, 0.5, "No setting changes this chance at any point of the design.", ha="center",
                    va="center", fontsize=12, color=style.GREY, transform=ax.transAxes)
            ax.set_axis_off()
        elif found.method == "sobol":
            handles = _sobol_bars(ax, indices, order)
        else:
            handles = _morris_bars(ax, indices, order)
        if indices.variance:
            _factor_axis(ax, indices, order)
        style.title(fig, finding(found, code, measure), subtitle(found, code, measure))
        if handles:
            # Above the bars, as the tornado's: below them it would cover the labels of the last rows; on as many
            # rows as the figure's width needs.
            style.top_legend(fig, ax, handles, fontsize=9.5)
        style.footer(fig, None, provenance(found))
    return fig


def what(found: GlobalSensitivity, code: str, measure: str) -> str:
    """"Argentina's chance of cooperation by Dec 2031"."""
    name = cut(found.names[found.codes.index(code)], CHART_NAME)
    by = next(m.date for m in found.measures if m.key == measure)
    return f"{possessive(name)} chance of {found.scenario.template.success_words} by {style.month_year(by)}"


def leaders(indices: Indices) -> list[int]:
    """The settings that explain most, beyond noise: the first, and every other whose interval reaches its."""
    beyond = indices.beyond_noise()
    order = [i for i in indices.order() if beyond[i]]
    if not order:
        return []
    value, half = _key(indices)
    first = order[0]
    return [i for i in order if value[i] + half[i] >= value[first] - half[first]]


def finding(found: GlobalSensitivity, code: str, measure: str) -> str:
    """The title: what explains the chance most (only what is beyond noise), and how much."""
    indices = found.indices[(code, measure)]
    subject = capital(what(found, code, measure))
    if indices.variance == 0:
        return f"No setting moves {subject}"
    leading = leaders(indices)
    if not leading:
        return f"No setting explains {subject} beyond the noise of the design"
    value, _ = _key(indices)
    first = found.phrases[leading[0]]
    # A setting within noise may have a larger estimate than the leader: the sentence says whom it ranks.
    among = "" if indices.order()[0] == leading[0] else "of the settings beyond noise, "
    # The subject first, so that a title cut at its second line keeps it.
    if len(leading) == 1:
        if found.method == "sobol":
            return f"{subject}: {among}{first} explains the largest share of its variance, {value[leading[0]]:.0%}"
        return f"{subject}: {among}{first} moves it most, {value[leading[0]]:.0f} points across its range"
    # Several within noise of each other: said first, so that a title cut at its second line keeps it; two
    # named, the rest counted.
    more = len(leading) - 2
    names = join_words([first, found.phrases[leading[1]]] + ([f"{more} more"] if more else []))
    lead = f"{len(leading)} settings beyond noise lead" if among else f"{len(leading)} settings lead"
    return f"{subject}: {lead}, within noise of each other: {names}"


def subtitle(found: GlobalSensitivity, code: str, measure: str) -> str:
    indices = found.indices[(code, measure)]
    every = f"{len(found.groups)} {'groups of settings' if found.grouped else 'settings'} at once"
    if found.method == "sobol":
        text = (f"Sobol' indices, {every}; dark: alone (first order), light: with interactions (total); "
                "lines: 95% intervals")
        if indices.interactions is not None and indices.variance:
            share, low, high = indices.interactions
            text += ("; interactions: none beyond noise" if low <= 0 else
                     f"; interactions: {_share(share)} of the variance (95%: {_share(low)}–{_share(high)})")
    else:
        text = (f"Morris elementary effects, {every}; bar: μ*, the mean change across a setting's range "
                "(line: 95% interval); dot: σ, how much it varies with the others")
    if indices.noise is not None and indices.variance:
        text += f"; replication noise: {_share(indices.noise)} of the variance"
    return text


def provenance(found: GlobalSensitivity) -> str:
    return (f"Scenario: {found.scenario.name}  ·  {found.points:,} points × {found.replications:,} replications"
            f"  ·  seed {found.scenario.seed}")


def _share(x: float) -> str:
    return f"{max(x, 0.0):.0%}"  # a share of the variance: an estimate below zero is one near zero



def _key(indices: Indices) -> tuple[np.ndarray, np.ndarray]:
    if indices.total is not None and indices.total_half is not None:
        return indices.total, indices.total_half
    assert indices.mu_star is not None and indices.mu_star_half is not None
    return indices.mu_star, indices.mu_star_half


def _sobol_bars(ax: Axes, indices: Indices, order: list[int]) -> list[Any]:
    assert indices.first is not None and indices.first_half is not None
    assert indices.total is not None and indices.total_half is not None
    beyond = indices.beyond_noise()
    for y, i in enumerate(order):
        alpha = 1.0 if beyond[i] else PALE
        total, first = float(indices.total[i]), float(indices.first[i])
        # A share of the variance lies between 0 and 1: an estimate beyond is noise, drawn to the edge and said.
        ax.barh(y, min(max(total, 0.0), 1.0), height=0.7, color=TOTAL_COLOUR, alpha=alpha, edgecolor="white",
                linewidth=0.8)
        ax.barh(y, min(max(first, 0.0), 1.0), height=0.36, color=FIRST_COLOUR, alpha=alpha, edgecolor="white",
                linewidth=0.8)
        ends = [min(max(total, 0.0), 1.0)]
        for value, half, dy, colour in ((indices.total[i], indices.total_half[i], -0.24, "#5A5A5A"),
                                        (indices.first[i], indices.first_half[i], 0.0, "#1A1A1A")):
            lo, hi = max(float(value - half), 0.0), float(value + half)
            if hi > 0:
                ax.plot([min(lo, 1.0), min(hi, 1.0)], [y + dy, y + dy], color=colour, linewidth=1.0, alpha=alpha,
                        marker="|", markersize=5)
                if hi > 1.0:
                    ax.plot([1.0], [y + dy], color=colour, alpha=alpha, marker=">", markersize=5)
                ends.append(min(hi, 1.0))
        label = f"{max(total, 0.0):.2f}{indices.mark(i)}"
        if indices.above_one()[i]:
            label += f"; {'alone' if first > total else 'total'} {max(total, first):.2f}, above 1: too few samples"
        ax.annotate(label, (max(ends), y), xytext=(6, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=9.5, color="#333333")
    reach = max(float(np.max(np.maximum(indices.total[order] + indices.total_half[order],
                                        indices.first[order] + indices.first_half[order]))), 0.1)
    ax.set_xlim(0.0, min(1.15, reach * 1.35))
    ax.set_xlabel("Share of the variance across the design")
    style.light_grid(ax, "x")
    return [Patch(color=TOTAL_COLOUR, label="With interactions (total)"),
            Patch(color=FIRST_COLOUR, label="Alone (first order)"),
            Patch(color=TOTAL_COLOUR, alpha=PALE, label="pale: within noise")]


def _morris_bars(ax: Axes, indices: Indices, order: list[int]) -> list[Any]:
    assert indices.mu_star is not None and indices.mu_star_half is not None and indices.sigma is not None
    beyond = indices.beyond_noise()
    for y, i in enumerate(order):
        alpha = 1.0 if beyond[i] else PALE
        mu = float(indices.mu_star[i])
        ax.barh(y, mu, height=0.6, color=FIRST_COLOUR, alpha=alpha, edgecolor="white", linewidth=0.8)
        half = float(indices.mu_star_half[i])
        ax.plot([max(mu - half, 0.0), mu + half], [y, y], color="#333333", linewidth=1.0, alpha=alpha)
        if np.isfinite(indices.sigma[i]):
            ax.plot([indices.sigma[i]], [y], "o", color=SIGMA_COLOUR, markersize=6, alpha=alpha)
        ax.annotate(f"{mu:.1f}", (mu + half, y), xytext=(5, 0), textcoords="offset points", ha="left",
                    va="center", fontsize=9.5, color="#333333")
    values = np.concatenate([indices.mu_star[order] + indices.mu_star_half[order],
                             np.nan_to_num(indices.sigma[order])])
    ax.set_xlim(0.0, max(float(np.max(values)), 1.0) * 1.25)
    ax.set_xlabel("Mean absolute change in the chance, points (μ*)")
    style.light_grid(ax, "x")
    return [Patch(color=FIRST_COLOUR, label="μ*: the setting's effect"),
            Line2D([], [], marker="o", linestyle="", color=SIGMA_COLOUR, label="σ: varies with others"),
            Patch(color=FIRST_COLOUR, alpha=PALE, label="pale: within noise")]


def _factor_axis(ax: Axes, indices: Indices, order: list[int]) -> None:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    labels = [style.short_name(fig, indices.names[i], 10, room=FACTOR_ROOM) for i in order]
    ax.set_yticks(range(len(order)), labels, fontsize=10)
    ax.set_ylim(max(len(order), 4) - 0.5, -0.6)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
