"""Whole-number and decimal items. Any script's digits are accepted ("٣٤" is 34)."""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from app.qt_i18n import _
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.common import acc


def ascii_digits(text: str) -> str:
    out = []
    for ch in text.strip():
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ("." if ch in ",٫" else ch))
    return "".join(out)


class NumberWidget(AnswerWidget):
    immediate = False

    def __init__(self, view: StepView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.decimal = view.kind == "decimal"
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("0") * 16 + 24)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.edit.setPlaceholderText(_("Number"))
        self.edit.textEdited.connect(lambda _t: self.edited.emit())
        acc(self.edit, _("Answer (a number)"), view.officer_text)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.set_value(view.value)

    def value(self) -> Any:
        text = ascii_digits(self.edit.text())
        if not text:
            return None
        try:
            return float(text) if self.decimal else int(text)
        except ValueError:
            return text  # the engine says what is wrong, in the officer's language

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def clear_value(self) -> None:
        self.edit.clear()

    def focus_first(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()
