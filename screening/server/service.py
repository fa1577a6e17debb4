"""``ServerService``: settings, publishing, the send queue and sending (issue #18).

The one service the CLI (``fieldscreen server``/``send``) and the app (``Workspace.server``)
call; Qt-free. A connection is opened only inside ``configure(test=True)``, ``publish`` and
``send`` (never with ``dry_run``), and only to the configured URL (``client.py``).

Sending, per queued interview: build the submission (``instance.py``) and encrypt it to the
form's key (``odk_crypto.py``) once, commit that envelope to the store, then submit it. A
crash at any point leaves the item queued with its envelope, so the next send posts the same
bytes and Central keeps one record. A failure of one item never stops the others; a failure
of the connection itself (server unreachable, wrong credentials) is not retried for every
item in the same run. Transient failures wait (``backoff``); permanent ones are ``failed``
with their message until the officer sends again.

An interview changed after it was sent is queued again as an ODK edit (``sendqueue``): a
new instanceID, and ``meta/deprecatedID`` naming the one Central holds, so Central replaces
its record. "Remove after sending" deletes a case only when every interview of it is
finished and the server holds exactly that version of each (``_keep_reason``); a case whose
last item was recorded sent but not yet deleted (a crash between the two) is removed at the
start of the next send.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from screening.casework.consent import AGENCY_SERVER, sending_consent
from screening.casework.preferences import Preferences
from screening.errors import ErrorCode, InputError, InstrumentError, ScreeningError
from screening.log import safe_traceback
from screening.server.client import CentralClient, Credentials, ProjectInfo, ServerError
from screening.server.envelope import Envelope
from screening.server.outcomes import (
    BACKOFF_FIRST_S,
    BACKOFF_MAX_S,
    CONNECTION_KINDS,
    INPUT_KINDS,
    TRANSIENT_KINDS,
    QueueEntry,
    SendResult,
    backoff,
    queue_entry,
    stamp,
)
from screening.server.publishing import fetch_form, key_problem
from screening.server.removal import remove_after_sending, remove_leftovers
from screening.server.settings import (
    SERVER_SETTINGS_KEY,
    ServerSettings,
    checked_settings,
    key_fingerprint,
)
from screening.store.sendqueue import FAILED, QUEUED, SENT, QueueRow, StoredForm

if TYPE_CHECKING:
    from screening.casework.catalog import InstrumentCatalog
    from screening.instruments import LoadResult
    from screening.server.publishing import Publication
    from screening.server.xform import PublishedForm
    from screening.store import Interview, Store

log = logging.getLogger(__name__)


@dataclass
class _Run:
    """One send: its settings and client (None: a dry run), the connection's failure once
    there is one (kind, message), and the forms already looked for on the server."""

    settings: ServerSettings
    client: CentralClient | None
    down: tuple[str, str] | None = None
    fetched: set[tuple[str, str]] = field(default_factory=set)


XML_CONFLICT = 409.1  # Central: "A submission already exists with this ID, but different XML"
NOT_FETCHED_NOTE = "form not fetched yet: `send` fetches it from the server"


class _ItemProblem(Exception):
    """Why one queued interview cannot be sent as it stands (not a network failure)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def default_client(settings: ServerSettings) -> CentralClient:
    return CentralClient(settings.url, settings.project_id,
                         Credentials(app_user_token=settings.app_user_token,
                                     email=settings.email, password=settings.password),
                         ca_pem=settings.ca_pem)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ServerService:
    """``Workspace.server``. ``client_factory`` makes the HTTP client (tests may point it at
    a local Central); ``clock`` is the time the queue's retries are reckoned from."""

    def __init__(self, store: Store, catalog: InstrumentCatalog,
                 client_factory: Callable[[ServerSettings], CentralClient] = default_client,
                 *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.store = store
        self.catalog = catalog
        self._client_factory = client_factory
        self._clock = clock

    # -- settings -------------------------------------------------------------------------
    def settings(self) -> ServerSettings | None:
        return ServerSettings.from_json(self.store.settings.get(SERVER_SETTINGS_KEY))

    def require_settings(self) -> ServerSettings:
        settings = self.settings()
        if settings is None:
            raise InputError("no server is configured: set one with `fieldscreen server set "
                             "URL --project N --app-user-token TOKEN` (or Settings › Server)",
                             code=ErrorCode.BAD_INPUT)
        return settings

    def configure(self, settings: ServerSettings, *, test: bool = True) -> ProjectInfo | None:
        """Check and store the settings. With ``test`` the connection is tried first and
        nothing is stored when it fails (``ServerError`` says why)."""
        checked = checked_settings(settings)
        info = self.test(checked) if test else None
        self.store.settings.set(SERVER_SETTINGS_KEY, checked.to_json())
        detail: dict[str, Any] = {"server": checked.host, "project": checked.project_id,
                                  "auth": checked.auth, "tested": info is not None,
                                  "public_key": bool(checked.public_key),
                                  "custom_ca": bool(checked.ca_pem),
                                  "allow_plaintext": checked.allow_plaintext}
        if info is not None and checked.email:
            # An app user cannot see the project's key: for it the answer is unknown.
            detail["managed_encryption"] = info.managed_encryption
        self.store.audit.event("server.configured", detail=detail)
        return info

    def test(self, settings: ServerSettings | None = None) -> ProjectInfo:
        """Connect and look at the project (``server test``); ServerError when it fails."""
        settings = settings or self.require_settings()
        client = self._client_factory(settings)
        try:
            return client.check()
        finally:
            client.close()

    def forget(self) -> None:
        """Remove the settings (and with them the secrets). The queue stays."""
        if self.settings() is None:
            return
        self.store.settings.set(SERVER_SETTINGS_KEY, None)
        self.store.audit.event("server.forgotten")

    # -- publishing -----------------------------------------------------------------------
    def publish(self, instrument_id: str, version: str | None = None) -> PublishedForm:
        """Publish an instrument text as an XForm and keep the form Central serves back."""
        return self.publication(instrument_id, version).form

    def publication(self, instrument_id: str, version: str | None = None) -> Publication:
        """``publish``, saying what happened (``Publication.outcome``: "published", or
        "already" / "already_older" when Central had this text before, which is kept)."""
        from screening.server.publishing import publish_form

        settings = self.require_settings()
        if settings.app_user_token:
            raise InputError(
                "publishing a form needs a Central web user who may manage forms in project "
                f"{settings.project_id} (an e-mail and password); an app user's token can only "
                "send (`fieldscreen send` takes a form published elsewhere from the server). "
                "Run `fieldscreen server set URL --project N --email E` with such a user",
                code=ErrorCode.BAD_INPUT)
        loaded = self._instrument(instrument_id, version)
        done = publish_form(self._client_factory(settings), settings, loaded,
                            self.store.sends.form)
        self.store.sends.save_form(
            done.stored, host=settings.host,
            action="form.published" if done.outcome == "published" else "form.fetched",
            key_fingerprint=_fingerprint(done.stored.public_key))
        return done

    def forms(self) -> list[StoredForm]:
        """The forms published to the configured server and project."""
        settings = self.settings()
        if settings is None:
            return []
        return [f for f in self.store.sends.forms(settings.url)
                if f.project_id == settings.project_id]

    def _instrument(self, instrument_id: str, version: str | None) -> LoadResult:
        ref = f"{instrument_id}@{version}" if version else instrument_id
        try:
            return self.catalog.find(ref)
        except InstrumentError:
            # A text only interviews still use (removed or upgraded since) is in the store.
            for row in reversed(self.store.instruments.all()):
                if row.instrument_id == instrument_id and version in (None, row.version):
                    return self.catalog.by_hash(row.instrument_id, row.content_hash)
            raise

    # -- the queue ------------------------------------------------------------------------
    def consent_allows(self, case_id: str) -> bool:
        """Whether the person's latest consent lets this case go to the agency server (the
        one rule ``queue`` and ``send`` apply; the app asks it to enable its button)."""
        consent = sending_consent(self.store, self.store.cases.resolve(case_id))
        return consent is not None and consent.covers(AGENCY_SERVER)

    def blocker(self, case_id: str) -> str | None:
        """Why the case cannot be queued now, as a code (``no_consent``, ``no_finished``,
        ``all_sent``), or None: the one rule ``queue`` applies and the app shows."""
        case_id = self.store.cases.resolve(case_id)
        if not self.consent_allows(case_id):
            return "no_consent"
        finished = [i.id for i in self.store.interviews.list(case_id) if i.finished]
        if not finished:
            return "no_finished"
        rows = {r.interview_id: r for r in self.store.sends.rows(case_id)}
        if all(i in rows and rows[i].state == SENT and not rows[i].changed_after_sending
               for i in finished):
            return "all_sent"
        return None

    def queue(self, case_id: str, *, remove_after: bool = False) -> list[QueueEntry]:
        """Queue a case's finished interviews (the officer's explicit choice). Refused, with
        the case named, when the person's latest consent does not cover the agency server,
        when nothing is finished or everything finished was sent and is unchanged since,
        and with ``remove_after`` while an interview is unfinished (it would be deleted with
        the case). An interview changed after it was sent is queued as an edit."""
        from screening.server.instance import instance_id

        case_id = self.store.cases.resolve(case_id)
        reference = self.store.cases.get(case_id).reference
        blocked = self.blocker(case_id)
        interviews = self.store.interviews.list(case_id)
        finished = [i for i in interviews if i.finished]
        unfinished = [i.id for i in interviews if not i.finished]
        if blocked == "no_consent":
            raise InputError(
                f"case {reference}: the person's consent does not cover sharing with the "
                "agency server ('agency_server'), so it is not queued; only a consent that "
                "includes it allows sending (the latest consent recorded for the case "
                "counts: a later refusal or withdrawal means no)",
                code=ErrorCode.CONSENT_SCOPE, case=reference)
        if blocked == "no_finished":
            raise InputError(f"case {reference}: no finished interview to send"
                             + (f" (unfinished: {', '.join(unfinished)})" if unfinished else ""),
                             code=ErrorCode.INTERVIEW_STATE, case=reference)
        if remove_after and unfinished:
            raise InputError(
                f"case {reference}: removing it after sending would also delete the "
                f"unfinished interview(s) {', '.join(unfinished)}; finish them first, or "
                "queue without removing", code=ErrorCode.INTERVIEW_STATE, case=reference)
        if blocked == "all_sent":
            raise InputError(f"case {reference}: every finished interview was sent already "
                             "and has not changed since; nothing to queue",
                             code=ErrorCode.BAD_INPUT, case=reference)
        officer = Preferences(self.store.settings).officer_profile().name
        self.store.sends.enqueue(case_id, [(i.id, instance_id(i.id)) for i in finished],
                                 queued_by=officer, remove_after=remove_after)
        return self.entries(case_id)

    def unfinished(self, case_id: str) -> list[str]:
        """The case's interviews that are not finished (they are never queued)."""
        return [i.id for i in self.store.interviews.list(self.store.cases.resolve(case_id))
                if not i.finished]

    def unqueue(self, case_id: str) -> int:
        return self.store.sends.unqueue(self.store.cases.resolve(case_id))

    def entries(self, case_id: str | None = None) -> list[QueueEntry]:
        return [queue_entry(r) for r in self.store.sends.rows(case_id)]

    def next_retry_at(self) -> str | None:
        """When the earliest item waiting after a transient failure is due, or None."""
        return self.store.sends.next_attempt_at()

    # -- sending --------------------------------------------------------------------------
    def send(self, *, dry_run: bool = False, due_only: bool = False,
             progress: Callable[[int, int, SendResult], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> list[SendResult]:
        """Send what is waiting: everything queued or failed, or with ``due_only`` (the
        app's automatic retry) what is queued and due. ``dry_run`` builds the envelopes
        and says what would go where, without any connection. A real send first removes
        the cases left over from an earlier one (sent, to be removed, not yet removed);
        they lead the results as "removed"."""
        settings = self.require_settings()
        self.store.check_outputs_allowed()  # nothing leaves a store not known to be sound
        results = [] if dry_run else remove_leftovers(self.store)
        rows = self.store.sends.rows(states=[QUEUED] if due_only else [QUEUED, FAILED])
        if due_only:
            now = stamp(self._clock())
            rows = [r for r in rows if r.next_attempt_at is None or r.next_attempt_at <= now]
        total = len(results) + len(rows)
        for done, leftover in enumerate(results, 1):  # reported like every other item
            if progress is not None:
                progress(done, total, leftover)
        if not rows:
            return results
        run = _Run(settings, None if dry_run else self._client_factory(settings))
        done = len(results)
        try:
            for row in rows:
                if cancelled is not None and cancelled():
                    break
                results.append(self._send_one(row, run))
                done += 1
                if progress is not None:
                    progress(done, total, results[-1])
        finally:
            if run.client is not None:
                run.client.close()
        log.info("send: %d item(s), %d failed%s", len(results),
                 sum(r.outcome == "failed" for r in results), " (dry run)" if dry_run else "")
        return results

    def _send_one(self, row: QueueRow, run: _Run, *, again: bool = False) -> SendResult:
        settings = run.settings
        result = SendResult(case_id=row.case_id, interview_id=row.interview_id,
                            instance_id=row.instance_id, outcome="failed", server=settings.url,
                            case_reference=row.case_reference, edit_of=row.edit_of)
        try:
            prepared = self._prepare(row, run)
        except _ItemProblem as problem:
            if run.client is not None:  # a dry run records nothing
                self.store.sends.record_failure(row.interview_id, error=problem.message,
                                                kind=problem.kind, next_attempt_at=None,
                                                permanent=True)
            return dataclasses.replace(result, error=problem.message, error_kind=problem.kind)
        except ServerError as exc:  # fetching the published form
            return self._server_failure(row, result, exc, run)
        if prepared is None:  # a dry run on a laptop that has not read the form yet
            return dataclasses.replace(result, outcome="would_send",
                                       encrypted=not settings.allow_plaintext,
                                       note=NOT_FETCHED_NOTE)
        envelope, form, finished_at = prepared
        result = dataclasses.replace(result, form_version=form.version,
                                     encrypted=envelope.encrypted, size=envelope.size)
        if run.client is None:
            return dataclasses.replace(result, outcome="would_send")
        if run.down is not None:
            return self._failed(row, result, *run.down)
        self.store.check_outputs_allowed()  # the page check may have ended during the run
        try:
            answer = run.client.submit(envelope.manifest, dict(envelope.files))
        except ServerError as exc:
            if exc.kind == "conflict" and exc.problem == XML_CONFLICT and not again:
                # Central holds this instanceID with other answers: a send it took whose
                # answer never came back, before the interview changed. Send it as an edit.
                self.store.sends.resend_as_edit(row.interview_id)
                fresh = self.store.sends.row(row.interview_id)
                if fresh is not None:
                    return self._send_one(fresh, run, again=True)
            return self._server_failure(row, result, exc, run)
        except ScreeningError as exc:  # the envelope itself was refused before sending
            return self._failed(row, result, "build", exc.message)
        sent_at = stamp(self._clock())
        self.store.sends.record_sent(row.interview_id, server=settings.url, host=settings.host,
                                     project_id=settings.project_id, form_version=form.version,
                                     sent_at=sent_at, duplicate=answer.duplicate,
                                     finished_at=finished_at, encrypted=envelope.encrypted)
        outcome, note = ("already_sent" if answer.duplicate else "sent"), None
        if row.remove_after:
            removed, note = remove_after_sending(self.store, row.case_id, row.case_reference)
            outcome = "removed" if removed else outcome
        return dataclasses.replace(result, outcome=outcome, sent_at=sent_at, note=note)

    def _server_failure(self, row: QueueRow, result: SendResult, exc: ServerError,
                        run: _Run) -> SendResult:
        kind, message = str(exc.kind), _scrub(exc.message, run.settings)
        if kind in CONNECTION_KINDS:
            run.down = (kind, message)  # the rest of this run is not tried
        return self._failed(row, result, kind, message)

    def _failed(self, row: QueueRow, result: SendResult, kind: str,
                message: str) -> SendResult:
        transient = kind in TRANSIENT_KINDS
        retry = stamp(self._clock() + backoff(row.attempts + 1)) if transient else None
        self.store.sends.record_failure(row.interview_id, error=message, kind=kind,
                                        next_attempt_at=retry, permanent=not transient)
        return dataclasses.replace(result, outcome="failed", error=message, error_kind=kind)

    # -- building -------------------------------------------------------------------------
    def _prepare(self, row: QueueRow,
                 run: _Run) -> tuple[Envelope, StoredForm, str | None] | None:
        """The envelope to post for ``row`` (the stored one when it was built for the same
        form version, key, finished interview and instanceID), the form it is for and the
        interview's ``finished_at`` it holds. None: a dry run without the form here."""
        try:
            interview = self.store.interviews.get(row.interview_id)
            form, loaded = self._target(row, interview, run)
            if form is None:
                return None
            # Not the URL or project: the envelope is valid for any server with this form
            # version and key, and a rebuilt one (a new AES key) after a send that Central
            # took but never confirmed would be refused as a conflicting submission.
            target = "|".join((form.form_id, form.version, interview.finished_at or "",
                               _fingerprint(form.public_key) or "plain", row.instance_id,
                               row.edit_of or ""))
            kept = self.store.sends.envelope(row.interview_id)
            if kept is not None and kept[1] == target:
                envelope = Envelope.decode(kept[0])
                if envelope is not None and envelope.encrypted == bool(form.public_key):
                    return envelope, form, interview.finished_at
            envelope = self._build(interview, loaded, form, row.instance_id, row.edit_of)
            self.store.sends.keep_envelope(row.interview_id, envelope.encode(), target)
            return envelope, form, interview.finished_at
        except (_ItemProblem, ServerError):
            raise
        except ScreeningError as exc:
            raise _ItemProblem("build", f"case {row.case_reference}: the submission could not "
                               f"be built: {exc.message}") from None
        except Exception as exc:  # one item's bug must not stop the others
            incident = uuid.uuid4().hex[:8]
            log.error("building a submission failed, incident %s\n%s", incident,
                      safe_traceback(type(exc), exc.__traceback__))
            raise _ItemProblem("build", f"case {row.case_reference}: the submission could not "
                               f"be built (internal error, incident {incident})") from None

    def _target(self, row: QueueRow, interview: Interview,
                run: _Run) -> tuple[StoredForm | None, LoadResult]:
        ref, settings = row.case_reference, run.settings
        if not interview.finished:
            raise _ItemProblem("not_finished", f"case {ref}: interview {interview.id} was "
                               "reopened and is not finished; finish it, then send again")
        consent = sending_consent(self.store, row.case_id)
        if consent is None or not consent.covers(AGENCY_SERVER):
            raise _ItemProblem("consent", f"case {ref}: the person's latest consent does not "
                               "cover sharing with the agency server; not sent")
        meta = interview.meta
        try:
            loaded = self.catalog.by_hash(meta.instrument_id, meta.content_hash)
        except InstrumentError as exc:
            raise _ItemProblem("instrument_missing", f"case {ref}: {exc.message}") from None
        form = self.store.sends.form(settings.url, settings.project_id, meta.instrument_id,
                                     loaded.content_hash)
        if form is None and run.client is None:
            return None, loaded  # a dry run: `send` reads it from the server
        wanted = (meta.instrument_id, loaded.content_hash)
        if form is None and run.down is not None:
            # The connection failed for an earlier item: this one waits for the same reason.
            raise ServerError(run.down[1], kind=run.down[0])
        if form is None and run.client is not None and wanted not in run.fetched:
            # Published from another laptop (an app user cannot publish): take the form
            # Central serves, if it is this very text.
            run.fetched.add(wanted)
            form = fetch_form(run.client, settings, loaded)
            if form is not None:
                self.store.sends.save_form(form, host=settings.host, action="form.fetched",
                                           key_fingerprint=_fingerprint(form.public_key))
        if form is None:
            ins = loaded.instrument
            raise _ItemProblem(
                "form_not_published",
                f"case {ref}: the form {ins.id} version {ins.version} is not published on "
                f"{settings.host} (project {settings.project_id}): run `fieldscreen server "
                f"publish {ins.id} --version {ins.version}` (a web user), then send again")
        problem = key_problem(_published(form), settings)
        if problem is not None:  # the agency's own key is set: exactly that key, never none
            raise _ItemProblem("key_mismatch", f"case {ref}: {problem}")
        if form.public_key is None and not settings.allow_plaintext:
            raise _ItemProblem(
                "plaintext_refused",
                f"case {ref}: the form {form.form_id} on {settings.host} has no encryption "
                "key, and FieldScreen does not send plaintext unless told to: publish it "
                "again with Central's managed encryption or the agency's key (`fieldscreen "
                "server set ... --public-key FILE`), or allow plaintext (--allow-plaintext)")
        return form, loaded

    def _build(self, interview: Interview, loaded: LoadResult, form: StoredForm,
               instance: str, edit_of: str | None) -> Envelope:
        from screening.server.instance import (
            instance_id,
            interview_submission,
            submission_xml,
        )
        from screening.server.odk_crypto import encrypt_submission

        published = _published(form)
        submission = dataclasses.replace(interview_submission(self.store, interview),
                                         instance_id=instance)
        xml = submission_xml(loaded.instrument, published, submission, deprecated_id=edit_of)
        if form.public_key is None:
            return Envelope(xml, {}, False)
        sealed = encrypt_submission(xml, form_id=form.form_id, version=form.version,
                                    instance_id=instance, public_key_b64=form.public_key,
                                    deprecated_id=edit_of,
                                    # an edit: Central derives the IV from the first ID
                                    iv_instance_id=instance_id(interview.id) if edit_of
                                    else None)
        return Envelope(sealed.manifest, dict(sealed.files), True)


def _published(form: StoredForm) -> PublishedForm:
    from screening.server.xform import PublishedForm

    return PublishedForm(form_id=form.form_id, version=form.version,
                         public_key=form.public_key, root_name=form.root_name, xml=form.xml)


def _fingerprint(public_key: str | None) -> str | None:
    return key_fingerprint(public_key) if public_key else None


def _scrub(text: str, settings: ServerSettings) -> str:
    """A server's message with any secret blanked (a backstop: the client never quotes
    them)."""
    for secret in settings.secrets():
        text = text.replace(secret, "***")
    return text


__all__ = ["BACKOFF_FIRST_S", "BACKOFF_MAX_S", "CONNECTION_KINDS", "INPUT_KINDS",
           "NOT_FETCHED_NOTE", "TRANSIENT_KINDS", "Envelope", "QueueEntry", "SendResult",
           "ServerService", "backoff", "default_client"]
