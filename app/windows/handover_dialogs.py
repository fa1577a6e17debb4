"""Hand-over screens (issue #15): "Send to…" on the referral screen and "Receive a referral…"
in the main window. Both are thin: the core chooses recipients, encrypts, checks and stores
(``screening.casework.handover``); these only ask the officer and show the result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.formatting import datetime_text
from app.qt_i18n import _, ltr
from app.viewmodels.handover_vm import ReceiveViewModel, key_recipient
from app.widgets.common import acc, plain_label
from app.windows import dialogs
from screening.casework.handover import NEWER, SAME, Earlier, Received, Recipient
from screening.errors import ScreeningError
from screening.i18n.bidi import isolate

if TYPE_CHECKING:
    from screening.casework.handover import Sent

AGE_FILES = "(*.age)"


class SendDialog(QDialog):
    """Choose whom to hand the case over to: a directory service that carries an age public
    key, or another agency's key pasted in. Shows the key's fingerprint to compare."""

    def __init__(self, recipients: list[Recipient], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendDialog")
        self.setWindowTitle(_("Send to…"))
        self.setModal(True)
        self.setMinimumWidth(560)
        self.recipients = recipients
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(_(
            "The case goes out as one encrypted file: the full referral packet and the "
            "case's data. Only the receiving agency's key opens it, so no password has to be "
            "passed on. Compare the key fingerprint with the agency before you send the file."),
            self))
        self.choice = QComboBox(self)
        for r in recipients:
            self.choice.addItem(r.service_name or r.service_id or r.fingerprint)
        self.choice.addItem(_("Another agency's public key…"))
        acc(self.choice, _("Receiving agency"))
        layout.addWidget(self.choice)
        self.key = QLineEdit(self)
        self.key.setPlaceholderText("age1…")
        acc(self.key, _("The receiving agency's public key"))
        layout.addWidget(self.key)
        self.fingerprint = plain_label("", self, selectable=True)
        self.fingerprint.setObjectName("sendFingerprint")
        layout.addWidget(self.fingerprint)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton(_("Choose where to save…"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.choice.currentIndexChanged.connect(lambda _i: self._update())
        self.key.textChanged.connect(lambda _t: self._update())
        self._update()

    def recipient(self) -> Recipient | None:
        """The chosen recipient, or None while the pasted key is not a valid one."""
        row = self.choice.currentIndex()
        if 0 <= row < len(self.recipients):
            return self.recipients[row]
        try:
            return key_recipient(self.key.text())
        except ScreeningError:
            return None

    def _update(self) -> None:
        pasted = self.choice.currentIndex() >= len(self.recipients)
        self.key.setVisible(pasted)
        chosen = self.recipient()
        if chosen is not None:
            self.fingerprint.setText(_("Key fingerprint: {fingerprint}").format(
                fingerprint=ltr(chosen.fingerprint)))
        elif self.key.text().strip():
            self.fingerprint.setText(_("That is not a whole age public key: paste all of the key "
                                         "(age1…) the agency gave you."))
        else:
            self.fingerprint.setText(_("Paste the public key the agency gave you."))
        self.ok.setEnabled(chosen is not None)


def choose_recipient(parent: QWidget, recipients: list[Recipient]) -> Recipient | None:
    dialog = SendDialog(recipients, parent)
    try:
        return dialog.recipient() if dialog.exec() else None
    finally:
        dialog.deleteLater()


def sent_text(sent: Sent) -> str:
    name = sent.recipient.service_name or _("the key given")
    return _("Saved as {name}, encrypted for {recipient} (key fingerprint {fingerprint}). "
             "Send this file; it opens only with their key.").format(
        name=sent.path.name, recipient=name, fingerprint=ltr(sent.recipient.fingerprint))


def receive_flow(parent: QWidget, vm: ReceiveViewModel) -> bool:
    """Ask for the packet, the agency's identity file and, when it is protected, its
    passphrase; then start the import on a worker. False when the officer cancelled."""
    packet = dialogs.choose_open_path(parent, _("Receive a referral"),
                                      _("Hand-over packets") + " " + AGE_FILES)
    if packet is None:
        return False
    identity = dialogs.choose_open_path(parent, _("Your agency's key (identity file)"),
                                        _("All files") + " (*)")
    if identity is None:
        return False
    try:
        protected = vm.identity_is_protected(Path(identity))
    except ScreeningError as exc:
        show_error(parent, str(exc.code))
        return False
    secret = None
    if protected:
        secret = dialogs.ask_text(parent, _("Agency key passphrase"),
                                  _("Your agency's key is protected by a passphrase. Type it "
                                    "to open the packet."), _("Open"), secret=True)
        if secret is None:
            return False
    vm.receive(Path(packet), Path(identity), secret,
               confirm=lambda earlier: ask_import_again(parent, earlier))
    return True


def ask_import_again(parent: QWidget, earlier: Earlier) -> bool:
    """The packet was received before (or a newer one for the same case was): import it
    anyway as a separate case? "No" is the default: nothing is stored."""
    if earlier.relation == SAME:
        title = _("Referral already received")
        text = _("You received this referral before, on {when}. It is case {reference} in "
                 "your case list.").format(when=datetime_text(earlier.received_at),
                                          reference=ltr(earlier.reference))
    else:
        title = _("Older referral")
        text = _("This is an older version of a referral you already have: case {reference} "
                 "holds the one the sender sent later, on {when}.").format(
            reference=ltr(earlier.reference), when=datetime_text(earlier.sent_at))
    text += "\n\n" + _("Nothing has been stored. Import it anyway as a separate case? "
                        "You would then have the same person twice in your case list.")
    return dialogs.ask(parent, title, text, _("Import as a separate case"),
                       _("Do not import"))


def sender_text(officer: str, agency: str) -> str:
    """"Officer (Agency)" (an agency name may itself hold commas), as one isolate of its own
    direction: a packet's text keeps its order in a sentence of either direction."""
    if officer and agency:
        return isolate(_("{officer} ({agency})").format(officer=officer, agency=agency))
    return isolate(officer or agency) if officer or agency else _("an unnamed sender")


def received_text(received: Received) -> str:
    src = received.provenance
    parts = [_("Stored as case {reference}.").format(reference=ltr(received.reference))]
    parts.append(_("Sent by {sender} on {when}.").format(
        sender=sender_text(src.officer, src.agency), when=datetime_text(src.sent_at)))
    reach = [ltr(x) for x in (src.phone, src.email) if x]
    if reach:
        parts.append(_("To reach them: {contacts}").format(contacts="  ·  ".join(reach)))
    if received.outcome_label:  # the instrument's words, perhaps in another script
        parts.append(_("Result: {outcome}").format(outcome=isolate(received.outcome_label)))
    text = "\n".join(parts)
    earlier = received.earlier
    if earlier is not None and earlier.relation == NEWER:
        text += "\n\n" + _("This is an updated referral: case {reference} holds the one you "
                            "received on {when}. Both are kept; compare them.").format(
            reference=ltr(earlier.reference), when=datetime_text(earlier.received_at))
    elif earlier is not None and earlier.relation == SAME:
        text += "\n\n" + _("You received this referral before as case {reference}; it is "
                            "now stored a second time, as you asked.").format(
            reference=ltr(earlier.reference))
    elif earlier is not None:
        text += "\n\n" + _("This is an older referral than case {reference}, which the "
                            "sender sent later; it is stored as well, as you asked.").format(
            reference=ltr(earlier.reference))
    if not received.same_outcome:
        text += "\n\n" + _("The sender's result differs from the one worked out here from "
                           "the same answers; check the case.")
    text += "\n\n" + _("It opened with your agency's key (fingerprint {fingerprint}). The "
                        "sender is who the packet says; if in doubt, confirm the document "
                        "number {document} with them.").format(
        fingerprint=ltr(src.recipient_fingerprint), document=ltr(src.document_id[:8]))
    return text
