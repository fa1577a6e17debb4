"""Recipient-key hand-over (issue #15): an officer hands a case over to a caseworker's agency
key; the caseworker's FieldScreen receives it as a new case with the same answers and
outcome. The packet opens with the standard `age` tool; an altered packet, the wrong key and
an unknown recipient are refused with exit 2 and nothing stored."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from screening.casework.preferences import OfficerProfile
from screening.casework.referral_details import (
    load_referral_details,
    parse_referral,
    save_referral_details,
)
from screening.paths import resource_path
from screening.store import PersonInfo
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import SAMPLE_REFERRAL, stored_interview
from tests.reports.pdftools import one_line, pdftotext

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
NAME = "Lena Synthetic-Handover"
ALIAS = "L. Synthetic"
PHONE = "+962 79 555 1234"
OFFICER = "Officer Synthetic-Sender"
AGENCY = "Synthetic Border Unit"
OFFICER_PHONE = "+962 6 555 0100"
OFFICER_EMAIL = "officer.synthetic@example.org"
DETAILS = {k: v for k, v in SAMPLE_REFERRAL.items() if k != "reason"}
SERVICE = "us-example-shelter"
IDENTITY_PASSPHRASE = "lantern orchard violet mariner 77"
ALTERED = "the packet was altered or is not a FieldScreen referral"


def _age() -> str:
    path = shutil.which("age")
    if path is None:
        pytest.skip("the age tool is not installed (Debian package `age`)")
    return path


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def _refused(done: subprocess.CompletedProcess, *needles: str, code: int = 2) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr


def _officer(root: Path, scope: tuple[str, ...] = ("screening", "referral")
             ) -> tuple[Path, str]:
    data = root / "officer"
    with Workspace(data) as ws:
        ws.create(PASSPHRASE)
        ws.preferences.save_officer_profile(OfficerProfile(
            name=OFFICER, agency=AGENCY, phone=OFFICER_PHONE, email=OFFICER_EMAIL))
        done = stored_interview(ws, "adult_indicators", ANSWERS, lang="en", scope=scope,
                                person=PersonInfo(name=NAME, aliases=(ALIAS,),
                                                  contact=PHONE))
        save_referral_details(ws.store, str(done["case_id"]), parse_referral(DETAILS))
    return data, str(done["case_id"])


def _caseworker(root: Path, name: str = "caseworker") -> Path:
    data = root / name
    with Workspace(data) as ws:
        ws.create(PASSPHRASE)
    return data


def _keys_new(path: Path, *, protect: str | None = None) -> dict:
    args = ["keys", "new", "-o", str(path), "--json"] + (["--protect"] if protect else [])
    return json.loads(_ok(run_cli(*args, stdin=(protect + "\n") if protect else "")))


def _directory_with_key(root: Path, data: Path, public_key: str) -> None:
    """The officer's directory, with the caseworker's agency key on one service's row."""
    lines = resource_path("referrals", "us.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",age_recipient"]
    rows += [line + "," + (public_key if line.startswith(SERVICE + ",") else "")
             for line in lines[1:]]
    csv = root / "team.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _ok(run_cli("directory", "import", str(csv), data_dir=data, stdin=PASSPHRASE + "\n"))


def _choose_service(root: Path, data: Path, case: str) -> None:
    choices = root / "referrals.json"
    choices.write_text(json.dumps({"services": [{"id": SERVICE, "reason": "needs a bed"}],
                                   "narrative": "Synthetic narrative for the shelter."}),
                       encoding="utf-8")
    _ok(run_cli("referrals", "set", case, "--file", str(choices), data_dir=data,
                stdin=PASSPHRASE + "\n"))


def _send(data: Path, case: str, to: str, out: Path, *extra: str
          ) -> subprocess.CompletedProcess:
    return run_cli("report", case, "--to", to, "-o", str(out), *extra, data_dir=data,
                   stdin=PASSPHRASE + "\n")


def _receive(data: Path, packet: Path, identity: Path, *extra: str,
             stdin: str = PASSPHRASE + "\n") -> subprocess.CompletedProcess:
    return run_cli("receive", str(packet), "--identity", str(identity), *extra,
                   data_dir=data, stdin=stdin)


def _case_count(data: Path) -> int:
    with Workspace(data).open(PASSPHRASE) as ws:
        return len(ws.store.cases.list())


def _interview_record(ws: Workspace, case_id: str) -> dict:
    """What a case holds, in a form both sides can be compared in."""
    store = ws.store
    case = store.cases.get(case_id)
    [interview] = case.interviews
    answers = store.interviews.load_answers(interview.id)
    ctx = store.context.get(interview.id)
    records, narrative = store.referrals.get(case_id)
    assert interview.result is not None
    return {
        "person": case.person,
        "answers": {k: (a.value, a.special, a.language, a.note, a.relevant)
                    for k, a in answers.items()},
        "outcome": interview.result["outcome"]["level"],
        "indicators": sorted(i["name"] for i in interview.result["indicators"]),
        "flags": sorted(f["name"] for f in interview.result["flags"]),
        "instrument": (interview.meta.instrument_id, interview.meta.content_hash),
        "languages": (interview.meta.respondent_language, interview.meta.officer_language),
        "consent": (ctx.consent_given, tuple(ctx.consent_scope), ctx.consent_at,
                    ctx.consent_language) if ctx else None,
        "referrals": (records, narrative),
        "details": load_referral_details(store, case_id),
    }


@pytest.fixture
def handover(tmp_path: Path) -> dict:
    """An officer's case, a caseworker's agency key in the officer's directory, and the
    packet the officer handed over."""
    officer, case = _officer(tmp_path)
    identity = tmp_path / "agency.key"
    key = _keys_new(identity)
    _directory_with_key(tmp_path, officer, key["public_key"])
    _choose_service(tmp_path, officer, case)
    packet = tmp_path / "referral.age"
    _ok(_send(officer, case, SERVICE, packet))
    return {"officer": officer, "case": case, "identity": identity, "key": key,
            "packet": packet}


def test_keys_new_writes_an_age_keygen_identity_readable_by_its_owner_only(
        tmp_path: Path) -> None:
    identity = tmp_path / "agency.key"
    key = _keys_new(identity)
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    lines = identity.read_text(encoding="ascii").splitlines()
    assert lines[0].startswith("# created: ") and lines[0].endswith("Z")
    assert lines[1] == f"# public key: {key['public_key']}"
    assert lines[2].startswith("AGE-SECRET-KEY-1") and len(lines) == 3
    assert key["public_key"].startswith("age1")
    digest = hashlib.sha256(key["public_key"].encode()).hexdigest()[:16]
    assert key["fingerprint"] == " ".join(digest[i:i + 4] for i in range(0, 16, 4))
    # The real age tool accepts the file and derives the same public key from it.
    age_keygen = shutil.which("age-keygen") or pytest.skip("age-keygen is not installed")
    derived = subprocess.run([age_keygen, "-y", str(identity)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert derived == key["public_key"]
    shown = json.loads(_ok(run_cli("keys", "show", str(identity), "--json")))
    assert shown == {"public_key": key["public_key"], "fingerprint": key["fingerprint"]}
    # Never over an existing file (an agency's only key may be there), never in the data dir.
    before = identity.read_bytes()
    _refused(run_cli("keys", "new", "-o", str(identity)), "does not replace")
    assert identity.read_bytes() == before
    data = _caseworker(tmp_path)
    _refused(run_cli("keys", "new", "-o", str(data / "key.txt"), data_dir=data),
             "inside FieldScreen's data folder")
    assert not (data / "key.txt").exists()


def test_officer_to_caseworker_same_answers_and_outcome_on_both_sides(
        tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker(tmp_path)
    pdf_out = tmp_path / "received.pdf"
    doc = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                  "--json", "--pdf-out", str(pdf_out))))
    assert doc["same_outcome"] is True
    with Workspace(handover["officer"]).open(PASSPHRASE) as ws:
        sent = _interview_record(ws, handover["case"])
        [sent_interview] = ws.store.cases.get(handover["case"]).interviews
        officer_store = ws.store.store_id
        officer_reference = ws.store.cases.get(handover["case"]).reference
        audit = ws.store.audit.entries()
        [sent_entry] = [e for e in audit if e.action == "referral.sent"]
        anchor_hashes = {e.id: e.hash for e in audit}
    with Workspace(caseworker).open(PASSPHRASE) as ws:
        [summary] = ws.store.cases.list()
        assert summary.id == doc["case_id"] and summary.name == NAME
        received = _interview_record(ws, doc["case_id"])
        assert ws.store.cases.get(doc["case_id"]).reference == officer_reference
        [entry] = [e for e in ws.store.audit.entries() if e.action == "referral.received"]
        [interview] = ws.store.cases.get(doc["case_id"]).interviews
        assert interview.meta.officer == OFFICER
        # When the person was really interviewed, not when the packet was imported.
        assert (interview.created_at, interview.finished_at) == (
            sent_interview.created_at, sent_interview.finished_at)
    assert doc["outcome_label"]  # words, not only the code
    assert received == sent
    assert sent["details"].to_json() == DETAILS  # the referral details came along
    assert sent["outcome"] == doc["outcome"] == "refer"
    assert sent["person"].aliases == (ALIAS,)
    # Provenance: who sent it, when, and the sender's audit head at that moment.
    anchor = entry.detail["sender_audit_anchor"]
    assert entry.detail["sender_store_id"] == officer_store
    assert entry.detail["sender_agency"] == AGENCY
    assert anchor_hashes[anchor["entry_id"]] == anchor["digest"]
    assert doc["from"]["officer"] == OFFICER
    assert (doc["from"]["phone"], doc["from"]["email"]) == (OFFICER_PHONE, OFFICER_EMAIL)
    fingerprint = handover["key"]["fingerprint"]
    assert entry.detail["recipient_fingerprint"] == fingerprint
    assert sent_entry.detail["recipient_fingerprint"] == fingerprint
    assert sent_entry.detail["document_id"] == entry.detail["document_id"]
    for detail in (entry.detail, sent_entry.detail):  # ids and fingerprints, no person data
        text = json.dumps(detail, ensure_ascii=False)
        assert NAME not in text and ALIAS not in text and PHONE not in text
        assert OFFICER_PHONE not in text and DETAILS["exploiters"] not in text
    # The PDF that came with it: the full packet, its cover naming the key it was sent to.
    text = one_line(pdftotext(pdf_out))
    assert NAME in text
    assert f"Recipient key fingerprint {fingerprint}" in text


def test_the_packet_opens_with_the_real_age_tool_into_the_documented_container(
        tmp_path: Path, handover: dict) -> None:
    out = tmp_path / "container.zip"
    subprocess.run([_age(), "-d", "-i", str(handover["identity"]), "-o", str(out),
                    str(handover["packet"])], check=True, capture_output=True)
    with zipfile.ZipFile(out) as zf:
        names = sorted(zf.namelist())
        members = {n: zf.read(n) for n in names}
    assert names == ["case.json", "instrument.json", "manifest.json", "referral.pdf"]
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == "fieldscreen-handover/1"
    for name in ("case.json", "instrument.json", "referral.pdf"):
        assert manifest["members"][name] == {
            "sha256": hashlib.sha256(members[name]).hexdigest(), "size": len(members[name])}
    case = json.loads(members["case.json"])
    assert case["format"] == "fieldscreen-case/1"
    assert case["case"]["person"]["name"] == NAME
    assert case["recipient"]["fingerprint"] == handover["key"]["fingerprint"]
    meta = case["interview"]["meta"]
    assert meta["content_hash"] == "sha256:" + hashlib.sha256(
        members["instrument.json"]).hexdigest()
    assert members["referral.pdf"].startswith(b"%PDF")
    assert case["referrals"]["services"][0]["service_id"] == SERVICE
    assert case["referrals"]["details"] == DETAILS
    assert case["sender"]["phone"] == OFFICER_PHONE
    # Nothing of the person in plaintext on disk at the sender's side.
    assert NAME.encode() not in handover["packet"].read_bytes()


def test_a_protected_identity_works_and_its_wrong_passphrase_is_refused(
        tmp_path: Path) -> None:
    officer, case = _officer(tmp_path)
    caseworker = _caseworker(tmp_path)
    identity = tmp_path / "protected.key"
    weak = run_cli("keys", "new", "-o", str(identity), "--protect", stdin="password\n")
    _refused(weak, "too weak")
    assert not identity.exists()
    key = _keys_new(identity, protect=IDENTITY_PASSPHRASE)
    raw = identity.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n-> scrypt ")  # as `age -p` writes it
    assert b"AGE-SECRET-KEY" not in raw and key["protected"] is True
    packet = tmp_path / "direct.age"
    _ok(_send(officer, case, key["public_key"], packet))  # a key given directly, no directory
    _refused(_receive(caseworker, packet, identity,
                      stdin=PASSPHRASE + "\nnot the identity passphrase\n"),
             "identity passphrase is not right", code=3)
    assert _case_count(caseworker) == 0
    doc = json.loads(_ok(_receive(caseworker, packet, identity, "--json",
                                  stdin=PASSPHRASE + "\n" + IDENTITY_PASSPHRASE + "\n")))
    assert doc["outcome"] == "refer" and _case_count(caseworker) == 1


def _decrypted_members(packet: Path, identity: Path) -> dict[str, bytes]:
    done = subprocess.run([_age(), "-d", "-i", str(identity), str(packet)],
                          capture_output=True, check=True)
    with zipfile.ZipFile(io.BytesIO(done.stdout)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _reencrypt(members: dict[str, bytes], public_key: str, out: Path) -> None:
    """A container rebuilt by someone who has the recipient's public key, encrypted with the
    real age tool."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    subprocess.run([_age(), "-r", public_key, "-o", str(out)], input=buf.getvalue(),
                   check=True, capture_output=True)


def test_an_altered_packet_is_refused_and_nothing_is_stored(
        tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker(tmp_path)
    pdf_out = tmp_path / "never.pdf"
    data = bytearray(handover["packet"].read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the encrypted payload
    flipped = tmp_path / "flipped.age"
    flipped.write_bytes(bytes(data))
    _refused(_receive(caseworker, flipped, handover["identity"], "--pdf-out", str(pdf_out)),
             ALTERED)

    members = _decrypted_members(handover["packet"], handover["identity"])
    case = json.loads(members["case.json"])
    case["interview"]["answers"][0]["value"] = "no" if \
        case["interview"]["answers"][0]["value"] == "yes" else "yes"
    swapped = tmp_path / "swapped.age"  # case.json swapped, the manifest left as it was
    _reencrypt({**members, "case.json": json.dumps(case).encode()},
               handover["key"]["public_key"], swapped)
    _refused(_receive(caseworker, swapped, handover["identity"]), ALTERED, "case.json")

    missing = tmp_path / "missing.age"
    _reencrypt({n: d for n, d in members.items() if n != "instrument.json"},
               handover["key"]["public_key"], missing)
    _refused(_receive(caseworker, missing, handover["identity"]), ALTERED)

    not_age = tmp_path / "not-age.age"
    not_age.write_bytes(b"PK\x03\x04 a zip, not an age file")
    _refused(_receive(caseworker, not_age, handover["identity"]), ALTERED)
    assert _case_count(caseworker) == 0
    assert not pdf_out.exists()
    # The untouched packet still goes in.
    _ok(_receive(caseworker, handover["packet"], handover["identity"]))
    assert _case_count(caseworker) == 1


def test_the_wrong_identity_is_refused_clearly(tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker(tmp_path)
    other = tmp_path / "other.key"
    other_key = _keys_new(other)
    _refused(_receive(caseworker, handover["packet"], other),
             "not addressed to your key", other_key["fingerprint"])
    _refused(_receive(caseworker, handover["packet"], tmp_path / "no-such.key"),
             "no such identity file")
    not_identity = tmp_path / "notes.txt"
    not_identity.write_text("just some notes\n", encoding="utf-8")
    _refused(_receive(caseworker, handover["packet"], not_identity), "not an age identity")
    assert _case_count(caseworker) == 0


def test_a_recipient_without_a_key_in_the_directory_is_refused(tmp_path: Path) -> None:
    officer, case = _officer(tmp_path)
    out = tmp_path / "out.age"
    _refused(_send(officer, case, "no-such-service", out),
             "no service 'no-such-service' in the referral directory")
    _refused(_send(officer, case, "us-nhth", out), "service 'us-nhth' has no age public key")
    # A malformed key is refused before any passphrase is asked (empty standard input).
    bad = run_cli("report", case, "--to", "age1notakey", "-o", str(out), data_dir=officer)
    _refused(bad, "--to: not a valid age public key")
    _refused(_send(officer, case, "us-nhth", tmp_path / "out.pdf"), "must end in .age")
    assert not out.exists()


def test_the_consent_rule_of_a_full_packet_applies(tmp_path: Path) -> None:
    officer, case = _officer(tmp_path, scope=("screening",))
    key = _keys_new(tmp_path / "agency.key")
    out = tmp_path / "out.age"
    _refused(_send(officer, case, key["public_key"], out), "consent does not cover sharing")
    assert not out.exists()
    with Workspace(officer).open(PASSPHRASE) as ws:
        assert not [e for e in ws.store.audit.entries() if e.action == "referral.sent"]
    # As for a full PDF, the officer's reason lets it go (audited, printed on page 1).
    reason = "Synthetic override: the person is in immediate danger"
    _ok(_send(officer, case, key["public_key"], out, "--override-reason", reason))
    with Workspace(officer).open(PASSPHRASE) as ws:
        actions = [e.action for e in ws.store.audit.entries()]
    assert "referral.sent" in actions and "report.consent_override" in actions
    members = _decrypted_members(out, tmp_path / "agency.key")
    pdf = tmp_path / "override.pdf"
    pdf.write_bytes(members["referral.pdf"])
    assert reason in one_line(pdftotext(pdf))


def test_a_bad_key_in_the_directory_names_file_line_and_column(tmp_path: Path) -> None:
    officer, _case = _officer(tmp_path)
    lines = resource_path("referrals", "us.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",age_recipient", lines[1] + ",", lines[2] + ",age1thisisnotakey"]
    csv = tmp_path / "keys.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = run_cli("directory", "import", str(csv), data_dir=officer, stdin=PASSPHRASE + "\n")
    column = lines[0].count(",") + 2
    _refused(done, f"keys.csv:3, column {column}: age_recipient: not a valid age public key")


def test_identity_file_and_packet_never_carry_plaintext_outside_them(
        tmp_path: Path, handover: dict) -> None:
    """Sending leaves exactly one new file (the packet): no plaintext PDF or temp file."""
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(
        ["agency.key", "referral.age", "referrals.json", "team.csv"])
    assert stat.S_IMODE(os.stat(handover["packet"]).st_mode) & 0o077 == 0


# -- the same packet twice, an updated one, and where a received case came from (#15 review) --
def _audit(data: Path, action: str) -> list:
    with Workspace(data).open(PASSPHRASE) as ws:
        return [e for e in ws.store.audit.entries() if e.action == action]


def test_the_same_packet_twice_is_refused_naming_the_case_unless_again(
        tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker(tmp_path)
    first = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                    "--json")))
    assert first["earlier"] is None and first["again"] is False
    # Received a second time by mistake: refused, exit 2 (the input is the problem), naming
    # the case that holds it; nothing stored; the refusal is audited on that case.
    again = _receive(caseworker, handover["packet"], handover["identity"])
    _refused(again, "already received", f"it is case {first['reference']}", "--again")
    assert _case_count(caseworker) == 1
    [refusal] = _audit(caseworker, "referral.already_received")
    assert refusal.case_id == first["case_id"]
    assert refusal.detail["relation"] == "same"
    assert refusal.detail["document_id"] == first["from"]["document_id"]
    # --again: imported as a separate case, which says what it repeats (audited too).
    doc = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                  "--again", "--json")))
    assert doc["again"] is True and doc["reference"] != first["reference"]
    assert doc["earlier"]["relation"] == "same"
    assert doc["earlier"]["reference"] == first["reference"]
    assert _case_count(caseworker) == 2
    entries = _audit(caseworker, "referral.received")
    assert [e.case_id for e in entries] == [first["case_id"], doc["case_id"]]
    assert "relation" not in entries[0].detail
    assert entries[1].detail["earlier_case_id"] == first["case_id"]
    assert (entries[1].detail["relation"], entries[1].detail["again"]) == ("same", True)


def test_an_updated_referral_is_recognised_and_an_older_one_refused(
        tmp_path: Path, handover: dict) -> None:
    """The officer sends the case three times (e.g. with corrected details); the caseworker
    gets the first and the third, then the second arrives late."""
    officer, case = handover["officer"], handover["case"]
    second, third = tmp_path / "second.age", tmp_path / "third.age"
    _ok(_send(officer, case, SERVICE, second))
    _ok(_send(officer, case, SERVICE, third))
    caseworker = _caseworker(tmp_path)
    first = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                    "--json")))
    done = _receive(caseworker, third, handover["identity"], "--json")
    updated = json.loads(_ok(done))
    assert updated["earlier"]["relation"] == "newer"
    assert updated["earlier"]["reference"] == first["reference"]
    assert f"updated referral for case {first['reference']}" in done.stderr
    assert updated["reference"] != first["reference"] and _case_count(caseworker) == 2
    late = _receive(caseworker, second, handover["identity"])
    _refused(late, f"older referral for case {updated['reference']}", "--again")
    assert _case_count(caseworker) == 2
    forced = json.loads(_ok(_receive(caseworker, second, handover["identity"], "--again",
                                     "--json")))
    assert (forced["earlier"]["relation"], forced["again"]) == ("older", True)
    with Workspace(caseworker).open(PASSPHRASE) as ws:  # the first case is untouched
        assert _interview_record(ws, first["case_id"])["answers"] == _interview_record(
            ws, updated["case_id"])["answers"]
        shown = ws.store.cases.received_from(updated["case_id"])
        assert shown is not None and shown.relation == "newer"
        assert shown.earlier_reference == first["reference"]


def test_cases_list_and_show_say_who_sent_a_received_case(
        tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker(tmp_path)
    with Workspace(caseworker).open(PASSPHRASE) as ws:
        local = ws.store.cases.create(person=PersonInfo(name="Local Synthetic-Person"))
    doc = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                  "--json")))
    rows = json.loads(_ok(run_cli("cases", "list", "--json", data_dir=caseworker,
                                  stdin=PASSPHRASE + "\n")))
    by_id = {r["id"]: r for r in rows}
    assert by_id[local]["received_from"] is None
    sender = by_id[doc["case_id"]]["received_from"]
    assert sender["agency"] == AGENCY and sender["officer"] == OFFICER
    assert sender["sent_at"] == doc["from"]["sent_at"]
    assert sender["received_at"] and sender["document_id"] == doc["from"]["document_id"]
    assert sender["sender_case_reference"] == doc["from"]["sender_case_reference"]
    table = _ok(run_cli("cases", "list", data_dir=caseworker, stdin=PASSPHRASE + "\n"))
    [line] = [x for x in table.splitlines() if x.startswith(doc["reference"])]
    assert "FROM" in table.splitlines()[0] and AGENCY[:20] in line
    shown = json.loads(_ok(run_cli("cases", "show", doc["reference"], "--json",
                                   data_dir=caseworker, stdin=PASSPHRASE + "\n")))
    got = shown["received_from"]
    assert (got["phone"], got["email"]) == (OFFICER_PHONE, OFFICER_EMAIL)
    assert got["recipient_fingerprint"] == handover["key"]["fingerprint"]
    assert got["sender_audit_anchor"] == doc["from"]["sender_audit_anchor"]
    assert got["earlier"] is None
    text = _ok(run_cli("cases", "show", doc["reference"], data_dir=caseworker,
                       stdin=PASSPHRASE + "\n"))
    assert f"received from: {OFFICER} ({AGENCY}), {OFFICER_PHONE}, {OFFICER_EMAIL}" in text
    local_shown = json.loads(_ok(run_cli("cases", "show", local, "--json",
                                         data_dir=caseworker, stdin=PASSPHRASE + "\n")))
    assert local_shown["received_from"] is None
    # Deleting the received case forgets where it came from: the packet goes in again.
    _ok(run_cli("cases", "delete", doc["reference"], "--yes", data_dir=caseworker,
                stdin=PASSPHRASE + "\n"))
    again = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                    "--json")))
    assert again["earlier"] is None
