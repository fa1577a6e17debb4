"""The respondent view and the two-person interview screen (issue #14).

Before: one screen for two people. The officer's observation item ("Does the person seem
afraid of someone nearby?") was the largest text on it, the red urgent banner stayed on every
later screen, "Prefer not to answer" / "Don't know" were in the officer's language only, and
the two entries of a repeat looked identical. There was no window for the person alone.
"""

from __future__ import annotations

from pathlib import Path

from guihelp import CANARY_NAME, key, start_interview
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from respondenthelp import (
    OFFICER_ONLY,
    RV_ID,
    accessible_texts,
    answer,
    rv_window,
    widget_texts,
)
from shiboken6 import isValid

from app.windows.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
RTL = Qt.LayoutDirection.RightToLeft
LTR = Qt.LayoutDirection.LeftToRight
REFUSED_AR = "أفضّل عدم الإجابة"  # the Arabic catalog's "Prefer not to answer"


def _again(qtbot, window: MainWindow, respondent: str, officer: str):  # type: ignore[no-untyped-def]
    """Back to the case list, and a second interview in other languages."""
    window.go_cases()
    start_interview(qtbot, window, RV_ID, respondent=respondent, officer=officer,
                    name="Second Synthetic Person")
    return window.interview_page


def _open_view(qtbot, window: MainWindow):  # type: ignore[no-untyped-def]
    key(qtbot, window, Qt.Key.Key_R, CTRL | SHIFT)
    page = window.interview_page
    assert page.respondent_button.isChecked()
    person = page.respondent.window
    assert person is not None and person.isVisible() and person.isWindow()
    return person


def test_the_persons_window_shows_their_language_only_over_a_whole_interview(
        qtbot, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page, vm = window.interview_page, window.interview_vm
    person = _open_view(qtbot, window)
    assert person.layoutDirection() == RTL
    never = [*OFFICER_ONLY, CANARY_NAME, vm.case_reference, vm.title, "Prefer not to answer",
             "Don't know"]

    def check(view) -> None:  # type: ignore[no-untyped-def]
        shown = "\n".join(widget_texts(person) + accessible_texts(person))
        officer = [view.officer_text, view.guidance, *(c.officer for c in view.choices)]
        for text in [*never, *officer]:
            assert not text or text not in shown, (view.key, text)

    walked = []
    for _step in range(40):  # bounded: a changed walk must fail, not hang
        if window.stack.currentWidget() is not page:
            break
        view = page.view
        walked.append(view.key)
        check(view)
        if view.officer_only:  # the observation, the count: "please wait", nothing else
            assert person.wait.isVisible()
            assert person.wait.text() == vm.in_respondent_language("Please wait a moment")
            assert not person.question.isVisible() and not person.option_buttons
        else:
            assert person.question.isVisible() and person.question.text() == view.respondent_text
            assert view.respondent_text in accessible_texts(person)
            assert [b.text() for b in person.option_buttons] == [c.respondent
                                                                 for c in view.choices]
        if view.specials and not view.officer_only:
            assert person.special_buttons["refused"].text() == REFUSED_AR
        # the person answers on their screen; it is saved through the same view-model
        if view.key == "work":
            person.option_buttons[1].click()
            assert vm.session.answers["work"].value == "home"
            assert page.answer_widget.value() == "home"  # the officer sees it at once
        elif view.key == "needs":
            person.option_buttons[0].click()
            person.option_buttons[1].click()
            assert vm.session.answers["needs"].value == ["doctor", "sleep"]
            assert page.answer_widget.value() == ["doctor", "sleep"]
        elif view.key == "child[2].child_school":
            person.special_buttons["dont_know"].click()
            assert vm.session.answers[view.key].special == "dont_know"
            assert page.special_buttons["dont_know"].isChecked()
            assert person.special_buttons["dont_know"].isChecked()
        elif view.key == "danger":
            person.option_buttons[0].click()  # "yes": the urgent flag
            assert vm.flags() and page.urgent.isVisible()
            check(view)  # the flag shows on the officer's screen only
        else:
            answer(page)
            if view.choices and not view.officer_only:  # the officer's choice shows there
                assert person.option_buttons[0].isChecked()
        page.go_next()
    assert walked[:3] == ["work", "n_children", "child[1].child_school"]
    assert "child[3].child_school" in walked and walked[-1] == "obs"
    # the review (answers, indicators, the outcome) is the officer's: the window goes blank
    assert window.stack.currentWidget() is window.review_page
    assert widget_texts(person) == [] and accessible_texts(person) == []
    window.interview_page.retranslate()  # a language change under the review: still blank
    assert widget_texts(person) == []
    assert person.isVisible()
    person.close()  # closed on its own screen: the officer's button follows
    assert not window.interview_page.respondent_button.isChecked()
    assert window.interview_page.respondent.window is None


def test_pause_panic_and_lock_make_the_persons_window_neutral_at_once(
        qtbot, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page = window.interview_page
    person = _open_view(qtbot, window)
    question = page.view.respondent_text
    assert question in widget_texts(person)

    key(qtbot, window, Qt.Key.Key_P, CTRL)  # pause
    assert window.stack.currentWidget() is window.pause_screen
    assert widget_texts(person) == [] and accessible_texts(person) == []
    assert person.isVisible() and person.windowTitle().strip() == ""
    key(qtbot, window, Qt.Key.Key_P, CTRL)  # back: the same question on both screens
    assert person.question.text() == question and page.view.key == "work"

    window.app_vm.set_panic_key("F9")
    window.guard.arm()
    person.option_buttons[0].setFocus()  # a key pressed on the person's screen counts too
    key(qtbot, window, Qt.Key.Key_F9)
    assert window.stack.currentWidget() is window.pause_screen
    assert widget_texts(person) == []
    window.pause_screen.resume_button.click()
    assert person.question.text() == question

    key(qtbot, window, Qt.Key.Key_L, CTRL)  # lock: the window closes with the store
    assert window.stack.currentWidget() is window.unlock_page
    assert page.respondent.window is None and not page.respondent_button.isChecked()
    assert not isValid(person) or not person.isVisible()


def test_officer_only_material_is_separate_and_subdued(qtbot, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page, vm = window.interview_page, window.interview_vm
    question = page.question
    panel = question.officer_box
    assert question.officer_heading.text() == "For you only – do not read aloud"
    # guidance: in the officer's panel, smaller than the question, in the muted colour
    assert panel.isAncestorOf(question.guidance) and question.guidance.isVisible()
    assert "GUIDANCE-CANARY" in question.guidance.text()
    assert question.guidance.font().pointSizeF() < question.respondent_text.font().pointSizeF()
    normal = question.officer_text.palette().color(question.officer_text.foregroundRole())
    assert question.guidance.palette().color(question.guidance.foregroundRole()) != normal
    assert not panel.isAncestorOf(question.respondent_text)

    # an urgent flag: the big banner on the screen that raised it, then a compact marker
    vm.jump("danger")
    page.answer_widget.choose(1)
    assert page.urgent.isVisible() and "FLAG-CANARY in danger" in page.urgent.label.text()
    assert not question.flag_marker.isVisible()
    page.go_next()
    assert page.view.key == "obs"
    assert not page.urgent.isVisible()
    assert question.flag_marker.isVisible() and panel.isAncestorOf(question.flag_marker)
    assert "FLAG-CANARY in danger" in question.flag_marker.text()
    assert "+00 123" in question.flag_marker.text()  # the helpline stays at hand

    # the observation: in the officer's panel with its answer, not the largest text
    assert panel.isAncestorOf(question.officer_text) and question.officer_text.isVisible()
    assert question.officer_text.text().startswith("OBSERVATION-CANARY")
    assert question.observation.isVisible() and panel.isAncestorOf(page.answer_widget)
    assert panel.isAncestorOf(page.special_buttons["dont_know"])
    shown = [w for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton)
             if w.isVisible() and w.text()]
    largest = max(w.font().pointSizeF() for w in shown)
    assert question.officer_text.font().pointSizeF() < largest
    assert not question.respondent_text.isVisible()
    assert question.respondent_wait.text() == vm.in_respondent_language("Please wait a moment")
    assert page.note_button.isVisible() and panel.isAncestorOf(page.note_button)


def test_special_answers_in_the_persons_language_with_the_officers_below(
        qtbot, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page = window.interview_page
    refused = page.special_buttons["refused"]
    assert refused.main.text() == REFUSED_AR and refused.main.layoutDirection() == RTL
    assert refused.sub.isVisible() and refused.sub.text() == "Prefer not to answer"
    assert refused.sub.font().pointSizeF() < refused.main.font().pointSizeF()
    assert refused.accessibleName() == f"{REFUSED_AR} (Prefer not to answer)"
    refused.click()
    assert window.interview_vm.session.answers["work"].special == "refused"

    refused = _again(qtbot, window, "en", "en").special_buttons["refused"]
    assert refused.main.text() == "Prefer not to answer" and not refused.sub.isVisible()


def _to_entry(page, entry: int) -> None:  # type: ignore[no-untyped-def]
    page.vm.answer("n_children", 3)
    page.vm.jump(f"child[{entry}].child_school")


def test_repeat_entries_say_which_entry_on_both_sides(qtbot, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page = window.interview_page
    person = _open_view(qtbot, window)
    _to_entry(page, 2)
    view = page.view
    assert (view.entry, view.entry_total) == (2, 3)
    assert page.question.officer_entry.text() == "Child 2 of 3"
    assert page.question.officer_entry.isVisible()
    arabic = page.question.respondent_entry.text()
    assert "طفل" in arabic and "2" in arabic and "3" in arabic and "Child" not in arabic
    assert person.entry.text() == arabic and person.entry.isVisible()
    page.go_next()
    assert page.question.officer_entry.text() == "Child 3 of 3"
    page.go_next()  # out of the repeat: no entry line
    assert not page.question.officer_entry.isVisible() and not person.entry.isVisible()

    page = _again(qtbot, window, "en", "en")
    _to_entry(page, 1)
    assert page.question.respondent_entry.text() == "Child 1 of 3"


def test_the_answer_column_follows_the_persons_direction(qtbot, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en", ui="en")
    page = window.interview_page
    QApplication.processEvents()
    question = page.question
    assert question.answer_area.layoutDirection() == RTL
    assert page.answer_widget.layoutDirection() == RTL

    def right(widget) -> int:  # type: ignore[no-untyped-def]
        return widget.mapTo(page, widget.rect().topRight()).x()

    # the options start under the right-aligned question, not at the far side of the page
    first = page.answer_widget.rows.buttons[0]
    assert abs(right(page.answer_widget) - right(question.respondent_text)) <= 4
    assert right(first) > question.respondent_box.mapTo(page, question.respondent_box.rect()
                                                        .center()).x()
    # the English labels beside the Arabic options keep to one line
    for label in page.answer_widget.rows.officer_labels:
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), label.text()

    assert _again(qtbot, window, "en", "ar").question.answer_area.layoutDirection() == LTR


def test_the_keyboard_stays_with_the_officer(qtbot, data_dir: Path) -> None:
    """Opening the person's window, or the person tapping an option there, never takes the
    keyboard from the officer: digit keys and Enter still answer and go on."""
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page = window.interview_page
    before = QApplication.focusWidget()
    person = _open_view(qtbot, window)
    assert not person.focusPolicy() & Qt.FocusPolicy.TabFocus
    focus = QApplication.focusWidget()
    assert focus is not None and focus.window() is window and focus is before
    assert person.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    while page.view is not None and not person.option_buttons:
        page.go_next()
    assert person.option_buttons, "no choice item in the test questionnaire"
    first = page.view.key if page.view is not None else None
    qtbot.mouseClick(person.option_buttons[0], Qt.MouseButton.LeftButton)
    focus = QApplication.focusWidget()
    assert focus is not None and focus.window() is window
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus
               for b in [*person.option_buttons, *person.special_buttons.values()])
    key(qtbot, window, Qt.Key.Key_Return)  # Enter on the officer's side goes on
    qtbot.waitUntil(lambda: page.view is not None and page.view.key != first)


def test_a_long_list_on_the_persons_window_is_numbered_and_shows_the_choice(
        qtbot, data_dir: Path) -> None:
    """Thirty options: the person sees each one's number (so they can say "13"), and the
    option chosen on the officer's side is scrolled into the person's view."""
    from widgethelp import JOBS, go_to, open_widgets_interview

    window = open_widgets_interview(qtbot, data_dir, size=(1366, 768))
    person = _open_view(qtbot, window)
    person.resize(1366, 768)
    go_to(window, "job")
    buttons = person.option_buttons
    assert len(buttons) == len(JOBS) > 9
    assert buttons[12].text().startswith("13 ") and JOBS[12][1] in buttons[12].text()
    assert buttons[0].accessibleName() == JOBS[0][1]  # the name stays the label itself
    vm = window.interview_vm
    assert vm is not None
    vm.answer("job", "opt28", None)
    qtbot.waitUntil(lambda: buttons[27].isChecked())
    bar = person.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() > 0)
    top = buttons[27].mapTo(person.scroll_area.viewport(), buttons[27].rect().topLeft()).y()
    assert 0 <= top < person.scroll_area.viewport().height()


def test_an_error_shows_beside_the_answer_on_the_persons_side(qtbot, data_dir: Path) -> None:
    """English officer, Arabic person: the answer sits on the right, and so does the
    officer's error message under it (it was at the far left, across the screen)."""
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    error = window.interview_page.error
    assert error.alignment() & Qt.AlignmentFlag.AlignRight
    assert error.alignment() & Qt.AlignmentFlag.AlignAbsolute
    assert error.layoutDirection() == LTR  # the officer's English reads left to right
