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


class FakeClock:
    """The idle watcher's clock, moved by hand: no test waits for real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, window, seconds: float) -> None:
        self.now += seconds
        window.idle.tick()


def _fake_clock(window) -> FakeClock:
    clock = FakeClock()
    window.idle.clock = clock
    window.guard.arm()  # restart the idle time on the fake clock
    return clock


def test_idle_time_pauses_an_interview_then_locks_and_clears_everything(
        qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    assert window.idle.active  # armed with the officer's auto-lock minutes (default 5)
    _interview_with_personal_data(qtbot, window)
    interview_id = window.interview_vm.interview_id
    store = window.app_vm.store
    clock = _fake_clock(window)

    # Five idle minutes during an interview: first the neutral pause screen, store open (no
    # passphrase typed in front of the person in the middle of an answer)...
    clock.advance(window, 300)
    assert window.stack.currentWidget() is window.pause_screen
    assert window.app_vm.is_open and "CANARY-PII" not in all_texts(window)
    # ... then, five more idle minutes on the pause screen, the lock
    with qtbot.waitSignal(window.app_vm.locked, timeout=5000):
        clock.advance(window, 300)
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


def test_a_visible_warning_comes_first_and_any_key_keeps_the_screen(qtbot,
                                                                    data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    start_interview(qtbot, window, demo.DEMO_ID)
    page = window.interview_page
    page.go_next()
    assert page.view.key == "work_type"
    clock = _fake_clock(window)
    clock.advance(window, 269)
    assert not window.idle_warning.isVisible()
    clock.advance(window, 2)  # 29 seconds left
    assert window.idle_warning.isVisible()
    assert "29 seconds" in window.idle_warning.label.text()
    assert "hidden" in window.idle_warning.label.text()  # an interview: the pause comes next
    clock.advance(window, 1)
    assert "28 seconds" in window.idle_warning.label.text()
    key(qtbot, window, Qt.Key.Key_1)  # any key keeps the screen...
    assert not window.idle_warning.isVisible()
    assert "work_type" not in window.interview_vm.session.answers  # ...and does nothing else
    clock.advance(window, 260)  # the idle time starts again from that key
    assert window.stack.currentWidget() is page
    key(qtbot, window, Qt.Key.Key_1)
    assert window.interview_vm.session.answers["work_type"].value == "domestic"

    window.go_cases()  # outside an interview the idle time locks
    clock.advance(window, 275)
    assert "locking in 25 seconds" in window.idle_warning.label.text()
    with qtbot.waitSignal(window.app_vm.locked, timeout=5000):
        clock.advance(window, 25)
    assert not window.idle_warning.isVisible()


def test_minimised_for_a_minute_locks(qtbot, data_dir: Path) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    clock = _fake_clock(window)
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    clock.advance(window, 30)
    window.showNormal()  # back within the minute: nothing happens
    qtbot.waitUntil(lambda: not window.isMinimized())
    clock.advance(window, 60)
    assert window.app_vm.is_open
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    clock.advance(window, 59)
    assert window.app_vm.is_open
    with qtbot.waitSignal(window.app_vm.locked, timeout=5000):
        clock.advance(window, 1)
    assert window.stack.currentWidget() is window.unlock_page


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
