"""Multilingual paragraphs for the referral PDF: bidi, per-script fonts, shaping, wrapping.

``TextBlock`` is a platypus flowable that replaces ReportLab's ``Paragraph`` for every piece
of text in the report. For each paragraph it

1. removes control characters and explicit bidi controls from the data (see ``bidi``);
2. isolates what reads left to right in every language (phone numbers, URLs, ids, hashes,
   dates: ``screening.i18n.bidi``, the helper the app uses too), and wraps each piece of
   data (names, answers) in an isolate of its own direction, and each sentence of
   mixed-direction data in one too;
3. gives every character a font that covers it (``fonts.FontSet.assign``);
4. resolves bidi embedding levels (UAX #9 with isolates, ``bidi``);
5. shapes runs of one font/weight/level with HarfBuzz;
6. wraps in logical order at spaces (and between CJK characters), then reorders each line
   visually (UAX #9 L1/L2), so wrapped Arabic keeps its line order and embedded numbers and
   Latin names read left to right inside it;
7. draws glyphs with ``/ActualText`` where needed, so extracted text is the real text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from screening.i18n.bidi import FSI, LRI, PDI, RLI, has_direction, isolate, isolate_runs, ltr_runs
from screening.reports.bidi import (
    bidi_class,
    line_levels,
    reorder_runs,
    resolve_levels,
    strong_direction,
)
from screening.reports.fonts import FontSet, default_fonts, require_shaping
from screening.reports.shaping import LineCluster, ShapedRun, cluster_advances, emit_line, shape_run

# Explicit embeddings/overrides/isolates and C0/C1 controls are dropped from rendered text.
_DROP = dict.fromkeys(
    [
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)
_NEWLINES = re.compile(r"\r\n|[\r\u2028\u2029\x85]")
_NO_BREAK_BEFORE = frozenset("、。，．）」』】〕〉》！？：；,.!?;:)]}%…")
_NO_BREAK_AFTER = frozenset("（「『【〔〈《([{")


def sanitize(text: str) -> str:
    """Printable text: newlines normalised, tabs as spaces, control characters removed."""
    return _NEWLINES.sub("\n", text).replace("\t", " ").translate(_DROP)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and not ch.isspace()


def _is_space(ch: str) -> bool:
    return ch == " " or bidi_class(ch) == "WS"


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph. ``isolate`` for data (names, answers): it keeps its own
    direction and cannot reorder the label around it. ``lang`` is the text's language, for
    shaping and for naming it in errors."""

    text: str
    bold: bool = False
    isolate: bool = False
    lang: str | None = None


@dataclass(frozen=True)
class TextStyle:
    size: float = 9.0
    leading: float = 0.0  # 0: 1.45 x size
    color: Any = colors.black
    align: str = "start"  # start | end | center (start is right in right-to-left reports)
    space_before: float = 0.0
    space_after: float = 0.0
    indent: float = 0.0  # on the start side (left, or right in right-to-left reports)

    @property
    def line_height(self) -> float:
        return self.leading or self.size * 1.45


@dataclass
class _Line:
    clusters: list[LineCluster]
    width: float  # points


def _inside_runs(text: str) -> list[bool]:
    """``True`` at each position inside an LRI ... PDI that holds exactly one of the helper's
    left-to-right runs (a phone number, a date...): no line break goes there."""
    inside = [False] * (len(text) + 1)
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch in (LRI, RLI, FSI):
            opened.append(i)
        elif ch == PDI and opened:
            start = opened.pop()
            content = text[start + 1 : i]
            runs = ltr_runs(content) if text[start] == LRI else []
            if len(runs) == 1 and (runs[0].start, runs[0].end) == (0, len(content)):
                for k in range(start + 1, i + 1):
                    inside[k] = True
    return inside


def _break_opportunities(text: str) -> list[bool]:
    """``ok[i]``: a line may start at ``text[i]``: after a (breaking) space, around CJK
    characters except before closing / after opening punctuation, and after a hyphen or
    slash between letters. Never inside a phone number, date or id (``_inside_runs``): a
    phone number keeps its groups on one line; a URL or hash too long for a line still
    breaks between letters."""
    ok = [False] * (len(text) + 1)
    inside = _inside_runs(text)
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if _is_space(b) or inside[i]:
            continue
        after_space = _is_space(a) and a not in "\u00a0\u202f"
        cjk = (_wide(a) or _wide(b)) and b not in _NO_BREAK_BEFORE and a not in _NO_BREAK_AFTER
        compound = a in "/-" and i >= 2 and text[i - 2].isalpha() and b.isalpha()
        ok[i] = after_space or cjk or compound
    return ok


def _base_level(own: str, rtl: bool) -> int:
    """The paragraph direction from the report's own words (data is isolated and does not
    count): the report's direction when they have a letter of it, so a translated label
    that starts with a Latin word ("SHA-256 للملف") stays right to left; otherwise their
    first strong letter (an untranslated English label in an Arabic report keeps its
    punctuation in place); with no letters at all, the report's direction."""
    if has_direction(own, "rtl" if rtl else "ltr"):
        return 1 if rtl else 0
    first = strong_direction(own)
    return (1 if rtl else 0) if first is None else first


class _Paragraph:
    """One paragraph (no newlines) shaped once; ``lines(width)`` wraps and reorders it."""

    def __init__(
        self,
        spans: Sequence[Span],
        *,
        rtl: bool,
        lang: str,
        where: str,
        fonts: FontSet,
        size: float,
    ) -> None:
        hb = require_shaping()
        self.size = size
        parts: list[str] = []
        faces: list[int] = []
        bolds: list[bool] = []
        span_of: list[int] = []
        own: list[str] = []
        for k, span in enumerate(spans):
            piece = sanitize(span.text)
            if span.isolate:  # data: its own direction, LTR runs and sentences isolated
                piece = isolate(piece, "rtl" if rtl else "ltr")
            else:  # the report's own words: only the LTR runs ("SHA-256", "24/7")
                piece = isolate_runs(piece)
                own.append(piece)
            text, face_ids = fonts.assign(piece, lang=span.lang or lang, where=where)
            parts.append(text)
            faces.extend(face_ids)
            bolds.extend([span.bold] * len(text))
            span_of.extend([k] * len(text))
        self.text = text = "".join(parts)
        self.base = _base_level("".join(own), rtl)
        self.levels = resolve_levels(text, self.base)
        self.runs: list[ShapedRun] = []
        self.run_of = [0] * len(text)
        self.adv = [0.0] * len(text)  # points, on each cluster's first character
        self.cluster_start = [False] * (len(text) + 1)
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or (faces[i], bolds[i], self.levels[i], span_of[i]) != (
                faces[start],
                bolds[start],
                self.levels[start],
                span_of[start],
            ):
                lang_i = spans[span_of[start]].lang or lang
                run = shape_run(
                    hb,
                    text,
                    start,
                    i,
                    fonts.faces[faces[start]],
                    bolds[start],
                    self.levels[start],
                    lang_i,
                )
                for c, a in cluster_advances(run).items():
                    self.adv[c] = a * size / 1000.0
                    self.cluster_start[c] = True
                for j in range(start, i):
                    self.run_of[j] = len(self.runs)
                self.runs.append(run)
                start = i
        self.breaks = _break_opportunities(text)

    # -- wrapping ---------------------------------------------------------------------
    def lines(self, width: float) -> list[_Line]:
        n = len(self.text)
        if n == 0:
            return [_Line([], 0.0)]
        bounds = [i for i in range(1, n) if self.breaks[i]] + [n]
        out: list[tuple[int, int]] = []
        line_start, unit_start, cur = 0, 0, 0.0
        for unit_end in bounds:
            core = self._width(unit_start, self._trim(unit_start, unit_end))
            full = self._width(unit_start, unit_end)
            if cur + core > width and unit_start > line_start:
                out.append((line_start, unit_start))
                line_start, cur = unit_start, 0.0
            if core > width:  # a word longer than the line: break between clusters
                pos, cur = unit_start, 0.0
                for i in range(unit_start, unit_end):
                    if self.cluster_start[i] and i > pos and cur + self.adv[i] > width:
                        out.append((line_start, i))
                        line_start, pos, cur = i, i, 0.0
                    cur += self.adv[i]
                unit_start = unit_end
                continue
            cur += full
            unit_start = unit_end
        out.append((line_start, n))
        return [self._build(a, b) for a, b in out]

    def _trim(self, a: int, b: int) -> int:
        while b > a and (
            _is_space(self.text[b - 1]) or unicodedata.category(self.text[b - 1]) == "Cf"
        ):
            b -= 1
        return b

    def _width(self, a: int, b: int) -> float:
        return sum(self.adv[a:b])

    def _build(self, a: int, b: int) -> _Line:
        b = self._trim(a, b)
        if b <= a:
            return _Line([], 0.0)
        levels = line_levels(self.text, self.levels, a, b, self.base)
        pieces: list[tuple[int, int, int, int]] = []  # run, start, end, level
        s = a
        for i in range(a + 1, b + 1):
            if i == b or self.run_of[i] != self.run_of[s] or levels[i - a] != levels[s - a]:
                pieces.append((self.run_of[s], s, i, levels[s - a]))
                s = i
        clusters: list[LineCluster] = []
        width = 0.0
        for k in reorder_runs([p[3] for p in pieces]):
            run_idx, s, e, level = pieces[k]
            run = self.runs[run_idx]
            current: LineCluster | None = None
            for g in run.glyphs:
                if not s <= g.cluster < e:
                    continue
                if current is None or current.glyphs[0].cluster != g.cluster:
                    end = min(run.cluster_end[g.cluster], e)
                    current = LineCluster(self.text[g.cluster : end], [], run.face, run.bold, level)
                    clusters.append(current)
                current.glyphs.append(g)
                width += g.advance * self.size / 1000.0
        clusters = [c for c in clusters if not _invisible(c)]
        return _Line(clusters, width)


def _invisible(cl: LineCluster) -> bool:
    return all(unicodedata.category(ch) == "Cf" for ch in cl.text) and not any(
        g.advance for g in cl.glyphs
    )


def _split_paragraphs(spans: Sequence[Span]) -> list[list[Span]]:
    paras: list[list[Span]] = [[]]
    for span in spans:
        pieces = _NEWLINES.sub("\n", span.text).split("\n")
        for i, piece in enumerate(pieces):
            if i:
                paras.append([])
            if piece:
                paras[-1].append(Span(piece, span.bold, span.isolate, span.lang))
    return paras


class TextBlock(Flowable):
    """A multilingual paragraph (or several, split at newlines) as a platypus flowable."""

    def __init__(
        self,
        spans: Sequence[Span] | str,
        style: TextStyle | None = None,
        *,
        rtl: bool = False,
        lang: str = "en",
        where: str = "report",
        fonts: FontSet | None = None,
        _lines: list[tuple[_Line, bool]] | None = None,
    ) -> None:
        super().__init__()
        self.spans = [Span(spans)] if isinstance(spans, str) else list(spans)
        self.style = style or TextStyle()
        self.rtl = rtl
        self.lang = lang
        self.where = where
        self.fonts = fonts or default_fonts()
        self._paras: list[_Paragraph] | None = None
        self._fixed = _lines
        self._width: float | None = None
        self._laid: list[tuple[_Line, bool]] = _lines or []

    def _paragraphs(self) -> list[_Paragraph]:
        if self._paras is None:
            self._paras = [
                _Paragraph(
                    p,
                    rtl=self.rtl,
                    lang=self.lang,
                    where=self.where,
                    fonts=self.fonts,
                    size=self.style.size,
                )
                for p in _split_paragraphs(self.spans)
            ]
        return self._paras

    def prepare(self) -> TextBlock:
        """Resolve fonts and shape now (raises ReportError early, before any page exists)."""
        if self._fixed is None:
            self._paragraphs()
        return self

    def _layout(self, width: float) -> list[tuple[_Line, bool]]:
        if self._fixed is not None:
            return self._fixed
        if self._width != width:
            self._laid = [
                (line, para.base == 1) for para in self._paragraphs() for line in para.lines(width)
            ]
            self._width = width
        return self._laid

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lines = self._layout(availWidth - self.style.indent)
        self.width = availWidth
        self.height = len(lines) * self.style.line_height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self._layout(availWidth - self.style.indent)
        fit = int(availHeight // self.style.line_height)
        if fit <= 0 or fit >= len(lines):
            return [] if fit <= 0 else [self]
        first = TextBlock(
            self.spans,
            self.style,
            rtl=self.rtl,
            lang=self.lang,
            where=self.where,
            fonts=self.fonts,
            _lines=lines[:fit],
        )
        rest = TextBlock(
            self.spans,
            self.style,
            rtl=self.rtl,
            lang=self.lang,
            where=self.where,
            fonts=self.fonts,
            _lines=lines[fit:],
        )
        return [first, rest]

    def getSpaceBefore(self) -> float:
        return self.style.space_before

    def getSpaceAfter(self) -> float:
        return self.style.space_after

    def draw(self) -> None:
        canv = self.canv
        style = self.style
        lh = style.line_height
        canv.setFillColor(style.color)
        canv.setStrokeColor(style.color)
        y = self.height - lh + (lh - style.size) / 2 + style.size * 0.24
        for line, rtl in self._layout(self.width - style.indent):
            if line.clusters:
                emit_line(
                    canv, self._x(line.width), y, style.size, line.clusters, rtl_paragraph=rtl
                )
            y -= lh

    def _x(self, line_width: float) -> float:
        """Alignment follows the report's direction, whatever the paragraph's own is."""
        align = self.style.align
        indent = self.style.indent
        left, right = (0.0, self.width - indent) if self.rtl else (indent, self.width)
        if align == "center":
            return left + (right - left - line_width) / 2
        return right - line_width if (align == "end") != self.rtl else left
