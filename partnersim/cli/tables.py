"""Terminal tables that never cut a number: as a table when it fits, else one block per row.

Rich shrinks a table wider than the terminal by cutting its cells ("20…",
"0.…"), which loses the very numbers a reader wants. :func:`print_table`
prints the table as it is when its natural width fits; otherwise each row
becomes a block headed by its first cell, with every other cell after its
column heading, as many to a line as fit; a cell too long for a line has
a line of its own, whole (the terminal folds it), never cut.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported when a table is printed, not when the command line starts
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

GAP = "   "  # between two cells on one line of a block
INDENT = "  "
NATURAL = 10_000  # a width no table reaches: its natural width is measured, not the width it is given


def print_table(screen: Console, table: Table) -> None:
    """Print ``table`` on ``screen``: as a table when it fits the width, else stacked (see the module)."""
    from rich.measure import Measurement

    if Measurement.get(screen, screen.options.update_width(NATURAL), table).maximum <= screen.width:
        screen.print(table)
        return
    for line in stacked(table, screen.width):
        screen.print(line, soft_wrap=True)


def stacked(table: Table, width: int) -> list[Text]:
    """The lines of ``table`` as blocks of ``width`` columns at most: its title, a block per row, its caption."""
    from rich.text import Text

    lines: list[Text] = [Text()]
    if table.title:
        lines.extend(_wrap(_text(table.title, "bold"), width))
    headings = [_text(column.header, "dim") for column in table.columns]
    columns = [list(column.cells) for column in table.columns]
    for row in range(table.row_count):
        cells = [_text(cells[row]) for cells in columns]
        head = cells[0].copy() if cells else Text()
        head.stylize("bold")
        lines.append(head)
        pieces = [Text.assemble(heading, Text(": ", style="dim"), cell)
                  for heading, cell in zip(headings[1:], cells[1:], strict=True) if cell.plain]
        lines.extend(_pack(pieces, width - len(INDENT)))
    if table.caption:
        lines.extend(_wrap(_text(table.caption, "dim"), width))
    return lines


def _pack(pieces: list[Text], width: int) -> list[Text]:
    """``pieces`` on lines of at most ``width`` cells, in order, as many to a line as fit."""
    from rich.text import Text

    lines: list[Text] = []
    current: Text | None = None
    for piece in pieces:
        if current is not None and current.cell_len + len(GAP) + piece.cell_len <= width:
            current.append(GAP)
            current.append_text(piece)
            continue
        if current is not None:
            lines.append(current)
        current = piece.copy()
    if current is not None:
        lines.append(current)
    # A cell longer than a line keeps its line whole (the terminal folds it): a name or a number is never split.
    return [Text.assemble(Text(INDENT), line) for line in lines]


def _wrap(text: Text, width: int) -> list[Text]:
    """``text`` split at spaces into lines of at most ``width`` cells; a word longer than a line keeps its line."""
    if text.cell_len <= width:
        return [text]
    lines: list[Text] = []
    start, last_space = 0, -1
    plain = text.plain
    for i, char in enumerate(plain):
        if char == " ":
            last_space = i
        if i - start >= width and last_space > start:
            lines.append(text[start:last_space])
            start = last_space + 1
    lines.append(text[start:])
    return lines


def _text(value: object, style: str = "") -> Text:
    from rich.text import Text

    if isinstance(value, Text):
        return value.copy()
    return Text.from_markup(str(value), style=style, emoji=False)  # ":smile:" in a name is printed as written


def print_paragraph(screen: Console, markup: str, indent: int = 2) -> None:
    """A long sentence (console markup, names escaped) indented by ``indent``: wrapped at words to the
    terminal's width, or to COLUMNS where that is set; written to a file or a pipe, one line, for grep."""
    from rich.padding import Padding
    from rich.text import Text

    from partnersim.cli.common import sized

    if sized(screen.file):
        screen.print(Padding(Text.from_markup(markup, emoji=False), (0, 0, 0, indent)))
    else:
        screen.print(" " * indent + markup, soft_wrap=True)
