"""Long option lists (issue #14): every option has a number and a key (two digits past 9),
typing letters filters in either language, the list scrolls in its own area so "Prefer not
to answer" and "Don't know" stay on screen at 1024x700, and each option is named by its label.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from widgethelp import JOBS, go_to, open_widgets_interview

from app.windows.main_window import MainWindow


@pytest.fixture
def window(qtbot, data_dir: Path) -> MainWindow:
    win = open_widgets_interview(qtbot, data_dir, size=(1024, 700))
    go_to(win, "job")
    return win


def press(qtbot, win: MainWindow, text: str) -> None:
    """Type ``text`` on whatever has the focus in the window, one key at a time (as a
    keyboard of any script sends it: the key and the character it types)."""
    for ch in text:
        key = ord(ch.upper()) if ch.isascii() else ord(ch)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(win.focusWidget(),
                                   QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def answer(win: MainWindow, key: str = "job") -> object:
    record = win.interview_vm.session.answers.get(key)
    return record.value if record else None


def shown_labels(win: MainWindow) -> list[str]:
    rows = win.interview_page.answer_widget.rows
    return [JOBS[rows.buttons.index(b)][0] for b in rows.visible_buttons()]


def on_screen(widget: QWidget, area: QScrollArea) -> bool:
    viewport = area.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def test_thirty_options_fit_with_the_special_answers_on_screen(qtbot, window: MainWindow
                                                              ) -> None:
    page = window.interview_page
    assert window.width() <= 1024 and window.height() <= 700
    rows = page.answer_widget.rows
    # every option shows its number, 10 to 30 too
    assert [n.text() for n in rows.number_labels] == [str(i) for i in range(1, 31)]
    page_area = rows._page_scroll()
    assert page_area is not None

    def settled() -> bool:  # the page itself needs no scrolling: the list fitted itself
        return page_area.verticalScrollBar().maximum() == 0

    qtbot.waitUntil(settled)
    for button in page.special_buttons.values():
        assert button.isVisible() and on_screen(button, page_area)
    assert rows.area.verticalScrollBar().maximum() > 0  # the options scroll in their own area


def test_two_digit_keys_pick_options_past_nine(qtbot, window: MainWindow) -> None:
    page = window.interview_page
    numbers = page.answer_widget.rows.numbers
    numbers.timer.setInterval(60_000)  # the pause never ends in this test: only keys count
    page.answer_widget.focus_first()
    press(qtbot, window, "12")
    assert answer(window) == "opt12"
    press(qtbot, window, "4")  # no option 40 or more: 4 is picked at once
    assert answer(window) == "opt04"
    press(qtbot, window, "30")
    assert answer(window) == "opt30"
    press(qtbot, window, "1")  # could be 10-19: waits ...
    assert answer(window) == "opt30" and numbers.pending == "1"
    assert page.answer_widget.rows.status.text().startswith("Option 1")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)  # ... Enter picks 1
    assert answer(window) == "opt01" and page.view.key == "job"  # and stays on the item
    press(qtbot, window, "٢٥")  # Arabic-Indic digits are digits
    assert answer(window) == "opt25"
    numbers.timer.setInterval(10)
    press(qtbot, window, "2")  # alone: picked when the pause ends
    qtbot.waitUntil(lambda: answer(window) == "opt02")


def test_typing_letters_filters_in_either_language(qtbot, window: MainWindow) -> None:
    page = window.interview_page
    rows = page.answer_widget.rows
    page.answer_widget.focus_first()
    press(qtbot, window, "far")  # typed on an option: goes to the filter
    assert window.focusWidget() is rows.filter and rows.filter.text() == "far"
    assert shown_labels(window) == ["Farm work", "Animal farm"]  # English (officer) labels
    assert "2 of 30" in rows.filter.accessibleDescription()
    rows.filter.setText("CAFE")  # case and accents do not matter
    assert shown_labels(window) == ["Café or restaurant"]
    assert [n.text() for n in rows.number_labels if n.isVisibleTo(rows)] == ["6"]
    qtbot.keyClick(rows.filter, Qt.Key.Key_Return)  # the only option shown: Enter picks it
    assert answer(window) == "opt06" and page.view.key == "job"
    rows.filter.setText("مصنع")  # Arabic matches inside words ("في مصنع", "مصنع طوب")
    assert shown_labels(window) == ["Factory work", "Brick kiln"]
    rows.filter.setText("xyz")
    assert rows.visible_buttons() == [] and rows.empty.isVisibleTo(rows)
    qtbot.keyClick(rows.filter, Qt.Key.Key_Escape)
    assert rows.filter.text() == "" and len(rows.visible_buttons()) == 30
    rows.filter.setText("far")
    rows.filter.setFocus()
    numbers = rows.numbers
    numbers.timer.setInterval(60_000)
    press(qtbot, window, "17")  # digits in the filter pick by number, even an option filtered out
    assert answer(window) == "opt17" and rows.filter.text() == ""


def test_word_starts_in_spaced_scripts_anywhere_in_others() -> None:
    from app.widgets.option_list import option_matches

    assert option_matches("far", "Farm work")
    assert option_matches("wor far", "Farm work")
    assert not option_matches("arm", "Farm work")  # not in the middle of a word
    assert option_matches("ферм", "Работа на ферме")
    assert option_matches("农", "农场工作") and option_matches("场工", "农场工作")
    assert option_matches("زراع", "عمل زراعي")
    assert option_matches("", "anything")


def test_options_are_named_by_their_label_in_both_languages(window: MainWindow) -> None:
    buttons = window.interview_page.answer_widget.rows.buttons
    assert buttons[0].accessibleName() == "عمل زراعي (Farm work)"
    assert buttons[11].accessibleName() == "التعدين (Mining)"
    assert buttons[11].accessibleDescription() == "Option 12 of 30"
    assert not any(b.accessibleName()[:1].isdigit() for b in buttons)


def test_two_digit_keys_toggle_a_long_multiple_choice(qtbot, window: MainWindow) -> None:
    go_to(window, "help_with")
    page = window.interview_page
    page.answer_widget.rows.numbers.timer.setInterval(60_000)
    page.answer_widget.focus_first()
    press(qtbot, window, "11")
    press(qtbot, window, "3")
    assert answer(window, "help_with") == ["opt03", "opt11"]
    press(qtbot, window, "11")
    assert answer(window, "help_with") == ["opt03"]


def test_a_number_typed_with_the_focus_elsewhere_waits_on_its_option(
        qtbot, window: MainWindow) -> None:
    page = window.interview_page
    page.answer_widget.rows.numbers.timer.setInterval(60_000)
    page.special_buttons["dont_know"].setFocus()
    press(qtbot, window, "1")  # the page hands the digit to the list: it may start 10-19
    assert window.focusWidget() is page.answer_widget.rows.buttons[0]
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)  # picks 1, does not go on
    assert answer(window) == "opt01" and page.view.key == "job"
    press(qtbot, window, "0")  # a lone 0 picks nothing ...
    press(qtbot, window, "7")  # ... but starts "07"
    assert answer(window) == "opt07"
