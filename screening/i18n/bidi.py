"""Direction of mixed text, shared by the referral PDF and the app (issues #14 and #15).

Phone numbers, web addresses, e-mail addresses, case references and other ids, hashes and
ISO dates are written left to right in every language. Inside right-to-left text the
Unicode Bidirectional Algorithm (UAX #9) does not know that: "+962 79 555 1234" after an
Arabic word shows as "1234 555 79 962+", and "https://x.org" can come out as "https//:…".
This module finds those runs and wraps each in a left-to-right isolate (LRI … PDI), so they
read left to right whatever surrounds them and cannot move the words next to them.

It also keeps punctuation with its sentence: in text that mixes directions, each sentence is
its own first-strong isolate (FSI … PDI), so the full stop of an English sentence stays at
its end inside an Arabic paragraph (and not ".Needs a safe place").

Both faces use the same functions: the app puts the isolates into the strings it gives Qt
(Qt's text engine implements UAX #9 isolates), and the PDF layout
(``screening.reports.text``) resolves them with its own UAX #9 pass. Bidi controls typed
into data are removed first (``strip_controls``): text from a respondent, a directory file
or an instrument must not be able to reverse the words around it ("Trojan Source").

No Qt, no ReportLab: this module is plain Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

LRM = "\u200e"
RLM = "\u200f"
LRI = "\u2066"
RLI = "\u2067"
FSI = "\u2068"
PDI = "\u2069"

# Explicit embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). LRM/RLM/ALM
# are marks, not controls: they cannot reorder anything beyond themselves and are kept.
_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])

# Characters that end a sentence; the space after them is where the next one begins.
_SENTENCE_END = ".!?…。！？؟۔"
# Trailing characters that are punctuation of the sentence, not part of a URL or an id.
_TRAILING = ".,;:!?…)]}>'\"»”’،؛؟。、！？"

_D = r"[0-9\u0660-\u0669\u06F0-\u06F9]"  # ASCII, Arabic-Indic and Persian digits
_GROUP = rf"(?:\({_D}+\)|{_D}+)"
_PATTERNS: dict[str, re.Pattern[str]] = {
    kind: re.compile(rx)
    for kind, rx in (
        ("url", r"(?:(?:https?|ftp)://|www\.)[^\s<>\"\u2066-\u2069]+"),
        ("email", r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
        (
            "date",
            rf"{_D}{{4}}-{_D}{{2}}(?:-{_D}{{2}})?(?:[T ]{_D}{{2}}:{_D}{{2}}"
            rf"(?::{_D}{{2}}(?:\.{_D}+)?)?(?:Z|[+\-]{_D}{{2}}:?{_D}{{2}})?)?",
        ),
        ("hash", r"(?:sha(?:256|-256|512|1):)?[0-9A-Fa-f]{16,}"),
        # An optional + and groups of digits, each after one space, dot or hyphen, or in
        # brackets: "+962 79 555 1234", "+1 (555) 010-1234". Seven digits at least (below).
        ("phone", rf"\+?{_GROUP}(?:[ .\-\u00a0]{_GROUP}|\({_D}+\))*"),
        # Case references and other ids: letters and digits joined by - / _ . : #.
        ("id", r"[A-Za-z0-9]+(?:[\-/_.:#][A-Za-z0-9]+)+"),
    )
}
# When two kinds overlap, the longer run wins; on a tie, the earlier kind in this order.
_PRIORITY = {kind: i for i, kind in enumerate(_PATTERNS)}


@dataclass(frozen=True)
class Run:
    """A left-to-right run found in text: ``text[start:end]`` is a ``kind``."""

    start: int
    end: int
    kind: str  # url | email | date | hash | phone | id


def strip_controls(text: str) -> str:
    """``text`` without explicit bidi embeddings, overrides and isolates."""
    return text.translate(_CONTROLS)


def _word_edge(text: str, i: int) -> bool:
    """No letter or digit joins the run at position ``i`` (a run is a whole word)."""
    return i < 0 or i >= len(text) or not (text[i].isalnum() or text[i] in "_@")


def _trim(text: str, start: int, end: int) -> int:
    """Leave sentence punctuation after a URL or id to the sentence; keep a bracket that
    closes one opened inside the run ("…/Foo_(bar)")."""
    while end > start and text[end - 1] in _TRAILING:
        ch = text[end - 1]
        if ch == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def _candidates(text: str) -> Iterator[Run]:
    for kind, rx in _PATTERNS.items():
        for m in rx.finditer(text):
            start, end = m.span()
            if kind in ("url", "id", "email"):
                end = _trim(text, start, end)
            run = text[start:end]
            if not run or not (_word_edge(text, start - 1) and _word_edge(text, end)):
                continue
            if kind == "phone" and _digits(run) < 7:
                continue
            if kind == "id" and not _digits(run):  # "e.g", "and/or": words, not ids
                continue
            yield Run(start, end, kind)


def ltr_runs(text: str) -> list[Run]:
    """The phone numbers, URLs, e-mail addresses, ISO dates, hashes and ids in ``text``,
    in order and not overlapping."""
    found = sorted(_candidates(text), key=lambda r: (r.start, r.start - r.end,
                                                     _PRIORITY[r.kind]))
    out: list[Run] = []
    for run in found:
        if out and run.start < out[-1].end:
            continue
        out.append(run)
    return out


def isolate_runs(text: str) -> str:
    """``text`` with each run of ``ltr_runs`` wrapped in LRI … PDI."""
    runs = ltr_runs(text)
    if not runs:
        return text
    parts: list[str] = []
    pos = 0
    for r in runs:
        parts += [text[pos : r.start], LRI, text[r.start : r.end], PDI]
        pos = r.end
    parts.append(text[pos:])
    return "".join(parts)


def strong_direction(text: str) -> str | None:
    """"ltr", "rtl" or None: the first strong character outside isolates (UAX #9 P2)."""
    depth = 0
    for ch in text:
        if ch in (LRI, RLI, FSI):
            depth += 1
            continue
        if ch == PDI:
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        cls = unicodedata.bidirectional(ch)
        if cls == "L":
            return "ltr"
        if cls in ("R", "AL"):
            return "rtl"
    return None


def has_direction(text: str, direction: str) -> bool:
    """Whether ``text`` has a strong character of ``direction`` ("ltr"/"rtl") at all."""
    want = ("L",) if direction == "ltr" else ("R", "AL")
    return any(unicodedata.bidirectional(ch) in want for ch in text)


def _mixed(text: str) -> bool:
    return has_direction(text, "ltr") and has_direction(text, "rtl")


def sentences(text: str) -> Iterator[str]:
    """``text`` cut after each sentence end followed by a space (the space stays with the
    sentence before it). A full stop inside a URL, an id or a number does not end one."""
    start = 0
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END and i + 1 < len(text) and text[i + 1] == " ":
            j = i + 1
            while j < len(text) and text[j] == " ":
                j += 1
            if j < len(text):
                yield text[start:j]
                start = j
    if start < len(text):
        yield text[start:]


def _isolate_sentences(text: str) -> str:
    if not _mixed(text):
        return text
    out: list[str] = []
    for sentence in sentences(text):
        core = sentence.rstrip(" ")
        out.append(FSI + core + PDI + sentence[len(core) :] if core else sentence)
    return "".join(out)


def _prepare(text: str) -> tuple[str, str | None]:
    """``text`` with controls removed and runs (and, in mixed text, sentences) isolated, and
    its own direction: the first strong letter outside the runs (P2), taken before the
    sentences are isolated, since P2 skips every isolate."""
    runs = isolate_runs(strip_controls(text))
    return _isolate_sentences(runs), strong_direction(runs)


def bidi_line(text: str) -> str:
    """One line of data, ready to show in text of any direction: controls removed, LTR runs
    isolated, each sentence of mixed text isolated. Not wrapped as a whole."""
    return _prepare(text)[0]


def isolate(text: str, default: str | None = None) -> str:
    """One line of data as an isolate of its own direction (RLI or LRI ... PDI), with
    ``bidi_line`` inside: it cannot move the words around it, nor they it. Data without a
    letter (a list of numbers, a phone number) takes ``default`` ("ltr"/"rtl": the direction
    of the text around it, so "3.4, 4.4" lists right to left in Arabic), else FSI."""
    shown, direction = _prepare(text)
    opener = {"rtl": RLI, "ltr": LRI}.get(direction or default or "", FSI)
    return opener + shown + PDI


def bidi_text(text: str, *, whole: bool = True, default: str | None = None) -> str:
    """Data for display (the app): every line as ``isolate`` (or, without ``whole``, as
    ``bidi_line``), so it keeps its own direction inside a label or a layout of the other
    direction and cannot pull the label's punctuation. Isolates never span a line break."""
    if not text:
        return text
    lines = strip_controls(text).split("\n")
    return "\n".join(
        (isolate(line, default) if whole else bidi_line(line)) if line else line
        for line in lines
    )


# A shortcut's key names: modifiers joined by "+" to a key ("Alt+←", "Ctrl+Shift+R"), or a
# function key. The key stops before a bracket, a space or the sentence's punctuation.
_KEYS = re.compile(r"(?:(?:Ctrl|Alt|Shift|Meta|Cmd)\+)+[^\s()（）\[\]<>.,;:!?،؛؟。、\u2066-\u2069]+"
                   r"|\bF(?:1[0-9]|2[0-4]|[1-9])\b")


def isolate_keys(text: str) -> str:
    """Shortcut key names inside right-to-left text as left-to-right isolates: an arrow is
    neutral, so "رجوع (Alt+←)" would show "(←+Alt)". Text without a right-to-left letter is
    returned as it is (nothing to reorder)."""
    if not has_direction(text, "rtl"):
        return text
    return _KEYS.sub(lambda m: LRI + m.group(0) + PDI, text)


def ltr(text: str) -> str:
    """``text`` (a date, time, id or hash the caller knows is left to right) as one LTR
    isolate."""
    return LRI + strip_controls(text) + PDI if text else text


def plain(text: str) -> str:
    """``text`` with every bidi control and mark removed (for copying, comparing, testing)."""
    return strip_controls(text).replace(LRM, "").replace(RLM, "").replace("\u061c", "")
