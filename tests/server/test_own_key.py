"""The agency's own key, without Central's managed encryption, against a real ODK Central
(tests/server/central.py; skips only where Node or PostgreSQL are missing), issue #18.

The test makes an RSA key pair and gives FieldScreen only the public half (`server set
--public-key`); the form is published with it and an interview sent, all through
`fieldscreen`. Central holds the submission but cannot read it (its export says "not
decrypted"). The manifest and `submission.xml.enc` fetched back from Central's API, opened
with the independent decryptor (tests/server/odk_decrypt.py, written from the spec) and the
private key, are byte for byte the submission XML FieldScreen builds for that interview, and
the signature checks. Synthetic data only.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from screening.server.instance import interview_submission, submission_xml
from screening.server.xform import PublishedForm
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.server.central import CentralServer
from tests.server.odk_decrypt import WrongKeyError, decrypt_submission
from tests.server.test_end_to_end import CENTRAL_META, PW, cli, csv_rows
from tests.server.test_service import ANSWERS, case

FORM = "adult_indicators"


def fieldscreen_xml(data_dir: Path, interview_id: str) -> bytes:
    """FieldScreen's own submission XML for the interview, for the form it published."""
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        [stored] = ws.server.forms()
        interview = ws.store.interviews.get(interview_id)
        loaded = ws.catalog.by_hash(interview.meta.instrument_id, interview.meta.content_hash)
        form = PublishedForm(form_id=stored.form_id, version=stored.version,
                             public_key=stored.public_key, root_name=stored.root_name,
                             xml=stored.xml)
        return submission_xml(loaded.instrument, form, interview_submission(ws.store, interview))


def test_only_the_agency_key_opens_what_central_holds(data_dir: Path, tmp_path: Path,
                                                      central: CentralServer) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "agency-public.pem"
    pem.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    project = central.create_project(f"agency key {secrets.token_hex(3)}")  # not managed
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        done = case(ws)
        ref = ws.store.cases.get(done["case_id"]).reference
    instance = f"uuid:{done['interview_id']}"

    saved = cli(data_dir, "server", "set", central.url, "--project", str(project), "--email",
                central.email, "--public-key", str(pem), stdin=PW + central.password + "\n")
    assert "managed encryption off" in saved.stdout
    published = cli(data_dir, "server", "publish", FORM)
    assert "submissions encrypted" in published.stdout and "[encrypted:" not in published.stdout
    assert central.form(project, FORM)["keyId"] is not None  # Central sees a key in the form
    cli(data_dir, "server", "queue", ref)
    sent = json.loads(cli(data_dir, "send", "--json").stdout)
    [result] = sent["results"]
    assert (result["outcome"], result["instance_id"], result["encrypted"]) == (
        "sent", instance, True)

    # Central cannot read it: the row is there, "not decrypted", every answer cell empty.
    export = central.export_csv_zip(project, FORM)
    header, [row] = csv_rows(export[f"{FORM}.csv"])
    assert (row["KEY"], row["Status"]) == (instance, "not decrypted")
    answers = [c for c in header if c not in CENTRAL_META | {"KEY", "meta-instanceID"}]
    assert answers and all(row[c] == "" for c in answers)

    manifest = central.submission_xml(project, FORM, instance)
    files = central.submission_attachments(project, FORM, instance)
    assert sorted(files) == ["submission.xml.enc"]
    opened = decrypt_submission(manifest, files, key)
    assert (opened.instance_id, opened.form_id, opened.version, opened.signature_ok) == (
        instance, FORM, result["form_version"], True)
    expected = fieldscreen_xml(data_dir, done["interview_id"])
    assert opened.xml == expected
    assert f"<age>{ANSWERS['age']}</age>".encode() in opened.xml  # answers, not an empty form
    assert b"<age>" not in manifest + files["submission.xml.enc"]
    with pytest.raises(WrongKeyError):  # another key pair opens nothing
        decrypt_submission(manifest, files, rsa.generate_private_key(public_exponent=65537,
                                                                     key_size=2048))
