"""The wording of one item: the respondent's language large, the officer's beside it.

Guidance is for the officer only and says so; observation items carry a visible
"do not read aloud" marker and show no respondent-language text at all.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.qt_i18n import _, apply_text_language, language_name, ui_language
from app.viewmodels.interview_vm import StepView
from app.widgets.common import Banner, acc, plain_label


class QuestionView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.observation = Banner("warning", self)
        self.guidance = Banner("info", self)
        layout.addWidget(self.observation)
        layout.addWidget(self.guidance)
        row = QHBoxLayout()
        self.respondent_box = QFrame(self)
        rbox = QVBoxLayout(self.respondent_box)
        rbox.setContentsMargins(0, 0, 0, 0)
        self.respondent_lang = plain_label("", self.respondent_box)
        self.respondent_text = plain_label("", self.respondent_box, selectable=True)
        self.respondent_hint = plain_label("", self.respondent_box)
        for w in (self.respondent_lang, self.respondent_text, self.respondent_hint):
            rbox.addWidget(w)
        # The answer sits under the question it answers, on the respondent's side.
        self.answer_slot = QVBoxLayout()
        self.answer_slot.setContentsMargins(0, 8, 0, 0)
        rbox.addLayout(self.answer_slot)
        rbox.addStretch(1)
        self.officer_box = QFrame(self)
        self.officer_box.setFrameShape(QFrame.Shape.StyledPanel)
        obox = QVBoxLayout(self.officer_box)
        self.officer_lang = plain_label("", self.officer_box)
        self.officer_text = plain_label("", self.officer_box, selectable=True)
        self.officer_hint = plain_label("", self.officer_box)
        for w in (self.officer_lang, self.officer_text, self.officer_hint):
            obox.addWidget(w)
        obox.addStretch(1)
        row.addWidget(self.respondent_box, 3)
        row.addWidget(self.officer_box, 2)
        layout.addLayout(row)

    def show_view(self, view: StepView, show_officer: bool) -> None:
        ui = ui_language().lang
        r_lang, o_lang = view.respondent_language, view.officer_language
        self.observation.setVisible(view.observation)
        if view.observation:
            self.observation.set_text(_("Observation: do not read this aloud. Answer from what "
                                        "you see and hear."), bold=True)
        self.guidance.setVisible(bool(view.guidance))
        self.guidance.set_text(_("For you only, not to be read aloud: {guidance}").format(
            guidance=view.guidance))

        if view.observation:
            # The officer's own question: shown large, in the officer's language only.
            self.respondent_box.setVisible(True)
            self.officer_box.setVisible(False)
            self._fill(self.respondent_lang, self.respondent_text, self.respondent_hint,
                       o_lang, view.officer_text, view.officer_hint, 1.5, ui)
            acc(self.respondent_text, _("Observation"), view.officer_text)
            return
        same = r_lang == o_lang
        self._fill(self.respondent_lang, self.respondent_text, self.respondent_hint, r_lang,
                   view.respondent_text, view.respondent_hint, 1.6, ui)
        acc(self.respondent_text, _("Question in the person's language"))
        self.respondent_box.setVisible(True)
        self.officer_box.setVisible(show_officer and not same)
        self._fill(self.officer_lang, self.officer_text, self.officer_hint, o_lang,
                   view.officer_text, view.officer_hint, 1.1, ui)
        acc(self.officer_text, _("Question in your language"))

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

    def clear(self) -> None:
        for label in (self.respondent_text, self.respondent_hint, self.officer_text,
                      self.officer_hint, self.guidance.label, self.observation.label):
            label.clear()
