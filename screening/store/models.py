"""Plain value objects the store hands out. Personal data never shows in ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CASE_STATUSES = ("draft", "screened", "referred", "closed")
INTERVIEW_IN_PROGRESS = "in_progress"
INTERVIEW_FINISHED = "finished"


@dataclass(frozen=True)
class PersonInfo:
    """Identifying details of the person screened (all optional, all personal data).

    ``name`` is the full name as the person writes it: one field, because given/family order
    and the number of parts differ between cultures. ``date_of_birth`` is ISO 8601 or the
    approximation the person gave ("about 1990").
    """

    name: str | None = field(default=None, repr=False)
    aliases: tuple[str, ...] = field(default=(), repr=False)
    date_of_birth: str | None = field(default=None, repr=False)
    gender: str | None = field(default=None, repr=False)
    nationality: str | None = field(default=None, repr=False)
    languages: tuple[str, ...] = field(default=(), repr=False)
    contact: str | None = field(default=None, repr=False)
    notes: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "date_of_birth": self.date_of_birth,
            "gender": self.gender,
            "nationality": self.nationality,
            "languages": list(self.languages),
            "contact": self.contact,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class InterviewMeta:
    """What an interview was run with. ``content_hash`` pins the exact instrument text."""

    instrument_id: str
    instrument_version: str
    content_hash: str
    respondent_language: str
    officer_language: str
    interpreter_used: bool = False
    interpreter_language: str | None = None
    location: str | None = field(default=None, repr=False)
    officer: str | None = field(default=None, repr=False)
    # The officer's agency when the interview began (schema 5; None: an interview from
    # before it, or a profile without an agency).
    agency: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "instrument_id": self.instrument_id,
            "instrument_version": self.instrument_version,
            "content_hash": self.content_hash,
            "respondent_language": self.respondent_language,
            "officer_language": self.officer_language,
            "interpreter_used": self.interpreter_used,
            "interpreter_language": self.interpreter_language,
            "location": self.location,
            "officer": self.officer,
            "agency": self.agency,
        }


@dataclass(frozen=True)
class Interview:
    id: str
    case_id: str
    meta: InterviewMeta
    status: str
    result: dict[str, Any] | None = field(repr=False)
    position: str | None
    created_at: str
    updated_at: str
    finished_at: str | None

    @property
    def finished(self) -> bool:
        return self.status == INTERVIEW_FINISHED


RECEIVED_RELATIONS = ("same", "newer", "older")


@dataclass(frozen=True)
class ReceivedFrom:
    """Where a received case came from, as its hand-over packet states it (issue #15).

    ``relation`` says how the packet stood to a case this store had received before
    (``earlier_case_id``; ``earlier_reference`` while that case still exists): ``same`` (the
    very packet, imported again on purpose), ``newer`` (an updated referral for the same case
    from the same sender) or ``older``; None when nothing came before it."""

    case_id: str
    document_id: str
    sender_store_id: str
    sender_case_reference: str
    agency: str
    officer: str = field(repr=False)
    sent_at: str
    received_at: str
    sender_audit_anchor: AuditAnchor
    packet_sha256: str
    file_sha256: str
    recipient_fingerprint: str
    phone: str = field(default="", repr=False)
    email: str = field(default="", repr=False)
    earlier_case_id: str | None = None
    relation: str | None = None
    earlier_reference: str | None = None

    def summary_json(self) -> dict[str, Any]:
        """What a case list shows: who sent it and when."""
        return {"agency": self.agency or None, "officer": self.officer or None,
                "sent_at": self.sent_at, "received_at": self.received_at,
                "sender_case_reference": self.sender_case_reference,
                "document_id": self.document_id}

    def to_json(self) -> dict[str, Any]:
        return {**self.summary_json(), "phone": self.phone or None,
                "email": self.email or None, "sender_store_id": self.sender_store_id,
                "sender_audit_anchor": self.sender_audit_anchor.to_json(),
                "packet_sha256": self.packet_sha256, "file_sha256": self.file_sha256,
                "recipient_fingerprint": self.recipient_fingerprint,
                "earlier": None if self.earlier_case_id is None else {
                    "case_id": self.earlier_case_id, "reference": self.earlier_reference,
                    "relation": self.relation}}


@dataclass(frozen=True)
class CaseSummary:
    """One line of the case list."""

    id: str
    reference: str
    status: str
    created_at: str
    updated_at: str
    interview_count: int
    name: str | None = field(default=None, repr=False)
    received_from: ReceivedFrom | None = None  # a case handed over by another agency

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reference": self.reference,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "interviews": self.interview_count,
            "name": self.name,
            "received_from": (self.received_from.summary_json()
                              if self.received_from is not None else None),
        }


@dataclass(frozen=True)
class Case:
    id: str
    reference: str
    status: str
    created_at: str
    updated_at: str
    person: PersonInfo | None = field(repr=False)
    interviews: tuple[Interview, ...] = ()


@dataclass(frozen=True)
class ReportRecord:
    id: int
    case_id: str
    interview_id: str | None
    kind: str
    file_name: str | None
    sha256: str
    created_at: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    action: str
    case_id: str | None
    interview_id: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "action": self.action,
            "case_id": self.case_id,
            "interview_id": self.interview_id,
            "detail": self.detail,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class AuditReport:
    """Result of ``store.audit.report``: ``ok``, or the first entry id where the chain breaks."""

    ok: bool
    first_broken: int | None
    entries: int
    reason: str | None = None


@dataclass(frozen=True)
class AuditAnchor:
    """A point in the audit chain: entry ``entry_id`` and its chain hash ``digest`` (64 hex).

    Printed on referral packets and kept in exports and backups: while that entry is still
    in the chain with that hash, nothing up to it was rewritten. ``text`` is the form people
    copy and compare ("1234:3f9a1c2b7d4e99aa", 16 hex = 64 bits); ``parse`` accepts it or the
    full hash."""

    entry_id: int
    digest: str

    @property
    def text(self) -> str:
        return f"{self.entry_id}:{self.digest[:16]}"

    def to_json(self) -> dict[str, object]:
        return {"entry_id": self.entry_id, "digest": self.digest}

    @classmethod
    def parse(cls, text: str) -> AuditAnchor:
        """``N:HEX`` as printed on a packet (HEX: 16 to 64 hex digits, spaces ignored);
        ValueError otherwise."""
        entry, _, digest = text.replace(" ", "").partition(":")
        digest = digest.lower()
        if not entry.isascii() or not entry.isdigit() or not 16 <= len(digest) <= 64:
            raise ValueError("an audit anchor looks like 1234:3f9a1c2b7d4e99aa")
        if len(entry) > 12 or int(entry) < 1:  # entry 0 (an empty trail) anchors nothing
            raise ValueError("an audit anchor names an entry from 1 to 999999999999")
        if any(ch not in "0123456789abcdef" for ch in digest):
            raise ValueError("an audit anchor looks like 1234:3f9a1c2b7d4e99aa")
        return cls(int(entry), digest)

    @classmethod
    def from_json(cls, data: object) -> AuditAnchor:
        """From ``to_json`` (exports, packets) or a backup header's ``{"id", "hash"}``."""
        if isinstance(data, dict):
            entry = data.get("entry_id", data.get("id"))
            digest = data.get("digest", data.get("hash"))
            if type(entry) is int and 0 < entry < 10**12 and isinstance(digest, str):
                return cls.parse(f"{entry}:{digest[:64]}")
        raise ValueError("not an audit anchor")
