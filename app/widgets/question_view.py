"""The wording of one item, in two visually separate parts (issue #14).

* The person's side: the question in the respondent's language, large, with its answer and
  "Prefer not to answer" / "Don't know" (in the respondent's language, the officer's in small
  type) under it, laid out in the respondent's direction.
* The officer's panel, subdued and marked "For you only – do not read aloud": the question
  in the officer's language, guidance, observation items (never the largest text on the
  screen), the compact urgent marker after the screen that raised a flag, and the note.

For an observation item (or "how many entries?") the person's side only says "Please wait a
moment" in their language, and the answer moves into the officer's panel.

Accessibility: the question label's accessible name is the question itself and its
description the guidance.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import (
    _,
    apply_text_language,
    language_name,
    ltr,
    rtl,
    scaled_font,
    ui_language,
)
from app.viewmodels.interview_vm import FlagView, StepView
from app.viewmodels.review import special_text
from app.widgets.common import Banner, acc, announce, muted, plain_label, sensitive, set_button

RTL = Qt.LayoutDirection.RightToLeft
LTR = Qt.LayoutDirection.LeftToRight
SPECIALS = ("refused", "dont_know")
FLAG_MARKER_STYLE = ("QLabel#flagMarker {color:#b3261e; border:1px solid #b3261e;"
                     " border-radius:3px; padding:2px 6px; font-weight:bold;}")
PANEL_STYLE = ("QFrame#officerPanel {background: palette(alternate-base);"
               " border: 1px solid palette(mid); border-radius: 4px;}")


def direction(lang: str) -> Qt.LayoutDirection:
    return RTL if rtl(lang) else LTR


class TwoLanguageButton(QPushButton):
    """A checkable button in the respondent's language with the officer's in small type under
    it ("لا أعرف" / "Don't know")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCheckable(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 4, 14, 4)
        layout.setSpacing(0)
        self.main = plain_label("", self, wrap=False)
        self.sub = plain_label("", self, wrap=False)
        for label in (self.main, self.sub):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)

    def set_texts(self, main: str, main_lang: str, sub: str, sub_lang: str) -> None:
        apply_text_language(self.main, main_lang, factor=1.1)
        self.main.setText(main)
        apply_text_language(self.sub, sub_lang, factor=0.85)
        self.sub.setText(sub)
        shown = bool(sub) and sub != main
        self.sub.setVisible(shown)
        for label in (self.main, self.sub):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        acc(self, f"{main} ({sub})" if shown else main)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        layout = self.layout()
        inner = layout.sizeHint() if layout is not None else QSize()
        return QSize(max(inner.width(), 80), max(inner.height(), super().sizeHint().height()))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class QuestionView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)

        # -- the person's side --------------------------------------------------------------
        self.respondent_box = QFrame(self)
        self.rbox = QVBoxLayout(self.respondent_box)
        self.rbox.setContentsMargins(0, 0, 0, 0)
        self.respondent_entry = plain_label("", self.respondent_box)
        self.respondent_lang = plain_label("", self.respondent_box)
        self.respondent_text = plain_label("", self.respondent_box, selectable=True)
        self.respondent_hint = plain_label("", self.respondent_box)
        self.respondent_wait = muted(plain_label("", self.respondent_box))
        for w in (self.respondent_entry, self.respondent_lang, self.respondent_text,
                  self.respondent_hint, self.respondent_wait):
            self.rbox.addWidget(w)
        # The answer, the special answers and any error: under the question it answers, in
        # the respondent's direction (or in the officer's panel for observations).
        self.answer_area = QWidget(self.respondent_box)
        area = QVBoxLayout(self.answer_area)
        area.setContentsMargins(0, 8, 0, 0)
        self.answer_slot = QVBoxLayout()
        self.answer_slot.setContentsMargins(0, 0, 0, 0)
        area.addLayout(self.answer_slot)
        specials = QHBoxLayout()
        specials.setContentsMargins(0, 8, 0, 0)
        self.special_buttons: dict[str, TwoLanguageButton] = {}
        for special in SPECIALS:
            button = TwoLanguageButton(self.answer_area)
            self.special_buttons[special] = button
            specials.addWidget(button)
        specials.addStretch(1)
        area.addLayout(specials)
        self.error = plain_label("", self.answer_area)
        self.error.setStyleSheet("color:#b3261e; font-weight:bold;")
        self.error.hide()
        area.addWidget(self.error)
        self.rbox.addWidget(self.answer_area)
        self.rbox.addStretch(1)

        # -- the officer's panel --------------------------------------------------------------
        self.officer_box = QFrame(self)
        self.officer_box.setObjectName("officerPanel")
        self.officer_box.setStyleSheet(PANEL_STYLE)
        self.obox = QVBoxLayout(self.officer_box)
        self.officer_heading = plain_label("", self.officer_box)
        self.flag_marker = plain_label("", self.officer_box)
        self.flag_marker.setObjectName("flagMarker")
        self.flag_marker.setStyleSheet(FLAG_MARKER_STYLE)
        self.flag_marker.hide()
        self.officer_entry = plain_label("", self.officer_box)
        self.observation = plain_label("", self.officer_box)
        self.officer_lang = muted(plain_label("", self.officer_box))
        self.officer_text = plain_label("", self.officer_box, selectable=True)
        self.officer_hint = plain_label("", self.officer_box)
        self.guidance = muted(plain_label("", self.officer_box))
        for w in (self.officer_heading, self.flag_marker, self.officer_entry, self.observation,
                  self.officer_lang, self.officer_text, self.officer_hint):
            self.obox.addWidget(w)
        self._answer_index = self.obox.count()  # observations: their answer goes here
        self.obox.addWidget(self.guidance)
        # The officer's note on this item (saved by the page); engineer E's companion
        # warning may follow it in ``officer_tail``.
        self.note_button = QPushButton(self.officer_box)
        self.note_button.setCheckable(True)
        self.note_button.toggled.connect(self._toggle_note)
        self.note = QPlainTextEdit(self.officer_box)
        sensitive(self.note)
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(self.note.fontMetrics().lineSpacing() * 5)
        self.note.hide()
        self.obox.addWidget(self.note_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.obox.addWidget(self.note)
        self.officer_tail = QVBoxLayout()
        self.officer_tail.setContentsMargins(0, 0, 0, 0)
        self.obox.addLayout(self.officer_tail)
        self.obox.addStretch(1)
        row.addWidget(self.respondent_box, 3)
        row.addWidget(self.officer_box, 2)
        self.retranslate()

    def retranslate(self) -> None:
        self.officer_heading.setText(_("For you only – do not read aloud"))
        self.officer_heading.setFont(scaled_font(QApplication.font(), 0.95, bold=True))
        acc(self.officer_heading, self.officer_heading.text())
        acc(self.officer_box, _("For you only – do not read aloud"))
        self._note_button_text()
        acc(self.note, _("Note about this question (for the record)"))

    def _note_button_text(self) -> None:
        set_button(self.note_button, _("Hide note") if self.note_button.isChecked()
                   else _("Add a note"))

    def _toggle_note(self, on: bool) -> None:
        self.note.setVisible(on)
        self._note_button_text()
        if on:
            self.note.setFocus()

    def show_note(self, has_note: bool, answerable: bool) -> None:
        self.note_button.setVisible(answerable)
        self.note_button.setChecked(has_note)
        self.note.setVisible(has_note and answerable)
        self._note_button_text()

    # -- showing an item ----------------------------------------------------------------
    def show_view(self, view: StepView, show_officer: bool) -> None:
        ui = ui_language().lang
        r_lang, o_lang = view.respondent_language, view.officer_language
        officer_only = view.officer_only
        self._place_answer(officer_only)
        self.answer_area.setLayoutDirection(direction(o_lang if officer_only else r_lang))
        self.error.setLayoutDirection(QApplication.layoutDirection())  # the officer's words
        # ... but on the side the answer is, not across the screen from the field.
        rtl = self.answer_area.layoutDirection() == Qt.LayoutDirection.RightToLeft
        self.error.setAlignment(Qt.AlignmentFlag.AlignAbsolute | (
            Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft))

        # the person's side
        self._entry(self.respondent_entry, view.entry_respondent, r_lang)
        if officer_only:
            for label in (self.respondent_lang, self.respondent_text, self.respondent_hint):
                label.clear()
                label.hide()
            apply_text_language(self.respondent_wait, r_lang, factor=1.2)
            self.respondent_wait.setText(view.respondent_wait)
            self.respondent_wait.show()
            acc(self.respondent_text, "", "")
        else:
            self.respondent_wait.hide()
            self.respondent_wait.clear()
            self._fill(self.respondent_lang, self.respondent_text, self.respondent_hint,
                       r_lang, view.respondent_text, view.respondent_hint, 1.6, ui)
            self.respondent_lang.show()
            self.respondent_text.show()
            acc(self.respondent_text, view.respondent_text, view.guidance)

        # the officer's panel
        self._entry(self.officer_entry, view.entry_officer, o_lang)
        self.observation.setVisible(view.observation)
        if view.observation:
            self.observation.setText(_("Observation: do not read this aloud. Answer from what "
                                       "you see and hear."))
            self.observation.setFont(scaled_font(QApplication.font(), 1.0, bold=True))
        same = r_lang == o_lang
        officer_text = officer_only or (show_officer and not same)
        self._fill(self.officer_lang, self.officer_text, self.officer_hint, o_lang,
                   view.officer_text, view.officer_hint, 1.1, ui)
        self.officer_lang.setVisible(officer_text and not same)
        self.officer_text.setVisible(officer_text)
        if officer_only:  # the officer's own question: clear, but smaller than the answers
            self.officer_text.setFont(scaled_font(self.officer_text.font(), 1.0, bold=True))
        self.officer_hint.setVisible(officer_text and bool(view.officer_hint))
        acc(self.officer_text, view.officer_text, view.guidance if officer_only else "")
        apply_text_language(self.guidance, o_lang, factor=0.95)
        self.guidance.setText(view.guidance)
        self.guidance.setVisible(bool(view.guidance))
        acc(self.guidance, view.guidance)

        # "Prefer not to answer" / "Don't know": the person's words first
        for special, button in self.special_buttons.items():
            if special not in view.specials:
                button.hide()
                continue
            mine = special_text(special)
            theirs = view.respondent_specials[view.specials.index(special)]
            if officer_only:
                button.set_texts(mine, ui, "", ui)
            else:
                button.set_texts(theirs, r_lang, mine, ui)
            button.setChecked(view.special == special)
            button.show()

    def announce(self, view: StepView, show_officer: bool) -> None:
        """Tell a screen reader the new question (polite): in the officer's language when
        it shows, with "Child 2 of 3" first inside a repeat."""
        officer = view.officer_only or (show_officer
                                        and view.respondent_language != view.officer_language)
        label = self.officer_text if officer else self.respondent_text
        spoken = label.text() or view.officer_text
        announce(label, f"{view.entry_officer}. {spoken}" if view.entry_officer else spoken)

    def _place_answer(self, in_panel: bool) -> None:
        here = self.obox if in_panel else self.rbox
        if here.indexOf(self.answer_area) >= 0:
            return
        (self.rbox if in_panel else self.obox).removeWidget(self.answer_area)
        if in_panel:
            self.obox.insertWidget(self._answer_index, self.answer_area)
        else:
            self.rbox.insertWidget(self.rbox.count() - 1, self.answer_area)  # above the stretch
        self.answer_area.show()  # a widget given a new parent is hidden until shown

    @staticmethod
    def _entry(label: QLabel, text: str, lang: str) -> None:
        apply_text_language(label, lang, factor=1.1, bold=True)
        label.setText(text)
        label.setVisible(bool(text))
        acc(label, text)

    @staticmethod
    def _fill(lang_label: QLabel, text_label: QLabel, hint_label: QLabel, lang: str,
              text: str, hint: str, factor: float, ui: str) -> None:
        lang_label.setText(language_name(lang, ui))
        apply_text_language(lang_label, lang)
        apply_text_language(text_label, lang, factor=factor, bold=factor > 1.2)
        text_label.setText(text)
        apply_text_language(hint_label, lang)
        hint_label.setText(hint)
        hint_label.setVisible(bool(hint))

    def set_flag_marker(self, text: str) -> None:
        """The compact urgent marker in the officer's panel ("" hides it)."""
        self.flag_marker.setText(text)
        acc(self.flag_marker, text)
        self.flag_marker.setVisible(bool(text))

    def clear(self) -> None:
        for label in (self.respondent_text, self.respondent_hint, self.officer_text,
                      self.officer_hint, self.guidance, self.respondent_entry,
                      self.officer_entry, self.respondent_wait, self.error, self.flag_marker):
            label.clear()
            label.setAccessibleName("")
            label.setAccessibleDescription("")
        self.flag_marker.hide()
        self.error.hide()
        for button in self.special_buttons.values():
            button.setChecked(False)


class FlagDisplay:
    """Urgent flags on the interview screen: the big banner (and an assertive announcement)
    on the screen whose answer raised a flag; on every later screen a compact marker in the
    officer's panel. Flags already raised when an interview opens get the marker."""

    def __init__(self, banner: Banner, marker_view: QuestionView) -> None:
        self.banner = banner
        self.marker_view = marker_view
        self.seen: frozenset[str] = frozenset()
        self.banner_key: str | None = None

    def reset(self, flags: tuple[FlagView, ...]) -> None:
        self.seen = frozenset(f.name for f in flags)
        self.banner_key = None

    def changed(self, flags: tuple[FlagView, ...], key: str | None, hotline: str) -> None:
        names = frozenset(f.name for f in flags)
        new = names - self.seen
        self.seen = names
        if new and key is not None:
            self.banner_key = key
        self.show(flags, key, hotline)
        if new:
            announce(self.banner, self.banner.label.text(), assertive=True)

    def show(self, flags: tuple[FlagView, ...], key: str | None, hotline: str) -> None:
        helpline = (_("Helpline: {number}").format(number=ltr(hotline)) if hotline
                    else _("Add the helpline number in Settings, under Officer profile."))
        big = bool(flags) and key is not None and key == self.banner_key
        if big:
            lines = [_("Urgent: {label}. {message}").format(label=f.label, message=f.message)
                     for f in flags]
            self.banner.set_text("⚠ " + "\n".join([*lines, helpline]), bold=True)
        self.banner.setVisible(big)
        compact = "" if big or not flags else "⚠ " + " · ".join(
            [*(_("Urgent: {label}").format(label=f.label) for f in flags), helpline])
        self.marker_view.set_flag_marker(compact)

    def hide(self) -> None:
        self.banner.hide()
        self.banner.set_text("")
        self.marker_view.set_flag_marker("")
