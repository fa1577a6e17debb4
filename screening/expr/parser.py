"""Parser: text -> :class:`Expr` (an immutable AST), with 1-based columns in every error.

Precedence climbing over XPath 1.0's levels (``or`` < ``and`` < ``= !=`` < ``< <= > >=`` <
``+ -`` < ``* div mod`` < unary ``-``). The parser recurses once per nesting level (a
parenthesis, a function argument, an operand of a tighter operator, a unary minus) and
counts those levels: past ``MAX_DEPTH`` it raises ``ExpressionError``, long before Python's
recursion limit, so hostile input cannot crash it. Flat runs of one operator (a 500-term
``or``) do not nest, so they cost no depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from screening.errors import ErrorCode, ExpressionError
from screening.expr import lexer
from screening.expr.functions import FUNCTIONS, UNSUPPORTED, compile_regex
from screening.expr.lexer import Token
from screening.expr.nodes import (
    PRECEDENCE,
    Call,
    Chain,
    Current,
    ItemName,
    Literal,
    Neg,
    Node,
    Parent,
    Ref,
    walk,
)
from screening.expr.regex import PatternError

MAX_LENGTH = 20_000
MAX_DEPTH = 100

# With no argument these read "." (XPath's context node); the parser makes that explicit.
_CONTEXT_DEFAULT = frozenset({"string", "number", "string-length", "normalize-space"})
_ITEM_LITERAL = re.compile(r"\s*\$\{([^}]*)\}\s*")


@dataclass(frozen=True)
class Expr:
    """A parsed expression. Immutable and hashable; build it with :func:`parse`."""

    source: str
    root: Node = field(repr=False)

    def references(self) -> frozenset[str]:
        """Item names the expression reads: every ``${name}``, including the item named in
        ``jr:choice-name(..., '${name}')``."""
        return self._summary[0]

    def uses_current(self) -> bool:
        """Whether the expression reads ``.`` (also implicitly, as in ``string-length()``)."""
        return self._summary[1]

    def functions(self) -> frozenset[str]:
        """Names of the functions called, as written (``count-selected``, ``jr:choice-name``)."""
        return self._summary[2]

    @cached_property
    def _summary(self) -> tuple[frozenset[str], bool, frozenset[str]]:
        names: set[str] = set()
        functions: set[str] = set()
        current = False
        for node in walk(self.root):
            if isinstance(node, Ref | ItemName):
                names.add(node.name)
            elif isinstance(node, Current):
                current = True
            elif isinstance(node, Call):
                functions.add(node.name)
        return frozenset(names), current, frozenset(functions)

    def __str__(self) -> str:
        return self.source


def _error(
    message: str, column: int, code: ErrorCode = ErrorCode.EXPRESSION_SYNTAX
) -> ExpressionError:
    return ExpressionError(f"{message} at column {column}", column=column, code=code)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def unexpected(self, token: Token, opener: Token | None = None) -> ExpressionError:
        if token.kind == lexer.UNSUPPORTED:
            return _error(str(token.value), token.column, ErrorCode.EXPRESSION_UNSUPPORTED)
        message = f"unexpected {token.describe()} at column {token.column}"
        if opener is not None:
            message += f" (expected ')' to close the '(' at column {opener.column})"
        return ExpressionError(message, column=token.column)

    def enter(self, column: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", column)

    def close(self, opener: Token) -> None:
        token = self.advance()
        if token.kind != lexer.RPAREN:
            raise self.unexpected(token, opener)

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token.kind != lexer.END:
            raise self.unexpected(token)
        return node

    def expression(self, min_level: int) -> Node:
        self.enter(self.peek().column)
        left = self.unary()
        while True:
            token = self.peek()
            level = PRECEDENCE.get(str(token.value)) if token.kind == lexer.OP else None
            if level is None or level < min_level:
                break
            rest: list[tuple[str, Node]] = []
            # Operands are parsed one level tighter, so all operators of this level end up
            # in one flat, left-associative chain.
            while token.kind == lexer.OP and PRECEDENCE.get(str(token.value)) == level:
                self.advance()
                rest.append((str(token.value), self.expression(level + 1)))
                token = self.peek()
            left = Chain(left, tuple(rest), column=left.column)
        self.depth -= 1
        return left

    def unary(self) -> Node:
        minuses: list[Token] = []
        while self.peek().kind == lexer.OP and self.peek().value == "-":
            minuses.append(self.advance())
            self.enter(minuses[-1].column)
        node = self.primary()
        for minus in reversed(minuses):
            node = Neg(node, column=minus.column)
        self.depth -= len(minuses)
        return node

    def primary(self) -> Node:
        token = self.advance()
        kind = token.kind
        if kind == lexer.NUM or kind == lexer.STR:
            return Literal(token.value, column=token.column)
        if kind == lexer.REF:
            return Ref(str(token.value), column=token.column)
        if kind == lexer.DOT:
            return Current(column=token.column)
        if kind == lexer.DOTDOT:
            raise _error(
                "'..' is only supported as position(..) or position(../..)",
                token.column,
                ErrorCode.EXPRESSION_UNSUPPORTED,
            )
        if kind == lexer.LPAREN:
            node = self.expression(0)
            self.close(token)
            return node
        if kind == lexer.NAME:
            return self.call(token)
        raise self.unexpected(token)

    def call(self, name_token: Token) -> Node:
        name, column = name_token.text, name_token.column
        spec = FUNCTIONS.get(name)
        if spec is None:
            if name in UNSUPPORTED:
                raise _error(
                    f"{name}() is not supported: {UNSUPPORTED[name]}",
                    column,
                    ErrorCode.EXPRESSION_UNSUPPORTED,
                )
            raise _error(f"unknown function '{name}()'", column)
        opener = self.advance()  # the lexer only makes a NAME when "(" follows
        args: list[Node] = []
        if (
            name == "position"
            and self.peek().kind == lexer.DOTDOT
            and self.peek(1).kind == lexer.RPAREN
        ):
            token = self.advance()
            args.append(Parent(column=token.column, levels=int(token.value or 1)))
        if not args and self.peek().kind != lexer.RPAREN:
            while True:
                args.append(self.expression(0))
                if self.peek().kind != lexer.COMMA:
                    break
                self.advance()
        self.close(opener)
        if not spec.accepts(len(args)):
            raise _error(f"function '{name}' takes {spec.arity_text()}, got {len(args)}", column)
        if name in _CONTEXT_DEFAULT and not args:
            args.append(Current(column=column))
        elif name == "position" and not isinstance(args[0], Parent):
            raise _error(
                "position() only supports '..' as its argument: position(..)",
                args[0].column,
                ErrorCode.EXPRESSION_UNSUPPORTED,
            )
        elif name == "jr:choice-name":
            args[1] = _item_argument(args[1])
        elif name == "regex" and isinstance(args[1], Literal) and isinstance(args[1].value, str):
            try:
                compile_regex(args[1].value)
            except PatternError as exc:  # a constant pattern RE2 cannot run: refuse the form
                column = args[1].column
                raise PatternError(
                    f"{exc.message} at column {column}",
                    unsupported=exc.unsupported,
                    column=column,
                    code=ErrorCode.EXPRESSION_UNSUPPORTED
                    if exc.unsupported
                    else ErrorCode.EXPRESSION_SYNTAX,
                ) from None
        return Call(name, tuple(args), column=column)


def _item_argument(node: Node) -> ItemName:
    """jr:choice-name's item: ODK writes it as a string '${name}'; a bare ${name} works too."""
    if isinstance(node, Ref):
        return ItemName(node.name, column=node.column)
    if isinstance(node, Literal) and isinstance(node.value, str):
        match = _ITEM_LITERAL.fullmatch(node.value)
        name = match.group(1) if match else ""
        if (
            name
            and lexer.is_name_start(name[0])
            and all(lexer.is_name_char(char) for char in name[1:])
        ):
            return ItemName(name, column=node.column)
    raise _error("jr:choice-name() needs the item written as '${name}'", node.column)


def parse(text: str) -> Expr:
    """Parse an expression. Raises ``ExpressionError`` (with a 1-based ``column``) for
    malformed text, unknown functions and wrong argument counts (``EXPRESSION_SYNTAX``), and
    for ODK features FieldScreen does not support (``EXPRESSION_UNSUPPORTED``)."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, not {type(text).__name__}")
    if not text.strip(" \t\r\n"):
        raise _error("empty expression", 1)
    if len(text) > MAX_LENGTH:
        raise _error(
            f"expression is too long ({len(text)} characters, the limit is {MAX_LENGTH})",
            MAX_LENGTH + 1,
        )
    try:
        root = _Parser(lexer.tokenize(text)).parse()
    except RecursionError:  # unreachable with MAX_DEPTH, kept as a last line of defence
        raise _error("expression is nested too deeply", 1) from None
    return Expr(text, root)


__all__ = ["MAX_DEPTH", "MAX_LENGTH", "Expr", "parse"]
