"""The interface every answer widget offers the interview screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class AnswerWidget(QWidget):
    """Emits:
    committed(object): a complete answer to save now (a choice was made).
    edited(): typing in progress; the screen saves after a short pause, and on Next.
    """

    committed = Signal(object)
    edited = Signal()
    immediate = True  # choices save on click; typed answers save after a pause

    def value(self) -> Any:
        """The answer as entered, or None when nothing is entered."""
        return None

    def set_value(self, value: Any) -> None:
        """Show a stored answer (without emitting)."""

    def clear_value(self) -> None:
        """Empty the widget (a special answer was chosen, or the app locked)."""

    def choose(self, number: int) -> bool:
        """Number key ``number`` (0-9) pressed: pick that option (1-based). In a list of more
        than nine options a digit may wait for a second one (``option_list``). False if the
        key picks nothing."""
        return False

    def focus_first(self) -> None:
        self.setFocus()
