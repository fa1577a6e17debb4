"""A passphrase entry with a show/hide toggle and honest strength feedback."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.qt_i18n import _, ngettext
from app.viewmodels.app_vm import passphrase_strength
from app.widgets.common import acc, plain_label, set_button
from screening.store.keys import MIN_PASSPHRASE_LENGTH


class PassphraseField(QWidget):
    """Emits:
    changed(): the text or its strength verdict changed.
    """

    changed = Signal()

    def __init__(self, name: str, *, meter: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self.strength = "empty"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_button = QPushButton(self)
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._toggle)
        row.addWidget(self.edit, 1)
        row.addWidget(self.show_button)
        layout.addLayout(row)
        self.meter = plain_label("", self) if meter else None
        if self.meter is not None:
            layout.addWidget(self.meter)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)  # the strength check loads word lists: not per key
        self._timer.timeout.connect(self._check)
        self.edit.textChanged.connect(self._typed)
        self.retranslate()

    def retranslate(self, name: str | None = None) -> None:
        if name:
            self._name = name
        acc(self.edit, self._name)
        set_button(self.show_button, _("Hide") if self.show_button.isChecked() else _("Show"))
        acc(self.show_button, _("Show the passphrase") if not self.show_button.isChecked()
            else _("Hide the passphrase"))
        self._render()

    def text(self) -> str:
        return self.edit.text()

    def clear(self) -> None:
        self.edit.clear()
        self.show_button.setChecked(False)

    def _toggle(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.retranslate()

    def _typed(self) -> None:
        if self.meter is None:
            self.changed.emit()
            return
        self.strength = "checking" if self.edit.text() else "empty"
        self._render()
        self.changed.emit()
        self._timer.start()

    def _check(self) -> None:
        self.strength = passphrase_strength(self.edit.text())
        self._render()
        self.changed.emit()

    def check_now(self) -> str:
        self._timer.stop()
        self._check()
        return self.strength

    def _render(self) -> None:
        if self.meter is None:
            return
        texts = {
            "empty": "",
            "checking": "",
            "short": "✗ " + ngettext(
                "Too short: use at least {n} character. Several unrelated words are easiest.",
                "Too short: use at least {n} characters. Several unrelated words are easiest.",
                MIN_PASSPHRASE_LENGTH).format(n=MIN_PASSPHRASE_LENGTH),
            "weak": "✗ " + _("Too easy to guess: add more unrelated words, not names or dates."),
            "ok": "✓ " + _("Strong enough."),
        }
        text = texts.get(self.strength, "")
        self.meter.setText(text)
        self.meter.setAccessibleName(text or _("Passphrase strength"))
