"""Nothing is lost when a send goes wrong, against a real ODK Central (tests/server/central.py;
skips only where Node or PostgreSQL are missing), with `fieldscreen send` run as the officer
runs it (issue #18):

* the process is killed (SIGKILL) while Central's answer to a submission is on its way back
  (a loopback proxy in this file forwards the request and holds the answer): the next send
  completes, and Central has one record per interview;
* Central is stopped: exit 1, a clear message per case, everything stays queued with a next
  retry time, and a dry run still lists them without opening a connection; Central back:
  everything is sent, once;
* a wrong app-user token is refused when the settings are saved (exit 2, nothing stored); a
  token revoked later fails the send with a clear message and the items stay in the queue.

The officer's laptop is set up through the service, as the app does (a store, finished
interviews with a consent that covers the agency server, the form published by a web user).
Synthetic data only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from screening.server.publishing import fetch_form
from screening.server.service import default_client
from screening.server.settings import ServerSettings
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, ROOT
from tests.server.central import CentralServer
from tests.server.conftest import CentralProject
from tests.server.test_end_to_end import PW, cli, instance_ids, status
from tests.server.test_service import case, connected

FORM = "adult_indicators"
# The request line of an OpenRosa submission, as a web user or an app user posts it.
SUBMISSION = re.compile(rb"POST /v1/(?:key/[^/\s]+/)?projects/\d+/submission HTTP/1\.[01]\r\n")


class HoldingProxy:
    """A TCP proxy on 127.0.0.1 in front of Central. It forwards every request; while
    ``hold`` is set, Central's answer to a submission is read and kept back (``held`` is set
    then: Central has taken the submission, the client is still waiting)."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.hold = False
        self.held = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target), timeout=30)
            upstream.settimeout(None)
            self._open += [client, upstream]
            posted = threading.Event()  # this connection carried a submission
            for args in ((client, upstream, posted, True), (upstream, client, posted, False)):
                threading.Thread(target=self._pipe, args=args, daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, posted: threading.Event,
              request: bool) -> None:
        seen = b""
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            if request:
                if self.hold and SUBMISSION.search(seen + data):
                    posted.set()
                seen = (seen + data)[-4096:]
            elif posted.is_set():
                self.held.set()
                continue  # kept back: the client never gets Central's answer
            try:
                dst.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._listener.close()
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.close()


@pytest.fixture(scope="module")
def project(central: CentralServer, tmp_path_factory: pytest.TempPathFactory) -> CentralProject:
    """One project with managed encryption for this module, the form published once by an
    administrator's laptop (a web user). Each test counts what its own send adds."""
    name = f"resilience {secrets.token_hex(3)}"
    passphrase = f"synthetic passphrase {secrets.token_hex(8)}"
    made = CentralProject(central.create_project(name, managed_encryption_passphrase=passphrase),
                          name, passphrase)
    with Workspace(tmp_path_factory.mktemp("admin") / "data") as admin:
        admin.create(PASSPHRASE)
        admin.server.configure(ServerSettings(url=central.url, project_id=made.id,
                                              email=central.email, password=central.password))
        admin.server.publish(FORM)
    return made


@dataclass(frozen=True)
class Laptop:
    data_dir: Path
    refs: list[str]  # case references, queued
    keys: list[str]  # their instanceIDs
    token: str


def officer_laptop(data_dir: Path, central: CentralServer, project: CentralProject, *,
                   cases: int, url: str | None = None) -> Laptop:
    """An officer's store: ``cases`` finished interviews queued for the server, the settings
    of a new app user saved with the connection tested (to ``url``, default Central itself),
    and the form the administrator published taken from the server, as a send does
    (``fetch_form``), so that the laptop knows it before anything goes wrong."""
    token = central.create_app_user(project.id, f"officer {secrets.token_hex(3)}")
    central.assign_app_user(project.id, FORM, token)
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        ws.server.configure(ServerSettings(url=url or central.url, project_id=project.id,
                                           app_user_token=token))
        settings = ws.server.require_settings()
        form = fetch_form(default_client(settings), settings, ws.catalog.find(FORM))
        assert form is not None
        ws.store.sends.save_form(form, host=settings.host, action="form.fetched")
        done = [case(ws) for _ in range(cases)]
        refs = []
        for d in done:
            refs.append(ws.store.cases.get(d["case_id"]).reference)
            ws.server.queue(d["case_id"])
    return Laptop(data_dir, refs, [f"uuid:{d['interview_id']}" for d in done], token)


def cli_env(data_dir: Path) -> dict[str, str]:
    """The environment tests/cli/helpers.py's run_cli gives `fieldscreen`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(FIELDSCREEN_KDF_PROFILE="fast", SCREENING_DEV="1",
               FIELDSCREEN_DATA_DIR=str(data_dir))
    return env


def decrypted_keys(central: CentralServer, project: CentralProject) -> list[str]:
    """The KEYs of Central's export, decrypted with the passphrase; fails on a row that
    Central could not decrypt."""
    text = central.export_csv_zip(project.id, FORM, passphrase=project.passphrase)[f"{FORM}.csv"]
    assert "not decrypted" not in text
    header, *rows = [line.split(",") for line in text.lstrip("\ufeff").splitlines()]
    return sorted(row[header.index("KEY")] for row in rows)


@pytest.fixture
def proxy(central: CentralServer) -> Iterator[HoldingProxy]:
    running = HoldingProxy(central.port)
    yield running
    running.close()


def test_kill_9_while_central_answers_then_send_again_completes_once(
        data_dir: Path, central: CentralServer, project: CentralProject,
        proxy: HoldingProxy) -> None:
    laptop = officer_laptop(data_dir, central, project, cases=2, url=proxy.url)
    earlier = instance_ids(central, project.id, FORM)
    proxy.hold = True
    secret = data_dir.parent / "passphrase.txt"
    secret.write_text(PW)
    with secret.open("rb") as stdin, subprocess.Popen(
            [sys.executable, "-m", "screening.cli.main", "send"], cwd=ROOT,
            env=cli_env(data_dir), stdin=stdin, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE) as proc:
        held = proxy.held.wait(60)
        os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
    assert held, f"no submission reached Central: {err.decode(errors='replace')}"
    assert proc.returncode == -signal.SIGKILL
    assert out == b""  # killed before it could report anything
    # Central took the first one; the laptop never heard so: both still queued
    assert instance_ids(central, project.id, FORM) == sorted([*earlier, laptop.keys[0]])
    before = status(data_dir)
    assert {k: before[k]["state"] for k in laptop.keys} == dict.fromkeys(laptop.keys, "queued")

    # Sent again straight to Central (the settings now name it, not the proxy): the same
    # envelope goes out, so Central takes it as the same submission, not a conflicting one.
    proxy.close()
    cli(data_dir, "server", "set", central.url, "--project", str(project.id),
        "--app-user-token", "-", stdin=PW + laptop.token + "\n")
    done = cli(data_dir, "send")
    assert "2 sent, 0 failed" in done.stderr
    for ref, key in zip(laptop.refs, laptop.keys, strict=True):
        assert re.search(rf"^{ref}\s+{key}  sent$", done.stdout, re.M), done.stdout
    assert instance_ids(central, project.id, FORM) == sorted([*earlier, *laptop.keys])
    assert set(laptop.keys) <= set(decrypted_keys(central, project))
    after = status(data_dir)
    assert {(after[k]["state"], after[k]["sent_server"]) for k in laptop.keys} == {
        ("sent", central.url)}
    # nothing lost locally: the cases and their interviews are all there, the audit intact
    cases = json.loads(cli(data_dir, "cases", "list", "--json").stdout)
    assert sorted((c["reference"], c["interviews"]) for c in cases) == sorted(
        (ref, 1) for ref in laptop.refs)
    assert cli(data_dir, "audit", "verify").returncode == 0


def test_a_stopped_server_keeps_everything_queued_until_it_is_back(
        data_dir: Path, central: CentralServer, project: CentralProject) -> None:
    laptop = officer_laptop(data_dir, central, project, cases=2)
    earlier = instance_ids(central, project.id, FORM)
    central.stop_central()
    try:
        down = cli(data_dir, "send", ok=False)
        assert down.returncode == 1, down.stderr
        for ref, key in zip(laptop.refs, laptop.keys, strict=True):
            assert re.search(rf"^{ref}\s+{key}  failed \(unreachable\): cannot reach "
                             rf"{re.escape(central.url)}", down.stdout, re.M), down.stdout
        assert "0 sent, 2 failed; failed ones stay queued" in down.stderr
        waiting = status(data_dir)
        for key in laptop.keys:
            entry = waiting[key]
            assert (entry["state"], entry["attempts"], entry["last_error_kind"]) == (
                "queued", 1, "unreachable")
            assert entry["next_attempt_at"] > entry["queued_at"]
        # A dry run opens no connection: a socket listening on Central's port sees none.
        with socket.socket() as watcher:
            watcher.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            watcher.bind(("127.0.0.1", central.port))
            watcher.listen(8)
            watcher.setblocking(False)
            dry = cli(data_dir, "send", "--dry-run")
            assert not connected(watcher)
        lines = dry.stdout.strip().splitlines()
        assert [line.split()[:2] for line in lines] == [
            [ref, key] for ref, key in zip(laptop.refs, laptop.keys, strict=True)]
        assert all(f"would send to {central.url}: " in line for line in lines), lines
    finally:
        central.start_central()
    assert instance_ids(central, project.id, FORM) == earlier
    back = cli(data_dir, "send")
    assert "2 sent, 0 failed" in back.stderr
    assert instance_ids(central, project.id, FORM) == sorted([*earlier, *laptop.keys])
    assert {e["state"] for e in status(data_dir).values()} == {"sent"}


def test_a_wrong_token_saves_nothing_and_a_revoked_one_keeps_the_queue(
        data_dir: Path, central: CentralServer, project: CentralProject) -> None:
    number = str(project.id)
    wrong = "SyntheticWrongToken" + secrets.token_hex(24)
    laptop = officer_laptop(data_dir, central, project, cases=1)
    earlier = instance_ids(central, project.id, FORM)
    cli(data_dir, "server", "forget")
    refused = cli(data_dir, "server", "set", central.url, "--project", number,
                  "--app-user-token", "-", stdin=PW + wrong + "\n", ok=False)
    assert refused.returncode == 2
    last = refused.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "nothing was saved" in last
    assert "refused the app-user token" in last, last
    assert wrong not in refused.stdout + refused.stderr
    assert json.loads(cli(data_dir, "server", "show", "--json").stdout) is None

    cli(data_dir, "server", "set", central.url, "--project", number, "--app-user-token", "-",
        stdin=PW + laptop.token + "\n")
    central.request("DELETE", f"/v1/sessions/{laptop.token}")  # the administrator revokes it
    failed = cli(data_dir, "send", ok=False)
    assert failed.returncode == 2
    [line] = failed.stdout.strip().splitlines()
    assert re.match(rf"{laptop.refs[0]}\s+{laptop.keys[0]}  failed \(auth\): ", line), line
    assert "refused the app-user token" in line and "revoked" in line, line
    assert laptop.token not in failed.stdout + failed.stderr
    entry = status(data_dir)[laptop.keys[0]]
    assert (entry["state"], entry["last_error_kind"], entry["sent_at"]) == ("failed", "auth",
                                                                            None)
    assert instance_ids(central, project.id, FORM) == earlier
    # a new token from the administrator: the same queue goes out
    fresh = central.create_app_user(project.id, "synthetic officer, new token")
    central.assign_app_user(project.id, FORM, fresh)
    cli(data_dir, "server", "set", central.url, "--project", number, "--app-user-token", "-",
        stdin=PW + fresh + "\n")
    assert "1 sent, 0 failed" in cli(data_dir, "send").stderr
    assert instance_ids(central, project.id, FORM) == sorted([*earlier, *laptop.keys])
