"""Language tags, one normal form for every face (issue #15): BCP 47 and POSIX spellings map
onto the codes a place supports; an unknown one is bad input that names the supported ones."""

from __future__ import annotations

import pytest

from screening.errors import InputError
from screening.i18n import Translator
from screening.i18n.tags import (
    REPORT_LANGUAGES,
    canonical,
    match_language,
    normalize_language,
    report_language,
)


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("zh-Hans", "zh_Hans"), ("zh_Hans", "zh_Hans"), ("zh-CN", "zh_Hans"), ("zh", "zh_Hans"),
        ("zh-Hans-CN", "zh_Hans"), ("zh_CN.UTF-8", "zh_Hans"), ("ZH-hans", "zh_Hans"),
        ("pt-BR", "pt"), ("pt_PT", "pt"), ("en-US", "en"), ("en_GB.UTF-8", "en"), ("EN", "en"),
        ("ar-JO", "ar"), ("ar_EG@latn", "ar"), ("fil", "tl"), ("tl-PH", "tl"), ("vi-VN", "vi"),
        ("en-u-nu-arab", "en"),
    ],
)
def test_spellings_of_one_language_map_to_one_code(tag: str, code: str) -> None:
    assert match_language(tag, REPORT_LANGUAGES) == code
    assert report_language(tag) == code


@pytest.mark.parametrize("tag", ["zh-TW", "zh-Hant", "zh-HK", "de", "xx", "qq_ZZ!", "", "en US"])
def test_other_languages_and_bad_tags_match_nothing(tag: str) -> None:
    # Traditional Chinese is not Simplified: no silent fallback to the wrong script.
    assert match_language(tag, REPORT_LANGUAGES) is None


def test_unknown_tag_is_bad_input_listing_the_supported_codes() -> None:
    with pytest.raises(InputError) as caught:
        report_language("de-DE")
    message = str(caught.value)
    assert "unknown report language 'de-DE'" in message
    assert ", ".join(c.replace("_", "-") for c in REPORT_LANGUAGES) in message  # BCP 47


def test_the_closest_region_wins_among_several() -> None:
    assert match_language("pt-PT", ["pt_BR", "pt_PT"]) == "pt_PT"
    assert match_language("pt", ["pt_BR", "pt_PT"]) == "pt_BR"  # CLDR: pt is pt_Latn_BR
    assert match_language("zh-HK", ["zh_Hans", "zh_Hant"]) == "zh_Hant"
    assert normalize_language("ZH-cn", ["en", "zh_Hans"]) == "zh_Hans"


def test_canonical_spelling() -> None:
    assert canonical("zh-hans-cn") == "zh_Hans_CN"
    assert canonical("sr-latn-rs") == "sr_Latn_RS"
    assert canonical("es-419") == "es_419"
    assert canonical("de-DE-x-private") == "de_DE"


def test_translator_understands_any_spelling() -> None:
    assert Translator("zh-CN")("Yes") == Translator("zh_Hans")("Yes") != "Yes"
    assert Translator("pt-BR")("Yes") == Translator("pt")("Yes") != "Yes"
