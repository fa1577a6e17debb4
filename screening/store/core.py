"""What the repositories share: the open connection, the audit log, transactions."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from screening.errors import ErrorCode, InputError, StoreCorrupt, StoreError
from screening.store.audit import AuditLog
from screening.store.connection import Connection, DatabaseError, sqlite_error, transaction


def new_id() -> str:
    return uuid.uuid4().hex


def to_json(value: Any, what: str) -> str:
    """Compact JSON; NaN, infinities and non-JSON types are refused (InputError)."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        raise InputError(f"{what} is not JSON-compatible", code=ErrorCode.BAD_INPUT) from None


def not_found(kind: str, ident: str) -> StoreError:
    return StoreError(f"no such {kind}", code=ErrorCode.STORE_NOT_FOUND, **{f"{kind}_id": ident})


def case_reference(conn: Connection, case_id: str) -> str:
    """The case's reference; STORE_NOT_FOUND when there is no such case."""
    row = conn.execute("SELECT reference FROM cases WHERE id = ?", (case_id,)).fetchone()
    if row is None:
        raise not_found("case", case_id)
    return str(row[0])


class StoreHandle:
    """What an open Store's repositories share: the connection, the audit log and one
    re-entrant mutex every operation serialises on, so a GUI worker thread and the UI thread
    can share the store. One instance per open Store; ``detach`` empties it on close."""

    def __init__(self, conn: Connection, audit_key: bytes) -> None:
        self._db: Connection | None = conn
        self._audit_log: AuditLog | None = AuditLog(conn, audit_key)
        self.mutex = threading.RLock()
        # What the full page check (pagecheck.py) found: pages that fail, or why it could not
        # check the file at all. Either way the file is not known to be sound, and from then
        # on every write and every output is refused: nothing more is built on a file that
        # may lose it, and nothing leaves it unaudited (issue #19).
        self.damaged_pages = 0
        self.unchecked = ""

    @property
    def damaged(self) -> bool:
        """Whether the file is not known to be sound: damaged, or it could not be checked."""
        return self.damaged_pages > 0 or bool(self.unchecked)

    def refuse_writes(self, pages: int) -> None:
        """The file is damaged: refuse every write and output from now on (reads go on)."""
        self.damaged_pages = max(1, pages)

    def refuse_unchecked(self, reason: str) -> None:
        """The check could not give a verdict (``reason``): treated as not sound."""
        self.unchecked = reason or "no verdict"

    def _unsound(self) -> tuple[str, str]:
        """What is wrong with the file, and what to do; ("", "") while it is not known to
        be unsound."""
        restore = "restore a backup (`fieldscreen restore FILE`)"
        if self.damaged_pages:
            return (f"the database file is damaged ({self.damaged_pages} page(s) fail their "
                    "integrity check)", restore)
        if self.unchecked:
            return (f"the database file could not be checked ({self.unchecked})",
                    f"{restore} or run `fieldscreen check`")
        return "", ""

    def check_writable(self) -> None:
        """StoreCorrupt once the file is known to be damaged, or could not be checked."""
        what, remedy = self._unsound()
        if what:
            raise StoreCorrupt(f"{what}: nothing more is saved; {remedy}")

    def check_output(self) -> None:
        """StoreCorrupt once the file is not known to be sound: nothing leaves the store
        then (export, backup, PDF, packet, send), as nothing left it before issue #19,
        when such a file did not even unlock. What is there can still be viewed."""
        what, remedy = self._unsound()
        if what:
            raise StoreCorrupt(f"{what}: nothing can be exported, sent or written to a file "
                               f"from it (what is there can still be viewed); {remedy}")

    @property
    def closed(self) -> bool:
        return self._db is None

    @property
    def conn(self) -> Connection:
        if self._db is None:
            raise StoreError("the store is closed", code=ErrorCode.STORE_IO)
        return self._db

    @property
    def audit(self) -> AuditLog:
        if self._audit_log is None:
            raise StoreError("the store is closed", code=ErrorCode.STORE_IO)
        return self._audit_log

    def detach(self) -> Connection | None:
        """Forget the connection and the audit log (the caller closes the connection)."""
        with self.mutex:
            conn, self._db, self._audit_log = self._db, None, None
            return conn

    def reattach(self, conn: Connection, audit_key: bytes) -> None:
        """Point the repositories at a new connection and chain key (``Store.rekey``)."""
        with self.mutex:
            self._db, self._audit_log = conn, AuditLog(conn, audit_key)

    @contextlib.contextmanager
    def tx(self, what: str) -> Iterator[Connection]:
        """One write transaction, committed (and fsynced) when the block ends; refused
        (StoreCorrupt) once the file is known to be damaged."""
        with self.mutex:
            self.check_writable()
            try:
                with transaction(self.conn, what) as conn:
                    yield conn
            except BaseException:
                with contextlib.suppress(DatabaseError, StoreError):
                    self.audit.reload()
                raise

    @contextlib.contextmanager
    def read(self, what: str) -> Iterator[Connection]:
        with self.mutex:
            try:
                yield self.conn
            except DatabaseError as exc:
                raise sqlite_error(exc, what) from None
