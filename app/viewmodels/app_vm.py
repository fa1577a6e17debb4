"""The application session: the store (open or closed), lock and unlock, settings.

Only this viewmodel opens and closes the store; every other viewmodel borrows it while it is
open. Locking clears what the app holds in memory and closes the store; unlocking reopens it
and the window returns to where it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.viewmodels.prefs import read_ui_language, write_ui_language
from app.workers.task import TaskRunner
from screening.errors import ErrorCode, StoreError
from screening.store import Store, passphrase_problem
from screening.store.keys import MIN_PASSPHRASE_LENGTH

log = logging.getLogger(__name__)

DEFAULT_AUTOLOCK_MINUTES = 5
PROFILE_KEY = "officer_profile"
AUTOLOCK_KEY = "autolock_minutes"


@dataclass(frozen=True)
class OfficerProfile:
    name: str = ""
    agency: str = ""
    location: str = ""
    hotline: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "agency": self.agency, "location": self.location,
                "hotline": self.hotline}

    @classmethod
    def from_json(cls, doc: Any) -> OfficerProfile:
        if not isinstance(doc, dict):
            return cls()
        return cls(**{k: str(doc.get(k) or "") for k in ("name", "agency", "location",
                                                         "hotline")})


def passphrase_strength(passphrase: str) -> str:
    """"empty", "short", "weak" or "ok" (the core decides what is strong enough)."""
    if not passphrase:
        return "empty"
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return "short"
    return "weak" if passphrase_problem(passphrase) else "ok"


class AppViewModel(QObject):
    """Emits:
    unlocked(): the store is open (after create, unlock or restore).
    locked(): the store was closed by a lock; every view must drop personal data.
    unlock_failed(str, float): error code and the seconds the next attempt must wait.
    created(str): the store was created; payload is the recovery key, to show once.
    create_failed(str): error code.
    """

    unlocked = Signal()
    locked = Signal()
    unlock_failed = Signal(str, float)
    created = Signal(str)
    create_failed = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.store: Store | None = None
        self.runner = TaskRunner(self)
        self._pending_close = False
        self.runner.busy_changed.connect(self._on_busy_changed)

    # -- facts ---------------------------------------------------------------------------
    def store_exists(self) -> bool:
        return Store.exists(self.data_dir)

    def unlock_delay(self) -> float:
        try:
            return Store.unlock_delay(self.data_dir)
        except OSError:
            return 0.0

    @property
    def is_open(self) -> bool:
        return self.store is not None and not self.store.closed

    def saved_ui_language(self) -> str | None:
        return read_ui_language(self.data_dir)

    def save_ui_language(self, lang: str) -> None:
        write_ui_language(self.data_dir, lang)

    def require_store(self) -> Store:
        if self.store is None or self.store.closed:
            raise StoreError("the store is locked", code=ErrorCode.STORE_IO)
        return self.store

    # -- create / unlock / lock -----------------------------------------------------------
    def create(self, passphrase: str) -> None:
        """Create the store on a worker (key derivation); emits created or create_failed."""
        def work() -> tuple[Store, str]:
            return Store.create(self.data_dir, passphrase)

        self.runner.start("create-store", work, self._on_created,
                          lambda code, _incident: self.create_failed.emit(code))

    def _on_created(self, result: tuple[Store, str]) -> None:
        self.store, recovery_key = result
        log.info("store created")
        self.created.emit(recovery_key)
        self.unlocked.emit()

    def unlock(self, secret: str, *, recovery: bool = False) -> None:
        if self._pending_close:  # locked while a task was writing: let it end, then close
            self.runner.wait()
            self._close()

        def work() -> Store:
            if recovery:
                return Store.open_with_recovery_key(self.data_dir, secret)
            return Store.open(self.data_dir, secret)

        self.runner.start("unlock", work, self._on_unlocked, self._on_unlock_failed)

    def _on_unlocked(self, store: Store) -> None:
        self.store = store
        self._pending_close = False
        log.info("store unlocked")
        self.unlocked.emit()

    def _on_unlock_failed(self, code: str, _incident: str) -> None:
        self.unlock_failed.emit(code, self.unlock_delay())

    def adopt(self, store: Store) -> None:
        """Use a store opened elsewhere (restore from backup)."""
        self.store = store
        self.unlocked.emit()

    def lock(self) -> None:
        """Close the store (after running tasks end) and tell every view to forget."""
        if self.store is None:
            return
        log.info("locking")
        self.locked.emit()
        if self.runner.busy:
            self._pending_close = True  # a backup or PDF is writing: close when it ends
        else:
            self._close()

    def _on_busy_changed(self, busy: bool) -> None:
        if not busy and self._pending_close:
            self._close()

    def _close(self) -> None:
        self._pending_close = False
        store, self.store = self.store, None
        if store is not None:
            store.close()

    def shutdown(self) -> None:
        self.runner.wait()
        self._close()

    # -- settings --------------------------------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        return self.require_store().settings.get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self.require_store().settings.set(key, value)

    def officer_profile(self) -> OfficerProfile:
        if not self.is_open:
            return OfficerProfile()
        return OfficerProfile.from_json(self.setting(PROFILE_KEY, {}))

    def save_officer_profile(self, profile: OfficerProfile) -> None:
        self.set_setting(PROFILE_KEY, profile.to_json())

    def autolock_minutes(self) -> int:
        if not self.is_open:
            return DEFAULT_AUTOLOCK_MINUTES
        try:
            minutes = int(self.setting(AUTOLOCK_KEY, DEFAULT_AUTOLOCK_MINUTES))
        except (TypeError, ValueError):
            return DEFAULT_AUTOLOCK_MINUTES
        return max(1, min(minutes, 240))

    def set_autolock_minutes(self, minutes: int) -> None:
        self.set_setting(AUTOLOCK_KEY, max(1, min(int(minutes), 240)))
