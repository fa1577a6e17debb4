"""`fieldscreen gui --screenshots DIR --lang LANG` walks every screen and writes PNGs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from app.screenshots import take_screenshots

SCREENS = ("first-run-language", "first-run-passphrase", "first-run-recovery-key",
           "first-run-profile", "unlock", "cases", "new-interview", "consent",
           "interview-choice", "interview-observation", "interview-text",
           "interview-constraint-error", "urgent-banner", "interview-idle-warning",
           "interview-paused", "review", "referral", "settings-general", "cases-names-hidden")


def test_screenshot_walk_in_arabic(qapp, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    assert take_screenshots(out, "ar") == 0
    files = sorted(p.name for p in out.glob("*.png"))
    for screen in SCREENS:
        assert any(name.endswith(f"-{screen}.png") for name in files), screen
    image = QImage(str(next(out.glob("*-cases.png"))))
    assert (image.width(), image.height()) == (1366, 768)
