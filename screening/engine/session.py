"""One interview in progress: next item, answers, back/next/jump, result.

The session holds no I/O of its own: every answer goes to the ``AnswerStore`` it was given,
and is durable when ``answer()`` returns. Resuming is constructing a session for the same
interview id: answers and position come back from the store.

Discreet mode (issue #14): while someone who came with the person is in the room, the items
the instrument marks ``sensitive`` are *held back*: not shown, not asked, not answerable, not
"skipped" and not "refused". The result says the screening is incomplete because of them.
Leaving the mode, the interview goes on at the first item that was held back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from screening.engine.answers import normalise_answer
from screening.engine.plan import Plan
from screening.engine.scoring import ScreeningResult, score
from screening.engine.state import (
    MAX_REPEATS,
    Evaluation,
    Step,
    answer_value,
    fits,
    make_key,
    split_key,
)
from screening.engine.storage import SPECIALS, AnswerRecord, AnswerStore, is_answered
from screening.errors import AnswerError, ErrorCode, ExpressionError
from screening.expr import truthy
from screening.expr.values import is_empty, stored_text
from screening.instruments.model import Choice, Instrument, ItemType

log = logging.getLogger(__name__)


_HELD_BACK = ("held back while someone who came with the person is present; record that "
              "the person is alone to ask it")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _awaits_answer(step: Step, answers: Mapping[str, AnswerRecord]) -> bool:
    node = step.node
    return (node.item.is_answerable or node.asks_count) and not is_answered(answers.get(step.key))


def waiting_held_back(ev: Evaluation, answers: Mapping[str, AnswerRecord]) -> list[str]:
    """Sensitive items that would be asked now and still wait for an answer: what a result
    lacks while a companion is present (the session and the referral packet both ask this)."""
    return [s.key for s in ev.steps() if s.node.sensitive and _awaits_answer(s, answers)]


@dataclass(frozen=True)
class AnswerChange:
    """What one answer changed: items whose relevance flipped (kept, marked, not scored)."""

    key: str
    became_irrelevant: list[str] = field(default_factory=list)
    became_relevant: list[str] = field(default_factory=list)


class InterviewSession:
    def __init__(
        self,
        instrument: Instrument,
        content_hash: str,
        store: AnswerStore,
        interview_id: str,
        *,
        respondent_language: str,
        officer_language: str,
        clock: Callable[[], dt.datetime] = utc_now,
        plan: Plan | None = None,
        discreet: bool = False,
    ) -> None:
        for lang in (respondent_language, officer_language):
            if lang not in instrument.languages:
                raise AnswerError(
                    "-", f"instrument '{instrument.id}' has no language '{lang}' "
                    f"(it has: {', '.join(instrument.languages)})", code=ErrorCode.BAD_INPUT)
        self.instrument = instrument
        self.plan = plan or Plan.build(instrument, content_hash)
        self.store = store
        self.interview_id = interview_id
        self.respondent_language = respondent_language
        self.officer_language = officer_language
        self.clock = clock
        self.answers: dict[str, AnswerRecord] = store.load_answers(interview_id)
        self._position: str | None = store.load_position(interview_id)
        self._ev: Evaluation | None = None
        self.discreet = discreet  # a companion is present: sensitive items are held back

    def __repr__(self) -> str:
        return f"InterviewSession(interview_id={self.interview_id!r})"

    # -- state ---------------------------------------------------------------------------
    @property
    def evaluation(self) -> Evaluation:
        if self._ev is None:
            self._ev = Evaluation(self.plan, self.answers, now=self.clock(),
                                  language=self.officer_language)
        return self._ev

    def _invalidate(self) -> None:
        self._ev = None

    def steps(self) -> list[Step]:
        """Relevant presentable items in the order they are asked (in discreet mode, without
        the held-back ones)."""
        steps = self.evaluation.steps()
        if self.discreet:
            return [s for s in steps if not s.node.sensitive]
        return steps

    def step(self, key: str) -> Step:
        for step in self.steps():
            if step.key == key:
                return step
        name, _ = split_key(key)
        if name not in self.plan.nodes:
            raise AnswerError(name, "no such item in this instrument",
                              code=ErrorCode.ANSWER_UNKNOWN_ITEM)
        if self.is_held_back(key):
            raise AnswerError(name, _HELD_BACK, code=ErrorCode.ANSWER_NOT_RELEVANT)
        raise AnswerError(name, "this item is not asked, given the answers so far",
                          code=ErrorCode.ANSWER_NOT_RELEVANT)

    # -- discreet mode (issue #14) -------------------------------------------------------
    def is_held_back(self, key: str) -> bool:
        """True for an item kept off the screen because a companion is present."""
        node = self.plan.nodes.get(split_key(key)[0])
        return self.discreet and node is not None and node.sensitive

    def held_back(self) -> list[Step]:
        """The items that would be asked now but are held back (none outside discreet mode)."""
        if not self.discreet:
            return []
        return [s for s in self.evaluation.steps() if s.node.sensitive]

    def held_back_sections(self) -> list[str]:
        """The sections (names, in order) with items held back."""
        return list(dict.fromkeys(s.node.section.name for s in self.held_back()))

    def missing_held_back(self) -> list[str]:
        """Held-back items still waiting for an answer: what the result lacks."""
        if not self.discreet:
            return []
        return waiting_held_back(self.evaluation, self.answers)

    def set_discreet(self, on: bool) -> Step | None:
        """Enter or leave discreet mode. Leaving it, the interview goes on at the first
        held-back item still without an answer (the position is saved). Returns the item to
        show."""
        if on == self.discreet:
            return self.current()
        first: Step | None = None
        if not on:
            missing = set(self.missing_held_back())
            first = next((s for s in self.held_back() if s.key in missing), None)
        self.discreet = on
        if first is None:
            return self.current()
        try:
            return self._move(first.key)
        except BaseException:
            self.discreet = not on
            self.reload_position()
            raise

    def is_relevant(self, key: str) -> bool:
        name, instance = split_key(key)
        if name not in self.plan.nodes:
            return False
        return self.evaluation.is_relevant(name, instance)

    # -- navigation ----------------------------------------------------------------------
    def current(self) -> Step | None:
        """The item to show: the saved position if still relevant, else the next one."""
        steps = self.steps()
        if not steps:
            return None
        if self._position is None:
            return steps[0]
        keys = [s.key for s in steps]
        if self._position in keys:
            return steps[keys.index(self._position)]
        if self._position == "__end__":
            return None
        # The saved item became irrelevant: continue with the next relevant one after it.
        order = [s.key for s, _ in self.evaluation.all_steps()]
        if self._position in order:
            after = order[order.index(self._position) + 1:]
            for key in after:
                if key in keys:
                    return steps[keys.index(key)]
        return None

    def reload_position(self) -> None:
        """Read the saved position again (after a transaction that moved it rolled back)."""
        self._position = self.store.load_position(self.interview_id)

    def _move(self, key: str | None) -> Step | None:
        self._position = key
        self.store.save_position(self.interview_id, key)
        return self.current()

    def next(self) -> Step | None:
        steps = self.steps()
        current = self.current()
        if current is None:
            return None
        index = [s.key for s in steps].index(current.key)
        if index + 1 < len(steps):
            return self._move(steps[index + 1].key)
        self._move("__end__")
        return None

    def back(self) -> Step | None:
        steps = self.steps()
        current = self.current()
        if current is None:
            return self._move(steps[-1].key) if steps else None
        index = [s.key for s in steps].index(current.key)
        return self._move(steps[max(0, index - 1)].key)

    def jump(self, key: str) -> Step | None:
        return self._move(self.step(key).key)

    def jump_section(self, section: str) -> Step | None:
        for step in self.steps():
            if step.node.section.name == section:
                return self._move(step.key)
        raise AnswerError(section, "no item of this section is asked, given the answers so far",
                          code=ErrorCode.ANSWER_NOT_RELEVANT)

    @property
    def finished_walk(self) -> bool:
        return self.current() is None

    # -- answering -----------------------------------------------------------------------
    def answer(self, key: str, value: Any = None, *, special: str | None = None,
               note: str | None = None) -> AnswerChange:
        """Validate and store one answer; durable when this returns."""
        step = self.step(key)
        item = step.node.item
        if step.node.asks_count and special is None:
            return self.set_repeat_count(step.key, value)
        if not item.is_answerable:
            raise AnswerError(item.name, f"{item.type.value} items take no answer",
                              code=ErrorCode.ANSWER_INVALID)
        if special is not None:
            if special not in SPECIALS:
                raise AnswerError(item.name, f"unknown special answer '{special}' "
                                  "(use 'refused' or 'dont_know')")
            allowed = self.instrument.specials_for(item)
            if special not in allowed:
                raise AnswerError(item.name, f"'{special}' is not allowed for this item "
                                  f"(allowed: {', '.join(allowed) or 'none'})")
            stored: Any = None
        else:
            offered = ([c.name for c in self.evaluation.choices(step)]
                       if step.node.choice_filter is not None else None)
            try:
                stored = normalise_answer(self.instrument, item, value, offered)
            except AnswerError as exc:  # name the entry too: hh[1].person[2].age, not age
                raise AnswerError(step.key, exc.message, code=exc.code,
                                  instrument_message=exc.instrument_message) from None
            self._check_constraint(step, stored)
        record = AnswerRecord(
            item=step.key,
            value=stored,
            special=special,
            # Observation items are never read aloud: the officer answers in their language.
            language=self.officer_language if item.is_observation else self.respondent_language,
            answered_at=self.clock().isoformat(timespec="seconds"),
            note=note if note is not None else getattr(self.answers.get(step.key), "note", None),
        )
        return self._commit(record)

    def choices(self, key: str) -> list[Choice]:
        """The choices to offer for an item now (a cascading select's choice filter applied)."""
        return self.evaluation.choices(self.step(key))

    def set_note(self, key: str, note: str | None) -> None:
        """Attach the officer's note to an item (kept with the answer, in its history)."""
        step = self.step(key)
        old = self.answers.get(step.key)
        record = AnswerRecord(
            item=step.key,
            value=old.value if old else None,
            special=old.special if old else None,
            language=old.language if old else self.respondent_language,
            answered_at=old.answered_at if old else self.clock().isoformat(timespec="seconds"),
            relevant=True,
            note=note,
        )
        self._commit(record)

    def set_repeat_count(self, repeat: str, count: int) -> AnswerChange:
        """For repeats without ``repeat_count``: how many entries the person described.
        ``repeat`` is the repeat's key: its name, or inside an entry of the repeat around
        it ``hh[1].person`` (each household has its own number of people)."""
        name, instance = split_key(repeat)
        node = self.plan.nodes.get(name)
        if node is None or node.item.type is not ItemType.REPEAT:
            raise AnswerError(name, "not a repeat", code=ErrorCode.ANSWER_UNKNOWN_ITEM)
        if not fits(node, instance):
            inside = node.repeats[-1] if node.repeats else ""
            raise AnswerError(name, f"this repeat is inside the repeat '{inside}': give the "
                              f"entry, e.g. {inside}[1].{name}" if inside else
                              "this repeat is not inside another repeat",
                              code=ErrorCode.ANSWER_UNKNOWN_ITEM)
        if self.is_held_back(repeat):
            raise AnswerError(name, _HELD_BACK, code=ErrorCode.ANSWER_NOT_RELEVANT)
        if node.repeat_count is not None:
            raise AnswerError(name, "this repeat's size is computed, not answered")
        if instance is not None and not self.is_relevant(repeat):
            raise AnswerError(name, "this entry is not asked, given the answers so far",
                              code=ErrorCode.ANSWER_NOT_RELEVANT)
        value = normalise_answer(self.instrument, node.item, count)
        if not 0 <= value <= MAX_REPEATS:
            raise AnswerError(name, f"the number of entries must be 0 to {MAX_REPEATS}",
                              code=ErrorCode.ANSWER_CONSTRAINT)
        record = AnswerRecord(item=make_key(name, instance), value=value, special=None,
                              language=self.officer_language,
                              answered_at=self.clock().isoformat(timespec="seconds"))
        return self._commit(record)

    def _check_constraint(self, step: Step, stored: Any) -> None:
        node = step.node
        if node.constraint is None:
            return
        # Evaluate against the answers as they would be with this answer in place.
        probe = dict(self.answers)
        probe[step.key] = AnswerRecord(step.key, stored, None, self.respondent_language, "")
        ev = Evaluation(self.plan, probe, now=self.clock(), language=self.officer_language)
        current = answer_value(node, probe[step.key])
        try:
            ok = truthy(ev.eval(node.constraint, step.instance, current=current))
        except ExpressionError as exc:
            raise AnswerError(step.key, f"the constraint could not be checked: {exc.message}",
                              code=ErrorCode.ANSWER_CONSTRAINT) from None
        if not ok:
            message = self.instrument.text(node.item.constraint_message, self.officer_language)
            raise AnswerError(step.key, message or "this value is not allowed here",
                              code=ErrorCode.ANSWER_CONSTRAINT,
                              instrument_message=message or None)

    def _keep_once(self) -> None:
        """Store the first non-empty value of each once() calculation (JavaRosa keeps it in
        the form's instance), so later evaluations read it back as ``.``."""
        if not self.plan.once_items:
            return  # most forms: nothing to keep, no work per answer
        ev = self.evaluation
        for name in self.plan.once_items:
            for instance in ev.entries(self.plan.nodes[name].repeats):
                key = make_key(name, instance)
                if key in self.answers or not ev.is_relevant(name, instance):
                    continue
                try:
                    value = ev.scalar(name, instance)
                except ExpressionError:
                    continue  # reported where the value is used
                if is_empty(value) or isinstance(value, list):
                    continue
                kept = AnswerRecord(item=key, value=stored_text(value), special=None,
                                    language=self.officer_language,
                                    answered_at=self.clock().isoformat(timespec="seconds"))
                self.store.save_answer(self.interview_id, kept)
                self.answers[key] = kept
                self._invalidate()
                ev = self.evaluation

    def _commit(self, record: AnswerRecord) -> AnswerChange:
        # Collect fixes once() values when the form opens: keep them as they stood before
        # this answer, then any this answer makes non-empty.
        self._keep_once()
        before = {k: self.is_relevant(k) for k in self.answers}
        self.store.save_answer(self.interview_id, record)
        self.answers[record.item] = record
        self._invalidate()
        after = {k: self.is_relevant(k) for k in self.answers}
        changes = {k: after[k] for k in after if k != record.item and before.get(k) != after[k]}
        # Also repairs a stored flag left stale by an earlier crash between the two writes.
        flips = {
            k: v for k, v in after.items() if k != record.item and self.answers[k].relevant != v
        }
        if flips:
            self.store.set_relevance(self.interview_id, flips)
            for k, v in flips.items():
                self.answers[k] = self.answers[k].with_relevance(v)
        self._keep_once()
        log.debug("answer saved")  # events only: no interview id, no item
        return AnswerChange(
            key=record.item,
            became_irrelevant=sorted(k for k, v in changes.items() if not v),
            became_relevant=sorted(k for k, v in changes.items() if v),
        )

    # -- checks and result ---------------------------------------------------------------
    def missing_required(self) -> list[str]:
        ev = self.evaluation
        missing = []
        for step in self.steps():  # a held-back item is not missing: it waits
            if not step.node.item.is_answerable:
                continue
            if not is_answered(self.answers.get(step.key)) and ev.is_required(step):
                missing.append(step.key)
        return missing

    def result(self) -> ScreeningResult:
        return score(self.evaluation, self.respondent_language, self.officer_language,
                     held_back=self.missing_held_back())

    def required_message(self, key: str) -> str:
        return self.instrument_required_message(key) or "an answer is required"

    def instrument_required_message(self, key: str) -> str | None:
        """The instrument's own "required" wording for ``key``, or None if it has none."""
        item = self.plan.nodes[split_key(key)[0]].item
        return self.instrument.text(item.required_message, self.officer_language) or None

    def required_error(self, key: str) -> AnswerError | None:
        """The error for a required item left unanswered, or None when it is fine."""
        step = self.step(key)
        if not step.node.item.is_answerable or step.node.asks_count:
            return None
        if is_answered(self.answers.get(step.key)) or not self.evaluation.is_required(step):
            return None
        return AnswerError(step.key, self.required_message(key), code=ErrorCode.ANSWER_REQUIRED,
                           instrument_message=self.instrument_required_message(key))


__all__ = ["AnswerChange", "InterviewSession", "make_key", "utc_now"]
