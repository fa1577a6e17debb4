"""Review: answers by section; an edit re-evaluates relevance and the review says what
changed; indicators and the outcome are shown; a finished interview is read-only."""

from __future__ import annotations

from pathlib import Path

from guihelp import create_store, make_window, start_interview, unlock
from PySide6.QtCore import Qt

from app.windows.review_page import KEY_ROLE


def rows(review) -> dict[str, tuple[str, str]]:
    out = {}
    for i in range(review.tree.topLevelItemCount()):
        section = review.tree.topLevelItem(i)
        for j in range(section.childCount()):
            item = section.child(j)
            out[item.data(0, KEY_ROLE)] = (item.text(1), item.text(2))
    return out


def test_edit_from_review_reevaluates_and_shows_changes(qtbot, data_dir: Path) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    start_interview(qtbot, window, "safety_triage", respondent="en", officer="en")
    page = window.interview_page
    choices = {"dependants": 1, "dependants_safe": 2}  # yes; then "are they safe?" no
    page.go_next()
    for _step in range(100):  # bounded: a changed instrument must fail, not hang
        if window.stack.currentWidget() is not page:
            break
        if page.view.key in choices:
            page.answer_widget.choose(choices[page.view.key])
        elif page.answer_widget is not None:
            page.answer_widget.choose(2)
        page.go_next()
    review = window.review_page
    before = rows(review)
    assert before["dependants_safe"][1] == "Answered"
    assert not review.changes.isVisible()
    flags_before = window.interview_vm.result_view().flags
    assert flags_before  # dependants at risk is flagged

    # change "dependants" to no: its follow-up is no longer asked (kept, not counted)
    item = next(review.tree.topLevelItem(i).child(j)
                for i in range(review.tree.topLevelItemCount())
                for j in range(review.tree.topLevelItem(i).childCount())
                if review.tree.topLevelItem(i).child(j).data(0, Qt.ItemDataRole.UserRole)
                == "dependants")
    review.tree.setCurrentItem(item)
    review.edit_button.click()
    assert window.stack.currentWidget() is page and page.view.key == "dependants"
    page.answer_widget.choose(2)
    page.review_button.click()
    assert window.stack.currentWidget() is review
    after = rows(review)
    assert after["dependants"][1].startswith("Changed")
    assert "No longer asked" in after["dependants_safe"][1]
    assert review.changes.isVisible()
    assert "no longer asked" in review.changes.label.text()
    assert window.interview_vm.result_view().flags != flags_before

    review.finish()
    assert window.stack.currentWidget() is window.referral_page
    window.go_review(window.interview_vm.interview_id if window.interview_vm else
                     window.app_vm.store.interviews.list(window.referral_vm.case_id)[0].id)
    assert not review.finish_button.isVisible() and not review.edit_button.isEnabled()


def test_stopping_early_keeps_the_answers_and_records_why(qtbot, data_dir: Path,
                                                          monkeypatch) -> None:
    from app.windows import dialogs

    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    interview_id = start_interview(qtbot, window, "safety_triage")
    page = window.interview_page
    page.go_next()
    page.answer_widget.choose(2)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "The person was tired")
    page.stop_button.click()
    assert window.stack.currentWidget() is window.review_page
    ctx = window.app_vm.store.context.get(interview_id)
    assert ctx.stopped_early and ctx.stopped_reason == "The person was tired"
    # the first answer (safety_triage 2.0.0 starts with the officer's interpreter check)
    assert window.interview_vm.session.answers["obs_interpreter"].value == "no"
