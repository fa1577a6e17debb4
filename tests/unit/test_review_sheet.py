"""The translation review sheet (issue #16): what the reviewer gets, and what a review does.

Real openpyxl workbooks, real loader; the instruments are synthetic (written here) or the
shipped youth screen, read as it is today.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest

from screening.errors import InputError
from screening.instruments import find_instrument, load_instrument_text
from screening.instruments.review import (
    apply_review,
    next_version,
    review_language,
    review_texts,
    reviewed_yaml,
)
from screening.instruments.review_sheet import COLUMNS, read_review_sheet, write_review_sheet

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

# Synthetic; texts that start like formulas on purpose.
TINY = """\
format: fieldscreen-instrument/1
id: qz_review
version: "0.3"
title: {en: "QZ review screen", ar: "فحص QZ للمراجعة", es: "Evaluación QZ"}
population: adult
purpose: {en: "Tests only.", ar: "للاختبارات فقط.", es: "Solo pruebas."}
provenance: {source_framework: none, citation: none, authored_by: tests, wording: test wording}
validation: {status: draft}
source_language: en
languages:
  en: {name: English, status: source}
  ar: {name: العربية, status: machine,
       note: "Machine translation (test); not reviewed by a qualified translator."}
  es: {name: Español, status: machine}
choice_lists:
  yes_no:
    - {name: "yes", label: {en: "Yes", ar: "نعم", es: "Sí"}}
    - {name: "no", label: {en: "No", ar: "لا", es: "No"}}
sections:
  - name: work
    title: {en: "Work", ar: "العمل", es: "Trabajo"}
    items:
      - name: hours
        type: integer
        text: {en: "=Hours worked a day?", ar: "=كم ساعة تعمل في اليوم؟", es: "=¿Horas al día?"}
        guidance: {en: "- not read aloud", ar: "- لا تُقرأ بصوت عالٍ", es: "- no se lee"}
      - name: paid
        type: yes_no
        text: {en: "Were you paid?", ar: "هل دُفع لك أجر؟", es: "¿Le pagaron?"}
outcome:
  rule: any
  labels:
    refer_urgent: {en: urgent, ar: عاجل, es: urgente}
    refer: {en: refer, ar: إحالة, es: derivar}
    incomplete: {en: incomplete, ar: غير مكتمل, es: incompleto}
    no_indicators: {en: none, ar: لا شيء, es: ninguno}
"""


def _tiny() -> Any:
    return load_instrument_text(TINY, "qz.yaml")


def _sheet(loaded: Any, lang: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(
        write_review_sheet(loaded.instrument, lang, loaded.content_hash)))


def _rows(book: openpyxl.Workbook) -> dict[str, int]:
    ws = book["review"]
    return {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}


def _col(name: str) -> int:
    return COLUMNS.index(name) + 1


def _fill(book: openpyxl.Workbook, *, verdicts: dict[str, str | None] | None = None,
          edits: dict[str, str] | None = None, default: str | None = "ok") -> bytes:
    """What a reviewer does: a verdict on every row (``default``), some corrections."""
    ws = book["review"]
    for text_id, row in _rows(book).items():
        verdict = (verdicts or {}).get(text_id, default)
        ws.cell(row=row, column=_col("verdict")).value = verdict
        if text_id in (edits or {}):
            ws.cell(row=row, column=_col("translation")).value = (edits or {})[text_id]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _apply(loaded: Any, data: bytes, **kwargs: Any) -> Any:
    sheet = read_review_sheet(data, "ar.xlsx", loaded.instrument, loaded.content_hash)
    return apply_review(loaded.instrument, sheet, reviewer="Qz Reviewer, court interpreter",
                        date="2026-12-02", **kwargs)


def test_one_row_per_text_of_a_shipped_instrument_with_source_and_translation() -> None:
    loaded = find_instrument("youth_quick_screen")
    ins = loaded.instrument
    ws = _sheet(loaded, "ar")["review"]
    header = [c.value for c in ws[1]]
    assert header == list(COLUMNS)
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    texts = review_texts(ins)
    assert len(rows) == len(texts) == ws.max_row - 1
    # every question, its guidance, every choice, the consent and every result label is there
    expected = {"title", "purpose"}
    expected |= {f"item:{i.name}:text" for i in ins.walk() if i.text}
    expected |= {f"item:{i.name}:guidance" for i in ins.walk() if i.guidance}
    expected |= {f"choice:yes_no:{c.name}" for c in ins.choice_lists["yes_no"]}
    expected |= {f"outcome:{level}" for level in ins.outcome.labels}
    expected |= {f"indicator:{i.name}:label" for i in ins.indicators}
    if ins.consent:
        expected.add("consent")
    assert expected <= set(rows)
    for text in texts:
        row = rows[text.id]
        assert row[COLUMNS.index("source")] == text.text["en"]
        assert row[COLUMNS.index("translation")] == text.text["ar"]
        assert row[COLUMNS.index("verdict")] is None
    question = next(i for i in ins.walk() if i.text and i.type == "yes_no")
    assert rows[f"item:{question.name}:text"][COLUMNS.index("kind")] == "question read aloud"
    guided = next(i for i in ins.walk() if i.guidance)
    assert "not read aloud" in rows[f"item:{guided.name}:guidance"][COLUMNS.index("kind")]


def test_only_the_reviewer_columns_can_be_edited_and_the_verdict_is_a_list() -> None:
    book = _sheet(_tiny(), "ar")
    ws = book["review"]
    assert ws.protection.sheet
    assert ws.freeze_panes == "A2"
    for name in COLUMNS:
        cell = ws.cell(row=2, column=_col(name))
        assert cell.protection.locked is (name not in (
            "translation", "back_translation", "comment", "verdict")), name
        assert cell.alignment.wrap_text
    assert ws.column_dimensions["D"].width >= 40  # source
    [check] = ws.data_validations.dataValidation
    assert check.type == "list" and check.formula1 == '"ok,changed,problem"'
    assert f"H2:H{ws.max_row}" in str(check.sqref)
    # the metadata that ties the sheet to the instrument is out of the reviewer's way
    assert book["fieldscreen"].sheet_state == "veryHidden"
    assert book.security is not None and book.security.lockStructure


def test_arabic_sheet_reads_right_to_left_spanish_left_to_right() -> None:
    ar = _sheet(_tiny(), "ar")["review"]
    assert ar.sheet_view.rightToLeft
    translation = ar.cell(row=2, column=_col("translation"))
    assert translation.alignment.readingOrder == 2 and translation.alignment.horizontal == "right"
    es = _sheet(_tiny(), "es")["review"]
    assert not es.sheet_view.rightToLeft
    assert es.cell(row=2, column=_col("translation")).alignment.readingOrder == 1


def test_formula_looking_text_is_written_as_text_and_round_trips_exactly() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    ws = book["review"]
    row = _rows(book)["item:hours:text"]
    for name in ("source", "translation"):
        cell = ws.cell(row=row, column=_col(name))
        assert cell.data_type == "s" and cell.quotePrefix  # never run as a formula
    assert ws.cell(row=row, column=_col("translation")).value == "=كم ساعة تعمل في اليوم؟"
    # untouched, every verdict ok: nothing changes, the language is reviewed
    result = _apply(loaded, _fill(book))
    assert result.changed == []
    assert result.status == "reviewed"
    hours = result.instrument.item_map()["hours"]
    assert hours.text == loaded.instrument.item_map()["hours"].text
    assert hours.guidance == loaded.instrument.item_map()["hours"].guidance
    # a reviewer who types '=... (the apostrophe only says "text") gets exactly =...
    book = _sheet(loaded, "ar")
    data = _fill(book, verdicts={"item:hours:text": "changed", "item:hours:guidance": "changed"},
                 edits={"item:hours:text": "'=كم ساعة عملك يومياً؟",
                        "item:hours:guidance": "'- للموظف فقط"})
    result = _apply(loaded, data)
    hours = result.instrument.item_map()["hours"]
    assert hours.text is not None and hours.text["ar"] == "=كم ساعة عملك يومياً؟"
    assert hours.guidance is not None and hours.guidance["ar"] == "- للموظف فقط"


def test_a_formula_typed_into_a_cell_is_refused_with_its_row() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    row = _rows(book)["item:paid:text"]
    book["review"].cell(row=row, column=_col("translation")).value = "=A1&B1"
    with pytest.raises(InputError) as caught:
        _apply(loaded, _fill(book))
    assert f"row {row} (item:paid:text): the translation cell is a formula" in str(caught.value)


def test_a_complete_review_marks_the_language_reviewed_and_records_it() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    data = _fill(book, verdicts={"item:paid:text": "changed"},
                 edits={"item:paid:text": "هل حصلت على أجرك؟"})
    result = _apply(loaded, data)
    ins = result.instrument
    assert ins.version == "0.4"
    assert ins.item_map()["paid"].text == {"en": "Were you paid?", "ar": "هل حصلت على أجرك؟",
                                           "es": "¿Le pagaron?"}
    info = ins.languages["ar"]
    assert (info.status, info.reviewed_by, info.reviewed_on) == (
        "reviewed", "Qz Reviewer, court interpreter", "2026-12-02")
    # The note says what the text is now (no "Machine translation" left), keeping its detail.
    assert info.note == "Translation (test) reviewed by Qz Reviewer, court interpreter on " \
                        "2026-12-02."
    assert ins.languages["es"].status == "machine"
    [review] = ins.provenance.reviews
    assert (review.language, review.texts, review.changed, review.from_version) == (
        "ar", len(review_texts(loaded.instrument)), 1, "0.3")
    assert [(c.id, c.old, c.new) for c in result.changed] == [
        ("item:paid:text", "هل دُفع لك أجر؟", "هل حصلت على أجرك؟")]
    # the file written loads with the real loader, to the same instrument and a new hash
    again = load_instrument_text(reviewed_yaml(result), "reviewed.yaml")
    assert again.instrument == ins
    assert again.content_hash == result.content_hash != loaded.content_hash


def test_rows_without_a_verdict_keep_the_language_machine_and_are_named() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    rows = _rows(book)
    data = _fill(book, verdicts={"title": None, "item:hours:guidance": None,
                                 "item:paid:text": "changed"},
                 edits={"item:paid:text": "هل حصلت على أجرك؟"})
    result = _apply(loaded, data)
    assert result.status == "machine"
    info = result.instrument.languages["ar"]
    assert (info.status, info.reviewed_by) == ("machine", None)
    assert [(b.row, b.id, b.verdict) for b in result.blocking] == [
        (rows["title"], "title", None), (rows["item:hours:guidance"], "item:hours:guidance", None)]
    # the corrections are applied all the same, and the review is on record
    paid = result.instrument.item_map()["paid"].text
    assert paid is not None and paid["ar"] == "هل حصلت على أجرك؟"
    assert result.instrument.provenance.reviews[0].changed == 1


def test_a_problem_row_blocks_the_review() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    data = _fill(book, verdicts={"outcome:refer": "Problem"})
    result = _apply(loaded, data)
    assert result.status == "machine"
    assert [(b.id, b.verdict) for b in result.blocking] == [("outcome:refer", "problem")]


def test_a_changed_text_with_verdict_ok_counts_as_changed_and_says_so() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    row = _rows(book)["choice:yes_no:yes"]
    result = _apply(loaded, _fill(book, edits={"choice:yes_no:yes": "نعم، صحيح"}))
    assert [c.id for c in result.changed] == ["choice:yes_no:yes"]
    assert result.review.changed == 1
    assert any(f"row {row} (choice:yes_no:yes)" in n and "counted as changed" in n
               for n in result.notes)


def test_an_empty_sheet_applies_nothing() -> None:
    loaded = _tiny()
    with pytest.raises(InputError, match="nothing to apply"):
        _apply(loaded, _fill(_sheet(loaded, "ar"), default=None))


def test_source_language_and_undeclared_languages_are_refused() -> None:
    ins = _tiny().instrument
    with pytest.raises(InputError, match="source language"):
        review_language(ins, "en")
    with pytest.raises(InputError, match="'fr'"):
        review_language(ins, "fr")
    assert review_language(ins, "AR") == "ar"


def test_the_new_version_bumps_the_last_number() -> None:
    assert next_version("1.1.0") == "1.1.1"
    assert next_version("0.9") == "0.10"
    assert next_version("2") == "3"
    with pytest.raises(InputError):
        next_version("draft")


def _text_paths(value: Any, languages: set[str], path: tuple[Any, ...] = ()) -> set[Any]:
    """Every language -> wording mapping in an instrument's data: what people read or hear."""
    if isinstance(value, dict):
        if value and set(value) <= languages and all(isinstance(v, str) for v in value.values()):
            return {path}
        return set().union(*(_text_paths(v, languages, (*path, k)) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(_text_paths(v, languages, (*path, i)) for i, v in enumerate(value)))
    return set()


@pytest.mark.parametrize("name", ["adult_indicators", "forced_labour_ilo11", "safety_triage",
                                  "youth_quick_screen"])
def test_the_sheet_leaves_no_text_of_a_shipped_instrument_out(name: str) -> None:
    ins = find_instrument(name).instrument
    data = ins.model_dump(mode="json")
    data.pop("languages")  # names and notes about the languages, not wording to translate
    found = _text_paths(data, set(ins.languages))
    assert found == {t.path for t in review_texts(ins)}


# -- review findings on issue #16 --------------------------------------------------------------
def test_an_unsigned_edit_of_a_reviewed_language_leaves_a_draft_note_naming_no_reviewer() -> None:
    first = _apply(_tiny(), _fill(_sheet(_tiny(), "ar")))
    assert first.instrument.languages["ar"].status == "reviewed"
    loaded = load_instrument_text(reviewed_yaml(first), "qz-reviewed.yaml")
    book = _sheet(loaded, "ar")
    result = _apply(loaded, _fill(book, verdicts={"title": None},
                                  edits={"item:paid:text": "هل حصلت على أجرك؟"}))
    info = result.instrument.languages["ar"]
    assert (info.status, info.reviewed_by) == ("draft", None)
    assert info.note is not None and "reviewed by Qz" not in info.note
    assert info.note.startswith("Draft translation: edited in a review")


def test_arabic_back_translation_and_comment_cells_take_their_own_direction() -> None:
    ws = _sheet(_tiny(), "ar")["review"]
    for name in ("back_translation", "comment"):
        # Context reading order: an Arabic comment reads right to left, an English back
        # translation left to right (it was forced left to right).
        assert ws.cell(row=2, column=_col(name)).alignment.readingOrder == 0, name


def _declared(data: bytes, ref: str) -> bytes:
    """The workbook claiming a size of ``ref`` for its review sheet (the rows stay)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(),
                              part)
            dst.writestr(info, part)
    return out.getvalue()


def test_the_declared_size_of_the_sheet_is_not_trusted() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    data = _declared(_fill(book, edits={"outcome:no_indicators": "لا توجد مؤشرات"}), "A1:A1")
    result = _apply(loaded, data)  # every row and column is read, the last one too
    assert [c.id for c in result.changed] == ["outcome:no_indicators"]
    assert result.status == "reviewed"


def test_a_cell_longer_than_any_text_is_refused_naming_its_row() -> None:
    loaded = _tiny()
    book = _sheet(loaded, "ar")
    row = _rows(book)["item:paid:text"]
    book["review"].cell(row=row, column=_col("comment")).value = "x" * 5001
    with pytest.raises(InputError) as caught:
        _apply(loaded, _fill(book))
    assert f"row {row}: the comment cell has 5,001 characters" in str(caught.value)


def test_a_placeholder_the_source_does_not_have_is_named() -> None:
    loaded = _tiny()
    data = _fill(_sheet(loaded, "ar"), edits={"item:paid:text": "هل دُفع لك ${name}؟"})
    with pytest.raises(InputError) as caught:
        _apply(loaded, data)
    message = str(caught.value)
    assert "the translation has ${name}, but the source text has no ${...} placeholder" in (
        message)
    assert "(none)" not in message
