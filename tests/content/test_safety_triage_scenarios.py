"""The safety triage, second edition (issue #16): each new check raises its flag on its answer
and on nothing else, run through the shipped file and the real engine.

An officer relies on these flags to act before asking anything more: a missed flag (thoughts of
self-harm, a recent sexual assault, an interpreter tied to the employer, no safe way to reach
the person later) is help that does not happen in time.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from screening.engine.scoring import ScreeningResult
from screening.engine.session import InterviewSession
from screening.instruments import load_instrument
from screening.instruments.model import Instrument
from screening.paths import instruments_dir
from tests.content.scenario import answer_all, new_session

LOADED = load_instrument(instruments_dir() / "safety_triage.yaml")
INS: Instrument = LOADED.instrument
LANGS = ("en", "es", "fr", "ar", "pt", "ru", "zh_Hans", "vi", "tl")

# A person with no urgent need: every answer the calm one.
CALM: dict[str, Any] = {
    "obs_interpreter": "no", "danger_now": "no", "afraid_of_someone": "no",
    "hurt_or_ill": "no", "basic_needs": "no", "safe_place_tonight": "yes", "dependants": "no",
    "self_harm": "no", "sexual_assault_recent": "no", "hotline_contact": "later",
    "safe_contact": "own_phone", "safe_contact_notes": "Text only, not after 6 pm.",
    "obs_minor": "no", "obs_medical": "no",
}


def session(lang: str = "en") -> InterviewSession:
    return new_session(LOADED, lang)


def run(changes: dict[str, Any] | None = None, lang: str = "en") -> ScreeningResult:
    """The calm answers with ``changes``; a value ``("special", x)`` answers refused/dont_know."""
    return answer_all(session(lang), {**CALM, **(changes or {})})


def flags(result: ScreeningResult) -> set[str]:
    return {f.name for f in result.flags}


def test_calm_answers_raise_no_flag() -> None:
    result = run()
    assert flags(result) == set()
    assert result.level == "officer_judgement"


@pytest.mark.parametrize(("changes", "expected", "kind"), [
    ({"self_harm": "yes"}, "self_harm", "immediate_danger"),
    ({"sexual_assault_recent": "yes"}, "sexual_health_urgent", "medical"),
    ({"obs_interpreter": "yes"}, "interpreter_link", "other"),
    ({"safe_contact": "not_safe"}, "no_safe_contact", "other"),
], ids=["self-harm", "assault-72h", "interpreter-link", "no-safe-contact"])
def test_each_new_check_raises_its_urgent_flag_alone(changes: dict[str, Any], expected: str,
                                                     kind: str) -> None:
    result = run(changes)
    assert flags(result) == {expected}
    (flag,) = result.flags
    assert flag.kind == kind and flag.urgent
    assert result.level == "refer_urgent"


@pytest.mark.parametrize("changes", [
    {"self_harm": ("special", "dont_know")},
    {"self_harm": ("special", "refused")},
    {"sexual_assault_recent": ("special", "refused")},
    {"obs_interpreter": "not_used"},
    {"obs_interpreter": ("special", "dont_know")},
    {"safe_contact": "via_service"},
    {"safe_contact": "other_way"},
    {"safe_contact": "no_contact_wanted"},  # respected, not a problem to flag
    {"safe_contact": ("special", "refused")},
], ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_other_answers_raise_no_flag(changes: dict[str, Any]) -> None:
    result = run(changes)
    assert flags(result) == set()
    assert result.level == "officer_judgement"


def test_flag_messages_say_what_to_do_now() -> None:
    by_name = {f.name: f for f in run({"self_harm": "yes", "sexual_assault_recent": "yes",
                                       "obs_interpreter": "yes",
                                       "safe_contact": "not_safe"}).flags}
    assert set(by_name) == {"self_harm", "sexual_health_urgent", "interpreter_link",
                            "no_safe_contact"}
    assert "Change interpreter before continuing" in by_name["interpreter_link"].message
    assert "72 hours" in by_name["sexual_health_urgent"].message
    assert "five days" in by_name["sexual_health_urgent"].message
    assert "evidence" in by_name["sexual_health_urgent"].message  # the person's choice
    assert "stay with the person" in by_name["self_harm"].message
    assert "before the person leaves" in by_name["no_safe_contact"].message


def test_an_assault_four_days_ago_is_still_urgent_sexual_health() -> None:
    """R16a 16: emergency contraception works up to five days (120 hours) with some methods,
    so the question covers five days; the guidance keeps HIV PEP's 72 hours."""
    item = INS.item_map()["sexual_assault_recent"]
    assert "sexual_assault_72h" not in INS.item_map()
    assert INS.text(item.text, "en").startswith("In the last five days,")
    guidance = INS.text(item.guidance, "en")
    assert "within 72 hours" in guidance and "five days (120 hours)" in guidance
    assert "when it happened" in guidance  # the hours decide what can still be offered
    for lang, five in {"es": "cinco días", "fr": "cinq derniers jours", "pt": "cinco dias",
                       "ru": "пять дней", "zh_Hans": "五天", "vi": "năm ngày",
                       "tl": "limang araw", "ar": "الخمسة"}.items():
        assert five in INS.text(item.text, lang), lang
        assert "72" in INS.text(item.guidance, lang) and "120" in INS.text(item.guidance, lang)
    (flag,) = run({"sexual_assault_recent": "yes"}).flags
    assert flag.label.startswith("Sexual assault in the last five days")


def test_contact_details_are_asked_only_when_there_is_a_safe_way() -> None:
    s = session()
    s.answer("safe_contact", "via_service")
    assert s.is_relevant("safe_contact_notes")
    for way in ("not_safe", "no_contact_wanted"):
        s.answer("safe_contact", way)
        assert not s.is_relevant("safe_contact_notes"), way


def test_the_interpreter_is_checked_before_the_questions() -> None:
    order = [item.name for item in INS.walk() if item.is_answerable]
    assert order[0] == "obs_interpreter"
    item = INS.item_map()["obs_interpreter"]
    assert item.is_observation
    assert INS.text(item.guidance, "en").startswith("Do not read aloud.")
    assert "accusation" in INS.text(item.guidance, "en")


def test_personal_questions_are_held_back_while_a_companion_is_present() -> None:
    s = session()
    s.set_discreet(True)
    held = {step.key for step in s.held_back()}
    assert {"self_harm", "sexual_assault_recent", "safe_contact"} <= held
    # the officer's own check and immediate danger stay askable
    assert "obs_interpreter" not in held and "danger_now" not in held


def test_consent_makes_no_promise_the_officer_may_not_keep() -> None:
    consent = INS.text(INS.consent, "en")
    assert "I will tell you if I do" not in consent
    assert "only" not in consent.lower()  # no promise of who alone sees or receives it
    assert "if the law requires it" in consent  # the limits are said
    assert "skip a question or stop at any time" in consent


def test_the_helpline_guidance_names_the_relay_service_not_deportation() -> None:
    guidance = INS.item_map()["hotline_contact"].guidance
    assert guidance is not None
    for lang in LANGS:
        assert "711" in guidance[lang] and "TTY" in guidance[lang], lang
    assert "ترحيل" not in guidance["ar"]  # reads as "deportation"
    assert "الاتصال الوسيط" in guidance["ar"]
    # "it is not a police service" right after 711 read as if 711 were meant: name the hotline
    assert "The hotline is not a police service" in guidance["en"]
    assert "والخط الوطني ليس جهة شرطة" in guidance["ar"] and "وهو ليس" not in guidance["ar"]


def test_arabic_reads_naturally_to_one_person() -> None:
    """R16a translations: "do you have a desire that we help you" and "do you have a need"
    read aloud stiffly; plainer forms read the same for a man or a woman."""
    items = INS.item_map()
    offer = INS.text(items["hotline_contact"].text, "ar")
    assert offer.endswith("هل يناسبك أن نساعدك على التواصل معه؟")
    for name in ("hotline_contact", "basic_needs", "hurt_or_ill", "afraid_of_someone"):
        text = INS.text(items[name].text, "ar")
        assert "رغبة" not in text and "لديك حاجة" not in text and "يسبب لك الخوف" not in text, name


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        out = [value["fr"]] if isinstance(value.get("fr"), str) else []
        for v in value.values():
            out += _texts(v)
        return out
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def test_french_has_non_breaking_spaces_before_double_punctuation() -> None:
    texts = _texts(INS.model_dump())
    assert len(texts) > 50
    bad = [t for t in texts if re.search(r" [?!;:]", t)]
    assert bad == []
    assert any("\u202f?" in t for t in texts)


def test_every_new_text_exists_in_every_language() -> None:
    items = INS.item_map()
    for name in ("obs_interpreter", "self_harm", "sexual_assault_recent", "safe_contact",
                 "safe_contact_notes", "wellbeing_intro"):
        assert set(items[name].text or {}) >= set(LANGS), name
    for flag in INS.flags:
        assert set(flag.label) >= set(LANGS) and set(flag.message or {}) >= set(LANGS)
    assert INS.version == "2.0.0"
    assert {lang for lang, info in INS.languages.items() if info.status == "machine"} == (
        set(LANGS) - {"en"})
