"""Referral: services from the directory (filter by need, language, region), reasons, notes,
the referral details a receiving agency needs (a second tab, issue #15), and the referral PDF
(full or redacted, optionally password-protected).

The screen says what the person's consent covers. Only services within it are listed unless
the officer asks to see the others; choosing one of those asks for the officer's reason,
which is shown beside the choice, audited and printed on the packet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.qt_i18n import _, available_ui_languages, language_name, ui_language
from app.viewmodels.directory import NEED_TEXT, ServiceView
from app.viewmodels.handover_vm import handover_recipients
from app.viewmodels.referral_vm import ReferralViewModel
from app.widgets.bidi_view import data, show_isolated
from app.widgets.bidi_view import lines as bidi_lines
from app.widgets.common import (
    Banner,
    BusyBar,
    acc,
    heading,
    plain_label,
    refresh_heading,
    sensitive,
)
from app.widgets.common import set_button as set_btn
from app.widgets.referral_details import ReferralDetailsWidget
from app.widgets.report_options import ReportOptionsWidget, ReportPasswordWidget, saved_text
from app.widgets.service_table import (
    contacts_text,
    keep_rows,
    region_text,
    scrolling,
    service_columns,
)
from app.widgets.service_table import table_item as _item
from app.windows import dialogs, handover_dialogs
from screening.reports.packet import Variant


class ReferralPage(QWidget):
    """Emits:
    done(): back to the case list.
    """

    done = Signal()

    def __init__(self, vm: ReferralViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self._shown: list[ServiceView] = []
        self._working = False  # a PDF or hand-over packet is being written
        self._writing: tuple[Variant, bool] = ("full", False)  # that PDF: copy, password?
        layout = QVBoxLayout(self)
        self.title = heading("", self)
        self.unavailable = Banner("warning", self)
        self.unavailable.hide()
        self.consent = plain_label("", self, selectable=True)
        layout.addWidget(self.title)
        layout.addWidget(self.unavailable)
        layout.addWidget(self.consent)
        self.tabs = QTabWidget(self)  # the services and notes | the referral details
        services = QWidget(self.tabs)
        grid = QGridLayout(services)
        self.details = ReferralDetailsWidget(self.tabs)
        self.details.edited.connect(self._detail_edited)
        self.tabs.addTab(services, "")
        self.tabs.addTab(self.details, "")
        layout.addWidget(self.tabs, 1)

        filters = QHBoxLayout()
        self.need = QComboBox(self)
        self.language = QComboBox(self)
        self.region = QComboBox(self)
        self.filter_labels = [plain_label("", self, wrap=False) for _i in range(3)]
        for label, combo in zip(self.filter_labels, (self.need, self.language, self.region),
                                strict=True):
            label.setBuddy(combo)
            combo.currentIndexChanged.connect(lambda _i: self._fill_directory())
            filters.addWidget(label)
            filters.addWidget(combo, 1)
        left = QVBoxLayout()
        left.addLayout(filters)
        self.show_outside = QCheckBox(self)
        self.show_outside.toggled.connect(self._show_outside_toggled)
        left.addWidget(self.show_outside)
        self.directory = QTableWidget(0, 4, self)
        self.directory.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.directory.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.directory.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.directory.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.directory.verticalHeader().hide()
        self.directory.setTabKeyNavigation(False)
        self.directory.setWordWrap(False)
        self.directory.itemActivated.connect(lambda _i: self._add())
        self.directory.currentCellChanged.connect(lambda *_a: self._show_service())
        left.addWidget(self.directory, 2)
        self.service_details = plain_label("", self, selectable=True)
        left.addWidget(scrolling(self.service_details, self), 1)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self._add)
        left.addWidget(self.add_button)
        grid.addLayout(left, 0, 0)

        right = QVBoxLayout()
        self.chosen_label = plain_label("", self)
        self.chosen = QTableWidget(0, 4, self)
        self.chosen.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.chosen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.chosen.verticalHeader().hide()
        self.chosen.setTabKeyNavigation(False)
        self.chosen.itemChanged.connect(self._reason_edited)
        self.chosen.setWordWrap(True)
        show_isolated(self.chosen, 2)  # the reason, as typed, shown in its own direction
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(self._remove)
        self.choose_status = plain_label("", self)
        self.narrative_label = plain_label("", self)
        self.narrative = QPlainTextEdit(self)
        sensitive(self.narrative)
        self.narrative.setTabChangesFocus(True)
        self.narrative.textChanged.connect(
            lambda: setattr(self.vm, "narrative", self.narrative.toPlainText()))
        self.chosen_label.setBuddy(self.chosen)
        self.narrative_label.setBuddy(self.narrative)
        chosen_widgets: tuple[QWidget, ...] = (
            self.chosen_label, self.chosen, self.remove_button, self.choose_status,
            self.narrative_label, self.narrative)
        for w in chosen_widgets:
            right.addWidget(w)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        report = QHBoxLayout()
        self.report_lang_label = plain_label("", self, wrap=False)
        self.report_lang = QComboBox(self)
        self.report_lang_label.setBuddy(self.report_lang)
        self.options = ReportOptionsWidget(self)  # full, redacted or minimal (issue #15)
        self.full = self.options.buttons["full"]
        self.redacted = self.options.buttons["redacted"]
        # Labelled, Show, typed twice, checked as typed; "Make PDF…" waits for it (issue #14).
        self.pdf_password = ReportPasswordWidget(self)
        self.options.variant_changed.connect(lambda _v: self.pdf_password.show_saved(None))
        self.protect = self.pdf_password.protect
        self.password = self.pdf_password.password.edit
        self.password_confirm = self.pdf_password.confirm.edit
        self.pdf_password.changed.connect(self._update_generate)
        self.generate_button = QPushButton(self)
        self.generate_button.clicked.connect(self.generate)
        self.send_button = QPushButton(self)  # recipient-key hand-over (issue #15)
        self.send_button.clicked.connect(self.send)
        packet = QHBoxLayout()  # which copy | its password
        packet.addWidget(self.options, 3)
        packet.addSpacing(12)
        packet.addWidget(self.pdf_password, 2)
        report.addWidget(self.report_lang_label)
        report.addWidget(self.report_lang)
        report.addSpacing(12)
        report.addWidget(self.pdf_password.status, 1)
        report.addWidget(self.generate_button)
        report.addWidget(self.send_button)
        layout.addLayout(packet)
        layout.addLayout(report)
        self.busy = BusyBar(self)
        layout.addWidget(self.busy)
        result = QHBoxLayout()
        self.result = plain_label("", self, selectable=True)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._open_pdf)
        self.open_button.hide()
        self.done_button = QPushButton(self)
        self.done_button.clicked.connect(self._done)
        result.addWidget(self.result, 1)
        result.addWidget(self.open_button)
        result.addWidget(self.done_button)
        layout.addLayout(result)

        vm.chosen_changed.connect(self._fill_chosen)
        vm.report_started.connect(lambda: self._busy(True))
        vm.report_written.connect(self._written)
        vm.handed_over.connect(self._handed_over)
        vm.failed.connect(self._failed)
        self.retranslate()

    def retranslate(self) -> None:
        refresh_heading(self.title, _("Referral · case {reference}").format(
            reference=self.vm.case_reference) if self.vm.case_reference else _("Referral"))
        self.unavailable.set_text(_("The referral directory could not be read. Write the "
                                    "services you recommend in the notes."))
        self._show_consent()
        set_btn(self.show_outside, _("Show services outside the consent"))
        self.details.retranslate()
        for label, text in zip(self.filter_labels, (_("Helps with"), _("Language"), _("Region")),
                               strict=True):
            label.setText(text)
        acc(self.need, _("Filter services by need"))
        acc(self.language, _("Filter services by language"))
        acc(self.region, _("Filter services by region"))
        self.directory.setHorizontalHeaderLabels(
            [_("Service"), _("Kind"), _("Languages"), _("Contact")])
        acc(self.directory, _("Referral directory"))
        keep_rows(self.directory)  # in the language's font
        set_btn(self.add_button, _("Add the selected service"))
        self.chosen_label.setText(_("Services chosen (write the reason in the Reason column)"))
        self.chosen.setHorizontalHeaderLabels([_("Service"), _("Contact"), _("Reason"),
                                               _("Consent")])
        acc(self.chosen, _("Services chosen"))
        set_btn(self.remove_button, _("Remove the selected service"))
        self.narrative_label.setText(_("Notes for the receiving service"))
        acc(self.narrative, _("Notes for the receiving service"))
        self.report_lang_label.setText(_("Report language"))
        acc(self.report_lang, _("Report language"))
        self.options.retranslate()
        self.pdf_password.retranslate()
        set_btn(self.generate_button, _("Make PDF…"))
        set_btn(self.send_button, _("Send to…"),
                _("Encrypt the full packet and the case's data for a receiving agency's key"))
        set_btn(self.open_button, _("Open the PDF"))
        set_btn(self.done_button, _("Done"))
        self.busy.set_busy(self.busy.isVisible(), _("Making the report"))
        self._fill_filters()

    # -- loading ------------------------------------------------------------------------
    def open(self, case_id: str) -> None:
        self.vm.load(case_id)
        self.result.clear()
        self.open_button.hide()
        self.narrative.blockSignals(True)
        self.narrative.setPlainText(self.vm.narrative)
        self.narrative.blockSignals(False)
        self.unavailable.setVisible(not self.vm.available)
        self.choose_status.clear()
        self.show_outside.blockSignals(True)
        self.show_outside.setChecked(self.vm.show_outside_consent)
        self.show_outside.blockSignals(False)
        self.report_lang.clear()
        for code in available_ui_languages():
            self.report_lang.addItem(language_name(code), code)
        self.report_lang.setCurrentIndex(max(0, self.report_lang.findData(ui_language().lang)))
        self.options.clear()
        self.options.set_needs_reason(self.vm.full_packet_needs_reason())
        profile = self.vm.app_vm.officer_profile()
        self.details.load(self.vm.details, profile.phone, profile.email)
        self.tabs.setCurrentIndex(0)
        self.retranslate()
        self._fill_chosen()
        self.directory.setFocus()

    def _fill_filters(self) -> None:
        needs, langs, regions = self.vm.facets()
        for combo, values, named in ((self.need, needs, False), (self.language, langs, True),
                                     (self.region, regions, False)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("Any"), "")
            for value in values:
                if named:
                    text = language_name(value, ui_language().lang)
                elif combo is self.need:
                    text = _(NEED_TEXT[value]) if value in NEED_TEXT else value
                else:
                    text = region_text(value)
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(current or "")))
            combo.blockSignals(False)
        self._fill_directory()

    def _show_consent(self) -> None:
        scopes = self.vm.consent_scopes()
        if not self.vm.case_id:
            self.consent.clear()
        elif scopes:
            # Translators: the separator between items of a list, e.g. "، " in Arabic.
            sep = _(", ")
            self.consent.setText(_("Consent covers: {scopes}").format(scopes=sep.join(scopes)))
        else:
            self.consent.setText(_("No consent is recorded for this case: every referral "
                                   "needs your reason."))
        acc(self.consent, _("What the person agreed to"))
        self.tabs.setTabText(0, _("Services and notes"))
        self.tabs.setTabText(1, _("Referral details"))

    def _show_outside_toggled(self, show: bool) -> None:
        self.vm.set_show_outside_consent(show)
        self._fill_directory()

    def _shown_service(self) -> ServiceView | None:
        row = self.directory.currentRow()
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def _fill_directory(self) -> None:
        services = self.vm.filtered(self.need.currentData() or "",
                                    self.language.currentData() or "",
                                    self.region.currentData() or "")
        self._shown = services
        self.directory.setRowCount(len(services))
        for row, s in enumerate(services):
            for col, text in enumerate(service_columns(s)):
                self.directory.setItem(row, col, _item(text))
        self.add_button.setEnabled(bool(services))
        self._show_service()

    def _show_service(self) -> None:
        service = self._shown_service()
        if service is None:
            self.service_details.clear()
            return
        name, kind, langs, contacts = service_columns(service)
        lines = [f"{name} · {kind}", contacts]
        if langs:
            lines.append(_("Languages: {languages}").format(languages=langs))
        if service.hours:
            lines.append(_("Hours: {hours}").format(hours=data(service.hours)))
        if service.notes:
            lines.append(data(service.notes))
        if service.outside_consent:
            lines.append(_("Outside the person's consent: referring them here needs consent "
                           "to {scope}. Choosing it asks for your reason.").format(
                               scope=self.vm.scope_needed_text(service)))
        self.service_details.setText(bidi_lines(lines, self))
        acc(self.service_details, _("Selected service"))

    def _fill_chosen(self) -> None:
        self.chosen.blockSignals(True)
        self.chosen.setRowCount(len(self.vm.chosen))
        for row, c in enumerate(self.vm.chosen):
            for col, text in enumerate((data(c.service.name), contacts_text(c.service.contacts))):
                item = _item(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.chosen.setItem(row, col, item)
            reason = _item(c.reason)
            reason.setData(Qt.ItemDataRole.UserRole, c.service.service_id)
            self.chosen.setItem(row, 2, reason)
            if c.override_reason:
                text = "⚠ " + _("Outside the consent. Your reason: {reason}").format(
                    reason=data(c.override_reason))
            elif c.service.outside_consent:
                text = "⚠ " + _("Outside the consent, without a reason")
            else:
                text = _("Within the consent")
            consent = _item(text)
            consent.setFlags(consent.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.chosen.setItem(row, 3, consent)
        self.chosen.resizeRowsToContents()
        self.chosen.blockSignals(False)
        self.remove_button.setEnabled(bool(self.vm.chosen))

    # -- choosing -----------------------------------------------------------------------
    def _add(self) -> None:
        service = self._shown_service()
        if service is None or self.vm.is_chosen(service):
            return
        self.choose_status.clear()
        reason = None
        if self.vm.needs_reason(service):
            reason = dialogs.ask_text(
                self, _("Outside the person's consent"),
                _("The person did not agree to {scope}. Refer them to {name} only if you "
                  "must, and say why. Your reason is recorded in the audit trail and printed "
                  "on the referral packet.").format(scope=self.vm.scope_needed_text(service),
                                                    name=service.name),
                _("Refer anyway"))
            if reason is None:
                return
        if not self.vm.add(service, reason):
            self.choose_status.setText("✗ " + _("Not added: a referral outside the consent "
                                                "needs your reason."))

    def _remove(self) -> None:
        row = self.chosen.currentRow()
        if 0 <= row < len(self.vm.chosen):
            self.vm.remove(self.vm.chosen[row].service.service_id)

    def _detail_edited(self, name: str, value: object, final: bool) -> None:
        problems = self.vm.set_detail(name, value, save=final)
        if final:
            self.details.show_problem(name, problems.get(name, ""))
            self.details.refresh(self.vm.details, {name, *problems})

    def _reason_edited(self, item: QTableWidgetItem) -> None:
        if item.column() == 2:
            self.vm.set_reason(item.data(Qt.ItemDataRole.UserRole), item.text())

    # -- the PDF ------------------------------------------------------------------------
    def _update_generate(self) -> None:
        problem = self.pdf_password.problem()
        self.generate_button.setEnabled(not self._working and not problem)
        self.generate_button.setToolTip(problem)

    def generate(self) -> None:
        if self.options.missing_reason():  # the core would refuse it: ask first
            self.options.reason.setFocus()
            return
        if self.pdf_password.problem(check=True):  # too weak, or not the same twice
            self._update_generate()
            self.pdf_password.focus_problem()
            return
        password = self.pdf_password.text()
        if password is None and not dialogs.ask(
                self, _("Save without a password?"),
                _("Anyone who gets this file can read everything in it. Protect it with a "
                  "password unless it goes straight to the receiving service."),
                _("Save without a password"), _("Back"), danger=True):
            return
        variant = self.options.variant()
        suggested = self.vm.suggested_file_name(variant)
        path = dialogs.choose_save_path(self, _("Save the referral report"), suggested,
                                        _("PDF files (*.pdf)"),
                                        check=self.vm.app_vm.workspace.check_output)
        if path is None or not self.vm.app_vm.is_open:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        self.result.clear()
        self.open_button.hide()
        self._writing = (variant, password is not None)
        self.vm.generate(path, lang=self.report_lang.currentData() or ui_language().lang,
                         variant=variant, password=password,
                         override_reason=self.options.override_reason())

    def send(self) -> None:
        """Send to…: the receiving agency's key, then where to save the encrypted file."""
        recipient = handover_dialogs.choose_recipient(self, handover_recipients(self.vm.app_vm))
        if recipient is None:
            return
        suggested = f"referral-{self.vm.case_reference or 'case'}.age"
        path = dialogs.choose_save_path(self, _("Save the hand-over packet"), suggested,
                                        _("Hand-over packets") + " (*.age)",
                                        check=self.vm.app_vm.workspace.check_output)
        if path is None or not self.vm.app_vm.is_open:
            return
        self.result.clear()
        self.open_button.hide()
        self.vm.send(path if path.suffix.lower() == ".age" else path.with_suffix(".age"),
                     recipient, lang=self.report_lang.currentData() or ui_language().lang)

    def _handed_over(self, sent: object) -> None:
        self._busy(False)
        self.result.setText(handover_dialogs.sent_text(sent))  # type: ignore[arg-type]

    def _busy(self, busy: bool) -> None:
        self._working = busy
        self.busy.set_busy(busy)
        self.send_button.setEnabled(not busy)
        self._update_generate()

    def _written(self, sha256: str) -> None:
        self._busy(False)
        self.pdf_password.clear()
        variant, protected = self._writing
        self.pdf_password.show_saved(protected)  # until the officer changes something
        self.result.setText(saved_text((self.vm.last_path or Path()).name, sha256, variant,
                                       protected))
        self.open_button.show()

    def _failed(self, code: str, incident: str) -> None:
        self._busy(False)
        show_error(self, code, incident=incident or None)

    def _open_pdf(self) -> None:
        if self.vm.last_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.vm.last_path)))

    def _done(self) -> None:
        if self.vm.save():
            self.done.emit()

    def flush(self) -> None:
        if self.vm.case_id and self.vm.app_vm.is_open:
            self.vm.save()

    def clear_personal_data(self) -> None:
        self.vm.clear()
        self.narrative.blockSignals(True)
        self.narrative.clear()
        self.narrative.blockSignals(False)
        self.chosen.setRowCount(0)
        self.details.clear()
        self.consent.clear()
        self.choose_status.clear()
        self.service_details.clear()
        self.pdf_password.clear()
        self.options.clear()
        self.result.clear()
        self.open_button.hide()
