"""Export to XLSForm, then import: the same instrument (same content hash); pyxform accepts it."""

from __future__ import annotations

import io
import warnings

import openpyxl
import pytest
from factories import instrument_yaml
from xlshelp import doc_table, fixture_path, run_both_ways

from screening.instruments import list_instruments, load_instrument_text
from screening.instruments.model import ItemType
from screening.xlsform import import_xlsform
from screening.xlsform.exporter import export_xlsform, section_groups

# openpyxl warns about the fixtures' document properties and styles; not our concern.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

SHIPPED = list_instruments()


def pyxform_converts(data: bytes) -> list[str]:
    from pyxform.xls2xform import convert

    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = convert(io.BytesIO(data), warnings=found, file_type=".xlsx")
    assert "<h:html" in result.xform
    return found


@pytest.mark.parametrize("loaded", SHIPPED, ids=lambda r: r.instrument.id)
def test_shipped_instrument_round_trips_with_the_same_hash(loaded) -> None:
    data = export_xlsform(loaded.instrument)
    pyxform_converts(data)  # a valid XLSForm for pyxform itself (ODK Central, Kobo)
    back = import_xlsform(data, file_name=f"{loaded.instrument.id}.xlsx")
    assert back.content_hash == loaded.content_hash
    assert back.instrument.model_dump(exclude={"content_hash"}) == loaded.instrument.model_dump(
        exclude={"content_hash"}
    )
    assert back.restored
    assert any("unchanged since export" in w.message for w in back.warnings)


def test_shipped_instruments_exist() -> None:
    assert len(SHIPPED) >= 2


def _sheet(data: bytes, name: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_exported_workbook_is_an_ordinary_xlsform() -> None:
    loaded = next(r for r in SHIPPED if r.instrument.id == "safety_triage")
    data = export_xlsform(loaded.instrument)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["survey", "choices", "settings", "fieldscreen"]
    survey = _sheet(data, "survey")
    header = list(survey[0])
    assert "label::English (en)" in header and "label::简体中文 (zh-Hans)" in header
    by_name = {r["name"]: r for r in survey}
    assert by_name["danger_now"]["type"] == "select_one yes_no"
    # the section "dependants" and the item "dependants" cannot share a name in XLSForm
    assert section_groups(loaded.instrument)["dependants"] == "dependants_section"
    assert {"type": "begin group", "name": "dependants_section"}.items() <= next(
        r for r in survey if r["name"] == "dependants_section"
    ).items()
    settings = _sheet(data, "settings")[0]
    assert settings["form_id"] == "safety_triage"
    assert settings["default_language"] == "English (en)"


RICH = instrument_yaml(
    """\
    - name: _intro
      title: {en: "Intro “quoted”", fr: Intro}
      items:
        - {name: hello, type: note, text: {en: "It’s “fine”", fr: "C’est bon"}}
    - name: main
      title: {en: Main, fr: Principal}
      relevant: "${hello} = ''"
      items:
        - name: main
          type: text
          text: {en: "=SUM(A1) is text", fr: "=texte"}
          default: "x (y)"
        - name: people
          type: repeat
          text: {en: People, fr: Personnes}
          items:
            - name: age
              type: integer
              text: {en: Age, fr: Âge}
              required: "${count} > 0"
              constraint: ". >= 0 and . <  130"
              constraint_message: {en: Too old, fr: Trop vieux}
              special: [refused]
        - name: count
          type: integer
          text: {en: Count, fr: Nombre}
          default: 3
        - name: colour
          type: multiple_choice
          text: {en: Colours, fr: Couleurs}
          choices:
            - {name: red, label: {en: Red, fr: Rouge}, filter: {warm: "yes"}}
            - {name: blue, label: {en: Blue, fr: Bleu}}
          default: [red]
        - name: seen
          type: observation
          text: {en: Seen, fr: Vu}
          guidance: {en: Look, fr: Regarder}
        - name: ok
          type: acknowledge
          text: {en: "OK?", fr: "OK ?"}
          read_only: false
        - name: when
          type: datetime
          text: {en: When, fr: Quand}
          hint: {en: "two  spaces", fr: deux}
        - {name: doubled, type: calculate, calculation: "${count} * 2"}
        - {name: secret, type: hidden}
    """,
    languages=("en", "fr"),
    outcome="""\
    outcome:
      rule: judgement
      labels:
        refer_urgent: {en: Urgent, fr: Urgent}
        officer_judgement: {en: Judge, fr: Juger}
    """,
)


def test_every_field_round_trips() -> None:
    loaded = load_instrument_text(RICH, "rich.yaml")
    data = export_xlsform(loaded.instrument)
    pyxform_converts(data)
    back = import_xlsform(data, file_name="rich.xlsx")
    assert back.instrument.model_dump(exclude={"content_hash"}) == loaded.instrument.model_dump(
        exclude={"content_hash"}
    )
    assert back.content_hash == loaded.content_hash
    survey: dict[object, dict[str, object]] = {}
    for row in _sheet(data, "survey"):
        survey.setdefault(row["name"], row)
    assert survey["colour"]["type"] == "select_multiple colour_choices"
    assert survey["seen"]["type"] == "select_one yes_no"
    assert survey["main_section"]["type"] == "begin group"
    assert "hello" in survey and "_intro" not in survey  # "_" sections are not groups


def test_exported_rich_instrument_runs_after_import() -> None:
    data = export_xlsform(load_instrument_text(RICH, "rich.yaml").instrument)
    back = import_xlsform(data, file_name="rich.xlsx")
    session = run_both_ways(back.instrument, back.content_hash)
    assert session.answers


def test_an_edit_in_the_spreadsheet_is_imported_and_demotes_validation() -> None:
    loaded = next(r for r in SHIPPED if r.instrument.validation.status != "draft")
    data = export_xlsform(loaded.instrument)
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["survey"]
    header = [c.value for c in ws[1]]
    col = header.index("label::English (en)")
    for row in ws.iter_rows(min_row=2):
        if row[0].value and str(row[0].value).startswith("select_one"):
            row[col].value = "An edited question?"
            edited = row[1].value
            break
    out = io.BytesIO()
    book.save(out)
    back = import_xlsform(out.getvalue(), file_name="edited.xlsx")
    assert back.instrument.item_map()[edited].text["en"] == "An edited question?"
    assert back.content_hash != loaded.content_hash
    assert back.instrument.validation.status == "draft"
    assert any("changed since FieldScreen exported it" in w.message for w in back.warnings)


def test_without_the_fieldscreen_sheet_it_is_an_ordinary_form() -> None:
    loaded = next(r for r in SHIPPED if r.instrument.id == "safety_triage")
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(loaded.instrument)))
    del book["fieldscreen"]
    out = io.BytesIO()
    book.save(out)
    back = import_xlsform(out.getvalue(), file_name="plain.xlsx")
    ins = back.instrument
    assert not back.restored
    assert ins.validation.status == "draft" and ins.outcome.rule == "judgement"
    assert ins.item_map()["danger_now"].type is ItemType.SINGLE_CHOICE
    assert set(ins.languages) == set(loaded.instrument.languages)
    assert ins.item_map()["danger_now"].text == loaded.instrument.item_map()["danger_now"].text
    run_both_ways(ins, back.content_hash)


def test_a_damaged_fieldscreen_sheet_is_reported_not_fatal() -> None:
    loaded = SHIPPED[0]
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(loaded.instrument)))
    book["fieldscreen"]["A2"] = "{not json"
    out = io.BytesIO()
    book.save(out)
    back = import_xlsform(out.getvalue(), file_name="damaged.xlsx")
    assert not back.restored
    assert any("not valid JSON" in w.message for w in back.warnings)


IMPORTED_FIXTURES = [r.fixture for r in doc_table() if r.result.startswith("imported")]


@pytest.mark.parametrize("name", IMPORTED_FIXTURES)
def test_imported_fixture_round_trips_too(name: str) -> None:
    first = import_xlsform(fixture_path(name))
    data = export_xlsform(first.instrument)
    pyxform_converts(data)
    again = import_xlsform(data, file_name=name.rsplit(".", 1)[0] + ".xlsx")
    assert again.content_hash == first.content_hash
