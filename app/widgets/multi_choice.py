"""Multiple choice items: one check box per option; number keys toggle them.

The rows, the filter and the number keys of long lists are ``option_list.OptionList``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from app.qt_i18n import apply_text_language
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.option_list import OptionList


class MultiChoiceWidget(AnswerWidget):
    def __init__(self, view: StepView, show_officer: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = [c.name for c in view.choices]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rows = OptionList(view, show_officer, QCheckBox, self._toggle, self)
        layout.addWidget(self.rows)
        # The answer reads in the respondent's direction (numbers on the right for Arabic).
        apply_text_language(self, self.rows.lang)
        self._quiet = False
        for button in self.rows.buttons:
            button.toggled.connect(self._toggled)
        self.set_value(view.value)

    def _toggle(self, number: int) -> bool:
        self.rows.buttons[number - 1].toggle()
        return True

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
        self.rows.cancel()
        self.set_value([])

    def choose(self, number: int) -> bool:
        return self.rows.digit(number) if 0 <= number <= 9 else self.rows.pick(number)

    def focus_first(self) -> None:
        if self.rows.buttons:
            self.rows.buttons[0].setFocus()
