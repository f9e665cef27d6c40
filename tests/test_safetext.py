"""User text as data: each output format gets text it cannot misread."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from rich.console import Console

from partnersim import safetext


def test_a_line_has_no_control_characters_and_no_line_breaks() -> None:
    assert safetext.line("Chile\x1b[31m red\x07\nnext\tcell\u202eevil") == "Chile[31m red next cellevil"
    assert safetext.line("Türkiye (hypothetical)") == "Türkiye (hypothetical)"


def test_control_characters_are_named() -> None:
    assert safetext.control_characters("a\x1bb\x00c\u202e\td\n") == ["U+001B", "U+0000", "U+202E"]
    assert safetext.control_characters("Côte d'Ivoire") == []


@pytest.mark.parametrize("name", ["[/x]", "[bold]Chile[/bold]", "a\\[b]", "[link=http://x]y[/link]"])
def test_console_text_is_shown_as_written_never_read_as_markup(name: str) -> None:
    screen = Console(file=io.StringIO(), width=200, color_system=None)
    screen.print(f"[bold]{safetext.console(name)}[/bold]")
    assert screen.file.getvalue().rstrip("\n") == name  # type: ignore[attr-defined]


def test_markdown_text_holds_no_html_and_no_markup() -> None:
    text = safetext.markdown("<script>alert(1)</script> **x** [a](http://e) | &amp;")
    assert "<" not in text and ">" not in text
    assert "\\*\\*x\\*\\*" in text and "\\[a\\]" in text and "\\|" in text and "&amp;amp;" in text


@pytest.mark.parametrize(("name", "written"), [
    ("1. Peru", "1\\. Peru"), ("12) Peru", "12\\) Peru"), ("- Peru", "\\- Peru"), ("+ Peru", "\\+ Peru"),
    ("  - Peru", "  \\- Peru"), ("Peru 1. - +", "Peru 1. - +"), ("-0.5", "\\-0.5"),
])
def test_markdown_text_never_starts_a_list(name: str, written: str) -> None:
    assert safetext.markdown(name) == written


@pytest.mark.parametrize(("name", "written"), [
    ("$x^2$", "\\$x^2\\$"), ("$E=mc^2$", "\\$E=mc^2\\$"), ("$\\frac{a}{b}$", "\\$\\\\frac\\{a\\}\\{b\\}\\$"),
    ("$$x$$", "\\$\\$x\\$\\$"), ("US$ 5", "US\\$ 5"),
])
def test_markdown_text_is_never_read_as_mathematics(name: str, written: str) -> None:
    assert safetext.markdown(name) == written


@pytest.mark.parametrize(("name", "written"), [
    ("www.evil.example/phish", "www\\.evil\\.example/phish"),
    ("WWW.evil.example", "WWW\\.evil\\.example"),
    ("see https://evil.example/x?y", "see https\\://evil\\.example/x?y"),
    ("ftp://evil.example", "ftp\\://evil\\.example"),
    ("evil.com/phish", "evil\\.com/phish"),
    ("www.123.example", "www\\.123\\.example"), ("St. Kitts 1.5", "St. Kitts 1.5"),
])
def test_markdown_text_holds_no_web_address_that_becomes_a_link(name: str, written: str) -> None:
    assert safetext.markdown(name) == written


@pytest.mark.parametrize("name", [
    "$x^2$", "$E=mc^2$ and $$y$$", "www.evil.example/phish", "https://evil.example/a_b", "Côte d'Ivoire 1.5",
    "- 1. **Mexico** | [a](b) <i>x</i> & ~y~ `z` #h !",
])
def test_markdown_text_reads_as_written(name: str) -> None:
    """CommonMark shows every escape as the character it escapes, so the name reads as written."""
    import html

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(safetext.markdown(name)).strip()
    assert re.fullmatch(r"<p>(.*)</p>", rendered, flags=re.S)
    assert html.unescape(rendered[3:-4]) == name


def test_xml_text_parses() -> None:
    value = safetext.xml("a\x00b\x1bc\ufffed\U0001f600")
    root = ET.fromstring(f"<r>{value}</r>")
    assert root.text == "abcd\U0001f600"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("\uff1d1+1", "'\uff1d1+1"),
        ("-0.034", "-0.034"), ("+1.5e-3", "+1.5e-3"), ("Argentina", "Argentina"), ("", ""), (0.5, 0.5),
    ],
)
def test_a_csv_cell_that_a_spreadsheet_would_run_gets_an_apostrophe(cell: object, written: object) -> None:
    assert safetext.csv_cell(cell) == written
    out = io.StringIO()
    csv.writer(out).writerow(safetext.csv_row([cell]))
    assert next(csv.reader(io.StringIO(out.getvalue())))[0] == str(written)
