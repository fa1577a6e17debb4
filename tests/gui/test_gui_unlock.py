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
    (data_dir / "unlock-state.json").write_text(
        json.dumps({"failures": 6, "last_failure": time.time()}), encoding="utf-8")
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
