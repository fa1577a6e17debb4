"""First run: UI language, passphrase, the recovery key (shown once), the officer profile."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.qt_i18n import _, available_ui_languages, language_name, scaled_font, ui_language
from app.viewmodels.app_vm import AppViewModel, OfficerProfile
from app.widgets.common import Banner, BusyBar, acc, heading, plain_label, refresh_heading
from app.widgets.common import set_button as set_btn
from app.widgets.passphrase_field import PassphraseField
from screening.errors import ScreeningError


def _page(parent: QWidget) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget(parent)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(40, 24, 40, 24)
    layout.setSpacing(12)
    return page, layout


class FirstRunPage(QWidget):
    """Emits:
    finished(): set-up is complete and the store is open.
    """

    finished = Signal()

    def __init__(self, app_vm: AppViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.steps = QStackedWidget(self)
        self.steps.setMaximumWidth(820)  # a readable line length on wide screens
        outer.addStretch(1)
        outer.addWidget(self.steps, 6)
        outer.addStretch(1)

        # 1. language
        page, lay = _page(self)
        self.lang_title = heading("", page)
        self.lang_intro = plain_label("", page)
        self.lang_label = plain_label("", page)
        self.lang_combo = QComboBox(page)
        for code in available_ui_languages():
            self.lang_combo.addItem(language_name(code), code)
        self.lang_combo.currentIndexChanged.connect(self._language_chosen)
        self.lang_next = QPushButton(page)
        self.lang_next.clicked.connect(lambda: self._go(1))
        w: QWidget
        for w in (self.lang_title, self.lang_intro, self.lang_label, self.lang_combo):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.lang_next, 0, Qt.AlignmentFlag.AlignRight)
        self.steps.addWidget(page)

        # 2. passphrase
        page, lay = _page(self)
        self.pass_title = heading("", page)
        self.pass_intro = plain_label("", page)
        self.pass_label = plain_label("", page)
        self.passphrase = PassphraseField("", meter=True, parent=page)
        self.confirm_label = plain_label("", page)
        self.confirm = PassphraseField("", parent=page)
        self.match_label = plain_label("", page)
        self.busy = BusyBar(page)
        self.create_button = QPushButton(page)
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self._create)
        self.pass_back = QPushButton(page)
        self.pass_back.clicked.connect(lambda: self._go(0))
        self.pass_label.setBuddy(self.passphrase.edit)
        self.confirm_label.setBuddy(self.confirm.edit)
        for w in (self.pass_title, self.pass_intro, self.pass_label, self.passphrase,
                  self.confirm_label, self.confirm, self.match_label, self.busy):
            lay.addWidget(w)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.pass_back)
        row.addStretch(1)
        row.addWidget(self.create_button)
        lay.addLayout(row)
        self.passphrase.changed.connect(self._update_create)
        self.confirm.changed.connect(self._update_create)
        self.confirm.edit.returnPressed.connect(self._create)
        self.steps.addWidget(page)

        # 3. recovery key
        page, lay = _page(self)
        self.key_title = heading("", page)
        self.key_warning = Banner("warning", page)
        self.key_label = plain_label("", page, wrap=False, selectable=True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.key_label.setFont(scaled_font(mono, 1.6, bold=True))
        self.key_label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.key_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.key_written = QCheckBox(page)
        self.key_next = QPushButton(page)
        self.key_next.setEnabled(False)
        self.key_written.toggled.connect(self.key_next.setEnabled)
        self.key_next.clicked.connect(self._forget_key)
        for w in (self.key_title, self.key_warning, self.key_label, self.key_written):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.key_next, 0, Qt.AlignmentFlag.AlignRight)
        self.steps.addWidget(page)

        # 4. officer profile
        page, lay = _page(self)
        self.profile_title = heading("", page)
        self.profile_intro = plain_label("", page)
        form = QFormLayout()
        self.officer_name = QLineEdit(page)
        self.officer_agency = QLineEdit(page)
        self.officer_location = QLineEdit(page)
        self.officer_hotline = QLineEdit(page)
        self.profile_labels = [plain_label("", page, wrap=False) for _i in range(4)]
        for label, edit in zip(self.profile_labels, (self.officer_name, self.officer_agency,
                                                     self.officer_location,
                                                     self.officer_hotline), strict=True):
            label.setBuddy(edit)
            form.addRow(label, edit)
        self.profile_done = QPushButton(page)
        self.profile_done.clicked.connect(self._finish)
        lay.addWidget(self.profile_title)
        lay.addWidget(self.profile_intro)
        lay.addLayout(form)
        lay.addStretch(1)
        lay.addWidget(self.profile_done, 0, Qt.AlignmentFlag.AlignRight)
        self.steps.addWidget(page)

        app_vm.created.connect(self._created)
        app_vm.create_failed.connect(self._create_failed)
        self.retranslate()

    # -- texts --------------------------------------------------------------------------
    def retranslate(self) -> None:
        refresh_heading(self.lang_title, _("Welcome to FieldScreen"))
        self.lang_intro.setText(_(
            "FieldScreen keeps interviews on this computer only, encrypted. First choose the "
            "language of the app. You can change it later in Settings."))
        self.lang_label.setText(_("Language of the app"))
        acc(self.lang_combo, _("Language of the app"))
        set_btn(self.lang_next, _("Continue"))
        refresh_heading(self.pass_title, _("Create a passphrase"))
        self.pass_intro.setText(_(
            "The passphrase opens FieldScreen and protects every record in it. Use several "
            "unrelated words that you can remember and nobody can guess. Do not write it on "
            "this computer."))
        self.pass_label.setText(_("Passphrase"))
        self.passphrase.retranslate(_("Passphrase"))
        self.confirm_label.setText(_("Type the passphrase again"))
        self.confirm.retranslate(_("Type the passphrase again"))
        self.busy.set_busy(self.busy.isVisible(), _("Creating the encrypted store"))
        set_btn(self.create_button, _("Create"))
        set_btn(self.pass_back, _("Back"))
        refresh_heading(self.key_title, _("Your recovery key"))
        self.key_warning.set_text(_(
            "Warning: write this key on paper now and keep it away from this laptop. It is "
            "shown only this once. If you forget your passphrase and lose this key, nobody "
            "can open your data again, not even the FieldScreen developers."), bold=True)
        acc(self.key_label, _("Recovery key"))
        set_btn(self.key_written, _("I have written down the recovery key and will keep it "
                                    "safe"))
        set_btn(self.key_next, _("Continue"))
        refresh_heading(self.profile_title, _("About you"))
        self.profile_intro.setText(_(
            "These details go on referral reports. They are stored encrypted. You can change "
            "them later in Settings."))
        names = (_("Your name"), _("Agency"), _("Usual location"), _("Helpline number"))
        for label, edit, name in zip(self.profile_labels, (
                self.officer_name, self.officer_agency, self.officer_location,
                self.officer_hotline), names, strict=True):
            label.setText(name)
            acc(edit, name)
        self.officer_hotline.setPlaceholderText(_("Shown when an urgent need is flagged"))
        set_btn(self.profile_done, _("Finish set-up"))
        self._update_create()

    # -- steps --------------------------------------------------------------------------
    def start(self, lang: str) -> None:
        index = self.lang_combo.findData(lang)
        self.lang_combo.setCurrentIndex(max(0, index))
        self._go(0)

    def _go(self, step: int) -> None:
        self.steps.setCurrentIndex(step)
        focus = {0: self.lang_combo, 1: self.passphrase.edit, 2: self.key_label,
                 3: self.officer_name}[step]
        focus.setFocus()

    def _language_chosen(self) -> None:
        code = self.lang_combo.currentData()
        if code and code != ui_language().lang:
            ui_language().set_language(code)

    def _update_create(self) -> None:
        strong = self.passphrase.strength == "ok"
        matches = bool(self.confirm.text()) and self.confirm.text() == self.passphrase.text()
        if self.confirm.text() and not matches:
            text = "✗ " + _("The two passphrases are not the same.")
        elif matches:
            text = "✓ " + _("The two passphrases are the same.")
        else:
            text = ""
        self.match_label.setText(text)
        self.create_button.setEnabled(strong and matches and not self.busy.isVisible())

    def _create(self) -> None:
        if self.passphrase.check_now() != "ok" or self.confirm.text() != self.passphrase.text():
            self._update_create()
            return
        self.busy.set_busy(True)
        self.create_button.setEnabled(False)
        self.pass_back.setEnabled(False)
        self.app_vm.save_ui_language(ui_language().lang)
        self.app_vm.create(self.passphrase.text())

    def _created(self, recovery_key: str) -> None:
        self.busy.set_busy(False)
        self.pass_back.setEnabled(True)
        self.passphrase.clear()
        self.confirm.clear()
        self.key_label.setText(recovery_key)
        self.key_written.setChecked(False)
        self._go(2)

    def _create_failed(self, code: str) -> None:
        self.busy.set_busy(False)
        self.pass_back.setEnabled(True)
        self._update_create()
        show_error(self, code)

    def _forget_key(self) -> None:
        self.key_label.clear()  # shown once: gone from memory as soon as the officer moves on
        self.officer_location.setText(self.app_vm.officer_profile().location)
        self._go(3)

    def _finish(self) -> None:
        profile = OfficerProfile(self.officer_name.text().strip(),
                                 self.officer_agency.text().strip(),
                                 self.officer_location.text().strip(),
                                 self.officer_hotline.text().strip())
        try:
            self.app_vm.save_officer_profile(profile)
        except ScreeningError as exc:
            show_error(self, str(exc.code))
            return
        for edit in (self.officer_name, self.officer_agency, self.officer_location,
                     self.officer_hotline):
            edit.clear()
        self.finished.emit()

    def clear_personal_data(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.key_label.clear()
