"""Consent: what the person agreed to, and what that allows the case to do.

The core decides, once, what a consent permits: an interview needs consent that covers
"screening"; a referral service is offered only when the consent covers its kind ("referral"
for support services, "law_enforcement" for the police); anything else needs an explicit
override with the officer's reason, which is audited and printed on the packet. Sending a
case to the agency's ODK Central server (issue #18) needs "agency_server"; there is no
override for that.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from screening.errors import ErrorCode, InputError

if TYPE_CHECKING:
    from screening.store import ConsentRecord, Store

SCREENING = "screening"
REFERRAL = "referral"
LAW_ENFORCEMENT = "law_enforcement"
# A copy may be kept on the agency's central server, encrypted (issue #18).
AGENCY_SERVER = "agency_server"
SCOPES = (SCREENING, REFERRAL, LAW_ENFORCEMENT, AGENCY_SERVER)
# Names used by stores written before issue #12; read as today's names.
_LEGACY_SCOPES = {
    "share_with_services": REFERRAL,
    "share_with_law_enforcement": LAW_ENFORCEMENT,
}
RECORDED_HOW = ("verbal", "written", "signed", "other")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*")

# Which scope a referral service's kind needs. Kinds not listed need "referral".
_KIND_SCOPE = {"law_enforcement": LAW_ENFORCEMENT}


def normalise_scope(values: Iterable[str]) -> tuple[str, ...]:
    """Today's scope names, in canonical order, without duplicates; unknown names refused."""
    seen: set[str] = set()
    for raw in values:
        name = _LEGACY_SCOPES.get(raw, raw)
        if name not in SCOPES:
            raise InputError(
                f"consent: unknown scope '{raw}' (use {', '.join(SCOPES)})",
                code=ErrorCode.BAD_INPUT,
            )
        seen.add(name)
    return tuple(s for s in SCOPES if s in seen)


def scope_needed(service_kind: str) -> str:
    """The consent scope a referral to a service of this kind requires."""
    return _KIND_SCOPE.get(service_kind, REFERRAL)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Consent:
    """A consent decision, as the officer recorded it with the person."""

    given: bool
    scope: tuple[str, ...] = ()
    language: str | None = None
    recorded_how: str = "verbal"
    recipients: tuple[str, ...] = field(default=(), repr=False)
    confidentiality_explained: bool = False
    at: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scope", normalise_scope(self.scope) if self.given else ())
        if self.recorded_how not in RECORDED_HOW:
            raise InputError(
                f"consent: recorded_how must be one of {', '.join(RECORDED_HOW)}",
                code=ErrorCode.BAD_INPUT,
            )
        if self.given and SCREENING not in self.scope:
            raise InputError(
                "consent: the scope must include 'screening' for an interview to be stored",
                code=ErrorCode.BAD_INPUT,
            )

    def covers(self, scope: str) -> bool:
        return self.given and scope in self.scope

    def allows_service(self, service_kind: str) -> bool:
        return self.covers(scope_needed(service_kind))

    @classmethod
    def from_record(cls, record: ConsentRecord | None) -> Consent | None:
        """A stored consent (scope names from any version) as today's ``Consent``."""
        if record is None or not record.given:
            return None
        # A stored interview was consented to for screening; names unknown to this version
        # grant nothing.
        known = [s for s in record.scope if _LEGACY_SCOPES.get(s, s) in SCOPES]
        return cls(given=True, scope=(SCREENING, *known), language=record.language,
                   recorded_how=record.recorded_how if record.recorded_how in RECORDED_HOW
                   else "other", recipients=record.recipients, at=record.given_at)

    @classmethod
    def from_json(cls, doc: Any) -> Consent:
        """From the answers file's ``"consent"`` object; InputError names what is wrong."""
        if not isinstance(doc, Mapping):
            raise InputError('consent: expected an object such as {"given": true, "scope": '
                             '["screening"], "language": "en"}', code=ErrorCode.ANSWER_FILE)
        unknown = set(doc) - {"given", "scope", "language", "recorded_how", "recipients",
                              "confidentiality_explained", "at"}
        if unknown:
            raise InputError(f"consent: unknown key(s) {sorted(unknown)}",
                             code=ErrorCode.ANSWER_FILE)
        given = doc.get("given")
        if not isinstance(given, bool):
            raise InputError('consent: "given" must be true or false', code=ErrorCode.ANSWER_FILE)
        scope = doc.get("scope", [SCREENING] if given else [])
        if not isinstance(scope, list) or not all(isinstance(s, str) for s in scope):
            raise InputError('consent: "scope" must be a list of names', code=ErrorCode.ANSWER_FILE)
        recipients = doc.get("recipients", [])
        if not isinstance(recipients, list) or not all(isinstance(s, str) for s in recipients):
            raise InputError('consent: "recipients" must be a list of names',
                             code=ErrorCode.ANSWER_FILE)
        language = doc.get("language")
        if language is not None and not (isinstance(language, str)
                                         and _LANGUAGE.fullmatch(language)):
            raise InputError('consent: "language" must be a language code such as "ar"',
                             code=ErrorCode.ANSWER_FILE)
        at = doc.get("at")
        if at is not None:
            try:
                dt.datetime.fromisoformat(str(at))
            except ValueError:
                raise InputError('consent: "at" must be a date and time such as '
                                 '"2026-03-07T10:00:00+00:00"',
                                 code=ErrorCode.ANSWER_FILE) from None
        return cls(
            given=given, scope=tuple(scope), language=language,
            recorded_how=str(doc.get("recorded_how", "verbal")),
            recipients=tuple(recipients),
            confidentiality_explained=bool(doc.get("confidentiality_explained", False)),
            at=str(at) if at else None,
        )


def case_consent(store: Store, case_id: str) -> Consent | None:
    """The consent that governs a case now (the latest given and not withdrawn), or None."""
    return Consent.from_record(store.context.case_consent(case_id))


def sending_consent(store: Store, case_id: str) -> Consent | None:
    """The consent that allows sending a case to the agency server, or None.

    Stricter than ``case_consent`` (which falls back to an older consent): the person's
    LATEST decision governs. The decisions are each consent recorded (given or not), each
    withdrawal, and each consent declined for another interview of the case (the audit's
    ``consent.declined``: a declined consent stores nothing else). They are ordered by the
    store's own clock (when the consent was first recorded, per the audit trail; when it was
    withdrawn), never by the time the officer typed: a refusal or withdrawal recorded after
    an earlier "yes" means no until a new consent is given; a tie counts as a refusal; a
    withdrawn consent never grants. Referrals keep ``case_consent``'s rule.
    """
    recorded: dict[str, str] = {}  # interview -> when its consent was first recorded
    events: list[tuple[str, int, Consent | None]] = []
    for entry in store.audit.entries(case_id=case_id):
        if entry.action == "interview.context" and entry.interview_id:
            recorded.setdefault(entry.interview_id, entry.at)
        elif entry.action == "consent.declined":
            events.append((entry.at, 1, None))
    for record in store.context.consent_records(case_id):
        # No audit entry (a case received from another agency): the oldest decision.
        at = recorded.get(record.interview_id or "", "")
        grants = (Consent.from_record(record)
                  if record.given and not record.withdrawn_at else None)
        events.append((at, 0 if grants else 1, grants))
        if record.withdrawn_at:
            events.append((record.withdrawn_at, 1, None))
    if not events:
        return None
    return max(events, key=lambda event: (event[0], event[1]))[2]


__all__ = [
    "AGENCY_SERVER",
    "LAW_ENFORCEMENT",
    "RECORDED_HOW",
    "REFERRAL",
    "SCOPES",
    "SCREENING",
    "Consent",
    "case_consent",
    "normalise_scope",
    "scope_needed",
    "sending_consent",
]
