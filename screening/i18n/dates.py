"""A date answer in words, at its precision: "14 Feb 2025", "February 2025", "about 2023",
"1403-11-26 (Persian calendar), 14 Feb 2025". The referral packet and the app's review and
date field all say it this way (issue #14); the stored shapes are ``screening.engine.dates``.

Babel formats the Gregorian side for the reader's locale. Babel has no month names for the
other calendars, so a date given in one is written as numbers (year-month-day there).
"""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton

from screening.engine.dates import DateAnswer
from screening.i18n.bidi import isolate, ltr
from screening.i18n.catalogs import N_

CALENDAR_NAMES = {
    "gregorian": N_("Gregorian calendar"),
    "persian": N_("Persian calendar"),
    "islamic": N_("Islamic calendar"),
    "ethiopian": N_("Ethiopian calendar"),
    "coptic": N_("Coptic calendar"),
}


def calendar_name(calendar: str, _: Callable[[str], str]) -> str:
    return _(CALENDAR_NAMES[calendar]) if calendar in CALENDAR_NAMES else calendar


def gregorian_period(answer: DateAnswer, locale: Locale | str) -> str:
    """The Gregorian day, month, year or span of days the answer covers."""
    first = answer.first_day()
    if answer.gregorian and answer.precision == "month":
        return format_skeleton("yMMMM", first, locale=locale)
    if answer.gregorian and answer.precision == "year":
        return format_skeleton("y", first, locale=locale)
    last = answer.last_day()
    if last == first:
        return format_date(first, "medium", locale=locale)
    # A Persian month or year spans two Gregorian ones: "20 Jan – 18 Feb 2025".
    return format_interval(first, last, "yMMMd", locale=locale)


def describe_date(answer: DateAnswer, locale: Locale | str, _: Callable[[str], str]) -> str:
    """The answer as a reader of ``locale`` reads it; ``_`` translates into that language."""
    text = gregorian_period(answer, locale)
    # Each part keeps its own direction inside the sentence around it: an Arabic date
    # ("14/02/2025" with its marks) next to "1403-11-26" would otherwise mix their digits.
    if not answer.gregorian:
        # Translators: a date given in another calendar, then the Gregorian days it covers,
        # e.g. "1403-11-26 (Persian calendar), 14 Feb 2025".
        text = _("{date} ({calendar}), {gregorian}").format(
            date=ltr(answer.given), calendar=calendar_name(answer.calendar, _),
            gregorian=isolate(text))
    if answer.approximate:
        # Translators: an approximate date, e.g. "about 2023", "about February 2025".
        text = _("about {date}").format(date=isolate(text))
    return text
