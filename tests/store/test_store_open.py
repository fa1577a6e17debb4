"""Opening: missing, foreign, damaged and newer stores are refused without being modified."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from storehelp import PASSPHRASE, file_hashes, raw_connect

from screening.errors import ErrorCode, StoreCorrupt, StoreError
from screening.store import Store


def _reopen_fails(data_dir: Path, kind: type[StoreError]) -> StoreError:
    before = file_hashes(data_dir)
    with pytest.raises(kind) as info:
        Store.open(data_dir, PASSPHRASE)
    assert file_hashes(data_dir) == before, "a refused store must be left byte-for-byte"
    assert sorted(os.listdir(data_dir)) == sorted(before)  # no -wal/-shm left behind
    return info.value


def test_no_store_here(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store.open(tmp_path / "nothing", PASSPHRASE)
    assert info.value.code == ErrorCode.STORE_NOT_INITIALISED
    assert not (tmp_path / "nothing").exists()


@pytest.mark.parametrize("kind", ["plain_sqlite", "random_bytes", "other_store", "truncated"])
def test_foreign_or_damaged_database_is_refused_untouched(
    store: Store, data_dir: Path, tmp_path: Path, kind: str
) -> None:
    store.close()
    db = data_dir / "fieldscreen.db"
    if kind == "plain_sqlite":
        db.unlink()
        plain = sqlite3.connect(db)
        plain.execute("CREATE TABLE cases (id TEXT)")
        plain.commit()
        plain.close()
    elif kind == "random_bytes":
        db.write_bytes(os.urandom(3 * 4096))
    elif kind == "other_store":
        other, _ = Store.create(tmp_path / "other", PASSPHRASE)
        other.close()
        db.write_bytes((tmp_path / "other" / "fieldscreen.db").read_bytes())
    else:
        db.write_bytes(db.read_bytes()[:5000])
    error = _reopen_fails(data_dir, StoreCorrupt)
    assert error.code == ErrorCode.STORE_CORRUPT


def test_newer_schema_is_refused_with_a_clear_message_untouched(
    store: Store, data_dir: Path
) -> None:
    store.cases.create()
    store.close()
    raw = raw_connect(data_dir)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    error = _reopen_fails(data_dir, StoreError)
    assert error.code == ErrorCode.STORE_TOO_NEW
    assert "newer FieldScreen" in error.message and "99" in error.message


def test_missing_key_file_with_a_database_is_corrupt_not_new(store: Store, data_dir: Path) -> None:
    store.close()
    (data_dir / "keyslots.json").unlink()
    with pytest.raises(StoreCorrupt):
        Store.open(data_dir, PASSPHRASE)
    with pytest.raises(StoreError) as info:
        Store.create(data_dir, PASSPHRASE)  # never overwrite a database we cannot read
    assert info.value.code == ErrorCode.STORE_ALREADY_INITIALISED


def test_create_interrupted_before_its_last_rename_is_finished_on_open(
    store: Store, data_dir: Path
) -> None:
    case_id = store.cases.create()
    store.close()
    os.replace(data_dir / "fieldscreen.db", data_dir / ".fieldscreen-init.db")
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.cases.get(case_id).id == case_id


def test_second_open_is_refused_while_the_store_is_open(store: Store, data_dir: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store.open(data_dir, PASSPHRASE)
    assert info.value.code == ErrorCode.STORE_LOCKED
    store.close()
    Store.open(data_dir, PASSPHRASE).close()


def test_pragmas_that_protect_data(store: Store) -> None:
    conn = store._handle.conn
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY: temp files are plain
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == "HMAC_SHA512"
    assert conn.execute("PRAGMA cipher_page_size").fetchone()[0] == "4096"


def test_files_are_private_and_unreadable_without_the_key(store: Store, data_dir: Path) -> None:
    store.cases.create()
    store.close()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("fieldscreen.db", "keyslots.json"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    plain = sqlite3.connect(data_dir / "fieldscreen.db")
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()
    assert b"SQLite format" not in (data_dir / "fieldscreen.db").read_bytes()
    assert not (data_dir / "fieldscreen.db-wal").exists()  # checkpointed and removed on close


def test_closed_store_refuses_work(store: Store) -> None:
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError):
        store.cases.list()
