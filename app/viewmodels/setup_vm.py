"""Setting up a new interview: instrument, languages, interpreter, setting, consent.

Consent comes before anything personal. For a new case, the person's details typed in the
"New case" dialog stay in memory (``NewPerson``) until the consent is recorded; the core
(``Casework.start``) then creates the case, the interview, the consent and only then the
person's details, in one transaction. If the person does not agree, the core records only
that a consent was declined, and the details are discarded. A lock discards them too.

The draft set-up itself holds no personal data (an instrument, language codes, tick boxes),
so it survives a lock and the officer comes back to the same choices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QObject, Signal

from app.qt_i18n import N_, _, ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.catalog import InstrumentCard, InstrumentCatalog
from screening.casework.consent import (
    SCOPES,
    SCREENING,
    Consent,
    now_iso,
)
from screening.casework.lifecycle import COMPANIONS, Declined, InterviewSetup, person_has_data
from screening.errors import ScreeningError
from screening.i18n import Translator
from screening.i18n.bidi import isolate
from screening.store import PersonInfo

log = logging.getLogger(__name__)

# The scopes the consent page offers, in its order ("screening" is what "agrees" means).
CONSENT_SCOPES = SCOPES  # the core's list, in its order

# Read to the person when the agency has a central server (scope "agency_server", issue #18):
# short, plain and kind, in their language, with the officer's beside it. It says who can
# open the copy, and avoids words like "records" that a victim may hear as a police file.
SERVER_CONSENT = N_("A copy of your answers may be kept locked (encrypted) in the central "
                    "system of {agency}. Only staff that {agency} allows can open it. You "
                    "can say no: it does not change the help you can get.")
SERVER_CONSENT_NO_AGENCY = N_("A copy of your answers may be kept locked (encrypted) in the "
                              "agency's central system. Only staff the agency allows can "
                              "open it. You can say no: it does not change the help you can "
                              "get.")

__all__ = ["COMPANIONS", "CONSENT_SCOPES", "ConsentText", "NewPerson", "ServerConsentText",
           "SetupDraft", "SetupViewModel"]


@dataclass(frozen=True)
class NewPerson:
    """The details typed for a new case, held in memory until consent (never in a repr)."""

    name: str = field(default="", repr=False)
    date_of_birth: str = field(default="", repr=False)
    gender: str = field(default="", repr=False)
    nationality: str = field(default="", repr=False)
    contact: str = field(default="", repr=False)
    reference: str = field(default="", repr=False)

    def person_info(self) -> PersonInfo | None:
        info = PersonInfo(
            name=self.name.strip() or None,
            date_of_birth=self.date_of_birth.strip() or None,
            gender=self.gender.strip() or None,
            nationality=self.nationality.strip() or None,
            contact=self.contact.strip() or None,
        )
        return info if person_has_data(info) else None

    def case_reference(self) -> str | None:
        return self.reference.strip() or None


@dataclass(frozen=True)
class SetupDraft:
    case_id: str = ""  # "" while the case is new: it is created only once consent is given
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


@dataclass(frozen=True)
class ServerConsentText:
    """The agency-server sentence: ``respondent`` is "" when the app has no translation in
    the person's language (the officer then says it in their own words)."""

    respondent: str
    officer: str
    respondent_language: str
    officer_language: str


class SetupViewModel(QObject):
    """Emits:
    interview_started(str): the new interview id (consent recorded).
    declined(str): the consent was declined and nothing about the person was stored; the
        case id for an existing case, "" for a new one (no case was created).
    failed(str): an error code.
    """

    interview_started = Signal(str)
    declined = Signal(str)
    failed = Signal(str)

    def __init__(self, app_vm: AppViewModel, catalog: InstrumentCatalog,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self.catalog = catalog
        self.setup = SetupDraft()
        self.person: NewPerson | None = None  # a new case's details, until consent
        app_vm.locked.connect(self.clear_personal_data)

    def __repr__(self) -> str:
        return f"SetupViewModel({self.setup!r}, new_case={self.is_new_case})"

    @property
    def is_new_case(self) -> bool:
        return not self.setup.case_id

    def case_reference(self) -> str:
        """The reference of the case the interview is for; "" for a new case."""
        if not self.setup.case_id or not self.app_vm.is_open:
            return ""
        try:
            return self.app_vm.require_store().cases.get(self.setup.case_id).reference
        except ScreeningError:
            return ""

    def cards(self, ui_lang: str) -> list[InstrumentCard]:
        return self.catalog.cards(ui_lang)

    # -- the draft ------------------------------------------------------------------------
    def begin_new_case(self, person: NewPerson) -> None:
        """Hold a new case's details in memory; nothing is stored before consent."""
        self.person = person
        if self.setup.case_id:
            self.setup = SetupDraft()

    def begin(self, case_id: str, ui_lang: str) -> None:
        """Start (or come back to) the set-up for ``case_id``; "" is the new case."""
        if case_id:
            self.person = None  # an interview for an existing case: no new person
        cards = self.catalog.cards(ui_lang)
        location = self.app_vm.officer_profile().location
        keys = [c.key for c in cards]
        keep = self.setup if self.setup.case_id == case_id else SetupDraft()
        key = keep.instrument_key if keep.instrument_key in keys else (keys[0] if keys else "")
        self.setup = replace(keep, case_id=case_id, instrument_key=key,
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

    def held_back_sections(self) -> tuple[int, int]:
        """(sections held back while a companion is present, sections) of the chosen
        questionnaire; the core says which are sensitive."""
        if not self.setup.instrument_key:
            return 0, 0
        ins = self.catalog.result(self.setup.instrument_key).instrument
        return len(ins.sensitive_sections()), len(ins.sections)

    def update(self, **changes: object) -> None:
        self.setup = replace(self.setup, **changes)  # type: ignore[arg-type]

    def cancel(self) -> str:
        """Leave the set-up without an interview; a new case's details are discarded.
        Returns the case to show ("" for a new case: none was created)."""
        case_id = self.setup.case_id
        self.person = None
        return case_id

    def clear_personal_data(self) -> None:
        self.person = None

    def consent_text(self) -> ConsentText:
        ins = self.catalog.result(self.setup.instrument_key).instrument
        return ConsentText(ins.text(ins.consent, self.setup.respondent_language),
                           ins.text(ins.consent, self.setup.officer_language),
                           self.setup.respondent_language, self.setup.officer_language)

    def server_consent_text(self) -> ServerConsentText | None:
        """The sentence for the "agency_server" scope, or None while no server is set (then
        the consent page does not ask)."""
        if not self.app_vm.is_open:
            return None
        try:
            if self.app_vm.workspace.server.settings() is None:
                return None
        except ScreeningError:
            return None
        agency = self.app_vm.officer_profile().agency.strip()

        def say(gettext: Callable[[str], str]) -> str:
            # the agency's name keeps its own direction (and brackets) in either script
            return (gettext(SERVER_CONSENT).format(agency=isolate(agency)) if agency
                    else gettext(SERVER_CONSENT_NO_AGENCY))

        lang = self.setup.respondent_language
        theirs = Translator(lang)
        translated = lang.split("_")[0] == "en" or theirs(SERVER_CONSENT) != SERVER_CONSENT
        return ServerConsentText(say(theirs) if translated else "", say(_), lang,
                                 ui_language().lang)

    def interview_setup(self) -> InterviewSetup:
        """The draft as the core's ``InterviewSetup``."""
        s = self.setup
        return InterviewSetup(
            instrument=self.catalog.result(s.instrument_key),
            respondent_language=s.respondent_language,
            officer_language=s.officer_language or None,
            interpreter_used=s.interpreter_used,
            interpreter_language=(s.interpreter_language or None) if s.interpreter_used
            else None,
            location=s.location or None,
            same_gender_offered=s.same_gender_offered,
            private_setting=s.private_setting,
            companion=s.companion,
        )

    # -- consent ---------------------------------------------------------------------------
    def start(self, scope: tuple[str, ...], recorded_how: str,
              confidentiality_explained: bool) -> str | None:
        """Consent given: the core records it and creates the interview (and, for a new case,
        the case and the person's details). The interview id; None (and ``failed``) on error.

        ``scope`` holds what the person agreed to beyond the interview itself ("referral",
        "law_enforcement", "agency_server"); "screening" is always part of it.
        """
        s = self.setup
        person = self.person if self.is_new_case else None
        try:
            consent = Consent(
                given=True, scope=(SCREENING, *scope), language=s.respondent_language,
                recorded_how=recorded_how, confidentiality_explained=confidentiality_explained,
                at=now_iso())
            started = self.app_vm.workspace.casework.start(
                self.interview_setup(), consent, case_id=s.case_id or None,
                person=person.person_info() if person else None,
                reference=person.case_reference() if person else None)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return None
        if isinstance(started, Declined):  # pragma: no cover - a given consent starts
            return None
        log.info("interview started")  # events only: no ids in the log
        self.person = None
        self.setup = SetupDraft()
        self.interview_started.emit(started.interview_id)
        return started.interview_id

    def decline(self, recorded_how: str = "verbal") -> bool:
        """The person does not agree: the core audits the declined consent and stores nothing
        about the person; a new case's details are discarded. Emits ``declined``."""
        s = self.setup
        case_id = s.case_id
        self.person = None  # whatever happens next, the details typed are gone
        try:
            self.app_vm.workspace.casework.start(
                self.interview_setup(),
                Consent(given=False, language=s.respondent_language or None,
                        recorded_how=recorded_how, at=now_iso()),
                case_id=case_id or None)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        log.info("consent declined; nothing stored about the person")
        self.setup = SetupDraft()
        self.declined.emit(case_id)
        return True
