"""Relevance, calculations and expression values for one set of answers.

An ``Evaluation`` is a snapshot: built from the plan and the current answers, it computes
lazily and memoises, so asking "is this relevant?" for every item costs one evaluation of
each expression. After any answer changes the session builds a new snapshot.

Items inside repeats exist once per entry; their keys name the entries around them,
outermost first and 1-based: ``rep[2].item``, ``hh[1].person[2].item``. References resolve
as ODK does (XPath paths relative to the shared repeat entry): inside an entry ``${x}`` of
the same entry is a scalar and ``${y}`` of an enclosing entry is that entry's value; an item
of a repeat the context is not inside is the nodeset (a list) of its entries within the
entries the two share, or of all its entries from the top level.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from screening.engine.dates import expression_value
from screening.engine.plan import Node, Plan
from screening.engine.storage import AnswerRecord
from screening.errors import ErrorCode, ExpressionError
from screening.expr import Expr, evaluate, to_number, truthy
from screening.expr.choicefilter import PREFIX as CHOICE_PREFIX
from screening.expr.values import java_int
from screening.instruments.model import Choice, ItemType

MAX_REPEATS = 200  # a runaway repeat_count must not create millions of entries

_SEGMENT = re.compile(r"([^\[\]]+)\[(\d+)\]\.")


@dataclass(frozen=True)
class Entry:
    """One repeat entry with the entries around it, outermost first:
    ``hh[1].person[2]`` is ``Entry((("hh", 1), ("person", 2)))``."""

    path: tuple[tuple[str, int], ...]

    @property
    def repeat(self) -> str:
        return self.path[-1][0]

    @property
    def index(self) -> int:
        return self.path[-1][1]

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def repeats(self) -> tuple[str, ...]:
        return tuple(repeat for repeat, _ in self.path)

    @property
    def indices(self) -> tuple[int, ...]:
        return tuple(index for _, index in self.path)

    @property
    def parent(self) -> Entry | None:
        return Entry(self.path[:-1]) if len(self.path) > 1 else None

    def __str__(self) -> str:
        return ".".join(f"{repeat}[{index}]" for repeat, index in self.path)


Instance = Entry | None  # None: outside every repeat


def entry(*path: tuple[str, int]) -> Entry:
    return Entry(tuple(path))


def child_entry(parent: Instance, repeat: str, index: int) -> Entry:
    return Entry((parent.path if parent else ()) + ((repeat, index),))


def truncate(instance: Instance, depth: int) -> Instance:
    """The entry ``instance`` lies in at ``depth`` levels (None at 0)."""
    if instance is None or depth <= 0:
        return None
    return instance if instance.depth == depth else Entry(instance.path[:depth])


def depth_of(instance: Instance) -> int:
    return instance.depth if instance else 0


def make_key(name: str, instance: Instance) -> str:
    return name if instance is None else f"{instance}.{name}"


def split_key(key: str) -> tuple[str, Instance]:
    path: list[tuple[str, int]] = []
    pos = 0
    while (match := _SEGMENT.match(key, pos)) is not None:
        path.append((match[1], int(match[2])))
        pos = match.end()
    if not path or pos == len(key):
        return key, None
    return key[pos:], Entry(tuple(path))


def fits(node: Node, instance: Instance) -> bool:
    """True when ``instance`` is an entry of exactly the repeats around ``node``."""
    return node.repeats == (instance.repeats if instance else ())


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


def typed_result(value: Any, value_type: str | None) -> Any:
    """A calculation's result as its XForm type stores it (JavaRosa's ``wrapData``): "int"
    truncates toward zero and "decimal" is a number (NaN: empty); text types keep the value."""
    if value_type not in ("int", "decimal") or isinstance(value, list):
        return value
    number = to_number(value)
    if number != number:  # NaN
        return ""
    return number if value_type == "decimal" else java_int(number)  # Java's (int) cast


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
        # The laptop's own date, as Collect's today(): near midnight UTC differs from it.
        return self._ev.now.astimezone().date() if self._ev.now.tzinfo else self._ev.now.date()

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

    def position(self, levels: int = 1) -> int:
        # Counted in repeat entries: position(../..) is the entry around this one (a group in
        # between is not a level here, where JavaRosa would give the group's position, 1).
        if self._instance is None or levels > self._instance.depth:
            where = "position(..)" if levels == 1 else "position(" + "/".join([".."] * levels) + ")"
            raise ExpressionError(f"{where} is only meaningful inside {levels} repeat(s)",
                                  code=ErrorCode.EXPRESSION_EVAL)
        return self._instance.path[-levels][1]

    def indexed(self, name: str, entries: Sequence[tuple[str, int]]) -> Any:
        return self._ev.indexed(name, entries, self._instance)


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
        self._counts: dict[tuple[str, Instance], int] = {}
        self._busy: set[tuple[str, Instance, str]] = set()
        self._walked: list[tuple[Step, bool]] | None = None

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

    def _node(self, name: str) -> Node:
        node = self.plan.nodes.get(name)
        if node is None:
            raise ExpressionError(f"unknown reference ${{{name}}}", code=ErrorCode.EXPRESSION_EVAL)
        return node

    def reference(self, name: str, instance: Instance) -> Any:
        """``${name}`` seen from ``instance``: a scalar when the context is inside the entry
        the item lives in, else the nodeset of its entries within the ones they share."""
        node = self._node(name)
        shared = _shared(node.repeats, instance)
        if node.item.type is ItemType.REPEAT:
            # The nodeset of its entries (count(${rep}) counts them); an entry's own value is
            # never needed by a form, so each is "".
            return [""] * sum(self.repeat_count(name, e)
                              for e in self.entries(node.repeats, shared))
        if depth_of(shared) == len(node.repeats):
            return self.scalar(name, shared)
        return [self.scalar(name, e) for e in self.entries(node.repeats, shared)]

    def indexed(self, name: str, given: Sequence[tuple[str, int]], instance: Instance) -> Any:
        """``indexed-repeat(${name}, ${rep}, i, ...)`` evaluated in ``instance`` (JavaRosa):
        each named repeat takes its index (below 1: the first entry); the others the
        context's entry, where the context is inside it; a missing entry is ``""``."""
        node = self._node(name)
        chosen: dict[str, int] = {}
        for repeat, index in given:
            if repeat not in node.repeats:
                raise ExpressionError(f"indexed-repeat(): ${{{repeat}}} is not a repeat around "
                                      f"${{{name}}}", code=ErrorCode.EXPRESSION_EVAL)
            chosen[repeat] = max(1, index)
        shared = _shared(node.repeats, instance)
        found: list[Instance] = [None]
        for depth, repeat in enumerate(node.repeats):
            if repeat in chosen:
                index = chosen[repeat]
                found = [child_entry(e, repeat, index) for e in found
                         if index <= self.repeat_count(repeat, e)]
            elif shared is not None and depth < shared.depth:
                found = [child_entry(e, *shared.path[depth]) for e in found]
            else:
                found = [child_entry(e, repeat, i) for e in found
                         for i in range(1, self.repeat_count(repeat, e) + 1)]
        if len(found) > 1:  # JavaRosa: "This field is repeated"
            raise ExpressionError(f"indexed-repeat(): ${{{name}}} has several entries here; "
                                  "give the index of every repeat around it",
                                  code=ErrorCode.EXPRESSION_EVAL)
        return self.scalar(name, found[0]) if found else ""

    def entries(self, repeats: tuple[str, ...], within: Instance = None) -> list[Instance]:
        """Every entry of the nested ``repeats`` inside ``within``, in document order."""
        found: list[Instance] = [within]
        for repeat in repeats[depth_of(within):]:
            found = [child_entry(e, repeat, i) for e in found
                     for i in range(1, self.repeat_count(repeat, e) + 1)]
        return found

    def scalar(self, name: str, instance: Instance) -> Any:
        node = self.plan.nodes[name]
        if node.item.type is ItemType.REPEAT:
            return self.repeat_count(name, instance)
        if not self.is_relevant(name, instance):
            return ""
        if node.calculation is not None:
            key = (name, instance)
            if key not in self._calc:
                token = self._guard(name, instance, "calculation")
                try:
                    kept = self.answers.get(make_key(name, instance))  # once(): its first value
                    self._calc[key] = typed_result(
                        self.eval(node.calculation, instance,
                                  current=kept.value if kept is not None else ""),
                        node.item.value_type)
                finally:
                    self._busy.discard(token)
            return self._calc[key]
        return answer_value(node, self.answers.get(make_key(name, instance)))

    def repeat_count(self, repeat: str, parent: Instance = None) -> int:
        """Entries of ``repeat`` inside the entry ``parent`` of the repeat around it (None
        for a repeat outside every repeat): its ``repeat_count`` evaluated there, or the
        number stored under its key (``hh`` or ``hh[1].person``)."""
        slot = (repeat, parent)
        if slot not in self._counts:
            node = self.plan.nodes[repeat]
            if node.repeat_count is not None:
                token = self._guard(repeat, parent, "repeat count")
                try:
                    number = to_number(self.eval(node.repeat_count, parent))
                finally:
                    self._busy.discard(token)
                count = int(min(number, MAX_REPEATS)) if number == number and number > 0 else 0
            else:
                record = self.answers.get(make_key(repeat, parent))
                count = record.value if record and isinstance(record.value, int) else 0
            self._counts[slot] = max(0, min(count, MAX_REPEATS))
        return self._counts[slot]

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
        """Whether ``name`` in ``instance`` is asked: its section, the entry existing, every
        enclosing group and repeat, and its own ``relevant``. False for an entry that does
        not fit the item (``hh[1].x`` where x is not in hh)."""
        key = (name, instance)
        if key in self._relevant:
            return self._relevant[key]
        node = self.plan.nodes[name]
        if not fits(node, instance):
            return False
        token = self._guard(name, instance, "relevance")
        try:
            result = self.section_relevant(node.section.name)
            if result and instance is not None:
                result = 1 <= instance.index <= self.repeat_count(instance.repeat,
                                                                  instance.parent)
            if result and node.parent is not None:
                parent = self.plan.nodes[node.parent]
                result = self.is_relevant(node.parent, truncate(instance, len(parent.repeats)))
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
        """Every presentable item instance in order, with whether it is relevant now.
        Walked once per snapshot: the GUI and the session ask several times per answer."""
        if self._walked is None:
            self._walked = list(self._walk(self.plan.top_level, None, True))
        yield from self._walked

    def _walk(self, names: list[str], instance: Instance, parent_ok: bool) -> Iterator[
        tuple[Step, bool]
    ]:
        for name in names:
            node = self.plan.nodes[name]
            ok = parent_ok and self.is_relevant(name, instance)
            if node.item.type is ItemType.REPEAT:
                key = make_key(name, instance)
                if node.asks_count:
                    # "How many entries?" is itself a question, asked before the entries.
                    yield Step(key, node, instance), ok
                count = self.repeat_count(name, instance) if ok else 0
                children = self.plan.children(name)
                for i in range(1, count + 1):
                    yield from self._walk(children, child_entry(instance, name, i), ok)
                if count == 0:
                    # An empty or skipped repeat: its items show up once, as not asked.
                    for child in children:
                        child_node = self.plan.nodes[child]
                        if child_node.presented:
                            yield Step(make_key(child, instance), child_node, None), False
            elif node.item.type is ItemType.GROUP:
                yield from self._walk(self.plan.children(name), instance, ok)
            elif node.presented:
                yield Step(make_key(name, instance), node, instance), ok

    def steps(self) -> list[Step]:
        return [step for step, relevant in self.all_steps() if relevant]


def _shared(repeats: tuple[str, ...], instance: Instance) -> Instance:
    """The part of ``instance`` inside the same entries as an item within ``repeats``."""
    if instance is None:
        return None
    depth = 0
    for (repeat, _index), wanted in zip(instance.path, repeats, strict=False):
        if repeat != wanted:
            break
        depth += 1
    return truncate(instance, depth)
