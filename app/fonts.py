"""The shipped fonts in the GUI: registered at start, in the same order the PDF uses them.

A laptop without CJK (or Arabic, or Devanagari) system fonts showed Chinese as boxes while
the referral PDF printed it, because only the PDF used ``resources/fonts`` (issue #14). Now
``register_shipped_fonts`` adds every font file there to Qt's database before the first window,
and every font the app builds lists the shipped families as fallbacks in the PDF's priority
order (``screening.reports.fonts.FACE_SPECS``), after the language's own face and the
system's UI font.

``gui_gaps`` is the Qt side of the self-check: it lays the text out with the font the screen
would use and reports every character drawn as .notdef (a box). The font-file side, without
Qt, is ``screening.i18n.glyphs``.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping, Sequence
from typing import cast

from PySide6.QtGui import QFont, QFontDatabase, QTextLayout
from PySide6.QtWidgets import QApplication

from screening.i18n.glyphs import LanguageGap, needs_glyph
from screening.paths import resource_path

log = logging.getLogger(__name__)

FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
# The system's Simplified/Traditional/Japanese/Korean face when installed (Qt otherwise picks
# a Japanese face for Han characters), then the shipped CJK font.
CJK_SYSTEM_FAMILIES = {
    "zh_Hans": "Noto Sans CJK SC", "zh_CN": "Noto Sans CJK SC", "zh": "Noto Sans CJK SC",
    "zh_Hant": "Noto Sans CJK TC", "zh_TW": "Noto Sans CJK TC",
    "ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR",
}
_ARABIC_SCRIPT = frozenset({"ar", "fa", "ur", "ps", "ckb", "sd", "ug", "prs"})
_DEVANAGARI = frozenset({"hi", "mr", "ne", "sa", "mai", "bho"})

_registered: tuple[str, ...] | None = None
_base: tuple[str, ...] = ()


def _norm(lang: str) -> str:
    return lang.replace("-", "_")


def shipped_families() -> tuple[str, ...]:
    """The shipped families in the PDF's priority order (Latin, Arabic, Devanagari, CJK)."""
    from screening.reports.fonts import FACE_SPECS

    return tuple(spec.family for spec in FACE_SPECS)


def register_shipped_fonts() -> tuple[str, ...]:
    """Add every font file in ``resources/fonts`` to Qt (once); the families registered.

    Needs a QGuiApplication. A file Qt refuses is logged and skipped: the self-check names
    the languages left without a font.
    """
    global _registered, _base
    if _registered is not None:
        return _registered
    app = QApplication.instance()
    if isinstance(app, QApplication):
        _base = tuple(app.font().families())
    families: list[str] = []
    folder = resource_path("fonts")
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("font not usable: %s", path.name)
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    _registered = tuple(families)
    log.debug("registered %d shipped font families", len(families))
    return _registered


def base_families() -> tuple[str, ...]:
    """The system UI font's families as they were before the app changed anything."""
    if not _base:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            return tuple(app.font().families())
    return _base


def own_families(lang: str) -> list[str]:
    """The faces that must come first for ``lang`` (its script's shipped face)."""
    lang = _norm(lang)
    base = lang.split("_")[0]
    cjk = CJK_SYSTEM_FAMILIES.get(lang) or CJK_SYSTEM_FAMILIES.get(base)
    if cjk:
        return [cjk, "Droid Sans Fallback"]
    if base in _ARABIC_SCRIPT:
        return ["Noto Sans Arabic"]
    if base in _DEVANAGARI:
        return ["Noto Sans Devanagari"]
    return []


def families_for(lang: str | None) -> list[str]:
    """Font families for text in ``lang`` (None: any text): the language's own face, the
    system UI font, then every shipped family in the PDF's order."""
    ordered = [*(own_families(lang) if lang else []), *base_families(), *shipped_families()]
    return list(dict.fromkeys(ordered))


def font_for(lang: str | None, base: QFont | None = None) -> QFont:
    app = QApplication.instance()
    font = QFont(base if base is not None else (app.font() if isinstance(app, QApplication)
                                                else QFont()))
    font.setFamilies(families_for(lang))
    return font


# -- the Qt side of the self-check ------------------------------------------------------------
def _clusters(text: str) -> str:
    """Each character that needs a glyph once (a mark with the letter before its first use),
    spaced: a short text that draws the glyphs ``text`` needs."""
    out = []
    for ch in dict.fromkeys(text):  # unique, in order (fast in C even for long texts)
        if not needs_glyph(ch):
            continue
        at = text.index(ch)
        if unicodedata.category(ch).startswith("M") and at:
            out.append(text[at - 1] + ch)
        else:
            out.append(ch)
    return " ".join(out)


def _draws(cluster: str, font: QFont) -> bool:
    """Whether ``font`` draws every glyph of ``cluster`` (no .notdef, not nothing)."""
    layout = QTextLayout(cluster, font)
    layout.beginLayout()
    layout.createLine().setLineWidth(100_000)
    layout.endLayout()
    glyphs = [g for run in layout.glyphRuns() for g in run.glyphIndexes()]
    return bool(glyphs) and 0 not in glyphs


def boxes(text: str, font: QFont) -> list[str]:
    """The characters of ``text`` that ``font`` (with its fallbacks) draws as .notdef, or
    not at all (no font for the script)."""
    missing: dict[str, None] = {}
    for cluster in _clusters(text).split(" "):
        if cluster and not _draws(cluster, font):
            missing.setdefault(cluster[-1], None)
    return list(missing)


def gui_gaps(texts: Mapping[str, str], where: str) -> list[LanguageGap]:
    """Languages whose text the screen would draw with boxes, with the app's fonts."""
    register_shipped_fonts()
    gaps = []
    for lang in sorted(texts):
        found = boxes(texts[lang], font_for(lang))
        if found:
            gaps.append(LanguageGap(lang, where, tuple(found)))
    return gaps


def describe(gaps: Sequence[LanguageGap]) -> list[str]:
    return [gap.describe() for gap in gaps]


ShippedText = tuple[list[str], dict[str, dict[str, str]]]


def check_shipped_text() -> ShippedText:
    """On a worker (no Qt): load the shipped instruments (kept for the process), check the
    font files' coverage of their languages and the UI's, and collect their text per
    language for ``shipped_text_gaps``."""
    from screening.casework.catalog import shipped_instruments
    from screening.i18n.glyphs import catalog_texts, instrument_texts
    from screening.paths import translations_dir
    from screening.selfcheck import coverage_problems

    results = shipped_instruments()
    texts = {f"instrument {r.instrument.id}@{r.instrument.version}": instrument_texts(
        r.instrument) for r in results}
    texts["the app's own wording"] = catalog_texts(translations_dir())
    return coverage_problems(results), texts


def shipped_text_gaps(result: object) -> list[str]:
    """On the GUI thread: the file-level gaps plus every language Qt would draw with boxes
    (each language's characters laid out once, whatever the number of texts in it)."""
    file_gaps, texts = cast(ShippedText, result)
    found = list(file_gaps)
    register_shipped_fonts()
    merged: dict[str, str] = {}
    for by_lang in texts.values():
        for lang, text in by_lang.items():
            merged[lang] = merged.get(lang, "") + text
    boxed = {lang: set(boxes(text, font_for(lang))) for lang, text in merged.items()}
    for where, by_lang in texts.items():
        for lang in sorted(by_lang):
            chars = tuple(ch for ch in dict.fromkeys(by_lang[lang]) if ch in boxed[lang])
            named = f"language '{lang}' ({where})"
            if chars and not any(named in f for f in file_gaps):
                found.append(LanguageGap(lang, where, chars).describe())
    return found
