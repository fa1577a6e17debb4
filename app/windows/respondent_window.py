"""The respondent view: a second window the person reads (issue #14).

For a second display (full screen there) or a laptop turned towards the person (a normal
window the officer can move). It shows the respondent's language only, in large type: the
current question, its options, and "Prefer not to answer" / "Don't know" where the item
allows them. A choice made here is saved through the same view-model as the officer's
(the window only emits ``chosen`` / ``special_chosen``; the interview page saves).

It never shows guidance, observation items (the person reads "Please wait a moment" in
their language instead), urgent flags, indicators, names, the case reference, the
questionnaire's title or the app's name. Pause, the panic key and the lock make it neutral
at once (``neutral``): nothing but an empty screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.qt_i18n import apply_text_language, language_name
from app.viewmodels.interview_vm import StepView
from app.widgets.common import acc, plain_label
from app.widgets.question_view import direction

CHOICE_KINDS = ("single_choice", "yes_no")
SPECIAL_STYLE = "QPushButton {padding: 8px 18px;}"
# Options read from the start of the person's direction (the style sheet's "left" and
# "right" are absolute); a chosen one is bold as well as pressed: not by colour alone.
OPTION_STYLE = ("QPushButton {{text-align: {side}; padding: 12px 20px;}}"
                " QPushButton:checked {{font-weight: bold;}}")


class RespondentWindow(QWidget):
    """Emits:
    chosen(str, object): item key and the value the person chose (a choice name, or the
        list of names of a multiple choice).
    special_chosen(str, str): item key and "refused" / "dont_know".
    closed(): the window was closed (by the officer or the window manager).
    """

    chosen = Signal(str, object)
    special_chosen = Signal(str, str)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("respondentWindow")
        # The keyboard stays with the officer: the interview is keyboard-first, and a tap by
        # the person must not take it (review finding, #14). The person uses the mouse or
        # the touch screen; nothing here takes focus.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view: StepView | None = None
        self.option_buttons: list[QPushButton] = []
        self.special_buttons: dict[str, QPushButton] = {}
        self._names: list[str] = []
        self._group: QButtonGroup | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 36, 48, 36)
        outer.setSpacing(14)
        self.entry = plain_label("", self)
        self.question = plain_label("", self)
        self.hint = plain_label("", self)
        self.wait = plain_label("", self)
        for label in (self.entry, self.question, self.hint):
            outer.addWidget(label)
        outer.addWidget(self.wait, 1)  # alone, in the middle of the screen
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.options = QWidget(self.scroll_area)
        self.options_layout = QVBoxLayout(self.options)
        self.options_layout.setContentsMargins(0, 8, 0, 8)
        self.options_layout.setSpacing(10)
        self.options_layout.addStretch(1)
        self.scroll_area.setWidget(self.options)
        outer.addWidget(self.scroll_area, 1)
        # Without options (a number, a text, a date) the labels would share the height and
        # the question would float mid-screen: this takes it, so the question stays under its
        # header. Stretch 0: the options and "Please wait" (stretch 1) still take it first.
        outer.addStretch(0)
        self.specials_row = QHBoxLayout()
        outer.addLayout(self.specials_row)
        self.specials_row.addStretch(1)
        self.resize(960, 680)
        self.neutral()

    # -- showing ------------------------------------------------------------------------
    def present(self, officer_screen: QScreen | None) -> None:
        """Full screen on a display other than the officer's when there is one; else a
        normal window (the officer moves it, or turns the laptop)."""
        others = [s for s in QGuiApplication.screens() if s is not officer_screen]
        if officer_screen is not None and others:
            self.setScreen(others[0])
            self.setGeometry(others[0].geometry())
            self.showFullScreen()
        else:
            self.showNormal()
        if QGuiApplication.platformName() != "offscreen":  # tests, benches: no window stack
            self.raise_()

    def show_view(self, view: StepView) -> None:
        """The item, in the respondent's language only."""
        self.view = view
        lang = view.respondent_language
        self.setLayoutDirection(direction(lang))
        self.setWindowTitle(language_name(lang))  # never empty: Qt would show the app name
        self._text(self.entry, view.entry_respondent, lang, 1.6, bold=True)
        self._clear_answers()
        if view.officer_only:
            for label in (self.question, self.hint):
                self._text(label, "", lang, 1.0)
            self._text(self.wait, view.respondent_wait, lang, 2.4)
            self.wait.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.scroll_area.hide()
            return
        self._text(self.wait, "", lang, 1.0)
        self._text(self.question, view.respondent_text, lang, 2.6, bold=True)
        self._text(self.hint, view.respondent_hint, lang, 1.6)
        choices = view.kind in CHOICE_KINDS or view.kind == "multiple_choice"
        if choices:
            self._options(view, multiple=view.kind == "multiple_choice")
        self.scroll_area.setVisible(choices)
        for special, text in zip(view.specials, view.respondent_specials, strict=True):
            button = QPushButton(text, self)
            button.setStyleSheet(SPECIAL_STYLE)
            apply_text_language(button, lang, factor=1.6)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            acc(button, text)
            button.clicked.connect(lambda _c=False, s=special: self._special(s))
            self.special_buttons[special] = button
            self.specials_row.insertWidget(self.specials_row.count() - 1, button)
        self.set_answer(view.value, view.special)

    def _options(self, view: StepView, *, multiple: bool) -> None:
        lang = view.respondent_language
        # Qt mirrors a style sheet's "left" in a right-to-left application, whatever the
        # widget's own direction: the start of the person's direction, measured from there.
        mirrored = direction(lang) != QApplication.layoutDirection()
        style = OPTION_STYLE.format(side="right" if mirrored else "left")
        self._names = [c.name for c in view.choices]
        self._group = QButtonGroup(self)
        self._group.setExclusive(not multiple)
        numbered = len(view.choices) > 9  # a long list: the person can say the number
        for i, choice in enumerate(view.choices):
            text = choice.respondent or choice.officer
            button = QPushButton(f"{i + 1}   {text}" if numbered else text, self.options)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(style)
            apply_text_language(button, lang, factor=2.0)
            acc(button, text)
            self._group.addButton(button, i)
            self.option_buttons.append(button)
            self.options_layout.insertWidget(i, button)
        self._group.idClicked.connect(self._clicked)

    def set_answer(self, value: Any, special: str | None) -> None:
        """Show the answer saved (by the officer or here), without emitting."""
        chosen = (set(value) if isinstance(value, list)
                  else {value} if isinstance(value, str) else set())  # a date: a dict
        if self._group is not None:
            self._group.setExclusive(False)
            for name, button in zip(self._names, self.option_buttons, strict=True):
                button.setChecked(special is None and name in chosen)
                if button.isChecked():  # option 13 of 30: scrolled into the person's view
                    self._scroll_to(button)
            self._group.setExclusive(self.view is not None
                                     and self.view.kind != "multiple_choice")
        for name, button in self.special_buttons.items():
            button.setChecked(special == name)

    def _scroll_to(self, button: QPushButton) -> None:
        """After the layout placed the options (new ones have no geometry yet)."""
        def scroll() -> None:
            if isValid(button) and button.isVisible():
                self.scroll_area.ensureWidgetVisible(button)
        QTimer.singleShot(0, scroll)

    def _clicked(self, index: int) -> None:
        view = self.view
        if view is None:
            return
        if view.kind == "multiple_choice":
            value: Any = [n for n, b in zip(self._names, self.option_buttons, strict=True)
                          if b.isChecked()]
        else:
            value = self._names[index]
        self.chosen.emit(view.key, value)

    def _special(self, special: str) -> None:
        if self.view is not None:
            self.special_chosen.emit(self.view.key, special)

    @staticmethod
    def _text(label: Any, text: str, lang: str, factor: float, *, bold: bool = False) -> None:
        apply_text_language(label, lang, factor=factor, bold=bold)
        label.setText(text)
        acc(label, text)
        label.setVisible(bool(text))

    # -- neutral ------------------------------------------------------------------------
    def _clear_answers(self) -> None:
        for button in [*self.option_buttons, *self.special_buttons.values()]:
            button.hide()
            button.setText("")  # it lives on until the event loop deletes it: empty it now
            button.setAccessibleName("")
            button.deleteLater()
        self.option_buttons = []
        self.special_buttons = {}
        self._names = []
        if self._group is not None:
            self._group.deleteLater()
            self._group = None

    def neutral(self) -> None:
        """Nothing about the person or the interview in any widget (pause, panic, lock); the
        title is a space, never empty (Qt would show the app's name)."""
        self.view = None
        self._clear_answers()
        for label in (self.entry, self.question, self.hint, self.wait):
            label.clear()
            label.setAccessibleName("")
            label.hide()
        self.scroll_area.hide()
        self.setWindowTitle(" ")
        if self.isVisible():
            self.repaint()  # on screen now, not at the next event loop pass

    def closeEvent(self, event: QCloseEvent) -> None:
        self.neutral()
        super().closeEvent(event)
        self.closed.emit()


class RespondentLink(QObject):
    """The respondent view as the interview page drives it: on and off with the page's
    checkable button (Ctrl+Shift+R), the current item, the answer saved, neutral.

    Emits (forwarded from the window while it is open):
    chosen(str, object), special_chosen(str, str): see ``RespondentWindow``.
    """

    chosen = Signal(str, object)
    special_chosen = Signal(str, str)

    def __init__(self, page: QWidget, button: QPushButton) -> None:
        super().__init__(page)
        self.page = page
        self.button = button
        self.window: RespondentWindow | None = None
        button.setCheckable(True)
        button.toggled.connect(self._toggled)

    def set_on(self, on: bool) -> None:
        self.button.setChecked(on)  # ``_toggled`` opens or closes the window

    def toggle(self) -> None:
        self.button.toggle()

    def _toggled(self, on: bool) -> None:
        if not on:
            if self.window is not None:
                window, self.window = self.window, None
                window.closed.disconnect(self._closed)
                window.neutral()
                window.close()
                window.deleteLater()
            return
        if self.window is None:
            self.window = RespondentWindow(self.page)
            self.window.chosen.connect(self.chosen)
            self.window.special_chosen.connect(self.special_chosen)
            self.window.chosen.connect(self._give_back)
            self.window.special_chosen.connect(self._give_back)
            self.window.closed.connect(self._closed)
        focus = QApplication.focusWidget()
        self.window.present(self.page.window().screen())
        self._give_back(focus)

    def _give_back(self, *args: object) -> None:
        """The officer's window keeps (or gets back) the keyboard, on the widget that had it."""
        officer = self.page.window()
        officer.activateWindow()
        widget = args[0] if args and isinstance(args[0], QWidget) else None
        if widget is not None and widget.window() is officer:
            widget.setFocus()

    def _closed(self) -> None:
        self.set_on(False)  # closed by the window manager: the button follows

    def show_view(self, view: StepView | None) -> None:
        if self.window is not None:
            if view is None:
                self.window.neutral()
            else:
                self.window.show_view(view)

    def set_answer(self, value: Any, special: str | None) -> None:
        if self.window is not None:
            self.window.set_answer(value, special)

    def neutral(self) -> None:
        if self.window is not None:
            self.window.neutral()
