""""Remove after sending" (issue #18): when a case may be deleted from the laptop.

The officer's choice deletes the case (the store's secure delete, audited ``case.deleted``)
only once the server holds exactly what the laptop holds: every interview of the case is
finished, queued and sent, and the version sent is its current one (``finished_at`` of the
interview equals the one its sent submission was built from). An interview reopened or
finished again after it was sent, or one never queued, keeps the case, with a note saying
why. Recording "sent" and deleting are two commits; a case whose items were all recorded
sent but that a crash kept from being deleted is removed at the start of the next send
(``remove_leftovers``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from screening.server.outcomes import SendResult
from screening.store.sendqueue import SENT

if TYPE_CHECKING:
    from screening.store import Store

log = logging.getLogger(__name__)


def keep_reason(store: Store, case_id: str) -> tuple[bool, str] | None:
    """Why a case chosen for removal after sending must stay, or None when it may go.
    ``(True, why)``: it stays until the officer acts; ``(False, why)``: other interviews
    of it are still on their way (it goes once they are sent)."""
    rows = {r.interview_id: r for r in store.sends.rows(case_id)}
    waiting = None
    for interview in store.interviews.list(case_id):
        row = rows.get(interview.id)
        if row is None:
            return True, f"interview {interview.id} was not queued for the server"
        if not interview.finished:
            return True, (f"interview {interview.id} was reopened and is not finished; "
                          "finish it and queue the case again")
        if row.state != SENT:  # never sent, or its change queued as an edit
            waiting = f"interview {interview.id} is not sent yet"
        elif row.changed_after_sending:
            return True, (f"interview {interview.id} changed after it was sent; queue the "
                          "case again to send the change")
    return (False, waiting) if waiting else None


def remove_after_sending(store: Store, case_id: str, reference: str) -> tuple[bool, str | None]:
    """After an item of a case to remove was sent: ``(True, None)`` when the case was
    deleted; ``(False, note)`` when it stays, the note saying why (None while other
    interviews of it are still to be sent)."""
    reason = keep_reason(store, case_id)
    if reason is None:
        store.cases.delete(case_id)
        return True, None
    must_stay, why = reason
    if not must_stay:
        return False, None
    return False, f"case {reference} is kept on this computer, not removed after sending: {why}"


def remove_leftovers(store: Store) -> list[SendResult]:
    """Cases to remove after sending whose interviews were all recorded sent but that were
    not deleted (the program was stopped in between): deleted now, one "removed" result
    per interview."""
    rows = [r for r in store.sends.rows() if r.remove_after]
    results: list[SendResult] = []
    for case_id in dict.fromkeys(r.case_id for r in rows):
        mine = [r for r in rows if r.case_id == case_id]
        if any(r.state != SENT for r in mine) or keep_reason(store, case_id) is not None:
            continue
        store.cases.delete(case_id)
        log.info("send: removed a case left over from an earlier send")
        results.extend(SendResult(
            case_id=case_id, interview_id=r.interview_id, instance_id=r.instance_id,
            outcome="removed", server=r.sent_server, form_version=r.sent_form_version,
            sent_at=r.sent_at, case_reference=r.case_reference,
            note="sent earlier; removed from this computer now") for r in mine)
    return results


__all__ = ["keep_reason", "remove_after_sending", "remove_leftovers"]
