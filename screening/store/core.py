"""What the repository mixins share: the open connection, the audit log, transactions."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from screening.errors import ErrorCode, InputError, StoreError
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


class StoreCore:
    """State every Store has once open. Operations serialise on one re-entrant mutex, so a GUI
    worker thread and the UI thread can share the store."""

    _db: Connection | None
    _audit_log: AuditLog | None
    _mutex: threading.RLock

    @property
    def _conn(self) -> Connection:
        if self._db is None:
            raise StoreError("the store is closed", code=ErrorCode.STORE_IO)
        return self._db

    @property
    def _audit(self) -> AuditLog:
        if self._audit_log is None:
            raise StoreError("the store is closed", code=ErrorCode.STORE_IO)
        return self._audit_log

    @contextlib.contextmanager
    def _tx(self, what: str) -> Iterator[Connection]:
        """One write transaction, committed (and fsynced) when the block ends."""
        with self._mutex:
            try:
                with transaction(self._conn, what) as conn:
                    yield conn
            except BaseException:
                with contextlib.suppress(DatabaseError, StoreError):
                    self._audit.reload()
                raise

    @contextlib.contextmanager
    def _read(self, what: str) -> Iterator[Connection]:
        with self._mutex:
            try:
                yield self._conn
            except DatabaseError as exc:
                raise sqlite_error(exc, what) from None

    def _audit_event(
        self,
        action: str,
        *,
        case_id: str | None = None,
        interview_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """An audit entry in a transaction of its own."""
        with self._tx("writing the audit trail"):
            self._audit.append(action, case_id=case_id, interview_id=interview_id, detail=detail)
