"""Setting up a new interview: instrument, languages, interpreter, setting, consent.

The draft set-up holds no personal data (an instrument, language codes, tick boxes), so it
survives a lock and the officer comes back to the same choices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.catalog import InstrumentCard, InstrumentCatalog
from screening.errors import ScreeningError
from screening.store import InterviewContext, InterviewMeta

log = logging.getLogger(__name__)

CONSENT_SCOPES = ("screening", "share_with_services", "share_with_law_enforcement")
COMPANIONS = ("none", "present", "separated")


@dataclass(frozen=True)
class InterviewSetup:
    case_id: str = ""
    instrument_key: str = ""
    respondent_language: str = ""
    officer_language: str = ""
    interpreter_used: bool = False
    interpreter_language: str = ""
    same_gender_offered: bool = False
    private_setting: bool = True
    companion: str = "none"
    location: str = field(default="", repr=False)


@dataclass(frozen=True)
class ConsentText:
    respondent: str
    officer: str
    respondent_language: str
    officer_language: str


class SetupViewModel(QObject):
    """Emits:
    interview_started(str): the new interview id (consent recorded).
    failed(str): an error code.
    """

    interview_started = Signal(str)
    failed = Signal(str)

    def __init__(self, app_vm: AppViewModel, catalog: InstrumentCatalog,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self.catalog = catalog
        self.setup = InterviewSetup()

    def cards(self, ui_lang: str) -> list[InstrumentCard]:
        return self.catalog.cards(ui_lang)

    def begin(self, case_id: str, ui_lang: str) -> None:
        cards = self.catalog.cards(ui_lang)
        location = self.app_vm.officer_profile().location
        first = cards[0].key if cards else ""
        keep = self.setup if self.setup.case_id == case_id else InterviewSetup()
        self.setup = replace(keep, case_id=case_id, instrument_key=keep.instrument_key or first,
                             location=keep.location or location)
        self.choose_instrument(self.setup.instrument_key, ui_lang)

    def choose_instrument(self, key: str, ui_lang: str) -> None:
        if not key:
            return
        card = self.catalog.card(key, ui_lang)
        codes = [lang.code for lang in card.languages]
        respondent = self.setup.respondent_language
        officer = self.setup.officer_language or ui_lang
        self.setup = replace(
            self.setup, instrument_key=key,
            respondent_language=respondent if respondent in codes else card.source_language,
            officer_language=officer if officer in codes else card.source_language,
        )

    def update(self, **changes: object) -> None:
        self.setup = replace(self.setup, **changes)  # type: ignore[arg-type]

    def consent_text(self) -> ConsentText:
        result = self.catalog.by_key(self.setup.instrument_key)
        ins = result.instrument
        return ConsentText(ins.text(ins.consent, self.setup.respondent_language),
                           ins.text(ins.consent, self.setup.officer_language),
                           self.setup.respondent_language, self.setup.officer_language)

    def start(self, scope: tuple[str, ...], recorded_how: str,
              confidentiality_explained: bool) -> str | None:
        """Create the interview with its consent record; None (and ``failed``) on error."""
        s = self.setup
        result = self.catalog.by_key(s.instrument_key)
        ins = result.instrument
        profile = self.app_vm.officer_profile()
        meta = InterviewMeta(
            instrument_id=ins.id,
            instrument_version=ins.version,
            content_hash=result.content_hash,
            respondent_language=s.respondent_language,
            officer_language=s.officer_language,
            interpreter_used=s.interpreter_used,
            interpreter_language=(s.interpreter_language or None) if s.interpreter_used else None,
            location=s.location or None,
            officer=profile.name or None,
        )
        ctx = InterviewContext(
            consent_given=True,
            consent_scope=tuple(x for x in CONSENT_SCOPES if x in scope),
            consent_recorded_how=recorded_how,
            consent_at=datetime.now(UTC).isoformat(timespec="seconds"),
            consent_language=s.respondent_language,
            confidentiality_explained=confidentiality_explained,
            interpreter_used=s.interpreter_used,
            interpreter_language=meta.interpreter_language,
            same_gender_offered=s.same_gender_offered,
            private_setting=s.private_setting,
            companion=s.companion,
            breaks=0,
            stopped_early=False,
            stopped_reason=None,
        )
        try:
            store = self.app_vm.require_store()
            interview_id = store.interviews.create(s.case_id, meta)
            store.context.save(interview_id, ctx)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return None
        log.info("interview created %s", interview_id)
        self.setup = InterviewSetup()
        self.interview_started.emit(interview_id)
        return interview_id
