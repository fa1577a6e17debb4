"""The agency's ODK Central server: settings, a case's place in the send queue, sending.

Every decision is the core's (``screening.server.service.ServerService``, the same service
``fieldscreen server``/``fieldscreen send`` call): this view-model runs it on the task runner
and reports back. A connection is opened only when the officer asks (Test and save, Send) or
for the automatic retry of interviews already queued, and only while the app is unlocked:
locking stops the retry timer and asks a running send to stop after the current interview.
Secrets (token, password) go into the service and never come back out to a view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.error_dialogs import INTERNAL
from app.viewmodels.app_vm import AppViewModel
from screening.errors import ErrorCode, InputError, ScreeningError
from screening.server.service import QueueEntry, SendResult, ServerService
from screening.server.settings import (
    ServerSettings,
    key_fingerprint,
    parse_app_user_link,
    server_host,
)

log = logging.getLogger(__name__)

__all__ = ["CaseServerState", "QueueEntry", "SendReport", "SendResult", "ServerForm",
           "ServerProblem", "ServerSummary", "ServerViewModel", "host_of", "key_fingerprint",
           "parse_app_user_link"]

# The automatic retry waits at least this long (a due item is tried soon, not in a loop),
# and never more than an hour before it looks again.
MIN_RETRY_MS = 5_000
MAX_RETRY_MS = 3_600_000
WAITING = ("queued", "failed")  # what an explicit send tries


def host_of(url: str | None) -> str:
    """The server's host (and port) as the officer knows it ("central.example.org")."""
    return server_host(url if "//" in url else "//" + url) if url else ""


@dataclass(frozen=True)
class ServerProblem:
    """Why an operation failed: the client's kind ("unreachable", "auth", ...; "" for bad
    input), the error code, the service's own message (English, no secrets) and, for a crash,
    the incident id."""

    kind: str
    code: str
    message: str = ""
    incident: str = ""


@dataclass(frozen=True)
class ServerSummary:
    """The configured server as the settings show it: never a secret, only whether one is
    saved."""

    url: str
    project_id: int
    auth: str  # "app_user" | "web_user"
    email: str
    token_saved: bool
    password_saved: bool
    key_fingerprint: str  # "" without a self-supplied agency key
    ca_saved: bool
    allow_plaintext: bool
    project_name: str = ""

    @property
    def host(self) -> str:
        return host_of(self.url)


@dataclass(frozen=True)
class ServerForm:
    """What the Server tab's fields hold. An empty token or password keeps the saved one
    (they are never shown back); ``public_key``/``ca_pem`` None keeps the saved file's
    content, "" removes it."""

    url: str
    project_id: int
    auth: str  # "app_user" | "web_user"
    token: str = field(default="", repr=False)
    email: str = ""
    password: str = field(default="", repr=False)
    public_key: str | None = field(default=None, repr=False)
    ca_pem: str | None = field(default=None, repr=False)
    allow_plaintext: bool = False


@dataclass(frozen=True)
class CaseServerState:
    """A case as the "Send to server…" action sees it. ``blocked``: "" when it can be sent,
    else why not: "not_configured", "no_consent", "no_finished", "all_sent"."""

    configured: bool
    blocked: str
    entries: tuple[QueueEntry, ...] = ()
    host: str = ""
    project_id: int = 0


@dataclass(frozen=True)
class SendReport:
    """The end of a send: each interview's result, and whether the officer asked for it
    (the automatic retry says nothing unless asked)."""

    results: tuple[SendResult, ...]
    explicit: bool
    next_retry_at: str | None = None

    def count(self, *outcomes: str) -> int:
        return sum(1 for r in self.results if r.outcome in outcomes)


def _problem(exc: ScreeningError) -> ServerProblem:
    return ServerProblem(str(getattr(exc, "kind", "") or ""), str(exc.code), exc.message)


class ServerViewModel(QObject):
    """Emits:
    saved(object): a ``ServerSummary``: the connection worked and the settings are stored.
    save_failed(object): a ``ServerProblem``; nothing was stored.
    forgotten(): the settings were removed.
    sending(bool): a send started (True) or ended (False).
    progress(int, int, object): interviews done, interviews in this send, the latest
        ``SendResult`` (ids, outcome, error; never answers).
    send_finished(object): a ``SendReport``.
    send_failed(object): a ``ServerProblem`` (nothing configured, consent, a crash).
    queue_changed(int): interviews waiting to be sent (queued or failed) now.
    """

    saved = Signal(object)
    save_failed = Signal(object)
    forgotten = Signal()
    sending = Signal(bool)
    progress = Signal(int, int, object)
    send_finished = Signal(object)
    send_failed = Signal(object)
    queue_changed = Signal(int)

    def __init__(self, app_vm: AppViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self.busy = False  # a send is running (one at a time)
        self._stop = False  # set on lock: the running send ends after its current interview
        # Unlocked and not locking: a lock waits for a running send to end before the store
        # closes, and nothing may be scheduled meanwhile.
        self._active = app_vm.is_open
        self._project_name = ""
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.retry_due)
        app_vm.unlocked.connect(self._unlocked)
        app_vm.locked.connect(self._locked)

    @property
    def active(self) -> bool:
        """Unlocked, and no lock is waiting for a running send to end."""
        return self._active and self.app_vm.is_open

    # -- the service ----------------------------------------------------------------------
    @property
    def service(self) -> ServerService:
        return self.app_vm.workspace.server

    def _settings(self) -> ServerSettings | None:
        if not self.app_vm.is_open:
            return None
        try:
            return self.service.settings()
        except ScreeningError as exc:
            log.warning("server settings could not be read: %s", exc.code)
            return None

    def configured(self) -> bool:
        return self._settings() is not None

    def summary(self) -> ServerSummary | None:
        s = self._settings()
        if s is None:
            return None
        return ServerSummary(
            url=s.url, project_id=s.project_id,
            auth="app_user" if s.app_user_token else "web_user", email=s.email or "",
            token_saved=bool(s.app_user_token), password_saved=bool(s.password),
            key_fingerprint=key_fingerprint(s.public_key) if s.public_key else "",
            ca_saved=bool(s.ca_pem), allow_plaintext=s.allow_plaintext,
            project_name=self._project_name)

    def _run(self, name: str, work: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[ServerProblem], None]) -> None:
        """``work`` on the task runner; a ``ScreeningError`` comes back as a ``ServerProblem``
        with the service's message (the runner itself passes only the code on)."""
        def guarded() -> Any:
            try:
                return work()
            except ScreeningError as exc:
                return _problem(exc)

        def finished(result: Any) -> None:
            if isinstance(result, ServerProblem):
                failed(result)
            else:
                done(result)

        self.app_vm.runner.start(name, guarded, finished,
                                 lambda code, incident: failed(ServerProblem("", code or
                                                                             INTERNAL,
                                                                             "", incident)))

    # -- settings -------------------------------------------------------------------------
    def settings_from(self, form: ServerForm) -> ServerSettings:
        """The form as ``ServerSettings``; a secret, key or CA left empty keeps the saved one.
        InputError when a needed secret is missing."""
        old = self._settings()
        url, project_id = form.url.strip(), form.project_id
        link = parse_app_user_link(form.token.strip()) if form.token.strip() else None
        if form.auth == "app_user":
            if link is not None:  # the app user's whole link pasted as the token
                url, token, project_id = link
            else:
                token = form.token.strip() or (old.app_user_token if old else None) or ""
            if not token:
                raise InputError("server: type the app user's token",
                                 code=ErrorCode.BAD_INPUT)
            auth: dict[str, Any] = {"app_user_token": token}
        else:
            email = form.email.strip()
            same_user = old is not None and old.email == email
            password = form.password or (old.password if old and same_user else None) or ""
            if not email or not password:
                raise InputError("server: type the web user's email and password",
                                 code=ErrorCode.BAD_INPUT)
            auth = {"email": email, "password": password}
        key = form.public_key if form.public_key is not None else (old.public_key if old
                                                                   else None)
        ca = form.ca_pem if form.ca_pem is not None else (old.ca_pem if old else None)
        return ServerSettings(url=url, project_id=project_id,
                              public_key=key or None, ca_pem=ca or None,
                              allow_plaintext=form.allow_plaintext, **auth)

    def save(self, form: ServerForm) -> None:
        """Test the connection on a worker, then store (the service stores nothing when the
        test fails). Emits ``saved`` or ``save_failed``."""
        try:
            settings = self.settings_from(form)
        except ScreeningError as exc:
            self.save_failed.emit(_problem(exc))
            return
        service = self.service

        def work() -> Any:
            return service.configure(settings, test=True)

        def done(info: Any) -> None:
            self._project_name = str(getattr(info, "name", "") or "")
            log.info("server settings saved")
            summary = self.summary()
            if summary is not None:
                self.saved.emit(summary)
            self.schedule()

        self._run("server.configure", work, done, self.save_failed.emit)

    def forget(self) -> None:
        try:
            self.service.forget()
        except ScreeningError as exc:
            self.save_failed.emit(_problem(exc))
            return
        self._project_name = ""
        self._retry.stop()
        log.info("server settings forgotten")
        self.forgotten.emit()
        self.queue_changed.emit(self.waiting())

    # -- a case ---------------------------------------------------------------------------
    def entries(self, case_id: str | None = None) -> list[QueueEntry]:
        if not self.app_vm.is_open:
            return []
        try:
            return self.service.entries(case_id)
        except ScreeningError as exc:
            log.warning("send queue could not be read: %s", exc.code)
            return []

    def waiting(self) -> int:
        """Interviews an explicit send would try (queued, or failed and kept)."""
        return sum(1 for e in self.entries() if e.state in WAITING)

    def case_state(self, case_id: str) -> CaseServerState:
        """Whether the case may be sent, and its queue entries (the core decides)."""
        s = self._settings()
        if s is None:
            return CaseServerState(False, "not_configured")
        entries = tuple(self.entries(case_id))
        host = host_of(s.url)
        try:  # the core's rule, the same one `queue` applies
            blocked = self.service.blocker(case_id) or ""
        except ScreeningError:
            blocked = "no_consent"
        return CaseServerState(True, blocked, entries, host, s.project_id)

    # -- sending --------------------------------------------------------------------------
    def queue_and_send(self, case_id: str, *, remove_after: bool = False) -> bool:
        """The officer's choice for this case: queue its finished interviews, then send
        everything waiting. False (and nothing started) while another send runs."""
        service = self.service

        def work() -> Any:
            service.queue(case_id, remove_after=remove_after)
            return self._send_now(service, due_only=False)

        return self._start_send(work, explicit=True)

    def send_waiting(self) -> bool:
        """"Send queued": every interview queued or failed, now."""
        service = self.service
        return self._start_send(lambda: self._send_now(service, due_only=False),
                                explicit=True)

    def retry_due(self) -> None:
        """The automatic retry: only what is due, only while unlocked, quietly."""
        if not self._active or not self.app_vm.is_open or not self.configured():
            return
        if self.busy or self.app_vm.runner.busy:
            self._retry.start(MIN_RETRY_MS)  # after the running work
            return
        service = self.service
        self._start_send(lambda: self._send_now(service, due_only=True), explicit=False)

    def _send_now(self, service: ServerService, *, due_only: bool) -> list[SendResult]:
        return service.send(due_only=due_only, progress=self._progress,
                            cancelled=lambda: self._stop)

    def _progress(self, done: int, total: int, result: SendResult) -> None:
        # On the worker thread: the signal is queued to the GUI thread.
        self.progress.emit(done, total, result)

    def _start_send(self, work: Callable[[], Any], *, explicit: bool) -> bool:
        if self.busy or not self._active or not self.app_vm.is_open:
            return False
        self.busy = True
        self._stop = False
        self._retry.stop()
        self.sending.emit(True)

        def done(results: Any) -> None:
            self._ended()
            report = SendReport(tuple(results), explicit,
                                self.next_retry_at() if self.active else None)
            log.info("send ended: %d interview(s)", len(report.results))
            self.send_finished.emit(report)

        def failed(problem: ServerProblem) -> None:
            self._ended()
            log.info("send not started: %s", problem.kind or problem.code)
            if explicit:
                self.send_failed.emit(problem)

        self._run("server.send", work, done, failed)
        return True

    def _ended(self) -> None:
        self.busy = False
        self.sending.emit(False)
        if self._active and self.app_vm.is_open:
            self.queue_changed.emit(self.waiting())
            self.schedule()

    def stop(self) -> None:
        """Ask the running send to stop after the current interview (the rest stay queued)."""
        self._stop = True

    # -- the automatic retry --------------------------------------------------------------
    def next_retry_at(self) -> str | None:
        if not self.app_vm.is_open:
            return None
        try:
            return self.service.next_retry_at()
        except ScreeningError:
            return None

    def schedule(self) -> None:
        """Arm the retry timer for the next queued interview that is due: one never tried
        (queued from the command line, or left by a send that was stopped) soon, one that
        failed for a passing reason when its wait is over. Nothing queued: off."""
        self._retry.stop()
        if not self._active or not self.app_vm.is_open or self._settings() is None:
            return
        try:  # a file not known to be sound sends nothing: no retry to arm (pagecheck.py)
            self.app_vm.require_store().check_outputs_allowed()
        except ScreeningError:
            return
        queued = [e for e in self.entries() if e.state == "queued"]
        if not queued:
            return
        wait_ms = MIN_RETRY_MS
        if all(e.next_attempt_at for e in queued):
            at = self.next_retry_at()
            try:
                when = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None
            except ValueError:
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                wait_ms = int((when - datetime.now(UTC)).total_seconds() * 1000)
        self._retry.start(min(max(wait_ms, MIN_RETRY_MS), MAX_RETRY_MS))

    def retry_pending(self) -> bool:
        """Whether the automatic retry is armed (tests, and the header's tooltip)."""
        return self._retry.isActive()

    def _unlocked(self) -> None:
        self._active = True
        self.queue_changed.emit(self.waiting())
        self.schedule()

    def _locked(self) -> None:
        self._active = False
        self._retry.stop()  # never while locked
        self._stop = True
        self._project_name = ""

