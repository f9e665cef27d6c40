"""The sizes and file formats of charts, known without importing matplotlib.

A run checks the size and format it was asked for before drawing anything,
and may leave every chart to a helper process (:mod:`partnersim.charts.workers`):
it then never needs matplotlib itself.
"""

from __future__ import annotations

from partnersim.errors import PartnersimError

# Width × height in inches: a 16:9 slide, an A4 page in landscape, and a chart across an A4 page in portrait.
# A briefing prints a "page" chart 7.27 in wide (88%), its own margins in line with the text, two to a
# page: the smallest text of a chart (8 pt) prints at 7 pt, tick labels at nearly 10 pt.
SIZES: dict[str, tuple[float, float]] = {"slide": (10.0, 5.625), "a4": (11.69, 8.27), "page": (8.27, 4.4)}
FORMATS = ("png", "svg", "pdf")


def figure_size(size: str) -> tuple[float, float]:
    try:
        return SIZES[size]
    except KeyError:
        raise PartnersimError(
            f'"size" must be one of {", ".join(SIZES)}, got {size!r}.'
        ) from None
