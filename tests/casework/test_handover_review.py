"""What a review of the hand-over found (issue #15): a packet the caseworker writes from a
received case names the agency that interviewed the person and says where the case came
from, with the caseworker as its contact; a hand-over packet whose structured data disagrees
with the PDF inside it is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from screening.casework.handover import OLDER, AlreadyReceived, Earlier
from screening.casework.preferences import OfficerProfile
from screening.handover import container
from screening.handover.keys import seal
from screening.workspace import Workspace
from tests.casework.test_handover import (
    AGENCY,
    ALTERED,
    NAME,
    OFFICER,
    OFFICER_EMAIL,
    OFFICER_PHONE,
    _caseworker,
    _decrypted_members,
    _keys_new,
    _officer,
    _ok,
    _receive,
    _refused,
    _send,
    handover,
)
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.reports.pdftools import attachment, one_line, pdftotext

__all__ = ["handover"]  # the fixture, shared with test_handover

CW_NAME = "Caseworker Synthetic-Holder"
CW_AGENCY = "Synthetic Shelter Intake"
CW_PHONE = "+962 6 555 0199"
CW_EMAIL = "intake.synthetic@example.org"


def _caseworker_with_profile(root: Path) -> Path:
    data = _caseworker(root)
    with Workspace(data).open(PASSPHRASE) as ws:
        ws.preferences.save_officer_profile(OfficerProfile(
            name=CW_NAME, agency=CW_AGENCY, phone=CW_PHONE, email=CW_EMAIL))
    return data


def _report(data: Path, case: str, out: Path, *extra: str) -> None:
    _ok(run_cli("report", case, "-o", str(out), "--plaintext", *extra, data_dir=data,
                stdin=PASSPHRASE + "\n"))


def test_a_packet_of_a_received_case_names_the_sender_as_interviewer_and_the_holder_as_contact(
        tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker_with_profile(tmp_path)
    got = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                  "--json")))
    pdf = tmp_path / "from-caseworker.pdf"
    _report(caseworker, got["reference"], pdf)
    data = json.loads(attachment(pdf))
    # The interview is the sending agency's, never the caseworker's.
    assert (data["interview"]["officer_name"], data["interview"]["agency"]) == (OFFICER, AGENCY)
    assert data["interview"]["officer_phone"] is None
    assert data["received_from"]["agency"] == AGENCY
    assert data["received_from"]["officer"] == OFFICER
    assert data["received_from"]["received_at"]
    # The contact for this referral is whoever holds the case now, labelled so.
    assert data["holder"] == {"name": CW_NAME, "agency": CW_AGENCY, "phone": CW_PHONE,
                              "email": CW_EMAIL}
    text = one_line(pdftotext(pdf))
    assert f"Received from {AGENCY}" in text or f"Received from {OFFICER}" in text
    assert f"Agency {AGENCY}" in text and f"Agency {CW_AGENCY}" not in text
    assert "Holds the case now" in text and CW_PHONE in text
    assert OFFICER_PHONE not in text and OFFICER_EMAIL not in text
    # A redacted copy says the case came from another agency, naming neither.
    red = tmp_path / "red.pdf"
    _report(caseworker, got["reference"], red, "--variant", "redacted")
    red_text = one_line(pdftotext(red))
    assert "Received from Another agency" in red_text
    for secret in (AGENCY, OFFICER, CW_NAME, CW_AGENCY, CW_PHONE, CW_EMAIL, NAME):
        assert secret not in red_text
        assert secret not in attachment(red).decode("utf-8")


def test_the_agency_is_the_one_of_the_day_of_the_interview(
        tmp_path: Path, handover: dict) -> None:
    officer, case = handover["officer"], handover["case"]
    with Workspace(officer).open(PASSPHRASE) as ws:
        ws.preferences.save_officer_profile(OfficerProfile(name="Someone Else",
                                                           agency="Another Synthetic Unit"))
    pdf = tmp_path / "later.pdf"
    _report(officer, case, pdf)
    data = json.loads(attachment(pdf))
    assert (data["interview"]["officer_name"], data["interview"]["agency"]) == (OFFICER, AGENCY)
    assert data["received_from"] is None and data["holder"] is None


def test_report_prints_the_file_hash_and_the_data_hash_the_footer_names(
        tmp_path: Path, handover: dict) -> None:
    pdf = tmp_path / "hashes.pdf"
    done = run_cli("report", handover["case"], "-o", str(pdf), "--plaintext",
                   data_dir=handover["officer"], stdin=PASSPHRASE + "\n")
    _ok(done)
    file_hash = hashlib.sha256(pdf.read_bytes()).hexdigest()
    data_hash = hashlib.sha256(attachment(pdf)).hexdigest()
    assert file_hash != data_hash
    # The line scripts parse stays as it was; the data's hash is a line of its own.
    assert f"(NOT encrypted, sha256 {file_hash})" in done.stderr
    assert f"packet data (referral.json) sha256 {data_hash}" in done.stderr
    text = one_line(pdftotext(pdf))
    assert f"Data SHA-256 (referral.json): {data_hash}" in text
    assert "Packet SHA-256" not in text


def test_a_full_packet_without_consent_is_refused_before_the_plaintext_warning(
        tmp_path: Path) -> None:
    officer, case = _officer(tmp_path, scope=("screening",))
    done = run_cli("report", case, "-o", str(tmp_path / "no.pdf"), "--plaintext",
                   data_dir=officer, stdin=PASSPHRASE + "\n")
    _refused(done, "consent")
    assert "will NOT be encrypted" not in done.stderr


def _forged(tmp_path: Path, handover: dict, edit: Callable[[dict], None]) -> Path:
    """The packet rebuilt by someone with the recipient's public key: case.json edited, the
    manifest made to match, the PDF left as it was."""
    members = _decrypted_members(handover["packet"], handover["identity"])
    case = json.loads(members[container.CASE])
    edit(case)
    members[container.CASE] = json.dumps(case).encode("utf-8")
    payload = container.pack({n: members[n] for n in container.MEMBERS},
                             created_at=case["created_at"])
    out = tmp_path / "forged.age"
    out.write_bytes(seal(payload, handover["key"]["public_key"]))
    return out


def test_a_packet_whose_case_data_disagrees_with_its_pdf_is_refused(
        tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker(tmp_path)

    def rename(case: dict) -> None:
        case["case"]["person"]["name"] = "Someone Synthetic-Else"
        case["document_id"] = "00000000-0000-4000-8000-000000000000"

    done = _receive(caseworker, _forged(tmp_path, handover, rename), handover["identity"])
    _refused(done, ALTERED, "disagree", "document id", "person's name")
    assert "Someone Synthetic-Else" not in done.stderr

    def flip(case: dict) -> None:
        first = case["interview"]["answers"][0]
        first["value"], first["special"] = None, "refused"

    _refused(_receive(caseworker, _forged(tmp_path, handover, flip), handover["identity"]),
             ALTERED, "answers")

    def outcome(case: dict) -> None:
        case["interview"]["result"]["outcome"]["level"] = "no_indicators"

    _refused(_receive(caseworker, _forged(tmp_path, handover, outcome), handover["identity"]),
             ALTERED, "outcome")
    with Workspace(caseworker).open(PASSPHRASE) as ws:
        assert ws.store.cases.list() == []
    # Rebuilt without a change, the same packet still goes in.
    _ok(_receive(caseworker, _forged(tmp_path, handover, lambda case: None),
                 handover["identity"]))


def test_a_copy_sent_at_the_same_moment_is_not_called_older() -> None:
    same = Earlier(OLDER, "c1", "FS-2026-SYNTH", "2026-03-07T10:00:00Z",
                   "2026-03-07T11:00:00Z", same_time=True)
    message = AlreadyReceived(same).message
    assert "another copy" in message and "FS-2026-SYNTH" in message
    assert "older" not in message and "newer" not in message
    later = AlreadyReceived(Earlier(OLDER, "c1", "FS-2026-SYNTH", "2026-03-07T10:00:00Z",
                                    "2026-03-07T11:00:00Z")).message
    assert "older referral" in later


def test_a_hand_over_without_consent_suggests_only_what_works_with_to(tmp_path: Path) -> None:
    officer, case = _officer(tmp_path, scope=("screening",))
    key = _keys_new(tmp_path / "agency.key")
    done = _send(officer, case, key["public_key"], tmp_path / "out.age")
    _refused(done, "consent does not cover sharing", "--override-reason-file")
    assert "--variant" not in done.stderr and "redacted" not in done.stderr


def test_receive_prints_the_outcome_in_words_with_its_code_in_brackets(
        tmp_path: Path, handover: dict) -> None:
    caseworker = _caseworker(tmp_path)
    got = json.loads(_ok(_receive(caseworker, handover["packet"], handover["identity"],
                                  "--json")))
    with Workspace(caseworker).open(PASSPHRASE) as ws:
        ws.store.cases.delete(got["case_id"])
    text = _ok(_receive(caseworker, handover["packet"], handover["identity"]))
    [line] = [x for x in text.splitlines() if x.startswith("outcome: ")]
    assert line == f"outcome: {got['outcome_label']} [{got['outcome']}]"


def test_an_unknown_case_is_named_in_the_error(tmp_path: Path, handover: dict) -> None:
    done = run_cli("report", "FS-2026-NOPE1", "-o", str(tmp_path / "x.pdf"), "--plaintext",
                   data_dir=handover["officer"], stdin=PASSPHRASE + "\n")
    _refused(done, "no such case 'FS-2026-NOPE1'")
