"""The app against a real ODK Central (tests/server/central.py; skips only where Node or
PostgreSQL are missing): Settings › Server tests the connection and stores the settings,
then "Send to server…" on a case sends its interview with a progress bar and the case says
where and when it went; Central holds exactly one submission with that instanceID.

Set FIELDSCREEN_SHOTS=DIR to also save the screens (English and Arabic) for review.
Synthetic data only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from app import demo
from app.main import build_window
from app.qt_i18n import ui_language
from app.windows.main_window import MainWindow
from screening.casework.consent import AGENCY_SERVER, Consent
from screening.casework.lifecycle import InterviewSetup, Started
from screening.store import PersonInfo
from screening.workspace import Workspace

PASSPHRASE = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _gui(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM") or "offscreen")
    yield
    if ui_language().lang != "en":
        ui_language().set_language("en")


def _case(ws: Workspace) -> str:
    loaded = demo.install_demo_instrument(ws)
    started = ws.casework.start(
        InterviewSetup(loaded, respondent_language="en", officer_language="en",
                       private_setting=True),
        Consent(given=True, scope=("screening", AGENCY_SERVER), language="en"),
        person=PersonInfo(name="Synthetic Person (test)"))
    assert isinstance(started, Started)
    run = ws.casework.open(started.interview_id)
    run.replay(demo.DEMO_ANSWERS[0])
    run.finish()
    return started.case_id


def _shot(widget: Any, name: str) -> None:
    folder = os.environ.get("FIELDSCREEN_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{ui_language().lang}-{name}.png"))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_settings_then_send_a_case_with_progress_to_central(
        qtbot: Any, data_dir: Path, central: Any, central_project: Any, lang: str) -> None:
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        ws.store.settings.set("officer_profile", {"name": "Officer Test",
                                                  "agency": "Test Agency"})
        case_id = _case(ws)
    window = build_window(data_dir, lang)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.unlock_page
    page.secret.edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.app_vm.unlocked, timeout=10_000):
        page.unlock()

    # Settings › Server: a web user (publishing needs one); Test and save connects once.
    dialog = window.open_settings()
    assert dialog is not None
    tab = dialog.server
    dialog.tabs.setCurrentWidget(tab)
    tab.url.setText(central.url)
    tab.project.setValue(central_project.id)
    tab.web_user.setChecked(True)
    tab.email.setText(central.email)
    tab.password.edit.setText(central.password)
    with qtbot.waitSignal(window.server_vm.saved, timeout=60_000):
        tab.save_button.click()
    assert tab.status.text().startswith("✓")
    assert tab.password.text() == "" and tab.password.edit.placeholderText()  # "saved"
    settings = window.app_vm.workspace.server.settings()
    assert settings is not None and settings.email == central.email
    assert "server.configured" in [e.action for e in
                                   window.app_vm.require_store().audit.entries(limit=500)]
    _shot(dialog, "settings-server")
    dialog.accept()

    # The technical contact publishes the form (`fieldscreen server publish`, same service).
    form = window.app_vm.workspace.server.publish(demo.DEMO_ID)

    window.go_cases(case_id)
    qtbot.waitUntil(lambda: window.cases_page.detail is not None)
    panel = window.cases_page.server_panel
    assert panel is not None and panel.send_button.isEnabled()
    send = panel.open_send()
    assert send is not None
    _shot(send, "send-dialog")
    steps: list[tuple[int, int]] = []
    window.server_vm.progress.connect(lambda done, total, _r: steps.append((done, total)))
    with qtbot.waitSignal(window.server_vm.send_finished, timeout=60_000):
        send.send_button.click()
        assert send.progress.isVisible()
    assert steps == [(1, 1)]
    assert send.progress.value() == send.progress.maximum() == 1
    assert send.results.item(0).text().startswith("✓")
    assert send.status.text().startswith("✓")
    _shot(send, "send-done")
    send.send_button.click()  # Close
    qtbot.waitUntil(lambda: not send.isVisible())

    assert not window.server_controls.progress.isVisible()  # the header's bar is gone
    (entry,) = window.server_vm.entries(case_id)
    assert entry.state == "sent"
    state = panel.state_label.text()
    if lang == "en":
        assert state.startswith("Sent to ") and " on " in state
    assert f"127.0.0.1:{central.port}" in state
    assert "uuid:" not in state and entry.instance_id in panel.state_label.toolTip()
    assert not panel.send_button.isEnabled()  # everything finished is on the server
    _shot(window, "case-sent")
    subs = central.submissions(central_project.id, form.form_id)
    assert [s["instanceId"] for s in subs] == [entry.instance_id]

    # Reopened to correct an answer and finished again: the case says the server's copy is
    # out of date, and sending again replaces it on Central (an ODK edit, one submission).
    ws = window.app_vm.workspace
    ws.casework.reopen(entry.interview_id)
    ws.casework.open(entry.interview_id).finish()
    window.go_cases(case_id)
    panel.refresh()
    (changed,) = window.server_vm.entries(case_id)
    assert changed.changed_after_sending
    if lang == "en":
        assert "Changed after it was sent" in panel.state_label.text()
    assert panel.send_button.isEnabled()
    _shot(window, "case-changed")
    again = panel.open_send()
    assert again is not None
    with qtbot.waitSignal(window.server_vm.send_finished, timeout=60_000):
        again.send_button.click()
    assert again.results.item(0).text().startswith("✓")
    again.send_button.click()
    qtbot.waitUntil(lambda: not again.isVisible())
    (edited,) = window.server_vm.entries(case_id)
    assert edited.state == "sent" and not edited.changed_after_sending
    assert edited.instance_id != entry.instance_id
    subs = central.submissions(central_project.id, form.form_id)
    # the edit replaced it: still one submission, under its first instanceID
    assert [s["instanceId"] for s in subs] == [entry.instance_id]
