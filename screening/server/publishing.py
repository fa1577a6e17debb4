"""Publishing one instrument text to Central and keeping the form Central serves back.

Issue #18. The XForm comes from the XLSForm export through pyxform (``xform.py``). A project
with Central's managed encryption gets the form without a key: Central adds its own key and
re-versions the form (``<ours>[encrypted:XXXX]``), so the form is downloaded again after
publishing and THAT text (version and key) is what submissions use. When the agency has its
own key, that key goes into the form (Central keeps a form's own key, even in a project with
managed encryption), and a form served with any other key, or none, is refused. A form with
no key at all is published only when the settings allow plaintext.

Central keeps every published version of a form and takes submissions to each, so an
interview of an older instrument text goes to that text's version even after a newer one
was published: ``served_form`` finds it among the versions.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from screening.errors import ErrorCode, InputError
from screening.server.settings import ServerSettings, key_fingerprint
from screening.store.audit import now
from screening.store.sendqueue import StoredForm

if TYPE_CHECKING:
    from collections.abc import Iterator

    from screening.instruments import LoadResult
    from screening.server.client import CentralClient
    from screening.server.xform import PublishedForm

KnownForm = Callable[[str, int, str, str], "StoredForm | None"]


@dataclass(frozen=True)
class Publication:
    """What ``publish_form`` did. ``outcome``: "published" (this text is now the version
    devices download), "already" (it was published before and still is the current one) or
    "already_older" (published before; ``current`` is a newer one). ``previous``: the
    version that was current before, when publishing replaced it. Unpacks as
    ``(form, stored)`` for callers written before the outcome existed."""

    form: PublishedForm
    stored: StoredForm
    outcome: str
    current: str | None = None
    previous: str | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.form, self.stored))

    def describe(self, host: str, project_id: int) -> str:
        """One line for the administrator."""
        where = f"on {host}, project {project_id}"
        what = f"{self.form.form_id} version {self.form.version}"
        if self.outcome == "already":
            return f"{what} is already published {where}; nothing changed"
        if self.outcome == "already_older":
            return (f"{what} is already on the server {where}; the current version is "
                    f"{self.current}. Interviews of this text are sent to {self.form.version}")
        replaced = (f"; it replaces {self.previous} as the version devices download "
                    "(earlier versions still take submissions)" if self.previous else "")
        return f"published {what} {where}{replaced}"


def _der(public_key_b64: str | None) -> bytes | None:
    if not public_key_b64:
        return None
    try:
        return base64.b64decode("".join(public_key_b64.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def key_problem(form: PublishedForm, settings: ServerSettings) -> str | None:
    """Why ``form`` must not be sent to under ``settings``: with the agency's own key set,
    the form must carry exactly that key (compared as DER), never another and never none,
    whatever ``allow_plaintext`` says. None when it may."""
    if settings.public_key is None:
        return None
    ours = _der(settings.public_key)
    if ours is not None and _der(form.public_key) == ours:
        return None
    served = key_fingerprint(form.public_key) if form.public_key else "none"
    return (f"the form {form.form_id} version {form.version} on {settings.host} carries "
            f"the key {served}, not the agency's key {key_fingerprint(settings.public_key)}: "
            "nothing is sent to it. Central keeps a published version as it is, so the "
            "agency's key needs a new version of the questionnaire, published with that key "
            "(`fieldscreen server publish`); or correct the agency key in the server settings")


def served_form(client: CentralClient, form_id: str, ours: str) -> bytes | None:
    """The XForm Central serves for version ``ours`` of ``form_id`` (possibly re-versioned
    by managed encryption): the current form when it is ours, else the published version
    that is; None when Central has neither."""
    from screening.server.client import ServerError, same_version
    from screening.server.xform import parse_xform

    try:
        served = client.form_xml(form_id)
    except ServerError as exc:
        if exc.kind in ("form_not_published", "not_found"):
            return None
        raise
    if same_version(parse_xform(served).version, ours):
        return served
    match = next((v for v in client.form_versions(form_id) if same_version(v, ours)), None)
    return None if match is None else client.form_xml(form_id, match)


def _stored(settings: ServerSettings, loaded: LoadResult, form: PublishedForm, xml: bytes,
            managed: bool) -> StoredForm:
    return StoredForm(
        server=settings.url, project_id=settings.project_id, form_id=form.form_id,
        content_hash=loaded.content_hash, instrument_version=loaded.instrument.version,
        version=form.version, public_key=form.public_key, root_name=form.root_name, xml=xml,
        managed=managed, published_at=now())


def fetch_form(client: CentralClient, settings: ServerSettings,
               loaded: LoadResult) -> StoredForm | None:
    """The form Central serves for ``loaded``'s text, as a row to keep: the current form,
    or an earlier published version when that one is this text (an instrument updated on
    the server since). None when the server has neither. For a laptop whose app user
    cannot publish: the form the administrator published elsewhere. Its key fingerprint
    for the audit trail: ``key_fingerprint(stored.public_key)``. ServerError other than
    "not published" propagates, kind "key_mismatch" when the form's key is not the
    agency's."""
    from screening.server.client import ServerError, same_version
    from screening.server.xform import parse_xform, server_form_version

    ins = loaded.instrument
    ours = server_form_version(ins)
    served = served_form(client, ins.id, ours)
    if served is None:
        return None
    form = parse_xform(served)
    if form.form_id != ins.id or not same_version(form.version, ours):
        return None  # (a server that answers a version with another one)
    problem = key_problem(form, settings)
    if problem is not None:
        raise ServerError(problem, kind="key_mismatch")
    return _stored(settings, loaded, form, served, "[encrypted:" in form.version)


def publish_form(client: CentralClient, settings: ServerSettings, loaded: LoadResult,
                 known: KnownForm | None = None) -> Publication:
    """Publish ``loaded`` with ``client`` (closed here); returns the form as Central serves
    it, the row to keep and what happened. A text published before is left as it is (also
    when a newer one is current: Central keeps taking submissions to it). ``known`` is no
    longer needed (the versions on the server say it all) and is ignored."""
    from screening.server.client import ServerError
    from screening.server.xform import parse_xform, publishable_xform, server_form_version

    del known
    ins = loaded.instrument
    ours = server_form_version(ins)
    project = settings.project_id
    try:
        info = client.check()
        if not info.can_publish:
            raise InputError(
                f"the web user {settings.email} may not publish forms in project {project}: "
                "give them the Project Manager role in Central, or use such a user",
                code=ErrorCode.BAD_INPUT)
        key = settings.public_key  # the agency's own key wins over managed encryption
        managed = info.managed_encryption and key is None
        if key is None and not managed and not settings.allow_plaintext:
            raise InputError(
                f"project {project} has no managed encryption and no agency key is set, so "
                "the server could read every submission: turn on encryption in Central "
                "(the project's Settings › Encryption), or set the agency's public key "
                "(`fieldscreen server set ... --public-key FILE`), or allow plaintext "
                "(--allow-plaintext)", code=ErrorCode.BAD_INPUT)
        try:
            done = client.publish(publishable_xform(ins, public_key=key), ins.id, ours)
        except ServerError as exc:
            if exc.kind != "conflict":
                raise
            raise InputError(
                f"Central refuses to publish {ins.id} version {ours} in project {project} "
                f"({exc.message}): a form with this id and version existed there before. "
                "Ask the Central administrator (a deleted form can be restored from the "
                "project's Trash), or give the instrument a new version",
                code=ErrorCode.BAD_INPUT) from None
        served = served_form(client, ins.id, ours)
    finally:
        client.close()
    if served is None:
        raise InputError(
            f"the server does not serve version {ours} of form {ins.id} after publishing it: "
            "ask the Central administrator to check the form", code=ErrorCode.BAD_INPUT)
    form = parse_xform(served)
    if managed and form.public_key is None:
        raise InputError(
            f"project {project} uses managed encryption but the form Central serves has no "
            "key; nothing will be sent to it. Ask the Central administrator to check the "
            "project's encryption", code=ErrorCode.BAD_INPUT)
    problem = key_problem(form, settings)
    if problem is not None:
        raise InputError(problem, code=ErrorCode.BAD_INPUT)
    stored = _stored(settings, loaded, form, served, "[encrypted:" in form.version)
    outcome = "published"
    if done.action == "already":
        outcome = "already" if done.current == form.version else "already_older"
    previous = done.current if outcome == "published" and done.current else None
    current = done.current if done.action == "already" else form.version
    return Publication(form, stored, outcome, current, previous)


__all__ = ["Publication", "fetch_form", "key_problem", "publish_form", "served_form"]
