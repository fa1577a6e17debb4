"""What the review findings on issue #16 saw in the app, fixed: the review page keeps each
text in its own direction when the officer's language and the UI's run opposite ways; its
question column gets the room; the set-up page offers the newest version of an instrument
(an older one is marked and hidden unless asked for), lists an installed version's languages
in the instrument's own order and counts questions as "up to"; the "Jump to section" box is
wide enough to read.

Real window, offscreen, a real store; the graded fixture instrument, and a reviewed version of
the shipped youth screen made with the real review sheet."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from guihelp import create_store, make_window, new_case, start_interview, unlock
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication

from app.windows.main_window import MainWindow
from screening.i18n.bidi import LRI, PDI, RLI, RLM, plain
from screening.instruments import find_instrument, load_instrument, load_instrument_text
from screening.instruments.review import apply_review, reviewed_yaml
from screening.instruments.review_sheet import (
    COLUMNS,
    read_review_sheet,
    write_review_sheet,
)
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

GRADED = Path(__file__).resolve().parents[1] / "fixtures" / "instruments" / "graded_screen.yaml"
THREATS = {"en": "QZ: has the employer threatened you?", "ar": "QZ: هل هددك صاحب العمل؟"}
NO = {"travel": "no", "debt": "no", "hours": "no", "pay": "no", "days_off": "no"}


def _x(text: str, index: int, rtl: bool) -> float:
    """Where Qt draws ``text[index]`` in a line of the given direction (as test_gui_bidi)."""
    font = QFont(QApplication.font())
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl
                            else Qt.LayoutDirection.LeftToRight)
    layout.setTextOption(option)
    layout.beginLayout()
    layout.createLine().setLineWidth(100_000)
    layout.endLayout()
    flags = QTextLayout.GlyphRunRetrievalFlag
    wanted = (flags.RetrieveStringIndexes | flags.RetrieveGlyphPositions
              | flags.RetrieveGlyphIndexes)
    for run in layout.glyphRuns(0, len(text), wanted):
        for at, pos in zip(run.stringIndexes(), run.positions(), strict=True):
            if at == index:
                return float(pos.x())
    raise AssertionError(f"no glyph for {text[index]!r}")


def _window(qtbot: Any, data_dir: Path, lang: str, *extra: Any) -> MainWindow:
    create_store(data_dir)
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        for loaded in (load_instrument(GRADED), *extra):
            ws.catalog.install(loaded, "test.yaml")
    window = make_window(qtbot, data_dir, lang)
    unlock(qtbot, window)
    return window


def _shown(page: Any, text: str) -> str:
    """A question cell as the review tree draws it."""
    for i in range(page.tree.topLevelItemCount()):
        section = page.tree.topLevelItem(i)
        for j in range(section.childCount()):
            item = section.child(j)
            if item.text(0) == text:
                delegate = page.tree.itemDelegateForIndex(page.tree.indexFromItem(item, 0))
                return str(delegate.displayText(item.text(0), QLocale()))
    raise AssertionError(f"{text!r} is not in the review tree")


@pytest.mark.parametrize(("ui", "officer"), [("ar", "en"), ("en", "ar")])
def test_the_review_page_keeps_each_language_in_its_direction(
        qtbot: Any, data_dir: Path, ui: str, officer: str) -> None:
    window = _window(qtbot, data_dir, ui)
    start_interview(qtbot, window, "qz_graded", respondent=officer, officer=officer)
    vm = window.interview_vm
    assert vm is not None
    for key, value in {**NO, "threats": "yes"}.items():
        assert vm.answer(key, value), key
    window.go_review(vm.interview_id)
    page = window.review_page
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() > 0)
    rtl_ui = ui == "ar"
    assert page.isRightToLeft() == rtl_ui

    # The question, in the officer's language, keeps its question mark at its end.
    question = THREATS[officer]
    shown = _shown(page, question)
    assert plain(shown) == question
    mark = shown.index("?" if officer == "en" else "؟")
    first = shown.index(question[0])
    if officer == "en":  # drawn in a right-to-left tree, still "QZ: ... you?"
        assert _x(shown, mark, rtl_ui) > _x(shown, first, rtl_ui)
        assert _x(question, question.index("?"), rtl_ui) < _x(question, 0, rtl_ui)  # before
    else:
        assert _x(shown, mark, rtl_ui) < _x(shown, shown.index("ه"), rtl_ui)

    # The outcome: every line in the UI's direction, the instrument's words isolated, so an
    # indicator's label and its element/strength words do not mix.
    details = page.details.text()
    lines = [line for line in details.split("\n") if line]
    assert all(line.startswith(RLM if rtl_ui else "\u200e") for line in lines)
    label = {"en": "Threatened by the employer", "ar": "تهديد من صاحب العمل"}[officer]
    indicator = next(line for line in lines if label in line)
    assert (LRI if officer == "en" else RLI) + label + PDI in indicator
    assert page.outcome_label.text().startswith(RLM if rtl_ui else "\u200e")


def _reviewed_youth() -> Any:
    """The shipped youth screen with its Arabic signed off, as apply-review writes it."""
    loaded = find_instrument("youth_quick_screen")
    book = openpyxl.load_workbook(io.BytesIO(write_review_sheet(
        loaded.instrument, "ar", loaded.content_hash)))
    ws = book["review"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=COLUMNS.index("verdict") + 1).value = "ok"
    out = io.BytesIO()
    book.save(out)
    sheet = read_review_sheet(out.getvalue(), "ar.xlsx", loaded.instrument,
                              loaded.content_hash)
    result = apply_review(loaded.instrument, sheet, reviewer="Qz Rahal, court interpreter",
                          date="2026-12-01")
    return loaded, load_instrument_text(reviewed_yaml(result), "youth-ar.yaml")


def test_set_up_offers_the_newest_version_and_marks_the_older_one(
        qtbot: Any, data_dir: Path) -> None:
    shipped, reviewed = _reviewed_youth()
    window = _window(qtbot, data_dir, "en", reviewed)
    new_case(qtbot, window)
    page = window.setup_page
    youth = [c for c in page.cards if c.card.id == "youth_quick_screen"]
    assert [c.card.version for c in youth] == [reviewed.instrument.version,
                                               shipped.instrument.version]
    newest, older = youth
    assert newest.isVisibleTo(page) and not older.isVisibleTo(page)
    assert page.show_older.isVisibleTo(page)
    page.show_older.setChecked(True)
    assert older.isVisibleTo(page)
    assert older.radio.text() == (f"{shipped.instrument.title['en']} (older version "
                                  f"{shipped.instrument.version})")
    assert f"version {reviewed.instrument.version} is newer" in older.details.text()
    assert newest.radio.text().count("older") == 0
    # Installed from the store, the languages come in the instrument's own order.
    assert [s.code for s in newest.card.languages] == list(shipped.instrument.languages)
    newest.radio.setChecked(True)
    codes = [page.respondent.itemData(i) for i in range(page.respondent.count())]
    assert codes == list(shipped.instrument.languages)
    # The interview counts the questions the answers lead to: the card says "up to".
    assert f"up to {newest.card.item_count} questions" in newest.details.text()


def test_the_review_tree_gives_the_question_the_room(qtbot: Any, data_dir: Path) -> None:
    window = _window(qtbot, data_dir, "ar")
    start_interview(qtbot, window, "qz_graded")
    vm = window.interview_vm
    assert vm is not None
    window.go_review(vm.interview_id)
    header = window.review_page.tree.header()
    qtbot.waitUntil(lambda: header.sectionSize(0) > 0)
    assert header.sectionSize(0) > header.sectionSize(1) > 0
    assert header.sectionSize(0) > 1.5 * header.sectionSize(2)


def test_the_jump_to_section_box_shows_the_section_title(qtbot: Any, data_dir: Path) -> None:
    window = _window(qtbot, data_dir, "en")
    start_interview(qtbot, window, "qz_graded")
    window.resize(900, 700)
    box = window.interview_page.sections
    qtbot.waitUntil(lambda: box.count() > 0)
    qtbot.wait(20)
    wanted = box.fontMetrics().horizontalAdvance("1. Before we begin")
    assert box.width() > wanted
