"""File-system helpers for the store: atomic writes, directory fsync, the single-writer lock.

Every file the store writes that is not the SQLCipher database (key slots, unlock state,
backups, exports) goes through :func:`atomic_write` or :class:`AtomicFile`: a temporary file
in the same folder, created 0600, fsynced, then ``os.replace``-d over the target and the folder
fsynced. A crash leaves either the old file or the new one, never a torn one.

A kill can leave such temporaries (and the store's working copies of the database) behind:
:func:`remove_leftovers` clears the data folder at every open, and :class:`AtomicFile` clears
stale temporaries of its own target before writing it again (see remove_stale_siblings).
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import re
import secrets
import stat
import sys
import time
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
        remove_stale_siblings(self.path)
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
        except BaseException:  # e.g. Ctrl+C during fsync: no half-written temporary stays
            self._discard()
            raise
        finally:
            if exc_type is not None:
                self._discard()

    def _discard(self) -> None:
        with contextlib.suppress(OSError):
            if self._file is not None and not self._file.closed:
                self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


STALE_AFTER_S = 120.0  # a temporary nobody wrote to for this long belongs to a dead process


def remove_stale_siblings(path: Path, stale_after: float | None = None) -> list[Path]:
    """Delete the temporaries an earlier, killed write of ``path`` left beside it
    (``.<name>.<8 hex>.tmp``, e.g. a whole encrypted backup next to a backup file), once
    untouched for ``STALE_AFTER_S``: a write in progress keeps its temporary's time fresh.
    Output folders are the user's: only this exact pattern is ever removed."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{8}}\.tmp")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    cutoff = time.time() - (STALE_AFTER_S if stale_after is None else stale_after)
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime <= cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def atomic_write(path: Path, data: bytes) -> None:
    with AtomicFile(path) as f:
        f.write(data)


# What an interrupted operation can leave in a data folder, as the store names it. None of these
# is ever the only copy of anything once the store opens: see remove_leftovers.
LEFTOVER_PATTERNS = (
    ".*.tmp",  # AtomicFile temporaries: key slots, unlock state, restore journal, restore copies
    ".backup-*",  # backup.write_backup's encrypted working copy (and its -wal/-shm/-journal)
    ".restore-*",  # Store.restore's extracted database and key slots, before the switch
)
INIT_TEMP = ".fieldscreen-init.db"  # StorePaths.init_tmp: Store.create's database before its rename
def _leftovers_in(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        # Every pattern starts with a dot: the live files (no leading dot) never match.
        if not any(fnmatch.fnmatchcase(entry.name, p) for p in patterns):
            continue
        with contextlib.suppress(OSError):
            if not entry.is_dir(follow_symlinks=False):  # a link is removed, never followed
                found.append(Path(entry.path))
    return found


def remove_leftovers(root: Path, db: Path, journal: Path) -> list[str]:
    """Delete what an interrupted operation (a kill, a power cut) left in the data folder
    ``root``: encrypted working copies of the database (``.backup-*``, ``.restore-*``, the
    create's ``.fieldscreen-init.db``) and half-written temporaries (``.*.tmp``, also in
    ``backups/``). Returns the names removed (relative to ``root``; no personal data).

    Call it with the store lock held, after ``finish_pending_restore`` and once the database
    opened: then none of these is the only copy of anything. It removes nothing while a
    restore journal is pending (its moves name ``.restore-*`` files), nothing of the live
    store, never a folder (``pre-restore-*`` is a copy the user was told about), and the
    create's database only once ``db`` exists (until then it is the store). ``db`` and
    ``journal`` are the live database and the restore journal, as the store names them.
    """
    if journal.exists():
        return []
    stale = _leftovers_in(root, LEFTOVER_PATTERNS)
    if db.is_file():
        stale += _leftovers_in(root, (INIT_TEMP, INIT_TEMP + "-*"))
    stale += _leftovers_in(root / "backups", (".*.tmp",))
    removed: list[str] = []
    for path in stale:
        try:
            path.unlink()
        except OSError:  # already gone, or e.g. read-only: the next open tries again
            continue
        removed.append(path.relative_to(root).as_posix())
    for parent in {(root / name).parent for name in removed}:
        with contextlib.suppress(OSError):
            fsync_dir(parent)
    return removed


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
