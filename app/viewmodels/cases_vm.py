"""Cases: create, read one, delete; and which interview to resume."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.case_list_model import CaseListModel, short_date, status_text
from app.viewmodels.catalog import InstrumentCatalog
from screening.errors import ScreeningError
from screening.store import PersonInfo

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


@dataclass(frozen=True)
class NewPerson:
    name: str = field(default="", repr=False)
    date_of_birth: str = field(default="", repr=False)
    gender: str = field(default="", repr=False)
    nationality: str = field(default="", repr=False)
    contact: str = field(default="", repr=False)
    reference: str = ""


class CasesViewModel(QObject):
    """Emits:
    case_created(str): the new case id.
    case_deleted(str): the deleted case id.
    failed(str): an error code.
    """

    case_created = Signal(str)
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
                card = self.catalog.card(f"{meta.instrument_id}@{meta.instrument_version}",
                                         meta.officer_language)
                title = card.title
            except KeyError:
                title = meta.instrument_id
            rows.append(InterviewRow(interview.id, title, meta.respondent_language,
                                     interview.finished, short_date(interview.created_at),
                                     short_date(interview.updated_at)))
        name = case.person.name if case.person and case.person.name else ""
        return CaseDetail(case.id, case.reference, status_text(case.status), name, tuple(rows))

    def create_case(self, person: NewPerson) -> str | None:
        info = PersonInfo(
            name=person.name.strip() or None,
            date_of_birth=person.date_of_birth.strip() or None,
            gender=person.gender.strip() or None,
            nationality=person.nationality.strip() or None,
            contact=person.contact.strip() or None,
        )
        has_person = any((info.name, info.date_of_birth, info.gender, info.nationality,
                          info.contact))
        try:
            case_id = self.app_vm.require_store().cases.create(
                person.reference.strip() or None, info if has_person else None)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return None
        log.info("case created %s", case_id)
        self.model.refresh()
        self.case_created.emit(case_id)
        return case_id

    def delete_case(self, case_id: str) -> bool:
        try:
            self.app_vm.require_store().cases.delete(case_id)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        log.info("case deleted %s", case_id)
        self.model.refresh()
        self.case_deleted.emit(case_id)
        return True

    def reopen(self, interview_id: str) -> bool:
        try:
            self.app_vm.require_store().interviews.reopen(interview_id)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        return True

    def clear(self) -> None:
        self.model.clear()
