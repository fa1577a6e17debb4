"""Typed preferences: the officer's profile and the settings kept in the encrypted store.

The store keeps settings as JSON under a key; only the keys and types below exist, so a typo
in a key is a type error rather than a setting silently never read. The UI language is the
one preference outside the store (it is needed before unlock); ``Workspace`` keeps it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
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


# -- the officer's profile, checked (issue #15 review) ----------------------------------------
PROFILE_FIELDS = ("name", "agency", "location", "hotline", "phone", "email")
MAX_PROFILE_TEXT = 200
MIN_PHONE_DIGITS = 6
MAX_PHONE_DIGITS = 15  # E.164: at most 15 digits, country code included
_PHONE_MARKS = frozenset(" +-.()/")
_EXTENSION = re.compile(r"\s*(?:ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)
MAX_EMAIL = 254


def _profile_text(key: str, text: str) -> str:
    value = text.strip()
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise InputError(f"{key}: one line of text, without line breaks, tabs or control "
                         "characters", code=ErrorCode.BAD_INPUT, field=key)
    if len(value) > MAX_PROFILE_TEXT:
        raise InputError(f"{key}: at most {MAX_PROFILE_TEXT} characters (this has "
                         f"{len(value)})", code=ErrorCode.BAD_INPUT, field=key)
    return value


def normalise_phone(text: str) -> str:
    """An officer's phone number as printed on packets: digits (typed in any script, kept as
    0-9), spaces, ``+`` at the start and ``- . ( ) /``; 6 to 15 digits; an extension as
    ``ext. 12``. "" for none. ``InputError`` (``PROFILE_PHONE``) says what is wrong."""
    value = _profile_text("phone", text)
    if not value:
        return ""
    extension = ""
    found = _EXTENSION.search(value)
    if found and found.start() > 0:
        extension = " ext. " + found.group(1)
        value = value[:found.start()].rstrip()
    chars = []
    for c in value:
        if c.isdecimal():
            chars.append(str(unicodedata.decimal(c)))  # ٠٧٩ -> 079: one form on every packet
        elif c in _PHONE_MARKS:
            chars.append(c)
        else:
            raise InputError(f"phone: {c!r} is not part of a phone number; use digits, spaces, "
                             "+ at the start and - ( ) . / (for example +962 6 555 0100)",
                             code=ErrorCode.PROFILE_PHONE, field="phone")
    number = "".join(chars)
    if "+" in number[1:]:
        raise InputError("phone: + may only come first (the country code: +962 6 555 0100)",
                         code=ErrorCode.PROFILE_PHONE, field="phone")
    digits = sum(c.isdigit() for c in number)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        raise InputError(f"phone: a phone number has {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} "
                         f"digits, country code included; this one has {digits}",
                         code=ErrorCode.PROFILE_PHONE, field="phone")
    return number + extension


def normalise_email(text: str) -> str:
    """An officer's e-mail address, checked plainly (one ``@``, a name before it, a domain
    with a dot after it, no spaces); "" for none. ``InputError`` (``PROFILE_EMAIL``) says
    what is wrong. It does not prove the address exists."""
    value = _profile_text("email", text)
    if not value:
        return ""

    def bad(what: str) -> InputError:
        return InputError(f"email: {what}",
                          code=ErrorCode.PROFILE_EMAIL, field="email")

    if any(c.isspace() for c in value):
        raise bad("an e-mail address has no spaces (name@agency.org)")
    local, at, domain = value.rpartition("@")
    if not at or not local or "@" in local:
        raise bad("an e-mail address has one @, with a name before it (name@agency.org)")
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        raise bad("after the @ comes a domain with a dot, such as agency.org")
    if any(not all(c.isalnum() or c == "-" for c in label) or label[0] == "-"
           or label[-1] == "-" for label in labels):
        raise bad("the domain after @ has letters, digits, dots and dashes only, and no dash "
                  "at either end of a part")
    if len(value) > MAX_EMAIL or len(local) > 64:
        raise bad("that address is too long")
    return value


def check_profile_field(key: str, value: str) -> str:
    """One field of the officer's profile, checked and normalised; ``InputError`` naming the
    field (an unknown one too)."""
    if key not in PROFILE_FIELDS:
        raise InputError(f"unknown profile field '{key}' (use {', '.join(PROFILE_FIELDS)})",
                         code=ErrorCode.BAD_INPUT, field=key)
    if not isinstance(value, str):
        raise InputError(f"{key}: text expected", code=ErrorCode.BAD_INPUT, field=key)
    if key == "phone":
        return normalise_phone(value)
    if key == "email":
        return normalise_email(value)
    return _profile_text(key, value)


class Preferences:
    """Typed access to the settings in an open store."""

    def __init__(self, settings: SettingsStore) -> None:
        self._settings = settings

    def officer_profile(self) -> OfficerProfile:
        return OfficerProfile.from_json(self._settings.get(SettingKey.OFFICER_PROFILE, {}))

    def save_officer_profile(self, profile: OfficerProfile) -> None:
        """Store ``profile`` as it is (set-up code and tests). The app's Settings and
        ``fieldscreen officer set`` go through ``update_officer_profile``, which checks."""
        self._settings.set(SettingKey.OFFICER_PROFILE, profile.to_json())

    def update_officer_profile(self, changes: Mapping[str, str]) -> OfficerProfile:
        """Change some fields of the officer's profile (the others keep their value), each
        checked and normalised (``check_profile_field``); returns the profile as stored. The
        app's profile settings and ``fieldscreen officer set`` both call this."""
        checked = {key: check_profile_field(key, value) for key, value in changes.items()}
        profile = replace(self.officer_profile(), **checked)
        self.save_officer_profile(profile)
        return profile

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
           "PROFILE_FIELDS", "CaseListNames", "OfficerProfile", "Preferences", "SettingKey",
           "check_profile_field", "normalise_email", "normalise_panic_key", "normalise_phone"]
