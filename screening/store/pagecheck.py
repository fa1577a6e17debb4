"""The full page check: every page's HMAC in the database file, verified in the background.

SQLCipher verifies a page's HMAC each time it decrypts it, so whatever the store reads has
been checked. ``PRAGMA cipher_integrity_check`` checks every page at once, but it grows with
the file (about 14 s for 100,000 cases) and cannot be interrupted: it runs its whole loop
while the statement is prepared (src/sqlcipher.c, ``sqlcipher_codec_ctx_integrity_check``).
So the Store unlocks after reading only the pages it needs, and ``PageCheck`` verifies the
rest in a thread with its own file handle, as that function does, a chunk at a time, and
can be cancelled between chunks (issue #19; docs/security.md).

What SQLCipher 4 does, and this module repeats (src/sqlcipher.c):

* the HMAC key is PBKDF2(kdf hash, raw key, salt XOR 0x3a, 2 iterations, key length)
  (``sqlcipher_cipher_ctx_key_derive``: ``hmac_salt_mask``, ``fast_kdf_iter``); the salt is
  the file's first 16 bytes, read by SQLCipher when the database was opened;
* page N (from 1) is ``ciphertext | IV | HMAC | padding``: the HMAC covers the ciphertext,
  the IV and N as 4 little-endian bytes (``sqlcipher_page_hmac``); the reserve is IV + HMAC
  rounded up to the cipher's block (``sqlcipher_codec_ctx_reserve_setup``);
* page 1 starts after the salt: its HMAC covers bytes 16 to the IV's end;
* the lock-byte page (the one holding byte 2**30, SQLite's PENDING_BYTE) is never written
  and is skipped; a last page shorter than a page is damage.

The settings are read from the open connection (``PRAGMA cipher_*``), never assumed, and a
setting this module does not know ends the check in "error", not in a verdict.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from screening.errors import StoreError
from screening.store.connection import DatabaseError
from screening.store.core import StoreHandle

log = logging.getLogger(__name__)

RUNNING, OK, DAMAGED, CANCELLED, ERROR = "running", "ok", "damaged", "cancelled", "error"
STATES = (RUNNING, OK, DAMAGED, CANCELLED, ERROR)

SALT_SIZE = 16  # FILE_HEADER_SZ: page 1 begins with the KDF salt, in the clear
PENDING_BYTE = 0x40000000  # SQLite's lock byte: the page holding it never has content
CHUNK_PAGES = 256  # 1 MiB of 4 KiB pages a read: cancelling waits at most one chunk

# SQLCipher's labels -> hashlib names and digest sizes.
_HASHES = {"SHA1": ("sha1", 20), "SHA256": ("sha256", 32), "SHA512": ("sha512", 64)}
# Cipher -> (IV size, block size). SQLCipher 4 ships AES-256-CBC only.
_CIPHERS = {"AES-256-CBC": (16, 16)}


class _Cursor(Protocol):
    def fetchone(self) -> tuple[object, ...] | None: ...


class _Connection(Protocol):
    def execute(self, sql: str, /) -> _Cursor: ...


class _Lock(Protocol):
    def acquire(self, blocking: bool = ..., timeout: float = ...) -> bool: ...

    def release(self) -> None: ...


@dataclass(frozen=True)
class PageLayout:
    """Where a page's IV and HMAC are, and how the HMAC key is made."""

    page_size: int
    iv_size: int
    hmac_hash: str  # hashlib name
    hmac_size: int
    reserve: int
    kdf_hash: str  # hashlib name
    kdf_iterations: int  # fast_kdf_iter
    salt_mask: int
    pgno_order: Literal["little", "big"]

    @property
    def payload(self) -> int:
        """Bytes a page's HMAC covers: the ciphertext and the IV."""
        return self.page_size - self.reserve + self.iv_size

    @property
    def lock_page(self) -> int:
        """The page SQLite never writes (``PAGER_SJ_PGNO``); the pragma skips it too."""
        return PENDING_BYTE // self.page_size + 1

    @classmethod
    def from_connection(cls, conn: _Connection) -> PageLayout:
        """The layout of the database ``conn`` has open (keyed). StoreError if a setting is
        not one SQLCipher 4 uses as this module knows it."""

        def setting(name: str, default: str | None = None) -> str:
            row = conn.execute(f"PRAGMA {name}").fetchone()
            if row is None or row[0] is None:
                if default is None:
                    raise StoreError(f"the page check cannot read {name}")
                return default
            return str(row[0]).strip()

        cipher = setting("cipher").upper()
        hmac_label = setting("cipher_hmac_algorithm").upper().removeprefix("HMAC_")
        kdf_label = setting("cipher_kdf_algorithm").upper().removeprefix("PBKDF2_HMAC_")
        order = setting("cipher_hmac_pgno").lower()
        if (cipher not in _CIPHERS or hmac_label not in _HASHES or kdf_label not in _HASHES
                or setting("cipher_use_hmac") != "1"
                or setting("cipher_plaintext_header_size") != "0"
                or order not in ("le", "be", "native")):
            raise StoreError("the page check does not know this database's cipher settings")
        iv_size, block = _CIPHERS[cipher]
        hmac_hash, hmac_size = _HASHES[hmac_label]
        reserve = -(-(iv_size + hmac_size) // block) * block  # rounded up to the block
        # Deprecated pragmas (they may go): SQLCipher 4's values if they do.
        mask = int(setting("cipher_hmac_salt_mask", "3a"), 16)
        iterations = int(setting("fast_kdf_iter", "2"))
        if order == "native":
            order = "le" if sys.byteorder == "little" else "be"
        return cls(
            page_size=int(setting("cipher_page_size")), iv_size=iv_size, hmac_hash=hmac_hash,
            hmac_size=hmac_size, reserve=reserve, kdf_hash=_HASHES[kdf_label][0],
            kdf_iterations=iterations, salt_mask=mask,
            pgno_order="little" if order == "le" else "big",
        )

    def hmac_key(self, key: bytes, salt: bytes) -> bytes:
        """The page HMAC key SQLCipher derives from the raw key and the file's salt."""
        masked = bytes(b ^ self.salt_mask for b in salt)
        return hashlib.pbkdf2_hmac(self.kdf_hash, key, masked, self.kdf_iterations, len(key))


class _Verifier:
    """Checks pages of one file with one HMAC key."""

    def __init__(self, layout: PageLayout, hmac_key: bytes, salt: bytes) -> None:
        self.layout = layout
        self._base = hmac.new(hmac_key, digestmod=layout.hmac_hash)
        self._salt = salt

    def page_ok(self, pgno: int, page: memoryview) -> bool:
        """Whether ``page`` (the page's bytes as in the file) carries a valid HMAC."""
        lay = self.layout
        if len(page) < lay.page_size:
            return False
        if pgno == 1 and bytes(page[:SALT_SIZE]) != self._salt:
            # The salt is not covered by the HMAC, but a changed one makes every page fail
            # at the next open: the damage is on page 1.
            return False
        mac = self._base.copy()
        mac.update(page[SALT_SIZE if pgno == 1 else 0:lay.payload])
        mac.update(pgno.to_bytes(4, lay.pgno_order))
        stored = page[lay.payload:lay.payload + lay.hmac_size]
        return hmac.compare_digest(mac.digest(), stored)


def _read_at(fd: int, size: int, offset: int) -> bytes:
    """Up to ``size`` bytes at ``offset`` (fewer only at the end of the file)."""
    parts, got = [], 0
    while got < size:
        part = os.pread(fd, size - got, offset + got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


# Pages found damaged in this process, by file (device, inode): checked first next time, so a
# store locked and unlocked again refuses writes at once, not after a whole new sweep.
_KNOWN_DAMAGE: dict[tuple[int, int], tuple[int, ...]] = {}
_KNOWN_LOCK = threading.Lock()


class PageCheck:
    """The full HMAC check of one database file, in a daemon thread.

    ``state``: "running", then "ok", "damaged" (``damaged_pages`` says which), "cancelled"
    or "error" (the file could not be read, is not the one the store opened, or its settings
    are unknown: no verdict, which the Store treats as not sound; "cancelled" is neither).
    ``serialise`` (the store's mutex) is held while a failing page is read again, so a
    checkpoint writing that page at the same moment cannot make a sound page look damaged.
    ``on_end(check, held)`` runs in the checking thread before the ``on_done`` callbacks,
    with ``serialise`` held if ``held`` (not when a cancel came while waiting for it): the
    Store refuses writes there, before anyone is told of damage.
    """

    def __init__(
        self,
        path: Path,
        key: bytes,
        salt: bytes,
        layout: PageLayout | None,
        *,
        serialise: _Lock | None = None,
        on_end: Callable[[PageCheck, bool], None] | None = None,
        error: str = "",
        expect: tuple[int, int] | None = None,
    ) -> None:
        """Without ``layout`` the check cannot run: it is ended at once, in "error".
        ``expect``: the (st_dev, st_ino) of the file the store opened; the check opens the
        file by its path, and another file found there ends it in "error", not a verdict
        about a file the store is not using."""
        self.path = Path(path)
        self._expect = expect
        self.layout = layout
        self.damaged_pages: tuple[int, ...] = ()
        self.error = error
        self.pages_checked = 0
        self.seconds = 0.0  # how long the check ran (for `make bench`)
        self._verifier = (_Verifier(layout, layout.hmac_key(key, salt), bytes(salt))
                          if layout is not None else None)
        self._serialise = serialise
        self._on_end = on_end
        self._state = RUNNING if layout is not None else ERROR
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[str], None]] = []
        self._told = layout is None  # the callbacks were taken: later ones are called at once
        self._thread = threading.Thread(target=self._run, name="fieldscreen-page-check",
                                        daemon=True)
        if layout is None:
            self._done.set()

    def start(self) -> PageCheck:
        if not self._done.is_set():
            self._thread.start()
        return self

    def run(self) -> str:
        """Run the check in the calling thread (never started as a thread); its state."""
        if not self._done.is_set():
            self._run()
        return self._state

    @property
    def state(self) -> str:
        return self._state

    def wait(self, timeout: float | None = None) -> str:
        """Wait until the check ends and its ``on_done`` callbacks have run (or ``timeout``
        seconds); return the state. Never call it from such a callback."""
        self._done.wait(timeout)
        return self._state

    def cancel(self) -> None:
        """Stop at the next chunk (a check that already ended keeps its result)."""
        self._cancel.set()

    def cancel_and_join(self) -> None:
        self.cancel()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def on_done(self, callback: Callable[[str], None]) -> None:
        """``callback(state)`` once the check ends: from the checking thread, or at once if
        it has ended already."""
        with self._lock:
            if not self._told:
                self._callbacks.append(callback)
                return
        callback(self._state)

    # -- the thread --------------------------------------------------------------------
    def _run(self) -> None:
        state = ERROR
        started = time.perf_counter()
        try:
            state, pages = self._sweep()
            self.damaged_pages = pages
        except OSError as exc:
            self.error = f"cannot read the database file ({exc.strerror or 'I/O error'})"
        except Exception as exc:  # a bug must not leave waiters hanging
            log.exception("page check failed")
            self.error = type(exc).__name__
        if state == ERROR:
            log.warning("page check gave no verdict: %s", self.error)
        self.seconds = time.perf_counter() - started
        self._state = state
        if self._on_end is not None:
            with self._serialised() as held:
                try:
                    self._on_end(self, held)
                except Exception:
                    log.exception("page check: ending it failed")
        with self._lock:
            self._told = True
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback(state)
            except Exception:
                log.exception("page check: a callback failed")
        self._done.set()

    def _sweep(self) -> tuple[str, tuple[int, ...]]:
        lay, verifier = self.layout, self._verifier
        assert lay is not None and verifier is not None  # started only with a layout
        with open(self.path, "rb", buffering=0) as f:
            fd = f.fileno()
            st = os.fstat(fd)
            ident = (st.st_dev, st.st_ino)
            if self._expect is not None and ident != self._expect:
                self.error = "the database file was replaced while the store was open"
                return ERROR, ()
            with _KNOWN_LOCK:
                known = _KNOWN_DAMAGE.get(ident, ())
            still = self._confirm(fd, [p for p in known if not self._page_ok(fd, p)])
            if still is None:
                return CANCELLED, ()
            if still:  # the same file, the same damage: known again at once
                return DAMAGED, tuple(still)
            with contextlib.suppress(AttributeError, OSError):  # not on every platform
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            full, tail = divmod(st.st_size, lay.page_size)
            failed: list[int] = []
            chunk = CHUNK_PAGES * lay.page_size
            for first in range(1, full + 1, CHUNK_PAGES):
                if self._cancel.is_set():
                    return CANCELLED, ()
                data = memoryview(_read_at(fd, chunk, (first - 1) * lay.page_size))
                count = min(CHUNK_PAGES, full - first + 1)
                bad = [first + i for i in range(count)
                       if first + i != lay.lock_page and not verifier.page_ok(
                           first + i, data[i * lay.page_size:(i + 1) * lay.page_size])]
                if first == 1 and count > 1 and len(bad) == count:
                    # Every page of the first MiB: the derivation, not the file, is wrong
                    # (unlock has just read some of these pages and SQLCipher accepted them).
                    self.error = "the page layout does not match this file"
                    return ERROR, ()
                failed += bad
                self.pages_checked = first + count - 1
            if tail:
                failed.append(full + 1)
            confirmed = self._confirm(fd, failed)
        if confirmed is None:
            return CANCELLED, ()
        with _KNOWN_LOCK:
            if confirmed:
                _KNOWN_DAMAGE[ident] = tuple(confirmed)
            else:
                _KNOWN_DAMAGE.pop(ident, None)
        return (DAMAGED if confirmed else OK), tuple(confirmed)

    def _page_ok(self, fd: int, pgno: int) -> bool:
        assert self.layout is not None and self._verifier is not None
        size = self.layout.page_size
        return self._verifier.page_ok(pgno, memoryview(_read_at(fd, size, (pgno - 1) * size)))

    def _confirm(self, fd: int, failed: list[int]) -> list[int] | None:
        """The failing pages that fail again when read with the store's mutex held (no
        checkpoint is writing then); None if cancelled while waiting for it."""
        if not failed or self._serialise is None:  # nothing writes this file meanwhile
            return failed
        assert self.layout is not None
        with self._serialised() as held:
            if not held:
                return None
            full, tail = divmod(os.fstat(fd).st_size, self.layout.page_size)
            return [p for p in failed
                    if (p <= full and not self._page_ok(fd, p)) or (p == full + 1 and tail)]

    @contextlib.contextmanager
    def _serialised(self) -> Iterator[bool]:
        """Hold ``serialise`` (waiting in steps, so a cancel is never stuck behind it)."""
        lock = self._serialise
        if lock is None:
            yield True
            return
        while not lock.acquire(timeout=0.05):
            if self._cancel.is_set():
                yield False
                return
        try:
            yield True
        finally:
            lock.release()


SQLITE_AUTOCHECKPOINT = 1000  # SQLite's default (pages of WAL before a checkpoint)


def _prepare(conn: _Connection) -> tuple[PageLayout, bytes]:
    """The layout and salt of the database ``conn`` has open (StoreError, DatabaseError,
    TypeError or ValueError when they cannot be read)."""
    layout = PageLayout.from_connection(conn)
    row = conn.execute("PRAGMA cipher_salt").fetchone()
    return layout, bytes.fromhex(str(row[0] if row else ""))


def check_now(conn: _Connection, path: Path, key: bytes,
              expect: tuple[int, int] | None = None) -> PageCheck:
    """The whole check, run in the calling thread, of the file ``conn`` has open and nothing
    else writes (the Store runs it before a schema migration)."""
    try:
        layout, salt = _prepare(conn)
    except (StoreError, DatabaseError, TypeError, ValueError) as exc:
        log.warning("the page check cannot start: %s", type(exc).__name__)
        return PageCheck(path, b"", b"", None, error="its settings could not be read")
    check = PageCheck(path, key, salt, layout, expect=expect)
    check.run()
    return check


def start(handle: StoreHandle, path: Path, key: bytes,
          expect: tuple[int, int] | None = None) -> PageCheck:
    """Start the check of an open store's file ``path``; ``key`` is its raw key.

    Until the check ends, the connection does not checkpoint on its own, so the file it
    reads stays as it is (a checkpoint a caller runs, e.g. after deleting a case, can still
    write it: a failing page is read again under the store's mutex before it counts). Then
    the setting comes back and a PASSIVE checkpoint catches up. Damage found, or no verdict
    ("error"): the handle refuses writes and outputs from then on, before the ``on_done``
    callbacks run. ``expect``: see ``PageCheck``.
    """
    with handle.mutex:
        conn = handle.conn
        try:
            layout, salt = _prepare(conn)
            # 0 would be a check before this one that was stopped before it could restore it.
            previous = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
            previous = previous or SQLITE_AUTOCHECKPOINT
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        except (StoreError, DatabaseError, TypeError, ValueError) as exc:
            log.warning("the page check cannot start: %s", type(exc).__name__)
            handle.refuse_unchecked("its settings could not be read")
            return PageCheck(path, b"", b"", None, error="its settings could not be read")

        def ended(check: PageCheck, held: bool) -> None:
            if check.state == DAMAGED:
                handle.refuse_writes(len(check.damaged_pages))
                log.error("the database file is damaged: %d page(s) fail their integrity "
                          "check", len(check.damaged_pages))
            elif check.state == ERROR:  # no verdict is not a clean bill of health
                handle.refuse_unchecked(check.error)
            if not held or handle.closed or handle.conn is not conn:
                return  # closing or re-keyed: that connection is being replaced
            with contextlib.suppress(DatabaseError):
                conn.execute(f"PRAGMA wal_autocheckpoint = {previous:d}")
                if check.state == OK:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

        check = PageCheck(path, key, salt, layout, serialise=handle.mutex, on_end=ended,
                          expect=expect)
    return check.start()


__all__ = ["CANCELLED", "DAMAGED", "ERROR", "OK", "RUNNING", "STATES", "PageCheck", "PageLayout",
           "check_now"]
