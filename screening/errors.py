"""One error hierarchy for the core, after pyxform's ErrorCode/PyXFormError.

Every error carries a stable ``code`` and a ``context`` of identifiers and positions only
(instrument id, item name, file, line, column). Never answer values, names or passphrases:
these objects end up in logs. The user-facing, translated wording is chosen by the caller
(CLI or GUI) from the code; ``str(error)`` is developer-facing English.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # instruments
    INSTRUMENT_SYNTAX = "instrument.syntax"
    INSTRUMENT_SCHEMA = "instrument.schema"
    INSTRUMENT_REFERENCE = "instrument.reference"
    INSTRUMENT_DUPLICATE = "instrument.duplicate"
    INSTRUMENT_TRANSLATION = "instrument.translation"
    INSTRUMENT_HASH = "instrument.hash"
    INSTRUMENT_NOT_FOUND = "instrument.not_found"
    INSTRUMENT_EXPRESSION = "instrument.expression"
    # expressions
    EXPRESSION_SYNTAX = "expression.syntax"
    EXPRESSION_EVAL = "expression.eval"
    EXPRESSION_UNSUPPORTED = "expression.unsupported"
    # interview
    ANSWER_INVALID = "answer.invalid"
    ANSWER_CONSTRAINT = "answer.constraint"
    ANSWER_REQUIRED = "answer.required"
    ANSWER_NOT_RELEVANT = "answer.not_relevant"
    ANSWER_UNKNOWN_ITEM = "answer.unknown_item"
    ANSWER_FILE = "answer.file"
    INTERVIEW_STATE = "interview.state"
    # store
    STORE_WRONG_PASSPHRASE = "store.wrong_passphrase"
    STORE_NOT_INITIALISED = "store.not_initialised"
    STORE_ALREADY_INITIALISED = "store.already_initialised"
    STORE_CORRUPT = "store.corrupt"
    STORE_TOO_NEW = "store.too_new"
    STORE_LOCKED = "store.locked"
    STORE_WEAK_PASSPHRASE = "store.weak_passphrase"
    STORE_NOT_FOUND = "store.not_found"
    STORE_IO = "store.io"
    STORE_DISK_FULL = "store.disk_full"
    STORE_AUDIT_BROKEN = "store.audit_broken"
    STORE_BACKUP_ALTERED = "store.backup_altered"
    STORE_BACKUP_UNAUTHENTICATED = "store.backup_unauthenticated"
    # reports
    REPORT_FONT_MISSING = "report.font_missing"
    REPORT_FAILED = "report.failed"
    # generic input
    BAD_INPUT = "input.bad"
    # store (appended)
    STORE_UNSAFE_PROFILE = "store.unsafe_profile"
    STORE_BACKUP_INVALID = "store.backup_invalid"
    # casework (appended)
    CONSENT_MISSING = "consent.missing"
    CONSENT_SCOPE = "consent.scope"
    CONSENT_SHARING = "consent.sharing"  # a full packet for a consent that covers no sharing
    # outputs (appended): a file the user named would overwrite FieldScreen's own data,
    # or is a device / not a regular file (issue #13)
    OUTPUT_TARGET = "input.output_target"
    # recipient-key hand-over (appended, issue #15)
    HANDOVER_ALTERED = "handover.altered"  # altered in transit, or not a FieldScreen referral
    HANDOVER_NOT_FOR_KEY = "handover.not_for_key"  # encrypted for another agency's key
    HANDOVER_RECIPIENT = "handover.recipient"  # no usable public key for the recipient
    HANDOVER_IDENTITY = "handover.identity"  # the identity file is not an age identity
    # this packet (or a newer one for the same case) was received before (issue #15 review)
    HANDOVER_ALREADY_RECEIVED = "handover.already_received"
    # the officer's profile (issue #15 review): a phone number or e-mail address not usable
    PROFILE_PHONE = "profile.phone"
    PROFILE_EMAIL = "profile.email"


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file: where, and what is wrong."""

    code: ErrorCode
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    item: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file + (f":{self.line}" if self.line else ""))
        elif self.line:
            where.append(f"line {self.line}")
        if self.item:
            where.append(f"item '{self.item}'")
        if self.column is not None:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ScreeningError(Exception):
    """Base of every error the core raises on purpose."""

    code: ErrorCode = ErrorCode.BAD_INPUT

    def __init__(
        self, message: str, *, code: ErrorCode | None = None, **context: Any
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.context: dict[str, Any] = context

    @property
    def message(self) -> str:
        return str(self.args[0])


class InputError(ScreeningError):
    """Bad user input (CLI exit code 2)."""


class InstrumentError(InputError):
    """An instrument file failed to load. ``problems`` lists every problem found."""

    code = ErrorCode.INSTRUMENT_SCHEMA

    def __init__(self, message: str, problems: list[Problem] | None = None, **context: Any):
        super().__init__(message, **context)
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  {p}" for p in self.problems)


class ExpressionError(InputError):
    """An expression failed to parse or evaluate. ``column`` is 1-based where known."""

    code = ErrorCode.EXPRESSION_SYNTAX

    def __init__(
        self, message: str, *, column: int | None = None, code: ErrorCode | None = None
    ) -> None:
        super().__init__(message, code=code, column=column)
        self.column = column


class AnswerError(InputError):
    """An answer was rejected (type, constraint, unknown item ...)."""

    code = ErrorCode.ANSWER_INVALID

    def __init__(self, item: str, message: str, *, code: ErrorCode | None = None,
                 instrument_message: str | None = None) -> None:
        super().__init__(message, code=code, item=item)
        self.item = item
        # The instrument's own wording for this refusal (its constraint or required
        # message, in the officer's language); None when the core has only a generic reason.
        # A GUI shows it as it is, or its own translated text when None.
        self.instrument_message = instrument_message


class StoreError(ScreeningError):
    code = ErrorCode.STORE_IO


class WrongPassphrase(StoreError):
    code = ErrorCode.STORE_WRONG_PASSPHRASE


class StoreCorrupt(StoreError):
    code = ErrorCode.STORE_CORRUPT


class ReportError(ScreeningError):
    code = ErrorCode.REPORT_FAILED


__all__ = [
    "AnswerError",
    "ErrorCode",
    "ExpressionError",
    "InputError",
    "InstrumentError",
    "Problem",
    "ReportError",
    "ScreeningError",
    "StoreCorrupt",
    "StoreError",
    "WrongPassphrase",
]
