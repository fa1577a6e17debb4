"""The referral screen: services chosen from the directory, reasons, notes, the PDF.

The core decides what may be offered (``screening.casework.referrals``): the services that
match the filters and that the person's consent covers (a law-enforcement service needs
consent to share with law enforcement). Services outside the consent are shown only on
request, and choosing one needs the officer's reason; the core refuses to save such a choice
without it and audits each one. Choices are saved with the case whenever the PDF is made and
when the app locks. The PDF is written on a worker thread by ``write_case_report``.

The referral details (issue #15) are saved through the core one field at a time, as they are
entered (``set_detail``); text still being typed is kept and saved with the next save.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.qt_i18n import N_, _
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.directory import ServiceView, to_view
from screening.casework.consent import (
    LAW_ENFORCEMENT,
    REFERRAL,
    SCREENING,
    Consent,
    case_consent,
    scope_needed,
)
from screening.casework.referral_details import (
    PROBLEMS,
    DetailError,
    ReferralDetails,
    ReferralUpdate,
    load_referral_details,
    save_referral_details,
)
from screening.casework.referrals import allowed, offered_services, save_referrals
from screening.errors import ScreeningError
from screening.reports.directory import NATIONAL, Directory, Service
from screening.store import ReferralRecord

if TYPE_CHECKING:
    from screening.casework.handover import Recipient
    from screening.reports.packet import Variant

log = logging.getLogger(__name__)

SCOPE_TEXT = {
    SCREENING: N_("screening"),
    REFERRAL: N_("referral to support services"),
    LAW_ENFORCEMENT: N_("sharing with law enforcement"),
}


@dataclass(frozen=True)
class ChosenService:
    service: ServiceView
    reason: str = field(default="", repr=False)
    # The officer's reason for referring outside the person's consent (None: within it).
    override_reason: str | None = field(default=None, repr=False)


def scope_text(scope: str) -> str:
    return _(SCOPE_TEXT[scope]) if scope in SCOPE_TEXT else scope


class ReferralViewModel(QObject):
    """Emits:
    chosen_changed(): the list of chosen services changed.
    report_started(): the PDF is being written.
    report_written(str): the SHA-256 of the file written.
    handed_over(object): a hand-over packet was written (``screening.casework.handover.Sent``).
    failed(str, str): error code and incident id.
    """

    chosen_changed = Signal()
    report_started = Signal()
    report_written = Signal(str)
    handed_over = Signal(object)
    failed = Signal(str, str)

    def __init__(self, app_vm: AppViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self.case_id = ""
        self.case_reference = ""
        self.consent: Consent | None = None
        self.directory: Directory | None = None
        self.show_outside_consent = False
        self.chosen: list[ChosenService] = []
        self.narrative = ""
        self.details = ReferralDetails()
        self._pending: dict[str, Any] = {}  # details typed, not saved yet
        self.last_path: Path | None = None

    # -- loading ------------------------------------------------------------------------
    def load(self, case_id: str) -> None:
        store = self.app_vm.require_store()
        self.case_id = case_id
        self.case_reference = store.cases.get(case_id).reference
        self.consent = case_consent(store, case_id)
        self.show_outside_consent = False
        try:
            self.directory = self.app_vm.workspace.directory()
        except ScreeningError:
            log.warning("the referral directory could not be read")
            self.directory = None
        records, narrative = store.referrals.get(case_id)
        self.chosen = []
        for rec in records:
            service = self.directory.get(rec.service_id) if self.directory else None
            if service is not None:
                view = self._view_of(service)
            else:  # no longer in the directory: shown as it was saved
                view = ServiceView(rec.service_id, rec.service_name, rec.kind,
                                   languages=tuple(rec.languages),
                                   contacts=str(rec.contacts or ""),
                                   outside_consent=not self._covers(rec.kind))
            self.chosen.append(ChosenService(view, rec.reason, rec.override_reason))
        self.narrative = narrative or ""
        self.details = load_referral_details(store, case_id)
        self._pending = {}
        self.chosen_changed.emit()

    def clear(self) -> None:
        self.case_id = ""
        self.case_reference = ""
        self.consent = None
        self.chosen = []
        self.narrative = ""
        self.details = ReferralDetails()
        self._pending = {}
        self.last_path = None

    @property
    def available(self) -> bool:
        return self.directory is not None

    # -- consent ------------------------------------------------------------------------
    def _covers(self, kind: str) -> bool:
        return self.consent is not None and self.consent.allows_service(kind)

    def consent_scopes(self) -> list[str]:
        """What the person's consent covers, in words ("screening", ...); empty: none."""
        if self.consent is None:
            return []
        return [scope_text(s) for s in self.consent.scope]

    def scope_needed_text(self, service: ServiceView) -> str:
        """What the consent would have to cover for this service, in words."""
        return scope_text(scope_needed(service.kind))

    def set_show_outside_consent(self, show: bool) -> None:
        self.show_outside_consent = show

    # -- filtering ----------------------------------------------------------------------
    def facets(self) -> tuple[list[str], list[str], list[str]]:
        """The needs, languages and regions the directory offers (for the filters)."""
        needs: set[str] = set()
        langs: set[str] = set()
        regions: set[str] = set()
        for s in self.directory or ():
            needs.update(s.needs)
            langs.update(s.languages)
            if s.region and s.region != NATIONAL:
                regions.add(s.region)
        return sorted(needs), sorted(langs), sorted(regions)

    def filtered(self, need: str = "", language: str = "", region: str = "") -> list[ServiceView]:
        """The services to offer, as the core chooses and orders them: matching the filters
        and within the person's consent (outside it too, marked, when asked to show them)."""
        if self.directory is None:
            return []
        found = offered_services(self.directory, self.consent, need=need, language=language,
                                 region=region,
                                 include_outside_consent=self.show_outside_consent)
        return [self._view_of(s) for s in found]

    def _view_of(self, service: Service) -> ServiceView:
        return to_view(service, outside_consent=not allowed(service, self.consent))

    # -- choosing -----------------------------------------------------------------------
    def needs_reason(self, service: ServiceView) -> bool:
        """Choosing this service needs the officer's reason (it is outside the consent)."""
        return service.outside_consent

    def is_chosen(self, service: ServiceView) -> bool:
        return any(c.service.service_id == service.service_id for c in self.chosen)

    def add(self, service: ServiceView, override_reason: str | None = None) -> bool:
        """Choose a service. One outside the consent needs a reason; without one nothing is
        added and False is returned."""
        if self.is_chosen(service):
            return True
        reason = (override_reason or "").strip() or None
        if service.outside_consent and reason is None:
            return False
        self.chosen.append(ChosenService(service, "",
                                         reason if service.outside_consent else None))
        self.chosen_changed.emit()
        return True

    def remove(self, service_id: str) -> None:
        self.chosen = [c for c in self.chosen if c.service.service_id != service_id]
        self.chosen_changed.emit()

    def set_reason(self, service_id: str, reason: str) -> None:
        self.chosen = [replace(c, reason=reason) if c.service.service_id == service_id
                       else c for c in self.chosen]

    def records(self) -> list[ReferralRecord]:
        return [ReferralRecord(
            service_id=c.service.service_id, service_name=c.service.name, kind=c.service.kind,
            reason=c.reason, contacts=c.service.contacts, languages=tuple(c.service.languages),
            override_reason=c.override_reason,
        ) for c in self.chosen]

    # -- referral details (issue #15) ------------------------------------------------------
    def set_detail(self, name: str, value: Any, *, save: bool = True) -> dict[str, str]:
        """One referral detail as entered (``name`` a key of the core's ``FIELDS``): saved
        through the core now, or with ``save`` False kept for the next save (text being
        typed). Returns why values were refused, translated, by key (empty: all saved)."""
        self._pending[name] = value
        return self.save_details() if save else {}

    def save_details(self) -> dict[str, str]:
        """Save the details entered and not saved yet, each on its own, so one refused value
        does not hold back the others."""
        pending, self._pending = self._pending, {}
        if not self.case_id or not self.app_vm.is_open:  # locking: flushed before the lock
            return {}
        problems: dict[str, str] = {}
        store = self.app_vm.require_store()
        for name, value in pending.items():
            try:
                self.details = save_referral_details(store, self.case_id,
                                                     ReferralUpdate({name: value}))
            except DetailError as exc:
                text = _(PROBLEMS[exc.problem]).format(**exc.params)
                problems[name] = text[:1].upper() + text[1:]  # a sentence under the field
            except ScreeningError as exc:
                self.failed.emit(str(exc.code), "")
                break
        return problems

    def save(self) -> bool:
        """Save the choices, notes and details through the core, which enforces the consent
        and audits every referral outside it."""
        if not self.case_id:
            return True
        self.save_details()
        try:
            save_referrals(self.app_vm.require_store(), self.case_id, self.records(),
                           self.narrative or None)
        except ScreeningError as exc:
            self.failed.emit(str(exc.code), "")
            return False
        return True

    # -- the PDF ------------------------------------------------------------------------
    def full_packet_needs_reason(self) -> bool:
        """The person's consent does not cover sharing: a full packet needs the officer's
        reason (the core decides; the redacted and minimal copies need none)."""
        from screening.reports.service import consent_covers_sharing

        return bool(self.case_id) and self.app_vm.is_open and not consent_covers_sharing(
            self.app_vm.workspace, self.case_id)

    def suggested_file_name(self, variant: Variant) -> str:
        from screening.reports.packet import suggested_file_name

        return suggested_file_name(self.case_reference or "case", variant)

    def generate(self, path: Path, *, lang: str, redacted: bool = False,
                 password: str | None, variant: Variant = "full",
                 override_reason: str | None = None) -> None:
        """Write the PDF (``variant``; ``redacted=True`` is ``variant="redacted"``) on a
        worker. ``password`` None means a plaintext file, which the screen only allows after
        the officer confirmed it. ``override_reason``: a full packet the consent does not
        cover (the core refuses one without it)."""
        from screening.reports.service import write_case_report  # ReportLab: on first use

        if redacted:
            variant = "redacted"

        workspace = self.app_vm.workspace
        self._write_out("report", path, lambda out, case_id: write_case_report(
            workspace, case_id, out, lang=lang, variant=variant, password=password,
            allow_plaintext=password is None, override_reason=override_reason),
            self.report_written.emit)

    def _write_out(self, task: str, path: Path, make: Callable[[Path, str], Any],
                   done: Callable[[Any], None],
                   check: Callable[[Path], Path] = lambda out: out) -> None:
        """What a report and a hand-over share: refuse a target in the data folder or on a
        device (the core checks again), save the page, then write on a worker."""
        try:
            out = check(self.app_vm.workspace.check_output(Path(path)))
        except ScreeningError as exc:
            self.failed.emit(str(exc.code), "")
            return
        if not self.save():
            return
        case_id = self.case_id
        self.last_path = out
        self.report_started.emit()
        self.app_vm.runner.start(task, lambda: make(out, case_id), done, self.failed.emit)

    # -- hand-over with the recipient's key (issue #15) -----------------------------------
    def send(self, path: Path, recipient: Recipient, *, lang: str) -> None:
        """Write the age-encrypted hand-over packet (full PDF and the case's data) for
        ``recipient`` on a worker; emits handed_over or failed."""
        from screening.casework.handover import check_packet_name, send_referral

        workspace = self.app_vm.workspace
        self._write_out("hand-over", path, lambda out, case_id: send_referral(
            workspace, case_id, recipient, out, lang=lang), self.handed_over.emit,
            check=check_packet_name)
