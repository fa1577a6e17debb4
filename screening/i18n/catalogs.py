"""Translator objects over the project's gettext catalogs.

A translator is passed explicitly rather than installed process-wide: the officer's UI
language, the respondent's language and a report's language can all differ in one session.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from screening.paths import translations_dir

DOMAIN = "messages"
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ps", "sd", "ug", "yi", "ckb", "dv"})


def N_(message: str) -> str:
    """Mark a module-level string for extraction; translate it where it is shown."""
    return message


def is_rtl(lang: str) -> bool:
    base = lang.replace("-", "_").split("_")[0]
    if base in RTL_LANGUAGES:
        return True
    try:
        return Locale.parse(lang.replace("-", "_")).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


@lru_cache(maxsize=32)
def _load(lang: str) -> gettext.NullTranslations:
    from screening.i18n.tags import REPORT_LANGUAGES, canonical, match_language

    code = match_language(lang, REPORT_LANGUAGES) or canonical(lang)  # zh-CN -> zh_Hans
    return gettext.translation(
        DOMAIN, localedir=str(translations_dir()), languages=[code], fallback=True
    )


class Translator:
    """gettext/ngettext for one language; untranslated strings fall back to English."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._t = _load(lang)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def __call__(self, message: str) -> str:
        return self._t.gettext(message)

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"
