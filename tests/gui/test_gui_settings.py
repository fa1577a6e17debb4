"""Settings: backup on a worker, audit trail verified, passphrase changed, instrument
imported and removed, officer profile and auto-lock minutes kept in the encrypted store; the
referral directory imported and edited into the store (never a file in the data folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from guihelp import PASSPHRASE, create_store, make_window, unlock

from app import demo
from app.windows import dialogs
from screening.store import Store

NEW_PASSPHRASE = "violet tugboat marmalade 1987"
HEADER = (Path(__file__).resolve().parents[2] / "resources" / "referrals" / "us.csv"
          ).read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def settings(qtbot, data_dir: Path):
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    dialog = window.open_settings()
    return window, dialog


def test_backup_runs_on_a_worker(qtbot, settings, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _window, dialog = settings
    dest = tmp_path / "copy.fsbackup"
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: dest)
    tab = dialog.backup
    dialog.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(dialog.backup.vm.done, timeout=20_000):
        tab.backup_button.click()
        assert tab.busy.isVisible()
    assert dest.exists()
    assert "SHA-256" in tab.status.text()


def test_audit_trail_view_and_verify(qtbot, settings) -> None:
    _window, dialog = settings
    tab = dialog.audit
    tab.load()
    assert tab.table.rowCount() > 0
    with qtbot.waitSignal(tab.vm.done, timeout=10_000):
        tab.verify_button.click()
    assert "intact" in tab.status.text()


def test_change_passphrase_needs_the_current_one(qtbot, settings, data_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = settings
    shown: list[str] = []
    monkeypatch.setattr("app.windows.settings_dialog.show_error",
                        lambda _p, code, **_k: shown.append(code))
    tab = dialog.security
    tab.current.edit.setText("wrong current passphrase")
    tab.new.edit.setText(NEW_PASSPHRASE)
    tab.confirm.edit.setText(NEW_PASSPHRASE)
    with qtbot.waitSignal(tab.vm.failed, timeout=10_000):
        tab.change_button.click()
    assert shown == ["store.wrong_passphrase"]
    tab.current.edit.setText(PASSPHRASE)
    tab.new.edit.setText(NEW_PASSPHRASE)
    tab.confirm.edit.setText(NEW_PASSPHRASE)
    with qtbot.waitSignal(tab.vm.done, timeout=10_000):
        tab.change_button.click()
    assert "changed" in tab.status.text()
    window.lock()
    unlock(qtbot, window, NEW_PASSPHRASE)


def test_profile_autolock_and_instrument_import(qtbot, settings, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = settings
    monkeypatch.setattr(dialogs, "inform", lambda *a, **k: None)
    dialog.profile.edits[0].setText("Officer Renamed")
    dialog.profile.save()
    dialog.general.autolock.setValue(12)
    assert window.app_vm.officer_profile().name == "Officer Renamed"
    assert window.app_vm.autolock_minutes() == 12
    source = demo.write_demo_instrument(tmp_path / "elsewhere")
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: source)
    dialog.instruments.import_button.click()
    assert "Imported" in dialog.instruments.status.text()
    assert any(c.id == demo.DEMO_ID for c in window.catalog.cards("en"))
    data_dir = window.app_vm.data_dir
    assert not list(data_dir.rglob("*.yaml"))  # installed inside the encrypted store
    dialog.close()
    window.close()
    with Store.open(window.app_vm.data_dir, PASSPHRASE) as store:
        assert store.settings.get("autolock_minutes") == 12


def test_installed_questionnaire_can_be_removed_but_shipped_ones_cannot(
        qtbot, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = settings
    tab = dialog.instruments
    assert "encrypted" in tab.intro.text()
    source = demo.write_demo_instrument(tmp_path / "elsewhere")
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: source)
    tab.import_button.click()
    rows = {tab._cards[r].id: r for r in range(len(tab._cards))}
    shipped = next(r for r in range(len(tab._cards)) if not tab._cards[r].imported)
    tab.table.setCurrentCell(shipped, 0)
    assert not tab.remove_button.isEnabled()  # shipped: cannot be removed
    tab.table.setCurrentCell(rows[demo.DEMO_ID], 0)
    assert tab.remove_button.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask", lambda _p, title, text, *a, **k: asked.append(text)
                        or True)
    tab.remove_button.click()
    assert asked and "keep its exact text" in asked[0]
    assert tab.status.text().startswith("✓ Removed")
    assert all(c.id != demo.DEMO_ID for c in window.catalog.cards("en"))
    assert all(c.id != demo.DEMO_ID for c in tab._cards)


def test_referral_directory_import_is_validated_by_the_core(
        qtbot, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = settings
    tab = dialog.directory
    shipped = tab.table.rowCount()
    assert shipped > 0
    good = tmp_path / "agency.csv"
    header = HEADER
    good.write_text(header + "\nagency-shelter,US,North County,Example agency shelter (demo),"
                    "shelter,+1 555 0199,,,,,,en;es,no,24/7,shelter,yes,Synthetic entry\n",
                    encoding="utf-8")
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: good)
    tab.import_button.click()
    assert "1 service imported" in tab.status.text()
    assert tab.table.rowCount() == shipped + 1
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\nBAD ID,US,,,,,,,,,,,,,,,\n", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr("app.windows.settings_tabs.show_error",
                        lambda _p, code, **_k: shown.append(code))
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: bad)
    tab.import_button.click()
    assert shown == ["input.bad"]
    assert tab.table.rowCount() == shipped + 1  # the rejected file changed nothing
    assert window.app_vm.is_open


def test_imported_directory_lives_in_the_store_and_survives_a_restore(
        qtbot, settings, data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = settings
    tab = dialog.directory
    agency = tmp_path / "outside" / "agency.csv"
    agency.parent.mkdir()
    agency.write_text(HEADER + "\nagency-legal,US,North County,Example agency legal clinic "
                      "(synthetic),legal,+1 555 0142,,,,,,en,no,,legal,yes,Synthetic entry\n",
                      encoding="utf-8")
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: agency)
    tab.import_button.click()
    assert "1 service imported" in tab.status.text()
    assert "encrypted" in tab.intro.text()  # the tab says where it is kept
    imported = window.app_vm.store.directory.get()
    assert imported is not None and imported[0] == "agency.csv"
    assert "agency-legal" in imported[1]
    assert not list(data_dir.rglob("*.csv"))  # nothing copied into the data folder
    assert not (data_dir / "referrals").exists()

    backup = tmp_path / "with-directory.fsbackup"
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: backup)
    with qtbot.waitSignal(dialog.backup.vm.done, timeout=20_000):
        dialog.backup.backup_button.click()
    window.app_vm.store.directory.clear()
    assert "agency-legal" not in {s.service_id for s in tab.vm.services() or []}
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: backup)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: PASSPHRASE)
    with qtbot.waitSignal(window.app_vm.unlocked, timeout=20_000):
        dialog.backup.restore_button.click()
    restored = window.app_vm.store.directory.get()
    assert restored is not None and "agency-legal" in restored[1]
    assert "agency-legal" in {s.service_id for s in window.settings_vm.services() or []}
    assert not list(data_dir.rglob("*.csv"))


def test_restore_from_backup_replaces_the_store(qtbot, settings, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = settings
    store = window.app_vm.store
    kept = store.cases.create(reference="FS-KEEP-1")
    dest = tmp_path / "before.fsbackup"
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: dest)
    with qtbot.waitSignal(dialog.backup.vm.done, timeout=20_000):
        dialog.backup.backup_button.click()
    store.cases.create(reference="FS-AFTER-BACKUP")
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: dest)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: PASSPHRASE)
    with qtbot.waitSignal(window.app_vm.unlocked, timeout=20_000):
        dialog.backup.restore_button.click()
    restored = window.app_vm.store
    assert [c.reference for c in restored.cases.list()] == ["FS-KEEP-1"]
    assert restored.cases.get(kept).reference == "FS-KEEP-1"
    assert window.stack.currentWidget() is window.cases_page


def test_referral_directory_is_edited_in_the_app(qtbot, settings, data_dir: Path) -> None:
    from screening.reports.directory import COLUMNS

    window, dialog = settings
    tab = dialog.directory
    tab.load()
    editor = tab.edit()
    qtbot.addWidget(editor)
    table = editor.table
    assert table.rowCount() >= 3  # the shipped services, every column editable
    phone = COLUMNS.index("phone")
    name_col = COLUMNS.index("name")
    editor._append({"id": "test-shelter", "country": "US", "region": "Test County",
                    "name": "Example test shelter (synthetic)", "kind": "nonsense",
                    "example": "yes", "interpreters": "no", "phone": "+1 555 0100"})
    row = table.rowCount()
    assert editor.save() is False  # an unknown kind: nothing saved, the problem is named
    problem = editor.problems.label.text()
    assert f"Row {row}:" in problem and "kind" in problem
    assert window.app_vm.store.directory.get() is None
    table.item(table.rowCount() - 1, COLUMNS.index("kind")).setText("shelter")
    table.item(0, phone).setText("1-888-373-7888")
    assert editor.save() is True
    names = [s.name for s in tab.vm.services() or []]
    assert "Example test shelter (synthetic)" in names
    assert table.item(0, name_col).text() in names
    imported = window.app_vm.store.directory.get()
    assert imported is not None and "test-shelter" in imported[1]
    assert not list(data_dir.rglob("*.csv"))  # kept inside the encrypted store
    again = tab.edit()  # the editor starts from what the store holds
    qtbot.addWidget(again)
    ids = [again.table.item(r, COLUMNS.index("id")).text()
           for r in range(again.table.rowCount())]
    assert "test-shelter" in ids
    again.reject()


def test_restore_waits_for_a_task_still_running(qtbot, settings, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    window, dialog = settings
    dest = tmp_path / "before.fsbackup"
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: dest)
    with qtbot.waitSignal(dialog.backup.vm.done, timeout=20_000):
        dialog.backup.backup_button.click()
    window.app_vm.runner.start("slow", lambda: time.sleep(0.5))  # e.g. a PDF being written
    monkeypatch.setattr(dialogs, "choose_open_path", lambda *a, **k: dest)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: PASSPHRASE)
    with qtbot.waitSignal(window.app_vm.unlocked, timeout=20_000):
        dialog.backup.restore_button.click()
    assert window.app_vm.is_open


def test_after_a_rekey_the_new_files_page_check_is_still_heard(qtbot, settings) -> None:
    """A rekey writes a new database file and starts a new page check on it; the app must
    still hear how that check ends, or damage found in it would show no notice."""
    window, dialog = settings
    store = window.app_vm.require_store()
    assert store.page_check.wait(30) == "ok"
    vm = dialog.backup.vm
    with (qtbot.waitSignal(window.app_vm._page_check_ended, timeout=30_000) as heard,
          qtbot.waitSignal(vm.done, timeout=30_000)):
        vm.rekey(PASSPHRASE, "a brand new passphrase for the rekey 42")
    assert heard.args[0] is store and heard.args[1] == "ok"
