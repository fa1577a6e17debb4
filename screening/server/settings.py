"""The agency server's settings, kept only in the encrypted store (``store.settings``).

One JSON object under ``SERVER_SETTINGS_KEY``: the Central URL and project, the credentials
(an app user's token, or a web user's e-mail and password), the agency's own public key and
CA when it supplies them, and whether a form without a key may be sent to. The secrets never
leave this object except towards the server: ``repr`` hides them and ``describe`` (what
``fieldscreen server show`` and the audit trail see) leaves them out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from screening.errors import ErrorCode, InputError

SERVER_SETTINGS_KEY = "server"
AUTH_APP_USER = "app_user"
AUTH_WEB_USER = "web_user"
_PEM_KEY = re.compile(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", re.S)
_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


@dataclass(frozen=True)
class ServerSettings:
    url: str
    project_id: int
    app_user_token: str | None = field(default=None, repr=False)  # exactly one of token/email
    email: str | None = None
    password: str | None = field(default=None, repr=False)  # kept only in the encrypted store
    public_key: str | None = field(default=None, repr=False)  # base64 DER SubjectPublicKeyInfo
    ca_pem: str | None = field(default=None, repr=False)  # the agency's CA for TLS
    allow_plaintext: bool = False  # send to a form without a key: only when chosen

    @property
    def auth(self) -> str:
        return AUTH_APP_USER if self.app_user_token else AUTH_WEB_USER

    @property
    def host(self) -> str:
        return server_host(self.url)

    def secrets(self) -> tuple[str, ...]:
        """The texts that must never appear in a message, a log or the audit trail."""
        return tuple(s for s in (self.app_user_token, self.password) if s)

    def describe(self) -> dict[str, Any]:
        """Everything but the secrets (``server show``, the settings tab)."""
        return {
            "url": self.url,
            "project_id": self.project_id,
            "auth": self.auth,
            "email": self.email,
            "token_saved": bool(self.app_user_token),
            "password_saved": bool(self.password),
            "public_key": bool(self.public_key),
            "public_key_sha256": key_fingerprint(self.public_key) if self.public_key else None,
            "custom_ca": bool(self.ca_pem),
            "allow_plaintext": self.allow_plaintext,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url, "project_id": self.project_id,
            "app_user_token": self.app_user_token, "email": self.email,
            "password": self.password, "public_key": self.public_key, "ca_pem": self.ca_pem,
            "allow_plaintext": self.allow_plaintext,
        }

    @classmethod
    def from_json(cls, doc: Any) -> ServerSettings | None:
        """The stored object, or None when there is none (or it is not one)."""
        if not isinstance(doc, dict) or not isinstance(doc.get("url"), str):
            return None
        project = doc.get("project_id")
        if not isinstance(project, int):
            return None

        def text(key: str) -> str | None:
            value = doc.get(key)
            return value if isinstance(value, str) and value else None

        return cls(url=doc["url"], project_id=project, app_user_token=text("app_user_token"),
                   email=text("email"), password=text("password"),
                   public_key=text("public_key"), ca_pem=text("ca_pem"),
                   allow_plaintext=bool(doc.get("allow_plaintext", False)))


def checked_settings(settings: ServerSettings) -> ServerSettings:
    """``settings`` with the URL normalised, or ``InputError`` saying what is wrong: an
    http:// URL other than loopback, a project that is not a positive number, both or
    neither of token and e-mail, a web user without a password, a key that is not RSA
    of at least 2048 bits, a CA file without a certificate."""
    from cryptography.hazmat.primitives import serialization

    from screening.server.client import check_url
    from screening.server.odk_crypto import load_public_key

    url = check_url(settings.url)
    if isinstance(settings.project_id, bool) or not isinstance(settings.project_id, int) \
            or settings.project_id < 1:
        raise InputError("server: the project is Central's project number (1, 2, ...: the "
                         "number in the project's address)", code=ErrorCode.BAD_INPUT)
    token = (settings.app_user_token or "").strip() or None
    email = (settings.email or "").strip() or None
    if (token is None) == (email is None):
        raise InputError("server: give either an app user's token (officers sending) or a web "
                         "user's e-mail (an administrator publishing), not both or neither",
                         code=ErrorCode.BAD_INPUT)
    if token is not None and any(c.isspace() for c in token):
        raise InputError("server: the app user's token has spaces in it; copy it again",
                         code=ErrorCode.BAD_INPUT)
    if email is not None and not settings.password:
        raise InputError("server: a web user needs a password", code=ErrorCode.BAD_INPUT)
    public_key = None
    if settings.public_key:
        der = load_public_key(settings.public_key).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        public_key = base64.b64encode(der).decode("ascii")  # as base64RsaPublicKey has it
    if settings.ca_pem:
        ca_text(settings.ca_pem)
    return replace(settings, url=url, app_user_token=token, email=email,
                   password=settings.password if email else None,
                   public_key=public_key, ca_pem=settings.ca_pem or None)


class AppUserLink(NamedTuple):
    """What an app user's link in Central gives: the server, the token, the project."""

    url: str
    token: str
    project_id: int

    def __repr__(self) -> str:  # the token is a secret
        return f"AppUserLink(url={self.url!r}, token=…, project_id={self.project_id})"


# Central's app-user URL (central-frontend apiPaths.serverUrlForFieldKey):
# <server>/v1/key/<token>/projects/<n>; Collect's own endpoints may follow it.
_APP_USER_URL = re.compile(
    r"^(?P<base>https?://[^/?#\s]+(?:/[^?#\s]*?)?)/v1/key/(?P<token>[^/?#\s]+)"
    r"/projects/(?P<project>\d+)(?:/(?:formList|submission))?/?$", re.IGNORECASE)
_MAX_LINK = 64 * 1024


def parse_app_user_link(text: str) -> AppUserLink | None:
    """The server URL, token and project of an app user's link as Central shows it
    (``https://host/v1/key/TOKEN/projects/N``), or of the text of its QR code (base64 of
    zlib-compressed JSON ``{"general": {"server_url": <that link>, ...}, ...}``, as
    central-frontend's collect-qr builds it; the JSON itself is taken too). None when the
    text is none of these (say, a bare token). The URL is checked as ``check_url`` does
    (InputError for plain http:// to anything but loopback)."""
    from screening.server.client import check_url

    candidate = (text or "").strip().strip("\"'<>").strip()
    if not candidate or len(candidate) > _MAX_LINK:
        return None
    found = _APP_USER_URL.match(candidate)
    if found is None:
        link = _qr_server_url(candidate)
        found = _APP_USER_URL.match(link) if link else None
        if found is None:
            return None
    token = unquote(found.group("token"))
    if not re.fullmatch(r"[A-Za-z0-9!$]+", token):
        return None
    return AppUserLink(check_url(found.group("base")), token, int(found.group("project")))


def _qr_server_url(text: str) -> str | None:
    """general.server_url of a Collect settings QR payload (or of its JSON)."""
    doc: Any = None
    if text.startswith("{"):
        raw: bytes | None = text.encode("utf-8")
    else:
        try:
            packed = base64.b64decode("".join(text.split()), validate=True)
            inflater = zlib.decompressobj()
            raw = inflater.decompress(packed, _MAX_LINK)  # a bomb stops at 64 KiB
            if inflater.unconsumed_tail:
                raw = None  # more than a settings code ever holds
        except (binascii.Error, ValueError, zlib.error):
            raw = None
    if raw is not None:
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):  # (RecursionError: [[[[… nested too deep)
            doc = None
    general = doc.get("general") if isinstance(doc, dict) else None
    url = general.get("server_url") if isinstance(general, dict) else None
    return url.strip() if isinstance(url, str) else None


def server_host(url: str) -> str:
    """The host (and port) of a server URL: what the audit trail names, never the URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def key_fingerprint(public_key_b64: str) -> str:
    """SHA-256 of the key's DER bytes, hex, in groups of four (first 16 digits)."""
    try:
        der = base64.b64decode(public_key_b64, validate=True)
    except (binascii.Error, ValueError):
        der = public_key_b64.encode()
    digest = hashlib.sha256(der).hexdigest()[:16]
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4))


def public_key_text(text: str, *, source: str = "the public key") -> str:
    """A public key file's text (PEM ``PUBLIC KEY`` or bare base64 DER) as the base64 DER
    that ``base64RsaPublicKey`` takes. The key itself is checked by ``odk_crypto``."""
    found = _PEM_KEY.search(text)
    if "-----BEGIN" in text and found is None:
        raise InputError(f"{source}: expected a PEM 'PUBLIC KEY' (SubjectPublicKeyInfo) or "
                         "its base64 text; an 'RSA PUBLIC KEY' or a certificate is not that "
                         "(openssl rsa -pubout gives the right form)", code=ErrorCode.BAD_INPUT)
    body = "".join((found.group(1) if found else text).split())
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{source}: not base64 text", code=ErrorCode.BAD_INPUT) from None
    if not body:
        raise InputError(f"{source}: the file is empty", code=ErrorCode.BAD_INPUT)
    return body


def ca_text(text: str, *, source: str = "the CA file") -> str:
    """A CA file's PEM certificates, checked to hold at least one."""
    if not _PEM_CERT.search(text):
        raise InputError(f"{source}: no PEM certificate ('-----BEGIN CERTIFICATE-----') in it",
                         code=ErrorCode.BAD_INPUT)
    return text


__all__ = ["AUTH_APP_USER", "AUTH_WEB_USER", "SERVER_SETTINGS_KEY", "AppUserLink",
           "ServerSettings", "ca_text", "checked_settings", "key_fingerprint",
           "parse_app_user_link", "public_key_text", "server_host"]
