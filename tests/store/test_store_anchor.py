"""Issue #13: rewriting the audit trail or rolling the store back must show.

Each test plays an attacker who can write the data folder (and, where it says so, holds the
passphrase), then opens the store as the officer would and checks what she is told and what
the audit trail records. The last tests check there are no false alarms on ordinary use.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from storehelp import OTHER_PASSPHRASE, PASSPHRASE

from screening.errors import ErrorCode, StoreError, WrongPassphrase
from screening.store import AuditAnchor, Store
from screening.store.anchor import COUNTER_META, db_counter
from screening.store.connection import connect_raw
from tests.attacker import master_key, rewrite_history


def _codes(store: Store) -> list[str]:
    return [w.code for w in store.warnings]


def _audited(store: Store) -> list[str]:
    return [str(e.detail.get("code")) for e in store.audit.entries()
            if e.action == "store.integrity_warning"]


def _master_key(data_dir: Path) -> bytes:
    return master_key(data_dir, PASSPHRASE)


def test_an_older_database_put_back_is_reported_and_audited(store: Store, data_dir: Path,
                                                            tmp_path: Path) -> None:
    store.close()
    old = tmp_path / "old.db"
    shutil.copy2(data_dir / "fieldscreen.db", old)
    with Store.open(data_dir, PASSPHRASE) as opened:
        opened.cases.create()
    shutil.copy2(old, data_dir / "fieldscreen.db")  # the case made since is gone
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert _codes(opened) == ["database_rolled_back"]
        assert "older copy of fieldscreen.db" in opened.warnings[0].message
        assert _audited(opened) == ["database_rolled_back"]
        assert opened.audit.report().ok  # the chain alone cannot see it
    with Store.open(data_dir, PASSPHRASE) as again:  # re-anchored: said once, kept in the trail
        assert again.warnings == ()
        assert _audited(again) == ["database_rolled_back"]


def test_history_rewritten_with_the_passphrase_is_reported(store: Store, data_dir: Path) -> None:
    store.cases.create()
    store.close()
    rewrite_history(data_dir, PASSPHRASE, drop_action="case.created")
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.audit.report().ok  # recomputed: the chain itself looks intact
        assert _codes(opened) == ["audit_rewritten"]


def test_an_older_key_file_put_back_is_reported(store: Store, data_dir: Path,
                                                tmp_path: Path) -> None:
    store.close()
    old = tmp_path / "keyslots.json"
    shutil.copy2(data_dir / "keyslots.json", old)
    Store.open(data_dir, PASSPHRASE).close()
    shutil.copy2(old, data_dir / "keyslots.json")
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert _codes(opened) == ["keyfile_older"]


def test_a_removed_recovery_slot_is_reported(store: Store, data_dir: Path) -> None:
    """Removing the recovery slot used to go unnoticed until the day it was needed."""
    store.close()
    path = data_dir / "keyslots.json"
    doc = json.loads(path.read_text())
    doc["slots"] = [s for s in doc["slots"] if s["kind"] != "recovery"]
    path.write_text(json.dumps(doc))
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert set(_codes(opened)) == {"recovery_slot_missing", "keyfile_altered"}
        new_key = opened.regenerate_recovery_key()  # what the warning asks the officer to do
    with Store.open_with_recovery_key(data_dir, new_key) as reopened:
        assert reopened.warnings == ()


def test_a_removed_anchor_is_reported(store: Store, data_dir: Path) -> None:
    store.close()
    path = data_dir / "keyslots.json"
    doc = json.loads(path.read_text())
    del doc["anchor"]  # as if written by a FieldScreen that knew no anchors
    path.write_text(json.dumps(doc))
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert _codes(opened) == ["keyfile_unanchored"]


def test_an_edited_anchor_is_reported_and_the_store_still_opens(store: Store,
                                                                data_dir: Path) -> None:
    case_id = store.cases.create()
    store.close()
    path = data_dir / "keyslots.json"
    doc = json.loads(path.read_text())
    doc["anchor"]["counter"] = "many"
    path.write_text(json.dumps(doc))
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert _codes(opened) == ["keyfile_altered"]
        assert opened.cases.get(case_id).id == case_id


@pytest.mark.parametrize("behind", [1, 3])
def test_interrupted_anchorings_are_no_alarm(store: Store, data_dir: Path, behind: int) -> None:
    """The key file is written first, then the database's counter: a kill (once, or at
    several locks in a row) between the two leaves the database behind, nothing lost."""
    store.close()
    key = _master_key(data_dir)
    conn = connect_raw(data_dir / "fieldscreen.db", key)
    try:
        counter = db_counter(conn)
        conn.execute("UPDATE meta SET value = ? WHERE key = ?",
                     (str(counter - behind), COUNTER_META))
        conn.commit()
    finally:
        conn.close()
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.warnings == ()


def test_a_key_file_that_cannot_be_written_at_lock_is_no_alarm(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk at lock: the anchor stays the unlock's, and the next unlock is quiet."""
    import errno

    from screening.store import keys

    def disk_full(self: keys.KeySlots, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    store.cases.create()
    with monkeypatch.context() as patched:
        patched.setattr(keys.KeySlots, "save", disk_full)
        store.close()  # the failure is swallowed: locking must always work
        with pytest.raises(StoreError) as error:
            Store.open(data_dir, PASSPHRASE)  # the unlock's anchoring fails the same way
        assert error.value.code == ErrorCode.STORE_DISK_FULL  # said as it is
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.warnings == ()


def test_ordinary_use_raises_no_alarm(store: Store, data_dir: Path, tmp_path: Path) -> None:
    store.cases.create()
    backup = store.backup(tmp_path / "b.fsbackup")
    store.change_passphrase(OTHER_PASSPHRASE)
    recovery = store.regenerate_recovery_key()
    store.close()
    with Store.open_with_recovery_key(data_dir, recovery) as opened:
        assert opened.warnings == ()
        recovery = opened.rekey(PASSPHRASE)
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.warnings == ()
    restored, _kept = Store.restore(data_dir, backup.path, PASSPHRASE, force=True)
    with restored:
        assert restored.warnings == ()
        restored.cases.create()
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.warnings == ()
        assert _audited(opened) == []


def test_a_restore_does_not_reset_the_counter_or_the_failed_attempts(
    store: Store, data_dir: Path, tmp_path: Path
) -> None:
    backup = store.backup(tmp_path / "b.fsbackup")
    store.close()
    for _ in range(5):
        Store.open(data_dir, PASSPHRASE).close()
    before = json.loads((data_dir / "keyslots.json").read_text())["anchor"]["counter"]
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            Store.open(data_dir, "a wrong guess at the keyboard")
    restored, _ = Store.restore(data_dir, backup.path, PASSPHRASE, force=True)
    with restored:
        assert restored.warnings == ()
        entry = [e for e in restored.audit.entries() if e.action == "store.restored"][-1]
        assert entry.detail["replaced_anchor_counter"] == before
    doc = json.loads((data_dir / "keyslots.json").read_text())
    assert doc["anchor"]["counter"] > before
    assert doc["attempts"]["total"] == 2


def test_anchors_handed_out_before_a_rekey_still_verify(store: Store) -> None:
    store.cases.create()
    before = store.audit.anchor()
    store.rekey(OTHER_PASSPHRASE)
    assert store.audit.report().ok
    assert store.audit.check_anchor(before) is None
    assert store.audit.check_anchor(AuditAnchor.parse(before.text)) is None  # as printed
    forged = AuditAnchor(before.entry_id, "0" * 64)
    assert "rewritten" in (store.audit.check_anchor(forged) or "")
    later = AuditAnchor(before.entry_id + 1000, before.digest)
    assert "not in the audit trail" in (store.audit.check_anchor(later) or "")


# -- hostile key files (a reviewer's attacks on the first version) -------------------------
def _edit_keyfile(data_dir: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = data_dir / "keyslots.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_slots_added_by_hand_are_tried_last_and_dropped(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Costly junk slots put first must not make every unlock slow for ever."""
    from screening.store import keys

    store.close()

    def add_junk(doc: dict) -> None:  # type: ignore[type-arg]
        junk = json.loads(json.dumps(doc["slots"][0]))
        junk["kdf"]["time_cost"] = 3
        junk["kdf"]["memory_kib"] = 4096
        doc["slots"] = [junk, junk, *doc["slots"]]

    _edit_keyfile(data_dir, add_junk)
    costs: list[int] = []
    real = keys.derive_kek
    monkeypatch.setattr(keys, "derive_kek", lambda secret, salt, params: (
        costs.append(params.memory_kib) or real(secret, salt, params)))
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert costs == [256]  # the genuine (cheapest) slot first, and only it
        assert "keyfile_altered" in _codes(opened)
    slots = json.loads((data_dir / "keyslots.json").read_text())["slots"]
    assert sorted(s["kind"] for s in slots) == ["passphrase", "recovery"]
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.warnings == ()


def test_a_key_file_with_many_slots_is_refused_plainly(store: Store, data_dir: Path) -> None:
    store.close()
    _edit_keyfile(data_dir, lambda doc: doc.update(slots=doc["slots"] * 3))
    with pytest.raises(StoreError) as error:
        Store.open(data_dir, PASSPHRASE)
    assert "6 key slots" in str(error.value)


def test_a_missing_passphrase_slot_is_not_a_wrong_passphrase(store: Store,
                                                             data_dir: Path) -> None:
    store.close()
    _edit_keyfile(data_dir, lambda doc: doc.update(
        slots=[s for s in doc["slots"] if s["kind"] != "passphrase"]))
    with pytest.raises(StoreError) as error:
        Store.open(data_dir, PASSPHRASE)
    assert not isinstance(error.value, WrongPassphrase)
    assert "no passphrase slot" in str(error.value)
    assert json.loads((data_dir / "keyslots.json").read_text())["attempts"]["total"] == 0


@pytest.mark.parametrize("change", [
    lambda doc: doc.update(attempts={"in_a_row": 2000, "total": 2000, "last_failed": 0}),
    lambda doc: doc.update(attempts={"in_a_row": 10**11, "total": 10**11, "last_failed": 0}),
    lambda doc: doc.update(attempts={"in_a_row": 10**20, "total": -5, "last_failed": "x"}),
    lambda doc: doc["anchor"].update(counter=10**40),
    lambda doc: doc["anchor"].update(audit_id=-1, failed_total=2.5),
], ids=["2000-in-a-row", "1e11-in-a-row", "nonsense-attempts", "huge-counter", "bad-ints"])
def test_hostile_numbers_neither_crash_nor_hang(store: Store, data_dir: Path, change) -> None:  # type: ignore[no-untyped-def]
    from screening.store.throttle import MAX_DELAY, UnlockThrottle

    store.close()
    _edit_keyfile(data_dir, change)
    assert 0 <= Store.unlock_delay(data_dir) <= MAX_DELAY
    slept: list[float] = []
    throttle = UnlockThrottle(data_dir / "keyslots.json", clock=lambda: 1e9,
                              sleep=slept.append)
    with Store.open(data_dir, PASSPHRASE, throttle=throttle) as opened:
        assert all(s <= MAX_DELAY for s in slept)
        assert opened.cases.list() == []


def test_a_folder_in_place_of_the_old_unlock_state_file_does_not_lock_out(
    store: Store, data_dir: Path
) -> None:
    store.close()
    (data_dir / "unlock-state.json").mkdir()
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.warnings == ()


def test_wrong_passphrases_before_a_restore_reach_the_audit_trail(
    store: Store, data_dir: Path, tmp_path: Path
) -> None:
    backup = store.backup(tmp_path / "b.fsbackup")
    store.close()
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            Store.open(data_dir, "a wrong guess at the keyboard")
    restored, _ = Store.restore(data_dir, backup.path, PASSPHRASE, force=True)
    with restored:
        failed = [e.detail for e in restored.audit.entries() if e.action == "unlock.failed"]
        assert failed == [{"attempts": 3}]


def test_a_switch_killed_half_way_is_still_a_store(store: Store, data_dir: Path) -> None:
    """A restore or rekey killed mid-switch can leave only its journal: never 'no store'."""
    from screening.store.backup import journal_path

    store.close()
    for name in ("fieldscreen.db", "keyslots.json"):
        (data_dir / name).rename(data_dir / f"moved-{name}")
    journal_path(data_dir).write_text("{}")
    assert Store.exists(data_dir)
