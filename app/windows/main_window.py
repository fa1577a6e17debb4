"""The main window: one stack of screens, navigation between them, pause, lock and unlock.

Locking (Ctrl+L, the Lock button, idle time, the computer going to sleep or its screen
locking, or staying minimised) saves anything being typed, clears every screen holding
personal data, closes open dialogs and the store, and shows the unlock screen. Unlocking
returns to the same place (``Place``: a screen and ids, never content).

Pausing (Ctrl+P, the panic key, or idle time during an interview) shows the neutral pause
screen at once and empties the screen it covers; the store stays open and leaving the pause
returns to the same item (issue #14).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error, show_integrity_warnings
from app.qt_i18n import _, ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.cases_vm import CasesViewModel
from app.viewmodels.catalog import InstrumentCatalog
from app.viewmodels.handover_vm import Received, ReceiveViewModel
from app.viewmodels.interview_vm import InterviewViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.viewmodels.server_vm import ServerViewModel
from app.viewmodels.settings_vm import SettingsViewModel
from app.viewmodels.setup_vm import NewPerson, SetupViewModel
from app.widgets.common import BusyBar, set_button
from app.windows import dialogs, handover_dialogs, server_dialogs
from app.windows.cases_page import CasesPage
from app.windows.consent_page import ConsentPage
from app.windows.damage_notice import DamageNotice
from app.windows.first_run import FirstRunPage
from app.windows.interview_page import InterviewPage
from app.windows.lock_guard import LockGuard
from app.windows.pause_screen import IdleWarning, PauseScreen
from app.windows.referral_page import ReferralPage
from app.windows.review_page import ReviewPage
from app.windows.settings_dialog import SettingsDialog
from app.windows.setup_page import SetupPage
from app.windows.unlock_page import UnlockPage
from screening.casework.preferences import CaseListNames
from screening.errors import ScreeningError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    page: str = "cases"
    case_id: str = ""
    interview_id: str = ""


class Page(Protocol):
    """What the window asks of every page besides being a widget: new wording after a
    language change, and forgetting everything personal on lock."""

    def retranslate(self) -> None: ...

    def clear_personal_data(self) -> None: ...


class MainWindow(QMainWindow):
    def __init__(self, app_vm: AppViewModel) -> None:
        super().__init__()
        self.app_vm = app_vm
        self.place = Place()
        self.interview_vm: InterviewViewModel | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.paused_from: str | None = None  # the page the pause screen covers
        self._interview_seen = False  # an interview was opened: mask names in the case list
        # The workspace's catalog as cards: shipped instruments, plus the installed ones
        # while the store is open (the core decides; this only adapts it).
        self.catalog = InstrumentCatalog(app_vm.workspace)
        self.setMinimumSize(1000, 640)
        self.resize(1280, 720)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 4, 8, 8)
        self.idle_warning = IdleWarning(central)  # "locking in 30 s", on every screen
        layout.addWidget(self.idle_warning)
        self.damage_notice = DamageNotice(central)  # the file is damaged: nothing is saved
        layout.addWidget(self.damage_notice)
        self.header = QWidget(central)
        bar = QHBoxLayout(self.header)
        bar.setContentsMargins(0, 0, 0, 0)
        self.cases_button = QPushButton(self.header)
        # Back to the list with the case one was in still selected (a long list would
        # otherwise leave the officer hunting for it).
        self.cases_button.clicked.connect(lambda: self.go_cases(self.place.case_id or None))
        self.receive_button = QPushButton(self.header)  # recipient-key hand-over (#15)
        self.receive_button.clicked.connect(self.receive_referral)
        self.settings_button = QPushButton(self.header)
        self.settings_button.clicked.connect(self.open_settings)
        self.lock_button = QPushButton(self.header)
        self.lock_button.clicked.connect(self.lock)
        self.busy = BusyBar(self.header)
        self.busy.setMaximumWidth(160)
        bar.addWidget(self.cases_button)
        bar.addStretch(1)
        bar.addWidget(self.busy)
        bar.addWidget(self.receive_button)
        bar.addWidget(self.settings_button)
        bar.addWidget(self.lock_button)
        layout.addWidget(self.header)
        self.stack = QStackedWidget(central)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.cases_vm = CasesViewModel(app_vm, self.catalog, self)
        self.setup_vm = SetupViewModel(app_vm, self.catalog, self)
        self.referral_vm = ReferralViewModel(app_vm, self)
        self.settings_vm = SettingsViewModel(app_vm, self.catalog, self)
        self.receive_vm = ReceiveViewModel(app_vm, self)
        self.server_vm = ServerViewModel(app_vm, self)  # issue #18: the agency's server

        self.first_run = FirstRunPage(app_vm, self)
        self.unlock_page = UnlockPage(app_vm, self)
        self.cases_page = CasesPage(self.cases_vm, self)
        self.setup_page = SetupPage(self.setup_vm, self)
        self.consent_page = ConsentPage(self.setup_vm, self)
        self.interview_page = InterviewPage(self)
        self.review_page = ReviewPage(self)
        self.referral_page = ReferralPage(self.referral_vm, self)
        self.pause_screen = PauseScreen(self)
        self.pages: dict[str, QWidget] = {
            "first_run": self.first_run, "unlock": self.unlock_page, "cases": self.cases_page,
            "setup": self.setup_page, "consent": self.consent_page,
            "interview": self.interview_page, "review": self.review_page,
            "referral": self.referral_page, "paused": self.pause_screen,
        }
        # The same pages, checked structurally against ``Page``.
        self._page_hooks: list[Page] = [
            self.first_run, self.unlock_page, self.cases_page, self.setup_page,
            self.consent_page, self.interview_page, self.review_page, self.referral_page,
            self.pause_screen,
        ]
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.server_controls = server_dialogs.ServerControls(self, self.header, self.server_vm)
        bar.insertWidget(bar.indexOf(self.busy), self.server_controls)
        self.cases_page.set_server_panel(server_dialogs.CaseServerPanel(self.server_vm))
        self._connect()

        # Idle time, Ctrl+L/Ctrl+P/the panic key (in dialogs too), minimising, sleep.
        self.guard = LockGuard(self, self, self.idle_warning)
        self.idle = self.guard.idle
        # A bound method, not a lambda: Qt drops the connection when the window is deleted.
        ui_language().language_changed.connect(self._language_changed)
        self.retranslate()

    # -- wiring -------------------------------------------------------------------------
    def preload(self, on_font_gaps: Callable[[list[str]], None] | None = None) -> None:
        """Load the shipped instruments on a worker while the officer types the passphrase
        (the core keeps them for the rest of the process); with ``on_font_gaps``, also check
        that every language of them and of the UI shows without boxes (app/fonts.py)."""
        from app.fonts import check_shipped_text, shipped_text_gaps

        def done(result: object) -> None:
            if on_font_gaps is not None:
                on_font_gaps(shipped_text_gaps(result))

        self.app_vm.runner.start("catalog", check_shipped_text, done)

    def _connect(self) -> None:
        self.integrity_box: QMessageBox | None = None  # what the checks at unlock found
        vm = self.app_vm
        vm.unlocked.connect(self._unlocked)
        vm.locked.connect(self._locked)
        vm.damage_found.connect(self._damage_found)
        vm.runner.busy_changed.connect(lambda busy: self.busy.set_busy(busy, _("Working")))
        self.first_run.finished.connect(self.go_cases)
        self.cases_vm.failed.connect(lambda code: show_error(self, code))
        self.cases_page.new_case_requested.connect(self.go_new_case)
        self.cases_page.new_interview_requested.connect(self.go_setup)
        self.cases_page.resume_requested.connect(self.go_interview)
        self.cases_page.review_requested.connect(self.go_review)
        self.cases_page.referral_requested.connect(self.go_referral)
        self.setup_page.cancelled.connect(lambda: self.go_cases(self.setup_vm.cancel() or None))
        self.setup_page.consent_requested.connect(self.go_consent)
        self.consent_page.back_requested.connect(
            lambda: self.go_setup(self.setup_vm.setup.case_id))
        self.setup_vm.declined.connect(lambda case_id: self.go_cases(case_id or None))
        self.setup_vm.failed.connect(lambda code: show_error(self, code))
        self.setup_vm.interview_started.connect(self._interview_started)
        self.interview_page.review_requested.connect(self._review_current)
        self.interview_page.pause_requested.connect(self.pause)
        self.pause_screen.resume_requested.connect(self.resume)
        self.pause_screen.leave_requested.connect(self._leave_pause)
        self.pause_screen.lock_requested.connect(self.lock)
        self.cases_page.names_shown.connect(self._names_shown)
        self.review_page.back_requested.connect(self._back_to_questions)
        self.review_page.edit_requested.connect(self._edit_answer)
        self.review_page.finished.connect(lambda _i: self._referral_for_current())
        self.review_page.referral_requested.connect(self.go_referral)
        self.referral_page.done.connect(lambda: self.go_cases(self.referral_vm.case_id or None))
        self.receive_vm.received.connect(self._received)
        self.receive_vm.failed.connect(
            lambda code, incident: show_error(self, code, incident=incident or None))

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.pause_screen.title() if self.paused_from else _("FieldScreen"))
        set_button(self.cases_button, _("Cases"))
        set_button(self.receive_button, _("Receive a referral…"),
                   _("Import a case another agency handed over to your agency's key"))
        set_button(self.settings_button, _("Settings…"))
        set_button(self.lock_button, _("Lock (Ctrl+L)"))
        self.damage_notice.retranslate()
        for hook in self._page_hooks:
            hook.retranslate()

    # -- start --------------------------------------------------------------------------
    def start(self) -> None:
        if self.app_vm.store_exists():
            self._show("unlock")
            self.unlock_page.prepare()
        else:
            self._show("first_run")
            self.first_run.start(ui_language().lang)

    def _show(self, name: str) -> None:
        page = self.pages[name]
        self.stack.setCurrentWidget(page)
        self.header.setVisible(name not in ("first_run", "unlock", "paused")
                               and self.app_vm.is_open)
        self.cases_button.setVisible(name != "cases")
        self._show_damage()

    def _damage_found(self, _pages: int) -> None:
        self._show_damage()

    def _show_damage(self) -> None:
        """The damage notice, over every screen but unlock, first run and pause."""
        self.damage_notice.set_pages(self.app_vm.damaged_pages(),
                                     unchecked=self.app_vm.page_check_failed())
        name = next((n for n, p in self.pages.items() if p is self.stack.currentWidget()), "")
        self.damage_notice.setVisible(self.damage_notice.shown
                                      and name not in ("first_run", "unlock", "paused"))

    # -- navigation ---------------------------------------------------------------------
    def _guarded(self) -> bool:
        if not self.app_vm.is_open:
            self._show("unlock")
            return False
        return True

    def _leave_interview(self) -> None:
        self.interview_page.close_interview()
        self.review_page.clear_personal_data()
        self.interview_vm = None

    def go_cases(self, select_case: str | None = None) -> None:
        if not self._guarded():
            return
        self.referral_page.flush()
        self._leave_interview()
        self.setup_vm.clear_personal_data()  # a new case left before consent: forget it
        self.place = Place("cases", select_case or "")
        self._show("cases")
        names = self.app_vm.case_list_names()
        self.cases_page.set_names_masked(names is CaseListNames.HIDDEN or (
            names is CaseListNames.HIDDEN_DURING_INTERVIEW and self._interview_seen))
        self.cases_page.refresh(select_case)
        self.cases_page.table.setFocus()

    def go_new_case(self, person: NewPerson) -> None:
        """A new case: its details stay in memory until consent (``SetupViewModel``)."""
        if not self._guarded():
            return
        self.setup_vm.begin_new_case(person)
        self.go_setup("")

    def go_setup(self, case_id: str) -> None:
        if not self._guarded():
            return
        self._leave_interview()
        self.place = Place("setup", case_id)
        self._show("setup")
        self.setup_page.start(case_id)

    def go_consent(self) -> None:
        if not self._guarded():
            return
        self.place = Place("consent", self.setup_vm.setup.case_id)
        self._show("consent")
        self.consent_page.start()

    def _interview_started(self, interview_id: str) -> None:
        self.cases_vm.model.refresh()  # a new case exists from now on: list it
        self.go_interview(interview_id)

    def _open_vm(self, interview_id: str) -> InterviewViewModel | None:
        if self.interview_vm is not None and self.interview_vm.interview_id == interview_id:
            return self.interview_vm
        self._leave_interview()
        try:
            vm = InterviewViewModel(self.app_vm, interview_id, self)
        except ScreeningError as exc:
            show_error(self, str(exc.code))
            return None
        self.interview_vm = vm
        return vm

    def go_interview(self, interview_id: str) -> None:
        if not self._guarded():
            return
        vm = self._open_vm(interview_id)
        if vm is None:
            self.go_cases()
            return
        self.place = Place("interview", vm.case_id, interview_id)
        self._interview_seen = True
        self._show("interview")
        if self.interview_page.vm is not vm:
            self.interview_page.open(vm, self.app_vm.officer_profile().hotline)
        elif self.interview_page.paused:
            self.interview_page.show_content()
        else:
            self.interview_page._render()

    def go_review(self, interview_id: str) -> None:
        if not self._guarded():
            return
        vm = self._open_vm(interview_id)
        if vm is None:
            self.go_cases()
            return
        self.place = Place("review", vm.case_id, interview_id)
        self._show("review")
        self.review_page.open(vm)

    def _review_current(self) -> None:
        if self.interview_vm is not None:
            self.go_review(self.interview_vm.interview_id)

    def _referral_for_current(self) -> None:
        if self.interview_vm is not None:
            self.go_referral(self.interview_vm.case_id)

    def _back_to_questions(self) -> None:
        if self.interview_vm is not None:
            self.go_interview(self.interview_vm.interview_id)

    def _edit_answer(self, key: str) -> None:
        if self.interview_vm is None:
            return
        self.interview_vm.jump(key)
        self.go_interview(self.interview_vm.interview_id)

    def go_referral(self, case_id: str) -> None:
        if not self._guarded():
            return
        self._leave_interview()
        self.place = Place("referral", case_id)
        self._show("referral")
        try:
            self.referral_page.open(case_id)
        except ScreeningError as exc:
            show_error(self, str(exc.code))
            self.go_cases()

    def receive_referral(self) -> None:
        """Receive a referral…: the packet, the agency's key, then the import on a worker."""
        if self._guarded():
            handover_dialogs.receive_flow(self, self.receive_vm)

    def _received(self, received: Received) -> None:
        self.go_cases(received.case_id)
        dialogs.inform(self, _("Referral received"), handover_dialogs.received_text(received))

    def open_settings(self) -> SettingsDialog | None:
        if not self._guarded():
            return None
        dialog = SettingsDialog(self.app_vm, self.settings_vm, self, self.server_vm)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._settings_closed)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _settings_closed(self) -> None:
        self.settings_dialog = None
        self.guard.arm()

    def _names_shown(self) -> None:
        self._interview_seen = False  # shown on purpose: until the next interview opens

    # -- pause --------------------------------------------------------------------------
    def pause(self) -> None:
        """The neutral screen, at once; then the page it covers saves and empties itself."""
        current = next((n for n, p in self.pages.items() if p is self.stack.currentWidget()),
                       "cases")
        if self.paused_from or current in ("first_run", "unlock") or not self.app_vm.is_open:
            return
        self.paused_from = current
        self._close_dialogs()
        self._show("paused")
        self.setWindowTitle(self.pause_screen.title())
        self.pause_screen.prepare()
        self.interview_page.cover_respondent()  # the respondent view goes neutral too
        self.repaint()  # on screen before anything is saved (bench: pause under one frame)
        self.interview_page.hide_content()  # saves what is typed, notes the break
        self.referral_page.flush()
        for page in (self.cases_page, self.review_page, self.referral_page):
            page.clear_personal_data()  # hidden is not enough: screen readers, grabs
        log.debug("paused")

    def resume(self) -> None:
        """Back to the page and the item the pause covered."""
        page, self.paused_from = self.paused_from, None
        if page is None:
            return
        self.setWindowTitle(_("FieldScreen"))
        if not self.app_vm.is_open:
            self._show("unlock")
        elif page == "interview" and self.place.interview_id:
            self.go_interview(self.place.interview_id)
        elif page == "review" and self.place.interview_id:
            self.go_review(self.place.interview_id)
        elif page == "referral" and self.place.case_id:
            self.go_referral(self.place.case_id)
        elif page == "cases":
            self.go_cases(self.place.case_id or None)
        else:
            self._show(page)

    def _leave_pause(self) -> None:
        self.paused_from = None
        self.setWindowTitle(_("FieldScreen"))
        self.go_cases(self.interview_vm.case_id if self.interview_vm else None)

    # -- lock ---------------------------------------------------------------------------
    def lock(self) -> None:
        if not self.app_vm.is_open:
            return
        self.interview_page.flush()  # nothing typed is lost
        self.referral_page.flush()
        self.app_vm.lock()

    def interview_showing(self) -> bool:
        return self.stack.currentWidget() is self.interview_page

    def _close_dialogs(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.settings_dialog = None

    def _locked(self) -> None:
        self.guard.disarm()
        self._close_dialogs()
        if self.paused_from:
            self.paused_from = None
            self.setWindowTitle(_("FieldScreen"))
        self._leave_interview()
        for hook in self._page_hooks:
            hook.clear_personal_data()
        self._show("unlock")
        self.unlock_page.prepare()

    def _unlocked(self) -> None:
        self.guard.arm()
        if self.stack.currentWidget() is self.first_run:
            return  # set-up goes on to the recovery key
        place = self.place
        try:
            if place.page == "interview" and place.interview_id:
                self.go_interview(place.interview_id)
            elif place.page == "review" and place.interview_id:
                self.go_review(place.interview_id)
            elif place.page == "referral" and place.case_id:
                self.go_referral(place.case_id)
            elif place.page == "setup" and place.case_id:
                self.go_setup(place.case_id)
            elif place.page == "consent" and place.case_id:
                self.go_setup(place.case_id)
                self.go_consent()
            else:
                self.go_cases(place.case_id or None)
        except ScreeningError as exc:
            show_error(self, str(exc.code))
            self.go_cases()
        # Signs of tampering found at unlock (also in the audit trail): said once, now.
        self.integrity_box = show_integrity_warnings(self, self.app_vm.integrity_warnings())

    # -- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.app_vm.is_open:
            self.interview_page.flush()
            self.referral_page.flush()
        self._leave_interview()
        self.guard.detach()
        try:
            ui_language().language_changed.disconnect(self._language_changed)
        except (RuntimeError, TypeError):
            pass
        self.app_vm.shutdown()
        super().closeEvent(event)

