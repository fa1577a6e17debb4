"""The referral details form (issue #15), built from the core's list of fields
(``screening.casework.referral_details.FIELDS``): the screen offers exactly what the CLI's
answers file takes, with the same labels and allowed values.

Every change is handed on at once: a choice, a number or a check box when it changes, a line
when editing finishes (Enter, or leaving it), a longer text when the officer leaves it. Text
still being typed is handed on as pending (``final`` False), so the page saves it when the
app locks or the page is left: no answer is lost. A refused value stays as typed, and the
reason is shown under the field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import _
from app.widgets.common import acc, plain_label, sensitive
from screening.casework.referral_details import (
    CHOICE,
    CHOICES,
    COUNT,
    FIELDS,
    FLAG,
    LINE,
    MAX_COUNT,
    PERIOD,
    TEXT,
    YES_NO,
    DetailField,
    ReferralDetails,
)

_YES_NO_VALUES: tuple[bool | None, ...] = (None, True, False)


def _plain(value: Any) -> Any:
    """Text as the core keeps it (trimmed; empty is nothing)."""
    return (value.strip() or None) if isinstance(value, str) else value


class ReferralDetailsWidget(QScrollArea):
    """Emits:
    edited(str, object, bool): a field's key, its value as the core takes it (text, a code,
        a list of codes, a number or None, a bool or None), and whether to save it now
        (False: text still being typed; the page keeps it to save at the next chance).
    """

    edited = Signal(str, object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget(self)
        self.setWidget(body)
        outer = QVBoxLayout(body)
        self.officer = plain_label("", body, selectable=True)
        outer.addWidget(self.officer)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(form)
        outer.addStretch(1)
        self._contact: tuple[str, str] = ("", "")
        self.inputs: dict[str, QWidget] = {}
        self.boxes: dict[str, dict[str, QCheckBox]] = {}
        self.labels: dict[str, QLabel] = {}
        self.problems: dict[str, QLabel] = {}
        for spec in FIELDS:
            holder = QWidget(body)
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            widget = self._make(spec, holder)
            problem = plain_label("", holder)
            problem.setStyleSheet("color: #9b1c1c;")
            problem.hide()
            column.addWidget(widget)
            column.addWidget(problem)
            label = plain_label("", body)
            label.setBuddy(next(iter(self.boxes[spec.name].values()))
                           if spec.kind == CHOICES else widget)
            form.addRow(label, holder)
            self.inputs[spec.name] = widget
            self.labels[spec.name] = label
            self.problems[spec.name] = problem

    # -- building ---------------------------------------------------------------------------
    def _make(self, spec: DetailField, parent: QWidget) -> QWidget:
        name = spec.name
        if spec.kind == TEXT:
            text = QPlainTextEdit(parent)
            sensitive(text)
            text.setTabChangesFocus(True)
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 3 + 14)
            text.textChanged.connect(lambda: self.edited.emit(name, text.toPlainText(), False))
            text.installEventFilter(self)
            return text
        if spec.kind in (LINE, PERIOD):
            line = QLineEdit(parent)
            sensitive(line)
            if spec.kind == LINE:
                line.setMaxLength(spec.max_length)
            line.textEdited.connect(lambda value: self.edited.emit(name, value, False))
            line.editingFinished.connect(lambda: self.edited.emit(name, line.text(), True))
            return line
        if spec.kind in (CHOICE, YES_NO):
            combo = QComboBox(parent)
            combo.activated.connect(lambda _i: self.edited.emit(name, combo.currentData(), True))
            return combo
        if spec.kind == CHOICES:
            group = QWidget(parent)
            grid = QGridLayout(group)
            grid.setContentsMargins(0, 0, 0, 0)
            boxes: dict[str, QCheckBox] = {}
            for i, code in enumerate(spec.codes):
                box = QCheckBox(group)
                box.toggled.connect(lambda _on: self.edited.emit(name, self._codes(name), True))
                grid.addWidget(box, i // 2, i % 2)
                boxes[code] = box
            self.boxes[name] = boxes
            return group
        if spec.kind == COUNT:
            spin = QSpinBox(parent)
            spin.setRange(-1, MAX_COUNT)  # -1: not known
            spin.setKeyboardTracking(False)  # one save when the number is complete
            spin.setMaximumWidth(spin.fontMetrics().horizontalAdvance("M") * 14)
            spin.valueChanged.connect(
                lambda value: self.edited.emit(name, None if value < 0 else value, True))
            return spin
        assert spec.kind == FLAG
        box = QCheckBox(parent)
        box.toggled.connect(lambda on: self.edited.emit(name, on, True))
        return box

    def _codes(self, name: str) -> list[str]:
        return [code for code, box in self.boxes[name].items() if box.isChecked()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A longer text is saved when the officer leaves it."""
        if event.type() == QEvent.Type.FocusOut and isinstance(watched, QPlainTextEdit):
            for name, widget in self.inputs.items():
                if widget is watched:
                    self.edited.emit(name, watched.toPlainText(), True)
        return super().eventFilter(watched, event)

    # -- words --------------------------------------------------------------------------
    def retranslate(self) -> None:
        for spec in FIELDS:
            label, widget = _(spec.label), self.inputs[spec.name]
            hint = _(spec.hint) if spec.hint else ""
            self.labels[spec.name].setText(label if spec.kind != FLAG else "")
            acc(widget, label, hint or None)
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setPlaceholderText(hint)
            elif isinstance(widget, QComboBox):
                current = widget.currentIndex()
                widget.clear()
                if spec.kind == YES_NO:
                    for text, value in zip((_("Not known"), _("Yes"), _("No")),
                                           _YES_NO_VALUES, strict=True):
                        widget.addItem(text, value)
                else:
                    widget.addItem("—", None)
                    for code, text in spec.choices:
                        widget.addItem(_(text), code)
                widget.setCurrentIndex(max(0, current))
            elif isinstance(widget, QSpinBox):
                widget.setSpecialValueText(_("Not known"))
            elif isinstance(widget, QCheckBox):
                widget.setText(label)
            for code, box in self.boxes.get(spec.name, {}).items():
                box.setText(_(spec.label_of(code)))
                acc(box, _(spec.label_of(code)), label)
        self._show_officer()

    def load(self, details: ReferralDetails, phone: str, email: str) -> None:
        """A case's details, and how the receiving service reaches the officer (from their
        profile; shown so the officer can check it)."""
        self._contact = (phone, email)
        self._show_officer()
        self.set_details(details)

    def _show_officer(self) -> None:
        contact = _(", ").join(x for x in self._contact if x)
        if contact:
            text = _("A full packet tells the receiving service how to reach you: "
                     "{contact} (Settings › Profile).").format(contact=contact)
        else:
            text = _("Add your phone number and email in Settings › Profile: a full packet "
                     "prints them so the receiving service can reach you.")
        self.officer.setText(text)
        acc(self.officer, text)

    # -- values -------------------------------------------------------------------------
    def set_details(self, details: ReferralDetails) -> None:
        """Show ``details`` (nothing is handed on)."""
        self._show(details.to_json())
        for spec in FIELDS:
            self.show_problem(spec.name, "")

    def _show(self, values: dict[str, Any]) -> None:
        for spec in FIELDS:
            if spec.name not in values:
                continue
            value = values[spec.name]
            widget = self.inputs[spec.name]
            widget.blockSignals(True)
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            elif isinstance(widget, QLineEdit):
                widget.setText(value or "")
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)) if value is not None
                                       else 0)
            elif isinstance(widget, QSpinBox):
                widget.setValue(-1 if value is None else int(value))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            widget.blockSignals(False)
            for code, box in self.boxes.get(spec.name, {}).items():
                box.blockSignals(True)
                box.setChecked(code in (value or ()))
                box.blockSignals(False)

    def value(self, name: str) -> Any:
        """What field ``name`` shows, in the core's form (text as typed)."""
        widget = self.inputs[name]
        if name in self.boxes:
            return self._codes(name)
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QSpinBox):
            return None if widget.value() < 0 else widget.value()
        assert isinstance(widget, QCheckBox)
        return widget.isChecked()

    def refresh(self, details: ReferralDetails, keep: set[str]) -> None:
        """Show what the core stored where it differs from what is shown (it may complete a
        field: a police reference means the police were informed), except in ``keep``."""
        stored = details.to_json()
        changed = {name: value for name, value in stored.items() if name not in keep
                   and _plain(self.value(name)) != _plain(value)}
        if changed:
            self._show(changed)

    def show_problem(self, name: str, text: str) -> None:
        """Why the last value of field ``name`` was refused ("" when it was saved)."""
        label = self.problems[name]
        label.setText("✗ " + text if text else "")
        label.setVisible(bool(text))
        acc(label, text)

    def clear(self) -> None:
        """Forget every value (the app locks, or another case opens)."""
        self.set_details(ReferralDetails())
        self._contact = ("", "")
        self.officer.clear()
