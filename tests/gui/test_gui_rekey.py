"""Settings > Passphrase > "Change passphrase and re-encrypt": the current passphrase is
checked by the core first; on success the NEW recovery key is shown once and opens the store,
the old passphrase does not; a wrong current passphrase changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from guihelp import PASSPHRASE, create_store, make_window, unlock

from app.qt_i18n import ui_language
from app.windows import dialogs
from screening.errors import WrongPassphrase
from screening.store import Store

NEW_PASSPHRASE = "violet tugboat marmalade 1987"


@pytest.fixture
def settings(qtbot, data_dir: Path):
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    dialog = window.open_settings()
    assert dialog is not None
    dialog.tabs.setCurrentWidget(dialog.security)
    return window, dialog


def _fill(tab, current: str) -> None:
    tab.current.edit.setText(current)
    tab.new.edit.setText(NEW_PASSPHRASE)
    tab.confirm.edit.setText(NEW_PASSPHRASE)


def test_rekey_shows_a_new_recovery_key_that_opens_the_store(
        qtbot, settings, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    window, dialog = settings
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask", lambda _p, _t, text, *a, **k: asked.append(text)
                        or True)
    tab = dialog.security
    _fill(tab, PASSPHRASE)
    caplog.set_level("DEBUG")
    with qtbot.waitSignal(tab.vm.done, timeout=30_000) as done:
        tab.rekey_button.click()
        assert tab.busy.isVisible()
        assert not tab.change_button.isEnabled() and not dialog.close_button.isEnabled()
        assert not dialog.tabs.tabBar().isEnabled()
    assert done.args[0] == "rekey"
    recovery_key = done.args[1]
    assert asked and "old recovery key" in asked[0] and "destroy" in asked[0]
    assert tab.key_label.text() == recovery_key and tab.key_banner.isVisible()
    assert tab.key_written.isVisible()
    assert "re-encrypted" in tab.status.text()
    assert dialog.close_button.isEnabled() and tab.rekey_button.isEnabled()
    assert tab.current.text() == "" and tab.new.text() == ""
    for secret in (PASSPHRASE, NEW_PASSPHRASE, recovery_key):  # nothing personal logged
        assert secret not in caplog.text
    tab.key_written.setChecked(True)  # shown once
    assert tab.key_label.text() == ""
    dialog.close()
    window.close()  # closes the store
    with Store.open_with_recovery_key(data_dir, recovery_key) as store:
        assert store.audit.report().ok
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE)
    Store.open(data_dir, NEW_PASSPHRASE).close()


def _key_files(data_dir: Path) -> dict[str, object]:
    """The key files, less the failed-attempt count (a wrong passphrase raises it)."""
    docs: dict[str, object] = {}
    for p in data_dir.iterdir():
        if p.is_file() and "keyslots" in p.name:
            doc = json.loads(p.read_text())
            doc.pop("attempts", None)
            docs[p.name] = doc
    return docs


def test_rekey_with_a_wrong_current_passphrase_changes_nothing(
        qtbot, settings, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = settings
    shown: list[str] = []
    monkeypatch.setattr("app.windows.settings_dialog.show_error",
                        lambda _p, code, **_k: shown.append(code))
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: True)
    keyslots = _key_files(data_dir)
    tab = dialog.security
    _fill(tab, "wrong current passphrase")
    with qtbot.waitSignal(tab.vm.failed, timeout=30_000):
        tab.rekey_button.click()
    assert shown == ["store.wrong_passphrase"]
    assert tab.key_label.text() == "" and not tab.key_banner.isVisible()
    assert tab.rekey_button.isEnabled() and dialog.close_button.isEnabled()
    assert _key_files(data_dir) == keyslots  # the wrong guess is only counted
    dialog.close()
    window.close()
    Store.open(data_dir, PASSPHRASE).close()
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, NEW_PASSPHRASE)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_rekey_screenshot(qtbot, settings, lang: str) -> None:
    _window, dialog = settings
    ui_language().set_language(lang)
    tab = dialog.security
    tab.status.setText("✓ " + "x")
    tab._show_key("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789")
    qtbot.wait(50)
    out = os.environ.get("FIELDSCREEN_SHOTS")
    if out:
        dialog.grab().save(str(Path(out) / f"rekey-{lang}.png"))
    assert tab.rekey_button.isVisible()
    tab.clear()
