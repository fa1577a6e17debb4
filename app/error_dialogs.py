"""What the user reads when something fails: chosen from the error's code, in their language.

The core's exception messages are developer English and may never reach a dialog. Each code
maps to two translated sentences: what happened, and what to do. Unknown failures get the
generic crash dialog with an incident id that matches a line in the log (which holds no
personal data). Deliberately no "copy details" button: officers' machines may be shared.
"""

from __future__ import annotations

import logging
import uuid
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.qt_i18n import N_, _
from screening.errors import ErrorCode
from screening.log import safe_traceback

log = logging.getLogger(__name__)

# App-level codes for failures the core has no code for.
FILE_UNREADABLE = "app.file_unreadable"
FILE_UNWRITABLE = "app.file_unwritable"
INTERNAL = "app.internal"

MESSAGES: dict[str, tuple[str, str]] = {
    ErrorCode.INSTRUMENT_SYNTAX: (
        N_("The questionnaire file could not be read."),
        N_("Check that you chose the right file. Nothing was imported."),
    ),
    ErrorCode.INSTRUMENT_SCHEMA: (
        N_("The questionnaire file has mistakes in it."),
        N_("Ask whoever prepared it to check it with `fieldscreen instruments check`."),
    ),
    ErrorCode.INSTRUMENT_REFERENCE: (
        N_("The questionnaire refers to a question that does not exist."),
        N_("Ask whoever prepared it to check it with `fieldscreen instruments check`."),
    ),
    ErrorCode.INSTRUMENT_DUPLICATE: (
        N_("The questionnaire uses the same name twice."),
        N_("Ask whoever prepared it to check it with `fieldscreen instruments check`."),
    ),
    ErrorCode.INSTRUMENT_TRANSLATION: (
        N_("The questionnaire is missing a translation."),
        N_("Choose another language, or ask whoever prepared it to complete it."),
    ),
    ErrorCode.INSTRUMENT_HASH: (
        N_("The questionnaire's wording changed without a new version number."),
        N_("Do not use it until it has been reviewed and re-issued."),
    ),
    ErrorCode.INSTRUMENT_NOT_FOUND: (
        N_("The questionnaire used by this interview is not installed on this computer."),
        N_("Import the same version of the questionnaire in Settings, then try again."),
    ),
    ErrorCode.INSTRUMENT_EXPRESSION: (
        N_("The questionnaire contains a rule that cannot be used."),
        N_("Ask whoever prepared it to check it with `fieldscreen instruments check`."),
    ),
    ErrorCode.EXPRESSION_SYNTAX: (
        N_("A rule in the questionnaire cannot be read."),
        N_("Ask whoever prepared it to check it. Your answers are kept."),
    ),
    ErrorCode.EXPRESSION_EVAL: (
        N_("A rule in the questionnaire could not be worked out for these answers."),
        N_("Go on with the next question; tell whoever prepared the questionnaire."),
    ),
    ErrorCode.EXPRESSION_UNSUPPORTED: (
        N_("The questionnaire uses a rule FieldScreen does not support."),
        N_("Ask whoever prepared it to check it. Your answers are kept."),
    ),
    ErrorCode.ANSWER_INVALID: (
        N_("That answer cannot be saved in this form."),
        N_("Correct it, or choose another answer."),
    ),
    ErrorCode.ANSWER_CONSTRAINT: (
        N_("That answer is outside what this question allows."),
        N_("Check the value with the person and correct it."),
    ),
    ErrorCode.ANSWER_REQUIRED: (
        N_("This question needs an answer."),
        N_("Give an answer, or choose \"Prefer not to answer\" where it is offered."),
    ),
    ErrorCode.ANSWER_NOT_RELEVANT: (
        N_("That question is no longer asked, given the answers so far."),
        N_("Go on with the questions shown."),
    ),
    ErrorCode.ANSWER_UNKNOWN_ITEM: (
        N_("That question is not part of this questionnaire."),
        N_("Go on with the questions shown."),
    ),
    ErrorCode.ANSWER_FILE: (
        N_("The answers file could not be used."),
        N_("Check the file and try again."),
    ),
    ErrorCode.INTERVIEW_STATE: (
        N_("This interview is already finished."),
        N_("Open it from the case to read it, or start a new interview."),
    ),
    ErrorCode.STORE_WRONG_PASSPHRASE: (
        N_("That passphrase or recovery key is not right."),
        N_("Check the keyboard language and Caps Lock, then try again."),
    ),
    ErrorCode.STORE_NOT_INITIALISED: (
        N_("There is no FieldScreen data on this computer yet."),
        N_("Restart FieldScreen to set it up."),
    ),
    ErrorCode.STORE_ALREADY_INITIALISED: (
        N_("FieldScreen data already exists in this folder."),
        N_("Unlock it with its passphrase instead."),
    ),
    ErrorCode.STORE_CORRUPT: (
        N_("The data file is damaged."),
        N_("Do not delete anything. Restore the latest backup in Settings, or ask your "
           "technical contact for help."),
    ),
    ErrorCode.STORE_TOO_NEW: (
        N_("The data was saved by a newer version of FieldScreen."),
        N_("Install that version or a newer one. Nothing was changed."),
    ),
    ErrorCode.STORE_LOCKED: (
        N_("FieldScreen is already open on this computer."),
        N_("Close the other window first, then try again."),
    ),
    ErrorCode.STORE_WEAK_PASSPHRASE: (
        N_("That passphrase is too easy to guess."),
        N_("Use several unrelated words; a short sentence only you know works well."),
    ),
    ErrorCode.STORE_NOT_FOUND: (
        N_("That case or interview no longer exists."),
        N_("It may have been deleted. Go back to the case list."),
    ),
    ErrorCode.STORE_IO: (
        N_("The data could not be read or written."),
        N_("Check that the disk is connected and try again. Every answer saved so far is "
           "kept."),
    ),
    ErrorCode.STORE_DISK_FULL: (
        N_("The disk is full."),
        N_("Free some space, then try again. Every answer saved so far is kept."),
    ),
    ErrorCode.STORE_AUDIT_BROKEN: (
        N_("The audit trail shows that the data was changed outside FieldScreen."),
        N_("Do not use this computer's data as evidence until it has been checked."),
    ),
    ErrorCode.REPORT_FONT_MISSING: (
        N_("A font needed for this language is missing, so the report was not made."),
        N_("Choose another report language, or ask your technical contact to install it."),
    ),
    ErrorCode.REPORT_FAILED: (
        N_("The report could not be made."),
        N_("Try again, or choose another folder to save it in."),
    ),
    ErrorCode.BAD_INPUT: (
        N_("Something entered is not in the expected form."),
        N_("Check what you entered and try again."),
    ),
    ErrorCode.STORE_UNSAFE_PROFILE: (
        N_("This computer is set up with a test-only security setting."),
        N_("Ask your technical contact to remove FIELDSCREEN_KDF_PROFILE."),
    ),
    ErrorCode.STORE_BACKUP_INVALID: (
        N_("That file is not a FieldScreen backup, or it is damaged."),
        N_("Choose another backup file. Nothing was changed."),
    ),
    ErrorCode.STORE_BACKUP_ALTERED: (
        N_("This backup was changed after it was made, so it cannot be trusted."),
        N_("Nothing was restored. Use another backup, and tell your supervisor: the file "
           "may have been tampered with."),
    ),
    ErrorCode.STORE_BACKUP_UNAUTHENTICATED: (
        N_("This backup was made by an older FieldScreen, and nothing proves it was not "
           "changed since."),
        N_("Nothing was restored. Only if you know where it came from, your technical "
           "contact can restore it with `fieldscreen restore --legacy-unauthenticated`."),
    ),
    ErrorCode.CONSENT_MISSING: (
        N_("The person's consent is not recorded, so nothing about them can be saved."),
        N_("Go back to the consent step and record their decision."),
    ),
    ErrorCode.CONSENT_SCOPE: (
        N_("A chosen service is outside what the person agreed to."),
        N_("Remove it, or choose it again and type your reason for referring anyway."),
    ),
    ErrorCode.CONSENT_SHARING: (
        N_("The person agreed to the screening only, not to sharing their details."),
        N_("Make a copy without names and contact details, or record their consent to a "
           "referral first."),
    ),
    ErrorCode.OUTPUT_TARGET: (
        N_("FieldScreen does not save files there: that place is inside its data folder, is "
           "one of its own files, or is not an ordinary file."),
        N_("Choose another folder, outside the data folder. Nothing was saved or changed."),
    ),
    ErrorCode.HANDOVER_ALTERED: (
        N_("The referral packet was altered, or it is not a FieldScreen referral."),
        N_("Nothing was stored. Ask the sender to send it again."),
    ),
    ErrorCode.HANDOVER_NOT_FOR_KEY: (
        N_("This referral packet was not sent to your agency's key."),
        N_("Choose your agency's key file, or ask the sender which key they used. Nothing "
           "was stored."),
    ),
    ErrorCode.HANDOVER_RECIPIENT: (
        N_("FieldScreen has no usable public key for that agency."),
        N_("Ask the agency for the public key that `fieldscreen keys new` printed, and add it "
           "to the referral directory."),
    ),
    ErrorCode.HANDOVER_IDENTITY: (
        N_("That file is not an agency key."),
        N_("Choose the key file your agency made with `fieldscreen keys new`."),
    ),
    ErrorCode.HANDOVER_ALREADY_RECEIVED: (
        N_("This referral was received before and is already in your case list."),
        N_("Nothing was stored. Open the case that holds it from the case list."),
    ),
    ErrorCode.PROFILE_PHONE: (
        N_("That phone number cannot be used."),
        N_("Use digits, spaces, a + before the country code and - ( ) . / only: 6 to 15 "
           "digits, for example +962 6 555 0100. The profile was not saved."),
    ),
    ErrorCode.PROFILE_EMAIL: (
        N_("That e-mail address cannot be used."),
        N_("Write it as name@agency.org: one @, no spaces, and a domain with a dot after "
           "the @. The profile was not saved."),
    ),
    FILE_UNREADABLE: (
        N_("That file could not be read."),
        N_("Check the file and try again. Nothing was changed."),
    ),
    FILE_UNWRITABLE: (
        N_("That file could not be saved."),
        N_("Choose another folder and try again."),
    ),
    INTERNAL: (
        N_("Something went wrong."),
        N_("Try again. Every answer saved so far is kept."),
    ),
}


_open_boxes: set[QMessageBox] = set()


# What the checks at unlock can find (screening/store/anchor.py), by their stable codes.
INTEGRITY_MESSAGES: dict[str, str] = {
    "recovery_slot_missing": N_("This store has no recovery key any more: if the passphrase "
                                "is forgotten, every case is lost. Make a new recovery key in "
                                "Settings now."),
    "keyfile_unanchored": N_("The key file was replaced by an edited or much older copy."),
    "keyfile_altered": N_("The key file was changed outside FieldScreen."),
    "keyfile_older": N_("An older copy of the key file was put back, perhaps to hide failed "
                        "unlock attempts."),
    "audit_rewritten": N_("The audit trail was rewritten: some of its history was changed "
                          "or deleted."),
    "database_rolled_back": N_("An older copy of the database was put back: cases or changes "
                               "made since may be missing."),
    "unlock_count_reset": N_("The count of wrong passphrases was reset by hand, hiding "
                             "failed unlock attempts."),
}


def show_integrity_warnings(parent: QWidget | None, codes: list[str]) -> QMessageBox | None:
    """What the checks at unlock found, in the officer's language (non-blocking)."""
    if not codes:
        return None
    lines = [_(INTEGRITY_MESSAGES[c]) if c in INTEGRITY_MESSAGES else c for c in codes]
    text = (_("FieldScreen found signs that its files were changed while it was closed:")
            + "\n\n" + "\n".join("• " + line for line in lines) + "\n\n"
            + _("This is recorded in the audit trail. Tell your supervisor before you go on."))
    box = QMessageBox(QMessageBox.Icon.Warning, _("FieldScreen"), text, parent=parent)
    box.setObjectName("integrityWarning")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole))
    box.setAccessibleName(_("Warning: files were changed"))
    log.warning("integrity warnings shown: %s", ",".join(codes))
    if parent is None:
        _open_boxes.add(box)
        box.finished.connect(lambda _r: _open_boxes.discard(box))
    box.open()
    return box


def message_for(code: str) -> tuple[str, str]:
    """(what happened, what to do), translated. Unknown codes get the generic text."""
    what, todo = MESSAGES.get(str(code), MESSAGES[INTERNAL])
    return _(what), _(todo)


def show_error(parent: QWidget | None, code: str, *, incident: str | None = None) -> QMessageBox:
    """A non-blocking, translated error dialog (window-modal). Returns it for tests."""
    what, todo = message_for(code)
    text = what + "\n\n" + todo
    if incident:
        text += "\n\n" + _("Incident number: {incident}").format(incident=incident)
    box = QMessageBox(QMessageBox.Icon.Warning, _("FieldScreen"), text, parent=parent)
    box.setObjectName("errorDialog")
    box.setTextFormat(Qt.TextFormat.PlainText)
    ok = box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(ok)
    box.setAccessibleName(what)
    log.info("error shown to the user: %s", code)
    if parent is None:  # nothing owns it: keep it alive until it is closed
        _open_boxes.add(box)
        box.finished.connect(lambda _r: _open_boxes.discard(box))
    box.open()
    return box


def report_crash(kind: type[BaseException], tb: TracebackType | None,
                 parent: QWidget | None = None) -> str:
    """Log an unexpected exception (type and stack only) and tell the user; the incident id."""
    incident = uuid.uuid4().hex[:8]
    log.error("unhandled error, incident %s\n%s", incident, safe_traceback(kind, tb))
    show_error(parent, INTERNAL, incident=incident)
    return incident
