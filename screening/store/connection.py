"""Opening the SQLCipher database: raw key first, a cheap read, then the pragmas.

Order matters (see shared/research/spike.md §3): ``PRAGMA key`` must be the first statement;
the key is the 32-byte master key as a hex blob literal built only from ``[0-9a-f]``, never a
passphrase in SQL text. A read of ``sqlite_master`` then tells a foreign or damaged file apart
(the key itself was already verified by the GCM tag of its key slot). Nothing is written
before the schema version is known to be ours, so a foreign, damaged or newer file is left
byte-for-byte untouched.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import sqlcipher3

from screening.errors import ErrorCode, StoreCorrupt, StoreError

if TYPE_CHECKING:  # sqlcipher3 ships no type hints; its API is the sqlite3 module's
    from sqlite3 import Connection as Connection
    from sqlite3 import DatabaseError as DatabaseError
else:
    Connection = sqlcipher3.Connection
    DatabaseError = sqlcipher3.DatabaseError

_HEX_KEY = re.compile(r"[0-9a-f]{64}")


def key_pragma(key: bytes) -> str:
    hex_key = key.hex()
    if not _HEX_KEY.fullmatch(hex_key):  # pragma: no cover - bytes.hex() is always this
        raise StoreError("bad key length")
    return f"PRAGMA key = \"x'{hex_key}'\""


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


# SQLite's primary result codes (the low byte of an extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = (
    5, 6, 10, 11, 13, 26)
_NEARLY_FULL = 256 * 1024  # bytes free under which an I/O error is taken for a full disk


def disk_nearly_full(path: Path | None) -> bool:
    """Whether the file system holding ``path`` (a file or folder) has next to no room left.

    SQLite reports some writes that fail for lack of space (growing its shared-memory file)
    as a plain I/O error; the free space tells the two apart. Best effort: False if unknown.
    """
    if path is None or not hasattr(os, "statvfs"):
        return False
    folder = path if path.is_dir() else path.parent
    try:
        stat = os.statvfs(folder)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < _NEARLY_FULL


def _primary_code(exc: Exception) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def sqlite_error(exc: Exception, what: str, path: Path | None = None) -> StoreError:
    """Map a SQLite error to a StoreError; messages name the failure, never row content.

    A full disk is always STORE_DISK_FULL (also an I/O error while the disk holding ``path``
    is full); any other I/O error is STORE_IO: neither ever says the file is damaged.
    """
    text = str(exc).lower()
    primary = _primary_code(exc)
    if primary == SQLITE_FULL or "disk is full" in text or "database or disk is full" in text:
        return StoreError(f"{what}: the disk is full", code=ErrorCode.STORE_DISK_FULL)
    if primary == SQLITE_IOERR or "disk i/o error" in text:
        if disk_nearly_full(path):
            return StoreError(f"{what}: the disk is full", code=ErrorCode.STORE_DISK_FULL)
        return StoreError(f"{what}: a disk input/output error", code=ErrorCode.STORE_IO)
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in text or "busy" in text:
        return StoreError(f"{what}: the store is busy", code=ErrorCode.STORE_LOCKED)
    if (primary in (SQLITE_CORRUPT, SQLITE_NOTADB)
            or "malformed" in text or "not a database" in text or "corrupt" in text):
        return StoreCorrupt(f"{what}: the database file is damaged")
    if isinstance(exc, sqlcipher3.IntegrityError):
        # e.g. "UNIQUE constraint failed: cases.reference": names a table, never a value.
        return StoreError(f"{what}: {exc}", code=ErrorCode.STORE_IO, constraint=True)
    name = getattr(exc, "sqlite_errorname", type(exc).__name__)
    return StoreError(f"{what}: {name}", code=ErrorCode.STORE_IO)


MEMORY_SECURITY = "PRAGMA cipher_memory_security = ON"


def connect_raw(path: Path, key: bytes, *, create: bool = False) -> Connection:
    """Open and key a connection; verify the key reads page 1. Writes nothing.

    Raises StoreCorrupt when the file is not a database encrypted with ``key``; a full disk
    (STORE_DISK_FULL), an I/O error (STORE_IO) or a busy file (STORE_LOCKED) is not that.
    """
    try:
        conn: Connection = sqlcipher3.connect(
            _uri(path, "rwc" if create else "rw"),
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=256,
        )
    except DatabaseError as exc:
        raise sqlite_error(exc, "cannot open the database", path) from None
    try:
        # Process-wide: SQLCipher then locks its allocations against swapping (mlock) and
        # wipes memory (page buffers, the derived key) when it frees it. SQLCipher 4.5 made it
        # off by default for speed; `make bench` measures the cost on save_answer (issue #13:
        # 0.40 -> 0.52 ms median a save on the reference machine, well inside the 2 ms goal).
        conn.execute(MEMORY_SECURITY)
        conn.execute(key_pragma(key))
        conn.execute("PRAGMA cipher_log_level = NONE")  # else a bad file logs to stderr
        # Pin the SQLCipher 4 format so a future library with new defaults still opens it.
        conn.execute("PRAGMA cipher_compatibility = 4")
        # A backup being restored may come from anywhere: never run functions from its schema.
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseError as exc:
        conn.close()
        error = sqlite_error(exc, "cannot open the database", path)
        if error.code in (ErrorCode.STORE_DISK_FULL, ErrorCode.STORE_IO, ErrorCode.STORE_LOCKED):
            raise error from None  # the disk or another process, not the file's content
        raise StoreCorrupt("the database file is damaged or is not this store's database") from None
    return conn


def user_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_pragmas(conn: Connection) -> None:
    """Session settings; journal_mode=WAL is the first write, done once the file is ours."""
    # Temp files are NOT encrypted by SQLCipher: keep sorts and temp tables in memory.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted content is overwritten with zeros, so a deleted case is gone, not free space.
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # pragma: no cover - only on file systems without mmap
        raise StoreError("the database cannot use write-ahead logging here")
    # FULL: a commit is fsynced before save_answer returns (the durable acknowledgement).
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA journal_size_limit = 4194304")


@contextlib.contextmanager
def transaction(conn: Connection, what: str) -> Iterator[Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back on any exception, SQLite errors mapped.

    Inside an open transaction it nests as a SAVEPOINT, so a service can group several
    repository writes (a case, its person, the interview and its consent) into one commit.
    """
    nested = conn.in_transaction
    name = f"fs_nested_{next(_SAVEPOINTS)}"
    try:
        conn.execute(f"SAVEPOINT {name}" if nested else "BEGIN IMMEDIATE")
    except DatabaseError as exc:
        raise sqlite_error(exc, what) from None
    try:
        yield conn
        conn.execute(f"RELEASE {name}" if nested else "COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            with contextlib.suppress(DatabaseError):
                if nested:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                else:
                    conn.execute("ROLLBACK")
        if isinstance(exc, DatabaseError):
            raise sqlite_error(exc, what) from None
        raise


_SAVEPOINTS = itertools.count(1)


def close_quietly(conn: Connection) -> None:
    """Checkpoint the WAL into the main file (then SQLite deletes -wal/-shm) and close."""
    with contextlib.suppress(DatabaseError):
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with contextlib.suppress(DatabaseError):
        conn.close()
