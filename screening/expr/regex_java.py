r"""Java's regular-expression syntax (``java.util.regex``, which JavaRosa's ``regex()`` uses)
rewritten into RE2's, or refused with a plain reason (:class:`PatternError`).

The flavour is desktop Java's (JavaRosa's reference, and the conformance harness's):
``\d \w \b`` and ``(?i)`` are ASCII (``(?iu)`` folds every script), ``\s`` is
``[ \t\n\x0B\f\r]``, ``.`` stops at ``\r \u0085 \u2028 \u2029`` too; ``\Q...\E`` is read
first, as Java does; ``\uXXXX``, ``\0oct``, ``\cX``, ``\h \v \R``, ``\p{IsLatin}``,
``\p{InArabic}`` (the blocks in ``regex_props``), ``\p{Alpha}`` (ASCII),
``\p{IsAlphabetic}``, ``\p{javaLowerCase}`` are rewritten. In a class, ``-`` makes a range
only between two single characters, as in Java (``[\s-z]`` is space, ``-`` or ``z``).

Known differences, all rare in forms (checked against Java 17):

* ``$`` (without ``(?m)``) and ``\Z`` also match before a line terminator that ends the
  text, in Java; here only at the very end. The whole text must match anyway, so this differs only
  when the pattern goes on to match that terminator (``abc$\n`` on "abc\n": Java true).
* ``(?m)``: ``^`` and ``$`` see only ``\n`` as a line end (Java: ``\r``, ``\u0085``,
  ``\u2028``, ``\u2029`` too), and ``(?m)^`` also matches at the end of the text (Java's
  does not: ``(?m)^$`` on "" is false there).
* Java 17 reads ``\b`` with Unicode letters (RE2: ASCII). ``(?iu)`` folds by Unicode's case
  folding here, by ``toUpperCase``/``toLowerCase`` in Java (``İ`` is ``i`` there, not here).
* Unicode versions: Java 17 knows Unicode 13, RE2 a newer one (newer letters differ).
* ``\p{Latin}``, which Java refuses, is accepted (ICU, on Android, accepts it too).
* Collect on Android runs ICU's engine, where ``\d \w (?i)`` are Unicode: there a form may
  accept "٣" for ``\d`` where FieldScreen, like desktop JavaRosa, does not.

Refused, because RE2 cannot run them in bounded time: backreferences, lookaround, atomic
groups, possessive quantifiers, counts that ask RE2 for over ``MAX_COPIES`` copies; and what
RE2 lacks: class unions/intersections, ``(?x)``, ``(?U)``, ``(?c)``, ``\X``, ``\N{...}``,
``\H \V`` and ``\P{block}`` inside ``[...]``, counts over 1000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from screening.errors import ErrorCode, ExpressionError
from screening.expr import regex_props

MAX_REPEAT = 1_000  # RE2's own limit for {n,m}
# RE2 writes counted repeats out: (?:ab){0,999} is 999 copies of ab. Its compile time grows
# with the square of a run of optional copies (a{0,999} 124 times: 20 s), so a pattern may
# ask for at most this many, counts multiplied through nested groups: < 0.05 s to compile.
MAX_COPIES = 4_000

_WHY = " cannot be checked in bounded time; rewrite the pattern without "
_TERMINATORS = r"\n\r\x{85}\x{2028}\x{2029}"
_SPACE = r"\t\n\x{B}\f\r "
_H_SPACE = r" \t\x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}"
_V_SPACE = r"\n\x{B}\f\r\x{85}\x{2028}\x{2029}"
_LINEBREAK = f"(?:\\r\\n|[{_V_SPACE}])"  # \R
_ZERO_WIDTH = frozenset({r"\b", r"\B", r"\A", r"\z"})
_JAVA_FLAGS = frozenset("idmsuxUc")


class PatternError(ExpressionError):
    """``regex()`` cannot run this pattern. ``unsupported``: a valid Java pattern that RE2
    cannot run in bounded time (or at all), rather than a malformed one. A subclass, so a
    form importer can refuse a constant pattern wherever it appears (even in a column whose
    other problems are only warnings)."""

    def __init__(
        self,
        message: str,
        *,
        unsupported: bool = False,
        column: int | None = None,
        code: ErrorCode | None = None,
    ) -> None:
        super().__init__(message, column=column, code=code or ErrorCode.EXPRESSION_EVAL)
        self.unsupported = unsupported


def refuse(what: str) -> PatternError:
    return PatternError(f"regex(): {what}", unsupported=True)


def invalid(detail: str) -> PatternError:
    return PatternError(f"regex(): invalid regular expression ({detail})")


class Translation(NamedTuple):
    pattern: str  # in RE2's syntax
    longest: float  # the most characters a match can span (math.inf: no bound)


def _hex(code: int) -> str:
    return f"\\x{{{code:X}}}"


def _ascii_fold(spans: list[tuple[int, int]]) -> set[str]:
    """The other case of every ASCII letter in ``spans``: what Java's (?i) adds to a class."""
    letters = {
        chr(code)
        for low, high in spans
        for code in range(max(low, 0x41), min(high, 0x7A) + 1)
        if chr(code).isalpha()
    }
    return {letter.swapcase() for letter in letters} - letters


def _literal(char: str) -> str:
    """``char`` as an RE2 literal, inside or outside a class (``-`` is ``\\-``)."""
    if char.isascii() and not char.isalnum():
        return _hex(ord(char)) if char.isspace() or not char.isprintable() else "\\" + char
    return char


def _count(digits: str) -> int:
    """A repetition count; a huge one (Java reads any number of digits) as just too large."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 4 else MAX_REPEAT + 1


def _unquote(p: str) -> str:
    """Java's first step (``Pattern.RemoveQEQuoting``): ``\\Q...\\E`` becomes escaped
    characters, so ``[\\Qa-c\\E]`` is ``[a\\-c]``; a digit right after ``\\Q`` is written
    ``\\x3N`` so that it cannot join an escape before it."""
    i = 0
    while i < len(p) - 1 and p[i : i + 2] != "\\Q":
        i += 2 if p[i] == "\\" else 1
    if i >= len(p) - 1:
        return p
    out, i, quoted, begin = [p[:i]], i + 2, True, True
    while i < len(p):
        char, i = p[i], i + 1
        if not char.isascii() or char.isalpha():
            out.append(char)
        elif char in "0123456789":
            out.append("\\x3" + char if begin else char)
        elif char != "\\":
            out.append("\\" + char if quoted else char)
        elif quoted:
            if p[i : i + 1] == "E":
                i, quoted = i + 1, False
            else:
                out.append("\\\\")
        elif p[i : i + 1] == "Q":
            i, quoted, begin = i + 1, True, True
            continue
        else:
            out.append(p[i - 1 : i + 1])
            i += 1
        begin = False
    return "".join(out)


@dataclass
class _Size:
    """What RE2 builds for one group: ``copies`` of atoms once counted repeats are written
    out, and the ``longest`` text it can match, in characters."""

    copies: int = 0
    longest: float = 0.0
    alt_copies: int = 0  # the alternatives before the last |
    alt_longest: float = 0.0
    last: tuple[int, float] = (0, 0.0)  # the atom a quantifier applies to

    def add(self, copies: int, longest: float) -> None:
        self.copies += self.last[0]
        self.longest += self.last[1]
        self.last = (copies, longest)

    def repeat(self, low: int, high: int | None) -> None:
        copies, longest = self.last
        if high is None:  # x{2,} is xx+ in RE2: two copies
            copies, longest = copies * max(low, 1), math.inf if longest else 0.0
        else:
            copies, longest = copies * high, longest * high if high else 0.0
        self.last = (min(copies, MAX_COPIES + 1), longest)

    def bar(self) -> None:
        self.add(0, 0.0)
        self.alt_copies = min(self.alt_copies + self.copies, MAX_COPIES + 1)
        self.alt_longest = max(self.alt_longest, self.longest)
        self.copies, self.longest = 0, 0.0

    def close(self) -> tuple[int, float]:
        self.bar()
        return self.alt_copies, self.alt_longest


class _Translator:
    """One pass over a Java pattern, writing the RE2 equivalent (or raising PatternError)."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.flags: list[set[str]] = [set()]  # Java flags on, per open group
        self.sizes: list[_Size] = [_Size()]  # per open group, as flags

    def peek(self, ahead: int = 0) -> str:
        index = self.i + ahead
        return self.p[index] if index < len(self.p) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise invalid("the pattern ends too early")
        self.i += 1
        return char

    @property
    def ascii_fold(self) -> bool:
        """Java's (?i) without (?u) folds ASCII letters only; RE2's folds every script, so
        then we spell the fold out ([aA]) instead of passing (?i) on."""
        return "i" in self.flags[-1] and "u" not in self.flags[-1]

    def literal(self, char: str) -> str:
        if self.ascii_fold and char.isascii() and char.isalpha():
            return f"[{char.lower()}{char.upper()}]"
        return _literal(char)

    def atom(self, text: str, longest: float = 1.0) -> None:
        self.out.append(text)
        self.sizes[-1].add(1, longest)

    def open(self, text: str, flags: set[str]) -> None:
        self.out.append(text)
        self.flags.append(flags)
        self.sizes.append(_Size())

    def run(self) -> Translation:
        while self.i < len(self.p):
            char = self.take()
            if char == "\\":
                text, code = self.escape(in_class=False)
                if code is not None:
                    self.atom(self.literal(chr(code)))
                else:
                    self.atom(text, 0.0 if text in _ZERO_WIDTH else 2.0 if text == _LINEBREAK
                              else 1.0)
            elif char == "[":
                self.atom(self.char_class())
            elif char == "(":
                self.group()
            elif char == ")":
                if len(self.flags) == 1:
                    raise invalid("unmatched )")
                self.flags.pop()
                self.out.append(")")
                inner = self.sizes.pop().close()
                self.sizes[-1].add(*inner)
            elif char in "*+?":
                self.out.append(char)
                self.sizes[-1].repeat(int(char == "+"), 1 if char == "?" else None)
                self.quantifier_suffix()
            elif char == "{":
                self.counted()
            elif char == ".":
                dot_all = self.flags[-1] & {"s", "d"}  # (?d): only \n ends a line, as in RE2
                self.atom("." if dot_all else f"[^{_TERMINATORS}]")
            elif char in "^$":
                self.atom(char, 0.0)
            elif char == "|":
                self.out.append(char)
                self.sizes[-1].bar()
            else:
                self.atom(self.literal(char))
        if len(self.flags) != 1:
            raise invalid("missing )")
        copies, longest = self.sizes[0].close()
        if copies > MAX_COPIES:
            raise refuse(
                f"the pattern's counts ({{n}}, {{n,m}}), multiplied through nested groups, "
                f"add up to more than {MAX_COPIES} repeated parts, too many to check safely; "
                "use * or + or smaller counts"
            )
        return Translation("".join(self.out), longest)

    def quantifier_suffix(self) -> None:
        if self.peek() == "?":  # lazy: the same yes/no answer
            self.out.append(self.take())
        elif self.peek() == "+":
            raise refuse(
                "possessive quantifiers (*+, ++, ?+, {n}+)" + _WHY + "them (use *, +, ?, {n})"
            )

    def counted(self) -> None:
        end = self.p.find("}", self.i)
        low, comma, high = (self.p[self.i : end] if end >= 0 else "").partition(",")
        if not low or any(c not in "0123456789" for c in low + high):  # Java: ASCII digits
            raise invalid("'{' must start a repetition such as {2} or {2,5}; write \\{ for '{'")
        least = _count(low)
        most = least if not comma else _count(high) if high else None
        if max(least, most or 0) > MAX_REPEAT:
            raise refuse(f"a repetition count over {MAX_REPEAT} is not supported")
        if most is not None and most < least:
            raise invalid("a repetition range such as {5,2} that runs backwards")
        self.i = end + 1
        # Written anew: RE2 reads {007} as the text "{007}", Java as {7}
        self.out.append(f"{{{least}}}" if not comma else f"{{{least},{most or ''}}}")
        self.sizes[-1].repeat(least, most)
        self.quantifier_suffix()

    def group(self) -> None:
        if self.peek() != "?":
            self.open("(", set(self.flags[-1]))
            return
        self.take()
        kind = self.peek()
        if kind in ("=", "!"):
            raise refuse("lookahead ((?=...), (?!...))" + _WHY + "it")
        if kind == "<" and self.peek(1) in ("=", "!"):
            raise refuse("lookbehind ((?<=...), (?<!...))" + _WHY + "it")
        if kind == ">":
            raise refuse("atomic groups ((?>...))" + _WHY + "them")
        if kind == ":":
            self.take()
            self.open("(?:", set(self.flags[-1]))
        elif kind == "<":  # a named group: the name does not matter for a yes/no answer
            end = self.p.find(">", self.i)
            name = self.p[self.i + 1 : end] if end >= 0 else ""
            if not (name.isascii() and name.isalnum() and name[0].isalpha()):
                raise invalid("a group name must be letters and digits, as (?<name>...)")
            self.i = end + 1
            self.open("(", set(self.flags[-1]))
        else:
            self.inline_flags()

    def inline_flags(self) -> None:
        on: set[str] = set()
        off: set[str] = set()
        target = on
        while True:
            char = self.take()
            if char in (")", ":"):
                break
            if char == "-" and target is on:
                target = off
            elif char in _JAVA_FLAGS:
                target.add(char)
            else:
                raise invalid("unknown group (?" + ("" if char.isspace() else char) + "...)")
        if "x" in on:
            raise refuse("the (?x) flag (spaces and # comments in patterns) is not supported")
        if "U" in on:
            raise refuse("the (?U) flag (Unicode \\d, \\w) is not supported; use \\p{Nd}, \\p{L}")
        if "c" in on:
            raise refuse("the (?c) flag (canonical equivalence) is not supported")
        before = self.flags[-1]
        flags = (before | on) - off
        re2_on, re2_off = sorted(on & set("ms")), sorted(off & set("ms"))
        unicode_fold = {"i", "u"} <= flags
        if unicode_fold != ({"i", "u"} <= before):  # RE2's (?i) only where Java's is Unicode
            (re2_on if unicode_fold else re2_off).append("i")
        spec = "".join(re2_on) + ("-" + "".join(re2_off) if re2_off else "")
        if char == ")":  # (?i): until the end of the enclosing group, in Java and RE2
            self.flags[-1] = flags
            if spec:
                self.out.append(f"(?{spec})")
        else:
            self.open(f"(?{spec}:", flags)

    def char_class(self) -> str:
        """``[...]`` as Java reads it (``Pattern.clazz``, ``range``): ``-`` makes a range only
        between two single characters, else it is itself a character. Every character is
        written escaped (``\\-``), so RE2 cannot read a range Java does not (``[\\s-z]``, or
        ``[a-z -]`` with the letters (?i) adds)."""
        negated = self.peek() == "^"
        self.i += negated
        items: list[str] = []
        spans: list[tuple[int, int]] = []  # the characters and ranges, for the (?i) fold
        while True:
            char = self.peek()
            if not char:
                raise invalid("missing ]")
            if char == "]" and items:  # a first ] is a character
                self.i += 1
                break
            if char == "[" or self.p.startswith("&&", self.i):
                raise refuse(
                    "classes inside classes ([a-z[0-9]], [a-z&&[^aeiou]]) are not supported; "
                    "write one class such as [a-z0-9]"
                )
            text, low = self.class_item()
            if low is None:  # \d, \p{L} ...: never one end of a range
                items.append(text)
                continue
            high = low
            if self.peek() == "-" and self.peek(1) not in ("]", "["):
                self.i += 1
                end = self.class_item()[1]
                if end is None:
                    raise invalid("a range such as [a-z] must end with one character")
                if end < low:
                    raise invalid("a range such as [z-a] that runs backwards")
                high = end
            spans.append((low, high))
            items.append(_literal(chr(low)) + ("-" + _literal(chr(high)) if high > low else ""))
        if self.ascii_fold:
            items += sorted(_ascii_fold(spans))
        return "[" + "^" * negated + "".join(items) + "]"

    def class_item(self) -> tuple[str, int | None]:
        char = self.take()
        return self.escape(in_class=True) if char == "\\" else (_literal(char), ord(char))

    def escape(self, *, in_class: bool) -> tuple[str, int | None]:
        """An escape: its RE2 text, and the character it stands for (None: a class or an
        anchor). One branch per Java escape."""
        char = self.take()
        if char in "123456789" or (char == "k" and self.peek() == "<"):
            raise refuse(f"backreferences (\\{char})" + _WHY + "them")
        code = {"t": 9, "n": 10, "r": 13, "f": 12, "a": 7, "e": 27}.get(char)
        if char == "0":
            code = self.octal()
        elif char in "ux":
            code = self.code_point(char)
        elif char == "c":
            code = ord(self.take()) ^ 64
        elif char == "v" and in_class and self.peek() == "-":  # Java: [\v-z] is [\x0B-z]
            code = 0x0B
        if code is not None:
            return _hex(code), code
        if char in "dDwW":
            return "\\" + char, None  # ASCII in RE2, as in Java
        if char in "pP":
            return self.property(negated=char == "P", in_class=in_class), None
        if char in "sS" and in_class:  # POSIX space is Java's \s, \x0B included (RE2's \s: not)
            return ("[:^space:]" if char == "S" else "[:space:]"), None
        sets = {"s": _SPACE, "h": _H_SPACE, "v": _V_SPACE}
        if char in sets:
            return (sets[char] if in_class else f"[{sets[char]}]"), None
        if char in "SHV":
            if in_class:
                raise refuse(f"\\{char} inside [...] is not supported; use [^...]")
            return f"[^{sets[char.lower()]}]", None
        if not in_class:
            anchors = {"b": r"\b", "B": r"\B", "A": r"\A", "G": r"\A", "z": r"\z", "Z": r"\z"}
            if char in anchors:  # \Z: Pattern.matches needs the whole text anyway
                return anchors[char], None
            if char == "R":
                return _LINEBREAK, None
        if char == "X":
            raise refuse("\\X (one user-perceived character) is not supported")
        if char == "N":
            raise refuse("\\N{...} (a character by name) is not supported; use \\x{...}")
        if char.isascii() and char.isalnum():
            raise invalid(f"unknown escape \\{char}")
        return _literal(char), ord(char)

    def octal(self) -> int:
        digits = ""
        limit = 3 if self.peek() in "0123" else 2
        while len(digits) < limit and self.peek() and self.peek() in "01234567":
            digits += self.take()
        if not digits:
            raise invalid("\\0 must be followed by octal digits")
        return int(digits, 8)

    def code_point(self, kind: str) -> int:
        hexdigits = "0123456789abcdefABCDEF"
        if kind == "x" and self.peek() == "{":
            end = self.p.find("}", self.i)
            digits, self.i = (self.p[self.i + 1 : end], end + 1) if end >= 0 else ("", self.i)
        else:
            size = 4 if kind == "u" else 2
            digits, self.i = self.p[self.i : self.i + size], self.i + size
            if len(digits) != size:
                digits = ""
        if not digits or any(c not in hexdigits for c in digits):
            raise invalid(f"\\{kind} must be followed by hexadecimal digits")
        code = int(digits, 16) if len(digits.lstrip("0")) <= 6 else 0x110000
        if kind == "u" and 0xD800 <= code <= 0xDBFF and self.p[self.i : self.i + 2] == r"\u":
            low = self.p[self.i + 2 : self.i + 6]
            pair = len(low) == 4 and all(c in hexdigits for c in low)
            if pair and 0xDC00 <= int(low, 16) <= 0xDFFF:  # a UTF-16 pair, as Java reads it
                self.i += 6
                code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
        if code > 0x10FFFF:
            raise invalid("a character code above \\x{10FFFF}")
        if 0xD800 <= code <= 0xDFFF:
            raise refuse("a lone UTF-16 surrogate (\\uD800) cannot be matched")
        return code

    def property(self, *, negated: bool, in_class: bool) -> str:
        if self.peek() == "{":
            end = self.p.find("}", self.i)
            if end < 0:
                raise invalid("\\p{ is not closed")
            name, self.i = self.p[self.i + 1 : end], end + 1
        else:
            name = self.take()
        try:
            return regex_props.re2_class(name, negated=negated, in_class=in_class,
                                         either_case="i" in self.flags[-1])
        except regex_props.Unsupported as exc:
            raise refuse(str(exc)) from None


def translate(pattern: str) -> Translation:
    """The RE2 pattern that matches what Java's ``Pattern`` would match for ``pattern``, and
    the longest text it can match. Raises :class:`PatternError` for what RE2 cannot run and
    for malformed patterns."""
    if any(0xD800 <= ord(char) <= 0xDFFF for char in pattern):
        raise invalid("the pattern is not valid Unicode")
    return _Translator(_unquote(pattern)).run()


__all__ = ["MAX_COPIES", "MAX_REPEAT", "PatternError", "Translation", "invalid", "refuse",
           "translate"]
