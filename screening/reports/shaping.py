"""HarfBuzz shaping and PDF glyph output with ``/ActualText``.

ReportLab's own shaping path (``ParagraphStyle(shaping=1)``) shapes word by word, does no
bidi, and leaves extraction to the subset's ToUnicode map, so copied Arabic comes out as
presentation forms or private-use code points and shaped Devanagari loses its vowel order.
Here we shape runs ourselves (uharfbuzz, the same engine) and write the glyphs with one
``/Span <</ActualText ...>> BDC ... EMC`` per glyph cluster whose glyphs do not map back to
its characters. Extractors then read the real characters. See docs/pdf-text-extraction.md
for what poppler does with them and why right-to-left ligature clusters are written in
reverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from screening.reports.bidi import bidi_class
from screening.reports.fonts import Face

RLM = "\u200f"
LRM = "\u200e"
_NUMBER_CLASSES = frozenset({"EN", "AN", "CS", "ES", "ET"})


@dataclass(frozen=True)
class Glyph:
    gid: int
    cluster: int  # index of the cluster's first character in the paragraph text
    advance: float  # 1/1000 em
    x_offset: float
    y_offset: float


@dataclass
class ShapedRun:
    """One run of a paragraph: same face, weight and embedding level."""

    start: int
    end: int
    face: Face
    bold: bool
    level: int
    glyphs: list[Glyph]  # in visual order for this run (right-to-left runs come reversed)
    cluster_end: dict[int, int]  # cluster start -> end (exclusive) in the paragraph text

    @property
    def rtl(self) -> bool:
        return bool(self.level & 1)


def shape_run(
    hb: Any, text: str, start: int, end: int, face: Face, bold: bool, level: int, lang: str
) -> ShapedRun:
    buf = hb.Buffer()
    buf.add_str(text, item_offset=start, item_length=end - start)
    buf.direction = "rtl" if level & 1 else "ltr"
    if lang:
        try:
            buf.language = lang.replace("_", "-")
        except (ValueError, TypeError):  # an unknown tag is not worth failing a report for
            pass
    buf.guess_segment_properties()
    hb.shape(face.hb(bold), buf)
    scale = face.scale
    glyphs = [
        Glyph(
            info.codepoint,
            info.cluster,
            pos.x_advance * scale,
            pos.x_offset * scale,
            pos.y_offset * scale,
        )
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
    ]
    starts = sorted({g.cluster for g in glyphs})
    cluster_end = {c: (starts[i + 1] if i + 1 < len(starts) else end) for i, c in enumerate(starts)}
    return ShapedRun(start, end, face, bold, level, glyphs, cluster_end)


def cluster_advances(run: ShapedRun) -> dict[int, float]:
    """Advance (1/1000 em) per cluster start."""
    out: dict[int, float] = {}
    for g in run.glyphs:
        out[g.cluster] = out.get(g.cluster, 0.0) + g.advance
    return out


class GlyphMapper:
    """Maps glyph ids to the code points ReportLab's subsetter keys on.

    Glyphs with a cmap entry use it; the others (contextual forms, conjuncts, ligatures) get a
    private-use code point from ReportLab's own table, exactly as its shaping path does.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[int, bool, int], str] = {}

    def char(self, face: Face, bold: bool, gid: int) -> str:
        key = (face.index, bold, gid)
        ch = self._cache.get(key)
        if ch is None:
            ttf = face.ttf(bold)
            chars = ttf.face.glyphToChar.get(gid)
            if chars:
                code = chars[0]
            else:
                hbf = face.hb(bold)
                width = hbf.get_glyph_h_advance(gid) * face.scale
                code = ttf.hbAddPrivate(hbf.glyph_to_string(gid), gid, width)
            ch = chr(code)
            self._cache[key] = ch
        return ch


MAPPER = GlyphMapper()


def _hex_text(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


@dataclass
class LineCluster:
    text: str  # the cluster's characters, logical order
    glyphs: list[Glyph]
    face: Face
    bold: bool
    level: int


def emit_line(
    canv: Any,
    x: float,
    y: float,
    size: float,
    clusters: Sequence[LineCluster],
    *,
    rtl_paragraph: bool,
) -> None:
    """Write one laid-out line (clusters in visual order) at baseline ``(x, y)``."""
    doc = canv._doc
    stroked = any(cl.bold and cl.face.fake_bold for cl in clusters)
    code: list[str] = ["q BT" if stroked else "BT", f"1 0 0 1 {_num(x)} {_num(y)} Tm"]
    current: tuple[int, bool, int] | None = None
    fake_bold = False
    tj = _TJ(canv)
    for k, cl in enumerate(clusters):
        ttf = cl.face.ttf(cl.bold)
        chars = [MAPPER.char(cl.face, cl.bold, g.gid) for g in cl.glyphs]
        actual = _actual_text(
            cl, "".join(chars), clusters[k + 1] if k + 1 < len(clusters) else None, rtl_paragraph
        )
        if actual is not None:
            tj.flush(code)
            code.append(f"/Span <</ActualText {_hex_text(actual)}>> BDC")
        want_fake = cl.bold and cl.face.fake_bold
        if want_fake != fake_bold:
            tj.flush(code)
            code.append(f"2 Tr {_num(size * 0.035)} w" if want_fake else "0 Tr")
            fake_bold = want_fake
        widths = ttf.face.charWidths
        for g, ch, (subset, byte) in zip(cl.glyphs, chars, _codes(ttf, chars, doc), strict=True):
            key = (cl.face.index, cl.bold, subset)
            if key != current or g.y_offset:
                tj.flush(code)
                if key != current:
                    code.append(f"{ttf.getSubsetInternalName(subset, doc)} {_num(size)} Tf")
                    current = key
            rise = g.y_offset * size / 1000.0
            if rise:
                code.append(f"{_num(rise)} Ts")
            tj.number(-g.x_offset)
            tj.byte(byte)
            tj.number(widths.get(ord(ch), 0) - g.advance + g.x_offset)
            if rise:
                tj.flush(code)
                code.append("0 Ts")
        if actual is not None:
            tj.flush(code)
            code.append("EMC")
    tj.flush(code)
    if fake_bold:
        code.append("0 Tr")
    code.append("ET Q" if stroked else "ET")
    canv._code.append(" ".join(code))


class _TJ:
    """Builds one TJ array: runs of glyph bytes with position adjustments between them."""

    def __init__(self, canv: Any) -> None:
        self._escape = canv._escape
        self._items: list[str] = []
        self._bytes = bytearray()

    def byte(self, b: int) -> None:
        self._bytes.append(b)

    def number(self, v: float) -> None:
        if abs(v) < 0.005:
            return
        self._close_bytes()
        self._items.append(_num(v))

    def _close_bytes(self) -> None:
        if self._bytes:
            self._items.append("(" + self._escape(bytes(self._bytes)) + ")")
            self._bytes = bytearray()

    def flush(self, code: list[str]) -> None:
        self._close_bytes()
        if self._items:
            code.append(f"[{' '.join(self._items)}] TJ")
            self._items = []


def _codes(ttf: Any, chars: list[str], doc: Any) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for subset, data in ttf.splitString("".join(chars), doc):
        out.extend((subset, b) for b in data)
    return out


def _poppler_type(ch: str) -> str:
    """How poppler's reorderText() classes a character: R, L, number-like, or other."""
    cls = bidi_class(ch)
    if cls in ("R", "AL"):
        return "R"
    if cls == "L":
        return "L"
    return "N" if cls in _NUMBER_CLASSES else "O"


def _actual_text(
    cl: LineCluster, mapped: str, right: LineCluster | None, rtl_paragraph: bool
) -> str | None:
    text = cl.text
    if (
        rtl_paragraph
        and not cl.level & 1
        and len(text) == 1
        and _poppler_type(text) == "O"
        and (right is None or right.level & 1)
    ):
        # The mirror case: a bracket or space closing a left-to-right run inside
        # right-to-left text would be taken into the right-to-left text after it.
        return text + LRM
    if cl.level & 1:
        if rtl_paragraph and len(text) == 1 and _poppler_type(text) != "R":
            # Extractors that rebuild reading order from glyph positions (poppler's
            # pdftotext, Evince) treat punctuation as part of numbers and let spaces join
            # the left-to-right run next to them; RLMs pin such a character to the
            # right-to-left text it belongs to. Invisible in every reader.
            if _poppler_type(text) == "N":
                return RLM + text + RLM
            if right is not None and (
                not right.level & 1 or _poppler_type(right.text[-1]) in ("L", "N")
            ):
                return text + RLM
        if len(text) > 1:
            # The same readers lay an ActualText span's characters out left to right and
            # then reverse right-to-left runs: give them the cluster in display order.
            text = text[::-1]
    return None if mapped == text else text
