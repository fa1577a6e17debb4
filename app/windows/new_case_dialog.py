"""New case: the person's details, all optional (a case can start with a reference only).

Nothing typed here is stored yet: the details go to the interview set-up in memory and are
stored only once the person gives consent; if they do not agree, they are discarded.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import _
from app.viewmodels.setup_vm import NewPerson
from app.widgets.common import acc, plain_label, sensitive, set_button


class NewCaseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newCaseDialog")
        self.setWindowTitle(_("New case"))
        self.setModal(True)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = plain_label(_("Everything here is optional. Record only what the person "
                              "agrees to give. A case reference is made automatically if you "
                              "leave it empty."), self)
        layout.addWidget(intro)
        self.not_yet_stored = plain_label(_(
            "Nothing is stored yet. Next you choose the questionnaire and ask for consent: "
            "the case and these details are stored, encrypted, only if the person agrees. If "
            "they do not, what you typed here is discarded."), self)
        self.not_yet_stored.setObjectName("notYetStored")
        layout.addWidget(self.not_yet_stored)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.date_of_birth = QLineEdit(self)
        self.date_of_birth.setPlaceholderText(_("YYYY-MM-DD, or \"about 1990\""))
        self.gender = QLineEdit(self)
        self.nationality = QLineEdit(self)
        self.contact = QLineEdit(self)
        self.reference = QLineEdit(self)
        for field in (self.name, self.date_of_birth, self.gender, self.nationality,
                      self.contact):
            sensitive(field)
        self.reference.setPlaceholderText(_("Made automatically, e.g. FS-2026-7K3Q9"))
        rows = (
            (self.name, _("Name (as the person writes it)")),
            (self.date_of_birth, _("Date of birth")),
            (self.gender, _("Gender (as the person describes it)")),
            (self.nationality, _("Nationality")),
            (self.contact, _("Safe way to contact them")),
            (self.reference, _("Case reference")),
        )
        for edit, text in rows:
            label = plain_label(text, self, wrap=False)
            label.setBuddy(edit)
            acc(edit, text)
            form.addRow(label, edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        create = buttons.addButton(_("Continue to set-up"),
                                   QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        set_button(create, _("Continue to set-up"))
        set_button(cancel, _("Cancel"))
        create.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.rejected.connect(self.clear_personal_data)
        layout.addWidget(buttons)
        self.name.setFocus()

    def person(self) -> NewPerson:
        return NewPerson(self.name.text(), self.date_of_birth.text(), self.gender.text(),
                         self.nationality.text(), self.contact.text(), self.reference.text())

    def clear_personal_data(self) -> None:
        for edit in (self.name, self.date_of_birth, self.gender, self.nationality,
                     self.contact, self.reference):
            edit.clear()
