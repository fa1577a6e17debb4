"""Date, time and date-and-time items: typed ISO forms, which read the same in every language.

A spin-box date editor always holds some date; an unknown date must stay empty (or be
"Don't know"), so these are plain fields checked by the engine.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from app.qt_i18n import _
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.common import acc
from app.widgets.number_input import ascii_digits


class DateWidget(AnswerWidget):
    immediate = False

    def __init__(self, view: StepView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = view.kind
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        # Dates are written left to right in every UI language we ship.
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        placeholder = {
            "date": _("YYYY-MM-DD"),
            "time": _("HH:MM"),
            "datetime": _("YYYY-MM-DD HH:MM"),
        }[view.kind]
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("0") * 20 + 24)
        self.edit.textEdited.connect(lambda _t: self.edited.emit())
        acc(self.edit, _("Answer ({form})").format(form=placeholder), view.officer_text)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.set_value(view.value)

    def value(self) -> Any:
        text = ascii_digits(self.edit.text())
        if not text:
            return None
        if self.kind == "datetime":
            text = text.replace(" ", "T", 1)
        return text

    def set_value(self, value: Any) -> None:
        text = value if isinstance(value, str) else ""
        self.edit.setText(text.replace("T", " ", 1) if self.kind == "datetime" else text)

    def clear_value(self) -> None:
        self.edit.clear()

    def focus_first(self) -> None:
        self.edit.setFocus()
