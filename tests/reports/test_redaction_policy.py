"""Redaction as a policy (issue #15): every field of a case is filled with its own marker, each
variant is built with the real ReportLab, and the pages' text, the embedded files and the PDF
metadata of each are searched for every marker the variant must withhold, and for those it
must keep (so the search is shown to work)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from babel.dates import format_date, format_time
from pypdf import PdfReader

from screening.casework.answers_file import AnswersFile, InterviewContextInput
from screening.casework.consent import Consent
from screening.casework.preferences import OfficerProfile
from screening.casework.referral_details import parse_referral, save_referral_details
from screening.casework.referrals import save_referrals
from screening.cli.interview_cmds import run_interview
from screening.errors import ErrorCode, InputError, ReportError
from screening.reports.packet import VARIANTS, AgeRange, Month, suggested_file_name
from screening.reports.redaction import POLICIES, age_band
from screening.reports.redaction_check import unclassified_fields
from screening.reports.service import build_case_packet, write_case_report
from screening.store import PersonInfo, ReferralRecord
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import instrument_yaml

# One marker per field a person or an officer fills in. None of them is part of another.
MK = {
    "name": "QZNAMEMARK",
    "alias": "QZALIASMARK",
    "contact": "QZCONTACTMARK",
    "gender": "QZGENDERMARK",
    "nationality": "QZNATIONMARK",
    "person_notes": "QZPNOTESMARK",
    "location": "QZLOCATIONMARK",
    "officer": "QZOFFICERMARK",
    "agency": "QZAGENCYMARK",
    "recipient": "QZRECIPIENTMARK",
    "reason": "QZREASONMARK",
    "override": "QZOVERRIDEMARK",
    "consent_override": "QZCONSENTOVERRIDEMARK",
    "narrative": "QZNARRATIVEMARK",
    "free_text": "QZFREETEXTMARK",
    "note_text": "QZNOTETEXTMARK",
    "note_choice": "QZNOTECHOICEMARK",
    "region": "QZREGIONMARK",  # the officer's: where the person is now
    "service_region": "QZSERVICEREGIONMARK",  # the directory's: never the person's region
    "service": "QZSERVICEMARK",
    # The referral details and the officer's phone and email (issue #15).
    "officer_phone": "QZOFFICERPHONEMARK",
    "officer_email": "QZOFFICEREMAILMARK",
    "safe_contact": "QZSAFECONTACTMARK",
    "current_location": "QZWHERENOWMARK",
    "exploitation_place": "QZEXPLOITPLACEMARK",
    "exploitation_region": "QZEXPLOITREGIONMARK",
    "exploiters": "QZEXPLOITERSMARK",
    "other_victims": "QZOTHERVICTIMSMARK",
    "police_reference": "QZPOLICEREFMARK",
    "wishes": "QZWISHESMARK",
}
# Stored for the case (or the directory's), printed in no variant.
NEVER = {"alias", "person_notes", "service_region"}
# Not who, roughly where: every variant keeps them.
KEPT_BY_ALL = {"region", "service", "exploitation_region"}
DETAILS = {key: MK[key] for key in ("safe_contact", "current_location", "exploitation_place",
                                    "exploitation_region", "exploiters", "other_victims",
                                    "police_reference", "wishes")} | {
    "current_region": MK["region"],
    "contact_methods": ["text"], "accommodation": "employer", "exploitation_types": ["labour"],
    "exploitation_from": "2024-11-05", "exploitation_to": "2025-01-10",
    "other_victims_children": 3, "other_victims_adults": 0, "wants": ["safe_place"]}
WITHHELD = {
    "full": NEVER,
    "redacted": set(MK) - KEPT_BY_ALL,
    "minimal": set(MK) - KEPT_BY_ALL,
}
AGE, BORN, ARRIVED = 37, "1988-06-05", dt.date(2025, 1, 17)

SECTIONS = """\
- name: about
  title: {en: About}
  items:
    - {name: age, type: integer, text: {en: "How old are you?"}}
    - {name: story, type: text, text: {en: "In your own words, what happened?"}}
    - {name: arrived, type: date, text: {en: "When did you arrive?"}}
    - {name: docs_kept, type: yes_no, text: {en: "Does someone else keep your papers?"}}
    - {name: obs_control, type: observation, choices: yes_no, text: {en: "Seemed controlled"}}
"""
EXTRA = """\
indicators:
  - {name: documents, domain: control, label: {en: "Papers kept by someone else"},
     when: "${docs_kept} = 'yes'", framework_ref: "ILO-11:7"}
  - {name: observed, domain: control, label: {en: "Signs of control"},
     when: "${obs_control} = 'yes'", framework_ref: "ILO-11:4"}
flags:
  - {name: hurt, kind: medical, label: {en: "Needs a doctor"}, when: "${docs_kept} = 'yes'"}
"""
DIRECTORY = (
    "id,country,region,name,kind,phone,languages,needs,example\n"
    f"mk-shelter,US,{MK['service_region']},{MK['service']} shelter,shelter,+1 555 0142,en,"
    "shelter,no\n"
)


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """A case in a real encrypted workspace with every field filled with its marker. The
    consent covers only the screening, so the full packet needs the officer's override and
    every referral is outside the consent (each with its reason)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    root = tmp_path_factory.mktemp("redaction")
    data, out = root / "data", root / "out"
    out.mkdir()
    instrument = root / "mk_screen.yaml"
    instrument.write_text(instrument_yaml(SECTIONS, extra=EXTRA, id="mk_screen"),
                          encoding="utf-8")
    directory = root / "directory.csv"
    directory.write_text(DIRECTORY, encoding="utf-8")
    with Workspace(data) as ws:
        ws.create(PASSPHRASE)
        ws.import_directory(directory)
        ws.preferences.save_officer_profile(
            OfficerProfile(name=MK["officer"], agency=MK["agency"], phone=MK["officer_phone"],
                           email=MK["officer_email"]))
        given = AnswersFile(
            answers={
                "age": AGE,
                "story": {"value": f"{MK['free_text']} worked nights",
                          "note": f"{MK['note_text']} said quietly"},
                "arrived": ARRIVED.isoformat(),
                "docs_kept": {"value": "yes", "note": f"{MK['note_choice']} passport seen"},
                "obs_control": "yes",
            },
            consent=Consent(given=True, scope=("screening",), language="en",
                            recipients=(MK["recipient"],), at="2025-01-20T09:15:00+00:00"),
            person=PersonInfo(name=MK["name"], aliases=(MK["alias"],), date_of_birth=BORN,
                              gender=MK["gender"], nationality=MK["nationality"],
                              languages=("ar", "en"), contact=MK["contact"],
                              notes=MK["person_notes"]),
            context=InterviewContextInput(interpreter_used=True, interpreter_language="ar",
                                          location=MK["location"], private_setting=True),
        )
        case_id = str(run_interview(ws, str(instrument), given, lang="en",
                                    officer_lang=None)["case_id"])
        save_referrals(ws.store, case_id, [
            ReferralRecord("mk-shelter", f"{MK['service']} shelter", "shelter",
                           reason=MK["reason"], override_reason=MK["override"]),
        ], MK["narrative"])
        save_referral_details(ws.store, case_id, parse_referral(DETAILS))
    yield data, case_id, out
    mp.undo()


def _write(data: Path, case_id: str, out: Path, variant: str, lang: str) -> Path:
    path = out / f"{variant}-{lang}.pdf"
    with Workspace(data).open(PASSPHRASE) as ws:
        write_case_report(ws, case_id, path, lang=lang, variant=variant,  # type: ignore[arg-type]
                          password=None, allow_plaintext=True,
                          override_reason=MK["consent_override"] if variant == "full" else None)
    return path


def _everything(pdf: Path) -> tuple[str, str, str]:
    """(pages' text, embedded files, metadata) as pypdf reads them."""
    reader = PdfReader(str(pdf))
    pages = "\n".join(page.extract_text() or "" for page in reader.pages)
    files = "\n".join(blob.decode("utf-8") for blobs in reader.attachments.values()
                      for blob in blobs)
    meta = "\n".join(str(v) for v in (reader.metadata or {}).values())
    return pages, files, meta


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_holds_exactly_what_its_policy_keeps(case, variant: str, lang: str) -> None:
    data, case_id, out = case
    pages, files, meta = _everything(_write(data, case_id, out, variant, lang))
    squeezed = re.sub(r"\s+", "", pages)  # wrapped or shaped text may gain spaces
    for key, marker in MK.items():
        for where, text in (("pages", squeezed), ("embedded files", files), ("metadata", meta)):
            if key in WITHHELD[variant]:
                assert marker not in text, f"{variant}/{lang}: {key} leaks in the {where}"
            elif where != "metadata":
                assert marker in text, f"{variant}/{lang}: {key} missing from the {where}"
    # The metadata says who wrote a full packet and nothing of the kind in the others.
    assert (MK["officer"] in meta) == (variant == "full")
    assert not any(m in suggested_file_name("x", variant) for m in MK.values())


def test_age_dates_and_place_are_coarsened_per_variant(case) -> None:
    data, case_id, out = case
    with Workspace(data).open(PASSPHRASE) as ws:
        full = build_case_packet(ws, case_id, lang="en", consent_override="x")
    started = full.interview.started_at
    assert isinstance(started, dt.datetime)
    time_of_day = re.sub(r"\s+", " ", format_time(started, "medium", tzinfo=full.zone,
                                                  locale="en"))
    day = format_date(started.astimezone(full.zone).date(), "medium", locale="en")
    month = format_date(started.astimezone(full.zone).date(), "MMMM y", locale="en")
    text = {}
    data_of = {}
    for variant in VARIANTS:
        pdf = _write(data, case_id, out, variant, "en")
        pages, files, _meta = _everything(pdf)
        text[variant] = re.sub(r"\s+", " ", pages)
        data_of[variant] = json.loads(files)
    # Age: the exact number only in full (in the appendix), a band split at 18 elsewhere.
    assert f"Answer: {AGE}" in text["full"]
    for variant in ("redacted", "minimal"):
        assert f"Answer: {AGE}" not in text[variant] and "35–39" in text[variant]
        assert data_of[variant]["person"]["age"] == "35-39"
        [age] = [e for e in data_of[variant]["appendix"] if e["item_id"] == "age"]
        assert age["answer_asked"] == ["35-39"]
        assert "Jun 5, 1988" not in text[variant] and BORN not in json.dumps(data_of[variant])
    # Time of day only in full; the day in redacted; the month only in minimal.
    assert time_of_day in text["full"]
    assert time_of_day not in text["redacted"] and day in text["redacted"]
    assert day not in text["minimal"] and month in text["minimal"]
    assert "Jan 17, 2025" in text["redacted"] and "Jan 17, 2025" not in text["minimal"]
    assert "January 2025" in text["minimal"]
    assert data_of["minimal"]["interview"]["started_at"] == month_iso(started, full)
    # The place: exact in full; in the others no place at all (never overwritten with a
    # region), and the region the officer gave for where the person is now.
    assert data_of["full"]["interview"]["location"] == MK["location"]
    for variant in ("redacted", "minimal"):
        assert data_of[variant]["interview"]["location"] is None
        assert "region" not in data_of[variant]["interview"]
        assert data_of[variant]["details"]["current_location"] is None
        assert data_of[variant]["details"]["current_region"] == MK["region"]
        assert f"Region or country where the person is now {MK['region']}" in text[variant]
        assert f"Location {WITHHELD_TEXT[variant]}" in text[variant]


def test_referral_details_per_variant(case) -> None:
    """What routes a case stays in every copy (types, counts, children first, the region,
    dates to the variant's precision); who and exactly where only in the full one."""
    data, case_id, out = case
    text, data_of = {}, {}
    for variant in VARIANTS:
        pages, files, _meta = _everything(_write(data, case_id, out, variant, "en"))
        text[variant] = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", pages))  # ﬃ
        data_of[variant] = json.loads(files)["details"]
    for variant in VARIANTS:
        shown, details = text[variant], data_of[variant]
        assert "Referral details Other children may be at risk: 3" in shown
        assert "Children 3 Adults 0" in shown  # children first
        assert "Type Labour exploitation" in shown
        assert "Accommodation Provided by the employer or the exploiters" in shown
        assert "Asks for A safe place to stay" in shown
        assert (details["exploitation_types"], details["other_victims_children"],
                details["contact_methods"]) == (["labour"], 3, ["text"])
    assert "When from Nov 5, 2024 to Jan 10, 2025" in text["full"]
    assert "When from Nov 5, 2024 to Jan 10, 2025" in text["redacted"]
    assert "When from November 2024 to January 2025" in text["minimal"]
    assert data_of["minimal"]["exploitation_from"] == "2024-11"
    assert f"Where {MK['exploitation_place']}" in text["full"]
    for variant in ("redacted", "minimal"):  # the place, only to the officer's region
        assert data_of[variant]["exploitation_place"] is None
        assert data_of[variant]["exploitation_region"] == MK["exploitation_region"]
        assert f"Where {WITHHELD_TEXT[variant]}" in text[variant]
        assert f"Region or country of the exploitation {MK['exploitation_region']}" in \
            text[variant]
        assert f"Police reference {WITHHELD_TEXT[variant]}" in text[variant]
        assert f"Referring officer {WITHHELD_TEXT[variant]}" in text[variant]
    assert f"Phone {MK['officer_phone']} Email {MK['officer_email']}" in text["full"]


WITHHELD_TEXT = {"redacted": "Withheld in this redacted copy",
                 "minimal": "Withheld in this minimal copy"}


def month_iso(started: dt.datetime, packet) -> str:  # type: ignore[no-untyped-def]
    local = started.astimezone(packet.zone)
    return f"{local.year:04d}-{local.month:02d}"


def test_the_table_classifies_every_field_of_the_packet() -> None:
    # Whoever adds a field to the packet decides here what each variant does with it.
    assert unclassified_fields() == []
    from screening.cli.report_cmds import VARIANTS as CLI_VARIANTS

    assert CLI_VARIANTS == VARIANTS == tuple(POLICIES)


def test_an_unclassified_field_stops_a_redacted_packet() -> None:
    from screening.reports import redaction
    from tests.reports.samples import make_packet

    rules = dict(POLICIES["redacted"].rules)
    del rules["person.gender"]
    policy = replace(POLICIES["redacted"], rules=rules)
    walk = redaction._Walk(policy, make_packet("en"))
    with pytest.raises(ReportError, match=r"person\.gender"):
        walk.updates(make_packet("en"), "")


def test_age_bands_say_whether_the_person_may_be_a_minor() -> None:
    assert [age_band(a) for a in (4, 14, 15, 17, 18, 19, 20, 37)] == [
        AgeRange(0, 4), AgeRange(10, 14), AgeRange(15, 17), AgeRange(15, 17), AgeRange(18, 19),
        AgeRange(18, 19), AgeRange(20, 24), AgeRange(35, 39)]
    assert age_band(17).may_be_minor and not age_band(18).may_be_minor


def test_a_redacted_packet_cannot_be_unredacted_or_carry_withheld_data() -> None:
    from tests.reports.samples import make_packet

    minimal = make_packet("en").for_variant("minimal")
    assert isinstance(minimal.generated_at, Month)
    with pytest.raises(ReportError):
        minimal.for_variant("redacted")
    with pytest.raises(ReportError):  # marked minimal, holding a name
        replace(minimal, person=replace(minimal.person, name="Someone"))


def test_full_packet_without_consent_needs_a_reason_and_audits_ids_only(case) -> None:
    data, case_id, out = case
    with Workspace(data).open(PASSPHRASE) as ws:
        with pytest.raises(InputError) as refused:
            write_case_report(ws, case_id, out / "refused.pdf", lang="en", password=None,
                              allow_plaintext=True)
        assert refused.value.code == ErrorCode.CONSENT_SHARING
        assert not (out / "refused.pdf").exists()
        for variant in ("redacted", "minimal"):  # no consent to share needed, no reason taken
            with pytest.raises(InputError):
                write_case_report(ws, case_id, out / "x.pdf", lang="en", password=None,
                                  allow_plaintext=True, variant=variant,  # type: ignore[arg-type]
                                  override_reason="because")
        before = len(ws.store.cases.reports(case_id))
        write_case_report(ws, case_id, out / "override.pdf", lang="en", password=None,
                          allow_plaintext=True, override_reason=MK["consent_override"])
        entries = [e for e in ws.store.audit.entries(case_id=case_id)
                   if e.action == "report.consent_override"]
        assert entries and MK["consent_override"] not in json.dumps([e.detail for e in entries])
        report = ws.store.cases.reports(case_id)[before]
        assert report.kind == "referral" and entries[-1].detail["report_id"] == report.id
    reader = PdfReader(str(out / "override.pdf"))
    first = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Written without the person's consent to share" in first
    assert MK["consent_override"] in first


def test_cli_variants_alias_and_override(case, tmp_path: Path) -> None:
    data, case_id, _out = case
    with Workspace(data).open(PASSPHRASE) as ws:
        reference = ws.store.cases.get(case_id).reference
    stdin = f"{PASSPHRASE}\n"

    def report(*args: str):  # type: ignore[no-untyped-def]
        return run_cli("report", reference, "--plaintext", *args, data_dir=data, stdin=stdin)

    refused = report("-o", str(tmp_path / "full.pdf"))
    assert refused.returncode == 2 and "--override-reason" in refused.stderr
    assert not (tmp_path / "full.pdf").exists()
    done = report("-o", str(tmp_path / "full.pdf"), "--override-reason", "QZCLIREASON")
    assert done.returncode == 0, done.stderr
    assert "QZCLIREASON" in PdfReader(str(tmp_path / "full.pdf")).pages[0].extract_text()
    for args, name in ((("--redacted",), "alias.pdf"),
                       (("--variant", "redacted"), "redacted.pdf"),
                       (("--variant", "minimal"), "minimal.pdf")):
        done = report("-o", str(tmp_path / name), *args)
        assert done.returncode == 0, done.stderr
    assert json.loads(PdfReader(str(tmp_path / "minimal.pdf")).attachments["referral.json"][0])[
        "variant"] == "minimal"
    alias, redacted = (json.loads(PdfReader(str(tmp_path / n)).attachments["referral.json"][0])
                       for n in ("alias.pdf", "redacted.pdf"))
    assert alias["variant"] == redacted["variant"] == "redacted"
    for bad in (("--variant", "everything"), ("--redacted", "--variant", "full"),
                ("--variant", "minimal", "--override-reason", "x")):
        done = report("-o", str(tmp_path / "bad.pdf"), *bad)
        assert done.returncode == 2, (bad, done.stderr)
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "bad.pdf").exists()
    with Workspace(data).open(PASSPHRASE) as ws:
        kinds = [r.kind for r in ws.store.cases.reports(case_id)]
    assert {"referral", "referral_redacted", "referral_minimal"} <= set(kinds)


def test_pdf_dates_are_no_finer_than_the_variant_keeps() -> None:
    """A reviewer found the minimal copy's /CreationDate to the second (issue #15)."""
    import io
    from datetime import UTC, datetime

    from pypdf import PdfReader

    from screening.reports.encrypt import finish_pdf
    from screening.reports.referral_pdf import pdf_date, render_pdf_bytes
    from tests.reports.samples import make_packet

    packet = make_packet("en")
    made = packet.generated_at.astimezone(UTC)
    expected = {"full": made.strftime("D:%Y%m%d%H%M%S"), "redacted": None, "minimal": None}
    for variant in ("full", "redacted", "minimal"):
        copy = packet.for_variant(variant)
        pdf, _pages = render_pdf_bytes(copy)
        info = PdfReader(io.BytesIO(finish_pdf(pdf, copy.canonical_json(), None,
                                               pdf_date(copy)))).metadata
        for key in ("/CreationDate", "/ModDate"):
            stamp = str(info[key])
            if variant == "full":
                assert stamp.startswith(expected["full"])
            elif variant == "redacted":
                assert len(stamp.rstrip("Z")) <= len("D:20261204"), stamp
            else:
                assert len(stamp) <= len("D:202612"), stamp
    assert isinstance(made, datetime)
