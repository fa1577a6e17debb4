"""Every real XLSForm fixture: imported (and run end to end) or refused with a clear message.

The expected outcome of each fixture is the table in docs/xlsform.md; this test fails when an
outcome changes, so the table stays true.
"""

from __future__ import annotations

import hashlib

import pytest
from xlshelp import (
    ERROR_FIXTURES,
    FIXTURES,
    LOCAL,
    doc_table,
    fixture_outcome,
    fixture_path,
    run_both_ways,
)

from screening.errors import InstrumentError
from screening.xlsform import import_xlsform
from screening.xlsform.odk_export import Submission, odk_json, odk_rows

EXPECTED = {row.fixture: row for row in doc_table()}


def test_the_table_lists_every_fixture_file() -> None:
    local = {p.name for p in LOCAL.iterdir() if p.suffix in (".xlsx", ".xls", ".csv", ".md")}
    local.discard("MANIFEST.md")
    assert local <= set(FIXTURES)
    assert len(FIXTURES) == 18
    assert len(ERROR_FIXTURES) == 3


def test_copied_fixtures_are_unchanged() -> None:
    for line in (LOCAL / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((LOCAL / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_outcome_matches_the_table(name: str) -> None:
    result, reported = fixture_outcome(name)
    row = EXPECTED[name]
    assert (result, reported) == (row.result, row.reported)


# pyxform's own message for each ERROR fixture (MANIFEST), and the row where it names one.
PYXFORM_ERRORS = {
    "ona_ERR_group_names_must_be_unique.xlsx": (
        "Repeat names must not be the same as the survey root",
        2,
    ),
    "ona_ERR_transportation_no_choices.xlsx": (
        "There should be a choices sheet in this xlsform",
        None,
    ),
    "ona_ERR_MCH_v1_unknown_type.xlsx": ("Unknown question type 'Select one from source'", 17),
}


@pytest.mark.parametrize("name", ERROR_FIXTURES)
def test_error_fixtures_are_refused_naming_the_same_problem(name: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        import_xlsform(fixture_path(name))
    text, row = PYXFORM_ERRORS[name]
    problem = caught.value.problems[0]
    assert text in problem.message
    assert problem.line == row
    if row:
        assert problem.message.startswith(f"survey sheet, row {row}: ")
    assert problem.file == name
    assert text in str(caught.value)


@pytest.mark.parametrize("name", [n for n in FIXTURES if EXPECTED[n].result.startswith("imported")])
def test_imported_fixture_exports_in_odk_shape(name: str) -> None:
    result = import_xlsform(fixture_path(name))
    session = run_both_ways(result.instrument, result.content_hash)
    sub = Submission(
        "6f1e2d3c-0000-4000-8000-000000000001", "2024-05-01T10:00:00+02:00", session.answers
    )
    export = odk_rows(result.instrument, [sub])
    root = export.root
    assert root.header[0] == "SubmissionDate"
    assert root.header[-11:-10] == ["meta-instanceID"]
    assert len(root.rows) == 1 and len(root.rows[0]) == len(root.header)
    row = root.as_dicts()[0]
    assert row["KEY"] == "uuid:6f1e2d3c-0000-4000-8000-000000000001"
    assert row["SubmissionDate"] == "2024-05-01T08:00:00.000Z"
    keys = {row["KEY"]}  # outer tables come first: an entry's parent is known before it
    for table in export.repeats:
        assert table.header[-2:] == ["PARENT_KEY", "KEY"]
        for entry in table.as_dicts():
            assert entry["PARENT_KEY"] in keys
            assert entry["KEY"].startswith(entry["PARENT_KEY"] + "/")
            keys.add(entry["KEY"])
    records = odk_json(result.instrument, [sub])
    assert records[0]["meta/instanceID"] == row["KEY"]


def test_nested_repeat_fixture_imports_with_stems_in_trees() -> None:  # refused before #17
    result = import_xlsform(fixture_path("pyx_UCL_Biomass_Plot_Form.xlsx"))
    plan_nodes = {i.name: i for i in result.instrument.walk()}
    assert "stems" in [i.name for i in plan_nodes["trees"].items or ()]
    assert plan_nodes["stems"].type.value == "repeat"


def test_warnings_name_sheet_row_and_what_is_lost() -> None:
    result = import_xlsform(fixture_path("ona_tutorial_arabic_labels.xlsx"))
    by_item = {w.item: w for w in result.warnings if w.item}
    assert by_item["gps"].line == 6
    assert by_item["gps"].message.startswith("survey sheet, row 6: ")
    assert "does not record locations" in by_item["gps"].message
    assert "stays empty" in by_item["picture"].message
    gps = result.instrument.item_map()["gps"]
    assert gps.type.value == "hidden"  # kept (so references still work), never asked


def test_language_spellings_are_merged_and_rtl_text_kept() -> None:
    result = import_xlsform(fixture_path("ona_subdistrict_profiling_tool_ar.xlsx"))
    ins = result.instrument
    # `English (EN)` on the survey sheet and `English` on the choices sheet are one language.
    assert list(ins.languages) == ["ar", "en"]
    assert ins.source_language == "ar"  # settings: default_language Arabic
    assert ins.languages["ar"].name == "العربية"
    governorates = ins.choice_lists["governorates"]
    assert governorates[0].label == {"en": "Al-Hasakeh", "ar": "الحسكة"}
    assert ins.item_map()["group_data"].appearance == "field-list"


def test_single_colon_language_columns() -> None:
    ins = import_xlsform(fixture_path("ona_tutorial_arabic_labels.xlsx")).instrument
    assert set(ins.languages) == {"en", "ar"}
    assert all(set(i.text or {}) == {"en", "ar"} for i in ins.walk() if i.text)


def test_imported_metadata_is_honest() -> None:
    result = import_xlsform(fixture_path("ona_multi_lingual_form.xlsx"))
    ins = result.instrument
    assert ins.id == "multi_lingual_export"
    assert ins.validation.status == "draft"
    assert ins.population == "any"
    assert ins.outcome.rule == "judgement"
    assert set(ins.outcome.labels) == {"refer_urgent", "officer_judgement"}
    assert "ona_multi_lingual_form.xlsx" in ins.provenance.citation
    assert ins.indicators == [] and ins.flags == []
    assert result.content_hash == ins.content_hash


def test_blank_translations_are_filled_and_reported() -> None:
    result = import_xlsform(fixture_path("pyx_field-list.xlsx"))
    ins = result.instrument
    assert ins.languages["en"].status == "source"
    assert ins.languages["zh"].status == "draft"
    item = ins.item_map()["table_list_question"]
    assert item.text == {"en": "table list question", "zh": "table list question"}
    filled = [w for w in result.warnings if "'zh'" in w.message and "filled" in w.message]
    assert filled and "label of 'table_list_question'" in filled[0].message


def test_or_other_and_curly_quote_relevance() -> None:
    ins = import_xlsform(fixture_path("ona_enumerator_training_practice.xlsx")).instrument
    other = ins.item_map()["favorite_other"]
    assert other.relevant == "selected(${favorite}, 'other')"
    tetun = import_xlsform(fixture_path("ona_unicode_in_relevant_tetun.xlsx")).instrument
    assert tetun.item_map()["marital_other"].relevant == "selected(${respondent_marital}, 'other')"


def test_numeric_choice_names_are_kept_as_written() -> None:
    result = import_xlsform(fixture_path("ona_multi_lingual_form.xlsx"))
    names = [c.name for c in result.instrument.choice_lists["gender"]]
    assert names == ["1", "2"]  # exported data must carry the form's own values
    assert not any("leading underscore" in w.message for w in result.warnings)


def test_csv_and_markdown_forms() -> None:
    csv_form = import_xlsform(fixture_path("pyx_case_insensitivity.csv")).instrument
    assert csv_form.id == "YesNo" and list(csv_form.languages) == ["en"]
    # select_one_external takes its choices from the external_choices sheet
    assert [c.name for c in csv_form.choice_lists["c1"]] == ["n1-c", "n2-c"]
    assert csv_form.item_map()["q2"].choices == "c1_external"
    assert [c.name for c in csv_form.choice_lists["c1_external"]] == ["n1-e", "n2-e"]
    assert csv_form.choice_lists["c1_external"][0].filter == {"YES_NO": "yes"}
    md_form = import_xlsform(fixture_path("pyx_group.md")).instrument
    father = md_form.item_map()["father"]
    assert [i.name for i in father.items or []] == ["phone_number", "age"]
    assert md_form.item_map()["phone_number"].constraint == "regex(., '^\\d*$')"
