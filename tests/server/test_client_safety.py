"""What a hostile or broken server cannot make the client do (issue #18 review): send the
token to another host through a redirect, hang a request for ever, or have a submission
counted as sent without Central's answer; and the app-user errors an officer can act on.

Real local HTTP servers on 127.0.0.x (tests/server/test_client.py's FakeCentral, and a raw
socket server that trickles), no Central needed.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from screening.server.client import CentralClient, Credentials, ProjectInfo, ServerError
from tests.server.test_client import (
    CREATED,
    FORMLIST,
    MANIFEST,
    SESSION,
    TOKEN,
    FakeCentral,
    app_user,
    failing,
    fake,
    ok_json,
    openrosa,
    problem,
    web,
)

__all__ = ["fake"]  # the fixture, used by the tests below


@pytest.fixture
def elsewhere() -> Iterator[FakeCentral]:
    """Another host on the loopback network (127.0.0.2): what a redirect must never reach."""
    try:
        server = FakeCentral(host="127.0.0.2")
    except OSError as exc:  # pragma: no cover - a loopback without 127.0.0.2
        pytest.skip(f"127.0.0.2 is not usable here: {exc}")
    server.route("GET", r".*", ok_json({"id": 3, "name": "stolen", "verbs": []}))
    server.route("POST", r".*", CREATED)
    yield server
    server.stop()


def _nothing_reached(elsewhere: FakeCentral) -> None:
    assert elsewhere.requests == []


# -- redirects ----------------------------------------------------------------------------
def test_a_location_that_glues_onto_the_address_cannot_reach_another_host(
        fake: FakeCentral, elsewhere: FakeCentral) -> None:
    """`Location: @127.0.0.2:P/x` once made http://127.0.0.1:P1@127.0.0.2:P/x, and the
    bearer token went to 127.0.0.2. Resolved as a URL it is a path on the same server."""
    glued = f"@127.0.0.2:{elsewhere.port}/stolen"
    fake.route("GET", r"/v1/projects/3", (302, {"Location": glued}, b""))
    failing(web(fake).check)
    _nothing_reached(elsewhere)
    assert "%40127.0.0.2" in fake.paths()[-1]  # followed as a path on this server only


@pytest.mark.parametrize("location", [
    "//127.0.0.2:{port}/v1/projects/3",                      # scheme-relative
    "http://127.0.0.2:{port}/v1/projects/3",                 # another host
    "http://127.0.0.1:{own}@127.0.0.2:{port}/v1/projects/3",  # user info
    "http://me@127.0.0.1:{own}/v1/projects/3",               # user info, same host
    "http://127.0.0.1:{port}/v1/projects/3",                 # another port
    "https://127.0.0.1:{own}/v1/projects/3",                 # another scheme
])
def test_a_redirect_to_any_other_origin_or_with_a_user_is_refused(
        fake: FakeCentral, elsewhere: FakeCentral, location: str) -> None:
    target = location.format(port=elsewhere.port, own=fake.port)
    fake.route("GET", r"/v1/projects/3", (302, {"Location": target}, b""))
    error = failing(web(fake).check)
    assert error.kind == "bad_url" and "follows no redirect" in error.message
    _nothing_reached(elsewhere)
    assert SESSION not in error.message


@pytest.mark.parametrize("location", ["http://[bad", "http://127.0.0.1:99999/x",
                                      "http://[::1/x"])
def test_a_malformed_redirect_is_a_clear_bad_url(fake: FakeCentral, location: str) -> None:
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList", (302, {"Location": location}, b""))
    error = failing(app_user(fake).check)
    assert error.kind == "bad_url" and "redirects to an address that is not valid" in \
        error.message


def test_a_write_is_never_redirected_even_on_the_same_server(fake: FakeCentral) -> None:
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission",
               (307, {"Location": "/elsewhere/submission"}, b""))
    fake.route("POST", r"/elsewhere/submission", CREATED)
    error = failing(lambda: app_user(fake).submit(MANIFEST, {}))
    assert error.kind == "bad_url"
    assert not [p for p in fake.paths() if "/elsewhere/" in p]


# -- a deadline on every request ----------------------------------------------------------
class Trickler:
    """A server that answers one byte per second, in its headers or in its body, for as
    long as the client listens."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 99999999\r\n"
            try:
                if self.where == "headers":
                    conn.sendall(head[:20])
                    data = head[20:] + b"X-Slow: " + b"a" * 99999
                else:
                    conn.sendall(head + b"\r\n")
                    data = b"<" + b"x" * 99999
                for byte in data:
                    if self.stop.wait(1.0):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the client hung up: what the deadline is for

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture(params=["headers", "body"])
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    server = Trickler(request.param)
    yield server
    server.close()


def _ends(call: Callable[[], object]) -> ServerError:
    """Run ``call`` on a thread; fail (instead of hanging the test run) if it does not end
    within a generous bound far beyond the client's deadline."""
    outcome: dict[str, BaseException | object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the request did not end: a trickling server hangs it"
    error = outcome.get("error")
    assert isinstance(error, ServerError), outcome
    return error


def test_a_server_that_trickles_its_answer_cannot_hang_a_request(trickler: Trickler) -> None:
    client = CentralClient(trickler.url, 3, Credentials(app_user_token=TOKEN), timeout=2,
                           deadline=3)
    error = _ends(client.check)
    assert error.kind == "timeout" and error.transient
    assert "did not finish answering within 3 s" in error.message
    error = _ends(lambda: client.submit(MANIFEST, {"submission.xml.enc": b"x"}))
    assert error.kind == "timeout" and error.message.endswith("the interview stays queued")


# -- what counts as sent ------------------------------------------------------------------
@pytest.mark.parametrize("reply", [
    (200, {"Content-Type": "text/html"}, b"<html>Please sign in to the Wi-Fi</html>"),
    (204, {}, b""),
    (201, {"Content-Type": "text/html"}, b"<html>Created</html>"),
])
def test_a_submission_counts_as_sent_only_with_centrals_answer(
        fake: FakeCentral, reply: tuple[int, dict[str, str], bytes]) -> None:
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", reply)
    error = failing(lambda: app_user(fake).submit(MANIFEST, {}))
    assert error.kind == "bad_response" and error.transient and error.status == reply[0]
    assert error.message.endswith("the interview stays queued")


def test_202_with_an_openrosa_answer_is_sent(fake: FakeCentral) -> None:
    _status, headers, body = CREATED
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", (202, headers, body))
    assert app_user(fake).submit(MANIFEST, {}).status == 202


# -- app users: a wrong token, or no access to the form -----------------------------------
NO_ACCESS = ("the app user has no access to form adult_indicators on project 3: the "
             "administrator must give it access in Central (Project › App Users / Form "
             "Access); a new token will not help")


@pytest.mark.parametrize("refusal", [
    openrosa(401, "Could not authenticate with the provided credentials."),  # Central's
    openrosa(403, "The authentication you provided does not have rights"),
])
def test_an_app_user_without_form_access_is_told_so_not_to_get_a_new_token(
        fake: FakeCentral, refusal: tuple[int, dict[str, str], bytes]) -> None:
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", refusal)
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList",
               (200, {"Content-Type": "text/xml"}, FORMLIST))  # the token itself works
    error = failing(lambda: app_user(fake).submit(MANIFEST, {}))
    assert (error.kind, error.message, error.transient) == ("no_form_access", NO_ACCESS, False)
    fake.route("GET", r"/v1/key/[^/]+/projects/3/forms/adult_indicators\.xml",
               problem(403, 403.1, "The authentication you provided does not have rights"))
    error = failing(lambda: app_user(fake).form_xml("adult_indicators"))
    assert (error.kind, error.message) == ("no_form_access", NO_ACCESS)


def test_a_revoked_token_is_still_an_auth_error(fake: FakeCentral) -> None:
    revoked = openrosa(403, "The authentication you provided does not have rights")
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", revoked)
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList", revoked)
    error = failing(lambda: app_user(fake).submit(MANIFEST, {}))
    assert error.kind == "auth" and "revoked" in error.message


def test_an_app_user_that_sees_no_forms_gets_a_warning_from_check(fake: FakeCentral) -> None:
    empty = (b'<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="http://openrosa.org/'
             b'xforms/xformsList"></xforms>')
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList",
               (200, {"Content-Type": "text/xml"}, empty))
    info = app_user(fake).check()
    assert info.forms == () and info.warning is not None
    assert "Form Access" in info.warning and "project 3" in info.warning
    assert ProjectInfo(3, None, False, False, ("adult_indicators",), app_user=True
                       ).warning is None
    assert ProjectInfo(3, "Pilot", True, True).warning is None  # a web user sees all


# -- published versions -------------------------------------------------------------------
FORM = "/v1/projects/3/forms/adult_indicators"


def test_an_earlier_published_version_can_be_read(fake: FakeCentral) -> None:
    fake.route("GET", FORM + "/versions", ok_json([{"version": "3+cccc"},
                                                   {"version": "2+bbbb[encrypted:AZ9x]"}]))
    fake.route("GET", FORM + r"/versions/2%2Bbbbb%5Bencrypted%3AAZ9x%5D\.xml",
               (200, {"Content-Type": "text/xml"}, b"<h:html/>"))
    with web(fake) as client:
        assert client.form_versions("adult_indicators") == ["3+cccc", "2+bbbb[encrypted:AZ9x]"]
        assert client.form_xml("adult_indicators", "2+bbbb[encrypted:AZ9x]") == b"<h:html/>"


@pytest.mark.parametrize(("current", "older", "action"), [
    ("2+bbbb", [], ("already", "2+bbbb")),
    ("3+cccc", [{"version": "2+bbbb"}], ("already", "3+cccc")),
    ("3+cccc", [{"version": "1+aaaa"}], ("published", "3+cccc")),
])
def test_publish_says_what_it_did(fake: FakeCentral, current: str,
                                  older: list[dict[str, str]],
                                  action: tuple[str, str]) -> None:
    fake.route("GET", FORM, ok_json({"version": current, "publishedAt": "2026-01-01"}))
    fake.route("GET", FORM + "/versions", ok_json([{"version": current}, *older]))
    fake.route("POST", FORM + r"/draft", ok_json({"success": True}))
    fake.route("POST", FORM + r"/draft/publish", ok_json({"success": True}))
    done = web(fake).publish(b"<h:html/>", "adult_indicators", "2+bbbb")
    assert (done.action, done.current) == action
    fake.routes.clear()
    fake.route("POST", r"/v1/sessions", ok_json({"token": SESSION}))
    fake.route("POST", r"/v1/projects/3/forms", ok_json({"xmlFormId": "adult_indicators"}))
    done = web(fake).publish(b"<h:html/>", "adult_indicators", "2+bbbb")
    assert (done.action, done.current) == ("created", None)
