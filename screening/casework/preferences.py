"""Typed preferences: the officer's profile and the settings kept in the encrypted store.

The store keeps settings as JSON under a key; only the keys and types below exist, so a typo
in a key is a type error rather than a setting silently never read. The UI language is the
one preference outside the store (it is needed before unlock); ``Workspace`` keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Protocol

from screening.errors import ErrorCode, InputError

DEFAULT_AUTOLOCK_MINUTES = 5
MIN_AUTOLOCK_MINUTES = 1
MAX_AUTOLOCK_MINUTES = 240
# The panic key shows the neutral pause screen from anywhere (issue #14); Ctrl+P always does.
DEFAULT_PANIC_KEY = "F12"
_MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
# Keys the app or typing already uses: a panic key there would fire while answering.
_RESERVED = frozenset({
    "Ctrl+L", "Ctrl+P", "Alt+Left", "Alt+Right", "Ctrl+Return", "Ctrl+Enter", "Ctrl+A",
    "Ctrl+C", "Ctrl+V", "Ctrl+X", "Ctrl+Z", "Ctrl+Y", "Ctrl+Shift+Z", "Shift+Tab", "Alt+F4",
})
_TYPING_KEYS = frozenset({"Return", "Enter", "Tab", "Backtab", "Space", "Backspace", "Del",
                          "Delete", "Left", "Right", "Up", "Down", "Home", "End", "PgUp",
                          "PgDown", "Esc"})


class CaseListNames(StrEnum):
    """Whether the case list shows people's names (masked: dots, until "Show names")."""

    SHOWN = "shown"
    HIDDEN_DURING_INTERVIEW = "hidden_during_interview"  # from opening an interview on
    HIDDEN = "hidden"


DEFAULT_CASE_LIST_NAMES = CaseListNames.HIDDEN_DURING_INTERVIEW


def normalise_panic_key(text: str) -> str:
    """``text`` (Qt's portable form, "Ctrl+Shift+H", "F12") checked and in canonical order;
    "" for none. Raises ``InputError`` for a key that typing, answering or the app uses."""
    text = text.strip()
    if not text:
        return ""
    if "," in text.replace("+,", "+comma"):
        raise InputError("the panic key must be a single key, not a sequence",
                         code=ErrorCode.BAD_INPUT, field="panic_key")
    parts = [*text[:-1].split("+"), text[-1]] if text.endswith("++") else text.split("+")
    key = parts[-1] if parts[-1] else "+"
    mods = {p.capitalize() for p in parts[:-1] if p}
    if not key or key.capitalize() in _MODIFIERS or not mods <= set(_MODIFIERS):
        raise InputError(f"not a key: {text!r}", code=ErrorCode.BAD_INPUT, field="panic_key")
    if len(key) == 1:
        key = key.upper()
    canonical = "+".join([*(m for m in _MODIFIERS if m in mods), key])
    typing = not (mods - {"Shift"}) and (len(key) == 1 or key in _TYPING_KEYS)
    if typing or canonical in _RESERVED:
        raise InputError(f"{canonical} is used for typing or by FieldScreen; choose another "
                         "key (for example F12)", code=ErrorCode.BAD_INPUT, field="panic_key")
    return canonical


class SettingKey(StrEnum):
    OFFICER_PROFILE = "officer_profile"
    AUTOLOCK_MINUTES = "autolock_minutes"
    TIME_ZONE = "time_zone"
    PANIC_KEY = "panic_key"
    CASE_LIST_NAMES = "case_list_names"
    # Internal: the texts of interviews from before schema version 2 were kept (once).
    INSTRUMENT_TEXTS_BACKFILLED = "instrument_texts_backfilled"


class SettingsStore(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


@dataclass(frozen=True)
class OfficerProfile:
    """Who runs the interviews on this laptop; printed on referral packets. ``phone`` and
    ``email`` are how a receiving agency reaches the referring officer (issue #15): printed
    on a full packet only."""

    name: str = ""
    agency: str = ""
    location: str = ""
    hotline: str = ""
    phone: str = ""
    email: str = ""

    def to_json(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, doc: Any) -> OfficerProfile:
        if not isinstance(doc, dict):
            return cls()
        return cls(**{f.name: str(doc.get(f.name) or "") for f in fields(cls)})


class Preferences:
    """Typed access to the settings in an open store."""

    def __init__(self, settings: SettingsStore) -> None:
        self._settings = settings

    def officer_profile(self) -> OfficerProfile:
        return OfficerProfile.from_json(self._settings.get(SettingKey.OFFICER_PROFILE, {}))

    def save_officer_profile(self, profile: OfficerProfile) -> None:
        self._settings.set(SettingKey.OFFICER_PROFILE, profile.to_json())

    def autolock_minutes(self) -> int:
        raw = self._settings.get(SettingKey.AUTOLOCK_MINUTES, DEFAULT_AUTOLOCK_MINUTES)
        try:
            minutes = int(raw)
        except (TypeError, ValueError):
            return DEFAULT_AUTOLOCK_MINUTES
        return max(MIN_AUTOLOCK_MINUTES, min(minutes, MAX_AUTOLOCK_MINUTES))

    def set_autolock_minutes(self, minutes: int) -> None:
        value = max(MIN_AUTOLOCK_MINUTES, min(int(minutes), MAX_AUTOLOCK_MINUTES))
        self._settings.set(SettingKey.AUTOLOCK_MINUTES, value)

    def panic_key(self) -> str:
        """The extra key that pauses from anywhere ("" for none besides Ctrl+P)."""
        raw = self._settings.get(SettingKey.PANIC_KEY, DEFAULT_PANIC_KEY)
        try:
            return normalise_panic_key(raw) if isinstance(raw, str) else DEFAULT_PANIC_KEY
        except InputError:
            return DEFAULT_PANIC_KEY

    def set_panic_key(self, text: str) -> str:
        key = normalise_panic_key(text)
        self._settings.set(SettingKey.PANIC_KEY, key)
        return key

    def case_list_names(self) -> CaseListNames:
        raw = self._settings.get(SettingKey.CASE_LIST_NAMES, DEFAULT_CASE_LIST_NAMES)
        try:
            return CaseListNames(raw)
        except ValueError:
            return DEFAULT_CASE_LIST_NAMES

    def set_case_list_names(self, value: CaseListNames | str) -> None:
        try:
            choice = CaseListNames(value)
        except ValueError:
            raise InputError(f"unknown case list setting {value!r}", code=ErrorCode.BAD_INPUT,
                             field="case_list_names") from None
        self._settings.set(SettingKey.CASE_LIST_NAMES, choice.value)

    def time_zone(self) -> str | None:
        value = self._settings.get(SettingKey.TIME_ZONE)
        return value if isinstance(value, str) and value else None


__all__ = ["DEFAULT_AUTOLOCK_MINUTES", "DEFAULT_CASE_LIST_NAMES", "DEFAULT_PANIC_KEY",
           "CaseListNames", "OfficerProfile", "Preferences", "SettingKey", "normalise_panic_key"]
