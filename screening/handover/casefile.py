"""``case.json`` in a hand-over container: the structured case, written and read back.

Shape (``"format": "fieldscreen-case/1"``; every key is always present, ``null`` where empty)::

    {"format", "document_id", "packet_sha256", "created_at",
     "sender": {"store_id", "officer", "agency", "phone", "email", "fieldscreen",
                "audit_anchor": {"entry_id", "digest"}},
     "recipient": {"public_key", "fingerprint", "service_id", "service_name"},
     "case": {"reference", "created_at", "person": {name, aliases, date_of_birth, gender,
              nationality, languages, contact, notes} | null},
     "interview": {"id", "created_at", "finished_at",
                   "meta": {instrument_id, instrument_version, content_hash,
                            respondent_language, officer_language, interpreter_used,
                            interpreter_language, location, officer, agency},
                   "context": {consent_given, consent_scope, consent_recorded_how, consent_at,
                               consent_recipients, consent_language, ...},
                   "answers": [{item, value, special, language, answered_at, relevant, note}],
                   "result": {the stored result, as `fieldscreen interview --json` prints}},
     "referrals": {"services": [{service_id, service_name, kind, reason, contacts, languages,
                                 override_reason}], "narrative",
                   "details": {the referral details, as `fieldscreen referrals show --json`
                               prints them under "referral", without "reason"} | null}}

``sender.phone``, ``sender.email`` and ``referrals.details`` came with issue #15's referral
details: a packet without them reads as one with none.

``packet_sha256`` is the SHA-256 of the data embedded in ``referral.pdf`` (printed in its
footer). ``parse`` checks every type it reads and raises ``Altered`` naming the field (never
its content) when something is missing or of the wrong kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from screening.casework.referral_details import ReferralDetails
from screening.engine.storage import AnswerRecord
from screening.errors import InputError
from screening.handover.keys import ALTERED, Altered
from screening.store import AuditAnchor, InterviewContext, InterviewMeta, PersonInfo
from screening.store.models import Interview
from screening.store.records import ReferralRecord

CASE_FORMAT = "fieldscreen-case/1"
_SHA256_HEX = 64


@dataclass(frozen=True)
class Sender:
    store_id: str
    officer: str
    agency: str
    audit_anchor: AuditAnchor
    fieldscreen: str = ""
    # How the receiving agency reaches the referring officer (their profile).
    phone: str = field(default="", repr=False)
    email: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"store_id": self.store_id, "officer": self.officer, "agency": self.agency,
                "phone": self.phone or None, "email": self.email or None,
                "fieldscreen": self.fieldscreen, "audit_anchor": self.audit_anchor.to_json()}


@dataclass(frozen=True)
class CaseFile:
    """A parsed ``case.json``: typed, checked, not yet stored anywhere."""

    document_id: str
    packet_sha256: str
    created_at: str
    sender: Sender
    recipient_public_key: str
    reference: str
    person: PersonInfo | None = field(repr=False)
    interview_created_at: str
    interview_finished_at: str | None
    meta: InterviewMeta = field(repr=False)
    context: InterviewContext = field(repr=False)
    answers: tuple[AnswerRecord, ...] = field(repr=False)
    result: dict[str, Any] = field(repr=False)
    referrals: tuple[ReferralRecord, ...] = field(repr=False)
    narrative: str | None = field(repr=False)
    details: ReferralDetails = field(default=ReferralDetails(), repr=False)

    @property
    def sender_outcome(self) -> str | None:
        outcome = self.result.get("outcome")
        level = outcome.get("level") if isinstance(outcome, dict) else None
        return level if isinstance(level, str) else None


def answer_json(record: AnswerRecord) -> dict[str, Any]:
    return {"item": record.item, "value": record.value, "special": record.special,
            "language": record.language, "answered_at": record.answered_at,
            "relevant": record.relevant, "note": record.note}


def build(*, document_id: str, packet_sha256: str, created_at: str, sender: Sender,
          recipient: dict[str, Any], reference: str, case_created_at: str,
          person: PersonInfo | None, interview: Interview, context: InterviewContext | None,
          answers: dict[str, AnswerRecord], referrals: list[ReferralRecord],
          narrative: str | None, details: ReferralDetails | None = None) -> dict[str, Any]:
    """The ``case.json`` document of one interview of a case."""
    return {
        "format": CASE_FORMAT,
        "document_id": document_id,
        "packet_sha256": packet_sha256,
        "created_at": created_at,
        "sender": sender.to_json(),
        "recipient": recipient,
        "case": {"reference": reference, "created_at": case_created_at,
                 "person": person.to_json() if person is not None else None},
        "interview": {
            "id": interview.id,
            "created_at": interview.created_at,
            "finished_at": interview.finished_at,
            "meta": interview.meta.to_json(),
            "context": (context or InterviewContext()).to_json(),
            "answers": [answer_json(answers[k]) for k in sorted(answers)],
            "result": interview.result,
        },
        "referrals": {"services": [r.to_json() for r in referrals], "narrative": narrative,
                      "details": (details.to_json() if details is not None
                                  and not details.empty else None)},
    }


class _Doc:
    """Typed reads from one JSON object; a failed read is an ``Altered`` naming the field."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise _bad(where)
        self.value: dict[str, Any] = value
        self.where = where

    def _get(self, key: str, kinds: tuple[type, ...], optional: bool) -> Any:
        value = self.value.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            raise _bad(f"{self.where}.{key}")
        return value

    def text(self, key: str) -> str:
        return str(self._get(key, (str,), False))

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, (str,), True)
        return None if value is None else str(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, (bool,), True)
        return default if value is None else bool(value)

    def number(self, key: str) -> int:
        return int(self._get(key, (int,), False))

    def texts(self, key: str) -> tuple[str, ...]:
        values = self._get(key, (list,), True) or []
        if not all(isinstance(v, str) for v in values):
            raise _bad(f"{self.where}.{key}")
        return tuple(values)

    def obj(self, key: str) -> _Doc:
        return _Doc(self.value.get(key), f"{self.where}.{key}")

    def objs(self, key: str) -> list[_Doc]:
        values = self._get(key, (list,), False)
        return [_Doc(v, f"{self.where}.{key}[{i}]") for i, v in enumerate(values)]


def _bad(where: str) -> Altered:
    return Altered(f"{ALTERED} (case.json: {where} is missing or of the wrong kind)")


def _hex(doc: _Doc, key: str) -> str:
    value = doc.text(key)
    if len(value) != _SHA256_HEX or any(c not in "0123456789abcdef" for c in value):
        raise _bad(f"{doc.where}.{key}")
    return value


def _person(doc: Any) -> PersonInfo | None:
    if doc is None:
        return None
    p = _Doc(doc, "case.person")
    return PersonInfo(name=p.opt_text("name"), aliases=p.texts("aliases"),
                      date_of_birth=p.opt_text("date_of_birth"), gender=p.opt_text("gender"),
                      nationality=p.opt_text("nationality"), languages=p.texts("languages"),
                      contact=p.opt_text("contact"), notes=p.opt_text("notes"))


def _context(c: _Doc) -> InterviewContext:
    values: dict[str, Any] = {}
    for f in fields(InterviewContext):
        if f.name not in c.value:
            continue
        default = f.default
        if isinstance(default, bool):
            values[f.name] = c.flag(f.name, default)
        elif isinstance(default, int):
            values[f.name] = c.number(f.name)
        elif isinstance(default, tuple):
            values[f.name] = c.texts(f.name)
        elif isinstance(default, str):
            values[f.name] = c.text(f.name)
        else:
            values[f.name] = c.opt_text(f.name)
    return InterviewContext(**values)


def _meta(m: _Doc) -> InterviewMeta:
    return InterviewMeta(
        instrument_id=m.text("instrument_id"), instrument_version=m.text("instrument_version"),
        content_hash=m.text("content_hash"), respondent_language=m.text("respondent_language"),
        officer_language=m.text("officer_language"), interpreter_used=m.flag("interpreter_used"),
        interpreter_language=m.opt_text("interpreter_language"), location=m.opt_text("location"),
        officer=m.opt_text("officer"), agency=m.opt_text("agency"))


def _answer(a: _Doc) -> AnswerRecord:
    value = a.value.get("value")
    if not isinstance(value, str | int | float | list | bool) and value is not None:
        raise _bad(f"{a.where}.value")
    return AnswerRecord(item=a.text("item"), value=value, special=a.opt_text("special"),
                        language=a.text("language"), answered_at=a.text("answered_at"),
                        relevant=a.flag("relevant", True), note=a.opt_text("note"))


def _referral(r: _Doc) -> ReferralRecord:
    return ReferralRecord(service_id=r.text("service_id"), service_name=r.text("service_name"),
                          kind=r.text("kind"), reason=r.opt_text("reason") or "",
                          contacts=r.opt_text("contacts") or "", languages=r.texts("languages"),
                          override_reason=r.opt_text("override_reason"))


def _details(doc: Any) -> ReferralDetails:
    if doc is None:
        return ReferralDetails()
    try:  # the same checks as every face's input (kinds, vocabularies, limits)
        return ReferralDetails.from_json(doc, "referrals.details")
    except InputError:
        raise _bad("referrals.details") from None


def parse(value: Any) -> CaseFile:
    """A ``case.json`` document as a ``CaseFile``; ``Altered`` when it is not one."""
    doc = _Doc(value, "case.json")
    if doc.value.get("format") != CASE_FORMAT:
        raise Altered(f"{ALTERED} (case.json is not {CASE_FORMAT})")
    sender = doc.obj("sender")
    anchor = sender.obj("audit_anchor")
    case = doc.obj("case")
    interview = doc.obj("interview")
    result = interview.value.get("result")
    if not isinstance(result, dict):
        raise _bad("interview.result")
    referrals = doc.obj("referrals")
    return CaseFile(
        document_id=doc.text("document_id"),
        packet_sha256=_hex(doc, "packet_sha256"),
        created_at=doc.text("created_at"),
        sender=Sender(store_id=sender.text("store_id"),
                      officer=sender.opt_text("officer") or "",
                      agency=sender.opt_text("agency") or "",
                      audit_anchor=AuditAnchor(anchor.number("entry_id"),
                                               _hex(anchor, "digest")),
                      fieldscreen=sender.opt_text("fieldscreen") or "",
                      phone=sender.opt_text("phone") or "",
                      email=sender.opt_text("email") or ""),
        recipient_public_key=doc.obj("recipient").text("public_key"),
        reference=case.text("reference"),
        person=_person(case.value.get("person")),
        interview_created_at=interview.text("created_at"),
        interview_finished_at=interview.opt_text("finished_at"),
        meta=_meta(interview.obj("meta")),
        context=_context(interview.obj("context")),
        answers=tuple(_answer(a) for a in interview.objs("answers")),
        result=result,
        referrals=tuple(_referral(r) for r in referrals.objs("services")),
        narrative=referrals.opt_text("narrative"),
        details=_details(referrals.value.get("details")),
    )


__all__ = ["CASE_FORMAT", "CaseFile", "Sender", "answer_json", "build", "parse"]
