"""The referral screen: services chosen from the directory, reasons, notes, the PDF.

Choices are saved with the case (``store.referrals.save``) whenever the PDF is made and when the
app locks, so nothing typed here is lost. The PDF is written on a worker thread by
``screening.reports.service.write_case_report``; while that module is missing the screen
reports it through the normal error dialog.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.error_dialogs import REPORT_UNAVAILABLE
from app.viewmodels import directory
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.directory import ServicesProvider, ServiceView
from screening.errors import ScreeningError
from screening.store import ReferralRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChosenService:
    service: ServiceView
    reason: str = field(default="", repr=False)


def report_module() -> object | None:
    try:
        return importlib.import_module("screening.reports.service")
    except ImportError:
        return None


class ReferralViewModel(QObject):
    """Emits:
    chosen_changed(): the list of chosen services changed.
    report_started(): the PDF is being written.
    report_written(str): the SHA-256 of the file written.
    failed(str, str): error code and incident id.
    """

    chosen_changed = Signal()
    report_started = Signal()
    report_written = Signal(str)
    failed = Signal(str, str)

    def __init__(self, app_vm: AppViewModel, provider: ServicesProvider | None = None,
                 parent: QObject | None = None,
                 imported: Callable[[], list[Any]] | None = None) -> None:
        super().__init__(parent)
        self._imported = imported or list
        self.app_vm = app_vm
        self._provider = provider or directory.provider_for(app_vm.data_dir)
        self.case_id = ""
        self.case_reference = ""
        self.services: list[ServiceView] | None = None
        self.chosen: list[ChosenService] = []
        self.narrative = ""
        self.last_path: Path | None = None

    # -- loading ------------------------------------------------------------------------
    def load(self, case_id: str) -> None:
        store = self.app_vm.require_store()
        self.case_id = case_id
        self.case_reference = store.cases.get(case_id).reference
        try:
            self.services = self._provider()
        except (OSError, ValueError, ScreeningError):
            log.warning("the referral directory could not be read")
            self.services = None
        by_id = {s.service_id: s for s in self.services or []}
        records, narrative = store.referrals.get(case_id)
        self.chosen = []
        for rec in records:
            service = by_id.get(rec.service_id) or ServiceView(
                rec.service_id, rec.service_name, rec.kind, languages=tuple(rec.languages),
                contacts=str(rec.contacts or ""))
            self.chosen.append(ChosenService(service, rec.reason))
        self.narrative = narrative or ""
        self.chosen_changed.emit()

    def clear(self) -> None:
        self.case_id = ""
        self.case_reference = ""
        self.chosen = []
        self.narrative = ""
        self.last_path = None

    # -- filtering ----------------------------------------------------------------------
    def facets(self) -> tuple[list[str], list[str], list[str]]:
        """The needs, languages and regions the directory offers (for the filters)."""
        needs: set[str] = set()
        langs: set[str] = set()
        regions: set[str] = set()
        for s in self.services or []:
            needs.update(s.needs)
            langs.update(s.languages)
            if s.region and s.region != directory.NATIONAL:
                regions.add(s.region)
        return sorted(needs), sorted(langs), sorted(regions)

    def filtered(self, need: str = "", language: str = "", region: str = "") -> list[ServiceView]:
        """Matching services: real before placeholder entries, then those speaking the
        language before those reached through interpreters (as the core's filter)."""
        out = []
        for s in self.services or []:
            if need and need not in s.needs:
                continue
            if language and not (s.speaks(language) or s.interpreters):
                continue
            if region and s.region not in (region, directory.NATIONAL, ""):
                continue
            out.append(s)
        order = {s.service_id: i for i, s in enumerate(out)}
        return sorted(out, key=lambda s: (s.example, bool(language) and not s.speaks(language),
                                          order[s.service_id]))

    # -- choosing -----------------------------------------------------------------------
    def add(self, service: ServiceView) -> None:
        if any(c.service.service_id == service.service_id for c in self.chosen):
            return
        self.chosen.append(ChosenService(service))
        self.chosen_changed.emit()

    def remove(self, service_id: str) -> None:
        self.chosen = [c for c in self.chosen if c.service.service_id != service_id]
        self.chosen_changed.emit()

    def set_reason(self, service_id: str, reason: str) -> None:
        self.chosen = [ChosenService(c.service, reason) if c.service.service_id == service_id
                       else c for c in self.chosen]

    def records(self) -> list[ReferralRecord]:
        return [ReferralRecord(
            service_id=c.service.service_id, service_name=c.service.name, kind=c.service.kind,
            reason=c.reason, contacts=c.service.contacts, languages=tuple(c.service.languages),
        ) for c in self.chosen]

    def save(self) -> bool:
        if not self.case_id:
            return True
        try:
            self.app_vm.require_store().referrals.save(self.case_id, self.records(),
                                                       self.narrative or None)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code), "")
            return False
        return True

    # -- the PDF ------------------------------------------------------------------------
    def generate(self, path: Path, *, lang: str, redacted: bool, password: str | None) -> None:
        """Write the PDF on a worker. ``password`` None means a plaintext file, which the
        screen only allows after the officer confirmed it."""
        if not self.save():
            return
        module = report_module()
        if module is None:
            log.info("report module not available")
            self.failed.emit(REPORT_UNAVAILABLE, "")
            return
        store = self.app_vm.require_store()
        case_id = self.case_id
        data_dir = self.app_vm.data_dir
        extra = list(self._imported())  # instruments imported in Settings

        def work() -> str:
            directory_now = directory.load_directory(data_dir)
            fn = module.write_case_report  # type: ignore[attr-defined]
            return str(fn(store, case_id, Path(path), lang=lang, redacted=redacted,
                          password=password, allow_plaintext=password is None,
                          directory=directory_now, extra_instruments=extra))

        self.last_path = Path(path)
        self.report_started.emit()
        self.app_vm.runner.start("report", work, self.report_written.emit, self.failed.emit)
