"""What a shelter's intake worker reads must be true (issue #15): the validation status as the
instrument declares it, indicators as what the person reported, an urgent flag under URGENT,
no consent date when no consent was recorded, gender in the report's language."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from screening.errors import ErrorCode, InstrumentError
from screening.i18n import Translator
from screening.instruments import list_instruments, load_instrument_text
from screening.instruments.hashing import content_hash
from screening.instruments.model import Instrument
from screening.reports.packet import Consent, Flag, Indicator, IndicatorDomain
from screening.reports.service import build_case_packet
from screening.store import PersonInfo
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.factories import instrument_yaml, stored_interview
from tests.reports import fake_catalog
from tests.reports.pdftools import one_line, pdftotext
from tests.reports.samples import make_packet

ADAPTED = "adapted from a validated tool"
DEMO = json.loads((Path(__file__).resolve().parents[2] / "resources" / "demo"
                   / "answers.json").read_text(encoding="utf-8"))["answers"]


@pytest.fixture
def ws(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    workspace = Workspace(data_dir)
    workspace.create(PASSPHRASE)
    yield workspace
    workspace.close()


def test_no_shipped_instrument_claims_to_be_adapted_from_a_validated_tool() -> None:
    statuses = {r.instrument.id: r.instrument.validation.status for r in list_instruments()}
    assert statuses == {
        "adult_indicators": "indicator_based",
        "forced_labour_ilo11": "indicator_based",
        "youth_quick_screen": "indicator_based",
        "safety_triage": "guidance_based",  # WHO interviewing guidance, no indicators
    }
    for result in list_instruments():
        for lang, note in (result.instrument.validation.note or {}).items():
            assert not note.startswith(("Adapted", "Adaptado", "Adapté", "مُكيَّفة")), lang


def test_the_packet_prints_the_declared_status(ws: Workspace, build, tmp_path: Path) -> None:
    case_id = stored_interview(ws, "adult_indicators", DEMO, lang="en")["case_id"]
    packet = build_case_packet(ws, case_id, lang="en")
    assert packet.instrument.validation_status == "indicator_based"
    text = one_line(pdftotext(build(packet)))
    assert "Validation built from published indicators, not validated" in text
    assert ADAPTED not in text
    triage = build_case_packet(ws, stored_interview(
        ws, "safety_triage", json.loads((Path(__file__).resolve().parents[2] / "resources"
                                         / "demo" / "safety_triage_answers.json")
                                        .read_text(encoding="utf-8"))["answers"],
        lang="en")["case_id"], lang="en")
    text = one_line(pdftotext(build(triage, "triage.pdf")))
    assert "built from published interviewing guidance, not validated" in text
    assert ADAPTED not in text
    # Only an instrument that says it is adapted is called adapted.
    adapted = replace(packet, instrument=replace(packet.instrument, validation_status="adapted"))
    assert ADAPTED in one_line(pdftotext(build(adapted, "adapted.pdf")))


def test_arabic_never_calls_validated_approved() -> None:
    """"Validated" (tested against a reference standard) is not معتمد / مُصادق عليه
    ("approved, accredited, ratified")."""
    _ = Translator("ar")
    for label in ("validated", "not validated", "Validation", "Validated instrument",
                  "adapted from a validated tool (not validated itself)",
                  "built from published indicators, not validated",
                  "built from published interviewing guidance, not validated",
                  "Built from published indicators: not a validated instrument",
                  "Built from published guidance: not a validated instrument"):
        for approved in ("معتمد", "مُعتمد", "اعتماد", "مصادق", "مُصادق"):
            assert approved not in _(label), label
    assert "صدق" in _("validated")  # validity, as psychometrics says it


def test_status_must_be_true_of_the_file() -> None:
    sections = """\
    - name: s
      title: {en: S}
      items:
        - {name: q, type: yes_no, text: {en: Q}}
    """
    none = instrument_yaml(sections).replace("status: draft", "status: indicator_based")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(none, "none.yaml")
    assert any("needs indicators" in p.message for p in caught.value.problems)
    unnamed = instrument_yaml(sections, extra="""\
        indicators:
          - {name: i, domain: d, label: {en: I}, when: "${q} = 'yes'"}
        """).replace("status: draft", "status: indicator_based")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(unnamed, "unnamed.yaml")
    assert [p.item for p in caught.value.problems
            if p.code == ErrorCode.INSTRUMENT_SCHEMA] == ["i"]
    adapted = instrument_yaml(sections).replace("status: draft", "status: adapted")
    digest = content_hash(Instrument.model_validate(yaml.safe_load(adapted)))
    loaded = load_instrument_text(adapted + f"content_hash: {digest}\n", "adapted.yaml")
    assert any("name that tool" in w.message for w in loaded.warnings)


def test_indicators_are_what_the_person_reported_with_their_strength(build) -> None:
    packet = make_packet("en")
    observed = replace(packet.appendix[1], item_id="obs", number="1.6", item_type="observation")
    packet = replace(packet, appendix=(*packet.appendix, observed), result=replace(
        packet.result, domains=(*packet.result.domains, IndicatorDomain("seen", "Seen", (
            Indicator("ind_seen", "Signs of control", None, ("obs",)),)))))
    text = one_line(pdftotext(build(packet)))
    assert "• Reported: Identity documents kept by employer — strong indicator" in text
    assert "• Reported: Excessive working hours — medium indicator" in text
    assert "• Observed: Signs of control" in text


def test_an_urgent_medical_flag_is_urgent(build, ws: Workspace) -> None:
    packet = make_packet("en")
    flags = (Flag("hurt", "medical", "Untreated injury", urgent=True),
             Flag("note", "other", "Worth a follow-up", urgent=False))
    text = one_line(pdftotext(build(replace(packet, result=replace(packet.result,
                                                                    flags=flags)))))
    urgent, _sep, others = text.partition("Other flags")
    assert "URGENT Medical need: Untreated injury" in urgent
    assert "Untreated injury" not in others and "Worth a follow-up" in others
    # As the instrument declares it: the shipped medical flag is urgent.
    answers = {**DEMO, "obs_injuries": "yes"}
    case = build_case_packet(ws, stored_interview(ws, "adult_indicators", answers,
                                                  lang="en")["case_id"], lang="en")
    [medical] = [f for f in case.result.flags if f.kind == "medical"]
    assert medical.urgent and case.result.level == "refer_urgent"
    text = one_line(pdftotext(build(case, "case.pdf")))
    assert "URGENT Medical need: May need medical care" in text
    assert "Other flags" not in text


def test_no_consent_recorded_shows_no_date(build, ws: Workspace) -> None:
    none = Consent(shared_items=(), recipients=(), given_at=None, recorded_how="",
                   recorded=False)
    text = one_line(pdftotext(build(replace(make_packet("en"), consent=none))))
    consent = text.split("Consent", 1)[1].split("Questionnaire used", 1)[0]
    assert "No consent was recorded in FieldScreen." in consent
    assert "When" not in consent and "2025" not in consent
    # A stored interview whose consent record says nothing was given (older stores).
    done = stored_interview(ws, "adult_indicators", DEMO, lang="en")
    ctx = ws.store.context.get(done["interview_id"])
    ws.store.context.save(done["interview_id"], replace(ctx, consent_given=False))
    packet = build_case_packet(ws, done["case_id"], lang="en")
    assert not packet.consent.recorded and packet.consent.given_at is None


def test_gender_is_shown_in_the_reports_language(build, ws: Workspace,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fake_catalog.install(monkeypatch, table={**fake_catalog.AR, "Female": "أنثى"})
    case_id = stored_interview(ws, "adult_indicators", DEMO, lang="en",
                               person=PersonInfo(name="Synthetic Person", gender="female"))[
        "case_id"]
    packet = build_case_packet(ws, case_id, lang="ar")
    text = pdftotext(build(packet, "ar.pdf"))
    assert "أنثى" in text and "female" not in text
    # Anything else the person said is shown as they said it.
    own = replace(packet, person=replace(packet.person, gender="QZ own words"))
    assert "QZ own words" in pdftotext(build(own, "own.pdf"))


def test_a_nationality_code_is_the_countrys_name(build, ws: Workspace) -> None:
    """A review found "Nationality: JO" on the packet: a code an intake worker must decode."""
    case_id = stored_interview(ws, "adult_indicators", DEMO, lang="en",
                               person=PersonInfo(name="Synthetic Person", nationality="JO"))[
        "case_id"]
    english = one_line(pdftotext(build(build_case_packet(ws, case_id, lang="en"), "en.pdf")))
    assert "Nationality Jordan" in english
    arabic = pdftotext(build(build_case_packet(ws, case_id, lang="ar"), "ar.pdf"))
    assert "الأردن" in arabic
    packet = build_case_packet(ws, case_id, lang="en")
    own = replace(packet, person=replace(packet.person, nationality="stateless"))
    assert "stateless" in pdftotext(build(own, "own.pdf"))  # words are kept as given
