"""Nested repeats from an XLSForm (pyxform's Markdown format): import, an answers file with
nested entries, the ODK Central / Kobo shaped export, and XLSForm export -> import (#17)."""

from __future__ import annotations

import pytest
from test_features import form, imported, refused

from screening.casework.replay import replay
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.errors import AnswerError
from screening.xlsform import import_xlsform
from screening.xlsform.exporter import export_xlsform
from screening.xlsform.odk_export import Submission, odk_json, odk_rows

HOUSEHOLDS = form(
    "|  | type | name | label::English (en) | label::Français (fr) | repeat_count "
    "| calculation | relevant |\n"
    "|  | begin group | visit | Visit | Visite |  |  |  |\n"
    "|  | begin repeat | hh | Household | Ménage |  |  |  |\n"
    "|  | text | hname | Family name | Nom de famille |  |  |  |\n"
    "|  | integer | np | How many people? | Combien de personnes ? |  |  |  |\n"
    "|  | begin repeat | person | Person | Personne | ${np} |  |  |\n"
    "|  | integer | age | Age | Âge |  |  |  |\n"
    "|  | text | work | Work | Travail |  |  | ${age} >= 18 |\n"
    "|  | calculate | family | | |  | ${hname} |  |\n"
    "|  | end repeat |  |  |  |  |  |  |\n"
    "|  | calculate | people | | |  | count(${age}) |  |\n"
    "|  | end repeat |  |  |  |  |  |  |\n"
    "|  | end group |  |  |  |  |  |  |\n"
    "|  | calculate | eldest_2 | | |  | indexed-repeat(${age}, ${hh}, 2, ${person}, 1) |  |\n"
)
ANSWERS = {
    "hh": [
        {"hname": "Ames", "np": 2, "person": [{"age": 30, "work": "farm"}, {"age": 5}]},
        {"hname": "Bode", "np": 1, "person": [{"age": 61, "work": "none"}]},
    ]
}
SUBMISSION = "6f1e2d3c-0000-4000-8000-000000000017"


def run(answers: dict[str, object]) -> InterviewSession:
    result = imported(HOUSEHOLDS)
    ins = result.instrument
    session = InterviewSession(ins, result.content_hash, MemoryAnswerStore(allow_unsafe=True),
                               "hh-1", respondent_language="en", officer_language="en")
    replay(session, answers)
    return session


def test_the_form_imports_with_person_inside_household() -> None:
    items = imported(HOUSEHOLDS).instrument.item_map()
    assert items["person"].repeat_count == "${np}"
    assert [i.name for i in items["hh"].items or ()] == ["hname", "np", "person", "people"]
    assert items["eldest_2"].calculation == "indexed-repeat(${age}, ${hh}, 2, ${person}, 1)"


def test_an_answers_file_with_nested_entries_is_replayed() -> None:
    session = run(ANSWERS)
    stored = {k: r.value for k, r in session.answers.items()}
    assert stored == {
        "hh": 2,
        "hh[1].hname": "Ames", "hh[1].np": 2,
        "hh[1].person[1].age": 30, "hh[1].person[1].work": "farm",
        "hh[1].person[2].age": 5,
        "hh[2].hname": "Bode", "hh[2].np": 1,
        "hh[2].person[1].age": 61, "hh[2].person[1].work": "none",
    }
    ev = session.evaluation
    assert ev.scalar("people", ev.entries(("hh",))[0]) == 2.0
    assert ev.scalar("eldest_2", None) == 61
    assert session.missing_required() == []


def test_answers_given_in_the_wrong_entry_are_named() -> None:
    with pytest.raises(AnswerError) as caught:
        run({"hh": [{"hname": "Ames", "age": 3}]})
    assert caught.value.item == "age" and "person" in caught.value.message
    # a child's answer where no child is asked: listed, not stored
    session = run({"hh": [{"hname": "Ames", "np": 1, "person": [{"age": 4, "work": "x"}]}]})
    assert "hh[1].person[1].work" not in session.answers


def test_the_central_tables_nest_keys_as_central_does() -> None:
    session = run(ANSWERS)
    export = odk_rows(session.instrument,
                      [Submission(SUBMISSION, "2024-05-01T10:00:00Z", session.answers)])
    root, hh, person = export.tables
    key = f"uuid:{SUBMISSION}"
    assert [t.name for t in export.tables] == ["feature", "feature-hh", "feature-person"]
    def plain(table_rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{k: v for k, v in r.items() if not k.endswith("_special")} for r in table_rows]

    assert [c for c in hh.header if not c.endswith("_special")] == [
        "hname", "np", "people", "PARENT_KEY", "KEY"]
    assert plain(hh.as_dicts()) == [
        {"hname": "Ames", "np": "2", "people": "2", "PARENT_KEY": key,
         "KEY": f"{key}/visit/hh[1]"},
        {"hname": "Bode", "np": "1", "people": "1", "PARENT_KEY": key,
         "KEY": f"{key}/visit/hh[2]"},
    ]
    assert [c for c in person.header if not c.endswith("_special")] == [
        "age", "work", "family", "PARENT_KEY", "KEY"]
    assert [(r["age"], r["work"], r["family"], r["PARENT_KEY"], r["KEY"])
            for r in person.as_dicts()] == [
        ("30", "farm", "Ames", f"{key}/visit/hh[1]", f"{key}/visit/hh[1]/person[1]"),
        ("5", "", "Ames", f"{key}/visit/hh[1]", f"{key}/visit/hh[1]/person[2]"),
        ("61", "none", "Bode", f"{key}/visit/hh[2]", f"{key}/visit/hh[2]/person[1]"),
    ]
    assert root.as_dicts()[0]["eldest_2"] == "61"


def test_the_kobo_json_puts_people_inside_their_household() -> None:
    session = run(ANSWERS)
    (record,) = odk_json(session.instrument,
                         [Submission(SUBMISSION, "2024-05-01T10:00:00Z", session.answers)])
    first, second = record["visit/hh"]
    assert first["visit/hh/hname"] == "Ames"
    assert [p["visit/hh/person/age"] for p in first["visit/hh/person"]] == ["30", "5"]
    assert second["visit/hh/person"] == [{"visit/hh/person/age": "61",
                                          "visit/hh/person/work": "none",
                                          "visit/hh/person/family": "Bode"}]


def test_xlsform_export_writes_repeats_nested_and_keeps_the_hash() -> None:
    result = imported(HOUSEHOLDS)
    again = import_xlsform(export_xlsform(result.instrument), file_name="again.xlsx")
    assert again.content_hash == result.content_hash
    assert again.instrument.item_map()["person"].repeat_count == "${np}"


def test_an_indexed_repeat_javarosa_would_stop_on_is_refused_with_its_row() -> None:
    message = refused(form(
        "|  | type | name | label | calculation |\n"
        "|  | begin repeat | hh | Household |  |\n"
        "|  | begin repeat | person | Person |  |\n"
        "|  | integer | age | Age |  |\n"
        "|  | end repeat |  |  |  |\n"
        "|  | end repeat |  |  |  |\n"
        "|  | calculate | second | | indexed-repeat(${age}, ${person}, 2) |\n"
    ))
    assert "survey sheet, row 7" in message
    assert "which entry of the repeat 'hh'" in message
