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


MIXED = "Вася Nguyễn, عمل 14 ساعة — काम किया; 从2023年起 «ok» 👍"


def test_faces_are_registered_when_first_needed_and_chosen_as_before() -> None:
    # Issue #19: the CJK font alone took 0.1 s of the first PDF; a packet without Chinese
    # never needs it. Laziness must not change which face a character gets.
    lazy = load_fonts()
    assert lazy.faces.loaded() == ["latin"]  # type: ignore[attr-defined]
    lazy.assign("Ana María, Вася Nguyễn — 29 «yes»", lang="en", where="test")
    assert lazy.faces.loaded() == ["latin"]  # type: ignore[attr-defined]
    lazy.assign("عمل 14 ساعة", lang="ar", where="test")
    assert lazy.faces.loaded() == ["latin", "arabic"]  # type: ignore[attr-defined]
    eager = load_fonts()
    assert len(list(eager.faces)) == len(FACE_SPECS)  # every face registered up front
    assert lazy.assign(MIXED, lang="en", where="test") == eager.assign(MIXED, lang="en",
                                                                         where="test")


def test_a_broken_font_file_stops_only_the_text_that_needs_it(tmp_path: Path) -> None:
    for spec in FACE_SPECS:
        for name in (spec.regular, spec.bold):
            if name:
                shutil.copy(resource_path("fonts", name), tmp_path)
    cjk = next(s for s in FACE_SPECS if s.key == "cjk")
    (tmp_path / cjk.regular).write_bytes(b"not a font" * 100)
    fonts_here = load_fonts(FACE_SPECS, tmp_path)
    fonts_here.assign("Reported: debt", lang="en", where="test")  # no CJK needed
    with pytest.raises(ReportError) as err:
        fonts_here.assign("从2023年起", lang="zh-Hans", where="test")
    assert err.value.code is ErrorCode.REPORT_FONT_MISSING
    assert err.value.context["font"] == cjk.regular
