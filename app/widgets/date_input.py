"""Date, time and date-and-time items: typed ISO forms, which read the same in every language.

A spin-box date editor always holds some date; an unknown date must stay empty (or be
"Don't know"), so these are plain fields checked by the engine.

Dates (issue #14) are taken to the day, the month or the year ("2025-02-14", "2025-02",
"2023"), with an "Approximately" box ("about 2023" typed works too). Under the field the
officer reads back what was understood ("February 2025", "about 2023"). An item whose
appearance names a calendar (``persian``, ``islamic``, ``ethiopian``, ``coptic``) takes the
date in that calendar, with the Gregorian days it stands for beside it; a choice of calendar
lets the officer type a Gregorian date instead. The engine stores both
(``screening.engine.dates``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import _, ui_language
from app.viewmodels.interview_vm import StepView
from app.widgets.answer_base import AnswerWidget
from app.widgets.common import acc, muted, plain_label, set_button
from app.widgets.number_input import ascii_digits
from screening.engine.dates import GREGORIAN, DateAnswer, DateError
from screening.i18n import Translator
from screening.i18n.dates import calendar_name, describe_date


class DateWidget(AnswerWidget):
    immediate = False

    def __init__(self, view: StepView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = view.kind
        self.item_calendar = view.calendar if view.kind == "date" else None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout()
        outer.addLayout(layout)
        self.calendar: QComboBox | None = None
        if self.item_calendar:
            self.calendar = QComboBox(self)
            # The person's calendar first, named in their language too when it has one.
            theirs = calendar_name(self.item_calendar, Translator(view.respondent_language))
            ours = calendar_name(self.item_calendar, _)
            self.calendar.addItem(ours if theirs == ours else f"{theirs} · {ours}",
                                  self.item_calendar)
            self.calendar.addItem(calendar_name(GREGORIAN, _), GREGORIAN)
            acc(self.calendar, _("Calendar"))
            self.calendar.currentIndexChanged.connect(self._changed)
            layout.addWidget(self.calendar)
        self.edit = QLineEdit(self)
        # Dates are written left to right in every UI language we ship.
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        placeholder = {
            "date": _("YYYY-MM-DD, YYYY-MM or YYYY"),
            "time": _("HH:MM"),
            "datetime": _("YYYY-MM-DD HH:MM"),
        }[view.kind]
        self.edit.setPlaceholderText(placeholder)
        metrics = self.edit.fontMetrics()
        width = max(metrics.horizontalAdvance("0") * 20, metrics.horizontalAdvance(placeholder))
        self.edit.setFixedWidth(width + 24)  # the forms it takes stay readable
        self.edit.textEdited.connect(lambda _t: self._changed())
        acc(self.edit, _("Answer ({form})").format(form=placeholder), view.officer_text)
        layout.addWidget(self.edit)
        self.approximate: QCheckBox | None = None
        if view.kind == "date":
            self.approximate = QCheckBox(self)
            set_button(self.approximate, _("Approximately"))
            self.approximate.toggled.connect(lambda _c: self._changed())
            layout.addWidget(self.approximate)
        layout.addStretch(1)
        # What the app understood, in the officer's words and direction ("February 2025"),
        # under the field on the answer's side.
        self.reading = muted(plain_label("", self, wrap=False))
        self.reading.setLayoutDirection(QApplication.layoutDirection())
        self.reading.setVisible(view.kind == "date")
        reading_row = QHBoxLayout()
        reading_row.addWidget(self.reading)
        reading_row.addStretch(1)
        outer.addLayout(reading_row)
        self.set_value(view.value)

    # -- reading back -------------------------------------------------------------------
    def _calendar(self) -> str:
        return str(self.calendar.currentData()) if self.calendar is not None else GREGORIAN

    def _changed(self) -> None:
        self._show_reading()
        self.edited.emit()

    def understood(self) -> DateAnswer | None:
        """The date as typed, or None while it is not (yet) a date."""
        text = self.edit.text().strip()
        if self.kind != "date" or not text:
            return None
        try:
            return DateAnswer.parse_text(text, self._calendar(), self._approximate())
        except DateError:
            return None

    def _approximate(self) -> bool:
        return self.approximate is not None and self.approximate.isChecked()

    def _show_reading(self) -> None:
        if self.kind != "date":
            return
        answer = self.understood()
        text = describe_date(answer, ui_language().lang, _) if answer is not None else ""
        self.reading.setText(text)
        self.reading.setAccessibleName(text)

    # -- the answer ---------------------------------------------------------------------
    def value(self) -> Any:
        text = ascii_digits(self.edit.text())
        if not text:
            return None
        if self.kind == "datetime":
            return text.replace(" ", "T", 1)
        if self.kind != "date":
            return text
        calendar = self._calendar()
        if calendar != GREGORIAN:
            return {"given": text, "calendar": calendar, "approximate": self._approximate()}
        return {"value": text, "approximate": True} if self._approximate() else text

    def set_value(self, value: Any) -> None:
        answer = DateAnswer.from_stored(value) if self.kind == "date" else None
        text = value if isinstance(value, str) else ""
        calendar = self.item_calendar or GREGORIAN
        if answer is not None:
            text, calendar = answer.given, answer.calendar
        for widget in (self.edit, self.approximate, self.calendar):
            if widget is not None:
                widget.blockSignals(True)
        self.edit.setText(text.replace("T", " ", 1) if self.kind == "datetime" else text)
        if self.approximate is not None:
            self.approximate.setChecked(answer is not None and answer.approximate)
        if self.calendar is not None:
            self.calendar.setCurrentIndex(max(0, self.calendar.findData(calendar)))
        for widget in (self.edit, self.approximate, self.calendar):
            if widget is not None:
                widget.blockSignals(False)
        self._show_reading()

    def clear_value(self) -> None:
        self.set_value(None)

    def focus_first(self) -> None:
        self.edit.setFocus()
