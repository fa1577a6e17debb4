"""Interview context, consent, referrals, narrative notes and encrypted settings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from screening.errors import ErrorCode, InputError
from screening.store.audit import now
from screening.store.connection import Connection
from screening.store.core import StoreHandle, case_reference, not_found, to_json

COMPANION_VALUES = ("none", "present", "separated")
CONSENT_HOW = ("verbal", "written", "signed", "other")


@dataclass(frozen=True)
class InterviewContext:
    """How an interview was conducted, and the consent given for it.

    Kept because it matters to whoever receives a referral (was it private? was the person
    separated from a companion? was an interpreter used?) and because trauma-informed practice
    is itself something to record.
    """

    consent_given: bool = False
    consent_scope: tuple[str, ...] = ()  # e.g. ("screening", "share_with_services")
    consent_recorded_how: str = "verbal"
    consent_at: str | None = None
    consent_recipients: tuple[str, ...] = ()
    consent_language: str | None = None
    confidentiality_explained: bool = False
    interpreter_used: bool = False
    interpreter_language: str | None = None
    same_gender_offered: bool = False
    private_setting: bool = False
    companion: str = "none"  # none | present | separated
    breaks: int = 0
    stopped_early: bool = False
    stopped_reason: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["consent_scope"] = list(self.consent_scope)
        data["consent_recipients"] = list(self.consent_recipients)
        return data


@dataclass(frozen=True)
class ReferralRecord:
    service_id: str
    service_name: str
    kind: str
    reason: str = field(default="", repr=False)
    contacts: str = ""
    languages: tuple[str, ...] = ()
    # Set when the service is outside the person's consent: the officer's reason for
    # referring anyway (audited, and printed on the packet).
    override_reason: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["languages"] = list(self.languages)
        return data


@dataclass(frozen=True)
class ConsentRecord:
    """One stored consent, as recorded (scope names as stored)."""

    interview_id: str | None
    given: bool
    scope: tuple[str, ...]
    recipients: tuple[str, ...]
    recorded_how: str
    language: str | None
    given_at: str
    withdrawn_at: str | None = None  # set by ``consent_records`` only


def _check_context(ctx: InterviewContext) -> None:
    if ctx.companion not in COMPANION_VALUES:
        raise InputError(f"companion must be one of {', '.join(COMPANION_VALUES)}",
                         code=ErrorCode.BAD_INPUT)
    if ctx.consent_recorded_how not in CONSENT_HOW:
        raise InputError(f"consent must be recorded as one of {', '.join(CONSENT_HOW)}",
                         code=ErrorCode.BAD_INPUT)
    if ctx.breaks < 0:
        raise InputError("breaks cannot be negative", code=ErrorCode.BAD_INPUT)


class ContextRepository:
    """``store.context``: how each interview is conducted, and the consent given for it."""

    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    # -- interview context and consent ---------------------------------------------------
    def save(self, interview_id: str, ctx: InterviewContext) -> None:
        """Record how the interview is conducted; replaces the previous record."""
        _check_context(ctx)
        stamp = now()
        with self._handle.tx("saving the interview context") as conn:
            row = conn.execute("SELECT case_id FROM interviews WHERE id = ?",
                               (interview_id,)).fetchone()
            if row is None:
                raise not_found("interview", interview_id)
            case_id = row[0]
            conn.execute(
                "INSERT OR REPLACE INTO interview_context (interview_id,"
                " confidentiality_explained, interpreter_used, interpreter_language,"
                " same_gender_offered, private_setting, companion, breaks, stopped_early,"
                " stopped_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (interview_id, int(ctx.confidentiality_explained), int(ctx.interpreter_used),
                 ctx.interpreter_language, int(ctx.same_gender_offered),
                 int(ctx.private_setting), ctx.companion, ctx.breaks, int(ctx.stopped_early),
                 ctx.stopped_reason, stamp),
            )
            conn.execute("DELETE FROM consents WHERE interview_id = ? AND withdrawn_at IS NULL",
                         (interview_id,))
            conn.execute(
                "INSERT INTO consents (case_id, interview_id, given, scope, recipients,"
                " recorded_how, language, given_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (case_id, interview_id, int(ctx.consent_given),
                 to_json(list(ctx.consent_scope), "consent scope"),
                 to_json(list(ctx.consent_recipients), "consent recipients"),
                 ctx.consent_recorded_how, ctx.consent_language, ctx.consent_at or stamp),
            )
            self._handle.audit.append("interview.context", case_id=case_id,
                                      interview_id=interview_id,
                                      detail={"consent": bool(ctx.consent_given)})

    def get(self, interview_id: str) -> InterviewContext | None:
        with self._handle.read("reading the interview context") as conn:
            row = conn.execute(
                "SELECT confidentiality_explained, interpreter_used, interpreter_language,"
                " same_gender_offered, private_setting, companion, breaks, stopped_early,"
                " stopped_reason FROM interview_context WHERE interview_id = ?",
                (interview_id,),
            ).fetchone()
            consent = conn.execute(
                "SELECT given, scope, recipients, recorded_how, language, given_at FROM consents"
                " WHERE interview_id = ? AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1",
                (interview_id,),
            ).fetchone()
        if row is None and consent is None:
            return None
        values: dict[str, Any] = {}
        if row is not None:
            values.update(
                confidentiality_explained=bool(row[0]), interpreter_used=bool(row[1]),
                interpreter_language=row[2], same_gender_offered=bool(row[3]),
                private_setting=bool(row[4]), companion=row[5], breaks=int(row[6]),
                stopped_early=bool(row[7]), stopped_reason=row[8],
            )
        if consent is not None:
            values.update(
                consent_given=bool(consent[0]), consent_scope=tuple(json.loads(consent[1])),
                consent_recipients=tuple(json.loads(consent[2])),
                consent_recorded_how=consent[3], consent_language=consent[4],
                consent_at=consent[5],
            )
        return InterviewContext(**values)

    def withdraw_consent(self, interview_id: str) -> None:
        """The person withdrew consent: kept on record with the time, never deleted."""
        stamp = now()
        with self._handle.tx("withdrawing consent") as conn:
            done = conn.execute(
                "UPDATE consents SET withdrawn_at = ? WHERE interview_id = ?"
                " AND withdrawn_at IS NULL", (stamp, interview_id),
            ).rowcount
            if not done:
                raise not_found("consent", interview_id)
            self._handle.audit.append("consent.withdrawn", interview_id=interview_id)


    def case_consent(self, case_id: str) -> ConsentRecord | None:
        """The consent that governs a case now: the latest one given and not withdrawn."""
        with self._handle.read("reading the consent") as conn:
            row = conn.execute(
                "SELECT interview_id, given, scope, recipients, recorded_how, language, given_at"
                " FROM consents WHERE case_id = ? AND given = 1 AND withdrawn_at IS NULL"
                " ORDER BY given_at DESC, id DESC LIMIT 1", (case_id,),
            ).fetchone()
        if row is None:
            return None
        return ConsentRecord(row[0], bool(row[1]), tuple(json.loads(row[2])),
                             tuple(json.loads(row[3])), row[4], row[5], row[6])

    def consent_records(self, case_id: str) -> list[ConsentRecord]:
        """Every consent stored for a case, given or not, withdrawn or not, in the order
        they were recorded (what sending to the agency server decides from, issue #18)."""
        with self._handle.read("reading the consents") as conn:
            rows = conn.execute(
                "SELECT interview_id, given, scope, recipients, recorded_how, language, given_at,"
                " withdrawn_at FROM consents WHERE case_id = ? ORDER BY id", (case_id,),
            ).fetchall()
        return [ConsentRecord(r[0], bool(r[1]), tuple(json.loads(r[2])), tuple(json.loads(r[3])),
                              r[4], r[5], r[6], r[7]) for r in rows]


class ReferralRepository:
    """``store.referrals``: the services a case is referred to, the officer's narrative (the
    reason for the referral) and the referral details (``referral_details``, schema 3)."""

    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    # -- referrals and narrative ---------------------------------------------------------
    def save(self, case_id: str, referrals: list[ReferralRecord],
             narrative: str | None) -> None:
        """Replace the case's chosen services and the officer's narrative."""
        stamp = now()
        with self._handle.tx("saving referrals") as conn:
            case_reference(conn, case_id)  # raises when unknown
            conn.execute("DELETE FROM referrals WHERE case_id = ?", (case_id,))
            for ref in referrals:
                conn.execute(
                    "INSERT INTO referrals (case_id, service_id, service_name, kind, contacts,"
                    " languages, reason, override_reason, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (case_id, ref.service_id, ref.service_name, ref.kind, ref.contacts,
                     to_json(list(ref.languages), "languages"), ref.reason,
                     (ref.override_reason or "").strip() or None, stamp),
                )
            _write_narrative(conn, case_id, narrative, stamp)
            conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id))
            self._handle.audit.append("case.referrals", case_id=case_id,
                                      detail={"services": [r.service_id for r in referrals]})

    def get(self, case_id: str) -> tuple[list[ReferralRecord], str | None]:
        with self._handle.read("reading referrals") as conn:
            rows = conn.execute(
                "SELECT service_id, service_name, kind, reason, contacts, languages,"
                " override_reason FROM referrals WHERE case_id = ? ORDER BY id", (case_id,),
            ).fetchall()
            note = conn.execute("SELECT narrative FROM case_notes WHERE case_id = ?",
                                (case_id,)).fetchone()
        referrals = [
            ReferralRecord(service_id=r[0], service_name=r[1], kind=r[2], reason=r[3],
                           contacts=r[4], languages=tuple(json.loads(r[5])),
                           override_reason=r[6])
            for r in rows
        ]
        return referrals, (note[0] if note else None)

    # -- the officer's reason and the referral details (issue #15) -----------------------
    def save_narrative(self, case_id: str, narrative: str | None) -> None:
        """Replace the officer's narrative (the reason for the referral) alone."""
        stamp = now()
        with self._handle.tx("saving the referral reason") as conn:
            case_reference(conn, case_id)  # raises when unknown
            _write_narrative(conn, case_id, narrative, stamp)
            conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id))
            self._handle.audit.append("case.referral_reason", case_id=case_id)

    def save_details(self, case_id: str, details: dict[str, Any] | None,
                     changed: list[str]) -> None:
        """Replace the case's referral details (a JSON object the casework layer checked;
        None removes them). The audit entry names the fields ``changed``, never a value."""
        stamp = now()
        with self._handle.tx("saving referral details") as conn:
            case_reference(conn, case_id)  # raises when unknown
            if details:
                conn.execute(
                    "INSERT OR REPLACE INTO referral_details (case_id, details, updated_at)"
                    " VALUES (?, ?, ?)", (case_id, to_json(details, "referral details"), stamp),
                )
            else:
                conn.execute("DELETE FROM referral_details WHERE case_id = ?", (case_id,))
            conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id))
            self._handle.audit.append("case.referral_details", case_id=case_id,
                                      detail={"fields": list(changed)})

    def details(self, case_id: str) -> dict[str, Any] | None:
        """The case's referral details as stored (a JSON object), or None."""
        with self._handle.read("reading referral details") as conn:
            row = conn.execute("SELECT details FROM referral_details WHERE case_id = ?",
                               (case_id,)).fetchone()
        if row is None:
            return None
        value = json.loads(row[0])
        return value if isinstance(value, dict) else None


class SettingsRepository:
    """``store.settings``: settings kept encrypted in the store."""

    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    # -- settings ------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        with self._handle.read("reading a setting") as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set(self, key: str, value: Any) -> None:
        with self._handle.tx("saving a setting") as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                         (key, to_json(value, f"setting {key}")))
            self._handle.audit.append("settings.changed", detail={"key": key})


def _write_narrative(conn: Connection, case_id: str, narrative: str | None, stamp: str) -> None:
    """The officer's reason for the referral: kept when it has text, else removed."""
    if narrative and narrative.strip():
        conn.execute(
            "INSERT OR REPLACE INTO case_notes (case_id, narrative, updated_at)"
            " VALUES (?, ?, ?)", (case_id, narrative, stamp),
        )
    else:
        conn.execute("DELETE FROM case_notes WHERE case_id = ?", (case_id,))
