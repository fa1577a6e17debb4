"""Language columns however real forms spell them -> FieldScreen language codes."""

from __future__ import annotations

import pytest

from screening.xlsform.languages import bcp47, normalise_code, resolve, resolve_all


@pytest.mark.parametrize(
    ("key", "code", "name"),
    [
        ("English (en)", "en", "English"),
        ("English(en)", "en", "English"),
        ("English (EN)", "en", "English"),
        ("english", "en", "english"),
        ("EN", "en", "English"),
        ("العربية", "ar", "العربية"),
        ("Arabic", "ar", "Arabic"),
        ("Swahili (sw)", "sw", "Swahili"),
        ("Kiswahili", "sw", "Kiswahili"),
        ("Français", "fr", "Français"),
        ("Tetun", "tet", "Tetun"),
        ("简体中文 (zh-Hans)", "zh_Hans", "简体中文"),
        ("Chinese (Simplified) (zh-hans)", "zh_Hans", "Chinese (Simplified)"),
        ("Chinese (Simplified)", "zh_Hans", "Chinese (Simplified)"),
        ("Português (pt-br)", "pt_BR", "Português"),
        ("default", "und", "Default"),
    ],
)
def test_resolve(key: str, code: str, name: str) -> None:
    lang = resolve(key)
    assert (lang.code, lang.name) == (code, name)


def test_unknown_names_become_slugs_and_never_clash() -> None:
    langs = resolve_all(["Klingon Dialect", "Klingon-Dialect", "ᚠᚢᚦ"])
    codes = [lang.code for lang in langs.values()]
    assert codes[0] == "klingon_dialect" and len(set(codes)) == 3
    assert all(lang.how == "slug" for lang in langs.values())


def test_codes_round_trip_through_bcp47() -> None:
    for code in ("en", "zh_Hans", "pt_BR", "tl", "es_419"):
        assert normalise_code(bcp47(code)) == code
