"""What sending reports: one ``SendResult`` per interview, one ``QueueEntry`` per queue row,
the kinds of failure and the backoff (issue #18). Re-exported by ``screening.server.service``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from screening.store.sendqueue import QueueRow

# Failures that pass by themselves: the item waits (backoff) and is tried again.
TRANSIENT_KINDS = frozenset({"unreachable", "timeout", "tls", "server", "bad_response"})
# Failures of the connection rather than of one item: the rest of the run is not tried.
CONNECTION_KINDS = frozenset({"bad_url", "unreachable", "timeout", "tls", "auth", "forbidden"})
# Failures the user (settings, consent, publishing) must fix: `fieldscreen send` exits 2.
INPUT_KINDS = frozenset({"bad_url", "auth", "forbidden", "not_found", "form_not_published",
                         "plaintext_refused", "consent", "not_finished", "instrument_missing",
                         "no_form_access", "key_mismatch"})
BACKOFF_FIRST_S = 30
BACKOFF_MAX_S = 3600


def backoff(attempts: int) -> timedelta:
    """How long an item waits after its ``attempts``-th transient failure."""
    return timedelta(seconds=min(BACKOFF_FIRST_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S))


def stamp(moment: datetime) -> str:
    """The store's time format (``audit.now``): sortable as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class SendResult:
    """One interview in a send. ``outcome``: "sent", "already_sent" (Central had this very
    submission), "would_send" (a dry run), "failed" (``error``, ``error_kind``) or "removed"
    (sent, and the case was then deleted here: remove after sending). ``note``: something
    the officer should know about a result that is not a failure, e.g. why a case chosen
    for removal after sending was kept, or that a dry run could not read the form yet.
    ``edit_of``: the instanceID this submission replaces on the server (an interview
    changed after it was sent), else None."""

    case_id: str
    interview_id: str
    instance_id: str
    outcome: str  # "sent" | "already_sent" | "would_send" | "failed" | "removed"
    error: str | None = None
    error_kind: str | None = None
    server: str | None = None
    form_version: str | None = None
    encrypted: bool = True
    sent_at: str | None = None
    case_reference: str = ""
    size: int | None = None  # bytes of the envelope (manifest + files)
    note: str | None = None
    edit_of: str | None = None

    def to_json(self) -> dict[str, Any]:
        keys = ("case_id", "interview_id", "instance_id", "outcome", "error", "error_kind",
                "server", "form_version", "encrypted", "sent_at", "note", "edit_of")
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class QueueEntry:
    """One interview in the send queue. ``changed_after_sending``: a version was sent and
    the interview differs from it now (reopened, or finished again since); ``queue`` takes
    it again (once finished) and it is sent as an edit that replaces the server's copy.
    ``sent_instance_id``: the instanceID the server holds; ``edit_of``: for an edit waiting
    to be sent, the instanceID it replaces; ``deprecated_id``: the instanceID the last edit
    sent replaced (history)."""

    case_id: str
    interview_id: str
    instance_id: str
    state: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    queued_at: str
    sent_at: str | None
    sent_server: str | None
    remove_after: bool
    case_reference: str = ""
    last_error_kind: str | None = None
    sent_project: int | None = None
    sent_form_version: str | None = None
    changed_after_sending: bool = False
    sent_instance_id: str | None = None
    edit_of: str | None = None
    deprecated_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def queue_entry(row: QueueRow) -> QueueEntry:
    return QueueEntry(
        case_id=row.case_id, interview_id=row.interview_id, instance_id=row.instance_id,
        state=row.state, attempts=row.attempts, next_attempt_at=row.next_attempt_at,
        last_error=row.last_error, queued_at=row.queued_at, sent_at=row.sent_at,
        sent_server=row.sent_server, remove_after=row.remove_after,
        case_reference=row.case_reference, last_error_kind=row.last_error_kind,
        sent_project=row.sent_project, sent_form_version=row.sent_form_version,
        changed_after_sending=row.changed_after_sending,
        sent_instance_id=row.sent_instance_id, edit_of=row.edit_of,
        deprecated_id=row.deprecated_id)


__all__ = ["BACKOFF_FIRST_S", "BACKOFF_MAX_S", "CONNECTION_KINDS", "INPUT_KINDS",
           "TRANSIENT_KINDS", "QueueEntry", "SendResult", "backoff", "queue_entry", "stamp"]
