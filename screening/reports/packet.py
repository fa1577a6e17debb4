"""The referral packet: everything a referral PDF shows, as frozen dataclasses.

The caller (GUI/CLI) fills a ``ReferralPacket`` from a finished interview, with every text
already in display form (question wording, choice labels, outcome label in the right
language). Only dates, times and numbers are left for the renderer to format for the
report's locale and time zone.

``to_json()`` is the same content as the PDF shows; it is embedded in the PDF as
``referral.json`` and ``packet_sha256()`` (SHA-256 of its canonical JSON) is printed in every
page footer, so a receiver can check the packet against the audit log.

A packet is one ``variant``: ``full``, ``redacted`` (for a hotline) or ``minimal``. What a
variant withholds or coarsens is a table in ``redaction``; ``for_variant()`` applies it to the
data before anything is rendered, and a packet whose data does not match its variant cannot
be built. Fields holding personal data are ``repr=False``: these objects can reach logs
through tracebacks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from screening.engine.dates import DateAnswer
from screening.errors import ErrorCode, ReportError
from screening.instruments.model import ValidationStatus
from screening.reports.indicators import GradedBasis

# "withheld": answered, but the packet's variant withholds the answer (free text).
AnswerStatus = Literal["answered", "refused", "dont_know", "withheld"]
TranslationStatus = Literal["source", "reviewed", "machine", "draft"]
Variant = Literal["full", "redacted", "minimal"]
VARIANTS: tuple[Variant, ...] = ("full", "redacted", "minimal")
PACKET_FORMAT = "fieldscreen-referral/1"
# Items whose answer is the person's age: a redacted copy gives them the person's age band.
AGE_ITEMS = frozenset({"age"})
FREE_TEXT_TYPE = "text"
OBSERVATION_TYPE = "observation"
URGENT_FLAG_KINDS = frozenset({"immediate_danger", "minor"})


def _bad(message: str, **context: Any) -> ReportError:
    return ReportError(message, code=ErrorCode.REPORT_FAILED, **context)


def _aware(value: object, name: str) -> None:
    """Times must carry their zone; a coarsened value (a date or a month) has none."""
    if isinstance(value, datetime) and (value.tzinfo is None or value.utcoffset() is None):
        raise _bad(f"{name} must be a time-zone-aware datetime", field=name)


@dataclass(frozen=True, order=True)
class Month:
    """A date given only to the month: what a ``minimal`` packet keeps of a date."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise _bad(f"month {self.month} out of range", field="month")

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class AgeRange:
    """An age given as a band (both ends included), e.g. 25-29 or 15-17."""

    low: int
    high: int

    @property
    def may_be_minor(self) -> bool:
        return self.low < 18


AnswerValue = (
    str | int | float | Decimal | date | time | datetime | Month | AgeRange | DateAnswer
)
# A moment as the packet shows it: exact (a zone-aware datetime), or only its day or month.
When = datetime | date | Month


@dataclass(frozen=True)
class Interview:
    started_at: When
    location: str | None
    officer_name: str | None
    agency: str | None
    interpreter_used: bool
    respondent_language: str  # language code, e.g. "ar"
    officer_language: str
    interpreter_language: str | None = None
    ended_at: When | None = None
    # How a receiving agency reaches the referring officer (their profile; issue #15).
    officer_phone: str | None = field(default=None, repr=False)
    officer_email: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _aware(self.started_at, "interview.started_at")
        if self.ended_at is not None:
            _aware(self.ended_at, "interview.ended_at")


@dataclass(frozen=True)
class ReceivedFrom:
    """A case received from another agency (issue #15): who sent it and when, as this store
    recorded it on receipt. The interview's officer and agency are the sender's."""

    agency: str | None = field(default=None, repr=False)
    officer: str | None = field(default=None, repr=False)
    sent_at: When | None = None
    received_at: When | None = None

    def __post_init__(self) -> None:
        _aware(self.sent_at, "received_from.sent_at")
        _aware(self.received_at, "received_from.received_at")


@dataclass(frozen=True)
class Holder:
    """Who to contact about the referral now: the officer or caseworker who holds the case
    and wrote this packet (their profile), when that is not the interviewing officer."""

    name: str | None = field(default=None, repr=False)
    agency: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Person:
    """The person screened. Everything is optional: record only what they chose to give."""

    name: str | None = field(default=None, repr=False)
    date_of_birth: date | None = field(default=None, repr=False)
    age: int | AgeRange | None = None
    age_is_estimate: bool = False
    gender: str | None = None
    nationality: str | None = None
    languages: tuple[str, ...] = ()  # language codes
    contact: str | None = field(default=None, repr=False)  # phone, address ... (display text)


@dataclass(frozen=True)
class Consent:
    """What the person agreed to. ``recorded`` False: no consent is recorded for the case
    (then there is nothing to date and nothing agreed)."""

    shared_items: tuple[str, ...]  # what the person agreed to share
    recipients: tuple[str, ...]  # with whom (as typed: free text)
    given_at: When | None
    recorded_how: str  # e.g. "verbal consent, read aloud by the interpreter"
    recorded: bool = True

    def __post_init__(self) -> None:
        _aware(self.given_at, "consent.given_at")
        if not self.recorded and (self.given_at is not None or self.shared_items):
            raise _bad("a consent that was not recorded has no date and covers nothing",
                       field="consent")


@dataclass(frozen=True)
class LanguageReview:
    """Who signed a reviewed translation off, and when (the instrument's ``languages``)."""

    reviewer: str  # "NAME, ROLE", as the instrument file gives it
    date: str | None = None  # ISO date


@dataclass(frozen=True)
class InstrumentInfo:
    instrument_id: str
    version: str
    title: str  # in the report language
    validation_status: ValidationStatus
    content_hash: str
    interview_language_status: TranslationStatus
    report_language_status: TranslationStatus | None = None
    validation_note: str | None = None
    # For a ``reviewed`` language (issue #16); None otherwise.
    interview_language_review: LanguageReview | None = None
    report_language_review: LanguageReview | None = None


@dataclass(frozen=True)
class Flag:
    name: str
    kind: str  # immediate_danger | minor | medical | other
    label: str
    message: str = ""
    triggered_by: tuple[str, ...] = ()  # item ids in the appendix
    # As the instrument declares it (a medical flag may be urgent, a "minor" flag on a
    # youth screen is not); None: by kind, for callers that do not know.
    urgent: bool | None = None

    def __post_init__(self) -> None:
        if self.urgent is None:
            object.__setattr__(self, "urgent", self.kind in URGENT_FLAG_KINDS)


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    strength: str | None = None
    triggered_by: tuple[str, ...] = ()  # item ids in the appendix
    element: str | None = None  # act, means or purpose (Palermo art. 3(a); issue #16)


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
    # Section titles held back while someone who came with the person was present (#14):
    # the result is incomplete for that reason, not a lower score.
    held_back_sections: tuple[str, ...] = ()
    # The instrument's outcome rule, the elements its indicators look for, and for the
    # ``graded`` rule what the outcome was judged on (issue #16; ``reports.indicators``).
    rule: str | None = None
    elements_screened: tuple[str, ...] = ()
    graded: GradedBasis | None = None


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
class Details:
    """The referral details (``screening.casework.referral_details``): codes as stored (the
    renderer names them), free text as typed, periods as a day or a month."""

    contact_methods: tuple[str, ...] = ()  # call | text | voicemail | ...
    safe_contact: str | None = field(default=None, repr=False)
    current_location: str | None = field(default=None, repr=False)
    # The region or country where the person is now, as the officer gave it: what a
    # redacted or minimal copy shows instead of any place (never derived from the services).
    current_region: str | None = field(default=None, repr=False)
    accommodation: str | None = None
    exploitation_types: tuple[str, ...] = ()
    exploitation_place: str | None = field(default=None, repr=False)
    exploitation_region: str | None = field(default=None, repr=False)
    exploitation_from: date | Month | None = None
    exploitation_to: date | Month | None = None
    exploitation_ongoing: bool = False
    exploiters: str | None = field(default=None, repr=False)
    other_victims_children: int | None = None  # None: not known
    other_victims_adults: int | None = None
    other_victims: str | None = field(default=None, repr=False)
    police_informed: bool | None = None
    police_reference: str | None = field(default=None, repr=False)
    wants: tuple[str, ...] = ()
    wishes: str | None = field(default=None, repr=False)  # in the person's words


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
    generated_at: When
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
    variant: Variant = "full"
    # What a receiving agency needs to act (issue #15); None: none were entered.
    details: Details | None = None
    # Set on a packet handed over with a recipient's key (issue #15): the fingerprint of the
    # age public key it is encrypted for, printed on the cover so the receiver can compare.
    recipient_fingerprint: str | None = None
    # A full packet written although the person's consent does not cover sharing: the
    # officer's reason, printed on page 1 (free text: never in a redacted or minimal copy).
    consent_override: str | None = field(default=None, repr=False)
    # The store's audit head when the packet was made ("<entry>:<64 hex>", issue #13): printed
    # in the footer, so `fieldscreen audit verify --anchor` (or --against this PDF) can show
    # later whether the sender's history up to it was rewritten. Names no one.
    audit_anchor: str | None = None
    # A case received from another agency: who sent it and when (None: made here), and who
    # holds it now, the contact for this referral (issue #15, review).
    received_from: ReceivedFrom | None = None
    holder: Holder | None = None
    # Where this copy withheld something (paths, records by index: "referrals.0.reason");
    # a field that was empty is not listed and stays empty (``redaction.apply_policy``).
    withheld: tuple[str, ...] = ()

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
        if self.variant not in VARIANTS:
            raise _bad(f"unknown packet variant {self.variant!r}", field="variant")
        from screening.reports.redaction import violations

        if bad := violations(self):
            # A packet claiming to be redacted must be one: build it with for_variant().
            raise _bad(
                f"packet is marked {self.variant} but holds what that variant withholds "
                f"({', '.join(bad)})",
                field="variant",
            )

    @property
    def redacted(self) -> bool:
        """True for every variant that withholds something (``redacted`` and ``minimal``)."""
        return self.variant != "full"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def entry(self, item_id: str) -> AppendixEntry | None:
        for e in self.appendix:
            if e.item_id == item_id:
                return e
        return None

    def for_variant(self, variant: Variant) -> ReferralPacket:
        """This packet as ``variant`` (see ``redaction.POLICIES``); the one way to redact."""
        from screening.reports.redaction import apply_policy

        return apply_policy(self, variant)

    def redacted_copy(self) -> ReferralPacket:
        """The ``redacted`` variant (for a hotline)."""
        return self.for_variant("redacted")

    def indicator_basis(self, indicator: Indicator) -> Literal["reported", "observed", None]:
        """Whether the person said it (``reported``) or the officer saw it (``observed``,
        only when every answer behind it is an observation); None when no answer shown in
        the appendix is behind it."""
        types = [e.item_type for i in indicator.triggered_by if (e := self.entry(i))]
        if not types:
            return None
        return "observed" if all(t == OBSERVATION_TYPE for t in types) else "reported"

    def file_name(self) -> str:
        """A file name to suggest for this packet (see ``suggested_file_name``)."""
        return suggested_file_name(self.case_reference, self.variant)

    def to_json(self) -> dict[str, Any]:
        """The packet as JSON-ready data; the same content the PDF shows."""
        data: dict[str, Any] = {f.name: _to_jsonable(getattr(self, f.name)) for f in fields(self)}
        data["format"] = PACKET_FORMAT
        data["redacted"] = self.redacted  # as in packets before variants
        return data

    def canonical_json(self) -> bytes:
        return json.dumps(
            self.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")

    def packet_sha256(self) -> str:
        """SHA-256 (hex) of the canonical JSON: sorted keys, UTF-8, no whitespace."""
        return hashlib.sha256(self.canonical_json()).hexdigest()

    def __repr__(self) -> str:
        return f"ReferralPacket(document_id={self.document_id!r}, variant={self.variant!r})"


def packet_sha256(packet: ReferralPacket) -> str:
    return packet.packet_sha256()


def suggested_file_name(case_reference: str, variant: Variant) -> str:
    """A file name for a packet: the case reference (which every variant keeps) and the
    variant, nothing else (no name, no date)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in case_reference)
    suffix = "" if variant == "full" else f"-{variant}"
    return f"referral-{safe or 'case'}{suffix}.pdf"


def age_at(born: date, when: date) -> int:
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


def answered_age(appendix: Sequence[AppendixEntry]) -> tuple[AppendixEntry, int] | None:
    """The person's answer to the age question (``AGE_ITEMS``), with its entry; None when
    it was not asked or not answered with a number."""
    for entry in appendix:
        if entry.item_id in AGE_ITEMS and entry.status == "answered":
            for value in entry.answer_asked:
                if isinstance(value, int | Decimal) and not isinstance(value, bool):
                    return entry, int(value)
    return None


def person_age(born: date | None, appendix: Sequence[AppendixEntry], on: date) -> int | None:
    """The one age a packet gives the person, on the day ``on`` (the interview's): from the
    date of birth when there is one, else their answer to the age question; None when
    neither says. Every variant bands this age, the appendix's answer included, so that a
    copy never shows two ages that disagree."""
    if born is not None and born <= on:
        return age_at(born, on)
    answered = answered_age(appendix)
    return None if answered is None else answered[1]


def _to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type | Month | AgeRange):
        return {f.name: _to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time | Month):
        return value.isoformat()
    if isinstance(value, AgeRange):
        return f"{value.low}-{value.high}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        # Floats are kept as text so that the canonical JSON never depends on float repr.
        return repr(value)
    return value
