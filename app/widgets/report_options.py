"""Which copy of the referral packet to write: full, redacted (for a hotline) or minimal,
each with one line saying what it is for (the core's ``redaction.DESCRIPTIONS``), and, for a
full packet the person's consent does not cover, the officer's reason (printed on page 1 of
the packet and audited)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from app.qt_i18n import N_, _
from app.widgets.common import acc, muted, plain_label, sensitive
from app.widgets.common import set_button as set_btn
from screening.reports.packet import VARIANTS, Variant
from screening.reports.redaction import DESCRIPTIONS

BUTTON_TEXT: dict[Variant, str] = {
    "full": N_("Full report"),
    "redacted": N_("Without names and contact details"),
    "minimal": N_("Minimal copy"),
}


class ReportOptionsWidget(QWidget):
    """Emits:
    variant_changed(str): the variant chosen ("full", "redacted" or "minimal").
    """

    variant_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[Variant, QRadioButton] = {}
        self.descriptions: dict[Variant, QLabel] = {}
        for row, variant in enumerate(VARIANTS):
            button = QRadioButton(self)
            description = muted(plain_label("", self))
            self.group.addButton(button)
            button.toggled.connect(lambda on, v=variant: self._toggled(v, on))
            grid.addWidget(button, row, 0)
            grid.addWidget(description, row, 1)
            self.buttons[variant] = button
            self.descriptions[variant] = description
        grid.setColumnStretch(1, 1)
        self.reason_label = plain_label("", self)
        self.reason = QLineEdit(self)
        sensitive(self.reason)
        self.reason_label.setBuddy(self.reason)
        grid.addWidget(self.reason_label, len(VARIANTS), 0, 1, 2)
        grid.addWidget(self.reason, len(VARIANTS) + 1, 0, 1, 2)
        self._needs_reason = False
        self.buttons["full"].setChecked(True)
        self._show_reason()
        self.retranslate()

    def retranslate(self) -> None:
        for variant in VARIANTS:
            set_btn(self.buttons[variant], _(BUTTON_TEXT[variant]))
            self.descriptions[variant].setText(_(DESCRIPTIONS[variant]))
        self.reason_label.setText(_("The person's consent does not cover sharing their "
                                    "details. To write the full packet anyway, give your "
                                    "reason: it is printed on the first page and audited."))
        acc(self.reason, _("Reason for a full packet without consent to share"))

    def variant(self) -> Variant:
        return next((v for v, b in self.buttons.items() if b.isChecked()), "full")

    def set_variant(self, variant: Variant) -> None:
        self.buttons[variant].setChecked(True)

    def set_needs_reason(self, needs: bool) -> None:
        """Whether a full packet needs the officer's reason (the core says, per case)."""
        self._needs_reason = needs
        self._show_reason()

    def override_reason(self) -> str | None:
        """The reason typed, when the chosen copy needs one; else None."""
        if not (self._needs_reason and self.variant() == "full"):
            return None
        return self.reason.text().strip() or None

    def missing_reason(self) -> bool:
        return self._needs_reason and self.variant() == "full" and not self.override_reason()

    def clear(self) -> None:
        self.reason.clear()
        self.set_variant("full")

    def _toggled(self, variant: Variant, on: bool) -> None:
        if on:
            self._show_reason()
            self.variant_changed.emit(variant)

    def _show_reason(self) -> None:
        shown = self._needs_reason and self.variant() == "full"
        self.reason_label.setVisible(shown)
        self.reason.setVisible(shown)
