"""Acknowledge items: the officer confirms something was said or done."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from app.qt_i18n import _
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.common import acc


class AcknowledgeWidget(AnswerWidget):
    def __init__(self, view: StepView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.box = QCheckBox(_("1. Done"), self)
        acc(self.box, _("Done"), view.officer_text)
        self.box.clicked.connect(self._clicked)
        layout.addWidget(self.box)
        self.set_value(view.value)

    def _clicked(self, checked: bool) -> None:
        if checked:
            self.committed.emit(True)

    def value(self) -> Any:
        return True if self.box.isChecked() else None

    def set_value(self, value: Any) -> None:
        self.box.setChecked(value is True)

    def clear_value(self) -> None:
        self.box.setChecked(False)

    def choose(self, number: int) -> bool:
        if number == 1 and not self.box.isChecked():
            self.box.click()
            return True
        return False

    def focus_first(self) -> None:
        self.box.setFocus()
