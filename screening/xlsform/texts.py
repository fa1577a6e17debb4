"""The form's languages and its translatable texts.

Every translatable text is registered as a ``TextSlot`` while mapping; once the whole form
is mapped, ``fill_translations`` fills blank translations (from the untranslated column or
the source language), with one warning per language listing what was filled, and returns
the languages to mark ``draft``. Nothing is filled silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from screening.errors import ErrorCode
from screening.xlsform.languages import (
    DEFAULT_PYXFORM_LANGUAGE,
    UNDETERMINED,
    LanguageName,
    resolve_all,
)
from screening.xlsform.report import Collector


@dataclass
class TextSlot:
    """One translatable text being mapped; ``value`` is filled in place later."""

    value: dict[str, str]
    what: str
    sheet: str
    row: int | None
    item: str | None
    default: str | None  # text of the untranslated column, when that is not a language


@dataclass
class Languages:
    """The form's languages: pyxform key -> resolved code, the source, and the order."""

    by_key: dict[str, LanguageName]
    codes: list[str]
    names: dict[str, str]
    source: str
    default_is_language: bool
    how: dict[str, str]


def text_items(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield DEFAULT_PYXFORM_LANGUAGE, value
    elif isinstance(value, dict):
        for key, text in value.items():
            if isinstance(text, str):
                yield str(key), text


_ELEMENT_TEXTS = ("label", "hint", "guidance_hint")
_BIND_TEXTS = ("jr:constraintMsg", "jr:requiredMsg")


def _walk(children: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for child in children:
        if isinstance(child, dict) and not is_meta(child):
            yield child
            yield from _walk(child.get("children") or ())


def is_or_other(element: Mapping[str, Any]) -> bool:
    """The "Specify other" text question pyxform adds for ``select_one list or_other``."""
    bind = element.get("bind") or {}
    relevant = bind.get("relevant") if isinstance(bind, dict) else None
    return (
        isinstance(element.get("label"), str)
        and str(element.get("name", "")).endswith("_other")
        and isinstance(relevant, str)
        and relevant.startswith("selected(../")
    )


def detect_languages(
    form: Mapping[str, Any],
    extra_choices: Iterable[Any] = (),
    overrides: Mapping[str, str] | None = None,
) -> Languages:
    """Every language the form has texts in, merged by code, and the source language.

    ``overrides`` maps language keys to codes (a FieldScreen export records its own).
    """
    keys: list[str] = []
    label_keys: list[str] = []  # languages that carry question labels, in column order
    default_labels = False

    def note(key: str, text: str, is_label: bool) -> None:
        nonlocal default_labels
        if key not in keys:
            keys.append(key)
        if is_label and text.strip():
            if key == DEFAULT_PYXFORM_LANGUAGE:
                default_labels = True
            elif key not in label_keys:
                label_keys.append(key)

    for element in _walk(form.get("children") or ()):
        # pyxform's or_other question has an English-only label; it does not make the
        # untranslated column a language.
        counts = element.get("type") != "group" and not is_or_other(element)
        for attr in _ELEMENT_TEXTS:
            for key, text in text_items(element.get(attr)):
                note(key, text, attr == "label" and counts)
        bind = element.get("bind") or {}
        for attr in _BIND_TEXTS:
            for key, text in text_items(bind.get(attr)):
                note(key, text, False)
    lists = list((form.get("choices") or {}).values()) + list(extra_choices)
    for options in lists:
        for option in options or ():
            if isinstance(option, dict):
                for key, text in text_items(option.get("label")):
                    note(key, text, False)
    named = [k for k in keys if k != DEFAULT_PYXFORM_LANGUAGE]
    # Untranslated columns are a language of their own ("Default") when they hold question
    # labels or when the form has no other language; otherwise they only fill blanks.
    default_is_language = DEFAULT_PYXFORM_LANGUAGE in keys and (default_labels or not named)
    if not keys:
        default_is_language = True
        keys = [DEFAULT_PYXFORM_LANGUAGE]
    considered = [k for k in keys if k != DEFAULT_PYXFORM_LANGUAGE or default_is_language]
    resolved = resolve_all(considered)
    for key, code in (overrides or {}).items():
        if key in resolved and isinstance(code, str) and code:
            resolved[key] = LanguageName(key, code, resolved[key].name, "code")
    codes: list[str] = []
    names: dict[str, str] = {}
    how: dict[str, str] = {}
    for key in considered:
        lang = resolved[key]
        if lang.code not in codes:
            codes.append(lang.code)
            names[lang.code] = lang.name
            how[lang.code] = lang.how
    source = ""
    wanted = str(form.get("default_language") or "")
    if wanted and wanted != DEFAULT_PYXFORM_LANGUAGE:
        guess = resolved.get(wanted) or resolve_all([*considered, wanted])[wanted]
        if guess.code in codes:
            source = guess.code
    if not source:
        label_order = [k for k in label_keys if k in resolved]
        if default_labels and default_is_language:
            label_order.insert(0, DEFAULT_PYXFORM_LANGUAGE)
        source = resolved[label_order[0]].code if label_order else codes[0]
    codes.remove(source)
    codes.insert(0, source)
    return Languages(resolved, codes, names, source, default_is_language, how)


def is_meta(element: Mapping[str, Any]) -> bool:
    return (
        element.get("type") == "group"
        and element.get("name") == "meta"
        and bool((element.get("control") or {}).get("bodyless"))
    )


def fill_translations(
    slots: list[TextSlot], languages: Languages, collector: Collector
) -> set[str]:
    """Fill blank translations; returns the languages that got filled (now draft).

    A blank text takes the untranslated column's text when there is one, else the source
    language's, else the first language that has it. Each language gets one warning
    listing what was filled, so nothing is filled silently.
    """
    filled: dict[str, list[TextSlot]] = {}
    source = languages.source
    for slot in slots:
        order = [source, *[c for c in languages.codes if c != source]]
        fallback = slot.default or next((slot.value[c] for c in order if slot.value.get(c)), None)
        if fallback is None:
            continue
        for code in languages.codes:
            if not slot.value.get(code):
                slot.value[code] = fallback
                filled.setdefault(code, []).append(slot)
    for code, missing in filled.items():
        name = languages.names.get(code, code)
        listed = "; ".join(
            f"{s.what}" + (f" ({s.sheet} row {s.row})" if s.row else "") for s in missing[:8]
        )
        more = f"; and {len(missing) - 8} more" if len(missing) > 8 else ""
        if code == source:
            what = (
                "the form's untranslated text or another language"
                if code != UNDETERMINED
                else "another language"
            )
            collector.warn(
                "translations filled",
                f"source language '{code}' ({name}): {len(missing)} blank text(s) "
                f"filled from {what}: {listed}{more}",
                sheet=None,
                code=ErrorCode.INSTRUMENT_TRANSLATION,
            )
        else:
            collector.warn(
                "translations filled",
                f"language '{code}' ({name}): {len(missing)} blank text(s) filled "
                f"from the source language or the untranslated column, so '{code}' "
                f"is marked 'draft' until translated: {listed}{more}",
                sheet=None,
                code=ErrorCode.INSTRUMENT_TRANSLATION,
            )
    return {code for code in filled if code != source}
