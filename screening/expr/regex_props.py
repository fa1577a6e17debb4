r"""Java's ``\p{...}`` names (``java.util.regex``) as RE2 class contents, for
``screening.expr.regex_java``.

:func:`re2_class` writes ``\p{name}`` for RE2; :func:`lookup` answers ``(contents, native)``:
``native`` when RE2 knows the name itself as ``\p{name}`` (general categories, scripts), else
``contents`` is the inside of a ``[...]``.
Java 17 reads Unicode 13; RE2's tables are newer, so a letter assigned since is a letter
here and not in Java (rare in forms). The binary properties Java derives from Unicode's
``Other_*`` lists (``\p{IsAlphabetic}``, ``\p{IsUppercase}``, ``\p{IsLowercase}``) are spelt
out from Java 17's own answers (``Character.isAlphabetic`` ...).
"""

from __future__ import annotations

import re2

_PROBE = re2.Options()
_PROBE.log_errors = False


def _ranges(spec: str) -> str:
    """``"AA 2B0-2B8"`` (hexadecimal) -> ``\\x{AA}\\x{2B0}-\\x{2B8}``."""
    return "".join("-".join(f"\\x{{{end}}}" for end in token.split("-")) for token in spec.split())


# Java 17: Character.isAlphabetic(c) and not a letter (L) or letter number (Nl).
_OTHER_ALPHABETIC = _ranges("""
345 5B0-5BD 5BF 5C1-5C2 5C4-5C5 5C7 610-61A 64B-657 659-65F 670 6D6-6DC 6E1-6E4 6E7-6E8 6ED
711 730-73F 7A6-7B0 816-817 81B-823 825-827 829-82C 8D4-8DF 8E3-8E9 8F0-903 93A-93B 93E-94C
94E-94F 955-957 962-963 981-983 9BE-9C4 9C7-9C8 9CB-9CC 9D7 9E2-9E3 A01-A03 A3E-A42 A47-A48
A4B-A4C A51 A70-A71 A75 A81-A83 ABE-AC5 AC7-AC9 ACB-ACC AE2-AE3 AFA-AFC B01-B03 B3E-B44
B47-B48 B4B-B4C B56-B57 B62-B63 B82 BBE-BC2 BC6-BC8 BCA-BCC BD7 C00-C03 C3E-C44 C46-C48
C4A-C4C C55-C56 C62-C63 C81-C83 CBE-CC4 CC6-CC8 CCA-CCC CD5-CD6 CE2-CE3 D00-D03 D3E-D44
D46-D48 D4A-D4C D57 D62-D63 D81-D83 DCF-DD4 DD6 DD8-DDF DF2-DF3 E31 E34-E3A E4D EB1 EB4-EB9
EBB-EBC ECD F71-F81 F8D-F97 F99-FBC 102B-1036 1038 103B-103E 1056-1059 105E-1060 1062-1064
1067-106D 1071-1074 1082-108D 108F 109A-109D 1712-1713 1732-1733 1752-1753 1772-1773 17B6-17C8
1885-1886 18A9 1920-192B 1930-1938 1A17-1A1B 1A55-1A5E 1A61-1A74 1ABF-1AC0 1B00-1B04 1B35-1B43
1B80-1B82 1BA1-1BA9 1BAC-1BAD 1BE7-1BF1 1C24-1C36 1DE7-1DF4 24B6-24E9 2DE0-2DFF A674-A67B
A69E-A69F A802 A80B A823-A827 A880-A881 A8B4-A8C3 A8C5 A8FF A926-A92A A947-A952 A980-A983
A9B4-A9BF A9E5 AA29-AA36 AA43 AA4C-AA4D AA7B-AA7D AAB0 AAB2-AAB4 AAB7-AAB8 AABE AAEB-AAEF AAF5
ABE3-ABEA FB1E 10376-1037A 10A01-10A03 10A05-10A06 10A0C-10A0F 10D24-10D27 10EAB-10EAC
11000-11002 11038-11045 11082 110B0-110B8 11100-11102 11127-11132 11145-11146 11180-11182
111B3-111BF 111CE-111CF 1122C-11234 11237 1123E 112DF-112E8 11300-11303 1133E-11344
11347-11348 1134B-1134C 11357 11362-11363 11435-11441 11443-11445 114B0-114C1 115AF-115B5
115B8-115BE 115DC-115DD 11630-1163E 11640 116AB-116B5 1171D-1172A 1182C-11838 11930-11935
11937-11938 1193B-1193C 11940 11942 119D1-119D7 119DA-119DF 119E4 11A01-11A0A 11A35-11A39
11A3B-11A3E 11A51-11A5B 11A8A-11A97 11C2F-11C36 11C38-11C3E 11C92-11CA7 11CA9-11CB6
11D31-11D36 11D3A 11D3C-11D3D 11D3F-11D41 11D43 11D47 11D8A-11D8E 11D90-11D91 11D93-11D96
11EF3-11EF6 16F4F 16F51-16F87 16F8F-16F92 16FF0-16FF1 1BC9E 1E000-1E006 1E008-1E018
1E01B-1E021 1E023-1E024 1E026-1E02A 1E947 1F130-1F149 1F150-1F169 1F170-1F189
""")
_OTHER_UPPERCASE = _ranges("2160-216F 24B6-24CF 1F130-1F149 1F150-1F169 1F170-1F189")
_OTHER_LOWERCASE = _ranges("""
AA BA 2B0-2B8 2C0-2C1 2E0-2E4 345 37A 1D2C-1D6A 1D78 1D9B-1DBF 2071 207F 2090-209C 2170-217F
24D0-24E9 2C7C-2C7D A69C-A69D A770 A7F8-A7F9 AB5C-AB5F
""")
WHITE_SPACE = _ranges("9-D 20 85 A0 1680 2000-200A 2028 2029 202F 205F 3000")
UPPERCASE = r"\p{Lu}" + _OTHER_UPPERCASE
LOWERCASE = r"\p{Ll}" + _OTHER_LOWERCASE
CASED = r"\p{Lu}\p{Ll}\p{Lt}" + _OTHER_UPPERCASE + _OTHER_LOWERCASE  # either, for (?i)

CATEGORIES = frozenset(
    "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps "  # noqa: SIM905
    "S Sc Sk Sm So Z Zl Zp Zs".split()
)
_POSIX = {  # Java's \p{Alpha} ... are ASCII, as RE2's [:alpha:]
    name: name.lower()
    for name in ("Lower", "Upper", "Alpha", "Digit", "Alnum", "Punct", "Graph", "Print",
                 "Blank", "Cntrl", "XDigit", "Space")
} | {"ASCII": "ascii"}
_BINARY = {  # Java's \p{IsAlphabetic} ..., names without case, "_" or " "
    "ALPHABETIC": r"\p{L}\p{Nl}" + _OTHER_ALPHABETIC,
    "LETTER": r"\p{L}",
    "DIGIT": r"\p{Nd}",
    "UPPERCASE": UPPERCASE,
    "LOWERCASE": LOWERCASE,
    "TITLECASE": r"\p{Lt}",
    "PUNCTUATION": r"\p{P}",
    "CONTROL": r"\p{Cc}",
    "WHITESPACE": WHITE_SPACE,
    "HEXDIGIT": r"0-9A-Fa-f\x{FF10}-\x{FF19}\x{FF21}-\x{FF26}\x{FF41}-\x{FF46}",
    "JOINCONTROL": r"\x{200C}\x{200D}",
}
_OTHER = {  # \p{javaLowerCase} ... (java.lang.Character's methods), \p{all}, \p{LC}
    "javaLowerCase": LOWERCASE, "javaUpperCase": UPPERCASE, "javaTitleCase": r"\p{Lt}",
    "javaLetter": r"\p{L}", "javaDigit": r"\p{Nd}", "javaLetterOrDigit": r"\p{L}\p{Nd}",
    "javaAlphabetic": _BINARY["ALPHABETIC"], "javaSpaceChar": r"\p{Z}",
    "javaWhitespace": _ranges("9-D 1C-20 1680 2000-2006 2008-200A 2028 2029 205F 3000"),
    "all": r"\x{0}-\x{10FFFF}", "LC": r"\p{Lu}\p{Ll}\p{Lt}",
}  # fmt: skip
# The Unicode blocks forms use (\p{InArabic}); names compared without case, spaces, _ or -.
_BLOCKS = {
    "BASICLATIN": (0x0000, 0x007F), "LATIN1SUPPLEMENT": (0x0080, 0x00FF),
    "LATINEXTENDEDA": (0x0100, 0x017F), "LATINEXTENDEDB": (0x0180, 0x024F),
    "GREEK": (0x0370, 0x03FF), "GREEKANDCOPTIC": (0x0370, 0x03FF),
    "CYRILLIC": (0x0400, 0x04FF), "CYRILLICSUPPLEMENTARY": (0x0500, 0x052F),
    "CYRILLICSUPPLEMENT": (0x0500, 0x052F), "ARMENIAN": (0x0530, 0x058F),
    "HEBREW": (0x0590, 0x05FF), "ARABIC": (0x0600, 0x06FF), "SYRIAC": (0x0700, 0x074F),
    "ARABICSUPPLEMENT": (0x0750, 0x077F), "THAANA": (0x0780, 0x07BF),
    "ARABICEXTENDEDA": (0x08A0, 0x08FF), "DEVANAGARI": (0x0900, 0x097F),
    "BENGALI": (0x0980, 0x09FF), "GURMUKHI": (0x0A00, 0x0A7F), "GUJARATI": (0x0A80, 0x0AFF),
    "TAMIL": (0x0B80, 0x0BFF), "TELUGU": (0x0C00, 0x0C7F), "SINHALA": (0x0D80, 0x0DFF),
    "THAI": (0x0E00, 0x0E7F), "LAO": (0x0E80, 0x0EFF), "TIBETAN": (0x0F00, 0x0FFF),
    "MYANMAR": (0x1000, 0x109F), "GEORGIAN": (0x10A0, 0x10FF), "HANGULJAMO": (0x1100, 0x11FF),
    "ETHIOPIC": (0x1200, 0x137F), "KHMER": (0x1780, 0x17FF),
    "LATINEXTENDEDADDITIONAL": (0x1E00, 0x1EFF), "GENERALPUNCTUATION": (0x2000, 0x206F),
    "CJKSYMBOLSANDPUNCTUATION": (0x3000, 0x303F), "HIRAGANA": (0x3040, 0x309F),
    "KATAKANA": (0x30A0, 0x30FF), "CJKUNIFIEDIDEOGRAPHS": (0x4E00, 0x9FFF),
    "HANGULSYLLABLES": (0xAC00, 0xD7AF), "ARABICPRESENTATIONFORMSA": (0xFB50, 0xFDFF),
    "ARABICPRESENTATIONFORMSB": (0xFE70, 0xFEFF), "HALFWIDTHANDFULLWIDTHFORMS": (0xFF00, 0xFFEF),
}  # fmt: skip


class Unsupported(Exception):
    """A property FieldScreen cannot run; the message says why (never the name: a pattern
    built while the form runs may hold an answer)."""


def re2_class(name: str, *, negated: bool, in_class: bool, either_case: bool) -> str:
    """Java's ``\\p{name}`` (``\\P{name}`` when ``negated``) in RE2's syntax: a class, or
    its contents when ``in_class``. ``either_case``: Java's (?i), under which \\p{Lu} and
    \\p{Lower} match either case."""
    found = lookup(name)
    if found is None:
        raise Unsupported(
            "a Unicode block (\\p{In...}) that FieldScreen does not know; use a script "
            "(\\p{IsArabic}) or a range ([\\u0600-\\u06FF])" if is_block(name)
            else "a Unicode property (\\p{...}) that is not known; \\p{L}, \\p{IsArabic} are"
        )
    contents, native = found
    if either_case:
        if contents in ("Lu", "Ll", "Lt"):
            contents, native = r"\p{Lu}\p{Ll}\p{Lt}", False
        elif contents in (UPPERCASE, LOWERCASE):
            contents = CASED
        elif contents in ("[:lower:]", "[:upper:]"):
            contents = "[:alpha:]"
    if native:  # \p{L}, \p{Greek}: RE2 negates these itself
        return ("\\P" if negated else "\\p") + "{" + contents + "}"
    if not negated:
        return contents if in_class else f"[{contents}]"
    if in_class:
        if contents.startswith("[:"):
            return "[:^" + contents[2:]
        raise Unsupported("\\P{...} of a block or binary property inside [...] is not supported")
    return f"[^{contents}]"


def lookup(name: str) -> tuple[str, bool] | None:
    """A Java property name -> (RE2 class contents, True if RE2 knows it as \\p{name}),
    or None when FieldScreen does not know the name."""
    key, _, value = name.partition("=")
    if value:
        kind = key.lower()
        if kind in ("gc", "general_category") and value in CATEGORIES:
            return value, True
        if kind in ("sc", "script"):
            return _script(value)
        if kind in ("blk", "block"):
            return _block(value)
        return None
    if name in CATEGORIES:
        return name, True
    if name in _POSIX:
        return f"[:{_POSIX[name]}:]", False
    if name in _OTHER:
        return _OTHER[name], False
    if name.startswith("In"):
        return _block(name[2:])
    if name.startswith("Is"):
        rest = name[2:]
        if rest in CATEGORIES:
            return rest, True
        binary = _BINARY.get(rest.upper().replace("_", "").replace(" ", ""))
        return (binary, False) if binary else _script(rest)
    return _script(name)  # Java refuses \p{Latin}; ICU (Android) accepts it


def is_block(name: str) -> bool:
    """Whether ``name`` asks for a Unicode block (for the message when it is unknown)."""
    return name.startswith("In") or name.partition("=")[0].lower() in ("blk", "block")


def _script(name: str) -> tuple[str, bool] | None:
    canonical = "_".join(part.capitalize() for part in name.replace(" ", "_").split("_"))
    try:
        re2.compile("\\p{" + canonical + "}", _PROBE)
    except re2.error:
        return None
    return canonical, True


def _block(name: str) -> tuple[str, bool] | None:
    bounds = _BLOCKS.get(name.upper().replace(" ", "").replace("_", "").replace("-", ""))
    return (f"\\x{{{bounds[0]:X}}}-\\x{{{bounds[1]:X}}}", False) if bounds else None


__all__ = ["CATEGORIES", "Unsupported", "is_block", "lookup", "re2_class"]
