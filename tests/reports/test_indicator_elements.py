"""What the packet says about the indicators found (issue #16), read as a shelter's intake
worker reads it: each indicator's Palermo element and strength in words, what they add up to
(act / means / purpose) before the list, and in one plain sentence why the graded rule gave
the outcome it gave; and who reviewed the translation the interview used, and when.

A real encrypted workspace, a fixture instrument with the graded rule
(tests/fixtures/instruments/graded_screen.yaml), real ReportLab, text read back with poppler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from screening.casework.answers_file import AnswersFile, InterviewContextInput
from screening.casework.consent import REFERRAL, SCREENING, Consent
from screening.cli.interview_cmds import run_interview
from screening.reports.service import write_case_report
from screening.store import PersonInfo
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.reports.pdftools import one_line, pdftotext

INSTRUMENT = Path(__file__).resolve().parents[1] / "fixtures" / "instruments" / "graded_screen.yaml"
ALL_NO = {"travel": "no", "threats": "no", "debt": "no", "hours": "no", "pay": "no",
          "days_off": "no"}
REVIEWER = "Qz Rahal, court interpreter"

# scenario -> (answers "yes", level, the sentence that explains it)
SCENARIOS = {
    "strong": ({"threats"}, "refer",
               "Referral for assessment recommended because a strong indicator was found."),
    "means_and_purpose": ({"debt", "hours"}, "refer",
                          "Referral for assessment recommended because there are signs of "
                          "both coercion and exploitation."),
    "three_medium": ({"hours", "pay", "days_off"}, "refer",
                     "Referral for assessment recommended because 3 or more indicators of "
                     "medium strength or stronger were found."),
    "some": ({"hours"}, "some_indicators",
             "Some indicators were found, but not enough on their own to suggest "
             "trafficking."),
}


@dataclass(frozen=True)
class Cases:
    data: Path
    out: Path
    ids: dict[str, str]  # scenario (or "lang:<code>") -> case id


def _interview(ws: Workspace, yes: set[str], lang: str) -> str:
    answers = {**ALL_NO, **dict.fromkeys(yes, "yes")}
    done = run_interview(ws, str(INSTRUMENT), AnswersFile(
        answers=answers,
        consent=Consent(given=True, scope=(SCREENING, REFERRAL), language=lang,
                        recorded_how="verbal"),
        person=PersonInfo(name="QZNAME"),
        context=InterviewContextInput(location="QZLOCATION"),
    ), lang=lang, officer_lang="en")
    return str(done["case_id"])


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cases]:
    mp = pytest.MonkeyPatch()
    mp.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    mp.setenv("TZ", "UTC")
    root = tmp_path_factory.mktemp("elements")
    data, out = root / "data", root / "out"
    out.mkdir()
    ids = {}
    with Workspace(data) as ws:
        ws.create(PASSPHRASE)
        for name, (yes, _level, _reason) in SCENARIOS.items():
            ids[name] = _interview(ws, yes, "en")
        ids["lang:ar"] = _interview(ws, {"threats"}, "ar")
        ids["lang:es"] = _interview(ws, {"threats"}, "es")
    yield Cases(data, out, ids)
    mp.undo()


def _write(cases: Cases, case: str, variant: str = "full", lang: str = "en") -> tuple[str, dict]:
    path = cases.out / f"{case.replace(':', '-')}-{variant}-{lang}.pdf"
    with Workspace(cases.data).open(PASSPHRASE) as ws:
        write_case_report(ws, cases.ids[case], path, lang=lang,
                          variant=variant,  # type: ignore[arg-type]
                          password=None, allow_plaintext=True)
    embedded = json.loads(PdfReader(str(path)).attachments["referral.json"][0])
    return one_line(pdftotext(path)), embedded


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_packet_says_why_the_graded_outcome_is_what_it_is(cases: Cases,
                                                              scenario: str) -> None:
    _yes, level, reason = SCENARIOS[scenario]
    text, data = _write(cases, scenario)
    assert data["result"]["level"] == level
    assert reason in text
    others = [r for name, (_y, _l, r) in SCENARIOS.items() if name != scenario]
    assert not any(r in text for r in others)  # one reason, the right one
    assert "determination" in text  # still never one


def test_each_indicator_says_its_element_and_strength_in_words(cases: Cases) -> None:
    text, data = _write(cases, "strong")
    assert "Threatened by the employer — Means (coercion) · strong indicator" in text
    assert "Elements found: Act: 0 · Means: 1 (1 strong) · Purpose: 0" in text
    assert ("Not found in these answers: Act (recruitment or movement) and Purpose "
            "(exploitation)") in text
    # The summary comes before the per-domain list.
    assert text.index("Elements found:") < text.index("Threatened by the employer —")
    [domain] = [d for d in data["result"]["domains"] if d["name"] == "control"]
    assert domain["indicators"][0]["element"] == "means"
    assert data["result"]["graded"]["condition"] == {"strong": 1, "medium": 0, "elements": []}

    text, _data = _write(cases, "means_and_purpose")
    assert "Elements found: Act: 0 · Means: 1 · Purpose: 1" in text
    assert "Owes a debt to the employer — Means (coercion) · medium indicator" in text
    assert "Very long working hours — Purpose (exploitation) · medium indicator" in text
    assert "Not found in these answers: Act (recruitment or movement)" in text


def test_redacted_and_minimal_copies_keep_elements_strengths_and_the_reason(
        cases: Cases) -> None:
    """Element and strength describe the instrument's indicators, not the person."""
    for variant in ("redacted", "minimal"):
        text, data = _write(cases, "means_and_purpose", variant)
        assert "QZNAME" not in text  # what the copy withheld before, it still withholds
        assert "Owes a debt to the employer — Means (coercion) · medium indicator" in text
        assert "Elements found: Act: 0 · Means: 1 · Purpose: 1" in text
        assert SCENARIOS["means_and_purpose"][2] in text
        assert data["result"]["graded"]["elements_present"] == ["means", "purpose"]


def test_a_reviewed_language_names_its_reviewer_and_date(cases: Cases) -> None:
    text, data = _write(cases, "lang:ar")
    assert ("Interview language Arabic — reviewed translation, reviewed by "
            f"{REVIEWER} on Dec 1, 2026") in text
    assert data["instrument"]["interview_language_review"] == {
        "reviewer": REVIEWER, "date": "2026-12-01"}
    assert "Translation warning" not in text
    # The report language (English) is the source: nobody to name.
    assert "Report language English — source language Content hash" in text

    text, _data = _write(cases, "lang:ar", lang="ar")
    assert REVIEWER in text  # the report language is the reviewed one


def test_a_machine_translation_names_no_reviewer(cases: Cases) -> None:
    text, data = _write(cases, "lang:es")
    assert "Interview language Spanish — machine translation, not reviewed" in text
    assert "reviewed by" not in text and REVIEWER not in text
    assert data["instrument"]["interview_language_review"] is None
    assert "Translation warning" in text


def test_the_cli_json_lists_each_indicators_element(cases: Cases) -> None:
    with Workspace(cases.data).open(PASSPHRASE) as ws:
        done = run_interview(ws, str(INSTRUMENT), AnswersFile(
            answers={**ALL_NO, "travel": "yes", "pay": "yes"},
            consent=Consent(given=True, scope=(SCREENING,), language="en")),
            lang="en", officer_lang="en")
    found = {i["name"]: (i["element"], i["strength"]) for i in done["indicators"]}
    assert found == {"travel_arranged": ("act", "weak"), "no_pay": ("purpose", "medium")}
    assert done["outcome"]["level"] == "some_indicators"


def test_a_condition_of_several_parts_gives_every_reason_in_one_sentence() -> None:
    from screening.i18n import Translator
    from screening.reports.indicators import GradedBasis, GradedCondition, outcome_reason

    en = Translator("en")
    basis = GradedBasis(strong=2, medium=1, elements_present=("act", "means", "purpose"),
                        condition=GradedCondition(strong=2, elements=("act", "means",
                                                                      "purpose")))
    assert outcome_reason("refer", basis, en, "en") == (
        "Referral for assessment recommended because 2 or more strong indicators were found "
        "and there are signs of recruitment or movement, coercion, and exploitation.")
    # Urgent because of a flag, with no referral condition met: the flags say why.
    assert outcome_reason("refer_urgent", GradedBasis(0, 1, ("purpose",)), en, "en") is None
    assert outcome_reason("no_indicators", None, en, "en") is None


def test_the_element_summary_tells_weak_risk_factors_apart() -> None:
    """A farm worker with a tied visa and no safe bed has two weak means: the summary must
    not read as two signs of coercion, which the outcome rule does not count."""
    from screening.reports.indicators import element_summary

    class Plain:
        def gettext(self, message: str) -> str:
            return message

    found = [("means", "weak"), ("means", "weak"), ("purpose", "medium")]
    line, note = element_summary(found, ("act", "means", "purpose"), Plain(), "en")
    assert line == "Act: 0 · Means: 2 (2 weak) · Purpose: 1"
    assert note is not None and "Act" in note
    found.append(("means", "strong"))
    line, _note = element_summary(found, ("act", "means", "purpose"), Plain(), "en")
    assert "Means: 3 (1 strong, 2 weak)" in line
