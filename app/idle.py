"""Auto-lock after the officer stops using the keyboard and mouse for a while, and Ctrl+L.

Ctrl+L is caught here, in an application-wide event filter, rather than as a window
shortcut: Qt does not deliver a main window's shortcuts while a modal dialog is open, and
"lock now" must work from inside any dialog too.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """An application-wide event filter that restarts a timer on every input event.

    Emits:
        idle(): no input for the whole interval.
        lock_requested(): Ctrl+L was pressed anywhere in the application.
    """

    idle = Signal()
    lock_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)

    def set_interval_ms(self, ms: int) -> None:
        self._timer.setInterval(max(1, int(ms)))
        if self._timer.isActive():
            self._timer.start()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and _is_lock(event):
            self.lock_requested.emit()
            return True
        return False


def _is_lock(event: QKeyEvent) -> bool:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return event.key() == Qt.Key.Key_L and mods == Qt.KeyboardModifier.ControlModifier
