"""Auto-lock and Ctrl+L: personal data leaves every widget, the store closes, unlocking
returns to the same place, and nothing typed is lost."""

from __future__ import annotations

from pathlib import Path

from guihelp import (
    CANARY_NAME,
    CANARY_TEXT,
    all_texts,
    create_store,
    key,
    make_window,
    start_interview,
    unlock,
)
from PySide6.QtCore import Qt

from app import demo


def _interview_with_personal_data(qtbot, window) -> None:
    start_interview(qtbot, window, demo.DEMO_ID, respondent="en", officer="en")
    page = window.interview_page
    page.go_next()
    page.answer_widget.choose(1)
    page.go_next()
    page.answer_widget.edit.setText("10")
    page._edited()
    page.go_next()
    assert page.view.key == "work_story"
    page.answer_widget.edit.setText(CANARY_TEXT)  # typed, autosave timer still running
    page._edited()
    page.note_button.setChecked(True)
    page.note.setPlainText("CANARY-PII-note")
    texts = all_texts(window)
    assert CANARY_TEXT in texts and CANARY_NAME in texts


def test_idle_lock_clears_every_widget_and_closes_the_store(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    assert window.idle.active  # armed with the officer's auto-lock minutes (default 5)
    _interview_with_personal_data(qtbot, window)
    interview_id = window.interview_vm.interview_id
    store = window.app_vm.store

    window.idle.set_interval_ms(50)  # the idle time, shortened for the test
    with qtbot.waitSignal(window.app_vm.locked, timeout=5000):
        pass
    assert window.stack.currentWidget() is window.unlock_page
    assert window.app_vm.store is None and store.closed
    texts = all_texts(window)
    assert "CANARY-PII" not in texts
    assert window.cases_vm.model.rowCount() == 0
    assert window.interview_vm is None

    unlock(qtbot, window)
    assert window.stack.currentWidget() is window.interview_page
    assert window.interview_vm.interview_id == interview_id
    assert window.interview_page.view.key == "work_story"  # the same place
    assert window.interview_page.answer_widget.edit.text() == CANARY_TEXT  # nothing lost
    assert window.interview_vm.session.answers["work_story"].note == "CANARY-PII-note"


def test_ctrl_l_locks_from_anywhere_and_closes_open_dialogs(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    _interview_with_personal_data(qtbot, window)
    window.go_cases()
    window.cases_page.search.setText("canary")
    dialog = window.cases_page.new_case()
    dialog.name.setText("CANARY-PII-in-a-dialog")
    assert dialog.isVisible()
    window.activateWindow()
    dialog.name.setFocus()
    key(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.unlock_page)
    assert not dialog.isVisible()
    assert dialog.name.text() == ""
    assert "CANARY-PII" not in all_texts(window)
    assert window.cases_page.search.text() == ""
    unlock(qtbot, window)
    assert window.stack.currentWidget() is window.cases_page
