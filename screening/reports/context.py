"""Shared pieces of the referral PDF's sections: palette, text styles, the names shown for
codes (marked with ``N_`` for extraction), and ``Ctx`` with the report's translator, locale,
direction, fonts and formatting helpers (Babel, report locale and time zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal
from reportlab.lib import colors
from reportlab.platypus import Flowable, Table, TableStyle

from screening.i18n import N_, Translator
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
# Gender is typed as the person describes it; the usual words are shown in the report's
# language, anything else as typed.
GENDER_NAMES = {
    "female": N_("female"),
    "woman": N_("female"),
    "f": N_("female"),
    "male": N_("male"),
    "man": N_("male"),
    "m": N_("male"),
    "non-binary": N_("non-binary"),
    "nonbinary": N_("non-binary"),
    "non_binary": N_("non-binary"),
    "other": N_("another gender"),
    "prefer_not": N_("prefers not to say"),
    "prefer_not_to_say": N_("prefers not to say"),
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
