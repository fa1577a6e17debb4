"""Idle time, the warning before the idle lock, and the keys that lock or pause from anywhere.

Ctrl+L, Ctrl+P and the panic key are caught here, in an application-wide event filter, rather
than as window shortcuts: Qt does not deliver a main window's shortcuts while a modal dialog
is open, and "lock now" / "hide this now" must work from inside any dialog too.

Idle time is measured against a clock (``time.monotonic`` unless one is injected, as the tests
do) and checked once a second, so a test moves the clock and calls ``tick()`` instead of
waiting. ``WARNING_SECONDS`` before the idle time is up, ``warning_started`` fires; any key
or mouse use dismisses it (a key that dismisses the warning does nothing else, so it cannot
answer a question by accident). While the window is minimised, ``away`` fires after
``MINIMISED_LOCK_SECONDS``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})
WARNING_SECONDS = 30
MINIMISED_LOCK_SECONDS = 60
TICK_MS = 1000
_CTRL = Qt.KeyboardModifier.ControlModifier
# A widget (or the parent of one) with this property records keys (Settings' panic key field):
# the keys it is given are not commands.
RECORDS_KEYS = "fsRecordsKeys"


def _combination(event: QKeyEvent) -> QKeyCombination:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeyCombination(mods, Qt.Key(event.key()))


def key_combination(text: str) -> QKeyCombination | None:
    """The first key of a portable key text ("F12", "Ctrl+Shift+H"), or None."""
    sequence = QKeySequence(text, QKeySequence.SequenceFormat.PortableText)
    if not text or sequence.isEmpty():
        return None
    return sequence[0]  # type: ignore[index]  # QKeySequence is indexable (operator[])


class IdleWatcher(QObject):
    """An application-wide event filter: input restarts the idle time; lock/pause keys.

    Emits:
        idle(): no input for the whole interval (re-arm with ``start()`` to go on watching).
        warning_started(int): the idle time is up in this many seconds; show a warning.
        warning_tick(int): seconds left, once a second while the warning shows.
        warning_ended(): input came back before the time was up; hide the warning.
        away(): the window stayed minimised for ``MINIMISED_LOCK_SECONDS``.
        lock_requested(): Ctrl+L was pressed anywhere in the application.
        pause_requested(bool): Ctrl+P (False: toggles) or the panic key (True: pause only).
    """

    idle = Signal()
    warning_started = Signal(int)
    warning_tick = Signal(int)
    warning_ended = Signal()
    away = Signal()
    lock_requested = Signal()
    pause_requested = Signal(bool)

    def __init__(self, parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.clock = clock
        self._interval = 300.0
        self._armed = False
        self._last_input = clock()
        self._warning = False
        self._minimised_at: float | None = None
        self.panic_key: QKeyCombination | None = key_combination("F12")
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.tick)

    # -- settings ------------------------------------------------------------------------
    def set_interval_ms(self, ms: int) -> None:
        self._interval = max(1, int(ms)) / 1000

    @property
    def interval_s(self) -> float:
        return self._interval

    def set_panic_key(self, text: str) -> None:
        self.panic_key = key_combination(text)

    # -- watching ------------------------------------------------------------------------
    def start(self) -> None:
        """Watch for idle time from now (also after ``idle`` fired)."""
        self._armed = True
        self.touch()
        self._ticker.start()

    def stop(self) -> None:
        self._armed = False
        self._end_warning()
        if self._minimised_at is None:
            self._ticker.stop()

    @property
    def active(self) -> bool:
        return self._armed

    @property
    def warning(self) -> bool:
        return self._warning

    def idle_seconds(self) -> float:
        return self.clock() - self._last_input

    def touch(self) -> None:
        """Input: the idle time starts again and a warning goes away."""
        self._last_input = self.clock()
        self._end_warning()

    def set_minimised(self, minimised: bool) -> None:
        self._minimised_at = self.clock() if minimised else None
        if minimised:
            self._ticker.start()
        elif not self._armed:
            self._ticker.stop()

    def tick(self) -> None:
        now = self.clock()
        if self._minimised_at is not None and now - self._minimised_at >= MINIMISED_LOCK_SECONDS:
            self._minimised_at = None
            self.away.emit()
        if not self._armed:
            return
        left = self._interval - (now - self._last_input)
        if left <= 0:
            self._armed = False
            self._end_warning()
            self.idle.emit()
        elif left <= WARNING_SECONDS:
            seconds = math.ceil(left)
            if not self._warning:
                self._warning = True
                self.warning_started.emit(seconds)
            else:
                self.warning_tick.emit(seconds)

    def _end_warning(self) -> None:
        if self._warning:
            self._warning = False
            self.warning_ended.emit()

    # -- the filter ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if self._warning or self._command(event, watched) is not None:
                event.accept()  # no shortcut runs: the key press comes here instead
                return True
            return False
        if kind not in _INPUT_EVENTS:
            return False
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if self._warning:
                self.touch()
                return True  # the key that keeps the screen open does nothing else
            self._last_input = self.clock()
            command = self._command(event, watched)
            if command == "lock":
                self.lock_requested.emit()
            elif command is not None:
                self.pause_requested.emit(command == "panic")
            return command is not None
        self.touch()
        return False

    def _command(self, event: QKeyEvent, watched: QObject | None = None) -> str | None:
        if watched is not None:
            parent = watched.parent()
            if watched.property(RECORDS_KEYS) or (parent is not None
                                                  and parent.property(RECORDS_KEYS)):
                return None
        combination = _combination(event)
        if combination == QKeyCombination(_CTRL, Qt.Key.Key_L):
            return "lock"
        if combination == QKeyCombination(_CTRL, Qt.Key.Key_P):
            return "pause"
        if self.panic_key is not None and combination == self.panic_key:
            return "panic"
        return None
