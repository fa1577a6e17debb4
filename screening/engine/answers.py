"""Checking and normalising one answer for its item type.

Answers arrive from the GUI or from JSON files; both go through ``normalise_answer`` so the
stored form is the same: str for choices/text, list[str] for multiple choice, int/float for
numbers, True for acknowledge. Dates: an exact Gregorian day is the ISO string
(``"2025-02-14"``), as it always was; a date known to the month or year, approximate, or given
in the calendar the item's appearance names (``persian``, ``islamic``...) is an object with its
precision (``screening.engine.dates`` has the shapes).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from screening.engine.dates import GREGORIAN, DateAnswer, DateError, item_calendar
from screening.errors import AnswerError, ErrorCode
from screening.instruments.model import Instrument, Item, ItemType

MAX_TEXT_CHARS = 1_000_000  # a 1 MB answer must be stored, not crash anything
# Whole numbers are stored as SQLite/JSON integers: 64-bit signed is the most that fits.
INT32_LIMIT = 2**31
MAX_WHOLE = 2**63 - 1
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


def _bad(item: Item, message: str) -> AnswerError:
    return AnswerError(item.name, message, code=ErrorCode.ANSWER_INVALID)


def _choice_names(instrument: Instrument, item: Item) -> list[str]:
    return [c.name for c in instrument.choices_for(item)]


def normalise_answer(instrument: Instrument, item: Item, value: Any,
                     choices: list[str] | None = None) -> Any:
    """Return the stored form of ``value`` or raise ``AnswerError`` saying what is wrong.

    ``choices``: the choice names offered (after a choice filter); default all of them.
    """
    kind = item.type
    if kind in (ItemType.NOTE, ItemType.CALCULATE, ItemType.GROUP, ItemType.HIDDEN):
        raise AnswerError(item.name, f"{kind.value} items take no answer",
                          code=ErrorCode.ANSWER_INVALID)
    if kind is ItemType.REPEAT:
        return _integer(item, value, "the number of entries")
    blank = isinstance(value, str) and not value.strip() and kind is not ItemType.TEXT
    if value is None or blank:
        raise _bad(item, "no answer given")
    if kind in (ItemType.SINGLE_CHOICE, ItemType.YES_NO, ItemType.OBSERVATION):
        if kind is not ItemType.SINGLE_CHOICE and isinstance(value, bool):
            value = "yes" if value else "no"
        names = choices if choices is not None else _choice_names(instrument, item)
        if not isinstance(value, str) or value not in names:
            raise _bad(item, f"'{_short(value)}' is not one of the choices ({', '.join(names)})")
        return value
    if kind is ItemType.MULTIPLE_CHOICE:
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(item, "expected a list of choice names")
        names = choices if choices is not None else _choice_names(instrument, item)
        unknown = [v for v in value if v not in names]
        if unknown:
            raise _bad(item, f"'{_short(unknown[0])}' is not one of the choices "
                             f"({', '.join(names)})")
        if len(set(value)) != len(value):
            raise _bad(item, "a choice is listed twice")
        return [n for n in names if n in value]  # choice order, as ODK stores it
    if kind is ItemType.TEXT:
        if not isinstance(value, str):
            raise _bad(item, "expected text")
        if len(value) > MAX_TEXT_CHARS:
            raise _bad(item, f"text is longer than {MAX_TEXT_CHARS:,} characters")
        if not storable_text(value):
            raise _bad(item, "the text contains an invalid character (a lone UTF-16 "
                       "surrogate) that cannot be stored")
        return value
    if kind is ItemType.INTEGER:
        number = _integer(item, value, "a whole number")
        if not -INT32_LIMIT <= number < INT32_LIMIT:
            # An ODK integer is xsd:int: Collect refuses anything larger (tests/conformance).
            raise _bad(item, "the number is too large for a whole-number question "
                       "(at most 2,147,483,647)")
        return number
    if kind is ItemType.DECIMAL:
        return _decimal(item, value)
    if kind is ItemType.DATE:
        return _date(item, value)
    if kind is ItemType.TIME:
        if not isinstance(value, str) or not _TIME.match(value):
            raise _bad(item, "expected a time as HH:MM")
        return value
    if kind is ItemType.DATETIME:
        if not isinstance(value, str):
            raise _bad(item, "expected a date and time as YYYY-MM-DDTHH:MM")
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise _bad(item, "expected a date and time as YYYY-MM-DDTHH:MM") from None
        return value
    if kind is ItemType.ACKNOWLEDGE:
        if value is True or value == "OK":
            return True
        raise _bad(item, 'acknowledge takes true (or "OK")')
    raise _bad(item, f"unsupported item type {kind.value}")  # pragma: no cover


def storable_text(text: str) -> bool:
    """False for text with a lone UTF-16 surrogate: it has no UTF-8 form to be stored in."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _short(value: object) -> str:
    try:
        text = str(value)
    except ValueError:  # an int with more digits than Python converts to text
        return "a number with too many digits"
    if not storable_text(text):
        text = text.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return text if len(text) <= 40 else text[:37] + "..."


def _whole(item: Item, value: int) -> int:
    if abs(value) > MAX_WHOLE:
        raise _bad(item, "the number is too large")
    return value


def _integer(item: Item, value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise _bad(item, f"expected {what}")
    if isinstance(value, int):
        return _whole(item, value)
    if isinstance(value, float) and value.is_integer():
        return _whole(item, int(value))
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,18}\s*", value):
        return int(value)
    raise _bad(item, f"expected {what}, got '{_short(value)}'")


def _decimal(item: Item, value: Any) -> float | int:
    if isinstance(value, bool):
        raise _bad(item, "expected a number")
    if isinstance(value, int):
        number: float | int = _whole(item, value)
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _bad(item, f"expected a number, got '{_short(value)}'") from None
    else:
        raise _bad(item, "expected a number")
    if isinstance(number, float) and not math.isfinite(number):
        raise _bad(item, "expected a finite number")
    return number


def _date(item: Item, value: Any) -> str | dict[str, Any]:
    try:
        answer = DateAnswer.parse(value)
    except DateError as exc:
        raise _bad(item, exc.message) from None
    wanted = item_calendar(item.appearance)
    if answer.calendar not in (GREGORIAN, wanted):
        also = f" or the {wanted} calendar" if wanted else ""
        raise _bad(item, f"this item takes dates in the Gregorian calendar{also}, not the "
                   f"{answer.calendar} calendar")
    return answer.stored()
