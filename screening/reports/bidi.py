"""The Unicode Bidirectional Algorithm (UAX #9), as much of it as the referral PDF needs.

ReportLab without the unpublished ``rlbidi`` does no bidi at all, and python-bidi is LGPL and
not a dependency, so the report resolves embedding levels itself:

* rules W1-W7, N0 (paired brackets, common pairs), N1-N2, I1-I2, L1 and L2;
* isolates are supported the way the report uses them: a paragraph is a list of segments and
  a segment marked ``isolate`` behaves like text wrapped in FSI ... PDI (its own direction
  from its first strong character, a neutral for the text around it). Names and answers are
  always isolated, so an Arabic name inside an English sentence (or the reverse) cannot pull
  the punctuation around it;
* explicit embedding, override and isolate *characters* typed into data (U+202A-U+202E,
  U+2066-U+2069) are ignored, like BN. This is deliberate: text from a respondent or an
  instrument file must not be able to reverse the words around it ("Trojan Source").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

# Treated as "removed by X9": the explicit formatting characters and boundary neutrals.
_REMOVED = frozenset({"RLE", "LRE", "RLO", "LRO", "PDF", "LRI", "RLI", "FSI", "PDI", "BN"})
_STRONG = frozenset({"L", "R", "AL"})
_NEUTRAL = frozenset({"B", "S", "WS", "ON"})
# Types reset to the paragraph level at the end of a line (L1), by original class.
_TRAILING = frozenset({"WS", "BN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})

# Bidi_Paired_Bracket for the brackets that occur in real text (BidiBrackets.txt subset).
_OPENING = {
    "(": ")",
    "[": "]",
    "{": "}",
    "\u0f3a": "\u0f3b",
    "\u0f3c": "\u0f3d",
    "\u2045": "\u2046",
    "\u207d": "\u207e",
    "\u208d": "\u208e",
    "\u2329": "\u232a",
    "\u27e8": "\u27e9",
    "\u3008": "\u3009",
    "\u300a": "\u300b",
    "\u300c": "\u300d",
    "\u300e": "\u300f",
    "\u3010": "\u3011",
    "\u3014": "\u3015",
    "\u3016": "\u3017",
    "\u3018": "\u3019",
    "\ufe59": "\ufe5a",
    "\ufe5b": "\ufe5c",
    "\ufe5d": "\ufe5e",
    "\uff08": "\uff09",
    "\uff3b": "\uff3d",
    "\uff5b": "\uff5d",
    "\uff5f": "\uff60",
    "\uff62": "\uff63",
}
_CLOSING = {v: k for k, v in _OPENING.items()}
# Canonical equivalents (BD16 compares brackets after canonical decomposition).
_CLOSING["\u3009"] = "\u2329"
_CLOSING["\u232a"] = "\u3008"


@lru_cache(maxsize=4096)
def bidi_class(ch: str) -> str:
    cls = unicodedata.bidirectional(ch)
    if cls:
        return cls
    # Unassigned code points: default to the direction of the block they sit in (DerivedBidiClass).
    cp = ord(ch)
    if 0x0590 <= cp <= 0x08FF or 0xFB1D <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return "AL" if cp >= 0x0600 else "R"
    return "L"


def strong_direction(text: str) -> int | None:
    """Rules P2/P3: 0 for the first strong L, 1 for R/AL, None when there is none."""
    for ch in text:
        cls = bidi_class(ch)
        if cls == "L":
            return 0
        if cls in ("R", "AL"):
            return 1
    return None


def _direction(level: int) -> str:
    return "R" if level & 1 else "L"


def _resolve_weak(types: list[str], sos: str) -> None:
    n = len(types)
    # W1: NSM takes the type of the previous character.
    prev = sos
    for i in range(n):
        if types[i] == "NSM":
            types[i] = prev
        prev = types[i]
    # W2 + W3: EN after AL is AN; AL becomes R.
    last_strong = sos
    for i in range(n):
        t = types[i]
        if t in _STRONG:
            last_strong = t
            if t == "AL":
                types[i] = "R"
        elif t == "EN" and last_strong == "AL":
            types[i] = "AN"
    # W4: a single separator between two numbers of the same kind joins them.
    for i in range(1, n - 1):
        t = types[i]
        if t in ("ES", "CS"):
            before, after = types[i - 1], types[i + 1]
            if before == after == "EN":
                types[i] = "EN"
            elif t == "CS" and before == after == "AN":
                types[i] = "AN"
    # W5: terminators next to European numbers become EN.
    i = 0
    while i < n:
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                for k in range(i, j):
                    types[k] = "EN"
            i = j
        else:
            i += 1
    # W6: remaining separators and terminators are neutral.
    for i in range(n):
        if types[i] in ("ES", "ET", "CS"):
            types[i] = "ON"
    # W7: EN after L (or an L start) is L.
    last_strong = sos
    for i in range(n):
        t = types[i]
        if t in ("L", "R"):
            last_strong = t
        elif t == "EN" and last_strong == "L":
            types[i] = "L"


def _strong_for_n(t: str) -> str | None:
    if t == "L":
        return "L"
    if t in ("R", "EN", "AN"):
        return "R"
    return None


def _resolve_brackets(
    chars: list[str], types: list[str], original: list[str], sos: str, embedding: str
) -> None:
    """N0, for the bracket pairs in ``_OPENING``."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(chars):
        if types[i] != "ON":
            continue
        if ch in _OPENING:
            if len(stack) >= 63:
                break
            stack.append((_OPENING[ch], i))
        elif ch in _CLOSING:
            want = {ch, _OPENING.get(_CLOSING[ch], ch)}
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] in want:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    for open_i, close_i in sorted(pairs):
        inside = {_strong_for_n(types[k]) for k in range(open_i + 1, close_i)} - {None}
        if not inside:
            continue
        if embedding in inside:
            new = embedding
        else:
            opposite = "R" if embedding == "L" else "L"
            context = sos
            for k in range(open_i - 1, -1, -1):
                s = _strong_for_n(types[k])
                if s:
                    context = s
                    break
            new = opposite if context == opposite else embedding
        for pos in (open_i, close_i):
            types[pos] = new
            k = pos + 1
            while k < len(types) and original[k] == "NSM":
                types[k] = new
                k += 1


def _resolve_neutral(types: list[str], sos: str, eos: str, embedding: str) -> None:
    n = len(types)
    i = 0
    while i < n:
        if types[i] in _NEUTRAL:
            j = i
            while j < n and types[j] in _NEUTRAL:
                j += 1
            before = sos if i == 0 else (_strong_for_n(types[i - 1]) or embedding)
            after = eos if j == n else (_strong_for_n(types[j]) or embedding)
            fill = before if before == after else embedding
            for k in range(i, j):
                types[k] = fill
            i = j
        else:
            i += 1


def _resolve_run(text: str, level: int) -> list[int]:
    """Levels for one isolating run sequence of ``text`` at paragraph/embedding ``level``."""
    original = [bidi_class(ch) for ch in text]
    kept = [i for i, cls in enumerate(original) if cls not in _REMOVED]
    chars = [text[i] for i in kept]
    types = [original[i] for i in kept]
    orig_kept = [original[i] for i in kept]
    sos = eos = _direction(level)
    _resolve_weak(types, sos)
    _resolve_brackets(chars, types, orig_kept, sos, sos)
    _resolve_neutral(types, sos, eos, sos)
    levels = [level] * len(text)
    for pos, i in enumerate(kept):
        t = types[pos]
        if level & 1 == 0:
            levels[i] = level + (1 if t == "R" else 2 if t in ("AN", "EN") else 0)
        else:
            levels[i] = level + (1 if t in ("L", "EN", "AN") else 0)
    # Removed characters take the level of the character before them (UAX #9 5.2).
    prev = level
    for i, cls in enumerate(original):
        if cls in _REMOVED:
            levels[i] = prev
        prev = levels[i]
    return levels


def isolate_level(outer: int, direction: int) -> int:
    """The embedding level of an isolate of ``direction`` (0/1) inside level ``outer``."""
    nxt = outer + 1
    return nxt if (nxt & 1) == direction else nxt + 1


def resolve_levels(segments: Sequence[tuple[str, bool]], base_level: int) -> list[int]:
    """Embedding levels for a paragraph made of ``(text, isolate)`` segments.

    Isolated segments take their direction from their first strong character (FSI; LTR when
    there is none) and count as one neutral for the text around them.
    """
    placeholder = "\ufffc"  # ON: what an isolate looks like from the outside (BD8)
    outer = "".join(placeholder if iso else text for text, iso in segments)
    outer_levels = _resolve_run(outer, base_level)
    levels: list[int] = []
    pos = 0
    for text, iso in segments:
        if iso:
            direction = strong_direction(text) or 0
            levels.extend(_resolve_run(text, isolate_level(base_level, direction)))
            pos += 1
        else:
            levels.extend(outer_levels[pos : pos + len(text)])
            pos += len(text)
    return levels


def line_levels(
    text: str, levels: Sequence[int], start: int, end: int, base_level: int
) -> list[int]:
    """Rule L1 for the line ``text[start:end]``: trailing whitespace and separators get
    the paragraph level."""
    out = list(levels[start:end])
    trailing = True
    for k in range(end - 1, start - 1, -1):
        cls = bidi_class(text[k])
        if cls in ("S", "B"):
            out[k - start] = base_level
            trailing = True
        elif trailing and cls in _TRAILING:
            out[k - start] = base_level
        else:
            trailing = False
    return out


def reorder_runs(run_levels: Sequence[int]) -> list[int]:
    """Rule L2 over runs of equal level: the indices of the runs in visual (left-to-right)
    order. Reversing whole runs is equivalent to reversing characters as long as each run is
    itself laid out right-to-left exactly when its level is odd."""
    order = list(range(len(run_levels)))
    if not order:
        return order
    highest = max(run_levels)
    lowest_odd = min((lv for lv in run_levels if lv & 1), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        n = len(order)
        while i < n:
            if run_levels[order[i]] >= level:
                j = i
                while j < n and run_levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
