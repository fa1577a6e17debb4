"""Expression columns (relevant, constraint, calculation, required, repeat_count).

Each expression is parsed by FieldScreen's own expression engine, the one that will run it.
XPath paths to items (``/data/group/q``, and ``../q`` which pyxform writes for
``or_other``) are rewritten to ``${q}``; typographic quotes are read as straight quotes
(with a warning) when that is what makes the expression parse. An expression the engine
cannot run is an error where dropping it would change which questions are asked
(``fatal``), else a warning saying what the form loses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from screening.errors import ErrorCode, ExpressionError
from screening.expr import parse
from screening.expr.regex import PatternError
from screening.xlsform.report import Collector

_CURLY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
    }
)


class ExpressionColumns:
    """The part of ``Mapper`` that checks and rewrites expressions."""

    out: Collector
    form: Mapping[str, Any]
    expressions: list[tuple[str, frozenset[str]]]

    def expression(
        self, text: Any, what: str, *, row: int | None, item: str, fatal: bool, loses: str = ""
    ) -> str | None:
        """An expression our engine runs, or None (an error if ``fatal``, else a warning)."""
        if text is None:
            return None
        source = " ".join(str(text).split())
        if not source:
            return None
        source = self._paths(source)
        try:
            expr = parse(source)
        except ExpressionError as exc:
            fixed = source.translate(_CURLY)
            if fixed != source:
                try:
                    expr = parse(fixed)
                except ExpressionError:
                    pass
                else:
                    self.out.warn(
                        "typographic quotes",
                        f"{what} of '{item}' uses typographic quotes (‘ ’ “ ”); "
                        f"read as straight quotes: {fixed}",
                        row=row,
                        item=item,
                        code=ErrorCode.INSTRUMENT_EXPRESSION,
                    )
                    self.expressions.append((fixed, expr.references()))
                    return fixed
            reason = exc.message
            if exc.column and reason.endswith(f" at column {exc.column}"):
                reason = (reason.removesuffix(f" at column {exc.column}")
                          + f" (column {exc.column} of the {what})")
            problem = f"{what} '{source}' of '{item}' cannot be run by FieldScreen: {reason}"
            code = (
                ErrorCode.EXPRESSION_UNSUPPORTED
                if exc.code is ErrorCode.EXPRESSION_UNSUPPORTED
                else ErrorCode.INSTRUMENT_EXPRESSION
            )
            # A regex() pattern RE2 cannot run is an error in any column: dropping the
            # constraint would accept answers the form's author meant to refuse.
            if fatal or isinstance(exc, PatternError):
                self.out.error("unsupported expression", problem, row=row, item=item, code=code)
            else:
                self.out.warn(
                    "expression dropped", f"{problem}; {loses}", row=row, item=item, code=code
                )
            return None
        self.expressions.append((source, expr.references()))
        return source

    def _paths(self, source: str) -> str:
        """XPath paths to items -> ``${name}``: ``/data/group/q`` and ``../q`` (pyxform
        writes the latter for ``or_other``), when the path names an item of this form."""
        root = str(self.form.get("name") or "data")
        absolute = re.compile(r"(?<![\w}\])])/" + re.escape(root) + r"((?:/[A-Za-z_][\w.\-]*)+)")
        relative = re.compile(r"(?<![\w}\]).])\.\./([A-Za-z_][\w.\-]*)(?![\w/])")
        known = self._path_names

        def replace_absolute(match: re.Match[str]) -> str:
            parts = tuple(match.group(1).strip("/").split("/"))
            name = known.get(parts)
            return "${" + name + "}" if name else match.group(0)

        def replace_relative(match: re.Match[str]) -> str:
            name = match.group(1)
            return "${" + name + "}" if name in known.values() else match.group(0)

        pieces = re.split(r"('[^']*'|\"[^\"]*\")", source)
        return "".join(
            p if i % 2 else relative.sub(replace_relative, absolute.sub(replace_absolute, p))
            for i, p in enumerate(pieces)
        )

    @property
    def _path_names(self) -> dict[tuple[str, ...], str]:
        cached = getattr(self, "_all_paths", None)
        if cached is None:
            cached = {}

            def walk(children: Iterable[Any], base: tuple[str, ...]) -> None:
                for child in children:
                    if isinstance(child, dict) and child.get("name"):
                        path = (*base, str(child["name"]))
                        cached[path] = str(child["name"])
                        walk(child.get("children") or (), path)

            walk(self.form.get("children") or (), ())
            self._all_paths = cached
        return cached
