"""Discreet mode (issue #14): while someone who came with the person is in the room, the
items an instrument marks ``sensitive`` are held back, visibly, and the result never passes
for a complete screen. Engine only: no store, no Qt."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import load

from screening.engine.plan import Plan
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.errors import AnswerError, ErrorCode

SECTIONS = """\
- name: start
  title: {en: Start}
  items:
    - {name: age, type: integer, text: {en: "How old are you?"}}
- name: work
  title: {en: Work}
  sensitive: true
  items:
    - {name: paid, type: yes_no, text: {en: "Are you paid?"}}
    - {name: debt, type: yes_no, text: {en: "Do you owe money?"}}
    - name: kids
      type: repeat
      text: {en: Children}
      items:
        - {name: kid_age, type: integer, text: {en: "Child's age?"}}
- name: safety
  title: {en: Safety}
  items:
    - {name: danger, type: yes_no, text: {en: "In danger now?"}}
    - {name: threatened, type: yes_no, text: {en: "Threatened?"}, sensitive: true}
    - name: grp
      type: group
      sensitive: true
      items:
        - {name: papers, type: yes_no, text: {en: "Do you have your papers?"}}
- name: end
  title: {en: End}
  items:
    - {name: obs, type: observation, text: {en: Someone answered for them}}
"""
EXTRA = """\
indicators:
  - {name: unpaid, domain: labour, label: {en: Unpaid}, when: "${paid} = 'no'"}
  - {name: owes, domain: control, label: {en: Owes}, when: "${debt} = 'yes'"}
flags:
  - {name: danger_now, kind: immediate_danger, label: {en: Danger}, when: "${danger} = 'yes'"}
"""
CLOCK = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def session(store: MemoryAnswerStore | None = None, *, discreet: bool = True
            ) -> InterviewSession:
    loaded = load(SECTIONS, extra=EXTRA)
    return InterviewSession(loaded.instrument, loaded.content_hash, store or MemoryAnswerStore(),
                            "iv1", respondent_language="en", officer_language="en",
                            clock=lambda: CLOCK, discreet=discreet)


def keys(s: InterviewSession) -> list[str]:
    return [step.key for step in s.steps()]


def walk(s: InterviewSession, answers: dict[str, object]) -> list[str]:
    shown = []
    step = s.current()
    while step is not None:
        shown.append(step.key)
        if step.key in answers:
            s.answer(step.key, answers[step.key])
        step = s.next()
    return shown


def test_sections_items_and_groups_say_what_is_sensitive() -> None:
    instrument = load(SECTIONS, extra=EXTRA).instrument
    plan = Plan.build(instrument, "x")
    held = {name for name, node in plan.nodes.items() if node.sensitive}
    # the section's items (repeat entries too), an item, and a group's items
    assert held == {"paid", "debt", "kids", "kid_age", "threatened", "grp", "papers"}
    assert instrument.sensitive_sections() == ["work", "safety"]


def test_a_false_or_absent_mark_leaves_the_content_hash_alone() -> None:
    plain = load(re.sub(r"\n *sensitive: true|, sensitive: true", "", SECTIONS), extra=EXTRA)
    explicit = load(SECTIONS.replace("sensitive: true", "sensitive: false"), extra=EXTRA)
    assert plain.content_hash == explicit.content_hash
    assert load(SECTIONS, extra=EXTRA).content_hash != plain.content_hash


def test_held_back_items_are_not_shown_asked_or_answerable() -> None:
    s = session()
    assert keys(s) == ["age", "danger", "obs"]
    assert [step.key for step in s.held_back()] == ["paid", "debt", "kids", "threatened",
                                                    "papers"]
    assert s.held_back_sections() == ["work", "safety"]
    for attempt in (lambda: s.answer("debt", "yes"), lambda: s.jump("paid"),
                    lambda: s.set_note("threatened", "x"), lambda: s.set_repeat_count("kids", 2)):
        with pytest.raises(AnswerError, match="held back") as caught:
            attempt()
        assert caught.value.code is ErrorCode.ANSWER_NOT_RELEVANT
    assert s.answers == {}
    assert walk(s, {"age": 30, "danger": "no", "obs": "no"}) == ["age", "danger", "obs"]
    assert s.missing_required() == []


def test_the_result_is_incomplete_with_the_held_back_sections_never_a_lower_score() -> None:
    s = session()
    walk(s, {"age": 30, "danger": "no", "obs": "no"})
    result = s.result()
    # every safe answer given and nothing found: still not "no indicators"
    assert result.level == "incomplete" and not result.complete
    assert result.held_back_sections == ["work", "safety"]
    assert result.held_back == ["paid", "debt", "kids", "threatened", "papers"]
    assert result.unanswered_core == []  # held back is not "unanswered", nor refused
    assert result.to_json()["outcome"]["held_back_sections"] == ["work", "safety"]
    # the same answers with the person alone and the sections answered "no problem"
    alone = session(discreet=False)
    walk(alone, {"age": 30, "danger": "no", "obs": "no", "paid": "yes", "debt": "no",
                 "kids": 0, "threatened": "no", "papers": "yes"})
    assert alone.result().level == "no_indicators" and alone.result().complete
    assert alone.result().to_json()["outcome"]["held_back_sections"] == []


def test_an_urgent_flag_from_what_can_be_asked_still_comes_first() -> None:
    s = session()
    walk(s, {"age": 30, "danger": "yes", "obs": "no"})
    result = s.result()
    assert result.level == "refer_urgent"
    assert result.held_back_sections == ["work", "safety"]  # and still says what waits


def test_alone_now_brings_the_held_back_items_back_at_the_first_one() -> None:
    store = MemoryAnswerStore()
    s = session(store)
    walk(s, {"age": 30, "danger": "no", "obs": "no"})
    assert s.current() is None  # walked to the end of what could be asked
    step = s.set_discreet(False)
    assert step is not None and step.key == "paid"
    assert store.load_position("iv1") == "paid"  # saved: a resume comes back here
    assert keys(s) == ["age", "paid", "debt", "kids", "danger", "threatened", "papers", "obs"]
    assert s.held_back() == [] and s.held_back_sections() == []
    s.answer("paid", "no")
    s.answer("debt", "yes")
    result = s.result()
    assert result.level == "refer" and {i.name for i in result.indicators} == {"unpaid", "owes"}


def test_the_first_item_still_without_an_answer_is_where_it_comes_back() -> None:
    store = MemoryAnswerStore()
    alone = session(store, discreet=False)
    alone.answer("paid", "yes")  # answered while alone, then the companion came back
    again = session(store, discreet=True)
    assert "paid" not in keys(again)  # not shown while the companion is there
    assert again.missing_held_back() == ["debt", "kids", "threatened", "papers"]
    step = again.set_discreet(False)
    assert step is not None and step.key == "debt"


def test_a_resumed_session_keeps_its_place_and_the_mode_it_is_given() -> None:
    store = MemoryAnswerStore()
    s = session(store)
    s.answer("age", 30)
    s.next()
    resumed = session(store)  # pause, lock, or a new process: same store, same mode
    current = resumed.current()
    assert current is not None and current.key == "danger"
    assert resumed.held_back_sections() == ["work", "safety"]
