"""Hand-over in the app (issue #15): "Receive a referral…" in the main window imports a
packet handed over to the agency's key as a new case, through the real window, view-model
and worker; "Send to…" on the referral screen writes one that the caseworker can open."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from guihelp import PASSPHRASE, create_store, make_window, unlock
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows import dialogs, handover_dialogs
from app.windows.handover_dialogs import SendDialog
from app.windows.referral_page import ReferralPage
from screening.casework.handover import Recipient, open_packet, read_packet, send_referral
from screening.casework.preferences import OfficerProfile
from screening.handover.keys import create_identity, read_identity_file, unlock_identities
from screening.i18n.bidi import strip_controls
from screening.paths import resource_path
from screening.store import PersonInfo
from screening.workspace import Workspace
from tests.factories import stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
NAME = "Synthetic Person-Received"
OFFICER = "Officer Synthetic-Sender"
AGENCY = "Synthetic Border Unit, Team 4"
IDENTITY_PASSPHRASE = "lantern orchard violet mariner 77"


def _answers(ws: Workspace, case_id: str) -> tuple[dict[str, Any], str]:
    [interview] = ws.store.cases.get(case_id).interviews
    answers = ws.store.interviews.load_answers(interview.id)
    assert interview.result is not None
    return ({k: (a.value, a.special) for k, a in answers.items()},
            interview.result["outcome"]["level"])


def _sent_packet(root: Path, *, protect: str | None = None, again: int = 0
                 ) -> tuple[Path, Path, dict]:
    """An officer's store elsewhere hands a case over to the caseworker's agency key
    (``again``: then sends the same case that many times more, as case-1.age, ...)."""
    key = create_identity(root / "agency.key", passphrase=protect)
    packet = root / "case.age"
    with Workspace(root / "officer") as ws:
        ws.create(PASSPHRASE)
        ws.preferences.save_officer_profile(OfficerProfile(name=OFFICER, agency=AGENCY))
        done = stored_interview(ws, "adult_indicators", ANSWERS, lang="en",
                                person=PersonInfo(name=NAME))
        for n in range(again + 1):
            send_referral(ws, str(done["case_id"]), Recipient(key.public_key),
                          root / (f"case-{n}.age" if n else "case.age"), lang="en")
        answers, outcome = _answers(ws, str(done["case_id"]))
    return packet, key.path, {"answers": answers, "outcome": outcome,
                              "fingerprint": key.fingerprint}


def _error_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.objectName() == "errorDialog"]


def test_receive_a_referral_from_the_main_window(qtbot, tmp_path: Path, data_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    packet, identity, sent = _sent_packet(tmp_path)
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    assert window.receive_button.isVisible()
    assert window.receive_button.text() == "Receive a referral…"
    picks = iter([packet, identity])
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *_a, **_k: next(picks))
    informed: list[str] = []
    monkeypatch.setattr(dialogs, "inform", lambda _p, _title, text: informed.append(text))
    with qtbot.waitSignal(window.receive_vm.received, timeout=30_000):
        window.receive_button.click()
    qtbot.waitUntil(lambda: bool(informed), timeout=5_000)
    assert window.stack.currentWidget() is window.cases_page
    store = window.app_vm.require_store()
    [summary] = store.cases.list()
    model = window.cases_vm.model  # the new case is listed, and selected
    row = model.row_of(summary.id)
    assert row >= 0 and NAME in [str(model.index(row, c).data())
                                 for c in range(model.columnCount())]
    assert window.cases_page.table.currentIndex().row() == row
    assert sent["fingerprint"] in informed[0] and summary.reference in informed[0]
    answers, outcome = _answers(window.app_vm.workspace, summary.id)
    assert (answers, outcome) == (sent["answers"], sent["outcome"])
    assert [e.action for e in store.audit.entries(case_id=summary.id)].count(
        "referral.received") == 1


def test_a_protected_key_asks_its_passphrase_and_a_wrong_key_stores_nothing(
        qtbot, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packet, identity, _sent = _sent_packet(tmp_path, protect=IDENTITY_PASSPHRASE)
    other = create_identity(tmp_path / "other.key")
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    store = window.app_vm.require_store()
    monkeypatch.setattr(dialogs, "inform", lambda *_a: None)

    picks = iter([packet, other.path])
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *_a, **_k: next(picks))
    with qtbot.waitSignal(window.receive_vm.failed, timeout=30_000) as failed:
        window.receive_button.click()
    assert failed.args[0] == "handover.not_for_key"
    qtbot.waitUntil(lambda: bool(_error_boxes()), timeout=5_000)
    assert "not sent to your agency's key" in _error_boxes()[-1].text()
    for box in _error_boxes():
        box.close()
    assert store.cases.list() == []

    asked: list[str] = []

    def ask_text(_parent: Any, title: str, _label: str, _ok: str, *, secret: bool = False
                 ) -> str:
        assert secret
        asked.append(title)
        return IDENTITY_PASSPHRASE

    picks = iter([packet, identity])
    monkeypatch.setattr(dialogs, "ask_text", ask_text)
    with qtbot.waitSignal(window.receive_vm.received, timeout=30_000):
        window.receive_button.click()
    assert asked == ["Agency key passphrase"]
    assert len(store.cases.list()) == 1


@pytest.fixture
def app_vm(qtbot, data_dir: Path) -> Iterator[AppViewModel]:
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    yield vm
    vm.shutdown()


def test_send_to_writes_a_packet_only_the_chosen_key_opens(
        qtbot, app_vm: AppViewModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = create_identity(tmp_path / "agency.key")
    done = stored_interview(app_vm.workspace, "adult_indicators", ANSWERS, lang="en",
                            person=PersonInfo(name=NAME))
    vm = ReferralViewModel(app_vm)
    page = ReferralPage(vm)
    qtbot.addWidget(page)
    page.open(str(done["case_id"]))
    assert page.send_button.text() == "Send to…"
    out = tmp_path / "handed-over"  # the page adds .age
    monkeypatch.setattr(handover_dialogs, "choose_recipient",
                        lambda _p, _r: Recipient(key.public_key))
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *_a, **_k: out)
    with qtbot.waitSignal(vm.handed_over, timeout=60_000):
        page.send()
    written = out.with_suffix(".age")
    assert key.fingerprint in page.result.text()
    identities = unlock_identities(read_identity_file(key.path))
    opened = open_packet(read_packet(written), identities, app_vm.workspace)
    assert opened.case.person is not None and opened.case.person.name == NAME
    assert opened.provenance.recipient_fingerprint == key.fingerprint


def test_send_dialog_offers_keyed_services_and_checks_a_pasted_key(
        qtbot, tmp_path: Path) -> None:
    key = create_identity(tmp_path / "agency.key")
    shelter = Recipient(key.public_key, "shelter-1", "Synthetic Shelter", "shelter")
    dialog = SendDialog([shelter])
    qtbot.addWidget(dialog)
    assert dialog.choice.itemText(0) == "Synthetic Shelter"
    assert dialog.recipient() == shelter and dialog.ok.isEnabled()
    assert key.fingerprint in dialog.fingerprint.text()
    dialog.choice.setCurrentIndex(1)  # another agency's key, pasted
    assert not dialog.ok.isEnabled()
    dialog.key.setText("age1notakey")
    assert not dialog.ok.isEnabled() and "not a whole age public key" in dialog.fingerprint.text()
    dialog.key.setText(key.public_key)
    assert dialog.ok.isEnabled() and dialog.recipient() == Recipient(key.public_key)


def test_a_packet_received_before_asks_first_and_an_update_says_so(
        qtbot, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The review found a packet received twice made a second case without a word."""
    packet, identity, _sent = _sent_packet(tmp_path, again=1)
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    store = window.app_vm.require_store()
    informed: list[str] = []  # as read: without the direction marks around ids
    monkeypatch.setattr(dialogs, "inform",
                        lambda _p, _title, text: informed.append(strip_controls(text)))
    picks: list[Path] = []
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *_a, **_k: picks.pop(0))
    questions: list[tuple[str, str]] = []
    answers: list[bool] = []

    def ask(_parent: Any, title: str, text: str, yes: str, no: str | None = None, **_k: Any
            ) -> bool:
        questions.append((title, strip_controls(text)))
        app = QApplication.instance()
        assert app is not None and QThread.currentThread() is app.thread()  # not a worker
        assert (yes, no) == ("Import as a separate case", "Do not import")
        return answers.pop(0)

    monkeypatch.setattr(dialogs, "ask", ask)

    def receive(path: Path, signal: Any) -> None:
        picks[:] = [path, identity]
        with qtbot.waitSignal(signal, timeout=30_000):
            window.receive_button.click()

    receive(packet, window.receive_vm.received)
    [first] = store.cases.list()
    assert questions == []
    assert f"Sent by {OFFICER} ({AGENCY})" in informed[-1]
    # The same file again: asked first; "Do not import" stores nothing.
    answers.append(False)
    receive(packet, window.receive_vm.import_declined)
    assert len(store.cases.list()) == 1
    title, text = questions[-1]
    assert title == "Referral already received"
    assert first.reference in text and "Nothing has been stored" in text
    # Asked again, "Import as a separate case": a second case that says what it repeats.
    answers.append(True)
    receive(packet, window.receive_vm.received)
    assert len(store.cases.list()) == 2 and len(questions) == 2
    assert f"before as case {first.reference}" in informed[-1]
    # A newer packet for the same case: no question; it says it updates the first one.
    receive(tmp_path / "case-1.age", window.receive_vm.received)
    assert len(questions) == 2 and len(store.cases.list()) == 3
    assert f"updated referral: case {first.reference}" in informed[-1]
    actions = [e.action for e in store.audit.entries()]
    assert actions.count("referral.received") == 3
    assert actions.count("referral.already_received") == 2
