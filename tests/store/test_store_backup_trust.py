"""Backups you can trust (issue #13): an authenticated header, and a restore journal that
cannot move files out of the data folder."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from storehelp import PASSPHRASE, file_hashes

from screening.errors import ErrorCode, InputError, StoreCorrupt
from screening.store import PersonInfo, Store

MAGIC_PREFIX = b"FIELDSCREEN-BACKUP "


def _split(path: Path) -> tuple[bytes, dict[str, Any], bytes | None, bytes]:
    """(magic line, header, MAC line or None, database bytes), for either format."""
    data = path.read_bytes()
    assert data.startswith(MAGIC_PREFIX)
    magic_end = data.index(b"\n") + 1
    header_end = data.index(b"\n", magic_end) + 1
    header = json.loads(data[magic_end:header_end])
    rest = data[header_end:]
    mac_line = None
    candidate = rest[:65]
    if len(candidate) == 65 and candidate.endswith(b"\n"):
        try:
            bytes.fromhex(candidate[:-1].decode("ascii"))
            mac_line, rest = candidate, rest[65:]
        except (UnicodeDecodeError, ValueError):
            pass
    return data[:magic_end], header, mac_line, rest


def _join(magic: bytes, header: dict[str, Any], mac_line: bytes | None, db: bytes) -> bytes:
    head = magic + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    return head + (mac_line or b"") + db


def _tamper(path: Path, how: str) -> None:
    magic, header, mac_line, db = _split(path)
    if how == "recovery_slot_removed":
        slots = header["keyslots"]["slots"]
        header["keyslots"]["slots"] = [s for s in slots if s["kind"] != "recovery"]
        assert len(header["keyslots"]["slots"]) == len(slots) - 1
    elif how == "created_at_forged":
        header["created_at"] = "2020-01-01T00:00:00+00:00"
    elif how == "audit_head_forged":
        header["audit_head"] = {"id": 1, "hash": "00" * 32}
    elif how in ("db_byte_changed_hash_fixed", "db_byte_changed"):
        changed = bytearray(db)
        changed[len(changed) // 2] ^= 0x01
        db = bytes(changed)
        if how == "db_byte_changed_hash_fixed":
            header["db_sha256"] = hashlib.sha256(db).hexdigest()
    else:  # pragma: no cover
        raise AssertionError(how)
    path.write_bytes(_join(magic, header, mac_line, db))


def _legacy(path: Path) -> None:
    """Turn a backup into what FieldScreen wrote before headers were authenticated."""
    _magic, header, _mac, db = _split(path)
    header["version"] = 1
    path.write_bytes(_join(b"FIELDSCREEN-BACKUP 1\n", header, None, db))


@pytest.fixture
def backed_up(store: Store, data_dir: Path, tmp_path: Path) -> tuple[Path, str]:
    case_id = store.cases.create(person=PersonInfo(name="Trusted Fakename"))
    info = store.backup(tmp_path / "b.fsbackup")
    store.close()
    return info.path, case_id


@pytest.mark.parametrize(
    "how",
    [
        "recovery_slot_removed",
        "created_at_forged",
        "audit_head_forged",
        "db_byte_changed_hash_fixed",
        "db_byte_changed",
    ],
)
def test_an_altered_backup_is_refused_and_the_store_untouched(
    backed_up: tuple[Path, str], data_dir: Path, tmp_path: Path, how: str
) -> None:
    backup, case_id = backed_up
    _tamper(backup, how)
    before = file_hashes(data_dir)
    with pytest.raises(InputError) as error:
        Store.restore(data_dir, backup, PASSPHRASE, force=True)
    assert error.value.code == ErrorCode.STORE_BACKUP_ALTERED  # its own words in the app
    assert "the backup was altered" in str(error.value)
    assert file_hashes(data_dir) == before
    assert not [p for p in os.listdir(data_dir) if p.startswith((".restore-", "pre-restore"))]
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert [c.id for c in opened.cases.list()] == [case_id]
    # nor into an empty folder
    empty = tmp_path / "empty"
    with pytest.raises(InputError):
        Store.restore(empty, backup, PASSPHRASE)
    assert not (empty / "fieldscreen.db").exists()
    assert not (empty / "keyslots.json").exists()


def test_an_untouched_backup_still_restores(
    backed_up: tuple[Path, str], data_dir: Path
) -> None:
    backup, case_id = backed_up
    restored, kept = Store.restore(data_dir, backup, PASSPHRASE, force=True)
    with restored:
        assert [c.id for c in restored.cases.list()] == [case_id]
        entry = [e for e in restored.audit.entries() if e.action == "store.restored"][-1]
        assert entry.detail["authenticated"] is True
    assert kept is not None


def test_a_backup_without_a_header_mac_needs_the_explicit_legacy_flag(
    backed_up: tuple[Path, str], data_dir: Path
) -> None:
    backup, case_id = backed_up
    _legacy(backup)
    before = file_hashes(data_dir)
    with pytest.raises(InputError) as error:
        Store.restore(data_dir, backup, PASSPHRASE, force=True)
    assert error.value.code == ErrorCode.STORE_BACKUP_UNAUTHENTICATED
    assert "--legacy-unauthenticated" in str(error.value)
    assert file_hashes(data_dir) == before
    restored, _kept = Store.restore(
        data_dir, backup, PASSPHRASE, force=True, legacy_unauthenticated=True
    )
    with restored:
        assert [c.id for c in restored.cases.list()] == [case_id]
        entry = [e for e in restored.audit.entries() if e.action == "store.restored"][-1]
        assert entry.detail["authenticated"] is False


def test_the_legacy_flag_does_not_excuse_an_altered_current_backup(
    backed_up: tuple[Path, str], data_dir: Path
) -> None:
    backup, _case_id = backed_up
    _tamper(backup, "recovery_slot_removed")
    before = file_hashes(data_dir)
    with pytest.raises(InputError, match="the backup was altered"):
        Store.restore(data_dir, backup, PASSPHRASE, force=True, legacy_unauthenticated=True)
    assert file_hashes(data_dir) == before


# -- the restore journal ---------------------------------------------------------------------
def _journal_targets(tmp_path: Path) -> dict[str, list[list[str]]]:
    outside = tmp_path / "outside"
    return {
        "dotdot_target": [["keyslots.json", "../outside/keyslots.json"]],
        "deep_dotdot_target": [["fieldscreen.db", f"../../{tmp_path.name}/outside/etc-db"]],
        "absolute_target": [["fieldscreen.db", str(outside / "fieldscreen.db")]],
        "absolute_source": [[str(outside / "victim.txt"), "victim.txt"]],
        "dotdot_inside_path": [["keyslots.json", "pre-restore-20250101T000000Z/../../x"]],
        "symlinked_kept_folder": [
            ["keyslots.json", "pre-restore-20250101T000000Z/keyslots.json"]
        ],
    }


@pytest.mark.parametrize(
    "case",
    [
        "dotdot_target",
        "deep_dotdot_target",
        "absolute_target",
        "absolute_source",
        "dotdot_inside_path",
        "symlinked_kept_folder",
    ],
)
def test_a_crafted_restore_journal_moves_nothing(
    store: Store, data_dir: Path, tmp_path: Path, case: str
) -> None:
    store.close()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("not FieldScreen's\n")
    if case == "symlinked_kept_folder":
        (data_dir / "pre-restore-20250101T000000Z").symlink_to(outside)
    moves = _journal_targets(tmp_path)[case]
    journal = data_dir / "restore-journal.json"
    journal.write_text(json.dumps({"moves": moves}))
    before, before_outside = file_hashes(data_dir), file_hashes(outside)
    with pytest.raises(StoreCorrupt) as error:
        Store.open(data_dir, PASSPHRASE)
    assert "restore-journal.json" in str(error.value)
    assert "refusing to move anything" in str(error.value)
    assert file_hashes(data_dir) == before
    assert file_hashes(outside) == before_outside
    assert journal.exists()


def test_a_genuine_journal_is_still_finished(store: Store, data_dir: Path) -> None:
    """What plan_switch writes (renames into pre-restore-<time>/) stays acceptable."""
    store.close()
    (data_dir / "pre-restore-20250101T000000Z").mkdir()
    (data_dir / ".restore-ab12cd34.keyslots").write_bytes(b"left over")
    moves = [
        [".restore-ab12cd34.keyslots", "pre-restore-20250101T000000Z/spare.keyslots"],
    ]
    (data_dir / "restore-journal.json").write_text(json.dumps({"moves": moves}))
    Store.open(data_dir, PASSPHRASE).close()
    assert not (data_dir / "restore-journal.json").exists()
    assert (data_dir / "pre-restore-20250101T000000Z" / "spare.keyslots").exists()
