"""Relevance, calculations and expression values for one set of answers.

An ``Evaluation`` is a snapshot: built from the plan and the current answers, it computes
lazily and memoises, so asking "is this relevant?" for every item costs one evaluation of
each expression. After any answer changes the session builds a new snapshot.

Items inside a repeat exist once per entry; their keys are ``repeat[i].item`` (1-based).
Inside an entry ``${item}`` means that entry's value; outside, the list of all entries'.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from screening.engine.dates import expression_value
from screening.engine.plan import Node, Plan
from screening.engine.storage import AnswerRecord
from screening.errors import ErrorCode, ExpressionError
from screening.expr import Expr, evaluate, to_number, truthy
from screening.expr.choicefilter import PREFIX as CHOICE_PREFIX
from screening.instruments.model import Choice, ItemType

Instance = tuple[str, int] | None
MAX_REPEATS = 200  # a runaway repeat_count must not create millions of entries

_KEY = re.compile(r"^(?P<rep>[^\[\]]+)\[(?P<i>\d+)\]\.(?P<name>.+)$")


def make_key(name: str, instance: Instance) -> str:
    return name if instance is None else f"{instance[0]}[{instance[1]}].{name}"


def split_key(key: str) -> tuple[str, Instance]:
    match = _KEY.match(key)
    if not match:
        return key, None
    return match["name"], (match["rep"], int(match["i"]))


@dataclass(frozen=True)
class Step:
    """One presentable item (in one repeat entry): what the GUI shows as a question."""

    key: str
    node: Node
    instance: Instance

    @property
    def name(self) -> str:
        return self.node.name


def answer_value(node: Node, record: AnswerRecord | None) -> Any:
    """The value an expression sees: '' for unanswered and special answers (never 'no')."""
    if record is None or record.special or record.value is None:
        return ""
    value = record.value
    kind = node.item.type
    if kind is ItemType.MULTIPLE_CHOICE and isinstance(value, list):
        return " ".join(value)
    if kind is ItemType.DATE:  # a month or a year: its first day, as ODK (issue #14)
        return expression_value(value)
    if kind is ItemType.DATETIME and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if kind is ItemType.ACKNOWLEDGE:
        return "OK" if value else ""
    return value


class _Env:
    def __init__(self, ev: Evaluation, instance: Instance, current: Any,
                 columns: Mapping[str, Any] | None = None) -> None:
        self._ev = ev
        self._instance = instance
        self._current = current
        self._columns = columns

    def value(self, name: str) -> Any:
        if self._columns is not None and name.startswith(CHOICE_PREFIX):
            return self._columns.get(name[len(CHOICE_PREFIX):], "")
        return self._ev.reference(name, self._instance)

    def current(self) -> Any:
        return self._current

    def today(self) -> dt.date:
        return self._ev.now.date()

    def now(self) -> dt.datetime:
        return self._ev.now

    def choice_label(self, item: str, choice: str) -> str:
        name = item.strip()
        if name.startswith("${") and name.endswith("}"):
            name = name[2:-1]
        node = self._ev.plan.nodes.get(name)
        if node is None:
            return ""
        ins = self._ev.plan.instrument
        for option in ins.choices_for(node.item):
            if option.name == choice:
                return ins.text(option.label, self._ev.language)
        return ""

    def position(self) -> int:
        if self._instance is None:
            raise ExpressionError("position(..) is only meaningful inside a repeat",
                                  code=ErrorCode.EXPRESSION_EVAL)
        return self._instance[1]


class Evaluation:
    def __init__(self, plan: Plan, answers: Mapping[str, AnswerRecord], *,
                 now: dt.datetime, language: str) -> None:
        self.plan = plan
        self.answers = answers
        self.now = now
        self.language = language
        self._relevant: dict[tuple[str, Instance], bool] = {}
        self._sections: dict[str, bool] = {}
        self._calc: dict[tuple[str, Instance], Any] = {}
        self._counts: dict[str, int] = {}
        self._busy: set[tuple[str, Instance, str]] = set()

    # -- expressions ---------------------------------------------------------------------
    def eval(self, expr: Expr, instance: Instance = None, current: Any = "",
             columns: Mapping[str, Any] | None = None) -> Any:
        return evaluate(expr, _Env(self, instance, current, columns))

    def choices(self, step: Step) -> list[Choice]:
        """The choices offered for ``step``: all, or those its choice filter keeps."""
        node = step.node
        options = self.plan.instrument.choices_for(node.item)
        if node.choice_filter is None:
            return options
        kept = []
        for option in options:
            columns = dict(option.filter or {})
            columns["name"] = option.name
            if truthy(self.eval(node.choice_filter, step.instance, columns=columns)):
                kept.append(option)
        return kept

    def _guard(self, name: str, instance: Instance, what: str) -> tuple[str, Instance, str]:
        token = (name, instance, what)
        if token in self._busy:
            raise ExpressionError(f"the {what} of '{name}' depends on itself",
                                  code=ErrorCode.EXPRESSION_EVAL)
        self._busy.add(token)
        return token

    def reference(self, name: str, instance: Instance) -> Any:
        node = self.plan.nodes.get(name)
        if node is None:
            raise ExpressionError(f"unknown reference ${{{name}}}", code=ErrorCode.EXPRESSION_EVAL)
        if node.repeat is None:
            return self.scalar(name, None)
        if instance is not None and instance[0] == node.repeat:
            return self.scalar(name, instance)
        count = self.repeat_count(node.repeat)
        return [self.scalar(name, (node.repeat, i)) for i in range(1, count + 1)]

    def scalar(self, name: str, instance: Instance) -> Any:
        node = self.plan.nodes[name]
        if node.item.type is ItemType.REPEAT:
            return self.repeat_count(name)
        if not self.is_relevant(name, instance):
            return ""
        if node.calculation is not None:
            key = (name, instance)
            if key not in self._calc:
                token = self._guard(name, instance, "calculation")
                try:
                    self._calc[key] = self.eval(node.calculation, instance)
                finally:
                    self._busy.discard(token)
            return self._calc[key]
        return answer_value(node, self.answers.get(make_key(name, instance)))

    def repeat_count(self, repeat: str) -> int:
        if repeat not in self._counts:
            node = self.plan.nodes[repeat]
            if node.repeat_count is not None:
                token = self._guard(repeat, None, "repeat count")
                try:
                    number = to_number(self.eval(node.repeat_count))
                finally:
                    self._busy.discard(token)
                count = int(number) if number == number and number > 0 else 0
            else:
                record = self.answers.get(repeat)
                count = record.value if record and isinstance(record.value, int) else 0
            self._counts[repeat] = max(0, min(count, MAX_REPEATS))
        return self._counts[repeat]

    # -- relevance -----------------------------------------------------------------------
    def section_relevant(self, section: str) -> bool:
        if section not in self._sections:
            expr = self.plan.section_relevance.get(section)
            token = self._guard(section, None, "section relevance")
            try:
                self._sections[section] = expr is None or truthy(self.eval(expr))
            finally:
                self._busy.discard(token)
        return self._sections[section]

    def is_relevant(self, name: str, instance: Instance = None) -> bool:
        key = (name, instance)
        if key in self._relevant:
            return self._relevant[key]
        node = self.plan.nodes[name]
        token = self._guard(name, instance, "relevance")
        try:
            result = self.section_relevant(node.section.name)
            if result and instance is not None:
                result = 1 <= instance[1] <= self.repeat_count(instance[0])
            if result and node.parent is not None:
                parent = self.plan.nodes[node.parent]
                parent_instance = instance if parent.repeat is not None else None
                result = self.is_relevant(node.parent, parent_instance)
            if result and node.relevant is not None:
                result = truthy(self.eval(node.relevant, instance))
        finally:
            self._busy.discard(token)
        self._relevant[key] = result
        return result

    def is_required(self, step: Step) -> bool:
        node = step.node
        if node.required is not None:
            return truthy(self.eval(node.required, step.instance))
        return bool(node.item.required)

    # -- walking -------------------------------------------------------------------------
    def all_steps(self) -> Iterator[tuple[Step, bool]]:
        """Every presentable item instance in order, with whether it is relevant now."""
        yield from self._walk(self.plan.top_level, None, True)

    def _walk(self, names: list[str], instance: Instance, parent_ok: bool) -> Iterator[
        tuple[Step, bool]
    ]:
        for name in names:
            node = self.plan.nodes[name]
            ok = parent_ok and self.is_relevant(name, instance)
            if node.item.type is ItemType.REPEAT:
                if node.asks_count:
                    # "How many entries?" is itself a question, asked before the entries.
                    yield Step(name, node, None), ok
                count = self.repeat_count(name) if ok else 0
                children = self.plan.children(name)
                for i in range(1, count + 1):
                    yield from self._walk(children, (name, i), ok)
                if count == 0:
                    # An empty or skipped repeat: its items show up once, as not asked.
                    for child in children:
                        child_node = self.plan.nodes[child]
                        if child_node.presented:
                            yield Step(child, child_node, None), False
            elif node.item.type is ItemType.GROUP:
                yield from self._walk(self.plan.children(name), instance, ok)
            elif node.presented:
                yield Step(make_key(name, instance), node, instance), ok

    def steps(self) -> list[Step]:
        return [step for step, relevant in self.all_steps() if relevant]
