"""The HTTP client for ODK Central: connection test, publishing, form download, submission.

One connection pool per client, to the configured origin only (transport.py): no retries
(the send queue retries, with backoff), no proxies from the environment, a redirect followed
only for a read on the same scheme, host and port, TLS from the system's trust store plus
the agency's CA if given, and a wall-clock deadline on every request.

Every failure becomes a ``ServerError`` (central_errors.py) whose ``kind`` the caller
branches on and whose message says what happened and what to do, for the officer and for
the administrator. Tokens, passwords and bodies never reach a message, a repr or the log.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from defusedxml import ElementTree as SafeET
from urllib3 import exceptions as u3

from screening.errors import ErrorCode, InputError
from screening.server.central_errors import (
    Answer,
    ServerError,
    clean,
    http_error,
    network_error,
    no_form_access,
    not_central,
)
from screening.server.transport import DeadlineExceeded, ResponseTooLarge, Transport

log = logging.getLogger(__name__)


class _RedactKeyPaths(logging.Filter):
    """urllib3 logs request lines, and an app-user URL holds the token: blank it."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "/key/" in text:
            record.msg, record.args = re.sub(r"/key/[^/\s]+/", "/key/…/", text), None
        return True


# Logger filters are not inherited: put one on each urllib3 logger that formats a URL.
for _name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.response",
              "urllib3.poolmanager", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_RedactKeyPaths())

_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9!$]+$")  # Central's tokens: base64 with ! and $


@dataclass(frozen=True)
class Credentials:
    """An app-user token (send only) or a web user's e-mail and password (also publish)."""

    app_user_token: str | None = field(default=None, repr=False)
    email: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ProjectInfo:
    project_id: int
    name: str | None
    managed_encryption: bool  # Central holds the key (project keyId); web users only
    can_publish: bool
    forms: tuple[str, ...] = ()  # form ids an app user can see (its formList)
    app_user: bool = False

    @property
    def warning(self) -> str | None:
        """What the administrator must do before this app user can send anything."""
        if self.app_user and not self.forms:
            return (f"the app user sees no forms in project {self.project_id}: nothing can be "
                    "sent until the administrator gives it access in Central (Project › App "
                    "Users / Form Access)")
        return None


@dataclass(frozen=True)
class PublishOutcome:
    """What ``publish`` did: "created" (a new form), "published" (a new version of it) or
    "already" (this version was published before); ``current``: the version devices
    downloaded before the call, which "already" left as it was (None: no form yet)."""

    action: str
    current: str | None


@dataclass(frozen=True)
class SubmitResult:
    status: int
    duplicate: bool  # Central already had this instanceID (an identical resend)


def check_url(url: str) -> str:
    """The normalised base URL (scheme://host[:port][/path], no trailing slash).
    HTTPS is required except for the loopback addresses 127.0.0.1 and [::1]."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise InputError(f"the server address {_shown(text)!r} is not a valid URL",
                         code=ErrorCode.BAD_INPUT) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise InputError(f"the server address {_shown(text)!r} is not a web address: give "
                         "it as https://central.example.org", code=ErrorCode.BAD_INPUT)
    if parts.username is not None or parts.password is not None:
        raise InputError("the server address must not contain a user name or password: "
                         "give them separately", code=ErrorCode.BAD_INPUT)
    if re.search(r"/key/[^/]+/projects", parts.path):
        raise InputError("this looks like an app-user link (it contains the token): give the "
                         "server address, the project number and the token separately",
                         code=ErrorCode.BAD_INPUT)
    if parts.query or parts.fragment:
        raise InputError(f"the server address {_shown(text)!r} must not have a ?query or "
                         "#fragment", code=ErrorCode.BAD_INPUT)
    if scheme == "http" and not _is_loopback(host):
        raise InputError(f"the server address must use https:// (plain http:// is only for "
                         f"127.0.0.1 and [::1] in tests): {_shown(text)}",
                         code=ErrorCode.BAD_INPUT)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != (443 if scheme == "https" else 80):
        netloc += f":{port}"
    path = re.sub(r"/+$", "", parts.path)
    path = re.sub(r"/v1$", "", path)  # a pasted API URL: the base is above /v1
    return f"{scheme}://{netloc}{path}"


def _shown(text: str) -> str:
    """A URL fit for a message: without user:password@ or an app-user token."""
    text = re.sub(r"//[^/@]*@", "//", text)
    return clean(re.sub(r"/key/[^/]+", "/key/…", text))


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # "localhost" may resolve anywhere; only literal addresses
    return str(address) in ("127.0.0.1", "::1")


def _ssl_context(ca_pem: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_pem:
        try:
            context.load_verify_locations(cadata=ca_pem)
        except (ssl.SSLError, ValueError):
            raise InputError("the CA certificate is not a PEM certificate (-----BEGIN "
                             "CERTIFICATE-----)", code=ErrorCode.BAD_INPUT) from None
    return context


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class CentralClient:
    """One server, one project, one set of credentials. Not thread-safe; close() it.
    ``timeout``: seconds to connect and between bytes; ``deadline``: seconds for a whole
    request, however the server trickles (default: four times ``timeout``, at least 60)."""

    def __init__(self, url: str, project_id: int, credentials: Credentials, *,
                 ca_pem: str | None = None, timeout: float = 30.0,
                 deadline: float | None = None) -> None:
        self.base = check_url(url)
        self.project_id = int(project_id)
        if self.project_id < 1:
            raise InputError("the project number must be 1 or more", code=ErrorCode.BAD_INPUT)
        token, email = credentials.app_user_token, credentials.email
        if bool(token) == bool(email):
            raise InputError("give either an app-user token or a web user's e-mail, not "
                             "both and not neither", code=ErrorCode.BAD_INPUT)
        if token and not _TOKEN_CHARS.match(token):
            raise InputError("the app-user token is not a Central token (letters, digits, "
                             "! and $): copy only the token, not the whole link",
                             code=ErrorCode.BAD_INPUT)
        if email and not credentials.password:
            raise InputError("the web user's password is missing", code=ErrorCode.BAD_INPUT)
        self._credentials = credentials
        self._secrets = [s for s in (token, credentials.password) if s]
        self._session: str | None = None
        self._timeout = float(timeout)
        self._deadline = float(deadline) if deadline else max(4 * self._timeout, 60.0)
        origin = urlsplit(self.base)
        self._scheme, self._host = origin.scheme, (origin.hostname or "").lower()
        self._port = origin.port or _default_port(origin.scheme)
        self._origin = f"{origin.scheme}://{origin.netloc}"
        self._prefix = origin.path
        self._transport = Transport(self._origin, ssl_context=_ssl_context(ca_pem),
                                    timeout=self._timeout, deadline=self._deadline)

    def __repr__(self) -> str:
        auth = "app_user" if self._credentials.app_user_token else "web_user"
        return f"CentralClient({self.base!r}, project={self.project_id}, auth={auth})"

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def is_app_user(self) -> bool:
        return bool(self._credentials.app_user_token)

    # -- operations ------------------------------------------------------------------
    def check(self) -> ProjectInfo:
        """Test address, credentials and project; what the project allows."""
        if self.is_app_user:
            answer = self._call("GET", self._project_path("formList"), op="check")
            ids = self._form_list(answer)
            if ids is None:
                raise not_central(self.base, answer.status)
            return ProjectInfo(self.project_id, None, False, False, ids, app_user=True)
        answer = self._call("GET", self._project_path(), op="check",
                            headers={"X-Extended-Metadata": "true"})
        data = answer.json()
        if not isinstance(data, dict) or "id" not in data:
            raise not_central(self.base, answer.status)
        verbs = set(data.get("verbs") or ())
        return ProjectInfo(self.project_id, data.get("name"), data.get("keyId") is not None,
                           {"form.create", "form.update"} <= verbs)

    def publish(self, xform: bytes, xml_form_id: str, version: str) -> PublishOutcome:
        """Publish this version: create and publish a new form, or a new draft of an
        existing one then publish it. A version already published is left as it is
        (with managed encryption Central publishes ours as ``<version>[encrypted:…]``)."""
        if self.is_app_user:
            raise ServerError("publishing needs a web user (e-mail and password) with the "
                              "Project Manager role; an app-user token can only send",
                              kind="forbidden")
        ctx = {"form": xml_form_id, "version": version}
        form_path = self._project_path("forms", xml_form_id)
        existing = self._call("GET", form_path, op="publish", ctx=ctx, missing_ok=True)
        xml_headers = {"Content-Type": "application/xml"}
        current: str | None = None
        if existing.status == 404:
            created = self._call("POST", self._project_path("forms") + "?publish=true",
                                 op="publish", ctx=ctx, body=xform, headers=xml_headers,
                                 conflict_ok=True)
            if created.status < 300:
                return PublishOutcome("created", None)
            # (409.3: created meanwhile; fall through to the draft route)
        else:
            current, found = self._has_version(existing, form_path, version, ctx)
            if found:
                return PublishOutcome("already", current)
        self._call("POST", form_path + "/draft", op="publish", ctx=ctx, body=xform,
                   headers=xml_headers)
        self._call("POST", form_path + "/draft/publish", op="publish", ctx=ctx)
        return PublishOutcome("published", current)

    def _has_version(self, existing: Answer, form_path: str, version: str,
                     ctx: dict[str, str]) -> tuple[str | None, bool]:
        """(the current published version, whether ``version`` was ever published)."""
        data = existing.json()
        if not isinstance(data, dict):
            raise not_central(self.base, existing.status)
        if data.get("publishedAt") is None:
            return None, False  # a draft only: publish ours
        current = data.get("version") if isinstance(data.get("version"), str) else None
        if current is not None and same_version(current, version):
            return current, True
        versions = self._call("GET", form_path + "/versions", op="publish", ctx=ctx).json()
        return current, isinstance(versions, list) and any(
            isinstance(v, dict) and isinstance(v.get("version"), str)
            and same_version(v["version"], version) for v in versions)

    def form_xml(self, xml_form_id: str, version: str | None = None) -> bytes:
        """The XForm as Central serves it (with its version and key): the current one, or
        a published ``version`` (Central keeps them and takes submissions to them)."""
        parts = ("forms", xml_form_id) if version is None else (
            "forms", xml_form_id, "versions", version)
        answer = self._call("GET", self._project_path(*parts) + ".xml", op="form",
                            ctx={"form": xml_form_id, "version": version or ""})
        if not answer.body.lstrip().startswith(b"<"):
            raise ServerError(f"{self.base} did not send the form '{xml_form_id}' as XML: "
                              "check the address", kind="bad_response", status=answer.status)
        return answer.body

    def form_versions(self, xml_form_id: str) -> list[str]:
        """Every published version of a form, newest first (app users may read it too)."""
        answer = self._call("GET", self._project_path("forms", xml_form_id, "versions"),
                            op="form", ctx={"form": xml_form_id})
        data = answer.json()
        if not isinstance(data, list):
            raise not_central(self.base, answer.status)
        return [v["version"] for v in data
                if isinstance(v, dict) and isinstance(v.get("version"), str)]

    def submit(self, manifest: bytes, files: Mapping[str, bytes]) -> SubmitResult:
        """One OpenRosa submission: the manifest as xml_submission_file, then the files.
        Sent only when Central says so: 201 (or 202) with an OpenRosa response."""
        form_id, version, instance_id = _manifest_ids(manifest)
        ctx = {"form": form_id, "version": version or "", "instance": instance_id}
        duplicate = False
        try:
            if not self.is_app_user:  # an app user may not read submissions back
                path = self._project_path("forms", form_id, "submissions", instance_id)
                duplicate = self._call("GET", path, op="submit", ctx=ctx,
                                       missing_ok=True).status == 200
            fields: list[tuple[str, tuple[str, bytes, str]]] = [
                ("xml_submission_file", ("submission.xml", manifest, "text/xml"))]
            fields += [(name, (name, data, "application/octet-stream"))
                       for name, data in files.items()]
            body, content_type = urllib3.encode_multipart_formdata(fields)
            answer = self._call("POST", self._project_path("submission"), op="submit",
                                ctx=ctx, body=body, headers={"Content-Type": content_type})
            if answer.status not in (201, 202) or b"<OpenRosaResponse" not in answer.body:
                raise ServerError(
                    f"{self.base} answered the submission with HTTP {answer.status} but not "
                    "as ODK Central does, so it may not have been stored — check the address "
                    "(a proxy or a login page?)", kind="bad_response", status=answer.status)
        except ServerError as exc:
            if exc.transient:
                raise ServerError(f"{exc.message}; the interview stays queued", kind=exc.kind,
                                  status=exc.status, problem=exc.problem) from None
            raise
        return SubmitResult(answer.status, duplicate)

    def close(self) -> None:
        """End the web session (best effort) and drop the connections."""
        if self._session is not None:
            try:
                self._transport.request(
                    "DELETE", self._origin + self._prefix + "/v1/sessions/current", None,
                    self._headers(), deadline=5.0, timeout=2.0)
            except (u3.HTTPError, OSError, DeadlineExceeded, ResponseTooLarge):
                pass
            self._session = None
        self._transport.close()

    # -- plumbing --------------------------------------------------------------------
    def _project_path(self, *parts: str) -> str:
        rest = "".join("/" + quote(p, safe="") for p in parts)
        if self.is_app_user:
            token = quote(self._credentials.app_user_token or "", safe="!$")
            return f"/v1/key/{token}/projects/{self.project_id}{rest}"
        return f"/v1/projects/{self.project_id}{rest}"

    def _headers(self) -> dict[str, str]:
        headers = {"X-OpenRosa-Version": "1.0", "User-Agent": "FieldScreen"}
        if self._session:
            headers["Authorization"] = f"Bearer {self._session}"
        return headers

    def _login(self) -> None:
        body = json.dumps({"email": self._credentials.email,
                           "password": self._credentials.password}).encode("utf-8")
        answer = self._call("POST", "/v1/sessions", op="login", body=body,
                            headers={"Content-Type": "application/json"}, login=True)
        data = answer.json()
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            raise not_central(self.base, answer.status)
        self._session = data["token"]
        self._secrets.append(self._session)

    @staticmethod
    def _form_list(answer: Answer) -> tuple[str, ...] | None:
        """The form ids of an OpenRosa formList, or None when it is not one."""
        try:
            root = SafeET.fromstring(answer.body)
        except Exception:
            return None
        if root is None or not root.tag.endswith("xforms"):
            return None
        return tuple(el.text.strip() for el in root.iter()
                     if el.tag.endswith("formID") and el.text)

    def _token_works(self) -> bool:
        """Whether Central knows the app-user token (its formList answers)."""
        try:
            answer = self._send("GET", self._project_path("formList"), None, None)
        except ServerError:
            return False
        return answer.status == 200 and self._form_list(answer) is not None

    def _call(self, method: str, path: str, *, op: str, ctx: Mapping[str, str] | None = None,
              body: bytes | None = None, headers: Mapping[str, str] | None = None,
              missing_ok: bool = False, conflict_ok: bool = False,
              login: bool = False) -> Answer:
        if not login and not self.is_app_user and self._session is None:
            self._login()
        answer = self._send(method, path, body, headers)
        if 200 <= answer.status < 300:
            return answer
        if (missing_ok and answer.status == 404 and answer.problem()[1] == 404.1) or (
                conflict_ok and answer.status == 409):
            return answer
        # Central refuses an app user a form it has no access to with 401 (submission) or
        # 403 (form download), as it does an unknown token: a token it knows means access.
        if self.is_app_user and answer.status in (401, 403) and op in ("submit", "form") \
                and self._token_works():
            raise no_form_access((ctx or {}).get("form", ""), self.project_id, answer.status)
        raise http_error(answer, op, ctx or {}, base=self.base, project_id=self.project_id,
                         app_user=self.is_app_user, scrub=self._scrub)

    def _send(self, method: str, path: str, body: bytes | None,
              headers: Mapping[str, str] | None) -> Answer:
        url = self._origin + self._prefix + path
        all_headers = {**self._headers(), **(headers or {})}
        for _hop in range(4):
            answer = self._transfer(method, url, body, all_headers)
            log.debug("server %s %s -> %s", method, _redact_path(path), answer.status)
            if answer.status not in (301, 302, 303, 307, 308):
                return answer
            url = self._redirect(url, answer, method)
        raise ServerError(f"{self.base} redirects in a loop: check the address",
                          kind="bad_url")

    def _redirect(self, url: str, answer: Answer, method: str) -> str:
        """The URL a redirect leads to, when it may be followed: a read, on the same
        scheme, host and port, without a user name. Built from its parts, so nothing in
        the Location header can turn into another host."""
        location = answer.location or ""
        try:
            target = urlsplit(urljoin(url, location))
            port = target.port or _default_port(target.scheme)
            userinfo = target.username is not None or "@" in target.netloc
        except ValueError:
            raise ServerError(f"{self.base} redirects to an address that is not valid: check "
                              "the address", kind="bad_url", status=answer.status) from None
        host = (target.hostname or "").lower()
        if (target.scheme, host, port) != (self._scheme, self._host, self._port) or userinfo:
            shown = f"{target.scheme}://{target.hostname or ''}" + (
                f":{target.port}" if target.port else "")
            raise ServerError(
                f"{self.base} redirects to {clean(self._scrub(shown))}; FieldScreen follows no "
                "redirect to another server: if that is the agency's server, set its address "
                "instead", kind="bad_url", status=answer.status)
        if method != "GET" or not target.path:
            raise ServerError(f"{self.base} redirects this request to "
                              f"{clean(_redact_path(target.path))}; FieldScreen does not "
                              "follow it: check the address", kind="bad_url",
                              status=answer.status)
        path = quote(target.path, safe="/%!$&'()*+,;=:~")
        query = quote(target.query, safe="/%!$&'()*+,;=:~?")
        return self._origin + path + (f"?{query}" if query else "")

    def _transfer(self, method: str, url: str, body: bytes | None,
                  headers: Mapping[str, str]) -> Answer:
        where = self.base
        try:
            status, got, data = self._transport.request(method, url, body, headers)
        except DeadlineExceeded:
            error = ServerError(f"{where} did not finish answering within {self._deadline:g} "
                                "s: the server or the network is too slow — try again later",
                                kind="timeout")
        except ResponseTooLarge as exc:
            error = ServerError(f"{where} sent an answer too large for an ODK Central "
                                "server: check the address", kind="bad_response",
                                status=exc.status)
        except u3.MaxRetryError as exc:
            error = network_error(exc.reason, where, self._timeout, self._scrub)
        except (u3.HTTPError, OSError) as exc:
            error = network_error(exc, where, self._timeout, self._scrub)
        else:
            return Answer(status, got.get("Content-Type", "").lower(), got.get("Location"),
                          data)
        raise error  # outside the except: no chained exception (its text has the URL)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "…")
        return text


def same_version(served: str, ours: str) -> bool:
    """Whether Central's version is ours, possibly re-versioned by managed encryption."""
    return served == ours or served.startswith(ours + "[encrypted:")


def _redact_path(path: str) -> str:
    return re.sub(r"/key/[^/]+/", "/key/…/", path)


def _manifest_ids(manifest: bytes) -> tuple[str, str | None, str]:
    try:
        root = SafeET.fromstring(manifest)
    except Exception:
        raise InputError("the submission manifest is not XML", code=ErrorCode.BAD_INPUT
                         ) from None
    form_id = root.get("id") or ""
    instance = next((el.text or "" for el in root.iter() if el.tag.endswith("instanceID")), "")
    if not form_id or not instance.strip():
        raise InputError("the submission manifest has no form id or instanceID",
                         code=ErrorCode.BAD_INPUT)
    return form_id, root.get("version"), instance.strip()


__all__ = ["CentralClient", "Credentials", "ProjectInfo", "PublishOutcome", "ServerError",
           "SubmitResult", "check_url", "same_version"]
