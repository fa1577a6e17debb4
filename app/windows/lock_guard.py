"""What pauses or locks the main window without a click (issue #14).

* Idle time (Settings: minutes): ``WARNING_SECONDS`` ahead a visible warning that any key
  dismisses; then, during an interview, the neutral pause screen (the passphrase is not asked
  for in front of the person in the middle of an answer) and, after the same idle time again,
  the lock; elsewhere, the lock.
* Ctrl+L locks, Ctrl+P pauses and resumes, the panic key pauses, from anywhere, dialogs too.
* Staying minimised for ``MINIMISED_LOCK_SECONDS`` locks.
* The computer going to sleep, its screen locking or the session being switched locks
  (``app.system_lock``; started by ``watch_system`` in the real app, not in tests).
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

from app.idle import IdleWatcher
from app.system_lock import SystemLockWatcher
from app.viewmodels.app_vm import AppViewModel
from app.windows.pause_screen import IdleWarning

log = logging.getLogger(__name__)


class Guarded(Protocol):
    """What the guard asks of the window."""

    app_vm: AppViewModel
    paused_from: str | None

    def lock(self) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def interview_showing(self) -> bool: ...


class LockGuard(QObject):
    def __init__(self, window: QWidget, guarded: Guarded, warning: IdleWarning) -> None:
        super().__init__(window)
        self.window = window
        self.guarded = guarded
        self.warning = warning
        self.idle = IdleWatcher(self)
        self.idle.idle.connect(self._idle)
        self.idle.lock_requested.connect(guarded.lock)
        self.idle.pause_requested.connect(self._pause_key)
        self.idle.away.connect(self._away)
        self.idle.warning_started.connect(
            lambda seconds: warning.start(seconds, hiding=self.idle_pauses()))
        self.idle.warning_tick.connect(warning.tick)
        self.idle.warning_ended.connect(warning.end)
        self.system = SystemLockWatcher(self)
        self.system.lock_requested.connect(self._system_event)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        window.installEventFilter(self)  # minimised / restored

    def arm(self) -> None:
        """Start watching with the officer's settings (after unlock, after Settings)."""
        vm = self.guarded.app_vm
        if vm.is_open:
            self.idle.set_interval_ms(vm.autolock_minutes() * 60_000)
            self.idle.set_panic_key(vm.panic_key())
            self.idle.start()

    def disarm(self) -> None:
        self.idle.stop()
        self.idle.set_minimised(False)
        self.warning.end()

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)

    def watch_system(self, **buses: object) -> list[str]:
        return self.system.start(**buses)  # type: ignore[arg-type]

    def idle_pauses(self) -> bool:
        """Whether idle time pauses (an interview shows) rather than locks."""
        return self.guarded.paused_from is None and self.guarded.interview_showing()

    def _idle(self) -> None:
        if self.idle_pauses():
            log.info("idle: pausing")
            self.guarded.pause()
            self.idle.start()  # the same idle time again on the pause screen, then the lock
        else:
            log.info("idle: locking")
            self.guarded.lock()

    def _pause_key(self, panic: bool) -> None:
        if self.guarded.paused_from and not panic:
            self.guarded.resume()  # Ctrl+P again; the panic key never uncovers the screen
        else:
            self.guarded.pause()

    def _away(self) -> None:
        log.info("minimised: locking")
        self.guarded.lock()

    def _system_event(self, reason: str) -> None:
        log.info("system event (%s): locking", reason)
        self.guarded.lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.WindowStateChange:
            self.idle.set_minimised(self.window.isMinimized()
                                    and self.guarded.app_vm.is_open)
        return False
