"""Settings: passphrase, recovery key, backup/restore/export, audit trail, imports.

Everything slow (key derivation, backup, export, audit verification) runs on the task runner.
Results come back as small snapshots; failures as error codes for the normal error dialog.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.error_dialogs import DIRECTORY_UNAVAILABLE, FILE_UNREADABLE
from app.qt_i18n import ltr
from app.viewmodels import directory
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.catalog import InstrumentCatalog
from screening.errors import ErrorCode, ScreeningError
from screening.store import Store

log = logging.getLogger(__name__)

MAX_WRONG_CURRENT = 3  # wrong "current passphrase" answers before the app locks itself


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    action: str
    case_id: str
    interview_id: str


class SettingsViewModel(QObject):
    """Emits:
    done(str, object): an operation name ("passphrase", "recovery", "backup", "export",
        "restore", "audit", "instrument", "directory") and its result snapshot.
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

    def _run(self, op: str, fn: object) -> None:
        self.app_vm.runner.start(
            op, fn,  # type: ignore[arg-type]
            lambda result: self.done.emit(op, result),
            lambda code, incident: self._failed(op, code, incident),
        )

    def _failed(self, op: str, code: str, incident: str) -> None:
        if op == "passphrase" and code == ErrorCode.STORE_WRONG_PASSPHRASE:
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

    # -- backup, restore, export ----------------------------------------------------------
    def backup(self, dest: Path) -> None:
        store = self.app_vm.require_store()
        self._run("backup", lambda: store.backup(Path(dest)))

    def export(self, dest: Path, fmt: str, password: str) -> None:
        store = self.app_vm.require_store()
        self._run("export", lambda: store.export(Path(dest), fmt, password=password))

    def restore(self, backup_file: Path, secret: str) -> None:
        """Close the store, replace it with the backup, open the restored one."""
        data_dir = self.app_vm.data_dir
        self.app_vm.lock()

        def work() -> Store:
            store, _kept = Store.restore(data_dir, Path(backup_file), secret, force=True)
            return store

        def adopted(store: object) -> None:
            self.app_vm.adopt(store)  # type: ignore[arg-type]
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
        return [AuditRow(e.id, ltr(e.at[:19].replace("T", " ")), e.action, e.case_id or "",
                         e.interview_id or "") for e in reversed(entries)]  # newest first

    def verify_audit(self) -> None:
        store = self.app_vm.require_store()
        self._run("audit", store.audit.report)

    # -- imports ------------------------------------------------------------------------
    def import_instrument(self, path: Path) -> None:
        try:
            card = self.catalog.import_file(Path(path))
        except ScreeningError as exc:
            self.failed.emit("instrument", str(exc.code), "")
            return
        except OSError:
            self.failed.emit("instrument", FILE_UNREADABLE, "")
            return
        self.done.emit("instrument", card)

    def services(self) -> list[directory.ServiceView] | None:
        try:
            return directory.load_services(self.app_vm.data_dir)
        except (ScreeningError, OSError):
            log.warning("the referral directory could not be read")
            return None

    def copy_directory(self, dest: Path) -> None:
        source = directory.editable_source(self.app_vm.data_dir)
        try:
            if source is None:
                raise OSError("no directory file")
            shutil.copyfile(source, dest)
        except OSError:
            self.failed.emit("directory", FILE_UNREADABLE, "")
            return
        self.done.emit("directory", None)

    def import_directory(self, path: Path) -> None:
        if not directory.available():
            self.failed.emit("directory", DIRECTORY_UNAVAILABLE, "")
            return
        try:
            count = directory.import_csv(self.app_vm.data_dir, Path(path))
        except LookupError:
            self.failed.emit("directory", DIRECTORY_UNAVAILABLE, "")
            return
        except ScreeningError as exc:
            self.failed.emit("directory", str(exc.code), "")
            return
        except (OSError, ValueError):
            self.failed.emit("directory", FILE_UNREADABLE, "")
            return
        self.done.emit("directory", count)

