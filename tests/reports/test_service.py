"""From a stored case to a PDF: the service the CLI and the GUI share, and `fieldscreen report`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from screening.casework.answers_file import InterviewContextInput
from screening.i18n import Translator
from screening.reports.service import build_case_packet, write_case_report
from screening.store import PersonInfo, ReferralRecord
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, device_target, run_cli
from tests.factories import stored_interview
from tests.reports.pdftools import attachment, pdftotext

NAME = "Zaynab Testperson-Synthetic"
NARRATIVE = "Synthetic narrative ZQXNARRATIVE for the service test."
ANSWERS_AR = {
    "age": 31, "recruit_channel": "agent", "job_differs": "yes", "paid_fee": "no",
    "travel_controlled": "yes", "work_type": "domestic", "hours_per_day": 15, "day_off": "no",
    "can_refuse": "no", "unsafe_conditions": "no", "housing_controlled": "yes",
    "paid_as_agreed": "no", "pay_kept": "yes", "owes_debt": "no", "has_documents": "no",
    "documents_holder": "employer", "stopped_leaving": {"special": "refused"},
    "stopped_going_out": "yes", "contact_family": "no", "phone_taken": "yes", "threatened": "no",
    "family_threatened": "no", "threat_authorities": "yes", "harmed": {"special": "dont_know"},
    "made_sex_work": "no", "safe_tonight": "yes", "danger_now": "no", "obs_not_speaking": "no",
    "obs_injuries": "no", "obs_fearful": "yes", "obs_controlled": "no",
}


@pytest.fixture
def case(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, str, dict]:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    ws = Workspace(data_dir)
    ws.create(PASSPHRASE)
    result = stored_interview(
        ws, "adult_indicators", ANSWERS_AR, lang="ar", officer_lang="en",
        person=PersonInfo(name=NAME, date_of_birth="1994-05-06", contact="+1 555 0199"),
        context=InterviewContextInput(interpreter_used=True, interpreter_language="ar"))
    case_id = result["case_id"]
    ctx = ws.store.context.get(result["interview_id"])
    ws.store.context.save(result["interview_id"], replace(
        ctx, consent_recipients=("National Human Trafficking Hotline",)))
    ws.store.referrals.save(case_id, [ReferralRecord("us-nhth", "National Human Trafficking "
                                                     "Hotline", "hotline", reason="advice")],
                            NARRATIVE)
    yield ws, case_id, result
    ws.close()


def test_packet_holds_what_the_interview_recorded(case: tuple[Workspace, str, dict]) -> None:
    ws, case_id, result = case
    packet = build_case_packet(ws, case_id, lang="es")
    assert packet.result.level == result["outcome"]["level"] == "refer"
    assert packet.instrument.content_hash == result["instrument"]["content_hash"]
    assert packet.instrument.interview_language_status == "machine"
    entry = packet.entry("job_differs")
    assert entry.asked_language == "ar" and entry.answer_asked == ("نعم",)
    assert entry.answer_report == ("Sí",) and entry.question_report
    assert packet.entry("stopped_leaving").status == "refused"
    assert packet.entry("harmed").status == "dont_know"
    ids = {e.item_id for e in packet.appendix}
    assert "fee_is_debt" not in ids  # skipped by the logic: not shown at all, never as "no"
    assert "intro" not in ids  # a note is not a question
    assert packet.consent.recipients == ("National Human Trafficking Hotline",)
    assert packet.referrals[0].contacts  # contacts come from the directory
    assert packet.narrative == NARRATIVE


def test_written_report_is_audited_and_marks_the_case_referred(
        case: tuple[Workspace, str, dict], tmp_path: Path) -> None:
    ws, case_id, _ = case
    store = ws.store
    out = tmp_path / "referral.pdf"
    digest = write_case_report(ws, case_id, out, lang="ar", password="violet harbour pdf 2026")
    import hashlib

    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    [entry] = [e for e in store.audit.entries(case_id=case_id) if e.action == "report.recorded"]
    data = attachment(out, password="violet harbour pdf 2026")
    assert entry.detail["sha256"] == digest
    assert entry.detail["data_sha256"] == hashlib.sha256(data).hexdigest()
    assert NAME.encode() not in out.read_bytes()
    text = pdftotext(out, password="violet harbour pdf 2026")
    assert NAME in text and "1-888-373-7888" in text
    assert store.cases.get(case_id).status == "referred"


def test_redacted_report_leaves_out_personal_data(case: tuple[Workspace, str, dict],
                                                  tmp_path: Path) -> None:
    ws, case_id, _ = case
    store = ws.store
    out = tmp_path / "redacted.pdf"
    write_case_report(ws, case_id, out, lang="en", redacted=True, password=None,
                      allow_plaintext=True)
    text = pdftotext(out)
    data = json.loads(attachment(out))
    for secret in (NAME, "555 0199", "ZQXNARRATIVE", "1994"):
        assert secret not in text
        assert secret not in json.dumps(data, ensure_ascii=False)
    assert "Indicators present" in text
    assert store.cases.get(case_id).status == "screened"  # a redacted copy is not a referral


def test_report_cli_exit_codes_and_encryption(case: tuple[Workspace, str, dict], data_dir: Path,
                                              tmp_path: Path) -> None:
    ws, case_id, _ = case
    store = ws.store
    reference = store.cases.get(case_id).reference
    store.close()
    out = tmp_path / "cli.pdf"
    done = run_cli("report", reference, "-o", str(out), "--lang", "ru", "--encrypt",
                   data_dir=data_dir, stdin=f"{PASSPHRASE}\nsecret pdf password\n")
    assert done.returncode == 0, done.stderr
    assert pdftotext(out, check=False) == ""  # does not open without the password
    russian = Translator("ru")("Referral packet")
    assert russian != "Referral packet"
    assert russian in pdftotext(out, password="secret pdf password")
    unasked = run_cli("report", reference, "-o", str(tmp_path / "plain.pdf"),
                      data_dir=data_dir, stdin=f"{PASSPHRASE}\n")
    assert unasked.returncode == 2 and "--plaintext" in unasked.stderr  # never by default
    assert not (tmp_path / "plain.pdf").exists()
    plain = run_cli("report", reference, "-o", str(tmp_path / "plain.pdf"), "--plaintext",
                    data_dir=data_dir, stdin=f"{PASSPHRASE}\n")
    assert plain.returncode == 0 and "NOT be encrypted" in plain.stderr
    weak = run_cli("report", reference, "-o", str(tmp_path / "weak.pdf"), "--encrypt",
                   data_dir=data_dir, stdin=f"{PASSPHRASE}\n1234\n")
    assert weak.returncode == 2 and not (tmp_path / "weak.pdf").exists()
    wrong = run_cli("report", reference, "-o", str(tmp_path / "x.pdf"), "--encrypt",
                    data_dir=data_dir, stdin="wrong passphrase entirely\n")
    assert wrong.returncode == 3 and not (tmp_path / "x.pdf").exists()
    bad_lang = run_cli("report", reference, "-o", str(tmp_path / "y.pdf"), "--lang", "qq_ZZ!",
                       "--plaintext", data_dir=data_dir, stdin=f"{PASSPHRASE}\n")
    assert bad_lang.returncode == 2 and "unknown report language" in bad_lang.stderr
    unknown = run_cli("report", "FS-0000-NOPE", "-o", str(tmp_path / "z.pdf"), "--plaintext",
                      data_dir=data_dir, stdin=f"{PASSPHRASE}\n")
    assert unknown.returncode == 2 and "no such case" in unknown.stderr


def test_a_referral_outside_the_consent_shows_the_officers_reason(
        case: tuple[Workspace, str, dict], tmp_path: Path) -> None:
    from screening.casework.referrals import save_referrals

    ws, case_id, _ = case
    reason = "ZQXOVERRIDE synthetic: the person asked to report the employer"
    police = next(s for s in ws.directory() if s.id == "us-hsi-tipline")
    helpline = ReferralRecord("us-nhth", "National Human Trafficking Hotline", "hotline",
                              reason="advice")
    save_referrals(ws.store, case_id, [helpline, ReferralRecord(
        police.id, police.name, police.kind, override_reason=reason)], NARRATIVE)
    packet = build_case_packet(ws, case_id, lang="en")
    within, outside = packet.referrals
    assert not within.outside_consent and within.override_reason is None
    assert outside.outside_consent and outside.override_reason == reason
    assert outside.contacts  # still the directory's entry
    redacted = build_case_packet(ws, case_id, lang="en", redacted=True)
    assert redacted.referrals[1].outside_consent and redacted.referrals[1].override_reason is None

    out = tmp_path / "override.pdf"
    write_case_report(ws, case_id, out, lang="en", password=None, allow_plaintext=True)
    text = " ".join(pdftotext(out).split())
    assert f"Referred outside the person's consent. Officer's reason: {reason}" in text
    dimmed = tmp_path / "override-redacted.pdf"
    write_case_report(ws, case_id, dimmed, lang="en", redacted=True, password=None,
                      allow_plaintext=True)
    text = " ".join(pdftotext(dimmed).split())
    assert "Referred outside the person's consent." in text and "ZQXOVERRIDE" not in text
    assert "ZQXOVERRIDE" not in attachment(dimmed).decode("utf-8")


def test_report_is_never_written_over_the_store(case: tuple[Workspace, str, dict],
                                                data_dir: Path, tmp_path: Path) -> None:
    """Issue #13: the service checks the target itself (the CLI and the app check first)."""
    import hashlib
    import os

    from screening.errors import ErrorCode, InputError

    ws, case_id, _ = case
    os.link(data_dir / "keyslots.json", tmp_path / "keyslots-link.pdf")
    (tmp_path / "db-link.pdf").symlink_to(data_dir / "fieldscreen.db")

    def digests() -> list[str]:  # the open database changes when it is closed (WAL)
        import json  # and the key file's anchor and attempts at every lock: not its slots

        doc = json.loads((data_dir / "keyslots.json").read_bytes())
        kept = {k: v for k, v in doc.items() if k not in ("anchor", "attempts")}
        return [hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()]

    before = digests()
    for target in (data_dir / "fieldscreen.db", data_dir / "logs" / "r.pdf",
                   tmp_path / "keyslots-link.pdf", tmp_path / "db-link.pdf",
                   device_target(tmp_path)):
        with pytest.raises(InputError) as caught:
            write_case_report(ws, case_id, target, lang="en", password=None,
                              allow_plaintext=True)
        assert caught.value.code == ErrorCode.OUTPUT_TARGET
    assert ws.store.cases.reports(case_id) == []
    ws.close()
    assert digests() == before
    assert not (data_dir / "fieldscreen.db").read_bytes().startswith(b"%PDF")
    with Workspace(data_dir).open(PASSPHRASE) as again:
        assert [c.id for c in again.store.cases.list()] == [case_id]
