"""Cases, the person screened, search, reports and deletion."""

from __future__ import annotations

import builtins
import json
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from screening.errors import ErrorCode, InputError, StoreError
from screening.log import replace_control_chars
from screening.store import caselist, search
from screening.store.audit import now
from screening.store.connection import Connection
from screening.store.core import StoreHandle, case_reference, new_id, not_found, to_json
from screening.store.interviews import InterviewRepository
from screening.store.models import (
    CASE_STATUSES,
    AuditAnchor,
    Case,
    CaseSummary,
    PersonInfo,
    ReceivedFrom,
    ReportRecord,
)

_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_REFERENCE = 64

# Where a received case came from (schema 4): the columns ``_received`` reads, in order.
_RECEIVED_COLUMNS = """r.case_id, r.document_id, r.sender_store_id, r.sender_case_reference,
       r.sender_agency, r.sender_officer, r.sent_at, r.received_at, r.sender_anchor_entry,
       r.sender_anchor_digest, r.packet_sha256, r.file_sha256, r.recipient_fingerprint,
       r.sender_phone, r.sender_email, r.earlier_case_id, r.relation,
       (SELECT e.reference FROM cases e WHERE e.id = r.earlier_case_id)"""
_SUMMARY_COLUMNS = f"""c.id, c.reference, c.status, c.created_at, c.updated_at,
       c.interview_count, p.name, {_RECEIVED_COLUMNS}"""
_SUMMARY_JOINS = """
     LEFT JOIN persons p ON p.case_id = c.id
     LEFT JOIN received_referrals r ON r.case_id = c.id
"""
_SUMMARY_SQL = f"SELECT {_SUMMARY_COLUMNS} FROM cases c{_SUMMARY_JOINS}"
_CHUNK = 500  # rowids a window reads by rowid at most (SQLite's parameter limit is 32,766)


def generate_reference(year: int | None = None) -> str:
    """A pseudonymous case reference such as ``FS-2026-7K3Q9``: nothing about the person."""
    year = year or datetime.now(UTC).year
    suffix = "".join(secrets.choice(_REF_ALPHABET) for _ in range(5))
    return f"FS-{year}-{suffix}"


def _clean_reference(reference: str) -> str:
    cleaned = reference.strip()
    if not cleaned or len(cleaned) > MAX_REFERENCE or replace_control_chars(cleaned) != cleaned:
        raise InputError(
            f"a case reference is 1 to {MAX_REFERENCE} printable characters",
            code=ErrorCode.BAD_INPUT,
        )
    return cleaned


def _summary(row: tuple[Any, ...]) -> CaseSummary:
    return CaseSummary(
        id=row[0],
        reference=row[1],
        status=row[2],
        created_at=row[3],
        updated_at=row[4],
        interview_count=int(row[5]),
        name=row[6],
        received_from=_received(row[7:]),
    )


def _received(row: tuple[Any, ...]) -> ReceivedFrom | None:
    """A ``_RECEIVED_COLUMNS`` row (None when the case was not received)."""
    if row[0] is None:
        return None
    return ReceivedFrom(
        case_id=row[0], document_id=row[1], sender_store_id=row[2],
        sender_case_reference=row[3], agency=row[4], officer=row[5], sent_at=row[6],
        received_at=row[7], sender_audit_anchor=AuditAnchor(int(row[8]), row[9]),
        packet_sha256=row[10], file_sha256=row[11], recipient_fingerprint=row[12],
        phone=row[13], email=row[14], earlier_case_id=row[15], relation=row[16],
        earlier_reference=row[17])


def _person(row: tuple[Any, ...] | None) -> PersonInfo | None:
    if row is None:
        return None
    name, aliases, dob, gender, nationality, languages, contact, notes = row
    return PersonInfo(
        name=name,
        aliases=tuple(json.loads(aliases)),
        date_of_birth=dob,
        gender=gender,
        nationality=nationality,
        languages=tuple(json.loads(languages)),
        contact=contact,
        notes=notes,
    )


class CaseRepository:
    """``store.cases``: cases, the person screened, search, reports and deletion."""

    def __init__(self, handle: StoreHandle, interviews: InterviewRepository) -> None:
        self._handle = handle
        self._interviews = interviews
        self._matches = caselist.Matches()  # the case list's last search

    # -- cases ---------------------------------------------------------------------------
    def create(self, reference: str | None = None, person: PersonInfo | None = None) -> str:
        """Create a case and return its id. ``reference`` is generated when None."""
        case_id = new_id()
        stamp = now()
        given = _clean_reference(reference) if reference is not None else None
        for _attempt in range(20):
            ref = given or generate_reference()
            try:
                with self._handle.tx("creating a case") as conn:
                    conn.execute(
                        "INSERT INTO cases (id, reference, status, created_at, updated_at)"
                        " VALUES (?, ?, 'draft', ?, ?)",
                        (case_id, ref, stamp, stamp),
                    )
                    self._write_person(conn, case_id, ref, person)
                    self._handle.audit.append("case.created", case_id=case_id)
            except StoreError as exc:
                if not (exc.context.get("constraint") and "UNIQUE" in exc.message):
                    raise
                if given is not None:
                    raise InputError(
                        "that case reference is already used", code=ErrorCode.BAD_INPUT
                    ) from None
                continue  # a generated reference collided: draw another
            return case_id
        raise StoreError("could not generate a unique case reference")  # pragma: no cover

    def _write_person(
        self, conn: Connection, case_id: str, reference: str, person: PersonInfo | None
    ) -> None:
        conn.execute("DELETE FROM persons WHERE case_id = ?", (case_id,))
        if person is not None:
            conn.execute(
                "INSERT INTO persons (case_id, name, aliases, date_of_birth, gender, nationality,"
                " languages, contact, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    case_id,
                    person.name,
                    to_json(list(person.aliases), "aliases"),
                    person.date_of_birth,
                    person.gender,
                    person.nationality,
                    to_json(list(person.languages), "languages"),
                    person.contact,
                    person.notes,
                ),
            )
        search_rowid = search.update_index(
            conn,
            case_id,
            reference,
            person.name if person else None,
            person.aliases if person else (),
        )
        # The case list sorts and searches on these (schema 7, caselist.py).
        conn.execute("UPDATE cases SET name_key = ?, search_rowid = ? WHERE id = ?",
                     (search.name_key(person.name if person else None), search_rowid,
                      case_id))

    def update_person(self, case_id: str, person: PersonInfo | None) -> None:
        """Replace the person's details (None removes them)."""
        with self._handle.tx("updating a person") as conn:
            reference = case_reference(conn, case_id)
            self._write_person(conn, case_id, reference, person)
            conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (now(), case_id))
            self._handle.audit.append("person.updated", case_id=case_id)

    def set_status(self, case_id: str, status: str) -> None:
        if status not in CASE_STATUSES:
            raise InputError(f"unknown case status; use one of {', '.join(CASE_STATUSES)}")
        with self._handle.tx("changing a case status") as conn:
            cur = conn.execute(
                "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", (status, now(), case_id)
            )
            if cur.rowcount != 1:
                raise not_found("case", case_id)
            self._handle.audit.append("case.status", case_id=case_id, detail={"status": status})

    def resolve(self, id_or_reference: str) -> str:
        """The case id for an id or a reference (case-insensitive); STORE_NOT_FOUND if none."""
        with self._handle.read("finding a case") as conn:
            row = conn.execute(
                "SELECT id FROM cases WHERE id = ? OR reference = ? COLLATE NOCASE",
                (id_or_reference.strip().lower(), id_or_reference.strip()),
            ).fetchone()
        if row is None:
            # Named as given (an id or a reference the user typed), printable and short.
            given = "".join(ch if ch.isprintable() else "?" for ch in id_or_reference.strip())
            raise StoreError(f"no such case '{given[:80]}' (give a case id or reference, as "
                             "`fieldscreen cases list` shows them)",
                             code=ErrorCode.STORE_NOT_FOUND)
        return str(row[0])

    def open(self, case_id: str) -> Case:
        """``get`` for a person looking at the case: the viewing is audited."""
        case = self.get(case_id)
        with self._handle.tx("recording who opened a case"):
            self._handle.audit.append("case.opened", case_id=case_id)
        return case

    def get(self, case_id: str) -> Case:
        with self._handle.read("reading a case") as conn:
            row = conn.execute(
                "SELECT id, reference, status, created_at, updated_at FROM cases WHERE id = ?",
                (case_id,),
            ).fetchone()
            if row is None:
                raise not_found("case", case_id)
            person = conn.execute(
                "SELECT name, aliases, date_of_birth, gender, nationality, languages, contact,"
                " notes FROM persons WHERE case_id = ?",
                (case_id,),
            ).fetchone()
        interviews = tuple(self._interviews.list(case_id))
        return Case(
            id=row[0],
            reference=row[1],
            status=row[2],
            created_at=row[3],
            updated_at=row[4],
            person=_person(person),
            interviews=interviews,
        )

    def list(
        self, *, status: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[CaseSummary]:
        """Cases, most recently changed first."""
        return self.page(offset=offset, limit=-1 if limit is None else limit, status=status)

    def search(self, text: str, *, limit: int = 50) -> builtins.list[CaseSummary]:
        """Cases whose reference, name or an alias contains every word of ``text``.

        Accents and case are ignored in every script; substrings match (CJK too).
        """
        found = search.match_sql(text)
        if found is None:
            return []
        sql, params = found
        with self._handle.read("searching cases") as conn:
            rows = conn.execute(
                f"{_SUMMARY_SQL} WHERE c.search_rowid IN ({sql} LIMIT ?)"
                " ORDER BY c.updated_at DESC, c.rowid DESC", [*params, int(limit)]).fetchall()
        return [_summary(r) for r in rows]

    def references(self, case_ids: Iterable[str]) -> dict[str, str]:
        """The reference of each of ``case_ids`` that exists (not the whole list)."""
        wanted = sorted(set(case_ids))
        found: dict[str, str] = {}
        with self._handle.read("reading case references") as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                found.update(conn.execute(
                    f"SELECT id, reference FROM cases WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk).fetchall())
        return found

    # -- the case list (issue #19): counted, paged and sorted in SQL ----------------------
    def count(self, *, status: str | None = None, query: str | None = None,
              search_limit: int = caselist.SEARCH_LIMIT) -> int:
        """How many cases ``page`` lists with that filter: ``status``, and ``query`` (a
        date such as "2026-03", else search text: its first ``search_limit`` matches)."""
        with self._handle.read("counting cases") as conn:
            return caselist.count(conn, self._matches, status, query, search_limit)

    def page(self, *, offset: int, limit: int, sort: str = "updated", descending: bool = True,
             status: str | None = None, query: str | None = None,
             search_limit: int = caselist.SEARCH_LIMIT) -> builtins.list[CaseSummary]:
        """``limit`` cases from ``offset`` (``limit`` -1: all) in the order of ``sort`` (one
        of ``caselist.SORTS``: reference, name, status, interviews, created, updated,
        received), filtered as ``count`` says. Names sort accent- and case-blind."""
        with self._handle.read("listing cases") as conn:
            if limit < 0 or limit > _CHUNK:  # the whole list (`cases list`): one statement
                sql, params = caselist.page_query(
                    conn, self._matches, _SUMMARY_COLUMNS, _SUMMARY_JOINS, offset=offset,
                    limit=limit, sort=sort, descending=descending, status=status, query=query,
                    search_limit=search_limit)
                return [_summary(r) for r in conn.execute(sql, params)]
            # A window: its rowids along the index first, so the rows skipped by the offset
            # cost an index step each, not a join.
            rowids = caselist.page_rowids(
                conn, self._matches, offset=offset, limit=limit, sort=sort,
                descending=descending, status=status, query=query, search_limit=search_limit)
            if not rowids:
                return []
            marks = ",".join("?" * len(rowids))
            found = {int(row[0]): _summary(row[1:]) for row in conn.execute(
                f"SELECT c.rowid, {_SUMMARY_COLUMNS} FROM cases c{_SUMMARY_JOINS}"
                f" WHERE c.rowid IN ({marks})", rowids)}
        return [found[r] for r in rowids if r in found]

    def position(self, case_id: str, *, sort: str = "updated", descending: bool = True,
                 status: str | None = None, query: str | None = None,
                 search_limit: int = caselist.SEARCH_LIMIT) -> int | None:
        """Where ``page`` lists ``case_id`` (0: first) with that order and filter; None when
        it does not list it (filtered out, or no such case)."""
        with self._handle.read("finding a case in the list") as conn:
            return caselist.position(conn, self._matches, case_id, sort=sort,
                                     descending=descending, status=status, query=query,
                                     search_limit=search_limit)

    def delete(self, case_id: str) -> None:
        """Delete a case and everything in it for real.

        Rows are removed (cascading to person, interviews, answers, history and reports),
        their search entries too, with ``secure_delete`` zeroing the freed space; the WAL is
        then checkpointed and truncated so no old page image of the case stays in it. The
        audit trail keeps a "case.deleted" entry with ids only.
        """
        with self._handle.tx("deleting a case") as conn:
            interviews = [
                r[0]
                for r in conn.execute("SELECT id FROM interviews WHERE case_id = ?", (case_id,))
            ]
            search.remove_from_index(conn, case_id)
            cur = conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
            if cur.rowcount != 1:
                raise not_found("case", case_id)
            self._handle.audit.append(
                "case.deleted", case_id=case_id, detail={"interviews": interviews}
            )
        with self._handle.read("deleting a case") as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    # -- received from another agency (issue #15) ------------------------------------------
    def record_received(self, received: ReceivedFrom) -> None:
        """Remember where a received case came from (in the receiving transaction)."""
        with self._handle.tx("recording where a referral came from") as conn:
            conn.execute(
                "INSERT INTO received_referrals (case_id, document_id, sender_store_id,"
                " sender_case_reference, sender_agency, sender_officer, sent_at, received_at,"
                " sender_anchor_entry, sender_anchor_digest, packet_sha256, file_sha256,"
                " recipient_fingerprint, sender_phone, sender_email, earlier_case_id, relation)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (received.case_id, received.document_id, received.sender_store_id,
                 received.sender_case_reference, received.agency, received.officer,
                 received.sent_at, received.received_at or now(),
                 received.sender_audit_anchor.entry_id, received.sender_audit_anchor.digest,
                 received.packet_sha256, received.file_sha256, received.recipient_fingerprint,
                 received.phone, received.email, received.earlier_case_id, received.relation),
            )
            conn.execute("UPDATE cases SET received_key = ? WHERE id = ?",
                         (search.received_key(received.agency, received.officer),
                          received.case_id))

    def received_from(self, case_id: str) -> ReceivedFrom | None:
        """Where the case came from, when it was received from another agency."""
        with self._handle.read("reading where a case came from") as conn:
            row = conn.execute(f"SELECT {_RECEIVED_COLUMNS} FROM received_referrals r"
                               " WHERE r.case_id = ?", (case_id,)).fetchone()
        return _received(row) if row else None

    def received_like(self, document_id: str, sender_store_id: str,
                      sender_case_reference: str) -> builtins.list[ReceivedFrom]:
        """Received cases that came in the same packet, or from the same sender's case;
        oldest receipt first."""
        with self._handle.read("finding earlier referrals") as conn:
            rows = conn.execute(
                f"SELECT {_RECEIVED_COLUMNS} FROM received_referrals r WHERE r.document_id = ?"
                " OR (r.sender_store_id = ? AND r.sender_case_reference = ?)"
                " ORDER BY r.received_at", (document_id, sender_store_id, sender_case_reference),
            ).fetchall()
        return [r for r in map(_received, rows) if r is not None]

    # -- reports -------------------------------------------------------------------------
    def record_report(
        self,
        case_id: str,
        sha256: str,
        *,
        kind: str = "referral",
        interview_id: str | None = None,
        file_name: str | None = None,
        data_sha256: str | None = None,
    ) -> int:
        """Remember that a report file was produced (its hash; a base name at most).

        ``data_sha256`` is the hash of the data the report carries (printed in a referral
        packet's footer), so a receiver can match a packet against the audit trail.
        """
        digest = sha256.strip().lower()
        if not _SHA256.fullmatch(digest):
            raise InputError("sha256 must be 64 hexadecimal characters", code=ErrorCode.BAD_INPUT)
        base = PurePath(file_name.replace("\\", "/")).name if file_name else None
        try:
            with self._handle.tx("recording a report") as conn:
                cur = conn.execute(
                    "INSERT INTO reports (case_id, interview_id, kind, file_name, sha256,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (case_id, interview_id, kind, base, digest, now()),
                )
                report_id = int(cur.lastrowid or 0)
                self._handle.audit.append(
                    "report.recorded",
                    case_id=case_id,
                    interview_id=interview_id,
                    detail={"report_id": report_id, "kind": kind, "sha256": digest,
                            **({"data_sha256": data_sha256} if data_sha256 else {})},
                )
        except StoreError as exc:
            if exc.context.get("constraint"):
                raise not_found("case", case_id) from None
            raise
        return report_id

    def reports(self, case_id: str) -> builtins.list[ReportRecord]:
        with self._handle.read("listing reports") as conn:
            rows = conn.execute(
                "SELECT id, case_id, interview_id, kind, file_name, sha256, created_at"
                " FROM reports WHERE case_id = ? ORDER BY id",
                (case_id,),
            ).fetchall()
        return [ReportRecord(*row) for row in rows]
