"""Single choice, yes/no and observation items: one radio button per option, number keys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QRadioButton, QWidget

from app.qt_i18n import apply_text_language
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.common import acc, plain_label


class ChoiceRows:
    """Lays out numbered options: [n] [button in the respondent's language] [officer's]."""

    def __init__(self, owner: QWidget, view: StepView, show_officer: bool,
                 make: type[QRadioButton] | Any) -> None:
        self.buttons: list[Any] = []
        self.officer_labels: list[QLabel] = []
        grid = QGridLayout(owner)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        # Observation items are never read aloud: the officer answers in their own language.
        lang = view.officer_language if view.observation else view.respondent_language
        for i, choice in enumerate(view.choices):
            number = plain_label(str(i + 1) if i < 9 else "", owner, wrap=False)
            number.setAccessibleName("")
            text = choice.officer if view.observation else (choice.respondent or choice.officer)
            button = make(text, owner)
            apply_text_language(button, lang, factor=1.25)
            officer = plain_label(choice.officer, owner)
            apply_text_language(officer, view.officer_language)
            officer.setAlignment((officer.alignment() & ~Qt.AlignmentFlag.AlignVertical_Mask)
                                 | Qt.AlignmentFlag.AlignVCenter)
            differs = choice.officer != text
            officer.setVisible(show_officer and differs)
            acc(button, f"{i + 1}. {text}" + (f" ({choice.officer})" if differs else ""))
            grid.addWidget(number, i, 0)
            grid.addWidget(button, i, 1)
            grid.addWidget(officer, i, 2)
            self.buttons.append(button)
            self.officer_labels.append(officer)
        grid.setColumnStretch(3, 1)  # options and their translation stay side by side
        # The rows read in the respondent's direction (numbers on the right for Arabic).
        apply_text_language(owner, lang)


class SingleChoiceWidget(AnswerWidget):
    def __init__(self, view: StepView, show_officer: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = [c.name for c in view.choices]
        self.rows = ChoiceRows(self, view, show_officer, QRadioButton)
        self.group = QButtonGroup(self)
        for i, button in enumerate(self.rows.buttons):
            self.group.addButton(button, i)
        self.group.idClicked.connect(lambda i: self.committed.emit(self._names[i]))
        self.set_value(view.value)

    def value(self) -> Any:
        i = self.group.checkedId()
        return self._names[i] if i >= 0 else None

    def set_value(self, value: Any) -> None:
        if value in self._names:
            self.rows.buttons[self._names.index(value)].setChecked(True)
        else:
            self.clear_value()

    def clear_value(self) -> None:
        self.group.setExclusive(False)
        for button in self.rows.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)

    def choose(self, number: int) -> bool:
        if 1 <= number <= len(self.rows.buttons):
            button = self.rows.buttons[number - 1]
            button.setFocus()
            button.click()
            return True
        return False

    def focus_first(self) -> None:
        if not self.rows.buttons:
            return
        checked = self.group.checkedButton()
        (checked or self.rows.buttons[0]).setFocus()
