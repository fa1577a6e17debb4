"""The real ODK Central of the tests (tests/server/central.py) does what the end-to-end
tests rely on: it listens on 127.0.0.1 only, takes a hand-written XForm in a project with
managed encryption (re-versioned, with a public key), lets an assigned app user submit, and
gives submissions back through its CSV export, decrypted with the passphrase."""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
import socket
import subprocess
import uuid
import xml.etree.ElementTree as ET

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from tests.server.central import CentralError, CentralServer, listening_sockets
from tests.server.conftest import CentralProject
from tests.server.test_decryptor import reference_encrypt

XF = "{http://www.w3.org/2002/xforms}"
FORM_ID = "fixture_check"


def xform(form_id: str = FORM_ID, version: str = "1") -> bytes:
    return f"""<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">
  <h:head>
    <h:title>Fixture check</h:title>
    <model>
      <instance>
        <data id="{form_id}" version="{version}">
          <age/><note_text/><meta><instanceID/></meta>
        </data>
      </instance>
      <bind nodeset="/data/age" type="int"/>
      <bind nodeset="/data/note_text" type="string"/>
      <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/data/age"><label>Age</label></input>
    <input ref="/data/note_text"><label>Note</label></input>
  </h:body>
</h:html>""".encode()


def instance(iid: str, version: str, age: int, note: str, form_id: str = FORM_ID) -> bytes:
    root = ET.Element("data", {"id": form_id, "version": version})
    ET.SubElement(root, "age").text = str(age)
    ET.SubElement(root, "note_text").text = note
    ET.SubElement(ET.SubElement(root, "meta"), "instanceID").text = iid
    return ET.tostring(root, encoding="utf-8")


def rows(export: dict[str, str], form_id: str = FORM_ID) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export[f"{form_id}.csv"].lstrip("\ufeff"))))


def form_list(central: CentralServer, project_id: int, token: str) -> str:
    return central.request("GET", f"/v1/key/{token}/projects/{project_id}/formList", token="",
                           headers={"X-OpenRosa-Version": "1.0"}).data.decode()


def served_form(central: CentralServer, project_id: int) -> tuple[str, rsa.RSAPublicKey]:
    """The version in the XForm Central serves, and its base64RsaPublicKey."""
    served = ET.fromstring(central.form_xml(project_id, FORM_ID))
    data, submission = served.find(f".//{XF}instance/{XF}data"), served.find(f".//{XF}submission")
    assert data is not None and submission is not None
    key = load_der_public_key(base64.b64decode(submission.get("base64RsaPublicKey") or ""))
    assert isinstance(key, rsa.RSAPublicKey)
    return data.get("version") or "", key


def test_central_and_postgres_listen_on_loopback_only(central: CentralServer) -> None:
    node, pg = central.central_pid, central.postgres_pid
    assert node and pg
    assert listening_sockets(node) == [("127.0.0.1", central.port)]
    assert listening_sockets(pg) == [("127.0.0.1", central.pg_port)]
    if shutil.which("ss"):  # a second opinion from iproute2
        out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True,
                             timeout=30).stdout
        mine = [line.split()[3] for line in out.splitlines()
                if f"pid={node}," in line or f"pid={pg}," in line]
        assert sorted(mine) == sorted([f"127.0.0.1:{central.port}",
                                       f"127.0.0.1:{central.pg_port}"])


def test_managed_encryption_form_takes_an_encrypted_app_user_submission(
        central: CentralServer, central_project: CentralProject) -> None:
    pid = central_project.id
    central.publish_form(pid, xform())
    version = central.form(pid, FORM_ID)["version"]
    assert re.fullmatch(r"1\[encrypted:[^\]]+\]", version)
    served_version, public_key = served_form(central, pid)
    assert served_version == version and public_key.key_size >= 2048

    token = central.create_app_user(pid, "Laptop 1")
    assert FORM_ID not in form_list(central, pid, token)  # not yet assigned
    central.assign_app_user(pid, FORM_ID, token)
    assert f"<formID>{FORM_ID}</formID>" in form_list(central, pid, token)

    iid = f"uuid:{uuid.uuid4()}"
    note = "Synthetic note: é, 李, عربى"
    manifest, files, _ = reference_encrypt(instance(iid, version, 41, note), public_key,
                                           form_id=FORM_ID, version=version, iid=iid)
    central.submit(pid, manifest, files, app_user_token=token)
    [record] = central.submissions(pid, FORM_ID)
    assert record["instanceId"] == iid
    # the export opens with the passphrase and holds what was encrypted
    [row] = rows(central.export_csv_zip(pid, FORM_ID, passphrase=central_project.passphrase))
    assert (row["age"], row["note_text"], row["KEY"]) == ("41", note, iid)
    with pytest.raises(CentralError, match="-> 400"):
        central.export_csv_zip(pid, FORM_ID, passphrase="not the passphrase at all")
    # nothing tried to leave 127.0.0.1 (Enketo is pointed at a closed loopback port)
    assert central.workdir
    assert "blocked a connection" not in (central.workdir / "central.log").read_text()


def test_export_that_central_cannot_decrypt_is_an_error_not_an_empty_file(
        central: CentralServer, central_project: CentralProject) -> None:
    # The known failure mode: an AES key wrapped with MGF1-SHA-1 is accepted (201), then
    # the decrypted export breaks off. The helper must say so, so no test passes on it.
    pid = central_project.id
    central.publish_form(pid, xform(version="7"))
    version = central.form(pid, FORM_ID)["version"]
    _, public_key = served_form(central, pid)
    iid = f"uuid:{uuid.uuid4()}"
    manifest, files, _ = reference_encrypt(instance(iid, version, 5, "x"), public_key,
                                           form_id=FORM_ID, version=version, iid=iid,
                                           mgf=hashes.SHA1())
    assert central.submit(pid, manifest, files).status == 201
    with pytest.raises(CentralError):
        central.export_csv_zip(pid, FORM_ID, passphrase=central_project.passphrase)
    assert central.central_pid  # and Central is still up for the next test


def test_plain_submission_comes_back_in_the_csv_export(central: CentralServer) -> None:
    pid = central.create_project("plain project")
    central.publish_form(pid, xform(version="2024-1"))
    token = central.create_app_user(pid, "Laptop 2")
    central.assign_app_user(pid, FORM_ID, token)
    iid = f"uuid:{uuid.uuid4()}"
    sent = instance(iid, "2024-1", 29, "Plain synthetic text")
    central.submit(pid, sent, app_user_token=token)
    central.submit(pid, sent, app_user_token=token, expect=(201, 409))  # a resend
    assert [s["instanceId"] for s in central.submissions(pid, FORM_ID)] == [iid]
    assert ET.fromstring(central.submission_xml(pid, FORM_ID, iid)).findtext("age") == "29"
    [row] = rows(central.export_csv_zip(pid, FORM_ID))
    assert (row["age"], row["note_text"], row["KEY"]) == ("29", "Plain synthetic text", iid)


def test_restart_keeps_the_data_and_the_port(central: CentralServer) -> None:
    pid = central.create_project("survives a restart")
    port, old_pid = central.port, central.central_pid
    central.stop_central()
    assert central.central_pid is None
    with pytest.raises(OSError):  # nothing answers while it is stopped
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    central.start_central()
    assert central.port == port and central.central_pid not in (None, old_pid)
    names = [p["name"] for p in central.request("GET", "/v1/projects").json()]
    assert "survives a restart" in names
    assert central.request("GET", f"/v1/projects/{pid}").json()["id"] == pid
