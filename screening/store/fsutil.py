"""File-system helpers for the store: atomic writes, directory fsync, the single-writer lock.

Every file the store writes that is not the SQLCipher database (key slots, unlock state,
backups, exports) goes through :func:`atomic_write` or :class:`AtomicFile`: a temporary file
in the same folder, created 0600, fsynced, then ``os.replace``-d over the target and the folder
fsynced. A crash leaves either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from screening.errors import ErrorCode, StoreError

FILE_MODE = 0o600


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (no-op where folders can't be opened)."""
    if sys.platform == "win32":  # pragma: no cover - NTFS metadata is journalled
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def io_error(exc: OSError, what: str) -> StoreError:
    """Map an OSError to a StoreError carrying the errno only (never a file's content)."""
    code = ErrorCode.STORE_DISK_FULL if exc.errno == errno.ENOSPC else ErrorCode.STORE_IO
    return StoreError(f"{what}: {os.strerror(exc.errno or 0)}", code=code, errno=exc.errno)


class AtomicFile:
    """``with AtomicFile(path) as f: f.write(...)`` replaces ``path`` only if the block succeeds."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        self._file: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.tmp, flags, FILE_MODE)
        except OSError as exc:
            # The folder is the user's choice: name it (to the user, not in a log).
            raise io_error(exc, f"cannot create a file in {self.path.parent}") from None
        self._file = os.fdopen(fd, "wb")
        return self._file

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._file is not None
        try:
            if exc_type is None:
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if exc_type is None:
                os.replace(self.tmp, self.path)
                fsync_dir(self.path.parent)
        except OSError as err:
            self._discard()
            raise io_error(err, "cannot write a file") from None
        finally:
            if exc_type is not None:
                self._discard()

    def _discard(self) -> None:
        with contextlib.suppress(OSError):
            if self._file is not None and not self._file.closed:
                self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


def atomic_write(path: Path, data: bytes) -> None:
    with AtomicFile(path) as f:
        f.write(data)


def remove_stale_temps(folder: Path, name: str) -> None:
    """Delete temporaries a crash left behind for ``name`` (they are never the only copy)."""
    for stale in folder.glob(f".{name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


class StoreLock:
    """An exclusive, non-blocking lock on ``<data_dir>/fieldscreen.lock``.

    Held while a Store is open so that two processes (a window and a CLI command) never write
    the same store. The kernel drops it when the process dies, even by SIGKILL.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise io_error(exc, "cannot create the lock file") from None
        try:
            if sys.platform == "win32":  # pragma: no cover
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreError(
                "the store is open in another FieldScreen window or command",
                code=ErrorCode.STORE_LOCKED,
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if sys.platform == "win32":  # pragma: no cover
                import msvcrt

                with contextlib.suppress(OSError):
                    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None
