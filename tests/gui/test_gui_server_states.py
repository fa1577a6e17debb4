"""What the officer reads about a case and the agency's server (issue #18, after review): each
failure says what to do next, the sent line names the server and the day (the instanceID
only in a tooltip), an interview changed after it was sent can be sent again, Settings ›
Server keeps the technical parts folded away and takes the app user's whole link, and the
Arabic lines keep names in their own direction and use the dual without a numeral.

Real store and real service; the outcome of a send is recorded through the queue the service
itself writes to (``store.sends``), so no server is needed. Synthetic data only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from guihelp import create_store
from test_gui_server import TOKEN, closed_port, configure, finished_case, open_window

from app.qt_i18n import ui_language
from app.viewmodels.server_vm import SendReport, SendResult
from app.windows.main_window import MainWindow
from app.windows.server_texts import PROBLEMS, report_text, result_text
from screening.casework.consent import AGENCY_SERVER
from screening.i18n.bidi import FSI, LRI, PDI, RLI
from screening.store.audit import now
from screening.workspace import Workspace

PASSPHRASE = "correct horse battery staple 42"
SCOPE = ("screening", AGENCY_SERVER)


@pytest.fixture
def folder(data_dir: Path) -> Path:
    create_store(data_dir, demo_instrument=True)
    return data_dir


def _select(qtbot: Any, window: MainWindow, case_id: str) -> None:
    window.go_cases(case_id)
    qtbot.waitUntil(lambda: window.cases_page.detail is not None
                    and window.cases_page.detail.id == case_id)


def _queued(folder: Path) -> tuple[str, str, str]:
    """A finished case with the consent, queued for the server (case, interview, url)."""
    url = f"http://127.0.0.1:{closed_port()}"
    with Workspace(folder).open(PASSPHRASE) as ws:
        configure(ws, url)
        case_id = finished_case(ws, SCOPE)
        (entry,) = ws.server.queue(case_id)
    return case_id, entry.interview_id, url


def _sent(folder: Path, interview_id: str, url: str) -> None:
    """The interview as the service records it once Central accepted it."""
    with Workspace(folder).open(PASSPHRASE) as ws:
        finished_at = ws.store.interviews.get(interview_id).finished_at
        ws.store.sends.record_sent(interview_id, server=url, host=url.split("//")[1],
                                   project_id=3, form_version="1+abc", sent_at=now(),
                                   duplicate=False, finished_at=finished_at)


# The action an officer can take, per kind (one line each; the headline is above it).
ACTIONS = {
    "no_form_access": ("The app user may not send this questionnaire",
                       "Form Access", "A new token will not help"),
    "key_mismatch": ("different key", "agency public key in Settings › Server"),
    "auth": ("did not accept the sign-in", "Ask your technical contact for a new app user "
             "token"),
    "form_not_published": ("not published", "publish this questionnaire on the server"),
    "refused": ("refused it", "Tell your technical contact, with the case reference"),
    "plaintext_refused": ("no encryption key", "publish it with encryption"),
}


@pytest.mark.parametrize("kind", sorted(ACTIONS))
def test_a_failed_interview_says_what_to_do_and_keeps_the_details_for_the_contact(
        qtbot: Any, folder: Path, kind: str) -> None:
    case_id, interview_id, _url = _queued(folder)
    message = "the server said something technical (HTTP 403)"  # the service's English
    with Workspace(folder).open(PASSPHRASE) as ws:
        ws.store.sends.record_failure(interview_id, error=message, kind=kind,
                                      next_attempt_at=None, permanent=True)
    window = open_window(qtbot, folder)
    _select(qtbot, window, case_id)
    panel = window.cases_page.server_panel
    assert panel is not None
    text = panel.state_label.text()
    assert text.startswith("Not sent: ")
    for words in ACTIONS[kind]:
        assert words in text
    assert "Correct the cause" not in text
    assert message not in text  # the panel stays short: the details are a click away
    assert panel.details_button.isVisible()
    box = panel.show_details()
    assert "Details for your technical contact: " in box.text() and message in box.text()
    box.close()
    assert panel.send_button.isEnabled()  # sent again once the cause is fixed
    assert "uuid:" not in text and "uuid:" in panel.state_label.toolTip()


def test_every_kind_has_its_own_action() -> None:
    actions = [todo for _what, todo in PROBLEMS.values()]
    for kind in ("no_form_access", "key_mismatch", "auth", "forbidden", "tls"):
        assert kind in PROBLEMS
        assert "technical contact" in PROBLEMS[kind][1]
    assert "A new token will not help" in PROBLEMS["no_form_access"][1]
    assert len({*actions}) >= len(actions) - 3  # (timeout/server share "tried again")


def test_the_sent_line_says_where_and_when_and_keeps_the_id_in_the_tooltip(
        qtbot: Any, folder: Path) -> None:
    case_id, interview_id, url = _queued(folder)
    _sent(folder, interview_id, url)
    window = open_window(qtbot, folder)
    _select(qtbot, window, case_id)
    panel = window.cases_page.server_panel
    assert panel is not None
    text = panel.state_label.text()
    assert text.startswith(f"Sent to {LRI}{url.split('//')[1]}{PDI} on ")
    assert "instanceID" not in text and "uuid:" not in text
    (entry,) = window.server_vm.entries(case_id)
    assert entry.instance_id in panel.state_label.toolTip()
    assert not panel.send_button.isEnabled()  # everything finished is on the server


def test_an_interview_changed_after_it_was_sent_can_be_sent_again(qtbot: Any,
                                                                  folder: Path) -> None:
    case_id, interview_id, url = _queued(folder)
    _sent(folder, interview_id, url)
    with Workspace(folder).open(PASSPHRASE) as ws:  # reopened to correct an answer, then
        ws.casework.reopen(interview_id)            # finished again
        ws.casework.open(interview_id).finish()
    window = open_window(qtbot, folder)
    _select(qtbot, window, case_id)
    panel = window.cases_page.server_panel
    assert panel is not None
    (entry,) = window.server_vm.entries(case_id)
    assert entry.changed_after_sending
    assert "Changed after it was sent: send again to update the server's copy." in \
        panel.state_label.text()
    assert panel.send_button.isEnabled()
    dialog = panel.open_send()
    assert dialog is not None
    assert "changed since it was sent" in dialog.items.item(0).text()


def test_settings_open_the_advanced_part_by_themselves_when_it_is_used(
        qtbot: Any, folder: Path) -> None:
    with Workspace(folder).open(PASSPHRASE) as ws:
        configure(ws, f"http://127.0.0.1:{closed_port()}", allow_plaintext=True)
    window = open_window(qtbot, folder)
    dialog = window.open_settings()
    assert dialog is not None
    tab = dialog.server
    dialog.tabs.setCurrentWidget(tab)
    assert tab.advanced_open  # sending without encryption is on: never hidden
    assert tab.plaintext.isChecked() and tab.plaintext_warning.isVisible()


def test_the_app_users_whole_link_fills_address_project_and_token(qtbot: Any,
                                                                  folder: Path) -> None:
    window = open_window(qtbot, folder)
    dialog = window.open_settings()
    assert dialog is not None
    tab = dialog.server
    dialog.tabs.setCurrentWidget(tab)
    tab.token.setText(f"https://central.example.org/v1/key/{TOKEN}/projects/7")
    assert tab.url.text() == "https://central.example.org"
    assert tab.project.value() == 7
    assert tab.token.text() == TOKEN
    assert "Filled in from the app user's link" in tab.status.text()
    assert TOKEN not in tab.status.text()
    settings = window.server_vm.settings_from(tab.form())
    assert (settings.url, settings.project_id, settings.app_user_token) == (
        "https://central.example.org", 7, TOKEN)


# -- Arabic -------------------------------------------------------------------------------
def _result(outcome: str, kind: str | None = None) -> SendResult:
    return SendResult(case_id="c", interview_id="i", instance_id="uuid:0123", outcome=outcome,
                      error="technical" if kind else None, error_kind=kind,
                      server="https://central.example.org")


def test_arabic_lines_keep_names_whole_and_count_in_arabic(qtbot: Any) -> None:
    ui_language().set_language("ar")
    title = "Youth quick screen (under 18)"
    line = result_text(_result("failed", "no_form_access"), {"i": title})
    # the title is an isolate of its own direction: its brackets stay with it
    assert f"{LRI}{title}{PDI}" in line or f"{FSI}{title}{PDI}" in line
    arabic_title = "فحص سريع (تحت 18)"
    line = result_text(_result("sent"), {"i": arabic_title})
    assert f"{RLI}{arabic_title}{PDI}" in line
    assert "Form Access" in result_text(_result("failed", "no_form_access"), {})
    # the dual and the singular without a numeral ("مقابلتان", not "2 مقابلتان")
    two = report_text(SendReport((_result("failed", "refused"),) * 2, explicit=True))
    assert "مقابلتان" in two and "2" not in two
    one = report_text(SendReport((_result("sent"),), explicit=True))
    assert "مقابلة واحدة" in one and "1" not in one
    eleven = report_text(SendReport((_result("sent"),) * 11, explicit=True))
    assert "11" in eleven
