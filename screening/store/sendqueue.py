"""``store.sends``: the forms published to a server and the queue of interviews to send.

Issue #18. Every change is one committed transaction with its audit entry, so the queue
survives a restart or kill -9 at any point: an item is ``queued`` until its result is
recorded, and its envelope (the submission built and encrypted once) is committed before
the first attempt, so a resend after a crash is byte-identical and Central keeps one record.
Once sent, the envelope is dropped; the row keeps where, when, which instanceID and from which
finished interview (``finished_at``) it was sent, so an interview changed after sending is
seen (``changed_after_sending``) and can be queued again as an ODK edit: a new instanceID
whose submission names the one Central holds as ``meta/deprecatedID``.
The network side is ``screening.server.service``; this module never opens a connection.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from screening.store.audit import now
from screening.store.core import StoreHandle, case_reference

QUEUED = "queued"
SENT = "sent"
FAILED = "failed"
STATES = (QUEUED, SENT, FAILED)

_ROW_COLUMNS = (
    "q.interview_id, q.case_id, c.reference, q.instance_id, q.queued_at, q.queued_by,"
    " q.remove_after, q.state, q.attempts, q.next_attempt_at, q.last_error,"
    " q.last_error_kind, q.envelope_for, q.envelope IS NOT NULL, q.sent_at, q.sent_server,"
    " q.sent_project, q.sent_form_version, q.sent_instance_id, q.sent_finished_at,"
    " q.deprecated_id, i.finished_at"
)
_ROW_FROM = ("send_queue q JOIN cases c ON c.id = q.case_id"
             " JOIN interviews i ON i.id = q.interview_id")
_FORM_COLUMNS = (
    "server, project_id, form_id, content_hash, instrument_version, version, public_key,"
    " root_name, xml, managed, published_at"
)


@dataclass(frozen=True)
class QueueRow:
    """One queued interview as stored (the envelope itself is read with ``envelope``)."""

    interview_id: str
    case_id: str
    case_reference: str
    instance_id: str
    queued_at: str
    queued_by: str
    remove_after: bool
    state: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    last_error_kind: str | None
    envelope_for: str | None
    has_envelope: bool
    sent_at: str | None
    sent_server: str | None
    sent_project: int | None
    sent_form_version: str | None
    sent_instance_id: str | None = None  # the instanceID Central holds as current
    sent_finished_at: str | None = None  # the interview's finished_at that was sent
    deprecated_id: str | None = None  # the instanceID the sent edit replaced (history)
    interview_finished_at: str | None = None  # the interview's finished_at now

    @property
    def changed_after_sending(self) -> bool:
        """A version was sent and the interview differs from it now (reopened, or
        finished again since): Central's copy is out of date until the edit is sent."""
        return self.sent_instance_id is not None \
            and self.interview_finished_at != self.sent_finished_at

    @property
    def edit_of(self) -> str | None:
        """For an item to send that replaces what Central holds: that instanceID (the
        submission's ``meta/deprecatedID``); None for a first send."""
        if self.sent_instance_id is not None and self.instance_id != self.sent_instance_id:
            return self.sent_instance_id
        return None


def new_instance_id() -> str:
    """A fresh instanceID for an edit (ODK: every version of a submission has its own)."""
    return f"uuid:{uuid.uuid4().hex}"


@dataclass(frozen=True)
class StoredForm:
    """An instrument text as published to one server and project, as Central serves it."""

    server: str
    project_id: int
    form_id: str
    content_hash: str
    instrument_version: str
    version: str
    public_key: str | None = field(repr=False)
    root_name: str
    xml: bytes = field(repr=False)
    managed: bool
    published_at: str


def _row(r: Sequence[Any]) -> QueueRow:
    return QueueRow(
        interview_id=str(r[0]), case_id=str(r[1]), case_reference=str(r[2]),
        instance_id=str(r[3]), queued_at=str(r[4]), queued_by=str(r[5]),
        remove_after=bool(r[6]), state=str(r[7]), attempts=int(r[8]), next_attempt_at=r[9],
        last_error=r[10], last_error_kind=r[11], envelope_for=r[12], has_envelope=bool(r[13]),
        sent_at=r[14], sent_server=r[15],
        sent_project=None if r[16] is None else int(r[16]), sent_form_version=r[17],
        sent_instance_id=r[18], sent_finished_at=r[19], deprecated_id=r[20],
        interview_finished_at=r[21],
    )


def _form(r: Sequence[Any]) -> StoredForm:
    return StoredForm(
        server=str(r[0]), project_id=int(r[1]), form_id=str(r[2]), content_hash=str(r[3]),
        instrument_version=str(r[4]), version=str(r[5]), public_key=r[6], root_name=str(r[7]),
        xml=bytes(r[8]), managed=bool(r[9]), published_at=str(r[10]),
    )


class SendQueueRepository:
    """``store.sends``: published forms (``server_forms``) and the send queue."""

    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    # -- published forms -----------------------------------------------------------------
    def save_form(self, form: StoredForm, *, host: str, action: str = "form.published",
                  key_fingerprint: str | None = None) -> None:
        """Keep the form Central serves for this text (replacing an earlier publication of
        it); audited as ``action`` (``form.published``, or ``form.fetched`` for a form
        published from another laptop) with the server's host name, never the URL, and the
        fingerprint of the form's key when it has one."""
        with self._handle.tx("keeping a published form") as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO server_forms ({_FORM_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (form.server, form.project_id, form.form_id, form.content_hash,
                 form.instrument_version, form.version, form.public_key, form.root_name,
                 form.xml, int(form.managed), form.published_at),
            )
            self._handle.audit.append(action, detail={
                "server": host, "project": form.project_id, "form_id": form.form_id,
                "instrument_version": form.instrument_version, "version": form.version,
                "content_hash": form.content_hash, "encrypted": form.public_key is not None,
                "managed_encryption": form.managed, "key_fingerprint": key_fingerprint,
            })

    def form(self, server: str, project_id: int, form_id: str,
             content_hash: str) -> StoredForm | None:
        with self._handle.read("reading a published form") as conn:
            row = conn.execute(
                f"SELECT {_FORM_COLUMNS} FROM server_forms WHERE server = ? AND project_id = ?"
                " AND form_id = ? AND content_hash = ?",
                (server, project_id, form_id, content_hash),
            ).fetchone()
        return _form(row) if row else None

    def forms(self, server: str | None = None) -> builtins.list[StoredForm]:
        with self._handle.read("listing published forms") as conn:
            sql = f"SELECT {_FORM_COLUMNS} FROM server_forms"
            args: tuple[Any, ...] = ()
            if server is not None:
                sql, args = sql + " WHERE server = ?", (server,)
            rows = conn.execute(sql + " ORDER BY published_at", args).fetchall()
        return [_form(r) for r in rows]

    # -- the queue -----------------------------------------------------------------------
    def enqueue(self, case_id: str, items: Sequence[tuple[str, str]], *, queued_by: str,
                remove_after: bool) -> builtins.list[str]:
        """Queue ``(interview_id, instance_id)`` pairs of a case (the officer's explicit
        choice, audited as ``case.queued_for_server``). An item sent stays sent unless its
        interview was finished again since (``changed_after_sending``): then it is queued
        again as an edit, with a new instanceID. A failed one is queued again.
        ``remove_after`` applies to every row of the case. Returns the interview ids now
        waiting to be sent."""
        stamp = now()
        with self._handle.tx("queueing a case for the server") as conn:
            case_reference(conn, case_id)  # raises when unknown
            waiting, edits = [], []
            for interview_id, instance_id in items:
                found = conn.execute(
                    "SELECT q.state, q.sent_instance_id, q.sent_finished_at, i.finished_at"
                    " FROM send_queue q JOIN interviews i ON i.id = q.interview_id"
                    " WHERE q.interview_id = ?", (interview_id,)).fetchone()
                if found is None:
                    conn.execute(
                        "INSERT INTO send_queue (interview_id, case_id, instance_id, queued_at,"
                        " queued_by, remove_after) VALUES (?, ?, ?, ?, ?, ?)",
                        (interview_id, case_id, instance_id, stamp, queued_by,
                         int(remove_after)))
                elif found[0] != SENT:
                    conn.execute("UPDATE send_queue SET state = 'queued', next_attempt_at = NULL"
                                 " WHERE interview_id = ?", (interview_id,))
                elif found[3] is not None and found[3] != found[2]:
                    # Finished again after it was sent: an edit of what Central holds.
                    conn.execute(
                        "UPDATE send_queue SET state = 'queued', instance_id = ?,"
                        " queued_at = ?, queued_by = ?, attempts = 0, next_attempt_at = NULL,"
                        " last_error = NULL, last_error_kind = NULL, envelope = NULL,"
                        " envelope_for = NULL WHERE interview_id = ?",
                        (new_instance_id(), stamp, queued_by, interview_id))
                    edits.append(interview_id)
                else:
                    continue
                waiting.append(interview_id)
            conn.execute("UPDATE send_queue SET remove_after = ? WHERE case_id = ?",
                         (int(remove_after), case_id))
            detail: dict[str, Any] = {"interviews": waiting, "remove_after": bool(remove_after)}
            if edits:
                detail["edits"] = edits
            self._handle.audit.append("case.queued_for_server", case_id=case_id, detail=detail)
        return waiting

    def unqueue(self, case_id: str) -> int:
        """Take a case's unsent items out of the queue; sent ones stay as the record of the
        sending, and an edit not sent yet goes back to the version Central holds. Returns
        how many were taken out (audited as ``case.unqueued``)."""
        with self._handle.tx("taking a case out of the send queue") as conn:
            case_reference(conn, case_id)
            cur = conn.execute("DELETE FROM send_queue WHERE case_id = ? AND state != 'sent'"
                               " AND sent_instance_id IS NULL", (case_id,))
            removed = max(cur.rowcount, 0)
            cur = conn.execute(
                "UPDATE send_queue SET state = 'sent', instance_id = sent_instance_id,"
                " next_attempt_at = NULL, last_error = NULL, last_error_kind = NULL,"
                " envelope = NULL, envelope_for = NULL"
                " WHERE case_id = ? AND state != 'sent' AND sent_instance_id IS NOT NULL",
                (case_id,))
            removed += max(cur.rowcount, 0)
            conn.execute("UPDATE send_queue SET remove_after = 0 WHERE case_id = ?",
                         (case_id,))
            self._handle.audit.append("case.unqueued", case_id=case_id,
                                      detail={"interviews": removed})
        return removed

    def rows(self, case_id: str | None = None,
             states: Sequence[str] | None = None) -> builtins.list[QueueRow]:
        """Queue rows, oldest first; only a case's, or only some states, when asked."""
        where, args = [], []
        if case_id is not None:
            where.append("q.case_id = ?")
            args.append(case_id)
        if states:
            where.append(f"q.state IN ({', '.join('?' for _ in states)})")
            args.extend(states)
        sql = (f"SELECT {_ROW_COLUMNS} FROM {_ROW_FROM}"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY q.queued_at, q.rowid")
        with self._handle.read("reading the send queue") as conn:
            return [_row(r) for r in conn.execute(sql, args).fetchall()]

    def row(self, interview_id: str) -> QueueRow | None:
        with self._handle.read("reading the send queue") as conn:
            r = conn.execute(f"SELECT {_ROW_COLUMNS} FROM {_ROW_FROM}"
                             " WHERE q.interview_id = ?",
                             (interview_id,)).fetchone()
        return _row(r) if r else None

    def envelope(self, interview_id: str) -> tuple[bytes, str] | None:
        """The stored envelope and what it was built for, or None."""
        with self._handle.read("reading a stored submission") as conn:
            r = conn.execute("SELECT envelope, envelope_for FROM send_queue"
                             " WHERE interview_id = ? AND envelope IS NOT NULL",
                             (interview_id,)).fetchone()
        return (bytes(r[0]), str(r[1] or "")) if r else None

    def keep_envelope(self, interview_id: str, envelope: bytes, envelope_for: str) -> None:
        """Commit the built submission before it is sent (see the module docstring)."""
        with self._handle.tx("keeping a built submission") as conn:
            conn.execute("UPDATE send_queue SET envelope = ?, envelope_for = ?"
                         " WHERE interview_id = ?", (envelope, envelope_for, interview_id))

    def resend_as_edit(self, interview_id: str) -> None:
        """Central already holds this item's instanceID with other contents: a send it took
        without the answer reaching us, before the interview changed. The item is then sent
        as an edit of that instanceID, under a new one."""
        with self._handle.tx("sending a changed submission as an edit") as conn:
            conn.execute(
                "UPDATE send_queue SET sent_instance_id = instance_id, instance_id = ?,"
                " envelope = NULL, envelope_for = NULL WHERE interview_id = ? AND state != 'sent'",
                (new_instance_id(), interview_id))

    def record_sent(self, interview_id: str, *, server: str, host: str, project_id: int,
                    form_version: str, sent_at: str, duplicate: bool,
                    finished_at: str | None = None, encrypted: bool = True) -> None:
        """The item reached the server: marked sent with where, when, which version and
        from which finished interview (``finished_at``), its envelope dropped; audited as
        ``case.sent`` (host, project, form version, instance id, whether encrypted, and
        ``edit_of`` for an edit; no answers)."""
        with self._handle.tx("recording a sent submission") as conn:
            r = conn.execute("SELECT case_id, instance_id, sent_instance_id FROM send_queue"
                             " WHERE interview_id = ?", (interview_id,)).fetchone()
            if r is None:
                return
            edit_of = r[2] if r[2] is not None and r[2] != r[1] else None
            conn.execute(
                "UPDATE send_queue SET state = 'sent', attempts = attempts + 1,"
                " next_attempt_at = NULL, last_error = NULL, last_error_kind = NULL,"
                " sent_at = ?, sent_server = ?, sent_project = ?, sent_form_version = ?,"
                " sent_instance_id = instance_id, sent_finished_at = ?,"
                " deprecated_id = coalesce(?, deprecated_id), envelope = NULL,"
                " envelope_for = NULL WHERE interview_id = ?",
                (sent_at, server, project_id, form_version, finished_at, edit_of,
                 interview_id))
            detail: dict[str, Any] = {"server": host, "project": project_id,
                                      "form_version": form_version, "instance_id": r[1],
                                      "duplicate": duplicate, "encrypted": encrypted}
            if edit_of is not None:
                detail["edit_of"] = edit_of
            self._handle.audit.append("case.sent", case_id=r[0], interview_id=interview_id,
                                      detail=detail)

    def record_failure(self, interview_id: str, *, error: str, kind: str,
                       next_attempt_at: str | None, permanent: bool) -> None:
        """A failed attempt: ``failed`` (permanent: waits for the officer) or still ``queued``
        with the time of the next automatic retry. The audit entry holds the kind only."""
        with self._handle.tx("recording a failed send") as conn:
            r = conn.execute("SELECT case_id FROM send_queue WHERE interview_id = ?",
                             (interview_id,)).fetchone()
            if r is None:
                return
            conn.execute(
                "UPDATE send_queue SET state = ?, attempts = attempts + 1,"
                " next_attempt_at = ?, last_error = ?, last_error_kind = ?"
                " WHERE interview_id = ? AND state != 'sent'",
                (FAILED if permanent else QUEUED, next_attempt_at, error, kind, interview_id))
            self._handle.audit.append("case.send_failed", case_id=r[0],
                                      interview_id=interview_id, detail={"kind": kind})

    def next_attempt_at(self) -> str | None:
        """When the earliest item waiting after a transient failure becomes due, or None."""
        with self._handle.read("reading the send queue") as conn:
            r = conn.execute("SELECT min(next_attempt_at) FROM send_queue"
                             " WHERE state = 'queued' AND next_attempt_at IS NOT NULL").fetchone()
        return r[0] if r else None

    def by_case(self, case_ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """Per case with queue rows: how many interviews are sent and waiting, the last send
        (time, server) and whether the case goes after sending. For case lists."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows():
            if case_ids is not None and row.case_id not in case_ids:
                continue
            entry = out.setdefault(row.case_id, {"sent": 0, "queued": 0, "failed": 0,
                                                 "changed_after_sending": 0,
                                                 "last_sent_at": None, "server": None,
                                                 "remove_after": row.remove_after})
            entry[row.state] += 1
            entry["changed_after_sending"] += row.changed_after_sending
            if row.sent_at and (entry["last_sent_at"] or "") < row.sent_at:
                entry["last_sent_at"], entry["server"] = row.sent_at, row.sent_server
        return out


__all__ = ["FAILED", "QUEUED", "SENT", "STATES", "QueueRow", "SendQueueRepository", "StoredForm",
           "new_instance_id"]
