"""XLSForm choice filters (cascading selects): ``state=${state}`` keeps the choices whose
``state`` column equals the answer to ``${state}``.

In a choice filter a bare name is a column of the choices sheet (``name`` is the choice's
own name). Our expression language has no bare names, so the filter is rewritten once:
``state`` becomes ``${__choice__state}``, which the evaluation resolves per choice.
"""

from __future__ import annotations

import re

from screening.expr.parser import Expr, parse

PREFIX = "__choice__"
KEYWORDS = frozenset({"and", "or", "div", "mod"})
_TOKEN = re.compile(
    r"""(?P<str>'[^']*'|"[^"]*")|(?P<ref>\$\{[^}]*\})|(?P<name>[^\W\d][\w.\-]*)|(?P<other>.)""",
    re.DOTALL,
)


def rewrite(text: str) -> str:
    out = []
    for match in _TOKEN.finditer(text):
        name = match.group("name")
        if name is None:
            out.append(match.group(0))
            continue
        rest = text[match.end():].lstrip()
        if name in KEYWORDS or rest.startswith("("):  # an operator or a function call
            out.append(name)
        else:
            out.append("${" + PREFIX + name + "}")
    return "".join(out)


def compile_choice_filter(text: str) -> Expr:
    """Parse a choice filter; raises ExpressionError with columns of the rewritten text."""
    return parse(rewrite(text))


def item_references(expr: Expr) -> frozenset[str]:
    """The items (not choice columns) a compiled filter reads."""
    return frozenset(r for r in expr.references() if not r.startswith(PREFIX))
