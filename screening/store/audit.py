"""The audit trail: an append-only, HMAC-chained table inside the encrypted database.

Each entry's ``hash`` is HMAC-SHA256, under a key derived from the master key, of its id,
time, action, case/interview ids, detail and the previous entry's hash. ``verify`` recomputes
the chain and names the first entry that is altered or missing; ``sqlite_sequence`` (the
table is AUTOINCREMENT) remembers the highest id ever written, so a deleted tail shows too.

What it proves, honestly: editing or deleting entries with SQL, without recomputing the
HMACs, is detected. Someone who holds the master key can recompute them and rewrite the
chain; anchors (the head's id and hash) kept outside the database narrow that: in the key
file (checked at every open, ``anchor.py``), on referral packets, in exports and backups
(``fieldscreen audit verify --against FILE``).

Key epochs: ``Store.rekey`` changes the master key, hence the chain key. Entries are never
re-hashed (that would invalidate every anchor already handed out); instead the retired chain
key is kept inside the (re-encrypted) database, in ``meta`` under ``audit_keys``, with the
last entry id it signed, and the chain simply continues under the new key. The retired key
gives nothing to someone who can read the new database: they hold the new key already.

Entries carry ids, actions and codes only, never names, answer values or notes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from screening.store.connection import Connection
from screening.store.models import AuditEntry, AuditReport

GENESIS = "0" * 64
AUDIT_KEYS_META = "audit_keys"  # [{"through": last entry id, "key": hex}], oldest first
_COLUMNS = "id, at, action, case_id, interview_id, detail, prev_hash, hash"


def audit_key(master_key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"fieldscreen audit chain v1"
    ).derive(master_key)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _canonical(detail: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(detail or {}), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class AuditLog:
    """Appends entries inside the caller's transaction; the caller holds the store lock."""

    def __init__(self, conn: Connection, key: bytes) -> None:
        self._conn = conn
        self._key = key
        self._retired: list[tuple[int, bytes]] = []  # (through id, chain key), ascending
        self._last_id = 0
        self._head = GENESIS
        self.reload()

    def reload(self) -> None:
        """Re-read the chain head (after a rollback, or at open)."""
        row = self._conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
        seq = int(row[0]) if row else 0
        last = self._conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        self._last_id = max(seq, int(last[0]) if last else 0)
        self._head = str(last[1]) if last else GENESIS
        self._retired = _read_retired(self._conn)

    def retire_key(self, new_key: bytes) -> None:
        """Keep signing with ``new_key`` from the next entry on; the current key is kept
        (encrypted, in ``meta``) for verifying the entries it signed. Runs in the caller's
        transaction (``Store.rekey``, on the re-encrypted copy)."""
        retired = [*self._retired, (self._last_id, self._key)]
        doc = [{"through": through, "key": key.hex()} for through, key in retired]
        self._conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (AUDIT_KEYS_META, json.dumps(doc, separators=(",", ":"))),
        )
        self._retired, self._key = retired, new_key

    def _key_for(self, entry_id: int) -> bytes:
        for through, key in self._retired:
            if entry_id <= through:
                return key
        return self._key

    @property
    def head(self) -> tuple[int, str]:
        return self._last_id, self._head

    def _mac(
        self,
        entry_id: int,
        at: str,
        action: str,
        case_id: str | None,
        interview_id: str | None,
        detail: str,
        prev_hash: str,
    ) -> str:
        message = json.dumps(
            [entry_id, at, action, case_id, interview_id, detail, prev_hash],
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")
        return hmac.new(self._key_for(entry_id), message, hashlib.sha256).hexdigest()

    def append(
        self,
        action: str,
        *,
        case_id: str | None = None,
        interview_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        """Add one entry. Must run inside a transaction; call ``reload`` if it rolls back."""
        entry_id = self._last_id + 1
        at = now()
        detail_json = _canonical(detail)
        digest = self._mac(entry_id, at, action, case_id, interview_id, detail_json, self._head)
        self._conn.execute(
            f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_id, at, action, case_id, interview_id, detail_json, self._head, digest),
        )
        self._last_id, self._head = entry_id, digest
        return entry_id

    def entries(self, *, case_id: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        sql = f"SELECT {_COLUMNS} FROM audit"
        params: list[Any] = []
        if case_id is not None:
            sql += " WHERE case_id = ?"
            params.append(case_id)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        rows = self._conn.execute(sql, params).fetchall()
        return [_entry(row) for row in reversed(rows)]

    def check_anchor(self, entry_id: int, digest: str) -> str | None:
        """None when entry ``entry_id`` is in the chain with a hash starting ``digest`` and
        the chain verifies up to it: nothing up to that entry was rewritten or rolled back.
        Otherwise what is wrong, in English."""
        if entry_id == 0:
            return None  # anchored when the trail was empty
        row = self._conn.execute("SELECT hash FROM audit WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            return (f"entry {entry_id} is not in the audit trail: it was deleted, or the "
                    "store was rolled back to a copy from before it")
        if not str(row[0]).startswith(digest.lower()):
            return (f"entry {entry_id} has another hash than the anchor: the history up to "
                    "it was rewritten")
        report = self.verify()
        if not report.ok and report.first_broken is not None and report.first_broken <= entry_id:
            return f"the audit trail is broken at entry {report.first_broken}: {report.reason}"
        return None

    def verify(self) -> AuditReport:
        prev = GENESIS
        expected = 1
        count = 0
        cursor = self._conn.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY id")
        for row in cursor:
            entry_id, at, action, case_id, interview_id, detail, prev_hash, digest = row
            count += 1
            if entry_id != expected:
                return AuditReport(False, expected, count, f"entry {expected} is missing")
            good = self._mac(entry_id, at, action, case_id, interview_id, detail, prev_hash)
            if prev_hash != prev:
                return AuditReport(False, entry_id, count, f"entry {entry_id} is out of chain")
            if not hmac.compare_digest(good, str(digest)):
                return AuditReport(False, entry_id, count, f"entry {entry_id} was altered")
            prev = str(digest)
            expected += 1
        seq_row = self._conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'audit'"
        ).fetchone()
        seq = int(seq_row[0]) if seq_row else 0
        if seq >= expected:
            return AuditReport(False, expected, count, f"entries from {expected} are missing")
        return AuditReport(True, None, count)


def _read_retired(conn: Connection) -> list[tuple[int, bytes]]:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (AUDIT_KEYS_META,)).fetchone()
    if row is None:
        return []
    try:
        doc = json.loads(row[0])
        return sorted((int(item["through"]), bytes.fromhex(item["key"])) for item in doc)
    except (TypeError, ValueError, KeyError):
        # Unreadable: verify then reports the entries those keys signed as altered.
        return []


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    entry_id, at, action, case_id, interview_id, detail, prev_hash, digest = row
    try:
        parsed = json.loads(detail)
    except (TypeError, json.JSONDecodeError):
        parsed = {}
    return AuditEntry(
        int(entry_id),
        at,
        action,
        case_id,
        interview_id,
        parsed if isinstance(parsed, dict) else {},
        prev_hash,
        digest,
    )
