"""One XLSForm feature at a time, written as Markdown-table XLSForms (pyxform's test format)."""

from __future__ import annotations

import pytest
from xlshelp import run_both_ways

from screening.errors import InstrumentError
from screening.instruments.model import ItemType
from screening.xlsform import ImportResult, import_xlsform


def form(survey: str, choices: str = "", settings: str = "") -> bytes:
    text = "| survey |\n" + survey
    if choices:
        text += "| choices |\n" + choices
    if settings:
        text += "| settings |\n" + settings
    return text.encode("utf-8")


def imported(data: bytes) -> ImportResult:
    result = import_xlsform(data, file_name="feature.md")
    run_both_ways(result.instrument, result.content_hash)
    return result


def refused(data: bytes) -> str:
    with pytest.raises(InstrumentError) as caught:
        import_xlsform(data, file_name="feature.md")
    return str(caught.value)


YES_NO = """\
|  | list_name | name | label::English (en) | label::Français (fr) |
|  | yn | yes | Yes | Oui |
|  | yn | no | No | Non |
"""


def test_or_other_in_a_translated_form_fills_and_reports() -> None:
    result = imported(
        form(
            "|  | type | name | label::English (en) | label::Français (fr) |\n"
            "|  | select_one yn or_other | q | Q? | Q ? |\n",
            YES_NO,
        )
    )
    ins = result.instrument
    assert [c.name for c in ins.choice_lists["yn"]] == ["yes", "no", "other"]
    other = ins.item_map()["q_other"]
    assert other.relevant == "selected(${q}, 'other')"
    assert other.text == {"en": "Specify other.", "fr": "Specify other."}
    assert ins.languages["fr"].status == "draft"  # English-only text filled into French
    assert result.features["translations filled"] >= 1


def test_repeat_count_groups_and_calculations_run() -> None:
    result = imported(
        form(
            "|  | type | name | label | repeat_count | calculation | relevant | appearance |\n"
            "|  | integer | n | How many? |  |  |  |  |\n"
            "|  | begin group | g | Group |  |  |  | field-list |\n"
            "|  | begin repeat | people | People | ${n} |  |  |  |\n"
            "|  | text | pname | Name |  |  |  |  |\n"
            "|  | calculate | pos |  |  | position(..) |  |  |\n"
            "|  | end repeat |  |  |  |  |  |  |\n"
            "|  | end group |  |  |  |  |  |  |\n"
            "|  | calculate | total |  |  | ${n} * 2 |  |  |\n"
            "|  | note | done | Total ${total} |  |  | ${n} > 0 |  |\n"
        )
    )
    items = result.instrument.item_map()
    assert items["people"].repeat_count == "${n}"
    assert items["g"].appearance == "field-list"
    assert items["pos"].calculation == "position(..)"
    assert items["done"].relevant == "${n} > 0"


def test_unsupported_types_become_hidden_with_a_warning_each() -> None:
    result = imported(
        form(
            "|  | type | name | label | parameters |\n"
            "|  | start | start |  |  |\n"
            "|  | today | today |  |  |\n"
            "|  | deviceid | dev |  |  |\n"
            "|  | audit | audit |  |  |\n"
            "|  | barcode | code | Scan |  |\n"
            "|  | geotrace | route | Route |  |\n"
            "|  | audio | voice | Record |  |\n"
            "|  | range | score | Score | start=0 end=10 step=2 |\n"
            "|  | text | t | Text |  |\n"
        )
    )
    items = result.instrument.item_map()
    assert "audit" not in items
    assert items["today"].type is ItemType.CALCULATE and items["today"].calculation == "today()"
    for name in ("start", "dev", "code", "route", "voice"):
        assert items[name].type is ItemType.HIDDEN
    assert items["score"].type is ItemType.INTEGER
    assert items["score"].constraint == ". >= 0 and . <= 10 and (. - 0) mod 2 = 0"
    rows = {w.item: w.line for w in result.warnings if w.item}
    assert rows == {"start": 2, "dev": 4, "audit": 5, "code": 6, "route": 7, "voice": 8, "score": 9}


def test_untranslated_columns_beside_named_languages_fill_blanks() -> None:
    result = imported(
        form(
            "|  | type | name | label::English (en) | label::Français (fr) | hint |\n"
            "|  | text | q | Name | Nom | Given name |\n"
        )
    )
    item = result.instrument.item_map()["q"]
    assert item.hint == {"en": "Given name", "fr": "Given name"}
    assert list(result.instrument.languages) == ["en", "fr"]


def test_untranslated_labels_are_language_und() -> None:
    result = imported(
        form("|  | type | name | label | label::Français (fr) |\n|  | text | q | Name | Nom |\n")
    )
    assert list(result.instrument.languages) == ["und", "fr"]
    assert result.features["untranslated columns = language 'und'"] == 1


def test_default_language_setting_picks_the_source() -> None:
    result = imported(
        form(
            "|  | type | name | label::English (en) | label::Français (fr) |\n"
            "|  | text | q | Name | Nom |\n",
            settings="|  | default_language | form_id | version |\n|  | Français (fr) | f1 | 7 |\n",
        )
    )
    ins = result.instrument
    assert ins.source_language == "fr" and list(ins.languages) == ["fr", "en"]
    assert (ins.id, ins.version) == ("f1", "7")


def test_unknown_language_name_is_a_reported_slug() -> None:
    result = imported(form("|  | type | name | label::Kriol Bélize |\n|  | text | q | Neim |\n"))
    assert list(result.instrument.languages) == ["kriol_belize"]
    assert result.features["language without code"] == 1


def test_duplicate_names_in_groups_are_renamed() -> None:
    result = imported(
        form(
            "|  | type | name | label |\n"
            "|  | begin group | a | A |\n|  | text | name | Name |\n|  | end group |  |  |\n"
            "|  | begin group | b | B |\n|  | text | name | Name |\n|  | end group |  |  |\n"
        )
    )
    assert {"name", "b.name"} <= set(result.instrument.item_map())


def test_dynamic_default_and_read_only_expression_are_dropped() -> None:
    result = imported(
        form(
            "|  | type | name | label | default | read_only |\n"
            "|  | integer | a | A | 5 |  |\n"
            "|  | integer | b | B | ${a} + 1 | ${a} > 2 |\n"
        )
    )
    items = result.instrument.item_map()
    assert items["a"].default == "5" and items["b"].default is None
    assert not items["b"].read_only
    assert result.features["dynamic default dropped"] == 1
    assert result.features["read_only expression ignored"] == 1


def test_required_expression_and_message() -> None:
    result = imported(
        form(
            "|  | type | name | label | required | required_message |\n"
            "|  | integer | a | A | yes | Please answer |\n"
            "|  | text | b | B | ${a} > 3 |  |\n"
        )
    )
    items = result.instrument.item_map()
    assert items["a"].required is True
    assert items["a"].required_message == {"und": "Please answer"}
    assert items["b"].required == "${a} > 3"


def test_numeric_choice_names_work_in_expressions() -> None:
    from screening.engine.session import InterviewSession
    from screening.engine.storage import MemoryAnswerStore

    result = imported(
        form(
            "|  | type | name | label | relevant |\n"
            "|  | select_one n | q | Q |  |\n"
            "|  | text | why | Why? | ${q} = '1' |\n",
            "|  | list_name | name | label |\n|  | n | 1 | One |\n|  | n | 2 | Two |\n",
        )
    )
    ins = result.instrument
    lang = ins.source_language
    session = InterviewSession(ins, result.content_hash, MemoryAnswerStore(allow_unsafe=True),
                               "t", respondent_language=lang, officer_language=lang)
    session.answer("q", "2")
    assert [s.key for s in session.steps()] == ["q"]
    session.answer("q", "1")
    assert [s.key for s in session.steps()] == ["q", "why"]


def test_nested_repeat_imports_nested() -> None:  # refused before issue #17
    result = imported(
        form(
            "|  | type | name | label |\n"
            "|  | begin repeat | outer | Outer |\n|  | begin repeat | inner | Inner |\n"
            "|  | text | t | T |\n|  | end repeat |  |  |\n|  | end repeat |  |  |\n"
        )
    )
    (outer,) = result.instrument.sections[0].items
    assert [i.name for i in outer.items or ()] == ["inner"]


def test_absolute_paths_become_references() -> None:
    result = imported(
        form(
            "|  | type | name | label | relevant |\n"
            "|  | integer | a | A |  |\n"
            "|  | text | b | B | /data/a > 1 |\n"
        )
    )
    assert result.instrument.item_map()["b"].relevant == "${a} > 1"


def test_select_from_file_and_choice_filter_are_reported() -> None:
    result = imported(
        form(
            "|  | type | name | label | choice_filter |\n"
            "|  | select_one_from_file places.csv | place | Place |  |\n"
            "|  | select_one c | city | City | state = 'x' |\n",
            "|  | list_name | name | label | state |\n|  | c | a | A | x |\n|  | c | b | B | y |\n",
        )
    )
    items = result.instrument.item_map()
    assert items["place"].type is ItemType.HIDDEN
    assert items["city"].choice_filter == "state = 'x'"
    assert result.instrument.choice_lists["c"][0].filter == {"state": "x"}
    assert "choice_filter not applied" not in result.features
    assert result.features["select from file not asked"] == 1


def test_cascading_select_offers_only_matching_choices() -> None:
    from screening.engine.session import InterviewSession
    from screening.engine.storage import MemoryAnswerStore
    from screening.errors import AnswerError

    result = imported(
        form(
            "|  | type | name | label | choice_filter |\n"
            "|  | select_one s | state | State |  |\n"
            "|  | select_one c | city | City | state=${state} |\n",
            "|  | list_name | name | label | state |\n|  | s | n | North |  |\n"
            "|  | s | so | South |  |\n|  | c | a | A | n |\n|  | c | b | B | so |\n"
            "|  | c | d | D | n |\n",
        )
    )
    ins = result.instrument
    lang = ins.source_language
    session = InterviewSession(ins, result.content_hash, MemoryAnswerStore(allow_unsafe=True),
                               "t", respondent_language=lang, officer_language=lang)
    session.answer("state", "n")
    assert [c.name for c in session.choices("city")] == ["a", "d"]
    with pytest.raises(AnswerError):
        session.answer("city", "b")  # offered only for the South
    session.answer("city", "d")
    session.answer("state", "so")
    assert [c.name for c in session.choices("city")] == ["b"]
