"""Evaluator: walks the AST. No Python eval/exec anywhere; every operation is explicit."""

from __future__ import annotations

import math

from screening.errors import ErrorCode, ExpressionError
from screening.expr.env import Env
from screening.expr.functions import FUNCTIONS
from screening.expr.nodes import Call, Chain, Current, Literal, Neg, Node, Ref
from screening.expr.parser import Expr
from screening.expr.values import (
    NAN,
    Value,
    check_value,
    compare,
    equals,
    numeric,
    truthy,
)

_RELATIONAL = frozenset({"<", "<=", ">", ">="})


def evaluate(expr: Expr, env: Env) -> Value:
    """Evaluate ``expr`` against ``env``.

    Raises only ``ExpressionError``: evaluation problems (an invalid regex, an unknown
    reference, a value that is not a date) have code ``EXPRESSION_EVAL`` and the column of
    the sub-expression at fault. Arithmetic never raises: division by zero gives Infinity
    or NaN, as in XPath.
    """
    try:
        return _Evaluator(env).eval(expr.root)
    except ExpressionError:
        raise
    except RecursionError:  # MAX_DEPTH keeps trees far shallower; defence in depth
        raise ExpressionError(
            "expression is nested too deeply to evaluate", code=ErrorCode.EXPRESSION_EVAL
        ) from None
    except Exception as exc:  # a misbehaving Env, or a bug here: keep the one-type contract
        raise ExpressionError(
            f"internal error while evaluating ({type(exc).__name__})",
            code=ErrorCode.EXPRESSION_EVAL,
        ) from exc


def _with_column(error: ExpressionError, column: int) -> ExpressionError:
    """A copy of ``error`` (from a function or the Env, which know no columns) located."""
    return ExpressionError(f"{error.message} at column {column}", column=column, code=error.code)


def _divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return NAN
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _modulo(x: float, y: float) -> float:
    # XPath mod truncates (sign of the dividend), like Java's %, which is math.fmod.
    try:
        return math.fmod(x, y)
    except ValueError:  # x infinite or y zero
        return NAN


def _binary(op: str, left: Value, right: Value) -> Value:
    if op == "=":
        return equals(left, right)
    if op == "!=":
        return equals(left, right, negate=True)
    if op in _RELATIONAL:
        return compare(op, left, right)
    x, y = numeric(left), numeric(right)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        return _divide(x, y)
    return _modulo(x, y)


class _Evaluator:
    def __init__(self, env: Env) -> None:
        self.env = env

    def eval(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Chain):
            return self.chain(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Ref):
            try:
                return check_value(self.env.value(node.name), f"${{{node.name}}}")
            except ExpressionError as exc:
                if exc.column is not None:
                    raise
                raise _with_column(exc, node.column) from exc
        if isinstance(node, Current):
            try:
                return check_value(self.env.current(), "'.'")
            except ExpressionError as exc:
                if exc.column is not None:
                    raise
                raise _with_column(exc, node.column) from exc
        if isinstance(node, Neg):
            return -numeric(self.eval(node.operand))
        # ItemName and Parent only occur as arguments their functions read themselves.
        raise ExpressionError(
            f"internal error: stray {type(node).__name__} node at column {node.column}",
            column=node.column,
            code=ErrorCode.EXPRESSION_EVAL,
        )

    def chain(self, node: Chain) -> Value:
        first_op = node.rest[0][0]
        if first_op in ("and", "or"):
            # Short-circuit: a chain holds one level only, so all its operators are the same.
            stop = first_op == "or"
            if truthy(self.eval(node.first)) == stop:
                return stop
            for _, operand in node.rest:
                if truthy(self.eval(operand)) == stop:
                    return stop
            return not stop
        left = self.eval(node.first)
        for op, operand in node.rest:
            left = _binary(op, left, self.eval(operand))
        return left

    def call(self, node: Call) -> Value:
        spec = FUNCTIONS[node.name]
        try:
            if spec.lazy is not None:
                return spec.lazy(node.args, self.eval, self.env)
            assert spec.eager is not None
            return spec.eager([self.eval(arg) for arg in node.args], self.env)
        except ExpressionError as exc:
            if exc.column is not None:
                raise
            raise _with_column(exc, node.column) from exc


__all__ = ["evaluate"]
