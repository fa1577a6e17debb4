"""Single choice, yes/no and observation items: one radio button per option, number keys.

The rows, the filter and the number keys of long lists are ``option_list.OptionList``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QButtonGroup, QRadioButton, QVBoxLayout, QWidget

from app.qt_i18n import apply_text_language
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.option_list import OptionList


class SingleChoiceWidget(AnswerWidget):
    def __init__(self, view: StepView, show_officer: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = [c.name for c in view.choices]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rows = OptionList(view, show_officer, QRadioButton, self._click, self)
        layout.addWidget(self.rows)
        # The answer reads in the respondent's direction (numbers on the right for Arabic).
        apply_text_language(self, self.rows.lang)
        self.group = QButtonGroup(self)
        for i, button in enumerate(self.rows.buttons):
            self.group.addButton(button, i)
        self.group.idClicked.connect(lambda i: self.committed.emit(self._names[i]))
        self.set_value(view.value)

    def _click(self, number: int) -> bool:
        self.rows.buttons[number - 1].click()
        return True

    def value(self) -> Any:
        i = self.group.checkedId()
        return self._names[i] if i >= 0 else None

    def set_value(self, value: Any) -> None:
        if value in self._names:
            self.rows.buttons[self._names.index(value)].setChecked(True)
        else:
            self.clear_value()

    def clear_value(self) -> None:
        self.rows.cancel()
        self.group.setExclusive(False)
        for button in self.rows.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)

    def choose(self, number: int) -> bool:
        return self.rows.digit(number) if 0 <= number <= 9 else self.rows.pick(number)

    def focus_first(self) -> None:
        if not self.rows.buttons:
            return
        checked = self.group.checkedButton()
        (checked or self.rows.buttons[0]).setFocus()
