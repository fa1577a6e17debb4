"""`fieldscreen gui --screenshots DIR --lang LANG` walks every screen and writes PNGs.

One language only (Arabic: right to left, with an English-speaking respondent): the walk takes
about 20 seconds. ``--lang all`` runs the same walk once per UI language (about 3 minutes), so
here only its choice of languages and its refusal outside ``--screenshots`` are checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from app.screenshots import screenshot_languages, take_screenshots
from screening.i18n.tags import REPORT_LANGUAGES

SCREENS = ("first-run-language", "first-run-passphrase", "first-run-recovery-key",
           "first-run-profile", "unlock", "cases", "new-interview", "consent",
           "interview-choice", "interview-observation", "interview-text",
           "interview-constraint-error", "urgent-banner", "interview-idle-warning",
           "interview-paused", "review", "referral", "settings-general", "cases-names-hidden")
# issue #14: each its own PNG, in the order of the walk
NEW_SCREENS = ("respondent-view", "interview-long-list", "respondent-view-long-list",
               "interview-long-list-filtered", "interview-date-month", "interview-repeat",
               "respondent-view-repeat", "respondent-view-observation", "interview-paused",
               "respondent-view-paused", "referral-report", "companion-setup-warning",
               "companion-interview", "companion-alone")


def _one_colour(image: QImage) -> bool:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(image.constBits())
    return data == data[:4] * (len(data) // 4)


def test_screenshot_walk_in_arabic(qapp, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    assert take_screenshots(out, "ar") == 0
    files = sorted(p.name for p in out.glob("*.png"))
    for screen in SCREENS:
        assert any(name.endswith(f"-{screen}.png") for name in files), screen
    # the new screens, once each, in the walk's order (numbered from 01)
    found = [next((name for name in files if name[3:] == f"{screen}.png"), "")
             for screen in NEW_SCREENS]
    assert all(found), dict(zip(NEW_SCREENS, found, strict=True))
    assert found == sorted(found)
    assert [int(name[:2]) for name in files] == list(range(1, len(files) + 1))
    for name in ("cases", "respondent-view", "respondent-view-repeat"):
        image = QImage(str(out / next(f for f in files if f[3:] == f"{name}.png")))
        assert (image.width(), image.height()) == (1366, 768)
        assert not _one_colour(image), name  # something is shown
    # paused: the person's window is empty, the officer's shows the neutral screen only
    assert _one_colour(QImage(str(out / found[NEW_SCREENS.index("respondent-view-paused")])))


def test_lang_all_means_every_ui_language() -> None:
    assert sorted(screenshot_languages("all")) == sorted(REPORT_LANGUAGES)
    assert screenshot_languages("ar") == ["ar"]


def test_lang_all_is_only_for_screenshots(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["FIELDSCREEN_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "screening.cli.main", "gui", "--lang", "all"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "--lang all: only with --screenshots DIR" in done.stderr
    assert "Traceback" not in done.stderr
