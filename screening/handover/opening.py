"""Opening a hand-over packet: decrypt, check, parse; nothing is stored here (issue #15).

``open_packet`` decrypts an age file with the agency's identities and checks everything before
the store sees any of it: age's authentication, the container's manifest, ``case.json``'s
structure, that it names the key that opened it, the PDF's embedded data against
``packet_sha256``, the instrument text against the interview's content hash, and every answer
against the instrument. It returns an ``OpenedPacket`` with the packet's ``Provenance``: who
sent it and when, as the packet states it (age encrypts *to* a key, it does not sign: compare
the document id or the sender's audit anchor with the sender when it matters).

Storing an opened packet is ``screening.casework.handover.receive_referral``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.engine.state import fits, split_key
from screening.engine.storage import SPECIALS, AnswerRecord
from screening.errors import AnswerError, ErrorCode, InputError, InstrumentError
from screening.handover import casefile, container
from screening.handover.keys import ALTERED, Altered, fingerprint, public_keys, unseal
from screening.store import AuditAnchor

if TYPE_CHECKING:
    from pyrage import x25519

    from screening.instruments import LoadResult
    from screening.store import InterviewMeta
    from screening.workspace import Workspace

MAX_PACKET = 256 * 1024 * 1024


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


def _embedded_data(pdf: bytes) -> bytes | None:
    """The ``referral.json`` the PDF carries (None: none, or more than one)."""
    from pypdf import PdfReader

    from screening.reports.encrypt import ATTACHMENT_NAME

    try:
        found = PdfReader(io.BytesIO(pdf)).attachments.get(ATTACHMENT_NAME) or []
    except Exception:  # pypdf raises many types for a damaged file
        return None
    return found[0] if len(found) == 1 else None


def _answer_status(record: AnswerRecord) -> str | None:
    """The status the packet's appendix gives an answer (None: not shown there)."""
    if not record.answered:
        return None
    return record.special if record.special in ("refused", "dont_know") else "answered"


def _check_against_pdf(case: casefile.CaseFile, embedded: bytes) -> None:
    """``case.json`` must say what the PDF beside it says, on every field both carry: the
    hash alone proves only that the PDF was not changed, not that ``case.json`` (which is
    what gets stored) belongs to it."""
    try:
        data = json.loads(embedded.decode("utf-8"))
        person = data.get("person") or {}
        appendix = {e["item_id"]: e["status"] for e in data.get("appendix") or ()}
        shown = (data["document_id"], data["case_reference"], person.get("name"),
                 data["instrument"]["content_hash"], data["result"]["level"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise Altered(f"{ALTERED} (referral.pdf's data is not a referral packet)") from None
    answers = {r.item: _answer_status(r) for r in case.answers}
    stated = (case.document_id, case.reference, case.person.name if case.person else None,
              case.meta.content_hash, case.sender_outcome)
    names = ("document id", "case reference", "person's name", "instrument", "outcome")
    differ = [n for n, a, b in zip(names, shown, stated, strict=True) if a != b]
    if any(answers.get(item) != status for item, status in appendix.items()):
        differ.append("answers")
    if differ:
        raise Altered(f"{ALTERED} (case.json and the referral PDF inside the packet disagree "
                      f"on: {', '.join(differ)}); ask the sender for a new packet")


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
        if node is None or not fits(node, instance):
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
    embedded = _embedded_data(members[container.PDF])
    if embedded is None or hashlib.sha256(embedded).hexdigest() != case.packet_sha256:
        raise Altered(f"{ALTERED} (referral.pdf does not carry the case's data)")
    _check_against_pdf(case, embedded)
    loaded = _instrument(ws, case.meta, members[container.INSTRUMENT])
    _check_answers(loaded, case.answers)
    if not case.context.consent_given:
        raise Altered(f"{ALTERED} (no consent is recorded in it)")
    moment(case.created_at)  # when it was sent: shown in the case list, compared on receipt
    provenance = Provenance(
        sender_store_id=case.sender.store_id, agency=case.sender.agency,
        officer=case.sender.officer, sent_at=case.created_at,
        audit_anchor=case.sender.audit_anchor, document_id=case.document_id,
        packet_sha256=case.packet_sha256, file_sha256=hashlib.sha256(data).hexdigest(),
        recipient_fingerprint=fingerprint(case.recipient_public_key),
        sender_case_reference=case.reference, phone=case.sender.phone,
        email=case.sender.email)
    return OpenedPacket(members[container.PDF], case, loaded, provenance)


def moment(text: str) -> str:
    """A time from the packet, as stored (ISO 8601, UTC); a malformed one is an altered
    packet."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Altered(f"{ALTERED} (a time is not a date and time)") from None
    if when.tzinfo is None:
        raise Altered(f"{ALTERED} (a time has no time zone)")
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


__all__ = ["MAX_PACKET", "OpenedPacket", "Provenance", "moment", "open_packet", "read_packet"]
