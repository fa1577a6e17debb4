"""The answer widget for an item type."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.viewmodels.interview_vm import StepView
from app.widgets.acknowledge import AcknowledgeWidget
from app.widgets.answer_base import AnswerWidget
from app.widgets.date_input import DateWidget
from app.widgets.free_text import FreeTextWidget
from app.widgets.multi_choice import MultiChoiceWidget
from app.widgets.number_input import NumberWidget
from app.widgets.single_choice import SingleChoiceWidget


def make_answer_widget(view: StepView, show_officer: bool,
                       parent: QWidget | None = None) -> AnswerWidget | None:
    """None for items that take no answer (notes)."""
    kind = view.kind
    if not view.answerable:
        return None
    if kind in ("single_choice", "yes_no", "observation"):
        return SingleChoiceWidget(view, show_officer, parent)
    if kind == "multiple_choice":
        return MultiChoiceWidget(view, show_officer, parent)
    if kind in ("integer", "decimal"):
        return NumberWidget(view, parent)
    if kind in ("date", "time", "datetime"):
        return DateWidget(view, parent)
    if kind == "acknowledge":
        return AcknowledgeWidget(view, parent)
    return FreeTextWidget(view, parent)
