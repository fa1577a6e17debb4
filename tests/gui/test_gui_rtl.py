"""Right-to-left: an Arabic UI mirrors the application; respondent text keeps its own
direction whatever the UI language; the language changes without a restart."""

from __future__ import annotations

from pathlib import Path

from guihelp import create_store, make_window, start_interview, unlock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import demo
from app.qt_i18n import font_family_for, ui_language

RTL = Qt.LayoutDirection.RightToLeft
LTR = Qt.LayoutDirection.LeftToRight


def test_arabic_ui_is_right_to_left(qtbot, data_dir: Path) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir, lang="ar")
    assert QApplication.layoutDirection() == RTL
    assert window.layoutDirection() == RTL
    assert window.unlock_page.layoutDirection() == RTL
    assert window.unlock_page.unlock_button.layoutDirection() == RTL
    # the unlock button sits on the left edge of its row in a mirrored layout
    unlock(qtbot, window)
    assert window.cases_page.table.layoutDirection() == RTL
    assert window.cases_page.table.isRightToLeft()


def test_language_switch_applies_without_restart(qtbot, data_dir: Path) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir, lang="en")
    unlock(qtbot, window)
    assert window.layoutDirection() == LTR
    settings = window.open_settings()
    general = settings.general
    general.language.setCurrentIndex(general.language.findData("ar"))
    general.language.activated.emit(general.language.currentIndex())
    assert ui_language().lang == "ar"
    assert window.layoutDirection() == RTL and settings.layoutDirection() == RTL
    assert (data_dir / "ui.json").read_text(encoding="utf-8").count('"ar"') == 1
    general.language.setCurrentIndex(general.language.findData("en"))
    general.language.activated.emit(general.language.currentIndex())
    assert window.layoutDirection() == LTR
    settings.close()


def test_respondent_text_keeps_its_direction_and_font(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir, lang="en")
    unlock(qtbot, window)
    start_interview(qtbot, window, demo.DEMO_ID, respondent="ar", officer="en")
    page = window.interview_page
    page.go_next()
    question = page.question
    assert question.respondent_text.layoutDirection() == RTL  # Arabic, inside an English UI
    assert question.respondent_text.alignment() & Qt.AlignmentFlag.AlignRight
    assert question.officer_text.layoutDirection() == LTR
    window.go_cases()

    ui_language().set_language("ar")
    start_interview(qtbot, window, demo.DEMO_ID, respondent="zh_Hans", officer="en",
                    name="Test Person")
    page.go_next()
    assert window.layoutDirection() == RTL
    # Chinese respondent text in an Arabic UI: left to right, Simplified Chinese face
    assert question.respondent_text.layoutDirection() == LTR
    assert question.respondent_text.font().families()[0] == "Noto Sans CJK SC"
    assert font_family_for("zh_Hans") == "Noto Sans CJK SC"
