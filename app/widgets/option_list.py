"""The options of a choice item: numbered rows, each in the respondent's language with the
officer's beside it. Lists of more than nine options (issue #14) also get:

* a filter field: typing letters (anywhere in the list) filters by either language's label,
  blind to case and accents. In Latin, Greek, Cyrillic, Armenian and Georgian each typed
  word must start a word of the label ("far" finds "Farm work", not "Harm"); Arabic, Hebrew,
  Chinese, Japanese, Thai and other scripts whose words are not split by spaces (or take
  attached prefixes such as "ال") match anywhere in the label. Esc clears the filter; Down
  goes to the first option shown; Enter picks the only option shown.
* two-digit number keys: every option shows its number. A digit that can start a
  two-digit option number waits ``NUMBER_PAUSE_MS`` for a second one: "1" then "2" picks 12;
  "1" alone picks 1 when the pause ends or on Enter (which then stays on the item: the next
  Enter goes on). A digit that cannot start one ("4" in a list of 30) picks at once; so does
  a pair with a leading zero ("0", "5" picks 5). A pair that names no option ("3", "9" in
  a list of 30) is read as its last digit alone. Numbers belong to their options, whatever
  the filter shows; digits of any script count ("١٢" is 12).
* a bounded, scrolling area: as tall as the screen leaves room for, so the question, the
  special answers ("Prefer not to answer", "Don't know") and the note below the list stay
  visible without scrolling the page (``fit``), and never shorter than four rows.

Each option's accessible name is its full label (the officer's translation in brackets when
it differs), never "1. Farm work"; its number is in the accessible description.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import _, apply_text_language, rtl
from app.viewmodels.interview_vm import StepView
from app.widgets.common import acc, muted, plain_label, sensitive
from screening.store.search import normalise

LONG_LIST = 9  # more options than the keys 1-9
NUMBER_PAUSE_MS = 1000
MIN_ROWS = 4
_WORD_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "GEORGIAN")


def _words_split_by_spaces(text: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").split(" ")[0] in _WORD_SCRIPTS
               for ch in text)


def option_matches(query: str, *labels: str) -> bool:
    """Does ``query`` (as typed in the filter) find an option with these labels?"""
    q = normalise(query)
    if not q:
        return True
    texts = [normalise(label) for label in labels if label]
    if not _words_split_by_spaces(q):
        return any(q in text for text in texts)
    for text in texts:
        words = "".join(ch if ch.isalnum() else " " for ch in text).split()
        if all(any(w.startswith(part) for w in words) for part in q.split()):
            return True
    return False


def _digit(event: QKeyEvent) -> int | None:
    text = event.text()
    if len(text) != 1 or event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                              | Qt.KeyboardModifier.AltModifier):
        return None
    return unicodedata.decimal(text, None)


class NumberKeys:
    """Option numbers typed one digit at a time (see the module docstring)."""

    def __init__(self, owner: QObject, count: int, pick: Callable[[int], bool],
                 shown: Callable[[str], None]) -> None:
        self.count = count
        self.pick = pick
        self._shown = shown
        self.pending = ""
        self.timer = QTimer(owner)
        self.timer.setSingleShot(True)
        self.timer.setInterval(NUMBER_PAUSE_MS)
        self.timer.timeout.connect(self.finish)

    def digit(self, d: int) -> bool:
        """A digit typed; True if it was taken (picked, or waiting for a second one)."""
        if self.count <= LONG_LIST:
            return self.pick(d) if d else False
        if self.pending:
            number = int(self.pending + str(d))
            self._reset()
            if 1 <= number <= self.count:
                return self.pick(number)
        if d * 10 > self.count:  # cannot start a two-digit option number
            return self.pick(d) if d else False
        self.pending = str(d)
        self._shown(self.pending)
        self.timer.start()
        return True

    def finish(self) -> bool:
        """The pause ended, or Enter: pick the one digit typed. False if none was waiting."""
        if not self.pending:
            return False
        number = int(self.pending)
        self._reset()
        return self.pick(number) if number else True

    def cancel(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.timer.stop()
        self.pending = ""
        self._shown("")


class OptionList(QWidget):
    """Numbered option rows (``buttons``: radio buttons or check boxes, made by ``make``);
    ``picked(number)`` is called for a number key (1-based). Long lists: see the module."""

    def __init__(self, view: StepView, show_officer: bool, make: Callable[..., Any],
                 picked: Callable[[int], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: list[QAbstractButton] = []
        self.number_labels: list[QLabel] = []
        self.officer_labels: list[QLabel] = []
        self._labels: list[tuple[str, str]] = []
        self._show_officer: list[bool] = []
        self._picked = picked
        self._fitting = False
        self._watched: QWidget | None = None
        count = len(view.choices)
        self.long = count > LONG_LIST
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Observation items are never read aloud: the officer answers in their own language.
        lang = view.officer_language if view.observation else view.respondent_language
        self.filter: QLineEdit | None = None
        self.status = muted(plain_label("", self, wrap=False))
        self.status.hide()
        if self.long:
            self.filter = QLineEdit(self)
            sensitive(self.filter)
            self.filter.setClearButtonEnabled(True)
            self.filter.setPlaceholderText(_("Type to filter the options, or an option's "
                                             "number"))
            acc(self.filter, _("Filter the options"),
                _("Letters filter the list; a number picks that option."))
            self.filter.textChanged.connect(self._apply_filter)
            self.filter.installEventFilter(self)
            layout.addWidget(self.filter)
            layout.addWidget(self.status)
        self.rows = QWidget(self)
        grid = self._grid = QGridLayout(self.rows)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        for i, choice in enumerate(view.choices):
            number = plain_label(str(i + 1), self.rows, wrap=False)
            number.setAccessibleName("")
            text = choice.officer if view.observation else (choice.respondent or choice.officer)
            button = make(text, self.rows)
            apply_text_language(button, lang, factor=1.25)
            officer = plain_label(choice.officer, self.rows)
            apply_text_language(officer, view.officer_language)
            # Its column takes the row's free width (one line, not "Fishing or work on a /
            # boat" beside an empty half); its text sits next to the option, on the side
            # the rows start from.
            start = (Qt.AlignmentFlag.AlignRight if rtl(lang) else Qt.AlignmentFlag.AlignLeft)
            officer.setAlignment(start | Qt.AlignmentFlag.AlignAbsolute
                                 | Qt.AlignmentFlag.AlignVCenter)
            differs = choice.officer != text
            officer.setVisible(show_officer and differs)
            acc(button, f"{text} ({choice.officer})" if differs else text,
                _("Option {number} of {count}").format(number=i + 1, count=count))
            if self.long:
                button.installEventFilter(self)
            grid.addWidget(number, i, 0)
            grid.addWidget(button, i, 1)
            grid.addWidget(officer, i, 2)
            self.number_labels.append(number)
            self.buttons.append(button)
            self.officer_labels.append(officer)
            self._labels.append((text, choice.officer))
            self._show_officer.append(show_officer and differs)
        grid.setColumnStretch(2, 1)  # the translation's column takes the free width
        grid.setRowStretch(count, 1)  # a filtered list keeps its rows together at the top
        self.numbers = NumberKeys(self, count, self.pick, self._show_pending)
        self.area: QScrollArea | None = None
        self.empty = plain_label(_("No option matches. Esc clears the filter."), self)
        self.empty.hide()
        if self.long:
            self.area = QScrollArea(self)
            self.area.setWidgetResizable(True)
            self.area.setFrameShape(QFrame.Shape.StyledPanel)
            self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.area.setWidget(self.rows)
            # Short at first, so the page never needs a scroll bar of its own (it showed
            # one next to the list's); ``fit`` then grows the list to the room there is.
            self.area.setFixedHeight(self._rows_height(MIN_ROWS))
            layout.addWidget(self.area)
            layout.addWidget(self.empty)
        else:
            layout.addWidget(self.rows)
        # The rows read in the respondent's direction (numbers on the right for Arabic).
        self.lang = lang
        apply_text_language(self.rows, lang)

    # -- numbers ------------------------------------------------------------------------
    def digit(self, d: int) -> bool:
        taken = self.numbers.digit(d)
        focus = self.window().focusWidget()
        if self.numbers.pending and (focus is None or not self.isAncestorOf(focus)):
            # Typed with the focus elsewhere on the page: bring it to the option waiting to
            # be picked, so that Enter picks it here rather than going on to the next item.
            button = self.buttons[max(0, d - 1)]
            if button.isVisibleTo(self):
                button.setFocus()
        return taken

    def pick(self, number: int) -> bool:
        if not 1 <= number <= len(self.buttons):
            return False
        button = self.buttons[number - 1]
        if self.filter is not None and not button.isVisibleTo(self):
            self.filter.clear()  # a number picks its option even when filtered out
        button.setFocus()
        self._ensure_visible(button)
        return self._picked(number)

    def _show_pending(self, digits: str) -> None:
        if not self.long:
            return
        self.status.setText(_("Option {digits}…").format(digits=digits) if digits else "")
        self.status.setVisible(bool(digits))

    def cancel(self) -> None:
        self.numbers.cancel()

    # -- filter -------------------------------------------------------------------------
    def _apply_filter(self, query: str) -> None:
        self.numbers.cancel()
        shown = 0
        for i, (text, officer) in enumerate(self._labels):
            visible = option_matches(query, text, officer)
            shown += visible
            self.number_labels[i].setVisible(visible)
            self.buttons[i].setVisible(visible)
            self.officer_labels[i].setVisible(visible and self._show_officer[i])
        self.empty.setVisible(shown == 0)
        if self.area is not None:
            self.area.verticalScrollBar().setValue(0)
        # Screen readers hear how many options the filter leaves.
        text = (_("{shown} of {count} options shown").format(shown=shown,
                                                             count=len(self.buttons))
                if query.strip() else "")
        if self.filter is not None:
            self.filter.setAccessibleDescription(text or _("Letters filter the list; a number "
                                                           "picks that option."))

    def visible_buttons(self) -> list[QAbstractButton]:
        return [b for b in self.buttons if b.isVisibleTo(self)]

    # -- keys ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self.fit)  # not after it is gone
        elif event.type() == QEvent.Type.FocusIn and isinstance(watched, QAbstractButton):
            self._ensure_visible(watched)
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.filter:
                return self._filter_key(event)
            if isinstance(watched, QAbstractButton):
                return self._option_key(event)
        return super().eventFilter(watched, event)

    def _filter_key(self, event: QKeyEvent) -> bool:
        assert self.filter is not None
        key = event.key()
        d = _digit(event)
        if d is not None:
            self.digit(d)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.numbers.finish():
                return True
            shown = self.visible_buttons()
            if self.filter.text().strip() and len(shown) == 1:
                self.pick(self.buttons.index(shown[0]) + 1)
                return True
            return False
        if key == Qt.Key.Key_Escape and self.filter.text():
            self.filter.clear()
            return True
        if key == Qt.Key.Key_Down:
            shown = self.visible_buttons()
            if shown:
                shown[0].setFocus()
            return True
        return False

    def _option_key(self, event: QKeyEvent) -> bool:
        """On an option: Enter completes a number; letters go to the filter."""
        assert self.filter is not None
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self.numbers.finish()
        d = _digit(event)
        if d is not None:
            self.digit(d)
            return True
        text = event.text()
        if event.key() == Qt.Key.Key_Escape and self.filter.text():
            self.filter.clear()
            return True
        if event.key() == Qt.Key.Key_Backspace and self.filter.text():
            self.filter.setFocus()
            self.filter.backspace()
            return True
        if len(text) == 1 and text.isprintable() and not text.isspace() \
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                             | Qt.KeyboardModifier.AltModifier):
            self.filter.setFocus()
            self.filter.insert(text)
            return True
        return False

    # -- size ---------------------------------------------------------------------------
    def _rows_height(self, rows: int) -> int:
        if not self.buttons:
            return 0
        spacing = max(0, self._grid.verticalSpacing())
        row = max(self.buttons[0].sizeHint().height(),
                  self.officer_labels[0].sizeHint().height()) + spacing
        frame = 2 * (self.area.frameWidth() if self.area is not None else 0)
        return min(rows * row, self.rows.sizeHint().height()) + frame

    def _ensure_visible(self, button: QAbstractButton) -> None:
        if self.area is not None:
            self.area.ensureWidgetVisible(button, 0, 4)

    def _page_scroll(self) -> QScrollArea | None:
        w = self.parentWidget()
        while w is not None:
            if isinstance(w, QScrollArea):
                return w
            w = w.parentWidget()
        return None

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.long:
            QTimer.singleShot(0, self, self.fit)  # not after it is gone

    def fit(self) -> None:
        """Make the list as tall as the page leaves room for: the page (whose scroll area
        holds this widget) then needs no scrolling, so what follows the list is on screen."""
        page = self._page_scroll() if self.long else None
        if page is None or self.area is None or self._fitting:
            return
        if self._watched is not page.viewport():
            self._watched = page.viewport()
            self._watched.installEventFilter(self)
        body = page.widget()
        if body is None:
            return
        self._fitting = True
        try:
            viewport = page.viewport()
            need = (body.heightForWidth(viewport.width()) if body.hasHeightForWidth()
                    else body.sizeHint().height())
            current = self.area.minimumHeight()  # fixed: minimum = maximum = height
            full = self._rows_height(len(self.buttons))
            target = max(self._rows_height(MIN_ROWS),
                         min(full, current + viewport.height() - need))
            if target != self.area.minimumHeight():
                self.area.setFixedHeight(target)
        finally:
            self._fitting = False
