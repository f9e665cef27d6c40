"""Writing files so that nothing half-written ever bears a final name, and two writers never meet.

- :func:`atomic` gives a temporary name beside a target; the file is renamed
  onto the target only when it is complete, so an interruption, a full disk
  or a crash leaves the old file (or none), never a truncated one.
- :class:`Lock` is an exclusive, non-blocking lock on a name (a run folder,
  say), held in a hidden ``.NAME.lock`` file beside it. The operating system
  releases it when its process ends, however it ends; it is removed when
  released, and it is not held by worker processes forked while it is held.

Only the standard library is used; every layer that writes may import it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from partnersim.errors import PartnersimError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; the rename still protects the files
    fcntl = None  # type: ignore[assignment]


class Busy(PartnersimError):
    """Another process holds the lock on a name."""


def temporary_name(target: Path) -> Path:
    """A hidden name beside ``target`` that no other writer will choose."""
    return target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"


@contextlib.contextmanager
def atomic(target: str | Path) -> Iterator[Path]:
    """A temporary path to write ``target`` to; renamed onto ``target`` when the block ends without error.

    On any error or interruption the temporary file is removed and ``target``
    is left as it was.
    """
    target = Path(target)
    if target.is_symlink():  # write the file the link names, and keep the link
        target = target.resolve()
    if target.exists() and not target.is_file():
        # Renaming onto a folder, a named pipe or a device would replace it: never do that.
        _check_regular(target.stat().st_mode, target)
    scratch = temporary_name(target)
    try:
        yield scratch
        os.replace(scratch, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            scratch.unlink()
        if isinstance(exc, OSError) and exc.filename == str(scratch):
            exc.filename = str(target)  # the user named the target; the temporary name means nothing to them
        raise


def write_text(target: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically; return ``target``."""
    target = Path(target)
    with atomic(target) as scratch:
        scratch.write_text(text, encoding="utf-8")
    return target


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically; return ``target``."""
    target = Path(target)
    with atomic(target) as scratch:
        scratch.write_bytes(data)
    return target


class NotRegular(OSError):
    """A path that is a folder, a named pipe, a device or a socket where a file was expected; ``kind``
    says which, in words ("a named pipe")."""

    def __init__(self, kind: str, path: str | Path) -> None:
        super().__init__(errno.EINVAL, f"{kind}, not a file", str(path))
        self.kind = kind


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def open_text(path: str | Path) -> io.TextIOWrapper:
    """A UTF-8 text file opened for reading as the csv module wants it, if it is a regular file."""
    return io.TextIOWrapper(open_regular(path), encoding="utf-8", newline="")


def open_regular(path: str | Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; :class:`NotRegular` if it is anything else.

    A named pipe opened for reading waits for a writer and a device may never
    end, so the path is checked before it is opened, opened without
    blocking, and what was opened is checked again (the path may have changed).
    """
    _check_regular(os.stat(path).st_mode, path)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        _check_regular(os.fstat(descriptor).st_mode, path)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def read_regular(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` + 1 of them); see :func:`open_regular`."""
    with open_regular(path) as stream:
        return stream.read() if limit is None else stream.read(limit + 1)


def _check_regular(mode: int, path: str | Path) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise NotRegular(kind, path)


# Descriptors of the locks this process holds: a forked worker closes its copies at once,
# so a lock is never kept alive by a worker after its owner has gone.
_held: weakref.WeakSet[Lock] = weakref.WeakSet()


def _close_in_child() -> None:
    for lock in list(_held):
        lock._forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


class Lock:
    """An exclusive lock on the name ``target``, held in ``.NAME.lock`` beside it.

    Acquiring never waits: if another process holds the lock, :class:`Busy`
    says which one. Use as a context manager, or call :meth:`release`.
    """

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)
        self.path = self.target.parent / f".{self.target.name}.lock"
        self._fd: int | None = None
        self._acquire()

    def _acquire(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = _read_owner(fd)
                os.close(fd)
                raise Busy(owner) from None
            except BaseException:
                os.close(fd)
                raise
            # The holder before us may have removed the file after we opened it: then our lock
            # is on a file nobody else will open, and we must lock the one at the path now.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        _held.add(self)

    def release(self) -> None:
        """Remove the lock file and release the lock (again: nothing)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None
        _held.discard(self)

    def _forget(self) -> None:
        # In a forked child: close our copy of the descriptor without touching the parent's lock.
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_owner(fd: int) -> str:
    """``process 1234``, as the holder wrote it, or ``another process``."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return f"process {text}" if text.isdigit() else "another process"
