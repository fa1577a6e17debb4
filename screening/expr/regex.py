r"""``regex()``: ODK's Java patterns, run on RE2, whose matching time is linear in the text.

JavaRosa evaluates ``regex(s, p)`` as Java's ``Pattern.matches(p, s)``: the *whole* string
must match (checked against ODK_Validate.jar's JavaRosa; ``regex('abc', 'b')`` is false).
Java's engine, like Python's ``re``, backtracks, so ``(a+)+b`` takes exponential time. We
translate the Java pattern into RE2 syntax and let RE2 match it in linear time. What RE2
cannot express in bounded time (backreferences, lookaround, atomic groups, possessive
quantifiers) raises :class:`PatternError`: the parser reports a constant pattern when a form
is loaded, and a pattern built while the form runs is an evaluation error. No form pattern
ever runs on Python's ``re``.

The translation from Java's syntax, and its known differences, are in
``screening.expr.regex_java``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

import re2

from screening.errors import ErrorCode, ExpressionError
from screening.expr.regex_java import PatternError, invalid, refuse, translate

MAX_REGEX_SUBJECT = 10_000  # characters of text; RE2's time is linear in it
MAX_REGEX_PATTERN = 1_000  # characters of pattern
# RE2's memory budget per pattern (program + lazy DFA): a larger program is refused at
# compile time instead of being slow. 8 MiB admits [\p{L} '-]{1,100}, not \p{L}{1000}.
MAX_REGEX_MEMORY = 8 << 20
# RE2 runs in time linear in the text *and* in the program. When its fast DFA gives up (on
# patterns such as (?:[ab]?){999}, whose states are sets of thousands of instructions) each
# instruction costs 1-5 ns per byte of text. A program of N instructions on T bytes costs up
# to N*T: over this we refuse. With regex_java.MAX_COPIES, the slowest text and pattern we
# found within the caps take 0.17 s (bench/expr_bench.py). A text longer than the pattern can
# match is answered false first (^[\p{L} '-]{1,100}$, 120,000 instructions, on a long text),
# so real patterns, of a few hundred instructions, are never refused.
MAX_REGEX_WORK = 100_000_000
# Compiled patterns kept. A hostile form's largest programs take ~4.5 MiB each once used
# (measured), so this bounds the cache near 300 MiB; real forms have a handful of patterns.
_CACHE_SIZE = 64

_OPTIONS = re2.Options()
_OPTIONS.max_mem = MAX_REGEX_MEMORY
_OPTIONS.log_errors = False  # RE2 would print the pattern on stderr
_OPTIONS.never_capture = True  # a yes/no answer needs no groups
# Not re2.compile: its own cache of 128 programs, unbounded by our cache, would keep evicted
# programs alive. _Regexp is private: pyproject pins google-re2 to 1.1.x, and should a
# release drop it, re2.compile still works (with that second cache).
_NEW_PROGRAM: Callable[[str, Any], Any] = getattr(re2, "_Regexp", re2.compile)


class _Program(NamedTuple):
    program: Any  # RE2's
    longest: float  # the most characters a match can span


def _re2_reason(exc: re2.error) -> PatternError:
    raw = exc.args[0] if exc.args else b""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    reason = text.split(":", 1)[0]  # RE2 quotes the pattern after the colon: never echo it
    if "too large" in reason:
        return refuse(
            "the pattern is too large to check safely (a large count of a large class, as "
            "\\p{L}{500}); use * or + or a smaller count"
        )
    return invalid(reason)


@lru_cache(maxsize=_CACHE_SIZE)
def _compiled(pattern: str) -> _Program | PatternError:
    """The compiled pattern, or the PatternError to raise (failures are cached too: a
    refused 1,000-character pattern must not be recompiled for every answer)."""
    if len(pattern) > MAX_REGEX_PATTERN:
        return PatternError(f"regex(): the pattern is longer than {MAX_REGEX_PATTERN} characters")
    try:
        translation = translate(pattern)
        return _Program(_NEW_PROGRAM(translation.pattern, _OPTIONS), translation.longest)
    except PatternError as exc:
        return exc
    except re2.error as exc:
        return _re2_reason(exc)


def _program(pattern: str) -> _Program:
    result = _compiled(pattern)
    if isinstance(result, PatternError):
        raise PatternError(
            result.message, unsupported=result.unsupported, code=result.code
        ) from None
    return result


def compile_regex(pattern: str) -> Any:
    """The compiled RE2 program for a Java ``pattern``, or raises :class:`PatternError`."""
    return _program(pattern).program


def matches(subject: str, pattern: str) -> bool:
    """``Pattern.matches(pattern, subject)`` in linear time: does the whole text match."""
    if len(subject) > MAX_REGEX_SUBJECT:
        raise ExpressionError(
            f"regex(): the text is longer than {MAX_REGEX_SUBJECT} characters",
            code=ErrorCode.EXPRESSION_EVAL,
        )
    program, longest = _program(pattern)
    if len(subject) > longest:  # no match can span it (characters: Java's code points)
        return False
    try:
        text = subject.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from JSON "\ud800"): no letter matches it
        text = "".join(
            "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in subject
        ).encode("utf-8")
    if len(text) * program.programsize > MAX_REGEX_WORK:
        raise ExpressionError(
            "regex(): the pattern is too large to check on a text this long; "
            "simplify the pattern (fewer or smaller {n,m} counts)",
            code=ErrorCode.EXPRESSION_EVAL,
        )
    return program.fullmatch(text) is not None


__all__ = [
    "MAX_REGEX_MEMORY",
    "MAX_REGEX_PATTERN",
    "MAX_REGEX_SUBJECT",
    "MAX_REGEX_WORK",
    "PatternError",
    "compile_regex",
    "matches",
    "translate",
]
