"""Settings: language and auto-lock, officer profile, passphrase and recovery key; the other
tabs (directory, instruments, backup, audit) are in ``settings_tabs.py``, the agency's server
in ``server_tab.py``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.idle import RECORDS_KEYS
from app.qt_i18n import _, available_ui_languages, language_name, scaled_font, ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.server_vm import ServerViewModel
from app.viewmodels.settings_vm import SettingsViewModel
from app.widgets.common import Banner, BusyBar, acc, plain_label, set_button
from app.widgets.passphrase_field import PassphraseField
from app.windows import dialogs
from app.windows.server_tab import ServerTab
from app.windows.settings_tabs import (
    AuditTab,
    BackupTab,
    DirectoryTab,
    InstrumentsTab,
    TabPage,
)
from screening.casework.preferences import CaseListNames, OfficerProfile
from screening.errors import ScreeningError


def form_row(form: QFormLayout, parent: QWidget, widget: QWidget) -> QLabel:
    label = plain_label("", parent, wrap=False)
    label.setBuddy(widget)
    form.addRow(label, widget)
    return label


class GeneralTab(TabPage):
    def __init__(self, app_vm: AppViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        form = QFormLayout(self)
        self.language = QComboBox(self)
        for code in available_ui_languages():
            self.language.addItem(language_name(code), code)
        self.language.activated.connect(self._language)
        self.autolock = QSpinBox(self)
        self.autolock.setRange(1, 240)
        self.autolock.valueChanged.connect(self._autolock)
        self.lang_label = form_row(form, self, self.language)
        self.lock_label = form_row(form, self, self.autolock)
        # The panic key shows the neutral pause screen from anywhere (issue #14).
        self.panic_key = QKeySequenceEdit(self)
        self.panic_key.setMaximumSequenceLength(1)
        self.panic_key.setClearButtonEnabled(True)
        self.panic_key.setProperty(RECORDS_KEYS, True)  # F12 here is a choice, not a panic
        self.panic_key.editingFinished.connect(self._panic_key)
        self.panic_label = form_row(form, self, self.panic_key)
        self.panic_error = plain_label("", self)
        self.panic_error.setStyleSheet("color:#b3261e;")
        self.panic_error.hide()
        form.addRow("", self.panic_error)
        self.names = QComboBox(self)
        self.names.activated.connect(self._names)
        self.names_label = form_row(form, self, self.names)

    def retranslate(self) -> None:
        self.lang_label.setText(_("Language of the app"))
        self.lock_label.setText(_("Lock after this many idle minutes"))
        self.panic_label.setText(_("Key that hides the screen"))
        self.panic_key.setToolTip(_("Like Ctrl+P, from any screen and any window. Ctrl+P "
                                    "brings the screen back."))
        self.names_label.setText(_("Names in the case list"))
        acc(self.language, _("Language of the app"))
        acc(self.autolock, _("Lock after this many idle minutes"))
        for field in (self.panic_key, *self.panic_key.findChildren(QLineEdit)):
            acc(field, _("Key that hides the screen"))
        acc(self.names, _("Names in the case list"))
        self.language.setCurrentIndex(max(0, self.language.findData(ui_language().lang)))
        current = self.names.currentData()
        self.names.clear()
        for value, text in ((CaseListNames.SHOWN, _("Always shown")),
                            (CaseListNames.HIDDEN_DURING_INTERVIEW,
                             _("Hidden once an interview is opened")),
                            (CaseListNames.HIDDEN, _("Always hidden"))):
            self.names.addItem(text, value.value)
        self.names.setCurrentIndex(max(0, self.names.findData(current)))

    def load(self) -> None:
        self.autolock.blockSignals(True)
        self.autolock.setValue(self.app_vm.autolock_minutes())
        self.autolock.blockSignals(False)
        self.panic_key.setKeySequence(QKeySequence(self.app_vm.panic_key(),
                                                   QKeySequence.SequenceFormat.PortableText))
        self.names.setCurrentIndex(max(0, self.names.findData(
            self.app_vm.case_list_names().value)))

    def _panic_key(self) -> None:
        if not self.app_vm.is_open:
            return
        text = self.panic_key.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        try:
            self.app_vm.set_panic_key(text)
        except ScreeningError:
            self.panic_error.setText(_("This key is used for typing or by the app. Choose "
                                       "another, for example F12."))
            self.panic_error.show()
            self.panic_key.setKeySequence(QKeySequence(
                self.app_vm.panic_key(), QKeySequence.SequenceFormat.PortableText))
            return
        self.panic_error.hide()

    def _names(self) -> None:
        if self.app_vm.is_open:
            try:
                self.app_vm.set_case_list_names(CaseListNames(self.names.currentData()))
            except ScreeningError as exc:
                show_error(self, str(exc.code))

    def _language(self) -> None:
        code = self.language.currentData()
        if code and code != ui_language().lang:
            ui_language().set_language(code)  # applies at once; RTL mirrors the layout
            self.app_vm.save_ui_language(code)

    def _autolock(self, minutes: int) -> None:
        if self.app_vm.is_open:
            try:
                self.app_vm.set_autolock_minutes(minutes)
            except ScreeningError as exc:
                show_error(self, str(exc.code))


class ProfileTab(TabPage):
    def __init__(self, app_vm: AppViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.edits = [QLineEdit(self) for _i in range(6)]
        self.labels = [form_row(form, self, e) for e in self.edits]
        layout.addLayout(form)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.intro.setText(_("These details go on referral reports. They are stored "
                             "encrypted."))
        names = (_("Your name"), _("Agency"), _("Usual location"), _("Helpline number"),
                 # Issue #15: on a full referral packet, for the receiving service.
                 _("Your phone number"), _("Your email"))
        for label, edit, name in zip(self.labels, self.edits, names, strict=True):
            label.setText(name)
            acc(edit, name)
        set_button(self.save_button, _("Save profile"))

    def load(self) -> None:
        profile = self.app_vm.officer_profile()
        for edit, value in zip(self.edits, (profile.name, profile.agency, profile.location,
                                            profile.hotline, profile.phone, profile.email),
                               strict=True):
            edit.setText(value)

    def save(self) -> None:
        try:
            name, agency, location, hotline, phone, email = (e.text().strip()
                                                             for e in self.edits)
            self.app_vm.save_officer_profile(OfficerProfile(
                name=name, agency=agency, location=location, hotline=hotline, phone=phone,
                email=email))
        except ScreeningError as exc:
            show_error(self, str(exc.code))
            return
        self.load()  # as stored: a phone typed in Arabic-Indic digits reads back 0-9
        dialogs.inform(self, _("Settings"), _("The profile was saved."))


class SecurityTab(TabPage):
    """Emits:
    working(bool): True while the store is being re-encrypted (nothing else may use it).
    """

    working = Signal(bool)

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.rekeying = False
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.current = PassphraseField("", parent=self)
        self.new = PassphraseField("", meter=True, parent=self)
        self.confirm = PassphraseField("", parent=self)
        self.labels = [form_row(form, self, f) for f in (self.current, self.new, self.confirm)]
        self.new.changed.connect(self._show_meter)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.change_button = QPushButton(self)
        self.change_button.clicked.connect(self._change)
        self.recovery_button = QPushButton(self)
        self.recovery_button.clicked.connect(self._recovery)
        row.addWidget(self.recovery_button)
        row.addStretch(1)
        row.addWidget(self.change_button)
        layout.addLayout(row)
        self.rekey_intro = plain_label("", self)
        self.rekey_button = QPushButton(self)
        self.rekey_button.clicked.connect(self._rekey)
        layout.addSpacing(12)
        layout.addWidget(self.rekey_intro)
        layout.addWidget(self.rekey_button, 0, Qt.AlignmentFlag.AlignRight)
        self.busy = BusyBar(self)
        self.status = plain_label("", self)
        self.key_banner = Banner("warning", self)
        self.key_banner.hide()
        self.key_label = plain_label("", self, wrap=False, selectable=True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        # Shown as on the first run: warning, the key large and left-to-right, "written down".
        self.key_label.setFont(scaled_font(mono, 1.6, bold=True))
        self.key_label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.key_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.key_written = QCheckBox(self)
        self.key_written.hide()
        self.key_written.toggled.connect(self._forget_key)
        for w in (self.busy, self.status, self.key_banner, self.key_label, self.key_written):
            layout.addWidget(w)
        layout.addStretch(1)
        vm.done.connect(self._done)
        vm.failed.connect(self._failed)

    def retranslate(self) -> None:
        self.intro.setText(_("Changing the passphrase takes effect at once; the old one stops "
                             "working. Backups still open with the passphrase they were made "
                             "with."))
        for label, field, name in zip(self.labels, (self.current, self.new, self.confirm), (
                _("Current passphrase"), _("New passphrase"), _("New passphrase again")),
                strict=True):
            label.setText(name)
            field.retranslate(name)
        set_button(self.change_button, _("Change passphrase"))
        set_button(self.recovery_button, _("Make a new recovery key…"))
        self.rekey_intro.setText(self._rekey_text())
        set_button(self.rekey_button, _("Change passphrase and re-encrypt…"))
        acc(self.key_label, _("Recovery key"))
        set_button(self.key_written, _("I have written down the recovery key and will keep "
                                       "it safe"))
        self.busy.set_busy(self.busy.isVisible(), _("Working"))
        self._show_meter()

    def _show_meter(self) -> None:
        """The strength line only once there is a verdict: empty, it left a gap above "New
        passphrase again"."""
        if self.new.meter is not None:
            self.new.meter.setVisible(bool(self.new.meter.text()))

    @staticmethod
    def _rekey_text() -> str:
        return _("Re-encrypting makes a new key and re-encrypts everything with it, with the "
                 "new passphrase above and a new recovery key. The old passphrase, the old "
                 "recovery key and old key files stop opening this data. Backups you made "
                 "earlier still open with the old passphrase: destroy those you no longer "
                 "trust.")

    def _new_ok(self) -> bool:
        if self.new.check_now() != "ok":
            self.status.setText("✗ " + _("The new passphrase is not strong enough."))
            return False
        if self.new.text() != self.confirm.text():
            self.status.setText("✗ " + _("The two new passphrases are not the same."))
            return False
        return True

    def _change(self) -> None:
        if not self._new_ok():
            return
        self.busy.set_busy(True)
        self.vm.change_passphrase(self.current.text(), self.new.text())

    def _rekey(self) -> None:
        if not self.current.text():
            self.status.setText("✗ " + _("Type your current passphrase first."))
            self.current.edit.setFocus()
            return
        if not self._new_ok():
            return
        if not dialogs.ask(self, _("Re-encrypt everything with a new key?"),
                           self._rekey_text(), _("Re-encrypt"), danger=True):
            return
        self.status.clear()
        self._set_rekeying(True)
        self.vm.rekey(self.current.text(), self.new.text())

    def _set_rekeying(self, on: bool) -> None:
        """While re-encrypting: busy, every key button off, the dialog stays open."""
        self.rekeying = on
        self.busy.set_busy(on, _("Re-encrypting everything with a new key"))
        for button in (self.change_button, self.recovery_button, self.rekey_button):
            button.setEnabled(not on)
        self.working.emit(on)

    def _show_key(self, key: str) -> None:
        self.key_banner.set_text(_("Warning: write this new recovery key on paper now. It "
                                   "is shown only this once."), bold=True)
        self.key_banner.show()
        self.key_label.setText(key)
        self.key_written.setChecked(False)
        self.key_written.show()
        self.key_label.setFocus()

    def _forget_key(self, written: bool) -> None:
        if written:  # shown once: gone from memory as soon as the officer says so
            self.key_label.clear()
            self.key_banner.hide()
            self.key_written.hide()

    def _recovery(self) -> None:
        if not self.current.text():
            self.status.setText("✗ " + _("Type your current passphrase first."))
            self.current.edit.setFocus()
            return
        if dialogs.ask(self, _("Make a new recovery key?"), _(
                "The old recovery key stops working at once. The new one is shown only once."),
                _("Make a new key")):
            self.busy.set_busy(True)
            self.vm.regenerate_recovery_key(self.current.text())

    def _done(self, op: str, result: object) -> None:
        if op not in ("passphrase", "recovery", "rekey"):
            return
        if op == "rekey":
            self._set_rekeying(False)
        self.busy.set_busy(False)
        self.clear()
        if op == "passphrase":
            self.status.setText("✓ " + _("The passphrase was changed."))
            return
        if op == "rekey":
            self.status.setText("✓ " + _("Everything was re-encrypted with a new key. Use the "
                                         "new passphrase from now on."))
        self._show_key(str(result))

    def _failed(self, op: str, code: str, incident: str) -> None:
        if op not in ("passphrase", "recovery", "rekey"):
            return
        if op == "rekey":
            self._set_rekeying(False)
        self.busy.set_busy(False)
        self.current.clear()
        show_error(self, code, incident=incident or None)

    def clear(self) -> None:
        for field in (self.current, self.new, self.confirm):
            field.clear()
        self.status.clear()
        self.key_label.clear()
        self.key_banner.hide()
        self.key_written.hide()


SECTIONS_MAX_WIDTH = 320  # beyond this a section's name wraps onto a second line
ITEM_PADDING = 6  # left and right of a section's name


class SettingsDialog(QDialog):
    """The sections are a list on the side, not tabs: in Spanish, Russian or Portuguese seven
    tab labels are wider than the dialog and the last ones ("Audit trail") hid behind scroll
    arrows (issue #14). The list shows every section's whole name, in every UI language;
    ``tabs`` (its bar hidden) holds the pages and keeps Ctrl+Tab."""

    def __init__(self, app_vm: AppViewModel, vm: SettingsViewModel,
                 parent: QWidget | None = None, server_vm: ServerViewModel | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setModal(True)
        self.resize(1000, 620)
        layout = QVBoxLayout(self)
        body = QHBoxLayout()
        self.sections = QListWidget(self)
        self.sections.setWordWrap(True)
        self.sections.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.sections.setStyleSheet(f"QListWidget::item {{ padding: 5px {ITEM_PADDING}px; }}")
        self.tabs = QTabWidget(self)
        self.tabs.tabBar().hide()
        self.general = GeneralTab(app_vm, self)
        self.profile = ProfileTab(app_vm, self)
        self.security = SecurityTab(vm, self)
        self.directory = DirectoryTab(vm, self)
        self.instruments = InstrumentsTab(vm, self)
        self.backup = BackupTab(vm, self)
        self.server = ServerTab(server_vm or ServerViewModel(app_vm, self), self)
        self.audit = AuditTab(vm, self)
        self.pages: list[TabPage] = [self.general, self.profile, self.security,
                                     self.directory, self.instruments, self.backup,
                                     self.server, self.audit]
        for page in self.pages:
            self.tabs.addTab(page, "")
            self.sections.addItem(QListWidgetItem())
        self.sections.setCurrentRow(0)
        self.sections.currentRowChanged.connect(self._section_chosen)
        self.tabs.currentChanged.connect(self.sections.setCurrentRow)
        body.addWidget(self.sections)
        body.addWidget(self.tabs, 1)
        layout.addLayout(body, 1)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.security.working.connect(self._working)
        self.finished.connect(lambda _r: self.clear_personal_data())
        ui_language().language_changed.connect(self.retranslate)
        self.retranslate()
        for page in self.pages:
            page.load()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Settings"))
        names = (_("General"), _("Officer profile"), _("Passphrase"), _("Referral directory"),
                 _("Questionnaires"), _("Backup and export"), _("Server"), _("Audit trail"))
        for i, name in enumerate(names):
            self.tabs.setTabText(i, name)
            item = self.sections.item(i)
            item.setText(name)
            item.setToolTip(name)
        acc(self.tabs, _("Settings"))
        acc(self.sections, _("Sections of the settings"))
        self._fit_sections(names)
        for page in self.pages:
            page.retranslate()
        set_button(self.close_button, _("Close"))

    def _section_chosen(self, row: int) -> None:
        if row >= 0:
            self.tabs.setCurrentIndex(row)

    def _fit_sections(self, names: tuple[str, ...]) -> None:
        """As wide as the longest section name in this language (up to a limit, then it
        wraps), so every name shows whole."""
        metrics = self.sections.fontMetrics()
        widest = max(metrics.horizontalAdvance(name) for name in names)
        spacing = 2 * (self.sections.frameWidth() + ITEM_PADDING) + 24
        self.sections.setFixedWidth(min(widest + spacing, SECTIONS_MAX_WIDTH))
        self.sections.doItemsLayout()

    def _working(self, on: bool) -> None:
        """Re-encrypting: stay on this section and open until the new recovery key is shown."""
        self.sections.setEnabled(not on)
        self.tabs.tabBar().setEnabled(not on)
        self.close_button.setEnabled(not on)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.security.rekeying and event.key() == Qt.Key.Key_Escape:
            event.ignore()  # stay open for the new recovery key (locking still closes it)
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.security.rekeying:
            event.ignore()
            return
        super().closeEvent(event)

    def clear_personal_data(self) -> None:
        self.security.clear()
        self.backup.clear()
        self.server.clear()
        self.profile.edits[0].clear()
