"""Per-script font choice from the fonts' own cmaps; clear errors when a script has none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from screening.errors import ErrorCode, ReportError
from screening.paths import resource_path
from screening.reports import fonts
from screening.reports.fonts import FACE_SPECS, default_fonts, load_fonts


def faces_of(text: str, lang: str = "en") -> list[str]:
    fs = default_fonts()
    _, ids = fs.assign(text, lang=lang, where="test")
    return [fs.faces[i].spec.key for i in ids]


def test_every_shipped_font_and_licence_is_vendored() -> None:
    folder = resource_path("fonts")
    for spec in FACE_SPECS:
        assert (folder / spec.regular).is_file()
        if spec.bold:
            assert (folder / spec.bold).is_file()
    assert (folder / "README.md").is_file()
    assert list(folder.glob("LICENSE-*"))


def test_scripts_get_the_font_that_covers_them() -> None:
    assert set(faces_of("Вася Nguyễn")) == {"latin"}
    assert set(faces_of("عمل 14 ساعة")) == {"arabic"}  # digits follow the Arabic text
    assert set(faces_of("काम किया")) == {"devanagari"}
    keys = faces_of("从2023年起")
    assert keys[0] == "cjk" and keys[1] == "latin"  # Droid Sans Fallback has no digits


def test_characters_missing_from_the_script_font_fall_back_by_cmap() -> None:
    # Noto Sans Arabic has no U+202F (Babel puts it in times); Noto Sans has it.
    keys = faces_of("ساعة\u202f11")
    assert keys[4] == "latin"
    assert keys[0] == "arabic"


def test_farsi_and_urdu_letters_use_the_arabic_font() -> None:
    assert set(faces_of("گچپژ ٹڈڑ ۱۲", "fa")) == {"arabic"}


def test_a_script_without_a_font_is_a_clear_error() -> None:
    with pytest.raises(ReportError) as err:
        default_fonts().assign("สวัสดี", lang="th", where="appendix item q1")
    assert err.value.code is ErrorCode.REPORT_FONT_MISSING
    assert err.value.context["language"] == "th"
    assert err.value.context["script"] == "THAI"
    assert "th" in str(err.value) and "THAI" in str(err.value)


def test_symbols_without_a_font_are_spelt_out_not_boxed() -> None:
    text, _ = default_fonts().assign("ok 👍", lang="en", where="test")
    assert text == "ok [U+1F44D]"


def test_a_missing_font_file_is_reported_by_name(tmp_path: Path) -> None:
    for spec in FACE_SPECS[:2]:
        shutil.copy(resource_path("fonts", spec.regular), tmp_path)
    with pytest.raises(ReportError) as err:
        load_fonts(FACE_SPECS[:2], tmp_path)
    assert err.value.code is ErrorCode.REPORT_FONT_MISSING
    assert err.value.context["font"] == "NotoSans-Bold.ttf"


def test_without_uharfbuzz_nothing_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.pdfbase import ttfonts

    monkeypatch.setattr(ttfonts, "uharfbuzz", None)
    with pytest.raises(ReportError) as err:
        fonts.require_shaping()
    assert err.value.context["reason"] == "shaping_unavailable"
