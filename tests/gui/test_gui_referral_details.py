"""The referral details tab (issue #15): every field reachable and labelled for the keyboard,
each answer saved when it is entered (a text still being typed when the page is left or the
app locks), a refused value explained under its field, nothing left on screen after a lock,
and the labels in the officer's language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from detailshelp import fill_details
from guihelp import PASSPHRASE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.qt_i18n import ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows.referral_page import ReferralPage
from screening.casework.referral_details import CHOICES, FIELDS, load_referral_details
from screening.paths import resource_path
from screening.reports.service import build_case_packet
from screening.store import PersonInfo
from tests.factories import SAMPLE_REFERRAL, stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
DETAILS = {k: v for k, v in SAMPLE_REFERRAL.items() if k != "reason"}


@pytest.fixture
def app_vm(qtbot, data_dir: Path) -> Iterator[AppViewModel]:
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    yield vm
    vm.shutdown()


@pytest.fixture
def page(qtbot, app_vm: AppViewModel) -> ReferralPage:
    done = stored_interview(app_vm.workspace, "adult_indicators", ANSWERS, lang="en",
                            person=PersonInfo(name="Synthetic Person-Details"))
    page = ReferralPage(ReferralViewModel(app_vm))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.open(str(done["case_id"]))
    page.show()
    qtbot.waitExposed(page)
    return page


def _stored(page: ReferralPage) -> dict:
    return load_referral_details(page.vm.app_vm.require_store(), page.vm.case_id).to_json()


def _focusable(page: ReferralPage, name: str) -> QWidget:
    spec = next(f for f in FIELDS if f.name == name)
    if spec.kind == CHOICES:
        return next(iter(page.details.boxes[name].values()))
    return page.details.inputs[name]


def test_every_field_is_labelled_and_reached_with_tab_in_order(qtbot, page) -> None:
    page.tabs.setCurrentWidget(page.details)
    for spec in FIELDS:
        widget = _focusable(page, spec.name)
        assert widget.accessibleName(), spec.name
        label = page.details.labels[spec.name]
        assert label.buddy() is widget or spec.kind == "flag", spec.name
    first = _focusable(page, FIELDS[0].name)
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    reached: list[QWidget] = [first]
    for _step in range(60):
        current = QApplication.focusWidget()
        assert current is not None
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is None or not page.details.isAncestorOf(now):
            break
        reached.append(now)
    order = [_focusable(page, spec.name) for spec in FIELDS]
    assert [w for w in reached if w in order] == order  # each field, in the form's order


def test_each_answer_is_saved_when_it_is_entered(qtbot, page) -> None:
    form = page.details
    page.tabs.setCurrentWidget(form)
    police = form.inputs["police_reference"]
    assert isinstance(police, QLineEdit)
    qtbot.keyClicks(police, "CR-SYN-1")
    qtbot.keyClick(police, Qt.Key.Key_Return)
    assert _stored(page)["police_reference"] == "CR-SYN-1"  # at once, no "Save" needed
    assert _stored(page)["police_informed"] is True  # the core completes it; the form shows it
    assert form.inputs["police_informed"].currentData() is True
    form.boxes["wants"]["medical"].click()
    assert _stored(page)["wants"] == ["medical"]
    form.inputs["other_victims_children"].setValue(4)
    assert _stored(page)["other_victims_children"] == 4

    exploiters = form.inputs["exploiters"]
    assert isinstance(exploiters, QPlainTextEdit)
    exploiters.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is exploiters)
    qtbot.keyClicks(exploiters, "Synthetic exploiter")
    assert _stored(page)["exploiters"] is None  # still being typed
    police.setFocus()  # leaving the text saves it
    qtbot.waitUntil(lambda: _stored(page)["exploiters"] == "Synthetic exploiter")

    wishes = form.inputs["wishes"]
    qtbot.keyClicks(wishes, "Synthetic words, typed when the app locks")
    page.flush()  # what locking and leaving the page do first
    assert _stored(page)["wishes"] == "Synthetic words, typed when the app locks"


def test_a_refused_value_is_explained_under_its_field(qtbot, page) -> None:
    form = page.details
    fill_details(qtbot, page, {"exploitation_from": "2025-05"})
    start = form.inputs["exploitation_from"]
    qtbot.keyClicks(form.inputs["exploitation_to"], "2025-04")
    qtbot.keyClick(form.inputs["exploitation_to"], Qt.Key.Key_Return)
    problem = form.problems["exploitation_to"]
    assert not problem.isHidden()
    assert problem.text() == "✗ The end is before the beginning"
    assert _stored(page)["exploitation_to"] is None
    assert form.inputs["exploitation_to"].text() == "2025-04"  # kept as typed, to correct
    start.clear()
    qtbot.keyClicks(start, "March")
    qtbot.keyClick(start, Qt.Key.Key_Return)
    assert "YYYY-MM" in form.problems["exploitation_from"].text()
    form.inputs["exploitation_to"].clear()
    qtbot.keyClicks(form.inputs["exploitation_to"], "2025-06")
    qtbot.keyClick(form.inputs["exploitation_to"], Qt.Key.Key_Return)
    assert problem.isHidden() and _stored(page)["exploitation_to"] == "2025-06"


def test_the_whole_form_is_stored_and_shown_again_then_cleared_on_lock(qtbot, page) -> None:
    fill_details(qtbot, page, DETAILS)
    page.flush()
    assert _stored(page) == DETAILS
    case_id = page.vm.case_id
    page.clear_personal_data()  # the app locks
    for widget in page.details.inputs.values():
        if isinstance(widget, QLineEdit):
            assert widget.text() == ""
        elif isinstance(widget, QPlainTextEdit):
            assert widget.toPlainText() == ""
        elif isinstance(widget, QComboBox):
            assert widget.currentData() is None
        elif isinstance(widget, QSpinBox):
            assert widget.value() == -1  # not known
    assert not any(b.isChecked() for boxes in page.details.boxes.values()
                   for b in boxes.values())
    page.open(case_id)  # unlocked again: as stored
    assert page.details.inputs["exploiters"].toPlainText() == DETAILS["exploiters"]
    assert page.details.inputs["accommodation"].currentData() == "employer"
    assert page.details.inputs["police_informed"].currentData() is True
    assert page.details.boxes["exploitation_types"]["domestic_servitude"].isChecked()


def test_labels_follow_the_officers_language(qtbot, page) -> None:
    english = {name: label.text() for name, label in page.details.labels.items()}
    ui_language().set_language("ar")
    page.retranslate()
    arabic = {name: label.text() for name, label in page.details.labels.items()}
    assert all(arabic[n] != english[n] for n in english if english[n])
    assert page.tabs.tabText(1) != "Referral details"
    assert page.details.layoutDirection() == Qt.LayoutDirection.RightToLeft


def test_the_officers_phone_and_email_are_a_profile_setting(qtbot, page, monkeypatch) -> None:
    from app.windows import dialogs
    from app.windows.settings_dialog import ProfileTab

    app_vm = page.vm.app_vm
    tab = ProfileTab(app_vm)
    qtbot.addWidget(tab)
    tab.retranslate()
    tab.load()
    by_label = dict(zip((label.text() for label in tab.labels), tab.edits, strict=True))
    by_label["Your phone number"].setText("+00 000 0101")  # synthetic
    by_label["Your email"].setText("officer@example.org")
    monkeypatch.setattr(dialogs, "inform", lambda *a, **k: None)
    tab.save()
    profile = app_vm.officer_profile()
    assert (profile.phone, profile.email) == ("+00 000 0101", "officer@example.org")
    page.open(page.vm.case_id)  # the details tab shows what a full packet will print
    assert "+00 000 0101, officer@example.org" in page.details.officer.text()


def test_the_officer_gives_the_region_a_redacted_copy_shows(qtbot, page) -> None:
    """The region or country where the person is now is the officer's to give (issue #15
    review): the form asks for it, says what it is for, and a redacted copy shows it instead
    of the place (never a region guessed from the services chosen)."""
    form = page.details
    line = form.inputs["current_region"]
    assert isinstance(line, QLineEdit)
    assert form.labels["current_region"].text() == "Region or country where the person is now"
    assert "instead of the place" in line.placeholderText()
    fill_details(qtbot, page, {"current_location": "Synthetic hostel, room 3",
                               "current_region": "Synthetic County"})
    assert _stored(page)["current_region"] == "Synthetic County"
    packet = build_case_packet(page.vm.app_vm.workspace, page.vm.case_id, lang="en",
                               variant="redacted")
    assert packet.details is not None
    assert packet.details.current_region == "Synthetic County"
    assert packet.details.current_location is None and packet.interview.location is None
