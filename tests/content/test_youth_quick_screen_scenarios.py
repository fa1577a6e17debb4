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

from screening.casework.answers_file import InterviewContextInput
from screening.casework.replay import ReplayOutcome, replay
from screening.engine.scoring import ScreeningResult
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.instruments import load_instrument
from screening.instruments.model import Instrument
from screening.reports.service import write_case_report
from screening.store import PersonInfo
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.factories import stored_interview
from tests.reports.pdftools import pdftotext

FILE = Path(__file__).parents[2] / "resources" / "instruments" / "youth_quick_screen.yaml"
LANGUAGES = ("en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl")
SEXUAL = ("sex_exchange", "sexual_images")

# A 15-year-old at school, living at home, nothing of concern: the baseline a scenario changes.
CALM: dict[str, Any] = {
    "age": 15, "school": "most_days", "sleeps_where": "family", "lives_with": ["parents"],
    "works": "no", "begs_or_sells": "no", "money_kept": "no", "owes_money": "no",
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

def test_a_child_sent_to_beg_is_referred_whether_or_not_they_agreed(
        instrument: Instrument) -> None:
    """The child says yes to begging for someone; nothing about force or unwillingness."""
    assert screen(instrument, begs_or_sells="yes") == ({"begging_for_others"}, "refer")
    by_name = {i.name: i for i in instrument.indicators}
    assert (by_name["begging_for_others"].element,
            by_name["begging_for_others"].strength) == ("purpose", "strong")
    question = instrument.item_map()["begs_or_sells"].text or {}
    assert not re.search(r"\b(want|against|force|make you)\b", question["en"], re.I)
    assert "made_to_work" not in instrument.item_map()


# -- review of 2.0.0: signs that fired on ordinary lives -----------------------------------------

def test_a_sixteen_year_old_with_a_lawful_saturday_job_has_no_indicators(
        instrument: Instrument) -> None:
    """Works for a shop on Saturdays, keeps the pay, goes to school: nothing to refer."""
    assert screen(instrument, age=16, works="yes") == (set(), "no_indicators")
    assert "works" in instrument.item_map() and "works_for_someone" not in instrument.item_map()


def test_a_child_who_gives_wages_to_the_family_by_choice_is_not_asked_about_as_taken(
        instrument: Instrument) -> None:
    """The money question asks whether someone takes it so the child has no say."""
    text = (instrument.item_map()["money_kept"].text or {})["en"]
    assert "take it from you" in text and "decide" in text
    assert screen(instrument, works="yes", money_kept="no") == (set(), "no_indicators")
    # Taken from the child: a sign that needs another with it; with one, a referral.
    assert screen(instrument, works="yes", money_kept="yes") == ({"earnings_taken"},
                                                                "some_indicators")
    assert screen(instrument, works="yes", money_kept="yes", sleeps_where="work") == (
        {"earnings_taken", "lives_at_work"}, "refer")


def test_a_grandmother_giving_a_place_to_stay_is_not_an_older_partner(
        instrument: Instrument) -> None:
    texts = instrument.item_map()["older_partner"].text or {}
    assert "who is not your family" in texts["en"]
    assert "no es de tu familia" in texts["es"] and "ليس من عائلتك" in texts["ar"]
    assert screen(instrument, older_partner="yes") == ({"older_partner_gifts"},
                                                        "some_indicators")


def test_a_peer_friend_met_online_is_not_meant_and_an_online_adult_alone_is_not_a_referral(
        instrument: Instrument) -> None:
    text = (instrument.item_map()["online_contact"].text or {})["en"]
    assert "an adult" in text and "meet you alone" in text
    assert screen(instrument, age=14, online_contact="yes") == ({"online_recruitment"},
                                                                "some_indicators")
    assert screen(instrument, age=14, online_contact="yes", moved_around="yes")[1] == "refer"


def test_a_debt_is_a_risk_factor_noted_not_referred(instrument: Instrument) -> None:
    assert screen(instrument, owes_money="yes") == ({"debt"}, "some_indicators")
    # A risk factor with one medium sign is still not a referral (weak never counts).
    assert screen(instrument, owes_money="yes", older_partner="yes") == (
        {"debt", "older_partner_gifts"}, "some_indicators")


def test_some_indicators_tells_the_officer_to_talk_to_child_protection(
        instrument: Instrument) -> None:
    label = instrument.outcome.labels["some_indicators"]
    assert set(label) == set(LANGUAGES)
    assert "child protection" in label["en"] and "does not decide" in label["en"]
    assert "labour-rights" not in label["en"]


def test_afraid_to_leave_says_what_the_child_would_stop(instrument: Instrument) -> None:
    text = instrument.item_map()["afraid_to_leave"].text or {}
    assert "stopped working for them" in text["en"]
    assert "في حال التوقف" not in text["ar"] and "هل لديك خوف" not in text["ar"]
    assert screen(instrument, afraid_to_leave="yes") == ({"fear_of_harm"}, "refer")


def test_a_fifteen_year_old_running_drugs_for_an_older_friend_is_referred(
        instrument: Instrument) -> None:
    result, _ = run(instrument, {**CALM, "carries_for_others": "yes", "older_partner": "yes"})
    assert {i.name for i in result.indicators} == {"criminal_exploitation",
                                                   "older_partner_gifts"}
    assert result.level == "refer"
    assert {i.domain for i in result.indicators if i.name == "criminal_exploitation"} == {
        "criminality"}  # the same domain name as the adult screen and the ILO checklist
    assert "criminal" not in {d.name for d in instrument.domains}


# -- the missing items: each one scored, or kept as context -------------------------------------

@pytest.mark.parametrize(("changes", "found", "level"), [
    ({"sleeps_where": "work"}, {"lives_at_work"}, "some_indicators"),
    ({"lives_with": ["employer"]}, {"lives_at_work"}, "some_indicators"),
    # A child living as someone's husband or wife is referred on that alone (child marriage
    # is a forced marriage: a child cannot consent).
    ({"lives_with": ["spouse"]}, {"child_marriage"}, "refer"),
    ({"older_partner": "yes"}, {"older_partner_gifts"}, "some_indicators"),
    ({"moved_around": "yes"}, {"moved_between_places"}, "refer"),
    ({"carries_for_others": "yes"}, {"criminal_exploitation"}, "refer"),
    ({"online_contact": "yes"}, {"online_recruitment"}, "some_indicators"),
], ids=["sleeps-at-work", "lives-with-employer", "married", "older-partner", "moved-around",
        "drug-running", "online-contact"])
def test_each_new_sign_is_an_indicator(instrument: Instrument, changes: dict[str, Any],
                                       found: set[str], level: str) -> None:
    assert screen(instrument, **changes) == (found, level)


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
    found, level = screen(instrument, sleeps_where="work", works="yes", begs_or_sells="yes",
                          money_kept="yes", afraid_to_leave="yes", obs_controlled="yes")
    assert found == {"lives_at_work", "begging_for_others", "earnings_taken", "fear_of_harm",
                     "observed_control"}
    assert level == "refer"


# -- no sexual-content questions for young children ----------------------------------------------

def test_a_ten_year_old_with_no_concern_is_not_sent_to_a_specialist_as_urgent(
        instrument: Instrument) -> None:
    """Not asked about sexual harm; the result notes that, calmly, and is not refer_urgent."""
    result, walked = run(instrument, {**CALM, "age": 10})
    assert not set(SEXUAL) & set(walked.asked)
    assert set(SEXUAL) <= set(walked.ignored)
    assert result.level == "no_indicators"
    assert {f.name: f.urgent for f in result.flags} == {
        "minor": False, "sexual_questions_not_asked": False}
    assert result.indicators == []
    assert not result.unanswered_core  # not asked on purpose: not missing answers
    note = next(f for f in result.flags if f.name == "sexual_questions_not_asked")
    assert "cannot show" in note.message and "If anything" in note.message


def test_a_ten_year_old_begging_is_referred_with_the_begging_as_the_headline(
        instrument: Instrument) -> None:
    result, _ = run(instrument, {**CALM, "age": 10, "begs_or_sells": "yes"})
    assert result.level == "refer"
    assert [i.name for i in result.indicators] == ["begging_for_others"]
    assert not any(f.urgent for f in result.flags)
    assert "sexual_questions_not_asked" in {f.name for f in result.flags}


def test_the_ten_year_olds_packet_leads_with_the_begging_not_an_urgent_box(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the receiving agency reads: no URGENT box; the begging is listed; the age note
    is among the other flags."""
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    ws = Workspace(data_dir)
    ws.create(PASSPHRASE)
    try:
        done = stored_interview(
            ws, "youth_quick_screen", {**CALM, "age": 10, "begs_or_sells": "yes"}, lang="en",
            person=PersonInfo(name="Synthetic Child-Testperson"),
            context=InterviewContextInput())
        assert done["outcome"]["level"] == "refer"
        out = tmp_path / "child.pdf"
        write_case_report(ws, done["case_id"], out, lang="en", password=None,
                          allow_plaintext=True)
    finally:
        ws.close()
    text = " ".join(pdftotext(out).split())
    assert "URGENT" not in text
    assert "Sent to beg or to sell on the street for someone else" in text
    assert "Other flags" in text and "Sexual-harm questions not asked" in text
    assert "Indicators present" in text


def test_an_unknown_age_and_a_child_who_looks_young_skips_them_too(
        instrument: Instrument) -> None:
    for looks_young in ("yes", {"special": "dont_know"}):
        result, walked = run(instrument, {**CALM, "age": {"special": "refused"},
                                          "obs_looks_under_12": looks_young})
        assert "obs_looks_under_12" in walked.asked
        assert not set(SEXUAL) & set(walked.asked)
        assert result.level == "no_indicators"
        assert {f.name: f.urgent for f in result.flags}["sexual_questions_not_asked"] is False


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
    found, level = screen(instrument, age=9, begs_or_sells="yes", online_contact="yes")
    assert found == {"begging_for_others", "online_recruitment"}
    assert level == "refer"


# -- age routing ------------------------------------------------------------------------------

def test_an_adult_is_routed_to_the_adult_screen_and_asked_nothing_more(
        instrument: Instrument) -> None:
    result, walked = run(instrument, {**CALM, "age": 19})
    assert walked.asked == ["intro", "age", "adult_stop"]
    assert [r.instrument for r in result.routes] == ["adult_indicators"]
    assert result.indicators == [] and result.flags == []


# -- every indicator tagged; rule graded without a means condition ------------------------------

def test_every_indicator_has_strength_element_and_source(instrument: Instrument) -> None:
    assert instrument.version.split(".")[0] == "2"
    assert instrument.outcome.rule == "graded"
    graded = instrument.outcome.graded
    assert graded is not None
    assert [(c.strong, c.medium, c.elements) for c in graded.refer_when] == [
        (1, 0, []), (0, 2, [])]  # a child needs no means (Palermo art. 3(c))
    for ind in instrument.indicators:
        assert ind.strength in ("strong", "medium", "weak"), ind.name
        assert ind.element in ("act", "means", "purpose"), ind.name
        assert ind.framework_ref, ind.name
    by_name = {i.name: i for i in instrument.indicators}
    assert by_name["observed_control"].element == "means"  # control a child shows is means
    assert {by_name[n].element for n in ("moved_between_places", "online_recruitment",
                                         "older_partner_gifts", "lives_at_work")} == {"act"}
    assert "risk" in (by_name["debt"].framework_ref or "")  # owing money is not bondage
    assert by_name["debt"].strength == "weak"


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
    texts += [instrument.validation.note] if instrument.validation.note else []
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


def test_the_reviewers_translation_faults_are_gone(instrument: Instrument) -> None:
    items = instrument.item_map()
    every = str(_texts(instrument))
    # vi: "cho em đi làm" can be heard as "lets you work"; ru lost "gets you to".
    assert "cho em đi làm" not in every and "на кого ты работаешь" not in every
    assert "sai em" in (items["begs_or_sells"].text or {})["vi"]
    assert "посылает тебя" in (items["begs_or_sells"].text or {})["ru"]
    assert "посылает тебя" in (items["carries_for_others"].text or {})["ru"]
    # es: "para él o para ella".
    assert "para él o para ella" not in every
    # ar: stiff forms read aloud.
    for stiff in ("هل لديك خوف", "في حال التوقف", "لديك رغبة", "أين مكان نومك",
                  "كانت لديك حاجة"):
        assert stiff not in every, stiff
    assert "يخيفك" in (items["afraid_to_leave"].text or {})["ar"]


def test_the_rule_in_the_validation_note_is_the_rule_used(instrument: Instrument) -> None:
    note = instrument.validation.note or {}
    assert set(note) == set(LANGUAGES)
    assert "any indicator means refer" not in note["en"]
    assert "one strong sign, or two signs of medium strength" in note["en"]
