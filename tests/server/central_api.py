"""The few ODK Central API calls the tests need, on the server of central.py.

Over a connection pool bound to 127.0.0.1 (no proxy from the environment); as the admin's
bearer session unless a call says otherwise.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import urllib3


class CentralError(RuntimeError):
    """Central could not be set up or answered unexpectedly; the message has the log tail."""


class CentralApi:
    email: str
    password: str
    app_user_ids: dict[str, int]  # app-user token -> actor id
    _pool: urllib3.HTTPConnectionPool | None
    _token: str | None

    def request(self, method: str, path: str, *, expect: tuple[int, ...] = (200,),
                token: str | None = None, json_body: Any = None, body: bytes | None = None,
                headers: Mapping[str, str] | None = None,
                fields: Mapping[str, Any] | None = None) -> urllib3.BaseHTTPResponse:
        """One call on /v1 (path starts with "/v1"); raises CentralError if the status is not
        in `expect`. A bearer session of the admin is used unless token="" (anonymous)."""
        assert self._pool, "Central is not running"
        hdrs = dict(headers or {})
        bearer = self.token() if token is None else token
        if bearer:
            hdrs["Authorization"] = f"Bearer {bearer}"
        if json_body is not None:
            body, hdrs["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        try:
            if fields is not None:
                resp = self._pool.request(method, path, fields=fields, headers=hdrs)
            else:
                resp = self._pool.request(method, path, body=body, headers=hdrs)
        except urllib3.exceptions.HTTPError as exc:
            # e.g. an export Central cannot decrypt (a key wrapped with MGF1-SHA-1): it
            # answers 200 and then breaks the chunked body off
            raise CentralError(f"{method} {path.split('?')[0]}: the connection broke: "
                               f"{exc}") from exc
        if resp.status not in expect:
            raise CentralError(f"{method} {path.split('?')[0]} -> {resp.status}: "
                               f"{resp.data[:600]!r}")
        return resp

    def token(self) -> str:
        if self._token is None:
            resp = self.request("POST", "/v1/sessions", token="",
                                json_body={"email": self.email, "password": self.password})
            self._token = str(resp.json()["token"])
        return self._token

    def create_project(self, name: str, managed_encryption_passphrase: str | None = None) -> int:
        project = int(self.request("POST", "/v1/projects", json_body={"name": name}).json()["id"])
        if managed_encryption_passphrase is not None:
            self.request("POST", f"/v1/projects/{project}/key",
                         json_body={"passphrase": managed_encryption_passphrase})
        return project

    def publish_form(self, project_id: int, xform: bytes) -> dict[str, Any]:
        """Create and publish; returns Central's form record (its version may be changed
        to `<ours>[encrypted:XXXX]` under managed encryption)."""
        resp = self.request("POST", f"/v1/projects/{project_id}/forms?publish=true",
                            body=xform, headers={"Content-Type": "application/xml"})
        return dict(resp.json())

    def form(self, project_id: int, form_id: str) -> dict[str, Any]:
        return dict(self.request("GET", f"/v1/projects/{project_id}/forms/{quote(form_id)}")
                    .json())

    def form_xml(self, project_id: int, form_id: str) -> bytes:
        return self.request("GET", f"/v1/projects/{project_id}/forms/{quote(form_id)}.xml").data

    def create_app_user(self, project_id: int, name: str) -> str:
        """A new app user; returns its token (its actor id is in app_user_ids[token])."""
        data = self.request("POST", f"/v1/projects/{project_id}/app-users",
                            json_body={"displayName": name}).json()
        self.app_user_ids[data["token"]] = int(data["id"])
        return str(data["token"])

    def assign_app_user(self, project_id: int, form_id: str, actor: int | str) -> None:
        """Let an app user (actor id, or its token) submit to a form."""
        actor_id = self.app_user_ids[actor] if isinstance(actor, str) else actor
        self.request("POST", f"/v1/projects/{project_id}/forms/{quote(form_id)}"
                     f"/assignments/app-user/{actor_id}")

    def submit(self, project_id: int, xml: bytes, files: Mapping[str, bytes] | None = None, *,
               app_user_token: str | None = None,
               expect: tuple[int, ...] = (201,)) -> urllib3.BaseHTTPResponse:
        """An OpenRosa submission (xml_submission_file + attachments), as a client sends it."""
        fields: dict[str, Any] = {"xml_submission_file": ("submission.xml", xml, "text/xml")}
        for name, data in (files or {}).items():
            fields[name] = (name, data, "application/octet-stream")
        path = (f"/v1/key/{app_user_token}/projects/{project_id}/submission" if app_user_token
                else f"/v1/projects/{project_id}/submission")
        return self.request("POST", path, fields=fields, expect=expect,
                            token="" if app_user_token else None,
                            headers={"X-OpenRosa-Version": "1.0"})

    def _subs(self, project_id: int, form_id: str) -> str:
        return f"/v1/projects/{project_id}/forms/{quote(form_id)}/submissions"

    def submissions(self, project_id: int, form_id: str) -> list[dict[str, Any]]:
        return list(self.request("GET", self._subs(project_id, form_id)).json())

    def submission_xml(self, project_id: int, form_id: str, instance_id: str) -> bytes:
        """The submission's XML as stored: for an encrypted one, its manifest."""
        return self.request(
            "GET", f"{self._subs(project_id, form_id)}/{quote(instance_id)}.xml").data

    def submission_attachments(self, project_id: int, form_id: str,
                               instance_id: str) -> dict[str, bytes]:
        """name -> bytes of every attachment Central holds for one submission."""
        base = f"{self._subs(project_id, form_id)}/{quote(instance_id)}/attachments"
        listed = self.request("GET", base).json()
        return {a["name"]: self.request("GET", f"{base}/{quote(a['name'])}").data
                for a in listed if a.get("exists")}

    def export_csv_zip(self, project_id: int, form_id: str,
                       passphrase: str | None = None) -> dict[str, str]:
        """Central's submissions.csv.zip (without media) as filename -> CSV text. With
        managed encryption, the passphrase is posted as `<key id>=<passphrase>` for each
        managed key of the form (lib/resources/submissions.js), so Central decrypts."""
        path = f"{self._subs(project_id, form_id)}.csv.zip?attachments=false"
        if passphrase is None:
            data = self.request("GET", path).data
        else:
            keys = self.request("GET", f"{self._subs(project_id, form_id)}/keys").json()
            form = {str(k["id"]): passphrase for k in keys if k.get("managed")}
            data = self.request("POST", path, body=urlencode(form).encode(), headers={
                "Content-Type": "application/x-www-form-urlencoded"}).data
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
        except zipfile.BadZipFile as exc:  # e.g. the 48-byte zip of an undecryptable export
            raise CentralError(f"the export is not a valid zip ({len(data)} bytes): Central "
                               "could not decrypt or build it") from exc

