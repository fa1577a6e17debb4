"""End to end against a real ODK Central (tests/server/central.py; skips only where Node or
PostgreSQL are missing), everything through `fieldscreen` as an administrator and an officer
run it (issue #18).

An XLSForm with a group, a repeat with dates, a multiple choice, a calculation and a note
(tests/xlsform/fixtures/fs_own_work_household.xls) is imported and installed; three
interviews are run from answers files (one with two repeat entries and a multiple choice, one
with no entry and the group skipped, one with special answers and a year-only date); the
administrator publishes the form to a project with Central's managed encryption, an officer's
app user sends the three. Central's own export, decrypted with the project's passphrase, must
hold exactly the cells FieldScreen's `export --format odk` writes for those interviews, root
table and repeat table, every column, except Central's own meta columns (CENTRAL_META).
Synthetic data only.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.server.central import CentralServer

PW = PASSPHRASE + "\n"
FORM = "fs_test_xls"
XLS = Path(__file__).resolve().parents[1] / "xlsform" / "fixtures" / "fs_own_work_household.xls"
# The root table's columns Central fills from its own records, not from the submission:
# when it received it, who sent it (the app user), attachment counts (the encrypted file),
# review status, device, edits, and the form version it gave the form ("...[encrypted:..]").
# FieldScreen's export writes its own values there (finish time, officer, 0, instrument
# version). Every other column, meta-instanceID and KEY included, must be equal.
CENTRAL_META = frozenset({"SubmissionDate", "SubmitterID", "SubmitterName",
                          "AttachmentsPresent", "AttachmentsExpected", "Status",
                          "ReviewState", "DeviceID", "Edits", "FormVersion"})

CONSENT_WITH_SERVER = {"given": True, "scope": ["screening", "agency_server"], "language": "en"}
ANSWERS: list[dict[str, Any]] = [
    {  # two repeat entries (a day and an approximate month), a multiple choice, hard text
        "household_size": 2, "works": "yes", "problems": ["unpaid", "documents"],
        "employer": 'Synthetic Farm, "Ltd" — é 李 عربى\nsecond line',
        "people": [{"person_name": "Ana Example", "birth": "1990-04-02"},
                   {"person_name": "Bo Ñandú",
                    "birth": {"value": "2015-03", "precision": "month", "approximate": True}}],
    },
    {"household_size": 0, "works": "no"},  # no repeat entry; the work group not relevant
    {  # special answers, one inside the repeat, and a date known to the year
        "household_size": 1, "works": "yes", "problems": {"special": "dont_know"},
        "employer": {"special": "refused"},
        "people": [{"person_name": {"special": "refused"},
                    "birth": {"value": "1980", "precision": "year"}}],
    },
]


def cli(data_dir: Path, *args: str, stdin: str = PW, ok: bool = True) -> Any:
    done = run_cli(*args, data_dir=data_dir, stdin=stdin)
    if ok:
        assert done.returncode == 0, f"fieldscreen {' '.join(args)}: {done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done


def csv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def local_export(data_dir: Path, out: Path) -> dict[str, str]:
    """`fieldscreen export --format odk` (plaintext, into a temp folder) as name -> CSV,
    the data tables only (not the data dictionary)."""
    cli(data_dir, "export", "--format", "odk", "-o", str(out))
    with zipfile.ZipFile(out) as archive:
        return {Path(n).name: archive.read(n).decode("utf-8-sig")
                for n in archive.namelist()
                if n.endswith(".csv") and not n.endswith("-dictionary.csv")}


def interview(data_dir: Path, folder: Path, answers: dict[str, Any],
              consent: dict[str, Any] = CONSENT_WITH_SERVER, form: str = FORM) -> dict[str, Any]:
    path = folder / f"answers-{secrets.token_hex(4)}.json"
    path.write_text(json.dumps({"consent": consent, "answers": answers}), encoding="utf-8")
    done = cli(data_dir, "interview", "--instrument", form, "--lang", "en", "--answers",
               str(path), "--json")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def references(data_dir: Path) -> dict[str, str]:
    """case id -> reference, from `cases list --json`."""
    listed = json.loads(cli(data_dir, "cases", "list", "--json").stdout)
    return {c["id"]: c["reference"] for c in listed}


def status(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The send queue by instanceID, read through the service (what `server status --json`
    prints; tests/server/test_server_cli.py checks that it does)."""
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        return {e.instance_id: e.to_json() for e in ws.server.entries()}


def instance_ids(central: CentralServer, project: int, form: str) -> list[str]:
    return sorted(s["instanceId"] for s in central.submissions(project, form))


@dataclass(frozen=True)
class Sent:
    data_dir: Path
    folder: Path
    project: int
    passphrase: str
    refs: list[str]  # the three sent cases
    keys: list[str]  # their instanceIDs
    declined_ref: str  # a case whose consent leaves out the agency server
    declined_key: str
    send: dict[str, Any]  # `send --json`
    backup: Path  # taken after a dry run built the envelopes, before the send


@pytest.fixture(scope="module")
def sent(central: CentralServer, tmp_path_factory: pytest.TempPathFactory) -> Sent:
    folder = tmp_path_factory.mktemp("e2e")
    data_dir = folder / "data"
    passphrase = f"synthetic passphrase {secrets.token_hex(8)}"
    project = central.create_project(f"end to end {secrets.token_hex(3)}",
                                     managed_encryption_passphrase=passphrase)
    cli(data_dir, "init")
    cli(data_dir, "instruments", "import", str(XLS), "--install")
    done = [interview(data_dir, folder, a) for a in ANSWERS]
    declined = interview(data_dir, folder, ANSWERS[1], consent={
        "given": True, "scope": ["screening", "referral"], "language": "en"})
    # The administrator publishes (a web user); the officer's laptop sends as an app user.
    cli(data_dir, "server", "set", central.url, "--project", str(project), "--email",
        central.email, stdin=PW + central.password + "\n")
    published = cli(data_dir, "server", "publish", FORM)
    assert "[encrypted:" in published.stdout, published.stdout
    token = central.create_app_user(project, "synthetic officer laptop")
    central.assign_app_user(project, FORM, token)
    cli(data_dir, "server", "set", central.url, "--project", str(project), "--app-user-token",
        "-", stdin=PW + token + "\n")
    ref_of = references(data_dir)
    refs = [ref_of[d["case_id"]] for d in done]
    for ref in refs:
        cli(data_dir, "server", "queue", ref)
    dry = json.loads(cli(data_dir, "send", "--dry-run", "--json").stdout)
    assert [r["outcome"] for r in dry["results"]] == ["would_send"] * 3
    backup = folder / "before-sending.fsbackup"
    cli(data_dir, "backup", "-o", str(backup))
    doc = json.loads(cli(data_dir, "send", "--json").stdout)
    return Sent(data_dir, folder, project, passphrase, refs,
                [f"uuid:{d['interview_id']}" for d in done],
                ref_of[declined["case_id"]], f"uuid:{declined['interview_id']}",
                doc, backup)


def assert_same_cells(central_csv: str, ours_csv: str, keys: list[str], *,
                      skip: frozenset[str] = frozenset()) -> list[dict[str, str]]:
    """Central's table holds the same columns, and for the rows of ``keys`` (by KEY for
    the root table, PARENT_KEY for a repeat table) the same cells, as FieldScreen's."""
    c_header, c_rows = csv_rows(central_csv)
    o_header, o_rows = csv_rows(ours_csv)
    assert c_header == o_header
    key = "PARENT_KEY" if "PARENT_KEY" in o_header else "KEY"
    o_rows = [r for r in o_rows if r[key].split("/")[0] in keys]
    assert sorted(r["KEY"] for r in c_rows) == sorted(r["KEY"] for r in o_rows)
    by_key = {r["KEY"]: r for r in o_rows}
    for row in c_rows:
        mine = by_key[row["KEY"]]
        for column in o_header:
            if column not in skip:
                assert row[column] == mine[column], (row["KEY"], column)
    return c_rows


def test_central_export_holds_exactly_what_fieldscreen_exports(
        sent: Sent, central: CentralServer) -> None:
    assert (sent.send["sent"], sent.send["failed"]) == (3, 0)
    assert [r["instance_id"] for r in sent.send["results"]] == sent.keys
    assert all(r["outcome"] == "sent" and r["encrypted"] for r in sent.send["results"])
    version = sent.send["results"][0]["form_version"]
    assert "[encrypted:" in version
    assert instance_ids(central, sent.project, FORM) == sorted(sent.keys)
    theirs = central.export_csv_zip(sent.project, FORM, passphrase=sent.passphrase)
    ours = local_export(sent.data_dir, sent.folder / "ours.zip")
    assert sorted(theirs) == sorted(ours) == [f"{FORM}-people.csv", f"{FORM}.csv"]
    root = assert_same_cells(theirs[f"{FORM}.csv"], ours[f"{FORM}.csv"], sent.keys,
                             skip=CENTRAL_META)
    assert {(r["Status"], r["FormVersion"]) for r in root} == {("", version)}  # decrypted
    people = assert_same_cells(theirs[f"{FORM}-people.csv"], ours[f"{FORM}-people.csv"],
                               sent.keys)
    # The comparison saw what the answers hold, not two empty tables.
    first = next(r for r in root if r["KEY"] == sent.keys[0])
    assert (first["work-problems"], first["work-employer"], first["people_count"]) == (
        "unpaid documents", ANSWERS[0]["employer"], "2")
    third = next(r for r in root if r["KEY"] == sent.keys[2])
    assert (third["work-problems"], third["work-problems_special"],
            third["work-employer_special"]) == ("", "dont_know", "refused")
    assert sorted((r["person_name"], r["person_name_special"], r["birth"],
                   r["birth_precision"], r["birth_approximate"]) for r in people) == [
        ("", "refused", "1980-01-01", "year", "false"),
        ("Ana Example", "", "1990-04-02", "day", "false"),
        ("Bo Ñandú", "", "2015-03-01", "month", "true")]


def test_no_consent_for_the_agency_server_queues_and_sends_nothing(
        sent: Sent, central: CentralServer) -> None:
    refused = cli(sent.data_dir, "server", "queue", sent.declined_ref, ok=False)
    assert refused.returncode == 2
    assert sent.declined_ref in refused.stderr
    assert "does not cover sharing with the agency server" in refused.stderr
    assert sent.declined_key not in status(sent.data_dir)
    assert sent.declined_key not in instance_ids(central, sent.project, FORM)


def test_sending_again_and_a_restored_backup_leave_one_record_each(
        sent: Sent, central: CentralServer) -> None:
    again = cli(sent.data_dir, "send")
    assert "nothing to send" in again.stderr
    requeue = cli(sent.data_dir, "server", "queue", sent.refs[0], ok=False)
    assert requeue.returncode == 2 and "sent already" in requeue.stderr
    # A laptop restored from a backup made before the send has them queued again, with the
    # envelopes the dry run built: it sends the same bytes, and Central keeps one record.
    cli(sent.data_dir, "restore", str(sent.backup), "--force")
    assert {e["state"] for e in status(sent.data_dir).values()} == {"queued"}
    resent = json.loads(cli(sent.data_dir, "send", "--json").stdout)
    assert (resent["sent"], resent["failed"]) == (3, 0), resent
    assert instance_ids(central, sent.project, FORM) == sorted(sent.keys)
    entries = status(sent.data_dir)
    assert {(k, entries[k]["state"], entries[k]["sent_server"]) for k in sent.keys} == {
        (k, "sent", central.url) for k in sent.keys}
    # and what Central holds is still exactly what was sent the first time
    theirs = central.export_csv_zip(sent.project, FORM, passphrase=sent.passphrase)
    ours = local_export(sent.data_dir, sent.folder / "ours-after-restore.zip")
    assert_same_cells(theirs[f"{FORM}.csv"], ours[f"{FORM}.csv"], sent.keys,
                      skip=CENTRAL_META)
