"""The interview: one item at a time, autosaved, keyboard first.

Keys: 1-9 choose an option, Enter (Ctrl+Enter in a long text) goes to the next item,
Alt+Left goes back, Alt+Right forward, Ctrl+Shift+R shows or hides the respondent view
(``respondent_window.py``). Ctrl+P and the panic key (caught by the window, see
``app/idle.py``) show the neutral pause screen (``pause_screen.py``); while it shows, this
page and the respondent view hold nothing about the person (``hide_content``) and come back
on the same item. Choices save the moment they are made, on either screen; typed answers
after a short pause and on Next. Urgent flags: ``FlagDisplay``; a screen reader hears each
new question, a refused answer and a new flag (``app.widgets.common.announce``).
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.formatting import time_text
from app.qt_i18n import _
from app.viewmodels.interview_vm import InterviewViewModel, StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.answer_factory import make_answer_widget
from app.widgets.common import (
    Banner,
    acc,
    announce,
    heading,
    plain_label,
    refresh_heading,
    set_button,
)
from app.widgets.companion_bar import CompanionBar
from app.widgets.instrument_card import language_status_text
from app.widgets.question_view import FlagDisplay, QuestionView
from app.windows import dialogs
from app.windows.respondent_window import RespondentLink

ANSWER_SAVE_DELAY_MS = 700
NOTE_SAVE_DELAY_MS = 1000


class InterviewPage(QWidget):
    """Emits:
    review_requested(): every item was walked, or the officer asked for the review.
    pause_requested(): the Pause button (the window shows the neutral screen).
    """

    review_requested = Signal()
    pause_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm: InterviewViewModel | None = None
        self.view: StepView | None = None
        self.answer_widget: AnswerWidget | None = None
        self.hotline = ""
        self._dirty = False
        self._note_dirty = False
        self.paused = False
        self._announced_key: str | None = None
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        self.title = heading("", self, factor=1.15)
        header.addWidget(self.title, 1)
        self.respondent_button = QPushButton(self)
        header.addWidget(self.respondent_button)
        self.respondent = RespondentLink(self, self.respondent_button)  # the person's view
        self.respondent.chosen.connect(self._respondent_chose)
        self.respondent.special_chosen.connect(self._respondent_special)
        self.respondent_button.toggled.connect(lambda _on: self._show_respondent())
        self.jump_label = plain_label("", self, wrap=False)
        self.sections = QComboBox(self)
        # Section titles must be readable ("1. Befor" was not): room for about 24 characters,
        # more when the titles need it (up to 40), elided beyond that.
        self.sections.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sections.setMinimumContentsLength(24)
        self.sections.activated.connect(self._jump_section)
        self.jump_label.setBuddy(self.sections)
        header.addWidget(self.jump_label)
        header.addWidget(self.sections)
        layout.addLayout(header)
        self.progress_label = plain_label("", self)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        # The wording's translation status, for the officer all through the interview.
        self.language_status = plain_label("", self)
        self.language_status.setObjectName("languageStatus")
        layout.addWidget(self.language_status)
        self.urgent = Banner("urgent", self)  # big, on the screen that raised the flag only
        self.urgent.hide()
        layout.addWidget(self.urgent)
        # Companion present: the discreet-mode bar (held-back sections, "alone now").
        self.companion_slot = QVBoxLayout()
        self.companion_slot.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.companion_slot)
        self.companion_bar = CompanionBar(self)
        self.companion_slot.addWidget(self.companion_bar)
        self.companion_bar.resumed.connect(self._companion_left)
        self.companion_bar.failed.connect(lambda code: show_error(self, code))

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(scroll.Shape.NoFrame)
        body = QWidget(scroll)
        body_layout = QVBoxLayout(body)
        self.question = QuestionView(body)
        body_layout.addWidget(self.question)
        self.flags = FlagDisplay(self.urgent, self.question)
        self.answer_host = self.question.answer_slot
        self.special_buttons: dict[str, QPushButton] = dict(self.question.special_buttons)
        for special, button in self.special_buttons.items():
            button.clicked.connect(lambda _c=False, s=special: self._special(s))
        self.error = self.question.error
        self.note_button, self.note = self.question.note_button, self.question.note
        self.note.textChanged.connect(self._note_edited)
        body_layout.addStretch(1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

        footer = QHBoxLayout()
        self.back_button, self.pause_button, self.stop_button = (
            self._button(footer, slot) for slot in (self.go_back, self.pause_requested,
                                                    self._stop))
        self.saved = plain_label("", self, wrap=False)
        footer.addWidget(self.saved, 1)
        self.show_officer = QCheckBox(self)
        self.show_officer.setChecked(True)
        self.show_officer.toggled.connect(self._officer_toggled)
        footer.addWidget(self.show_officer)
        self.review_button, self.next_button = (
            self._button(footer, slot) for slot in (self._review, self.go_next))
        layout.addLayout(footer)

        self._answer_timer = self._timer(ANSWER_SAVE_DELAY_MS, self.save_pending)
        self._note_timer = self._timer(NOTE_SAVE_DELAY_MS, self.save_note)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (("Alt+Left", self.go_back), ("Alt+Right", self.go_next),
                           ("Ctrl+Return", self.go_next), ("Ctrl+Enter", self.go_next),
                           ("Ctrl+Shift+R", self.respondent.toggle)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
        self.retranslate()

    def _button(self, row: QHBoxLayout, slot: object) -> QPushButton:
        button = QPushButton(self)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def _timer(self, ms: int, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    def retranslate(self) -> None:
        self.jump_label.setText(_("Jump to section"))
        acc(self.sections, _("Jump to section"))
        acc(self.progress, _("Progress"))
        set_button(self.respondent_button, _("Show to the person (Ctrl+Shift+R)"))
        self.question.retranslate()
        self.companion_bar.retranslate()
        set_button(self.back_button, _("Back (Alt+Left)"))
        set_button(self.pause_button, _("Pause (Ctrl+P)"))
        set_button(self.stop_button, _("Stop…"))
        set_button(self.show_officer, _("Show my language"))
        set_button(self.review_button, _("Review"))
        set_button(self.next_button, _("Next (Enter)"))
        acc(self.saved, _("Save status"))
        if self.vm is not None:
            self._render()

    # -- opening ------------------------------------------------------------------------
    def open(self, vm: InterviewViewModel, hotline: str) -> None:
        self.close_interview()
        self.vm = vm
        self.hotline = hotline
        vm.step_changed.connect(self._step_changed)
        vm.answer_saved.connect(self._saved)
        vm.answer_rejected.connect(self._rejected)
        vm.flags_changed.connect(self._render_flags)
        vm.failed.connect(lambda code: show_error(self, code))
        self.companion_bar.bind(vm.run)
        vm.answer_saved.connect(lambda _key: self.companion_bar.refresh())
        self.paused = False
        self.saved.clear()
        self.flags.reset(vm.flags())  # raised before (resumed): the marker, not the banner
        self._announced_key = None
        self._render()

    def close_interview(self) -> None:
        """Forget the interview (after saving anything typed): lock, leave, finish."""
        if self.vm is not None:
            self.flush()
            for signal in (self.vm.step_changed, self.vm.answer_saved, self.vm.answer_rejected,
                           self.vm.flags_changed, self.vm.failed):
                signal.disconnect()
        self.vm = None
        self.companion_bar.bind(None)
        self.paused = False
        self._blank()
        self.respondent.set_on(False)

    clear_personal_data = close_interview

    def _blank(self) -> None:
        """Nothing about the person or the interview left in any widget of this page."""
        self.view = None
        self.cover_respondent()
        self._set_answer_widget(None)
        self.question.clear()
        self.note.blockSignals(True)
        self.note.clear()
        self.note.blockSignals(False)
        self.flags.hide()
        self.title.clear()
        self.title.setAccessibleName("")
        self.progress_label.clear()
        self.language_status.clear()
        self.progress.reset()
        self.sections.clear()
        self.saved.clear()
        self.saved.setAccessibleName("")
        self._announced_key = None

    # -- pause --------------------------------------------------------------------------
    def hide_content(self) -> None:
        """Paused (the neutral screen already shows): save what is typed, note the break,
        and empty every widget. ``show_content`` brings the same item back."""
        if self.vm is None or self.paused:
            return
        self.flush()
        self.vm.record_break()
        self.paused = True
        self._blank()

    def show_content(self) -> None:
        if not self.paused:
            return
        self.paused = False
        self._render()

    # -- the respondent view ---------------------------------------------------------------
    def _show_respondent(self) -> None:
        """Opened (the button or Ctrl+Shift+R): the current item, if one shows."""
        if not self.paused and self.isVisible():
            self.respondent.show_view(self.view)

    def cover_respondent(self) -> None:
        """The person's window goes neutral at once (pause, panic, lock, another screen)."""
        self.respondent.neutral()

    def _respondent_chose(self, key: str, value: object) -> None:
        if self.vm is None or self.view is None or key != self.view.key or self.paused:
            return
        self._answer_timer.stop()
        self._dirty = False
        if self.vm.answer(key, value) and self.answer_widget is not None:
            self.answer_widget.set_value(value)  # the officer sees the person's choice

    def _respondent_special(self, key: str, special: str) -> None:
        if self.view is not None and key == self.view.key and not self.paused:
            self._special(special)

    def hideEvent(self, event: QHideEvent) -> None:
        """Another screen of the app (review, case list): the person's view goes neutral."""
        if not event.spontaneous():
            self.cover_respondent()
        super().hideEvent(event)

    # -- rendering ----------------------------------------------------------------------
    def _step_changed(self, key: str) -> None:
        if not key:
            self.cover_respondent()
            self.review_requested.emit()
            return
        self._render()

    def _render(self) -> None:
        vm = self.vm
        if vm is None or self.paused:
            return
        view = vm.current_view()
        if view is None:
            self.review_requested.emit()
            return
        self.view = view
        refresh_heading(self.title, _("{title} · case {reference}").format(
            title=vm.title, reference=vm.case_reference), 1.15)
        sec = view.section
        self.progress_label.setText(
            _("Question {position} of {total} · Section {index} of {count}: {section}").format(
                position=view.position, total=view.total, index=sec.index, count=sec.count,
                section=sec.title))
        self.progress.setRange(0, max(1, view.total))
        self.progress.setValue(view.position)
        status, warn = language_status_text(vm.language_status, vm.respondent_language,
                                            vm.officer_language)
        self.language_status.setText(status)
        # A machine or draft wording is the officer's to watch for (amber text), a source or
        # reviewed wording is only information.
        self.language_status.setStyleSheet("color:#6b4f00; font-weight:600;" if warn else "")
        self.sections.blockSignals(True)
        self.sections.clear()
        for section in vm.sections():
            self.sections.addItem(f"{section.index}. {section.title}", section.name)
        longest = max((len(self.sections.itemText(i)) for i in range(self.sections.count())),
                      default=0)
        self.sections.setMinimumContentsLength(min(40, max(24, longest)))
        self.sections.setCurrentIndex(max(0, self.sections.findData(sec.name)))
        self.sections.blockSignals(False)
        show_officer = self.show_officer.isChecked()
        self.show_officer.setVisible(view.respondent_language != view.officer_language)
        self.question.show_view(view, show_officer)
        widget = make_answer_widget(view, show_officer)
        self._set_answer_widget(widget)
        self.error.hide()
        self.flags.show(vm.flags(), view.key, self.hotline)
        self.respondent.show_view(view if self.isVisible() else None)  # not under review
        self.note.blockSignals(True)
        self.note.setPlainText(view.note or "")
        self.note.blockSignals(False)
        self.question.show_note(bool(view.note), view.answerable)
        self._dirty = self._note_dirty = False
        if widget is not None:
            widget.focus_first()
        else:
            self.next_button.setFocus()
        if view.key != self._announced_key:  # a new question, not a re-render
            self._announced_key = view.key
            self.question.announce(view, show_officer)

    def _set_answer_widget(self, widget: AnswerWidget | None) -> None:
        old = self.answer_widget
        if old is not None:
            self.answer_host.removeWidget(old)
            old.hide()
            old.blockSignals(True)
            old.clear_value()  # it lives on until the event loop deletes it: empty it now
            old.deleteLater()
        self.answer_widget = widget
        if widget is not None:
            widget.committed.connect(self._committed)
            widget.edited.connect(self._edited)
            self.answer_host.addWidget(widget)
            widget.show()  # now, not queued: focus goes to it straight away
        self._tab_order(widget)

    def _tab_order(self, widget: AnswerWidget | None) -> None:
        """Reading order: the answer widget is created per item, after everything else, so
        Tab would otherwise reach it last."""
        answer = [w for w in (widget.findChildren(QWidget) if widget else [])
                  if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
        chain = [self.respondent_button, self.sections, *answer,
                 *self.special_buttons.values(), self.note_button, self.note, self.back_button,
                 self.pause_button, self.stop_button, self.show_officer, self.review_button,
                 self.next_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _render_flags(self) -> None:
        if self.vm is not None and not self.paused:
            self.flags.changed(self.vm.flags(), self.view.key if self.view else None,
                               self.hotline)

    def _officer_toggled(self) -> None:
        self.flush()
        self._render()

    # -- answering ----------------------------------------------------------------------
    def _committed(self, value: object) -> None:
        if self.vm is None or self.view is None:
            return
        self._dirty = False
        self.vm.answer(self.view.key, value)

    def _edited(self) -> None:
        self._dirty = True
        self.saved.setText(_("Typing…"))
        self._answer_timer.start()

    def save_pending(self) -> bool:
        """Save what is typed in the current answer; False if the engine refused it."""
        self._answer_timer.stop()
        if not self._dirty or self.vm is None or self.view is None or not self.answer_widget:
            return True
        self._dirty = False
        value = self.answer_widget.value()
        if value is None:
            if self.view.kind == "text" and self.view.value:
                return self.vm.answer(self.view.key, "")
            self.saved.clear()
            return True
        return self.vm.answer(self.view.key, value)

    def _special(self, special: str) -> None:
        if self.vm is None or self.view is None:
            return
        self._answer_timer.stop()
        self._dirty = False
        if self.vm.answer(self.view.key, None, special):
            if self.answer_widget is not None:
                self.answer_widget.clear_value()
        else:
            self.special_buttons[special].setChecked(False)

    def _saved(self, key: str) -> None:
        if self.view is None or key != self.view.key or self.vm is None:
            return
        self.error.hide()
        record = self.vm.session.answers.get(key)
        for special, button in self.special_buttons.items():
            button.setChecked(bool(record and record.special == special))
        if record is not None:
            self.respondent.set_answer(record.value, record.special)
        when = time_text(datetime.now())
        text = "✓ " + _("Saved at {time}").format(time=when)
        self.saved.setText(text)
        self.saved.setAccessibleName(text)

    def _rejected(self, key: str, message: str) -> None:
        if self.view is None or key != self.view.key:
            return
        self.error.setText("⚠ " + message)
        self.error.setAccessibleName(message)
        self.error.show()
        announce(self.error, message, assertive=True)  # heard without moving the focus
        self.saved.clear()
        if self.vm is not None:
            record = self.vm.session.answers.get(key)  # undo the person's refused choice
            self.respondent.set_answer(record.value if record else None,
                                       record.special if record else None)
        if self.answer_widget is not None:
            self.answer_widget.focus_first()

    def _note_edited(self) -> None:
        self._note_dirty = True
        self._note_timer.start()

    def save_note(self) -> None:
        self._note_timer.stop()
        if self._note_dirty and self.vm is not None and self.view is not None:
            self._note_dirty = False
            self.vm.set_note(self.view.key, self.note.toPlainText().strip())

    def flush(self) -> bool:
        ok = self.save_pending()
        self.save_note()
        return ok

    # -- moving -------------------------------------------------------------------------
    def go_next(self) -> None:
        if self.vm is None or self.view is None or self.paused:
            return
        if not self.flush():
            return
        if self.view.answerable and not self.vm.check_required(self.view.key):
            return
        self.vm.next()

    def go_back(self) -> None:
        if self.vm is None or self.paused:
            return
        self.flush()
        self.vm.back()

    def _jump_section(self) -> None:
        name = self.sections.currentData()
        if self.vm is not None and name:
            self.flush()
            self.vm.jump_section(name)

    def _companion_left(self, key: str) -> None:
        """The person is alone now: the held-back sections come back at this item."""
        if self.vm is not None and key:
            self.vm.jump(key)

    def jump_to(self, key: str) -> None:
        if self.vm is not None:
            self.vm.jump(key)

    def _review(self) -> None:
        if self.flush():
            self.review_requested.emit()

    def _stop(self) -> None:
        if self.vm is None:
            return
        self.flush()
        reason = dialogs.ask_text(
            self, _("Stop the interview"),
            _("The person wants to stop, or it is not safe to go on. Answers given so far are "
              "kept. Reason (optional, no names):"), _("Stop the interview"))
        if reason is not None and self.vm is not None:
            self.vm.stop_early(reason.strip() or None)
            self.review_requested.emit()

    # -- keys ---------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        paused = self.paused
        if (Qt.Key.Key_0 <= key <= Qt.Key.Key_9 and not paused and self.answer_widget
                and self.answer_widget.choose(key - Qt.Key.Key_0)):
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if isinstance(focus, QPushButton) and focus is not self.next_button:
                focus.click()
            elif isinstance(focus, QCheckBox) and focus is self.show_officer:
                focus.toggle()
            elif not paused:
                self.go_next()
            return
        super().keyPressEvent(event)
