"""Small building blocks shared by the screens: plain-text labels, banners, busy bars."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QWidget,
)

from app.qt_i18n import scaled_font
from screening.i18n.bidi import isolate_keys
from screening.i18n.bidi import plain as bidi_plain


def acc(widget: QWidget, name: str, description: str | None = None) -> QWidget:
    """Give ``widget`` its accessible name (mnemonic markers removed)."""
    widget.setAccessibleName(name.replace("&&", "\0").replace("&", "").replace("\0", "&"))
    if description is not None:
        widget.setAccessibleDescription(description)
    return widget


def sensitive(widget: QWidget) -> QWidget:
    """Ask input methods not to learn what is typed here (names, answers, notes).

    Only ImhSensitiveData: disabling prediction as well would get in the way of the
    composition that Chinese and other input methods need.
    """
    widget.setInputMethodHints(widget.inputMethodHints() | Qt.InputMethodHint.ImhSensitiveData)
    return widget


def set_button(button: QAbstractButton, text: str, tooltip: str | None = None) -> None:
    """The button's text and accessible name; shortcut keys in right-to-left text are held
    together left to right ("رجوع (Alt+←)", not "(←+Alt)"), the accessible name is without
    the bidi controls."""
    button.setText(isolate_keys(text))
    acc(button, text)
    if tooltip:
        button.setToolTip(tooltip)


class DirectionalLabel(QLabel):
    """A label aligned to the start of *its* layout direction, not of its text.

    QLabel aligns by the direction of the text itself, so an English (untranslated) string
    or one starting with a name like "FieldScreen" sits on the left of an Arabic screen.
    This label follows the layout direction it is given (the UI's, or the respondent's
    language via ``apply_text_language``).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._align_to_direction()

    def _align_to_direction(self) -> None:
        vertical = self.alignment() & Qt.AlignmentFlag.AlignVertical_Mask
        side = (Qt.AlignmentFlag.AlignRight if self.layoutDirection()
                == Qt.LayoutDirection.RightToLeft else Qt.AlignmentFlag.AlignLeft)
        self.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute | vertical)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._align_to_direction()
        super().changeEvent(event)


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = True,
                selectable: bool = False) -> QLabel:
    """A label that never interprets its text as HTML (user or instrument text)."""
    label = DirectionalLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                      | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setText(text)
    return label


def heading(text: str = "", parent: QWidget | None = None, factor: float = 1.4) -> QLabel:
    label = plain_label(text, parent)
    label.setFont(scaled_font(QApplication.font(), factor, bold=True))
    label.setAccessibleName(text)
    return label


def refresh_heading(label: QLabel, text: str, factor: float = 1.4) -> None:
    label.setText(text)
    label.setAccessibleName(text)
    label.setFont(scaled_font(QApplication.font(), factor, bold=True))


def muted(label: QLabel) -> QLabel:
    label.setForegroundRole(label.foregroundRole())
    pal = label.palette()
    pal.setColor(label.foregroundRole(), pal.color(pal.ColorRole.PlaceholderText))
    label.setPalette(pal)
    return label


class Banner(QFrame):
    """A coloured strip whose text always says what it is ("Urgent:", "Warning:"): colour is
    never the only signal."""

    STYLES: ClassVar[dict[str, str]] = {
        "urgent": "background:#b3261e; color:white;",
        "warning": "background:#fff3c4; color:#3d2f00; border:1px solid #c9a400;",
        "info": "background:#e3eefc; color:#0b2a55; border:1px solid #8fb3e8;",
        "ok": "background:#e2f4e4; color:#0d3b16; border:1px solid #7cc18a;",
    }

    def __init__(self, kind: str = "info", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"banner_{kind}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame#{self.objectName()} {{{self.STYLES[kind]}}}"
                           f" QLabel {{{self.STYLES[kind].split(';')[1]}; border:none;}}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = plain_label("", self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout.addWidget(self.label, 1)

    def set_text(self, text: str, *, bold: bool = False) -> None:
        self.label.setText(text)
        font = QFont(self.label.font())
        font.setBold(bold)
        self.label.setFont(font)
        self.setAccessibleName(text.split("\n")[0])
        self.label.setAccessibleName(text)


class Announcements(QObject):
    """What a screen reader is told without moving the focus (issue #14): a new question, an
    answer refused, an urgent flag. Posted as ``QAccessibleAnnouncementEvent`` (Qt 6.8+).

    Emits:
    announced(str, bool): the text and whether it interrupts (assertive), after the event
        was posted; lets tests and logs-free diagnostics see what was said.
    """

    announced = Signal(str, bool)

    def say(self, source: QWidget, text: str, *, assertive: bool = False) -> None:
        text = bidi_plain(text)  # a screen reader would spell out the direction controls
        if not text:
            return
        event = QAccessibleAnnouncementEvent(source, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                            else QAccessible.AnnouncementPoliteness.Polite)
        QAccessible.updateAccessibility(event)
        self.announced.emit(text, assertive)


_announcements: Announcements | None = None


def announcements() -> Announcements:
    global _announcements
    if _announcements is None:
        _announcements = Announcements()
    return _announcements


def announce(source: QWidget, text: str, *, assertive: bool = False) -> None:
    announcements().say(source, text, assertive=assertive)


class BusyBar(QProgressBar):
    """An indeterminate progress bar for work on a worker thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setMaximumHeight(8)
        self.hide()

    def set_busy(self, busy: bool, name: str = "") -> None:
        if name:
            self.setAccessibleName(name)
        self.setVisible(busy)
