"""Receiving a referral handed over with this agency's key ("Receive a referral…").

The core does everything (``screening.casework.handover``): decrypting with the identity,
checking that nothing was altered, storing the case. This view-model only runs it on a worker
(the identity's passphrase costs a second of scrypt; the import writes the store) and reports
back. Sending ("Send to…" on the referral screen) lives in ``ReferralViewModel.send``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.viewmodels.app_vm import AppViewModel
from screening.casework.handover import (
    Received,
    Recipient,
    open_packet,
    read_packet,
    receive_referral,
    recipients_in,
)
from screening.errors import ScreeningError
from screening.handover.keys import parse_recipient, read_identity_file, unlock_identities

log = logging.getLogger(__name__)

__all__ = ["ReceiveViewModel", "Received", "Recipient", "handover_recipients", "key_recipient"]


def handover_recipients(app_vm: AppViewModel) -> list[Recipient]:
    """The directory's services that can receive a hand-over (they carry an age key)."""
    try:
        return recipients_in(app_vm.workspace.directory())
    except ScreeningError:
        log.warning("the referral directory could not be read")
        return []


def key_recipient(text: str) -> Recipient:
    """A recipient from a pasted age public key (``age1...``); InputError when it is not one."""
    return Recipient(parse_recipient(text, where="public key"))


class ReceiveViewModel(QObject):
    """Emits:
    started(): the packet is being opened and stored.
    received(object): a ``Received`` (the new case's id and reference, where it came from).
    failed(str, str): error code and incident id ("" for expected errors).
    """

    started = Signal()
    received = Signal(object)
    failed = Signal(str, str)

    def __init__(self, app_vm: AppViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm

    def identity_is_protected(self, identity: Path) -> bool:
        """Whether the identity file needs a passphrase; ScreeningError when it is no file."""
        return read_identity_file(identity).protected

    def receive(self, packet: Path, identity: Path, passphrase: str | None) -> None:
        """Decrypt, check and store the packet on a worker; emits received or failed."""
        workspace = self.app_vm.workspace
        if not workspace.is_open:
            return

        def work() -> Received:
            data = read_packet(Path(packet))
            keys = unlock_identities(read_identity_file(Path(identity)), passphrase)
            return receive_referral(workspace, open_packet(data, keys, workspace))

        self.started.emit()
        self.app_vm.runner.start("receive-referral", work, self.received.emit,
                                 self.failed.emit)
