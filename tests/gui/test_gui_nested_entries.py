"""Nested repeats and loop groups on the interview page (issue #17): the entry line says both
levels in both languages, a loop's question shows its choice, the review keeps the order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guihelp import PASSPHRASE, create_store, make_window, start_interview, unlock

from app.windows.main_window import MainWindow
from screening.instruments import load_instrument_text
from screening.workspace import Workspace

NESTED_ID = "nested_entries_test"
NESTED = """\
# Synthetic questionnaire for the nested-entry tests: made-up wording.
format: fieldscreen-instrument/1
id: nested_entries_test
version: "0.1"
title: {en: Households, ar: الأسر}
population: any
purpose: {en: Tests, ar: اختبار}
provenance: {source_framework: none, citation: none, authored_by: tests, wording: made up}
validation: {status: draft}
source_language: en
languages:
  en: {name: English, status: source}
  ar: {name: العربية, status: machine}
choice_lists:
  yes_no:
    - {name: "yes", label: {en: "Yes", ar: "نعم"}}
    - {name: "no", label: {en: "No", ar: "لا"}}
sections:
  - name: homes
    title: {en: Homes, ar: المنازل}
    items:
      - {name: nh, type: integer, text: {en: "How many households?", ar: "كم عدد الأسر؟"}}
      - name: hh
        type: repeat
        repeat_count: "${nh}"
        text: {en: Household, ar: أسرة}
        items:
          - {name: np, type: integer, text: {en: "How many people?", ar: "كم عدد الأشخاص؟"}}
          - name: person
            type: repeat
            repeat_count: "${np}"
            text: {en: Person, ar: شخص}
            items:
              - {name: age, type: integer, text: {en: "How old is this person?",
                                                  ar: "كم عمر هذا الشخص؟"}}
      - name: herd
        type: group
        text: {en: Herd, ar: القطيع}
        items:
          - name: herd.cow
            odk_name: cow  # as the XLSForm import names a begin-loop choice's group
            type: group
            text: {en: Cow, ar: بقرة}
            items:
              - {name: herd.cow.count, type: integer, text: {en: "How many?", ar: "كم عددها؟"}}
outcome:
  rule: judgement
  labels:
    refer_urgent: {en: urgent, ar: عاجل}
    officer_judgement: {en: judgement, ar: تقدير}
"""


def nested_window(qtbot: Any, data_dir: Path, ui: str = "en") -> MainWindow:
    create_store(data_dir)
    with Workspace(data_dir) as ws:
        ws.open(PASSPHRASE)
        ws.catalog.install(load_instrument_text(NESTED, "nested.yaml"), "nested.yaml")
    window = make_window(qtbot, data_dir, lang=ui)
    unlock(qtbot, window)
    start_interview(qtbot, window, NESTED_ID, respondent="ar", officer="en")
    page = window.interview_page
    page.vm.answer("nh", 2)
    page.vm.answer("hh[1].np", 3)
    page.vm.answer("hh[2].np", 1)
    return window


def test_a_nested_entry_says_both_levels_in_both_languages(qtbot: Any, data_dir: Path) -> None:
    window = nested_window(qtbot, data_dir)
    page = window.interview_page
    page.vm.jump("hh[1].person[2].age")
    assert (page.view.entry, page.view.entry_total) == (2, 3)
    assert page.question.officer_entry.text() == "Household 1 of 2 · Person 2 of 3"
    assert page.question.officer_entry.isVisible()
    arabic = page.question.respondent_entry.text()
    assert "أسرة" in arabic and "شخص" in arabic and "Household" not in arabic
    assert arabic.index("أسرة") < arabic.index("شخص")  # the outer entry first
    page.go_next()
    assert page.question.officer_entry.text() == "Household 1 of 2 · Person 3 of 3"
    page.go_next()  # the next household's own question: one level
    assert page.question.officer_entry.text() == "Household 2 of 2"


def test_a_loop_question_shows_its_choice(qtbot: Any, data_dir: Path) -> None:
    window = nested_window(qtbot, data_dir)
    page = window.interview_page
    page.vm.jump("herd.cow.count")
    assert page.question.officer_entry.text() == "Cow"
    assert page.question.respondent_entry.text() == "بقرة"


def test_the_review_lists_nested_entries_in_order(qtbot: Any, data_dir: Path) -> None:
    window = nested_window(qtbot, data_dir)
    rows = [r for r in window.interview_vm.review_rows() if r.key.endswith(".age")]
    assert [r.key for r in rows] == ["hh[1].person[1].age", "hh[1].person[2].age",
                                     "hh[1].person[3].age", "hh[2].person[1].age"]
    assert rows[1].question == "How old is this person? (Household 1 of 2 · Person 2 of 3)"


def test_arabic_ui_keeps_each_english_entry_whole(qtbot: Any, data_dir: Path) -> None:
    from screening.i18n.bidi import RLI, plain

    window = nested_window(qtbot, data_dir, ui="ar")
    page = window.interview_page
    page.vm.jump("hh[1].person[2].age")
    officer = page.question.officer_entry.text()
    # Arabic words around English labels: one right-to-left line of isolated entries,
    # the household (outer) first in reading order.
    assert officer.startswith(RLI)
    text = plain(officer)
    assert "من" in text and text.index("Household") < text.index("Person")
