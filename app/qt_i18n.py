"""The UI language: the active ``screening.i18n.Translator``, Qt's own translations, direction.

Widgets call ``_()`` / ``ngettext()`` from here at display time and re-run their
``retranslate()`` when ``ui_language().language_changed`` fires, so the language changes
without a restart. Arabic (and every other right-to-left UI language) mirrors the whole
application through ``QApplication.setLayoutDirection``.

Text in the *respondent's* language is a different matter: it keeps its own direction and
font whatever the UI language is (``apply_text_language``).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTranslator, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from screening.i18n import N_, Translator, is_rtl
from screening.i18n.bidi import ltr as bidi_ltr
from screening.i18n.tags import match_language
from screening.paths import translations_dir

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
# Babel names Simplified Chinese zh_Hans; Qt ships qtbase_zh_CN. Portuguese is pt_BR in Qt.
_QT_NAMES = {"zh_Hans": "zh_CN", "zh_Hant": "zh_TW", "pt": "pt_BR"}
# Qt's locale for numbers in its own widgets (spin boxes). Western digits in every UI
# language (app/formatting.py says why): Qt's "ar" is Egyptian Arabic, with Arabic-Indic
# digits ("٥" beside Babel's "2026"); "ar_001" (Modern Standard Arabic) has 0-9, "." and ","
# as Babel's "ar" has.
_QT_LOCALES = {**_QT_NAMES, "ar": "ar_001"}

# Own names of common languages: loading Babel's locale data costs ~8 ms per language,
# which the start-up screen (language menus) should not pay.
_ENDONYMS = {
    "en": "English", "es": "Español", "fr": "Français", "ar": "العربية", "pt": "Português",
    "ru": "Русский", "zh_Hans": "简体中文", "zh_Hant": "繁體中文", "vi": "Tiếng Việt",
    "tl": "Tagalog", "hi": "हिन्दी", "uk": "Українська", "ro": "Română", "fa": "فارسی",
}
# Babel's (CLDR's) name where it reads wrongly, by (language, language named in):
# "китайский (упрощенная)" agrees with the script, not with the language's name.
_NAMES_IN = {
    ("zh_Hans", "ru"): "китайский (упрощённый)", ("zh_Hant", "ru"): "китайский (традиционный)",
}
_LTR = frozenset({"en", "es", "fr", "pt", "ru", "zh", "vi", "tl", "hi", "uk", "ro", "de", "it"})

__all__ = [
    "N_",
    "UiLanguage",
    "_",
    "apply_text_language",
    "available_ui_languages",
    "font_family_for",
    "language_name",
    "ltr",
    "ngettext",
    "qt_locale",
    "scaled_font",
    "ui_language",
]


def _norm(lang: str) -> str:
    return lang.replace("-", "_")


def font_family_for(lang: str) -> str | None:
    """The font family that comes first for ``lang`` (its script's face: a Simplified
    Chinese face for zh_Hans, Noto Sans Arabic for Arabic...), or None (the UI font)."""
    from app.fonts import own_families

    own = own_families(lang)
    return own[0] if own else None


def ltr(text: str) -> str:
    """Keep dates, times and ids in their order inside right-to-left text: without the
    isolate "2026-03-07 10:00" shows as "10:00 2026-03-07" in an Arabic table cell. The
    shared helper (``screening.i18n.bidi``, also used by the PDF) wraps it in LRI ... PDI."""
    return bidi_ltr(text)


def qt_locale(lang: str) -> QLocale:
    """Qt's locale for the UI language ``lang``: its conventions, with Western digits."""
    return QLocale(_QT_LOCALES.get(_norm(lang), _norm(lang)))


def rtl(lang: str) -> bool:
    base = _norm(lang).split("_")[0]
    return False if base in _LTR else is_rtl(lang)


@lru_cache(maxsize=64)
def language_name(code: str, in_lang: str | None = None) -> str:
    """The language's own name ("العربية"), or its name in ``in_lang``."""
    if in_lang is None and _norm(code) in _ENDONYMS:
        return _ENDONYMS[_norm(code)]
    fixed = _NAMES_IN.get((_norm(code), _norm(in_lang) if in_lang else ""))
    if fixed:
        return fixed[:1].upper() + fixed[1:]
    try:
        locale = Locale.parse(_norm(code))
        name = locale.get_display_name(_norm(in_lang) if in_lang else locale)
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:] if name else code


def available_ui_languages() -> list[str]:
    """English plus every language with a catalog in ``translations/``."""
    found = {SOURCE_LANGUAGE}
    root = translations_dir()
    if root.is_dir():
        for child in root.iterdir():
            catalog = child / "LC_MESSAGES"
            if (catalog / "messages.mo").exists() or (catalog / "messages.po").exists():
                found.add(child.name)
    return sorted(found, key=lambda c: (c != SOURCE_LANGUAGE, c))


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """A font ``factor`` times the base size: follows the system font size, never pixels."""
    font = QFont(base)
    size = base.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font


def apply_text_language(widget: QWidget, lang: str, *, factor: float = 1.0,
                        bold: bool = False) -> None:
    """Show ``widget``'s text as text in ``lang``: its direction and (for Chinese) its font.

    Set explicitly both ways, so English respondent text stays left-to-right inside an
    Arabic UI and Arabic respondent text is right-to-left inside an English one.
    """
    right = rtl(lang)
    widget.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if right else Qt.LayoutDirection.LeftToRight
    )
    from app.fonts import families_for

    font = scaled_font(QApplication.font(), factor, bold=bold)
    # Its script's own face first, then the UI font and every shipped font, in the order
    # the referral PDF uses them (app/fonts.py): no boxes where the PDF has letters.
    font.setFamilies(families_for(lang))
    widget.setFont(font)
    align = getattr(widget, "setAlignment", None)
    if align is not None:
        side = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
        align(side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignTop)


class UiLanguage(QObject):
    """The officer's UI language for the whole application.

    Emits:
        language_changed(str): the new language code (Babel form, e.g. ``zh_Hans``) after
            the translator, Qt's translations, the layout direction and the font changed.
    """

    language_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.translator = Translator(SOURCE_LANGUAGE)
        self._qt_translators: list[QTranslator] = []
        self._default_font: QFont | None = None

    @property
    def lang(self) -> str:
        return self.translator.lang

    @property
    def rtl(self) -> bool:
        return rtl(self.lang)

    def set_language(self, lang: str) -> None:
        # One tag per language whatever the spelling (zh-CN, zh-Hans, pt-BR: screening.i18n.
        # tags); a language without a catalog keeps its code and shows English text.
        lang = lang or SOURCE_LANGUAGE
        lang = match_language(lang, available_ui_languages()) or _norm(lang)
        self.translator = Translator(lang)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self._install_qt_translations(app, lang)
            app.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft if rtl(lang) else Qt.LayoutDirection.LeftToRight
            )
            self._apply_font(app, lang)
        QLocale.setDefault(qt_locale(lang))
        if isinstance(app, QApplication):
            for top in app.topLevelWidgets():  # widgets made before the change follow it
                top.setLocale(QLocale())
        log.info("ui language set to %s", lang)
        self.language_changed.emit(lang)

    def _install_qt_translations(self, app: QApplication, lang: str) -> None:
        for old in self._qt_translators:
            app.removeTranslator(old)
        self._qt_translators = []
        if lang == SOURCE_LANGUAGE:
            return
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt_name = _QT_NAMES.get(lang, lang)
        for name in (f"qtbase_{qt_name}", f"qtbase_{qt_name.split('_')[0]}"):
            translator = QTranslator(app)
            if translator.load(name, folder):
                app.installTranslator(translator)
                self._qt_translators.append(translator)
                break
        else:
            # Hindi, Vietnamese...: Qt ships none. Our own dialogs set every button text
            # from our catalogs (app/windows/dialogs.py), so nothing stays in English there.
            log.info("no Qt translation for %s", lang)

    def _apply_font(self, app: QApplication, lang: str) -> None:
        from app.fonts import families_for, register_shipped_fonts

        register_shipped_fonts()  # before the first font is built (idempotent)
        if self._default_font is None:
            self._default_font = QFont(app.font())
        font = QFont(self._default_font)
        font.setFamilies(families_for(lang))
        app.setFont(font)

    def gettext(self, message: str) -> str:
        return self.translator.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translator.ngettext(singular, plural, n)


_current: UiLanguage | None = None


def ui_language() -> UiLanguage:
    global _current
    if _current is None:
        _current = UiLanguage()
    return _current


def _(message: str) -> str:
    """Translate a UI string into the current UI language."""
    return ui_language().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return ui_language().ngettext(singular, plural, n)
