"""The case list: a Qt model over the store; search across scripts, status filter, sort,
resume and delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from guihelp import create_store, make_window, unlock
from PySide6.QtCore import Qt

from app.viewmodels.case_list_model import CaseIdRole
from app.windows import dialogs
from screening.store import PersonInfo

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
