"""Process hardening at start: no core dumps, no attaching a debugger as the same user.

A core dump of FieldScreen would hold the master key, the passphrase as typed and decrypted
answers in the clear, written wherever the system puts cores (often a world-readable crash
folder). So, first thing in ``fieldscreen`` (CLI) and the desktop app:

* ``RLIMIT_CORE`` = (0, 0): no core file, and the limit cannot be raised again;
* on Linux, ``prctl(PR_SET_DUMPABLE, 0)``: no core even through a ``core_pattern`` pipe,
  and another process of the same user can no longer ``ptrace`` it or read its memory
  (``/proc/<pid>/mem``). The process's own ``/proc/self`` files become root-owned; the
  kernel still lets the process read its own ``status``, ``fd`` and ``exe``, which is all
  Python, Qt and SQLite use.

Both are best effort: where a call does not exist (Windows, macOS without prctl) or is
refused, start-up goes on. Nothing here logs or prints.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def _no_core_files() -> bool:
    try:
        import resource
    except ImportError:  # Windows
        return False
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        return False
    return True


def _libc() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import ctypes.util

    def names() -> Iterator[str | None]:
        yield None  # the running program's symbols: libc's prctl on glibc and musl
        # find_library runs ``ldconfig -p`` in a child process (tens of ms at every start,
        # issue #19), so only when the program's own symbols lack prctl.
        yield ctypes.util.find_library("c")

    for name in names():
        with contextlib.suppress(OSError, AttributeError):
            lib = ctypes.CDLL(name, use_errno=True)
            lib.prctl  # noqa: B018 - probe for the symbol
            return lib
    return None


def _not_dumpable() -> bool:
    lib = _libc()
    if lib is None:
        return False
    try:
        return int(lib.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0  # type: ignore[attr-defined]
    except (OSError, AttributeError, TypeError):
        return False


def is_dumpable() -> bool | None:
    """PR_GET_DUMPABLE for this process (None where there is no prctl)."""
    lib = _libc()
    if lib is None:
        return None
    return bool(lib.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))  # type: ignore[attr-defined]


def harden() -> dict[str, bool]:
    """Apply both settings; returns which took effect (for tests, never an error)."""
    return {"no_core_files": _no_core_files(), "not_dumpable": _not_dumpable()}


__all__ = ["harden", "is_dumpable"]
