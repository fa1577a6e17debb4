"""Receiving a referral handed over with this agency's key ("Receive a referral…").

The core does everything (``screening.casework.handover``): decrypting with the identity,
checking that nothing was altered, storing the case. This view-model only runs it on a worker
(the identity's passphrase costs a second of scrypt; the import writes the store) and reports
back. Sending ("Send to…" on the referral screen) lives in ``ReferralViewModel.send``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.viewmodels.app_vm import AppViewModel
from screening.casework.handover import (
    AlreadyReceived,
    Earlier,
    OpenedPacket,
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

__all__ = ["Earlier", "ReceiveViewModel", "Received", "Recipient", "handover_recipients",
           "key_recipient"]


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


Confirm = Callable[[Earlier], bool]


@dataclass(frozen=True)
class _Repeat:
    """The worker's answer when the packet repeats (or precedes) one already received:
    opened and checked, nothing stored yet, waiting for the officer's decision."""

    opened: OpenedPacket = field(repr=False)
    earlier: Earlier
    confirm: Confirm | None = field(default=None, repr=False)


class ReceiveViewModel(QObject):
    """Emits:
    started(): the packet is being opened and stored.
    received(object): a ``Received`` (the new case's id and reference, where it came from,
        and ``earlier``: a case it updates or repeats).
    import_declined(object): an ``Earlier``: the packet was received before (or a newer one
        for the same case was) and the officer chose not to import it again; nothing stored.
    failed(str, str): error code and incident id ("" for expected errors).
    """

    started = Signal()
    received = Signal(object)
    import_declined = Signal(object)
    failed = Signal(str, str)

    def __init__(self, app_vm: AppViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm

    def identity_is_protected(self, identity: Path) -> bool:
        """Whether the identity file needs a passphrase; ScreeningError when it is no file."""
        return read_identity_file(identity).protected

    def receive(self, packet: Path, identity: Path, passphrase: str | None,
                confirm: Confirm | None = None) -> None:
        """Decrypt, check and store the packet on a worker; emits received or failed.

        A packet received before is not stored again unless ``confirm(earlier)`` (asked on
        the GUI thread) says so; otherwise ``import_declined`` (the core has audited it)."""
        workspace = self.app_vm.workspace
        if not workspace.is_open:
            return

        def work() -> Received | _Repeat:
            data = read_packet(Path(packet))
            keys = unlock_identities(read_identity_file(Path(identity)), passphrase)
            opened = open_packet(data, keys, workspace)
            try:
                return receive_referral(workspace, opened)
            except AlreadyReceived as exc:  # the officer decides, on the GUI thread
                return _Repeat(opened, exc.earlier, confirm)

        self.started.emit()
        # A bound method of this QObject: Qt calls it on the GUI thread (it may ask).
        self.app_vm.runner.start("receive-referral", work, self._worked, self.failed.emit)

    def _worked(self, result: Received | _Repeat) -> None:
        if isinstance(result, Received):
            self.received.emit(result)
            return
        # The store may have locked while the question was open: then nothing is stored.
        confirm = result.confirm
        if confirm is not None and confirm(result.earlier) and self.app_vm.workspace.is_open:
            workspace, opened = self.app_vm.workspace, result.opened
            self.started.emit()
            self.app_vm.runner.start(
                "receive-referral-again",
                lambda: receive_referral(workspace, opened, again=True),
                self.received.emit, self.failed.emit)
            return
        self.import_declined.emit(result.earlier)
