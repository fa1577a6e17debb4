"""The server service (issue #18): settings, consent, the send queue, backoff, dry runs and
the audit trail on the real SQLCipher store; then publishing and sending to a real ODK Central
(tests/server/central.py), which skips only where Node or PostgreSQL are missing."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from screening.casework.consent import AGENCY_SERVER, SCOPES
from screening.errors import InputError
from screening.paths import resource_path
from screening.server.client import CentralClient, ServerError
from screening.server.service import ServerService, backoff, default_client
from screening.server.settings import ServerSettings
from screening.server.xform import parse_xform, publishable_xform
from screening.store import Store
from screening.store.migrations import MIGRATIONS, migrate
from screening.store.sendqueue import StoredForm
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.factories import old_schema_case, stored_interview

ANSWERS: dict[str, Any] = json.loads(
    resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
WITH_SERVER = ("screening", "referral", "agency_server")
TOKEN = "SyntheticAppUserToken$1234567890abcdefABCDEF!xyz"  # never a real one
PASSWORD = "synthetic web user password 9876"


@pytest.fixture(scope="module")
def agency_key() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, base64.b64encode(der).decode("ascii")


def closed_port() -> int:
    """A loopback port nothing listens on (the server is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening() -> socket.socket:
    """A loopback socket that records whether anything connected (accept never blocks)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.setblocking(False)
    return s


def connected(s: socket.socket) -> bool:
    try:
        s.accept()[0].close()
    except BlockingIOError:
        return False
    return True


def case(ws: Workspace, scope: tuple[str, ...] = WITH_SERVER, **kw: Any) -> dict[str, Any]:
    return stored_interview(ws, "adult_indicators", ANSWERS, lang="en", scope=scope, **kw)


def configure(ws: Workspace, url: str, **kw: Any) -> ServerSettings:
    settings = ServerSettings(url=url, project_id=kw.pop("project_id", 3),
                              app_user_token=kw.pop("app_user_token", TOKEN), **kw)
    ws.server.configure(settings, test=False)
    found = ws.server.settings()
    assert found is not None
    return found


def publish_locally(ws: Workspace, public_key: str | None) -> StoredForm:
    """What `publish` keeps for a self-supplied key, without a server: the XForm made here,
    as Central would serve it back."""
    settings = ws.server.require_settings()
    loaded = ws.catalog.find("adult_indicators")
    xml = publishable_xform(loaded.instrument, public_key=public_key)
    form = parse_xform(xml)
    stored = StoredForm(server=settings.url, project_id=settings.project_id,
                        form_id=form.form_id, content_hash=loaded.content_hash,
                        instrument_version=loaded.instrument.version, version=form.version,
                        public_key=form.public_key, root_name=form.root_name, xml=xml,
                        managed=False, published_at="2026-01-01T00:00:00Z")
    ws.store.sends.save_form(stored, host="test")
    return stored


def no_network(_settings: ServerSettings) -> CentralClient:
    raise AssertionError("a connection was asked for")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


# -- the schema ---------------------------------------------------------------------------
def test_a_schema_5_store_gains_the_queue_and_keeps_its_cases(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def up_to_5(conn: Any, **kwargs: Any) -> list[int]:
        return migrate(conn, MIGRATIONS[:5], **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr("screening.store.store.migrate", up_to_5)
        patched.setattr("screening.store.store.LATEST_VERSION", 5)
        old, _recovery = Store.create(data_dir, PASSPHRASE)
        assert old.schema_version == 5
        case_id = old_schema_case(old)
        old.close()
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        assert ws.store.schema_version >= 6
        assert [c.id for c in ws.store.cases.list()] == [case_id]
        assert ws.server.entries() == [] and ws.server.forms() == []
    assert list((data_dir / "backups").glob("pre-migration-v5-*"))  # copied before upgrading
    # the queue goes with its case (ON DELETE CASCADE), which remove-after-sending relies on
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        done = case(ws)
        ws.server.queue(done["case_id"])
        ws.store.cases.delete(done["case_id"])
        assert ws.server.entries() == []


# -- consent ------------------------------------------------------------------------------
def test_agency_server_is_a_scope_of_its_own_after_the_others() -> None:
    assert SCOPES == ("screening", "referral", "law_enforcement", "agency_server")
    assert AGENCY_SERVER == "agency_server"


def test_a_consent_without_the_agency_server_refuses_queueing_and_queues_nothing(
        ws: Workspace) -> None:
    done = case(ws, scope=("screening", "referral", "law_enforcement"))
    reference = ws.store.cases.get(done["case_id"]).reference
    with pytest.raises(InputError) as refused:
        ws.server.queue(done["case_id"])
    assert reference in refused.value.message
    assert "does not cover sharing with the agency server" in refused.value.message
    assert ws.server.entries() == []
    assert not [e for e in ws.store.audit.entries() if e.action == "case.queued_for_server"]


# -- the queue ----------------------------------------------------------------------------
def test_only_finished_interviews_are_queued_and_the_unfinished_are_named(
        ws: Workspace) -> None:
    first = case(ws)
    second = case(ws, case_id=first["case_id"])
    ws.store.interviews.reopen(second["interview_id"])
    entries = ws.server.queue(first["case_id"])
    assert [(e.interview_id, e.instance_id, e.state) for e in entries] == [
        (first["interview_id"], f"uuid:{first['interview_id']}", "queued")]
    assert ws.server.unfinished(first["case_id"]) == [second["interview_id"]]
    # Removing the case after sending would delete the unfinished interview: refused.
    with pytest.raises(InputError, match=second["interview_id"]):
        ws.server.queue(first["case_id"], remove_after=True)


def test_the_core_says_why_a_case_cannot_be_queued_as_queue_refuses_it(
        ws: Workspace) -> None:
    # What the app shows on its disabled button is what `queue` would refuse.
    no_scope = case(ws, scope=("screening",))
    ready = case(ws)
    assert ws.server.blocker(no_scope["case_id"]) == "no_consent"
    assert ws.server.blocker(ready["case_id"]) is None
    ws.store.interviews.reopen(ready["interview_id"])
    assert ws.server.blocker(ready["case_id"]) == "no_finished"
    with pytest.raises(InputError, match="no finished interview"):
        ws.server.queue(ready["case_id"])


def test_a_case_with_nothing_finished_is_refused_naming_the_case(ws: Workspace) -> None:
    done = case(ws)
    ws.store.interviews.reopen(done["interview_id"])
    reference = ws.store.cases.get(done["case_id"]).reference
    with pytest.raises(InputError, match=f"case {reference}: no finished interview"):
        ws.server.queue(reference)


def test_the_queue_survives_closing_and_reopening_the_store(ws: Workspace,
                                                             data_dir: Path) -> None:
    done = case(ws)
    ws.server.queue(done["case_id"], remove_after=True)
    ws.close()
    with Workspace(data_dir).open(PASSPHRASE) as again:
        [entry] = again.server.entries()
    assert (entry.interview_id, entry.state, entry.remove_after) == (
        done["interview_id"], "queued", True)


def test_unqueue_takes_the_case_out_and_is_audited(ws: Workspace) -> None:
    done = case(ws)
    ws.server.queue(done["case_id"])
    assert ws.server.unqueue(done["case_id"]) == 1
    assert ws.server.entries() == []
    actions = [e.action for e in ws.store.audit.entries(case_id=done["case_id"])]
    assert "case.queued_for_server" in actions and "case.unqueued" in actions


# -- settings -----------------------------------------------------------------------------
def test_secrets_stay_out_of_reprs_descriptions_audit_logs_and_files(
        ws: Workspace, data_dir: Path) -> None:
    web = ServerSettings(url="https://central.example.org/", project_id=2,
                         email="admin@example.org", password=PASSWORD)
    app = ServerSettings(url="https://central.example.org", project_id=2,
                         app_user_token=TOKEN)
    for settings in (web, app):
        ws.server.configure(settings, test=False)
        stored = ws.server.settings()
        assert stored is not None
        assert stored.url == "https://central.example.org"  # normalised
        shown = repr(stored) + json.dumps(stored.describe())
        assert TOKEN not in shown and PASSWORD not in shown
    audit = json.dumps([e.detail for e in ws.store.audit.entries()])
    assert "server.configured" in [e.action for e in ws.store.audit.entries()]
    assert TOKEN not in audit and PASSWORD not in audit
    assert ws.server.settings() == app  # the last one saved, token and all, inside the store
    ws.close()
    for path in data_dir.rglob("*"):  # the database is encrypted; logs hold events only
        if path.is_file():
            raw = path.read_bytes()
            assert TOKEN.encode() not in raw and PASSWORD.encode() not in raw, path


@pytest.mark.parametrize("url", ["http://central.example.org", "http://10.0.0.5:8383",
                                 "ftp://central.example.org", "central.example.org"])
def test_plain_http_is_refused_except_on_loopback(ws: Workspace, url: str) -> None:
    with pytest.raises(InputError):
        ws.server.configure(ServerSettings(url=url, project_id=1, app_user_token=TOKEN),
                            test=False)
    assert ws.server.settings() is None
    for loopback in ("http://127.0.0.1:8383", "http://[::1]:8383"):
        assert configure(ws, loopback).url == loopback


def test_a_failed_connection_test_saves_nothing(ws: Workspace) -> None:
    settings = ServerSettings(url=f"http://127.0.0.1:{closed_port()}", project_id=1,
                              app_user_token=TOKEN)
    with pytest.raises(ServerError) as failed:
        ws.server.configure(settings, test=True)
    assert failed.value.kind == "unreachable"
    assert ws.server.settings() is None


def test_sending_or_publishing_with_nothing_configured_is_bad_input(ws: Workspace) -> None:
    with pytest.raises(InputError, match="no server is configured"):
        ws.server.send()
    with pytest.raises(InputError, match="no server is configured"):
        ws.server.publish("adult_indicators")


def test_publishing_with_an_app_user_token_says_a_web_user_is_needed(ws: Workspace) -> None:
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(InputError, match="needs a Central web user"):
        ws.server.publish("adult_indicators")


# -- sending without a server --------------------------------------------------------------
def test_a_dry_run_opens_no_connection_and_builds_the_envelope_once(
        ws: Workspace, agency_key: tuple[rsa.RSAPrivateKey, str]) -> None:
    done = case(ws)
    configure(ws, "http://127.0.0.1:9")
    form = publish_locally(ws, agency_key[1])
    ws.server.queue(done["case_id"])
    service = ServerService(ws.store, ws.catalog, client_factory=no_network)
    [result] = service.send(dry_run=True)
    assert (result.outcome, result.instance_id, result.form_version, result.encrypted) == (
        "would_send", f"uuid:{done['interview_id']}", form.version, True)
    kept = ws.store.sends.envelope(done["interview_id"])
    assert kept is not None and result.size and result.size < len(kept[0])
    assert service.send(dry_run=True)[0].outcome == "would_send"
    assert ws.store.sends.envelope(done["interview_id"]) == kept  # built once, not again
    assert ws.server.entries()[0].state == "queued"  # a dry run changes no state


def test_a_form_not_read_yet_is_looked_for_on_the_server_and_stays_queued(
        ws: Workspace) -> None:
    done = case(ws)
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    ws.server.queue(done["case_id"])
    [result] = ws.server.send(dry_run=True)  # no connection: `send` will read it
    assert (result.outcome, result.form_version) == ("would_send", None)
    assert result.note == "form not fetched yet: `send` fetches it from the server"
    # Sending looks for it on the server first; a stopped server keeps it queued.
    assert ws.server.send()[0].error_kind == "unreachable"
    [entry] = ws.server.entries()
    assert (entry.state, entry.last_error_kind) == ("queued", "unreachable")


def test_a_form_without_a_key_is_never_sent_in_plaintext(ws: Workspace) -> None:
    done = case(ws)
    server = listening()
    with server:
        configure(ws, f"http://127.0.0.1:{server.getsockname()[1]}")
        publish_locally(ws, None)
        ws.server.queue(done["case_id"])
        [result] = ws.server.send()
        assert result.error_kind == "plaintext_refused"
        assert not connected(server)
        assert ws.store.sends.envelope(done["interview_id"]) is None


def test_a_stopped_server_leaves_items_queued_with_backoff_and_the_same_envelope(
        ws: Workspace, agency_key: tuple[rsa.RSAPrivateKey, str]) -> None:
    first, second = case(ws), case(ws)
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    publish_locally(ws, agency_key[1])
    for done in (first, second):
        ws.server.queue(done["case_id"])
    clock = Clock()
    service = ServerService(ws.store, ws.catalog, clock=clock)
    service.send(dry_run=True)
    built = ws.store.sends.envelope(first["interview_id"])
    results = service.send()
    assert [r.error_kind for r in results] == ["unreachable", "unreachable"]
    entries = service.entries()
    assert {e.state for e in entries} == {"queued"}
    assert entries[0].next_attempt_at == "2026-03-01T12:00:30.000000Z"
    assert service.next_retry_at() == "2026-03-01T12:00:30.000000Z"
    assert ws.store.sends.envelope(first["interview_id"]) == built  # a resend is identical
    clock.now += timedelta(seconds=10)
    assert service.send(due_only=True) == []  # not due yet: the automatic retry waits
    clock.now += timedelta(seconds=25)
    assert len(service.send(due_only=True)) == 2
    assert service.entries()[0].next_attempt_at == "2026-03-01T12:01:35.000000Z"  # +60 s
    failures = [e.detail for e in ws.store.audit.entries() if e.action == "case.send_failed"]
    assert failures and all(d == {"kind": "unreachable"} for d in failures)


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 30)] == [
        30, 60, 120, 1920, 3600, 3600]


def test_cancelling_stops_after_the_current_item(
        ws: Workspace, agency_key: tuple[rsa.RSAPrivateKey, str]) -> None:
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    publish_locally(ws, agency_key[1])
    for _ in range(3):
        ws.server.queue(case(ws)["case_id"])
    seen: list[int] = []
    results = ws.server.send(progress=lambda n, _total, _r: seen.append(n),
                             cancelled=lambda: len(seen) >= 1)
    assert len(results) == 1 and seen == [1]
    assert sorted(e.attempts for e in ws.server.entries()) == [0, 0, 1]


# -- a real ODK Central ------------------------------------------------------------------
@pytest.fixture
def web_site() -> Iterator[http.server.HTTPServer]:
    """A web server that is not Central (say, the agency's home page) on 127.0.0.1."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Synthetic agency home page</body></html>")

        do_POST = do_GET

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def web_user(central: Any, project: Any) -> ServerSettings:
    return ServerSettings(url=central.url, project_id=project.id, email=central.email,
                          password=central.password)


def test_configure_against_central_wrong_url_token_project_and_a_good_one(
        ws: Workspace, central: Any, central_project: Any,
        web_site: http.server.HTTPServer) -> None:
    good = web_user(central, central_project)
    wrong: list[tuple[ServerSettings, str]] = [
        (ServerSettings(url=f"http://127.0.0.1:{closed_port()}", project_id=central_project.id,
                        email=central.email, password=central.password), "unreachable"),
        (ServerSettings(url=f"http://127.0.0.1:{web_site.server_port}",
                        project_id=central_project.id, email=central.email,
                        password=central.password), "bad_url"),
        (ServerSettings(url=central.url, project_id=central_project.id,
                        app_user_token=TOKEN), "auth"),
        (ServerSettings(url=central.url, project_id=central_project.id, email=central.email,
                        password=PASSWORD), "auth"),
        (ServerSettings(url=central.url, project_id=central_project.id + 9999,
                        email=central.email, password=central.password), "not_found"),
    ]
    for settings, kind in wrong:
        with pytest.raises(ServerError) as failed:
            ws.server.configure(settings)
        assert failed.value.kind == kind, failed.value.message
        assert PASSWORD not in failed.value.message and TOKEN not in failed.value.message
        assert ws.server.settings() is None  # nothing saved
    info = ws.server.configure(good)
    assert info is not None and info.managed_encryption and info.can_publish
    assert ws.server.settings() == good


def _published_and_queued(ws: Workspace, central: Any, project: Any) -> tuple[Any, Any]:
    ws.server.configure(web_user(central, project))
    form = ws.server.publish("adult_indicators")
    done = case(ws)
    ws.server.queue(done["case_id"])
    return form, done


def test_publish_with_managed_encryption_keeps_the_form_central_serves(
        ws: Workspace, central: Any, central_project: Any) -> None:
    ws.server.configure(web_user(central, central_project))
    form = ws.server.publish("adult_indicators")
    assert "[encrypted:" in form.version and form.public_key
    [stored] = ws.server.forms()
    assert (stored.version, stored.public_key, stored.managed) == (
        form.version, form.public_key, True)
    assert stored.xml == central.form_xml(central_project.id, "adult_indicators")
    assert ws.server.publish("adult_indicators").version == form.version  # again: no change
    published = [e for e in ws.store.audit.entries() if e.action == "form.published"]
    assert published[-1].detail["version"] == form.version


def test_queue_send_and_resend_leave_one_encrypted_record_on_central(
        ws: Workspace, central: Any, central_project: Any) -> None:
    form, done = _published_and_queued(ws, central, central_project)
    instance = f"uuid:{done['interview_id']}"

    def crash_after_post(settings: ServerSettings) -> CentralClient:
        client = default_client(settings)
        real = client.submit

        def submit(manifest: bytes, files: Any) -> Any:
            real(manifest, files)
            raise KeyboardInterrupt  # killed after Central took it, before it was recorded
        client.submit = submit  # type: ignore[method-assign]
        return client

    with pytest.raises(KeyboardInterrupt):
        ServerService(ws.store, ws.catalog, client_factory=crash_after_post).send()
    assert ws.server.entries()[0].state == "queued"
    [result] = ws.server.send()
    assert (result.outcome, result.instance_id, result.form_version) == (
        "already_sent", instance, form.version)
    subs = central.submissions(central_project.id, "adult_indicators")
    assert [s["instanceId"] for s in subs] == [instance]
    manifest = central.submission_xml(central_project.id, "adult_indicators", instance)
    assert b'encrypted="yes"' in manifest
    exported = central.export_csv_zip(central_project.id, "adult_indicators",
                                      central_project.passphrase)
    main = exported["adult_indicators.csv"]
    assert instance in main and "not decrypted" not in main
    [entry] = ws.server.entries()
    assert (entry.state, entry.sent_server, entry.sent_form_version) == (
        "sent", central.url, form.version)
    sent = [e for e in ws.store.audit.entries() if e.action == "case.sent"]
    assert sent[-1].detail["instance_id"] == instance
    assert ws.server.send() == []  # nothing left to send


def test_an_app_user_sends_and_remove_after_sending_deletes_the_case(
        ws: Workspace, central: Any, central_project: Any) -> None:
    ws.server.configure(web_user(central, central_project))
    ws.server.publish("adult_indicators")
    token = central.create_app_user(central_project.id, "synthetic officer")
    central.assign_app_user(central_project.id, "adult_indicators", token)
    ws.server.configure(ServerSettings(url=central.url, project_id=central_project.id,
                                       app_user_token=token))
    done = case(ws)
    ws.server.queue(done["case_id"], remove_after=True)
    [result] = ws.server.send()
    assert result.outcome == "removed", result.error
    assert done["case_id"] not in [c.id for c in ws.store.cases.list()]
    assert [e.action for e in ws.store.audit.entries()][-2:] == ["case.sent", "case.deleted"]
    subs = central.submissions(central_project.id, "adult_indicators")
    assert [s["instanceId"] for s in subs] == [f"uuid:{done['interview_id']}"]


def test_the_agencys_own_key_goes_into_the_form_and_only_its_holder_can_read(
        ws: Workspace, central: Any, agency_key: tuple[rsa.RSAPrivateKey, str]) -> None:
    from tests.server.odk_decrypt import decrypt_submission

    project = central.create_project("synthetic agency key project")  # no managed encryption
    ws.server.configure(ServerSettings(url=central.url, project_id=project,
                                       email=central.email, password=central.password,
                                       public_key=agency_key[1]))
    form = ws.server.publish("adult_indicators")
    assert form.public_key == agency_key[1] and "[encrypted:" not in form.version
    done = case(ws)
    ws.server.queue(done["case_id"])
    [result] = ws.server.send()
    assert (result.outcome, result.encrypted) == ("sent", True)
    instance = f"uuid:{done['interview_id']}"
    manifest = central.submission_xml(project, "adult_indicators", instance)
    files = central.submission_attachments(project, "adult_indicators", instance)
    opened = decrypt_submission(manifest, files, agency_key[0])
    assert (opened.instance_id, opened.version, opened.signature_ok) == (
        instance, form.version, True)
    assert f"<age>{ANSWERS['age']}</age>".encode() in opened.xml
    assert b"<age>" not in b"".join(files.values())  # Central holds ciphertext only


def test_an_officer_laptop_takes_the_form_the_administrator_published(
        ws: Workspace, central: Any, central_project: Any, tmp_path: Path) -> None:
    with Workspace(tmp_path / "admin") as admin:
        admin.create(PASSPHRASE)
        admin.server.configure(web_user(central, central_project))
        published = admin.server.publish("adult_indicators")
    token = central.create_app_user(central_project.id, "synthetic officer laptop")
    central.assign_app_user(central_project.id, "adult_indicators", token)
    ws.server.configure(ServerSettings(url=central.url, project_id=central_project.id,
                                       app_user_token=token))
    done = case(ws)
    ws.server.queue(done["case_id"])
    [dry] = ws.server.send(dry_run=True)  # no connection: the form is not known here yet
    assert (dry.outcome, dry.form_version, dry.error) == ("would_send", None, None)
    [result] = ws.server.send()
    assert (result.outcome, result.form_version) == ("sent", published.version)
    assert [f.version for f in ws.server.forms()] == [published.version]
    assert "form.fetched" in [e.action for e in ws.store.audit.entries()]


def test_an_unpublished_form_on_central_is_a_clear_error_and_stays_queued(
        ws: Workspace, central: Any, central_project: Any) -> None:
    ws.server.configure(web_user(central, central_project))
    done = case(ws)
    ws.server.queue(done["case_id"])
    [result] = ws.server.send()
    assert result.error_kind == "form_not_published"
    assert "fieldscreen server publish adult_indicators" in (result.error or "")
    ws.server.publish("adult_indicators")
    assert ws.server.send()[0].outcome in ("sent", "already_sent")
