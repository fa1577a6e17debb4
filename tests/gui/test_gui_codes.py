"""No raw codes on screen (issue #14): audit events read "Answer saved", not "answer.saved";
export formats, translation statuses and the directory's "national" region read as words.
One table (``app.formatting``) names every event the core records; an event it does not know
yet reads "Other event", with the code in its tooltip at most."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from guihelp import create_store, make_window, start_interview, unlock
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QListWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeView,
    QWidget,
)

from app import demo
from app.formatting import AUDIT_EVENTS, event_label, event_tooltip
from app.windows.main_window import MainWindow
from screening.reports.directory import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
# A whole text that is nothing but a dotted code ("answer.saved", "case.status").
CODE = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
RAW_WORDS = {"json", "csv", "odk", "national", "source", "machine", "reviewed", "draft"}


def audit_actions() -> set[str]:
    """Every audit action the core writes: the first argument of ``….audit.append(…)`` and
    ``….audit.event(…)`` anywhere in ``screening`` (a literal, or a module constant)."""
    found: set[str] = set()
    for path in (ROOT / "screening").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants: dict[str, set[str]] = {}  # name = "a.b" or name = "a.b" if x else "c.d"
        for n in ast.walk(tree):
            if isinstance(n, ast.Assign):
                values = _strings(n.value)
                for t in n.targets:
                    if isinstance(t, ast.Name) and values:
                        constants.setdefault(t.id, set()).update(values)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("append", "event") and node.args
                    and "audit" in ast.unparse(node.func.value)):
                continue
            first = node.args[0]
            if isinstance(first, ast.Name):
                found |= constants.get(first.id, set())
            else:
                found |= _strings(first)
    return found


def _strings(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def test_every_audit_event_the_core_records_has_a_label() -> None:
    actions = audit_actions()
    assert {"answer.saved", "store.opened", "instrument.installed", "referral.sent"} <= actions
    assert sorted(actions - set(AUDIT_EVENTS)) == []
    for code in actions:
        assert not CODE.fullmatch(event_label(code)), code
        assert code not in event_tooltip(code)


def test_an_unknown_event_reads_other_event_with_the_code_only_in_its_tooltip() -> None:
    assert event_label("something.new") == "Other event"
    assert "something.new" in event_tooltip("something.new")


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of everything ``root`` shows: labels, buttons, list and combo items,
    table cells and headers, tab names."""
    out: list[tuple[str, str]] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        name = type(w).__name__
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append((name, w.text()))
        elif isinstance(w, QComboBox):
            out += [(name, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            out += [(name, w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, QListWidget):
            out += [(name, w.item(i).text()) for i in range(w.count())]
        if isinstance(w, (QTableView, QTreeView)) and w.model() is not None:
            model = w.model()
            top = QModelIndex()
            for c in range(model.columnCount(top)):
                out.append((name + " header", str(model.headerData(c, _horizontal()) or "")))
            for r in range(min(model.rowCount(top), 200)):
                for c in range(model.columnCount(top)):
                    out.append((name, str(model.index(r, c).data() or "")))
    return out


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def raw_codes(root: QWidget, codes: set[str]) -> list[str]:
    problems = []
    for where, text in visible_texts(root):
        plain = text.strip().strip("\u2066\u2067\u2068\u2069\u200e\u200f")
        if CODE.fullmatch(plain) or plain in RAW_WORDS:
            problems.append(f"{where}: {plain!r}")
        elif any(re.search(rf"(?<![\w/.@]){re.escape(c)}(?![\w/])", text) for c in codes):
            problems.append(f"{where}: a code in {text!r}")
        elif re.search(r"\((source|machine|reviewed|draft)\)", text):
            problems.append(f"{where}: a status code in {text!r}")
    return problems


@pytest.fixture
def window(qtbot: Any, data_dir: Path) -> MainWindow:
    create_store(data_dir, demo_instrument=True)
    win = make_window(qtbot, data_dir)
    unlock(qtbot, win)
    return win


def test_no_raw_code_on_any_screen_after_a_whole_interview(qtbot: Any,
                                                           window: MainWindow) -> None:
    codes = audit_actions()
    seen: dict[str, list[str]] = {}

    def check(name: str, root: QWidget) -> None:
        QApplication.processEvents()
        found = raw_codes(root, codes)
        if found:
            seen[name] = found

    interview_id = start_interview(qtbot, window, demo.DEMO_ID, respondent="ar")
    vm = window.interview_vm
    assert vm is not None
    for key, value in demo.DEMO_ANSWERS[0].items():
        vm.answer(key, value)
    vm.answer("work_story", "Synthetic answer (test).")
    check("interview", window)
    window.go_review(interview_id)
    check("review", window)
    window.review_page.finish()
    assert window.stack.currentWidget() is window.referral_page
    page = window.referral_page
    page.region.setCurrentIndex(max(0, page.region.findData("national")))
    check("referral", window)
    window.go_cases()
    check("cases", window)
    dialog = window.open_settings()
    assert dialog is not None
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        check(f"settings:{dialog.tabs.tabText(index)}", dialog)
    editor = dialog.directory.edit()
    # The editor's cells are the directory file's values, typed as the file has them; its
    # column headers are words, the file's column names in their tooltips.
    headers = [editor.table.horizontalHeaderItem(c) for c in range(editor.table.columnCount())]
    assert [h.text() for h in headers if h.text() in COLUMNS] == []
    assert all(name in h.toolTip() for h, name in zip(headers, COLUMNS, strict=True))
    editor.reject()
    assert seen == {}

    # The audit trail names the events of this interview, in words.
    audit = dialog.audit.table
    events = {audit.item(r, 1).text() for r in range(audit.rowCount())}
    assert {"Answer saved", "Interview finished", "Case created", "Unlocked"} <= events
    saved = next(audit.item(r, 1) for r in range(audit.rowCount())
                 if audit.item(r, 1).text() == "Answer saved")
    assert isinstance(saved, QTableWidgetItem) and "answer.saved" not in saved.toolTip()


def test_export_formats_are_named_and_still_export_their_format(
        qtbot: Any, window: MainWindow) -> None:
    dialog = window.open_settings()
    assert dialog is not None
    combo = dialog.backup.format
    assert [combo.itemData(i) for i in range(combo.count())] == ["json", "csv"]
    assert all(combo.itemText(i).lower() not in RAW_WORDS for i in range(combo.count()))
    assert combo.itemText(0).startswith("JSON") and combo.itemText(1).startswith("CSV")


def test_audit_table_has_no_code_even_for_an_event_not_known_yet(
        qtbot: Any, window: MainWindow) -> None:
    store = window.app_vm.require_store()
    store.audit.event("future.thing")
    dialog = window.open_settings()
    assert dialog is not None
    dialog.tabs.setCurrentWidget(dialog.audit)
    dialog.audit.load()
    table: QTableWidget = dialog.audit.table
    newest = table.item(0, 1)
    assert newest.text() == "Other event"
    assert "future.thing" in newest.toolTip()
    assert raw_codes(dialog, audit_actions() | {"future.thing"}) == []
