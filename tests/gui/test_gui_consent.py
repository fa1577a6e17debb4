"""Consent before anything personal, in the app: "New case…" only collects the details in
memory; the case and the person are stored by the consent step (through the core), and a
person who does not agree leaves nothing behind but an audit entry saying so."""

from __future__ import annotations

from pathlib import Path

import pytest
from guihelp import create_store, make_window, new_case, set_up, start_interview, unlock

from app import demo
from app.windows import dialogs
from screening.store import Store
from tests.store.storehelp import decrypted_pages, master_key, raw_connect

NAME = "CANARY-PII-Declining Synthetic Person"
CONTACT = "+00 7700 900 555 (synthetic)"


def _everything_on_disk(data_dir: Path) -> bytes:
    """Every file in the data folder (logs too), plus every page of the database decrypted,
    free pages included: what someone holding the key could recover."""
    raw = b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
    return raw + decrypted_pages(data_dir / "fieldscreen.db", master_key(data_dir))


def _person_rows(data_dir: Path) -> int:
    conn = raw_connect(data_dir)
    try:
        return int(conn.execute("SELECT count(*) FROM persons").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def window(qtbot, data_dir: Path):
    create_store(data_dir)
    win = make_window(qtbot, data_dir)
    unlock(qtbot, win)
    return win


def _to_consent(qtbot, window, name: str = NAME) -> None:
    dialog = window.cases_page.new_case()
    dialog.name.setText(name)
    dialog.contact.setText(CONTACT)
    dialog.reference.setText("FS-SYNTH-DECLINE")
    dialog.accept()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.setup_page)
    assert dialog.name.text() == ""  # the dialog forgot it: only the draft holds it
    set_up(window, "safety_triage")


def test_nothing_is_stored_before_consent(qtbot, window) -> None:
    store = window.app_vm.store
    _to_consent(qtbot, window)
    assert window.setup_vm.is_new_case
    assert "nothing about the person is stored unless" in window.consent_page.case_line.text()
    assert store.cases.list() == []
    assert NAME not in repr(window.setup_vm.person) and NAME not in repr(window.setup_vm)
    window.consent_page.agrees.setChecked(True)
    window.consent_page.share_services.setChecked(True)
    window.consent_page.share_police.setChecked(True)
    window.consent_page.start_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.interview_page)
    cases = store.cases.list()
    assert [c.reference for c in cases] == ["FS-SYNTH-DECLINE"]
    case = store.cases.get(cases[0].id)
    assert case.person is not None
    assert (case.person.name, case.person.contact) == (NAME, CONTACT)
    ctx = store.context.get(window.interview_vm.interview_id)
    assert ctx.consent_given
    assert ctx.consent_scope == ("screening", "referral", "law_enforcement")
    assert window.setup_vm.person is None  # the draft is gone once stored


def test_declining_in_the_app_leaves_no_case_and_no_person(qtbot, window, data_dir: Path,
                                                            monkeypatch) -> None:
    asked: list[str] = []

    def ask(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return True

    monkeypatch.setattr(dialogs, "ask", ask)
    store = window.app_vm.store
    _to_consent(qtbot, window)
    window.consent_page.decline_button.click()
    assert "Nothing about this person will be recorded" in asked[0]
    assert window.stack.currentWidget() is window.cases_page
    assert window.setup_vm.person is None
    assert store.cases.list() == []
    assert window.cases_vm.model.rowCount() == 0  # not in the case list either
    declined = [e for e in store.audit.entries() if e.action == "consent.declined"]
    assert len(declined) == 1 and declined[0].case_id is None
    assert NAME not in str(declined[0].detail) and CONTACT not in str(declined[0].detail)
    window.close()
    assert _person_rows(data_dir) == 0
    on_disk = _everything_on_disk(data_dir)
    for secret in (NAME, CONTACT, "FS-SYNTH-DECLINE"):
        assert secret.encode("utf-8") not in on_disk
        assert secret.encode("utf-16-le") not in on_disk


def test_declining_a_new_interview_for_an_existing_case_changes_nothing(
        qtbot, window, monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "ask", lambda *_a, **_k: True)
    store = window.app_vm.store
    first = start_interview(qtbot, window, "safety_triage", name="Synthetic Person Two")
    case_id = window.interview_vm.case_id
    window.go_cases(case_id)
    qtbot.waitUntil(lambda: window.cases_page.detail is not None)
    window.cases_page.new_interview_button.click()
    assert window.stack.currentWidget() is window.setup_page
    assert not window.setup_vm.is_new_case
    assert window.setup_page.case_line.text() == f"Case {store.cases.get(case_id).reference}"
    set_up(window, "safety_triage")
    window.consent_page.decline_button.click()
    assert window.stack.currentWidget() is window.cases_page
    assert [i.id for i in store.interviews.list(case_id)] == [first]
    assert len(store.cases.list()) == 1
    declined = [e for e in store.audit.entries() if e.action == "consent.declined"]
    assert [e.case_id for e in declined] == [case_id]


def test_a_new_interview_for_an_existing_case_is_added_to_it(qtbot, window) -> None:
    store = window.app_vm.store
    first = start_interview(qtbot, window, "safety_triage", name="Synthetic Person Three")
    case_id = window.interview_vm.case_id
    window.go_cases(case_id)
    qtbot.waitUntil(lambda: window.cases_page.detail is not None)
    window.cases_page.new_interview_button.click()
    set_up(window, "safety_triage")
    window.consent_page.agrees.setChecked(True)
    window.consent_page.start_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.interview_page)
    second = window.interview_vm.interview_id
    assert second != first and window.interview_vm.case_id == case_id
    assert len(store.cases.list()) == 1
    assert store.cases.get(case_id).person.name == "Synthetic Person Three"
    assert store.context.get(second).consent_scope == ("screening",)


def test_cancelling_the_set_up_or_locking_discards_the_details(qtbot, window) -> None:
    store = window.app_vm.store
    new_case(qtbot, window, NAME)
    assert window.setup_vm.person is not None
    window.setup_page.cancel_button.click()
    assert window.stack.currentWidget() is window.cases_page
    assert window.setup_vm.person is None and store.cases.list() == []

    _to_consent(qtbot, window)
    window.cases_button.click()  # leaving by the header: the new case is abandoned too
    assert window.stack.currentWidget() is window.cases_page
    assert window.setup_vm.person is None and store.cases.list() == []

    _to_consent(qtbot, window)
    window.lock()
    assert window.setup_vm.person is None
    unlock(qtbot, window)
    # the new case was never stored: back to the case list, not to a consent for nobody
    assert window.stack.currentWidget() is window.cases_page
    assert window.app_vm.store.cases.list() == []


def test_case_detail_keeps_the_title_of_a_removed_instrument(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    start_interview(qtbot, window, demo.DEMO_ID, name="Synthetic Person Four")
    case_id = window.interview_vm.case_id
    window.go_cases(case_id)
    key = next(c.key for c in window.catalog.cards("en") if c.id == demo.DEMO_ID)
    assert window.catalog.remove(key) is True  # used by an interview: kept as its snapshot
    assert all(c.id != demo.DEMO_ID for c in window.catalog.cards("en"))
    detail = window.cases_vm.detail(case_id)
    assert detail is not None
    assert detail.interviews[0].instrument.startswith("FieldScreen demonstration")
    window.cases_page.refresh(case_id)
    window.cases_page.resume_button.click()  # still opens, on the text it was asked with
    assert window.stack.currentWidget() is window.interview_page


def test_installed_instruments_are_listed_only_while_unlocked(qtbot, data_dir: Path) -> None:
    create_store(data_dir, demo_instrument=True)
    window = make_window(qtbot, data_dir)
    assert all(c.id != demo.DEMO_ID for c in window.catalog.cards("en"))  # locked
    unlock(qtbot, window)
    card = next(c for c in window.catalog.cards("en") if c.id == demo.DEMO_ID)
    assert card.imported
    assert not (data_dir / "instruments").exists()  # inside the store, not a file
    window.lock()
    assert all(c.id != demo.DEMO_ID for c in window.catalog.cards("en"))
    window.close()
    with Store.open(data_dir, "correct horse battery staple 42") as store:
        assert [s.instrument_id for s in store.instruments.installed()] == [demo.DEMO_ID]
