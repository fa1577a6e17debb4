"""Backups: one file holding the key slots and an encrypted copy of the database.

Format ``FIELDSCREEN-BACKUP 2`` (all integers decimal, JSON in ASCII)::

    b"FIELDSCREEN-BACKUP 2\\n"
    <header JSON>  b"\\n"      format, version, created_at, store_id, schema_version, db_size,
                               db_sha256, audit_head, keyslots (as in keyslots.json)
    <header MAC, 64 hex> b"\\n" HMAC-SHA256 over everything above (magic and header bytes)
    <db_size bytes>            the SQLCipher database file, encrypted with the store's master key

The MAC key is HKDF-SHA256(master key, info=b"fieldscreen backup header v1"), so only someone
holding the store's key can make a header that verifies. A restore unlocks a slot, checks the
MAC, and only then writes anything into the data folder: a removed or added key slot, a forged
date or audit head, or changed database bytes (with or without a matching ``db_sha256``) are
refused as "the backup was altered". Format 1 (no MAC, written before this change) is refused
unless the caller explicitly accepts an unauthenticated legacy backup.

The header holds no personal data (the same things keyslots.json holds). The copy is made
with SQLite's backup API into a second database keyed with the same master key, so nothing is
ever written in the clear, not even temporarily. A backup therefore opens with the passphrase
(or recovery key) that was valid when it was made, also after a later passphrase change.

Restore never damages an existing store: the backup is checked completely (hash, key, SQLite
integrity check, schema version) before anything is touched; the switch is a short list of
renames recorded first in ``restore-journal.json`` and rolled forward if interrupted; with
``force`` the replaced store is kept, still encrypted, in ``pre-restore-<time>/``. A journal
is obeyed only if every path in it is a plain file name in the data folder or in its
``pre-restore-<time>/`` folder (no "..", no absolute path, no symlinked folder); otherwise
nothing is moved.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from screening.errors import ErrorCode, InputError, StoreCorrupt, StoreError
from screening.store.connection import (
    Connection,
    DatabaseError,
    connect_raw,
    sqlite_error,
    user_version,
)
from screening.store.fsutil import AtomicFile, atomic_write, fsync_dir, io_error
from screening.store.keys import KdfParamsRefused, KeySlots
from screening.store.migrations import LATEST_VERSION, too_new

MAGIC = b"FIELDSCREEN-BACKUP 2\n"
LEGACY_MAGIC = b"FIELDSCREEN-BACKUP 1\n"  # no header MAC; restored only on explicit request
BACKUP_FORMAT = "fieldscreen-backup"
BACKUP_VERSION = 2
HEADER_MAC_INFO = b"fieldscreen backup header v1"
_MAC_LINE = 64 + 1  # hex HMAC-SHA256 and a newline
_CHUNK = 1 << 20
_MAX_HEADER = 1 << 20


class BackupRefused(InputError, StoreError):
    """A backup that must not be restored: altered, or unauthenticated (CLI exit 2).

    Both an InputError (the file the user chose is the problem) and a StoreError (callers
    that catch store errors for a backup keep working)."""

    code = ErrorCode.STORE_BACKUP_INVALID


def invalid(reason: str) -> StoreError:
    return StoreError(
        f"not a usable FieldScreen backup: {reason}", code=ErrorCode.STORE_BACKUP_INVALID
    )


def altered(reason: str) -> BackupRefused:
    return BackupRefused(
        f"not a usable FieldScreen backup: the backup was altered ({reason}); nothing was "
        "restored",
        code=ErrorCode.STORE_BACKUP_ALTERED,
    )


def header_mac_key(key: bytes) -> bytes:
    """The backup header's MAC key, derived from (never equal to) the store's master key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HEADER_MAC_INFO).derive(key)


def header_mac(key: bytes, signed: bytes) -> bytes:
    return hmac.new(header_mac_key(key), signed, hashlib.sha256).digest()


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
    signed: bytes = b""  # the bytes the header MAC covers (magic and header line)
    mac: bytes | None = None  # None: a format-1 backup, made before headers were authenticated

    @property
    def authenticated(self) -> bool:
        return self.mac is not None

    def verify(self, key: bytes) -> None:
        """Check the header MAC with the unlocked master key; BackupRefused if it fails.

        Call it right after unlocking and before anything is written: the key slots, dates,
        audit head, size and hash of the database copy are all covered."""
        if self.mac is None:
            raise BackupRefused(
                "not a usable FieldScreen backup: it was made by an older FieldScreen and its "
                "header is not authenticated",
                code=ErrorCode.STORE_BACKUP_UNAUTHENTICATED,
            )
        if not hmac.compare_digest(header_mac(key, self.signed), self.mac):
            raise altered("its header does not match the store's key")


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
            "version": BACKUP_VERSION,
            "created_at": created,
            "store_id": slots.store_id,
            "schema_version": version,
            "db_size": size,
            "db_sha256": digest.hexdigest(),
            "audit_head": {"id": audit_head[0], "hash": audit_head[1]},
            "keyslots": slots.to_json(),
        }
        signed = MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
        head = signed + header_mac(key, signed).hex().encode("ascii") + b"\n"
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
    """Parse a backup file and check the hash over the database copy; no key needed.

    Every key slot's KDF parameters are bound-checked here, before any key derivation. The
    header MAC needs the key: ``BackupFile.verify`` checks it once a slot is unlocked."""
    try:
        with path.open("rb") as f:
            magic = f.read(len(MAGIC))
            if magic not in (MAGIC, LEGACY_MAGIC):
                raise invalid("unknown file format")
            line = f.readline(_MAX_HEADER)
            if not line.endswith(b"\n"):
                raise invalid("damaged header")
            mac: bytes | None = None
            if magic == MAGIC:
                mac_line = f.readline(_MAC_LINE)
                try:
                    if len(mac_line) != _MAC_LINE or not mac_line.endswith(b"\n"):
                        raise ValueError
                    mac = bytes.fromhex(mac_line[:-1].decode("ascii"))
                except (ValueError, UnicodeDecodeError):
                    raise altered("its header authentication is missing or damaged") from None
            try:
                header = json.loads(line.decode("ascii"))
                slots = KeySlots.from_json(header["keyslots"], f"the backup {path.name}")
                db_size = int(header["db_size"])
                expected = str(header["db_sha256"])
            except KdfParamsRefused as exc:
                raise BackupRefused(f"not a usable FieldScreen backup: {exc.message}") from None
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
        raise altered("the database copy does not match its checksum")
    return BackupFile(header, slots, offset, db_size, magic + line, mac)


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
        # Unique even for two restores in the same second: a kept folder that already
        # exists would make the second switch skip its moves and restore nothing.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = f"pre-restore-{stamp}"
        n = 1
        while (root / kept).exists():
            n += 1
            kept = f"pre-restore-{stamp}-{n}"
        moves += [(name, f"{kept}/{name}") for name in existing]
    moves.append((new_keyslots.name, keyslots_name))
    moves.append((new_db.name, db_name))
    return moves, kept


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|\.restore-[0-9a-f]{1,64}\.[a-z]+")
_KEPT_FOLDER = re.compile(r"pre-restore-[0-9]{8}T[0-9]{6}Z(-[0-9]{1,4})?")


def _journal_path_problem(root: Path, name: str) -> str | None:
    """Why ``name`` (from a restore journal) may not be moved, or None.

    Allowed: ``<plain name>`` or ``pre-restore-<time>/<plain name>``; a plain name has no
    slash, is not "." or "..", and (but for our own ``.restore-*`` files) starts with no dot.
    Folders on the way must not be symbolic links, so nothing is renamed out of ``root``."""
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        return "not a plain file name"
    if os.path.isabs(name) or name.startswith("/"):
        return "an absolute path"
    parts = name.split("/")
    if ".." in parts or "." in parts:
        return "it leads out of the data folder"
    if len(parts) > 2 or (len(parts) == 2 and not _KEPT_FOLDER.fullmatch(parts[0])):
        return "not a file in the data folder"
    if not _PLAIN_NAME.fullmatch(parts[-1]):
        return "not a plain file name"
    if len(parts) == 2:
        try:
            mode = os.lstat(root / parts[0]).st_mode
        except FileNotFoundError:
            return None
        except OSError:
            return "its folder cannot be checked"
        if not stat.S_ISDIR(mode):
            return "its folder is a symbolic link or not a folder"
    return None


def _checked_moves(root: Path, moves: list[tuple[str, str]]) -> None:
    for src, dst in moves:
        for name in (src, dst):
            problem = _journal_path_problem(root, name)
            if problem:
                raise StoreCorrupt(
                    f"the restore journal ({journal_path(root).name}) names {name!r}: "
                    f"{problem}; refusing to move anything (the journal and every file were "
                    "left as they are)",
                    file=journal_path(root).name,
                )


def run_switch(root: Path, moves: list[tuple[str, str]], discard: tuple[str, ...] = ()) -> None:
    """Record the renames, then do them. Idempotent: ``finish_pending_restore`` repeats it.

    ``discard`` names ``pre-restore-<time>`` folders to delete once the renames are done
    (``Store.rekey``: they hold the old key file); the journal goes only after they are gone."""
    _checked_moves(root, moves)
    _checked_discard(root, list(discard))
    doc: dict[str, Any] = {"moves": moves}
    if discard:
        doc["discard"] = list(discard)
    atomic_write(journal_path(root), json.dumps(doc).encode("ascii"))
    finish_pending_restore(root)


def kept_folders(root: Path) -> list[str]:
    """The ``pre-restore-<time>`` folders in ``root`` (real folders, not links)."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    return [
        name
        for name in names
        if _KEPT_FOLDER.fullmatch(name) and stat.S_ISDIR(os.lstat(root / name).st_mode)
    ]


def _checked_discard(root: Path, discard: list[str]) -> None:
    for name in discard:
        if not isinstance(name, str) or not _KEPT_FOLDER.fullmatch(name):
            raise StoreCorrupt(
                f"the restore journal ({journal_path(root).name}) asks to delete {name!r}, "
                "which is not a pre-restore folder; refusing to move anything",
                file=journal_path(root).name,
            )


def _discard_folder(root: Path, name: str) -> None:
    path = root / name
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        path.unlink()  # never follow a link out of the data folder
        return
    shutil.rmtree(path)


def finish_pending_restore(root: Path) -> bool:
    """Roll an interrupted restore forward. Every source file was complete before the journal
    was written, so finishing is always safe. Returns whether there was one."""
    journal = journal_path(root)
    try:
        doc = json.loads(journal.read_text(encoding="ascii"))
        moves = [(a, b) for a, b in doc["moves"]]
        if not all(isinstance(a, str) and isinstance(b, str) for a, b in moves):
            raise TypeError
        discard = doc.get("discard", [])
        if not isinstance(discard, list):
            raise TypeError
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        raise StoreError(
            "an interrupted restore left a damaged journal (restore-journal.json)",
            code=ErrorCode.STORE_CORRUPT,
        ) from None
    _checked_moves(root, moves)  # every path, before the first rename
    _checked_discard(root, discard)
    try:
        for src_name, dst_name in moves:
            src, dst = root / src_name, root / dst_name
            if src.exists() and not dst.exists():
                dst.parent.mkdir(mode=0o700, exist_ok=True)
                os.replace(src, dst)
                fsync_dir(dst.parent)
        fsync_dir(root)
        if discard:
            # Record that the renames are done before deleting anything: repeating them
            # after a kill mid-delete would move the NEW files into a folder about to go.
            if moves:
                atomic_write(journal, json.dumps({"moves": [], "discard": discard}).encode())
            for name in discard:
                _discard_folder(root, name)
        fsync_dir(root)
        journal.unlink()
        fsync_dir(root)
    except OSError as exc:
        raise io_error(exc, "cannot finish the restore") from None
    return True
