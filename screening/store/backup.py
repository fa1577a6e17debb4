"""Backups: one file holding the key slots and an encrypted copy of the database.

Format ``FIELDSCREEN-BACKUP 1`` (all integers decimal, JSON in ASCII)::

    b"FIELDSCREEN-BACKUP 1\\n"
    <header JSON>  b"\\n"      format, created_at, store_id, schema_version, db_size,
                               db_sha256, audit_head, keyslots (as in keyslots.json)
    <db_size bytes>            the SQLCipher database file, encrypted with the store's master key

The header holds no personal data (the same things keyslots.json holds). The copy is made
with SQLite's backup API into a second database keyed with the same master key, so nothing is
ever written in the clear, not even temporarily. A backup therefore opens with the passphrase
(or recovery key) that was valid when it was made, also after a later passphrase change.

Restore never damages an existing store: the backup is checked completely (hash, key, SQLite
integrity check, schema version) before anything is touched; the switch is a short list of
renames recorded first in ``restore-journal.json`` and rolled forward if interrupted; with
``force`` the replaced store is kept, still encrypted, in ``pre-restore-<time>/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from screening.errors import ErrorCode, StoreError
from screening.store.connection import (
    Connection,
    DatabaseError,
    connect_raw,
    sqlite_error,
    user_version,
)
from screening.store.fsutil import AtomicFile, atomic_write, fsync_dir, io_error
from screening.store.keys import KeySlots
from screening.store.migrations import LATEST_VERSION, too_new

MAGIC = b"FIELDSCREEN-BACKUP 1\n"
BACKUP_FORMAT = "fieldscreen-backup"
_CHUNK = 1 << 20
_MAX_HEADER = 1 << 20


def invalid(reason: str) -> StoreError:
    return StoreError(
        f"not a usable FieldScreen backup: {reason}", code=ErrorCode.STORE_BACKUP_INVALID
    )


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    sha256: str  # of the whole backup file
    schema_version: int
    created_at: str


@dataclass(frozen=True)
class BackupFile:
    header: dict[str, Any]
    slots: KeySlots
    db_offset: int
    db_size: int


def _copy_range(src: IO[bytes], dst: IO[bytes], size: int, digest: Any = None) -> None:
    left = size
    while left:
        chunk = src.read(min(_CHUNK, left))
        if not chunk:
            raise invalid("the file is truncated")
        if digest is not None:
            digest.update(chunk)
        dst.write(chunk)
        left -= len(chunk)


def write_backup(
    conn: Connection,
    key: bytes,
    slots: KeySlots,
    dest: Path,
    *,
    work_dir: Path,
    audit_head: tuple[int, str],
) -> BackupInfo:
    """Copy the open database (backup API, encrypted to encrypted) into a backup file."""
    tmp_db = work_dir / f".backup-{secrets.token_hex(6)}.db"
    try:
        copy = connect_raw(tmp_db, key, create=True)
        try:
            conn.backup(copy)
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            version = user_version(copy)
        finally:
            copy.close()
        if check != "ok":  # pragma: no cover - the live database is damaged
            raise StoreError("the database copy failed its check", code=ErrorCode.STORE_CORRUPT)
        digest = hashlib.sha256()
        size = tmp_db.stat().st_size
        with tmp_db.open("rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                digest.update(chunk)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        header = {
            "format": BACKUP_FORMAT,
            "version": 1,
            "created_at": created,
            "store_id": slots.store_id,
            "schema_version": version,
            "db_size": size,
            "db_sha256": digest.hexdigest(),
            "audit_head": {"id": audit_head[0], "hash": audit_head[1]},
            "keyslots": slots.to_json(),
        }
        head = MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
        whole = hashlib.sha256(head)
        with AtomicFile(dest) as out, tmp_db.open("rb") as src:
            out.write(head)
            _copy_range(src, out, size, whole)
    except DatabaseError as exc:
        raise sqlite_error(exc, "backup failed", tmp_db) from None
    except OSError as exc:
        raise io_error(exc, "backup failed") from None
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(tmp_db) + suffix).unlink()
    return BackupInfo(dest, len(head) + size, whole.hexdigest(), version, created)


def read_backup(path: Path) -> BackupFile:
    """Parse and fully verify a backup file (hash over the database copy); no key needed."""
    try:
        with path.open("rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                raise invalid("unknown file format")
            line = f.readline(_MAX_HEADER)
            if not line.endswith(b"\n"):
                raise invalid("damaged header")
            try:
                header = json.loads(line.decode("ascii"))
                slots = KeySlots.from_json(header["keyslots"])
                db_size = int(header["db_size"])
                expected = str(header["db_sha256"])
            except (ValueError, KeyError, TypeError, UnicodeDecodeError, StoreError):
                raise invalid("damaged header") from None
            if header.get("format") != BACKUP_FORMAT or db_size <= 0:
                raise invalid("damaged header")
            offset = f.tell()
            digest = hashlib.sha256()
            left = db_size
            while left:
                chunk = f.read(min(_CHUNK, left))
                if not chunk:
                    raise invalid("the file is truncated")
                digest.update(chunk)
                left -= len(chunk)
            if f.read(1):
                raise invalid("unexpected data after the database")
    except FileNotFoundError:
        raise StoreError("backup file not found", code=ErrorCode.STORE_NOT_FOUND) from None
    except OSError as exc:
        raise io_error(exc, "cannot read the backup") from None
    if digest.hexdigest() != expected:
        raise invalid("the database copy is damaged (checksum mismatch)")
    return BackupFile(header, slots, offset, db_size)


def extract_and_check(backup: BackupFile, source: Path, key: bytes, target: Path) -> int:
    """Write the database copy to ``target`` (fsynced) and prove it opens with ``key``.

    Returns its schema version. ``target`` is removed again if anything is wrong.
    """
    try:
        with AtomicFile(target) as out, source.open("rb") as src:
            src.seek(backup.db_offset)
            _copy_range(src, out, backup.db_size)
        conn = connect_raw(target, key)
        try:
            version = user_version(conn)
            if version > LATEST_VERSION:
                raise too_new(version)
            if version < 1:
                raise invalid("the database copy is empty")
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                raise invalid("the database copy fails SQLite's integrity check")
            meta = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
            if meta is None or meta[0] != backup.slots.store_id:
                raise invalid("the database copy does not match its key slots")
        finally:
            conn.close()
    except BaseException:
        discard_db(target)
        raise
    return version


def discard_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


# -- the switch ------------------------------------------------------------------------------
def journal_path(root: Path) -> Path:
    return root / "restore-journal.json"


def plan_switch(
    root: Path, db_name: str, keyslots_name: str, new_db: Path, new_keyslots: Path
) -> tuple[list[tuple[str, str]], str | None]:
    """The renames (relative to ``root``) that swap the restored store in."""
    moves: list[tuple[str, str]] = []
    kept = None
    existing = [
        name
        for name in (db_name, db_name + "-wal", db_name + "-shm", keyslots_name)
        if (root / name).exists()
    ]
    if existing:
        kept = "pre-restore-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        moves += [(name, f"{kept}/{name}") for name in existing]
    moves.append((new_keyslots.name, keyslots_name))
    moves.append((new_db.name, db_name))
    return moves, kept


def run_switch(root: Path, moves: list[tuple[str, str]]) -> None:
    """Record the renames, then do them. Idempotent: ``finish_pending_restore`` repeats it."""
    atomic_write(journal_path(root), json.dumps({"moves": moves}).encode("ascii"))
    finish_pending_restore(root)


def finish_pending_restore(root: Path) -> bool:
    """Roll an interrupted restore forward. Every source file was complete before the journal
    was written, so finishing is always safe. Returns whether there was one."""
    journal = journal_path(root)
    try:
        doc = json.loads(journal.read_text(encoding="ascii"))
        moves = [(str(a), str(b)) for a, b in doc["moves"]]
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        raise StoreError(
            "an interrupted restore left a damaged journal (restore-journal.json)",
            code=ErrorCode.STORE_CORRUPT,
        ) from None
    try:
        for src_name, dst_name in moves:
            src, dst = root / src_name, root / dst_name
            if src.exists() and not dst.exists():
                dst.parent.mkdir(mode=0o700, exist_ok=True)
                os.replace(src, dst)
                fsync_dir(dst.parent)
        fsync_dir(root)
        journal.unlink()
        fsync_dir(root)
    except OSError as exc:
        raise io_error(exc, "cannot finish the restore") from None
    return True
