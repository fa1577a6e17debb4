"""Anchoring the audit trail outside the database, and checking the anchor at every open.

An attacker who holds the passphrase can rewrite the audit chain inside the database (the
chain key derives from the data key) or put back an older copy of ``fieldscreen.db``. Neither
is visible from inside the database alone. So the key file keeps an anchor, MAC'd with a key
derived from the data key (``KeySlots.sign``): a counter that grows at every anchoring, the
chain head (entry id and hash) and the failed-unlock total. The database keeps the same
counter in ``meta``. At every open (``check``):

* the key file's MAC fails → it was edited (a slot removed or added, the anchor changed);
* the anchored entry is gone and the database's counter is behind → the database was
  rolled back to an older copy;
* the anchored entry is gone (counter in step), or there with another hash → the chain was
  rewritten;
* the database's counter is ahead of the key file's → an older key file was put back
  (``Store._anchor`` writes the key file first, so no crash leaves it behind);
* the failed-unlock total went down since the anchor → the count was reset by hand.

Each finding is a warning for the officer and an audit entry; the store still opens (an
officer locked out of her cases by a tampered file would be a worse outcome). What this
cannot see: the database AND the key file put back together from the same older moment (no
passphrase needed for that), history rewritten and re-anchored by someone holding the
passphrase, or entries written after the last anchoring when the app was killed before it
could lock (the anchor then is the unlock's). Anchors that left the
laptop (referral packets, exports, backups; ``fieldscreen audit verify --against``) catch
those, up to the last one that left.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.store.connection import Connection
from screening.store.keys import SLOT_RECOVERY, KeySlots

COUNTER_META = "anchor_counter"


@dataclass(frozen=True)
class IntegrityWarning:
    """Something found at open that the officer must hear about. ``code`` is stable (audit
    entries and the app's translated messages use it); ``message`` is developer English."""

    code: str
    message: str


def db_counter(conn: Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (COUNTER_META,)).fetchone()
    try:
        return int(row[0]) if row else 0
    except (TypeError, ValueError):
        return 0


def set_db_counter(conn: Connection, counter: int) -> None:
    """Inside the caller's transaction."""
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (COUNTER_META, str(counter))
    )


def next_counter(conn: Connection, slots: KeySlots, floor: int = 0) -> int:
    """One more than any counter seen: the database's, the key file's (even an untrusted
    one: counters only grow) and ``floor`` (a replaced store's, at restore)."""
    keyfile = slots.anchor.counter if slots.anchor is not None else 0
    return max(db_counter(conn), keyfile, floor) + 1


def check(
    conn: Connection, slots: KeySlots, key: bytes, failed_total: int
) -> tuple[list[IntegrityWarning], int]:
    """The warnings for this open, and how many failed unlocks happened since the last
    anchor (to enter into the audit trail). Reads only."""
    warnings: list[IntegrityWarning] = []
    if not any(slot.kind == SLOT_RECOVERY for slot in slots.slots):
        warnings.append(IntegrityWarning(
            "recovery_slot_missing",
            "the key file has no recovery key slot: a forgotten passphrase would lose every "
            "case; make a new recovery key now",
        ))
    counter = db_counter(conn)
    anchor = slots.anchor
    if anchor is None:
        if counter > 0:
            warnings.append(IntegrityWarning(
                "keyfile_unanchored",
                "the key file has lost its anchor although this store was anchored before: "
                "it was replaced by an edited or much older copy",
            ))
        return warnings, failed_total
    if not slots.anchor_intact(key):
        warnings.append(IntegrityWarning(
            "keyfile_altered",
            "the key file keyslots.json was changed outside FieldScreen (a key slot or its "
            "anchor was added, removed or edited); its record of the audit trail cannot be "
            "trusted, so a database put back from an older copy would not show this time",
        ))
        return warnings, failed_total
    row = None
    if anchor.audit_id > 0:
        row = conn.execute("SELECT hash FROM audit WHERE id = ?", (anchor.audit_id,)).fetchone()
    if anchor.audit_id > 0 and row is None:
        if counter < anchor.counter:
            warnings.append(IntegrityWarning(
                "database_rolled_back",
                "the database is older than its key file: an older copy of fieldscreen.db "
                "was put back; cases or changes made since may be missing",
            ))
        else:  # as recent as the key file, yet the anchored entry is gone
            warnings.append(IntegrityWarning(
                "audit_rewritten",
                f"the audit trail was rewritten: entry {anchor.audit_id}, recorded in the "
                "key file, is no longer there",
            ))
    elif row is not None and str(row[0]) != anchor.audit_hash:
        warnings.append(IntegrityWarning(
            "audit_rewritten",
            f"the audit trail was rewritten: entry {anchor.audit_id} no longer has the hash "
            "the key file recorded",
        ))
    # The key file is written before the database at every anchoring: a database behind it
    # with the anchored entry still there is an interrupted anchoring, nothing lost. A
    # database AHEAD of it means an older key file was put back.
    if counter > anchor.counter:
        warnings.append(IntegrityWarning(
            "keyfile_older",
            "the key file is older than the database: an older copy of keyslots.json was put "
            "back (for example to hide failed unlock attempts or an old key slot)",
        ))
    since = failed_total - anchor.failed_total
    if since < 0:
        warnings.append(IntegrityWarning(
            "unlock_count_reset",
            "the count of failed unlock attempts in the key file went down: it was reset by "
            "hand, hiding some failed attempts",
        ))
        since = 0
    return warnings, since
