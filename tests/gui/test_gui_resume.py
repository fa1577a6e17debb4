"""Closing the app mid-interview loses nothing; the draft resumes exactly where it stopped."""

from __future__ import annotations

from pathlib import Path

from guihelp import create_store, make_window, start_interview, unlock

from app import demo


def test_resume_after_closing_mid_interview(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    interview_id = start_interview(qtbot, window, demo.DEMO_ID, respondent="ru", officer="en")
    page = window.interview_page
    page.go_next()  # the introduction
    assert page.answer_widget.choose(3)  # work_type: factory
    page.go_next()
    page.answer_widget.edit.setText("9")  # hours: typed, not yet saved by the timer
    page._edited()
    page.go_next()
    assert page.view.key == "work_story"
    page.answer_widget.edit.setText("Typed just before the window closed")
    page._edited()  # the autosave timer has not fired: closing must still save it
    case_id = window.interview_vm.case_id
    window.close()
    assert window.app_vm.store is None

    again = make_window(qtbot, data_dir)
    assert again.stack.currentWidget() is again.unlock_page
    unlock(qtbot, again)
    again.cases_page.refresh(case_id)
    qtbot.waitUntil(lambda: again.cases_page.detail is not None)
    assert again.cases_page.resume_button.isEnabled()
    again.cases_page.resume_button.click()
    assert again.stack.currentWidget() is again.interview_page
    assert again.interview_vm.interview_id == interview_id
    view = again.interview_page.view
    assert view.key == "work_story"  # exactly where it stopped
    assert again.interview_page.answer_widget.edit.text() == "Typed just before the window closed"
    answers = again.interview_vm.session.answers
    assert answers["work_type"].value == "factory"
    assert answers["hours"].value == 9
    again.interview_page.go_back()
    assert again.interview_page.view.key == "hours"
    assert again.interview_page.answer_widget.edit.text() == "9"
