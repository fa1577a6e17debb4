"""A data folder, as one object: its files, its store, its catalog, directory and preferences.

The CLI and the desktop app both build a ``Workspace``; no other code knows the names of the
files in a data folder. Layout::

    fieldscreen.db        SQLCipher database: cases, answers, installed instruments, the
                          imported referral directory, settings (see screening.store)
    keyslots.json         the database key, wrapped per passphrase / recovery key
    unlock-state.json     wrong-passphrase counter (no personal data)
    fieldscreen.lock      single-writer lock
    ui.json               {"language": "ar"}: the one preference needed before unlock
    logs/                 events and identifiers only
    backups/              encrypted copies made before a schema migration

Folders from before issue #12 (``instruments/*.yaml``, ``referrals/imported.csv``) held
plaintext; on the first unlock their contents move into the store and the files are removed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from screening.casework.preferences import Preferences, SettingKey
from screening.errors import ErrorCode, InstrumentError, ScreeningError, StoreError
from screening.outputs import check_output_target
from screening.paths import default_data_dir, ensure_private_dir
from screening.store import Store
from screening.store.fsutil import AtomicFile
from screening.store.store import StorePaths

if TYPE_CHECKING:  # loaded when first used: the app's first window does not need them
    from screening.casework.catalog import InstrumentCatalog
    from screening.casework.lifecycle import Casework
    from screening.reports.directory import Directory
    from screening.server.service import ServerService

log = logging.getLogger(__name__)

_BACKFILLED = SettingKey.INSTRUMENT_TEXTS_BACKFILLED
_LANG = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class WorkspaceLayout:
    """Where each file of a data folder is (the store's own files via ``StorePaths``)."""

    root: Path

    @property
    def store(self) -> StorePaths:
        return StorePaths(self.root)

    @property
    def ui_prefs(self) -> Path:
        return self.root / "ui.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def legacy_instruments(self) -> Path:
        return self.root / "instruments"

    @property
    def legacy_directory(self) -> Path:
        return self.root / "referrals" / "imported.csv"


class Workspace:
    """One data folder. Open it with ``create``/``open``/``open_with_recovery_key`` (or
    ``adopt`` a store opened by a restore); use as a context manager or call ``close``."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.layout = WorkspaceLayout(Path(data_dir) if data_dir else default_data_dir())
        self._store: Store | None = None
        self._catalog: InstrumentCatalog | None = None
        self._casework: Casework | None = None
        self._server: ServerService | None = None

    def __repr__(self) -> str:
        return f"Workspace(open={self.is_open})"

    @property
    def data_dir(self) -> Path:
        return self.layout.root

    def check_output(self, path: Path | str, *, folder: bool = False) -> Path:
        """``path`` if FieldScreen may write a file (or, with ``folder``, files) there; raises
        InputError (ErrorCode.OUTPUT_TARGET) for a place inside this data folder, the same file
        as one of its files, or a device. Needs no unlocked store; with one, the file is noted
        (encrypted) so a temporary a killed write leaves beside it is swept later, and
        nothing is written from a store whose page check found it unsound (StoreCorrupt:
        ``Store.check_output``)."""
        target = check_output_target(path, self.data_dir, folder=folder)
        if self.is_open:
            return self.store.check_output(target, folder=folder)
        return target

    # -- the store -----------------------------------------------------------------------
    def exists(self) -> bool:
        return Store.exists(self.data_dir)

    def unlock_delay(self) -> float:
        try:
            return Store.unlock_delay(self.data_dir)
        except OSError:
            return 0.0

    def create(self, passphrase: str) -> str:
        """Create the store; return the recovery key (to show once). The store stays open."""
        store, recovery_key = Store.create(self.data_dir, passphrase)
        self.adopt(store)
        return recovery_key

    def open(self, passphrase: str) -> Workspace:
        self.adopt(Store.open(self.data_dir, passphrase))
        return self

    def open_with_recovery_key(self, recovery_key: str) -> Workspace:
        self.adopt(Store.open_with_recovery_key(self.data_dir, recovery_key))
        return self

    def adopt(self, store: Store) -> Workspace:
        """Use a store opened elsewhere (create, restore); moves legacy plaintext inside."""
        self._store = store
        self._catalog = None
        self._casework = None
        self._server = None
        self._absorb_legacy_files()
        self._keep_texts_of_older_interviews()
        return self

    @property
    def is_open(self) -> bool:
        return self._store is not None and not self._store.closed

    @property
    def store(self) -> Store:
        if self._store is None or self._store.closed:
            raise StoreError("the store is locked", code=ErrorCode.STORE_IO)
        return self._store

    def close(self) -> None:
        store, self._store = self._store, None
        self._catalog = None
        self._casework = None
        self._server = None
        if store is not None:
            store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- what lives in it ----------------------------------------------------------------
    @property
    def catalog(self) -> InstrumentCatalog:
        """Shipped instruments, plus the installed ones while the store is open."""
        from screening.casework.catalog import InstrumentCatalog

        if not self.is_open:
            return InstrumentCatalog(None)
        if self._catalog is None:
            self._catalog = InstrumentCatalog(self.store)
        return self._catalog

    @property
    def casework(self) -> Casework:
        from screening.casework.lifecycle import Casework

        if self._casework is None or self._casework.store is not self.store:
            self._casework = Casework(self.store, self.catalog)
        return self._casework

    @property
    def server(self) -> ServerService:
        """The agency's ODK Central server: settings, publishing, the send queue, sending
        (issue #18). Opens a connection only when asked to (see screening.server)."""
        from screening.server.service import ServerService

        if self._server is None or self._server.store is not self.store:
            self._server = ServerService(self.store, self.catalog)
        return self._server

    @property
    def preferences(self) -> Preferences:
        return Preferences(self.store.settings)

    def directory(self) -> Directory:
        """The referral directory: shipped, with the imported rows merged over it."""
        from screening.casework.referrals import workspace_directory

        return workspace_directory(self.store if self.is_open else None)

    def import_directory(self, path: Path) -> int:
        from screening.casework.referrals import import_directory_file

        return import_directory_file(self.store, Path(path))

    # -- the one plaintext preference ----------------------------------------------------
    def ui_language(self) -> str | None:
        try:
            doc = json.loads(self.layout.ui_prefs.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        lang = doc.get("language") if isinstance(doc, dict) else None
        return lang if isinstance(lang, str) and _LANG.match(lang) else None

    def set_ui_language(self, lang: str) -> None:
        if not _LANG.match(lang):
            raise ValueError("not a language code")
        try:
            ensure_private_dir(self.data_dir)
            with AtomicFile(self.layout.ui_prefs) as fh:  # its temp is a swept leftover
                fh.write((json.dumps({"language": lang}) + "\n").encode("utf-8"))
        except (OSError, ScreeningError):
            log.warning("could not save the UI language preference")

    # -- what older versions left ---------------------------------------------------------
    def _keep_texts_of_older_interviews(self) -> None:
        """Interviews from before schema version 2 have no text in the store: keep the text
        now, where the catalog still has it (once; later opens find nothing missing)."""
        store = self.store
        if store.settings.get(_BACKFILLED):
            return
        for instrument_id, content_hash in store.instruments.missing():
            try:
                self.catalog.snapshot(self.catalog.by_hash(instrument_id, content_hash))
            except InstrumentError:
                log.warning("an older interview's instrument text is not installed")
        store.settings.set(_BACKFILLED, True)

    def _absorb_legacy_files(self) -> None:
        folder = self.layout.legacy_instruments
        if folder.is_dir():
            from screening.instruments import load_instrument

            for path in sorted(folder.glob("*.yaml")):
                try:
                    self.catalog.install(load_instrument(path), path.name)
                except (InstrumentError, ScreeningError):
                    log.warning("an instrument file from an older version does not load; "
                                "left in place")
                    continue
                path.unlink()
                log.info("an imported instrument moved into the encrypted store")
            with contextlib.suppress(OSError):
                folder.rmdir()
        legacy = self.layout.legacy_directory
        if legacy.is_file():
            try:
                self.import_directory(legacy)
            except ScreeningError:
                log.warning("the imported directory from an older version does not load; "
                            "left in place")
            else:
                legacy.unlink()
                with contextlib.suppress(OSError):
                    legacy.parent.rmdir()
                log.info("the imported referral directory moved into the encrypted store")


__all__ = ["Workspace", "WorkspaceLayout"]
