"""Slow core calls (key derivation, PDF, backup, export) on a thread pool, reported by signal.

Shape after Dangerzone's ``Task``: a callable runs on a worker thread; the GUI thread hears
``succeeded(result)`` or ``failed(code, incident)``. Expected failures (``ScreeningError``)
carry their ``ErrorCode``; anything else is logged (type and stack only, never the message,
which could quote personal data) under an incident id. The failure handler never raises.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.error_dialogs import INTERNAL
from screening.errors import ScreeningError
from screening.log import safe_traceback

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    """Emits:
    succeeded(object): the callable's return value.
    failed(str, str): the error code (an ``ErrorCode`` value or an app code) and an incident
        id ("" for expected errors).
    finished(): after either of the above.
    """

    succeeded = Signal(object)
    failed = Signal(str, str)
    finished = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], name: str) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps the Python object alive until finished
        self.fn = fn
        self.name = name
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self.fn()
        except ScreeningError as exc:
            log.info("task %s failed: %s", self.name, exc.code)
            self.signals.failed.emit(str(exc.code), "")
        except Exception as exc:  # a worker must never take the process down
            incident = uuid.uuid4().hex[:8]
            log.error("task %s crashed, incident %s\n%s", self.name, incident,
                      safe_traceback(type(exc), exc.__traceback__))
            self.signals.failed.emit(INTERNAL, incident)
        else:
            self.signals.succeeded.emit(result)
        self.signals.finished.emit()


class TaskRunner(QObject):
    """Starts tasks and counts those still running (lock waits for them before closing).

    Emits:
        busy_changed(bool): True when the first task starts, False when the last one ends.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._running: set[Task] = set()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def start(
        self,
        name: str,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[str, str], None] | None = None,
    ) -> Task:
        task = Task(fn, name)
        if on_success is not None:
            task.signals.succeeded.connect(on_success)
        if on_failure is not None:
            task.signals.failed.connect(on_failure)
        task.signals.finished.connect(lambda: self._done(task))
        was_busy = self.busy
        self._running.add(task)
        if not was_busy:
            self.busy_changed.emit(True)
        self._pool.start(task)
        return task

    def _done(self, task: Task) -> None:
        self._running.discard(task)
        if not self._running:
            self.busy_changed.emit(False)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every task ended (used at exit only)."""
        return self._pool.waitForDone(msecs)
