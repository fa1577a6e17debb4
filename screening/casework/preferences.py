"""Typed preferences: the officer's profile and the settings kept in the encrypted store.

The store keeps settings as JSON under a key; only the keys and types below exist, so a typo
in a key is a type error rather than a setting silently never read. The UI language is the
one preference outside the store (it is needed before unlock); ``Workspace`` keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Protocol

DEFAULT_AUTOLOCK_MINUTES = 5
MIN_AUTOLOCK_MINUTES = 1
MAX_AUTOLOCK_MINUTES = 240


class SettingKey(StrEnum):
    OFFICER_PROFILE = "officer_profile"
    AUTOLOCK_MINUTES = "autolock_minutes"
    TIME_ZONE = "time_zone"
    # Internal: the texts of interviews from before schema version 2 were kept (once).
    INSTRUMENT_TEXTS_BACKFILLED = "instrument_texts_backfilled"


class SettingsStore(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


@dataclass(frozen=True)
class OfficerProfile:
    """Who runs the interviews on this laptop; printed on referral packets."""

    name: str = ""
    agency: str = ""
    location: str = ""
    hotline: str = ""

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

    def time_zone(self) -> str | None:
        value = self._settings.get(SettingKey.TIME_ZONE)
        return value if isinstance(value, str) and value else None


__all__ = ["DEFAULT_AUTOLOCK_MINUTES", "OfficerProfile", "Preferences", "SettingKey"]
