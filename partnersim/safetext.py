"""User text as data: what each output format needs done to a name before it holds it.

Names, questions and labels come from scenario files and run folders, which
anyone may have written. Every place that puts such text into an output goes
through one function of this module, chosen by the format:

- :func:`line` for a single line shown to a person (terminal, chart, slide):
  control characters and the Unicode controls that reorder text are removed,
  line breaks and tabs become spaces;
- :func:`console` for text printed through Rich: :func:`line`, then escaped so
  that ``[bold]`` or ``[/x]`` in a name is shown, never read as markup;
- :func:`markdown` for Markdown: :func:`line`, then HTML and Markdown
  punctuation escaped, so a name renders as written;
- :func:`xml` for XML and Office files: characters XML 1.0 forbids removed
  (the writer still escapes ``<`` and ``&``);
- :func:`csv_cell` for a CSV cell: a text that a spreadsheet would run as a
  formula gets a leading apostrophe (OWASP's advice on CSV injection).

Only the standard library is used, so every layer may import it.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls (tab, line feed and carriage return are handled apart), DEL and C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates: they make text display in another order than it is stored.
_REORDER = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_BREAKS = re.compile("[\t\n\r\u2028\u2029\x85]+")
# Characters XML 1.0 does not allow anywhere in a document.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# "$" too: GitHub, Jupyter and Obsidian read text between dollar signs as mathematics.
_MARKDOWN = re.compile(r"([\\`*_\[\]{}|#~!$])")
# What makes a renderer turn bare text into a link: "www." (GitHub), a dot before the letters of a
# domain's next part ("evil.com", markdown-it's linkify) and the ":" of "://". Escaped, each still
# reads as written; a number's decimal point is left alone.
_LINK = re.compile(r"(?<=[wW]{3})\.|(?<=[^\W_])\.(?=[^\W\d_])|:(?=//)")
# What starts a list item when a text opens a line (or follows "- "): "-", "+", "1." or "1)".
_BLOCK_START = re.compile(r"^(\s*)([-+]|\d+[.)])")


def control_characters(text: str) -> list[str]:
    """The control and reordering characters in ``text`` (tab and line breaks aside), as ``U+001B``."""
    found = _CONTROL.findall(text) + _REORDER.findall(text)
    return [f"U+{ord(char):04X}" for char in dict.fromkeys(found)]


def line(text: Any) -> str:
    """``text`` as one line a person reads: no control characters, line breaks and tabs as spaces."""
    return _REORDER.sub("", _CONTROL.sub("", _BREAKS.sub(" ", str(text))))


def console(text: Any) -> str:
    """``text`` for Rich: one line, with ``[`` escaped so that nothing in it is read as markup."""
    from rich.markup import escape

    return escape(line(text))


def markdown(text: Any) -> str:
    """``text`` for Markdown: one line, ``&`` and Markdown punctuation escaped, no raw HTML.

    A leading ``-``, ``+`` or ``1.`` is escaped too, so a name that opens a
    line or a list item never starts a list of its own; so is ``$``, so that
    ``$x^2$`` is never read as mathematics, and so are the dots of a domain and
    the ``:`` of ``://``, so that a bare ``www.example.org`` or
    ``https://example.org`` is never made a link. Every escape renders as the
    character it escapes: the name reads as written.
    """
    escaped = _LINK.sub(r"\\\g<0>", _MARKDOWN.sub(r"\\\1", line(text)))
    escaped = _BLOCK_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}", escaped)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml(text: Any) -> str:
    """``text`` without the characters XML 1.0 forbids (escaping ``<``, ``&`` is the writer's job)."""
    return _NOT_XML.sub("", str(text))


def csv_cell(value: Any) -> Any:
    """``value`` safe for a spreadsheet: text that would run as a formula gets a leading ``'``.

    Numbers, and text that is a plain number (``-0.034``), are left as they
    are, so columns of changes stay numeric.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_row(values: Any) -> list[Any]:
    """Every cell of a row through :func:`csv_cell`."""
    return [csv_cell(value) for value in values]
