"""The case list: a Qt model over the store; search across scripts, status filter, sort,
resume and delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from guihelp import create_store, make_window, unlock
from PySide6.QtCore import Qt

from app.viewmodels.case_list_model import MASKED_NAME, CaseIdRole
from app.windows import dialogs
from screening.store import CaseSummary, PersonInfo

NAMES = ["Ana María González", "МАРИЯ Иванова", "李小梅", "فاطمة الزهراء", "Nguyễn Thị Lan"]


@pytest.fixture
def window(qtbot, data_dir: Path):
    create_store(data_dir)
    win = make_window(qtbot, data_dir)
    unlock(qtbot, win)
    store = win.app_vm.store
    for i in range(60):
        store.cases.create(person=PersonInfo(name=f"{NAMES[i % len(NAMES)]} {i}"))
    win.go_cases()
    return win


def names(model) -> list[str]:
    return [model.index(r, 1).data() for r in range(model.rowCount())]


def test_search_ignores_accents_and_case_in_every_script(qtbot, window) -> None:
    page = window.cases_page
    model = window.cases_vm.model
    assert model.rowCount() == 60
    page.search.setText("gonzalez")  # debounced: the model changes once typing pauses
    assert model.rowCount() == 60
    qtbot.waitUntil(lambda: model.rowCount() == 12)
    assert all(n.startswith("Ana María González") for n in names(model))
    assert "12 cases found" in page.count.text()
    model.set_search("мария")
    assert model.rowCount() == 12 and names(model)[0].startswith("МАРИЯ")
    model.set_search("小梅")
    assert model.rowCount() == 12
    model.set_search("FS-")  # case references
    assert model.rowCount() == 60
    today = window.app_vm.store.cases.list(limit=1)[0].created_at[:10]
    model.set_search(today)  # dates
    assert model.rowCount() == 60
    model.set_search("nobody-here")
    assert model.rowCount() == 0


def test_status_filter_and_sort(qtbot, window) -> None:
    store = window.app_vm.store
    model = window.cases_vm.model
    ids = [model.index(r, 0).data(CaseIdRole) for r in range(3)]
    for case_id in ids:
        store.cases.set_status(case_id, "closed")
    page = window.cases_page
    page.status.setCurrentIndex(page.status.findData("closed"))
    assert sorted(model.index(r, 0).data(CaseIdRole) for r in range(model.rowCount())) == \
        sorted(ids)
    page.status.setCurrentIndex(page.status.findData(""))
    model.sort(1, Qt.SortOrder.AscendingOrder)
    listed = names(model)
    assert listed == sorted(listed, key=str.casefold)


def test_delete_asks_first_then_deletes_for_good(qtbot, window,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    page = window.cases_page
    page.table.selectRow(0)
    case_id = page.detail.id
    answers = iter([False, True])
    asked: list[str] = []

    def ask(_parent, title, text, *a, **k):
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(dialogs, "ask", ask)
    page.delete_selected()
    assert window.cases_vm.model.rowCount() == 60  # "no" keeps it
    page.table.selectRow(window.cases_vm.model.row_of(case_id))
    page.delete_selected()
    assert window.cases_vm.model.rowCount() == 59
    assert window.cases_vm.model.row_of(case_id) == -1
    assert "for good" in asked[0]


def test_a_received_case_shows_who_sent_it_and_names_stay_masked(
        qtbot, window, tmp_path: Path) -> None:
    """Issue #15 review: the case list showed nothing of where a received case came from."""
    from screening.casework.handover import (
        Recipient,
        open_packet,
        read_packet,
        receive_referral,
        send_referral,
    )
    from screening.casework.preferences import OfficerProfile
    from screening.handover.keys import create_identity, read_identity_file, unlock_identities
    from screening.i18n.bidi import strip_controls
    from screening.paths import resource_path
    from screening.workspace import Workspace
    from tests.cli.helpers import PASSPHRASE
    from tests.factories import stored_interview

    agency = "<b>Synthetic</b> Border Unit & Co"  # a packet's text is never read as HTML
    officer = "Officer Synthetic-Sender"
    answers = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    key = create_identity(tmp_path / "agency.key")
    with Workspace(tmp_path / "officer") as ws:
        ws.create(PASSPHRASE)
        ws.preferences.save_officer_profile(OfficerProfile(name=officer, agency=agency))
        done = stored_interview(ws, "adult_indicators", answers["answers"], lang="en",
                                person=PersonInfo(name="Received Synthetic-Person"))
        send_referral(ws, str(done["case_id"]), Recipient(key.public_key),
                      tmp_path / "case.age", lang="en")
    workspace = window.app_vm.workspace
    received = receive_referral(workspace, open_packet(
        read_packet(tmp_path / "case.age"), unlock_identities(read_identity_file(key.path)),
        workspace))
    page = window.cases_page
    page.refresh(received.case_id)
    model = window.cases_vm.model
    column = [model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(model.columnCount())].index("Received from")
    row = model.row_of(received.case_id)
    cell = model.index(row, column)
    assert strip_controls(cell.data()) == agency  # isolated: its own direction
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<qt>") and "&lt;b&gt;Synthetic&lt;/b&gt;" in tip and "<b>" not in tip
    assert officer in tip and received.reference in strip_controls(tip)
    local = model.index(0 if row else 1, column)
    assert local.data() == "" and local.data(Qt.ItemDataRole.ToolTipRole) is None
    assert local.data(Qt.ItemDataRole.AccessibleTextRole) == "Not received: made here"
    # The side panel says it too; plain text.
    assert page.detail is not None and page.detail.id == received.case_id
    assert not page.case_received.isHidden()
    shown = strip_controls(page.case_received.text())
    assert f"Received from {officer} ({agency}) on " in shown
    assert page.case_received.textFormat() == Qt.TextFormat.PlainText
    # While names are masked (an interview open), the person's name is dots; the sender stays.
    page.set_names_masked(True)
    assert model.index(row, 1).data() == MASKED_NAME
    assert strip_controls(model.index(row, column).data()) == agency
    # A case made here has no such line.
    page.table.selectRow(model.row_of(local.data(CaseIdRole)))
    assert page.case_received.isHidden()


def test_the_case_asked_for_is_selected_right_to_left_too(qtbot, data_dir: Path) -> None:
    """After "Receive a referral…" (or an interview) the window shows the case list with that
    case selected and its details beside it: in Arabic nothing was selected."""
    create_store(data_dir)
    window = make_window(qtbot, data_dir, lang="ar")
    unlock(qtbot, window)
    store = window.app_vm.require_store()
    with_cases = [store.cases.create(person=PersonInfo(name=f"شخص تجريبي {i}"))
                  for i in range(3)]
    assert window.cases_page.layoutDirection() == Qt.LayoutDirection.RightToLeft
    for case_id in (with_cases[1], with_cases[0]):
        window.go_cases(case_id)
        page = window.cases_page
        assert page.detail is not None and page.detail.id == case_id
        [selected] = page.table.selectionModel().selectedRows()
        assert selected.data(CaseIdRole) == case_id


# -- issue #19: the list reads its rows lazily, a window at a time, sorted by the store -------
def _sort_key(case: CaseSummary, column: str) -> Any:
    from screening.store.search import normalise

    if column == "name":
        return normalise(case.name or "")
    if column == "reference":
        return case.reference.casefold()
    if column == "received":
        return case.received_from is not None
    return {"status": case.status, "interviews": case.interview_count,
            "created": case.created_at, "updated": case.updated_at}[column]


def test_every_column_sorts_through_the_header_reading_few_rows_at_a_time(
        qtbot, window, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.viewmodels import case_list_model
    from app.viewmodels.case_list_model import COLUMNS

    monkeypatch.setattr(case_list_model, "WINDOW", 7)
    monkeypatch.setattr(case_list_model, "KEPT_WINDOWS", 2)
    store = window.app_vm.store
    store.cases.update_person(store.cases.list()[0].id, PersonInfo(name="ÁLVAREZ Synthetic"))
    store.cases.update_person(store.cases.list()[1].id, PersonInfo(name="alvarez synthetic"))
    page = window.cases_page
    model = window.cases_vm.model
    model.refresh()
    cases = {c.id: c for c in store.cases.list()}
    for column, (key, _title) in enumerate(COLUMNS):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            page.table.sortByColumn(column, order)
            assert page.table.horizontalHeader().sortIndicatorSection() == column
            shown = [model.index(r, 0).data(CaseIdRole) for r in range(model.rowCount())]
            assert sorted(shown) == sorted(cases)  # every case once
            keys = [_sort_key(cases[i], key) for i in shown]
            assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder), key
            assert len(model._windows) <= 2  # no more than the kept windows in memory
            assert model.index(20, 1).data() == cases[shown[20]].name
    window.app_vm.lock()  # locking forgets every row read
    assert model.rowCount() == 0 and not model._windows


def test_the_selected_case_stays_selected_when_the_order_changes(qtbot, window) -> None:
    page = window.cases_page
    model = window.cases_vm.model
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    page.select_case(model.index(45, 0).data(CaseIdRole))
    chosen = page.detail.id
    page.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    [selected] = page.table.selectionModel().selectedRows()
    assert selected.data(CaseIdRole) == chosen and page.detail.id == chosen
    assert selected.row() == model.row_of(chosen) >= 0
    # Found again after a search that lists it, and not at all after one that does not.
    model.set_search(window.app_vm.store.cases.get(chosen).reference)
    page.select_case(chosen)
    assert page.detail.id == chosen and model.row_of(chosen) == 0
    model.set_search("nobody-here")
    assert model.row_of(chosen) == -1


def test_more_matches_than_the_list_shows_says_so(
        qtbot, window, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.viewmodels import case_list_model

    monkeypatch.setattr(case_list_model, "SEARCH_LIMIT", 12)
    page = window.cases_page
    model = window.cases_vm.model
    model.set_search("FS-")
    assert model.rowCount() == 12 and model.truncated
    assert "More than 12 cases found" in page.count.text()
    model.set_search("иванова")  # 12 match: all listed, nothing more to say
    assert model.rowCount() == 12 and not model.truncated
    assert "12 cases found" in page.count.text() and "More" not in page.count.text()
    today = window.app_vm.store.cases.list(limit=1)[0].created_at[:10]
    model.set_search(today)  # a date is not a search: every case, never "more than"
    assert model.rowCount() == 60 and not model.truncated


def test_back_to_the_list_from_a_case_keeps_that_case_selected(qtbot, window) -> None:
    """A case opened from far down the list is still the one selected when the officer
    comes back by the header's "Cases" button (at 100,000 cases she would not find it)."""
    page = window.cases_page
    model = window.cases_vm.model
    chosen = model.index(model.rowCount() - 1, 0).data(CaseIdRole)
    page.select_case(chosen)
    window.go_referral(chosen)
    assert window.place.page == "referral"
    window.cases_button.click()
    assert window.place.page == "cases"
    [selected] = page.table.selectionModel().selectedRows()
    assert selected.data(CaseIdRole) == chosen and page.detail.id == chosen
