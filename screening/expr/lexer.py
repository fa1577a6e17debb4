"""Tokenizer for the XLSForm/ODK XPath subset.

Columns are 1-based offsets into the source string (code points, so a multi-line cell just
counts on). Follows the XPath 1.0 lexical rule for operator names: after an operand, a word
is an operator (``and``, ``or``, ``div``, ``mod``); elsewhere a word must name a function
(it must be followed by ``(``), because bare XPath paths are not part of the subset.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from screening.errors import ErrorCode, ExpressionError

KEYWORDS = frozenset({"and", "or", "div", "mod"})

# Token kinds
NUM = "number"
STR = "string"
REF = "reference"
DOT = "."
DOTDOT = ".."
NAME = "name"  # a function name; always followed by "("
OP = "operator"
LPAREN = "("
RPAREN = ")"
COMMA = ","
END = "end"
UNSUPPORTED = "unsupported"  # a valid XPath symbol outside the subset; value is the reason

_OPERAND_END = frozenset({NUM, STR, REF, DOT, DOTDOT, RPAREN})
_DIGITS = frozenset("0123456789")
_SPACE = " \t\r\n"  # XPath whitespace; anything else (e.g. NBSP) is an error, shown as U+XXXX
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
# Zero-width (non-)joiners occur inside Persian/Indic names; XML allows them in names.
_JOINERS = frozenset({"\u200c", "\u200d", "\u00b7"})
# Characters that may follow an unclosed ``${name`` in a real expression: seeing one before the
# next "}" means the "}" belongs to something else, so the reference was never closed.
_NOT_IN_REF = frozenset("$(),'\"")

_UNSUPPORTED_CHARS = {
    "/": "XPath paths are not supported: refer to items as ${name}",
    "[": "XPath predicates '[...]' are not supported",
    "]": "XPath predicates '[...]' are not supported",
    "|": "the union operator '|' is not supported",
    "@": "XPath attributes '@' are not supported",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str  # exactly as written
    column: int
    value: str | float = ""

    def describe(self) -> str:
        """How error messages name this token."""
        if self.kind == END:
            return "end of expression"
        text = self.text if len(self.text) <= 24 else self.text[:21] + "..."
        if self.kind == NUM:
            return f"number {text}"
        if self.kind == STR:
            return f"string {text}"
        if self.kind == REF:
            return f"reference {text}"
        return f"'{text}'"


def is_name_start(ch: str) -> bool:
    return ch == "_" or unicodedata.category(ch)[0] == "L"


def is_name_char(ch: str) -> bool:
    # Letters, combining marks (Arabic harakat, Indic vowel signs), digits, and - . _
    return ch in "-._" or ch in _JOINERS or unicodedata.category(ch)[0] in "LMN"


def show_char(ch: str) -> str:
    """A character for an error message; invisible ones as U+XXXX."""
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"U+{ord(ch):04X}"


def _error(
    message: str, column: int, code: ErrorCode = ErrorCode.EXPRESSION_SYNTAX
) -> ExpressionError:
    return ExpressionError(f"{message} at column {column}", column=column, code=code)


def _scan_name(source: str, i: int) -> int:
    """End index of the name starting at ``i`` (which is a name-start character)."""
    n = len(source)
    i += 1
    while i < n and is_name_char(source[i]):
        i += 1
    return i


class _Lexer:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[Token] = []

    def after_operand(self) -> bool:
        return bool(self.tokens) and self.tokens[-1].kind in _OPERAND_END

    def add(self, kind: str, start: int, end: int, value: str | float = "") -> int:
        self.tokens.append(Token(kind, self.source[start:end], start + 1, value))
        return end

    def run(self) -> list[Token]:
        source, n, i = self.source, len(self.source), 0
        while i < n:
            ch = source[i]
            if ch in _SPACE:
                i += 1
            elif ch == "$":
                i = self.reference(i)
            elif ch in "'\"":
                close = source.find(ch, i + 1)
                if close < 0:
                    raise _error("unclosed string", i + 1)
                i = self.add(STR, i, close + 1, source[i + 1 : close])
            elif ch in _DIGITS or (ch == "." and source[i + 1 : i + 2] in _DIGITS):
                match = _NUMBER.match(source, i)
                assert match is not None  # the first character guarantees a match
                i = self.add(NUM, i, match.end(), float(match.group()))
            elif ch == ".":
                if source.startswith("..", i):
                    # "../.." (the entry around the entry) is one token: position(../..).
                    end = i + 2
                    while source.startswith("/..", end):
                        end += 3
                    i = self.add(DOTDOT, i, end, float((end - i + 1) // 3))
                else:
                    i = self.add(DOT, i, i + 1)
            elif is_name_start(ch):
                i = self.word(i)
            else:
                i = self.symbol(i)
        self.tokens.append(Token(END, "", n + 1))
        return self.tokens

    def reference(self, i: int) -> int:
        source, n = self.source, len(self.source)
        if not source.startswith("${", i):
            raise _error("unexpected '$' (references are written ${name})", i + 1)
        start = i + 2
        j = start
        if j < n and is_name_start(source[j]):
            j = _scan_name(source, j)
        if j < n and source[j] == "}":
            if j == start:
                raise _error("empty reference '${}'", i + 1)
            return self.add(REF, i, j + 1, source[start:j])
        if j < n and source[j] == "#":
            raise _error(
                "'${last-saved#...}' references are not supported",
                i + 1,
                ErrorCode.EXPRESSION_UNSUPPORTED,
            )
        close = source.find("}", j)
        if j >= n or close < 0 or any(c in _NOT_IN_REF for c in source[j:close]):
            raise _error("unclosed '${'", i + 1)
        raise _error(f"invalid character {show_char(source[j])} in reference name", j + 1)

    def word(self, i: int) -> int:
        source, n = self.source, len(self.source)
        end = _scan_name(source, i)
        # A namespace prefix, as in jr:choice-name.
        if end + 1 < n and source[end] == ":" and is_name_start(source[end + 1]):
            end = _scan_name(source, end + 1)
        word = source[i:end]
        k = end
        while k < n and source[k] in _SPACE:
            k += 1
        followed_by_paren = k < n and source[k] == "("
        if self.after_operand():
            if word in KEYWORDS:
                return self.add(OP, i, end, word)
            # "4 div-1": names may contain '-', but here the word must be an operator.
            head = word.split("-", 1)[0]
            if "-" in word and head in KEYWORDS:
                return self.add(OP, i, i + len(head), head)
            lower = word.lower()
            hint = f" (operators are lower-case: '{lower}')" if lower in KEYWORDS else ""
            raise _error(f"unexpected name '{word}': expected an operator{hint}", i + 1)
        if followed_by_paren:
            return self.add(NAME, i, end, word)
        if word in KEYWORDS:
            return self.add(OP, i, end, word)  # the parser reports it as misplaced
        if word in ("true", "false"):
            raise _error(f"unexpected name '{word}' (write {word}())", i + 1)
        raise _error(f"unexpected name '{word}' (references are written ${{{word}}})", i + 1)

    def symbol(self, i: int) -> int:
        source = self.source
        ch = source[i]
        two = source[i : i + 2]
        if two in ("!=", "<=", ">="):
            return self.add(OP, i, i + 2, two)
        if two == "==":
            raise _error("'==' is not an operator (use '=')", i + 1)
        if ch == "!":
            raise _error("unexpected '!' (use '!=' or not(...))", i + 1)
        if ch in "=<>+-*":
            return self.add(OP, i, i + 1, ch)
        if ch in "(),":
            return self.add(ch, i, i + 1)
        if ch in _UNSUPPORTED_CHARS:
            # Stop here and let the parser report it when it gets this far, so that in
            # "instance('x')/root" the unsupported function is what the author hears about.
            self.add(UNSUPPORTED, i, i + 1, _UNSUPPORTED_CHARS[ch])
            return len(source)
        raise _error(f"unexpected character {show_char(ch)}", i + 1)


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source``, ending with an END token. Raises ExpressionError."""
    return _Lexer(source).run()


__all__ = ["KEYWORDS", "Token", "is_name_char", "is_name_start", "tokenize"]
