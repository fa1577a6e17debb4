"""Dates as people give them: to the day, the month or the year, exact or "about", and in the
calendar the instrument asks for (issue #14). ``answers.normalise_answer`` stores them; this
module reads, checks and converts them.

Stored shapes (what ``DateAnswer.stored`` returns and ``DateAnswer.from_stored`` reads):

* ``"2025-02-14"``: an exact day in the Gregorian calendar. A plain ISO 8601 string, as every
  date was stored before precision existed, so old interviews read unchanged.
* ``{"value": "2025-02", "precision": "month", "approximate": false}``: any other Gregorian
  date. ``value`` is ISO 8601 written to its precision (``2023``, ``2025-02``, ``2025-02-14``).
* ``{"value": "2025-02-14", "precision": "day", "approximate": false, "calendar": "persian",
  "given": "1403-11-26"}``: a date given in another calendar. ``given`` is what the person
  gave (year-month-day in that calendar, to its precision); ``value`` is the Gregorian day
  that period begins on, always a whole date, since a Persian month is not a Gregorian one.

Expressions, ODK exports and sorting use the first day of the period (``first_day``), as
ODK's ``month-year`` and ``year`` appearances store the first day of the month or year.

Calendars follow ODK's date appearances (``persian``, ``islamic``, ``ethiopian``, ``coptic``,
``bikram-sambat``, ``myanmar``). Conversions use ``convertdate``; the Ethiopian calendar is the
Coptic one with years counted 276 later. ``bikram-sambat`` and ``myanmar`` have no converter
here, so such items take Gregorian dates (``item_calendar`` returns None for them).
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

GREGORIAN = "gregorian"
PRECISIONS = ("year", "month", "day")
ODK_CALENDARS = ("persian", "islamic", "ethiopian", "coptic", "bikram-sambat", "myanmar")
INPUT_KEYS = frozenset({"value", "precision", "approximate", "calendar", "given"})
ETHIOPIAN_OFFSET = 276  # Ethiopian year = Coptic year + 276 (same months and days)

# "about 2023", "~2023", "2023 approx", "c. 2023", "2023?": an approximate date (the app has
# a check box; these are for the command line's answers file).
_APPROX = r"(?:~|≈|about|around|approx(?:imately|\.)?|circa|ca\.|c\.)"
_TEXT = re.compile(
    rf"^(?P<pre>{_APPROX})?\s*(?P<y>\d{{4}})(?:[-/.](?P<m>\d{{1,2}})(?:[-/.](?P<d>\d{{1,2}}))?)?"
    rf"\s*(?:(?P<post>\(?{_APPROX}\)?)|(?P<q>\?))?$",
    re.IGNORECASE,
)


class DateError(ValueError):
    """A date that cannot be read or does not exist; ``message`` says why (English, for the
    command line; the app shows its own translated hint)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Ymd = tuple[int, int, int]


@dataclass(frozen=True)
class _Calendar:
    months: int
    to_gregorian: Callable[[int, int, int], Ymd]
    from_gregorian: Callable[[int, int, int], Ymd]
    month_length: Callable[[int, int], int]


def _module(name: str) -> Any:
    # convertdate loads on the first non-Gregorian date, not at start-up.
    if name == "persian":
        from convertdate import persian

        return persian
    if name == "islamic":
        from convertdate import islamic

        return islamic
    from convertdate import coptic

    return coptic


def _converted(name: str, offset: int = 0) -> _Calendar:
    @lru_cache(maxsize=4096)  # the Persian calendar is astronomical: ~15 ms a conversion
    def to_g(y: int, m: int, d: int) -> Ymd:
        gy, gm, gd = _module(name).to_gregorian(y - offset, m, d)
        return (int(gy), int(gm), int(gd))

    @lru_cache(maxsize=4096)
    def from_g(y: int, m: int, d: int) -> Ymd:
        cy, cm, cd = _module(name).from_gregorian(y, m, d)
        return (int(cy) + offset, int(cm), int(cd))

    @lru_cache(maxsize=4096)
    def length(y: int, m: int) -> int:
        return int(_module(name).month_length(y - offset, m))

    return _Calendar(13 if name == "coptic" else 12, to_g, from_g, length)


CALENDARS: dict[str, _Calendar] = {
    GREGORIAN: _Calendar(12, lambda y, m, d: (y, m, d), lambda y, m, d: (y, m, d),
                         lambda y, m: _gregorian.monthrange(y, m)[1]),
    "persian": _converted("persian"),
    "islamic": _converted("islamic"),
    "coptic": _converted("coptic"),
    "ethiopian": _converted("coptic", ETHIOPIAN_OFFSET),
}


def item_calendar(appearance: str | None) -> str | None:
    """The calendar an item's ``appearance`` asks dates in, when this app converts it."""
    for token in (appearance or "").split():
        if token in CALENDARS and token != GREGORIAN:
            return token
    return None


def _ascii_digits(text: str) -> str:
    """"١٤٠٣" and "۱۴۰۳" are 1403: any script's decimal digits."""
    return "".join(str(d) if (d := unicodedata.decimal(ch, None)) is not None else ch
                   for ch in text)


@dataclass(frozen=True)
class DateAnswer:
    """A date to its precision, in ``calendar`` (year, month and day as given there)."""

    year: int
    month: int | None = None
    day: int | None = None
    calendar: str = GREGORIAN
    approximate: bool = False

    def __post_init__(self) -> None:
        cal = CALENDARS.get(self.calendar)
        if cal is None:
            raise DateError(f"unknown calendar '{self.calendar}' "
                            f"(known: {', '.join(sorted(CALENDARS))})")
        if self.day is not None and self.month is None:
            raise DateError("a day needs a month")
        if not 1 <= self.year <= 9999:
            raise DateError(f"the year {self.year} is out of range")
        if self.month is not None and not 1 <= self.month <= cal.months:
            raise DateError(f"there is no month {self.month} (months are 1 to {cal.months})")
        if self.day is not None and self.month is not None:
            try:
                last = cal.month_length(self.year, self.month)
            except (ValueError, OverflowError, IndexError):
                raise DateError(f"'{self.given}' cannot be converted") from None
            if not 1 <= self.day <= last:
                raise DateError(f"'{self.given}' is not a real date (that month has "
                                f"{last} days)")
        self.first_day()  # every date we keep converts to a Gregorian day

    # -- reading -----------------------------------------------------------------------
    @property
    def precision(self) -> str:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    @property
    def given(self) -> str:
        """Year, month and day in its own calendar, to its precision: ``1403-11``."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    @property
    def gregorian(self) -> bool:
        return self.calendar == GREGORIAN

    def _to_date(self, y: int, m: int, d: int) -> dt.date:
        try:
            return dt.date(*CALENDARS[self.calendar].to_gregorian(y, m, d))
        except (ValueError, OverflowError, TypeError):
            raise DateError(f"'{self.given}' is outside the dates the {self.calendar} "
                            "calendar converts") from None

    def first_day(self) -> dt.date:
        """The Gregorian day the period starts on (what ODK stores for a month or a year)."""
        return self._to_date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The Gregorian day the period ends on."""
        if self.day is not None:
            return self.first_day()
        cal = CALENDARS[self.calendar]
        month = self.month or cal.months
        try:
            length = cal.month_length(self.year, month)
        except (ValueError, OverflowError, IndexError):
            raise DateError(f"'{self.given}' cannot be converted") from None
        return self._to_date(self.year, month, length)

    def stored(self) -> str | dict[str, Any]:
        """The stored form (see the module docstring)."""
        if self.gregorian and self.precision == "day" and not self.approximate:
            return self.given
        out: dict[str, Any] = {
            "value": self.given if self.gregorian else self.first_day().isoformat(),
            "precision": self.precision,
            "approximate": self.approximate,
        }
        if not self.gregorian:
            out["calendar"] = self.calendar
            out["given"] = self.given
        return out

    def to_month(self) -> DateAnswer:
        """The same date known only to the month (a minimal report keeps no more)."""
        return DateAnswer(self.year, self.month, None, self.calendar, self.approximate)

    # -- making ------------------------------------------------------------------------
    @classmethod
    def parse_text(cls, text: str, calendar: str = GREGORIAN,
                   approximate: bool = False) -> DateAnswer:
        """``2025-02-14``, ``2025-02``, ``2025``, with "about"/"approx"/"~" if approximate.
        Separators ``-``, ``/`` or ``.``; digits of any script."""
        match = _TEXT.match(" ".join(_ascii_digits(text).split()))
        if match is None:
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise DateError(f"expected a date as YYYY-MM-DD, YYYY-MM or YYYY (with 'about' "
                            f"if approximate), got '{shown}'")
        month, day = match["m"], match["d"]
        return cls(int(match["y"]), int(month) if month else None, int(day) if day else None,
                   calendar,
                   approximate or bool(match["pre"] or match["post"] or match["q"]))

    @classmethod
    def parse(cls, value: Any) -> DateAnswer:
        """Any input form: a ``date``, text, or an object (the stored shape, or
        ``{"given": "1403-11", "calendar": "persian"}``, ``{"value": "2023",
        "approximate": true}``). Raises DateError saying what is wrong."""
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return cls(value.year, value.month, value.day)
        if isinstance(value, str):
            return cls.parse_text(value)
        if not isinstance(value, Mapping):
            raise DateError("expected a date as YYYY-MM-DD, YYYY-MM or YYYY")
        unknown = set(value) - INPUT_KEYS
        if unknown:
            raise DateError(f"unknown key(s) {sorted(unknown)} in the date (use "
                            f"{', '.join(sorted(INPUT_KEYS))})")
        calendar = value.get("calendar", GREGORIAN)
        if not isinstance(calendar, str) or calendar not in CALENDARS:
            raise DateError(f"unknown calendar '{calendar}' (known: "
                            f"{', '.join(sorted(CALENDARS))})")
        approximate = value.get("approximate", False)
        if not isinstance(approximate, bool):
            raise DateError("'approximate' must be true or false")
        if calendar == GREGORIAN:
            if "given" in value:
                raise DateError("'given' is for a date in another calendar: add "
                                "\"calendar\", or write the date in \"value\"")
            answer = cls._text_field(value, "value", calendar, approximate)
        else:
            answer = cls._text_field(value, "given", calendar, approximate)
        answer = answer._with_precision(value.get("precision"))
        if not answer.gregorian and value.get("value", answer.first_day().isoformat()) \
                != answer.first_day().isoformat():
            raise DateError(f"'value' ({value['value']}) is not the Gregorian day "
                                f"'{answer.given}' begins on ({answer.first_day()})")
        return answer

    @classmethod
    def _text_field(cls, value: Mapping[str, Any], key: str, calendar: str,
                    approximate: bool) -> DateAnswer:
        text = value.get(key)
        if isinstance(text, dt.date) and calendar == GREGORIAN:
            text = text.isoformat()
        if not isinstance(text, str) or not text.strip():
            if key == "given" and "value" in value:
                raise DateError(f"a date in the {calendar} calendar goes in \"given\" "
                                "(\"value\" is the Gregorian day it begins on)")
            where = "" if calendar == GREGORIAN else f" in the {calendar} calendar"
            raise DateError(f"'{key}' must hold the date{where} as YYYY-MM-DD, "
                            "YYYY-MM or YYYY")
        return cls.parse_text(text, calendar, approximate)

    def _with_precision(self, precision: Any) -> DateAnswer:
        """Check a stated precision; a whole date on the 1st with precision "month" (how ODK
        stores a month) is that month."""
        if precision is None or precision == self.precision:
            return self
        if precision not in PRECISIONS:
            raise DateError(f"'precision' must be one of {', '.join(PRECISIONS)}")
        wanted = PRECISIONS.index(precision)
        if wanted > PRECISIONS.index(self.precision):
            raise DateError(f"'precision' is '{precision}' but '{self.given}' is not given "
                            f"to the {precision}")
        if (self.day not in (None, 1)) or (wanted == 0 and self.month not in (None, 1)):
            raise DateError(f"'precision' is '{precision}' but '{self.given}' names a "
                            f"{self.precision}")
        month = self.month if wanted >= 1 else None
        return DateAnswer(self.year, month, None, self.calendar, self.approximate)

    @classmethod
    def from_stored(cls, value: Any) -> DateAnswer | None:
        """A stored date answer (any shape ever stored), or None if it is not one."""
        if value is None or value == "":
            return None
        try:
            return cls.parse(value)
        except DateError:
            return None


def expression_value(value: Any) -> Any:
    """What an expression sees of a stored date: the first Gregorian day of its period (a
    ``date``), or the stored value itself when it is not a readable date."""
    answer = DateAnswer.from_stored(value)
    return answer.first_day() if answer is not None else value


def odk_parts(value: Any) -> tuple[str, str, str, str]:
    """(ODK date, precision, approximate, date as given in its calendar) for export: ODK's
    date is ``YYYY-MM-DD`` (the first day of a month or year, as ODK stores them)."""
    answer = DateAnswer.from_stored(value)
    if answer is None:
        return ("" if value is None else str(value), "", "", "")
    return (answer.first_day().isoformat(), answer.precision,
            "true" if answer.approximate else "false",
            "" if answer.gregorian else answer.given)
