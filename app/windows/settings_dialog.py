"""Settings: language and auto-lock, officer profile, passphrase and recovery key; the other
tabs (directory, instruments, backup, audit) are in ``settings_tabs.py``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.qt_i18n import _, available_ui_languages, language_name, scaled_font, ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.settings_vm import SettingsViewModel
from app.widgets.common import Banner, BusyBar, acc, plain_label, set_button
from app.widgets.passphrase_field import PassphraseField
from app.windows import dialogs
from app.windows.settings_tabs import (
    AuditTab,
    BackupTab,
    DirectoryTab,
    InstrumentsTab,
    TabPage,
)
from screening.casework.preferences import OfficerProfile
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

    def retranslate(self) -> None:
        self.lang_label.setText(_("Language of the app"))
        self.lock_label.setText(_("Lock after this many idle minutes"))
        acc(self.language, _("Language of the app"))
        acc(self.autolock, _("Lock after this many idle minutes"))
        self.language.setCurrentIndex(max(0, self.language.findData(ui_language().lang)))

    def load(self) -> None:
        self.autolock.blockSignals(True)
        self.autolock.setValue(self.app_vm.autolock_minutes())
        self.autolock.blockSignals(False)

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
        self.edits = [QLineEdit(self) for _i in range(4)]
        self.labels = [form_row(form, self, e) for e in self.edits]
        layout.addLayout(form)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.intro.setText(_("These details go on referral reports. They are stored "
                             "encrypted."))
        names = (_("Your name"), _("Agency"), _("Usual location"), _("Helpline number"))
        for label, edit, name in zip(self.labels, self.edits, names, strict=True):
            label.setText(name)
            acc(edit, name)
        set_button(self.save_button, _("Save profile"))

    def load(self) -> None:
        profile = self.app_vm.officer_profile()
        for edit, value in zip(self.edits, (profile.name, profile.agency, profile.location,
                                            profile.hotline), strict=True):
            edit.setText(value)

    def save(self) -> None:
        try:
            name, agency, location, hotline = (e.text().strip() for e in self.edits)
            self.app_vm.save_officer_profile(OfficerProfile(
                name=name, agency=agency, location=location, hotline=hotline))
        except ScreeningError as exc:
            show_error(self, str(exc.code))
            return
        dialogs.inform(self, _("Settings"), _("The profile was saved."))


class SecurityTab(TabPage):
    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.current = PassphraseField("", parent=self)
        self.new = PassphraseField("", meter=True, parent=self)
        self.confirm = PassphraseField("", parent=self)
        self.labels = [form_row(form, self, f) for f in (self.current, self.new, self.confirm)]
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
        self.busy = BusyBar(self)
        self.status = plain_label("", self)
        self.key_banner = Banner("warning", self)
        self.key_banner.hide()
        self.key_label = plain_label("", self, wrap=False, selectable=True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.key_label.setFont(scaled_font(mono, 1.4, bold=True))
        self.key_label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        for w in (self.busy, self.status, self.key_banner, self.key_label):
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
        self.busy.set_busy(self.busy.isVisible(), _("Working"))

    def _change(self) -> None:
        if self.new.check_now() != "ok":
            self.status.setText("✗ " + _("The new passphrase is not strong enough."))
            return
        if self.new.text() != self.confirm.text():
            self.status.setText("✗ " + _("The two new passphrases are not the same."))
            return
        self.busy.set_busy(True)
        self.vm.change_passphrase(self.current.text(), self.new.text())

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
        if op not in ("passphrase", "recovery"):
            return
        self.busy.set_busy(False)
        self.clear()
        if op == "passphrase":
            self.status.setText("✓ " + _("The passphrase was changed."))
        else:
            self.key_banner.set_text(_("Warning: write this new recovery key on paper now. It "
                                       "is shown only this once."), bold=True)
            self.key_banner.show()
            self.key_label.setText(str(result))

    def _failed(self, op: str, code: str, incident: str) -> None:
        if op not in ("passphrase", "recovery"):
            return
        self.busy.set_busy(False)
        self.current.clear()
        show_error(self, code, incident=incident or None)

    def clear(self) -> None:
        for field in (self.current, self.new, self.confirm):
            field.clear()
        self.status.clear()
        self.key_label.clear()
        self.key_banner.hide()


class SettingsDialog(QDialog):
    def __init__(self, app_vm: AppViewModel, vm: SettingsViewModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setModal(True)
        self.resize(900, 600)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.general = GeneralTab(app_vm, self)
        self.profile = ProfileTab(app_vm, self)
        self.security = SecurityTab(vm, self)
        self.directory = DirectoryTab(vm, self)
        self.instruments = InstrumentsTab(vm, self)
        self.backup = BackupTab(vm, self)
        self.audit = AuditTab(vm, self)
        self.pages: list[TabPage] = [self.general, self.profile, self.security,
                                     self.directory, self.instruments, self.backup,
                                     self.audit]
        for page in self.pages:
            self.tabs.addTab(page, "")
        layout.addWidget(self.tabs, 1)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.finished.connect(lambda _r: self.clear_personal_data())
        ui_language().language_changed.connect(self.retranslate)
        self.retranslate()
        for page in self.pages:
            page.load()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Settings"))
        names = (_("General"), _("Officer profile"), _("Passphrase"), _("Referral directory"),
                 _("Questionnaires"), _("Backup and export"), _("Audit trail"))
        for i, name in enumerate(names):
            self.tabs.setTabText(i, name)
        acc(self.tabs, _("Settings"))
        for page in self.pages:
            page.retranslate()
        set_button(self.close_button, _("Close"))

    def clear_personal_data(self) -> None:
        self.security.clear()
        self.backup.clear()
        self.profile.edits[0].clear()
