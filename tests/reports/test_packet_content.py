"""What a referral packet says, read as a shelter's intake worker or a hotline reads it (issue
#15, review of the packets): the region is the one the officer gave, never the services'; one
age, however many sources; lists in the report language's own punctuation and order; labels,
never raw codes; a withheld field names the copy it is missing from; and the officer's reason
for a packet without consent kept out of the process list.

Real encrypted workspace, real ReportLab, text read back with poppler and pypdf."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from screening.casework.answers_file import AnswersFile, InterviewContextInput
from screening.casework.consent import LAW_ENFORCEMENT, REFERRAL, SCREENING, Consent
from screening.casework.preferences import OfficerProfile
from screening.casework.referral_details import (
    ACCOMMODATION,
    CONTACT_METHODS,
    EXPLOITATION_TYPES,
    WANTS,
    parse_referral,
    save_referral_details,
)
from screening.casework.referrals import save_referrals
from screening.cli.interview_cmds import run_interview
from screening.reports.context import CONTACT_NAMES, FLAG_NAMES, GENDER_NAMES, KIND_NAMES
from screening.reports.packet import VARIANTS
from screening.reports.service import CONSENT_HOW, build_case_packet, write_case_report
from screening.store import PersonInfo, ReferralRecord
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import instrument_yaml
from tests.reports.pdftools import one_line, pdftotext

SECTIONS = """\
- name: about
  title: {en: About}
  items:
    - {name: age, type: integer, text: {en: "How old are you?"}}
    - {name: docs_kept, type: yes_no, text: {en: "Does someone else keep your papers?"}}
"""
EXTRA = """\
indicators:
  - {name: documents, domain: control, label: {en: "Papers kept by someone else"},
     when: "${docs_kept} = 'yes'", framework_ref: "ILO-11:7"}
flags:
  - {name: hurt, kind: medical, label: {en: "Needs a doctor"}, when: "${docs_kept} = 'yes'"}
"""
OUTCOME = """\
outcome:
  rule: any
  labels:
    refer_urgent: {en: "Urgent: refer"}
    refer: {en: "Refer for an assessment"}
    incomplete: {en: "Incomplete"}
    no_indicators: {en: "No indicators"}
"""
DIRECTORY = (
    "id,country,region,name,kind,phone,languages,needs,example\n"
    "qz-house,US,QZSERVICEREGION,QZSERVICE Safe House,shelter,+1 555 0142,ar;en,shelter,no\n"
)
AGE_ANSWERED = 29
DETAILS = {
    "contact_methods": [code for code, _label in CONTACT_METHODS],
    "safe_contact": "QZSAFECONTACT", "current_location": "QZWHERENOW",
    "accommodation": "family_or_friends",
    "exploitation_types": [code for code, _label in EXPLOITATION_TYPES],
    "exploitation_place": "QZEXPLOITPLACE", "exploitation_region": "QZEXPLOITREGION",
    "exploitation_from": "2024-11", "exploitation_ongoing": True,
    "exploiters": "QZEXPLOITERS", "other_victims_children": 2, "other_victims_adults": 1,
    "other_victims": "QZOTHERVICTIMS", "police_informed": True,
    "police_reference": "QZPOLICEREF", "wants": [code for code, _label in WANTS],
    "wishes": "QZWISHES",
}
# Every code of the code lists a packet prints (stored as codes, shown as labels).
CODES = (
    {code for table in (ACCOMMODATION, CONTACT_METHODS, EXPLOITATION_TYPES, WANTS)
     for code, _label in table}
    | {code for code in GENDER_NAMES if len(code) > 1}
    | {SCREENING, REFERRAL, LAW_ENFORCEMENT} | set(CONSENT_HOW)
    | set(KIND_NAMES) | set(FLAG_NAMES) | set(CONTACT_NAMES) | {"True", "False"}
)
WITHHELD = {"redacted": "Withheld in this redacted copy",
            "minimal": "Withheld in this minimal copy"}
REGION_ROW = "Region or country where the person is now"


@dataclass(frozen=True)
class Cases:
    data: Path
    out: Path
    everything: str  # every code list used; born 36 years ago, said 29; consent to share
    answer_only: str  # no date of birth, said 17; consent to the screening only


def _born_years_ago(years: int) -> str:
    today = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=10)
    return today.replace(year=today.year - years).isoformat()


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cases]:
    mp = pytest.MonkeyPatch()
    mp.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    mp.setenv("TZ", "UTC")
    root = tmp_path_factory.mktemp("content")
    data, out = root / "data", root / "out"
    out.mkdir()
    instrument = root / "qz_screen.yaml"
    instrument.write_text(instrument_yaml(SECTIONS, extra=EXTRA, outcome=OUTCOME,
                                          id="qz_screen"), encoding="utf-8")
    directory = root / "directory.csv"
    directory.write_text(DIRECTORY, encoding="utf-8")
    with Workspace(data) as ws:
        ws.create(PASSPHRASE)
        ws.import_directory(directory)
        ws.preferences.save_officer_profile(OfficerProfile(
            name="QZOFFICER", agency="QZAGENCY", phone="+962 6 555 0100",
            email="officer@example.org"))
        everything = str(run_interview(ws, str(instrument), AnswersFile(
            answers={"age": AGE_ANSWERED, "docs_kept": "yes"},
            consent=Consent(given=True, scope=(SCREENING, REFERRAL, LAW_ENFORCEMENT),
                            language="en", recorded_how="verbal",
                            recipients=("QZFIRSTRECIPIENT", "QZSECONDRECIPIENT")),
            person=PersonInfo(name="QZNAME", date_of_birth=_born_years_ago(36),
                              gender="female", nationality="JO", languages=("ar", "en"),
                              contact="+962 79 555 0000"),
            context=InterviewContextInput(interpreter_used=True, interpreter_language="ar",
                                          location="QZLOCATION"),
        ), lang="en", officer_lang=None)["case_id"])
        save_referrals(ws.store, everything, [ReferralRecord(
            "qz-house", "QZSERVICE Safe House", "shelter", reason="QZWHY")], "QZNOTES")
        save_referral_details(ws.store, everything, parse_referral(DETAILS))
        answer_only = str(run_interview(ws, str(instrument), AnswersFile(
            answers={"age": 17, "docs_kept": "no"},
            consent=Consent(given=True, scope=(SCREENING,), language="en"),
            person=PersonInfo(name="QZOTHERNAME"),
            context=InterviewContextInput(location="QZLOCATIONB"),
        ), lang="en", officer_lang=None)["case_id"])
        save_referrals(ws.store, answer_only, [ReferralRecord(
            "qz-house", "QZSERVICE Safe House", "shelter",
            override_reason="QZOUTSIDE")], None)
    yield Cases(data, out, everything, answer_only)
    mp.undo()


def _write(cases: Cases, case_id: str, variant: str, lang: str) -> tuple[str, dict]:
    """(the pages' text as poppler copies it, the embedded packet data)."""
    path = cases.out / f"{case_id[:8]}-{variant}-{lang}.pdf"
    with Workspace(cases.data).open(PASSPHRASE) as ws:
        override = None
        if variant == "full" and case_id == cases.answer_only:
            override = "QZCONSENTOVERRIDE"
        write_case_report(ws, case_id, path, lang=lang, variant=variant,  # type: ignore[arg-type]
                          password=None, allow_plaintext=True, override_reason=override)
    embedded = json.loads(PdfReader(str(path)).attachments["referral.json"][0])
    return pdftotext(path), embedded


# -- 1. the region ---------------------------------------------------------------------------
def test_the_region_is_the_officers_and_the_place_is_never_overwritten(cases: Cases) -> None:
    """A reviewer found "Region: <the chosen service's region>, United States" in redacted
    copies, written over interview.location in the embedded data."""
    for variant in ("redacted", "minimal"):
        text, data = _write(cases, cases.answer_only, variant, "en")
        shown = one_line(text)
        assert f"{REGION_ROW} not given" in shown, variant  # nothing else guessed
        assert "QZSERVICEREGION" not in shown + json.dumps(data)
        assert "United States" not in shown
        assert data["interview"]["location"] is None and "region" not in data["interview"]
    with Workspace(cases.data).open(PASSPHRASE) as ws:
        save_referral_details(ws.store, cases.answer_only,
                              parse_referral({"current_region": "QZPERSONREGION"}))
    for variant in ("redacted", "minimal"):
        for lang in ("en", "ar"):
            text, data = _write(cases, cases.answer_only, variant, lang)
            assert "QZPERSONREGION" in text and "QZSERVICEREGION" not in text
            assert data["details"]["current_region"] == "QZPERSONREGION"
            assert data["interview"]["location"] is None
        assert f"{REGION_ROW} QZPERSONREGION" in one_line(
            _write(cases, cases.answer_only, variant, "en")[0])
    _text, full = _write(cases, cases.answer_only, "full", "en")
    assert full["interview"]["location"] == "QZLOCATIONB"  # the place, as given


# -- 2. one age ------------------------------------------------------------------------------
def test_one_age_band_when_the_date_of_birth_and_the_answer_disagree(cases: Cases) -> None:
    """Born 36 years ago, answered 29: a redacted copy showed 35–39 and 25–29."""
    for variant in ("redacted", "minimal"):
        text, data = _write(cases, cases.everything, variant, "en")
        shown = one_line(text)
        assert "Age 35–39" in shown and "Answer: 35–39" in shown, variant
        assert "25–29" not in shown and "Answer: 29" not in shown
        assert data["person"]["age"] == "35-39"
        [entry] = [e for e in data["appendix"] if e["item_id"] == "age"]
        assert entry["answer_asked"] == ["35-39"]
    shown = one_line(_write(cases, cases.everything, "full", "en")[0])
    # The full packet shows both sources, and says that they differ.
    assert "Age 36 (from the date of birth; the answer to question 1.1 was 29)" in shown
    assert "Answer: 29" in shown


def test_without_a_date_of_birth_the_answer_is_the_one_age(cases: Cases) -> None:
    text, data = _write(cases, cases.answer_only, "redacted", "en")
    shown = one_line(text)
    assert "Age 15–17" in shown and "Answer: 15–17" in shown
    assert data["person"]["age"] == "15-17"
    assert "Age 17 " in one_line(_write(cases, cases.answer_only, "full", "en")[0])


# -- 3. lists in Arabic ------------------------------------------------------------------------
def test_the_list_separator_comes_from_the_locale() -> None:
    from screening.reports.context import join_list, list_separator

    assert list_separator("en") == ", " and list_separator("ar") == "، "
    assert list_separator("ur") == "، " and list_separator("fa") == "، "
    assert list_separator("zh_Hans") == "、"
    assert join_list(["a", "b", "c"], "ar") == "a، b، c"
    # Items holding a comma: the list is joined with the stronger separator.
    assert join_list(["Food, money", "Legal advice"], "en") == "Food, money; Legal advice"
    assert join_list(["أ، ب", "ج"], "ar") == "أ، ب؛ ج"


def test_arabic_lists_use_the_arabic_comma_and_keep_their_order(cases: Cases) -> None:
    path = cases.out / "lists-ar.pdf"
    with Workspace(cases.data).open(PASSPHRASE) as ws:
        write_case_report(ws, cases.everything, path, lang="ar", password=None,
                          allow_plaintext=True)
    copied = one_line(pdftotext(path))
    assert "العربية، الإنجليزية" in copied  # the person's languages, the service's
    assert "العربية, " not in copied and "الإنجليزية, " not in copied
    # Two recipients typed in Latin letters: in a right-to-left page the first is on the
    # right (one left-to-right run for the whole list put it on the left).
    seen = one_line(" ".join(p.extract_text() for p in PdfReader(str(path)).pages))
    assert seen.index("QZSECONDRECIPIENT") < seen.index("QZFIRSTRECIPIENT")
    assert "QZFIRSTRECIPIENT" in copied.split("QZSECONDRECIPIENT")[0]  # read in order


# -- 4. labels, never codes ----------------------------------------------------------------------
_PIECES = re.compile(r"\s*(?:[,،;؛:·•()]|—|–)\s*")


def _raw_codes(text: str, *, rtl: bool) -> set[str]:
    """Codes shown as they are stored: a cell or list item that is a code, anywhere; in a
    right-to-left report, any Latin word that is a code. The footer's file name
    ("referral.json") is a name, not a code."""
    text = text.replace("referral.json", "")
    found = {piece.strip() for line in text.splitlines() for piece in _PIECES.split(line)}
    found &= CODES
    if rtl:
        found |= set(re.findall(r"[A-Za-z_-]+", text)) & CODES
    return found


def test_no_packet_prints_a_raw_code(cases: Cases, build) -> None:
    """Gender printed as "female" in English; every coded value must be its label."""
    leaks = {}
    for lang in ("en", "ar"):
        for variant in VARIANTS:
            text, _data = _write(cases, cases.everything, variant, lang)
            if found := _raw_codes(text, rtl=lang == "ar"):
                leaks[f"{variant}/{lang}"] = found
    # Every gender and accommodation code (one case above holds one of each), full packets.
    with Workspace(cases.data).open(PASSPHRASE) as ws:
        base = {lang: build_case_packet(ws, cases.everything, lang=lang) for lang in ("en", "ar")}
    genders = [code for code in GENDER_NAMES if len(code) > 1]
    homes = [code for code, _label in ACCOMMODATION]
    for i in range(max(len(genders), len(homes))):
        gender, home = genders[i % len(genders)], homes[i % len(homes)]
        for lang, packet in base.items():
            assert packet.details is not None
            changed = replace(packet, person=replace(packet.person, gender=gender),
                              details=replace(packet.details, accommodation=home))
            text = pdftotext(build(changed, f"codes-{i}-{lang}.pdf"))
            if found := _raw_codes(text, rtl=lang == "ar"):
                leaks[f"{gender}/{home}/{lang}"] = found
    assert not leaks, leaks
    shown = one_line(_write(cases, cases.everything, "full", "en")[0])
    assert "Gender Female" in shown and "Accommodation With family or friends" in shown


# -- 5. the copy names itself ------------------------------------------------------------------
def test_a_withheld_field_names_the_copy_it_is_withheld_from(cases: Cases) -> None:
    for variant, other in (("redacted", "minimal"), ("minimal", "redacted")):
        shown = one_line(_write(cases, cases.everything, variant, "en")[0])
        assert f"Name {WITHHELD[variant]}" in shown
        assert f"Police reference {WITHHELD[variant]}" in shown
        assert WITHHELD[other] not in shown, variant


# -- 7. the override reason, out of the process list -----------------------------------------------
def test_the_override_reason_comes_from_a_file_or_standard_input(cases: Cases,
                                                                 tmp_path: Path) -> None:
    with Workspace(cases.data).open(PASSPHRASE) as ws:
        reference = ws.store.cases.get(cases.answer_only).reference

    def report(name: str, *args: str,
               stdin: str = f"{PASSPHRASE}\n") -> subprocess.CompletedProcess[str]:
        return run_cli("report", reference, "--plaintext", "-o", str(tmp_path / name), *args,
                       data_dir=cases.data, stdin=stdin)

    def first_page(name: str) -> str:
        return one_line(PdfReader(str(tmp_path / name)).pages[0].extract_text())

    reason = tmp_path / "reason.txt"
    reason.write_text("QZFILEREASON: she asked us to act\nsecond line\n", encoding="utf-8")
    done = report("file.pdf", "--override-reason-file", str(reason))
    assert done.returncode == 0, done.stderr
    assert "QZFILEREASON: she asked us to act second line" in first_page("file.pdf")
    assert "QZFILEREASON" not in done.stderr + done.stdout and "process list" not in done.stderr

    done = report("stdin.pdf", "--override-reason-file", "-",
                  stdin=f"{PASSPHRASE}\nQZSTDINREASON typed after the passphrase\n")
    assert done.returncode == 0, done.stderr
    assert "QZSTDINREASON typed after the passphrase" in first_page("stdin.pdf")

    # The argument still works (a public interface), with a note on stderr.
    done = report("argv.pdf", "--override-reason", "QZARGVREASON")
    assert done.returncode == 0, done.stderr
    assert "QZARGVREASON" in first_page("argv.pdf")
    assert "--override-reason-file keeps the reason out of the process list" in done.stderr

    empty = tmp_path / "empty.txt"
    empty.write_text(" \n", encoding="utf-8")
    for args, stdin, needle in (
        (("--override-reason-file", str(tmp_path / "missing.txt")), "", "not found"),
        (("--override-reason-file", str(empty)), f"{PASSPHRASE}\n", "empty"),
        (("--override-reason-file", "-"), f"{PASSPHRASE}\n", "empty"),
        (("--override-reason-file", str(reason), "--override-reason", "x"), "", "not allowed"),
        (("--override-reason-file", str(reason), "--variant", "redacted"), f"{PASSPHRASE}\n",
         "only for a full packet"),
    ):
        done = report("bad.pdf", *args, stdin=stdin)
        assert done.returncode == 2, (args, done.stderr)
        assert needle in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
    assert not (tmp_path / "bad.pdf").exists()
