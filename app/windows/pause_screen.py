"""The neutral pause screen (Ctrl+P, the panic key, idle time during an interview; issue #14).

Someone else may look at the laptop: a companion who came with the person, or the person
they fear. So the screen says nothing about what is behind it: no app name (the window title
changes too), no person, no case reference, no questionnaire, no section, no flag. Its words
are the same for every case. The window hides its header and empties the page it covers
(``MainWindow.pause``); leaving the screen returns to the same item.

``IdleWarning`` is the strip that says, 30 seconds ahead, that the screen is about to be
hidden or locked; it names neither the app nor anything on the screen, as it may show over
the pause screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.qt_i18n import _, ngettext
from app.widgets.common import Banner, heading, plain_label, refresh_heading, set_button


class PauseScreen(QWidget):
    """Emits:
    resume_requested(): Continue (or Ctrl+P, caught by the window).
    leave_requested(): to the case list (names there are masked while an interview is open).
    lock_requested(): Lock.
    """

    resume_requested = Signal()
    leave_requested = Signal()
    lock_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pauseScreen")
        outer = QHBoxLayout(self)
        column = QWidget(self)
        column.setMaximumWidth(560)
        layout = QVBoxLayout(column)
        layout.addStretch(1)
        self.heading = heading("", column)
        self.text = plain_label("", column)
        self.resume_button = QPushButton(column)
        self.resume_button.clicked.connect(self.resume_requested)
        self.leave_button = QPushButton(column)
        self.leave_button.clicked.connect(self.leave_requested)
        self.lock_button = QPushButton(column)
        self.lock_button.clicked.connect(self.lock_requested)
        for widget in (self.heading, self.text, self.resume_button, self.leave_button,
                       self.lock_button):
            layout.addWidget(widget)
        layout.addStretch(2)
        outer.addStretch(1)
        outer.addWidget(column, 3)
        outer.addStretch(1)
        self.retranslate()

    @staticmethod
    def title() -> str:
        """The window title while paused: never empty (Qt would show the app's name)."""
        return _("Paused")

    def retranslate(self) -> None:
        refresh_heading(self.heading, _("Paused"))
        self.text.setText(_("Press Ctrl+P to continue."))
        set_button(self.resume_button, _("Continue (Ctrl+P)"))
        set_button(self.leave_button, _("Back to the case list"))
        set_button(self.lock_button, _("Lock (Ctrl+L)"))

    def clear_personal_data(self) -> None:
        """Nothing to forget: the screen never shows anything personal."""

    def prepare(self) -> None:
        self.resume_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if isinstance(focus, QPushButton):
                focus.click()
                return
        super().keyPressEvent(event)


class IdleWarning(Banner):
    """The visible warning before the idle pause or lock; any key keeps the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("warning", parent)  # its object name carries the banner's style
        self.hiding = False
        self.seconds = 0
        self.hide()

    def start(self, seconds: int, *, hiding: bool) -> None:
        """``hiding``: the pause screen comes next (an interview), else the lock."""
        self.hiding = hiding
        self.tick(seconds)
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def tick(self, seconds: int) -> None:
        self.seconds = seconds
        if self.hiding:
            text = ngettext("No activity: this screen will be hidden in {n} second. Press any "
                            "key to keep it.",
                            "No activity: this screen will be hidden in {n} seconds. Press "
                            "any key to keep it.", seconds)
        else:
            text = ngettext("No activity: locking in {n} second. Press any key to keep "
                            "working.",
                            "No activity: locking in {n} seconds. Press any key to keep "
                            "working.", seconds)
        self.set_text("⚠ " + text.format(n=seconds), bold=True)

    def end(self) -> None:
        self.hide()
        self.set_text("")
