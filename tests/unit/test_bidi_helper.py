"""The shared bidi helper (screening.i18n.bidi): what it isolates, and what a reader then sees.

"What a reader sees" is checked with the report's own UAX #9 resolver (rules L1/L2), the
same code that lays out the referral PDF; the app hands the same strings to Qt.
"""

from __future__ import annotations

import pytest

from screening.i18n.bidi import (
    FSI,
    LRI,
    PDI,
    RLI,
    bidi_text,
    isolate,
    isolate_runs,
    ltr_runs,
    plain,
    strip_controls,
)
from screening.reports.bidi import line_levels, reorder_runs, resolve_levels

CONTROLS = frozenset({LRI, RLI, FSI, PDI})


def shown(text: str, base: int) -> str:
    """Characters left to right as displayed in a paragraph of direction ``base``
    (0 LTR, 1 RTL), before glyph mirroring; the isolate controls are invisible."""
    levels = line_levels(text, resolve_levels(text, base), 0, len(text), base)
    runs: list[tuple[int, list[str]]] = []
    for ch, lv in zip(text, levels, strict=True):
        if ch in CONTROLS:
            continue
        if runs and runs[-1][0] == lv:
            runs[-1][1].append(ch)
        else:
            runs.append((lv, [ch]))
    out = []
    for i in reorder_runs([lv for lv, _ in runs]):
        lv, chars = runs[i]
        out.append("".join(reversed(chars) if lv & 1 else chars))
    return "".join(out)


def found(text: str) -> list[tuple[str, str]]:
    return [(text[r.start : r.end], r.kind) for r in ltr_runs(text)]


@pytest.mark.parametrize(
    ("text", "run", "kind"),
    [
        ("اتصل على +962 79 555 1234.", "+962 79 555 1234", "phone"),
        ("الرقم +00 000 0000", "+00 000 0000", "phone"),
        ("call 1-888-373-7888 now", "1-888-373-7888", "phone"),
        ("هاتف +1 (555) 010-1234", "+1 (555) 010-1234", "phone"),
        ("رقم ٠٧٩ ٥٥٥ ١٢٣٤", "٠٧٩ ٥٥٥ ١٢٣٤", "phone"),
        ("الموقع: https://humantraffickinghotline.org.", "https://humantraffickinghotline.org",
         "url"),
        ("(see https://en.wikipedia.org/wiki/Foo_(bar)).",
         "https://en.wikipedia.org/wiki/Foo_(bar)", "url"),
        ("البريد intake@shelter.example.org، أو", "intake@shelter.example.org", "email"),
        ("مرجع الحالة FS-2026-QW2PN", "FS-2026-QW2PN", "id"),
        ("مرجع الشرطة 2026/00451.", "2026/00451", "id"),
        ("المستند f7688fc0-a7a6-444c-a2cc-e7c5d9a32249", "f7688fc0-a7a6-444c-a2cc-e7c5d9a32249",
         "id"),
        ("sha256:4553b4f71b22adeb705aea727480c68a86fa0fe4d2b595de820933e31f88c88b",
         "sha256:4553b4f71b22adeb705aea727480c68a86fa0fe4d2b595de820933e31f88c88b", "hash"),
        ("في 2026-03-07 10:00 وصل", "2026-03-07 10:00", "date"),
        ("منذ 2025-02", "2025-02", "date"),
    ],
)
def test_each_kind_of_run_is_found_whole(text: str, run: str, kind: str) -> None:
    assert found(text) == [(run, kind)]


@pytest.mark.parametrize("text", ["e.g. and/or", "عمل 14 ساعة", "abc1234567", "911", "word"])
def test_words_and_short_numbers_are_not_runs(text: str) -> None:
    assert found(text) == []


def test_a_phone_number_inside_arabic_reads_left_to_right() -> None:
    text = "اتصل على +962 79 555 1234."
    # The bare algorithm (what the PDF and Qt did before): the digit groups swap places.
    assert "1234 555 79 962+" in shown(text, 1)
    fixed = shown(isolate_runs(text), 1)
    assert "+962 79 555 1234" in fixed
    assert fixed == ".+962 79 555 1234 ىلع لصتا"  # full stop at the sentence's end (left)


def test_placeholder_phone_and_url_inside_arabic() -> None:
    assert "+00 000 0000" in shown(isolate_runs("الهاتف +00 000 0000"), 1)
    assert "https://example.org/ar" in shown(isolate_runs("الموقع: https://example.org/ar"), 1)


def test_a_reference_starting_with_digits_keeps_its_order() -> None:
    text = "مرجع الشرطة 2026-00451"
    assert "00451-2026" in shown(text, 1)  # before
    assert "2026-00451" in shown(isolate_runs(text), 1)


def test_a_hash_after_a_translated_label_stays_after_it() -> None:
    label = "SHA-256 للملف: "
    digest = "ac3802b33d895427a5454cd1fa35b86ab75d71609664bc04bc14ab0ed3a5a0c5"
    # In a right-to-left paragraph the label is read first (rightmost), the hash after it.
    line = shown(isolate_runs(label) + isolate(digest), 1)
    assert line.startswith(digest) and line.endswith("SHA-256")


def test_an_english_sentence_keeps_its_full_stop_inside_arabic_text() -> None:
    text = "تحتاج إلى مأوى آمن. Needs a safe place."
    # Without sentence isolates the full stop jumps to the start: ".Needs a safe place".
    assert ".Needs a safe place" in shown(RLI + text + PDI, 1)
    line = shown(isolate(text), 1)
    assert "Needs a safe place." in line and ".Needs" not in line
    assert line.endswith("تحتاج إلى مأوى آمن."[::-1])  # the Arabic sentence is read first


def test_english_text_in_a_right_to_left_layout_keeps_its_punctuation() -> None:
    # An English directory note shown in the Arabic UI (Qt lays it out right to left).
    assert shown("Needs a safe place.", 1) == ".Needs a safe place"  # before
    assert shown(bidi_text("Needs a safe place."), 1) == "Needs a safe place."


def test_isolate_takes_the_direction_of_the_first_letter_outside_runs() -> None:
    assert isolate("+962 79 555 1234 هاتف").startswith(RLI)
    assert isolate("FS-2026-QW2PN ملف").startswith(RLI)
    assert isolate("call +962 79 555 1234").startswith(LRI)
    assert isolate("+962 79 555 1234").startswith(FSI)


def test_typed_controls_are_removed_before_the_helper_adds_its_own() -> None:
    hostile = "Zyxa\u202eTestperson\u2067x\u2069"
    assert strip_controls(hostile) == "ZyxaTestpersonx"
    assert "\u202e" not in bidi_text(hostile)
    assert plain(bidi_text("هاتف +962 79 555 1234")) == "هاتف +962 79 555 1234"


def test_isolates_never_span_lines() -> None:
    text = bidi_text("Hours: 24/7\nهاتف +962 79 555 1234")
    for line in text.split("\n"):
        assert line.count(PDI) == sum(line.count(c) for c in (LRI, RLI, FSI))


def test_data_without_letters_follows_the_text_around_it() -> None:
    # A list of question numbers in an Arabic report reads right to left, each number LTR.
    assert isolate("3.4, 4.4, 7.4", "rtl").startswith(RLI)
    assert shown(isolate("3.4, 4.4, 7.4", "rtl"), 1) == "7.4 ,4.4 ,3.4"
    assert shown(isolate("3.4, 4.4, 7.4", "ltr"), 0) == "3.4, 4.4, 7.4"
    assert PHONE_IN_ORDER in shown(isolate(PHONE_IN_ORDER, "rtl"), 1)


PHONE_IN_ORDER = "+962 79 555 1234"
