"""Shared pieces of the referral PDF's sections: palette, text styles, the names shown for
codes (marked with ``N_`` for extraction), and ``Ctx`` with the report's translator, locale,
direction, fonts and formatting helpers (Babel, report locale and time zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal
from reportlab.lib import colors
from reportlab.platypus import Flowable, Table, TableStyle

from screening.engine.dates import DateAnswer
from screening.i18n import N_, Translator, is_rtl
from screening.i18n.dates import describe_date
from screening.reports.fonts import FontSet
from screening.reports.packet import AgeRange, AnswerValue, Month, ReferralPacket, When
from screening.reports.redaction import POLICIES, RedactionPolicy
from screening.reports.text import Span, TextBlock, TextStyle

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#b8c2cc")
URGENT_BG = colors.HexColor("#fde8e8")
URGENT_INK = colors.HexColor("#9b1c1c")
WARN_BG = colors.HexColor("#fff4d6")
WARN_INK = colors.HexColor("#7a4d00")

TITLE = TextStyle(size=17, color=ACCENT, space_after=2)
H2 = TextStyle(size=12, color=ACCENT, space_before=12, space_after=4)
H3 = TextStyle(size=10, color=INK, space_before=5, space_after=1)
BODY = TextStyle(size=9.5, color=INK)
SMALL = TextStyle(size=8, color=MUTED)

STATUS_NAMES = {
    "source": N_("source language"),
    "reviewed": N_("reviewed translation"),
    "machine": N_("machine translation, not reviewed"),
    "draft": N_("draft translation, not reviewed"),
}
# Exactly what the instrument declares (screening.instruments.model.ValidationStatus): never
# "adapted from a validated tool" unless the instrument says it is.
VALIDATION_NAMES = {
    "validated": N_("validated"),
    "adapted": N_("adapted from a validated tool (not validated itself)"),
    "indicator_based": N_("built from published indicators, not validated"),
    "guidance_based": N_("built from published interviewing guidance, not validated"),
    "draft": N_("not validated"),
}
# Gender is typed as the person describes it; the usual words (and the codes the answers
# file and older versions wrote) are shown as labels in the report's language, anything
# else as typed.
GENDER_NAMES = {
    "female": N_("Female"),
    "woman": N_("Female"),
    "f": N_("Female"),
    "male": N_("Male"),
    "man": N_("Male"),
    "m": N_("Male"),
    "non-binary": N_("Non-binary"),
    "nonbinary": N_("Non-binary"),
    "non_binary": N_("Non-binary"),
    "other": N_("Another gender"),
    "prefer_not": N_("Prefers not to say"),
    "prefer_not_to_say": N_("Prefers not to say"),
}
BASIS_NAMES = {
    # Translators: before an indicator, e.g. "Reported: Cannot refuse work or tasks".
    "reported": N_("Reported: "),
    # Translators: before an indicator the officer saw, e.g. "Observed: Signs of control".
    "observed": N_("Observed: "),
}
KIND_NAMES = {
    "hotline": N_("Hotline"),
    "shelter": N_("Shelter"),
    "legal": N_("Legal aid"),
    "medical": N_("Medical care"),
    "counselling": N_("Counselling"),
    "law_enforcement": N_("Law enforcement"),
    "child_protection": N_("Child protection"),
}
CONTACT_NAMES = {
    "phone": N_("Call"),
    "text": N_("Text"),
    "relay": N_("TTY/relay"),
    "email": N_("Email"),
    "address": N_("Address"),
    "web": N_("Web"),
    "other": N_("Contact"),
}
FLAG_NAMES = {
    "immediate_danger": N_("Immediate danger"),
    "minor": N_("Possible minor"),
    "medical": N_("Medical need"),
    "other": N_("Flag"),
}
STRENGTH_NAMES = {"strong": N_("strong"), "medium": N_("medium"), "weak": N_("weak")}
# Bidi controls (LRM, RLM, ALM): CLDR puts one in some list patterns (Farsi "،\u200f "); the
# text layout sets direction with isolates, and a stray mark has no glyph in a PDF font.
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))


@lru_cache(maxsize=32)
def list_separator(lang: str) -> str:
    """What goes between the items of a list in ``lang``: the separator of CLDR's list
    pattern (through Babel: ", " in English, "、" in Chinese, "، " in Urdu and Farsi). Where
    the locale joins every item with a word instead (Arabic repeats "و", "and"), the comma
    of its script: "، " in a right-to-left language, else ", ". A list of services, ways
    of contact or languages is a list, not a sentence saying that all of them go together."""
    try:
        locale = Locale.parse(lang.replace("-", "_"))
        pattern = locale.list_patterns["standard"]["middle"]
    except (UnknownLocaleError, ValueError, KeyError):
        pattern = "{0}, {1}"
    sep = pattern.replace("{0}", "").replace("{1}", "").translate(_MARKS)
    if not sep.strip() or any(ch.isalpha() for ch in sep):
        return "\u060c " if is_rtl(lang) else ", "
    return sep


# The stronger separator of each comma, for a list whose items hold commas themselves
# ("Food, money or other basic needs; Legal advice").
_SEMICOLONS = {",": "; ", "\u060c": "\u061b ", "\u3001": "\uff1b"}


def item_separator(items: Sequence[str], lang: str) -> str:
    """``list_separator``, or its semicolon when an item holds that comma."""
    sep = list_separator(lang)
    comma = sep.strip()
    if comma in _SEMICOLONS and any(comma in item for item in items):
        return _SEMICOLONS[comma]
    return sep


def join_list(items: Sequence[str], lang: str) -> str:
    """``items`` as one list in ``lang`` (``item_separator``)."""
    return item_separator(items, lang).join(items)


class Ctx:
    """What every section needs: the packet, translator, locale, direction, fonts."""

    def __init__(self, packet: ReferralPacket, fonts: FontSet, width: float) -> None:
        self.p = packet
        self.lang = packet.report_language
        self._ = Translator(self.lang)
        self.rtl = self._.rtl
        self.locale = Locale.parse(self.lang)
        self.zone = packet.zone
        self.fonts = fonts
        self.width = width
        self.policy: RedactionPolicy = POLICIES[packet.variant]

    def withheld(self, path: str) -> bool:
        """Whether this packet's variant withholds the field at ``path`` (redaction.FIELDS)."""
        return self.policy.withholds(path)

    # -- text ---------------------------------------------------------------------------
    def tb(
        self,
        spans: Sequence[Span] | str,
        style: TextStyle = BODY,
        where: str = "report",
    ) -> TextBlock:
        return TextBlock(
            spans, style, rtl=self.rtl, lang=self.lang, where=where, fonts=self.fonts
        ).prepare()

    def data(self, text: str, lang: str | None = None, *, bold: bool = False) -> Span:
        return Span(text, bold=bold, isolate=True, lang=lang or self.lang)

    def join(self, items: Sequence[str]) -> str:
        """Labels in the report's language as one list (``list_separator``)."""
        return join_list(items, self.lang)

    def items(self, values: Sequence[str], lang: str | None = None, *,
              bold: bool = False) -> list[Span]:
        """Data as a list: each item its own isolate, separated in the report's language and
        direction, so that items in other scripts keep their order in a right-to-left page
        (one isolate for the whole list would lay it out left to right when it starts with
        a Latin letter: "region، country" read backwards in Arabic)."""
        spans: list[Span] = []
        sep = item_separator(values, self.lang)
        for i, value in enumerate(values):
            if i:
                spans.append(Span(sep))
            spans.append(self.data(value, lang, bold=bold))
        return spans

    def heading(self, text: str, style: TextStyle = H2) -> TextBlock:
        block = self.tb([Span(text, bold=True)], style)
        block.keepWithNext = True
        return block

    # -- formatting ---------------------------------------------------------------------
    def dt(self, value: datetime) -> str:
        return format_datetime(value, "medium", tzinfo=self.zone, locale=self.locale)

    def date(self, value: date) -> str:
        return format_date(value, "medium", locale=self.locale)

    def month(self, value: Month) -> str:
        return format_skeleton("yMMMM", date(value.year, value.month, 1), locale=self.locale)

    def when(self, value: When) -> str:
        """A moment as precisely as the packet gives it: date and time, the day, the month."""
        if isinstance(value, datetime):
            return self.dt(value)
        if isinstance(value, Month):
            return self.month(value)
        return self.date(value)

    def age(self, value: int | AgeRange) -> str:
        if isinstance(value, AgeRange):
            return self.number(value.low) + "–" + self.number(value.high)
        return self.number(value)

    def gender(self, value: str) -> str:
        key = value.strip().lower()
        return self._(GENDER_NAMES[key]) if key in GENDER_NAMES else value

    def country(self, value: str) -> str:
        """An ISO 3166 code ("JO") as the country's name in the report's language (CLDR,
        through Babel); anything else as typed."""
        code = value.strip().upper()
        if len(code) == 2 and code.isascii() and code.isalpha():
            return self.locale.territories.get(code) or value
        return value

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def language(self, code: str) -> str:
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(self.locale)
        except (UnknownLocaleError, ValueError):
            name = self.locale.languages.get(code)
        return name or code

    def value(self, v: AnswerValue) -> str:
        if isinstance(v, datetime | date | Month):
            return self.when(v)
        if isinstance(v, AgeRange):
            return self.age(v)
        if isinstance(v, DateAnswer):  # a month, a year, "about", another calendar (#14)
            return describe_date(v, self.locale, self._)
        if isinstance(v, time):
            return format_time(v, "short", locale=self.locale)
        if isinstance(v, bool):
            return self._("Yes") if v else self._("No")
        if isinstance(v, int | float | Decimal):
            return self.number(v)
        return str(v)

    # -- layout helpers -----------------------------------------------------------------
    def rows(
        self, rows: Sequence[tuple[str, Sequence[Span] | Flowable]], label_share: float = 0.3
    ) -> Table:
        """A two-column label/value table, mirrored in right-to-left reports."""
        label_w = self.width * label_share
        widths = [label_w, self.width - label_w]
        data = []
        for label, value in rows:
            cells: list[Any] = [
                self.tb([Span(label, bold=True)], SMALL_LABEL),
                value if isinstance(value, Flowable) else self.tb(value, BODY, where=label),
            ]
            data.append(cells[::-1] if self.rtl else cells)
        if self.rtl:
            widths = widths[::-1]
        table = Table(data, colWidths=widths, hAlign="RIGHT" if self.rtl else "LEFT")
        table.setStyle(
            TableStyle(
                [
                    # Tables select a font per cell even for flowables: never ReportLab's Helvetica.
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.base_font_name),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table

    def box(self, content: list[Flowable], background: Any, border: Any) -> Table:
        table = Table([[content]], colWidths=[self.width])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.base_font_name),
                    ("BACKGROUND", (0, 0), (-1, -1), background),
                    ("BOX", (0, 0), (-1, -1), 1.2, border),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ]
            )
        )
        return table


SMALL_LABEL = TextStyle(size=8.5, color=MUTED)
