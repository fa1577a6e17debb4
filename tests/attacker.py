"""What someone holding the passphrase can do to a closed store's files (issue #13 tests)."""

from __future__ import annotations

from pathlib import Path

from screening.store.anchor import db_counter
from screening.store.audit import GENESIS, AuditLog, audit_key
from screening.store.connection import connect_raw
from screening.store.keys import SLOT_PASSPHRASE, KeySlots


def master_key(data_dir: Path, passphrase: str) -> bytes:
    return KeySlots.load(data_dir / "keyslots.json").unlock(SLOT_PASSPHRASE, passphrase)[0]


def rewrite_history(data_dir: Path, passphrase: str, drop_action: str, *,
                    resign_keyfile: bool = False) -> None:
    """Delete every audit entry of ``drop_action`` and recompute the whole chain, so that
    `audit verify` says intact. With ``resign_keyfile`` also re-sign the key file's anchor
    over the new head, so the checks at open see nothing either: only an anchor that left
    the laptop can tell."""
    key = master_key(data_dir, passphrase)
    conn = connect_raw(data_dir / "fieldscreen.db", key)
    try:
        log = AuditLog(conn, audit_key(key))
        rows = conn.execute(
            "SELECT at, action, case_id, interview_id, detail FROM audit ORDER BY id").fetchall()
        kept = [row for row in rows if row[1] != drop_action]
        assert len(kept) < len(rows), f"no {drop_action} entry to delete"
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM audit")
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'", (len(kept),))
        prev = GENESIS
        for new_id, (at, action, case_id, interview_id, detail) in enumerate(kept, 1):
            digest = log._mac(new_id, at, action, case_id, interview_id, detail, prev)
            conn.execute(
                "INSERT INTO audit (id, at, action, case_id, interview_id, detail, prev_hash, "
                "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id, at, action, case_id, interview_id, detail, prev, digest))
            prev = digest
        conn.execute("COMMIT")
        counter = db_counter(conn)
    finally:
        conn.close()
    if resign_keyfile:
        path = data_dir / "keyslots.json"
        slots = KeySlots.load(path)
        total = slots.anchor.failed_total if slots.anchor else 0
        slots.sign(key, counter, (len(kept), prev), total)
        slots.save(path)
