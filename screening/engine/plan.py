"""An instrument prepared for running: parsed expressions and the item tree, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from screening.expr import Expr, parse
from screening.expr.choicefilter import compile_choice_filter
from screening.instruments.model import (
    CONTAINERS,
    Instrument,
    Item,
    ItemType,
    Section,
)

PRESENTED_TYPES_EXCLUDED = frozenset({ItemType.CALCULATE, ItemType.HIDDEN, *CONTAINERS})


@dataclass(frozen=True)
class Node:
    """An item in the tree with what running it needs."""

    item: Item
    section: Section
    parent: str | None  # enclosing group/repeat name
    relevant: Expr | None
    constraint: Expr | None
    calculation: Expr | None
    required: Expr | None
    repeat_count: Expr | None
    choice_filter: Expr | None = None
    # Held back while someone who came with the person is present: the item, an enclosing
    # group or repeat, or its section is marked ``sensitive`` (issue #14).
    sensitive: bool = False
    # Every repeat around the item, outermost first (a repeat's own name not included).
    repeats: tuple[str, ...] = ()

    @property
    def repeat(self) -> str | None:
        """The innermost repeat around the item, if any."""
        return self.repeats[-1] if self.repeats else None

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def presented(self) -> bool:
        return self.item.type not in PRESENTED_TYPES_EXCLUDED

    @property
    def asks_count(self) -> bool:
        """A repeat without ``repeat_count``: the officer is asked how many entries."""
        return self.item.type is ItemType.REPEAT and self.repeat_count is None


def _maybe(text: str | None) -> Expr | None:
    return parse(text) if text else None


@dataclass
class Plan:
    instrument: Instrument
    content_hash: str
    nodes: dict[str, Node] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # every item, document order
    section_relevance: dict[str, Expr | None] = field(default_factory=dict)
    indicators: dict[str, Expr] = field(default_factory=dict)
    flags: dict[str, Expr] = field(default_factory=dict)
    routes: dict[str, Expr] = field(default_factory=dict)

    @classmethod
    def build(cls, instrument: Instrument, content_hash: str) -> Plan:
        plan = cls(instrument, content_hash)
        for section in instrument.sections:
            plan.section_relevance[section.name] = _maybe(section.relevant)
            plan._add(section.items, section, None, (), section.sensitive)
        plan.indicators = {i.name: parse(i.when) for i in instrument.indicators}
        plan.flags = {f.name: parse(f.when) for f in instrument.flags}
        plan.routes = {r.name: parse(r.when) for r in instrument.routes}
        return plan

    def _add(self, items: list[Item], section: Section, parent: str | None,
             repeats: tuple[str, ...], sensitive: bool) -> None:
        for item in items:
            required = item.required
            held = sensitive or item.sensitive
            self.nodes[item.name] = Node(
                item=item,
                section=section,
                parent=parent,
                relevant=_maybe(item.relevant),
                constraint=_maybe(item.constraint),
                calculation=_maybe(item.calculation),
                required=_maybe(required) if isinstance(required, str) else None,
                repeat_count=_maybe(item.repeat_count),
                choice_filter=(compile_choice_filter(item.choice_filter)
                               if item.choice_filter else None),
                sensitive=held,
                repeats=repeats,
            )
            self.order.append(item.name)
            if item.items:
                inner = (*repeats, item.name) if item.type is ItemType.REPEAT else repeats
                self._add(item.items, section, item.name, inner, held)

    @cached_property
    def once_items(self) -> list[str]:
        """Calculations that use once(): their first non-empty value is kept (stored)."""
        calculations = ((name, self.nodes[name].calculation) for name in self.order)
        return [name for name, expr in calculations if expr and "once" in expr.functions()]

    def children(self, container: str) -> list[str]:
        return [n for n in self.order if self.nodes[n].parent == container]

    def ancestors(self, name: str) -> list[str]:
        """The groups and repeats around ``name``, outermost first."""
        out: list[str] = []
        parent = self.nodes[name].parent
        while parent is not None:
            out.append(parent)
            parent = self.nodes[parent].parent
        return out[::-1]

    def is_loop_choice(self, name: str) -> bool:
        """A group an XLSForm ``begin loop`` made for one choice: ``<loop>.<choice>`` inside
        the loop's group (``screening.xlsform.loops``); its label is the choice's."""
        node = self.nodes[name]
        parent = self.nodes.get(node.parent) if node.parent else None
        # The import renamed it (odk_name): a group the form itself named "tel.home" is not one.
        return (node.item.type is ItemType.GROUP and parent is not None
                and parent.item.type is ItemType.GROUP and node.item.odk_name is not None
                and name == f"{parent.name}.{node.item.odk_name}")

    @cached_property
    def top_level(self) -> list[str]:
        return [n for n in self.order if self.nodes[n].parent is None]

    @cached_property
    def core_items(self) -> list[str]:
        """Items whose answers the outcome depends on: declared, or what indicators read.

        Calculations are followed to the answers they read.
        """
        declared = self.instrument.outcome.core_items
        if declared is not None:
            return list(declared)
        seen: set[str] = set()
        pending = [ref for expr in self.indicators.values() for ref in expr.references()]
        while pending:
            name = pending.pop()
            if name in seen or name not in self.nodes:
                continue
            seen.add(name)
            calc = self.nodes[name].calculation
            if calc is not None:
                pending.extend(calc.references())
        return [n for n in self.order if n in seen and self.nodes[n].item.is_answerable]
