"""What a screenshot review of issue #14's screens found, in every UI language: a number
question floating mid-screen in the person's window, the officer's translation of an option
wrapping in a narrow column, a successful encrypted PDF followed by what looked like an error,
a directory table squeezed to one row in Arabic, raw contact codes ("phone:"), "(←+Alt)" on
the Arabic Back button, a case's interview line cut off sideways, and catalog nits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from guihelp import PASSPHRASE, create_store, make_window, start_interview, unlock
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QWidget
from respondenthelp import rv_window

from app import demo
from app.qt_i18n import available_ui_languages, language_name, ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.widgets.option_list import MIN_ROWS
from app.windows import dialogs
from app.windows.interview_page import InterviewPage
from app.windows.referral_page import ReferralPage
from screening.i18n.bidi import LRI, PDI, has_direction
from screening.paths import resource_path
from screening.store import PersonInfo
from tests.factories import stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
GOOD = "lantern orchard velvet 2031 bay"  # 32 characters at most: PDF readers
SIZES = [(1366, 768), (1024, 700)]


# -- 1. the person's window: the question right under its header ----------------------------
@pytest.mark.parametrize("respondent", ["ar", "ru"])
def test_a_number_question_stays_at_the_top_of_the_persons_window(
        qtbot: Any, data_dir: Path, respondent: str) -> None:
    window = rv_window(qtbot, data_dir, respondent=respondent, officer="en")
    page = window.interview_page
    page.respondent.set_on(True)
    person = page.respondent.window
    assert person is not None
    person.resize(1366, 768)
    page.jump_to("n_children")  # a number: no options below the question
    qtbot.waitUntil(lambda: person.question.isVisible())
    qtbot.wait(50)
    question = person.question
    top = person.layout().contentsMargins().top()
    # right under the (empty) header, not halfway down; and no taller than its text
    assert question.y() <= top + 10, question.geometry()
    assert question.height() <= question.sizeHint().height() + 4
    specials = [b for b in person.special_buttons.values() if b.isVisible()]
    assert specials and all(b.y() > question.y() + question.height() for b in specials)


# -- 2. long lists: the translation has room; the list is the only scrolling area ------------
class _Shown(QObject):
    """Notes every scroll bar of the page's own scroll area that is ever shown."""

    def __init__(self, area: QScrollArea) -> None:
        super().__init__()
        self.seen: list[str] = []
        for bar in (area.verticalScrollBar(), area.horizontalScrollBar()):
            bar.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.seen.append(watched.objectName() or str(watched))
        return False


def _page_area(page: InterviewPage) -> QScrollArea:
    widget = page.question.parentWidget()
    while not isinstance(widget, QScrollArea):
        assert widget is not None
        widget = widget.parentWidget()
    return widget


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("ui", ["en", "ru"])
def test_the_officers_translation_of_an_option_has_room_and_only_the_list_scrolls(
        qtbot: Any, data_dir: Path, ui: str, size: tuple[int, int]) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir, ui)
    window.resize(*size)
    unlock(qtbot, window)
    start_interview(qtbot, window, demo.DEMO_ID, respondent="ar", officer=ui)
    page = window.interview_page
    page.go_next()
    page.answer_widget.choose(4)  # "Other work": the 30-option list follows
    shown = _Shown(_page_area(page))
    page.go_next()
    assert page.view is not None and page.view.key == "work_kind"
    rows = page.answer_widget.rows
    qtbot.waitUntil(lambda: rows.area.height() > rows._rows_height(MIN_ROWS))  # fitted
    qtbot.wait(100)
    assert shown.seen == []  # the page never showed a scroll bar of its own
    assert rows.area.verticalScrollBar().isVisible()  # the options scroll in their area
    line = rows.officer_labels[0].fontMetrics().height()
    for label in rows.officer_labels[:12]:  # "Fishing or work on a boat" on one line
        assert label.heightForWidth(label.width()) < 1.6 * line, label.text()
    # the Arabic rows start on the right: the translation sits beside its option there
    assert rows.officer_labels[0].alignment() & Qt.AlignmentFlag.AlignRight


# -- 3. after an encrypted PDF: what was written, and no error-looking status ----------------
@pytest.fixture
def referral(qtbot: Any, data_dir: Path) -> Any:
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    done = stored_interview(vm.workspace, "adult_indicators", ANSWERS, lang="en",
                            person=PersonInfo(name="Synthetic Person-Review"),
                            scope=("screening", "referral"))
    page = ReferralPage(ReferralViewModel(vm))
    qtbot.addWidget(page)
    page.resize(1366, 733)  # the main window's page area at 1366x768
    page.show()
    page.open(str(done["case_id"]))
    yield page
    vm.shutdown()


def test_an_encrypted_pdf_says_so_and_the_status_is_not_an_error(
        qtbot: Any, referral: ReferralPage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    page = referral
    out = tmp_path / "referral.pdf"
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: out)
    page.protect.setChecked(True)
    page.password.setText(GOOD)
    page.password_confirm.setText(GOOD)
    with qtbot.waitSignal(page.vm.report_written, timeout=30_000):
        page.generate()
    result = page.result.text()
    assert "referral.pdf" in result and "password" in result and "Full report" in result
    status = page.pdf_password.status
    qtbot.wait(400)  # the strength check of the emptied fields has run
    assert status.text().startswith("✓") and "Type a password" not in status.text()
    page.password.setText("x")  # the officer starts another: the status is about that now
    assert not status.text().startswith("✓ PDF saved")


# -- 4. the directory keeps four rows, in every language -------------------------------------
@pytest.mark.parametrize("lang", available_ui_languages())
def test_the_referral_directory_shows_four_rows_in_every_language(
        qtbot: Any, referral: ReferralPage, lang: str) -> None:
    ui_language().set_language(lang)
    page = referral
    page.retranslate()
    page.directory.setCurrentCell(0, 0)  # its long notes below the table
    qtbot.wait(50)
    table = page.directory
    assert table.rowCount() >= 4
    visible = table.viewport().height() - table.horizontalScrollBar().height() * (
        table.horizontalScrollBar().isVisible())
    assert visible >= 4 * table.rowHeight(0) - 2, (lang, visible, table.rowHeight(0))
    assert page.height() <= 733


# -- 5. contact kinds in the UI language -----------------------------------------------------
@pytest.mark.parametrize("lang", ["ar", "ru"])
def test_contact_kinds_are_named_in_the_ui_language(qtbot: Any, referral: ReferralPage,
                                                    lang: str) -> None:
    ui_language().set_language(lang)
    page = referral
    page.retranslate()
    page._fill_directory()
    contacts = [page.directory.item(r, 3).text()  # type: ignore[union-attr]
                for r in range(page.directory.rowCount())]
    for code in ("phone:", "text:", "relay:", "web:"):
        assert not any(code in c for c in contacts), code
    call = ui_language().gettext("Call")
    assert any(call in c for c in contacts)
    page.directory.setCurrentCell(0, 0)
    page._add()
    assert "phone:" not in page.chosen.item(0, 1).text()  # type: ignore[union-attr]
    # what is stored (and what the CLI prints) keeps the codes scripts read
    assert page.vm.records()[0].contacts.startswith("phone: ")


# -- 6. shortcut keys in right-to-left button texts -------------------------------------------
def test_shortcut_keys_read_left_to_right_on_arabic_buttons(qtbot: Any, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="ar", ui="ar")
    back = window.interview_page.back_button
    assert f"{LRI}Alt+←{PDI}" in back.text()
    assert LRI not in back.accessibleName()
    checked = 0
    for button in window.findChildren(QAbstractButton):
        text = button.text()
        if ("Ctrl+" in text or "Alt+" in text) and has_direction(text, "rtl"):
            checked += 1
            assert LRI in text and PDI in text, text
    assert checked >= 4  # Back, Pause, Lock, Show to the person


# -- 7. the case's interviews: no sideways scrolling ------------------------------------------
@pytest.mark.parametrize("ui", ["en", "ru", "ar"])
def test_a_cases_interview_line_wraps_instead_of_scrolling_sideways(
        qtbot: Any, data_dir: Path, ui: str) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir, ui)
    unlock(qtbot, window)
    start_interview(qtbot, window, demo.DEMO_ID, respondent="en", officer="en")
    assert window.interview_vm is not None
    window.go_cases(window.interview_vm.case_id)
    page = window.cases_page
    qtbot.waitUntil(lambda: page.interviews.count() == 1)
    qtbot.wait(50)
    view = page.interviews
    item = view.item(0)
    assert not view.horizontalScrollBar().isVisible()
    assert view.visualItemRect(item).width() <= view.viewport().width()
    assert item.toolTip() == item.text() and "·" in item.text()


# -- 8. catalog nits and the passphrase tab ---------------------------------------------------
def test_language_names_and_catalog_wording() -> None:
    assert language_name("zh_Hans", "ru") == "Китайский (упрощённый)"
    ui_language().set_language("zh_Hans")
    back = ui_language().gettext("Back (Alt+Left)")
    assert "←" in back and "Left" not in back
    warning = ui_language().gettext(
        "Warning: {language} is a machine translation, not reviewed by a qualified translator. "
        "Check understanding with the person.").format(language="俄语")
    assert "俄语是" in warning


def test_no_gap_above_new_passphrase_again(qtbot: Any, data_dir: Path) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    dialog = window.open_settings()
    assert dialog is not None
    tab = dialog.security
    dialog.sections.setCurrentRow(dialog.pages.index(tab))
    qtbot.wait(50)

    def gap() -> int:
        new: QWidget = tab.new.edit
        again: QWidget = tab.confirm.edit
        return again.mapTo(tab, again.rect().topLeft()).y() - new.mapTo(
            tab, new.rect().bottomLeft()).y()

    first = tab.current.edit
    usual = tab.new.edit.mapTo(tab, tab.new.edit.rect().topLeft()).y() - first.mapTo(
        tab, first.rect().bottomLeft()).y()
    assert gap() <= usual + 2  # as between the first two fields
    tab.new.edit.setText("short")
    tab.new.check_now()
    assert tab.new.meter is not None and tab.new.meter.isVisible() and tab.new.meter.text()
