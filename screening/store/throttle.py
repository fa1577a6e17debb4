"""A growing delay after wrong passphrases, persisted in ``unlock-state.json``.

The file holds a failure counter and the time of the last failure, nothing else. Its purpose is
to slow down someone guessing at the keyboard of a seized laptop; an attacker with a copy of
the files is slowed by Argon2id instead. Clock and sleep are injectable so tests check the
schedule without waiting; the default really sleeps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from screening.store.fsutil import atomic_write

FREE_ATTEMPTS = 2  # typos happen: the first two failures cost nothing extra
MAX_DELAY = 300.0  # seconds


def delay_after(failures: int) -> float:
    """Seconds to wait before the next attempt after ``failures`` consecutive failures.

    0, 0, 1, 2, 4, 8 ... capped at five minutes.
    """
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY, float(2 ** (failures - FREE_ATTEMPTS - 1)))


def wall_clock() -> float:
    """The default clock: seconds since the epoch (the state file outlives the process)."""
    return time.time()


def real_sleep(seconds: float) -> None:
    """The default sleep: really wait."""
    time.sleep(seconds)


@dataclass
class UnlockThrottle:
    """The throttle of one store. ``clock`` and ``sleep`` are injectable; the defaults look up
    ``time`` when called, so a test can replace this module's ``time`` and check what the
    CLI or the app would wait, without waiting and without measuring wall time."""

    path: Path
    clock: Callable[[], float] = wall_clock
    sleep: Callable[[float], None] = real_sleep

    def _read(self) -> tuple[int, float]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            failures, last = int(doc["failures"]), float(doc["last_failure"])
            if failures < 0:
                raise ValueError
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            # Unreadable state must not reset the counter to zero: assume some failures.
            return FREE_ATTEMPTS + 1, self.clock()
        return failures, last

    @property
    def failures(self) -> int:
        return self._read()[0]

    def remaining(self) -> float:
        """Seconds still to wait before an attempt is allowed (0 when none)."""
        failures, last = self._read()
        delay = delay_after(failures)
        if delay <= 0:
            return 0.0
        elapsed = max(0.0, self.clock() - last)  # a clock set backwards does not extend it
        return max(0.0, min(delay, delay - elapsed))

    def wait(self) -> None:
        remaining = self.remaining()
        if remaining > 0:
            self.sleep(remaining)

    def record_failure(self) -> None:
        failures, _ = self._read()
        doc = {"failures": failures + 1, "last_failure": round(self.clock(), 3)}
        atomic_write(self.path, (json.dumps(doc) + "\n").encode("ascii"))

    def record_success(self) -> None:
        if self.path.exists():
            try:
                self.path.unlink()
            except OSError:
                atomic_write(self.path, b'{"failures": 0, "last_failure": 0}\n')
