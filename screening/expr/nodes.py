"""AST node types of the expression language.

Nodes are frozen, slotted dataclasses, so whole trees are immutable and hashable. Every node
records the 1-based ``column`` where it starts in the source; the column takes no part in
equality or hashing, so ``1+2`` and ``1 + 2`` parse to equal trees.

Runs of operators of one precedence level are kept flat in a :class:`Chain`
(``a + b - c`` is one node with two steps), so a long ``or`` list or a long sum is a shallow
tree: neither the evaluator nor ``==``/``hash`` recurse once per operand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# Operator groups, loosest first (XPath 1.0 precedence).
OR_OPS = frozenset({"or"})
AND_OPS = frozenset({"and"})
EQ_OPS = frozenset({"=", "!="})
REL_OPS = frozenset({"<", "<=", ">", ">="})
ADD_OPS = frozenset({"+", "-"})
MUL_OPS = frozenset({"*", "div", "mod"})
PRECEDENCE: dict[str, int] = {
    op: level
    for level, ops in enumerate((OR_OPS, AND_OPS, EQ_OPS, REL_OPS, ADD_OPS, MUL_OPS))
    for op in ops
}


@dataclass(frozen=True, slots=True)
class Literal:
    """A string literal or a number literal (numbers are always ``float``, as in XPath)."""

    value: str | float
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Ref:
    """``${name}``: the value of another item."""

    name: str
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class ItemName:
    """The item argument of ``jr:choice-name``: names an item, is never evaluated."""

    name: str
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the value of the item the expression belongs to."""

    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Parent:
    """``..`` (``levels`` 1) or ``../..`` (2) ...: only ever the argument of ``position``."""

    column: int = field(default=1, compare=False)
    levels: int = 1


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus."""

    operand: Node
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Chain:
    """``first op1 x1 op2 x2 ...``, all operators of one precedence level, left-associative."""

    first: Node
    rest: tuple[tuple[str, Node], ...]
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``name`` as written (``count-selected``, ``jr:choice-name``)."""

    name: str
    args: tuple[Node, ...]
    column: int = field(default=1, compare=False)


Node = Literal | Ref | ItemName | Current | Parent | Neg | Chain | Call


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node``, in source order."""
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Chain):
        return (node.first, *(operand for _, operand in node.rest))
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, pre-order. Iterative: safe on any tree the parser builds."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


__all__ = [
    "PRECEDENCE",
    "Call",
    "Chain",
    "Current",
    "ItemName",
    "Literal",
    "Neg",
    "Node",
    "Parent",
    "Ref",
    "children",
    "walk",
]
