"""No boxes ("tofu") on a laptop without CJK, Arabic or Devanagari fonts (issue #14).

Before, the app only asked for a system "Noto Sans CJK SC": on a machine without it, Chinese
consent text, questions and names showed as boxes while `fieldscreen selfcheck` said ok. Now
every font in resources/fonts is registered at start, with the PDF's coverage.

Each case runs the app in a fresh process whose fontconfig sees no system fonts at all, or
only DejaVu, and lays out the real text with the fonts the screens use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

PROBE = textwrap.dedent("""
    import json
    import unicodedata
    from PySide6.QtGui import QFontDatabase, QTextLayout
    from PySide6.QtWidgets import QLabel

    from app.main import application

    app = application()  # as `fieldscreen` starts

    from app.qt_i18n import apply_text_language, ui_language
    from screening.casework.catalog import shipped_instruments

    def boxes(text, font):
        # each letter laid out with the font a screen uses: .notdef (0) or nothing is a box
        found = []
        for ch in dict.fromkeys(text):
            if unicodedata.category(ch)[0] not in "LN":
                continue
            layout = QTextLayout(ch, font)
            layout.beginLayout()
            layout.createLine().setLineWidth(1000)
            layout.endLayout()
            glyphs = [g for run in layout.glyphRuns() for g in run.glyphIndexes()]
            if not glyphs or 0 in glyphs:
                found.append(ch)
        return found

    def report(name, value):
        print("RESULT " + json.dumps([name, value]), flush=True)

    zh = "".join(t for r in shipped_instruments() for t in (
        r.instrument.text(r.instrument.title, "zh_Hans"),
        *(r.instrument.text(i.text, "zh_Hans") for i in r.instrument.walk())))
    report("families", QFontDatabase.families())
    ui_language().set_language("zh_Hans")  # a Chinese UI
    question = QLabel()
    apply_text_language(question, "zh_Hans", factor=1.6, bold=True)  # the question label
    report("question", boxes(zh, question.font()))
    report("ui", boxes(ui_language().gettext("Cases") + " 李小梅", app.font()))
    ui_language().set_language("en")  # names in every script in an English case list
    report("names", boxes("李小梅 فاطمة الزهراء Мария Nguyễn Thị Lan सीता", app.font()))
    for lang in ("ar", "hi"):
        label = QLabel()
        apply_text_language(label, lang)
        report(lang, boxes("هل أنت بأمان الآن؟ क्या आप सुरक्षित हैं", label.font()))

    from app import fonts  # the self-check's Qt side

    report("selfcheck", fonts.shipped_text_gaps(fonts.check_shipped_text()))
    report("thai", fonts.describe(fonts.gui_gaps({"th": "คุณปลอดภัยไหม"}, "a test")))
""")


def _fontconfig(tmp_path: Path, dirs: list[Path]) -> dict[str, str]:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    config = tmp_path / "fonts.conf"
    lines = "".join(f"  <dir>{d}</dir>\n" for d in [empty, *dirs])
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                      f"<fontconfig>\n{lines}  <cachedir>{tmp_path / 'cache'}</cachedir>\n"
                      "</fontconfig>\n")
    return {"FONTCONFIG_FILE": str(config), "FONTCONFIG_PATH": str(tmp_path)}


@pytest.mark.parametrize("system_fonts", ["none", "dejavu-only"])
def test_every_script_shows_with_only_the_shipped_fonts(tmp_path: Path,
                                                         system_fonts: str) -> None:
    dirs = []
    if system_fonts == "dejavu-only":
        if not DEJAVU.is_dir():
            pytest.skip("DejaVu is not installed here")
        dirs = [DEJAVU]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **_fontconfig(tmp_path, dirs))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    out = dict(json.loads(x.removeprefix("RESULT ")) for x in done.stdout.splitlines()
               if x.startswith("RESULT "))
    assert "families" in out, done.stderr[-2000:]
    assert not any("CJK" in family for family in out["families"])  # no CJK system font
    for screen in ("question", "ui", "names", "ar", "hi", "selfcheck"):
        assert out.get(screen) == [], (screen, out.get(screen), done.returncode)
    assert "Droid Sans Fallback" in out["families"]  # ours, registered
    # A script no shipped font covers is named, with its language
    assert out["thai"] and "language 'th' (a test)" in out["thai"][0]
