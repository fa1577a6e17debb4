"""Cases: read one, delete; and which interview to resume.

Cases are created by the consent step only (``SetupViewModel.start``): nothing about a person
is stored before they agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.case_list_model import CaseListModel, short_date, status_text
from app.viewmodels.catalog import InstrumentCatalog
from screening.errors import ScreeningError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InterviewRow:
    id: str
    instrument: str
    language: str
    finished: bool
    started: str
    changed: str


@dataclass(frozen=True)
class CaseDetail:
    id: str
    reference: str
    status: str
    name: str = field(repr=False)
    interviews: tuple[InterviewRow, ...] = ()

    @property
    def draft(self) -> InterviewRow | None:
        """The most recent interview still in progress (what "Resume" opens)."""
        drafts = [i for i in self.interviews if not i.finished]
        return drafts[-1] if drafts else None


class CasesViewModel(QObject):
    """Emits:
    case_deleted(str): the deleted case id.
    failed(str): an error code.
    """

    case_deleted = Signal(str)
    failed = Signal(str)

    def __init__(self, app_vm: AppViewModel, catalog: InstrumentCatalog,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self.catalog = catalog
        self.model = CaseListModel(app_vm, self)

    def detail(self, case_id: str) -> CaseDetail | None:
        try:
            case = self.app_vm.require_store().cases.get(case_id)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return None
        rows = []
        for interview in case.interviews:
            meta = interview.meta
            try:
                # The exact text the interview used: still titled after its instrument was
                # removed from the catalog or upgraded (the store keeps it as a snapshot).
                title = self.catalog.title(meta.instrument_id, meta.content_hash,
                                           meta.officer_language)
            except ScreeningError:
                title = meta.instrument_id
            rows.append(InterviewRow(interview.id, title, meta.respondent_language,
                                     interview.finished, short_date(interview.created_at),
                                     short_date(interview.updated_at)))
        name = case.person.name if case.person and case.person.name else ""
        return CaseDetail(case.id, case.reference, status_text(case.status), name, tuple(rows))

    def delete_case(self, case_id: str) -> bool:
        try:
            self.app_vm.require_store().cases.delete(case_id)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        log.info("case deleted")  # events only: no ids in the log
        self.model.refresh()
        self.case_deleted.emit(case_id)
        return True

    def reopen(self, interview_id: str) -> bool:
        try:
            self.app_vm.require_store()
            self.app_vm.workspace.casework.reopen(interview_id)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        return True

    def clear(self) -> None:
        self.model.clear()
