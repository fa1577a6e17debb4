"""Answering a whole interview from a mapping of answers, as an officer would, item by item.

This is how ``fieldscreen interview --answers FILE`` runs, and what a test uses to run the
same answers through the GUI's view-model: present the next item, answer it from the
mapping, move on; every answer is saved (and durable) as it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from screening.engine.dates import INPUT_KEYS
from screening.engine.session import InterviewSession
from screening.engine.state import Instance, split_key
from screening.engine.storage import is_answered
from screening.errors import AnswerError, ErrorCode
from screening.instruments.model import ItemType

DATE_ONLY_KEYS = INPUT_KEYS - {"value"}


@dataclass
class Given:
    """One answer from the file, unpacked."""

    value: Any = None
    special: str | None = None
    note: str | None = None


def unpack_answer(name: str, raw: Any) -> Given:
    """A value, ``{"special": ...}`` or ``{"value": ..., "note": ...}``. A date with its
    precision or calendar (``{"value": "2025-02", "precision": "month"}``, ``{"given":
    "1403-11-26", "calendar": "persian"}``) is itself the value, a note beside it."""
    if isinstance(raw, dict) and "special" not in raw and set(raw) & DATE_ONLY_KEYS:
        date = {k: v for k, v in raw.items() if k != "note"}
        return unpack_answer(name, {"value": date, "note": raw.get("note")}
                             if "note" in raw else {"value": date})
    if isinstance(raw, dict):
        unknown = set(raw) - {"special", "value", "note"}
        if unknown:
            raise AnswerError(name, f"unknown key(s) {sorted(unknown)} in the answer "
                              '(use a value, or {"special": "refused"|"dont_know"})')
        note = raw.get("note")
        if note is not None and not isinstance(note, str):
            raise AnswerError(name, "note must be text")
        return Given(raw.get("value"), raw.get("special"), note)
    return Given(raw)


@dataclass
class ReplayOutcome:
    """What the walk did: items presented in order, answers given for items not asked."""

    asked: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _scope(answers: Mapping[str, Any], instance: Instance) -> Mapping[str, Any] | None:
    """The answers of one entry (``hh[1].person[2]``: the 2nd object in the 1st
    household's "person" list), or None when the file has no such entry."""
    scope: Mapping[str, Any] = answers
    for repeat, index in instance.path if instance else ():
        entries = scope.get(repeat)
        if not isinstance(entries, list) or not 1 <= index <= len(entries):
            return None
        entry = entries[index - 1]
        if not isinstance(entry, dict):
            raise AnswerError(repeat, f"entry {index} must be an object of answers")
        scope = entry
    return scope


def _lookup(answers: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    name, instance = split_key(key)
    scope = _scope(answers, instance)
    if scope is None:
        return False, None
    return (name in scope, scope.get(name))


def _check_names(session: InterviewSession, answers: Mapping[str, Any],
                 repeat: str | None = None) -> None:
    """Every name is an item of the form at its level: top-level items at the top, a
    repeat's items (an inner repeat among them, with its own list) in its entries."""
    plan = session.plan
    for name, raw in answers.items():
        node = plan.nodes.get(name)
        if node is None:
            raise AnswerError(name, "no such item in this instrument",
                              code=ErrorCode.ANSWER_UNKNOWN_ITEM)
        if node.repeat != repeat:
            if node.repeat is None:
                raise AnswerError(name, f"not an item of the repeat '{repeat}'",
                                  code=ErrorCode.ANSWER_UNKNOWN_ITEM)
            raise AnswerError(name, f"this item belongs to the repeat '{node.repeat}': give it "
                              f'inside "{node.repeat}": [{{...}}, ...]',
                              code=ErrorCode.ANSWER_UNKNOWN_ITEM if repeat else None)
        if node.item.type is ItemType.REPEAT:
            if not isinstance(raw, list):
                raise AnswerError(name, "a repeat takes a list of entries")
            for entry in raw:
                if isinstance(entry, dict):
                    _check_names(session, entry, name)


def replay(session: InterviewSession, answers: Mapping[str, Any], *,
           keep_answered: bool = False) -> ReplayOutcome:
    """Present items in order, answering each from ``answers``; raises ``AnswerError`` at the
    first answer refused (everything saved before it stays saved).

    Answers for items held back (a companion is present) are not asked: they are listed in
    ``ignored``. ``keep_answered``: continuing an interview, an item already answered and
    not in ``answers`` keeps its answer (no default written over it)."""
    _check_names(session, answers)
    plan = session.plan
    for name, raw in answers.items():
        node = plan.nodes[name]
        if node.item.type is ItemType.REPEAT and node.repeat_count is None \
                and not session.is_held_back(name):
            session.set_repeat_count(name, len(raw))
    outcome = ReplayOutcome()
    done: set[str] = set()
    while True:
        pending = [s for s in session.steps() if s.key not in done]
        if not pending:
            break
        step = pending[0]
        done.add(step.key)
        outcome.asked.append(step.key)
        item = step.node.item
        if step.node.asks_count and step.instance is not None:
            # An inner repeat without a count: its number of entries in this outer entry.
            present, raw = _lookup(answers, step.key)
            if present and isinstance(raw, list):
                session.set_repeat_count(step.key, len(raw))
            continue
        if not item.is_answerable or step.node.asks_count:
            continue  # notes; a repeat's count, already set from its list of entries
        present, raw = _lookup(answers, step.key)
        if present:
            given = unpack_answer(step.name, raw)
            session.answer(step.key, given.value, special=given.special, note=given.note)
        elif keep_answered and is_answered(session.answers.get(step.key)):
            pass
        elif item.default is not None:
            session.answer(step.key, item.default)
        error = session.required_error(step.key)
        if error is not None:
            raise AnswerError(error.item, error.message + (
                " (no answer given; where allowed, record {\"special\": \"refused\"})"),
                code=ErrorCode.ANSWER_REQUIRED, instrument_message=error.instrument_message)
    outcome.ignored = _not_asked(session, answers, set(outcome.asked), "")
    return outcome


def _not_asked(session: InterviewSession, answers: Mapping[str, Any], asked: set[str],
               prefix: str) -> list[str]:
    """Keys of the answers given that were not asked (``prefix``: the entry's ``hh[1].``)."""
    out: list[str] = []
    for name, raw in answers.items():
        node = session.plan.nodes[name]
        if node.item.type is ItemType.REPEAT:
            for i, entry in enumerate(raw, start=1):
                if isinstance(entry, dict):
                    out += _not_asked(session, entry, asked, f"{prefix}{name}[{i}].")
        elif prefix + name not in asked:
            out.append(prefix + name)
    return out


__all__ = ["Given", "ReplayOutcome", "replay", "unpack_answer"]
