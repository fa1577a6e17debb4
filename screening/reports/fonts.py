"""Per-script font selection for the referral PDF.

ReportLab has no font fallback: a character missing from the current font prints as a blank
or a .notdef box. So every text is split into runs and each run gets a vendored font that
really has its characters, checked against the font's own cmap, never guessed from the
language. A letter that no shipped font covers is an error (``REPORT_FONT_MISSING``) naming
the script and the language; the report is never printed with holes in it.

The fonts live in ``resources/fonts/`` (see the README there). They are registered with
ReportLab once per process, each when a text first needs it (issue #19): parsing all seven
files took about 0.15 s of the first PDF, 0.1 s of it for the CJK font alone, which a packet
without Chinese never uses. The faces keep their priority order: a letter still takes the
first face whose cmap has it, the later faces are only parsed when the earlier ones lack it.
Every file is checked to be there when the set is made. Shaping (Arabic joining, Devanagari
conjuncts) needs uharfbuzz; ReportLab silently prints unshaped text without it, so we refuse
to run instead.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, overload

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


class Faces(Sequence[Face]):
    """The faces in priority order, each registered on first access (``FontSet``)."""

    def __init__(self, loaders: Sequence[Callable[[], Face]]) -> None:
        self._loaders = tuple(loaders)
        self._faces: list[Face | None] = [None] * len(self._loaders)

    def __len__(self) -> int:
        return len(self._loaders)

    @overload
    def __getitem__(self, index: int) -> Face: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Face]: ...

    def __getitem__(self, index: int | slice) -> Face | Sequence[Face]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        face = self._faces[index]
        if face is None:
            with _lock:  # two PDFs on two threads register a face once
                face = self._faces[index]
                if face is None:
                    face = self._faces[index] = self._loaders[index]()
        return face

    def __iter__(self) -> Iterator[Face]:
        for index, face in enumerate(self._faces):
            yield face if face is not None else self[index]

    def loaded(self) -> list[str]:
        """The keys of the faces registered so far (for tests and benchmarks)."""
        return [f.spec.key for f in self._faces if f is not None]


class FontSet:
    """The faces, in priority order; each is registered when a text first needs it."""

    def __init__(self, faces: Sequence[Face] | Faces) -> None:
        self.faces: Sequence[Face] = faces if isinstance(faces, Faces) else tuple(faces)
        self.default = self.faces[0]

    @property
    def base_font_name(self) -> str:
        return str(self.default.regular.fontName)

    def first_covering(self, ch: str) -> Face | None:
        code = ord(ch)
        if code in self.default.cmap:  # most characters: no walk through the faces
            return self.default
        for face in self.faces:  # in order: a later face loads only if the earlier lack ch
            if code in face.cmap:
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


def _require_files(spec: FaceSpec, font_dir: Path) -> None:
    for file_name in (spec.regular, spec.bold):
        if file_name is not None and not (font_dir / file_name).is_file():
            raise ReportError(
                f"font file {file_name} for {spec.family} is missing from {font_dir}",
                code=ErrorCode.REPORT_FONT_MISSING,
                font=file_name,
                script=spec.key,
            )


def _register(spec: FaceSpec, index: int, font_dir: Path) -> Face:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    _require_files(spec, font_dir)

    def load(file_name: str, rl_name: str) -> Any:
        path = font_dir / file_name
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
    """``specs`` as a FontSet: every file checked now, the first face registered with
    ReportLab now (idempotent per name), each other face when a text first needs it."""
    require_shaping()
    directory = font_dir or resource_path("fonts")
    for spec in specs:
        _require_files(spec, directory)
    faces = Faces([partial(_register, spec, i, directory) for i, spec in enumerate(specs)])
    log.debug("%d font faces, registered on first use", len(faces))
    return FontSet(faces)


@lru_cache(maxsize=1)
def default_fonts() -> FontSet:
    """The shipped faces, registered once per process."""
    return load_fonts()
