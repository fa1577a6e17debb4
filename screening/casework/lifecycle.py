"""The interview lifecycle: start (with consent), answer, move, finish, stop, reopen, replay.

One service for both faces: ``fieldscreen interview`` and the desktop app's view-models call
these functions, so a case holds the same records and the same result whichever face made it.

Consent comes first. Until a consent that covers screening is recorded, nothing about the
person is written: the case, the person's details, the interview and the consent are created
in one transaction, the consent before the person. A declined consent writes nothing about
the person at all; the audit trail records that a consent was declined, when, and by which
officer.

Someone who came with the person may be in the room (``companion`` "present"): the interview
then runs in discreet mode (``InterviewSession.discreet``), holding back the sections the
instrument marks sensitive. ``record_companion`` records a change (audited, no names): when
the person is alone, the held-back sections come back at the first held-back item. The mode
is read from the stored context whenever an interview is opened, so a pause, a lock or a
resume keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from screening.casework.consent import Consent
from screening.casework.preferences import Preferences
from screening.casework.referral_details import ReferralUpdate, save_referral_details
from screening.engine.storage import is_answered
from screening.errors import ErrorCode, InputError, StoreError
from screening.store import InterviewContext, InterviewMeta, PersonInfo

if TYPE_CHECKING:  # the engine and the instrument model load with the first interview
    from screening.casework.catalog import InstrumentCatalog
    from screening.casework.replay import ReplayOutcome
    from screening.engine.session import InterviewSession
    from screening.instruments import LoadResult
    from screening.store import Store

log = logging.getLogger(__name__)

COMPANIONS = ("none", "present", "separated")
COMPANION_PRESENT = "present"
COMPANION_AUDIT = "interview.companion"  # detail: {"from": ..., "to": ...}, codes only


def discreet(companion: str) -> bool:
    """Whether sensitive sections are held back for this companion status."""
    return companion == COMPANION_PRESENT


def check_companion(companion: str) -> str:
    if companion not in COMPANIONS:
        raise InputError(f"companion must be one of {', '.join(COMPANIONS)}",
                         code=ErrorCode.BAD_INPUT)
    return companion


@dataclass(frozen=True)
class InterviewSetup:
    """How an interview will be run: the instrument text, languages and the setting."""

    instrument: LoadResult
    respondent_language: str
    officer_language: str | None = None  # default: the instrument's source language
    interpreter_used: bool = False
    interpreter_language: str | None = None
    location: str | None = None
    same_gender_offered: bool = False
    private_setting: bool = False
    companion: str = "none"

    def __post_init__(self) -> None:
        # zh-Hans, zh-CN, pt-BR, EN...: the instrument's own code for the language, so every
        # face (--lang, the app, an answers file) reaches the same wording. Left as given
        # when nothing matches: check() then names the instrument's languages.
        from screening.i18n.tags import match_language

        codes = self.instrument.instrument.languages
        for name in ("respondent_language", "officer_language", "interpreter_language"):
            given = getattr(self, name)
            if given:
                object.__setattr__(self, name, match_language(given, codes) or given)

    def __repr__(self) -> str:  # location may identify a place: keep it out of logs
        ins = self.instrument.instrument
        return f"InterviewSetup({ins.id}@{ins.version}, {self.respondent_language})"

    @property
    def officer(self) -> str:
        return self.officer_language or self.instrument.instrument.source_language

    def check(self) -> None:
        ins = self.instrument.instrument
        for code in (self.respondent_language, self.officer):
            if code not in ins.languages:
                raise InputError(f"instrument '{ins.id}' has no language '{code}' "
                                 f"(it has: {', '.join(ins.languages)})",
                                 code=ErrorCode.BAD_INPUT)
        check_companion(self.companion)


@dataclass(frozen=True)
class Started:
    case_id: str
    interview_id: str
    stored: bool = True


@dataclass(frozen=True)
class CompanionChange:
    """What recording a companion status did."""

    previous: str
    companion: str
    held_back_sections: tuple[str, ...]  # held back now (none unless "present")
    resume_at: str | None  # the first held-back item, when held-back sections came back
    reopened: bool  # a finished interview was reopened so that they can be asked


@dataclass(frozen=True)
class CompanionState:
    """Discreet mode as the officer sees it (``InterviewRun.companion_state``)."""

    companion: str
    held_back_sections: tuple[str, ...]
    held_back_items: int

    @property
    def discreet(self) -> bool:
        return discreet(self.companion)


@dataclass(frozen=True)
class Declined:
    """Consent was declined: nothing about the person was stored."""

    case_id: str | None = None  # only when the interview was for an existing case
    stored: bool = False


def result_document(session: InterviewSession, instrument: LoadResult) -> dict[str, Any]:
    """The one stored result of an interview (both faces store exactly this)."""
    ins = instrument.instrument
    ev = session.evaluation
    held = session.missing_held_back()  # answered while alone earlier: asked, and kept
    asked = [s.key for s in ev.steps() if s.key not in held]
    # Held-back sections are not known to be "not applicable" until they are asked.
    skipped = [s.key for s, relevant in ev.all_steps()
               if not relevant and not session.is_held_back(s.key)]
    answers: dict[str, Any] = {}
    for key in asked:
        record = session.answers.get(key)
        if is_answered(record):
            assert record is not None
            answers[key] = {"special": record.special} if record.special else record.value
    scored = session.result().to_json()
    return {
        "instrument": {"id": ins.id, "version": ins.version,
                       "content_hash": instrument.content_hash},
        "language": session.respondent_language,
        "officer_language": session.officer_language,
        "asked": asked,
        "skipped": skipped,
        "held_back": held,
        "answers": answers,
        **scored,
    }


class InterviewRun:
    """An interview open for answering: the engine session plus the text it runs on."""

    def __init__(self, casework: Casework, interview_id: str, instrument: LoadResult,
                 session: InterviewSession, case_id: str, finished: bool) -> None:
        self._casework = casework
        self.interview_id = interview_id
        self.instrument = instrument
        self.session = session
        self.case_id = case_id
        self.finished = finished

    def __repr__(self) -> str:
        return f"InterviewRun({self.interview_id!r})"

    def replay(self, answers: Mapping[str, Any], *,
               keep_answered: bool = False) -> ReplayOutcome:
        from screening.casework.replay import replay

        return replay(self.session, answers, keep_answered=keep_answered)

    def result(self) -> dict[str, Any]:
        return result_document(self.session, self.instrument)

    def companion_state(self) -> CompanionState:
        session = self.session
        companion = self._casework.companion(self.interview_id)
        return CompanionState(companion, tuple(session.held_back_sections()),
                              len(session.held_back()))

    def record_companion(self, companion: str) -> CompanionChange:
        return self._casework.record_companion(self, companion)

    def finish(self) -> dict[str, Any]:
        return self._casework.finish(self)


class Casework:
    """Cases and interviews over one open store and its instrument catalog."""

    def __init__(self, store: Store, catalog: InstrumentCatalog) -> None:
        self.store = store
        self.catalog = catalog
        self.preferences = Preferences(store.settings)

    # -- starting ------------------------------------------------------------------------
    def start(self, setup: InterviewSetup, consent: Consent, *, case_id: str | None = None,
              person: PersonInfo | None = None, reference: str | None = None,
              referral: ReferralUpdate | None = None) -> Started | Declined:
        """Record the consent decision; when given, create what the interview needs.

        ``case_id`` adds the interview to an existing case; otherwise a case is created
        (with ``reference``, or a generated one) only now, after consent. ``person`` and
        ``referral`` (the referral details and the officer's reason) are stored in the same
        transaction, after the consent; a declined consent stores neither.
        """
        setup.check()
        ins = setup.instrument.instrument
        profile = self.preferences.officer_profile()
        officer = profile.name or None
        if case_id is not None:
            case_id = self.store.cases.resolve(case_id)
        if not consent.given:
            # Nothing about the person: that a consent was declined (the entry's own time),
            # for which instrument, and which officer recorded it.
            self.store.audit.event("consent.declined", case_id=case_id, detail={
                "instrument_id": ins.id, "officer": officer or ""})
            log.info("consent declined; nothing stored")
            return Declined(case_id)
        meta = InterviewMeta(
            instrument_id=ins.id, instrument_version=ins.version,
            content_hash=setup.instrument.content_hash,
            respondent_language=setup.respondent_language, officer_language=setup.officer,
            interpreter_used=setup.interpreter_used,
            interpreter_language=setup.interpreter_language if setup.interpreter_used else None,
            location=setup.location or None, officer=officer,
            agency=profile.agency or None,  # kept with the interview (a packet names it)
        )
        ctx = InterviewContext(
            consent_given=True, consent_scope=consent.scope,
            consent_recorded_how=consent.recorded_how, consent_at=consent.at,
            consent_recipients=consent.recipients,
            consent_language=consent.language or setup.respondent_language,
            confidentiality_explained=consent.confidentiality_explained,
            interpreter_used=setup.interpreter_used,
            interpreter_language=meta.interpreter_language,
            same_gender_offered=setup.same_gender_offered,
            private_setting=setup.private_setting, companion=setup.companion,
        )
        with self.store.atomic("starting an interview"):
            self.catalog.snapshot(setup.instrument)
            if case_id is None:
                case_id = self.store.cases.create(reference)
            interview_id = self.store.interviews.create(case_id, meta)
            self.store.context.save(interview_id, ctx)
            if discreet(setup.companion):
                self.store.audit.event(COMPANION_AUDIT, case_id=case_id,
                                       interview_id=interview_id,
                                       detail={"from": None, "to": setup.companion})
            if person is not None and person_has_data(person):
                existing = self.store.cases.get(case_id).person
                self.store.cases.update_person(case_id, merge_person(existing, person))
            if referral is not None:
                save_referral_details(self.store, case_id, referral)
        log.info("interview started")  # events only: no ids in the log
        return Started(case_id, interview_id)

    def rehearse(self, setup: InterviewSetup, answers: Mapping[str, Any]) -> None:
        """Walk ``answers`` through the interview in memory only; raises the first
        ``AnswerError`` (unknown item, a value or constraint refused, a required item left
        empty). A file of answers is checked this way before anything is stored, so a typo
        never leaves a half-made case behind."""
        from screening.casework.replay import replay
        from screening.engine.session import InterviewSession
        from screening.engine.storage import MemoryAnswerStore

        setup.check()
        loaded = setup.instrument
        # In memory and dropped on return: nothing of it reaches the disk.
        scratch = MemoryAnswerStore(allow_unsafe=True)
        session = InterviewSession(loaded.instrument, loaded.content_hash, scratch, "rehearsal",
                                   respondent_language=setup.respondent_language,
                                   officer_language=setup.officer,
                                   discreet=discreet(setup.companion))
        replay(session, answers)

    def rehearse_more(self, run: InterviewRun, answers: Mapping[str, Any]) -> None:
        """``rehearse`` for answers that continue ``run``: walked in memory over a copy of
        the answers it holds, in its mode; nothing reaches the disk."""
        from screening.casework.replay import replay
        from screening.engine.session import InterviewSession
        from screening.engine.storage import MemoryAnswerStore

        scratch = MemoryAnswerStore(allow_unsafe=True)
        for record in run.session.answers.values():
            scratch.save_answer("rehearsal", record)
        live = run.session
        session = InterviewSession(live.instrument, live.plan.content_hash, scratch,
                                   "rehearsal", respondent_language=live.respondent_language,
                                   officer_language=live.officer_language, plan=live.plan,
                                   discreet=live.discreet)
        replay(session, answers, keep_answered=True)

    # -- running -------------------------------------------------------------------------
    def open(self, interview_id: str) -> InterviewRun:
        """Open an interview to answer, review or resume, on the exact text it was run with."""
        from screening.engine.session import InterviewSession

        interview = self.store.interviews.get(interview_id)
        meta = interview.meta
        loaded = self.catalog.by_hash(meta.instrument_id, meta.content_hash)
        session = InterviewSession(
            loaded.instrument, loaded.content_hash, self.store.interviews, interview_id,
            respondent_language=meta.respondent_language,
            officer_language=meta.officer_language,
            discreet=discreet(self.companion(interview_id)),
        )
        return InterviewRun(self, interview_id, loaded, session, interview.case_id,
                            interview.finished)

    def finish(self, run: InterviewRun) -> dict[str, Any]:
        """Store the result and mark the interview finished; returns the stored result."""
        result = run.result()
        self.store.interviews.finish(run.interview_id, result)
        run.finished = True
        return result

    def reopen(self, interview_id: str) -> None:
        self.store.interviews.reopen(interview_id)

    def _update_context(self, interview_id: str, **changes: Any) -> None:
        ctx = self.store.context.get(interview_id)
        if ctx is None:
            raise StoreError("the interview has no consent record", code=ErrorCode.INTERVIEW_STATE,
                             interview_id=interview_id)
        self.store.context.save(interview_id, replace(ctx, **changes))

    def companion(self, interview_id: str) -> str:
        """The interview's companion status as stored ("none" without a context record)."""
        ctx = self.store.context.get(interview_id)
        return ctx.companion if ctx is not None else "none"

    def record_companion(self, run: InterviewRun, companion: str) -> CompanionChange:
        """Someone who came with the person came in or left (audited: the two statuses, no
        names). Leaving discreet mode, held-back sections come back at the first held-back
        item, and a finished interview that still lacks them is reopened."""
        check_companion(companion)
        session = run.session
        previous = self.companion(run.interview_id)
        resume_at: str | None = None
        reopened = False
        if previous != companion:
            waiting = bool(session.missing_held_back())
            mode = session.discreet
            try:
                with self.store.atomic("recording who is in the room"):
                    if run.finished and waiting and not discreet(companion):
                        self.store.interviews.reopen(run.interview_id)
                        reopened = True
                    self._update_context(run.interview_id, companion=companion)
                    self.store.audit.event(COMPANION_AUDIT, case_id=run.case_id,
                                           interview_id=run.interview_id,
                                           detail={"from": previous, "to": companion})
                    step = session.set_discreet(discreet(companion))
            except BaseException:
                session.discreet = mode  # nothing was stored: as it was
                session.reload_position()
                raise
            if reopened:
                run.finished = False
            if mode and not session.discreet and step is not None and waiting:
                resume_at = step.key
            # Not logged: even a bare event time says when the person was alone (the
            # encrypted audit trail has it).
        return CompanionChange(previous, companion, tuple(session.held_back_sections()),
                               resume_at, reopened)

    def record_break(self, interview_id: str) -> None:
        ctx = self.store.context.get(interview_id)
        self._update_context(interview_id, breaks=(ctx.breaks if ctx else 0) + 1)

    def stop(self, interview_id: str, reason: str | None) -> None:
        """The interview was stopped early (the person's wish, safety, ...): kept, resumable."""
        self._update_context(interview_id, stopped_early=True, stopped_reason=reason or None)


def merge_person(existing: PersonInfo | None, given: PersonInfo) -> PersonInfo:
    """Details given for an existing case add to (or correct) what is stored; a field left
    out keeps its stored value. Aliases are added, never dropped."""
    if existing is None:
        return given
    aliases = tuple(dict.fromkeys((*existing.aliases, *given.aliases)))
    languages = tuple(dict.fromkeys((*existing.languages, *given.languages)))
    return PersonInfo(
        name=given.name or existing.name,
        aliases=aliases,
        date_of_birth=given.date_of_birth or existing.date_of_birth,
        gender=given.gender or existing.gender,
        nationality=given.nationality or existing.nationality,
        languages=languages,
        contact=given.contact or existing.contact,
        notes=given.notes or existing.notes,
    )


def person_has_data(person: PersonInfo) -> bool:
    return any((person.name, person.date_of_birth, person.gender, person.nationality,
                person.contact, person.notes, person.aliases, person.languages))


__all__ = [
    "COMPANIONS",
    "Casework",
    "CompanionChange",
    "CompanionState",
    "Declined",
    "InterviewRun",
    "InterviewSetup",
    "Started",
    "check_companion",
    "discreet",
    "merge_person",
    "person_has_data",
    "result_document",
]
