"""Folders that commands write: hidden until complete, locked while written, replaced only when ours.

Every command that writes a folder (``run``, the what-ifs, ``fit``,
``backtest``) writes it through :class:`RunFolder`, so each has the same
guarantees: a folder stopped midway never looks finished, two commands never
write the same folder at once, and ``--force`` never deletes what partnersim
did not write.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from partnersim import files
from partnersim.errors import RunFolderError


def default_folder(stem: str, when: dt.datetime, kind: str = "run") -> Path:
    """``runs/<stem>-<date>-<time>`` for a run, ``runs/<kind>-<stem>-<date>-<time>`` for other commands."""
    name = stem if kind == "run" else f"{kind}-{stem}" if stem else kind
    return Path("runs") / f"{name}-{when:%Y%m%d-%H%M%S}"


MANIFEST = "manifest.json"
_MARK = ".partnersim-partial"  # the first file of a folder being written: says the folder is ours


class RunFolder:
    """A folder that a command writes: hidden until complete, locked while written.

    The folder is written as ``.NAME.partial`` beside its final name and moved
    into place by :meth:`commit`, which writes ``manifest.json`` last, with the
    size and SHA-256 of every file. While it is written, the name is locked: a
    second command writing the same folder is refused. ``force`` replaces an
    existing folder only if it is a finished folder of partnersim (its
    manifest says so), and keeps it until the new one is in place. Used as a
    context manager, anything but a commit discards what was written.

    With ``fresh``, the name is a default that may be taken (two commands
    started in the same second): ``NAME-2``, ``NAME-3``, … are used instead.
    """

    def __init__(self, final: Path, *, force: bool = False, kind: str = "run", fresh: bool = False) -> None:
        self.kind = kind
        self.lock: files.Lock | None = None
        final = Path(os.path.normpath(final))  # runs/x/charts/.. is runs/x
        if final.name in ("", ".", ".."):  # . or .. has no name to write a hidden folder beside
            final = final.resolve()
        self.final = self._claim(final, fresh)
        self.path = self.final.parent / f".{self.final.name}.partial"
        try:
            self._check_existing(force)
            self._clear_stale()
            self.path.mkdir()
            (self.path / _MARK).touch()
            (self.path / "charts").mkdir()
        except RunFolderError:
            self._release()
            raise
        except OSError as exc:
            self._release()
            raise RunFolderError(f"cannot write the run folder {self.final}: {exc.strerror or exc}") from None

    def _claim(self, final: Path, fresh: bool) -> Path:
        """Lock ``final`` (or, when ``fresh``, the first free ``final-N``); return the name locked."""
        self._made: list[Path] = []  # folders on the way made for this one, deepest first: removed with it if empty
        above = final.parent
        while not above.exists() and above != above.parent:
            self._made.append(above)
            above = above.parent
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where a folder on the way should be
            raise RunFolderError(f"cannot write the run folder {final}: {os.strerror(errno.ENOTDIR)}") from None
        except OSError as exc:
            raise RunFolderError(f"cannot write the run folder {final}: {exc.strerror or exc}") from None
        for number in range(1, 1000 if fresh else 2):
            name = final if number == 1 else final.with_name(f"{final.name}-{number}")
            try:
                lock = files.Lock(name)
            except files.Busy as busy:
                if fresh:
                    continue
                raise RunFolderError(
                    f"{name} is being written by {busy} now; wait for it to finish, or choose another --out"
                ) from None
            except OSError as exc:
                raise RunFolderError(f"cannot write the run folder {name}: {exc.strerror or exc}") from None
            if fresh and name.exists():
                lock.release()
                continue
            self.lock = lock
            return name
        raise RunFolderError(f"{final} and 998 names after it are taken; choose a folder with --out")

    def _check_existing(self, force: bool) -> None:
        final = self.final
        if not (final.exists() or final.is_symlink()):
            return
        if not force:
            raise RunFolderError(f"{final} already exists; choose another --out or add --force to replace it")
        if final.is_symlink() or not final.is_dir():
            raise RunFolderError(
                f"{final} is not a folder that partnersim wrote, so --force does not replace it; "
                "choose another --out"
            )
        if Path.cwd().resolve().is_relative_to(final.resolve()):
            raise RunFolderError(f"{final} holds the folder you are in, so it cannot be replaced; choose another --out")
        if not any(final.iterdir()):
            return
        manifest = read_manifest(final)
        if manifest is None:
            raise RunFolderError(
                f"{final} is not a folder that partnersim wrote (it has no partnersim {MANIFEST}), so --force "
                "does not replace it; choose another --out, or move its files away first"
            )
        foreign = foreign_files(final, manifest)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3:,} more" if len(foreign) > 3 else "")
            raise RunFolderError(
                f"{final} holds files that partnersim did not write ({shown}), so --force does not replace it; "
                "move them away first, or choose another --out"
            )

    def _clear_stale(self) -> None:
        """Remove the partial folder a killed command left (we hold the lock, so nobody is writing it)."""
        if not (self.path.exists() or self.path.is_symlink()):
            return
        if self.path.is_symlink() or not (self.path / _MARK).is_file():
            raise RunFolderError(
                f"{self.path} exists and was not left by partnersim; move it away, or choose another --out"
            )
        shutil.rmtree(self.path)

    def write_text(self, name: str, text: str) -> Path:
        target = self.path / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise RunFolderError(f"cannot write {self.final / name}: {exc.strerror}") from None
        return target

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def copy_inputs(self, sources: Sequence[Path]) -> None:
        """The scenario files as written, under ``inputs/``, named as :func:`input_names` names them."""
        for name, source in zip(input_names(sources), sources, strict=True):
            self.write_text(f"inputs/{name}", source.read_text(encoding="utf-8"))

    def commit(self, record: dict[str, Any]) -> Path:
        """Write ``manifest.json`` (``record`` with the kind and every file's size and hash); move into place."""
        try:
            (self.path / _MARK).unlink()
            listed = {"kind": self.kind, **record, "files": _listing(self.path)}
        except OSError as exc:
            raise RunFolderError(f"cannot finish the run folder {self.final}: {exc.strerror or exc}") from None
        self.write_json(MANIFEST, listed)
        # A folder replaced with --force is set aside, not deleted, until the new one is in place;
        # under a name nobody has, so that nothing else is ever removed in its place.
        old = self.final.parent / f".{self.final.name}.replaced-{secrets.token_hex(4)}"
        try:
            if self.final.exists():
                os.replace(self.final, old)
            try:
                os.replace(self.path, self.final)
            except OSError:
                if old.exists():
                    os.replace(old, self.final)
                raise
        except OSError as exc:
            raise RunFolderError(f"cannot finish the run folder {self.final}: {exc.strerror}") from None
        shutil.rmtree(old, ignore_errors=True)
        self._release()
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._release()
        for folder in self._made:  # runs/, made for a run that never was, goes with it (unless it holds another)
            try:
                folder.rmdir()
            except OSError:
                break

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.lock is not None:  # not committed
            self.discard()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a finished partnersim folder; None if ``folder`` has none that partnersim wrote."""
    try:
        raw = files.read_regular(folder / MANIFEST, MAX_JSON_BYTES)
        if len(raw) > MAX_JSON_BYTES:
            return None
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("partnersim"), str):
        return None
    return data


MAX_JSON_BYTES = 50_000_000  # far above what a run writes; stops a file made to exhaust memory

# What partnersim writes into a finished folder later: charts drawn again, and the briefing.
_ADDED_LATER = re.compile(r"charts/.+|report\.(pdf|html|pptx)|(.*/)?\.[^/]+\.[0-9a-f]{8}\.tmp")
# What the commands wrote before manifests listed their files.
_WRITTEN = re.compile(
    r"(inputs|charts)/.+|[a-z_]+\.parquet|events\.xes|"
    r"(manifest|summary|fit|backtest)\.json|(scenario|allies)\.yaml|summary\.md|differences\.txt|"
    r"(results|cooperation_by_date|partnership_areas|replications|events|compare|sweep|sensitivity|backtest)\.csv"
)


def foreign_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """The files of a finished ``folder`` that partnersim did not write (links count as not written).

    A file is partnersim's if the manifest lists it, or if partnersim writes
    it into a finished folder later (charts, the briefing); in a folder written
    before manifests listed files, if its name is one a command writes.
    """
    listed = manifest.get("files")
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.relative_to(folder).as_posix()
        if name == MANIFEST and not path.is_symlink():
            continue
        ours = (name in listed or _ADDED_LATER.fullmatch(name)) if isinstance(listed, dict) else _WRITTEN.fullmatch(name)
        if path.is_symlink() or not ours:
            found.append(name)
    return found


def check_finished(folder: Path, required: Sequence[str], then: str) -> None:
    """Raise :class:`RunFolderError`, one line ending in ``then`` (what to do), unless ``folder`` is a
    finished folder holding every file of ``required``."""
    if is_partial(folder):
        raise RunFolderError(f"{folder} is an unfinished run (it never finished: it was stopped or killed "
                             f"before it completed); {then}")
    if not folder.exists():
        if (folder.parent / f".{folder.name}.partial").exists():
            raise RunFolderError(f"{folder} was not finished (the run stopped before it completed); {then}")
        raise RunFolderError(f"no run folder at {folder}")
    if not folder.is_dir():
        raise RunFolderError(
            f"{folder} is a file, not a run folder; give the folder a run wrote, such as runs/latam-20261201-120000"
        )
    missing = [name for name in required if not (folder / name).is_file()]
    if len(missing) == len(required):
        raise RunFolderError(f"{folder} is not a run folder (it has no {', '.join(required)})")
    if missing:
        raise RunFolderError(
            f"{folder} is an incomplete run folder: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing; {then}"
        )


def is_partial(folder: Path) -> bool:
    """Whether ``folder`` is the hidden ``.NAME.partial`` folder of a command that did not finish."""
    return bool(re.fullmatch(r"\..+\.partial", folder.name))


def _listing(folder: Path) -> dict[str, dict[str, Any]]:
    """Every file of ``folder`` (but the manifest), with its size in bytes and its SHA-256."""
    listed = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name == MANIFEST:
            continue
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
        listed[name] = {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}
    return listed


def input_names(sources: Sequence[Path]) -> list[str]:
    """Names for a scenario's files inside ``inputs/``: paths from the folder they all share.

    A what-if and the file it extends may share a file name; kept by their
    paths, both are kept, and an ``extends:`` written as a relative path still
    finds its file inside ``inputs/``.
    """
    if not sources:
        return []
    folders = [p.resolve().parent for p in sources]
    common = Path(os.path.commonpath(folders))
    return [p.resolve().relative_to(common).as_posix() for p in sources]
