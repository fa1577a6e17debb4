"""Property tests: hostile text and values only ever give ExpressionError; arithmetic is right."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, timedelta, timezone
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from screening.errors import ExpressionError
from screening.expr import (
    SUPPORTED_FUNCTIONS,
    Expr,
    SimpleEnv,
    Value,
    evaluate,
    parse,
    to_number,
    to_string,
)
from screening.expr.functions import FUNCTIONS

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- parse: arbitrary text -----------------------------------------------------------------

FRAGMENTS = [
    "${a}",
    "${b}",
    "${",
    "}",
    "$",
    "(",
    ")",
    ",",
    ".",
    "..",
    "'",
    '"',
    "'x'",
    '"y"',
    "1",
    "2.5",
    ".5",
    " ",
    "\n",
    "+",
    "-",
    "*",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "!",
    "==",
    "and",
    "or",
    "div",
    "mod",
    "AND",
    "not(",
    "if(",
    "concat(",
    "jr:choice-name(",
    "position(..)",
    "/",
    "[",
    "|",
    "@",
    "#",
    "pulldata(",
    "foo(",
    "${a-b}",
    "${العمر}",
    "\u00a0",
    "\u200c",
    "é",
    "😀",
    "\x00",
    "\\",
    "${last-saved#a}",
    "true()",
    "regex(",
    "'[a'",
]


def _parse_or_error(text: str) -> Expr | ExpressionError:
    """The parsed expression or the ExpressionError; anything else propagates and fails."""
    try:
        return parse(text)
    except ExpressionError as error:
        return error


def _assert_parse_is_safe(text: str) -> None:
    outcome = _parse_or_error(text)
    if isinstance(outcome, ExpressionError):
        assert outcome.message
        assert outcome.column is None or 1 <= outcome.column <= len(text) + 1
    else:
        assert outcome.source == text


@SETTINGS
@given(st.text(max_size=300))
def test_parse_arbitrary_text(text: str) -> None:
    _assert_parse_is_safe(text)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join))
def test_parse_expression_like_text(text: str) -> None:
    _assert_parse_is_safe(text)


@SETTINGS
@given(
    st.sampled_from(["(", "not(", "-", "if(1,2,", "concat(", "- (", "${a} + ("]),
    st.integers(min_value=1, max_value=6000),
    st.sampled_from(["", "1", "1)", ")" * 10]),
)
def test_parse_deep_nesting_never_overflows_the_stack(opener: str, depth: int, tail: str) -> None:
    _assert_parse_is_safe(opener * depth + tail)


# --- evaluate: any parsed expression over any values -----------------------------------------

NAMES = ("a", "b", "c")
_offsets = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-14))]
)
SCALARS = st.one_of(
    st.just(""),
    st.text(max_size=12),
    st.sampled_from(
        ["0", "3", "-1.5", "2024-01-05", "2024-01-05T10:00:00Z", "a b c", "true", "NaN"]
    ),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=_offsets),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4))

_literals = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(lambda n: str(n) if n >= 0 else f"({n})"),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.text(alphabet=st.characters(blacklist_characters="'"), max_size=8).map(lambda s: f"'{s}'"),
    st.sampled_from(["'%Y-%m-%d %H:%M %b %a'", "'[0-9]+'", "'a b'", "'2024-02-29'", "'%Q'"]),
)
LEAVES = st.one_of(st.sampled_from([f"${{{n}}}" for n in NAMES] + ["."]), _literals)
_PLAIN_FUNCTIONS = sorted(SUPPORTED_FUNCTIONS - {"position", "jr:choice-name"})
OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]


def _call(name: str, args: list[str]) -> str:
    return f"{name}({', '.join(args)})"


@st.composite
def _function_call(draw: st.DrawFn, children: st.SearchStrategy[str]) -> str:
    name = draw(st.sampled_from([*_PLAIN_FUNCTIONS, "position", "jr:choice-name"]))
    if name == "position":
        return "position(..)"
    if name == "jr:choice-name":
        return _call(name, [draw(children), f"'${{{draw(st.sampled_from(NAMES))}}}'"])
    spec = FUNCTIONS[name]
    high = spec.max_args if spec.max_args is not None else spec.min_args + 4
    count = draw(st.integers(spec.min_args, high))
    if spec.even_args and count % 2:
        count += 1
    return _call(name, [draw(children) for _ in range(count)])


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(OPERATORS), children).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"
    )
    return st.one_of(
        binary,
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        _function_call(children),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=12)


@dataclass(frozen=True)
class _Case:
    text: str
    env: SimpleEnv


@st.composite
def _cases(draw: st.DrawFn) -> _Case:
    text = draw(EXPRESSIONS)
    values = {name: draw(VALUES) for name in NAMES}
    env = SimpleEnv(
        values=values,
        current_value=draw(VALUES),
        today_date=draw(st.dates()),
        now_datetime=draw(st.datetimes(timezones=st.just(UTC))),
        choice_labels={"a": {"x": "X"}},
        repeat_position=draw(st.none() | st.integers(1, 50)),
    )
    return _Case(text, env)


def _is_value(value: object) -> bool:
    scalars = (str, int, float, bool, date)
    if isinstance(value, list):
        return all(isinstance(member, scalars) for member in value)
    return isinstance(value, scalars)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_evaluate_raises_nothing_but_expression_error(case: _Case) -> None:
    expr = _parse_or_error(case.text)
    if isinstance(expr, ExpressionError):
        return  # e.g. a constant pattern that is not a valid regex
    error: ExpressionError | None = None
    try:
        result = evaluate(expr, case.env)
    except ExpressionError as exc:
        error = exc
    if error is not None:
        # Every failure must be one we anticipated, not the evaluator's catch-all.
        assert not error.message.startswith("internal error"), (case.text, error.__cause__)
        assert error.column is not None
    else:
        assert _is_value(result), result
        to_string(result)  # and every result converts


# --- arithmetic matches a reference computation ---------------------------------------------

_PRECEDENCE = {"+": 4, "-": 4, "*": 5, "div": 5, "mod": 5}


@dataclass(frozen=True)
class _Num:
    value: int


@dataclass(frozen=True)
class _Bin:
    op: str
    left: _Num | _Bin | _Neg
    right: _Num | _Bin | _Neg


@dataclass(frozen=True)
class _Neg:
    operand: _Num | _Bin | _Neg


_Tree = _Num | _Bin | _Neg


def _trees() -> st.SearchStrategy[_Tree]:
    leaves = st.integers(min_value=0, max_value=30).map(_Num)

    def extend(children: st.SearchStrategy[_Tree]) -> st.SearchStrategy[_Tree]:
        return st.one_of(
            st.builds(_Bin, st.sampled_from(list(_PRECEDENCE)), children, children),
            st.builds(_Neg, children),
        )

    return st.recursive(leaves, extend, max_leaves=14)


def _render(tree: _Tree) -> tuple[str, int]:
    """Text with only the parentheses XPath precedence requires; and the tree's level."""
    if isinstance(tree, _Num):
        return str(tree.value), 7
    if isinstance(tree, _Neg):
        text, level = _render(tree.operand)
        return f"-{text}" if level >= 6 else f"-({text})", 6
    level = _PRECEDENCE[tree.op]
    left, left_level = _render(tree.left)
    right, right_level = _render(tree.right)
    if left_level < level:
        left = f"({left})"
    if right_level <= level:  # left-associative: a right operand of equal level needs parens
        right = f"({right})"
    return f"{left} {tree.op} {right}", level


class _DivByZero(Exception):
    pass


def _reference(tree: _Tree) -> Fraction:
    if isinstance(tree, _Num):
        return Fraction(tree.value)
    if isinstance(tree, _Neg):
        return -_reference(tree.operand)
    x, y = _reference(tree.left), _reference(tree.right)
    if tree.op == "+":
        return x + y
    if tree.op == "-":
        return x - y
    if tree.op == "*":
        return x * y
    if y == 0:
        raise _DivByZero
    if tree.op == "div":
        return x / y
    # XPath mod is IEEE fmod (keeps the sign of the dividend). It is discontinuous at
    # multiples of y, so compare with fmod of the float operands, not the exact remainder:
    # 1 mod 0.2 is 0.19999999999999996 in any double-based implementation, JavaRosa's too.
    return Fraction(math.fmod(float(x), float(y)))


@SETTINGS
@given(_trees())
def test_arithmetic_matches_exact_reference(tree: _Tree) -> None:
    text, _ = _render(tree)
    try:
        expected = _reference(tree)
    except _DivByZero:
        assume(False)
        return
    result = evaluate(parse(text), SimpleEnv())
    assert isinstance(result, float)
    scale = max(1.0, abs(float(expected)))
    assert math.isclose(result, float(expected), rel_tol=1e-9, abs_tol=1e-9 * scale), text


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_print_as_java_and_read_back(number: float) -> None:
    # As JavaRosa's string(): Java's Double.toString, so the exact value survives the text.
    text = to_string(number)
    assert float(text) == number
    if number.is_integer() and abs(number) < 2**31:
        assert text == str(int(number))
    elif 1e-3 <= abs(number) < 1e7:
        assert "E" not in text and to_number(text) == number
    else:
        assert "E" in text


@SETTINGS
@given(
    st.dictionaries(st.sampled_from(NAMES), VALUES), st.sampled_from(NAMES), st.sampled_from(NAMES)
)
def test_equality_is_symmetric(values: dict[str, Value], left: str, right: str) -> None:
    env = SimpleEnv(values=values, strict=False)
    assert evaluate(parse(f"${{{left}}} = ${{{right}}}"), env) == evaluate(
        parse(f"${{{right}}} = ${{{left}}}"), env
    )
