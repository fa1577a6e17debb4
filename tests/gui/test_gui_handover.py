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
from PySide6.QtWidgets import QApplication, QMessageBox

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows import dialogs, handover_dialogs
from app.windows.handover_dialogs import SendDialog
from app.windows.referral_page import ReferralPage
from screening.casework.handover import Recipient, open_packet, read_packet, send_referral
from screening.handover.keys import create_identity, read_identity_file, unlock_identities
from screening.paths import resource_path
from screening.store import PersonInfo
from screening.workspace import Workspace
from tests.factories import stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
NAME = "Synthetic Person-Received"
IDENTITY_PASSPHRASE = "lantern orchard violet mariner 77"


def _answers(ws: Workspace, case_id: str) -> tuple[dict[str, Any], str]:
    [interview] = ws.store.cases.get(case_id).interviews
    answers = ws.store.interviews.load_answers(interview.id)
    assert interview.result is not None
    return ({k: (a.value, a.special) for k, a in answers.items()},
            interview.result["outcome"]["level"])


def _sent_packet(root: Path, *, protect: str | None = None) -> tuple[Path, Path, dict]:
    """An officer's store elsewhere hands a case over to the caseworker's agency key."""
    key = create_identity(root / "agency.key", passphrase=protect)
    packet = root / "case.age"
    with Workspace(root / "officer") as ws:
        ws.create(PASSPHRASE)
        done = stored_interview(ws, "adult_indicators", ANSWERS, lang="en",
                                person=PersonInfo(name=NAME))
        send_referral(ws, str(done["case_id"]), Recipient(key.public_key), packet, lang="en")
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
