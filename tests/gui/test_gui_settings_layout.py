"""Settings at its default size, in every UI language (issue #14): every section's name is
shown whole (in Spanish, Russian and Portuguese the tab bar hid "Audit trail" behind scroll
arrows), and Settings › Questionnaires shows whole titles (not "tion / t…")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from guihelp import create_store, make_window, unlock
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from app.qt_i18n import available_ui_languages, ui_language
from app.windows.settings_dialog import ITEM_PADDING, SettingsDialog

LANGUAGES = available_ui_languages()


@pytest.fixture
def settings(qtbot: Any, data_dir: Path) -> SettingsDialog:
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    dialog = window.open_settings()
    assert dialog is not None
    return dialog


def _fully_shown(dialog: SettingsDialog, row: int) -> tuple[bool, str]:
    """Whether section ``row``'s whole name fits where the list draws it, on screen."""
    view = dialog.sections
    item = view.item(row)
    rect = view.visualItemRect(item)
    if not view.viewport().rect().contains(rect):
        return False, f"{item.text()!r} is outside the visible list"
    metrics = view.fontMetrics()
    text_width = rect.width() - 2 * ITEM_PADDING
    needed = metrics.boundingRect(QRect(0, 0, text_width, 10_000),
                                  int(Qt.TextFlag.TextWordWrap), item.text())
    if needed.width() > text_width or needed.height() > rect.height():
        return False, f"{item.text()!r} needs {needed.size()} in {rect.size()}"
    # No word is wider than the list: a wrapped name still shows every letter.
    if max(metrics.horizontalAdvance(w) for w in item.text().split()) > text_width:
        return False, f"{item.text()!r} has a word wider than the list"
    return True, ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_section_name_is_visible_at_the_default_size(
        qtbot: Any, settings: SettingsDialog, lang: str) -> None:
    ui_language().set_language(lang)
    dialog = settings
    dialog.resize(1000, 620)  # the size it opens at
    qtbot.waitUntil(lambda: dialog.isVisible())
    QApplication.processEvents()
    assert dialog.sections.count() == dialog.tabs.count() == 8
    problems = [why for row in range(dialog.sections.count())
                for ok, why in [_fully_shown(dialog, row)] if not ok]
    assert problems == []
    # Each name is the page's name in this language, and choosing it shows that page.
    audit = dialog.sections.count() - 1
    assert dialog.sections.item(audit).text() == dialog.tabs.tabText(audit)
    dialog.sections.setCurrentRow(audit)
    assert dialog.tabs.currentWidget() is dialog.audit
    dialog.tabs.setCurrentWidget(dialog.general)
    assert dialog.sections.currentRow() == 0
    # The dialog itself fits a 1366x768 laptop screen.
    assert dialog.minimumSizeHint().width() <= 1366 and dialog.width() <= 1366


def _cell_text_fits(table: QTableWidget, row: int, column: int) -> bool:
    item = table.item(row, column)
    rect = table.visualItemRect(item)
    metrics = table.fontMetrics()
    needed = metrics.boundingRect(QRect(0, 0, rect.width() - 8, 10_000),
                                  int(Qt.TextFlag.TextWordWrap), item.text())
    return needed.width() <= rect.width() and needed.height() <= rect.height()


@pytest.mark.parametrize("lang", ["en", "ru", "ar"])
def test_questionnaire_titles_are_readable(qtbot: Any, settings: SettingsDialog,
                                           lang: str) -> None:
    ui_language().set_language(lang)
    dialog = settings
    dialog.tabs.setCurrentWidget(dialog.instruments)
    table = dialog.instruments.table
    qtbot.waitUntil(lambda: table.isVisible())
    qtbot.wait(20)  # rows take their height once the columns have theirs
    assert table.rowCount() >= 4
    for row in range(table.rowCount()):
        assert _cell_text_fits(table, row, 0), table.item(row, 0).text()
        assert table.item(row, 0).toolTip() == table.item(row, 0).text()
        assert _cell_text_fits(table, row, 2), table.item(row, 2).text()
