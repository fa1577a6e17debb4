"""The graded outcome rule (issue #16): strength and Palermo element decide "refer".

One medium sign alone (thirteen hours a day) is noted, not a referral; a strong sign, signs of
both coercion (means) and exploitation (purpose), or three medium signs are.
"""

from __future__ import annotations

import datetime as dt

import pytest
from factories import load

from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.errors import InstrumentError

SECTIONS = """\
- name: s1
  title: {en: One}
  items:
    - {name: hours, type: integer, text: {en: "Hours a day?"}}
    - {name: unpaid, type: yes_no, text: {en: "Unpaid?"}}
    - {name: watched, type: yes_no, text: {en: "Watched?"}}
    - {name: threatened, type: yes_no, text: {en: "Threatened?"}}
    - {name: moved, type: yes_no, text: {en: "Moved by someone?"}}
    - {name: visa, type: yes_no, text: {en: "Visa tied to this employer?"}}
"""
INDICATORS = """\
indicators:
  - {name: long_hours, domain: labour, label: {en: Long hours}, when: "${hours} > 12",
     strength: medium, element: purpose}
  - {name: wages, domain: labour, label: {en: Wages}, when: "${unpaid} = 'yes'",
     strength: medium, element: purpose}
  - {name: surveillance, domain: control, label: {en: Watched}, when: "${watched} = 'yes'",
     strength: medium, element: means}
  - {name: threats, domain: control, label: {en: Threats}, when: "${threatened} = 'yes'",
     strength: strong, element: means}
  - {name: transported, domain: recruitment, label: {en: Moved}, when: "${moved} = 'yes'",
     strength: medium, element: act}
  - {name: tied_visa, domain: control, label: {en: Tied visa}, when: "${visa} = 'yes'",
     strength: weak, element: means}
"""
GRADED = """\
outcome:
  rule: graded
  graded:
    refer_when:
      - {strong: 1}
      - {elements: [means, purpose]}
      - {medium: 3}
  labels:
    refer_urgent: {en: urgent}
    refer: {en: refer}
    some_indicators: {en: some}
    incomplete: {en: incomplete}
    no_indicators: {en: none}
"""


def session() -> InterviewSession:
    loaded = load(SECTIONS, extra=INDICATORS, outcome=GRADED)
    clock = lambda: dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)  # noqa: E731
    return InterviewSession(loaded.instrument, loaded.content_hash, MemoryAnswerStore(), "iv1",
                            respondent_language="en", officer_language="en", clock=clock)


def answer_all(s: InterviewSession, **given: object) -> None:
    base: dict[str, object] = {"hours": 8, "unpaid": "no", "watched": "no",
                               "threatened": "no", "moved": "no", "visa": "no"}
    for name, value in {**base, **given}.items():
        s.answer(name, value)


def test_one_medium_sign_alone_is_noted_not_referred() -> None:
    s = session()
    answer_all(s, hours=13)
    result = s.result()
    assert [i.name for i in result.indicators] == ["long_hours"]
    assert result.level == "some_indicators"
    assert result.details == {"strong": 0, "medium": 1, "elements_present": ["purpose"],
                              "condition_met": None}


def test_two_exploitation_signs_without_coercion_are_not_a_referral() -> None:
    s = session()
    answer_all(s, hours=14, unpaid="yes")
    assert s.result().level == "some_indicators"


def test_a_strong_sign_alone_refers() -> None:
    s = session()
    answer_all(s, threatened="yes")
    result = s.result()
    assert result.level == "refer"
    assert result.details["condition_met"] == 0
    assert result.indicators[0].element == "means"
    assert result.indicators[0].strength == "strong"


def test_coercion_with_exploitation_refers() -> None:
    s = session()
    answer_all(s, hours=14, watched="yes")
    result = s.result()
    assert result.level == "refer"
    assert result.details["condition_met"] == 1
    assert result.details["elements_present"] == ["means", "purpose"]


def test_a_risk_factor_does_not_stand_for_coercion() -> None:
    """A weak means (a visa tied to one employer) with long hours is not "coercion and
    exploitation": noted, not referred."""
    s = session()
    answer_all(s, hours=13, visa="yes")
    result = s.result()
    assert {i.name for i in result.indicators} == {"long_hours", "tied_visa"}
    assert result.level == "some_indicators"
    assert result.details["elements_present"] == ["purpose"]
    s.answer("watched", "yes")  # a medium sign of coercion does
    assert s.result().level == "refer"


def test_three_medium_signs_refer() -> None:
    s = session()
    answer_all(s, hours=14, unpaid="yes", moved="yes")
    result = s.result()
    assert result.level == "refer"
    assert result.details["condition_met"] == 2


def test_nothing_found_with_everything_answered() -> None:
    s = session()
    answer_all(s)
    assert s.result().level == "no_indicators"


def test_element_travels_in_the_result_json() -> None:
    s = session()
    answer_all(s, moved="yes")
    (indicator,) = s.result().to_json()["indicators"]
    assert indicator["element"] == "act" and indicator["strength"] == "medium"


def test_graded_rule_needs_strength_and_element_on_every_indicator() -> None:
    untagged = INDICATORS.replace(",\n     strength: medium, element: act", "")
    assert untagged != INDICATORS
    with pytest.raises(InstrumentError) as err:
        load(SECTIONS, extra=untagged, outcome=GRADED)
    assert "indicator 'transported' needs 'strength' and 'element'" in str(err.value)


def test_graded_rule_cannot_ask_for_an_element_no_indicator_has() -> None:
    no_act = GRADED.replace("[means, purpose]", "[act, purpose]")
    only = INDICATORS.split("  - {name: transported")[0]
    with pytest.raises(InstrumentError) as err:
        load(SECTIONS, extra=only, outcome=no_act)
    assert "element 'act', which no indicator has" in str(err.value)
