"""XLSForm language columns -> FieldScreen language codes.

Real forms spell the language part of ``label::...`` in many ways: ``English (en)``,
``English(en)``, ``English (EN)``, ``english``, ``EN``, ``العربية``. pyxform keeps each
spelling as a separate language; FieldScreen keys texts by a language code (``en``, ``ar``,
``zh_Hans``), so spellings that mean the same language are merged.

* ``Name (code)``: the code is taken from the parentheses when it looks like a BCP 47 tag,
  normalised to our style (``zh-hans`` -> ``zh_Hans``, ``pt-br`` -> ``pt_BR``).
* ``Name`` alone: looked up among Babel's English language names and the languages' own
  names (autonyms), case-insensitively; ``Arabic`` and ``العربية`` both give ``ar``.
* A bare code (``EN``, ``fr``) that Babel knows is used as the code.
* Otherwise a slug of the name (``Tetun`` -> ``tetun``), reported by the importer.

pyxform's ``default`` language (columns without a language suffix) is ``und`` (BCP 47
"undetermined"): the form does not say which language those columns are in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from screening.i18n.tags import canonical

DEFAULT_PYXFORM_LANGUAGE = "default"
UNDETERMINED = "und"

_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]*)\)\s*$")
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

# Names real XLSForms use that Babel spells differently (Babel: "Tetum").
_EXTRA_NAMES = {
    "tetun": "tet",
    "tetum": "tet",
    "myanmar": "my",
    "filipino": "fil",
    "farsi": "fa",
    "dari": "prs",
    "kiswahili": "sw",
    "chinese (simplified)": "zh_Hans",
    "chinese (traditional)": "zh_Hant",
    "simplified chinese": "zh_Hans",
    "traditional chinese": "zh_Hant",
}


@dataclass(frozen=True)
class LanguageName:
    """One pyxform language key resolved: our ``code``, a display ``name``, and how."""

    key: str
    code: str
    name: str
    how: str  # "code" | "name" | "bare-code" | "slug" | "default"


def normalise_code(tag: str) -> str:
    """``zh-hans`` -> ``zh_Hans``, ``EN`` -> ``en``, ``pt-br`` -> ``pt_BR``: the one language-tag
    normaliser the app, the CLI and the reports use (``screening.i18n.tags``)."""
    return canonical(tag)


def bcp47(code: str) -> str:
    """Our code as a BCP 47 tag for XLSForm headers: ``zh_Hans`` -> ``zh-Hans``."""
    return code.replace("_", "-")


@lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    """Lower-cased English language names (Babel) -> code, plus names Babel spells
    differently."""
    from babel import Locale

    table: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        key = name.casefold()
        # Prefer the shortest code (ISO 639-1) when two codes share a name.
        if key not in table or len(code) < len(table[key]):
            table[key] = code
    table.update(_EXTRA_NAMES)
    return table


@lru_cache(maxsize=1)
def _autonyms() -> dict[str, str]:
    """Lower-cased names of languages in their own language (``العربية``) -> code.

    Reading every Babel locale takes a moment, so only names not found in English do.
    """
    from babel import Locale, UnknownLocaleError
    from babel.localedata import locale_identifiers

    table: dict[str, str] = {}
    for ident in locale_identifiers():
        if "_" in ident:
            continue
        try:
            own = Locale.parse(ident).get_display_name(ident)
        except (UnknownLocaleError, ValueError):  # pragma: no cover - Babel data quirk
            continue
        if own:
            table.setdefault(own.casefold(), ident)
    return table


def _lookup_name(name: str) -> str | None:
    key = name.casefold()
    return _english_names().get(key) or _autonyms().get(key)


@lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    from babel import Locale

    return frozenset(Locale("en").languages)


def _display_name(code: str) -> str:
    from babel import Locale, UnknownLocaleError

    base = code.split("_")[0]
    try:
        return Locale.parse(base).get_display_name(base) or code
    except (UnknownLocaleError, ValueError):
        return Locale("en").languages.get(base, code)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_").lower()
    if out and not out[0].isalpha():
        out = "x_" + out
    return out


def resolve(key: str) -> LanguageName:
    """Resolve one pyxform language key (the part after ``label::``)."""
    raw = key.strip()
    if raw == DEFAULT_PYXFORM_LANGUAGE:
        return LanguageName(key, UNDETERMINED, "Default", "default")
    match = _WITH_CODE.match(raw)
    if match and _TAG.match(match["code"].strip()):
        code = normalise_code(match["code"])
        name = match["name"].strip() or _display_name(code)
        return LanguageName(key, code, name, "code")
    found = _lookup_name(raw)
    if found:
        return LanguageName(key, normalise_code(found), raw, "name")
    if _TAG.match(raw) and normalise_code(raw).split("_")[0] in _known_codes():
        code = normalise_code(raw)
        return LanguageName(key, code, _display_name(code), "bare-code")
    return LanguageName(key, slug(raw), raw, "slug")


def resolve_all(keys: list[str]) -> dict[str, LanguageName]:
    """Resolve keys in order; slugs that come out empty or clash get numbered codes."""
    out: dict[str, LanguageName] = {}
    used: set[str] = set()
    for index, key in enumerate(keys, start=1):
        if key in out:
            continue
        lang = resolve(key)
        if lang.how == "slug" and (not lang.code or lang.code in used):
            code = lang.code or f"lang{index}"
            n = 2
            while code in used:
                code = f"{lang.code or 'lang'}{n}"
                n += 1
            lang = LanguageName(key, code, lang.name, "slug")
        out[key] = lang
        used.add(lang.code)
    return out
