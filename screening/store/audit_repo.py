"""``store.audit``: verifying and reading the audit trail, and entries of their own.

The chain itself (HMACs, appending inside a caller's transaction) is ``audit.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from screening.store.core import StoreHandle
from screening.store.models import AuditAnchor, AuditEntry, AuditReport


class AuditRepository:
    """``store.audit``: the store's audit trail."""

    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    def event(
        self,
        action: str,
        *,
        case_id: str | None = None,
        interview_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """An audit entry in a transaction of its own.

        Refused (StoreCorrupt, by ``StoreHandle.tx``) once the file is not known to be
        sound: an action that must be audited is never done unaudited. Outputs are refused
        before they start (``StoreHandle.check_output``; issue #19)."""
        with self._handle.tx("writing the audit trail"):
            self._handle.audit.append(action, case_id=case_id, interview_id=interview_id,
                                      detail=detail)

    def anchor(self) -> AuditAnchor:
        """The chain's head now: put it in anything that leaves the laptop (packet, export,
        backup) so ``fieldscreen audit verify --against`` can later tell whether the history
        up to it was rewritten or rolled back."""
        with self._handle.read("reading the audit trail"):
            entry_id, digest = self._handle.audit.head
            return AuditAnchor(entry_id, digest)

    def check_anchor(self, anchor: AuditAnchor) -> str | None:
        """None when the history up to ``anchor`` is unchanged; else what is wrong."""
        with self._handle.read("verifying the audit trail"):
            return self._handle.audit.check_anchor(anchor.entry_id, anchor.digest)

    def verify(self) -> tuple[bool, int | None]:
        """(True, None) when the chain is intact, else (False, first broken entry id)."""
        report = self.report()
        return report.ok, report.first_broken

    def report(self) -> AuditReport:
        with self._handle.read("verifying the audit trail"):
            return self._handle.audit.verify()

    def entries(
        self, *, case_id: str | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        with self._handle.read("reading the audit trail"):
            return self._handle.audit.entries(case_id=case_id, limit=limit)
