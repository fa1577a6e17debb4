"""The forced-labour checklist, second edition (issue #16): every indicator is tagged with its
Palermo element and strength, and the forced-labour topics that were missing (a permit tied to
one employer, being watched, phone checks, drugs given to keep someone working, fines, targets,
forced criminality, papers held by a partner or relative) reach the right indicator, run
through the shipped file and the real engine.

The expert review of 2.0.0 (R16a) found faults an officer would act on wrongly: an ordinary debt
that is hard to repay read as debt bondage, papers held by immigration or a court read as
retained, a worker who cannot afford to leave read as confined, and the same sign was graded
differently here and in the adult screen. Each is a scenario below.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from screening.engine.scoring import ScreeningResult
from screening.instruments import load_instrument
from screening.instruments.model import Instrument
from screening.paths import instruments_dir
from tests.content.scenario import answer_all, new_session

LOADED = load_instrument(instruments_dir() / "forced_labour_ilo11.yaml")
INS: Instrument = LOADED.instrument
LANGS = ("en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl")

# A worker with no sign of forced labour: every answer the reassuring one.
FREE: dict[str, Any] = {
    "age": 30, "vul_depends": "no", "vul_visa_tied": "no", "vul_taken_advantage": "no",
    "obs_vulnerable": "no", "dec_job_differs": "no", "dec_conditions_worse": "no",
    "obs_deception": "no", "mov_confined": "no", "mov_go_out": "yes",
    "mov_stopped_leaving": "no",
    "mov_watched": "no", "obs_movement": "no", "iso_contact": "yes", "iso_location": "yes",
    "iso_phone": "no", "iso_phone_checked": "no", "obs_isolation": "no", "vio_physical": "no",
    "vio_sexual": "no", "vio_drugs": "no", "obs_injuries": "no", "thr_threatened": "no",
    "thr_authorities": "no", "thr_danger_now": "no", "obs_fear": "no", "doc_has": "yes",
    "obs_documents": "no", "wag_paid_agreed": "yes", "wag_held_back": "no",
    "wag_deductions": "no", "wag_fined": "no", "obs_wages": "no", "debt_owes": "no",
    "obs_debt": "no", "con_unsafe": "no", "con_housing": "no", "con_needs": "yes",
    "obs_conditions": "no", "crim_forced": "no", "obs_criminality": "no", "ot_hours": 8,
    "ot_day_off": "yes", "ot_refuse": "yes", "ot_quota": "no", "obs_overtime": "no",
}


def run(changes: dict[str, Any] | None = None) -> ScreeningResult:
    return answer_all(new_session(LOADED), {**FREE, **(changes or {})})


def found(result: ScreeningResult) -> set[str]:
    return {i.name for i in result.indicators}


def test_every_answerable_item_is_covered_by_the_free_answers() -> None:
    answerable = {i.name for i in INS.walk() if i.is_answerable}
    assert answerable - set(FREE) == {"doc_holder", "debt_keeps_growing", "debt_must_work"}
    result = run()
    assert found(result) == set() and not result.flags
    assert result.level == "officer_judgement"


@pytest.mark.parametrize(("changes", "expected"), [
    # a permit tied to one employer is a vulnerability (a risk factor), not abuse of it
    ({"vul_visa_tied": "yes"}, {"vulnerability"}),
    ({"vul_visa_tied": "yes", "obs_vulnerable": "yes"}, {"vulnerability"}),
    ({"vul_visa_tied": "yes", "vul_taken_advantage": "yes"},
     {"vulnerability", "abuse_of_vulnerability"}),
    ({"mov_watched": "yes"}, {"surveillance"}),
    ({"iso_phone_checked": "yes"}, {"isolation"}),
    ({"vio_drugs": "yes"}, {"violence"}),
    ({"wag_fined": "yes"}, {"withholding_of_wages"}),
    ({"wag_held_back": "yes"}, {"withholding_of_wages"}),
    ({"wag_paid_agreed": "no"}, {"underpaid"}),
    ({"obs_fear": "yes"}, {"observed_fear"}),
    ({"thr_authorities": "yes"}, {"intimidation_and_threats"}),
    ({"ot_quota": "yes"}, {"excessive_overtime"}),
    ({"crim_forced": "yes"}, {"forced_criminality"}),
    ({"obs_criminality": "yes"}, {"forced_criminality"}),
    ({"doc_has": "no", "doc_holder": "partner_family"}, {"retention_of_documents"}),
    ({"doc_has": "no", "doc_holder": "other"}, {"retention_of_documents"}),
    ({"doc_has": "no", "doc_holder": "employer"}, {"retention_of_documents"}),
    ({"doc_has": "no", "doc_holder": "lost"}, set()),
    # owing money is a risk; a debt that grows or must be worked off is debt bondage
    ({"debt_owes": "yes", "debt_keeps_growing": "no", "debt_must_work": "no"}, set()),
    ({"debt_owes": "yes", "debt_keeps_growing": "no", "debt_must_work": "yes"},
     {"debt_bondage"}),
    ({"debt_owes": "yes", "debt_keeps_growing": "yes", "debt_must_work": "no"},
     {"debt_bondage"}),
    ({"crim_forced": ("special", "refused")}, set()),
    ({"vio_drugs": ("special", "dont_know")}, set()),
], ids=lambda v: "-".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else None)
def test_new_items_reach_the_right_indicator(changes: dict[str, Any],
                                             expected: set[str]) -> None:
    result = run(changes)
    assert found(result) == expected
    assert result.level == "officer_judgement"  # the ILO gives no threshold: judgement


def grades(result: ScreeningResult) -> dict[str, tuple[str | None, str | None]]:
    return {i.name: (i.element, i.strength) for i in result.indicators}


def test_a_debt_that_is_hard_to_repay_is_not_debt_bondage() -> None:
    """R16a 5: an employer advance that is hard to pay back is an ordinary debt. Debt bondage is
    a debt that keeps growing although the person works, or work demanded until it is paid."""
    item = INS.item_map()["debt_keeps_growing"]
    wording = INS.text(item.text, "en")
    assert "even though you work" in wording and "hard" not in wording
    assert "debt_grows" not in INS.item_map()  # the old, wider question is gone
    advance = {"debt_owes": "yes", "debt_keeps_growing": "no", "debt_must_work": "no"}
    assert found(run(advance)) == set()


def test_papers_held_by_an_authority_or_a_lawyer_are_not_retained() -> None:
    """R16a 7: papers held by immigration, the police, a court or the person's lawyer are not
    the ILO indicator; held by anyone else (even "for safekeeping") they are."""
    assert found(run({"doc_has": "no", "doc_holder": "authority"})) == set()
    assert grades(run({"doc_has": "no", "doc_holder": "employer"})) == {
        "retention_of_documents": ("means", "strong")}
    choice = next(c for c in INS.choice_lists["document_holder"] if c.name == "authority")
    assert {"police", "immigration", "lawyer", "court"} <= set(
        INS.text(choice.label, "en").lower().replace(",", "").split())
    guidance = INS.text(INS.item_map()["doc_holder"].guidance, "en")
    assert "do not count" in guidance


def test_leaving_asks_whether_anyone_would_stop_the_person() -> None:
    """R16a 9: "could you leave?" gets "no" from someone who cannot afford to leave or would
    lose a tied permit; that is not confinement. The question asks about people stopping them."""
    assert "mov_can_leave" not in INS.item_map()
    item = INS.item_map()["mov_stopped_leaving"]
    assert "would anyone try to stop you" in INS.text(item.text, "en")
    # a student on a tied visa, 13 hours a day, free to leave: noted, not confinement
    student = run({"vul_visa_tied": "yes", "ot_hours": 13, "mov_stopped_leaving": "no"})
    assert grades(student) == {"vulnerability": ("means", "weak"),
                               "excessive_overtime": ("purpose", "medium")}
    assert grades(run({"mov_stopped_leaving": "yes"})) == {
        "restriction_of_movement": ("means", "strong")}


def test_seasonal_worker_in_employer_housing_shows_only_a_risk_factor() -> None:
    """R16a 13 and the agreed grades: depending on the employer for housing is a weak risk
    factor; it never reads as abuse of vulnerability on its own."""
    result = run({"vul_depends": "yes", "ot_hours": 11, "mov_stopped_leaving": "no"})
    assert grades(result) == {"vulnerability": ("means", "weak")}
    assert result.level == "officer_judgement"


def test_the_same_sign_is_graded_as_in_the_adult_screen() -> None:
    """R16a 13: deception, being watched, observed fear and pay below what was agreed had a
    different grade or element here than in adult_indicators. An indicator of the same name
    now has the same element and strength in both files, and the same question the same grade."""
    adult = load_instrument(instruments_dir() / "adult_indicators.yaml").instrument
    theirs = {i.name: (i.element, i.strength) for i in adult.indicators}
    ours = {i.name: (i.element, i.strength) for i in INS.indicators}
    shared = set(theirs) & set(ours)
    assert {"surveillance", "observed_fear", "underpaid", "vulnerability", "isolation",
            "violence", "debt_bondage", "abusive_conditions", "forced_criminality"} <= shared
    assert {n: ours[n] for n in shared} == {n: theirs[n] for n in shared}
    # deceived about the job itself (kind of work, place, employer): the adult screen's
    # `deceived_about_work` asks the same thing; pay or conditions worse than promised is less
    assert ours["deception"] == theirs["deceived_about_work"] == ("means", "strong")
    assert grades(run({"dec_job_differs": "yes"})) == {"deception": ("means", "strong")}
    assert grades(run({"dec_conditions_worse": "yes"})) == {
        "deceived_about_conditions": ("means", "medium")}


def test_forced_criminality_is_an_indicator_of_exploitation() -> None:
    (ind,) = run({"crim_forced": "yes"}).indicators
    assert (ind.element, ind.strength, ind.domain) == ("purpose", "strong", "criminality")
    assert "2011/36/EU art. 2(3)" in (INS.indicators[-1].framework_ref or "")


def test_every_indicator_has_element_strength_and_framework() -> None:
    tags = {i.name: (i.element, i.strength) for i in INS.indicators}
    assert tags == {
        "abuse_of_vulnerability": ("means", "medium"),
        "vulnerability": ("means", "weak"),
        "deception": ("means", "strong"),
        "deceived_about_conditions": ("means", "medium"),
        "restriction_of_movement": ("means", "strong"),
        "surveillance": ("means", "strong"),
        "isolation": ("means", "medium"),
        "violence": ("means", "strong"),
        "intimidation_and_threats": ("means", "strong"),
        "observed_fear": ("means", "medium"),
        "retention_of_documents": ("means", "strong"),
        "withholding_of_wages": ("means", "medium"),
        "underpaid": ("purpose", "medium"),
        "debt_bondage": ("means", "strong"),
        "abusive_conditions": ("purpose", "medium"),
        "excessive_overtime": ("purpose", "medium"),
        "forced_criminality": ("purpose", "strong"),
    }
    for ind in INS.indicators:
        assert ind.framework_ref, ind.name
    # the ILO mapping is kept: every one of the eleven ILO indicators is cited
    cited = {m.group(1) for i in INS.indicators
             if (m := re.match(r"ILO-11:(\d+) ", i.framework_ref or ""))}
    assert cited == {str(n) for n in range(1, 12)}


def test_new_questions_to_the_person_are_held_back_while_a_companion_is_present() -> None:
    for name in ("vul_visa_tied", "mov_watched", "iso_phone_checked", "vio_drugs", "wag_fined",
                 "ot_quota", "crim_forced"):
        assert INS.item_map()[name].sensitive, name
    assert not INS.item_map()["obs_criminality"].sensitive  # an officer's observation


def test_consent_makes_no_promise_the_officer_may_not_keep() -> None:
    consent = INS.consent or {}
    assert "held against you" not in consent["en"]
    assert "only" not in consent["en"].lower()  # no promise of who alone sees or receives it
    assert "if the law requires it" in consent["en"]  # the limit is said instead
    for lang, phrase in {"es": "en su contra", "fr": "reproché", "pt": "contra você",
                         "ru": "против вас", "zh_Hans": "不利", "vi": "chống lại",
                         "tl": "laban sa inyo", "ar": "ضدك"}.items():
        assert phrase not in consent[lang], lang


def test_french_has_non_breaking_spaces_before_double_punctuation() -> None:
    def texts(value: Any) -> list[str]:
        if isinstance(value, dict):
            own = [value["fr"]] if isinstance(value.get("fr"), str) else []
            return own + [t for v in value.values() for t in texts(v)]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        return []
    french = texts(INS.model_dump())
    assert [t for t in french if re.search(r" [?!;:]", t)] == []
    assert any("\u202f?" in t for t in french)


def test_arabic_reads_naturally_to_one_person() -> None:
    """R16a translations: stiff "if you have a desire for it" and "is it being done to you"
    forms read aloud badly; plainer forms read the same for a man or a woman."""
    consent = (INS.consent or {})["ar"]
    assert "إذا أردت" in consent and "رغبة" not in consent
    items = INS.item_map()
    assert "يتم" not in INS.text(items["mov_confined"].text, "ar")
    assert "قام" not in INS.text(items["vio_physical"].text, "ar")
    assert "في حال عدم الطاعة" not in INS.text(items["thr_authorities"].text, "ar")
