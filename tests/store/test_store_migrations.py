"""The migration framework: numbered SQL files + user_version, one transaction per step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from storehelp import PASSPHRASE, raw_connect

from screening.errors import ErrorCode, StoreError
from screening.store import Store
from screening.store import migrations as mig
from screening.store.backup import read_backup
from screening.store.connection import key_pragma
from screening.store.migrations import MIGRATIONS, Migration, migrate

CURRENT = mig.LATEST_VERSION
NEXT = CURRENT + 1
EXTRA = Migration(
    NEXT,
    "add_case_priority",
    "ALTER TABLE cases ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX cases_by_priority ON cases (priority);",
)
BROKEN = Migration(NEXT, "broken", "ALTER TABLE cases ADD COLUMN x INTEGER;\nTHIS IS NOT SQL;")


def _with(migrations: list[Migration]) -> Callable[..., list[int]]:
    def run(conn: sqlcipher3.Connection, **kwargs: Any) -> list[int]:
        return migrate(conn, migrations, **kwargs)

    return run


def _empty_db(path: Path) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(key_pragma(b"\x01" * 32))
    return conn


def _schema(conn: sqlcipher3.Connection) -> list[tuple[str, str, str]]:
    return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall())


def test_files_are_numbered_from_one_and_set_user_version(store: Store) -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert store.schema_version == len(MIGRATIONS) == mig.LATEST_VERSION


def test_fresh_schema_equals_schema_migrated_step_by_step(tmp_path: Path) -> None:
    fresh = _empty_db(tmp_path / "fresh.db")
    assert migrate(fresh, [*MIGRATIONS, EXTRA]) == list(range(1, NEXT + 1))
    stepwise = _empty_db(tmp_path / "stepwise.db")
    calls: list[int] = []
    assert migrate(stepwise, MIGRATIONS, before_upgrade=calls.append) == list(
        range(1, NEXT))
    assert calls == []  # a brand-new database needs no safety copy
    assert migrate(stepwise, [*MIGRATIONS, EXTRA], before_upgrade=calls.append) == [NEXT]
    assert calls == [CURRENT]
    assert _schema(fresh) == _schema(stepwise)
    assert fresh.execute("PRAGMA user_version").fetchone()[0] == NEXT
    assert stepwise.execute("PRAGMA user_version").fetchone()[0] == NEXT
    assert migrate(stepwise, [*MIGRATIONS, EXTRA]) == []  # idempotent


def test_gap_in_numbering_is_refused(tmp_path: Path) -> None:
    conn = _empty_db(tmp_path / "gap.db")
    with pytest.raises(StoreError):
        migrate(conn, [*MIGRATIONS, Migration(NEXT + 1, "skips_one", "SELECT 1;")])


def test_opening_an_older_store_upgrades_it_after_a_safety_copy(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = store.cases.create()
    store.close()
    monkeypatch.setattr("screening.store.store.migrate", _with([*MIGRATIONS, EXTRA]))
    monkeypatch.setattr("screening.store.store.LATEST_VERSION", NEXT)
    with Store.open(data_dir, PASSPHRASE) as upgraded:
        assert upgraded.schema_version == NEXT
        assert upgraded.cases.get(case_id).id == case_id
        priority = upgraded._handle.conn.execute("SELECT priority FROM cases").fetchone()[0]
        assert priority == 0
    copies = list((data_dir / "backups").glob(f"pre-migration-v{CURRENT}-*.fsbackup"))
    assert len(copies) == 1
    assert read_backup(copies[0]).header["schema_version"] == CURRENT


def test_a_failing_migration_leaves_the_store_as_it_was(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = store.cases.create()
    store.close()
    monkeypatch.setattr("screening.store.store.migrate", _with([*MIGRATIONS, BROKEN]))
    monkeypatch.setattr("screening.store.store.LATEST_VERSION", NEXT)
    with pytest.raises(StoreError):
        Store.open(data_dir, PASSPHRASE)
    raw = raw_connect(data_dir)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == CURRENT
    columns = [r[1] for r in raw.execute("PRAGMA table_info(cases)")]
    assert "x" not in columns
    raw.close()
    monkeypatch.undo()
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert opened.cases.get(case_id).id == case_id


def test_too_new_error_code() -> None:
    assert mig.too_new(7).code == ErrorCode.STORE_TOO_NEW
