"""Glyph coverage of the shipped fonts, read from the font files themselves (no Qt, no ReportLab).

The referral PDF draws every letter with a font from ``resources/fonts`` (``screening.reports.
fonts.FACE_SPECS``) and the desktop app registers the same files at start (issue #14), so one
question decides whether a language can be shown at all: does some shipped font's character
map hold each letter, mark and digit of its text? ``language_gaps`` answers it per language;
``fieldscreen selfcheck`` uses it to name the language (and instrument) a font is missing for.

Only the ``cmap`` table is read (formats 4 and 12, which every TrueType/OpenType text font has).
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from screening.paths import resource_path

# Characters that belong to a script: a font must have them (the PDF's rule, reports/fonts.py).
SCRIPT_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl"})


class FontFileError(ValueError):
    """A font file without a usable character map."""


def _subtables(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(platform, encoding, absolute offset) of every cmap subtable."""
    if len(data) < 12:
        raise FontFileError("not a font file")
    tag = data[:4]
    if tag == b"ttcf":  # a collection: the first font's tables
        (first,) = struct.unpack_from(">I", data, 12)
        base = first
    else:
        base = 0
    (count,) = struct.unpack_from(">H", data, base + 4)
    cmap = None
    for i in range(count):
        name, _check, offset, _length = struct.unpack_from(">4sIII", data, base + 12 + 16 * i)
        if name == b"cmap":
            cmap = offset
            break
    if cmap is None:
        raise FontFileError("the font has no cmap table")
    (_version, tables) = struct.unpack_from(">HH", data, cmap)
    for i in range(tables):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        yield platform, encoding, cmap + offset


def _format4(data: bytes, at: int) -> set[int]:
    (seg_x2,) = struct.unpack_from(">H", data, at + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, at + 14)
    starts = struct.unpack_from(f">{segs}H", data, at + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 2 * seg_x2)
    range_at = at + 16 + 3 * seg_x2
    offsets = struct.unpack_from(f">{segs}H", data, range_at)
    out: set[int] = set()
    for i in range(segs):
        start, end = starts[i], ends[i]
        if start == 0xFFFF:
            continue
        for code in range(start, end + 1):
            if offsets[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                where = range_at + 2 * i + offsets[i] + 2 * (code - start)
                (glyph,) = struct.unpack_from(">H", data, where)
                if glyph:
                    glyph = (glyph + deltas[i]) & 0xFFFF
            if glyph:
                out.add(code)
    return out


def _format12(data: bytes, at: int) -> set[int]:
    (groups,) = struct.unpack_from(">I", data, at + 12)
    out: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        out.update(range(start if glyph else start + 1, end + 1))
    return out


@lru_cache(maxsize=32)
def font_cmap(path: Path) -> frozenset[int]:
    """The code points ``path`` has a glyph for (0 = .notdef does not count)."""
    data = Path(path).read_bytes()
    try:
        found: set[int] = set()
        for platform, encoding, at in _subtables(data):
            (fmt,) = struct.unpack_from(">H", data, at)
            unicode_table = platform == 0 or (platform == 3 and encoding in (1, 10))
            if not unicode_table:
                continue
            if fmt == 12:
                found |= _format12(data, at)
            elif fmt == 4:
                found |= _format4(data, at)
        if not found:
            raise FontFileError("the font has no Unicode character map")
    except struct.error as exc:
        raise FontFileError(f"damaged font file: {exc}") from None
    return frozenset(found)


def shipped_font_files() -> list[Path]:
    """The regular face of every shipped family, in the PDF's priority order."""
    from screening.reports.fonts import FACE_SPECS  # the list, not ReportLab (imported lazily)

    return [resource_path("fonts", spec.regular) for spec in FACE_SPECS]


def shipped_coverage(files: Iterable[Path] | None = None) -> frozenset[int]:
    """Every code point some shipped font has a glyph for."""
    cover: set[int] = set()
    for path in files if files is not None else shipped_font_files():
        cover |= font_cmap(path)
    return frozenset(cover)


def needs_glyph(ch: str) -> bool:
    return unicodedata.category(ch) in SCRIPT_CATEGORIES


def missing_characters(text: str, cover: frozenset[int]) -> list[str]:
    """The letters, marks and digits of ``text`` no font in ``cover`` has (each once)."""
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in seen and needs_glyph(ch) and ord(ch) not in cover:
            seen[ch] = None
    return list(seen)


def script_of(ch: str) -> str:
    """A readable script name ("THAI", "CJK") from the character's Unicode name."""
    try:
        return unicodedata.name(ch).split(" ")[0]
    except ValueError:
        return "UNKNOWN"


@dataclass(frozen=True)
class LanguageGap:
    """Text in ``language`` (from ``where``) that no shipped font can show."""

    language: str
    where: str
    characters: tuple[str, ...]

    @property
    def scripts(self) -> list[str]:
        return sorted({script_of(ch) for ch in self.characters})

    def describe(self) -> str:
        sample = " ".join(f"U+{ord(ch):04X}" for ch in self.characters[:5])
        more = f" and {len(self.characters) - 5} more" if len(self.characters) > 5 else ""
        return (f"language '{self.language}' ({self.where}): no shipped font shows its "
                f"{'/'.join(self.scripts)} text ({sample}{more}); add a font for it to "
                "resources/fonts")


def instrument_texts(instrument: Any) -> dict[str, str]:
    """Every wording of an instrument, joined per language code.

    Walks the whole document rather than a list of fields, so wording added to the schema
    later is checked too: a text is any mapping from the instrument's language codes to str.
    """
    codes = set(instrument.languages) | {instrument.source_language}
    out: dict[str, list[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            keys = set(node)
            if keys and keys <= codes and all(isinstance(v, str) for v in node.values()):
                for lang, text in node.items():
                    out.setdefault(lang, []).append(text)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(instrument.model_dump(mode="python"))
    return {lang: "\n".join(parts) for lang, parts in out.items()}


def language_gaps(texts: Mapping[str, str], where: str,
                  cover: frozenset[int] | None = None) -> list[LanguageGap]:
    """One gap per language of ``texts`` with characters no shipped font has."""
    cover = shipped_coverage() if cover is None else cover
    gaps = []
    for lang in sorted(texts):
        missing = missing_characters(texts[lang], cover)
        if missing:
            gaps.append(LanguageGap(lang, where, tuple(missing)))
    return gaps


def instrument_gaps(results: Iterable[Any], cover: frozenset[int] | None = None
                    ) -> list[LanguageGap]:
    """Gaps for every language of every instrument (``LoadResult``s)."""
    gaps: list[LanguageGap] = []
    for result in results:
        ins = result.instrument
        gaps += language_gaps(instrument_texts(ins), f"instrument {ins.id}@{ins.version}", cover)
    return gaps


def catalog_texts(root: Path) -> dict[str, str]:
    """The translated UI strings per language (``translations/<lang>/LC_MESSAGES/*.po``)."""
    from babel.messages.pofile import read_po

    out: dict[str, str] = {}
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        parts: list[str] = []
        for message in catalog:
            if not message.id:
                continue  # the header
            strings = message.string if isinstance(message.string, tuple | list) else (
                message.string,)
            parts += [s for s in strings if s]
        out[po.parent.parent.name] = "\n".join(parts)
    return out
