"""Language tags: every face turns what a person typed into one of our language codes here.

People and files spell a language many ways: ``zh-Hans``, ``zh_Hans``, ``zh-CN``, ``zh``,
``pt-BR``, ``ar_JO.UTF-8``, ``EN``. FieldScreen keys everything (UI catalogs, instrument
wording, reports) by one code per language in Babel's form (``zh_Hans``, ``pt``, ``ar``).
``match_language`` maps a BCP 47 tag (or a POSIX locale name) onto the codes that are
supported in a given place, using CLDR's likely subtags: ``zh-CN`` is Simplified Chinese
(``zh_Hans``), ``zh-TW`` is Traditional and matches no ``zh_Hans``, ``pt-BR`` and ``pt-PT``
are Portuguese (``pt``). ``normalize_language`` is the same with a clear error listing the
supported codes; the command line (``--lang``), the app (UI language) and the interview
set-up (the instrument's languages) all call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from screening.errors import ErrorCode, InputError

# The languages the referral packet and the app are translated into (translations/ holds a
# catalog for each but English); instruments ship wording in all of them.
REPORT_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl")

# Codes that name the same language as one of ours (ISO 639 synonyms and retired codes).
_ALIASES = {"fil": "tl", "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "tgl": "tl",
            "ara": "ar", "eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "por": "pt",
            "rus": "ru", "vie": "vi", "zho": "zh", "chi": "zh"}
_TAG = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def canonical(tag: str) -> str:
    """Our spelling of a tag, without matching it to anything: ``zh-hans`` -> ``zh_Hans``,
    ``PT-br`` -> ``pt_BR``, ``ar_JO.UTF-8`` -> ``ar_JO``, ``fil`` -> ``tl``. Extensions and
    private-use parts (``-u-…``, ``-x-…``) are dropped."""
    text = tag.strip().split(".")[0].split("@")[0]
    parts = re.split(r"[-_]", text)
    out = [_ALIASES.get(parts[0].lower(), parts[0].lower())]
    for part in parts[1:]:
        if len(part) == 1:  # a singleton starts an extension or private use: stop
            break
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "_".join(out)


def _split(code: str) -> tuple[str, str, str]:
    """``zh_Hans_CN`` -> ("zh", "Hans", "CN"): language, script, region (variants dropped)."""
    parts = code.split("_")
    script = region = ""
    for part in parts[1:]:
        if len(part) == 4 and part[0].isupper() and not script and not region:
            script = part
        elif (len(part) == 2 and part.isupper()) or (len(part) == 3 and part.isdigit()):
            region = region or part
    return parts[0], script, region


@lru_cache(maxsize=256)
def maximize(code: str) -> tuple[str, str, str]:
    """Language, script and region with the likely ones filled in (CLDR "add likely
    subtags"): ``zh_CN`` -> ("zh", "Hans", "CN"), ``pt`` -> ("pt", "Latn", "BR")."""
    from babel.core import get_global

    likely = get_global("likely_subtags")
    lang, script, region = _split(code)
    keys = [k for k in (f"{lang}_{script}_{region}" if script and region else "",
                        f"{lang}_{region}" if region else "",
                        f"{lang}_{script}" if script else "", lang) if k]
    for key in keys:
        if key in likely:
            _lang, full_script, full_region = _split(str(likely[key]))
            return lang, script or full_script, region or full_region
    return lang, script, region


def match_language(tag: str | None, supported: Iterable[str]) -> str | None:
    """The code in ``supported`` that ``tag`` means, or None.

    An exact match first; then a supported code of the same language and script (after
    filling in likely subtags), preferring the same region, then the code without a region.
    """
    if not tag or not _TAG.match(tag.strip().split(".")[0].split("@")[0]):
        return None
    codes = list(dict.fromkeys(supported))
    wanted = canonical(tag)
    exact = {canonical(c): c for c in codes}
    if wanted in exact:
        return exact[wanted]
    lang, script, region = maximize(wanted)
    best: tuple[int, str] | None = None
    for code in codes:
        c_lang, c_script, _region = maximize(canonical(code))
        if c_lang != lang or c_script != script:
            continue
        _l, _s, own_region = _split(canonical(code))
        rank = 0 if own_region == region else 1 if not own_region else 2
        if best is None or rank < best[0]:
            best = (rank, code)
    return best[1] if best else None


def normalize_language(tag: str, supported: Iterable[str], *, what: str = "language") -> str:
    """``match_language`` or InputError (exit 2): "unknown {what} 'xx' (supported: …)"."""
    codes = list(dict.fromkeys(supported))
    found = match_language(tag, codes)
    if found is None:
        raise InputError(
            f"unknown {what} '{tag}' (supported: {', '.join(c.replace('_', '-') for c in codes)}; "
            "BCP 47 tags such as zh-CN or pt-BR are understood)",
            code=ErrorCode.BAD_INPUT,
        )
    return found


def bcp47(code: str) -> str:
    """Our code as a BCP 47 tag (``zh_Hans`` -> ``zh-Hans``), e.g. for PDF metadata."""
    return code.replace("_", "-")


def report_language(tag: str) -> str:
    """The report language ``tag`` means (``--lang`` of ``report`` and ``report --to``)."""
    return normalize_language(tag, REPORT_LANGUAGES, what="report language")
