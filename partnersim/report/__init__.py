"""Briefings built from a run folder: PDF, self-contained HTML, or PowerPoint.

:func:`write_report` reads a finished run folder (see
:mod:`partnersim.results.load`), builds the :class:`~partnersim.report.content.Briefing`
once, and lays it out in the format asked for. matplotlib and python-pptx are
imported only when a report is written.
"""

from __future__ import annotations

from pathlib import Path

from partnersim import files
from partnersim.errors import PartnersimError

FORMATS = ("pdf", "html", "pptx")


def write_report(folder: str | Path, format: str = "pdf", out: str | Path | None = None) -> Path:
    """Write the briefing of the run in ``folder`` as ``format``; return the file written.

    ``out`` defaults to ``report.<format>`` inside the run folder.
    """
    fmt = format.lower()
    if fmt not in FORMATS:
        raise PartnersimError(f'"format" must be one of {", ".join(FORMATS)}, got {format!r}.')
    if fmt == "pptx":
        require_pptx()
    from partnersim.report.content import build
    from partnersim.results.load import load_run
    from partnersim.results.rows import read_rows

    run = load_run(folder)
    rows = read_rows(run.rows_path, run.results) if run.rows_path else None
    target = Path(out) if out is not None else run.folder / f"report.{fmt}"
    _check_target(target, fmt, run.folder)
    briefing = build(run, rows)
    if fmt == "pdf":
        from partnersim.report.pdf import write_pdf as writer
    elif fmt == "html":
        from partnersim.report.html import write_html as writer
    else:
        from partnersim.report.slides import write_pptx as writer
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed when complete: an interruption or a full
        # disk never leaves a truncated briefing under the final name.
        with files.atomic(target) as scratch:
            writer(briefing, scratch)
    except OSError as exc:
        raise PartnersimError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


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


def require_pptx() -> None:
    try:
        import pptx  # noqa: F401
    except ImportError:
        raise PartnersimError(
            "PowerPoint briefings need python-pptx, which is not installed: pip install 'partnersim[pptx]'"
        ) from None


__all__ = ["FORMATS", "require_pptx", "write_report"]
