"""Briefings built from a run folder or a what-if folder: PDF, self-contained HTML, or PowerPoint.

:func:`write_report` reads a finished run folder (see
:mod:`partnersim.results.load`) or the folder of ``compare``, ``sweep`` or
``sensitivity`` (see :mod:`partnersim.report.whatif`), builds the
:class:`~partnersim.report.content.Briefing` once, and lays it out in the
format asked for. matplotlib and python-pptx are imported only when a report
is written.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from partnersim import files
from partnersim.errors import PartnersimError, RunFolderError

FORMATS = ("pdf", "html", "pptx")
MARKING_LENGTH = 60  # characters: a marking is a short line, such as OFFICIAL-SENSITIVE or HYPOTHETICAL


def write_report(folder: str | Path, format: str = "pdf", out: str | Path | None = None, *,
                 marking: str | None = None, template: str | Path | None = None) -> Path:
    """Write the briefing of the run, comparison, sweep or sensitivity analysis in ``folder`` as ``format``;
    return the file written.

    ``out`` defaults to ``report.<format>`` inside the folder. ``marking`` (see :func:`check_marking`) is
    printed at the top and foot of every page or slide. ``template``, a PowerPoint presentation or
    template, gives slides its layouts and theme (see :func:`partnersim.report.slides.open_template`).
    """
    fmt = format.lower()
    if fmt not in FORMATS:
        raise PartnersimError(f'"format" must be one of {", ".join(FORMATS)}, got {format!r}.')
    mark = check_marking(marking) if marking is not None else ""
    if template is not None and fmt != "pptx":
        raise PartnersimError(f"--template gives PowerPoint slides their layouts; a {fmt.upper()} briefing "
                              "has none (use --format pptx)")
    if fmt == "pptx":
        require_pptx()
        from partnersim.report.slides import open_template

        open_template(template)  # a template that cannot be used fails before anything is drawn
    folder = Path(folder)
    kind = folder_kind(folder)
    target = Path(out) if out is not None else folder / f"report.{fmt}"
    if kind != "run":
        from partnersim.report.analyses import build_whatif

        _check_target(target, fmt, folder)
        briefing = build_whatif(folder, kind, size="slide" if fmt == "pptx" else "page")
    else:
        from partnersim.report.content import build
        from partnersim.results.load import load_run
        from partnersim.results.rows import read_rows

        run = load_run(folder)
        rows = read_rows(run.rows_path, run.results) if run.rows_path else None
        _check_target(target, fmt, run.folder)
        # Charts drawn at the size they are shown: a slide, or across an A4 page.
        briefing = build(run, rows, size="slide" if fmt == "pptx" else "page")
    briefing = dataclasses.replace(briefing, marking=mark)
    if fmt == "pdf":
        from partnersim.report.pdf import write_pdf as writer
    elif fmt == "html":
        from partnersim.report.html import write_html as writer
    else:
        from partnersim.report.slides import write_pptx

        writer = functools.partial(write_pptx, template=template)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed when complete: an interruption or a full
        # disk never leaves a truncated briefing under the final name.
        with files.atomic(target) as scratch:
            writer(briefing, scratch)
    except OSError as exc:
        raise PartnersimError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


BRIEFED = ("run", "compare", "sweep", "sensitivity", "indices", "scoreboard")  # the folders a briefing is written from


def folder_kind(folder: Path) -> str:
    """``run``, or ``compare``, ``sweep``, ``sensitivity`` or ``indices`` (a global sensitivity analysis) for a
    what-if folder; one line, naming what a
    briefing is written from, for a folder of another command or one that partnersim did not write.

    A folder that is missing, unfinished or incomplete is a run folder here: reading it says what is wrong.
    """
    from partnersim.results.folder import is_partial, read_manifest
    from partnersim.whatif.saved import what_if_kind

    kind = what_if_kind(folder)
    if kind is not None:
        return kind
    if not folder.is_dir() or is_partial(folder):
        return "run"
    manifest = read_manifest(folder)
    other = manifest.get("kind", "run") if manifest is not None else "run"
    if other == "scoreboard":
        return other
    given = "give a run, compare, sweep, sensitivity or scoreboard folder, or a scenario file"
    if other != "run":
        raise RunFolderError(f"{folder} is a {other} folder, which has no briefing; {given}")
    if manifest is None and not any((folder / name).exists() for name in ("summary.json", "scenario.yaml")):
        raise RunFolderError(f"{folder} is not a folder that partnersim wrote (it has no manifest.json); {given}")
    return "run"


SUFFIXES = {"pdf": (".pdf",), "html": (".html", ".htm"), "pptx": (".pptx",)}


def _check_target(target: Path, fmt: str, folder: Path) -> None:
    """Refuse a target that is not a briefing's file: another kind of file, or one of the run's own files."""
    if target.is_dir():
        raise PartnersimError(f"{target} is a folder; give a file name such as {target / ('report.' + fmt)}")
    if target.suffix.lower() not in SUFFIXES[fmt]:
        raise PartnersimError(
            f"--out: a {fmt.upper()} briefing is written to a file ending in {' or '.join(SUFFIXES[fmt])}, "
            f"got {target.name}"
        )
    inside = target.resolve().parent == folder.resolve()
    if inside and target.name != f"report.{fmt}" and target.exists():
        raise PartnersimError(f"{target} is a file in the run folder, not its briefing; write the briefing "
                              f"elsewhere, or as report.{fmt}")


def check_marking(text: str) -> str:
    """A marking as a briefing prints it, such as ``OFFICIAL-SENSITIVE`` or ``HYPOTHETICAL``: free text, one line
    of at most :data:`MARKING_LENGTH` characters, spaces at its ends removed."""
    import unicodedata

    marking = text.strip()
    if not marking:
        raise PartnersimError("--marking is empty; give the words to print, such as HYPOTHETICAL")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in marking):
        raise PartnersimError("--marking must be one line of printable text (no line breaks or control characters)")
    if len(marking) > MARKING_LENGTH:
        raise PartnersimError(f"--marking must be at most {MARKING_LENGTH} characters, got {len(marking)}: a marking "
                              "is a short line such as OFFICIAL-SENSITIVE")
    return marking


def require_pptx() -> None:
    try:
        import pptx  # noqa: F401
    except ImportError:
        raise PartnersimError(
            "PowerPoint briefings need python-pptx, which is not installed: pip install 'partnersim[pptx]'"
        ) from None


__all__ = ["FORMATS", "check_marking", "folder_kind", "require_pptx", "write_report"]
