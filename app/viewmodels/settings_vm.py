"""Settings: passphrase, recovery key, backup/restore/export, audit trail, imports.

Everything slow (key derivation, backup, export, audit verification) runs on the task runner.
Results come back as small snapshots; failures as error codes for the normal error dialog.
Imported questionnaires and the imported referral directory go into the encrypted store
through the core; nothing is copied into the data folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.error_dialogs import FILE_UNREADABLE, FILE_UNWRITABLE
from app.qt_i18n import ltr
from app.viewmodels import directory
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.catalog import InstrumentCatalog
from screening.errors import ErrorCode, Problem, ScreeningError
from screening.reports.directory import DirectoryError
from screening.store import Store

log = logging.getLogger(__name__)

MAX_WRONG_CURRENT = 3  # wrong "current passphrase" answers before the app locks itself


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the settings show it: ids and codes only (the view gives the
    event its name and the time its format, ``app.formatting``)."""

    id: int
    at: str  # the stored UTC ISO stamp
    action: str  # the event's code, e.g. "answer.saved"
    case: str  # the case's reference (the start of its id for a deleted case)
    interview: str  # the start of the interview's id


class SettingsViewModel(QObject):
    """Emits:
    done(str, object): an operation name ("passphrase", "recovery", "rekey", "backup", "export",
        "restore", "audit", "instrument", "instrument.remove", "directory") and its result
        snapshot (for "instrument.remove": whether the text stays as interviews' snapshot;
        for "recovery" and "rekey": the new recovery key, to show once).
    failed(str, str, str): operation name, error code, incident id.
    """

    done = Signal(str, object)
    failed = Signal(str, str, str)

    def __init__(self, app_vm: AppViewModel, catalog: InstrumentCatalog,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self.catalog = catalog
        self._wrong_current = 0

    def _run(self, op: str, fn: Callable[[], Any]) -> None:
        self.app_vm.runner.start(
            op, fn,
            lambda result: self.done.emit(op, result),
            lambda code, incident: self._failed(op, code, incident),
        )

    def _failed(self, op: str, code: str, incident: str) -> None:
        if op in ("passphrase", "rekey") and code == ErrorCode.STORE_WRONG_PASSPHRASE:
            self._wrong_current += 1
            if self._wrong_current >= MAX_WRONG_CURRENT:
                log.info("too many wrong current passphrases: locking")
                self._wrong_current = 0
                self.app_vm.lock()
        self.failed.emit(op, code, incident)

    # -- keys ---------------------------------------------------------------------------
    def change_passphrase(self, current: str, new: str) -> None:
        store = self.app_vm.require_store()

        def work() -> None:
            store.verify_passphrase(current)  # WrongPassphrase; counts toward the delay
            store.change_passphrase(new)

        self._run("passphrase", work)

    def regenerate_recovery_key(self, current: str) -> None:
        store = self.app_vm.require_store()

        def work() -> str:
            store.verify_passphrase(current)
            return store.regenerate_recovery_key()

        self._run("recovery", work)

    def rekey(self, current: str, new: str) -> None:
        """Check ``current`` (counts toward the unlock delay), then make a new data key,
        re-encrypt everything under it, set ``new``; "rekey" is done with the NEW recovery
        key. The store's mutex is held throughout, so nothing else uses it meanwhile."""
        store = self.app_vm.require_store()

        def work() -> str:
            store.verify_passphrase(current)  # WrongPassphrase: nothing is changed
            recovery_key = store.rekey(new)
            # The new file gets its own page check: the damage notice must hear of it too.
            self.app_vm.watch_page_check(store)
            return recovery_key

        log.info("re-encrypting the store with a new key")
        self._run("rekey", work)

    # -- backup, restore, export ----------------------------------------------------------
    def _checked(self, op: str, dest: Path) -> Path | None:
        """``dest`` if a file may be written there (never inside the data folder, over one
        of its files or onto a device); else says why through ``failed`` and returns None.
        The core checks again before writing."""
        try:
            return self.app_vm.workspace.check_output(Path(dest))
        except ScreeningError as exc:
            self.failed.emit(op, str(exc.code), "")
            return None

    def backup(self, dest: Path) -> None:
        store = self.app_vm.require_store()
        target = self._checked("backup", dest)
        if target is not None:
            self._run("backup", lambda: store.backup(target))

    def export(self, dest: Path, fmt: str, password: str) -> None:
        store = self.app_vm.require_store()
        target = self._checked("export", dest)
        if target is not None:
            self._run("export", lambda: store.export(target, fmt, password=password))

    def restore(self, backup_file: Path, secret: str) -> None:
        """Close the store, replace it with the backup, open the restored one."""
        data_dir = self.app_vm.data_dir
        self.app_vm.lock()
        # Close it now, after any task still writing (a backup just made) ends: a close
        # deferred until the runner is idle would come after the restore, which needs the
        # store closed.
        self.app_vm.shutdown()

        def work() -> Store:
            store, _kept = Store.restore(data_dir, Path(backup_file), secret, force=True)
            return store

        def adopted(store: Store) -> None:
            self.app_vm.adopt(store)  # the workspace takes the restored store
            self.done.emit("restore", None)

        self.app_vm.runner.start("restore", work, adopted,
                                 lambda code, incident: self.failed.emit("restore", code,
                                                                          incident))

    # -- audit --------------------------------------------------------------------------
    def audit_rows(self, limit: int = 500) -> list[AuditRow]:
        try:
            entries = self.app_vm.require_store().audit.entries(limit=limit)
        except ScreeningError as exc:
            self.failed.emit("audit", str(exc.code), "")
            return []
        try:
            references = self.app_vm.require_store().cases.references(
                e.case_id for e in entries if e.case_id)
        except ScreeningError:
            references = {}
        return [AuditRow(e.id, e.at, e.action,
                         ltr(references.get(e.case_id or "", (e.case_id or "")[:8])),
                         ltr((e.interview_id or "")[:8]))
                for e in reversed(entries)]  # newest first

    def verify_audit(self) -> None:
        store = self.app_vm.require_store()
        self._run("audit", store.audit.report)

    # -- questionnaires ------------------------------------------------------------------
    def import_instrument(self, path: Path) -> None:
        """Validate the file and install it into the encrypted store (the core's catalog)."""
        try:
            card = self.catalog.import_file(Path(path))
        except ScreeningError as exc:
            self.failed.emit("instrument", str(exc.code), "")
            return
        except OSError:
            self.failed.emit("instrument", FILE_UNREADABLE, "")
            return
        self.done.emit("instrument", card)

    def remove_instrument(self, key: str) -> None:
        """Take an installed questionnaire out of the catalog ("id@version"). Shipped ones
        cannot be removed; the text an interview used stays in the store as its snapshot."""
        try:
            kept = self.catalog.remove(key)
        except ScreeningError as exc:
            self.failed.emit("instrument.remove", str(exc.code), "")
            return
        self.done.emit("instrument.remove", bool(kept))

    # -- referral directory ---------------------------------------------------------------
    def services(self) -> list[directory.ServiceView] | None:
        """Every service (shipped and imported), or None when the directory cannot be read."""
        try:
            return directory.all_services(self.app_vm.workspace)
        except ScreeningError:
            log.warning("the referral directory could not be read")
            return None

    def has_imported_directory(self) -> bool:
        return self.app_vm.is_open and directory.has_imported(self.app_vm.workspace)

    def editable_directory(self) -> str:
        """The directory CSV to start editing from (the imported one, else the shipped)."""
        return directory.editable_csv(self.app_vm.workspace)

    def save_edited_directory(self, text: str) -> list[Problem]:
        """Keep an edited directory in the store; the problems the core found, if any (then
        nothing was saved)."""
        try:
            directory.save_edited(self.app_vm.workspace, text)
        except DirectoryError as exc:
            return list(exc.problems)
        except ScreeningError as exc:
            return [Problem(exc.code, exc.message)]
        return []

    def copy_directory(self, dest: Path) -> None:
        """Write the directory CSV to a file the officer chose, to edit in a spreadsheet."""
        target = self._checked("directory", dest)
        if target is None:
            return
        try:
            target.write_text(self.editable_directory(), encoding="utf-8")
        except ScreeningError as exc:
            self.failed.emit("directory", str(exc.code), "")
            return
        except OSError:
            self.failed.emit("directory", FILE_UNWRITABLE, "")
            return
        self.done.emit("directory", None)

    def import_directory(self, path: Path) -> None:
        """Validate a directory CSV with the core and keep it inside the encrypted store."""
        try:
            count = directory.import_file(self.app_vm.workspace, Path(path))
        except ScreeningError as exc:
            self.failed.emit("directory", str(exc.code), "")
            return
        except (OSError, ValueError):
            self.failed.emit("directory", FILE_UNREADABLE, "")
            return
        self.done.emit("directory", count)
