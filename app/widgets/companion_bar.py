"""The officer-side bar of discreet mode (issue #14): someone who came with the person is in
the room, N sections are held back, and "The person is alone now".

Self-contained: the interview screen places it and binds it to the open interview
(``InterviewRun``); the core decides what is held back and records the change (audited, no
names). Subdued but clear: it is for the officer, not for the person or the companion, so it
says "held back" without naming what.

Use::

    bar = CompanionBar(parent)
    bar.bind(vm.run)                    # shows itself only while a companion is present
    bar.resumed.connect(vm.jump)        # the held-back sections come back at this item
    vm.answer_saved.connect(lambda _key: bar.refresh())  # relevance may change the count
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from app.qt_i18n import _
from app.widgets.common import acc, plain_label, set_button
from screening.errors import ScreeningError

if TYPE_CHECKING:  # the casework loads with the first interview
    from screening.casework.lifecycle import CompanionState, InterviewRun

log = logging.getLogger(__name__)

# Grey, not the warning yellow or the urgent red: the officer should notice it, a companion
# glancing at the screen should not.
_STYLE = ("QFrame#companionBar { background:#eef0f2; border:1px solid #b9c0c8;"
          " border-radius:4px; } QFrame#companionBar QLabel { color:#2b3137; border:none; }")


def bar_text(state: CompanionState) -> str:
    # Neutral on purpose: the companion may read the screen (review finding, #14).
    return _("Discreet mode · sections waiting: {n}").format(n=len(state.held_back_sections))


class CompanionBar(QFrame):
    """Emits:
    resumed(str): the officer recorded who is in the room; the key of the item where the
        interview goes on (the first held-back item when the person is alone again, the
        current safe item when someone came back in; "" when it stays where it is).
    failed(str): an error code (the change could not be stored; nothing changed).
    """

    resumed = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *,
                 run: InterviewRun | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companionBar")
        self.setStyleSheet(_STYLE)
        self._run: InterviewRun | None = None
        self._state: CompanionState | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        self.label = plain_label("", self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.alone_button = QPushButton(self)
        self.alone_button.clicked.connect(self.record_alone)
        # Someone came back in: discreet mode again, from the officer's side, at any time
        # (the CLI has `interview context --companion present`).
        self.came_in_button = QPushButton(self)
        self.came_in_button.setFlat(True)
        self.came_in_button.clicked.connect(self.record_came_in)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.alone_button)
        # At the end of the row, small, not in the middle of the screen.
        layout.addWidget(self.came_in_button, 0, Qt.AlignmentFlag.AlignTrailing)
        self.hide()
        self.bind(run)

    def bind(self, run: InterviewRun | None) -> None:
        """Follow ``run`` (None: the interview was closed or the app locked)."""
        self._run = run
        self.refresh()

    def refresh(self, state: CompanionState | None = None) -> None:
        """Show the bar while a companion is present (``state``: as the core gave it; read
        from the bound interview when left out)."""
        if state is None and self._run is not None:
            try:
                state = self._run.companion_state()
            except ScreeningError as exc:
                self.failed.emit(str(exc.code))
                state = None
        self._state = state
        self.retranslate()
        on = state is not None and state.discreet
        self.label.setVisible(on)
        self.alone_button.setVisible(on)
        self.came_in_button.setVisible(not on)
        # Outside discreet mode only the small "came back in" button shows, without the frame.
        self.setObjectName("companionBar" if on else "companionBarIdle")
        self.setStyleSheet(_STYLE)
        self.setVisible(self._run is not None)

    def retranslate(self) -> None:
        set_button(self.alone_button, _("The person is alone now"),
                   _("Ask the questions that were held back"))
        set_button(self.came_in_button, _("Someone came in: discreet mode"),
                   _("Hold back the sensitive sections while someone who came with the person "
                     "is in the room"))
        text = bar_text(self._state) if self._state is not None else ""
        self.label.setText(text)
        acc(self, text or _("Companion"))

    def record_alone(self) -> None:
        """The officer says the person is alone now: the core records it (audited) and the
        held-back sections come back at their first item."""
        run = self._run
        if run is None:
            return
        try:
            change = run.record_companion("separated")
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return
        self.refresh()
        self.resumed.emit(change.resume_at or "")

    def record_came_in(self) -> None:
        """Someone who came with the person is back in the room: the core holds the sensitive
        sections back again (audited); the interview moves off a held-back item."""
        run = self._run
        if run is None:
            return
        try:
            run.record_companion("present")
        except ScreeningError as exc:
            self.failed.emit(str(exc.code))
            return
        self.refresh()
        current = run.session.current()
        self.resumed.emit(current.key if current is not None else "")

    def clear_personal_data(self) -> None:
        """On lock: forget the interview (the bar itself shows nothing personal)."""
        self.bind(None)


__all__ = ["CompanionBar", "bar_text"]
