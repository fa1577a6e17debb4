"""Consent: what the person agreed to, and what that allows the case to do.

The core decides, once, what a consent permits: an interview needs consent that covers
"screening"; a referral service is offered only when the consent covers its kind ("referral"
for support services, "law_enforcement" for the police); anything else needs an explicit
override with the officer's reason, which is audited and printed on the packet.
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
SCOPES = (SCREENING, REFERRAL, LAW_ENFORCEMENT)
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


__all__ = [
    "LAW_ENFORCEMENT",
    "RECORDED_HOW",
    "REFERRAL",
    "SCOPES",
    "SCREENING",
    "Consent",
    "case_consent",
    "normalise_scope",
    "scope_needed",
]
