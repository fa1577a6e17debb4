"""The answers file of ``fieldscreen interview``: consent, the person, the setting, answers.

    {"consent": {"given": true, "scope": ["screening", "referral"], "language": "ar"},
     "person": {"name": "...", "date_of_birth": "YYYY-MM-DD", "contact": "...",
                "aliases": ["..."]},
     "context": {"interpreter": "ar", "location": "..."},
     "referral": {"reason": "...", "safe_contact": "...", "current_location": "...", ...},
     "answers": {"item": value, ...}}

``"referral"`` holds the referral details (``screening.casework.referral_details``); its
``reason`` is the officer's reason for the referral (the case's narrative).

Everything a person can do in the app can be written here; problems name the file and key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.casework.consent import Consent
from screening.casework.lifecycle import COMPANIONS
from screening.casework.referral_details import ReferralUpdate, parse_referral
from screening.errors import ErrorCode, InputError
from screening.store import PersonInfo

_PERSON_TEXT = ("name", "date_of_birth", "gender", "nationality", "contact", "notes")
_PERSON_LISTS = ("aliases", "languages")
_CONTEXT_KEYS = ("interpreter", "location", "private_setting", "same_gender_offered", "companion")
MAX_FIELD = 2000


@dataclass(frozen=True)
class InterviewContextInput:
    interpreter_used: bool = False
    interpreter_language: str | None = None
    location: str | None = field(default=None, repr=False)
    private_setting: bool = False
    same_gender_offered: bool = False
    companion: str = "none"


@dataclass(frozen=True)
class AnswersFile:
    answers: dict[str, Any] = field(repr=False)
    consent: Consent | None
    person: PersonInfo | None = field(default=None, repr=False)
    context: InterviewContextInput = InterviewContextInput()
    referral: ReferralUpdate | None = None


def _bad(path: Path, message: str) -> InputError:
    return InputError(f"answers file {path}: {message}", code=ErrorCode.ANSWER_FILE)


# More digits than any answer needs, and fewer than Python refuses to convert (4300 by
# default, sys.set_int_max_str_digits): such a number is reported where it is, not parsed.
MAX_NUMBER_DIGITS = 1000


@dataclass(frozen=True)
class _HugeNumber:
    digits: int


def _parse_int(text: str) -> int | _HugeNumber:
    digits = len(text.lstrip("+-"))
    return _HugeNumber(digits) if digits > MAX_NUMBER_DIGITS else int(text)


def _storable(text: str) -> bool:
    """False for text holding a lone UTF-16 surrogate (JSON allows ``"\\ud800"``): it has
    no UTF-8 form, so it could never be saved, shown in a report or exported."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_values(path: Path, where: str, value: Any) -> None:
    """Every string and number in the document can be stored; else name where it is (the
    location is made of keys already checked, never of the offending value)."""
    if isinstance(value, _HugeNumber):
        raise _bad(path, f"{where}: a number with too many digits ({value.digits})")
    if isinstance(value, str):
        if not _storable(value):
            raise _bad(path, f"{where}: contains an invalid character (a lone UTF-16 "
                       "surrogate, such as \\ud800) that cannot be stored")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not _storable(key):
                raise _bad(path, f"a key in {where} contains an invalid character (a lone "
                           "UTF-16 surrogate, such as \\ud800) that cannot be stored")
            _check_values(path, f"{where}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            _check_values(path, f"{where}[{index}]", item)


def _text(path: Path, where: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_FIELD:
        raise _bad(path, f"{where} must be text of at most {MAX_FIELD} characters")
    return value.strip() or None


def _person(path: Path, doc: Any) -> PersonInfo | None:
    if doc is None:
        return None
    if not isinstance(doc, Mapping):
        raise _bad(path, '"person" must be an object')
    unknown = set(doc) - set(_PERSON_TEXT) - set(_PERSON_LISTS)
    if unknown:
        raise _bad(path, f"person: unknown key(s) {sorted(unknown)}")
    values: dict[str, Any] = {k: _text(path, f"person.{k}", doc.get(k)) for k in _PERSON_TEXT}
    for key in _PERSON_LISTS:
        items = doc.get(key, [])
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise _bad(path, f"person.{key} must be a list of text")
        values[key] = tuple(x.strip() for x in items if x.strip())
    return PersonInfo(**values)


def _context(path: Path, doc: Any) -> InterviewContextInput:
    if doc is None:
        return InterviewContextInput()
    if not isinstance(doc, Mapping):
        raise _bad(path, '"context" must be an object')
    unknown = set(doc) - set(_CONTEXT_KEYS)
    if unknown:
        raise _bad(path, f"context: unknown key(s) {sorted(unknown)}")
    interpreter = doc.get("interpreter")
    used, language = False, None
    if isinstance(interpreter, bool):
        used = interpreter
    elif isinstance(interpreter, str) and interpreter.strip():
        used, language = True, interpreter.strip()
    elif isinstance(interpreter, Mapping):
        used = bool(interpreter.get("used", True))
        language = _text(path, "context.interpreter.language", interpreter.get("language"))
    elif interpreter is not None:
        raise _bad(path, 'context.interpreter must be true/false, a language code, or '
                   '{"used": true, "language": "ar"}')
    for key in ("private_setting", "same_gender_offered"):
        if not isinstance(doc.get(key, False), bool):
            raise _bad(path, f"context.{key} must be true or false")
    return InterviewContextInput(
        interpreter_used=used, interpreter_language=language,
        location=_text(path, "context.location", doc.get("location")),
        private_setting=bool(doc.get("private_setting", False)),
        same_gender_offered=bool(doc.get("same_gender_offered", False)),
        companion=_companion(path, doc.get("companion", "none")),
    )


def _companion(path: Path, value: Any) -> str:
    if value not in COMPANIONS:
        raise _bad(path, f"context.companion must be one of {', '.join(COMPANIONS)}")
    return str(value)


def _load_document(path: Path) -> dict[str, Any]:
    """The file's JSON object, every string and number in it storable; InputError naming the
    file, line or key otherwise."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _bad(path, "not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, f"cannot read ({exc})") from None
    try:
        data = json.loads(raw, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise _bad(path, f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except ValueError:  # a number Python will not convert (sys.set_int_max_str_digits)
        raise _bad(path, "a number with too many digits") from None
    except RecursionError:
        raise _bad(path, "nested too deeply") from None
    try:
        if isinstance(data, dict):
            for key, value in data.items():
                if not _storable(key):
                    raise _bad(path, "a top-level key contains an invalid character")
                _check_values(path, key, value)
    except RecursionError:
        raise _bad(path, "nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise _bad(path, 'expected {"consent": {...}, "answers": {"item": value, ...}}')
    return data


def read_answers_file(path: Path) -> AnswersFile:
    """Read and check the file; InputError (exit 2) naming the file, line or key."""
    data = _load_document(path)
    unknown = set(data) - {"answers", "consent", "person", "context", "referral",
                           "instrument", "language", "comment"}
    if unknown:
        raise _bad(path, f"unknown key(s) {sorted(unknown)}")
    try:
        consent = Consent.from_json(data["consent"]) if "consent" in data else None
    except InputError as exc:
        raise _bad(path, exc.message) from None
    try:
        referral = parse_referral(data["referral"]) if "referral" in data else None
    except InputError as exc:
        raise _bad(path, exc.message) from None
    return AnswersFile(answers=data["answers"], consent=consent,
                       person=_person(path, data.get("person")),
                       context=_context(path, data.get("context")), referral=referral)


def read_more_answers(path: Path) -> dict[str, Any]:
    """The answers of a file that continues an interview (``fieldscreen interview resume``):
    ``{"answers": {...}}``. The consent, the person, the setting and the referral were
    recorded when the interview started, so the file may not carry them."""
    data = _load_document(path)
    unknown = set(data) - {"answers", "comment"}
    if unknown:
        raise _bad(path, f"a file that continues an interview holds only \"answers\" (and "
                   f"\"comment\"); not {sorted(unknown)}: they were recorded when the "
                   "interview started")
    answers: dict[str, Any] = data["answers"]
    return answers


__all__ = ["AnswersFile", "InterviewContextInput", "read_answers_file", "read_more_answers"]
