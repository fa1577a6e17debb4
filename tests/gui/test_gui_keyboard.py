"""A whole interview with the keyboard alone: number keys, typing, Enter, Alt+Left, Ctrl+P,
then the review and finishing."""

from __future__ import annotations

from pathlib import Path

from guihelp import create_store, key, make_window, start_interview, unlock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import demo

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def test_keyboard_only_interview(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    interview_id = start_interview(qtbot, window, demo.DEMO_ID, respondent="es", officer="en")
    page = window.interview_page
    vm = window.interview_vm
    assert page.view.key == "intro"
    key(qtbot, window, Qt.Key.Key_Return)  # a note: Enter goes on
    assert page.view.key == "work_type"
    key(qtbot, window, Qt.Key.Key_2)  # number key chooses the option, saved at once
    assert vm.session.answers["work_type"].value == "farm"
    assert page.saved.text().startswith("✓")
    key(qtbot, window, Qt.Key.Key_Return)
    assert page.view.key == "hours"
    type_text(qtbot, "30")
    key(qtbot, window, Qt.Key.Key_Return)  # refused by the constraint: stays, says why
    assert page.view.key == "hours"
    assert page.error.isVisible() and "between 0 and 24" in page.error.text()
    key(qtbot, window, Qt.Key.Key_A, CTRL)
    type_text(qtbot, "13")
    key(qtbot, window, Qt.Key.Key_Return)
    assert page.view.key == "work_story"
    key(qtbot, window, Qt.Key.Key_Left, ALT)  # back
    assert page.view.key == "hours"
    assert vm.session.answers["hours"].value == 13
    key(qtbot, window, Qt.Key.Key_Return)
    type_text(qtbot, "Long days, synthetic answer")
    key(qtbot, window, Qt.Key.Key_Return)
    assert vm.session.answers["work_story"].value == "Long days, synthetic answer"
    assert page.view.key == "arrival"
    type_text(qtbot, "2026-01-15")
    key(qtbot, window, Qt.Key.Key_Return)
    assert page.view.key == "needs"
    key(qtbot, window, Qt.Key.Key_1)
    key(qtbot, window, Qt.Key.Key_3)
    assert vm.session.answers["needs"].value == ["medical", "legal"]
    key(qtbot, window, Qt.Key.Key_P, CTRL)  # a quick pause hides the question
    assert window.stack.currentWidget() is window.pause_screen
    assert page.question.respondent_text.text() == ""
    key(qtbot, window, Qt.Key.Key_P, CTRL)
    assert window.stack.currentWidget() is page and page.view.key == "needs"
    assert window.app_vm.store.context.get(interview_id).breaks == 1  # the pause is recorded
    key(qtbot, window, Qt.Key.Key_Return)
    assert page.view.key == "danger_now"
    key(qtbot, window, Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Return)
    assert page.view.key == "obs_fearful"
    assert page.question.observation.isVisible()  # "do not read aloud"
    # Tab to "Don't know" and press it with the space bar
    for _ in range(10):
        if QApplication.focusWidget() is page.special_buttons["dont_know"]:
            break
        key(qtbot, window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.special_buttons["dont_know"]
    key(qtbot, window, Qt.Key.Key_Space)
    assert vm.session.answers["obs_fearful"].special == "dont_know"
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert window.stack.currentWidget() is window.review_page

    # review: Enter on an answer edits it; Ctrl+Enter finishes
    review = window.review_page
    assert QApplication.focusWidget() is review.tree
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert window.stack.currentWidget() is window.referral_page
    assert window.app_vm.store.interviews.get(interview_id).finished
