"""Dates in the interview (issue #14): a year, a month or a day, "approximately", read back to
the officer as understood; a date in the Persian calendar where the instrument says so, with
the Gregorian days beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from widgethelp import go_to, open_widgets_interview

from app.windows.main_window import MainWindow
from screening.i18n.bidi import plain


@pytest.fixture
def window(qtbot, data_dir: Path) -> MainWindow:
    return open_widgets_interview(qtbot, data_dir)


def stored(win: MainWindow, key: str) -> object:
    record = win.interview_vm.session.answers.get(key)
    return record.value if record else None


def type_date(win: MainWindow, text: str) -> None:
    widget = win.interview_page.answer_widget
    widget.edit.setText(text)
    widget.edit.textEdited.emit(text)  # as typing does


def test_a_month_or_an_approximate_year_is_an_answer(window: MainWindow) -> None:
    go_to(window, "arrival")
    page = window.interview_page
    widget = page.answer_widget
    type_date(window, "2025-02")
    assert plain(widget.reading.text()) == "February 2025"  # what the app understood
    page.go_next()
    assert stored(window, "arrival") == {"value": "2025-02", "precision": "month",
                                         "approximate": False}
    go_to(window, "arrival")
    widget = page.answer_widget
    assert widget.edit.text() == "2025-02" and not widget.approximate.isChecked()
    type_date(window, "2023")
    widget.approximate.setChecked(True)
    assert plain(widget.reading.text()) == "about 2023"
    page.go_next()
    assert stored(window, "arrival") == {"value": "2023", "precision": "year",
                                         "approximate": True}
    go_to(window, "arrival")
    assert page.answer_widget.approximate.isChecked()


def test_words_that_are_not_a_date_are_refused_with_the_forms_it_takes(
        window: MainWindow) -> None:
    go_to(window, "arrival")
    page = window.interview_page
    type_date(window, "last winter")
    assert page.answer_widget.reading.text() == ""
    page.go_next()
    assert page.view.key == "arrival" and stored(window, "arrival") is None
    assert "YYYY-MM-DD, YYYY-MM or YYYY" in page.error.text()


def test_a_persian_date_shows_the_gregorian_beside_it(window: MainWindow) -> None:
    go_to(window, "job_start")
    page = window.interview_page
    widget = page.answer_widget
    assert widget.calendar.currentData() == "persian"  # the instrument's calendar first
    type_date(window, "1403-11-26")
    assert "Feb 14, 2025" in plain(widget.reading.text())
    assert "Persian calendar" in plain(widget.reading.text())
    page.go_next()
    assert stored(window, "job_start") == {"value": "2025-02-14", "precision": "day",
                                           "approximate": False, "calendar": "persian",
                                           "given": "1403-11-26"}
    go_to(window, "job_start")  # shown again as it was given
    widget = page.answer_widget
    assert widget.edit.text() == "1403-11-26" and widget.calendar.currentData() == "persian"
    # the person knows the Gregorian date: the officer switches the calendar
    widget.calendar.setCurrentIndex(widget.calendar.findData("gregorian"))
    type_date(window, "2025-02-14")
    page.go_next()
    assert stored(window, "job_start") == "2025-02-14"
