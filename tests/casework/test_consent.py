"""Consent, enforced by the core: nothing personal before it, nothing at all when declined,
and its scope limits where the case may go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.casework.consent import Consent
from screening.casework.lifecycle import Declined, InterviewSetup, Started
from screening.casework.referrals import offered_services, save_referrals
from screening.errors import ErrorCode, InputError
from screening.paths import resource_path
from screening.store import PersonInfo, ReferralRecord
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import stored_interview
from tests.store.storehelp import decrypted_pages, master_key

NAME = "Oksana Synthetic-Declines"
DOB = "1988-11-23"
CONTACT = "+44 7700 900123"
DEMO = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]


def _answers_file(tmp_path: Path, consent: object | None, **extra: object) -> Path:
    doc: dict[str, object] = {"person": {"name": NAME, "date_of_birth": DOB,
                                         "contact": CONTACT}, "answers": DEMO, **extra}
    if consent is not None:
        doc["consent"] = consent
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _everything_on_disk(data_dir: Path) -> bytes:
    """Every file in the data folder, plus every page of the database decrypted (free pages
    too): what someone holding the key could recover."""
    raw = b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
    return raw + decrypted_pages(data_dir / "fieldscreen.db", master_key(data_dir))


def _init(data_dir: Path) -> None:
    done = run_cli("init", data_dir=data_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr


def test_missing_consent_is_bad_input_and_stores_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _init(data)
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(_answers_file(tmp_path, None)), data_dir=data,
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 2
    assert done.stderr.strip() == ('error: consent: no consent recorded (add "consent" to the '
                                   'answers file)')
    listed = run_cli("cases", "list", "--json", data_dir=data, stdin=PASSPHRASE + "\n")
    assert json.loads(listed.stdout) == []


def test_declined_consent_stores_nothing_about_the_person(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _init(data)
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en", "--json",
                   "--answers", str(_answers_file(tmp_path, {"given": False})), data_dir=data,
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"consent": "declined", "stored": False}
    disk = _everything_on_disk(data)
    for detail in (NAME, DOB, CONTACT, "Synthetic-Declines"):
        assert detail.encode() not in disk
        assert detail.encode("utf-16-le") not in disk
    with Workspace(data).open(PASSPHRASE) as ws:
        assert ws.store.cases.list() == []
        [entry] = [e for e in ws.store.audit.entries() if e.action == "consent.declined"]
        assert entry.case_id is None
        assert entry.detail == {"instrument_id": "adult_indicators", "officer": ""}


def test_a_declined_consent_records_no_free_text(tmp_path: Path) -> None:
    """"language" and "at" are checked: they cannot smuggle a name into the audit trail."""
    data = tmp_path / "data"
    _init(data)
    for consent, message in (
        ({"given": False, "language": "Ophelia Declinova, Room 12"}, '"language" must be'),
        ({"given": False, "at": "met Ophelia at the port"}, '"at" must be'),
    ):
        done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                       "--answers", str(_answers_file(tmp_path, consent)), data_dir=data,
                       stdin=PASSPHRASE + "\n")
        assert done.returncode == 2 and message in done.stderr
    assert b"Ophelia" not in _everything_on_disk(data)


@pytest.mark.parametrize(("consent", "message"), [
    ({"given": True, "scope": ["referral"]}, "must include 'screening'"),
    ({"given": True, "scope": ["screening", "press"]}, "unknown scope 'press'"),
    ({"given": "yes"}, '"given" must be true or false'),
    ({"given": True, "colour": "red"}, "unknown key(s) ['colour']"),
])
def test_bad_consent_is_a_clear_error(tmp_path: Path, consent: object, message: str) -> None:
    data = tmp_path / "data"
    _init(data)
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(_answers_file(tmp_path, consent)), data_dir=data,
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert "answers.json" in done.stderr


def test_a_bad_answer_stores_nothing(tmp_path: Path) -> None:
    """Answers are checked before anything is written: a typo leaves no half-made case."""
    data = tmp_path / "data"
    _init(data)
    for answers, message in (({"paid_fees": "yes"}, "no such item"),
                             ({**DEMO, "paid_fee": "maybe"}, "'maybe' is not one of")):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps({"consent": {"given": True}, "person": {"name": NAME},
                                    "answers": answers}), encoding="utf-8")
        done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                       "--answers", str(path), data_dir=data, stdin=PASSPHRASE + "\n")
        assert done.returncode == 2 and message in done.stderr, done.stderr
    listed = run_cli("cases", "list", "--json", data_dir=data, stdin=PASSPHRASE + "\n")
    assert json.loads(listed.stdout) == []
    assert NAME.encode() not in _everything_on_disk(data)


def test_details_given_for_an_existing_case_add_to_what_is_stored(ws: Workspace) -> None:
    first = stored_interview(ws, "adult_indicators", DEMO, lang="en",
                             person=PersonInfo(name=NAME, date_of_birth=DOB, contact=CONTACT,
                                               aliases=("Oksi",)))
    stored_interview(ws, "adult_indicators", DEMO, lang="en", case_id=first["case_id"],
                     person=PersonInfo(notes="second visit (synthetic)", aliases=("O.",)))
    person = ws.store.cases.get(first["case_id"]).person
    assert person is not None
    assert (person.name, person.date_of_birth, person.contact) == (NAME, DOB, CONTACT)
    assert person.notes == "second visit (synthetic)" and person.aliases == ("Oksi", "O.")


def test_declining_for_an_existing_case_adds_nothing(ws: Workspace) -> None:
    first = stored_interview(ws, "adult_indicators", DEMO, lang="en",
                             person=PersonInfo(name=NAME))
    setup = InterviewSetup(ws.catalog.find("adult_indicators"), "en")
    outcome = ws.casework.start(setup, Consent(given=False), case_id=first["case_id"],
                                person=PersonInfo(name="Another Synthetic Name"))
    assert isinstance(outcome, Declined) and outcome.case_id == first["case_id"]
    case = ws.store.cases.get(first["case_id"])
    assert len(case.interviews) == 1 and case.person is not None and case.person.name == NAME
    assert [e.case_id for e in ws.store.audit.entries() if e.action == "consent.declined"] == [
        first["case_id"]]


def test_a_failed_start_leaves_no_person_behind(ws: Workspace,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Case, interview, consent and person are one commit: a failure part-way keeps none."""
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(ws.store.cases, "update_person", broken)
    setup = InterviewSetup(ws.catalog.find("adult_indicators"), "en")
    with pytest.raises(OSError):
        ws.casework.start(setup, Consent(given=True, scope=("screening",)),
                          person=PersonInfo(name=NAME))
    assert ws.store.cases.list() == []
    assert not [e for e in ws.store.audit.entries() if e.action == "case.created"]


def test_started_interview_records_consent_before_person(ws: Workspace) -> None:
    setup = InterviewSetup(ws.catalog.find("adult_indicators"), "ar", "en")
    started = ws.casework.start(setup, Consent(given=True, scope=("screening", "referral"),
                                               language="ar"),
                                person=PersonInfo(name=NAME, date_of_birth=DOB))
    assert isinstance(started, Started)
    ctx = ws.store.context.get(started.interview_id)
    assert ctx is not None and ctx.consent_given and ctx.consent_language == "ar"
    assert ctx.consent_scope == ("screening", "referral")
    actions = [e.action for e in ws.store.audit.entries(case_id=started.case_id)]
    assert actions.index("interview.context") < actions.index("person.updated")


def _case_with_scope(ws: Workspace, scope: tuple[str, ...]) -> str:
    return stored_interview(ws, "adult_indicators", DEMO, lang="en", scope=scope)["case_id"]


def _police(ws: Workspace) -> ReferralRecord:
    service = next(s for s in ws.directory() if s.kind == "law_enforcement")
    return ReferralRecord(service.id, service.name, service.kind)


def test_scope_decides_which_services_are_offered(ws: Workspace) -> None:
    from screening.casework.consent import case_consent

    narrow = case_consent(ws.store, _case_with_scope(ws, ("screening", "referral")))
    wide = case_consent(ws.store, _case_with_scope(ws, ("screening", "referral",
                                                        "law_enforcement")))
    directory = ws.directory()
    kinds_narrow = {s.kind for s in offered_services(directory, narrow)}
    kinds_wide = {s.kind for s in offered_services(directory, wide)}
    assert "law_enforcement" not in kinds_narrow and "hotline" in kinds_narrow
    assert "law_enforcement" in kinds_wide
    shown = offered_services(directory, narrow, include_outside_consent=True)
    assert "law_enforcement" in {s.kind for s in shown}
    only_screening = case_consent(ws.store, _case_with_scope(ws, ("screening",)))
    assert offered_services(directory, only_screening) == []


def test_a_service_outside_the_consent_needs_a_reason_which_is_audited(ws: Workspace) -> None:
    case_id = _case_with_scope(ws, ("screening", "referral"))
    police = _police(ws)
    with pytest.raises(InputError) as refused:
        save_referrals(ws.store, case_id, [police], None)
    assert refused.value.code is ErrorCode.CONSENT_SCOPE
    assert ws.store.referrals.get(case_id)[0] == []
    reason = "Person later asked the officer to report the employer (synthetic)"
    chosen = ReferralRecord(police.service_id, police.service_name, police.kind,
                            override_reason=reason)
    save_referrals(ws.store, case_id, [chosen], None)
    save_referrals(ws.store, case_id, [chosen], "narrative")  # saved again: audited once
    [stored], _ = ws.store.referrals.get(case_id)
    assert stored.override_reason == reason
    overrides = [e for e in ws.store.audit.entries(case_id=case_id)
                 if e.action == "referral.override"]
    assert len(overrides) == 1
    assert overrides[0].detail == {"service_id": police.service_id,
                                   "scope_needed": "law_enforcement", "reason": reason}


def test_a_full_packet_needs_consent_to_share(ws: Workspace, tmp_path: Path) -> None:
    from screening.reports.service import write_case_report

    case_id = _case_with_scope(ws, ("screening",))
    with pytest.raises(InputError) as refused:
        write_case_report(ws, case_id, tmp_path / "full.pdf", lang="en", password=None,
                          allow_plaintext=True)
    assert refused.value.code is ErrorCode.CONSENT_SHARING
    assert not (tmp_path / "full.pdf").exists()
    write_case_report(ws, case_id, tmp_path / "redacted.pdf", lang="en", redacted=True,
                      password=None, allow_plaintext=True)
    assert (tmp_path / "redacted.pdf").stat().st_size > 0


def test_a_packet_or_export_password_is_never_the_store_passphrase(
        ws: Workspace, tmp_path: Path) -> None:
    from screening.reports.service import write_case_report

    case_id = _case_with_scope(ws, ("screening", "referral"))
    with pytest.raises(InputError, match="must differ from the store's passphrase"):
        write_case_report(ws, case_id, tmp_path / "p.pdf", lang="en", password=PASSPHRASE)
    with pytest.raises(InputError, match="must differ from the store's passphrase"):
        ws.store.export(tmp_path / "e.json.enc", "json", password=PASSPHRASE)
    assert not (tmp_path / "p.pdf").exists() and not (tmp_path / "e.json.enc").exists()
