"""TextBlock on its own: wrapping right-to-left paragraphs and where the glyphs land."""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import SimpleDocTemplate

from screening.reports.fonts import default_fonts
from screening.reports.text import Span, TextBlock, TextStyle
from tests.reports.pdftools import one_line, pdftotext

LONG_AR = (
    "هذا نص طويل لاختبار الالتفاف عبر عدة أسطر في فقرة عربية واحدة تحتوي على رقم 12345 "
    "واسم Maria Lopez ثم تستمر الجملة حتى النهاية بعد ذلك بكثير من الكلمات الإضافية "
    "التي تملأ السطر الأخير."
)


def build(path: Path, blocks: list[TextBlock], width: float = 300) -> Path:
    fonts = default_fonts()
    doc = SimpleDocTemplate(
        str(path), initialFontName=fonts.base_font_name, leftMargin=72, rightMargin=595 - 72 - width
    )
    doc.build(blocks)
    return path


def display_order(block: TextBlock, width: float = 400) -> list[str]:
    """Each laid-out line's characters from left to right, as they will be drawn."""
    block.wrap(width, 1000)
    return ["".join(c.text for c in line.clusters) for line, _ in block._layout(width)]


def test_wrapped_arabic_keeps_line_order_and_reads_logically(tmp_path: Path) -> None:
    pdf = build(tmp_path / "a.pdf", [TextBlock(LONG_AR, TextStyle(size=12), rtl=True, lang="ar")])
    lines = [ln for ln in pdftotext(pdf).splitlines() if ln.strip()]
    assert len(lines) >= 3  # it did wrap
    assert one_line(" ".join(lines)) == LONG_AR
    assert lines[0].startswith("هذا نص طويل")  # first words on the first line


def test_first_arabic_word_is_rightmost_and_numbers_read_left_to_right() -> None:
    assert display_order(TextBlock("عمل 14 ساعة", rtl=True, lang="ar")) == ["ةعاس 14 لمع"]
    # an isolated date keeps its digits' order; without the isolate UAX #9 makes it 17-2024
    iso = TextBlock([Span("رقم "), Span("2024-17", isolate=True)], rtl=True, lang="ar")
    assert display_order(iso) == ["2024-17 مقر"]


def test_latin_name_inside_arabic_stays_one_left_to_right_run(tmp_path: Path) -> None:
    block = TextBlock(
        [Span("قال "), Span("John Smith", isolate=True), Span(" إنه يعمل.")], rtl=True, lang="ar"
    )
    assert display_order(block) == [".لمعي هنإ John Smith لاق"]
    pdf = build(tmp_path / "c.pdf", [block])
    assert one_line(pdftotext(pdf)).strip() == "قال John Smith إنه يعمل."


def test_cjk_wraps_between_characters(tmp_path: Path) -> None:
    text = "从2023年起我每天工作14小时，" * 6
    pdf = build(tmp_path / "d.pdf", [TextBlock(text, lang="zh_Hans")], width=150)
    lines = [ln for ln in pdftotext(pdf).splitlines() if ln.strip()]
    assert len(lines) > 3
    assert "".join(lines) == text
