"""The Unicode Bidirectional Algorithm (UAX #9), as much of it as the referral PDF needs.

ReportLab without the unpublished ``rlbidi`` does no bidi at all. python-bidi was considered
(issue #15) and not taken: its API gives one reordered display string per paragraph, while
this layout needs the embedding level of every character (it shapes runs of one level with
HarfBuzz, wraps in logical order and then reorders each line, rules L1/L2); its Rust path
documents gaps in the algorithm, and it is LGPL, which the one-folder bundle would have to
honour. So the report resolves levels itself:

* rules W1-W7, N0 (paired brackets, common pairs), N1-N2, I1-I2, L1 and L2;
* isolates, the way UAX #9 defines them (X5a-X5c, X6a, BD13 isolating run sequences):
  LRI, RLI and FSI ... PDI in the text get their own level and count as one neutral for
  the text around them. The text layout puts them there itself: every piece of data (a
  name, an answer) is an FSI isolate, and ``screening.i18n.bidi`` wraps phone numbers,
  URLs, ids, hashes and dates in LRI ... PDI, so they read left to right inside Arabic;
* explicit embeddings and overrides (U+202A-U+202E) are ignored, like BN, and the text
  layout removes every bidi control typed into data before adding its own: text from a
  respondent or an instrument file must not be able to reverse the words around it
  ("Trojan Source").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

# Removed by X9: explicit embeddings/overrides (ignored, see above) and boundary neutrals.
_REMOVED = frozenset({"RLE", "LRE", "RLO", "LRO", "PDF", "BN"})
_INITIATORS = frozenset({"LRI", "RLI", "FSI"})
_ISOLATE_CONTROLS = _INITIATORS | {"PDI"}
_STRONG = frozenset({"L", "R", "AL"})
_NEUTRAL = frozenset({"B", "S", "WS", "ON"}) | _ISOLATE_CONTROLS
MAX_DEPTH = 125
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
    """Rules P2/P3: 0 for the first strong L, 1 for R/AL, None when there is none.
    Characters inside isolates are skipped; an unmatched PDI ends the search."""
    depth = 0
    for ch in text:
        cls = bidi_class(ch)
        if cls in _INITIATORS:
            depth += 1
        elif cls == "PDI":
            if depth == 0:
                return None
            depth -= 1
        elif depth == 0:
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
            types[i] = "ON" if prev in _ISOLATE_CONTROLS else prev
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


def _resolve_sequence(
    text: str, seq: Sequence[int], classes: Sequence[str], level: int, sos: str, eos: str
) -> list[str]:
    """W1-W7, N0, N1-N2 for one isolating run sequence: the resolved type per character."""
    chars = [text[i] for i in seq]
    types = [classes[i] for i in seq]
    original = list(types)
    _resolve_weak(types, sos)
    embedding = _direction(level)
    _resolve_brackets(chars, types, original, sos, embedding)
    _resolve_neutral(types, sos, eos, embedding)
    return types


def isolate_level(outer: int, direction: int) -> int:
    """The embedding level of an isolate of ``direction`` (0/1) inside level ``outer``."""
    nxt = outer + 1
    return nxt if (nxt & 1) == direction else nxt + 1


def _explicit_levels(
    text: str, classes: Sequence[str], base_level: int
) -> tuple[list[int], dict[int, int]]:
    """X1-X8 for isolates: each character's embedding level, and initiator -> matching PDI."""
    levels = [base_level] * len(text)
    stack = [base_level]
    opened: list[int] = []
    overflow = 0
    matches: dict[int, int] = {}
    for i, cls in enumerate(classes):
        if cls in _INITIATORS:
            levels[i] = stack[-1]
            if cls == "FSI":
                direction = strong_direction(text[i + 1 :]) or 0
            else:
                direction = 1 if cls == "RLI" else 0
            new = isolate_level(stack[-1], direction)
            if new <= MAX_DEPTH and overflow == 0:
                stack.append(new)
                opened.append(i)
            else:
                overflow += 1
        elif cls == "PDI":
            if overflow:
                overflow -= 1
            elif opened:
                matches[opened.pop()] = i
                stack.pop()
            levels[i] = stack[-1]
        else:
            levels[i] = stack[-1]
    return levels, matches


def _sequences(
    kept: Sequence[int], levels: Sequence[int], classes: Sequence[str], matches: dict[int, int]
) -> list[list[int]]:
    """BD13: level runs chained across isolates into isolating run sequences."""
    runs: list[list[int]] = []
    for i in kept:
        if runs and levels[runs[-1][-1]] == levels[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    run_at = {run[0]: run for run in runs}
    continued = set(matches.values())
    out: list[list[int]] = []
    for run in runs:
        if run[0] in continued:
            continue  # appended to the sequence of its initiator below
        seq = list(run)
        while classes[seq[-1]] in _INITIATORS and seq[-1] in matches:
            nxt = run_at.get(matches[seq[-1]])
            if nxt is None:
                break
            seq.extend(nxt)
        out.append(seq)
    return out


def resolve_levels(text: str, base_level: int) -> list[int]:
    """Embedding levels of ``text``, one paragraph at paragraph level ``base_level``.

    LRI/RLI/FSI ... PDI in ``text`` are isolates (FSI takes the direction of its first
    strong character, LTR when there is none); the isolate controls themselves get the
    level of the text around them.
    """
    n = len(text)
    if n == 0:
        return []
    classes = [bidi_class(ch) for ch in text]
    levels, matches = _explicit_levels(text, classes, base_level)
    kept = [i for i in range(n) if classes[i] not in _REMOVED]
    position = {i: k for k, i in enumerate(kept)}
    resolved = list(levels)
    for seq in _sequences(kept, levels, classes, matches):
        level = levels[seq[0]]
        k = position[seq[0]]
        before = levels[kept[k - 1]] if k > 0 else base_level
        last = seq[-1]
        k = position[last]
        if (classes[last] in _INITIATORS and last not in matches) or k + 1 >= len(kept):
            after = base_level
        else:
            after = levels[kept[k + 1]]
        sos = _direction(max(level, before))
        eos = _direction(max(level, after))
        types = _resolve_sequence(text, seq, classes, level, sos, eos)
        for i, t in zip(seq, types, strict=True):
            if level & 1 == 0:  # I1
                resolved[i] = level + (1 if t == "R" else 2 if t in ("AN", "EN") else 0)
            else:  # I2
                resolved[i] = level + (1 if t in ("L", "EN", "AN") else 0)
    # Removed characters take the level of the character before them (UAX #9 5.2).
    prev = base_level
    for i, cls in enumerate(classes):
        if cls in _REMOVED:
            resolved[i] = prev
        prev = resolved[i]
    return resolved


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
