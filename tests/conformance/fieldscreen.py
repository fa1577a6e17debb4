"""Running a conformance case through FieldScreen itself: the XLSForm importer and the real
``InterviewSession``, answers given in order as an officer would.

What a case reports is the engine-neutral JSON of the corpus format; values are formatted by
``screening.xlsform.odk_export`` (the ODK-shaped export), so they are what FieldScreen would
submit. ``run_fieldscreen(cases)`` is also what ``make bench`` times.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from screening.engine.session import InterviewSession
from screening.engine.state import Evaluation, Instance, answer_value, make_key, split_key
from screening.engine.storage import MemoryAnswerStore, is_answered
from screening.errors import AnswerError, ErrorCode, ExpressionError, InputError
from screening.expr import truthy
from screening.instruments.model import CONTAINERS, Instrument, ItemType
from screening.xlsform import import_xlsform
from screening.xlsform.odk_export import Submission, _Reader

from .corpus import Case
from .names import KeyNames

_ODK_TIME = re.compile(r"^(\d\d:\d\d(?::\d\d)?)(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?$")


@dataclass(frozen=True)
class Loaded:
    """A case's form imported once (the bench times running apart from importing)."""

    case: Case
    instrument: Instrument | None
    content_hash: str
    load_error: str | None
    # A calculation the importer refused (an expression FieldScreen cannot run): the author is
    # told at import, where Collect stops the form when it evaluates it. Both refuse the form's
    # logic, so it reports as an evaluation error, as JavaRosa's does.
    dropped: str | None = None
    preloads: frozenset[str] = frozenset()  # fields the XForm fills from the device (jr:preload)
    loops: tuple[str, ...] = ()  # names of the form's ``begin loop`` groups


def load_case(case: Case) -> Loaded:
    path = case.form_path()
    try:
        if path is not None:
            result = import_xlsform(path)
        else:
            text = case.markdown() or ""
            result = import_xlsform(text.encode("utf-8"), file_name=f"{case.id}.md")
    except InputError as exc:
        problems = getattr(exc, "problems", None) or []
        message = problems[0].message if problems else exc.message
        return Loaded(case, None, "", message)
    dropped = next((w.message for w in result.warnings
                    if w.code in (ErrorCode.EXPRESSION_UNSUPPORTED, ErrorCode.INSTRUMENT_EXPRESSION)
                    and "calculation" in w.message and "cannot be run" in w.message), None)
    preloads, loops = _xform_facts(case)
    return Loaded(case, result.instrument, result.content_hash, None, dropped, preloads, loops)


def _xform_facts(case: Case) -> tuple[frozenset[str], tuple[str, ...]]:
    """From pyxform's conversion of the case: the fields marked ``jr:preload`` (start, today,
    deviceid...), which every engine reports only as set or not (compare.PRELOADED), and the
    ``begin loop`` groups (their fields are keyed ``loop.choice.field``)."""
    from xml.etree import ElementTree

    from .engines import _convert, _loops

    result, _error = _convert(case)
    if result is None:
        return frozenset(), ()
    loops = tuple(_loops(result._pyxform or {}))
    xml = result.xform
    names = set()
    for element in ElementTree.fromstring(xml).iter():
        if element.tag.endswith("bind") and any(k.endswith("}preload") for k in element.attrib):
            names.add(element.attrib.get("nodeset", "").rsplit("/", 1)[-1])
    return frozenset(names), loops


def _fs_value(kind: ItemType, value: str) -> Any:
    """The ODK string form of an answer as FieldScreen's answer API takes it."""
    if kind is ItemType.MULTIPLE_CHOICE:
        return value.split()
    if kind is ItemType.TIME:
        match = _ODK_TIME.match(value)
        return match[1] if match else value
    return value


class _Run:
    def __init__(self, loaded: Loaded) -> None:
        assert loaded.instrument is not None
        ins = loaded.instrument
        self.ins = ins
        self.session = InterviewSession(
            ins, loaded.content_hash, MemoryAnswerStore(allow_unsafe=True), "conformance",
            respondent_language=ins.source_language, officer_language=ins.source_language,
        )  # the real clock, as the other engines use: today() is today everywhere
        self.eval_error: str | None = loaded.dropped
        self.preloads = loaded.preloads
        self.names = KeyNames(ins, loaded.loops)
        self.pending = {self.names.fs_key(k): v for k, v in loaded.case.repeats.items()}

    def note_error(self, exc: ExpressionError) -> None:
        if self.eval_error is None:
            self.eval_error = exc.message

    def set_repeats(self) -> None:
        """Give each count-less repeat its number of entries as soon as it can take it (an
        inner repeat's entry must exist and be asked first), as Collect adds entries when
        the interviewer reaches the repeat."""
        for key, count in list(self.pending.items()):
            try:
                self.session.set_repeat_count(key, count)
            except AnswerError as exc:
                if exc.code is not ErrorCode.ANSWER_NOT_RELEVANT:
                    del self.pending[key]  # not a count-less repeat: the fields will show it
                continue
            except ExpressionError as exc:
                self.note_error(exc)
            del self.pending[key]

    def answer(self, key: str, value: str) -> str:
        key = self.names.fs_key(key)
        node = self.session.plan.nodes.get(split_key(key)[0])
        if node is None:
            return "error"
        try:
            self.session.answer(key, _fs_value(node.item.type, value))
        except AnswerError as exc:
            return "constraint" if exc.code is ErrorCode.ANSWER_CONSTRAINT else "error"
        except ExpressionError as exc:
            self.note_error(exc)
            return "error"
        return "ok"

    def apply_defaults(self) -> None:
        """As ``replay`` (the CLI) does: an item shown without an answer takes its default."""
        try:
            for step in self.session.steps():
                item = step.node.item
                if (item.default is not None and item.is_answerable and not step.node.asks_count
                        and not is_answered(self.session.answers.get(step.key))):
                    try:
                        self.session.answer(step.key, item.default)
                    except AnswerError:
                        pass
        except ExpressionError as exc:
            self.note_error(exc)

    def instances(self, name: str) -> list[Instance]:
        """Every entry the item exists in (None: outside every repeat)."""
        return self.session.evaluation.entries(self.session.plan.nodes[name].repeats)

    def report(self, outcomes: list[list[str]]) -> dict[str, Any]:
        session = self.session
        ev = session.evaluation
        reader = _Reader(self.ins, session.plan, Submission("conformance", dt.datetime.now(dt.UTC),
                                                        session.answers))
        fields: dict[str, dict[str, Any]] = {}
        failed: list[str] = []
        for name in session.plan.order:
            node = session.plan.nodes[name]
            if node.item.type in CONTAINERS:
                continue
            try:
                for instance in self.instances(name):
                    key = make_key(name, instance)
                    relevant = ev.is_relevant(name, instance)
                    if relevant and node.calculation is not None:
                        ev.scalar(name, instance)  # an error here is the case's result
                    text, _special = reader.value(node.item, instance)
                    odk = self.names.odk_key(key)
                    fields[odk] = {"relevant": relevant, "value": text}
                    if self.names.to_odk.get(name, name) in self.preloads:
                        fields[odk]["preload"] = True
                    if relevant and self._constraint_fails(ev, key, instance):
                        failed.append(self.names.odk_key(key))
            except ExpressionError as exc:
                self.note_error(exc)
        try:
            missing = [self.names.odk_key(k) for k in session.missing_required()]
        except ExpressionError as exc:
            self.note_error(exc)
            missing = []
        out: dict[str, Any] = {"load_error": None}
        if self.eval_error is not None:
            out["eval_error"] = self.eval_error
        out.update({"fields": fields, "answers": outcomes, "required_missing": missing,
                    "constraint_failed": failed})
        return out

    def _constraint_fails(self, ev: Evaluation, key: str, instance: Instance) -> bool:
        node = self.session.plan.nodes[split_key(key)[0]]
        record = self.session.answers.get(key)
        if node.constraint is None or not is_answered(record) or record is None \
                or record.special:
            return False
        return not truthy(ev.eval(node.constraint, instance,
                                  current=answer_value(node, record)))


def run_loaded(loaded: Loaded) -> dict[str, Any]:
    if loaded.load_error is not None:
        return {"load_error": loaded.load_error}
    run = _Run(loaded)
    case = loaded.case
    run.set_repeats()
    run.apply_defaults()
    outcomes = []
    for key, value in case.answers:
        outcomes.append([key, run.answer(key, value)])
        run.set_repeats()
    run.apply_defaults()
    return run.report(outcomes)


def run_case(case: Case) -> dict[str, Any]:
    return run_loaded(load_case(case))


def run_fieldscreen(cases: Iterable[Case]) -> dict[str, dict[str, Any]]:
    """Case id -> FieldScreen's result, for every case (the bench times this)."""
    return {case.id: run_case(case) for case in cases}
