"""The UI catalogs are complete and honest; instrument languages are complete.

Fails when: a UI string is not in the catalog (messages.pot is stale), a catalog has
untranslated or fuzzy entries, placeholders differ between msgid and msgstr, or a shipped
instrument lacks one of the shipped languages.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from screening.instruments import list_instruments

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
UI_LOCALES = ["es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl"]
CONTENT_LANGUAGES = {"en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdif]|%[sdif]")


def _catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        return read_po(fh)


def _msgids(path: Path) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(path) if m.id}


def test_every_ui_string_is_in_the_template(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "N_",
         "-k", "ngettext:1,2", "--no-wrap", "--no-location", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    missing = _msgids(fresh) - _msgids(TRANSLATIONS / "messages.pot")
    assert not missing, f"run `make translations`: {sorted(missing)[:10]}"
    assert len(_msgids(fresh)) > 100  # really extracted the app's and the reports' strings


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_catalog_is_complete_without_fuzzy(locale: str) -> None:
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    template = _msgids(TRANSLATIONS / "messages.pot")
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        ids.add(message.id if isinstance(message.id, str) else message.id[0])
        assert not message.fuzzy, f"{locale}: fuzzy entry {message.id!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"{locale}: untranslated {message.id!r}"
        if isinstance(message.string, tuple):
            assert len(strings) == catalog.num_plurals, f"{locale}: plural forms {message.id!r}"
    assert template <= ids, f"{locale}: missing {sorted(template - ids)[:5]}"


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_placeholders_match(locale: str) -> None:
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = Counter(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            got = Counter(PLACEHOLDER.findall(text))
            # A plural form for exactly one thing may spell the number out ("one answer").
            if isinstance(message.id, tuple) and got != wanted:
                got_names = {p for p in got if "count" not in p and p not in ("%d",)}
                assert got_names <= set(wanted), f"{locale}: {message.id!r} -> {text!r}"
                continue
            assert got == wanted, f"{locale}: placeholders differ in {message.id!r} -> {text!r}"


def test_shipped_instruments_speak_every_content_language() -> None:
    for result in list_instruments():
        ins = result.instrument
        assert set(ins.languages) >= CONTENT_LANGUAGES, ins.id
        assert ins.languages[ins.source_language].status == "source"
        # Honest statuses: nobody has reviewed these translations yet.
        assert all(info.status in ("source", "reviewed", "machine", "draft")
                   for info in ins.languages.values())
        assert ins.consent and set(ins.consent) >= CONTENT_LANGUAGES, ins.id


def test_every_report_language_has_a_complete_catalog() -> None:
    from screening.i18n import REPORT_LANGUAGES

    assert set(REPORT_LANGUAGES) == {"en", *UI_LOCALES}  # `--lang` accepts exactly these
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    locales = re.search(r"^LOCALES := (.*)$", makefile, re.MULTILINE)
    assert locales is not None and set(locales.group(1).split()) == set(UI_LOCALES)
    for locale in UI_LOCALES:
        header = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
        assert header.last_translator == "FieldScreen machine translation (needs review)"


# What a packet may print in any language exactly as in English: names, formats, punctuation.
SAME_IN_EVERY_LANGUAGE = {"FieldScreen", "OK", ", ", "; ", "YYYY-MM-DD", "HH:MM",
                          "YYYY-MM-DD HH:MM"}


def _report_msgids() -> set[str]:
    """The strings the referral packet prints: marked in screening/reports and the referral
    details' labels (screening/casework/referral_details.py)."""
    from babel.messages.extract import extract_from_file

    files = [*sorted((ROOT / "screening" / "reports").glob("*.py")),
             ROOT / "screening" / "casework" / "referral_details.py"]
    ids: set[str] = set()
    for path in files:
        for _line, message, _comments, _context in extract_from_file(
                "python", str(path), keywords={"_": None, "N_": None}):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_the_tagalog_packet_has_no_english_labels() -> None:
    """A review found "Referral packet", "Interpreter", "Validation", "Domestic servitude" ...
    in English in a Tagalog packet (issue #15): the catalog held them untranslated."""
    catalog = {m.id: m.string for m in _catalog(TRANSLATIONS / "tl" / "LC_MESSAGES"
                                                / "messages.po") if isinstance(m.id, str)}
    report = _report_msgids()
    assert {"Referral packet", "Female", "Withheld in this minimal copy"} <= report
    english = sorted(m for m in report - SAME_IN_EVERY_LANGUAGE if catalog.get(m, m) == m)
    assert not english, f"tl: {english[:10]}"
