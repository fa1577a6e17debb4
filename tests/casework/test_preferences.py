"""The two settings of issue #14, typed and kept in the encrypted store: the panic key and
whether the case list shows names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from screening.casework.preferences import (
    CaseListNames,
    Preferences,
    normalise_panic_key,
)
from screening.errors import InputError
from screening.workspace import Workspace


class DictSettings:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


@pytest.mark.parametrize(("given", "stored"), [
    ("F12", "F12"), ("ctrl+shift+h", "Ctrl+Shift+H"), ("Shift+F1", "Shift+F1"),
    ("Alt+Ctrl+K", "Ctrl+Alt+K"), ("Pause", "Pause"), ("", ""),
])
def test_panic_keys_that_cannot_fire_while_typing_are_kept(given: str, stored: str) -> None:
    assert normalise_panic_key(given) == stored


@pytest.mark.parametrize("refused", [
    "a", "Shift+A", "5", "Space", "Return", "Tab", "Esc", "Left",  # typing, answering
    "Ctrl+L", "Ctrl+P", "Alt+Left", "Ctrl+Return", "Ctrl+C",  # the app's own keys
    "Ctrl+Shift", "Ctrl+K, Ctrl+B",  # not one key
])
def test_panic_keys_used_for_typing_or_by_the_app_are_refused(refused: str) -> None:
    with pytest.raises(InputError):
        normalise_panic_key(refused)


def test_defaults_and_bad_stored_values() -> None:
    settings = DictSettings()
    prefs = Preferences(settings)
    assert prefs.panic_key() == "F12"
    assert prefs.case_list_names() is CaseListNames.HIDDEN_DURING_INTERVIEW
    settings.values.update(panic_key="a", case_list_names="sometimes")  # edited by hand
    assert prefs.panic_key() == "F12"
    assert prefs.case_list_names() is CaseListNames.HIDDEN_DURING_INTERVIEW
    with pytest.raises(InputError):
        prefs.set_case_list_names("sometimes")


def test_settings_live_in_the_encrypted_store(tmp_path: Path) -> None:
    passphrase = "correct horse battery staple 42"
    with Workspace(tmp_path / "data") as ws:
        ws.create(passphrase)
        assert ws.preferences.set_panic_key("ctrl+alt+h") == "Ctrl+Alt+H"
        ws.preferences.set_case_list_names(CaseListNames.SHOWN)
    with Workspace(tmp_path / "data") as ws:
        ws.open(passphrase)
        assert ws.preferences.panic_key() == "Ctrl+Alt+H"
        assert ws.preferences.case_list_names() is CaseListNames.SHOWN
