"""The application session: the store (open or closed), lock and unlock, settings.

Only this viewmodel opens and closes the store; every other viewmodel borrows it while it is
open. Locking clears what the app holds in memory and closes the store; unlocking reopens it
and the window returns to where it was.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.workers.task import TaskRunner
from screening.casework.preferences import (
    DEFAULT_AUTOLOCK_MINUTES,
    DEFAULT_CASE_LIST_NAMES,
    DEFAULT_PANIC_KEY,
    CaseListNames,
    OfficerProfile,
)
from screening.errors import ErrorCode, StoreError
from screening.store import Store, passphrase_problem
from screening.store.keys import MIN_PASSPHRASE_LENGTH
from screening.workspace import Workspace

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_AUTOLOCK_MINUTES", "AppViewModel", "OfficerProfile", "passphrase_strength"]


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
    damage_found(int): the background page check of the open store found this many damaged
        pages, or (0) could not check the file at all; the store refuses every write and
        every output from now on (pagecheck.py, issue #19).
    """

    unlocked = Signal()
    locked = Signal()
    unlock_failed = Signal(str, float)
    created = Signal(str)
    create_failed = Signal(str)
    damage_found = Signal(int)
    # From the checking thread (a queued connection carries it to the Qt thread): the store
    # whose check ended, and its state.
    _page_check_ended = Signal(object, str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        # The data folder as the core sees it: store, catalog, directory, preferences.
        self.workspace = Workspace(self.data_dir)
        self.runner = TaskRunner(self)
        self._pending_close = False
        self.runner.busy_changed.connect(self._on_busy_changed)
        self._page_check_ended.connect(self._on_page_check_ended)

    # -- facts ---------------------------------------------------------------------------
    def store_exists(self) -> bool:
        return self.workspace.exists()

    def unlock_delay(self) -> float:
        return self.workspace.unlock_delay()

    @property
    def store(self) -> Store | None:
        """The open store, or None while locked."""
        return self.workspace.store if self.workspace.is_open else None

    @property
    def is_open(self) -> bool:
        return self.workspace.is_open

    def saved_ui_language(self) -> str | None:
        return self.workspace.ui_language()

    def save_ui_language(self, lang: str) -> None:
        self.workspace.set_ui_language(lang)

    def require_store(self) -> Store:
        if not self.workspace.is_open:
            raise StoreError("the store is locked", code=ErrorCode.STORE_IO)
        return self.workspace.store

    # -- create / unlock / lock -----------------------------------------------------------
    def create(self, passphrase: str) -> None:
        """Create the store on a worker (key derivation); emits created or create_failed."""
        def work() -> tuple[Store, str]:
            return Store.create(self.data_dir, passphrase)

        self.runner.start("create-store", work, self._on_created,
                          lambda code, _incident: self.create_failed.emit(code))

    def damaged_pages(self) -> int:
        """Pages the open store's full page check found damaged (0: none known, or locked)."""
        if not self.is_open:
            return 0
        check = self.workspace.store.page_check
        return len(check.damaged_pages) if check.state == "damaged" else 0

    def page_check_failed(self) -> bool:
        """Whether the open store's page check could not check the file ("error": no
        verdict); the store then refuses writes and outputs as for damage."""
        return self.is_open and self.workspace.store.page_check.state == "error"

    def watch_page_check(self, store: Store) -> None:
        def done(state: str) -> None:  # in the checking thread, or at once if it has ended
            with contextlib.suppress(RuntimeError):  # the app is closing: nobody to tell
                self._page_check_ended.emit(store, state)

        store.page_check.on_done(done)

    def _on_page_check_ended(self, store: object, state: str) -> None:
        if state in ("damaged", "error") and self.is_open and store is self.workspace.store:
            self.damage_found.emit(self.damaged_pages())

    def _on_created(self, result: tuple[Store, str]) -> None:
        store, recovery_key = result
        self.workspace.adopt(store)
        self.watch_page_check(store)
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

    def integrity_warnings(self) -> list[str]:
        """Codes of what the checks at unlock found (anchor.py); empty when all is well."""
        if not self.is_open:
            return []
        return [w.code for w in self.workspace.store.warnings]

    def _on_unlocked(self, store: Store) -> None:
        self.workspace.adopt(store)
        self.watch_page_check(store)
        self._pending_close = False
        log.info("store unlocked")
        self.unlocked.emit()

    def _on_unlock_failed(self, code: str, _incident: str) -> None:
        self.unlock_failed.emit(code, self.unlock_delay())

    def adopt(self, store: Store) -> None:
        """Use a store opened elsewhere (restore from backup)."""
        self.workspace.adopt(store)
        self.watch_page_check(store)
        self.unlocked.emit()

    def lock(self) -> None:
        """Close the store (after running tasks end) and tell every view to forget."""
        if not self.workspace.is_open:
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
        self.workspace.close()

    def shutdown(self) -> None:
        self.runner.wait()
        self._close()

    # -- settings (typed, in the encrypted store) -------------------------------------------
    def officer_profile(self) -> OfficerProfile:
        if not self.is_open:
            return OfficerProfile()
        return self.workspace.preferences.officer_profile()

    def save_officer_profile(self, profile: OfficerProfile) -> OfficerProfile:
        """Checked as `fieldscreen officer set` checks it (phone, e-mail); InputError with
        the field's code otherwise. Returns the profile as stored (normalised)."""
        return self.workspace.preferences.update_officer_profile(profile.to_json())

    def autolock_minutes(self) -> int:
        if not self.is_open:
            return DEFAULT_AUTOLOCK_MINUTES
        return self.workspace.preferences.autolock_minutes()

    def set_autolock_minutes(self, minutes: int) -> None:
        self.workspace.preferences.set_autolock_minutes(minutes)

    def panic_key(self) -> str:
        """The extra key that shows the pause screen from anywhere ("" for none)."""
        if not self.is_open:
            return DEFAULT_PANIC_KEY
        return self.workspace.preferences.panic_key()

    def set_panic_key(self, text: str) -> str:
        """Saved in canonical form; ``InputError`` for a key typing or the app uses."""
        return self.workspace.preferences.set_panic_key(text)

    def case_list_names(self) -> CaseListNames:
        if not self.is_open:
            return DEFAULT_CASE_LIST_NAMES
        return self.workspace.preferences.case_list_names()

    def set_case_list_names(self, value: CaseListNames) -> None:
        self.workspace.preferences.set_case_list_names(value)
