"""Publishing and fetching forms against a real ODK Central (tests/server/central.py; skips
only where Node or PostgreSQL are missing), issue #18 review:

- an instrument updated on the server does not strand laptops holding interviews of the
  earlier text: Central keeps every published version and takes submissions to each;
- publishing an earlier text says what is on the server instead of failing;
- with the agency's own key set, a form served with another key (or none) is refused;
- an app user without Form Access is told so, not to get a new token.
Synthetic data only.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from screening.instruments import load_instrument_text
from screening.instruments.hashing import content_hash
from screening.instruments.loader import parse_instrument
from screening.paths import resource_path
from screening.server.client import CentralClient, Credentials, ServerError
from screening.server.publishing import fetch_form, publish_form
from screening.server.service import default_client
from screening.server.settings import ServerSettings, key_fingerprint
from screening.server.xform import publishable_xform, server_form_version
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.factories import stored_interview
from tests.server.central import CentralServer

FORM = "adult_indicators"
ANSWERS: dict[str, Any] = json.loads(
    resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
WITH_SERVER = ("screening", "referral", "agency_server")


@pytest.fixture
def workspaces(tmp_path: Path) -> Iterator[Any]:
    """Fresh workspaces (laptops) by name, closed at the end."""
    opened: list[Workspace] = []

    def make(name: str) -> Workspace:
        ws = Workspace(tmp_path / name)
        ws.create(PASSPHRASE)
        opened.append(ws)
        return ws
    yield make
    for ws in opened:
        ws.close()


def public_b64(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def web_user(central: CentralServer, project: int, **kw: Any) -> ServerSettings:
    return ServerSettings(url=central.url, project_id=project, email=central.email,
                          password=central.password, **kw)


def app_user(central: CentralServer, project: int, *, assign: bool = True,
             **kw: Any) -> ServerSettings:
    token = central.create_app_user(project, f"synthetic officer {secrets.token_hex(2)}")
    if assign:
        central.assign_app_user(project, FORM, token)
    return ServerSettings(url=central.url, project_id=project, app_user_token=token, **kw)


def install_newer_text(ws: Workspace) -> str:
    """The shipped instrument, reworded, as version 2.1.0 (an administrator's update)."""
    text = resource_path("instruments", f"{FORM}.yaml").read_text(encoding="utf-8")
    assert 'version: "2.0.0"' in text
    newer = text.replace('version: "2.0.0"', 'version: "2.1.0"', 1)
    instrument, _map = parse_instrument(newer, "newer.yaml")
    newer = re.sub(r"content_hash: \S+", f"content_hash: {content_hash(instrument)}", newer)
    ws.catalog.install(load_instrument_text(newer, "newer.yaml"), "newer.yaml")
    return "2.1.0"


def publish(ws: Workspace, settings: ServerSettings, ref: str) -> Any:
    return publish_form(default_client(settings), settings, ws.catalog.find(ref))


def queue_one(ws: Workspace) -> dict[str, Any]:
    done = stored_interview(ws, FORM, ANSWERS, lang="en", scope=WITH_SERVER)
    ws.server.queue(done["case_id"])
    return done


# -- an instrument updated on the server --------------------------------------------------
def test_interviews_of_the_earlier_text_still_go_to_its_version_after_an_update(
        central: CentralServer, central_project: Any, workspaces: Any) -> None:
    admin = workspaces("admin")
    settings = web_user(central, central_project.id)
    first = publish(admin, settings, f"{FORM}@2.0.0")
    install_newer_text(admin)
    newer = publish(admin, settings, f"{FORM}@2.1.0")
    assert newer.outcome == "published" and newer.previous == first.form.version
    assert central.form(central_project.id, FORM)["version"] == newer.form.version

    laptop = workspaces("laptop")  # has only the shipped 2.0.0 text, and an app user
    laptop.server.configure(app_user(central, central_project.id))
    done = queue_one(laptop)
    [result] = laptop.server.send()
    assert (result.outcome, result.form_version) == ("sent", first.form.version), result.error
    [sub] = central.submissions(central_project.id, FORM)
    assert sub["instanceId"] == f"uuid:{done['interview_id']}"
    manifest = central.submission_xml(central_project.id, FORM, sub["instanceId"])
    assert f'version="{first.form.version}"'.encode() in manifest


def test_publishing_an_earlier_text_keeps_the_newer_one_and_says_so(
        central: CentralServer, central_project: Any, workspaces: Any) -> None:
    admin = workspaces("admin")
    settings = web_user(central, central_project.id)
    first = publish(admin, settings, f"{FORM}@2.0.0")
    install_newer_text(admin)
    newer = publish(admin, settings, f"{FORM}@2.1.0")

    other = workspaces("second admin laptop")  # knows nothing of what was published
    again = publish(other, settings, f"{FORM}@2.0.0")
    assert (again.outcome, again.current) == ("already_older", newer.form.version)
    assert again.form.version == first.form.version and again.stored.xml == \
        central.request("GET", f"/v1/projects/{central_project.id}/forms/{FORM}/versions/"
                        f"{_quoted(first.form.version)}.xml").data
    line = again.describe("central.test", central_project.id)
    assert f"already on the server on central.test, project {central_project.id}" in line
    assert f"the current version is {newer.form.version}" in line
    assert central.form(central_project.id, FORM)["version"] == newer.form.version

    same = publish(admin, settings, f"{FORM}@2.1.0")
    assert same.outcome == "already" and "is already published" in same.describe("h", 1)
    form, stored = same  # as callers written before the outcome unpack it
    assert (form, stored) == (same.form, same.stored)


def test_an_earlier_text_never_published_is_published_over_the_newer_one(
        central: CentralServer, workspaces: Any) -> None:
    project = central.create_project("synthetic older after newer",
                                     managed_encryption_passphrase="synthetic pass 1234567")
    admin = workspaces("admin")
    install_newer_text(admin)
    settings = web_user(central, project)
    newer = publish(admin, settings, f"{FORM}@2.1.0")
    older = publish(admin, settings, f"{FORM}@2.0.0")
    assert (older.outcome, older.previous) == ("published", newer.form.version)
    assert "replaces" in older.describe("h", project)
    versions = [v["version"] for v in central.request(
        "GET", f"/v1/projects/{project}/forms/{FORM}/versions").json()]
    assert versions == [older.form.version, newer.form.version]  # both take submissions


# -- the agency's own key -----------------------------------------------------------------
@pytest.fixture(scope="module")
def agency_keys() -> tuple[str, str]:
    """(the agency's public key, another one), base64 DER."""
    return (public_b64(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            public_b64(rsa.generate_private_key(public_exponent=65537, key_size=2048)))


@pytest.mark.parametrize("served_key", ["other", "none"])
def test_a_form_without_the_agency_key_is_refused_and_nothing_is_sent(
        central: CentralServer, workspaces: Any, agency_keys: tuple[str, str],
        served_key: str) -> None:
    ours, other = agency_keys
    project = central.create_project(f"synthetic key check {served_key}")  # not managed
    laptop = workspaces("laptop")
    loaded = laptop.catalog.find(FORM)
    key = other if served_key == "other" else None
    central.publish_form(project, publishable_xform(loaded.instrument, public_key=key))
    # allow_plaintext must not matter once the agency has its own key
    settings = app_user(central, project, public_key=ours, allow_plaintext=True)
    with pytest.raises(ServerError) as caught:
        fetch_form(default_client(settings), settings, loaded)
    error = caught.value
    assert error.kind == "key_mismatch" and FORM in error.message
    assert key_fingerprint(ours) in error.message
    assert (key_fingerprint(other) if key else "the key none") in error.message

    laptop.server.configure(settings, test=False)
    queue_one(laptop)
    [result] = laptop.server.send()
    assert (result.outcome, result.error_kind) == ("failed", "key_mismatch")
    assert central.submissions(project, FORM) == []

    with pytest.raises(Exception, match="not the agency's key"):
        publish(workspaces("admin"), web_user(central, project, public_key=ours), FORM)


def test_the_agency_key_goes_into_the_form_even_with_managed_encryption(
        central: CentralServer, central_project: Any, workspaces: Any,
        agency_keys: tuple[str, str]) -> None:
    ours = agency_keys[0]
    admin = workspaces("admin")
    done = publish(admin, web_user(central, central_project.id, public_key=ours), FORM)
    assert done.form.public_key == ours and "[encrypted:" not in done.form.version
    settings = app_user(central, central_project.id, public_key=ours)
    found = fetch_form(default_client(settings), settings, admin.catalog.find(FORM))
    assert found is not None and found.public_key == ours


# -- app users ----------------------------------------------------------------------------
def _quoted(version: str) -> str:
    from urllib.parse import quote
    return quote(version, safe="")


def _plain_submission(form: str, version: str) -> bytes:
    return (f'<data id="{form}" version="{version}"><meta><instanceID>uuid:'
            f'{secrets.token_hex(16)}</instanceID></meta></data>').encode()


def test_an_app_user_without_form_access_is_told_what_the_administrator_must_do(
        central: CentralServer, workspaces: Any) -> None:
    project = central.create_project("synthetic form access")
    loaded = workspaces("laptop").catalog.find(FORM)
    central.publish_form(project, publishable_xform(loaded.instrument))
    settings = app_user(central, project, assign=False)
    token = settings.app_user_token or ""
    client = CentralClient(central.url, project, Credentials(app_user_token=token), timeout=10)
    info = client.check()
    assert info.forms == () and info.warning and "Form Access" in info.warning
    with pytest.raises(ServerError) as caught:
        client.submit(_plain_submission(FORM, server_form_version(loaded.instrument)), {})
    assert caught.value.kind == "no_form_access"
    assert caught.value.message == (
        f"the app user has no access to form {FORM} on project {project}: the administrator "
        "must give it access in Central (Project › App Users / Form Access); a new token "
        "will not help")
    with pytest.raises(ServerError) as caught:
        client.form_xml(FORM)
    assert caught.value.kind == "no_form_access"

    central.request("DELETE", f"/v1/projects/{project}/app-users/"
                              f"{central.app_user_ids[token]}")  # revoked
    with pytest.raises(ServerError) as caught:
        client.submit(_plain_submission(FORM, server_form_version(loaded.instrument)), {})
    assert caught.value.kind == "auth" and token not in caught.value.message
    client.close()
