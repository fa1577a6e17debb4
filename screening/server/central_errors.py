"""How ODK Central's answers and network failures become ``ServerError``s.

Status and problem codes are Central's (lib/util/problem.js): JSON problems
``{"code": 404.1, "message": ...}`` on the REST API; on the OpenRosa endpoints (formList,
submission) an ``OpenRosaResponse`` XML message only, recognised here by Central's wording.
Each message says what happened and what to do; none carries a token, password or body.
"""

from __future__ import annotations

import json
import re
import ssl
from collections.abc import Callable, Mapping
from typing import Any

from defusedxml import ElementTree as SafeET
from urllib3 import exceptions as u3

from screening.errors import ErrorCode, ScreeningError

# bad_response: an answer that is not Central's (a proxy, a login page): nothing is known to
# have arrived, so the item is tried again later.
TRANSIENT_KINDS = frozenset({"unreachable", "timeout", "tls", "server", "bad_response"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ServerError(ScreeningError):
    """A server operation failed. ``kind``: bad_url, unreachable, tls, timeout, auth (a
    wrong or revoked token or password), no_form_access (an app user without access to the
    form), forbidden, not_found, form_not_published, key_mismatch (the form's key is not
    the agency's), conflict, refused (other 4xx), server (5xx), bad_response. ``status``:
    the HTTP status, or None without an answer. ``problem``: Central's problem code (e.g.
    401.2) when it gave one."""

    def __init__(self, message: str, *, kind: str, status: int | None = None,
                 problem: float | None = None) -> None:
        super().__init__(message, code=ErrorCode.BAD_INPUT, kind=kind, status=status)
        self.kind = kind
        self.status = status
        self.problem = problem

    @property
    def transient(self) -> bool:
        """Worth retrying later as it is (network, TLS, timeout, 5xx)."""
        return self.kind in TRANSIENT_KINDS


def clean(text: str, limit: int = 200) -> str:
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Answer:
    """A response read into memory: status, headers we use, body."""

    def __init__(self, status: int, content_type: str, location: str | None, body: bytes):
        self.status = status
        self.content_type = content_type
        self.location = location
        self.body = body

    def json(self) -> Any:
        if "json" not in self.content_type:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def problem(self) -> tuple[bool, float | None, str | None]:
        """Whether Central answered (a JSON problem or an OpenRosa message), its problem
        code and its message."""
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            code = data.get("code")
            return True, (float(code) if isinstance(code, int | float) else None), \
                data["message"]
        if b"OpenRosaResponse" in self.body[:500]:
            try:
                root = SafeET.fromstring(self.body)
            except Exception:
                return False, None, None
            text = " ".join(t.strip() for t in root.itertext() if t.strip())
            return True, _openrosa_code(self.status, text), text
        return False, None, None


def _openrosa_code(status: int, text: str) -> float | None:
    # The OpenRosa endpoints carry no problem code, only Central's message (problem.js).
    known = [(404, "form version specified", 404.6),
             (404, "find that submission to update", 404.5), (409, "different XML", 409.1),
             (409, "not currently accepting submissions", 409.2),
             (409, "has been deleted", 409.18), (409, "out of date", 409.9)]
    for code_status, words, code in known:
        if status == code_status and words in text:
            return code
    return {401: 401.2, 403: 403.1, 404: 404.1}.get(status)


def not_central(base: str, status: int | None) -> ServerError:
    shown = f" (HTTP {status})" if status else ""
    return ServerError(f"{base} does not answer like an ODK Central server{shown}: "
                       "check the address", kind="bad_url", status=status)


def no_form_access(form: str, project_id: int, status: int | None) -> ServerError:
    return ServerError(
        f"the app user has no access to form {form} on project {project_id}: the "
        "administrator must give it access in Central (Project › App Users / Form Access); "
        "a new token will not help", kind="no_form_access", status=status)


def network_error(exc: BaseException | None, where: str, timeout: float,
                  scrub: Callable[[str], str]) -> ServerError:
    """A failure without an HTTP answer, from urllib3's or ssl's exception."""
    secs = f"{timeout:g}"
    if isinstance(exc, u3.SSLError | ssl.SSLError):
        reason = scrub(str(exc))
        match = re.search(r"certificate verify failed: ([^(')\]]+)", reason)
        detail = match.group(1).strip() if match else "the TLS handshake failed"
        return ServerError(
            f"the secure connection to {where} failed ({clean(detail, 120)}): if the "
            "agency uses its own certificate authority, give its certificate (CA file); "
            "otherwise ask the administrator to check the server's certificate",
            kind="tls")
    if isinstance(exc, u3.NameResolutionError):
        return ServerError(f"cannot reach {where}: the name cannot be resolved — check "
                           "the address and the network", kind="unreachable")
    if isinstance(exc, u3.NewConnectionError):
        text = str(exc).lower()
        why = ("connection refused" if "refused" in text else
               "no route to the server" if "unreachable" in text or "no route" in text
               else "cannot connect")
        return ServerError(f"cannot reach {where}: {why} — check the address and the "
                           "network", kind="unreachable")
    if isinstance(exc, u3.ConnectTimeoutError):
        return ServerError(f"cannot reach {where}: no answer within {secs} s — check the "
                           "address and the network", kind="timeout")
    if isinstance(exc, u3.ReadTimeoutError | TimeoutError):
        return ServerError(f"{where} did not answer within {secs} s: the server or the "
                           "network is slow — try again later", kind="timeout")
    return ServerError(f"the connection to {where} broke off — check the network and try "
                       "again", kind="unreachable")


def http_error(answer: Answer, op: str, ctx: Mapping[str, str], *, base: str, project_id: int,
               app_user: bool, scrub: Callable[[str], str]) -> ServerError:
    """An HTTP error answer as a ServerError; ``op``: check, login, publish, form, submit."""
    status = answer.status
    central, code, text = answer.problem()
    project, form = f"project {project_id}", ctx.get("form", "")
    version = f" version '{ctx['version']}'" if ctx.get("version") else ""

    def err(message: str, kind: str) -> ServerError:
        return ServerError(message, kind=kind, status=status, problem=code)

    if status >= 500:
        return err(f"the server {base} had a problem (HTTP {status}) — try again "
                   "later; if it persists, tell the administrator", "server")
    if not central and status not in (408, 413, 429):  # (a proxy's own answers)
        return not_central(base, status)
    said = f": the server says “{clean(scrub(text or ''))}”" if text else ""
    if status == 401:
        if code == 401.3:
            return err(f"{base} accepts this sign-in only over HTTPS (HTTP 401)",
                       "auth")
        if app_user:
            return err("the server refused the app-user token (HTTP 401): copy it again "
                       "from Central, or ask the administrator for a new one", "auth")
        return err("the server refused the e-mail and password (HTTP 401): check them, "
                   "or ask the administrator", "auth")
    if status == 403:
        if app_user:  # Central: an unknown or revoked token (no access: see the client)
            return err("the server refused the app-user token (HTTP 403): it is wrong or "
                       f"was revoked for {project} — ask the administrator for a new one",
                       "auth")
        need = ("the Project Manager role" if op == "publish" else "a role")
        return err(f"this web user may not do that on {project} (HTTP 403): ask the "
                   f"administrator for {need} on the project", "forbidden")
    if status == 404:
        if code == 404.5:  # an edit (deprecatedID) of a submission the server no longer has
            return err(f"this is a change to submission {ctx.get('instance', '')}, which is "
                       f"no longer on {project} (deleted there?): it was not sent — tell "
                       "the administrator, who can restore the earlier submission in Central",
                       "conflict")
        if code in (404.2, 404.3) or op == "login":  # a Central, but not at this path
            return err(f"{base} is not the address of the ODK Central API (HTTP 404): "
                       "check the address (https://host, without /v1)", "bad_url")
        if op in ("check", "publish"):
            return err(f"{project} does not exist on {base} (HTTP 404): check the "
                       "project number", "not_found")
        if form:
            return err(f"the form '{form}'{version if code == 404.6 else ''} is not "
                       f"published on {project}: run `fieldscreen server publish {form}`"
                       , "form_not_published")
        return err(f"not found on {base} (HTTP 404): check the address and the "
                   "project number", "not_found")
    if status == 409:
        if code == 409.2:
            return err(f"the form '{form}' on {project} does not accept submissions "
                       "(closing or closed): ask the administrator to open it", "refused")
        if code == 409.5:
            return err(f"{project} is being set up for encryption — try again in a "
                       "moment", "server")
        if code == 409.9:
            return err(f"the server holds a newer copy of submission "
                       f"{ctx.get('instance', '')} than the one this change was made to: it "
                       "was not replaced — tell the administrator, who can compare both "
                       "in Central", "conflict")
        if code == 409.1:
            return err(f"the server already has a different submission "
                       f"{ctx.get('instance', '')}; it was not replaced — tell the "
                       "administrator", "conflict")
        if code == 409.18:
            return err(f"submission {ctx.get('instance', '')} was deleted on the server "
                       "and cannot be sent again — tell the administrator", "conflict")
        return err(f"the server refused this as a conflict (HTTP 409){said}", "conflict")
    what = {"publish": f"the form '{form}'", "submit": "the submission"}.get(op, "this")
    return err(f"the server refused {what} (HTTP {status}){said}", "refused")
