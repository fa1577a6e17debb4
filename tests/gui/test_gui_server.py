"""The app's face over the sending service (issue #18): Settings › Server, the consent to a
copy on the agency's server, "Send to server…" on a case and "Send queued (N)".

Real store, real service and real HTTP client; no server runs here: a closed loopback port
stands for a server that cannot be reached (the app never connects elsewhere in these
tests). A send to a running ODK Central is in tests/server/test_gui_server_central.py.
Synthetic data only.
"""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from guihelp import create_store, make_window, new_case, set_up, unlock
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from app import demo
from app.windows import dialogs
from app.windows.main_window import MainWindow
from app.windows.server_dialogs import SendDialog
from screening.casework.consent import AGENCY_SERVER, Consent, case_consent
from screening.casework.lifecycle import InterviewSetup, Started
from screening.server.settings import ServerSettings
from screening.store import PersonInfo
from screening.workspace import Workspace

TOKEN = "SyntheticAppUserToken0123456789abcdefSynthetic0123456789ABCDEF!$"  # not real


def closed_port() -> int:
    """A loopback port nothing listens on (connecting is refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(ws: Workspace, url: str, **more: Any) -> None:
    """Settings stored as `fieldscreen server set --no-test` stores them (no connection)."""
    ws.server.configure(ServerSettings(url=url, project_id=3, app_user_token=TOKEN, **more),
                        test=False)


def finished_case(ws: Workspace, scope: tuple[str, ...], *, finish: bool = True) -> str:
    """A case made as the app makes it (consent first), its interview finished or not."""
    loaded = demo.install_demo_instrument(ws)
    started = ws.casework.start(
        InterviewSetup(loaded, respondent_language="en", officer_language="en",
                       private_setting=True),
        Consent(given=True, scope=scope, language="en"),
        person=PersonInfo(name="Synthetic Person (test)"))
    assert isinstance(started, Started)
    run = ws.casework.open(started.interview_id)
    run.replay(demo.DEMO_ANSWERS[0])
    if finish:
        run.finish()
    return started.case_id


def publish_offline(ws: Workspace) -> None:
    """The demonstration form as if published earlier to the configured server, with an
    agency key: built by the same code `server publish` uses, kept without a connection."""
    from screening.server.xform import parse_xform, publishable_xform
    from screening.store.audit import now
    from screening.store.sendqueue import StoredForm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    b64 = base64.b64encode(key.public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
                           ).decode()
    loaded = demo.install_demo_instrument(ws)
    settings = ws.server.settings()
    assert settings is not None
    form = parse_xform(publishable_xform(loaded.instrument, public_key=b64))
    ws.store.sends.save_form(StoredForm(
        server=settings.url, project_id=settings.project_id, form_id=form.form_id,
        content_hash=loaded.content_hash, instrument_version=loaded.instrument.version,
        version=form.version, public_key=form.public_key, root_name=form.root_name,
        xml=form.xml, managed=False, published_at=now()), host=settings.host)


@pytest.fixture
def folder(data_dir: Path) -> Path:
    create_store(data_dir, demo_instrument=True)
    return data_dir


def open_window(qtbot: Any, folder: Path) -> MainWindow:
    window = make_window(qtbot, folder)
    unlock(qtbot, window)
    return window


def all_texts(root: QWidget) -> str:
    """What ``root`` and its children show or hold: texts, placeholders, names, tooltips."""
    parts = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, (QLabel, QLineEdit, QAbstractButton)):
            parts.append(w.text())
        if isinstance(w, QLineEdit):
            parts.append(w.placeholderText())
        parts += [w.accessibleName(), w.accessibleDescription(), w.toolTip()]
    return "\n".join(parts)


def audit_actions(window: MainWindow) -> list[str]:
    return [e.action for e in window.app_vm.require_store().audit.entries(limit=1000)]


# -- Settings › Server --------------------------------------------------------------------
@pytest.mark.parametrize(("url", "says"), [
    ("http://central.example.org", "must use https://"),  # refused before any connection
    ("http://127.0.0.1:{port}", "The server could not be reached."),
])
def test_a_wrong_address_says_why_and_stores_nothing(qtbot: Any, folder: Path, url: str,
                                                     says: str) -> None:
    window = open_window(qtbot, folder)
    dialog = window.open_settings()
    assert dialog is not None
    tab = dialog.server
    dialog.tabs.setCurrentWidget(tab)
    assert dialog.sections.item(dialog.tabs.indexOf(tab)).text() == "Server"
    tab.url.setText(url.format(port=closed_port()))
    tab.project.setValue(3)
    tab.token.setText(TOKEN)
    with qtbot.waitSignal(window.server_vm.save_failed, timeout=20_000):
        tab.save_button.click()
        assert tab.busy.isVisible()  # on a worker: the dialog stays responsive
    text = tab.status.text()
    assert text.startswith("✗") and says in text and "Nothing was saved." in text
    assert TOKEN not in text and tab.token.echoMode() == QLineEdit.EchoMode.Password
    assert window.server_vm.summary() is None
    assert window.app_vm.workspace.server.settings() is None
    assert "server.configured" not in audit_actions(window)
    assert not window.server_controls.send_button.isVisible()


def test_saved_secrets_are_never_shown_back(qtbot: Any, folder: Path) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
    window = open_window(qtbot, folder)
    dialog = window.open_settings()
    assert dialog is not None
    tab = dialog.server
    dialog.tabs.setCurrentWidget(tab)
    assert tab.token.text() == "" and "Saved" in tab.token.placeholderText()
    assert tab.app_user.isChecked() and not tab.email.isVisible()
    assert TOKEN not in all_texts(window)
    # The agency key, CA file and plaintext sending are for the technical contact: folded
    # away until asked for.
    assert not tab.advanced_open
    assert not tab.plaintext.isVisible() and not tab.key_choose.isVisible()
    tab.advanced.click()
    assert tab.plaintext.isVisible() and tab.key_choose.isVisible() and tab.ca_choose.isVisible()
    assert not tab.plaintext_warning.isVisible()
    tab.plaintext.setChecked(True)  # off by default, and with a warning when chosen
    assert tab.plaintext_warning.isVisible()
    assert "Warning" in tab.plaintext_warning.label.text()
    # The field left empty keeps the saved token; typing one replaces it.
    assert window.server_vm.settings_from(tab.form()).app_user_token == TOKEN
    tab.token.setText("another-synthetic-token")
    assert window.server_vm.settings_from(tab.form()).app_user_token == \
        "another-synthetic-token"
    tab.web_user.setChecked(True)  # a web user: the email and the password instead
    assert tab.email.isVisible() and tab.password.isVisible() and not tab.token.isVisible()


def test_forget_removes_the_settings(qtbot: Any, folder: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
    window = open_window(qtbot, folder)
    dialog = window.open_settings()
    assert dialog is not None
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: True)
    dialog.server.forget_button.click()
    assert window.app_vm.workspace.server.settings() is None
    assert dialog.server.url.text() == "" and not dialog.server.forget_button.isEnabled()


# -- consent ------------------------------------------------------------------------------
@pytest.mark.parametrize("agrees", [True, False])
def test_the_consent_checkbox_is_the_agency_server_scope(qtbot: Any, folder: Path,
                                                         agrees: bool) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
    window = open_window(qtbot, folder)
    new_case(qtbot, window, "Synthetic Person (test)")
    set_up(window, demo.DEMO_ID)
    page = window.consent_page
    assert page.share_server.isVisible() and not page.share_server.isChecked()
    # the sentence to read: plain words, naming the agency of the officer's profile and
    # who can open the copy; no "records server" that sounds like a police file
    said = page.server_respondent.text()
    assert "Test Agency" in said and "locked (encrypted)" in said
    assert "Only staff that" in said and "can open it" in said and "You can say no" in said
    assert "record" not in said and "record" not in page.share_server.text()
    page.agrees.setChecked(True)
    page.share_server.setChecked(agrees)
    page.start_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.interview_page)
    assert window.interview_vm is not None
    consent = case_consent(window.app_vm.require_store(), window.interview_vm.case_id)
    assert consent is not None
    assert consent.covers(AGENCY_SERVER) is agrees


def test_no_server_no_question(qtbot: Any, folder: Path) -> None:
    window = open_window(qtbot, folder)
    new_case(qtbot, window, "Synthetic Person (test)")
    set_up(window, demo.DEMO_ID)
    assert not window.consent_page.share_server.isVisible()
    assert AGENCY_SERVER not in window.consent_page.scope()


def test_the_sentence_is_read_in_the_persons_language_beside_the_officers(
        qtbot: Any, folder: Path) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
    window = open_window(qtbot, folder)
    new_case(qtbot, window, "Synthetic Person (test)")
    set_up(window, demo.DEMO_ID, respondent="ar")
    page = window.consent_page
    theirs, mine = page.server_respondent, page.server_officer
    assert mine.isVisible() and "Test Agency" in mine.text()
    assert theirs.text() != mine.text()  # Arabic, or (not translated yet) a note saying so
    assert theirs.layoutDirection().name == "RightToLeft" or "Arabic" in theirs.text()


# -- a case -------------------------------------------------------------------------------
def _select(qtbot: Any, window: MainWindow, case_id: str) -> None:
    window.go_cases(case_id)
    qtbot.waitUntil(lambda: window.cases_page.detail is not None
                    and window.cases_page.detail.id == case_id)


def test_send_is_offered_only_with_consent_and_a_finished_interview(qtbot: Any,
                                                                   folder: Path) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        no_scope = finished_case(ws, ("screening", "referral"))
        unfinished = finished_case(ws, ("screening", AGENCY_SERVER), finish=False)
    window = open_window(qtbot, folder)
    panel = window.cases_page.server_panel
    assert panel is not None
    _select(qtbot, window, no_scope)
    assert not panel.isVisible()  # no server configured: nothing about sending at all
    configure(window.app_vm.workspace, f"http://127.0.0.1:{closed_port()}")
    _select(qtbot, window, no_scope)
    assert panel.isVisible() and not panel.send_button.isEnabled()
    assert "did not agree" in panel.state_label.text()
    assert "did not agree" in panel.send_button.toolTip()
    assert panel.open_send() is None
    _select(qtbot, window, unfinished)
    assert not panel.send_button.isEnabled()
    assert "no interview of this case is finished" in panel.state_label.text()


def test_send_to_an_unreachable_server_queues_it_and_says_when_it_tries_again(
        qtbot: Any, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
        publish_offline(ws)
        case_id = finished_case(ws, ("screening", AGENCY_SERVER))
    window = open_window(qtbot, folder)
    _select(qtbot, window, case_id)
    panel = window.cases_page.server_panel
    assert panel is not None and panel.send_button.isEnabled()
    assert "Send to server" in panel.send_button.text()
    dialog = panel.open_send()
    assert isinstance(dialog, SendDialog)
    assert "127.0.0.1" in dialog.where.text() and "project 3" in dialog.where.text()
    assert dialog.items.count() == 1
    assert not dialog.remove_after.isChecked()  # off by default
    steps: list[tuple[int, int]] = []
    window.server_vm.progress.connect(lambda done, total, _r: steps.append((done, total)))
    with qtbot.waitSignal(window.server_vm.send_finished, timeout=30_000):
        dialog.send_button.click()
        assert dialog.progress.isVisible()
    assert steps == [(1, 1)]
    assert dialog.results.count() == 1
    assert "✗" in dialog.results.item(0).text()
    assert "could not be reached" in dialog.results.item(0).text()
    assert "stays on this laptop" in dialog.status.text() and "Next automatic try" in \
        dialog.status.text()
    dialog.send_button.click()  # Close
    qtbot.waitUntil(lambda: not dialog.isVisible())
    (entry,) = window.server_vm.entries(case_id)
    assert entry.state == "queued" and entry.attempts == 1 and entry.next_attempt_at
    text = panel.state_label.text()
    assert text.startswith("Queued: The server could not be reached. Next try at ")
    # the main window offers it again, and retries by itself while unlocked
    controls = window.server_controls
    assert controls.send_button.isVisible() and "(1)" in controls.send_button.text()
    assert window.server_vm.retry_pending()
    window.lock()
    assert not window.server_vm.retry_pending()  # never while locked
    window.server_vm.retry_due()  # the timer's slot, called anyway: does nothing locked
    # (a retry the timer started just before the lock ends first; then the store closes)
    qtbot.waitUntil(lambda: not window.app_vm.is_open and not window.server_vm.busy,
                    timeout=30_000)
    actions = audit_actions_of(folder)
    assert actions.count("case.queued_for_server") == 1
    assert actions.count("case.send_failed") == 1


def audit_actions_of(folder: Path) -> list[str]:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        return [e.action for e in ws.store.audit.entries(limit=1000)]


def test_locking_during_a_send_stops_it_and_schedules_nothing(qtbot: Any,
                                                             folder: Path) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
        publish_offline(ws)
        case_id = finished_case(ws, ("screening", AGENCY_SERVER))
    window = open_window(qtbot, folder)
    _select(qtbot, window, case_id)
    panel = window.cases_page.server_panel
    assert panel is not None
    dialog = panel.open_send()
    assert dialog is not None
    with qtbot.waitSignal(window.server_vm.sending, timeout=30_000,
                          check_params_cb=lambda on: not on):
        dialog.send_button.click()
        window.lock()  # Ctrl+L while it sends
    qtbot.waitUntil(lambda: not window.app_vm.is_open)  # closed once the send ended
    assert not window.server_vm.retry_pending() and not window.server_vm.active
    assert not window.server_controls.progress.isVisible()


def test_remove_after_sending_asks_twice(qtbot: Any, folder: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
        case_id = finished_case(ws, ("screening", AGENCY_SERVER))
    window = open_window(qtbot, folder)
    _select(qtbot, window, case_id)
    panel = window.cases_page.server_panel
    assert panel is not None
    dialog = panel.open_send()
    assert dialog is not None
    asked: list[str] = []

    def no(_parent: object, title: str, *_a: object, **_k: object) -> bool:
        asked.append(title)
        return False

    monkeypatch.setattr(dialogs, "ask", no)
    dialog.remove_after.setChecked(True)
    dialog.send_button.click()
    assert asked == ["Remove the case after sending?"]
    assert window.server_vm.entries(case_id) == []  # not confirmed: nothing queued
    assert not dialog.progress.isVisible()


def test_nothing_of_sending_reaches_the_respondent_window(qtbot: Any, folder: Path) -> None:
    from guihelp import start_interview

    with Workspace(folder).open("correct horse battery staple 42") as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}")
        publish_offline(ws)
        case_id = finished_case(ws, ("screening", AGENCY_SERVER))
        ws.server.queue(case_id)
    window = open_window(qtbot, folder)
    start_interview(qtbot, window, demo.DEMO_ID)
    window.interview_page.respondent.set_on(True)
    person = window.interview_page.respondent.window
    assert person is not None
    with qtbot.waitSignal(window.server_vm.send_finished, timeout=30_000):
        window.server_vm.retry_due()  # what the timer does
    from PySide6.QtWidgets import QProgressBar

    assert window.server_vm.entries(case_id)[0].attempts == 1  # it did try, meanwhile
    texts = all_texts(person)
    assert person.findChildren(QProgressBar) == []
    for word in ("server", "Send", "Queued", "127.0.0.1"):
        assert word not in texts
    window.interview_page.respondent.set_on(False)


# -- one core, two faces ------------------------------------------------------------------
def norm(doc: object, same: dict[str, str]) -> str:
    text = json.dumps(doc, sort_keys=True)
    for real, placeholder in same.items():
        text = text.replace(real, placeholder)
    return text


def test_queueing_in_the_app_stores_what_the_command_line_stores(
        qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.helpers import run_cli

    port = closed_port()
    faces: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}
    for face in ("cli", "gui"):
        folder = tmp_path / face
        create_store(folder, demo_instrument=True)
        with Workspace(folder).open("correct horse battery staple 42") as ws:
            configure(ws, f"http://127.0.0.1:{port}")
            case_id = finished_case(ws, ("screening", AGENCY_SERVER))
            reference = ws.store.cases.get(case_id).reference
            before = len(ws.store.audit.entries(limit=10_000))
        if face == "cli":
            done = run_cli("server", "queue", reference, data_dir=folder,
                           stdin="correct horse battery staple 42\n")
            assert done.returncode == 0, done.stderr
            done = run_cli("send", "--json", data_dir=folder,
                           stdin="correct horse battery staple 42\n")
            assert done.returncode in (1, 2), done.stderr
        else:
            window = open_window(qtbot, folder)
            _select(qtbot, window, case_id)
            panel = window.cases_page.server_panel
            assert panel is not None
            dialog = panel.open_send()
            assert dialog is not None
            with qtbot.waitSignal(window.server_vm.send_finished, timeout=30_000):
                dialog.send_button.click()
            window.close()
        with Workspace(folder).open("correct horse battery staple 42") as ws:
            # the same but for what is random per store: ids, the reference, times
            same = {i.id: "<interview>" for i in ws.store.interviews.list(case_id)}
            same[reference] = "<reference>"

            rows = [norm({k: v for k, v in e.to_json().items()
                          if k not in ("case_id", "interview_id", "instance_id", "queued_at",
                                       "next_attempt_at")}, same)
                    for e in ws.server.entries()]
            events = [(e.action, norm(e.detail, same))
                      for e in ws.store.audit.entries(limit=10_000)[before:]
                      if e.action not in ("store.opened", "store.locked")]
        faces[face] = (rows, events)
    assert faces["gui"] == faces["cli"]
    assert [a for a, _d in faces["gui"][1]] == ["case.queued_for_server", "case.send_failed"]
