"""Glyph coverage of the shipped fonts (issue #14): read from the font files, no Qt.

`fieldscreen selfcheck` said "ok" while Chinese showed as boxes; now it checks every language
of every instrument (and of the UI) against the fonts in resources/fonts, and names the
language a font is missing for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import instrument_yaml

from screening.i18n.glyphs import (
    font_cmap,
    instrument_texts,
    language_gaps,
    shipped_coverage,
    shipped_font_files,
)
from screening.instruments import load_instrument_text

ROOT = Path(__file__).resolve().parents[2]
THAI = "คุณปลอดภัยไหม"  # "are you safe?" (synthetic wording)
CHINESE = "您现在安全吗"

SECTIONS = f"""\
- name: s1
  title: {{en: One, th: หนึ่ง}}
  items:
    - name: safe
      type: yes_no
      text: {{en: "Safe now? (synthetic)", th: "{THAI}"}}
"""


OUTCOME = """\
outcome:
  rule: any
  labels:
    refer_urgent: {en: urgent, th: ด่วน}
    refer: {en: refer, th: ส่งต่อ}
    incomplete: {en: incomplete, th: ไม่ครบ}
    no_indicators: {en: none, th: ไม่มี}
"""


def thai_instrument_yaml() -> str:
    return instrument_yaml(SECTIONS, id="thai_check", languages=("en", "th"), outcome=OUTCOME)


def test_the_cmap_reader_agrees_with_reportlab() -> None:
    from reportlab.pdfbase.ttfonts import TTFontFile

    for path in shipped_font_files():
        theirs = {code for code, glyph in TTFontFile(str(path)).charToGlyph.items() if glyph}
        theirs.discard(0xA0)  # ReportLab maps a missing no-break space to the space glyph
        assert font_cmap(path) - {0xA0} == theirs, path.name


def test_shipped_fonts_cover_chinese_arabic_hindi_but_not_thai() -> None:
    gaps = language_gaps({"zh_Hans": CHINESE, "ar": "هل أنت بأمان الآن؟", "hi": "क्या आप सुरक्षित हैं",
                          "ru": "Вы в безопасности?", "vi": "Bạn có an toàn không?",
                          "th": THAI}, "a test")
    assert [g.language for g in gaps] == ["th"]
    assert gaps[0].scripts == ["THAI"]
    assert "language 'th' (a test)" in gaps[0].describe()


def test_every_language_of_an_instrument_is_found() -> None:
    loaded = load_instrument_text(thai_instrument_yaml(), "thai.yaml")
    texts = instrument_texts(loaded.instrument)
    assert set(texts) == {"en", "th"}
    assert THAI in texts["th"] and "หนึ่ง" in texts["th"]


def test_shipped_instruments_and_catalogs_are_covered() -> None:
    from screening.selfcheck import coverage_problems

    assert coverage_problems() == []
    assert ord("中") in shipped_coverage()


def _cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FIELDSCREEN_KDF_PROFILE="fast")
    return subprocess.run([sys.executable, "-m", "screening.cli.main", "--data-dir",
                           str(data_dir), *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, check=False, timeout=120)


def test_selfcheck_names_the_language_of_an_installed_instrument(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from screening.workspace import Workspace

    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")  # honoured under pytest only
    data = tmp_path / "store"
    passphrase = "correct horse battery staple 42"
    with Workspace(data) as ws:
        ws.create(passphrase)
        ws.catalog.install(load_instrument_text(thai_instrument_yaml(), "thai.yaml"),
                           "thai.yaml")
    assert _cli(data, "selfcheck").returncode == 0  # shipped ones only: all covered
    done = _cli(data, "selfcheck", "--installed", stdin=passphrase + "\n")
    assert done.returncode == 1
    assert "language 'th' (instrument thai_check@0.1)" in done.stderr
    assert "THAI" in done.stderr and "Traceback" not in done.stderr
    assert _cli(data, "selfcheck", "--installed", stdin="wrong passphrase\n").returncode == 3
