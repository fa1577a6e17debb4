"""One interview in progress, for the interview and review screens.

The core opens, answers, stops and finishes it (``screening.casework.lifecycle``: the same
service ``fieldscreen interview`` uses); this view-model turns its session into snapshots.

Widgets receive ``StepView``/``FlagView`` snapshots (frozen, values hidden from ``repr``) and
call slots with plain values; every answer is saved by the engine before ``answer_saved``
fires. Signals carry item keys, never answers.

Words the *person* reads (the respondent view, the special answers, "Child 2 of 3") are
translated into the respondent's language with a translator of its own
(``in_respondent_language``), whatever the officer's UI language is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.qt_i18n import N_, _, ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.catalog import language_status
from app.viewmodels.review import (
    SPECIAL_TEXT,
    ResultView,
    ReviewRow,
    build_result,
    build_review,
    where_words,
)
from screening.engine.dates import item_calendar
from screening.errors import AnswerError, ErrorCode, ScreeningError
from screening.i18n import Translator

if TYPE_CHECKING:  # the engine loads when the first interview opens, not at start-up
    from screening.engine.state import Step
    from screening.instruments import ItemType

log = logging.getLogger(__name__)

# Shown to the person (in their language) while the officer answers an item of their own.
PLEASE_WAIT = N_("Please wait a moment")


def invalid_message(kind: ItemType) -> str:
    """A translated hint for an answer the engine refused for its form (not a constraint)."""
    from screening.instruments import ItemType

    if kind is ItemType.INTEGER:
        return _("Enter a whole number.")
    if kind is ItemType.DECIMAL:
        return _("Enter a number.")
    if kind is ItemType.DATE:
        return _("Enter a date as YYYY-MM-DD, YYYY-MM or YYYY.")
    if kind is ItemType.TIME:
        return _("Enter a time as HH:MM.")
    if kind is ItemType.DATETIME:
        return _("Enter a date and time as YYYY-MM-DD HH:MM.")
    return _("This answer cannot be saved in this form. Correct it or choose another answer.")


@dataclass(frozen=True)
class ChoiceView:
    name: str
    respondent: str
    officer: str


@dataclass(frozen=True)
class SectionView:
    name: str
    title: str
    index: int  # 1-based among the sections asked
    count: int


@dataclass(frozen=True)
class FlagView:
    name: str
    kind: str
    label: str
    message: str


@dataclass(frozen=True)
class StepView:
    """Everything the interview screen shows for one item."""

    key: str
    kind: str  # an ItemType value
    section: SectionView
    position: int  # 1-based among the items asked
    total: int
    respondent_language: str
    officer_language: str
    respondent_text: str
    officer_text: str
    respondent_hint: str
    officer_hint: str
    guidance: str
    observation: bool
    required: bool
    answerable: bool
    multiline: bool
    entry: int | None  # repeat entry number (of the innermost repeat)
    choices: tuple[ChoiceView, ...]
    specials: tuple[str, ...]
    value: Any = field(repr=False, default=None)
    special: str | None = None
    note: str | None = field(repr=False, default=None)
    entry_total: int | None = None  # entries of the repeat ``entry`` belongs to
    # Where the item is, in the respondent's language: "Child 2 of 3"; in nested repeats
    # "Household 1 of 2 · Person 2 of 3"; in a ``begin loop``, the choice's label ("Cow").
    entry_respondent: str = ""
    entry_officer: str = ""  # the same in the officer's language (UI wording)
    respondent_specials: tuple[str, ...] = ()  # ``specials`` in the respondent's language
    respondent_wait: str = ""  # "Please wait a moment" in the respondent's language
    calendar: str | None = None  # a date item's calendar when not Gregorian (issue #14)

    @property
    def officer_only(self) -> bool:
        """Nothing here is for the person to read: an observation, or a question the
        officer answers ("how many entries?")."""
        return self.observation or not self.respondent_text


class InterviewViewModel(QObject):
    """Emits:
    step_changed(str): the key of the item now shown; "" when every item was walked.
    answer_saved(str): the item key whose answer is durable on disk.
    answer_rejected(str, str): item key and the translated reason shown under it.
    flags_changed(): the urgent flags changed (read ``flags()``).
    failed(str): an error code for a dialog (store trouble, never a validation problem).
    finished(str): the interview id, after the result was stored.
    """

    step_changed = Signal(str)
    answer_saved = Signal(str)
    answer_rejected = Signal(str, str)
    flags_changed = Signal()
    failed = Signal(str)
    finished = Signal(str)

    def __init__(self, app_vm: AppViewModel, interview_id: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        store = app_vm.require_store()
        self.app_vm = app_vm
        self.interview_id = interview_id
        # The core opens the interview on the exact text it was run with (the store's
        # snapshot), so an instrument removed or upgraded since still shows as it was asked.
        self.run = app_vm.workspace.casework.open(interview_id)
        self.case_id = self.run.case_id
        self.case_reference = store.cases.get(self.case_id).reference
        self.already_finished = self.run.finished
        self.instrument = self.run.instrument.instrument
        self.session = self.run.session
        self.respondent_language = self.session.respondent_language
        self.officer_language = self.session.officer_language
        self.title = self.instrument.text(self.instrument.title, self.officer_language)
        # How the wording the person hears was written, from the text it is asked in (a
        # reviewed translation names its reviewer and date; issue #16).
        self.language_status = (
            language_status(self.instrument, self.respondent_language)
            if self.respondent_language in self.instrument.languages else None)
        self._respondent_tr = Translator(self.respondent_language)
        # Changes made after the review was first shown: key -> "edited" / "now_asked" /
        # "no_longer_asked" (the review marks them).
        self.changes: dict[str, str] = {}
        self.reviewing = False
        self._flags: tuple[FlagView, ...] = self._compute_flags()
        log.info("interview opened")  # events only: no ids in the log

    def __repr__(self) -> str:
        return f"InterviewViewModel(interview_id={self.interview_id!r})"

    # -- reading ------------------------------------------------------------------------
    def current_key(self) -> str:
        step = self.session.current()
        return step.key if step else ""

    def current_view(self) -> StepView | None:
        step = self.session.current()
        return self.view(step) if step else None

    def view(self, step: Step) -> StepView:
        ins, r_lang, o_lang = self.instrument, self.respondent_language, self.officer_language
        item = step.node.item
        steps = self.session.steps()
        keys = [s.key for s in steps]
        sections = self.sections()
        sec = next((s for s in sections if s.name == step.node.section.name),
                   SectionView(step.node.section.name,
                               ins.text(step.node.section.title, o_lang), 1, 1))
        record = self.session.answers.get(step.key)
        ev = self.session.evaluation
        counts = step.node.asks_count  # "how many entries?" of an open repeat
        entry, total, entry_r, entry_o = self._entry(step)
        specials = tuple(ins.specials_for(item))
        return StepView(
            key=step.key,
            kind="integer" if counts else item.type.value,
            section=sec,
            position=keys.index(step.key) + 1 if step.key in keys else 0,
            total=len(keys),
            respondent_language=r_lang,
            officer_language=o_lang,
            respondent_text=("" if item.is_observation or counts
                             else ins.text(item.text, r_lang)),
            officer_text=(_("How many entries? {label}").format(label=ins.text(item.text, o_lang))
                          if counts else ins.text(item.text, o_lang)),
            respondent_hint=("" if item.is_observation or counts
                             else ins.text(item.hint, r_lang)),
            officer_hint=ins.text(item.hint, o_lang),
            guidance=ins.text(item.guidance, o_lang),
            observation=item.is_observation,
            required=item.is_answerable and ev.is_required(step),
            answerable=item.is_answerable or counts,
            multiline=bool(item.appearance and "multiline" in item.appearance),
            entry=entry,
            choices=tuple(ChoiceView(c.name, ins.text(c.label, r_lang), ins.text(c.label, o_lang))
                          for c in ev.choices(step)),  # a choice filter applied
            specials=specials,
            value=record.value if record else None,
            special=record.special if record else None,
            note=record.note if record else None,
            entry_total=total,
            entry_respondent=entry_r,
            entry_officer=entry_o,
            respondent_specials=tuple(self.special_for_respondent(s) for s in specials),
            respondent_wait=self.in_respondent_language(PLEASE_WAIT),
            calendar=None if counts else item_calendar(item.appearance),
        )

    def _entry(self, step: Step) -> tuple[int | None, int | None, str, str]:
        """Entry number and entries in all (innermost repeat), and where the item is in both
        languages: "Household 1 of 2 · Person 2 of 3" (the repeats' own labels), a loop's
        choice label."""
        session = self.session
        respondent = where_words(session, step, self.respondent_language,
                                 self.in_respondent_language)
        officer = where_words(session, step, self.officer_language, _, ui_language().lang)
        instance = step.instance
        if instance is None:
            return None, None, respondent, officer
        from screening.engine.state import truncate

        total = session.evaluation.repeat_count(instance.repeat,
                                                truncate(instance, instance.depth - 1))
        return instance.index, total, respondent, officer

    def in_respondent_language(self, message: str) -> str:
        """One of the app's own sentences, in the respondent's language (English where no
        catalog has it)."""
        return self._respondent_tr.gettext(message)

    def special_for_respondent(self, special: str) -> str:
        """"Prefer not to answer" / "Don't know" in the respondent's language."""
        return self.in_respondent_language(SPECIAL_TEXT.get(special, SPECIAL_TEXT["refused"]))

    def sections(self) -> list[SectionView]:
        asked: list[str] = []
        for step in self.session.steps():
            name = step.node.section.name
            if name not in asked:
                asked.append(name)
        by_name = {s.name: s for s in self.instrument.sections}
        return [SectionView(name, self.instrument.text(by_name[name].title, self.officer_language),
                            i + 1, len(asked)) for i, name in enumerate(asked)]

    def flags(self) -> tuple[FlagView, ...]:
        return self._flags

    def _compute_flags(self) -> tuple[FlagView, ...]:
        result = self.session.result()
        return tuple(FlagView(f.name, f.kind, f.label, f.message) for f in result.flags)

    # -- answering ----------------------------------------------------------------------
    def answer(self, key: str, value: Any, special: str | None = None) -> bool:
        """Validate and save; True when saved. Refusals come back as ``answer_rejected``."""
        try:
            change = self.session.answer(key, value, special=special)
        except AnswerError as exc:
            self.answer_rejected.emit(key, self._reason(key, exc))
            return False
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        if self.reviewing:
            self.changes[change.key] = "edited"
            for k in change.became_relevant:
                self.changes[k] = "now_asked"
            for k in change.became_irrelevant:
                self.changes[k] = "no_longer_asked"
        self.answer_saved.emit(key)
        flags = self._compute_flags()
        if flags != self._flags:
            self._flags = flags
            self.flags_changed.emit()
        return True

    def _reason(self, key: str, exc: AnswerError) -> str:
        """The instrument's own wording for the refusal, else ours, chosen by code."""
        if exc.instrument_message:
            return exc.instrument_message
        if exc.code is ErrorCode.ANSWER_CONSTRAINT:
            return _("This value is not allowed here.")
        if exc.code is ErrorCode.ANSWER_REQUIRED:
            return _("This question needs an answer.")
        from screening.instruments import ItemType

        try:
            kind = self.session.step(key).node.item.type
        except ScreeningError:
            kind = ItemType.TEXT
        return invalid_message(kind)

    def set_note(self, key: str, note: str) -> bool:
        try:
            self.session.set_note(key, note or None)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        self.answer_saved.emit(key)
        return True

    def check_required(self, key: str) -> bool:
        """False (and ``answer_rejected``) when ``key`` is required and has no answer yet
        (the core decides what counts as an answer)."""
        try:
            error = self.session.required_error(key)
        except ScreeningError:
            return True
        if error is None:
            return True
        self.answer_rejected.emit(key, self._reason(key, error))
        return False

    # -- moving -------------------------------------------------------------------------
    def _moved(self, step: Step | None) -> None:
        self.step_changed.emit(step.key if step else "")

    def _guard(self, fn: Any, *args: Any) -> None:
        try:
            step = fn(*args)
        except AnswerError as exc:
            self.answer_rejected.emit(self.current_key(), self._reason(self.current_key(), exc))
            return
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return
        self._moved(step)

    def next(self) -> None:
        self._guard(self.session.next)

    def back(self) -> None:
        self._guard(self.session.back)

    def jump(self, key: str) -> None:
        self._guard(self.session.jump, key)

    def jump_section(self, name: str) -> None:
        self._guard(self.session.jump_section, name)

    # -- context: pauses and stopping ------------------------------------------------------
    def record_break(self) -> None:
        try:
            self.app_vm.workspace.casework.record_break(self.interview_id)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))

    def stop_early(self, reason: str | None) -> None:
        try:
            self.app_vm.workspace.casework.stop(self.interview_id, reason or None)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))

    # -- review and finish ------------------------------------------------------------------
    def begin_review(self) -> None:
        """From now on, answers changed are marked as changes in the review."""
        self.reviewing = True

    def review_rows(self) -> list[ReviewRow]:
        return build_review(self.session, self.changes)

    def result_view(self) -> ResultView:
        return build_result(self.session)

    def finish(self) -> bool:
        """Store the result through the core: the same document ``fieldscreen interview``
        stores."""
        try:
            self.app_vm.require_store()
            self.app_vm.workspace.casework.finish(self.run)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return False
        self.already_finished = True
        log.info("interview finished")
        self.finished.emit(self.interview_id)
        return True
