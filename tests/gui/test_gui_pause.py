"""The pause screen shows nothing about the person, the case or the interview (issue #14).

Before: under "Nothing about the person is shown while paused." the red urgent banner, the
questionnaire's title, the case reference and the section stayed on screen, and "Back to
the case list" then showed every person's full name.
"""

from __future__ import annotations

from pathlib import Path

from guihelp import CANARY_NAME, create_store, key, make_window, start_interview, unlock
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QWidget

from app import demo
from app.viewmodels.case_list_model import MASKED_NAME
from app.windows.main_window import MainWindow
from screening.casework.preferences import CaseListNames

CTRL = Qt.KeyboardModifier.ControlModifier
NOTE = "CANARY-PII-note about the room"
OTHER_NAME = "CANARY-PII-Amara Okonkwo"


def _texts_of(widget: QWidget) -> list[str]:
    parts = [widget.windowTitle(), widget.toolTip(), widget.accessibleName(),
             widget.accessibleDescription(), widget.statusTip(), widget.whatsThis()]
    for attr in ("text", "toPlainText", "placeholderText"):
        getter = getattr(widget, attr, None)
        if callable(getter):
            try:
                parts.append(str(getter()))
            except TypeError:
                pass
    if isinstance(widget, QComboBox):
        parts += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        root = QModelIndex()
        try:
            columns = model.columnCount(root)
        except TypeError:  # a list model: one column (its columnCount is private)
            columns = 1
        for r in range(model.rowCount(root)):
            for c in range(columns):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                             Qt.ItemDataRole.AccessibleTextRole):
                    parts.append(str(model.index(r, c).data(role) or ""))
    return parts


def _accessible_texts(window: QWidget) -> list[str]:
    """Everything a screen reader can reach from the window."""
    out: list[str] = []
    todo = [QAccessible.queryAccessibleInterface(window)]
    while todo:
        node = todo.pop()
        if node is None or not node.isValid():
            continue
        if node.state().invisible:
            continue
        for kind in (QAccessible.Text.Name, QAccessible.Text.Description,
                     QAccessible.Text.Value, QAccessible.Text.Help):
            out.append(node.text(kind))
        todo += [node.child(i) for i in range(node.childCount())]
    return out


def on_screen(window: MainWindow) -> str:
    """What anyone looking at the screen, or a screen reader, can get from the app now."""
    parts = [window.windowTitle()]
    for widget in QApplication.allWidgets():
        if widget.isVisible():
            parts += _texts_of(widget)
    parts += _accessible_texts(window)
    return "\n".join(p for p in parts if p)


def _interview_with_a_flag(qtbot, window: MainWindow) -> dict[str, list[str]]:
    """Demo interview (Arabic for the person, English for the officer) up to the observation
    item, after "in danger now": yes. Returns what must not show while paused."""
    start_interview(qtbot, window, demo.DEMO_ID, respondent="ar", officer="en")
    page = window.interview_page
    vm = window.interview_vm
    while page.view.key != "danger_now":
        if page.view.answerable and page.view.choices:
            page.answer_widget.choose(1)
        elif page.view.key == "hours":
            page.answer_widget.edit.setText("9")
            page._edited()
        elif page.view.key == "arrival":
            page.answer_widget.edit.setText("2026-01-15")
            page._edited()
        elif page.view.answerable:
            page.answer_widget.edit.setText("Synthetic answer")
            page._edited()
        page.go_next()
    seen = {"questions": []}
    seen["questions"] += [page.view.respondent_text, page.view.officer_text]
    page.answer_widget.choose(1)  # yes: the urgent flag
    page.go_next()
    # a later screen: the flag stays as the compact marker in the officer's panel
    assert page.view.key == "obs_fearful" and page.question.flag_marker.isVisible()
    page.note_button.setChecked(True)
    page.note.setPlainText(NOTE)  # typed, not saved yet
    seen["questions"] += [page.view.officer_text]
    seen["case"] = [vm.case_reference, vm.title, CANARY_NAME, NOTE,
                    *(s.title for s in vm.sections())]
    seen["flags"] = [text for f in vm.flags() for text in (f.label, f.message)]
    seen["app"] = ["FieldScreen"]
    before = on_screen(window)
    for group, texts in seen.items():
        assert any(t in before for t in texts), group  # the walk does find them unpaused
    return seen


def test_paused_screen_shows_nothing_and_resumes_on_the_same_item(qtbot,
                                                                    data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    seen = _interview_with_a_flag(qtbot, window)
    interview_id = window.interview_vm.interview_id

    key(qtbot, window, Qt.Key.Key_P, CTRL)
    assert window.stack.currentWidget() is window.pause_screen
    shown = on_screen(window)
    for group, texts in seen.items():
        for text in texts:
            assert text not in shown, (group, text)
    assert window.windowTitle()  # never empty: Qt would put the app's name there
    # the typed note was saved and the pause recorded before anything was emptied
    store = window.app_vm.store
    assert window.interview_vm.session.answers["obs_fearful"].note == NOTE
    assert store.context.get(interview_id).breaks == 1
    key(qtbot, window, Qt.Key.Key_1)  # keys do nothing while paused
    assert "obs_fearful" not in window.interview_vm.session.answers or (
        window.interview_vm.session.answers["obs_fearful"].value is None)

    key(qtbot, window, Qt.Key.Key_P, CTRL)  # Ctrl+P again: the same item, flag and note
    page = window.interview_page
    assert window.stack.currentWidget() is page and page.view.key == "obs_fearful"
    assert page.question.flag_marker.isVisible() and page.note.toPlainText() == NOTE
    assert window.windowTitle() == "FieldScreen" and window.header.isVisible()


def test_panic_key_pauses_from_anywhere_and_never_uncovers(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    window.app_vm.set_panic_key("F9")  # Settings > General
    window.guard.arm()
    start_interview(qtbot, window, demo.DEMO_ID, respondent="en", officer="en")
    dialog = window.cases_page.new_case()  # any dialog: closed by the panic key
    dialog.name.setText(OTHER_NAME)
    dialog.name.setFocus()
    key(qtbot, window, Qt.Key.Key_F9)
    assert window.stack.currentWidget() is window.pause_screen and not dialog.isVisible()
    assert OTHER_NAME not in on_screen(window) and CANARY_NAME not in on_screen(window)
    key(qtbot, window, Qt.Key.Key_F9)  # pressed again: stays hidden
    assert window.stack.currentWidget() is window.pause_screen
    window.pause_screen.resume_button.click()
    assert window.stack.currentWidget() is window.interview_page
    assert window.interview_page.view.key == "intro"


def test_back_to_the_case_list_masks_names(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    start_interview(qtbot, window, demo.DEMO_ID, name=OTHER_NAME)
    window.go_cases()
    start_interview(qtbot, window, demo.DEMO_ID)  # the case of CANARY_NAME
    case_id = window.interview_vm.case_id
    window.interview_page.pause_button.click()
    assert window.stack.currentWidget() is window.pause_screen
    window.pause_screen.leave_button.click()
    cases = window.cases_page
    assert window.stack.currentWidget() is cases and window.windowTitle() == "FieldScreen"
    cases.select_case(case_id)
    assert cases.vm.model.rowCount() == 2
    shown = on_screen(window)
    assert MASKED_NAME in shown
    assert CANARY_NAME not in shown and OTHER_NAME not in shown

    cases.names_button.click()  # "Show names": the officer is alone again
    assert CANARY_NAME in on_screen(window) and OTHER_NAME in on_screen(window)
    window.go_cases()
    assert OTHER_NAME in on_screen(window)  # until the next interview opens
    cases.select_case(case_id)
    cases._open_interview()
    window.go_cases()
    assert OTHER_NAME not in on_screen(window)


def test_names_setting(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    window.app_vm.set_case_list_names(CaseListNames.SHOWN)
    start_interview(qtbot, window, demo.DEMO_ID)
    window.go_cases()
    assert CANARY_NAME in on_screen(window)
    window.app_vm.set_case_list_names(CaseListNames.HIDDEN)
    window.cases_page.names_button.click()  # hide them now
    window.go_cases()
    assert CANARY_NAME not in on_screen(window)
