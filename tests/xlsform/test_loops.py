"""``begin loop over <list>`` from an XLSForm: what pyxform builds, as FieldScreen items,
interviews and ODK-shaped exports (issue #17; refused before with "type 'loop'")."""

from __future__ import annotations

from test_features import form, imported, refused

from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.xlsform import import_xlsform
from screening.xlsform.exporter import export_xlsform
from screening.xlsform.odk_export import Submission, odk_json, odk_rows

ANIMALS = """\
|  | list_name | name | label::English (en) | label::Français (fr) |
|  | animals | cow | Cow | Vache |
|  | animals | goat | Goat | Chèvre |
|  | animals | none | None | Aucun |
"""
HERD = form(
    "|  | type | name | label::English (en) | label::Français (fr) | relevant |\n"
    "|  | select_multiple animals | owned | Which animals? | Quels animaux ? |  |\n"
    "|  | begin loop over animals | herd | Herd | Troupeau |  |\n"
    "|  | integer | count | How many %(label)s? | Combien de %(label)s ? "
    "| selected(${owned}, '%(name)s') |\n"
    "|  | begin group | details | Details | Détails |  |\n"
    "|  | text | where | Where are the %(label)s? | Où ? |  |\n"
    "|  | end group |  |  |  |  |\n"
    "|  | end loop |  |  |  |  |\n",
    ANIMALS,
)


def session_for(data: bytes) -> InterviewSession:
    result = imported(data)
    lang = result.instrument.source_language
    return InterviewSession(result.instrument, result.content_hash,
                            MemoryAnswerStore(allow_unsafe=True), "loop-1",
                            respondent_language=lang, officer_language=lang)


def test_a_loop_is_a_group_per_choice_with_the_loops_questions() -> None:
    items = imported(HERD).instrument.item_map()
    herd = items["herd"]
    assert herd.type.value == "group" and herd.text == {"en": "Herd", "fr": "Troupeau"}
    # one group per choice ("none" left out, as pyxform does), labelled like the choice
    assert [i.name for i in herd.items or ()] == ["herd.cow", "herd.goat"]
    assert items["herd.goat"].text == {"en": "Goat", "fr": "Chèvre"}
    assert [i.name for i in items["herd.cow"].items or ()] == ["herd.cow.count",
                                                              "herd.cow.details"]
    # %(label)s and %(name)s substituted in the loop's own rows, in every language ...
    assert items["herd.goat.count"].text == {"en": "How many Goat?", "fr": "Combien de Chèvre ?"}
    assert items["herd.goat.count"].relevant == "selected(${owned}, 'goat')"
    # ... and not inside a group in the loop (pyxform leaves them as written)
    assert items["herd.cow.details.where"].text == {"en": "Where are the %(label)s?",
                                                    "fr": "Où ?"}


def test_the_interview_asks_each_choice_that_applies() -> None:
    session = session_for(HERD)
    session.answer("owned", ["goat"])
    assert [s.key for s in session.steps()] == [
        "owned", "herd.cow.details.where", "herd.goat.count", "herd.goat.details.where"]
    session.answer("herd.goat.count", 12)
    assert session.answers["herd.goat.count"].value == 12


def test_odk_exports_use_the_loop_paths_pyxform_writes() -> None:
    session = session_for(HERD)
    session.answer("owned", ["cow"])
    session.answer("herd.cow.count", 3)
    session.answer("herd.cow.details.where", "hill")
    sub = Submission("6f1e2d3c-0000-4000-8000-000000000018", "2024-05-01T10:00:00Z",
                     session.answers)
    row = odk_rows(session.instrument, [sub]).root.as_dicts()[0]
    assert row["herd-cow-count"] == "3" and row["herd-cow-details-where"] == "hill"
    assert row["herd-goat-count"] == ""
    (record,) = odk_json(session.instrument, [sub])
    assert record["herd/cow/count"] == "3"
    assert record["herd/cow/details/where"] == "hill"


def test_export_and_import_keep_the_hash() -> None:
    result = imported(HERD)
    again = import_xlsform(export_xlsform(result.instrument), file_name="herd.xlsx")
    assert again.content_hash == result.content_hash


def test_a_loop_in_a_repeat_is_asked_in_every_entry() -> None:
    data = form(
        "|  | type | name | label | repeat_count |\n"
        "|  | integer | n | Farms |  |\n"
        "|  | begin repeat | farm | Farm | ${n} |\n"
        "|  | begin loop over animals | herd | Herd |  |\n"
        "|  | integer | count | How many %(label)s? |  |\n"
        "|  | end loop |  |  |  |\n"
        "|  | end repeat |  |  |  |\n",
        "|  | list_name | name | label |\n"
        "|  | animals | cow | Cow |\n|  | animals | goat | Goat |\n",
    )
    session = session_for(data)
    session.answer("n", 2)
    assert [s.key for s in session.steps()][1:3] == ["farm[1].herd.cow.count",
                                                     "farm[1].herd.goat.count"]
    session.answer("farm[2].herd.goat.count", 7)
    sub = Submission("6f1e2d3c-0000-4000-8000-000000000019", "2024-05-01T10:00:00Z",
                     session.answers)
    (farms,) = odk_rows(session.instrument, [sub]).repeats
    assert [r["herd-goat-count"] for r in farms.as_dicts()] == ["", "7"]
    assert farms.as_dicts()[1]["KEY"].endswith("/farm[2]")


def test_a_repeat_inside_a_loop_is_refused_by_pyxform() -> None:
    message = refused(form(
        "|  | type | name | label |\n"
        "|  | begin loop over animals | herd | Herd |\n"
        "|  | begin repeat | animal | One %(label)s |\n"
        "|  | integer | weight | Weight |\n"
        "|  | end repeat |  |  |\n"
        "|  | end loop |  |  |\n",
        ANIMALS,
    ))
    assert "Repeat names must unique" in message


def test_a_reference_to_a_loop_question_is_refused_with_its_row() -> None:
    # pyxform: the name is the same for every choice, so ${count} is ambiguous.
    message = refused(form(
        "|  | type | name | label | relevant |\n"
        "|  | begin loop over animals | herd | Herd |  |\n"
        "|  | integer | count | How many %(label)s? |  |\n"
        "|  | end loop |  |  |  |\n"
        "|  | note | many | Many | ${count} > 10 |\n",
        ANIMALS,
    ))
    assert "survey sheet, row 5" in message and "multiple survey elements named 'count'" in message


def test_a_sibling_path_in_a_loop_reads_the_same_choice() -> None:
    # What such forms write instead of ${num}: pyxform leaves "../num" as it is, and in
    # Collect it is the num of the same choice.
    session = session_for(form(
        "|  | type | name | label | relevant | calculation |\n"
        "|  | begin loop over animals | ani | Animals |  |  |\n"
        "|  | integer | num | How many? |  |  |\n"
        "|  | text | why | Why so many? | ../num > 3 |  |\n"
        "|  | calculate | dbl |  |  | ../num * 2 |\n"
        "|  | end loop |  |  |  |  |\n",
        ANIMALS,
    ))
    session.answer("ani.cow.num", 5)
    session.answer("ani.goat.num", 1)
    assert [s.key for s in session.steps()] == ["ani.cow.num", "ani.cow.why", "ani.goat.num"]
    ev = session.evaluation
    assert (ev.scalar("ani.cow.dbl", None), ev.scalar("ani.goat.dbl", None)) == (10.0, 2.0)
