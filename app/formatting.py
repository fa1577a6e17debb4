"""How dates, times and the core's codes read in the UI (issue #14): one place for each.

**Dates and times** go through Babel in the UI language, in the officer's local time zone,
so the interview's "saved at", the case list, the audit trail and the hand-over dialogs show
the same clock ("18:33" in Spanish, "6:33 PM" in English, never both on one screen). The
store keeps UTC ISO stamps ("2026-03-07T18:33:00Z"); a stamp without a zone is UTC, a
``datetime`` without one is local (``datetime.now()``).

**Digits** are Western (0-9) in every UI language, Arabic included: Babel's ``ar`` (CLDR)
formats numbers and dates with them, phone numbers, case references, hashes and the referral
packet use them, and Qt's own widgets (spin boxes) are given a locale that does too
(``app.qt_i18n``). One set of digits on a screen, never "٥" beside "2026".

**Codes** the core records (audit trail events such as ``answer.saved``, export formats such
as ``json``) are never shown as they are: each has a translated label here; a code this table
does not know yet reads "Other event" (the code only in a tooltip).
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date, format_time, get_datetime_format

from app.qt_i18n import N_, _, ltr, ui_language

__all__ = [
    "AUDIT_EVENTS",
    "EXPORT_FORMATS",
    "date_text",
    "datetime_text",
    "event_label",
    "event_tooltip",
    "format_label",
    "time_text",
    "to_local",
]

# Every action the core writes into the audit trail (screening/store, casework, reports).
# tests/gui/test_gui_codes.py checks that none is missing.
AUDIT_EVENTS: dict[str, str] = {
    "store.created": N_("Encrypted store created"),
    "store.opened": N_("Unlocked"),
    "store.locked": N_("Locked"),
    "store.backup": N_("Backup made"),
    "store.restored": N_("Restored from a backup"),
    "store.export": N_("Cases exported"),
    "store.rekeyed": N_("Re-encrypted with a new key"),
    "store.integrity_warning": N_("Warning found when unlocking"),
    "unlock.failed": N_("Wrong passphrase typed"),
    "passphrase.changed": N_("Passphrase changed"),
    "passphrase.check_failed": N_("Wrong current passphrase typed"),
    "recovery_key.replaced": N_("New recovery key made"),
    "keyslot.upgraded": N_("Key protection upgraded"),
    "settings.changed": N_("Setting changed"),
    "case.created": N_("Case created"),
    "case.opened": N_("Case opened"),
    "case.status": N_("Case status changed"),
    "case.deleted": N_("Case deleted"),
    "case.referrals": N_("Services chosen for the referral"),
    "case.referral_reason": N_("Referral notes changed"),
    "case.referral_details": N_("Referral details changed"),
    "person.updated": N_("Person's details changed"),
    "consent.declined": N_("Consent declined (nothing stored about the person)"),
    "consent.withdrawn": N_("Consent withdrawn"),
    "interview.created": N_("Interview started"),
    "interview.context": N_("Interview setting recorded"),
    "interview.finished": N_("Interview finished"),
    "interview.reopened": N_("Interview reopened"),
    "interview.companion": N_("Companion in the room changed"),
    "answer.saved": N_("Answer saved"),
    "report.recorded": N_("Referral report made"),
    "report.consent_override": N_("Full report without consent to share (reason given)"),
    "referral.override": N_("Service chosen outside the consent (reason given)"),
    "referral.sent": N_("Referral sent to an agency's key"),
    "referral.received": N_("Referral received"),
    "referral.already_received": N_("Referral received again (already stored)"),
    "instrument.installed": N_("Questionnaire installed"),
    "instrument.snapshot": N_("Questionnaire text kept for an interview"),
    "instrument.removed": N_("Questionnaire removed"),
    "directory.imported": N_("Referral directory imported"),
    "directory.cleared": N_("Referral directory reset"),
    # the agency's ODK Central server (issue #18)
    "server.configured": N_("Server settings saved"),
    "server.forgotten": N_("Server settings removed"),
    "form.published": N_("Questionnaire published on the server"),
    "case.queued_for_server": N_("Case queued for the server"),
    "case.unqueued": N_("Case taken out of the server queue"),
    "case.sent": N_("Interview sent to the server"),
    "case.send_failed": N_("Sending to the server failed"),
}

# Export formats the app offers (Settings › Backup and export).
EXPORT_FORMATS: dict[str, str] = {
    "json": N_("JSON: structured data, for other software"),
    "csv": N_("CSV: a table, for spreadsheets"),
    "odk": N_("ODK: for ODK Central and Kobo"),
}


def event_label(code: str) -> str:
    """The audit event ``code`` in the UI language; "Other event" for a code not known."""
    text = AUDIT_EVENTS.get(code)
    return _(text) if text else _("Other event")


def event_tooltip(code: str) -> str:
    """The tooltip of an audit event: its label, and the code only when it is not known."""
    return event_label(code) if code in AUDIT_EVENTS else f"{_('Other event')} ({code})"


def format_label(code: str) -> str:
    text = EXPORT_FORMATS.get(code)
    return _(text) if text else code.upper()


def to_local(value: str | datetime) -> datetime | None:
    """``value`` in the local time zone; None for an empty or unreadable stamp."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # the store writes UTC
    return moment.astimezone() if moment.tzinfo is not None else moment


def _locale() -> str:
    return ui_language().lang


def date_text(value: str | datetime) -> str:
    """A day in the UI language ("7 Mar 2026" style: the month in words where the locale
    writes it so, never the ambiguous 3/7/26)."""
    if isinstance(value, str) and len(value.strip()) == 10:  # a date alone: no time zone
        try:
            return format_date(datetime.fromisoformat(value.strip()).date(), "medium",
                               locale=_locale())
        except ValueError:
            return ""
    moment = to_local(value) if value else None
    return format_date(moment, "medium", locale=_locale()) if moment else ""


def time_text(value: str | datetime) -> str:
    """A time of day in the UI language's clock ("18:33", "6:33 PM", "6:33 م")."""
    moment = to_local(value) if value else None
    return format_time(moment, "short", locale=_locale()) if moment else ""


def datetime_text(value: str | datetime) -> str:
    """A day and a time, as the UI language joins them ("Mar 7, 2026, 6:33 PM")."""
    moment = to_local(value) if value else None
    if moment is None:  # not a stamp this reads: shown as it is, left to right
        return ltr(value) if isinstance(value, str) else ""
    pattern = str(get_datetime_format("medium", locale=_locale()))
    return (pattern.replace("'", "").replace("{0}", time_text(moment))
            .replace("{1}", date_text(moment)))
