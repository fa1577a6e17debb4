"""Unlock: passphrase or recovery key; the growing delay after wrong attempts, counted down."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.qt_i18n import _, available_ui_languages, language_name, ngettext, ui_language
from app.viewmodels.app_vm import AppViewModel
from app.widgets.common import BusyBar, acc, heading, plain_label, refresh_heading, set_button
from app.widgets.passphrase_field import PassphraseField
from screening.errors import ErrorCode


class UnlockPage(QWidget):
    def __init__(self, app_vm: AppViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self._wait_until = 0.0
        self._remaining = 0
        self._message = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 24, 40, 24)
        top = QHBoxLayout()
        top.addStretch(1)
        self.lang_label = plain_label("", self, wrap=False)
        self.lang_combo = QComboBox(self)
        for code in available_ui_languages():
            self.lang_combo.addItem(language_name(code), code)
        self.lang_combo.activated.connect(self._language_chosen)
        self.lang_label.setBuddy(self.lang_combo)
        top.addWidget(self.lang_label)
        top.addWidget(self.lang_combo)
        outer.addLayout(top)
        outer.addStretch(1)

        box = QWidget(self)
        box.setMaximumWidth(640)
        lay = QVBoxLayout(box)
        self.title = heading("", box)
        self.intro = plain_label("", box)
        self.secret_label = plain_label("", box)
        self.secret = PassphraseField("", parent=box)
        self.secret_label.setBuddy(self.secret.edit)
        self.use_recovery = QCheckBox(box)
        self.use_recovery.toggled.connect(self._mode_changed)
        self.status = plain_label("", box)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.busy = BusyBar(box)
        self.unlock_button = QPushButton(box)
        self.unlock_button.clicked.connect(self.unlock)
        self.secret.edit.returnPressed.connect(self.unlock)
        for w in (self.title, self.intro, self.secret_label, self.secret, self.use_recovery,
                  self.status, self.busy):
            lay.addWidget(w)
        lay.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._count_down)
        app_vm.unlock_failed.connect(self._failed)
        # A restore from backup runs while this screen shows: say that work is going on.
        app_vm.runner.busy_changed.connect(self._runner_busy)
        app_vm.unlocked.connect(self._unlocked)
        self.retranslate()

    def retranslate(self) -> None:
        self.lang_label.setText(_("Language"))
        acc(self.lang_combo, _("Language of the app"))
        index = self.lang_combo.findData(ui_language().lang)
        if index >= 0:
            self.lang_combo.setCurrentIndex(index)
        refresh_heading(self.title, _("FieldScreen is locked"))
        self.intro.setText(_("Every answer is saved and encrypted. Unlock to go on where you "
                             "left off."))
        self._mode_changed()
        set_button(self.use_recovery, _("Use the recovery key instead"))
        set_button(self.unlock_button, _("Unlock"))
        self.busy.set_busy(self.busy.isVisible(), _("Unlocking"))
        self._render_wait()

    def _language_chosen(self) -> None:
        code = self.lang_combo.currentData()
        if code and code != ui_language().lang:
            ui_language().set_language(code)
            self.app_vm.save_ui_language(code)

    def _mode_changed(self) -> None:
        recovery = self.use_recovery.isChecked()
        name = _("Recovery key") if recovery else _("Passphrase")
        self.secret_label.setText(name)
        self.secret.retranslate(name)
        self.secret.edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
                                            if recovery else "")

    # -- unlocking ----------------------------------------------------------------------
    def prepare(self) -> None:
        """Called each time the page is shown: honest about a delay still running."""
        self.secret.clear()
        self.busy.set_busy(False)
        self.secret.edit.setEnabled(True)
        self._message = ""
        self._start_wait(self.app_vm.unlock_delay())
        self.secret.edit.setFocus()

    def unlock(self) -> None:
        if self.busy.isVisible() or self._remaining > 0 or not self.secret.text():
            return
        self._message = ""
        self._render_wait()
        self.busy.set_busy(True)
        self.unlock_button.setEnabled(False)
        self.secret.edit.setEnabled(False)
        self.app_vm.unlock(self.secret.text(), recovery=self.use_recovery.isChecked())

    def _runner_busy(self, busy: bool) -> None:
        if self.isVisible():
            self.busy.set_busy(busy)
            self.unlock_button.setEnabled(not busy and self._remaining == 0)

    def _unlocked(self) -> None:
        self.secret.clear()
        self.busy.set_busy(False)
        self.secret.edit.setEnabled(True)
        self.unlock_button.setEnabled(True)
        self._message = ""
        self._render_wait()

    def _failed(self, code: str, delay: float) -> None:
        self.busy.set_busy(False)
        self.secret.edit.setEnabled(True)
        self.secret.clear()
        self.secret.edit.setFocus()
        if code == ErrorCode.STORE_WRONG_PASSPHRASE:
            self._message = "wrong_recovery" if self.use_recovery.isChecked() else "wrong"
        else:
            show_error(self, code)
        self._start_wait(delay)

    def _start_wait(self, delay: float) -> None:
        self._remaining = math.ceil(delay) if delay > 0 else 0
        self._wait_until = time.monotonic() + delay
        if self._remaining:
            self._tick.start()
        self._render_wait()

    def _count_down(self) -> None:
        left = self._wait_until - time.monotonic()
        self._remaining = max(0, math.ceil(left))
        if self._remaining == 0:
            self._tick.stop()
        self._render_wait()

    def _render_wait(self) -> None:
        waiting = self._remaining > 0
        self.unlock_button.setEnabled(not waiting and not self.busy.isVisible())
        lines = []
        if self._message == "wrong":
            lines.append("✗ " + _("That passphrase is not right."))
        elif self._message == "wrong_recovery":
            lines.append("✗ " + _("That recovery key is not right."))
        if waiting:
            lines.append(ngettext(
                "After several wrong tries FieldScreen waits longer each time. You can try "
                "again in {seconds} second.",
                "After several wrong tries FieldScreen waits longer each time. You can try "
                "again in {seconds} seconds.",
                self._remaining).format(seconds=self._remaining))
        self.status.setText("\n".join(lines))
        self.status.setAccessibleName(self.status.text() or _("Status"))

    def clear_personal_data(self) -> None:
        self.secret.clear()
