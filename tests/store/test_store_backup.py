"""Backups restore with the passphrase of their day; a bad backup never harms a store."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from storehelp import OTHER_PASSPHRASE, PASSPHRASE, answer, file_hashes, meta

from screening.errors import ErrorCode, StoreError, WrongPassphrase
from screening.store import PersonInfo, Store
from screening.store import backup as backup_module
from screening.store.backup import MAGIC, read_backup


@pytest.fixture
def filled(store: Store) -> dict[str, str]:
    case_id = store.cases.create(person=PersonInfo(name="Backup Fakename"))
    interview_id = store.interviews.create(case_id, meta())
    store.interviews.save_answer(interview_id, answer("q1", "first"))
    store.interviews.save_answer(interview_id, answer("q1", "second", note="n"))
    store.interviews.finish(interview_id, {"outcome": "refer"})
    return {"case": case_id, "interview": interview_id}


def _check_content(store: Store, ids: dict[str, str]) -> None:
    case = store.cases.get(ids["case"])
    assert case.person is not None and case.person.name == "Backup Fakename"
    assert store.interviews.load_answers(ids["interview"])["q1"].value == "second"
    history = store.interviews.answer_history(ids["interview"], "q1")
    assert [a.value for a in history] == ["first", "second"]
    assert store.interviews.get(ids["interview"]).result == {"outcome": "refer"}
    assert store.cases.search("fakename")[0].id == ids["case"]
    assert store.audit.verify() == (True, None)
    assert store.integrity_check() == []


def test_round_trip_into_an_empty_folder(
    store: Store, filled: dict[str, str], tmp_path: Path
) -> None:
    info = store.backup(tmp_path / "cases.fsbackup")
    assert info.path.read_bytes().startswith(MAGIC)
    header = read_backup(info.path).header
    assert header["schema_version"] == store.schema_version
    assert set(header) >= {"keyslots", "db_sha256", "audit_head", "store_id"}
    assert "store.backup" in [e.action for e in store.audit.entries()]
    assert sorted(p.name for p in store.data_dir.iterdir()) == [
        "fieldscreen.db",
        "fieldscreen.db-shm",
        "fieldscreen.db-wal",
        "fieldscreen.lock",
        "keyslots.json",
    ]  # the encrypted working copy is gone
    target = tmp_path / "restored"
    restored, kept = Store.restore(target, info.path, PASSPHRASE)
    with restored:
        assert kept is None
        _check_content(restored, filled)
        assert restored.store_id == store.store_id
        assert "store.restored" in [e.action for e in restored.audit.entries()]
    Store.open(target, PASSPHRASE).close()


def test_backup_opens_with_the_passphrase_of_its_day(
    created: tuple[Store, str], filled: dict[str, str], tmp_path: Path
) -> None:
    store, recovery_key = created
    info = store.backup(tmp_path / "b.fsbackup")
    store.change_passphrase(OTHER_PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        Store.restore(tmp_path / "r1", info.path, OTHER_PASSPHRASE)
    assert not (tmp_path / "r1" / "fieldscreen.db").exists()
    restored, _ = Store.restore(tmp_path / "r1", info.path, PASSPHRASE)
    restored.close()
    restored, _ = Store.restore(tmp_path / "r2", info.path, recovery_key, recovery=True)
    with restored:
        _check_content(restored, filled)


def test_existing_store_is_not_replaced_without_force(
    store: Store, filled: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    info = store.backup(tmp_path / "b.fsbackup")
    store.close()
    before = file_hashes(data_dir)
    with pytest.raises(StoreError) as error:
        Store.restore(data_dir, info.path, PASSPHRASE)
    assert error.value.code == ErrorCode.STORE_ALREADY_INITIALISED
    assert file_hashes(data_dir) == before


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        del data[-5000:]
    elif how == "flipped_byte":
        data[-100] ^= 0x01
    elif how == "wrong_magic":
        data[:8] = b"NOTOURS!"
    elif how == "bad_header":
        start = len(MAGIC)
        data[start : start + 10] = b"{{{{{{{{{{"
    elif how == "extra_bytes":
        data += b"tail"
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how", ["truncated", "flipped_byte", "wrong_magic", "bad_header", "extra_bytes"]
)
def test_bad_backup_never_damages_the_existing_store(
    store: Store, filled: dict[str, str], data_dir: Path, tmp_path: Path, how: str
) -> None:
    info = store.backup(tmp_path / "b.fsbackup")
    store.close()
    _damage(info.path, how)
    before = file_hashes(data_dir)
    with pytest.raises(StoreError) as error:
        Store.restore(data_dir, info.path, PASSPHRASE, force=True)
    # Damaged, or (a flipped byte the hash does not catch) altered: refused either way.
    assert error.value.code in (ErrorCode.STORE_BACKUP_INVALID, ErrorCode.STORE_BACKUP_ALTERED)
    assert file_hashes(data_dir) == before
    with Store.open(data_dir, PASSPHRASE) as opened:
        _check_content(opened, filled)


def test_wrong_passphrase_for_a_backup_changes_nothing(
    store: Store, filled: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    info = store.backup(tmp_path / "b.fsbackup")
    store.close()
    before = file_hashes(data_dir)
    with pytest.raises(WrongPassphrase):
        Store.restore(data_dir, info.path, OTHER_PASSPHRASE, force=True)
    assert file_hashes(data_dir) == before


def test_force_keeps_the_replaced_store_encrypted_and_openable(
    store: Store, filled: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    info = store.backup(tmp_path / "b.fsbackup")
    newer_case = store.cases.create(person=PersonInfo(name="After Backup"))
    store.close()
    restored, kept = Store.restore(data_dir, info.path, PASSPHRASE, force=True)
    with restored:
        _check_content(restored, filled)
        assert newer_case not in {c.id for c in restored.cases.list()}
    assert kept is not None and kept.parent == data_dir
    old = tmp_path / "old"
    shutil.copytree(kept, old)
    with Store.open(old, PASSPHRASE) as previous:
        assert newer_case in {c.id for c in previous.cases.list()}


def test_restore_interrupted_mid_switch_is_finished_on_next_open(
    store: Store,
    filled: dict[str, str],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info = store.backup(tmp_path / "b.fsbackup")
    newer_case = store.cases.create()
    store.close()
    real_fsync = backup_module.fsync_dir
    calls = {"n": 0}

    def crash_after_two_renames(path: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(5, "simulated power cut")
        real_fsync(path)

    monkeypatch.setattr(backup_module, "fsync_dir", crash_after_two_renames)
    with pytest.raises(StoreError):
        Store.restore(data_dir, info.path, PASSPHRASE, force=True)
    monkeypatch.setattr(backup_module, "fsync_dir", real_fsync)
    assert (data_dir / "restore-journal.json").exists()
    journal = json.loads((data_dir / "restore-journal.json").read_text())
    assert all("Fakename" not in str(move) for move in journal["moves"])
    with Store.open(data_dir, PASSPHRASE) as opened:
        _check_content(opened, filled)
        assert newer_case not in {c.id for c in opened.cases.list()}
    assert not (data_dir / "restore-journal.json").exists()
    assert not [p for p in os.listdir(data_dir) if p.startswith(".restore-")]


def test_two_restores_in_the_same_second_both_take_effect(
    data_dir: Path, tmp_path: Path
) -> None:
    """The kept folder's name is unique: a second restore never silently does nothing."""
    with Store.create(data_dir, PASSPHRASE)[0] as store:
        first = store.cases.create("FS-FIRST")
        store.backup(tmp_path / "one.fsbackup")
        second = store.cases.create("FS-SECOND")
        store.backup(tmp_path / "two.fsbackup")
    for name, expected in (("one", {first}), ("two", {first, second}), ("one", {first})):
        restored, kept = Store.restore(data_dir, tmp_path / f"{name}.fsbackup", PASSPHRASE,
                                       force=True)
        with restored:
            assert {c.id for c in restored.cases.list()} == expected
        assert kept is not None and kept.is_dir()
    assert len(list(data_dir.glob("pre-restore-*"))) == 3
