"""Multiple choice items: one check box per option; number keys toggle them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QWidget

from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.single_choice import ChoiceRows


class MultiChoiceWidget(AnswerWidget):
    def __init__(self, view: StepView, show_officer: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = [c.name for c in view.choices]
        self.rows = ChoiceRows(self, view, show_officer, QCheckBox)
        self._quiet = False
        for button in self.rows.buttons:
            button.toggled.connect(self._toggled)
        self.set_value(view.value)

    def _toggled(self, _checked: bool) -> None:
        if not self._quiet:
            self.committed.emit(self.value())

    def value(self) -> Any:
        return [n for n, b in zip(self._names, self.rows.buttons, strict=True) if b.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        self._quiet = True
        for name, button in zip(self._names, self.rows.buttons, strict=True):
            button.setChecked(name in chosen)
        self._quiet = False

    def clear_value(self) -> None:
        self.set_value([])

    def choose(self, number: int) -> bool:
        if 1 <= number <= len(self.rows.buttons):
            button = self.rows.buttons[number - 1]
            button.setFocus()
            button.toggle()
            return True
        return False

    def focus_first(self) -> None:
        if self.rows.buttons:
            self.rows.buttons[0].setFocus()
