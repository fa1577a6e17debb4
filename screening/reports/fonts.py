"""Per-script font selection for the referral PDF.

ReportLab has no font fallback: a character missing from the current font prints as a blank
or a .notdef box. So every text is split into runs and each run gets a vendored font that
really has its characters, checked against the font's own cmap, never guessed from the
language. A letter that no shipped font covers is an error (``REPORT_FONT_MISSING``) naming
the script and the language; the report is never printed with holes in it.

The fonts live in ``resources/fonts/`` (see the README there). They are registered with
ReportLab once per process. Shaping (Arabic joining, Devanagari conjuncts) needs uharfbuzz;
ReportLab silently prints unshaped text without it, so we refuse to run instead.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from screening.errors import ErrorCode, ReportError
from screening.paths import resource_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaceSpec:
    """A vendored font family: the file names under ``resources/fonts/``."""

    key: str
    family: str
    regular: str
    bold: str | None = None  # None: bold is drawn by stroking the regular outlines


# Priority order: a letter takes the first face whose cmap has it.
FACE_SPECS: tuple[FaceSpec, ...] = (
    FaceSpec("latin", "Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    FaceSpec("arabic", "Noto Sans Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    FaceSpec(
        "devanagari",
        "Noto Sans Devanagari",
        "NotoSansDevanagari-Regular.ttf",
        "NotoSansDevanagari-Bold.ttf",
    ),
    FaceSpec("cjk", "Droid Sans Fallback", "DroidSansFallbackFull.ttf", None),
)

# General categories whose characters belong to a script: missing coverage is an error.
_SCRIPT_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl"})
_MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})


@dataclass
class Face:
    """One registered face: ReportLab font names, harfbuzz fonts and the cmap snapshot."""

    spec: FaceSpec
    index: int
    regular: Any  # reportlab TTFont
    bold: Any
    hb_regular: Any  # uharfbuzz.Font
    hb_bold: Any
    cmap: frozenset[int]
    upem: int
    fake_bold: bool
    scale: float = field(init=False)  # font units -> 1/1000 em

    def __post_init__(self) -> None:
        self.scale = 1000.0 / self.upem

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def ttf(self, bold: bool) -> Any:
        return self.bold if bold else self.regular

    def hb(self, bold: bool) -> Any:
        return self.hb_bold if bold else self.hb_regular


def script_name(ch: str) -> str:
    """A readable script name for error messages ("THAI", "ETHIOPIC"), from the UCD name."""
    try:
        return unicodedata.name(ch).split(" ")[0]
    except ValueError:
        return "UNKNOWN"


def require_shaping() -> Any:
    """The uharfbuzz module ReportLab shapes with, or a clear ReportError."""
    from reportlab.pdfbase import ttfonts

    hb = getattr(ttfonts, "uharfbuzz", None)
    if hb is None:
        raise ReportError(
            "text shaping is unavailable: reportlab cannot import uharfbuzz, so Arabic and "
            "Devanagari would print unshaped; install uharfbuzz (reportlab[shaping])",
            code=ErrorCode.REPORT_FAILED,
            reason="shaping_unavailable",
        )
    return hb


class FontSet:
    """The registered faces, in priority order."""

    def __init__(self, faces: Sequence[Face]) -> None:
        self.faces: tuple[Face, ...] = tuple(faces)
        self.default = self.faces[0]

    @property
    def base_font_name(self) -> str:
        return str(self.default.regular.fontName)

    def first_covering(self, ch: str) -> Face | None:
        for face in self.faces:
            if face.covers(ch):
                return face
        return None

    def assign(self, text: str, *, lang: str, where: str) -> tuple[str, list[int]]:
        """Choose a face for every character of ``text``.

        Returns the text to render (symbols no font has are spelt out as ``[U+XXXX]``) and
        one face index per character of it. Raises ``REPORT_FONT_MISSING`` when a letter,
        mark or digit of a script has no face.
        """
        text = self._spell_out_uncovered_symbols(text, lang=lang, where=where)
        n = len(text)
        out: list[int | None] = [None] * n
        kinds: list[str] = []
        for i, ch in enumerate(text):
            cat = unicodedata.category(ch)
            if cat in _MARK_CATEGORIES:
                kinds.append("mark")
            elif cat == "Cf":
                kinds.append("ignorable")
            elif cat in _SCRIPT_CATEGORIES and not ("0" <= ch <= "9"):
                kinds.append("letter")
                face = self.first_covering(ch)
                if face is None:
                    raise _missing(ch, lang, where)
                out[i] = face.index
            else:
                kinds.append("common")
        # Common characters (spaces, punctuation, ASCII digits) follow the letters around them.
        prev: int | None = None
        pending: list[int] = []
        for i, kind in enumerate(kinds):
            if kind == "letter":
                self._resolve_common(text, out, pending, prev, out[i])
                pending = []
                prev = out[i]
            elif kind == "common":
                pending.append(i)
            elif kind == "mark":
                base = self._mark_face(text, i, out, prev)
                if base is None:
                    raise _missing(text[i], lang, where)
                out[i] = base
        self._resolve_common(text, out, pending, prev, None)
        # Marks after a common base and ignorable characters take their neighbour's face.
        for i, kind in enumerate(kinds):
            if kind == "ignorable" or out[i] is None:
                out[i] = out[i - 1] if i else None
        first = next((f for f in out if f is not None), self.default.index)
        return text, [first if f is None else f for f in out]

    def _mark_face(self, text: str, i: int, out: list[int | None], prev: int | None) -> int | None:
        ch = text[i]
        candidates = [out[i - 1]] if i and out[i - 1] is not None else []
        if prev is not None:
            candidates.append(prev)
        for idx in candidates:
            if idx is not None and self.faces[idx].covers(ch):
                return idx
        face = self.first_covering(ch)
        return face.index if face else None

    def _resolve_common(
        self,
        text: str,
        out: list[int | None],
        pending: list[int],
        before: int | None,
        after: int | None,
    ) -> None:
        for i in pending:
            ch = text[i]
            for idx in (before, after):
                if idx is not None and self.faces[idx].covers(ch):
                    out[i] = idx
                    break
            else:
                face = self.first_covering(ch)
                out[i] = face.index if face else self.default.index

    def _spell_out_uncovered_symbols(self, text: str, *, lang: str, where: str) -> str:
        if all(self.first_covering(ch) or _needs_no_glyph(ch) for ch in text):
            return text
        parts = []
        for ch in text:
            if self.first_covering(ch) or _needs_no_glyph(ch):
                parts.append(ch)
            elif unicodedata.category(ch) in _SCRIPT_CATEGORIES:
                raise _missing(ch, lang, where)
            else:
                # A symbol (emoji, dingbat) or unassigned/private code point: spell it out
                # visibly rather than print a box; the JSON attachment keeps the original.
                parts.append(f"[U+{ord(ch):04X}]")
        return "".join(parts)


def _needs_no_glyph(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf"


def _missing(ch: str, lang: str, where: str) -> ReportError:
    script = script_name(ch)
    return ReportError(
        f"no shipped font covers the {script} script (U+{ord(ch):04X}) needed for "
        f"language '{lang}' in {where}; add a TrueType font for it to resources/fonts",
        code=ErrorCode.REPORT_FONT_MISSING,
        language=lang,
        script=script,
        codepoint=f"U+{ord(ch):04X}",
        field=where,
    )


_lock = threading.Lock()


def _register(spec: FaceSpec, index: int, font_dir: Path) -> Face:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    def load(file_name: str, rl_name: str) -> Any:
        path = font_dir / file_name
        if not path.is_file():
            raise ReportError(
                f"font file {file_name} for {spec.family} is missing from {font_dir}",
                code=ErrorCode.REPORT_FONT_MISSING,
                font=file_name,
                script=spec.key,
            )
        try:
            ttf = TTFont(rl_name, str(path))
        except (TTFError, OSError) as exc:
            raise ReportError(
                f"font file {file_name} cannot be used: {exc}",
                code=ErrorCode.REPORT_FONT_MISSING,
                font=file_name,
                script=spec.key,
            ) from exc
        pdfmetrics.registerFont(ttf)
        ttf.hbFont()  # initialises ReportLab's private-glyph table (hbAddPrivate)
        return ttf

    name = f"FS-{spec.key}"
    regular = load(spec.regular, name)
    bold = load(spec.bold, name + "-Bold") if spec.bold else regular
    hb = require_shaping()
    hb_regular = hb.Font(regular.hbFace)
    hb_bold = hb.Font(bold.hbFace) if bold is not regular else hb_regular
    return Face(
        spec=spec,
        index=index,
        regular=regular,
        bold=bold,
        hb_regular=hb_regular,
        hb_bold=hb_bold,
        cmap=frozenset(regular.face.charToGlyph),
        upem=int(regular.face.unitsPerEm),
        fake_bold=spec.bold is None,
    )


def load_fonts(specs: Sequence[FaceSpec] = FACE_SPECS, font_dir: Path | None = None) -> FontSet:
    """Register ``specs`` with ReportLab (idempotent per name) and return them as a FontSet."""
    require_shaping()
    directory = font_dir or resource_path("fonts")
    with _lock:
        faces = [_register(spec, i, directory) for i, spec in enumerate(specs)]
    log.debug("registered %d font faces", len(faces))
    return FontSet(faces)


@lru_cache(maxsize=1)
def default_fonts() -> FontSet:
    """The shipped faces, registered once per process."""
    return load_fonts()
