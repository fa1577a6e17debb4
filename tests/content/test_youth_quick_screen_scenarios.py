"""Scenarios through the shipped youth screen (issue #16): what an officer screening a child sees.

Each test is one point of the issue, run through the real engine on the real instrument file,
walking the questions in the order the app asks them (``replay``), so an answer to a question
the screen does not ask (an adult's, or a young child's sexual-harm questions) is not asked.
The children are synthetic."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from screening.casework.replay import ReplayOutcome, replay
from screening.engine.scoring import ScreeningResult
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.instruments import load_instrument
from screening.instruments.model import Instrument

FILE = Path(__file__).parents[2] / "resources" / "instruments" / "youth_quick_screen.yaml"
LANGUAGES = ("en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl")
SEXUAL = ("sex_exchange", "sexual_images")

# A 15-year-old at school, living at home, nothing of concern: the baseline a scenario changes.
CALM: dict[str, Any] = {
    "age": 15, "school": "most_days", "sleeps_where": "family", "lives_with": ["parents"],
    "works_for_someone": "no", "money_kept": "no", "owes_money": "no",
    "carries_for_others": "no", "afraid_to_leave": "no", "older_partner": "no",
    "moved_around": "no", "online_contact": "no", "sex_exchange": "no", "sexual_images": "no",
    "obs_controlled": "no",
}


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(FILE).instrument


def run(instrument: Instrument, answers: dict[str, Any]) -> tuple[ScreeningResult,
                                                                   ReplayOutcome]:
    clock = lambda: dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)  # noqa: E731
    session = InterviewSession(instrument, instrument.content_hash or "", MemoryAnswerStore(),
                               "iv1", respondent_language="en", officer_language="en",
                               clock=clock)
    walked = replay(session, answers)
    return session.result(), walked


def screen(instrument: Instrument, **changes: Any) -> tuple[set[str], str]:
    """The indicators found and the outcome level for a calm interview with ``changes``."""
    result, _ = run(instrument, {**CALM, **changes})
    return {i.name for i in result.indicators}, result.level


def flags(instrument: Instrument, **changes: Any) -> dict[str, bool]:
    result, _ = run(instrument, {**CALM, **changes})
    return {f.name: f.urgent for f in result.flags}


def test_a_calm_interview_finds_nothing(instrument: Instrument) -> None:
    assert screen(instrument) == (set(), "no_indicators")
    assert flags(instrument) == {"minor": False}


# -- "made_to_work asks '...when you do not want to?'": a child needs no means -------------------

def test_a_child_who_works_for_someone_willingly_is_still_referred(
        instrument: Instrument) -> None:
    """The child says yes to working for someone; nothing about force or unwillingness."""
    assert screen(instrument, works_for_someone="yes") == ({"worked_for_others"}, "refer")
    by_name = {i.name: i for i in instrument.indicators}
    assert by_name["worked_for_others"].element == "purpose"
    question = instrument.item_map()["works_for_someone"].text or {}
    assert not re.search(r"\b(want|against|force|make you)\b", question["en"], re.I)
    assert "made_to_work" not in instrument.item_map()


# -- the missing items: each one scored, or kept as context -------------------------------------

@pytest.mark.parametrize(("changes", "found"), [
    ({"sleeps_where": "work"}, {"lives_at_work"}),
    ({"lives_with": ["employer"]}, {"lives_at_work"}),
    ({"lives_with": ["spouse"]}, {"child_marriage"}),
    ({"older_partner": "yes"}, {"older_partner_gifts"}),
    ({"moved_around": "yes"}, {"moved_between_places"}),
    ({"carries_for_others": "yes"}, {"criminal_exploitation"}),
    ({"online_contact": "yes"}, {"online_recruitment"}),
], ids=["sleeps-at-work", "lives-with-employer", "married", "older-partner", "moved-around",
        "drug-running", "online-contact"])
def test_each_new_sign_is_an_indicator_and_refers(instrument: Instrument,
                                                  changes: dict[str, Any],
                                                  found: set[str]) -> None:
    assert screen(instrument, **changes) == (found, "refer")


def test_school_and_who_the_child_lives_with_are_context_not_indicators(
        instrument: Instrument) -> None:
    assert screen(instrument, school="stopped") == (set(), "no_indicators")
    assert screen(instrument, lives_with=["relatives", "other_adults"]) == (set(),
                                                                           "no_indicators")


def test_a_child_sleeping_outside_needs_a_safe_place_tonight(instrument: Instrument) -> None:
    assert screen(instrument, sleeps_where="street") == (set(), "refer_urgent")
    assert flags(instrument, sleeps_where="street") == {"minor": False, "no_safe_place": True}


def test_sofa_surfing_is_flagged_for_the_referral_without_an_urgent_result(
        instrument: Instrument) -> None:
    assert screen(instrument, sleeps_where="friends") == (set(), "no_indicators")
    assert flags(instrument, sleeps_where="hotel") == {"minor": False, "no_stable_home": False}


def test_several_signs_are_all_listed(instrument: Instrument) -> None:
    found, level = screen(instrument, sleeps_where="work", works_for_someone="yes",
                          money_kept="yes", afraid_to_leave="yes", obs_controlled="yes")
    assert found == {"lives_at_work", "worked_for_others", "earnings_taken", "fear_of_harm",
                     "observed_control"}
    assert level == "refer"


# -- no sexual-content questions for young children ----------------------------------------------

def test_a_ten_year_old_is_not_asked_about_sexual_harm_and_the_result_is_not_no_indicators(
        instrument: Instrument) -> None:
    result, walked = run(instrument, {**CALM, "age": 10})
    assert not set(SEXUAL) & set(walked.asked)
    assert set(SEXUAL) <= set(walked.ignored)
    assert result.level == "refer_urgent"
    assert {f.name: f.urgent for f in result.flags} == {
        "minor": False, "sexual_questions_not_asked": True}
    assert result.indicators == []
    assert not result.unanswered_core  # not asked on purpose: not missing answers


def test_an_unknown_age_and_a_child_who_looks_young_skips_them_too(
        instrument: Instrument) -> None:
    for looks_young in ("yes", {"special": "dont_know"}):
        result, walked = run(instrument, {**CALM, "age": {"special": "refused"},
                                          "obs_looks_under_12": looks_young})
        assert "obs_looks_under_12" in walked.asked
        assert not set(SEXUAL) & set(walked.asked)
        assert result.level == "refer_urgent"
        assert "sexual_questions_not_asked" in {f.name for f in result.flags}


def test_an_unknown_age_and_an_older_looking_child_is_asked(instrument: Instrument) -> None:
    result, walked = run(instrument, {**CALM, "age": {"special": "dont_know"},
                                      "obs_looks_under_12": "no", "sex_exchange": "yes"})
    assert set(SEXUAL) <= set(walked.asked)
    assert {i.name for i in result.indicators} == {"sexual_exchange"}
    assert result.level == "refer"


def test_from_twelve_the_questions_are_asked(instrument: Instrument) -> None:
    result, walked = run(instrument, {**CALM, "age": 12})
    assert set(SEXUAL) <= set(walked.asked)
    assert "obs_looks_under_12" not in walked.asked  # the age is known
    assert "sexual_questions_not_asked" not in {f.name for f in result.flags}
    assert result.level == "no_indicators"
    assert screen(instrument, age=12, sexual_images="yes") == ({"sexual_images"}, "refer")


def test_the_young_child_questions_that_are_asked_still_count(instrument: Instrument) -> None:
    found, level = screen(instrument, age=9, works_for_someone="yes", online_contact="yes")
    assert found == {"worked_for_others", "online_recruitment"}
    assert level == "refer_urgent"


# -- age routing ------------------------------------------------------------------------------

def test_an_adult_is_routed_to_the_adult_screen_and_asked_nothing_more(
        instrument: Instrument) -> None:
    result, walked = run(instrument, {**CALM, "age": 19})
    assert walked.asked == ["intro", "age", "adult_stop"]
    assert [r.instrument for r in result.routes] == ["adult_indicators"]
    assert result.indicators == [] and result.flags == []


# -- every indicator tagged; rule any ---------------------------------------------------------

def test_every_indicator_has_strength_element_and_source(instrument: Instrument) -> None:
    assert instrument.version.split(".")[0] == "2"
    assert instrument.outcome.rule == "any"
    for ind in instrument.indicators:
        assert ind.strength in ("strong", "medium"), ind.name
        assert ind.element in ("act", "means", "purpose"), ind.name
        assert ind.framework_ref, ind.name
    by_name = {i.name: i for i in instrument.indicators}
    assert by_name["observed_control"].element == "means"  # control a child shows is means
    assert {by_name[n].element for n in ("moved_between_places", "online_recruitment",
                                         "older_partner_gifts", "lives_at_work")} == {"act"}
    assert "risk" in (by_name["debt"].framework_ref or "")  # owing money is not bondage


# -- wording ---------------------------------------------------------------------------------

def _texts(instrument: Instrument) -> list[dict[str, str]]:
    texts: list[dict[str, str]] = [instrument.consent or {}]
    texts += list((instrument.notices or {}).values())
    for item in instrument.walk():
        texts += [t for t in (item.text, item.guidance) if t]
    for choices in instrument.choice_lists.values():
        texts += [c.label for c in choices]
    texts += [t for f in instrument.flags for t in (f.label, f.message) if t]
    texts += [i.label for i in instrument.indicators]
    texts += list(instrument.outcome.labels.values())
    return texts


def test_no_promise_an_officer_may_not_keep(instrument: Instrument) -> None:
    for text in _texts(instrument):
        assert "not in trouble" not in text["en"], text["en"]
        assert "not be in trouble" not in text["en"], text["en"]
    consent = (instrument.consent or {})["en"]
    assert "not your fault" in consent
    assert "mandatory_reporting" in (instrument.notices or {})


def test_french_texts_keep_the_space_before_double_punctuation(
        instrument: Instrument) -> None:
    for text in _texts(instrument):
        fr = text["fr"]
        assert not re.search(r"[^\u00a0\u202f][?!;:](\s|$)", fr), fr
        assert not re.search(r"«(?!\u00a0)|(?<!\u00a0)»", fr), fr


def test_sex_exchange_keeps_who_acted_in_every_language(instrument: Instrument) -> None:
    """The child did the acts, or was pushed to: not "things happened with you"."""
    text = instrument.item_map()["sex_exchange"].text or {}
    assert set(text) == set(LANGUAGES)
    assert "حدثت معك" not in text["ar"] and "القيام" in text["ar"]
    assert "приходилось" not in text["ru"]
    assert "Agradeço por você me contar" not in str(_texts(instrument))
