"""The referral packet: everything a referral PDF shows, as frozen dataclasses.

The caller (GUI/CLI) fills a ``ReferralPacket`` from a finished interview, with every text
already in display form (question wording, choice labels, outcome label in the right
language). Only dates, times and numbers are left for the renderer to format for the
report's locale and time zone.

``to_json()`` is the same content as the PDF shows; it is embedded in the PDF as
``referral.json`` and ``packet_sha256()`` (SHA-256 of its canonical JSON) is printed in every
page footer, so a receiver can check the packet against the audit log.

``redacted_copy()`` drops the person's name, date of birth and contact details and every
free-text note (narrative, per-item notes, answers to ``text`` items, the officer's reason for
a referral outside the consent; the fact that it was outside the consent stays). Fields
holding personal data are ``repr=False``: these objects can reach logs through tracebacks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from screening.errors import ErrorCode, ReportError

AnswerValue = str | int | float | Decimal | date | time | datetime
AnswerStatus = Literal["answered", "refused", "dont_know"]
TranslationStatus = Literal["source", "reviewed", "machine", "draft"]
PACKET_FORMAT = "fieldscreen-referral/1"
FREE_TEXT_TYPE = "text"
URGENT_FLAG_KINDS = frozenset({"immediate_danger", "minor"})


def _bad(message: str, **context: Any) -> ReportError:
    return ReportError(message, code=ErrorCode.REPORT_FAILED, **context)


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise _bad(f"{name} must be a time-zone-aware datetime", field=name)


@dataclass(frozen=True)
class Interview:
    started_at: datetime
    location: str
    officer_name: str
    agency: str
    interpreter_used: bool
    respondent_language: str  # language code, e.g. "ar"
    officer_language: str
    interpreter_language: str | None = None
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        _aware(self.started_at, "interview.started_at")
        if self.ended_at is not None:
            _aware(self.ended_at, "interview.ended_at")


@dataclass(frozen=True)
class Person:
    """The person screened. Everything is optional: record only what they chose to give."""

    name: str | None = field(default=None, repr=False)
    date_of_birth: date | None = field(default=None, repr=False)
    age: int | None = None
    age_is_estimate: bool = False
    gender: str | None = None
    nationality: str | None = None
    languages: tuple[str, ...] = ()  # language codes
    contact: str | None = field(default=None, repr=False)  # phone, address ... (display text)


@dataclass(frozen=True)
class Consent:
    shared_items: tuple[str, ...]  # what the person agreed to share
    recipients: tuple[str, ...]  # with whom
    given_at: datetime
    recorded_how: str  # e.g. "verbal consent, read aloud by the interpreter"

    def __post_init__(self) -> None:
        _aware(self.given_at, "consent.given_at")


@dataclass(frozen=True)
class InstrumentInfo:
    instrument_id: str
    version: str
    title: str  # in the report language
    validation_status: Literal["validated", "adapted", "draft"]
    content_hash: str
    interview_language_status: TranslationStatus
    report_language_status: TranslationStatus | None = None
    validation_note: str | None = None


@dataclass(frozen=True)
class Flag:
    name: str
    kind: str  # immediate_danger | minor | medical | other
    label: str
    message: str = ""
    triggered_by: tuple[str, ...] = ()  # item ids in the appendix

    @property
    def urgent(self) -> bool:
        return self.kind in URGENT_FLAG_KINDS


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    strength: str | None = None
    triggered_by: tuple[str, ...] = ()  # item ids in the appendix


@dataclass(frozen=True)
class IndicatorDomain:
    name: str
    label: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Result:
    """The screening outcome. ``label`` comes from the instrument and never claims a
    determination ("indicators present: refer for assessment")."""

    level: str  # an instrument OutcomeLevel, e.g. "refer_urgent"
    label: str
    domains: tuple[IndicatorDomain, ...] = ()
    flags: tuple[Flag, ...] = ()
    unanswered_core: tuple[str, ...] = ()  # item ids


@dataclass(frozen=True)
class Contact:
    kind: Literal["phone", "text", "relay", "email", "address", "web", "other"]
    value: str


@dataclass(frozen=True)
class Referral:
    service_id: str
    name: str
    kind: str  # hotline | shelter | legal | medical | counselling | law_enforcement | ...
    contacts: tuple[Contact, ...] = ()
    languages: tuple[str, ...] = ()  # language codes, or display text such as "200+"
    reason: str = ""
    hours: str | None = None
    example: bool = False  # a placeholder entry from the sample directory
    # Referred although the person's consent does not cover this kind of service; the
    # officer's reason is free text (withheld from a redacted copy, the fact is not).
    outside_consent: bool = False
    override_reason: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.override_reason and not self.outside_consent:
            raise _bad("an override reason is given for a referral within the consent",
                       field="referrals")


@dataclass(frozen=True)
class AppendixEntry:
    """One question that was asked. Items skipped by the questionnaire's logic are not
    entries at all (they are not "no")."""

    item_id: str
    number: str  # as shown, e.g. "2.3"
    item_type: str  # the instrument item type; "text" is free text (redacted)
    asked_language: str
    question_asked: str
    status: AnswerStatus
    answer_asked: tuple[AnswerValue, ...] = field(default=(), repr=False)
    question_report: str | None = None  # in the report language, where different
    answer_report: tuple[AnswerValue, ...] | None = field(default=None, repr=False)
    officer_note: str | None = field(default=None, repr=False)

    @property
    def free_text(self) -> bool:
        return self.item_type == FREE_TEXT_TYPE


@dataclass(frozen=True)
class ReferralPacket:
    document_id: str
    generated_at: datetime
    time_zone: str  # IANA name, e.g. "America/New_York"
    report_language: str  # e.g. "en", "ar", "zh_Hans"
    case_reference: str
    interview: Interview
    person: Person
    consent: Consent
    instrument: InstrumentInfo
    result: Result
    referrals: tuple[Referral, ...] = ()
    appendix: tuple[AppendixEntry, ...] = ()
    narrative: str | None = field(default=None, repr=False)
    redacted: bool = False

    def __post_init__(self) -> None:
        _aware(self.generated_at, "generated_at")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise _bad(f"unknown time zone {self.time_zone!r}", field="time_zone") from exc
        try:
            Locale.parse(self.report_language)
        except (UnknownLocaleError, ValueError) as exc:
            raise _bad(
                f"unknown report language {self.report_language!r}", field="report_language"
            ) from exc
        ids = [e.item_id for e in self.appendix]
        if len(set(ids)) != len(ids):
            raise _bad("appendix lists an item twice", field="appendix")
        if self.redacted and _has_personal_data(self):
            # A packet claiming to be redacted must be one: build it with redacted_copy().
            raise _bad("packet is marked redacted but holds personal data", field="redacted")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def entry(self, item_id: str) -> AppendixEntry | None:
        for e in self.appendix:
            if e.item_id == item_id:
                return e
        return None

    def redacted_copy(self) -> ReferralPacket:
        """This packet without name, date of birth, contact details or free-text notes."""
        if self.redacted:
            return self
        person = self.person
        age = person.age
        if age is None and person.date_of_birth is not None:
            age = _age_at(person.date_of_birth, self.interview.started_at.astimezone(self.zone))
        entries = tuple(
            replace(
                e,
                officer_note=None,
                answer_asked=() if e.free_text else e.answer_asked,
                answer_report=None if e.free_text else e.answer_report,
            )
            for e in self.appendix
        )
        referrals = tuple(replace(r, override_reason=None) for r in self.referrals)
        return replace(
            self,
            redacted=True,
            narrative=None,
            appendix=entries,
            referrals=referrals,
            person=replace(person, name=None, date_of_birth=None, contact=None, age=age),
        )

    def to_json(self) -> dict[str, Any]:
        """The packet as JSON-ready data; the same content the PDF shows."""
        data: dict[str, Any] = {f.name: _to_jsonable(getattr(self, f.name)) for f in fields(self)}
        data["format"] = PACKET_FORMAT
        return data

    def canonical_json(self) -> bytes:
        return json.dumps(
            self.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")

    def packet_sha256(self) -> str:
        """SHA-256 (hex) of the canonical JSON: sorted keys, UTF-8, no whitespace."""
        return hashlib.sha256(self.canonical_json()).hexdigest()

    def __repr__(self) -> str:
        return f"ReferralPacket(document_id={self.document_id!r}, redacted={self.redacted})"


def packet_sha256(packet: ReferralPacket) -> str:
    return packet.packet_sha256()


def _age_at(born: date, when: datetime) -> int:
    today = when.date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _has_personal_data(p: ReferralPacket) -> bool:
    person = p.person
    if person.name or person.date_of_birth or person.contact or p.narrative:
        return True
    if any(r.override_reason for r in p.referrals):
        return True
    return any(
        e.officer_note or (e.free_text and (e.answer_asked or e.answer_report)) for e in p.appendix
    )


def _to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        # Floats are kept as text so that the canonical JSON never depends on float repr.
        return repr(value)
    return value
