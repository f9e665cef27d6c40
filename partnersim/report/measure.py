"""Text measured before it is set: widths and line breaks in DejaVu Sans, for the PDF and the slides.

The PDF is drawn in DejaVu Sans, so its text is measured exactly. A slide is
shown in whatever font the machine has for the theme's (Calibri, or Carlito,
Liberation Sans or DejaVu Sans where Calibri is missing); DejaVu Sans is the
widest of these, and matplotlib ships it, so text that fits measured in it
fits in any of them. PowerPoint's own "shrink text on overflow" is not relied
on: LibreOffice ignores it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from partnersim import safetext
from partnersim.charts import style

FAMILY = style.RC["font.sans-serif"][0]
Slant = Literal["normal", "italic", "oblique"]
DPI = 720


@lru_cache(maxsize=8)
def _renderer() -> RendererAgg:
    # At 720 dpi: a pixel is a tenth of a point, so hinting (which rounds glyphs to whole pixels) leaves the
    # width within a hair of the unhinted text a PDF draws; at 72 dpi a long bold run came out a space short.
    return RendererAgg(10, 10, DPI)


@lru_cache(maxsize=50_000)
def width(text: str, size: float, weight: str = "normal", slant: Slant = "normal") -> float:
    """Width of ``text`` in inches at ``size`` points."""
    props = FontProperties(family=FAMILY, size=size, weight=weight, style=slant)
    measured, _, _ = _renderer().get_text_width_height_descent(text, props, ismath=False)
    return float(measured) / DPI


def wrap(text: str, size: float, room: float, weight: str = "normal", slant: Slant = "normal") -> list[str]:
    """``text`` broken into lines no wider than ``room`` inches (each paragraph of it apart); a word wider
    than a line is cut."""
    lines: list[str] = []
    space = width(" ", size, weight, slant)
    for paragraph in text.split("\n"):
        current: list[str] = []
        used = 0.0
        for word in safetext.line(paragraph).split():
            for piece in _pieces(word, size, room, weight, slant):
                wide = width(piece, size, weight, slant)
                if current and used + space + wide > room:
                    lines.append(" ".join(current))
                    current, used = [], 0.0
                used += (space if current else 0.0) + wide
                current.append(piece)
        lines.append(" ".join(current))
    return lines


def _pieces(word: str, size: float, room: float, weight: str, slant: Slant) -> list[str]:
    if width(word, size, weight, slant) <= room:
        return [word]
    pieces, current = [], ""
    for char in word:
        if current and width(current + char, size, weight, slant) > room:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]
