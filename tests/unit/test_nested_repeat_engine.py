"""Repeats inside repeats and indexed-repeat() in the engine (issue #17).

Expected values are what JavaRosa (pyxform's ODK_Validate.jar) computed for the same form
and answers: households with people, values of the enclosing entry, counts per household,
sums over everyone, ``indexed-repeat`` in both forms.
"""

from __future__ import annotations

from typing import Any

import pytest
from factories import load

from screening.engine.session import InterviewSession
from screening.engine.state import Entry, entry, make_key, split_key
from screening.engine.storage import MemoryAnswerStore
from screening.errors import AnswerError, InstrumentError
from screening.expr import SimpleEnv, evaluate, parse

HOUSEHOLDS = """\
- name: s
  title: {en: S}
  items:
    - {name: nh, type: integer, text: {en: "How many households?"}}
    - name: hh
      type: repeat
      text: {en: Household}
      repeat_count: "${nh}"
      items:
        - {name: np, type: integer, text: {en: "How many people?"}}
        - {name: hname, type: text, text: {en: Family name}}
        - name: person
          type: repeat
          text: {en: Person}
          repeat_count: "${np}"
          items:
            - {name: age, type: integer, text: {en: Age}}
            - {name: pos, type: calculate, calculation: "position(..)"}
            - {name: family, type: calculate, calculation: "${hname}"}
            - {name: first_age, type: calculate,
               calculation: "indexed-repeat(${age}, ${person}, 1)"}
            - {name: other_hh, type: calculate,
               calculation: "indexed-repeat(${age}, ${hh}, 2, ${person}, 1)"}
            - {name: work, type: text, text: {en: "Work?"}, relevant: "${age} >= 18"}
        - {name: people, type: calculate, calculation: "count(${age})"}
        - {name: ages, type: calculate, calculation: "sum(${age})"}
        - {name: second_age, type: calculate,
           calculation: "indexed-repeat(${age}, ${person}, 2)"}
    - {name: everyone, type: calculate, calculation: "count(${age})"}
    - {name: all_ages, type: calculate, calculation: "sum(${age})"}
    - {name: h2p2, type: calculate,
       calculation: "indexed-repeat(${age}, ${person}, 2, ${hh}, 2)"}
    - {name: h3p1, type: calculate, calculation: "indexed-repeat(${age}, ${hh}, 3, ${person}, 1)"}
    - {name: h0p2, type: calculate, calculation: "indexed-repeat(${age}, ${hh}, 0, ${person}, 2)"}
    - {name: h2name, type: calculate, calculation: "indexed-repeat(${hname}, ${hh}, 2)"}
"""
ANSWERS: list[tuple[str, Any]] = [
    ("nh", 2),
    ("hh[1].np", 2), ("hh[1].hname", "Ames"),
    ("hh[1].person[1].age", 30), ("hh[1].person[2].age", 5),
    ("hh[2].np", 3), ("hh[2].hname", "Bode"),
    ("hh[2].person[1].age", 40), ("hh[2].person[2].age", 41), ("hh[2].person[3].age", 10),
]


def session_for(sections: str, answers: list[tuple[str, Any]] = ANSWERS) -> InterviewSession:
    loaded = load(sections)
    session = InterviewSession(loaded.instrument, loaded.content_hash,
                               MemoryAnswerStore(allow_unsafe=True), "nested-1",
                               respondent_language="en", officer_language="en")
    for key, value in answers:
        session.answer(key, value)
    return session


def value(session: InterviewSession, key: str) -> Any:
    name, instance = split_key(key)
    return session.evaluation.scalar(name, instance)


@pytest.fixture(scope="module")
def households() -> InterviewSession:
    return session_for(HOUSEHOLDS)


def test_keys_name_every_entry_outermost_first() -> None:
    where = entry(("hh", 1), ("person", 2))
    assert make_key("age", where) == "hh[1].person[2].age"
    assert split_key("hh[1].person[2].age") == ("age", where)
    assert split_key("rep[3].x") == ("x", Entry((("rep", 3),)))  # one level: as before
    assert split_key("plain") == ("plain", None)
    # names may hold dots (a loop's questions): only "[n]." ends a repeat's name
    assert split_key("herd.cow.rep[2].herd.cow.rep.x") == (
        "herd.cow.rep.x", entry(("herd.cow.rep", 2)))


def test_the_interview_walks_each_household_then_its_people(
        households: InterviewSession) -> None:
    keys = [s.key for s in households.steps()]
    assert keys == [
        "nh",
        "hh[1].np", "hh[1].hname",
        "hh[1].person[1].age", "hh[1].person[1].work",
        "hh[1].person[2].age",  # 5 years old: "work?" is not asked
        "hh[2].np", "hh[2].hname",
        "hh[2].person[1].age", "hh[2].person[1].work",
        "hh[2].person[2].age", "hh[2].person[2].work",
        "hh[2].person[3].age",
    ]


@pytest.mark.parametrize(("key", "expected"), [
    ("hh[1].person[2].pos", 2.0),  # position(..): the innermost entry
    ("hh[2].person[1].family", "Bode"),  # ${hname} of the enclosing household
    ("hh[2].person[3].first_age", 40),  # indexed-repeat in this household
    ("hh[1].person[1].other_hh", 40),  # ... and the 5-argument form
    ("hh[1].people", 2.0),  # count(${age}) in a household: its own people
    ("hh[2].people", 3.0),
    ("hh[2].ages", 91.0),
    ("hh[2].second_age", 41),
    ("everyone", 5.0),  # from the top level: everybody
    ("all_ages", 126.0),
    ("h2p2", 41),  # the repeats in any order
    ("h3p1", ""),  # no third household: empty, as JavaRosa
    ("h0p2", 5),  # an index below 1 reads the first entry, as JavaRosa
    ("h2name", "Bode"),
])
def test_values_seen_from_each_entry_are_javarosas(households: InterviewSession, key: str,
                                                   expected: Any) -> None:
    assert value(households, key) == expected


def test_relevance_is_decided_per_person(households: InterviewSession) -> None:
    assert households.is_relevant("hh[2].person[2].work")
    assert not households.is_relevant("hh[2].person[3].work")
    assert not households.is_relevant("hh[1].person[3].age")  # no third person there
    assert not households.is_relevant("hh[1].work")  # not an entry "work" lives in


def test_inner_repeat_count_comes_from_its_own_household() -> None:
    session = session_for(HOUSEHOLDS, ANSWERS[:5])
    ev = session.evaluation
    assert ev.repeat_count("person", entry(("hh", 1))) == 2
    assert ev.repeat_count("person", entry(("hh", 2))) == 0  # np not answered yet
    session.answer("hh[2].np", 1)
    assert [s.key for s in session.steps()][-2:] == ["hh[2].hname", "hh[2].person[1].age"]


THREE_LEVELS = """\
- name: s
  title: {en: S}
  items:
    - name: site
      type: repeat
      text: {en: Site}
      items:
        - {name: site_name, type: text, text: {en: Site name}}
        - name: worker
          type: repeat
          text: {en: Worker}
          items:
            - {name: wname, type: text, text: {en: Name}}
            - name: shift
              type: repeat
              text: {en: Shift}
              items:
                - {name: hours, type: integer, text: {en: Hours}}
                - {name: where, type: calculate,
                   calculation: "concat(${site_name}, '/', ${wname}, '/', position(..))"}
                - {name: long, type: note, text: {en: Long shift}, relevant: "${hours} > 10"}
            - {name: total_hours, type: calculate, calculation: "sum(${hours})"}
            - {name: shifts, type: calculate, calculation: "count(${hours})"}
        - {name: site_hours, type: calculate, calculation: "sum(${hours})"}
    - {name: all_hours, type: calculate, calculation: "sum(${hours})"}
    - {name: one_shift, type: calculate,
       calculation: "indexed-repeat(${hours}, ${site}, 2, ${worker}, 1, ${shift}, 2)"}
"""


def test_three_levels_with_open_repeats_ask_how_many_in_each_entry() -> None:
    session = session_for(THREE_LEVELS, [])
    assert [s.key for s in session.steps()] == ["site"]  # "how many sites?"
    session.answer("site", 2)
    assert "site[1].worker" in [s.key for s in session.steps()]  # asked per site
    session.answer("site[1].site_name", "North")
    session.answer("site[1].worker", 1)
    session.answer("site[1].worker[1].wname", "Ana")
    session.answer("site[1].worker[1].shift", 2)  # stored under that worker's key
    session.answer("site[1].worker[1].shift[1].hours", 8)
    session.answer("site[1].worker[1].shift[2].hours", 12)
    session.answer("site[2].site_name", "South")
    session.answer("site[2].worker", 2)
    session.answer("site[2].worker[1].wname", "Bo")
    session.set_repeat_count("site[2].worker[1].shift", 3)
    for i, hours in enumerate((4, 5, 6), start=1):
        session.answer(f"site[2].worker[1].shift[{i}].hours", hours)
    assert session.answers["site[1].worker[1].shift"].value == 2
    assert value(session, "site[1].worker[1].shift[2].where") == "North/Ana/2"
    assert value(session, "site[1].worker[1].total_hours") == 20.0
    assert value(session, "site[2].worker[1].shifts") == 3.0
    assert value(session, "site[2].worker[2].shifts") == 0.0  # no shift given yet
    assert value(session, "site[2].site_hours") == 15.0
    assert value(session, "all_hours") == 35.0
    assert value(session, "one_shift") == 5
    assert session.is_relevant("site[1].worker[1].shift[2].long")
    assert not session.is_relevant("site[1].worker[1].shift[1].long")
    keys = [s.key for s in session.steps()]
    assert keys.index("site[1].worker[1].shift[2].hours") < keys.index("site[2].site_name")


def test_an_inner_count_needs_its_outer_entry() -> None:
    session = session_for(THREE_LEVELS, [("site", 1)])
    with pytest.raises(AnswerError) as caught:
        session.set_repeat_count("worker", 2)
    assert "site[1].worker" in caught.value.message
    with pytest.raises(AnswerError):
        session.set_repeat_count("site[2].worker", 2)  # there is one site


@pytest.mark.parametrize(("calculation", "problem"), [
    ("indexed-repeat(${age}, ${person}, 2)", "which entry of the repeat 'hh'"),
    ("indexed-repeat(${age}, ${hname}, 2)", "${hname} is not a repeat around ${age}"),
    ("indexed-repeat(${nh}, ${hh}, 1)", "${hh} is not a repeat around ${nh}"),
    ("indexed-repeat(${age}, 'hh', 2, ${person}, 1)", "takes ${item}"),
])
def test_indexed_repeat_that_javarosa_cannot_run_is_refused(calculation: str,
                                                             problem: str) -> None:
    bad = HOUSEHOLDS + f"    - {{name: bad, type: calculate, calculation: \"{calculation}\"}}\n"
    with pytest.raises(InstrumentError) as caught:
        load(bad)
    assert any(problem in p.message and p.item == "bad" for p in caught.value.problems)


def test_indexed_repeat_arity_and_simple_env() -> None:
    with pytest.raises(Exception, match="odd number"):
        parse("indexed-repeat(${x}, ${rep}, 1, ${inner})")
    env = SimpleEnv({"x": ["a", "b"], "hh[2].person[1].y": "deep", "y": []})
    assert evaluate(parse("indexed-repeat(${x}, ${rep}, 2)"), env) == "b"
    assert evaluate(parse("indexed-repeat(${x}, ${rep}, 3)"), env) == ""
    assert evaluate(parse("indexed-repeat(${x}, ${rep}, 1.9)"), env) == "a"
    assert evaluate(parse("indexed-repeat(${y}, ${hh}, 2, ${person}, 1)"), env) == "deep"


def test_count_of_a_repeat_counts_its_entries(households: InterviewSession) -> None:
    # JavaRosa and Web Forms: count(${hh}) is the number of entries (it was 1 before #17)
    ev = households.evaluation
    assert ev.eval(parse("count(${hh})")) == 2.0
    assert ev.eval(parse("count(${person})")) == 5.0
    assert ev.eval(parse("count(${person})"), entry(("hh", 2))) == 3.0
