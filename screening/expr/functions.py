r"""The function table: name -> arity and implementation (JavaRosa semantics unless noted).

Eager functions get their evaluated arguments; lazy ones (``if``, ``coalesce``,
``jr:choice-name``, ``position``) get the argument nodes and evaluate what they need.
Arity is checked by the parser, so implementations can index ``args`` freely.
Implementations raise only ``ExpressionError`` (the evaluator adds the column) and their
messages never contain values.

Where ODK's documentation and JavaRosa's code disagree, or Python differs from Java:

* ``regex(s, p)``: true if the *whole* string matches (JavaRosa's ``Pattern.matches``). Java's
  pattern syntax, run on RE2 in time linear in the text (``screening.expr.regex``), so
  ``(a+)+b`` cannot hang; backreferences and lookaround, which RE2 cannot run, and counts
  too large to compile quickly (``a{0,999}`` written 124 times) are refused.
* ``round(x, n)`` rounds halves toward +Infinity (2.5 -> 3, -2.5 -> -2) as JavaRosa does,
  on the printed decimal value; negative ``n`` works (JavaRosa mis-rounds negative numbers).
* ``checklist`` counts true values (JavaRosa), not the string "yes" (ODK docs);
  ``weighted-checklist`` takes -1 as "no bound" (ODK docs), which JavaRosa ignores.
* ``concat``, ``join``, ``sum``, ``min``, ``max``, ``checklist`` expand nodeset arguments;
  ``count(x)`` of a non-nodeset is 1 (a reference outside a repeat is one node).
* ``once(x)`` is the item's own value (``.``) when it has one, else ``x``, as in JavaRosa; the
  session stores a calculation's first non-empty value (``InterviewSession``).
* ``string-length`` counts UTF-16 units as Java does (an emoji is 2), like Collect.
"""

from __future__ import annotations

import math
import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext

from screening.expr import dates, regex
from screening.expr.env import Env
from screening.expr.nodes import ItemName, Node, Parent, Ref
from screening.expr.regex import (  # re-exported: the parser checks constant patterns
    MAX_REGEX_PATTERN,
    MAX_REGEX_SUBJECT,
    compile_regex,
)
from screening.expr.values import (
    NAN,
    Value,
    eval_error,
    flatten,
    is_empty,
    java_int,
    to_int,
    to_number,
    to_string,
    truthy,
)

EagerImpl = Callable[[list[Value], Env], Value]
Evaluate = Callable[[Node], Value]
LazyImpl = Callable[[tuple[Node, ...], Evaluate, Env], Value]

MAX_UUID_LENGTH = 1_000


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None: variadic
    eager: EagerImpl | None = None
    lazy: LazyImpl | None = None
    even_args: bool = False
    odd_args: bool = False  # indexed-repeat: the item, then (repeat, index) pairs

    def accepts(self, count: int) -> bool:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            return False
        if self.odd_args and not count % 2:
            return False
        return not (self.even_args and count % 2)

    def arity_text(self) -> str:
        if self.odd_args:
            return f"an odd number of arguments (at least {self.min_args})"
        if self.even_args:
            return f"an even number of arguments (at least {self.min_args})"
        low, high = self.min_args, self.max_args
        if high is None:
            return f"at least {low} argument{'s' if low != 1 else ''}"
        if low == high:
            return f"{low} argument{'s' if low != 1 else ''}"
        return f"{low} or {high} arguments" if high == low + 1 else f"{low} to {high} arguments"


FUNCTIONS: dict[str, FunctionSpec] = {}

# Known ODK/XPath functions we refuse on purpose, with the reason shown to the author.
UNSUPPORTED: dict[str, str] = {
    "pulldata": "FieldScreen cannot read external files",
    "instance": "FieldScreen has no secondary instances (choice filters from files)",
    "current": "choice filters over secondary instances are not supported",
    "randomize": "screening must be reproducible, so choice order is fixed",
    "random": "screening must be reproducible",
    "digest": "FieldScreen does not compute hashes in forms",
    "base64-decode": "FieldScreen does not decode data in forms",
    "extract-signed": "FieldScreen does not verify signatures in forms",
    "area": "FieldScreen does not record locations",
    "distance": "FieldScreen does not record locations",
    "enclosed-area": "FieldScreen does not record locations",
    "geofence": "FieldScreen does not record locations",
    "version": "the form version is not available to expressions",
    "property": "device properties are not available to expressions",
    "jr:itext": "translations are chosen by FieldScreen, not by expressions",
    # XPath 1.0 has these, but ODK Collect (JavaRosa 5.1.0) stops the form with "cannot handle
    # function" when it evaluates them (measured in tests/conformance); a form tested on
    # Collect never uses them, and one exported from FieldScreen must run there.
    "floor": "ODK Collect cannot evaluate floor(); use int() (toward zero) or round()",
    "ceiling": "ODK Collect cannot evaluate ceiling(); use int() or round()",
    "substring": "ODK Collect cannot evaluate substring(); use substr(text, start, end), "
    "which counts from 0",
    "last": "XPath node-set functions are not supported",
    "local-name": "XPath node-set functions are not supported",
    "name": "XPath node-set functions are not supported",
    "namespace-uri": "XPath node-set functions are not supported",
    "id": "XPath node-set functions are not supported",
    "lang": "XPath node-set functions are not supported",
}


def _register(
    name: str, low: int, high: int | None = -1, *, even: bool = False
) -> Callable[[EagerImpl], EagerImpl]:
    def decorator(impl: EagerImpl) -> EagerImpl:
        FUNCTIONS[name] = FunctionSpec(name, low, low if high == -1 else high, impl, even_args=even)
        return impl

    return decorator


def _register_lazy(name: str, low: int, high: int | None = -1) -> Callable[[LazyImpl], LazyImpl]:
    def decorator(impl: LazyImpl) -> LazyImpl:
        FUNCTIONS[name] = FunctionSpec(name, low, low if high == -1 else high, lazy=impl)
        return impl

    return decorator


def _unary(name: str, convert: Callable[[Value], Value]) -> None:
    FUNCTIONS[name] = FunctionSpec(name, 1, 1, lambda args, env: convert(args[0]))


def _math(name: str, func: Callable[[float], float]) -> None:
    FUNCTIONS[name] = FunctionSpec(name, 1, 1, lambda args, env: func(to_number(args[0])))


# --- control flow and booleans -------------------------------------------------------------


@_register_lazy("if", 3)
def _if(args: tuple[Node, ...], ev: Evaluate, env: Env) -> Value:
    return ev(args[1]) if truthy(ev(args[0])) else ev(args[2])


@_register_lazy("coalesce", 2)
def _coalesce(args: tuple[Node, ...], ev: Evaluate, env: Env) -> Value:
    first = ev(args[0])
    return ev(args[1]) if is_empty(first) else first


@_register_lazy("once", 1)
def _once(args: tuple[Node, ...], ev: Evaluate, env: Env) -> Value:
    """JavaRosa: the item's own value once it has one, else the argument. The engine keeps
    the first non-empty value (``InterviewSession``), so ``once(uuid())`` stays put."""
    current = env.current()
    return current if not is_empty(current) else ev(args[0])
_unary("boolean", truthy)
_unary("not", lambda value: not truthy(value))
FUNCTIONS["true"] = FunctionSpec("true", 0, 0, lambda args, env: True)
FUNCTIONS["false"] = FunctionSpec("false", 0, 0, lambda args, env: False)
_unary("boolean-from-string", lambda value: to_string(value).lower() in ("true", "1"))
# With no argument these read "." (the parser passes it), as in XPath.
FUNCTIONS["string"] = FunctionSpec("string", 0, 1, lambda args, env: to_string(args[0]))
FUNCTIONS["number"] = FunctionSpec("number", 0, 1, lambda args, env: to_number(args[0]))


@_register("checklist", 2, None)
def _checklist(args: list[Value], env: Env) -> Value:
    low, high = java_int(to_number(args[0])), java_int(to_number(args[1]))
    count = sum(1 for value in flatten(args[2:]) if truthy(value))
    return (low < 0 or count >= low) and (high < 0 or count <= high)


@_register("weighted-checklist", 2, None, even=True)
def _weighted_checklist(args: list[Value], env: Env) -> Value:
    flags: list[Value] = list(args[2::2])
    weights: list[Value] = list(args[3::2])
    if len(args) == 4 and isinstance(args[2], list) and isinstance(args[3], list):
        flags, weights = list(args[2]), list(args[3])  # two parallel nodesets
        if len(flags) != len(weights):
            raise eval_error("weighted-checklist(): the two nodesets differ in length")
    low, high = to_number(args[0]), to_number(args[1])
    total = sum(to_number(w) for f, w in zip(flags, weights, strict=True) if truthy(f))
    return (low == -1 or total >= low) and (high == -1 or total <= high)


# --- select_multiple answers (space-separated choice names) --------------------------------


def _choice_names(answer: str) -> list[str]:
    """A select_multiple answer's choices: split on spaces only, as JavaRosa (a tab or a
    newline is part of a name there)."""
    return [name for name in answer.split(" ") if name]


@_register("selected", 2)
def _selected(args: list[Value], env: Env) -> Value:
    # JavaRosa's test, kept exactly (tests/conformance): " a c " contains " a c ", and an
    # empty answer "selects" the empty choice.
    choice = to_string(args[1]).strip()
    return f" {choice} " in f" {to_string(args[0])} "


@_register("selected-at", 2)
def _selected_at(args: list[Value], env: Env) -> Value:
    choices = _choice_names(to_string(args[0]))
    index = java_int(to_number(args[1]))  # as JavaRosa's (int) cast: NaN is 0
    if not 0 <= index < len(choices):
        return ""
    return choices[index]


_unary("count-selected", lambda value: float(len(_choice_names(to_string(value)))))


@_register_lazy("jr:choice-name", 2)
def _choice_name(args: tuple[Node, ...], ev: Evaluate, env: Env) -> Value:
    choice = to_string(ev(args[0]))
    item = args[1]
    assert isinstance(item, ItemName)  # the parser guarantees it
    if choice == "":
        return ""
    label = env.choice_label(item.name, choice)
    if not isinstance(label, str):
        raise eval_error(f"the choice label of ${{{item.name}}} is not a string")
    return label


def _indexed_repeat(args: tuple[Node, ...], ev: Evaluate, env: Env) -> Value:
    """``indexed-repeat(${item}, ${repeat}, n[, ${repeat2}, m ...])`` (JavaRosa): the item
    in entry n (1-based; below 1 or not a number: the first) of each repeat named; ``""``
    when that entry does not exist. The item and repeats are references, never evaluated."""
    names = [arg.name if isinstance(arg, Ref) else None for arg in args[0::2][:1] + args[1::2]]
    if None in names:
        raise eval_error("indexed-repeat() takes ${item}, then ${repeat} and an index for each "
                         "repeat around it")
    pairs = []
    for repeat, index_node in zip(names[1:], args[2::2], strict=True):
        number = to_int(to_number(ev(index_node)))
        index = 1 if math.isnan(number) or number < 1 else int(min(number, 2**31 - 1))
        pairs.append((str(repeat), index))
    return env.indexed(str(names[0]), tuple(pairs))


FUNCTIONS["indexed-repeat"] = FunctionSpec("indexed-repeat", 3, None, lazy=_indexed_repeat,
                                           odd_args=True)


@_register_lazy("position", 1)
def _position(args: tuple[Node, ...], ev: Evaluate, env: Env) -> Value:
    levels = args[0].levels if isinstance(args[0], Parent) else 1
    position = env.position(levels)
    if not isinstance(position, int) or isinstance(position, bool):
        raise eval_error("the repeat position is not an integer")
    return float(position)


# --- numbers -------------------------------------------------------------------------------

_unary("int", lambda value: to_int(to_number(value)))
_math("abs", abs)
# Java's Math semantics: domain errors give NaN, overflow gives Infinity, log(0) is -Infinity.
_math("sqrt", lambda x: math.sqrt(x) if x >= 0 else NAN)
_math("log", lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else NAN))
_math("log10", lambda x: math.log10(x) if x > 0 else (-math.inf if x == 0 else NAN))
_math("exp", lambda x: _exp(x))
_math("exp10", lambda x: _pow(10.0, x))
_math("sin", lambda x: math.sin(x) if math.isfinite(x) else NAN)
_math("cos", lambda x: math.cos(x) if math.isfinite(x) else NAN)
_math("tan", lambda x: math.tan(x) if math.isfinite(x) else NAN)
_math("asin", lambda x: math.asin(x) if -1 <= x <= 1 else NAN)
_math("acos", lambda x: math.acos(x) if -1 <= x <= 1 else NAN)
_math("atan", math.atan)
FUNCTIONS["pi"] = FunctionSpec("pi", 0, 0, lambda args, env: math.pi)
FUNCTIONS["atan2"] = FunctionSpec(
    "atan2", 2, 2, lambda args, env: math.atan2(to_number(args[0]), to_number(args[1]))
)
FUNCTIONS["pow"] = FunctionSpec(
    "pow", 2, 2, lambda args, env: _pow(to_number(args[0]), to_number(args[1]))
)


def _pow(x: float, y: float) -> float:
    """Java's Math.pow, which differs from math.pow at the edges."""
    if y == 0:
        return 1.0
    if math.isnan(x) or math.isnan(y):
        return NAN
    odd_integer = y.is_integer() and abs(y) < 2**53 and int(y) % 2 == 1
    try:
        return math.pow(x, y)
    except OverflowError:
        return -math.inf if x < 0 and odd_integer else math.inf
    except ValueError:
        if x == 0:  # 0 to a negative power
            return -math.inf if math.copysign(1, x) < 0 and odd_integer else math.inf
        return NAN  # a negative number to a fractional power


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


_ROUND_CONTEXT = Context(prec=400)  # enough digits for any double plus 30 decimals


@_register("round", 1, 2)
def _round(args: list[Value], env: Env) -> Value:
    """JavaRosa round(): halves go up (2.5 -> 3, -2.5 -> -2), on the decimal value as
    printed (so round(2.675, 2) is 2.68 as users expect, not 2.67 as binary floats say)."""
    number = to_number(args[0])
    digits = java_int(to_number(args[1])) if len(args) == 2 else 0
    if not math.isfinite(number):
        return number
    if abs(digits) > 30:
        return NAN
    mode = ROUND_HALF_UP if number >= 0 else ROUND_HALF_DOWN
    with localcontext(_ROUND_CONTEXT):
        rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-digits), rounding=mode)
    return float(rounded)


def _numbers(args: list[Value]) -> list[float]:
    """Numeric members, NaN (e.g. unanswered) skipped, as JavaRosa does for sum/min/max."""
    return [x for x in map(to_number, flatten(args)) if not math.isnan(x)]


FUNCTIONS["sum"] = FunctionSpec("sum", 1, 1, lambda args, env: sum(_numbers(args), 0.0))
FUNCTIONS["max"] = FunctionSpec("max", 1, None, lambda args, env: max(_numbers(args), default=NAN))
FUNCTIONS["min"] = FunctionSpec("min", 1, None, lambda args, env: min(_numbers(args), default=NAN))


def _count(value: Value) -> Value:
    # A reference to an item outside a repeat is a nodeset of one node, as in ODK.
    return float(len(value)) if isinstance(value, list) else 1.0


def _count_non_empty(value: Value) -> Value:
    members = value if isinstance(value, list) else [value]
    return float(sum(1 for member in members if to_string(member) != ""))


_unary("count", _count)
_unary("count-non-empty", _count_non_empty)


# --- strings -------------------------------------------------------------------------------

_XML_SPACE_RUN = re.compile(r"[ \t\r\n]+")

def _utf16_length(text: str) -> float:
    """Java's ``String.length()``: UTF-16 units, so an emoji counts 2 (Collect, Web Forms)."""
    return float(len(text) + sum(1 for char in text if ord(char) > 0xFFFF))


FUNCTIONS["string-length"] = FunctionSpec(
    "string-length", 0, 1, lambda args, env: _utf16_length(to_string(args[0]))
)
FUNCTIONS["normalize-space"] = FunctionSpec(
    "normalize-space",
    0,
    1,
    lambda args, env: _XML_SPACE_RUN.sub(" ", to_string(args[0])).strip(" "),
)
FUNCTIONS["concat"] = FunctionSpec(
    "concat", 1, None, lambda args, env: "".join(map(to_string, flatten(args)))
)
FUNCTIONS["join"] = FunctionSpec(
    "join", 1, None, lambda args, env: to_string(args[0]).join(map(to_string, flatten(args[1:])))
)
FUNCTIONS["contains"] = FunctionSpec(
    "contains", 2, 2, lambda args, env: to_string(args[1]) in to_string(args[0])
)
FUNCTIONS["starts-with"] = FunctionSpec(
    "starts-with", 2, 2, lambda args, env: to_string(args[0]).startswith(to_string(args[1]))
)
FUNCTIONS["ends-with"] = FunctionSpec(
    "ends-with", 2, 2, lambda args, env: to_string(args[0]).endswith(to_string(args[1]))
)


@_register("substring-before", 2)
def _substring_before(args: list[Value], env: Env) -> Value:
    text, target = to_string(args[0]), to_string(args[1])
    position = text.find(target)
    return text[:position] if position >= 0 else ""


@_register("substring-after", 2)
def _substring_after(args: list[Value], env: Env) -> Value:
    text, target = to_string(args[0]), to_string(args[1])
    position = text.find(target)
    return text[position + len(target) :] if position >= 0 else ""


@_register("substr", 2, 3)
def _substr(args: list[Value], env: Env) -> Value:
    """ODK substr(s, start[, end]): 0-based, end exclusive, negative counts from the end."""
    text = to_string(args[0])
    length = len(text)
    start = java_int(to_number(args[1]))
    end = java_int(to_number(args[2])) if len(args) == 3 else length
    start, end = (start + length if start < 0 else start), (end + length if end < 0 else end)
    start, end = min(max(0, start), length), min(max(0, end), length)
    return text[start:end] if start <= end else ""


@_register("translate", 3)
def _translate(args: list[Value], env: Env) -> Value:
    text, source, target = (to_string(arg) for arg in args)
    table: dict[int, str | None] = {}
    for index, char in enumerate(source):
        table.setdefault(ord(char), target[index] if index < len(target) else None)
    return text.translate(table)


@_register("regex", 2)
def _regex(args: list[Value], env: Env) -> Value:
    """True if the whole string matches, as ODK (Java's Pattern.matches), on RE2."""
    return regex.matches(to_string(args[0]), to_string(args[1]))


# --- dates, identifiers --------------------------------------------------------------------

FUNCTIONS["today"] = FunctionSpec("today", 0, 0, lambda args, env: dates.today(env))
FUNCTIONS["now"] = FunctionSpec("now", 0, 0, lambda args, env: dates.now(env))
_unary("date", dates.to_date)
_unary("date-time", dates.to_datetime)
_unary("decimal-date-time", dates.decimal_date_time)
_unary("decimal-time", dates.decimal_time)
FUNCTIONS["format-date"] = FunctionSpec(
    "format-date", 2, 2, lambda args, env: dates.format_date(args[0], args[1], "format-date")
)
FUNCTIONS["format-date-time"] = FunctionSpec(
    "format-date-time",
    2,
    2,
    lambda args, env: dates.format_date(args[0], args[1], "format-date-time"),
)

_GUID_ALPHABET = string.ascii_letters + string.digits


@_register("uuid", 0, 1)
def _uuid(args: list[Value], env: Env) -> Value:
    if not args:
        return str(uuid.uuid4())
    length = java_int(to_number(args[0]))
    if length > MAX_UUID_LENGTH:
        raise eval_error(f"uuid(): the length is over {MAX_UUID_LENGTH}")
    return "".join(secrets.choice(_GUID_ALPHABET) for _ in range(max(0, length)))


SUPPORTED_FUNCTIONS = frozenset(FUNCTIONS)

__all__ = [
    "FUNCTIONS",
    "MAX_REGEX_PATTERN",
    "MAX_REGEX_SUBJECT",
    "SUPPORTED_FUNCTIONS",
    "UNSUPPORTED",
    "FunctionSpec",
    "compile_regex",
]
