"""Unlock: wrong passphrase said plainly; the growing delay shown honestly; recovery key."""

from __future__ import annotations

import json
import time
from pathlib import Path

from guihelp import PASSPHRASE, make_window, unlock

from screening.store import Store


def test_wrong_passphrase_then_an_honest_countdown(qtbot, data_dir: Path) -> None:
    Store.create(data_dir, PASSPHRASE)[0].close()
    window = make_window(qtbot, data_dir)
    page = window.unlock_page
    page.secret.edit.setText("not the passphrase at all")
    with qtbot.waitSignal(window.app_vm.unlock_failed, timeout=10_000):
        page.unlock()
    assert "not right" in page.status.text()
    assert page.secret.text() == ""  # never left in the field
    assert page.unlock_button.isEnabled()  # the first failures cost nothing

    # After several failures (here: written as the store's throttle would) the wait shows.
    keyfile = data_dir / "keyslots.json"
    doc = json.loads(keyfile.read_text(encoding="utf-8"))
    doc["attempts"] = {"in_a_row": 6, "total": 7, "last_failed": time.time()}
    keyfile.write_text(json.dumps(doc), encoding="utf-8")
    page.prepare()
    assert not page.unlock_button.isEnabled()
    assert "seconds" in page.status.text()
    first = page._remaining
    assert 7 <= first <= 8
    qtbot.waitUntil(lambda: page._remaining < first, timeout=3000)  # it counts down
    page.secret.edit.setText(PASSPHRASE)
    page.unlock()  # ignored while waiting
    assert window.app_vm.store is None


def test_unlock_with_the_recovery_key(qtbot, data_dir: Path) -> None:
    store, recovery_key = Store.create(data_dir, PASSPHRASE)
    store.close()
    window = make_window(qtbot, data_dir)
    page = window.unlock_page
    page.use_recovery.setChecked(True)
    assert page.secret_label.text() == "Recovery key"
    unlock(qtbot, window, recovery_key.lower().replace("-", " "))
    assert window.stack.currentWidget() is window.cases_page


def test_first_run_is_shown_only_without_a_store(qtbot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir)
    assert window.stack.currentWidget() is window.first_run
    assert not window.header.isVisible()


def test_an_older_database_put_back_is_said_at_unlock(qtbot, data_dir: Path,
                                                      tmp_path: Path) -> None:
    """Issue #13: rolling the database back used to pass unnoticed."""
    import shutil

    Store.create(data_dir, PASSPHRASE)[0].close()
    shutil.copy2(data_dir / "fieldscreen.db", tmp_path / "old.db")
    with Store.open(data_dir, PASSPHRASE) as store:
        store.cases.create()
    shutil.copy2(tmp_path / "old.db", data_dir / "fieldscreen.db")
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window, PASSPHRASE)
    box = window.integrity_box
    assert box is not None and box.isVisible()
    assert "An older copy of the database was put back" in box.text()
    assert "recorded in the audit trail" in box.text()
    window.app_vm.lock()
    box.accept()
    unlock(qtbot, window, PASSPHRASE)  # said once: the next unlock is quiet
    assert window.integrity_box is None
