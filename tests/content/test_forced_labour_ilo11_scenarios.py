"""The forced-labour checklist, second edition (issue #16): every indicator is tagged with its
Palermo element and strength, and the forced-labour topics that were missing (a permit tied to
one employer, being watched, phone checks, drugs given to keep someone working, fines, targets,
forced criminality, papers held by a partner or relative) reach the right indicator, run
through the shipped file and the real engine.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from screening.engine.scoring import ScreeningResult
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.instruments.model import Instrument
from screening.instruments.registry import find_instrument

LOADED = find_instrument("forced_labour_ilo11")
INS: Instrument = LOADED.instrument
LANGS = ("en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl")

# A worker with no sign of forced labour: every answer the reassuring one.
FREE: dict[str, Any] = {
    "age": 30, "vul_depends": "no", "vul_visa_tied": "no", "vul_taken_advantage": "no",
    "obs_vulnerable": "no", "dec_job_differs": "no", "dec_conditions_worse": "no",
    "obs_deception": "no", "mov_confined": "no", "mov_go_out": "yes", "mov_can_leave": "yes",
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
    clock = lambda: dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)  # noqa: E731
    s = InterviewSession(INS, LOADED.content_hash, MemoryAnswerStore(), "iv-fl",
                         respondent_language="en", officer_language="en", clock=clock)
    for key, value in {**FREE, **(changes or {})}.items():
        assert key in INS.item_map(), f"no item {key!r} in {INS.id} {INS.version}"
        if not s.is_relevant(key):
            continue  # e.g. a follow-up that this answer does not open
        if isinstance(value, tuple):
            s.answer(key, special=value[1])
        else:
            s.answer(key, value)
    return s.result()


def found(result: ScreeningResult) -> set[str]:
    return {i.name for i in result.indicators}


def test_every_answerable_item_is_covered_by_the_free_answers() -> None:
    answerable = {i.name for i in INS.walk() if i.is_answerable}
    assert answerable - set(FREE) == {"doc_holder", "debt_grows", "debt_must_work"}
    result = run()
    assert found(result) == set() and not result.flags
    assert result.level == "officer_judgement"


@pytest.mark.parametrize(("changes", "expected"), [
    # a permit tied to one employer is a vulnerability, not abuse of it, on its own
    ({"vul_visa_tied": "yes"}, set()),
    ({"vul_visa_tied": "yes", "obs_vulnerable": "yes"}, {"abuse_of_vulnerability"}),
    ({"mov_watched": "yes"}, {"restriction_of_movement"}),
    ({"iso_phone_checked": "yes"}, {"isolation"}),
    ({"vio_drugs": "yes"}, {"violence"}),
    ({"wag_fined": "yes"}, {"withholding_of_wages"}),
    ({"ot_quota": "yes"}, {"excessive_overtime"}),
    ({"crim_forced": "yes"}, {"forced_criminality"}),
    ({"obs_criminality": "yes"}, {"forced_criminality"}),
    ({"doc_has": "no", "doc_holder": "partner_family"}, {"retention_of_documents"}),
    ({"doc_has": "no", "doc_holder": "other"}, {"retention_of_documents"}),
    ({"doc_has": "no", "doc_holder": "employer"}, {"retention_of_documents"}),
    ({"doc_has": "no", "doc_holder": "lost"}, set()),
    # owing money is a risk; a debt that grows or must be worked off is debt bondage
    ({"debt_owes": "yes", "debt_grows": "no", "debt_must_work": "no"}, set()),
    ({"debt_owes": "yes", "debt_grows": "no", "debt_must_work": "yes"}, {"debt_bondage"}),
    ({"crim_forced": ("special", "refused")}, set()),
    ({"vio_drugs": ("special", "dont_know")}, set()),
], ids=lambda v: "-".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else None)
def test_new_items_reach_the_right_indicator(changes: dict[str, Any],
                                             expected: set[str]) -> None:
    result = run(changes)
    assert found(result) == expected
    assert result.level == "officer_judgement"  # the ILO gives no threshold: judgement


def test_forced_criminality_is_an_indicator_of_exploitation() -> None:
    (ind,) = run({"crim_forced": "yes"}).indicators
    assert (ind.element, ind.strength, ind.domain) == ("purpose", "strong", "criminality")
    assert "2011/36/EU art. 2(3)" in (INS.indicators[-1].framework_ref or "")


def test_every_indicator_has_element_strength_and_framework() -> None:
    tags = {i.name: (i.element, i.strength) for i in INS.indicators}
    assert tags == {
        "abuse_of_vulnerability": ("means", "medium"),
        "deception": ("means", "strong"),
        "restriction_of_movement": ("means", "strong"),
        "isolation": ("means", "medium"),
        "violence": ("means", "strong"),
        "intimidation_and_threats": ("means", "strong"),
        "retention_of_documents": ("means", "strong"),
        "withholding_of_wages": ("means", "medium"),
        "debt_bondage": ("means", "strong"),
        "abusive_conditions": ("purpose", "medium"),
        "excessive_overtime": ("purpose", "medium"),
        "forced_criminality": ("purpose", "strong"),
    }
    for ind in INS.indicators:
        assert ind.framework_ref, ind.name
    ilo = [i.framework_ref for i in INS.indicators if (i.framework_ref or "").startswith("ILO-11:")]
    assert len(ilo) == 11  # the ILO mapping is kept, one indicator per ILO indicator


def test_new_questions_to_the_person_are_held_back_while_a_companion_is_present() -> None:
    for name in ("vul_visa_tied", "mov_watched", "iso_phone_checked", "vio_drugs", "wag_fined",
                 "ot_quota", "crim_forced"):
        assert INS.item_map()[name].sensitive, name
    assert not INS.item_map()["obs_criminality"].sensitive  # an officer's observation


def test_consent_makes_no_promise_the_officer_may_not_keep() -> None:
    consent = INS.consent or {}
    assert "held against you" not in consent["en"]
    assert "Only the staff" not in consent["en"]
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
