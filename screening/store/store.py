"""``Store``: create, unlock, migrate and close the encrypted store; keys, backup, export.

A data folder holds::

    fieldscreen.db        SQLCipher 4 database, raw 256-bit master key (all personal data)
    keyslots.json         the master key wrapped per passphrase / recovery key, the audit anchor
                          and the failed-unlock count (no personal data)
    fieldscreen.lock      single-writer lock (empty)
    backups/              automatic encrypted copies made before a schema migration

Everything else lives in repositories the Store owns, sharing one ``StoreHandle`` (``core.py``):
``store.cases`` (``cases.py``), ``store.interviews`` (``interviews.py``), ``store.context``,
``store.referrals`` and ``store.settings`` (``records.py``), ``store.audit`` (``audit_repo.py``),
``store.sends`` (``sendqueue.py``: forms published to a server and the send queue, issue #18).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from screening import __version__
from screening.errors import ErrorCode, InputError, StoreCorrupt, StoreError, WrongPassphrase
from screening.outputs import check_output_target
from screening.paths import ensure_private_dir
from screening.store import anchor as anchors
from screening.store import backup as backups
from screening.store import export as exports
from screening.store import pagecheck as pagechecks
from screening.store.audit import AuditLog, audit_key, now
from screening.store.audit_repo import AuditRepository
from screening.store.cases import CaseRepository
from screening.store.connection import (
    Connection,
    DatabaseError,
    apply_pragmas,
    close_quietly,
    connect_raw,
    key_pragma,
    sqlite_error,
    user_version,
)
from screening.store.core import StoreHandle, new_id
from screening.store.fsutil import (
    STALE_AFTER_S,
    StoreLock,
    fsync_dir,
    io_error,
    remove_leftovers,
    remove_stale_siblings,
)
from screening.store.interviews import InterviewRepository
from screening.store.keys import (
    SLOT_PASSPHRASE,
    SLOT_RECOVERY,
    KeySlot,
    KeySlots,
    check_passphrase,
    generate_recovery_key,
    kdf_profile,
    normalise_recovery_key,
)
from screening.store.library import DirectoryImportRepository, InstrumentTextRepository
from screening.store.migrations import LATEST_VERSION, migrate, too_new
from screening.store.pagecheck import DAMAGED, ERROR, OK, PageCheck
from screening.store.records import ContextRepository, ReferralRepository, SettingsRepository
from screening.store.sendqueue import SendQueueRepository
from screening.store.throttle import UnlockThrottle

log = logging.getLogger(__name__)

DB_NAME = "fieldscreen.db"
KEYSLOTS_NAME = "keyslots.json"
# Files written outside the data folder lately (in meta, encrypted): a killed write leaves a
# temporary beside one (a whole backup, a PDF), swept at the next unlock and by rekey.
RECENT_OUTPUTS_META = "recent_outputs"
MAX_RECENT_OUTPUTS = 50


@dataclass(frozen=True)
class StorePaths:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def keyslots(self) -> Path:
        return self.root / KEYSLOTS_NAME

    @property
    def lock(self) -> Path:
        return self.root / "fieldscreen.lock"

    @property
    def init_tmp(self) -> Path:
        return self.root / ".fieldscreen-init.db"

    @property
    def backups(self) -> Path:
        return self.root / "backups"


def _json_list(row: tuple[str] | None) -> list[str]:
    try:
        value = json.loads(row[0]) if row else []
    except (TypeError, ValueError):
        return []
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []


def _previous_keyfile(path: Path) -> KeySlots | None:
    """The key file a restore is about to replace, if there is a readable one."""
    try:
        return KeySlots.load(path) if path.exists() else None
    except StoreError:
        return None


def _file_ident(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def _private_file(path: Path) -> None:
    """The database must be 0600 (SQLite gives -wal/-shm the same mode)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    except OSError:  # pragma: no cover - a file system without POSIX modes
        pass


class Store:
    """The encrypted case store. Open with :meth:`create`, :meth:`open` or
    :meth:`open_with_recovery_key`; use as a context manager or call :meth:`close`.

    Cases, interviews and the rest are reached through its repositories: ``cases``,
    ``interviews`` (the engine's ``AnswerStore``), ``context``, ``referrals``, ``settings``
    and ``audit``."""

    def __init__(
        self, paths: StorePaths, conn: Connection, key: bytes, slots: KeySlots, lock: StoreLock,
        db_ident: tuple[int, int] | None = None,
    ) -> None:
        self._paths = paths
        # (st_dev, st_ino) of the file ``conn`` opened: the page check reads the file by its
        # path and must check that one (pagecheck.py).
        self._db_ident = db_ident
        # A mutable copy, zeroed on close (best effort: see docs/security.md).
        self._key = bytearray(key)
        self._slots = slots
        self._lock = lock
        self._handle = StoreHandle(conn, audit_key(key))
        self.interviews = InterviewRepository(self._handle)
        self.cases = CaseRepository(self._handle, self.interviews)
        self.context = ContextRepository(self._handle)
        self.referrals = ReferralRepository(self._handle)
        self.settings = SettingsRepository(self._handle)
        self.audit = AuditRepository(self._handle)
        self.instruments = InstrumentTextRepository(self._handle)
        self.directory = DirectoryImportRepository(self._handle)
        self.sends = SendQueueRepository(self._handle)
        # What the checks at open found (anchor.py): shown to the officer, also audited.
        self.warnings: tuple[anchors.IntegrityWarning, ...] = ()
        # The full HMAC check of every page, started once the unlock's own writes are done
        # (``_start_page_check``; pagecheck.py, issue #19).
        self.page_check = PageCheck(paths.db, b"", b"", None, error="not started")

    # -- opening -------------------------------------------------------------------------
    @staticmethod
    def exists(data_dir: Path) -> bool:
        paths = StorePaths(Path(data_dir))
        # A restore or rekey killed mid-switch leaves only its journal for a moment: the
        # next open finishes it. That is a store, never "create one with init".
        return (paths.keyslots.exists() or paths.db.exists()
                or backups.journal_path(paths.root).exists())

    @staticmethod
    def unlock_delay(data_dir: Path) -> float:
        """Seconds the next unlock attempt will wait (a GUI can show a countdown)."""
        return UnlockThrottle(StorePaths(Path(data_dir)).keyslots).remaining()

    @classmethod
    def create(cls, data_dir: Path, passphrase: str) -> tuple[Store, str]:
        """Create a new store; return it open, and the recovery key to show once."""
        paths = StorePaths(Path(data_dir))
        if cls.exists(paths.root):
            raise StoreError(
                "a store already exists here", code=ErrorCode.STORE_ALREADY_INITIALISED
            )
        check_passphrase(passphrase)
        kdf_profile()  # refuse an unsafe profile before anything is written
        ensure_private_dir(paths.root)
        lock = StoreLock(paths.lock)
        lock.acquire()
        try:
            if cls.exists(paths.root):
                raise StoreError(
                    "a store already exists here", code=ErrorCode.STORE_ALREADY_INITIALISED
                )
            backups.discard_db(paths.init_tmp)  # left by a create that crashed
            key = secrets.token_bytes(32)
            store_id = new_id()
            recovery_key = generate_recovery_key()
            slots = KeySlots.new(store_id, key, passphrase, recovery_key)
            conn = connect_raw(paths.init_tmp, key, create=True)
            try:
                apply_pragmas(conn)
                migrate(conn)
                conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("store_id", store_id), ("created_at", now()), ("created_by", __version__)],
                )
            except DatabaseError as exc:
                raise sqlite_error(exc, "creating the store") from None
            finally:
                close_quietly(conn)
            _private_file(paths.init_tmp)
            slots.save(paths.keyslots)
            os.replace(paths.init_tmp, paths.db)
            fsync_dir(paths.root)
            store = cls._attach(paths, key, slots, lock)
        except BaseException:
            lock.release()
            raise
        store.audit.event("store.created", detail={"schema_version": LATEST_VERSION})
        store._anchor()
        store._start_page_check()
        return store, recovery_key

    @classmethod
    def open(
        cls, data_dir: Path, passphrase: str, *, throttle: UnlockThrottle | None = None
    ) -> Store:
        """Unlock with the passphrase. WrongPassphrase, STORE_NOT_INITIALISED, StoreCorrupt,
        STORE_TOO_NEW (nothing written), STORE_LOCKED (open elsewhere)."""
        return cls._unlock(Path(data_dir), SLOT_PASSPHRASE, passphrase, throttle)

    @classmethod
    def open_with_recovery_key(
        cls, data_dir: Path, recovery_key: str, *, throttle: UnlockThrottle | None = None
    ) -> Store:
        return cls._unlock(Path(data_dir), SLOT_RECOVERY, recovery_key, throttle)

    @classmethod
    def _unlock(
        cls, data_dir: Path, kind: str, secret: str, throttle: UnlockThrottle | None
    ) -> Store:
        paths = StorePaths(data_dir)
        if not paths.keyslots.exists() and not backups.journal_path(paths.root).exists():
            if paths.db.exists():
                raise StoreCorrupt(
                    "the key file keyslots.json is missing; restore it from a backup"
                )
            raise StoreError(
                "no FieldScreen store here; create one with `fieldscreen init`",
                code=ErrorCode.STORE_NOT_INITIALISED,
            )
        lock = StoreLock(paths.lock)
        lock.acquire()
        try:
            backups.finish_pending_restore(paths.root)
            slots = KeySlots.load(paths.keyslots)
            throttle = throttle or UnlockThrottle(paths.keyslots)
            throttle.wait()
            try:
                key, slot = slots.unlock(kind, secret)
            except WrongPassphrase:
                throttle.record_failure()
                raise
            throttle.record_success()
            if not paths.db.exists():
                if not paths.init_tmp.exists():
                    raise StoreCorrupt("the database file fieldscreen.db is missing")
                os.replace(paths.init_tmp, paths.db)  # a create that stopped at its last step
                fsync_dir(paths.root)
            store = cls._attach(paths, key, slots, lock)
        except BaseException:
            lock.release()
            raise
        try:
            with store._handle.read("checking the key file's anchor") as conn:
                warnings, failed_since = anchors.check(
                    conn, slots, bytes(store._key), throttle.total
                )
            if failed_since:
                # Failed attempts cannot be written while locked; they are counted in the key
                # file (no personal data) and entered into the audit trail at the next unlock.
                store.audit.event("unlock.failed", detail={"attempts": failed_since})
            for warning in warnings:
                store.audit.event("store.integrity_warning", detail={"code": warning.code})
            store.warnings = tuple(warnings)
            store.audit.event("store.opened", detail={"via": kind})
            slots.keep_only(slot)  # extra slots of this kind were not FieldScreen's
            store._upgrade_slot(kind, secret, slot)
            store._anchor()
            store._sweep_outputs(STALE_AFTER_S)
            store._start_page_check()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _attach(cls, paths: StorePaths, key: bytes, slots: KeySlots, lock: StoreLock) -> Store:
        """Open the database with ``key``: check, migrate, then build the Store."""
        try:
            conn = connect_raw(paths.db, key)
        except StoreCorrupt:
            raise StoreCorrupt(
                "the database file is damaged or is not this store's database (a key file "
                "from before a `fieldscreen rekey` no longer opens it)"
            ) from None
        try:
            ident = _file_ident(paths.db)
            version = user_version(conn)
            if version > LATEST_VERSION:
                raise too_new(version)
            if version < 1:
                raise StoreCorrupt("the database file is empty or not a FieldScreen store")
            if version < LATEST_VERSION:  # a migration would write: check every page first
                cls._check_before_migrating(conn, paths.db, key, ident)
            # Every page read from here on is HMAC-checked by SQLCipher as it is decrypted: a
            # damaged page this unlock reads refuses it untouched. The other pages are checked
            # in the background once the store is open (``_start_page_check``): the full
            # check grew with the file (14 s for 100,000 cases; issue #19, docs/security.md).
            _private_file(paths.db)
            apply_pragmas(conn)
            migrate(
                conn, before_upgrade=lambda v: cls._pre_migration_copy(paths, conn, key, slots, v)
            )
            row = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
            if row is None or row[0] != slots.store_id:
                raise StoreCorrupt("the database does not belong to this key file")
        except DatabaseError as exc:
            conn.close()
            raise sqlite_error(exc, "opening the store") from None
        except OSError as exc:
            conn.close()
            raise io_error(exc, "opening the store") from None
        except BaseException:
            conn.close()
            raise
        remove_leftovers(paths.root, paths.db, backups.journal_path(paths.root))
        return cls(paths, conn, key, slots, lock, ident)

    @staticmethod
    def _check_before_migrating(
        conn: Connection, db: Path, key: bytes, ident: tuple[int, int]
    ) -> None:
        """Every page's HMAC, synchronously, before a schema migration (or its pre-migration
        copy) writes anything: a damaged file is refused untouched, as every unlock did
        before issue #19. Migrations are rare; the unlock that runs one waits for this."""
        check = pagechecks.check_now(conn, db, key, expect=ident)
        if check.state == DAMAGED:
            raise StoreCorrupt(
                f"the database file is damaged ({len(check.damaged_pages)} page(s) fail their "
                "integrity check); it was not upgraded and nothing was changed; restore a "
                "backup (`fieldscreen restore FILE`)"
            )
        if check.state != OK:  # no verdict from ours: SQLCipher's own check, as before
            log.warning("page check before migrating: %s; using cipher_integrity_check",
                        check.error)
            if conn.execute("PRAGMA cipher_integrity_check").fetchall():
                raise StoreCorrupt(
                    "the database file is damaged (pages fail their integrity check); it was "
                    "not upgraded and nothing was changed; restore a backup "
                    "(`fieldscreen restore FILE`)"
                )

    @staticmethod
    def _pre_migration_copy(
        paths: StorePaths, conn: Connection, key: bytes, slots: KeySlots, version: int
    ) -> None:
        """Before upgrading an existing store, keep an encrypted, restorable copy of it."""
        ensure_private_dir(paths.backups)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = paths.backups / f"pre-migration-v{version}-{stamp}.fsbackup"
        head = (0, "")
        with contextlib.suppress(DatabaseError):
            row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            head = (int(row[0]), str(row[1])) if row else head
        backups.write_backup(conn, key, slots, dest, work_dir=paths.root, audit_head=head)

    def _upgrade_slot(self, kind: str, secret: str, slot: KeySlot) -> None:
        """Re-wrap a slot made with weaker KDF settings than today's (e.g. an old default)."""
        target = kdf_profile()
        if not slot.params.weaker_than(target):
            return
        with self._handle.mutex:
            self._slots.replace(kind, secret, bytes(self._key), target)
            self._anchor()
        self.audit.event("keyslot.upgraded", detail={"kind": kind})

    def _anchor(self, floor: int = 0) -> None:
        """Anchor the audit chain's head in the key file (see anchor.py): the key file is
        re-signed with the next counter and written, then the database takes the counter.
        In that order a failed or killed write never leaves the database ahead of the key
        file (which would read as an older key file put back). Every write of the key file
        goes through here, so its MAC always covers the slots it holds.

        Once the file is known to be damaged nothing is written, so the head has not moved:
        nothing to anchor (key changes are refused before they get here)."""
        with self._handle.mutex:
            if self._handle.damaged:
                return
            with self._handle.read("anchoring the audit trail") as conn:
                counter = anchors.next_counter(conn, self._slots, floor)
            total = UnlockThrottle(self._paths.keyslots).total
            self._slots.sign(bytes(self._key), counter, self._handle.audit.head, total)
            try:
                self._slots.save(self._paths.keyslots)
            except OSError as exc:
                raise io_error(exc, "cannot write the key file keyslots.json") from None
            with self._handle.tx("anchoring the audit trail") as conn:
                anchors.set_db_counter(conn, counter)

    # -- the full page check (pagecheck.py, issue #19) ------------------------------------
    def _start_page_check(self) -> PageCheck:
        """Check every page's HMAC in the background (``pagecheck.start``): damage found
        refuses writes from then on, before anyone is told."""
        self.page_check.cancel_and_join()
        self.page_check = pagechecks.start(self._handle, self._paths.db, bytes(self._key),
                                           expect=self._db_ident)
        return self.page_check

    def _refuse_if_damaged(self, what: str) -> None:
        """Wait for the full page check; StoreCorrupt if it found damage or could not check
        the file (a check cancelled by a failed rekey is neither: the copy's reads are
        verified by SQLCipher)."""
        state = self.page_check.wait()
        if state == DAMAGED:
            raise StoreCorrupt(
                f"{what}: the database file is damaged ({len(self.page_check.damaged_pages)} "
                "page(s) fail their integrity check), so a copy of it would not be a "
                "backup; restore an earlier backup (`fieldscreen restore FILE`)"
            )
        if state == ERROR:
            raise StoreCorrupt(
                f"{what}: the database file could not be checked ({self.page_check.error}), "
                "so a copy of it might not be a backup; restore an earlier backup "
                "(`fieldscreen restore FILE`) or run `fieldscreen check`"
            )

    # -- closing -------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the page check, checkpoint the WAL into the database file, close it and
        release the lock."""
        self.page_check.cancel_and_join()  # at most one chunk (1 MiB) away
        with self._handle.mutex:
            if self._handle.closed:
                return
            with contextlib.suppress(StoreError, DatabaseError, OSError):
                self.audit.event("store.locked")
                self._anchor()
            conn = self._handle.detach()
            if conn is not None:
                close_quietly(conn)
            self._forget_key()
            self._lock.release()

    def _forget_key(self) -> None:
        """Zero the data key's bytes (what Python allows: copies handed to libraries, and
        the hex string given to SQLCipher, are dropped, not zeroed)."""
        for i in range(len(self._key)):
            self._key[i] = 0
        self._key = bytearray()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def is_store_secret(self, candidate: str) -> bool:
        """Whether ``candidate`` opens this store (passphrase or recovery key): such a
        secret must never double as a PDF or export password."""
        return self._slots.is_store_secret(candidate)

    @contextlib.contextmanager
    def atomic(self, what: str) -> Iterator[None]:
        """Group repository writes into one commit: all of them are on disk, or none.

        Used by the casework services, e.g. a case, its consent and the person's details
        are written together, so no crash leaves a person stored without a consent."""
        with self._handle.tx(what):
            yield

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- facts ---------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self._paths.root

    @property
    def store_id(self) -> str:
        return self._slots.store_id

    @property
    def schema_version(self) -> int:
        with self._handle.read("reading the schema version") as conn:
            return user_version(conn)

    def integrity_check(self) -> list[str]:
        """SQLite's integrity check: an empty list when the database is sound."""
        with self._handle.read("checking the database") as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
        return [] if rows == ["ok"] else rows

    # -- keys ----------------------------------------------------------------------------
    def verify_passphrase(self, secret: str) -> None:
        """Check the current passphrase again (before changing keys on an open store).

        Raises WrongPassphrase. A wrong answer counts toward the same persisted delay as a
        wrong unlock and is audited, so an unlocked, unattended laptop is no shortcut.
        """
        throttle = UnlockThrottle(self._paths.keyslots)
        throttle.wait()
        try:
            self._slots.unlock(SLOT_PASSPHRASE, secret)
        except WrongPassphrase:
            throttle.record_failure()
            self.audit.event("passphrase.check_failed")
            raise
        throttle.record_success()

    def change_passphrase(self, new_passphrase: str) -> None:
        """Re-wrap the master key under a new passphrase. The old one stops working at once;
        the database is not rewritten. Backups keep opening with the passphrase they were
        made under."""
        check_passphrase(new_passphrase)
        with self._handle.mutex:
            self._handle.conn  # noqa: B018 - raises if closed
            self._handle.check_writable()
            self._slots.replace(SLOT_PASSPHRASE, new_passphrase, bytes(self._key))
            self._anchor()
        self.audit.event("passphrase.changed")

    def regenerate_recovery_key(self) -> str:
        """A new recovery key; the old one stops working. Show it once."""
        recovery_key = generate_recovery_key()
        with self._handle.mutex:
            self._handle.conn  # noqa: B018
            self._handle.check_writable()
            self._slots.replace(SLOT_RECOVERY, recovery_key, bytes(self._key))
            self._anchor()
        self.audit.event("recovery_key.replaced")
        return recovery_key

    def rekey(self, new_passphrase: str) -> str:
        """Rotate the data key; set ``new_passphrase`` and return a NEW recovery key (show it
        once). Faces ask for the current passphrase first (``verify_passphrase``).

        Design (crash-safe like ``restore``): with the store mutex held, the live database
        is copied (SQLite backup API, same key) to ``.restore-<t>.db``; the copy leaves WAL
        mode and is re-encrypted in place with ``PRAGMA rekey`` under a new random 256-bit
        key; in it the audit chain goes on under the new chain key (the retired key is kept
        for verifying, audit.py) and a ``store.rekeyed`` entry records the old head and
        whether the old chain verified.
        New key slots (new passphrase, new recovery key) go to ``.restore-<t>.keyslots``.
        Until here a kill leaves only ``.restore-*`` leftovers: the OLD state opens and the
        next open sweeps them. Then the connection closes and ``backups.run_switch`` writes
        ``restore-journal.json`` (old db and key file to a ``pre-restore-<time>/`` folder,
        the new ones in, then delete that folder and every older ``pre-restore-*`` folder,
        which hold old key files); once the journal is on disk the next open rolls it
        forward: the NEW state opens. Either way exactly one of the two, with all data.

        Old backups are not touched: they keep opening with the secrets valid when they
        were made, but their key no longer opens this database.
        """
        check_passphrase(new_passphrase)
        params = kdf_profile()
        root = self._paths.root
        self._handle.check_writable()  # the copy reads every page: known damage, refused now
        self.page_check.cancel_and_join()  # the file it reads is about to be replaced
        with self._handle.mutex:
            conn = self._handle.conn
            old_report = self._handle.audit.verify()
            old_head = self._handle.audit.head
            new_key = secrets.token_bytes(32)
            recovery_key = generate_recovery_key()
            new_slots = KeySlots(self._slots.store_id, [])
            new_slots.replace(SLOT_PASSPHRASE, new_passphrase, new_key, params)
            new_slots.replace(
                SLOT_RECOVERY, normalise_recovery_key(recovery_key), new_key, params
            )
            token = secrets.token_hex(4)
            new_db = root / f".restore-{token}.db"
            new_slots_path = root / f".restore-{token}.keyslots"
            try:
                counter, head = self._write_rekeyed_copy(
                    conn, bytes(self._key), new_db, new_key, old_head, old_report.ok,
                    self._slots,
                )
                new_slots.attempts = KeySlots.load(self._paths.keyslots).attempts
                new_slots.sign(new_key, counter, head, new_slots.attempts.total)
                new_slots.save(new_slots_path)
            except OSError as exc:
                self._discard_rekey(new_db, new_slots_path)
                raise io_error(exc, "re-encrypting the store failed") from None
            except BaseException:
                self._discard_rekey(new_db, new_slots_path)
                raise
            # The point of no return: from the journal on, the next open finishes the switch.
            old = self._handle.detach()
            try:
                if old is not None:
                    close_quietly(old)
                discard = tuple(backups.kept_folders(root))
                moves, kept = backups.plan_switch(
                    root, DB_NAME, KEYSLOTS_NAME, new_db, new_slots_path
                )
                backups.run_switch(root, moves, discard + ((kept,) if kept else ()))
                fresh = connect_raw(self._paths.db, new_key)
                try:
                    apply_pragmas(fresh)
                except BaseException:
                    fresh.close()
                    raise
            except BaseException as exc:
                self._forget_key()
                self._lock.release()  # closed: the next open finishes or rolls back
                if isinstance(exc, OSError):
                    raise io_error(exc, "re-encrypting the store failed") from None
                if isinstance(exc, DatabaseError):
                    raise sqlite_error(exc, "re-encrypting the store") from None
                raise
            self._forget_key()
            self._key = bytearray(new_key)
            self._slots = new_slots
            self._handle.reattach(fresh, audit_key(new_key))
            self._db_ident = _file_ident(self._paths.db)
            self._start_page_check()  # the new file
            remove_leftovers(root, self._paths.db, backups.journal_path(root))
            self._sweep_outputs(0.0)  # a killed backup's temporary holds the old key
            # The automatic pre-migration copies hold the old key slots: after a rotation
            # they are exactly what an attacker with an old secret could use.
            for copy in sorted(self._paths.backups.glob("*.fsbackup")):
                with contextlib.suppress(OSError):
                    copy.unlink()
        return recovery_key

    @staticmethod
    def _write_rekeyed_copy(
        conn: Connection,
        key: bytes,
        dest: Path,
        new_key: bytes,
        old_head: tuple[int, str],
        chain_ok: bool,
        slots: KeySlots,
    ) -> tuple[int, tuple[int, str]]:
        """A copy of the database at ``dest``, encrypted with ``new_key``; its audit chain
        goes on under the new chain key (the old one is kept for verifying, audit.py) and
        its anchor counter one up. Returns that counter and the copy's audit head."""
        try:
            # Same key as the live file, so the backup API copies the pages as they are.
            copy = connect_raw(dest, key, create=True)
            try:
                conn.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # rekey needs a rollback journal
                copy.execute(key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1))
            finally:
                copy.close()
            copy = connect_raw(dest, new_key)
            try:
                log = AuditLog(copy, audit_key(key))
                copy.execute("BEGIN IMMEDIATE")
                log.retire_key(audit_key(new_key))
                log.append(
                    "store.rekeyed",
                    detail={"previous_head_id": old_head[0], "previous_chain_ok": chain_ok},
                )
                counter = anchors.next_counter(copy, slots)
                anchors.set_db_counter(copy, counter)
                head = log.head
                copy.execute("COMMIT")
                check = copy.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                copy.close()
            if check != "ok":  # pragma: no cover - the live database is damaged
                raise StoreCorrupt("the re-encrypted copy failed its check; nothing changed")
            _private_file(dest)
        except DatabaseError as exc:
            raise sqlite_error(exc, "re-encrypting the store", dest) from None
        return counter, head

    @staticmethod
    def _discard_rekey(new_db: Path, new_slots: Path) -> None:
        backups.discard_db(new_db)
        with contextlib.suppress(OSError):
            new_slots.unlink()

    # -- backup and restore --------------------------------------------------------------
    def check_output(self, dest: Path, *, folder: bool = False) -> Path:
        """``dest`` if a file (or, with ``folder``, files) may be written there: never inside
        the data folder, over a store file (also through a link) or onto a device (see
        screening.outputs). Every output asks here first (directly or through
        ``Workspace.check_output``), so this is where a file whose page check is not sound
        refuses them all (StoreCorrupt, ``check_outputs_allowed``)."""
        self.check_outputs_allowed()
        dest = check_output_target(dest, self._paths.root, folder=folder)
        if not folder:
            self.remember_output(dest)
        return dest

    def check_outputs_allowed(self) -> None:
        """StoreCorrupt once the full page check found damage or could not check the file:
        nothing leaves the store then (export, backup, PDF, packet, send to a server);
        what is there can still be viewed (issue #19, docs/security.md)."""
        self._handle.check_output()

    def remember_output(self, dest: Path) -> None:
        """Note a file about to be written outside the data folder, so a temporary that a
        killed write leaves beside it is found later (``_sweep_outputs``)."""
        with self._handle.tx("noting an output file") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?",
                               (RECENT_OUTPUTS_META,)).fetchone()
            seen = [str(dest)] + [p for p in _json_list(row) if p != str(dest)]
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (RECENT_OUTPUTS_META, json.dumps(seen[:MAX_RECENT_OUTPUTS])))

    def _sweep_outputs(self, stale_after: float) -> int:
        """Remove the temporaries killed writes left beside recent output files (only the
        exact ``.<name>.<8 hex>.tmp`` of a file FieldScreen wrote, untouched for
        ``stale_after`` seconds). Returns how many."""
        with self._handle.read("reading the recent output files") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?",
                               (RECENT_OUTPUTS_META,)).fetchone()
        removed = sum(len(remove_stale_siblings(Path(p), stale_after)) for p in _json_list(row))
        if removed:
            log.info("removed %d temporary file(s) left beside output files", removed)
        return removed

    def backup(self, dest: Path) -> backups.BackupInfo:
        """Write an encrypted backup file (see backup.py); restore it with ``Store.restore``.
        Waits for the full page check and refuses a damaged file (StoreCorrupt)."""
        self._refuse_if_damaged("making a backup")
        dest = self.check_output(dest)
        with self._handle.read("making a backup") as conn:
            info = backups.write_backup(
                conn,
                bytes(self._key),
                self._slots,
                dest,
                work_dir=self._paths.root,
                audit_head=self._handle.audit.head,
            )
        self.audit.event("store.backup", detail={"sha256": info.sha256})
        self._anchor()  # a copy left: anchor the key file to the history it holds
        return info

    @classmethod
    def restore(
        cls,
        data_dir: Path,
        backup_file: Path,
        secret: str,
        *,
        recovery: bool = False,
        force: bool = False,
        legacy_unauthenticated: bool = False,
        throttle: UnlockThrottle | None = None,
    ) -> tuple[Store, Path | None]:
        """Replace the store in ``data_dir`` with a backup; return it open, and the folder
        where the replaced store was kept (None if there was none).

        ``secret`` is the passphrase (or, with ``recovery``, the recovery key) that was valid
        when the backup was made. Refuses to replace an existing store unless ``force``.
        The backup's header MAC is checked right after unlocking, before anything in the data
        folder is written; an altered backup raises ``BackupRefused`` (an InputError). A
        backup from before header MACs (format 1) is refused unless
        ``legacy_unauthenticated``: then nothing vouches for its key slots or dates.
        """
        paths = StorePaths(Path(data_dir))
        if cls.exists(paths.root) and not force:
            raise StoreError(
                "a store already exists here; restoring would replace it (use --force to "
                "replace it; it is kept in a pre-restore folder)",
                code=ErrorCode.STORE_ALREADY_INITIALISED,
            )
        source = Path(backup_file)
        contents = backups.read_backup(source)  # hash and KDF bounds: before any key work
        if not contents.authenticated and not legacy_unauthenticated:
            raise backups.BackupRefused(
                "not a usable FieldScreen backup: it was made by an older FieldScreen and its "
                "header (key slots, dates) is not authenticated; restore it only if you know "
                "where it came from, with `fieldscreen restore --legacy-unauthenticated`",
                code=ErrorCode.STORE_BACKUP_UNAUTHENTICATED,
            )
        ensure_private_dir(paths.root)
        lock = StoreLock(paths.lock)
        lock.acquire()
        try:
            backups.finish_pending_restore(paths.root)
            throttle = throttle or UnlockThrottle(paths.keyslots)
            throttle.wait()
            try:
                key, _slot = contents.slots.unlock(
                    SLOT_RECOVERY if recovery else SLOT_PASSPHRASE, secret
                )
            except WrongPassphrase:
                throttle.record_failure()
                raise
            throttle.record_success()
            if contents.authenticated:
                contents.verify(key)  # the header MAC: before the data folder is written
            token = secrets.token_hex(4)
            new_db = paths.root / f".restore-{token}.db"
            new_slots = paths.root / f".restore-{token}.keyslots"
            backups.extract_and_check(contents, source, key, new_db)
            # The replaced store's anchor counter and failed-unlock count carry over: a
            # restore must not be a way to reset either.
            replaced = _previous_keyfile(paths.keyslots)
            floor = replaced.anchor.counter if replaced and replaced.anchor else 0
            if replaced is not None:
                contents.slots.attempts = replaced.attempts
            try:
                contents.slots.save(new_slots)
            except BaseException:
                backups.discard_db(new_db)
                raise
            moves, kept = backups.plan_switch(paths.root, DB_NAME, KEYSLOTS_NAME, new_db, new_slots)
            backups.run_switch(paths.root, moves)
            store = cls._attach(paths, key, contents.slots, lock)
        except OSError as exc:
            lock.release()
            raise io_error(exc, "restore failed") from None
        except BaseException:
            lock.release()
            raise
        try:
            if replaced is not None:
                # Wrong passphrases typed at the replaced store since its last unlock (or
                # for this backup): entered here, as the next unlock would have.
                seen = replaced.anchor.failed_total if replaced.anchor else 0
                since = UnlockThrottle(paths.keyslots).total - seen
                if since > 0:
                    store.audit.event("unlock.failed", detail={"attempts": since})
            store.audit.event(
                "store.restored",
                detail={
                    "backup_created_at": str(contents.header.get("created_at", "")),
                    "replaced_existing": kept is not None,
                    "replaced_anchor_counter": floor,
                    "authenticated": contents.authenticated,
                },
            )
            store._anchor(floor)
            store._start_page_check()
        except BaseException:
            store.close()
            raise
        return store, (paths.root / kept if kept else None)

    # -- export --------------------------------------------------------------------------
    def export(
        self,
        dest: Path,
        fmt: str = "json",
        *,
        case_ids: list[str] | None = None,
        password: str | None = None,
        plaintext_ok: bool = False,
        builder: Callable[[Store, list[str]], bytes] | None = None,
        writer: Callable[[Store, Iterable[str], IO[bytes]], int] | None = None,
    ) -> exports.ExportInfo:
        """Export cases (all when ``case_ids`` is None) as JSON or CSV.

        With ``password`` the file is encrypted (see export.py). Without it, ``plaintext_ok``
        must be True: a plaintext file of names and answers is never written by accident.
        The file is written as a stream, a case at a time (memory stays flat at 100,000
        cases); all cases are those at the start, less any deleted while it runs.
        ``writer`` writes another format into the stream and returns the number of cases
        (e.g. the ODK-shaped export, which lives with the XLSForm code); ``builder`` returns
        a format's bytes whole. Encryption, writing and the audit entry stay here.
        """
        dest = self.check_output(dest)
        if builder is None and writer is None and fmt not in exports.FORMATS:
            raise InputError(f"unknown export format; use one of {', '.join(exports.FORMATS)}")
        if password is None and not plaintext_ok:
            raise InputError("refusing a plaintext export without plaintext_ok=True")
        if password is not None:
            check_passphrase(password)
            if self._slots.is_store_secret(password):
                raise InputError("the export password must differ from the store's passphrase "
                                 "and recovery key", code=ErrorCode.STORE_WEAK_PASSPHRASE)
        every = case_ids is None
        ids: Iterable[str] = (exports.snapshot_case_ids(self._handle) if case_ids is None
                              else case_ids)
        anchor = self.audit.anchor().to_json()
        produce: exports.Producer
        if writer is not None:
            produce = functools.partial(writer, self, ids)
        elif builder is not None:
            whole = builder

            def produce(out: IO[bytes]) -> int:
                listed = list(ids)
                out.write(whole(self, listed))
                return len(listed)
        else:
            produce = exports.producer(self, ids, fmt, anchor, missing_ok=every)
        count, digest = exports.write_export_file(dest, fmt, produce, password=password,
                                                  anchor=anchor)
        try:
            self.audit.event(
                "store.export",
                detail={
                    "format": fmt,
                    "encrypted": password is not None,
                    "cases": count,
                    "sha256": digest,
                },
            )
        except StoreCorrupt:
            # The page check found the file unsound while this export ran: it cannot be
            # audited, so it does not leave the store either.
            with contextlib.suppress(OSError):
                dest.unlink()
            raise
        self._anchor()
        return exports.ExportInfo(dest, fmt, password is not None, count, digest)


__all__ = ["DB_NAME", "KEYSLOTS_NAME", "Store", "StorePaths"]
