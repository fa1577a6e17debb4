"""`fieldscreen server ...` and `fieldscreen send` as administrators and officers run them:
a subprocess, secrets on standard input, exit codes, one line per interview (issue #18)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from screening.server.settings import ServerSettings
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.server.test_service import (
    TOKEN,
    case,
    closed_port,
    connected,
    listening,
    publish_locally,
)

PW = PASSPHRASE + "\n"


@pytest.fixture(scope="module")
def agency_pem(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    path = tmp_path_factory.mktemp("key") / "agency.pem"
    path.write_bytes(pem)
    return path, base64.b64encode(der).decode("ascii")


def store_with_cases(data_dir: Path, url: str | None, *, scopes: list[tuple[str, ...]],
                     public_key: str | None = None, publish: bool = True) -> list[str]:
    """A store with one finished interview per scope; configured for ``url`` (no test) and,
    with ``publish``, the form kept as published. Returns the case references."""
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        refs = [ws.store.cases.get(case(ws, scope=s)["case_id"]).reference for s in scopes]
        if url is not None:
            ws.server.configure(ServerSettings(url=url, project_id=4, app_user_token=TOKEN),
                                test=False)
            if publish:
                publish_locally(ws, public_key)
    return refs


def one_line_error(done: Any) -> str:
    lines = done.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    return str(lines[-1])


# -- server set -----------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "says"), [
    (["http://central.example.org", "--project", "1", "--app-user-token", "x"], "https://"),
    (["https://central.example.org", "--project", "1"], "--app-user-token"),
    (["https://central.example.org", "--project", "1", "--app-user-token", "x", "--email",
      "a@example.org"], "not allowed with"),
    (["https://central.example.org", "--project", "one", "--app-user-token", "x"],
     "invalid project number"),
    (["https://central.example.org/v1/key/abc/projects/1", "--project", "1",
      "--app-user-token", "x"], "the app-user link already holds the token"),
])
def test_server_set_refuses_bad_input_before_the_passphrase(data_dir: Path, args: list[str],
                                                            says: str) -> None:
    store_with_cases(data_dir, None, scopes=[])
    done = run_cli("server", "set", *args, data_dir=data_dir, stdin="")  # no passphrase
    assert done.returncode == 2, done.stderr
    assert says in done.stderr


def test_server_set_names_a_key_file_that_is_missing_or_not_a_key(data_dir: Path,
                                                                  tmp_path: Path) -> None:
    store_with_cases(data_dir, None, scopes=[])
    missing = tmp_path / "missing.pem"
    done = run_cli("server", "set", "https://c.example.org", "--project", "1",
                   "--app-user-token", "x", "--public-key", str(missing), data_dir=data_dir)
    assert done.returncode == 2 and str(missing) in one_line_error(done)
    cert = tmp_path / "not-a-key.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    done = run_cli("server", "set", "https://c.example.org", "--project", "1",
                   "--app-user-token", "x", "--public-key", str(cert), data_dir=data_dir)
    assert done.returncode == 2 and "PUBLIC KEY" in one_line_error(done)


def test_an_unreachable_server_saves_nothing_and_exits_1(data_dir: Path) -> None:
    store_with_cases(data_dir, None, scopes=[])
    url = f"http://127.0.0.1:{closed_port()}"
    done = run_cli("server", "set", url, "--project", "2", "--app-user-token", "-",
                   data_dir=data_dir, stdin=PW + TOKEN + "\n")
    assert done.returncode == 1
    assert "nothing was saved" in one_line_error(done) and "cannot reach" in done.stderr
    shown = run_cli("server", "show", "--json", data_dir=data_dir, stdin=PW)
    assert json.loads(shown.stdout) is None


def test_saved_settings_show_without_the_token_or_password(
        data_dir: Path, agency_pem: tuple[Path, str]) -> None:
    store_with_cases(data_dir, None, scopes=[])
    done = run_cli("server", "set", "https://central.example.org/", "--project", "7",
                   "--app-user-token", TOKEN, "--public-key", str(agency_pem[0]), "--no-test",
                   data_dir=data_dir, stdin=PW)
    assert done.returncode == 0, done.stderr
    assert "shell history" in done.stderr  # a token as an argument: said once
    shown = run_cli("server", "show", "--json", data_dir=data_dir, stdin=PW)
    doc = json.loads(shown.stdout)
    assert (doc["url"], doc["project_id"], doc["auth"], doc["public_key"]) == (
        "https://central.example.org", 7, "app_user", True)
    text = run_cli("server", "show", data_dir=data_dir, stdin=PW)
    password = "synthetic web password 4321"
    web = run_cli("server", "set", "https://central.example.org", "--project", "7", "--email",
                  "admin@example.org", "--no-test", data_dir=data_dir,
                  stdin=PW + password + "\n")
    assert web.returncode == 0, web.stderr
    audit = run_cli("audit", "list", "--json", "--limit", "1000", data_dir=data_dir, stdin=PW)
    for out in (done, shown, text, web, audit):
        assert TOKEN not in out.stdout + out.stderr
        assert password not in out.stdout + out.stderr
    assert "server.configured" in audit.stdout


# -- queue, send, status ------------------------------------------------------------------
def test_queueing_without_agency_server_consent_is_refused_naming_the_case(
        data_dir: Path) -> None:
    [ref] = store_with_cases(data_dir, "https://c.example.org", scopes=[("screening",
                                                                         "referral")])
    done = run_cli("server", "queue", ref, data_dir=data_dir, stdin=PW)
    assert done.returncode == 2
    line = one_line_error(done)
    assert ref in line and "does not cover sharing with the agency server" in line
    status = run_cli("server", "status", "--json", data_dir=data_dir, stdin=PW)
    assert json.loads(status.stdout) == {"entries": []}


def test_send_with_nothing_configured_is_bad_input(data_dir: Path) -> None:
    store_with_cases(data_dir, None, scopes=[])
    done = run_cli("send", data_dir=data_dir, stdin=PW)
    assert done.returncode == 2 and "no server is configured" in one_line_error(done)


def test_a_dry_run_connects_to_nothing_and_says_what_would_go_where(
        data_dir: Path, agency_pem: tuple[Path, str]) -> None:
    server = listening()
    with server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        refs = store_with_cases(data_dir, url, scopes=[("screening", "agency_server")] * 2,
                                public_key=agency_pem[1])
        for ref in refs:
            queued = run_cli("server", "queue", ref, data_dir=data_dir, stdin=PW)
            assert queued.returncode == 0, queued.stderr
        done = run_cli("send", "--dry-run", data_dir=data_dir, stdin=PW)
        as_json = run_cli("send", "--dry-run", "--json", data_dir=data_dir, stdin=PW)
        assert not connected(server)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    for ref, line in zip(refs, lines, strict=True):
        assert re.fullmatch(rf"{ref}\s+uuid:[0-9a-f]{{32}}  would send to {re.escape(url)}: "
                            r"form version \S+\[?.*, encrypted yes, \d+ bytes", line), line
    doc = json.loads(as_json.stdout)
    assert (doc["sent"], doc["failed"]) == (0, 0)
    assert set(doc["results"][0]) == {"case_id", "interview_id", "instance_id", "outcome",
                                      "error", "error_kind", "server", "form_version",
                                      "encrypted", "sent_at", "size", "note", "edit_of"}
    assert {r["outcome"] for r in doc["results"]} == {"would_send"}


def test_a_stopped_server_exits_1_keeps_everything_queued_and_shows_it(
        data_dir: Path, agency_pem: tuple[Path, str]) -> None:
    [ref] = store_with_cases(data_dir, f"http://127.0.0.1:{closed_port()}",
                             scopes=[("screening", "agency_server")], public_key=agency_pem[1])
    assert run_cli("server", "queue", ref, data_dir=data_dir, stdin=PW).returncode == 0
    done = run_cli("send", data_dir=data_dir, stdin=PW)
    assert done.returncode == 1, done.stderr
    assert re.match(rf"{ref}\s+uuid:\S+  failed \(unreachable\): cannot reach", done.stdout)
    status = json.loads(run_cli("server", "status", "--json", data_dir=data_dir,
                                stdin=PW).stdout)
    [entry] = status["entries"]
    assert (entry["case_reference"], entry["state"], entry["attempts"]) == (ref, "queued", 1)
    assert entry["next_attempt_at"] and entry["last_error_kind"] == "unreachable"
    shown = json.loads(run_cli("cases", "show", ref, "--json", data_dir=data_dir,
                               stdin=PW).stdout)
    assert shown["interviews"][0]["sent"]["state"] == "queued"


def test_a_dry_run_before_the_form_was_fetched_says_send_fetches_it(data_dir: Path) -> None:
    [ref] = store_with_cases(data_dir, f"http://127.0.0.1:{closed_port()}",
                             scopes=[("screening", "agency_server")], publish=False)
    run_cli("server", "queue", ref, data_dir=data_dir, stdin=PW)
    done = run_cli("send", "--dry-run", data_dir=data_dir, stdin=PW)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(rf"{ref}\s+uuid:[0-9a-f]{{32}}  would send to http://127\.0\.0\.1:\d+: "
                        r"form not fetched yet: `send` fetches it from the server\n",
                        done.stdout), done.stdout
    doc = json.loads(run_cli("send", "--dry-run", "--json", data_dir=data_dir,
                             stdin=PW).stdout)
    [result] = doc["results"]
    assert (result["outcome"], result["form_version"], result["error"]) == (
        "would_send", None, None)


# -- against a real ODK Central --------------------------------------------------------------
def test_a_session_against_central(data_dir: Path, central: Any, central_project: Any) -> None:
    """The administrator sets up and publishes; the officer queues and sends; the case shows
    where it went. The transcript is what docs/server.md describes."""
    [ref, other] = store_with_cases(data_dir, None, scopes=[("screening", "agency_server"),
                                                            ("screening", "referral")])
    project = str(central_project.id)
    admin = run_cli("server", "set", central.url, "--project", project, "--email",
                    central.email, data_dir=data_dir, stdin=PW + central.password + "\n")
    assert admin.returncode == 0, admin.stderr
    assert "managed encryption on" in admin.stdout
    published = run_cli("server", "publish", "adult_indicators", data_dir=data_dir, stdin=PW)
    assert published.returncode == 0, published.stderr
    assert "[encrypted:" in published.stdout and "submissions encrypted" in published.stdout
    token = central.create_app_user(central_project.id, "synthetic officer laptop")
    central.assign_app_user(central_project.id, "adult_indicators", token)
    officer = run_cli("server", "set", central.url, "--project", project, "--app-user-token",
                      "-", data_dir=data_dir, stdin=PW + token + "\n")
    assert officer.returncode == 0, officer.stderr
    assert "adult_indicators" in officer.stdout
    refused = run_cli("server", "queue", other, data_dir=data_dir, stdin=PW)
    assert refused.returncode == 2
    queued = run_cli("server", "queue", ref, data_dir=data_dir, stdin=PW)
    assert queued.returncode == 0, queued.stderr
    sent = run_cli("send", "--json", data_dir=data_dir, stdin=PW)
    assert sent.returncode == 0, sent.stderr
    doc = json.loads(sent.stdout)
    [result] = doc["results"]
    assert (doc["sent"], doc["failed"], result["outcome"], result["encrypted"]) == (
        1, 0, "sent", True)
    assert "[encrypted:" in result["form_version"]
    subs = central.submissions(central_project.id, "adult_indicators")
    assert [s["instanceId"] for s in subs] == [result["instance_id"]]
    listed = json.loads(run_cli("cases", "list", "--json", data_dir=data_dir,
                                stdin=PW).stdout)
    by_ref = {c["reference"]: c for c in listed}
    assert by_ref[ref]["sent"]["sent"] == 1 and by_ref[ref]["sent"]["server"] == central.url
    assert by_ref[other]["sent"] is None
    again = run_cli("send", data_dir=data_dir, stdin=PW)
    assert again.returncode == 0 and "nothing to send" in again.stderr
    for out in (admin, published, officer, queued, sent, again):
        assert token not in out.stdout + out.stderr
        assert central.password not in out.stdout + out.stderr


# -- review fixes: files, project numbers, app-user links, changes after sending -------------
@pytest.mark.parametrize("option", ["--public-key", "--ca-file"])
def test_a_device_a_pipe_or_a_huge_file_is_refused_without_reading_it(
        data_dir: Path, tmp_path: Path, option: str) -> None:
    import os

    store_with_cases(data_dir, None, scopes=[])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it for reading must not wait for a writer
    huge = tmp_path / "huge.pem"
    huge.write_bytes(b"A" * (1024 * 1024 + 1))
    for path, says in (("/dev/urandom", "not a regular file"), (str(fifo), "not a regular file"),
                       (str(huge), "at most 1 MB")):
        done = run_cli("server", "set", "https://c.example.org", "--project", "1",
                       "--app-user-token", "x", option, path, "--no-test",
                       data_dir=data_dir, stdin="", timeout=60)  # no passphrase asked
        assert done.returncode == 2, done.stderr
        assert path in one_line_error(done) and says in done.stderr


@pytest.mark.parametrize("project", ["0", "-3", "2147483648", "99999999999999999999", "one"])
def test_a_project_number_out_of_range_is_refused_before_the_passphrase(
        data_dir: Path, project: str) -> None:
    store_with_cases(data_dir, None, scopes=[])
    done = run_cli("server", "set", "https://c.example.org", "--project", project,
                   "--app-user-token", "x", "--no-test", data_dir=data_dir, stdin="")
    assert done.returncode == 2
    assert f"invalid project number '{project}'" in done.stderr
    assert "from 1 to 2147483647" in done.stderr


def _shown(data_dir: Path) -> dict[str, Any]:
    doc = json.loads(run_cli("server", "show", "--json", data_dir=data_dir, stdin=PW).stdout)
    return dict(doc)


def test_an_app_user_link_pasted_gives_the_address_token_and_project(data_dir: Path) -> None:
    store_with_cases(data_dir, None, scopes=[])
    base = "http://127.0.0.1:8383"
    link = f"{base}/v1/key/{TOKEN}/projects/5"
    done = run_cli("server", "set", link, "--no-test", data_dir=data_dir, stdin=PW)
    assert done.returncode == 0, done.stderr
    assert "shell history" in done.stderr and TOKEN not in done.stdout + done.stderr
    shown = _shown(data_dir)
    assert (shown["url"], shown["project_id"], shown["auth"]) == (base, 5, "app_user")
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        assert ws.server.require_settings().app_user_token == TOKEN
    # the link given for the token, or read from standard input (no shell involved)
    other = link.replace("/projects/5", "/projects/6")
    done = run_cli("server", "set", base, "--app-user-token", other, "--no-test",
                   data_dir=data_dir, stdin=PW)
    assert done.returncode == 0, done.stderr
    assert _shown(data_dir)["project_id"] == 6
    done = run_cli("server", "set", "--app-user-token", "-", "--no-test", data_dir=data_dir,
                   stdin=PW + link + "\n")
    assert done.returncode == 0, done.stderr
    assert "shell history" not in done.stderr
    assert _shown(data_dir)["project_id"] == 5


@pytest.mark.parametrize(("extra", "says"), [
    (["--project", "6"], "--project 6 is not the project in the app-user link (5)"),
    (["--app-user-token", "other"], "the app-user link already holds the token"),
    (["--email", "admin@example.org"], "--email is for a web user"),
])
def test_an_app_user_link_that_contradicts_the_options_is_refused(
        data_dir: Path, extra: list[str], says: str) -> None:
    store_with_cases(data_dir, None, scopes=[])
    link = f"http://127.0.0.1:8383/v1/key/{TOKEN}/projects/5"
    done = run_cli("server", "set", link, *extra, "--no-test", data_dir=data_dir, stdin="")
    assert done.returncode == 2
    assert says in one_line_error(done)
    assert TOKEN not in done.stderr


def test_server_show_says_where_the_key_comes_from_without_an_agency_key(
        data_dir: Path) -> None:
    store_with_cases(data_dir, "https://c.example.org", scopes=[], publish=False)
    text = run_cli("server", "show", data_dir=data_dir, stdin=PW).stdout
    assert "agency key:      none — the key comes from the form Central serves" in text


def test_status_and_cases_show_name_an_interview_changed_after_it_was_sent(
        data_dir: Path) -> None:
    from tests.server.test_send_changes import change_age, record_as_sent

    [ref] = store_with_cases(data_dir, f"http://127.0.0.1:{closed_port()}",
                             scopes=[("screening", "agency_server")])
    assert run_cli("server", "queue", ref, data_dir=data_dir, stdin=PW).returncode == 0
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        [entry] = ws.server.entries()
        record_as_sent(ws, entry.interview_id)
        change_age(ws, entry.interview_id, 48)
    status = run_cli("server", "status", data_dir=data_dir, stdin=PW)
    assert "CHANGED after it was sent" in status.stdout
    [doc] = json.loads(run_cli("server", "status", "--json", data_dir=data_dir,
                               stdin=PW).stdout)["entries"]
    assert (doc["state"], doc["changed_after_sending"]) == ("sent", True)
    shown = json.loads(run_cli("cases", "show", ref, "--json", data_dir=data_dir,
                               stdin=PW).stdout)
    assert shown["interviews"][0]["sent"]["changed_after_sending"] is True
    again = run_cli("server", "queue", ref, data_dir=data_dir, stdin=PW)
    assert again.returncode == 0, again.stderr
    status = run_cli("server", "status", data_dir=data_dir, stdin=PW)
    assert f"queued (an edit replacing uuid:{entry.interview_id})" in status.stdout


def test_an_app_user_without_form_access_is_warned_on_saving(
        data_dir: Path, central: Any, central_project: Any) -> None:
    store_with_cases(data_dir, None, scopes=[])
    token = central.create_app_user(central_project.id, "synthetic officer, no forms yet")
    done = run_cli("server", "set", central.url, "--project", str(central_project.id),
                   "--app-user-token", "-", data_dir=data_dir, stdin=PW + token + "\n")
    assert done.returncode == 0, done.stderr
    assert "warning: the app user sees no forms" in done.stderr
    assert "Form Access" in done.stderr
    audit = run_cli("audit", "list", "--json", "--limit", "1000", data_dir=data_dir, stdin=PW)
    configured = [e for e in json.loads(audit.stdout) if e["action"] == "server.configured"]
    assert "managed_encryption" not in configured[-1]["detail"]
