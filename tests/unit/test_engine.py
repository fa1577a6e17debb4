"""The interview engine: order, relevance re-evaluation, validation, resume, scoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from factories import load

from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.errors import AnswerError, ErrorCode

FLOW = """\
- name: s1
  title: {en: One}
  items:
    - {name: works, type: yes_no, text: {en: "Do you work?"}}
    - name: hours
      type: integer
      text: {en: "Hours?"}
      relevant: "${works} = 'yes'"
      constraint: ". >= 0 and . <= 24"
      constraint_message: {en: Between 0 and 24 hours.}
    - {name: intro2, type: note, text: {en: A note}}
    - {name: paid, type: yes_no, text: {en: "Paid?"}, relevant: "${works} = 'yes'"}
    - {name: obs, type: observation, text: {en: Looked afraid}}
    - name: why
      type: text
      text: {en: "Why?"}
      special: [refused]
- name: s2
  title: {en: Two}
  items:
    - {name: moved, type: yes_no, text: {en: "Moved?"}}
"""
INDICATORS = """\
indicators:
  - {name: long_hours, domain: labour, label: {en: Long hours}, when: "${hours} > 12"}
  - {name: unpaid, domain: labour, label: {en: Unpaid}, when: "${paid} = 'no'"}
flags:
  - {name: afraid, kind: other, label: {en: Afraid}, when: "${obs} = 'yes'"}
"""


def session(sections: str = FLOW, extra: str = INDICATORS, lang: str = "en",
            **kwargs: Any) -> InterviewSession:
    loaded = load(sections, extra=extra, **kwargs)
    clock = lambda: dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)  # noqa: E731
    return InterviewSession(loaded.instrument, loaded.content_hash, MemoryAnswerStore(), "iv1",
                            respondent_language=lang, officer_language="en", clock=clock)


def keys(s: InterviewSession) -> list[str]:
    return [step.key for step in s.steps()]


def test_relevance_follows_answers_and_is_reevaluated() -> None:
    s = session()
    assert keys(s) == ["works", "intro2", "obs", "why", "moved"]
    s.answer("works", "yes")
    assert keys(s) == ["works", "hours", "intro2", "paid", "obs", "why", "moved"]
    s.answer("hours", 14)
    s.answer("paid", "no")
    assert {i.name for i in s.result().indicators} == {"long_hours", "unpaid"}
    change = s.answer("works", "no")
    # Answers that became irrelevant are kept, marked, and excluded from scoring.
    assert change.became_irrelevant == ["hours", "paid"]
    assert s.answers["hours"].value == 14 and s.answers["hours"].relevant is False
    assert s.store.load_answers("iv1")["paid"].relevant is False
    assert s.result().indicators == []
    change = s.answer("works", "yes")
    assert change.became_relevant == ["hours", "paid"]
    assert {i.name for i in s.result().indicators} == {"long_hours", "unpaid"}


def test_answer_records_language_time_and_history() -> None:
    s = session(lang="en")
    s.answer("works", "yes")
    s.answer("obs", True)  # booleans accepted for yes/no
    s.answer("works", "no")
    rec = s.answers["works"]
    assert (rec.value, rec.language, rec.answered_at) == ("no", "en", "2026-01-02T03:04:05+00:00")
    assert s.answers["obs"].value == "yes"
    assert [r.value for r in s.store.history("iv1") if r.item == "works"] == ["yes", "no"]


def test_constraint_and_type_errors_are_specific() -> None:
    s = session()
    s.answer("works", "yes")
    with pytest.raises(AnswerError) as info:
        s.answer("hours", 30)
    assert info.value.code == ErrorCode.ANSWER_CONSTRAINT
    assert str(info.value) == "Between 0 and 24 hours." and info.value.item == "hours"
    with pytest.raises(AnswerError) as info:
        s.answer("hours", "many")
    assert "whole number" in str(info.value)
    with pytest.raises(AnswerError):
        s.answer("works", "maybe")
    assert "hours" not in s.answers  # nothing stored for a rejected answer


def test_special_answers_only_where_allowed() -> None:
    s = session()
    s.answer("why", special="refused")
    assert s.answers["why"].special == "refused" and s.answers["why"].value is None
    with pytest.raises(AnswerError) as info:
        s.answer("why", special="dont_know")
    assert "not allowed" in str(info.value)
    with pytest.raises(AnswerError):
        s.answer("intro2", "x")  # notes take no answer


def test_irrelevant_and_unknown_items_refused() -> None:
    s = session()
    with pytest.raises(AnswerError) as info:
        s.answer("hours", 3)
    assert info.value.code == ErrorCode.ANSWER_NOT_RELEVANT
    with pytest.raises(AnswerError) as info:
        s.answer("nope", 3)
    assert info.value.code == ErrorCode.ANSWER_UNKNOWN_ITEM


def test_navigation_back_next_jump_and_resume() -> None:
    s = session()
    assert s.current().key == "works"
    s.answer("works", "yes")
    assert s.next().key == "hours"
    assert s.next().key == "intro2"
    assert s.back().key == "hours"
    assert s.jump_section("s2").key == "moved"
    assert s.jump("paid").key == "paid"
    # A new session over the same store resumes exactly where the last one stopped.
    resumed = InterviewSession(s.instrument, s.plan.content_hash, s.store, "iv1",
                               respondent_language="en", officer_language="en")
    assert resumed.current().key == "paid"
    assert resumed.answers["works"].value == "yes"
    # If the saved position becomes irrelevant, continue with the next relevant item.
    resumed.answer("works", "no")
    assert resumed.current().key == "obs"


def test_refused_core_item_makes_screen_incomplete_not_negative() -> None:
    s = session()
    s.answer("works", "yes")
    s.answer("hours", special="dont_know")
    s.answer("paid", "yes")
    result = s.result()
    assert result.level == "incomplete"
    assert result.unanswered_core == ["hours"]
    s.answer("hours", 8)
    assert s.result().level == "no_indicators"


def test_skipped_core_item_is_not_missing() -> None:
    s = session()
    s.answer("works", "no")
    result = s.result()
    assert result.level == "no_indicators" and result.unanswered_core == []


def test_flag_makes_result_urgent() -> None:
    s = session()
    s.answer("works", "no")
    s.answer("obs", "yes")
    result = s.result()
    assert result.level == "refer_urgent"
    assert [f.name for f in result.flags] == ["afraid"]
    assert result.flags[0].triggered_by == ["obs"]


THRESHOLD = """\
outcome:
  rule: threshold
  threshold: 2
  threshold_by_language: {es: 1}
  labels:
    refer_urgent: {en: urgent, es: urgente}
    refer: {en: refer, es: derivar}
    some_indicators: {en: some, es: algunos}
    incomplete: {en: incomplete, es: incompleto}
    no_indicators: {en: none, es: ninguno}
"""


BILINGUAL = """\
- name: s1
  title: {en: One, es: Uno}
  items:
    - {name: a, type: yes_no, text: {en: "A?", es: "¿A?"}}
    - {name: b, type: yes_no, text: {en: "B?", es: "¿B?"}}
    - {name: c, type: yes_no, text: {en: "C?", es: "¿C?"}}
"""
BILINGUAL_INDICATORS = """\
indicators:
  - {name: ia, domain: x, label: {en: A, es: A}, when: "${a} = 'yes'"}
  - {name: ib, domain: x, label: {en: B, es: B}, when: "${b} = 'yes'"}
  - {name: ic, domain: x, label: {en: C, es: C}, when: "${c} = 'yes'"}
"""


@pytest.mark.parametrize(("lang", "expected"), [("en", "some_indicators"), ("es", "refer")])
def test_threshold_rule_with_per_language_cutoff(lang: str, expected: str) -> None:
    s = session(BILINGUAL, BILINGUAL_INDICATORS, lang=lang, outcome=THRESHOLD,
                languages=("en", "es"))
    s.answer("a", "yes")
    s.answer("b", "no")
    s.answer("c", "no")
    result = s.result()
    assert result.level == expected
    assert result.details["count"] == 1
    s.answer("b", "yes")
    assert s.result().level == "refer"


WEIGHTED_SECTIONS = """\
- name: s1
  title: {en: One}
  items:
    - {name: a, type: yes_no, text: {en: A}}
    - {name: b, type: yes_no, text: {en: B}}
    - {name: c, type: yes_no, text: {en: C}}
    - {name: d, type: yes_no, text: {en: D}}
"""
WEIGHTED_INDICATORS = """\
indicators:
  - {name: ia, domain: x, label: {en: A}, when: "${a} = 'yes'",
     strength: strong, dimension: recruit}
  - {name: ib, domain: x, label: {en: B}, when: "${b} = 'yes'",
     strength: medium, dimension: recruit}
  - {name: ic, domain: x, label: {en: C}, when: "${c} = 'yes'",
     strength: strong, dimension: exploit}
  - {name: id, domain: x, label: {en: D}, when: "${d} = 'yes'",
     strength: weak, dimension: exploit}
"""
WEIGHTED = """\
outcome:
  rule: weighted
  weighted:
    dimension_present:
      - {strong: 2}
      - {strong: 1, medium: 1}
      - {strong: 1, weak: 1}
      - {medium: 3}
    combine: [[recruit], [exploit]]
  labels:
    refer_urgent: {en: urgent}
    refer: {en: refer}
    some_indicators: {en: some}
    incomplete: {en: incomplete}
    no_indicators: {en: none}
"""


def test_weighted_rule_needs_every_dimension_group() -> None:
    s = session(WEIGHTED_SECTIONS, WEIGHTED_INDICATORS, outcome=WEIGHTED)
    for name in "abcd":
        s.answer(name, "no")
    s.answer("a", "yes")
    s.answer("b", "yes")
    result = s.result()
    assert result.level == "some_indicators"
    assert result.details == {"dimensions_present": ["recruit"]}
    s.answer("c", "yes")
    assert s.result().level == "some_indicators"  # strong alone is not enough here
    s.answer("d", "yes")
    result = s.result()
    assert result.level == "refer"
    assert result.details == {"dimensions_present": ["exploit", "recruit"]}


REPEAT = """\
- name: s1
  title: {en: One}
  items:
    - {name: n_children, type: integer, text: {en: "How many children?"}}
    - name: child
      type: repeat
      repeat_count: "${n_children}"
      items:
        - {name: child_age, type: integer, text: {en: Age of child}}
        - name: child_school
          type: yes_no
          text: {en: "In school?"}
          relevant: "${child_age} >= 5"
    - {name: total, type: calculate, calculation: "sum(${child_age})"}
    - name: big_family
      type: note
      text: {en: Large family}
      relevant: "${total} > 20 and count(${child_age}) >= 2"
"""


def test_repeats_expand_per_entry_with_local_references() -> None:
    s = session(REPEAT, extra="")
    s.answer("n_children", 2)
    assert keys(s) == ["n_children", "child[1].child_age", "child[2].child_age"]
    s.answer("child[1].child_age", 3)
    s.answer("child[2].child_age", 19)
    assert keys(s) == ["n_children", "child[1].child_age", "child[2].child_age",
                       "child[2].child_school", "big_family"]
    s.answer("n_children", 1)
    assert "child[2].child_age" not in keys(s)
    assert s.answers["child[2].child_age"].relevant is False


OR_INDICATOR = """\
indicators:
  - {name: either, domain: x, label: {en: E}, when: "${works} = 'no' or ${moved} = 'yes'"}
flags:
  - {name: note_only, kind: minor, urgent: false, label: {en: Minor}, when: "${obs} = 'yes'"}
"""


def test_indicator_cites_only_the_true_part_of_an_or() -> None:
    s = session(extra=OR_INDICATOR)
    s.answer("works", "yes")
    s.answer("hours", 8)
    s.answer("paid", "yes")
    s.answer("moved", "yes")
    [indicator] = s.result().indicators
    assert indicator.triggered_by == ["moved"]  # "works" was answered, but not what fired


def test_non_urgent_flag_is_reported_without_escalating() -> None:
    s = session(extra=OR_INDICATOR)
    s.answer("works", "yes")
    s.answer("hours", 8)
    s.answer("paid", "yes")
    s.answer("moved", "no")
    s.answer("obs", "yes")
    result = s.result()
    assert [f.name for f in result.flags] == ["note_only"]
    assert result.level == "no_indicators"


OPEN_REPEAT = """\
- name: s1
  title: {en: One}
  items:
    - name: child
      type: repeat
      text: {en: Children}
      items:
        - {name: child_age, type: integer, text: {en: Age of child}}
    - {name: done, type: note, text: {en: Done}}
"""


def test_open_repeat_asks_how_many_entries_first() -> None:
    s = session(OPEN_REPEAT, extra="")
    assert keys(s) == ["child", "done"]  # the count is a question of its own
    s.answer("child", 2)
    assert keys(s) == ["child", "child[1].child_age", "child[2].child_age", "done"]
    with pytest.raises(AnswerError) as info:
        s.answer("child", 500)
    assert info.value.code == ErrorCode.ANSWER_CONSTRAINT
    s.answer("child[2].child_age", 7)
    s.answer("child", 1)
    assert s.answers["child[2].child_age"].relevant is False  # kept, no longer asked
