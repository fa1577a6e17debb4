"""Which copy of the referral packet to write: full, redacted (for a hotline) or minimal,
each with one line saying what it is for (the core's ``redaction.DESCRIPTIONS``), and, for a
full packet the person's consent does not cover, the officer's reason (printed on page 1 of
the packet and audited); and the PDF's password, checked as the core checks it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from app.qt_i18n import N_, _
from app.widgets.common import acc, muted, plain_label, sensitive
from app.widgets.common import set_button as set_btn
from app.widgets.passphrase_field import PassphraseField
from screening.reports.packet import VARIANTS, Variant
from screening.reports.pdf_password import TOO_LONG_APP, pdf_password_too_long
from screening.reports.redaction import DESCRIPTIONS

BUTTON_TEXT: dict[Variant, str] = {
    "full": N_("Full report"),
    "redacted": N_("Without names and contact details"),
    "minimal": N_("Minimal copy"),
}


def saved_text(name: str, digest: str, variant: Variant, protected: bool) -> str:
    """What the page says under "Make PDF…" once a packet is written: the file, which copy,
    whether it has a password, and its hash."""
    text = (_("Saved as {name}: {variant}, protected with a password. SHA-256: {digest}")
            if protected else
            _("Saved as {name}: {variant}, without a password. SHA-256: {digest}"))
    return text.format(name=name, variant=_(BUTTON_TEXT[variant]), digest=digest)


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


class ReportPasswordWidget(QWidget):
    """The PDF's password: "Protect with a password", the password and the same again, each
    with its label and a Show button, and one line saying what is missing (issue #14).

    The strength rules are the core's (``passphrase_problem``, through
    ``app_vm.passphrase_strength``), the ones ``fieldscreen report --encrypt`` applies, so the
    app never offers to write a PDF the core would refuse for a weak password. The page keeps
    "Make PDF…" disabled while ``problem()`` says why, and puts ``status`` beside it.

    Emits:
    changed(): the check box, either field or the strength verdict changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)  # three rows, beside the three copies of the packet
        grid.setContentsMargins(0, 0, 0, 0)
        self.protect = QCheckBox(self)
        self.password = PassphraseField("", meter=True, parent=self)
        self.confirm = PassphraseField("", parent=self)
        assert self.password.meter is not None
        self.password.meter.hide()  # its verdict goes into ``status``, on one line
        self.password_label = plain_label("", self, wrap=False)
        self.confirm_label = plain_label("", self, wrap=False)
        self.password_label.setBuddy(self.password.edit)
        self.confirm_label.setBuddy(self.confirm.edit)
        grid.addWidget(self.protect, 0, 0, 1, 2)
        for row, (label, field) in enumerate(((self.password_label, self.password),
                                              (self.confirm_label, self.confirm)), start=1):
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
        grid.setColumnStretch(1, 1)
        self.status = plain_label("", self)  # laid out by the page, beside "Make PDF…"
        self._saved: bool | None = None  # a PDF was just written (with a password?)
        self.protect.toggled.connect(self._protect_toggled)
        self.password.changed.connect(self._changed)
        self.confirm.changed.connect(self._changed)
        self._protect_toggled(False)
        self.retranslate()

    def retranslate(self) -> None:
        set_btn(self.protect, _("Protect with a password"))
        self.password_label.setText(_("PDF password"))
        self.password.retranslate(_("PDF password"))
        self.confirm_label.setText(_("Type it again"))
        self.confirm.retranslate(_("PDF password again"))
        self._render()

    def text(self) -> str | None:
        """The password when the PDF is to be protected, else None."""
        return self.password.text() if self.protect.isChecked() else None

    def problem(self, *, check: bool = False) -> str:
        """Why the PDF cannot be written with this password yet ("" when it can). With
        ``check``, a strength check still waiting for the typing to pause is done now."""
        if not self.protect.isChecked():
            return ""
        if check and self.password.strength == "checking":
            self.password.check_now()
        strength = self.password.strength
        if strength == "empty":
            return _("Type a password for the PDF, then type it again.")
        if pdf_password_too_long(self.password.text()):  # the core's rule, shown live
            return "✗ " + _(TOO_LONG_APP)
        if strength == "checking":
            return _("Checking the password…")
        if strength != "ok":
            assert self.password.meter is not None
            return self.password.meter.text()
        if not self.confirm.text():
            return "✓ " + _("Strong enough. Type it again to confirm it.")
        if self.confirm.text() != self.password.text():
            return "✗ " + _("The two passwords are not the same.")
        return ""

    def acceptable(self) -> bool:
        return not self.problem()

    def focus_problem(self) -> None:
        """Put the cursor where the officer has to type next."""
        field = (self.password if self.password.strength != "ok"
                 or pdf_password_too_long(self.password.text()) else self.confirm)
        field.edit.setFocus()

    def clear(self) -> None:
        self.password.clear()
        self.confirm.clear()
        self._render()

    def show_saved(self, protected: bool | None) -> None:
        """A PDF was written (``protected``: with a password): the status says so, not what
        the next one needs, until the officer changes something. None: forget it."""
        self._saved = protected
        self._render()

    def _protect_toggled(self, on: bool) -> None:
        for w in (self.password_label, self.password, self.confirm_label, self.confirm):
            w.setEnabled(on)
        self._saved = None
        self._changed()

    def _changed(self) -> None:
        if self.password.text() or self.confirm.text():  # not the strength check of ""
            self._saved = None
        self._render()
        self.changed.emit()

    def _render(self) -> None:
        if self._saved is not None:
            text = "✓ " + (_("PDF saved, protected with a password.") if self._saved
                           else _("PDF saved without a password."))
            self.status.setText(text)
            self.status.setAccessibleName(text)
            return
        problem = self.problem()
        if not problem and self.protect.isChecked():
            problem = "✓ " + _("The PDF will be encrypted with this password.")
        self.status.setText(problem)
        self.status.setAccessibleName(problem or _("PDF password"))
