"""Handing a case over with the recipient's key, and receiving one (issue #15).

**Sending** (``fieldscreen report CASE --to RECIPIENT -o F.age``, the app's "Send to…"): the
full referral PDF is built in memory, never written in plaintext; with the structured case
(``screening.handover.casefile``) and the exact instrument text it goes into the documented
container (``screening.handover.container``), which is encrypted for the recipient's age
public key (a directory entry's ``age_recipient``, or an ``age1...`` key given directly) and
written atomically. The same consent rule as a full packet applies, and a directory service
outside the person's consent must have been chosen with the officer's reason. The packet
cover prints the recipient key's fingerprint. Sender's audit trail: ``referral.sent``.

**Receiving** (``fieldscreen receive F.age --identity IDENTITY``, the app's "Receive a
referral…"): ``open_packet`` decrypts and checks the packet without touching the store (age's
authentication, the manifest, ``case.json``'s structure, the instrument text against its
content hash, the PDF's embedded data against ``packet_sha256``, the answers against the
instrument); ``receive_referral`` then stores it as a new case in one transaction: the
person's details, the instrument snapshot, the interview with the sender's answers and
consent as recorded, the referral choices and details, and ``referral.received`` in the
audit trail with the provenance (sender's store id and agency, when, the sender's audit
anchor). The outcome is computed again by this FieldScreen's engine from the answers.

Audit details hold ids, hashes and fingerprints only (plus the sender's agency name).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import screening
from screening.casework.consent import case_consent
from screening.casework.referral_details import load_referral_details, replace_referral_details
from screening.engine.state import split_key
from screening.engine.storage import SPECIALS, AnswerRecord
from screening.errors import AnswerError, ErrorCode, InputError, InstrumentError
from screening.handover import casefile, container
from screening.handover.keys import (
    ALTERED,
    Altered,
    fingerprint,
    parse_recipient,
    public_keys,
    seal,
    unseal,
)
from screening.store import AuditAnchor

if TYPE_CHECKING:
    from pyrage import x25519

    from screening.instruments import LoadResult
    from screening.reports.directory import Directory
    from screening.store import Case, Interview, InterviewMeta
    from screening.workspace import Workspace

log = logging.getLogger(__name__)

SENT = "referral.sent"
RECEIVED = "referral.received"
HANDOVER_REPORT = "referral_handover"
SUFFIX = ".age"
MAX_PACKET = 256 * 1024 * 1024


# -- recipients ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    """Whom a packet is encrypted for: an age public key, from the directory or given."""

    public_key: str
    service_id: str | None = None
    service_name: str | None = None
    service_kind: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def to_json(self) -> dict[str, Any]:
        return {"public_key": self.public_key, "fingerprint": self.fingerprint,
                "service_id": self.service_id, "service_name": self.service_name}


def recipients_in(directory: Directory) -> list[Recipient]:
    """The directory's services that carry an age public key (can receive a hand-over)."""
    return [Recipient(s.age_recipient, s.id, s.name, s.kind) for s in directory
            if s.age_recipient]


def resolve_recipient(directory: Directory, text: str) -> Recipient:
    """A directory service id, or an ``age1...`` public key; InputError otherwise."""
    wanted = text.strip()
    if wanted.startswith("age1"):
        return Recipient(parse_recipient(wanted, where="recipient"))
    service = directory.get(wanted)
    if service is None:
        raise InputError(f"no service '{wanted}' in the referral directory (`fieldscreen "
                         "directory list`); name a service id or give an age public key "
                         "(age1...)", code=ErrorCode.HANDOVER_RECIPIENT)
    if not service.age_recipient:
        raise InputError(f"service '{wanted}' has no age public key in the referral directory "
                         "(column age_recipient); ask the service for the public key that "
                         "`fieldscreen keys new` printed them, and import it",
                         code=ErrorCode.HANDOVER_RECIPIENT)
    return Recipient(service.age_recipient, service.id, service.name, service.kind)


def _check_recipient_consent(ws: Workspace, case_id: str, recipient: Recipient) -> None:
    """A directory service outside the person's consent needs the officer's recorded reason
    (chosen for the case with an override, as on the referral screen)."""
    if recipient.service_kind is None:
        return
    consent = case_consent(ws.store, case_id)
    if consent is not None and consent.allows_service(recipient.service_kind):
        return
    records, _narrative = ws.store.referrals.get(case_id)
    if any(r.service_id == recipient.service_id and (r.override_reason or "").strip()
           for r in records):
        return
    raise InputError(
        f"service '{recipient.service_id}' is outside the person's consent; choose it for the "
        "case with your reason first (`fieldscreen referrals set`, or the referral screen)",
        code=ErrorCode.CONSENT_SCOPE, service=recipient.service_id)


# -- sending ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    path: Path
    file_sha256: str
    packet_sha256: str
    document_id: str
    recipient: Recipient
    audit_anchor: AuditAnchor

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.path), "sha256": self.file_sha256,
                "packet_sha256": self.packet_sha256, "document_id": self.document_id,
                "recipient": self.recipient.to_json(),
                "audit_anchor": self.audit_anchor.to_json()}


def _interview_to_send(case: Case, interview_id: str | None) -> Interview:
    interviews = [i for i in case.interviews if interview_id in (None, i.id)]
    finished = [i for i in interviews if i.finished]
    if not finished:
        raise InputError("the case has no finished interview to hand over; finish the "
                         "interview first", code=ErrorCode.INTERVIEW_STATE, case_id=case.id)
    return finished[-1]


def _instrument_text(ws: Workspace, instrument_id: str, content_hash: str) -> str:
    row = ws.store.instruments.get(content_hash)
    if row is not None:
        return row.canonical
    from screening.instruments.hashing import canonical_json

    return canonical_json(ws.catalog.by_hash(instrument_id, content_hash).instrument)


def check_packet_name(path: Path) -> Path:
    if Path(path).suffix.lower() != SUFFIX:
        raise InputError(f"{path}: the hand-over file name must end in {SUFFIX}",
                         code=ErrorCode.BAD_INPUT)
    return Path(path)


def send_referral(ws: Workspace, case_id: str, recipient: Recipient, out_path: Path, *,
                  lang: str, interview_id: str | None = None,
                  override_reason: str | None = None) -> Sent:
    """Write one age-encrypted hand-over packet for ``recipient`` at ``out_path``.

    The packet is the full one: as for a full PDF, the person's consent must cover sharing,
    or ``override_reason`` is given (printed on page 1, the override audited)."""
    from screening.reports.encrypt import atomic_write, finish_pdf
    from screening.reports.referral_pdf import pdf_date, render_pdf_bytes
    from screening.reports.service import build_case_packet, check_packet_allowed

    out_path = check_packet_name(ws.check_output(out_path))
    override = check_packet_allowed(ws, case_id, "full", override_reason)
    _check_recipient_consent(ws, case_id, recipient)
    store = ws.store
    case = store.cases.get(case_id)
    interview = _interview_to_send(case, interview_id)
    anchor = store.audit.anchor()
    packet = replace(build_case_packet(ws, case_id, lang=lang, interview_id=interview.id,
                                       consent_override=override),
                     recipient_fingerprint=recipient.fingerprint)
    pdf, _pages = render_pdf_bytes(packet)  # in memory: no plaintext copy on disk
    pdf = finish_pdf(pdf, packet.canonical_json(), None, pdf_date(packet))
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    profile = ws.preferences.officer_profile()
    meta = interview.meta
    records, narrative = store.referrals.get(case_id)
    doc = casefile.build(
        document_id=packet.document_id, packet_sha256=packet.packet_sha256(),
        created_at=created_at,
        sender=casefile.Sender(store.store_id, meta.officer or profile.name, profile.agency,
                               anchor, screening.__version__, profile.phone, profile.email),
        recipient=recipient.to_json(), reference=case.reference,
        case_created_at=case.created_at, person=case.person, interview=interview,
        context=store.context.get(interview.id),
        answers=store.interviews.load_answers(interview.id), referrals=records,
        narrative=narrative, details=load_referral_details(store, case_id))
    members = {
        container.PDF: pdf,
        container.CASE: json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        container.INSTRUMENT: _instrument_text(ws, meta.instrument_id,
                                               meta.content_hash).encode("utf-8"),
    }
    sealed = seal(container.pack(members, created_at=created_at), recipient.public_key)
    digest = atomic_write(out_path, sealed)
    with store.atomic("recording a hand-over"):
        report_id = store.cases.record_report(case_id, digest, kind=HANDOVER_REPORT,
                                              interview_id=interview.id,
                                              file_name=out_path.name,
                                              data_sha256=packet.packet_sha256())
        if override is not None:  # ids only: the reason travels in the packet
            store.audit.event("report.consent_override", case_id=case_id,
                              detail={"report_id": report_id, "kind": HANDOVER_REPORT})
        store.audit.event(SENT, case_id=case_id, interview_id=interview.id, detail={
            "document_id": packet.document_id, "packet_sha256": packet.packet_sha256(),
            "file_sha256": digest, "recipient_fingerprint": recipient.fingerprint,
            "service_id": recipient.service_id, "audit_anchor": anchor.to_json()})
        if store.cases.get(case_id).status in ("draft", "screened"):
            store.cases.set_status(case_id, "referred")
    log.info("referral handed over (encrypted for a recipient key)")
    return Sent(out_path, digest, packet.packet_sha256(), packet.document_id, recipient, anchor)


# -- receiving ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Provenance:
    """Who sent a received case, and when: as the packet states it (age does not prove the
    sender: compare ``document_id`` or the anchor with the sender if it matters)."""

    sender_store_id: str
    agency: str
    officer: str
    sent_at: str
    audit_anchor: AuditAnchor
    document_id: str
    packet_sha256: str
    file_sha256: str
    recipient_fingerprint: str
    sender_case_reference: str

    def audit_detail(self) -> dict[str, Any]:
        """The audit entry's detail: ids, hashes, fingerprints, times (no officer name)."""
        return {"sender_store_id": self.sender_store_id, "sender_agency": self.agency,
                "sent_at": self.sent_at, "sender_audit_anchor": self.audit_anchor.to_json(),
                "document_id": self.document_id, "packet_sha256": self.packet_sha256,
                "file_sha256": self.file_sha256,
                "recipient_fingerprint": self.recipient_fingerprint,
                "sender_case_reference": self.sender_case_reference}

    phone: str = field(default="", repr=False)
    email: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        """As printed for the receiver: with how to reach the sending officer."""
        return {**self.audit_detail(), "officer": self.officer,
                "phone": self.phone or None, "email": self.email or None}


@dataclass(frozen=True)
class OpenedPacket:
    """A decrypted, checked packet; nothing of it is stored yet."""

    pdf: bytes = field(repr=False)
    case: casefile.CaseFile = field(repr=False)
    instrument: LoadResult = field(repr=False)
    provenance: Provenance

    def __repr__(self) -> str:
        return f"OpenedPacket(document_id={self.provenance.document_id!r})"


def read_packet(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_PACKET + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", code=ErrorCode.BAD_INPUT) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})",
                         code=ErrorCode.BAD_INPUT) from None
    if len(data) > MAX_PACKET:
        raise Altered(f"{ALTERED} (too large)")
    return data


def _embedded_data_sha256(pdf: bytes) -> str | None:
    from pypdf import PdfReader

    from screening.reports.encrypt import ATTACHMENT_NAME

    try:
        found = PdfReader(io.BytesIO(pdf)).attachments.get(ATTACHMENT_NAME) or []
    except Exception:  # pypdf raises many types for a damaged file
        return None
    return hashlib.sha256(found[0]).hexdigest() if len(found) == 1 else None


def _instrument(ws: Workspace, meta: InterviewMeta, text: bytes) -> LoadResult:
    from screening.instruments import load_instrument_text

    content_hash = meta.content_hash
    if content_hash != "sha256:" + hashlib.sha256(text).hexdigest():
        raise Altered(f"{ALTERED} (instrument.json does not match the interview's hash)")
    try:  # this FieldScreen knows the text already (shipped, installed or used before)
        loaded = ws.catalog.by_hash(meta.instrument_id, content_hash)
    except InstrumentError:
        try:
            data = json.loads(text.decode("utf-8"))
            data["content_hash"] = content_hash
            loaded = load_instrument_text(json.dumps(data, ensure_ascii=False),
                                          f"packet:{meta.instrument_id}@{meta.instrument_version}")
        except (InstrumentError, ValueError, TypeError):
            raise Altered(f"{ALTERED} (instrument.json is not a valid instrument)") from None
    ins = loaded.instrument
    if (loaded.content_hash, ins.id, ins.version) != (content_hash, meta.instrument_id,
                                                     meta.instrument_version):
        raise Altered(f"{ALTERED} (instrument.json is not the interview's instrument)")
    return loaded


def _check_answers(loaded: LoadResult, answers: tuple[AnswerRecord, ...]) -> None:
    """Every answer names an item of the instrument and is in the form the engine stores."""
    from screening.engine.answers import normalise_answer
    from screening.engine.plan import Plan

    plan = Plan.build(loaded.instrument, loaded.content_hash)
    for record in answers:
        name, instance = split_key(record.item)
        node = plan.nodes.get(name)
        if node is None or (instance is not None and node.repeat != instance[0]):
            raise Altered(f"{ALTERED} (an answer names an item the instrument lacks)")
        if record.special is not None:
            if record.special not in SPECIALS or record.value is not None:
                raise Altered(f"{ALTERED} (the answer to '{name}' is not valid)")
            continue
        if record.value is None:
            continue  # an officer's note on an item without an answer
        try:
            same = normalise_answer(loaded.instrument, node.item, record.value) == record.value
        except AnswerError:
            same = False
        if not same:
            raise Altered(f"{ALTERED} (the answer to '{name}' is not valid)")


def open_packet(data: bytes, identities: list[x25519.Identity], ws: Workspace
                ) -> OpenedPacket:
    """Decrypt and check a hand-over packet (``ws`` only to find instrument texts)."""
    members = container.unpack(unseal(data, identities))
    try:
        doc = json.loads(members[container.CASE].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Altered(f"{ALTERED} (case.json is not JSON)") from None
    case = casefile.parse(doc)
    if case.recipient_public_key not in public_keys(identities):
        raise Altered(f"{ALTERED} (it names another recipient than the key that opened it)")
    if _embedded_data_sha256(members[container.PDF]) != case.packet_sha256:
        raise Altered(f"{ALTERED} (referral.pdf does not carry the case's data)")
    loaded = _instrument(ws, case.meta, members[container.INSTRUMENT])
    _check_answers(loaded, case.answers)
    if not case.context.consent_given:
        raise Altered(f"{ALTERED} (no consent is recorded in it)")
    provenance = Provenance(
        sender_store_id=case.sender.store_id, agency=case.sender.agency,
        officer=case.sender.officer, sent_at=case.created_at,
        audit_anchor=case.sender.audit_anchor, document_id=case.document_id,
        packet_sha256=case.packet_sha256, file_sha256=hashlib.sha256(data).hexdigest(),
        recipient_fingerprint=fingerprint(case.recipient_public_key),
        sender_case_reference=case.reference, phone=case.sender.phone,
        email=case.sender.email)
    return OpenedPacket(members[container.PDF], case, loaded, provenance)


@dataclass(frozen=True)
class Received:
    case_id: str
    reference: str
    interview_id: str
    outcome: str
    sender_outcome: str | None
    provenance: Provenance
    outcome_label: str = ""  # the instrument's words for the outcome (not a bare code)

    @property
    def same_outcome(self) -> bool:
        return self.outcome == self.sender_outcome

    def to_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "reference": self.reference,
                "interview_id": self.interview_id, "outcome": self.outcome,
                "outcome_label": self.outcome_label,
                "sender_outcome": self.sender_outcome, "same_outcome": self.same_outcome,
                "from": self.provenance.to_json()}


def _free_reference(ws: Workspace, reference: str) -> str | None:
    """The sender's reference when this store does not use it yet, else None (generate)."""
    from screening.errors import StoreError

    try:
        ws.store.cases.resolve(reference)
    except StoreError:
        return reference
    return None


def receive_referral(ws: Workspace, opened: OpenedPacket) -> Received:
    """Store an opened packet as a new case, in one transaction; returns what was stored."""
    store = ws.store
    case = opened.case
    meta = replace(case.meta, officer=case.sender.officer or case.meta.officer)
    try:
        with store.atomic("receiving a referral"):  # all of it, or nothing
            ws.catalog.snapshot(opened.instrument)
            case_id = store.cases.create(_free_reference(ws, case.reference), case.person)
            # The interview keeps its own times, not the time of the import (a packet the
            # caseworker writes later says when the person was really interviewed).
            interview_id = store.interviews.create(
                case_id, meta, created_at=_moment(case.interview_created_at))
            store.context.save(interview_id, case.context)
            for record in case.answers:
                store.interviews.save_answer(interview_id, record)
            result = ws.casework.open(interview_id).result()
            store.interviews.finish(interview_id, result, finished_at=(
                _moment(case.interview_finished_at) if case.interview_finished_at else None))
            store.referrals.save(case_id, list(case.referrals), case.narrative)
            replace_referral_details(store, case_id, case.details)
            store.audit.event(RECEIVED, case_id=case_id, interview_id=interview_id,
                              detail=opened.provenance.audit_detail())
            reference = store.cases.get(case_id).reference
    except Altered:
        raise
    except InputError as exc:  # a value the store refuses (a context field, an answer)
        raise Altered(f"{ALTERED} ({exc.message})") from None
    log.info("referral received into a new case")
    outcome = result.get("outcome", {})
    return Received(case_id, reference, interview_id, str(outcome.get("level", "")),
                    case.sender_outcome, opened.provenance, str(outcome.get("label", "")))


def _moment(text: str) -> str:
    """A time from the packet, as stored (ISO 8601, UTC); a malformed one is an altered
    packet."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Altered(f"{ALTERED} (a time is not a date and time)") from None
    if when.tzinfo is None:
        raise Altered(f"{ALTERED} (a time has no time zone)")
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


__all__ = [
    "RECEIVED",
    "SENT",
    "OpenedPacket",
    "Provenance",
    "Received",
    "Recipient",
    "Sent",
    "check_packet_name",
    "open_packet",
    "read_packet",
    "receive_referral",
    "recipients_in",
    "resolve_recipient",
    "send_referral",
]
