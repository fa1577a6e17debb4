"""Work-around for a reference-counting bug in the PySide6 6.12 wheels on CPython < 3.12.

Measured here (PySide6-Essentials 6.12.0 abi3 wheel, CPython 3.11.7): every call of a Qt
method that returns ``void`` (``setText``, ``show``, ``QTimer.start``, ``QTest.keyClick`` ...)
releases one reference to ``None`` that it never took, and emitting a signal with a ``bool``
argument from Python does the same to ``True``/``False``. The abi3 wheel looks built with
3.12 headers, where these objects are immortal and the missing increment is harmless; on
3.11 the count drains by one per call and, after a few thousand calls, the interpreter
aborts with "Fatal Python error: none_dealloc".

Until the project runs on CPython >= 3.12 or a fixed PySide6, we hold spare references
(8 bytes each) and top them up from a timer, so the count never reaches zero. On 3.12 and
later this module does nothing.
"""

from __future__ import annotations

import sys
from typing import Any

NEEDED = sys.version_info < (3, 12)
LOW_WATER = 200_000
TOP_UP = 1_000_000

_spares: dict[Any, list[Any]] = {None: [], True: [], False: []}


def top_up() -> None:
    """Make sure None, True and False each have at least LOW_WATER spare references."""
    if not NEEDED:
        return
    for obj, spares in _spares.items():
        if sys.getrefcount(obj) < LOW_WATER:
            # None drains with every void call; the booleans only with bool signals.
            spares.extend([obj] * (TOP_UP if obj is None else TOP_UP // 5))


def install_timer(parent: Any, interval_ms: int = 2000) -> Any:
    """A QTimer on ``parent`` that keeps the counts topped up while the app runs."""
    if not NEEDED:
        return None
    from PySide6.QtCore import QTimer

    timer = QTimer(parent)
    timer.setInterval(interval_ms)
    timer.timeout.connect(top_up)
    timer.start()
    return timer


top_up()
