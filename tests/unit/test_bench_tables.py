"""The growth table of `make bench` (bench/growth_table.py): how figures become the doc.

No timing here: synthetic figures go in, and what docs/performance.md would say comes out.
"""

from __future__ import annotations

from bench.growth_table import explain, group, render_cold, render_growth, replace_section

SIZES = [1000, 10_000, 100_000]


def _rows(name: str, unit: str, values: tuple[float, float, float]) -> list[dict[str, object]]:
    return [{"name": name, "size": size, "samples": [value], "unit": unit, "goal": ""}
            for size, value in zip(SIZES, values, strict=True)]


def test_rows_of_one_measure_become_one_line_with_the_100k_to_10k_ratio() -> None:
    rows = _rows("size on disk", "MB", (57, 570, 5700)) + _rows(
        "store search", "ms", (0.001, 0.002, 0.003))
    growth, cold = group(rows)
    table = render_growth(growth, SIZES)
    assert cold == []
    assert table[0] == "| measure | 1k cases | 10k cases | 100k cases | 100k:10k | goal |"
    assert table[2] == "| size on disk | 57 MB | 570 MB | 5,700 MB | x10.00 |  |"
    assert table[3].startswith("| store search | 1.00 ms | 2.00 ms | 3.00 ms | x1.50 |")


def test_a_size_not_measured_shows_a_dash_and_the_reason() -> None:
    missing = {"name": "unlock: KDF + open", "size": 100_000, "samples": [], "unit": "ms",
               "note": "store not generated"}
    rows = [*_rows("unlock: KDF + open", "ms", (0.4, 0.4, 0.4))[:2], missing]
    line = render_growth(group(rows)[0], SIZES)[2]
    assert "— (store not generated)" in line
    assert line.split(" | ")[4] == "—"  # no ratio without the 100k figure


def test_cold_rows_show_the_warm_figure_beside_them() -> None:
    rows = [{"name": "first referral PDF", "size": None, "samples": [0.6, 0.62, 0.61],
             "warm": [0.05, 0.05], "unit": "ms", "goal": "< 400 ms"}]
    growth, cold = group(rows)
    assert growth == []
    assert render_cold(cold)[2] == ("| first referral PDF | 610 ms | 3 | 50.00 ms | x12.2 "
                                    "| < 400 ms |")


def test_the_paragraph_says_what_stays_flat_what_grows_and_names_a_surprise() -> None:
    rows = (_rows("unlock: KDF + open", "ms", (0.41, 0.40, 0.42))
            + _rows("size on disk", "MB", (57, 570, 5700))
            + _rows("export JSON: peak RSS", "MB", (60, 80, 700)))
    text = explain(group(rows)[0], SIZES)
    assert "from 10,000 to 100,000 cases" in text
    assert "Flat: unlock: KDF + open x1.05. Why: unlock is Argon2id's fixed cost" in text
    assert "size on disk x10.00" in text and "about 58 KB a case" in text
    # Peak memory that grows is not explained away: it is named as not as designed.
    assert "Growing faster than the data: export JSON: peak RSS x8.75" not in text
    assert "export JSON: peak RSS x8.75" in text
    assert "Not as designed: export JSON: peak RSS (expected: flat)" in text


def test_rows_alike_are_listed_together_with_their_range() -> None:
    rows = (_rows("GUI page: search", "ms", (0.02, 0.05, 0.06))
            + _rows("GUI page: sort", "ms", (0.04, 0.09, 0.10))
            + _rows("export CSV: peak RSS", "MB", (50, 52, 53))
            + _rows("backup: peak RSS", "MB", (60, 62, 61)))
    text = explain(group(rows)[0], SIZES)
    assert "GUI page: search, sort (x1.11-1.20)" in text
    assert "peak RSS of export CSV, backup (x0.98-1.02)" in text


def test_rewriting_a_section_keeps_the_hand_written_text_around_it() -> None:
    doc = ("# Performance\n\nHand-written notes.\n\n<!-- bench:growth -->\nold table\n"
           "<!-- /bench:growth -->\n\nMore notes.\n")
    new = replace_section(doc, "growth", "new table", "## Growth")
    assert new == doc.replace("old table", "new table")
    added = replace_section(new, "cold", "cold table", "## Cold paths")
    assert added.startswith(new.rstrip("\n"))
    assert added.endswith("## Cold paths\n\n<!-- bench:cold -->\ncold table\n"
                          "<!-- /bench:cold -->\n")
