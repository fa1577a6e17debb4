"""A card for one instrument: what it is for, size, validation and translation status."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QRadioButton, QVBoxLayout, QWidget

from app.formatting import date_text
from app.qt_i18n import N_, _, language_name, ngettext
from app.viewmodels.catalog import InstrumentCard, LanguageStatus
from app.widgets.common import Banner, acc, plain_label

POPULATION = {
    "adult": N_("For adults"),
    "youth": N_("For young people under 18"),
    "any": N_("For anyone"),
}
VALIDATION = {
    "validated": N_("Validated instrument"),
    "adapted": N_("Adapted: not a validated instrument"),
    "indicator_based": N_("Built from published indicators: not a validated instrument"),
    "guidance_based": N_("Built from published guidance: not a validated instrument"),
    "draft": N_("Draft: not validated or reviewed"),
}
# How each language of an instrument was written (the instrument's own status per language).
LANGUAGE_STATUS = {
    "source": N_("original"),
    "reviewed": N_("reviewed translation"),
    "machine": N_("machine translation"),
    "draft": N_("draft translation"),
}


def languages_text(card: InstrumentCard, ui_lang: str) -> str:
    """The card's languages by name in the UI language, grouped by how they were written:
    "English (original); machine translation: Spanish, Arabic" (never "en (source)")."""
    # Translators: the separator between items of a list, e.g. "، " in Arabic.
    sep = _(", ")
    groups: dict[str, list[str]] = {}
    for lang in card.languages:
        groups.setdefault(lang.status, []).append(language_name(lang.code, ui_lang))
    parts = []
    for status, names in groups.items():
        label = _(LANGUAGE_STATUS[status]) if status in LANGUAGE_STATUS else _("other")
        parts.append(_("{languages} ({status})").format(languages=sep.join(names),
                                                        status=label))
    # Translators: between groups of languages, e.g. "English (original); Spanish (...)".
    return _("; ").join(parts)


def reviewed_text(name: str, info: LanguageStatus) -> str:
    """"Arabic: translation reviewed by NAME, ROLE on 1 Dec 2026" (issue #16), or the
    plain words when the instrument names no reviewer."""
    if not info.reviewed_by:
        return _("{language}: translation reviewed by a qualified translator").format(
            language=name)
    day = date_text(info.reviewed_on) if info.reviewed_on else ""
    if day:
        return _("{language}: translation reviewed by {reviewer} on {date}").format(
            language=name, reviewer=info.reviewed_by, date=day)
    return _("{language}: translation reviewed by {reviewer}").format(
        language=name, reviewer=info.reviewed_by)


def translation_status(card: InstrumentCard, lang: str, ui_lang: str) -> tuple[str, bool]:
    """(text, needs a warning) for the instrument's wording in ``lang``."""
    return language_status_text(next((s for s in card.languages if s.code == lang), None),
                                lang, ui_lang)


def language_status_text(info: LanguageStatus | None, lang: str, ui_lang: str
                         ) -> tuple[str, bool]:
    """(text, needs a warning) for one language of an instrument: the set-up card and the
    interview page say the same thing."""
    name = language_name(lang, ui_lang)
    status = info.status if info is not None else None
    if status is None:
        return _("{language}: not available").format(language=name), True
    if status == "source":
        return _("{language}: original wording").format(language=name), False
    if status == "reviewed":
        assert info is not None
        return reviewed_text(name, info), False
    if status == "machine":
        return _("Warning: {language} is a machine translation, not reviewed by a qualified "
                 "translator. Check understanding with the person.").format(language=name), True
    return _("Warning: {language} is a draft translation, not reviewed. Check understanding "
             "with the person.").format(language=name), True


class InstrumentCardWidget(QFrame):
    """Emits:
    chosen(str): the card's instrument key.
    """

    chosen = Signal(str)

    def __init__(self, card: InstrumentCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.radio = QRadioButton(self)
        self.radio.toggled.connect(self._toggled)
        self.details = plain_label("", self)
        self.validation = plain_label("", self)
        self.warning = Banner("warning", self)
        self.language_line = plain_label("", self)
        for w in (self.radio, self.details, self.validation, self.language_line, self.warning):
            layout.addWidget(w)

    def _toggled(self, on: bool) -> None:
        if on:
            self.chosen.emit(self.card.key)

    def update_texts(self, card: InstrumentCard, respondent_lang: str, ui_lang: str) -> None:
        self.card = card
        if card.newer_version:  # plainly not the one to pick (issue #16)
            title = _("{title} (older version {version})").format(title=card.title,
                                                                  version=card.version)
        else:
            title = f"{card.title}  ({card.version})"
        self.radio.setText(title)
        # "Up to": the interview counts only the questions its answers lead to.
        parts = [_(POPULATION.get(card.population, card.population)),
                 ngettext("up to {n} question", "up to {n} questions", card.item_count).format(
                     n=card.item_count)]
        if card.typical_minutes:
            parts.append(ngettext("about {n} minute", "about {n} minutes",
                                  card.typical_minutes).format(n=card.typical_minutes))
        if card.imported:
            parts.append(_("imported"))
        if card.newer_version:
            parts.append(_("version {version} is newer").format(version=card.newer_version))
        self.details.setText(" · ".join(parts))
        self.validation.setText(_(VALIDATION.get(card.validation, card.validation)))
        text, warn = translation_status(card, respondent_lang, ui_lang)
        self.language_line.setVisible(not warn)
        self.language_line.setText(text)
        self.warning.setVisible(warn or card.validation == "draft")
        if warn:
            self.warning.set_text(text)
        elif card.validation == "draft":
            self.warning.set_text(_("Warning: this questionnaire is a draft. Use it for "
                                    "practice, not for real interviews."))
        acc(self.radio, title, " ".join((self.details.text(), self.validation.text(), text)))
