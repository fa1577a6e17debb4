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
referral…"): ``open_packet`` (``screening.handover.opening``) decrypts and checks the packet
without touching the store; ``receive_referral`` then stores it as a new case in one
transaction: the person's details, the instrument snapshot, the interview with the sender's
answers and consent as recorded, the referral choices and details, where it came from
(``store.cases.record_received``: shown in the case list) and ``referral.received`` in the
audit trail with the provenance (sender's store id and agency, when, the sender's audit
anchor). The outcome is computed again by this FieldScreen's engine from the answers.

**Received before** (issue #15 review). A packet is known by its document id; a case by the
sender's store id and case reference. ``earlier_receipt`` says how a packet stands to the
cases already received: ``same`` (this very packet), ``newer`` (an updated referral for the
same case: the sender's audit trail had moved on when it was sent) or ``older``. A ``same``
or ``older`` one is refused (``AlreadyReceived``, exit 2, audited as
``referral.already_received`` on the case that holds it) unless the officer asks for it
``again`` (CLI ``--again``, the app's question); a ``newer`` one is stored beside the
earlier case, which stays as it was, and says which case it updates.

Audit details hold ids, hashes and fingerprints only (plus the sender's agency name).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import screening
from screening.casework.consent import case_consent
from screening.casework.referral_details import load_referral_details, replace_referral_details
from screening.errors import ErrorCode, InputError
from screening.handover import casefile, container
from screening.handover.keys import ALTERED, Altered, fingerprint, parse_recipient, seal
from screening.handover.opening import (
    OpenedPacket,
    Provenance,
    moment,
    open_packet,
    read_packet,
)
from screening.store import AuditAnchor, ReceivedFrom

if TYPE_CHECKING:
    from screening.reports.directory import Directory
    from screening.store import Case, Interview
    from screening.workspace import Workspace

log = logging.getLogger(__name__)

SENT = "referral.sent"
RECEIVED = "referral.received"
HANDOVER_REPORT = "referral_handover"
SUFFIX = ".age"


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
    override = check_packet_allowed(ws, case_id, "full", override_reason, handover=True)
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
SAME, NEWER, OLDER = "same", "newer", "older"
ALREADY_RECEIVED = "referral.already_received"


@dataclass(frozen=True)
class Earlier:
    """A case this store received before that a packet stands in relation to: ``same``
    (the very packet: its document id), ``newer`` (an updated referral for the same case from
    the same sender: the sender's store id and case reference, sent later) or ``older``."""

    relation: str
    case_id: str
    reference: str
    sent_at: str
    received_at: str
    # ``older`` only in name: sent at the same point of the sender's history (another copy
    # of the same referral, e.g. written twice in a row).
    same_time: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"relation": self.relation, "case_id": self.case_id,
                "reference": self.reference, "sent_at": self.sent_at,
                "received_at": self.received_at, "same_time": self.same_time}


def _when(text: str) -> str:
    """``2026-03-07T10:00:00Z`` as people read it in a message (UTC)."""
    return text[:16].replace("T", " ") + " UTC" if len(text) >= 16 else text


class AlreadyReceived(InputError):
    """The packet, or a newer one for the same case, is already stored: refused unless the
    officer asks to import it again as a separate case (exit 2: the input is the problem)."""

    code = ErrorCode.HANDOVER_ALREADY_RECEIVED

    def __init__(self, earlier: Earlier) -> None:
        if earlier.relation == SAME:
            what = (f"this packet was already received on {_when(earlier.received_at)}: it "
                    f"is case {earlier.reference}")
        elif earlier.same_time:
            what = (f"this is another copy of the referral already received as case "
                    f"{earlier.reference} (both sent {_when(earlier.sent_at)})")
        else:
            what = (f"this is an older referral for case {earlier.reference}: the sender's "
                    f"newer one (sent {_when(earlier.sent_at)}) is already stored")
        super().__init__(f"{what}. Nothing was stored. To import it anyway as a separate "
                         "case, add --again", reference=earlier.reference,
                         relation=earlier.relation)
        self.earlier = earlier


def _order(anchor_entry: int, sent_at: str) -> tuple[int, str]:
    """How packets from one sender follow each other: the sender's audit trail only grows
    (every hand-over adds to it), so its head orders them even when a laptop's clock is
    wrong; the time sent breaks a tie."""
    try:
        when = moment(sent_at)
    except Altered:  # a time stored before it was checked on receipt
        when = sent_at
    return anchor_entry, when


def earlier_receipt(ws: Workspace, provenance: Provenance) -> Earlier | None:
    """How the packet stands to the cases this store already received (None: it is new)."""
    rows = ws.store.cases.received_like(provenance.document_id, provenance.sender_store_id,
                                        provenance.sender_case_reference)
    same = [r for r in rows if r.document_id == provenance.document_id]
    if same:
        r = same[-1]
        return Earlier(SAME, r.case_id, _reference(ws, r.case_id), r.sent_at, r.received_at)
    if not rows:
        return None
    r = max(rows, key=lambda x: _order(x.sender_audit_anchor.entry_id, x.sent_at))
    this = _order(provenance.audit_anchor.entry_id, provenance.sent_at)
    before = _order(r.sender_audit_anchor.entry_id, r.sent_at)
    return Earlier(NEWER if this > before else OLDER, r.case_id, _reference(ws, r.case_id),
                   r.sent_at, r.received_at, same_time=this == before)


def _reference(ws: Workspace, case_id: str) -> str:
    return ws.store.cases.get(case_id).reference


@dataclass(frozen=True)
class Received:
    case_id: str
    reference: str
    interview_id: str
    outcome: str
    sender_outcome: str | None
    provenance: Provenance
    outcome_label: str = ""  # the instrument's words for the outcome (not a bare code)
    earlier: Earlier | None = None  # a case received before from the same packet or case
    again: bool = False  # imported although it repeats (or precedes) an earlier one

    @property
    def same_outcome(self) -> bool:
        return self.outcome == self.sender_outcome

    def to_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "reference": self.reference,
                "interview_id": self.interview_id, "outcome": self.outcome,
                "outcome_label": self.outcome_label,
                "sender_outcome": self.sender_outcome, "same_outcome": self.same_outcome,
                "from": self.provenance.to_json(),
                "earlier": self.earlier.to_json() if self.earlier else None,
                "again": self.again}


def _free_reference(ws: Workspace, reference: str) -> str | None:
    """The sender's reference when this store does not use it yet, else None (generate)."""
    from screening.errors import StoreError

    try:
        ws.store.cases.resolve(reference)
    except StoreError:
        return reference
    return None


def _received_from(case_id: str, src: Provenance, earlier: Earlier | None) -> ReceivedFrom:
    return ReceivedFrom(
        case_id=case_id, document_id=src.document_id, sender_store_id=src.sender_store_id,
        sender_case_reference=src.sender_case_reference, agency=src.agency,
        officer=src.officer, sent_at=src.sent_at, received_at="",
        sender_audit_anchor=src.audit_anchor, packet_sha256=src.packet_sha256,
        file_sha256=src.file_sha256, recipient_fingerprint=src.recipient_fingerprint,
        phone=src.phone, email=src.email,
        earlier_case_id=earlier.case_id if earlier else None,
        relation=earlier.relation if earlier else None)


def receive_referral(ws: Workspace, opened: OpenedPacket, *, again: bool = False) -> Received:
    """Store an opened packet as a new case, in one transaction; returns what was stored.

    A packet already received (its document id), or older than one received for the same
    case from the same sender, is refused with ``AlreadyReceived`` (audited with ids) unless
    ``again``; a newer one for the same case is stored beside it and says so
    (``Received.earlier``)."""
    store = ws.store
    case = opened.case
    src = opened.provenance
    earlier = earlier_receipt(ws, src)
    if earlier is not None and earlier.relation != NEWER and not again:
        store.audit.event(ALREADY_RECEIVED, case_id=earlier.case_id, detail={
            "document_id": src.document_id, "file_sha256": src.file_sha256,
            "relation": earlier.relation})
        raise AlreadyReceived(earlier)
    forced = again and earlier is not None and earlier.relation != NEWER
    # The interview names the officer and agency that made it: as the packet's interview
    # states them, else (a packet from before schema 5) the sender's.
    meta = (case.meta if case.meta.agency else
            replace(case.meta, officer=case.sender.officer or case.meta.officer,
                    agency=case.sender.agency or None))
    try:
        with store.atomic("receiving a referral"):  # all of it, or nothing
            ws.catalog.snapshot(opened.instrument)
            case_id = store.cases.create(_free_reference(ws, case.reference), case.person)
            # The interview keeps its own times, not the time of the import (a packet the
            # caseworker writes later says when the person was really interviewed).
            interview_id = store.interviews.create(
                case_id, meta, created_at=moment(case.interview_created_at))
            store.context.save(interview_id, case.context)
            for record in case.answers:
                store.interviews.save_answer(interview_id, record)
            result = ws.casework.open(interview_id).result()
            store.interviews.finish(interview_id, result, finished_at=(
                moment(case.interview_finished_at) if case.interview_finished_at else None))
            store.referrals.save(case_id, list(case.referrals), case.narrative)
            replace_referral_details(store, case_id, case.details)
            store.cases.record_received(_received_from(case_id, src, earlier))
            detail = src.audit_detail()
            if earlier is not None:  # ids only: which case it repeats or updates
                detail.update(earlier_case_id=earlier.case_id, relation=earlier.relation,
                              again=forced)
            store.audit.event(RECEIVED, case_id=case_id, interview_id=interview_id,
                              detail=detail)
            reference = store.cases.get(case_id).reference
    except Altered:
        raise
    except InputError as exc:  # a value the store refuses (a context field, an answer)
        raise Altered(f"{ALTERED} ({exc.message})") from None
    log.info("referral received into a new case")
    outcome = result.get("outcome", {})
    return Received(case_id, reference, interview_id, str(outcome.get("level", "")),
                    case.sender_outcome, src, str(outcome.get("label", "")), earlier, forced)


__all__ = [
    "ALREADY_RECEIVED",
    "NEWER",
    "OLDER",
    "RECEIVED",
    "SAME",
    "SENT",
    "AlreadyReceived",
    "Earlier",
    "OpenedPacket",
    "Provenance",
    "Received",
    "Recipient",
    "Sent",
    "check_packet_name",
    "earlier_receipt",
    "open_packet",
    "read_packet",
    "receive_referral",
    "recipients_in",
    "resolve_recipient",
    "send_referral",
]
