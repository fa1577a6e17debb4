"""Scenarios through the shipped adult screen (issue #16): which indicators a user sees, and the
outcome the graded rule gives. Each test is one point of the issue, run through the real engine
on the real instrument file; the people are synthetic."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.instruments import load_instrument
from screening.instruments.model import Instrument

FILE = Path(__file__).parents[2] / "resources" / "instruments" / "adult_indicators.yaml"
LANGUAGES = ("en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl")

# Every question answered, nothing of concern: the baseline a scenario changes.
CALM: dict[str, Any] = {
    "age": 34, "recruit_channel": "employer_direct", "job_differs": "no", "paid_fee": "no",
    "travel_controlled": "no", "online_contact": "no", "moved_around": "no",
    "work_type": "factory", "hours_per_day": 8, "day_off": "yes", "can_refuse": "yes",
    "fines_quotas": "no", "unsafe_conditions": "no", "housing_controlled": "no",
    "housing_poor": "no", "food_enough": "yes", "paid_as_agreed": "yes", "pay_kept": "no",
    "deductions_leave_little": "no", "owes_debt": "no", "has_documents": "yes",
    "status_worry": "no", "visa_tied": "no", "needs_language_help": "no",
    "lose_home_if_leave": "no", "stopped_leaving": "no", "stopped_going_out": "no",
    "contact_family": "yes", "phone_taken": "no", "locked_in": "no", "watched": "no",
    "phone_monitored": "no",
    "threatened": "no", "family_threatened": "no", "threat_authorities": "no", "harmed": "no",
    "drugs_given": "no", "forced_crime": "no", "made_to_marry": "no", "made_sex_work": "no",
    "sex_exchange_arranged": "no", "advertised_online": "no", "safe_tonight": "yes",
    "danger_now": "no", "obs_not_speaking": "no", "obs_injuries": "no", "obs_fearful": "no",
    "obs_controlled": "no",
}


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(FILE).instrument


def interview(instrument: Instrument, answers: dict[str, Any]) -> InterviewSession:
    clock = lambda: dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)  # noqa: E731
    s = InterviewSession(instrument, instrument.content_hash or "", MemoryAnswerStore(), "iv1",
                         respondent_language="en", officer_language="en", clock=clock)
    for name, value in answers.items():
        s.answer(name, value)
    return s


def screen(instrument: Instrument, **changes: Any) -> tuple[set[str], str]:
    """The indicators found and the outcome level, for a calm interview with ``changes``
    (follow-up questions come after the answer that opens them)."""
    result = interview(instrument, {**CALM, **changes}).result()
    return {i.name for i in result.indicators}, result.level


def test_a_calm_interview_finds_nothing(instrument: Instrument) -> None:
    assert screen(instrument) == (set(), "no_indicators")


# -- the issue's bullets, one scenario each ---------------------------------------------------

def test_cannot_refuse_is_involuntariness_and_the_penalty_is_asked(instrument: Instrument) -> None:
    by_name = {i.name: i for i in instrument.indicators}
    assert "C29 art. 2(1)" in (by_name["cannot_refuse"].framework_ref or "")
    assert "vulnerability" not in (by_name["cannot_refuse"].framework_ref or "")
    assert screen(instrument, can_refuse="no", refuse_penalty="no") == (
        {"cannot_refuse"}, "some_indicators")
    assert by_name["cannot_refuse"].strength == "weak"  # a risk factor, never coercion alone
    assert screen(instrument, can_refuse="no", refuse_penalty="yes") == (
        {"cannot_refuse", "menace_of_penalty"}, "refer")


def test_employer_housing_with_decent_conditions_is_not_abusive(instrument: Instrument) -> None:
    assert screen(instrument, housing_controlled="yes") == (set(), "no_indicators")


def test_poor_housing_conditions_are_abusive(instrument: Instrument) -> None:
    assert screen(instrument, housing_controlled="yes", housing_poor="yes") == (
        {"abusive_conditions"}, "some_indicators")
    assert screen(instrument, food_enough="no") == ({"abusive_conditions"}, "some_indicators")


def test_a_recruitment_fee_still_owed_is_a_risk_factor_only(instrument: Instrument) -> None:
    found, level = screen(instrument, paid_fee="yes", fee_is_debt="yes", work_to_repay="no")
    assert (found, level) == ({"recruitment_debt"}, "some_indicators")
    by_name = {i.name: i for i in instrument.indicators}
    assert "ILO-11:9" not in (by_name["recruitment_debt"].framework_ref or "")
    assert (by_name["recruitment_debt"].strength, by_name["debt_bondage"].strength) == (
        "weak", "strong")


def test_a_debt_used_to_force_work_is_debt_bondage(instrument: Instrument) -> None:
    assert screen(instrument, owes_debt="yes", debt_grows="no", work_to_repay="yes") == (
        {"recruitment_debt", "debt_bondage"}, "refer")
    assert screen(instrument, owes_debt="yes", debt_grows="yes", work_to_repay="no") == (
        {"recruitment_debt", "debt_bondage"}, "refer")


def test_owing_the_employer_is_scored(instrument: Instrument) -> None:
    assert screen(instrument, owes_debt="yes", debt_grows="no", work_to_repay="no") == (
        {"recruitment_debt"}, "some_indicators")


@pytest.mark.parametrize("holder", ["partner_family", "other", "employer", "recruiter"])
def test_papers_held_by_anyone_else_are_retained(instrument: Instrument, holder: str) -> None:
    assert screen(instrument, has_documents="no", documents_holder=holder) == (
        {"documents_retained"}, "refer")


@pytest.mark.parametrize("holder", ["lost", "authority"])
def test_lost_papers_or_papers_with_an_office_are_not_retained(
        instrument: Instrument, holder: str) -> None:
    assert screen(instrument, has_documents="no", documents_holder=holder) == (
        set(), "no_indicators")


def test_an_afraid_person_is_scored(instrument: Instrument) -> None:
    assert screen(instrument, obs_fearful="yes") == ({"observed_fear"}, "some_indicators")


def test_travel_controlled_by_others_is_the_act(instrument: Instrument) -> None:
    assert screen(instrument, travel_controlled="yes") == (
        {"recruited_or_moved"}, "some_indicators")
    found = interview(instrument, {**CALM, "travel_controlled": "yes"}).result().indicators
    assert [(i.element, i.strength) for i in found] == [("act", "medium")]


def test_money_from_sex_kept_by_others_is_scored(instrument: Instrument) -> None:
    # Palermo: exploitation of the prostitution of others. Strong: refers on its own.
    assert screen(instrument, work_type="sex_industry", sex_money_holder="others") == (
        {"sex_earnings_taken"}, "refer")
    assert screen(instrument, made_sex_work="yes", sex_money_holder="others") == (
        {"sexual_exploitation", "sex_earnings_taken"}, "refer")


def test_sex_for_housing_food_drugs_or_a_debt_arranged_by_others(instrument: Instrument) -> None:
    assert screen(instrument, sex_exchange_arranged="yes") == ({"sexual_exploitation"}, "refer")


def test_advertised_online_by_someone_else(instrument: Instrument) -> None:
    assert screen(instrument, advertised_online="yes", sex_money_holder="self") == (
        {"advertised_by_others"}, "some_indicators")


def test_thirteen_hours_alone_is_noted_never_a_referral(instrument: Instrument) -> None:
    assert screen(instrument, hours_per_day=13) == ({"excessive_hours"}, "some_indicators")


def test_thirteen_hours_with_everything_else_unanswered_is_incomplete(
        instrument: Instrument) -> None:
    result = interview(instrument, {"age": 30, "hours_per_day": 13}).result()
    assert {i.name for i in result.indicators} == {"excessive_hours"}
    assert result.level == "incomplete"
    assert "threatened" in result.unanswered_core


def test_threats_alone_refer(instrument: Instrument) -> None:
    assert screen(instrument, threat_authorities="yes") == ({"threats"}, "refer")


def test_coercion_with_exploitation_refers(instrument: Instrument) -> None:
    result = interview(instrument, {**CALM, "hours_per_day": 14, "contact_family": "no"}).result()
    assert {i.name for i in result.indicators} == {"excessive_hours", "isolation"}
    assert result.level == "refer"
    assert result.details["elements_present"] == ["means", "purpose"]


def test_two_exploitation_signs_without_coercion_are_noted(instrument: Instrument) -> None:
    assert screen(instrument, hours_per_day=14, paid_as_agreed="no") == (
        {"excessive_hours", "underpaid"}, "some_indicators")


def test_three_medium_signs_refer(instrument: Instrument) -> None:
    result = interview(instrument, {**CALM, "travel_controlled": "yes", "hours_per_day": 14,
                                    "paid_as_agreed": "no"}).result()
    assert {i.name for i in result.indicators} == {
        "recruited_or_moved", "excessive_hours", "underpaid"}
    assert result.level == "refer" and result.details["condition_met"] == 2


def test_vulnerability_is_a_weak_risk_factor(instrument: Instrument) -> None:
    for item in ("status_worry", "visa_tied", "needs_language_help", "lose_home_if_leave"):
        assert screen(instrument, **{item: "yes"}) == ({"vulnerability"}, "some_indicators")
    by_name = {i.name: i for i in instrument.indicators}
    assert by_name["vulnerability"].strength == "weak"


# -- the forms of exploitation that were missing ----------------------------------------------

def test_forced_criminality_refers(instrument: Instrument) -> None:
    assert screen(instrument, forced_crime="yes") == ({"forced_criminality"}, "refer")


def test_forced_marriage_refers(instrument: Instrument) -> None:
    assert screen(instrument, made_to_marry="yes") == ({"forced_marriage"}, "refer")


def test_live_in_domestic_work_on_call_without_a_room(instrument: Instrument) -> None:
    assert screen(instrument, work_type="domestic", on_call="yes", sleep_place="no") == (
        {"excessive_hours", "abusive_conditions"}, "some_indicators")
    assert screen(instrument, work_type="domestic", on_call="yes", sleep_place="yes",
                  locked_in="yes") == ({"excessive_hours", "restricted_movement"}, "refer")


def test_domestic_questions_are_not_asked_of_a_factory_worker(instrument: Instrument) -> None:
    keys = [step.key for step in interview(instrument, CALM).steps()]
    assert "on_call" not in keys and "sleep_place" not in keys


def test_surveillance_and_phone_monitoring(instrument: Instrument) -> None:
    # Followed or accompanied when going out: strong, as ILO-EC grades surveillance and as
    # forced_labour_ilo11 grades mov_watched. A phone checked is isolation (medium), as there.
    assert screen(instrument, watched="yes") == ({"surveillance"}, "refer")
    assert screen(instrument, phone_monitored="yes") == ({"isolation"}, "some_indicators")


def test_fines_and_quotas(instrument: Instrument) -> None:
    assert screen(instrument, fines_quotas="yes") == ({"fines_and_quotas"}, "some_indicators")


def test_coerced_drug_use_refers(instrument: Instrument) -> None:
    assert screen(instrument, drugs_given="yes") == ({"coerced_drug_use"}, "refer")


def test_online_recruitment_and_being_moved_around(instrument: Instrument) -> None:
    assert screen(instrument, online_contact="yes") == ({"recruited_or_moved"}, "some_indicators")
    assert screen(instrument, moved_around="yes") == ({"recruited_or_moved"}, "some_indicators")


# -- every indicator is graded and mapped ------------------------------------------------------

def test_every_indicator_has_strength_element_and_framework(instrument: Instrument) -> None:
    assert instrument.outcome.rule == "graded"
    for ind in instrument.indicators:
        assert ind.strength in ("strong", "medium", "weak"), ind.name
        assert ind.element in ("act", "means", "purpose"), ind.name
        assert ind.framework_ref, ind.name
    elements = {ind.element for ind in instrument.indicators}
    assert elements == {"act", "means", "purpose"}


def test_the_refer_rule_is_the_agreed_one(instrument: Instrument) -> None:
    graded = instrument.outcome.graded
    assert graded is not None
    assert [(c.strong, c.medium, c.elements) for c in graded.refer_when] == [
        (1, 0, []), (0, 0, ["means", "purpose"]), (0, 3, [])]


def test_some_indicators_has_a_label_in_every_language(instrument: Instrument) -> None:
    label = instrument.outcome.labels["some_indicators"]
    assert set(label) == set(LANGUAGES)
    assert "does not decide" in label["en"]
    # Nobody reviewed the new wording: every translation stays "machine".
    assert {code: info.status for code, info in instrument.languages.items()} == {
        "en": "source", **{code: "machine" for code in LANGUAGES[1:]}}


def test_consent_makes_no_promise_the_officer_may_not_keep(instrument: Instrument) -> None:
    consent = instrument.consent or {}
    assert set(consent) == set(LANGUAGES)
    assert "held against you" not in consent["en"]
    assert "limits" in consent["en"] and "skip" in consent["en"]
    for item in instrument.walk():
        assert "not in trouble" not in (item.guidance or {}).get("en", ""), item.name


def test_french_punctuation_has_a_non_breaking_space(instrument: Instrument) -> None:
    texts = [item.text["fr"] for item in instrument.walk() if item.text]
    texts += [str((instrument.consent or {})["fr"])]
    texts += [label["fr"] for label in instrument.outcome.labels.values()]
    bad = [t for t in texts if re.search(r" [?!;:]", t)]
    assert bad == []


def test_translation_faults_named_in_the_issue_are_fixed(instrument: Instrument) -> None:
    items = instrument.item_map()
    made = items["made_sex_work"].text or {}
    assert "por dinero que se quedan" not in made["es"]
    assert "принуждал" not in made["ru"] and "давил" in made["ru"]
    assert "nagpumilit" not in made["tl"]
    assert "touch" in (items["harmed"].text or {})["en"]
    assert "touché" in (items["harmed"].text or {})["fr"]
    assert "«для вас»" not in (items["pay_kept"].text or {})["ru"]


def test_new_questions_about_the_situation_are_held_back_from_a_companion(
        instrument: Instrument) -> None:
    sensitive = {s.name for s in instrument.sections if s.sensitive}
    for name in ("forced_crime", "made_to_marry", "sex_exchange_arranged", "advertised_online",
                 "watched", "status_worry", "drugs_given", "online_contact", "housing_poor"):
        section = next(s for s in instrument.sections
                       if any(i.name == name for i in s.items))
        assert section.name in sensitive, name


# -- the expert review of realistic cases (issue #16, second round) -----------------------------

FARM_WORKER: dict[str, Any] = {
    "recruit_channel": "agent", "work_type": "agriculture", "hours_per_day": 11,
    "housing_controlled": "yes", "housing_poor": "no", "travel_controlled": "no",
}


def test_seasonal_farm_worker_with_agency_paid_travel_finds_nothing(
        instrument: Instrument) -> None:
    assert screen(instrument, **FARM_WORKER) == (set(), "no_indicators")
    travel = instrument.item_map()["travel_controlled"]
    assert "organise" not in (travel.text or {})["en"] and "control" in (travel.text or {})["en"]
    assert "agency" in (travel.guidance or {})["en"]


def test_farm_worker_who_would_lose_the_bed_in_a_bunk_room_is_noted_not_referred(
        instrument: Instrument) -> None:
    assert screen(instrument, **{**FARM_WORKER, "lose_home_if_leave": "yes",
                                 "housing_poor": "yes"}) == (
        {"vulnerability", "abusive_conditions"}, "some_indicators")


def test_farm_worker_who_cannot_say_no_without_a_penalty_is_noted_not_referred(
        instrument: Instrument) -> None:
    assert screen(instrument, **FARM_WORKER, can_refuse="no", refuse_penalty="no",
                  day_off="no") == ({"cannot_refuse", "excessive_hours"}, "some_indicators")
    # Every variant together is still two medium signs of one element, with risk factors.
    result = interview(instrument, {**CALM, **FARM_WORKER, "lose_home_if_leave": "yes",
                                    "housing_poor": "yes", "can_refuse": "no",
                                    "refuse_penalty": "no", "day_off": "no"}).result()
    assert result.level == "some_indicators"
    assert result.details["elements_present"] == ["purpose"]


def test_losing_a_bed_with_the_job_is_not_offered_as_a_penalty(instrument: Instrument) -> None:
    penalty = instrument.item_map()["refuse_penalty"]
    assert "place to stay" not in (penalty.text or {})["en"]
    assert "bed" in (penalty.guidance or {})["en"]


def test_student_on_a_tied_visa_working_13_hours_and_free_to_leave_is_noted(
        instrument: Instrument) -> None:
    assert screen(instrument, visa_tied="yes", hours_per_day=13, stopped_leaving="no") == (
        {"vulnerability", "excessive_hours"}, "some_indicators")


def test_woman_advertised_by_a_boyfriend_who_keeps_the_money_is_referred(
        instrument: Instrument) -> None:
    result = interview(instrument, {**CALM, "work_type": "other", "advertised_online": "yes",
                                    "sex_money_holder": "others"}).result()
    assert {i.name for i in result.indicators} == {"advertised_by_others", "sex_earnings_taken"}
    assert result.level == "refer" and result.details["condition_met"] == 0
    assert "labour-rights" not in instrument.outcome.labels["refer"]["en"]


def test_the_some_indicators_label_is_general_not_only_labour_rights(
        instrument: Instrument) -> None:
    label = instrument.outcome.labels["some_indicators"]["en"]
    assert "health" in label and "social" in label and "legal" in label


def test_a_bar_worker_not_paid_for_sex_is_not_taken_for_a_victim(instrument: Instrument) -> None:
    item = instrument.item_map()["sex_money_holder"]
    assert "not_paid" in {c.name for c in instrument.choices_for(item)}
    assert screen(instrument, work_type="sex_industry", sex_money_holder="not_paid") == (
        set(), "no_indicators")


def test_who_keeps_the_money_is_not_asked_of_a_factory_worker(instrument: Instrument) -> None:
    keys = [step.key for step in interview(instrument, CALM).steps()]
    assert "sex_money_holder" not in keys


def test_domestic_worker_whose_passport_is_kept_for_safekeeping(instrument: Instrument) -> None:
    """"My employer's wife keeps it for safekeeping; I can get it if I ask": the person does
    not keep the papers, so who holds them is asked, and an employer holding them counts."""
    items = instrument.item_map()
    has = items["has_documents"]
    assert "can you get them" not in (has.text or {})["en"]
    assert "safekeeping" in (has.guidance or {})["en"]
    assert screen(instrument, work_type="domestic", on_call="no", sleep_place="yes",
                  has_documents="no", documents_holder="employer") == (
        {"documents_retained"}, "refer")
    assert "official office" in (items["documents_holder"].guidance or {})["en"]


def test_an_employer_advance_that_is_hard_to_repay_is_not_debt_bondage(
        instrument: Instrument) -> None:
    grows = (instrument.item_map()["debt_grows"].text or {})["en"]
    assert "hard to ever pay" not in grows and "even though you work" in grows
    assert screen(instrument, owes_debt="yes", debt_grows="no", work_to_repay="no") == (
        {"recruitment_debt"}, "some_indicators")


def test_harm_and_threats_are_tied_to_work_or_to_whoever_controls_the_person(
        instrument: Instrument) -> None:
    items = instrument.item_map()
    for name in ("harmed", "watched"):
        text = (items[name].text or {})["en"]
        assert "work for, live with, or who brought you here" in text, name
    assert "to make you work" in (items["family_threatened"].text or {})["en"]
    assert "offer support" in (items["harmed"].guidance or {})["en"]


def test_would_anyone_stop_you_replaces_could_you(instrument: Instrument) -> None:
    items = instrument.item_map()
    assert "free_to_leave" not in items and "free_outside" not in items
    assert "stop you" in (items["stopped_leaving"].text or {})["en"]
    assert "stop you" in (items["stopped_going_out"].text or {})["en"]
    # "I could not leave: I have no money" is a "no" to "would anyone stop you": nothing.
    assert screen(instrument, stopped_leaving="no") == (set(), "no_indicators")
    assert screen(instrument, stopped_leaving="yes") == ({"restricted_movement"}, "refer")
    assert screen(instrument, stopped_going_out="yes") == ({"restricted_movement"}, "refer")


def test_pay_kept_asks_about_control_not_safekeeping(instrument: Instrument) -> None:
    text = instrument.item_map()["pay_kept"].text or {}
    assert "so that you cannot use it" in text["en"]
    assert "替您保管" not in text["zh_Hans"] and "giữ hộ" not in text["vi"]


def test_a_landlord_demanding_sex_for_himself_is_caught(instrument: Instrument) -> None:
    text = (instrument.item_map()["sex_exchange_arranged"].text or {})["en"]
    assert "with them or with other people" in text


def test_consent_does_not_say_who_only_sees_the_answers(instrument: Instrument) -> None:
    consent = instrument.consent or {}
    for lang, phrase in {"en": "Only the staff", "es": "Solo el personal", "fr": "Seules les",
                         "ar": "لا يطّلع عليها إلا", "pt": "Só a equipe", "ru": "только",
                         "zh_Hans": "只有", "vi": "Chỉ những", "tl": "lamang"}.items():
        assert phrase not in consent[lang], lang


# Grades agreed across instruments (the adult screen and the ILO checklist agree where they ask
# the same thing): risk factors weak; someone else keeping money from sex strong purpose;
# documents held by anyone but an authority strong means; forced criminality's domain.
AGREED = {
    "vulnerability": ("means", "weak"), "recruitment_debt": ("means", "weak"),
    "cannot_refuse": ("means", "weak"), "sex_earnings_taken": ("purpose", "strong"),
    "documents_retained": ("means", "strong"), "deceived_about_work": ("means", "strong"),
    "surveillance": ("means", "strong"), "isolation": ("means", "medium"),
    "recruited_or_moved": ("act", "medium"),
}


def test_grades_agreed_across_instruments(instrument: Instrument) -> None:
    by_name = {i.name: i for i in instrument.indicators}
    assert {n: (by_name[n].element, by_name[n].strength) for n in AGREED} == AGREED
    assert by_name["forced_criminality"].domain == "criminality"


def test_deception_about_the_job_itself_refers(instrument: Instrument) -> None:
    text = (instrument.item_map()["job_differs"].text or {})["en"]
    assert "kind of work" in text and "place" in text and "employer" in text
    assert screen(instrument, job_differs="yes") == ({"deceived_about_work"}, "refer")


def test_translation_faults_of_the_review_are_fixed(instrument: Instrument) -> None:
    items = instrument.item_map()

    def text(name: str, lang: str) -> str:
        return (items[name].text or {})[lang]

    arabic = [str((instrument.consent or {})["ar"])] + [
        t for item in instrument.walk() for t in ((item.text or {}).get("ar", ""),)]
    assert not [t for t in arabic if "رغبة" in t]  # "have a desire": stiff read aloud
    assert "إذا أردت" in str((instrument.consent or {})["ar"])
    assert "مكان نومك" not in text("housing_poor", "ar")
    for name in ("made_sex_work", "forced_crime"):
        assert "施压" in text(name, "zh_Hans") and "逼迫" not in text(name, "zh_Hans"), name
    assert "relations sexuelles ou de faire des actes sexuels" in text("made_sex_work", "fr")
    assert "Agradeço por conversar" not in text("intro", "pt")
    assert text("closing", "pt").startswith("Agradeço a conversa.")
    assert text("advertised_online", "vi").count("để") <= 1
