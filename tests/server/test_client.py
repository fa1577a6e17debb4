"""The ODK Central client against real local HTTP(S) servers (no Central needed).

Servers run in threads on free 127.0.0.1 ports: a small Central look-alike answering with
Central's real status and problem codes (lib/util/problem.js), a TLS one with a self-signed
certificate, one that never answers, a closed port. Every test is bounded by short timeouts.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import re
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from screening.errors import InputError
from screening.server.client import CentralClient, Credentials, ServerError, check_url

TOKEN = "Ab3!" + "x$Y9" * 15  # Central's shape: 64 of [A-Za-z0-9!$]
PASSWORD = "correct horse battery staple 42"
SESSION = "S" * 64
EMAIL = "admin@example.org"

Reply = tuple[int, dict[str, str], bytes]


def problem(status: int, code: float, message: str) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(
        {"code": code, "message": message}).encode()


def openrosa(status: int, message: str) -> Reply:
    body = ('<OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0">'
            f'<message nature="error">{message}</message></OpenRosaResponse>')
    return status, {"Content-Type": "text/xml"}, body.encode()


def ok_json(data: object) -> Reply:
    return 200, {"Content-Type": "application/json"}, json.dumps(data).encode()


CREATED = openrosa(201, "full submission upload was successful!")


class FakeCentral:
    """Routes: (method, path regex) -> reply or callable(request) -> reply. Records every
    request as (method, path, headers, body)."""

    def __init__(self, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self.routes: list[tuple[str, re.Pattern[str], Reply | Callable[..., Reply]]] = []
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.route("POST", r"/v1/sessions", ok_json({"token": SESSION}))
        self.route("DELETE", r"/v1/sessions/current", ok_json({"success": True}))
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = (self.command, self.path, dict(self.headers.items()), body)
                owner.requests.append(request)
                status, headers, data = owner.answer(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = _any

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *a: None  # type: ignore[method-assign]
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def route(self, method: str, path: str, reply: Reply | Callable[..., Reply]) -> None:
        self.routes.insert(0, (method, re.compile(path + r"(\?.*)?$"), reply))

    def answer(self, request: tuple[str, str, dict[str, str], bytes]) -> Reply:
        for method, pattern, reply in self.routes:
            if method == request[0] and pattern.match(request[1]):
                return reply(request) if callable(reply) else reply
        return problem(404, 404.1, "Could not find the resource you were looking for.")

    def paths(self) -> list[str]:
        return [f"{m} {p}" for m, p, _h, _b in self.requests]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeCentral]:
    server = FakeCentral()
    yield server
    server.stop()


def web(fake: FakeCentral, **kw: object) -> CentralClient:
    return CentralClient(fake.url, 3, Credentials(email=EMAIL, password=PASSWORD),
                         timeout=5, **kw)  # type: ignore[arg-type]


def app_user(fake: FakeCentral) -> CentralClient:
    return CentralClient(fake.url, 3, Credentials(app_user_token=TOKEN), timeout=5)


def assert_no_secret(exc: BaseException, *more: object) -> None:
    seen = exc
    texts = [str(x) + repr(x) for x in more]
    while seen is not None:
        texts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    for text in texts:
        for secret in (TOKEN, PASSWORD, SESSION):
            assert secret not in text


def failing(call: Callable[[], object]) -> ServerError:
    with pytest.raises(ServerError) as caught:
        call()
    assert_no_secret(caught.value)
    return caught.value


# -- addresses ----------------------------------------------------------------------------
def test_check_url_normalises_and_requires_https() -> None:
    assert check_url(" https://Central.Example.org/ ") == "https://central.example.org"
    assert check_url("https://x.org:443/odk/v1/") == "https://x.org/odk"
    assert check_url("https://x.org:8443") == "https://x.org:8443"
    assert check_url("http://127.0.0.1:8383") == "http://127.0.0.1:8383"
    assert check_url("http://[::1]:8383/") == "http://[::1]:8383"
    for bad in ("http://central.example.org", "http://localhost:8383", "ftp://x.org",
                "central.example.org", "", "https://", "https://x.org/?a=1",
                "https://x.org:99999"):
        with pytest.raises(InputError):
            check_url(bad)


def test_check_url_keeps_secrets_out_of_its_errors() -> None:
    for url in (f"https://me:{PASSWORD}@x.org", f"https://me:{PASSWORD}@x.org:99999",
                f"ftp://me:{PASSWORD}@x.org", f"http://me:{PASSWORD}@x.org"):
        with pytest.raises(InputError) as caught:
            check_url(url)
        assert PASSWORD not in caught.value.message
    with pytest.raises(InputError) as caught:
        check_url(f"https://x.org/v1/key/{TOKEN}/projects/3")
    assert TOKEN not in caught.value.message and "app-user link" in caught.value.message


def test_credentials_and_client_reprs_hide_secrets(fake: FakeCentral) -> None:
    for thing in (Credentials(app_user_token=TOKEN), Credentials(email=EMAIL,
                                                                 password=PASSWORD),
                  app_user(fake), web(fake)):
        assert TOKEN not in repr(thing) and PASSWORD not in repr(thing)
    with pytest.raises(InputError):
        CentralClient(fake.url, 3, Credentials())
    with pytest.raises(InputError) as caught:
        CentralClient(fake.url, 3, Credentials(app_user_token=fake.url + "/v1/key/x"))
    assert "whole link" in caught.value.message


# -- network failures ---------------------------------------------------------------------
def test_connection_refused_says_so() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = CentralClient(f"http://127.0.0.1:{port}", 3, Credentials(app_user_token=TOKEN),
                           timeout=5)
    error = failing(client.check)
    assert error.kind == "unreachable" and error.transient and error.status is None
    assert "connection refused" in error.message and f"127.0.0.1:{port}" in error.message
    error = failing(lambda: client.submit(MANIFEST, {"submission.xml.enc": b"x" * 16}))
    assert error.message.endswith("the interview stays queued")


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:  # the kernel accepts; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = CentralClient(url, 3, Credentials(app_user_token=TOKEN), timeout=0.5)
        error = failing(client.check)
    assert error.kind == "timeout" and error.transient
    assert "0.5 s" in error.message


def _self_signed() -> tuple[ssl.SSLContext, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FieldScreen test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as chain:
        chain.write(pem + key_pem)
        chain.flush()
        context.load_cert_chain(chain.name)
    return context, pem


@pytest.fixture
def tls_central() -> Iterator[tuple[FakeCentral, str]]:
    context, pem = _self_signed()
    server = FakeCentral(tls=context)
    server.route("GET", r"/v1/projects/3", ok_json({"id": 3, "name": "Pilot", "keyId": None,
                                                    "verbs": ["form.create"]}))
    yield server, pem
    server.stop()


def test_an_unknown_certificate_is_a_tls_error(tls_central: tuple[FakeCentral, str]) -> None:
    server, _pem = tls_central
    error = failing(web(server).check)
    assert error.kind == "tls" and error.transient
    assert "certificate" in error.message and server.url in error.message
    assert server.requests == []  # nothing, not even the password, went over it


def test_the_agency_ca_makes_tls_work(tls_central: tuple[FakeCentral, str]) -> None:
    server, pem = tls_central
    info = web(server, ca_pem=pem).check()
    assert info.name == "Pilot" and not info.managed_encryption and not info.can_publish
    with pytest.raises(InputError, match="PEM"):
        web(server, ca_pem="not a certificate")


def test_no_redirect_to_another_host_is_followed(fake: FakeCentral) -> None:
    elsewhere = FakeCentral()
    try:
        target = f"{elsewhere.url}/v1/key/{TOKEN}/projects/3/formList"
        fake.route("GET", r"/v1/key/[^/]+/projects/3/formList",
                      (302, {"Location": target}, b""))
        error = failing(app_user(fake).check)
        assert error.kind == "bad_url" and elsewhere.url in error.message
        assert elsewhere.requests == []
        fake.route("POST", r"/v1/key/[^/]+/projects/3/submission",
                      (307, {"Location": target}, b""))
        failing(lambda: app_user(fake).submit(MANIFEST, {}))
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()


def test_a_redirect_on_the_same_server_is_followed_for_reads(fake: FakeCentral) -> None:
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList",
                  (302, {"Location": "/moved/formList"}, b""))
    fake.route("GET", r"/moved/formList", (200, {"Content-Type": "text/xml"}, FORMLIST))
    assert app_user(fake).check().forms == ("adult_indicators", "child_indicators")


# -- HTTP statuses, as Central gives them -------------------------------------------------
FORMLIST = (b'<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="http://openrosa.org/'
            b'xforms/xformsList"><xform><formID>adult_indicators</formID><name>A</name>'
            b'<version>1</version></xform><xform><formID>child_indicators</formID>'
            b'</xform></xforms>')


def test_5xx_is_a_server_error_worth_retrying(fake: FakeCentral) -> None:
    fake.route("GET", r"/v1/projects/3", problem(500, 500.1, "An unknown internal problem"))
    error = failing(web(fake).check)
    assert (error.kind, error.status, error.transient) == ("server", 500, True)
    fake.route("POST", r"/v1/projects/3/submission", (502, {"Content-Type": "text/html"},
                                                          b"<html>Bad Gateway</html>"))
    error = failing(lambda: web(fake).submit(MANIFEST, {}))
    assert error.kind == "server" and "stays queued" in error.message


def test_wrong_password_is_an_auth_error(fake: FakeCentral) -> None:
    fake.route("POST", r"/v1/sessions",
                  problem(401, 401.2, "Could not authenticate with the provided credentials."))
    error = failing(web(fake).check)
    assert (error.kind, error.status, error.problem) == ("auth", 401, 401.2)
    assert "e-mail and password" in error.message and not error.transient


def test_app_user_token_refused_or_revoked(fake: FakeCentral) -> None:
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList",
                  openrosa(401, "Could not authenticate with the provided credentials."))
    error = failing(app_user(fake).check)
    assert error.kind == "auth" and "app-user token (HTTP 401)" in error.message
    assert "ask the administrator for a new one" in error.message
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList",
                  openrosa(403, "The authentication you provided does not have rights"))
    error = failing(app_user(fake).check)  # Central: a token unknown to it, or revoked
    assert error.kind == "auth" and "revoked" in error.message


def test_web_user_without_rights_is_forbidden(fake: FakeCentral) -> None:
    fake.route("GET", r"/v1/projects/3", problem(403, 403.1, "insufficient rights"))
    error = failing(web(fake).check)
    assert error.kind == "forbidden" and "project 3" in error.message


def test_wrong_project_is_not_found(fake: FakeCentral) -> None:
    error = failing(web(fake).check)  # the fake answers 404.1 for anything unknown
    assert error.kind == "not_found" and "project 3 does not exist" in error.message
    error = failing(app_user(fake).check)
    assert error.kind == "not_found"


@pytest.mark.parametrize("reply", [
    (404, {"Content-Type": "text/html"}, b"<html><h1>Not Found</h1></html>"),
    (200, {"Content-Type": "text/html"}, b"<html>Welcome to nginx</html>"),
    (405, {"Content-Type": "text/plain"}, b"Method Not Allowed"),
    (401, {"WWW-Authenticate": "Basic"}, b"Unauthorized"),
])
def test_a_server_that_is_not_central_is_a_wrong_url(fake: FakeCentral,
                                                     reply: Reply) -> None:
    fake.routes.clear()
    fake.route("POST", r".*", reply)
    fake.route("GET", r".*", reply)
    for client in (web(fake), app_user(fake)):
        error = failing(client.check)
        assert error.kind == "bad_url" and "ODK Central" in error.message


def test_a_central_under_another_path_is_a_wrong_url(fake: FakeCentral) -> None:
    fake.route("POST", r"/odk/v1/sessions", problem(
        404, 404.2, "Expected an API version (eg /v1) at the start of the request URL."))
    client = CentralClient(fake.url + "/odk", 3, Credentials(email=EMAIL, password=PASSWORD),
                           timeout=5)
    error = failing(client.check)
    assert error.kind == "bad_url" and "without /v1" in error.message


def test_proxy_settings_of_the_environment_are_ignored(
        fake: FakeCentral, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, nowhere)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    fake.route("GET", r"/v1/key/[^/]+/projects/3/formList",
               (200, {"Content-Type": "text/xml"}, FORMLIST))
    assert app_user(fake).check().forms == ("adult_indicators", "child_indicators")


def test_check_reads_managed_encryption_and_rights(fake: FakeCentral) -> None:
    fake.route("GET", r"/v1/projects/3", ok_json(
        {"id": 3, "name": "Pilot", "keyId": 7, "verbs": ["form.create", "form.update",
                                                         "submission.create"]}))
    info = web(fake).check()
    assert (info.project_id, info.name, info.managed_encryption, info.can_publish) == (
        3, "Pilot", True, True)
    method, _path, _headers, body = fake.requests[0]
    assert method == "POST" and json.loads(body) == {"email": EMAIL, "password": PASSWORD}
    assert fake.requests[1][2]["Authorization"] == f"Bearer {SESSION}"


def test_form_not_published(fake: FakeCentral) -> None:
    error = failing(lambda: web(fake).form_xml("adult_indicators"))
    assert error.kind == "form_not_published"
    assert "run `fieldscreen server publish adult_indicators`" in error.message
    fake.route("POST", r"/v1/projects/3/submission", openrosa(
        404, "The form version specified in this submission '1.0+abcdef01' does not exist."))
    error = failing(lambda: web(fake).submit(MANIFEST, {}))
    assert error.kind == "form_not_published" and error.problem == 404.6
    assert "version '1.0+abcdef01'" in error.message and "project 3" in error.message


@pytest.mark.parametrize(("message", "kind", "words"), [
    ("A submission already exists with this ID, but with different XML.", "conflict",
     "different submission"),
    ("This form is not currently accepting submissions.", "refused", "does not accept"),
    ("This submission has been deleted. You may not resubmit it.", "conflict", "deleted"),
    # Edits (deprecatedID): Central's own words for 409.9 (problem.js).
    ("You tried to update a submission, but the copy you were editing (uuid:1) is now out of "
     "date. Please get the new version that has been submitted, and make your edits again.",
     "conflict", "holds a newer copy"),
])
def test_submission_conflicts(fake: FakeCentral, message: str, kind: str,
                              words: str) -> None:
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", openrosa(409, message))
    error = failing(lambda: app_user(fake).submit(MANIFEST, {}))
    assert (error.kind, error.status) == (kind, 409) and words in error.message
    assert not error.transient


def test_an_edit_of_a_submission_gone_from_the_server_is_not_called_unpublished(
        fake: FakeCentral) -> None:
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", openrosa(
        404, "You tried to update an existing submission, but we can't find that submission "
             "to update (uuid:1)"))
    error = failing(lambda: app_user(fake).submit(MANIFEST, {}))
    assert (error.kind, error.problem) == ("conflict", 404.5)
    assert "no longer on project 3" in error.message and "publish" not in error.message


def test_other_4xx_is_refused_with_centrals_reason(fake: FakeCentral) -> None:
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission",
                  openrosa(400, "Required multipart POST field xml_submission_file missing."))
    error = failing(lambda: app_user(fake).submit(MANIFEST, {}))
    assert error.kind == "refused" and "xml_submission_file missing" in error.message


# -- what is sent -------------------------------------------------------------------------
MANIFEST = (b'<data xmlns="http://opendatakit.org/submissions" xmlns:orx="http://openrosa.org'
            b'/xforms" id="adult_indicators" version="1.0+abcdef01" encrypted="yes">'
            b'<base64EncryptedKey>AAAA</base64EncryptedKey><orx:meta><orx:instanceID>'
            b'uuid:6f1c2a9e4b7d4c2e9a1f0b3c5d7e9f01</orx:instanceID></orx:meta>'
            b'<media><file>photo.jpg.enc</file></media>'
            b'<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>'
            b'<base64EncryptedElementSignature>BBBB</base64EncryptedElementSignature></data>')


def test_submission_is_an_openrosa_multipart_post(fake: FakeCentral) -> None:
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", CREATED)
    files = {"photo.jpg.enc": bytes(range(256)) * 3, "submission.xml.enc": b"\x00\x01" * 40}
    result = app_user(fake).submit(MANIFEST, files)
    assert (result.status, result.duplicate) == (201, False)
    [(method, path, headers, body)] = fake.requests
    assert method == "POST" and path == f"/v1/key/{TOKEN}/projects/3/submission"
    assert headers["X-OpenRosa-Version"] == "1.0"
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body)
    assert message.get_content_type() == "multipart/form-data"
    parts = [(p.get_param("name", header="content-disposition"), p.get_filename(),
              p.get_content_type(), p.get_payload(decode=True)) for p in message.iter_parts()]
    assert parts == [
        ("xml_submission_file", "submission.xml", "text/xml", MANIFEST),
        ("photo.jpg.enc", "photo.jpg.enc", "application/octet-stream", files["photo.jpg.enc"]),
        ("submission.xml.enc", "submission.xml.enc", "application/octet-stream",
         files["submission.xml.enc"]),
    ]


def test_web_user_submission_reports_a_resend_as_duplicate(fake: FakeCentral) -> None:
    fake.route("POST", r"/v1/projects/3/submission", CREATED)
    fake.route("GET", r"/v1/projects/3/forms/adult_indicators/submissions/uuid%3A6f1c2a9e"
                  r"4b7d4c2e9a1f0b3c5d7e9f01", ok_json({"instanceId": "uuid:…"}))
    with web(fake) as client:
        assert client.submit(MANIFEST, {}).duplicate is True
    assert fake.paths()[-1] == "DELETE /v1/sessions/current"  # the session is ended
    assert all(h.get("X-OpenRosa-Version") == "1.0" for _m, _p, h, _b in fake.requests)


# -- publishing ---------------------------------------------------------------------------
XFORM = b'<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head/></h:html>'
FORM = "/v1/projects/3/forms/adult_indicators"


def test_first_version_is_created_and_published(fake: FakeCentral) -> None:
    fake.route("POST", r"/v1/projects/3/forms", ok_json({"xmlFormId": "adult_indicators"}))
    web(fake).publish(XFORM, "adult_indicators", "1+aaaa")
    assert fake.paths()[1:] == [f"GET {FORM}", "POST /v1/projects/3/forms?publish=true"]
    _m, _p, headers, body = fake.requests[-1]
    assert body == XFORM and headers["Content-Type"] == "application/xml"


def test_a_new_version_goes_through_a_draft(fake: FakeCentral) -> None:
    fake.route("GET", FORM, ok_json({"version": "1+aaaa", "publishedAt": "2026-01-01"}))
    fake.route("GET", FORM + "/versions", ok_json([{"version": "1+aaaa"}]))
    fake.route("POST", FORM + r"/draft", ok_json({"success": True}))
    fake.route("POST", FORM + r"/draft/publish", ok_json({"success": True}))
    web(fake).publish(XFORM, "adult_indicators", "2+bbbb")
    assert fake.paths()[1:] == [f"GET {FORM}", f"GET {FORM}/versions",
                                   f"POST {FORM}/draft", f"POST {FORM}/draft/publish"]
    assert fake.requests[3][3] == XFORM


@pytest.mark.parametrize(("current", "older"), [
    ("2+bbbb", []), ("2+bbbb[encrypted:AZC9x2Fp]", []), ("3+cccc", [{"version": "2+bbbb"}])])
def test_a_version_already_published_is_left_alone(fake: FakeCentral, current: str,
                                                   older: list[dict[str, str]]) -> None:
    fake.route("GET", FORM, ok_json({"version": current, "publishedAt": "2026-01-01"}))
    fake.route("GET", FORM + "/versions", ok_json([{"version": current}, *older]))
    web(fake).publish(XFORM, "adult_indicators", "2+bbbb")
    assert not [p for p in fake.paths() if p.startswith("POST /v1/projects")]


def test_publishing_needs_a_web_user_with_rights(fake: FakeCentral) -> None:
    error = failing(lambda: app_user(fake).publish(XFORM, "adult_indicators", "1"))
    assert error.kind == "forbidden" and fake.requests == []
    fake.route("POST", r"/v1/projects/3/forms", problem(403, 403.1, "insufficient rights"))
    error = failing(lambda: web(fake).publish(XFORM, "adult_indicators", "1"))
    assert error.kind == "forbidden" and "Project Manager" in error.message


def test_nothing_secret_is_logged(fake: FakeCentral, caplog: pytest.LogCaptureFixture
                                  ) -> None:
    caplog.set_level(logging.DEBUG)
    fake.route("POST", r"/v1/key/[^/]+/projects/3/submission", CREATED)
    app_user(fake).submit(MANIFEST, {"submission.xml.enc": b"x"})
    failing(web(fake).check)
    for record in caplog.records:
        text = record.getMessage()
        assert TOKEN not in text and PASSWORD not in text and SESSION not in text
        assert "AAAA" not in text  # no body either
