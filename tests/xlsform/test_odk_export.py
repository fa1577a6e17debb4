"""Interview data in ODK Central's CSV shape and KoboToolbox's JSON shape, plus the dictionary.

Column conventions checked against ODK Central's export code (central-backend
lib/data/briefcase.js): ``SubmissionDate`` first, group paths joined with ``-``, repeats in
``<form>-<repeat>.csv`` with ``PARENT_KEY`` and ``KEY`` = ``uuid:.../group/repeat[n]``,
Central's trailing metadata columns, ``<column>/<choice>`` for split select_multiple.
"""

from __future__ import annotations

import csv
import io

import pytest
from factories import load
from xlshelp import answer_everything

from screening.engine.storage import AnswerRecord
from screening.errors import InputError
from screening.instruments import list_instruments
from screening.xlsform.dictionary import data_dictionary
from screening.xlsform.odk_export import Submission, odk_json, odk_rows

CENTRAL_TAIL = [
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]

HOUSEHOLD = load(
    """\
    - name: household
      title: {en: Household}
      items:
        - {name: intro, type: note, text: {en: Hello}}
        - {name: head_name, type: text, text: {en: Name}}
        - name: head
          type: group
          items:
            - {name: age, type: integer, text: {en: Age}}
        - name: colours
          type: multiple_choice
          text: {en: Colours}
          choices:
            - {name: red, label: {en: Red}}
            - {name: blue, label: {en: Blue}}
        - name: members
          type: repeat
          text: {en: Members}
          items:
            - {name: m_name, type: text, text: {en: Member name}}
            - {name: m_age, type: integer, text: {en: Member age}}
        - {name: total, type: calculate, calculation: "sum(${m_age})"}
    - name: _end
      title: {en: End}
      items:
        - {name: consent_ok, type: yes_no, text: {en: "Consent?"}}
        - {name: later, type: text, text: {en: Later}, relevant: "${consent_ok} = 'no'"}
    """
).instrument

ANSWERS = {
    "head_name": {"special": "dont_know"},
    "age": 40,
    "colours": AnswerRecord("colours", ["red", "blue"], None, "en", "2024-05-01T10:00:00"),
    "members": 2,
    "members[1].m_name": "Ana",
    "members[1].m_age": 10,
    "members[2].m_name": {"special": "refused"},
    "members[2].m_age": 12,
    "consent_ok": "yes",
    "later": {"value": "kept after a change", "relevant": False},
}
SUB = Submission("abc-123", "2024-05-01T12:30:00+02:00", ANSWERS, submitter_name="officer 7")


def test_root_table_columns_follow_central() -> None:
    export = odk_rows(HOUSEHOLD, [SUB])
    assert export.root.name == "test_instrument"
    assert export.root.header == [
        "SubmissionDate",
        "household-intro",
        "household-head_name", "household-head_name_special",
        "household-head-age", "household-head-age_special",
        "household-colours", "household-colours_special",
        "household-total",
        "consent_ok", "consent_ok_special",
        "later", "later_special",
        *CENTRAL_TAIL,
    ]  # fmt: skip


def test_root_row_values() -> None:
    (row,) = odk_rows(HOUSEHOLD, [SUB]).root.as_dicts()
    assert row["SubmissionDate"] == "2024-05-01T10:30:00.000Z"
    assert row["household-intro"] == ""
    assert (row["household-head_name"], row["household-head_name_special"]) == ("", "dont_know")
    assert row["household-head-age"] == "40" and row["household-head-age_special"] == ""
    assert row["household-colours"] == "red blue"
    assert row["household-total"] == "22"
    assert row["consent_ok"] == "yes"
    assert row["later"] == ""  # an answer kept after its item became irrelevant
    assert row["KEY"] == row["meta-instanceID"] == "uuid:abc-123"
    assert row["SubmitterName"] == "officer 7"
    assert row["FormVersion"] == "0.1"
    assert (row["AttachmentsPresent"], row["Edits"]) == ("0", "0")


def test_repeat_table_keys() -> None:
    export = odk_rows(HOUSEHOLD, [SUB])
    (members,) = export.repeats
    assert members.name == "test_instrument-members"
    assert members.header == [
        "m_name",
        "m_name_special",
        "m_age",
        "m_age_special",
        "PARENT_KEY",
        "KEY",
    ]
    assert members.rows == [
        ["Ana", "", "10", "", "uuid:abc-123", "uuid:abc-123/household/members[1]"],
        ["", "refused", "12", "", "uuid:abc-123", "uuid:abc-123/household/members[2]"],
    ]
    files = export.files()
    assert set(files) == {"test_instrument.csv", "test_instrument-members.csv"}
    parsed = list(csv.reader(io.StringIO(files["test_instrument-members.csv"])))
    assert parsed[0][-2:] == ["PARENT_KEY", "KEY"] and len(parsed) == 3


def test_split_select_multiple_columns() -> None:
    export = odk_rows(HOUSEHOLD, [SUB], split_select_multiple=True)
    header = export.root.header
    at = header.index("household-colours")
    assert header[at : at + 4] == [
        "household-colours",
        "household-colours/red",
        "household-colours/blue",
        "household-colours_special",
    ]
    row = export.root.as_dicts()[0]
    assert (row["household-colours/red"], row["household-colours/blue"]) == ("1", "1")


def test_kobo_json_shape() -> None:
    (record,) = odk_json(HOUSEHOLD, [SUB])
    assert record["_id"] == 1 and record["_uuid"] == "abc-123"
    assert record["meta/instanceID"] == "uuid:abc-123"
    assert record["_submission_time"] == "2024-05-01T10:30:00"
    assert record["household/head/age"] == "40"
    assert record["household/head_name_special"] == "dont_know"
    assert "household/head_name" not in record  # Kobo leaves empty fields out
    assert record["household/colours"] == "red blue"
    assert record["household/members"] == [
        {"household/members/m_name": "Ana", "household/members/m_age": "10"},
        {"household/members/m_name_special": "refused", "household/members/m_age": "12"},
    ]
    assert record["consent_ok"] == "yes" and "later" not in record
    assert record["_xform_id_string"] == "test_instrument"


def test_data_dictionary_describes_every_column() -> None:
    table = data_dictionary(HOUSEHOLD, split_select_multiple=True)
    export = odk_rows(HOUSEHOLD, [SUB], split_select_multiple=True)
    described = {(r[0], r[1]) for r in table.rows}
    for t in export.tables:
        for column in t.header:
            assert (t.name, column) in described, (t.name, column)
    rows = {r["column"]: r for r in table.as_dicts()}
    assert rows["household-colours"]["choices::en (en)"] == "red=Red | blue=Blue"
    assert rows["household-colours"]["xlsform_type"] == "select_multiple colours_choices"
    assert rows["consent_ok"]["xlsform_type"] == "select_one yes_no"
    assert rows["household-head-age"]["label::en (en)"] == "Age"
    assert "refused" in rows["household-head-age_special"]["description"]
    assert table.to_csv().startswith("table,column,item,type,xlsform_type,label::en (en)")


def test_repeat_count_from_answers_without_a_count_record() -> None:
    answers = {k: v for k, v in ANSWERS.items() if k != "members"}
    (members,) = odk_rows(HOUSEHOLD, [Submission("x", "2024-05-01T10:00:00Z", answers)]).repeats
    assert len(members.rows) == 2


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(InputError, match="not an ISO 8601"):
        odk_rows(HOUSEHOLD, [Submission("x", "yesterday", {})])
    with pytest.raises(InputError, match="unknown special answer"):
        odk_rows(HOUSEHOLD, [Submission("x", "2024-05-01T10:00:00", {"age": {"special": "?"}})])
    with pytest.raises(InputError, match="empty instance_id"):
        odk_json(HOUSEHOLD, [Submission(" ", "2024-05-01T10:00:00", {})])


def test_shipped_instrument_interview_exports_with_section_groups() -> None:
    loaded = next(r for r in list_instruments() if r.instrument.id == "safety_triage")
    session = answer_everything(loaded.instrument, loaded.content_hash)
    sub = Submission(
        "uuid:11111111-2222-4333-8444-555555555555", "2024-05-01T10:00:00Z", session.answers
    )
    export = odk_rows(loaded.instrument, [sub])
    row = export.root.as_dicts()[0]
    assert row["KEY"] == "uuid:11111111-2222-4333-8444-555555555555"  # not prefixed twice
    assert "safety-danger_now" in row and row["safety-danger_now"] in ("yes", "no")
    # section "dependants" holds an item "dependants": its group is dependants_section
    assert "dependants_section-dependants" in row
    assert len(export.root.header) == len(set(export.root.header))
