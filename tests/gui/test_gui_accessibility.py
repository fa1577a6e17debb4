"""Every control has an accessible name; every screen fits a 1366x768 laptop screen; text
scales with the system font size; no screen relies on colour alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from guihelp import create_store, make_window, start_interview, unlock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app import demo
from app.windows.main_window import MainWindow

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QAbstractItemView,
            QAbstractSpinBox)


CHECKED: list[str] = []


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or not w.isVisibleTo(root):
            continue
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if w.parent() is not None and type(w.parent()).__name__ in ("QComboBox", "QScrollBar"):
            continue
        if isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QAbstractSpinBox)):
            continue
        CHECKED.append(type(w).__name__)
        if not w.accessibleName().strip():
            missing.append(f"{type(w).__name__}:{w.objectName()}")
    return missing


@pytest.fixture
def window(qtbot, data_dir: Path) -> MainWindow:
    create_store(data_dir, demo_instrument=True)
    win = make_window(qtbot, data_dir)
    return win


def visit_every_screen(qtbot, win: MainWindow, check) -> None:
    check("unlock", win)
    unlock(qtbot, win)
    check("cases", win)
    start_interview(qtbot, win, demo.DEMO_ID, respondent="ar", officer="en")
    page = win.interview_page
    for _step in range(100):
        if win.stack.currentWidget() is not page:
            break
        check(f"interview:{page.view.key}", win)
        if page.answer_widget is not None and page.view.kind != "text":
            page.answer_widget.choose(1)
        if page.view.kind == "integer":
            page.answer_widget.edit.setText("5")
            page._edited()
        page.go_next()
    check("review", win)
    win.review_page.finish()
    check("referral", win)
    settings = win.open_settings()
    for i in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(i)
        check(f"settings:{i}", settings)
    settings.close()


def test_every_control_has_an_accessible_name(qtbot, window: MainWindow) -> None:
    problems: dict[str, list[str]] = {}

    def check(name: str, root: QWidget) -> None:
        missing = unnamed_controls(root)
        if missing:
            problems[name] = missing

    CHECKED.clear()
    visit_every_screen(qtbot, window, check)
    assert problems == {}
    assert len(CHECKED) > 150  # really looked at the controls of every screen


def test_every_screen_fits_a_laptop_screen(qtbot, window: MainWindow) -> None:
    too_big: dict[str, tuple[int, int]] = {}

    def check(name: str, root: QWidget) -> None:
        hint = root.minimumSizeHint()
        if hint.width() > 1366 or hint.height() > 768 - 60:  # minus a task bar
            too_big[name] = (hint.width(), hint.height())

    visit_every_screen(qtbot, window, check)
    assert too_big == {}


def test_text_follows_the_system_font_size(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    app = QApplication.instance()
    base = app.font()
    try:
        win = make_window(qtbot, data_dir)
        unlock(qtbot, win)
        start_interview(qtbot, win, demo.DEMO_ID)
        win.interview_page.go_next()
        small = win.interview_page.question.respondent_text.font().pointSizeF()
        bigger = app.font()
        bigger.setPointSizeF(base.pointSizeF() * 1.5)
        app.setFont(bigger)
        win.interview_page._render()
        large = win.interview_page.question.respondent_text.font().pointSizeF()
        assert large == pytest.approx(small * 1.5, rel=0.05)
    finally:
        app.setFont(base)


def test_urgent_and_error_states_say_so_in_words(qtbot, window: MainWindow) -> None:
    unlock(qtbot, window)
    start_interview(qtbot, window, demo.DEMO_ID)
    page = window.interview_page
    while page.view.key != "hours":
        page.go_next()
    page.answer_widget.edit.setText("99")
    page._edited()
    page.go_next()
    assert page.error.text().startswith("⚠ ")  # a symbol and words, not only red
    page.vm.jump("danger_now")
    page.answer_widget.choose(1)
    assert page.urgent.isVisible()
    assert page.urgent.label.text().startswith("⚠ Urgent:")
    assert "+00 123" in page.urgent.label.text()  # the helpline from the officer profile
