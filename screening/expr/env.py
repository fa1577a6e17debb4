"""What an evaluation can see: the ``Env`` protocol and ``SimpleEnv``, a dict-backed one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from screening.errors import ErrorCode, ExpressionError
from screening.expr.values import Value


@runtime_checkable
class Env(Protocol):
    """The answers and context an expression is evaluated against.

    Methods may raise ``ExpressionError`` (code ``EXPRESSION_EVAL``); the evaluator adds the
    column of the expression that asked. Anything else an Env raises is reported as an
    internal ``ExpressionError`` too, so callers only ever catch one type.
    """

    def value(self, name: str) -> Value:
        """The value of ``${name}``: ``""`` when unanswered (and for refused / don't know);
        for an item inside a repeat seen from outside it, a ``list`` with one value per
        instance (a nodeset; empty when there are no instances)."""
        ...

    def current(self) -> Value:
        """The value of ``.`` (the item the expression belongs to)."""
        ...

    def today(self) -> date:
        """``today()``."""
        ...

    def now(self) -> datetime:
        """``now()``: timezone-aware."""
        ...

    def choice_label(self, item: str, choice: str) -> str:
        """``jr:choice-name(choice, '${item}')``: the label of ``choice`` in the current
        language; ``""`` if there is none."""
        ...

    def position(self, levels: int = 1) -> int:
        """``position(..)``: the 1-based repeat instance; ``position(../..)`` (``levels`` 2)
        that of the entry around it, and so on; raises if there is no such entry."""
        ...

    def indexed(self, name: str, entries: Sequence[tuple[str, int]]) -> Value:
        """``indexed-repeat(${name}, ${repeat}, n, ...)``: the value of ``name`` in entry
        ``n`` (1-based) of each repeat named, the context's entry of the others around it;
        ``""`` when there is no such entry."""
        ...


@dataclass
class SimpleEnv:
    """An ``Env`` over plain mappings, for tests, previews and the CLI.

    ``strict`` (the default) makes an unknown ``${name}`` an ``ExpressionError`` ("unknown
    reference ${x}"), which catches typos; with ``strict=False`` unknown names are ``""``
    (unanswered). ``now_datetime`` defaults to the local time at each call; a naive value is
    taken as local time. Missing choice labels are ``""``.
    """

    values: Mapping[str, Value] = field(default_factory=dict)
    current_value: Value = ""
    today_date: date = field(default_factory=date.today)
    now_datetime: datetime | None = None
    choice_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    repeat_position: int | None = None
    strict: bool = True

    def value(self, name: str) -> Value:
        if name in self.values:
            return self.values[name]
        if self.strict:
            raise ExpressionError(f"unknown reference ${{{name}}}", code=ErrorCode.EXPRESSION_EVAL)
        return ""

    def current(self) -> Value:
        return self.current_value

    def today(self) -> date:
        return self.today_date

    def now(self) -> datetime:
        if self.now_datetime is None:
            return datetime.now().astimezone()
        if self.now_datetime.tzinfo is None:
            return self.now_datetime.astimezone()
        return self.now_datetime

    def choice_label(self, item: str, choice: str) -> str:
        return self.choice_labels.get(item, {}).get(choice, "")

    def position(self, levels: int = 1) -> int:
        if self.repeat_position is None or levels != 1:
            raise ExpressionError(
                "position(..) is only available inside a repeat", code=ErrorCode.EXPRESSION_EVAL
            )
        return self.repeat_position

    def indexed(self, name: str, entries: Sequence[tuple[str, int]]) -> Value:
        """``values`` may hold the entry's key (``rep[2].x``, ``hh[1].person[2].x``); else a
        list under ``name`` is the nodeset of a single repeat."""
        key = "".join(f"{repeat}[{index}]." for repeat, index in entries) + name
        if key in self.values:
            return self.values[key]
        nodeset = self.value(name)
        if len(entries) == 1 and isinstance(nodeset, list):
            index = entries[0][1]
            return nodeset[index - 1] if 1 <= index <= len(nodeset) else ""
        return ""


__all__ = ["Env", "SimpleEnv"]
