"""The bidi resolver against UAX #9 expectations for the cases the report meets."""

from __future__ import annotations

import pytest

from screening.i18n.bidi import FSI, LRI, PDI, RLI
from screening.reports.bidi import (
    isolate_level,
    line_levels,
    reorder_runs,
    resolve_levels,
    strong_direction,
)

CONTROLS = frozenset({FSI, LRI, RLI, PDI})


def visual(text: str, base: int, isolates: tuple[str, ...] = ()) -> str:
    """Characters in display order (left to right), via the module's L1/L2; ``isolates``
    are appended as FSI ... PDI. The isolate controls themselves are not shown."""
    full = text + "".join(FSI + x + PDI for x in isolates)
    levels = line_levels(full, resolve_levels(full, base), 0, len(full), base)
    runs: list[tuple[int, list[str]]] = []
    for ch, lv in zip(full, levels, strict=True):
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


def test_first_strong_character_sets_direction() -> None:
    assert strong_direction("123 abc") == 0
    assert strong_direction("123 عمل") == 1
    assert strong_direction("123 - 45") is None


def test_numbers_in_arabic_stay_left_to_right() -> None:
    assert visual("عمل 14 ساعة", 1) == "ةعاس 14 لمع"


def test_european_number_after_arabic_letters_becomes_arabic_number() -> None:
    # W2: "2024-17" after Arabic letters is AN, and "-" is not a separator between ANs.
    assert visual("رقم 2024-17", 1) == "17-2024 مقر"


def test_isolated_date_keeps_its_order() -> None:
    assert visual("رقم ", 1, ("2024-17",)) == "2024-17 مقر"


def test_latin_name_isolated_in_arabic_sentence() -> None:
    assert visual("قال ", 1, ("John Smith",)) == "John Smith لاق"


def test_arabic_name_isolated_in_english_sentence() -> None:
    assert visual("Name: ", 0, ("محمد علي",)) == "Name: يلع دمحم"


def test_brackets_pair_and_take_the_embedding_direction() -> None:
    # N0: a bracket pair around Latin text inside Arabic text resolves to the Arabic
    # direction (level 1; HarfBuzz then draws the mirrored glyphs), not to the Latin one.
    text = "عمل (ABC) الآن"
    levels = resolve_levels(text, 1)
    assert levels[text.index("(")] == levels[text.index(")")] == 1
    assert levels[text.index("A")] == 2
    assert visual(text, 1) == "نآلا )ABC( لمع"  # display order before glyph mirroring


def test_explicit_overrides_in_data_are_ignored() -> None:
    # A right-to-left override typed into a name must not reverse the name.
    assert visual("abc\u202edef", 0) == "abc\u202edef"


def test_trailing_whitespace_takes_paragraph_level() -> None:
    levels = line_levels("abc ", [2, 2, 2, 2], 0, 4, 1)
    assert levels == [2, 2, 2, 1]


@pytest.mark.parametrize(
    ("outer", "direction", "expected"), [(0, 0, 2), (0, 1, 1), (1, 0, 2), (1, 1, 3)]
)
def test_isolate_levels(outer: int, direction: int, expected: int) -> None:
    assert isolate_level(outer, direction) == expected


def test_reorder_runs_reverses_nested_levels() -> None:
    assert reorder_runs([0, 1, 2, 1, 0]) == [0, 3, 2, 1, 4]
