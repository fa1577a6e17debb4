"""Text items: one line, or several lines with ``appearance: multiline`` (Ctrl+Enter goes on)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from app.qt_i18n import _, apply_text_language
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.common import acc, sensitive


class FreeTextWidget(AnswerWidget):
    immediate = False

    def __init__(self, view: StepView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit: QLineEdit | QPlainTextEdit
        if view.multiline:
            self.edit = QPlainTextEdit(self)
            sensitive(self.edit)
            self.edit.setTabChangesFocus(True)
            self.edit.setPlaceholderText(_("Type the answer. Ctrl+Enter goes to the next "
                                           "question."))
            self.edit.textChanged.connect(self.edited)
        else:
            self.edit = QLineEdit(self)
            sensitive(self.edit)
            self.edit.setPlaceholderText(_("Type the answer"))
            self.edit.textEdited.connect(lambda _t: self.edited.emit())
        apply_text_language(self.edit, view.respondent_language, factor=1.15)
        acc(self.edit, _("Answer"), view.officer_text)
        layout.addWidget(self.edit)
        self.set_value(view.value)

    def value(self) -> Any:
        text = (self.edit.toPlainText() if isinstance(self.edit, QPlainTextEdit)
                else self.edit.text())
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        text = value if isinstance(value, str) else ""
        self.edit.blockSignals(True)
        if isinstance(self.edit, QPlainTextEdit):
            self.edit.setPlainText(text)
        else:
            self.edit.setText(text)
        self.edit.blockSignals(False)

    def clear_value(self) -> None:
        self.set_value("")

    def focus_first(self) -> None:
        self.edit.setFocus()
