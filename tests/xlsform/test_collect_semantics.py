"""What an imported XLSForm stores, matched to ODK Collect (issue #17; the differential
harness in tests/conformance measured each against JavaRosa): once(), a calculation's
bind::type, a question with a calculation, position(../..), whole-number range, and the
ODK element names of renamed items in the export."""

from __future__ import annotations

import datetime as dt

import pytest

from screening.engine.session import InterviewSession
from screening.engine.state import entry
from screening.engine.storage import MemoryAnswerStore
from screening.errors import AnswerError
from screening.xlsform import import_xlsform
from screening.xlsform.exporter import export_xlsform
from screening.xlsform.importer import ImportResult
from screening.xlsform.odk_export import Submission, odk_rows


def _form(rows: str) -> tuple[InterviewSession, ImportResult]:
    result = import_xlsform(("| survey |\n" + rows).encode(), file_name="form.md")
    ins = result.instrument
    session = InterviewSession(ins, result.content_hash, MemoryAnswerStore(allow_unsafe=True),
                               "i1", respondent_language=ins.source_language,
                               officer_language=ins.source_language)
    return session, result


def _exported(session: InterviewSession,
              at: dt.datetime = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)) -> dict[str, str]:
    sub = Submission("uuid:1", at, dict(session.answers))
    return odk_rows(session.instrument, [sub]).root.as_dicts()[0]


def test_once_keeps_the_first_value_as_collect_does() -> None:
    session, _ = _form(
        "|  | type      | name | label | calculation                  |\n"
        "|  | integer   | i    | I     |                              |\n"
        "|  | calculate | tag  |       | once(concat('id-', ${i}))    |\n"
        "|  | calculate | uid  |       | once(uuid())                 |\n"
        "|  | text      | t    | T     |                              |\n"
    )
    session.answer("i", 12)
    first_uid = session.evaluation.scalar("uid", None)
    session.answer("t", "x")
    session.answer("i", 13)
    # Collect fixes once() when the form opens: the tag is taken before i is answered.
    assert session.evaluation.scalar("tag", None) == "id-"
    assert session.evaluation.scalar("uid", None) == first_uid
    assert len(str(first_uid)) == 36


def test_bind_type_int_truncates_and_a_question_with_a_calculation_is_computed() -> None:
    session, result = _form(
        "|  | type      | name  | label | calculation | bind::type |\n"
        "|  | integer   | a     | A     |             |            |\n"
        "|  | calculate | c_int |       | ${a} div 2  | int        |\n"
        "|  | calculate | c_str |       | ${a} div 2  |            |\n"
        "|  | integer   | b     | B     | ${a} * 2    |            |\n"
        "|  | calculate | flag  |       | ${a} > 5    |            |\n"
    )
    assert any("'b' is a question (integer) with a calculation" in w.message
               for w in result.warnings)
    session.answer("a", 7)
    row = _exported(session)
    assert (row["c_int"], row["c_str"], row["b"]) == ("3", "3.5", "14")
    assert row["flag"] == "1"  # Collect stores a boolean result as 1/0
    # The type survives an XLSForm export and import.
    again = import_xlsform(export_xlsform(session.instrument), file_name="again.xlsx")
    assert again.content_hash == result.content_hash


def test_position_of_the_entry_around() -> None:
    session, _ = _form(
        "|  | type         | name   | label | calculation                                |\n"
        "|  | begin repeat | hh     | H     |                                            |\n"
        "|  | begin repeat | person | P     |                                            |\n"
        "|  | calculate    | pid    |       | concat(position(../..), '-', position(..)) |\n"
        "|  | text         | nm     | N     |                                            |\n"
        "|  | end repeat   | person |       |                                            |\n"
        "|  | end repeat   | hh     |       |                                            |\n"
    )
    session.set_repeat_count("hh", 2)
    session.set_repeat_count("hh[2].person", 3)
    assert session.evaluation.scalar("pid", entry(("hh", 2), ("person", 3))) == "2-3"


def test_whole_numbers_beyond_collects_range_are_refused() -> None:
    session, _ = _form("|  | type | name | label |\n|  | integer | i | I |\n")
    session.answer("i", 2_147_483_647)
    with pytest.raises(AnswerError, match="too large"):
        session.answer("i", 2_147_483_648)


def test_a_renamed_item_keeps_its_odk_name_in_the_export() -> None:
    session, _ = _form(
        "|  | type        | name       | label |\n"
        "|  | text        | name       | Name  |\n"
        "|  | begin group | tel        | Tel   |\n"
        "|  | text        | tel.office | O     |\n"
        "|  | text        | name       | N2    |\n"
        "|  | end group   | tel        |       |\n"
    )
    names = [item.name for item in session.instrument.walk()]
    assert "tel.name" in names and "tel.office" in names  # the second 'name' was renamed
    session.answer("tel.office", "0700")
    session.answer("tel.name", "B")
    row = _exported(session)
    # Central's columns: the form's own element names, a dotted name kept as it is.
    assert row["tel-tel.office"] == "0700"
    assert row["tel-name"] == "B"


def test_today_is_the_laptops_local_date(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        result = import_xlsform(
            b"| survey |\n|  | type | name | label | calculation |\n"
            b"|  | calculate | d | | today() |\n|  | today | td | | |\n", file_name="t.md")
        ins = result.instrument
        late_evening = dt.datetime(2026, 12, 5, 7, 11, tzinfo=dt.UTC)  # 4 Dec, 23:11 there
        session = InterviewSession(ins, result.content_hash,
                                   MemoryAnswerStore(allow_unsafe=True), "i1",
                                   respondent_language=ins.source_language,
                                   officer_language=ins.source_language,
                                   clock=lambda: late_evening)
        assert session.evaluation.scalar("d", None) == dt.date(2026, 12, 4)
        assert _exported(session, late_evening)["td"] == "2026-12-04"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_refused_answer_in_a_nested_entry_names_the_entry() -> None:
    session, _ = _form(
        "|  | type         | name   | label | constraint |\n"
        "|  | begin repeat | hh     | H     |            |\n"
        "|  | begin repeat | person | P     |            |\n"
        "|  | integer      | age    | Age   | . < 110    |\n"
        "|  | end repeat   | person |       |            |\n"
        "|  | end repeat   | hh     |       |            |\n"
    )
    session.set_repeat_count("hh", 1)
    session.set_repeat_count("hh[1].person", 2)
    with pytest.raises(AnswerError) as refused:
        session.answer("hh[1].person[2].age", 130)
    assert refused.value.item == "hh[1].person[2].age"
    with pytest.raises(AnswerError) as bad:
        session.answer("hh[1].person[1].age", "forty")
    assert bad.value.item == "hh[1].person[1].age"


def test_only_a_loops_choice_groups_are_loop_choices() -> None:
    session, _ = _form(
        "|  | type        | name     | label |\n"
        "|  | begin group | tel      | Tel   |\n"
        "|  | begin group | tel.home | Home  |\n"
        "|  | text        | number   | N     |\n"
        "|  | end group   | tel.home |       |\n"
        "|  | end group   | tel      |       |\n"
        "|  | begin loop over animals | herd | Herd |\n"
        "|  | integer     | count    | How many %(label)s? |\n"
        "|  | end loop    | herd     |       |\n"
        "| choices |\n|  | list_name | name | label |\n"
        "|  | animals | cow | Cow |\n|  | animals | goat | Goat |\n"
    )
    plan = session.plan
    assert not plan.is_loop_choice("tel.home")  # the form's own dotted name
    assert plan.is_loop_choice("herd.cow") and plan.is_loop_choice("herd.goat")
