"""Schema migrations: numbered SQL files plus ``PRAGMA user_version``.

``NNNN_name.sql`` files in this package are applied in order, each in one transaction together
with its ``user_version`` bump, so a crash or error leaves the previous version intact. A fresh
store runs them all. Released files are never edited; a schema change is a new file. The
opener refuses a database whose ``user_version`` is higher than the newest file here, before
writing anything to it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from screening.errors import ErrorCode, StoreError
from screening.store import search
from screening.store.connection import Connection, DatabaseError, sqlite_error, user_version

_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    found = []
    for entry in resources.files(__name__).iterdir():
        match = _NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    check_sequence(found)
    return found


def check_sequence(migrations: Sequence[Migration]) -> None:
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise StoreError(f"migration {expected:04d} is missing")


MIGRATIONS = load_migrations()
LATEST_VERSION = len(MIGRATIONS)


def too_new(version: int, latest: int = LATEST_VERSION) -> StoreError:
    return StoreError(
        f"this store was written by a newer FieldScreen (schema version {version}; this app "
        f"knows up to {latest}); update FieldScreen to open it. Nothing was changed.",
        code=ErrorCode.STORE_TOO_NEW,
        schema_version=version,
        supported=latest,
    )


def _give_functions(conn: Connection) -> None:
    """Python functions a migration may call to fill a new column of existing rows with what
    the repositories write for new ones (0007: the case list's sort keys). Only migrations
    use them: no index, trigger or view refers to them, so any connection can write."""
    conn.create_function("fs_sort_key", 1, search.name_key, deterministic=True)
    conn.create_function("fs_received_key", 2, search.received_key, deterministic=True)
    conn.create_function("fs_chars", 1, search.chars_text, deterministic=True)


def migrate(
    conn: Connection,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    before_upgrade: Callable[[int], None] | None = None,
) -> list[int]:
    """Bring ``conn`` to the newest version; return the versions applied.

    ``before_upgrade(current_version)`` runs once before the first step when an existing
    (version >= 1) database is upgraded: the store copies the file there.
    """
    check_sequence(migrations)
    current = user_version(conn)
    if current > len(migrations):
        raise too_new(current, len(migrations))
    pending = list(migrations[current:])
    if pending and current >= 1 and before_upgrade is not None:
        before_upgrade(current)
    if pending:
        _give_functions(conn)
    applied = []
    for migration in pending:
        script = (
            f"BEGIN IMMEDIATE;\n{migration.sql}\n"
            f"PRAGMA user_version = {int(migration.version)};\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except DatabaseError as exc:
            if conn.in_transaction:
                with contextlib.suppress(DatabaseError):
                    conn.execute("ROLLBACK")
            raise sqlite_error(exc, f"schema migration {migration.version:04d} failed") from None
        applied.append(migration.version)
    return applied
