"""The briefing as one self-contained HTML file: images inlined, no scripts, no fonts or styles fetched.

It opens offline in any browser, can be mailed as one attachment, and prints
on A4 with each chart kept whole on its page; charts are drawn for the width
of an A4 page, so their text prints at a legible size. A marking, when asked
for, heads and foots the page on screen and every printed page. Every text
goes through
:func:`_text`: no control character from a name or a comment reaches the
file, and no markup either.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from partnersim._version import __version__
from partnersim.safetext import line

if TYPE_CHECKING:
    from partnersim.report.content import Briefing, ChartSection
    from partnersim.report.findings import Table

CSS = """
:root { --ink: #1a1a1a; --muted: #5a5a5a; --rule: #d5d5d5; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: var(--ink);
       font: 16px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 60rem; margin: 2rem auto; background: white; padding: 2.5rem 3rem;
       box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .4rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-top: .6rem; border-top: 2px solid var(--accent); }
h3 { font-size: 1.08rem; margin: 1.6rem 0 .5rem; }
.meta { color: var(--muted); font-size: .9rem; margin: 0 0 1.2rem; }
.question { font-style: italic; font-size: 1.12rem; }
.findings li { margin: .45rem 0; }
.note, figcaption, .aside { color: var(--muted); font-size: .88rem; }
figcaption, .note { font-style: italic; }
figure { margin: 1.4rem 0 2rem; }
figure img { width: 100%; height: auto; display: block; border: 1px solid #eee; }
figure h3 { margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .3rem; font-size: .85rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e6e6e6; }
th { border-bottom: 1.5px solid #555; }
td.value { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .8rem; word-break: break-word; }
td.missing { color: var(--muted); font-style: italic; }
.settings td:first-child { width: 24%; } .settings td:nth-child(2) { width: 22%; }
.provenance td:first-child { width: 26%; font-weight: bold; }
.provenance td { word-break: break-word; }
.bottom-line { background: #EEF3F8; border-left: 5px solid var(--accent); padding: .8rem 1.1rem; margin: 1.2rem 0; }
.bottom-line h2 { border: 0; margin: 0 0 .3rem; padding: 0; font-size: 1.08rem; color: var(--accent); }
.bottom-line p { margin: 0; font-size: 1.05rem; }
.marking { text-align: center; font-weight: bold; letter-spacing: .04em; padding: .35rem 0; }
table.marked { width: 100%; margin: 0; font-size: inherit; border-collapse: collapse; }
table.marked > * > tr > td { padding: 0; border: 0; }
@page { size: A4; margin: 12mm 15mm 12mm; }
@media print {
  body { background: white; font-size: 10.5pt; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  h2 { break-after: avoid; } h3 { break-after: avoid; }
  figure, tr, .findings li, .bottom-line { break-inside: avoid; }
  thead { display: table-header-group; }
  .marking { padding: 0 0 4mm; font-size: 9.5pt; } tfoot .marking { padding: 4mm 0 0; }
}
"""


def write_html(briefing: Briefing, path: Path) -> Path:
    path.write_text(render(briefing), encoding="utf-8")
    return path


def render(briefing: Briefing) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="partnersim {_text(__version__)}">',
        f"<title>{_text(briefing.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
    ]
    mark = _text(briefing.marking)
    if mark:
        # A table's head and foot are repeated on every printed page: the marking heads and foots each one.
        parts += ['<table class="marked">', f'<thead><tr><td><div class="marking">{mark}</div></td></tr></thead>',
                  f'<tfoot><tr><td><div class="marking">{mark}</div></td></tr></tfoot>', "<tbody><tr><td>"]
    parts += [
        "<main>",
        f"<h1>{_text(briefing.title)}</h1>",
        f'<p class="meta">{_text(briefing.date_line)}</p>',
    ]
    if briefing.bottom_line:
        parts += ['<section class="bottom-line">', "<h2>Bottom line</h2>", f"<p>{_text(briefing.bottom_line)}</p>",
                  "</section>"]
    if briefing.question:
        parts += ["<h2>The question</h2>", f'<p class="question">{_text(briefing.question)}</p>']
    parts += ["<h2>Key findings</h2>", '<ul class="findings">']
    for finding, lead in zip(briefing.findings, briefing.finding_leads, strict=True):
        rest = finding[len(lead):] if finding.startswith(lead) else finding
        parts.append(f"<li><strong>{_text(lead)}</strong>{_text(rest)}</li>")
    parts += ["</ul>", f'<p class="note">{_text(briefing.reading)}</p>']
    parts += [f'<p class="note">{_text(note)}</p>' for note in briefing.notes]
    if briefing.result_charts:
        parts += ['<section class="charts">', "<h2>What the charts show</h2>"]
        parts += [_figure(section) for section in briefing.result_charts]
        parts.append("</section>")
    parts.append("<h2>Summary tables</h2>")
    parts += [_table(table) for table in briefing.tables]
    parts += ['<section class="assumptions">', *_assumptions(briefing), "</section>"]
    parts += ["<h2>Method and provenance</h2>", f"<p>{_text(briefing.method)}</p>"]
    if briefing.process is not None:
        parts.append(_figure(briefing.process))
    parts.append('<table class="provenance"><tbody>')
    parts += [f"<tr><td>{_text(k)}</td><td>{_text(v)}</td></tr>" for k, v in briefing.provenance]
    parts += ["</tbody></table>", "</main>"]
    if mark:
        parts += ["</td></tr></tbody>", "</table>"]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _figure(section: ChartSection) -> str:
    data = base64.b64encode(section.png).decode("ascii")
    return (f'<figure id="{_text(section.name)}">\n<h3>{_text(section.heading)}</h3>\n'
            f'<img src="data:image/png;base64,{data}" alt="{_text(section.headline)}">\n'
            f"<figcaption>{_text(section.caption)}</figcaption>\n</figure>")


def _table(table: Table, css: str = "") -> str:
    head = "".join(f"<th>{_text(h)}</th>" for h in table.header)
    rows = "\n".join("<tr>" + "".join(f"<td>{_text(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    note = f'<p class="note">{_text(table.note)}</p>' if table.note else ""
    return (f'<table{f" class={css!r}" if css else ""}><caption>{_text(table.title)}</caption>\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>{note}")


def _assumptions(briefing: Briefing) -> list[str]:
    parts = ["<h2>Assumptions and their sources</h2>",
             f'<p class="aside">{_text(briefing.inputs_note)}</p>']
    if briefing.description:
        parts += [f"<h3>{_text(briefing.description_heading)}</h3>", f"<p>{_text(briefing.description)}</p>"]
    for source in briefing.inputs:
        title = source.name + (f" (extends {source.extends})" if source.extends else "")
        parts.append(f"<h3>{_text(title)}</h3>")
        parts += [f'<p class="aside">{_text(p)}</p>' for p in source.header.split("\n\n") if p]
        if not source.settings:
            continue
        parts.append('<table class="settings"><thead><tr><th>Setting</th><th>Value</th>'
                     "<th>Source or reasoning</th></tr></thead><tbody>")
        for s in source.settings:
            where = _text(f"{source.name}, line {s.line}: {s.key}")
            source_cell = (f"<td>{_text(s.source)}</td>" if s.source
                           else '<td class="missing">no source given</td>')
            parts.append(f'<tr><td title="{where}">{_text(s.label)}</td><td class="value">{_text(s.value)}</td>'
                         f"{source_cell}</tr>")
        parts.append("</tbody></table>")
    return parts


def _text(text: str) -> str:
    """``text`` for HTML: one line without control characters, then ``<``, ``&`` and quotes escaped."""
    return escape(line(text))
