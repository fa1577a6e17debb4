"""Referral details (issue #15): what a receiving agency needs, entered in the answers file of
`fieldscreen interview` or with `fieldscreen referrals set`, checked by one core service,
kept encrypted in the store only with a consent on record, and removed with the case."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from screening.casework.referral_details import (
    FIELDS,
    DetailError,
    ReferralDetails,
    ReferralUpdate,
    load_referral_details,
    parse_referral,
    save_referral_details,
)
from screening.errors import ErrorCode, InputError
from screening.paths import resource_path
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import SAMPLE_REFERRAL, stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
DETAILS = {k: v for k, v in SAMPLE_REFERRAL.items() if k != "reason"}


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, data_dir=data, stdin=PASSPHRASE + "\n")


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _refused(done: subprocess.CompletedProcess, *needles: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr


def _interview(tmp_path: Path, data: Path, referral: Any, *,
               given: bool = True) -> subprocess.CompletedProcess:
    path = tmp_path / "answers.json"
    doc: dict[str, Any] = {"consent": {"given": given, "scope": ["screening", "referral"]},
                           "person": {"name": "Lena Synthetic-Details"}, "answers": ANSWERS}
    if referral is not None:
        doc["referral"] = referral
    path.write_text(json.dumps(doc), encoding="utf-8")
    return _cli(data, "interview", "--instrument", "adult_indicators", "--lang", "en",
                "--answers", str(path), "--json")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    _ok(run_cli("init", data_dir=folder, stdin=PASSPHRASE + "\n" + PASSPHRASE + "\n"))
    return folder


def test_the_answers_file_stores_every_detail_encrypted_with_the_reason_as_narrative(
        tmp_path: Path, data: Path) -> None:
    case = json.loads(_ok(_interview(tmp_path, data, SAMPLE_REFERRAL)))["case_id"]
    shown = json.loads(_ok(_cli(data, "referrals", "show", case, "--json")))
    assert shown["referral"] == SAMPLE_REFERRAL  # every key, as given (the same shape)
    assert shown["narrative"] == SAMPLE_REFERRAL["reason"]
    with Workspace(data).open(PASSPHRASE) as ws:
        details = load_referral_details(ws.store, case)
        entries = [e for e in ws.store.audit.entries(case_id=case)
                   if e.action == "case.referral_details"]
    assert details.to_json() == DETAILS
    # The audit trail names the fields entered, never what was entered.
    assert entries and set(entries[0].detail["fields"]) == {
        k for k, v in DETAILS.items() if v is not None}
    assert "Boss K." not in json.dumps([e.detail for e in entries])
    for path in data.rglob("*"):  # encrypted: no detail in clear anywhere on disk
        if path.is_file():
            raw = path.read_bytes()
            for marker in ("Boss K.", "CR/2026/0042-SYN", "Example County", "Synthetic farm"):
                assert marker.encode() not in raw, (path, marker)


def test_a_declined_consent_stores_no_detail(tmp_path: Path, data: Path) -> None:
    done = _interview(tmp_path, data, SAMPLE_REFERRAL, given=False)
    assert json.loads(_ok(done)) == {"consent": "declined", "stored": False}
    with Workspace(data).open(PASSPHRASE) as ws:
        assert ws.store.cases.list() == []
        rows = ws.store._handle.conn.execute("SELECT COUNT(*) FROM referral_details")
        assert rows.fetchone()[0] == 0


@pytest.mark.parametrize(("referral", "message"), [
    ("a safe place", "referral must be an object"),
    ({"safe_place": "x"}, "referral.safe_place: unknown key"),
    ({"contact_methods": ["call", "pigeon"]}, "referral.contact_methods: must be a list of: call"),
    ({"contact_methods": "call"}, "referral.contact_methods: must be a list of"),
    ({"accommodation": "castle"}, "referral.accommodation: must be one of: own_home"),
    ({"exploitation_types": ["labour", 3]}, "referral.exploitation_types: must be a list"),
    ({"other_victims_children": -1}, "referral.other_victims_children: must be a whole number"),
    ({"other_victims_adults": "five"}, "referral.other_victims_adults: must be a whole number"),
    ({"other_victims_children": True}, "referral.other_victims_children: must be a whole"),
    ({"exploitation_from": "March 2025"}, "referral.exploitation_from: must be a month"),
    ({"exploitation_from": "2025-02-30"}, "referral.exploitation_from: must be a month"),
    ({"exploitation_from": "2999-01"}, "referral.exploitation_from: the date is in the future"),
    ({"exploitation_from": "2025-05", "exploitation_to": "2025-04-30"},
     "referral.exploitation_to: the end is before the beginning"),
    ({"exploitation_to": "2025-05", "exploitation_ongoing": True},
     "referral.exploitation_to: an exploitation that is still going on has no end date"),
    ({"exploitation_ongoing": "yes"}, "referral.exploitation_ongoing: must be true or false"),
    ({"police_informed": "yes"}, "referral.police_informed: must be true, false"),
    ({"police_informed": False, "police_reference": "CR-1"},
     "referral.police_reference: a police reference means the police were informed"),
    ({"current_location": "line one\nline two"}, "referral.current_location: must be one line"),
    ({"police_reference": "x" * 101}, "referral.police_reference: must be one line of at most 100"),
    ({"exploiters": "x" * 2001}, "referral.exploiters: must be text of at most 2000"),
    ({"exploiters": 42}, "referral.exploiters: must be text"),
    ({"reason": ["why"]}, "referral.reason must be text"),
])
def test_a_bad_detail_stops_the_interview_naming_the_key_and_stores_nothing(
        tmp_path: Path, data: Path, referral: Any, message: str) -> None:
    done = _interview(tmp_path, data, referral)
    _refused(done, "answers.json", message)
    with Workspace(data).open(PASSPHRASE) as ws:
        assert ws.store.cases.list() == []  # no half-made case


def test_referrals_set_takes_the_same_object_and_keeps_what_it_leaves_out(
        tmp_path: Path, data: Path) -> None:
    case = json.loads(_ok(_interview(tmp_path, data, None)))["case_id"]
    path = tmp_path / "referral.json"

    def set_file(doc: dict[str, Any]) -> subprocess.CompletedProcess:
        path.write_text(json.dumps(doc), encoding="utf-8")
        return _cli(data, "referrals", "set", case, "--file", str(path))

    def shown() -> dict[str, Any]:
        return json.loads(_ok(_cli(data, "referrals", "show", case, "--json")))

    _ok(set_file({"services": [{"id": "us-nhth", "reason": "advice"}],
                  "referral": SAMPLE_REFERRAL}))
    assert shown()["referral"] == SAMPLE_REFERRAL
    # Details alone: the services and the reason stay; a key left out keeps its value,
    # null clears one; lists come back in the vocabulary's order.
    _ok(set_file({"referral": {"police_reference": None, "wants": ["no_police", "medical"]}}))
    after = shown()
    assert [s["id"] for s in after["services"]] == ["us-nhth"]
    assert after["narrative"] == SAMPLE_REFERRAL["reason"]
    assert after["referral"]["police_reference"] is None
    assert after["referral"]["police_informed"] is True
    assert after["referral"]["wants"] == ["medical", "no_police"]
    assert after["referral"]["exploiters"] == SAMPLE_REFERRAL["exploiters"]
    # Services alone (as before #15): the narrative left out now stays.
    _ok(set_file({"services": []}))
    assert shown()["narrative"] == SAMPLE_REFERRAL["reason"]
    _ok(set_file({"services": [], "narrative": "Another synthetic reason"}))
    assert shown()["referral"]["reason"] == "Another synthetic reason"
    # The reason twice, differently; an unknown detail; an unknown top-level key.
    _refused(set_file({"narrative": "a", "referral": {"reason": "b"}}), "give it once")
    _refused(set_file({"referral": {"colour": "red"}}), "referral.colour: unknown key")
    _refused(set_file({"referal": {}}), "unknown key(s) ['referal']")
    # A refused file changes nothing, not even the valid part before the bad key.
    _refused(set_file({"services": [{"id": "us-nhth"}],
                       "referral": {"exploiters": "changed", "exploitation_to": "2024-01"}}),
             "referral.exploitation_to")
    assert shown()["referral"]["exploiters"] == SAMPLE_REFERRAL["exploiters"]


def test_nothing_is_stored_without_a_consent_on_record(ws: Workspace) -> None:
    case_id = str(stored_interview(ws, "adult_indicators", ANSWERS, lang="en")["case_id"])
    update = parse_referral({"exploiters": "Synthetic exploiter"})
    assert save_referral_details(ws.store, case_id, update).exploiters == "Synthetic exploiter"
    [interview] = ws.store.cases.get(case_id).interviews
    ws.store.context.withdraw_consent(interview.id)
    with pytest.raises(InputError) as refused:
        save_referral_details(ws.store, case_id, parse_referral({"exploiters": "More"}))
    assert refused.value.code == ErrorCode.CONSENT_MISSING
    assert load_referral_details(ws.store, case_id).exploiters == "Synthetic exploiter"


def test_deleting_the_case_deletes_its_details(ws: Workspace) -> None:
    case_id = str(stored_interview(ws, "adult_indicators", ANSWERS, lang="en")["case_id"])
    save_referral_details(ws.store, case_id, parse_referral(DETAILS))
    ws.store.cases.delete(case_id)
    count = ws.store._handle.conn.execute("SELECT COUNT(*) FROM referral_details")
    assert count.fetchone()[0] == 0


def test_fields_are_data_with_labels_and_every_one_round_trips() -> None:
    names = [f.name for f in FIELDS]
    assert names == list(ReferralDetails().to_json()) == list(DETAILS)
    assert all(f.label for f in FIELDS)
    full = ReferralDetails.from_json(DETAILS)
    assert ReferralDetails.from_json(full.to_json()) == full
    assert not full.empty and ReferralDetails().empty
    # A code's label comes from the same table the packet and the app use.
    spec = next(f for f in FIELDS if f.name == "accommodation")
    assert spec.label_of("employer") == "Provided by the employer or the exploiters"
    with pytest.raises(DetailError) as bad:
        ReferralDetails().updated({"wants": ["everything"]})
    assert (bad.value.field, bad.value.problem) == ("wants", "choices")
    assert "everything" not in repr(ReferralUpdate({"exploiters": "everything"}))


def test_case_json_carries_the_details_and_refuses_bad_ones_as_altered() -> None:
    from screening.handover import casefile
    from screening.handover.keys import Altered
    from screening.store import AuditAnchor, InterviewMeta
    from screening.store.models import Interview

    meta = InterviewMeta("adult_indicators", "1", "sha256:" + "0" * 64, "en", "en")
    interview = Interview("i1", "c1", meta, "finished", {"outcome": {"level": "refer"}}, None,
                          "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00",
                          "2026-01-01T00:00:00+00:00")
    sender = casefile.Sender("store", "Officer Synthetic", "Agency", AuditAnchor(1, "a" * 64),
                             phone="+00 000", email="o@example.org")
    doc = casefile.build(document_id="d", packet_sha256="b" * 64, created_at="now",
                         sender=sender, recipient={"public_key": "age1x"}, reference="R",
                         case_created_at="now", person=None, interview=interview,
                         context=None, answers={}, referrals=[], narrative="why",
                         details=ReferralDetails.from_json(DETAILS))
    parsed = casefile.parse(json.loads(json.dumps(doc)))
    assert parsed.details.to_json() == DETAILS
    assert (parsed.sender.phone, parsed.sender.email) == ("+00 000", "o@example.org")
    older = json.loads(json.dumps(doc))  # a packet from before the details: none
    del older["referrals"]["details"], older["sender"]["phone"], older["sender"]["email"]
    assert casefile.parse(older).details.empty
    doc["referrals"]["details"]["wants"] = ["a secret"]
    with pytest.raises(Altered) as altered:
        casefile.parse(doc)
    assert "referrals.details" in str(altered.value) and "secret" not in str(altered.value)
