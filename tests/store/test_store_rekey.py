"""``Store.rekey`` (issue #13): a new data key locks out old key files and secrets, keeps
every case, answer and the audit chain, and survives SIGKILL at any moment."""

from __future__ import annotations

import random
import shutil
import signal
import time
from pathlib import Path

import pytest
from storehelp import OTHER_PASSPHRASE, PASSPHRASE, answer, meta, spawn_store_child

from screening.errors import InputError, StoreCorrupt, WrongPassphrase
from screening.store import Store

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_rekey.py")
KILLS = 25
BUDGET_S = 40.0


def _fill(store: Store, n: int = 3) -> dict[str, str]:
    """n cases with an interview and two answers each; returns interview id -> case id."""
    made = {}
    for i in range(n):
        case_id = store.cases.create()
        interview_id = store.interviews.create(case_id, meta())
        store.interviews.save_answer(interview_id, answer("q1", f"value {i}"))
        store.interviews.save_answer(interview_id, answer("q2", i, note=f"note {i}"))
        made[interview_id] = case_id
    return made


def _check_complete(store: Store, made: dict[str, str]) -> None:
    assert store.integrity_check() == []
    assert store.audit.verify() == (True, None)
    assert {c.id for c in store.cases.list()} >= set(made.values())
    for i, interview_id in enumerate(sorted(made, key=list(made).index)):
        answers = store.interviews.load_answers(interview_id)
        assert answers["q1"].value == f"value {i}"
        assert answers["q2"].value == i


def test_old_key_file_and_secrets_no_longer_open_the_current_store(
    data_dir: Path, created: tuple[Store, str], tmp_path: Path
) -> None:
    store, old_recovery = created
    made = _fill(store)
    old_slots = tmp_path / "old-keyslots.json"
    shutil.copy(data_dir / "keyslots.json", old_slots)
    entries_before = len(store.audit.entries())
    store.verify_passphrase(PASSPHRASE)
    new_recovery = store.rekey(OTHER_PASSPHRASE)
    assert new_recovery != old_recovery
    later = store.cases.create()  # a case added after the change
    _check_complete(store, made)
    actions = [e.action for e in store.audit.entries()]
    assert "store.rekeyed" in actions and len(actions) >= entries_before + 2
    rekeyed = next(e for e in store.audit.entries() if e.action == "store.rekeyed")
    assert rekeyed.detail["previous_chain_ok"] is True
    store.close()

    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        Store.open_with_recovery_key(data_dir, old_recovery)
    with Store.open(data_dir, OTHER_PASSPHRASE) as reopened:
        _check_complete(reopened, made)
        assert later in {c.id for c in reopened.cases.list()}
    with Store.open_with_recovery_key(data_dir, new_recovery) as reopened:
        assert reopened.audit.verify() == (True, None)

    # An attacker's copy of the old key file, with the old secrets: the key it yields is
    # not the current database's.
    shutil.copy(old_slots, data_dir / "keyslots.json")
    with pytest.raises(StoreCorrupt, match="before a `fieldscreen rekey`"):
        Store.open(data_dir, PASSPHRASE)
    with pytest.raises(StoreCorrupt):
        Store.open_with_recovery_key(data_dir, old_recovery)


def test_a_backup_from_before_rekey_restores_with_the_old_passphrase_only(
    data_dir: Path, store: Store, tmp_path: Path
) -> None:
    made = _fill(store, 2)
    backup = tmp_path / "before.fsbackup"
    store.backup(backup)
    store.rekey(OTHER_PASSPHRASE)
    store.close()
    with pytest.raises(WrongPassphrase):
        Store.restore(tmp_path / "elsewhere", backup, OTHER_PASSPHRASE)
    restored, _kept = Store.restore(tmp_path / "elsewhere", backup, PASSPHRASE)
    with restored:
        _check_complete(restored, made)


def test_rekey_removes_pre_restore_folders_and_leftovers(
    data_dir: Path, store: Store, tmp_path: Path
) -> None:
    made = _fill(store, 1)
    backup = tmp_path / "b.fsbackup"
    store.backup(backup)
    store.close()
    restored, kept = Store.restore(data_dir, backup, PASSPHRASE, force=True)
    assert kept is not None and (kept / "keyslots.json").exists()
    (data_dir / ".backup-0123abcd.db").write_bytes(b"x")
    (data_dir / ".restore-0123abcd.db").write_bytes(b"x")
    (data_dir / ".keyslots.json.0123abcd.tmp").write_bytes(b"x")
    (data_dir / "backups").mkdir(exist_ok=True)
    pre_migration = data_dir / "backups" / "pre-migration-v1-20260101T000000Z.fsbackup"
    shutil.copy(backup, pre_migration)  # holds the old key slots, as a real one would
    restored.rekey(OTHER_PASSPHRASE)
    assert not pre_migration.exists()
    left = sorted(p.name for p in data_dir.iterdir())
    assert not [n for n in left if n.startswith(("pre-restore-", ".backup-", ".restore-"))], left
    assert not [n for n in left if n.endswith(".tmp") or n == "restore-journal.json"], left
    _check_complete(restored, made)
    restored.close()


def test_a_weak_new_passphrase_changes_nothing(data_dir: Path, store: Store) -> None:
    before = (data_dir / "keyslots.json").read_bytes()
    with pytest.raises(InputError):
        store.rekey("short")
    assert (data_dir / "keyslots.json").read_bytes() == before
    assert store.audit.verify() == (True, None)


def _opens(data_dir: Path, passphrase: str) -> bool:
    try:
        Store.open(data_dir, passphrase).close()
    except WrongPassphrase:
        return False
    return True


@pytest.mark.slow
def test_sigkill_during_rekey_leaves_exactly_one_state(data_dir: Path, store: Store) -> None:
    made = _fill(store, 4)
    store.close()
    rng = random.Random(20261204)
    current, other = PASSPHRASE, OTHER_PASSPHRASE
    old_state = new_state = kills = 0
    started = time.monotonic()
    while kills < KILLS and time.monotonic() - started < BUDGET_S:
        proc = spawn_store_child(CHILD, [str(data_dir)], f"{current}\n{other}\n")
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first == "ready\n", proc.stderr.read() if proc.stderr else first
        time.sleep(rng.uniform(0.0, 0.4) if kills % 3 == 0 else rng.uniform(0.0, 0.06))
        proc.send_signal(signal.SIGKILL)
        _out, err = proc.communicate(timeout=30)
        kills += 1
        old_ok, new_ok = _opens(data_dir, current), _opens(data_dir, other)
        assert old_ok != new_ok, f"kill {kills}: old opens={old_ok}, new opens={new_ok}; {err}"
        if new_ok:
            new_state += 1
            current, other = other, current
        else:
            old_state += 1
        with Store.open(data_dir, current) as reopened:
            _check_complete(reopened, made)
        assert not (data_dir / "restore-journal.json").exists()
        assert not [p for p in data_dir.iterdir() if p.name.startswith((".restore-", "pre-"))]
    assert kills >= 10, f"only {kills} kills in {BUDGET_S} s"
    print(f"rekey kills: {kills}, old state {old_state}, new state {new_state}")
    assert old_state and new_state  # the kills landed on both sides of the switch
