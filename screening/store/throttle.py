"""A growing delay after wrong passphrases, counted in the key file (``keyslots.json``).

The ``attempts`` section holds the failures in a row (the delay), the total ever (never
goes down) and the time of the last one; nothing else. Its purpose is to slow down someone
guessing at the keyboard of a seized laptop (an attacker with a copy of the files is slowed
by Argon2id instead) and to leave a trace: the key file's authenticated anchor remembers the
total at the last unlock, and the next unlock enters the difference into the audit trail.
Deleting a file no longer resets it (older versions kept it in ``unlock-state.json``: read
once, merged, deleted). Someone who edits the key file by hand can still lower the count to
what it was at the last unlock; docs/security.md says so.

Clock and sleep are injectable so tests check the schedule without waiting; the default
really sleeps. Writers hold the store lock (``fieldscreen.lock``).
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from screening.errors import StoreError
from screening.store.fsutil import atomic_write
from screening.store.keys import DAMAGED_ATTEMPTS, MAX_COUNT, Attempts, KeySlots

FREE_ATTEMPTS = 2  # typos happen: the first two failures cost nothing extra
MAX_DELAY = 300.0  # seconds
LEGACY_STATE = "unlock-state.json"


def delay_after(failures: int) -> float:
    """Seconds to wait before the next attempt after ``failures`` consecutive failures.

    0, 0, 1, 2, 4, 8 ... capped at five minutes.
    """
    if failures <= FREE_ATTEMPTS:
        return 0.0
    if failures > FREE_ATTEMPTS + 20:  # 2**19 s is far past the cap: never compute 2**huge
        return MAX_DELAY
    return min(MAX_DELAY, float(2 ** (failures - FREE_ATTEMPTS - 1)))


def wall_clock() -> float:
    """The default clock: seconds since the epoch (the count outlives the process)."""
    return time.time()


def real_sleep(seconds: float) -> None:
    """The default sleep: really wait."""
    time.sleep(seconds)


@dataclass
class UnlockThrottle:
    """The throttle of one store, reading and writing the ``attempts`` of the key file at
    ``path``. Where there is no key file yet (a restore into an empty folder) the count
    lives in this object only. ``clock`` and ``sleep`` are injectable; the defaults look up
    ``time`` when called, so a test can replace this module's ``time`` and check what the
    CLI or the app would wait, without waiting and without measuring wall time."""

    path: Path
    clock: Callable[[], float] = wall_clock
    sleep: Callable[[float], None] = real_sleep
    _memory: Attempts = field(default_factory=Attempts, repr=False)

    @property
    def _legacy(self) -> Path:
        return self.path.with_name(LEGACY_STATE)

    def _legacy_failures(self) -> tuple[int, float]:
        if not self._legacy.is_file():  # none (or a folder someone made in its place)
            return 0, 0.0
        try:
            doc = json.loads(self._legacy.read_text(encoding="utf-8"))
            failures, last = int(doc["failures"]), float(doc["last_failure"])
            if not 0 <= failures <= MAX_COUNT or not math.isfinite(last):
                raise ValueError
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError, OverflowError, RecursionError):
            return DAMAGED_ATTEMPTS, self.clock()
        return failures, last

    def _read(self) -> Attempts:
        try:
            attempts = KeySlots.load(self.path).attempts
        except StoreError:  # no key file (or an unreadable one: unlocking fails anyway)
            attempts = self._memory
        if attempts.last_failed < 0:  # a damaged section: as if failed just now
            attempts = replace(attempts, last_failed=self.clock())
        legacy, last = self._legacy_failures()
        if legacy:
            attempts = Attempts(attempts.in_a_row + legacy, attempts.total + legacy,
                                max(attempts.last_failed, last))
        return attempts

    def _write(self, attempts: Attempts) -> None:
        self._memory = attempts
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return  # no key file here (or not one to write into): kept in memory
        if not isinstance(doc, dict):
            return
        doc["attempts"] = attempts.to_json()
        atomic_write(self.path, (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("ascii"))
        if self._legacy.is_file():
            with contextlib.suppress(OSError):
                self._legacy.unlink()  # merged into the key file

    @property
    def failures(self) -> int:
        """Failures in a row (what the delay is computed from)."""
        return self._read().in_a_row

    @property
    def total(self) -> int:
        """Failures ever recorded in this key file (never goes down)."""
        return self._read().total

    def remaining(self) -> float:
        """Seconds still to wait before an attempt is allowed (0 when none)."""
        attempts = self._read()
        delay = delay_after(attempts.in_a_row)
        if delay <= 0:
            return 0.0
        elapsed = max(0.0, self.clock() - attempts.last_failed)  # a clock set back: no longer
        return max(0.0, min(delay, delay - elapsed))

    def wait(self) -> None:
        remaining = self.remaining()
        if remaining > 0:
            self.sleep(remaining)

    def record_failure(self) -> None:
        attempts = self._read()
        self._write(Attempts(attempts.in_a_row + 1, attempts.total + 1, self.clock()))

    def record_success(self) -> None:
        """The delay starts again from zero; the total stays (the anchor takes it over)."""
        attempts = self._read()
        if attempts.in_a_row or self._legacy.is_file():
            self._write(replace(attempts, in_a_row=0))
