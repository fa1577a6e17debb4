"""The referral PDF's password (issue #14): a visible label tied to the field, Show, typed
twice, its strength checked as the officer types by the core's rules (the ones
``fieldscreen report --encrypt`` applies), and "Make PDF…" disabled, with the reason beside
it, until the password is acceptable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from guihelp import PASSPHRASE
from PySide6.QtWidgets import QLineEdit

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows import dialogs
from app.windows.referral_page import ReferralPage
from screening.paths import resource_path
from screening.store import PersonInfo, passphrase_problem
from tests.factories import stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
GOOD = "lantern velvet 2031 harbour"  # at most 32 bytes: poppler readers (issue #15)


@pytest.fixture
def page(qtbot: Any, data_dir: Path) -> Any:
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    done = stored_interview(vm.workspace, "adult_indicators", ANSWERS, lang="en",
                            person=PersonInfo(name="Synthetic Person-Password"),
                            scope=("screening", "referral"))
    page = ReferralPage(ReferralViewModel(vm))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.open(str(done["case_id"]))
    yield page
    vm.shutdown()


def _settled(qtbot: Any, page: ReferralPage) -> None:
    """The strength check runs once typing pauses."""
    qtbot.waitUntil(lambda: page.pdf_password.password.strength != "checking", timeout=5000)


def test_password_fields_are_labelled_with_show_and_confirmation(page: ReferralPage) -> None:
    widget = page.pdf_password
    page.protect.setChecked(True)
    assert widget.password_label.isVisible() and widget.password_label.text()
    assert widget.password_label.buddy() is widget.password.edit  # Alt+letter, screen readers
    assert widget.confirm_label.isVisible() and widget.confirm_label.buddy() is widget.confirm.edit
    assert widget.password.edit.accessibleName() and widget.confirm.edit.accessibleName()
    assert widget.password.edit.echoMode() == QLineEdit.EchoMode.Password
    widget.password.show_button.click()
    assert widget.password.edit.echoMode() == QLineEdit.EchoMode.Normal
    assert widget.confirm.show_button.isVisible()


def test_make_pdf_waits_for_a_strong_password_typed_twice(qtbot: Any, page: ReferralPage) -> None:
    button = page.generate_button
    reason = page.pdf_password.status
    assert button.isEnabled()  # no password asked for yet (a plaintext PDF asks first)
    page.protect.setChecked(True)
    assert not button.isEnabled() and reason.isVisible() and reason.text()

    page.password.setText("short")
    _settled(qtbot, page)
    assert not button.isEnabled()
    assert "12" in reason.text() and button.toolTip() == reason.text()

    weak = "password1234"  # long enough, but the core's check refuses it
    assert passphrase_problem(weak)
    page.password.setText(weak)
    _settled(qtbot, page)
    assert not button.isEnabled() and "guess" in reason.text()

    assert passphrase_problem(GOOD) is None
    page.password.setText(GOOD)
    _settled(qtbot, page)
    assert not button.isEnabled() and "again" in reason.text()
    page.password_confirm.setText(GOOD[:-1] + "x")
    assert not button.isEnabled() and "not the same" in reason.text()
    page.password_confirm.setText(GOOD)
    assert button.isEnabled()
    assert "✓" in reason.text()
    page.protect.setChecked(False)
    assert button.isEnabled() and reason.text() == ""


def test_a_weak_password_never_reaches_the_save_dialog(
        qtbot: Any, page: ReferralPage, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: asked.append(a))
    page.protect.setChecked(True)
    page.password.setText("password1234")
    page.password_confirm.setText("password1234")
    page.generate()  # at once, before the strength check would have run by itself
    assert asked == [] and not page.busy.isVisible()
    assert page.password.hasFocus() or page.pdf_password.password.edit.hasFocus()
    assert "guess" in page.pdf_password.status.text()


def test_a_good_password_writes_an_encrypted_pdf(
        qtbot: Any, page: ReferralPage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "referral.pdf"
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: out)
    page.protect.setChecked(True)
    page.password.setText(GOOD)
    page.password_confirm.setText(GOOD)
    with qtbot.waitSignal(page.vm.report_written, timeout=30_000):
        page.generate()
    from pypdf import PdfReader

    reader = PdfReader(str(out))
    assert reader.is_encrypted and reader.decrypt(GOOD)
    assert page.password.text() == "" and page.password_confirm.text() == ""
