"""Filling the referral details form (issue #15) the way an officer does: typing into lines
and texts, Enter, choosing from lists, ticking boxes, setting numbers."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.windows.referral_page import ReferralPage
from screening.casework.referral_details import (
    CHOICE,
    CHOICES,
    COUNT,
    FIELDS,
    FLAG,
    LINE,
    PERIOD,
    TEXT,
    YES_NO,
)


def fill_details(qtbot: Any, page: ReferralPage, values: dict[str, Any]) -> None:
    """Enter ``values`` (the answers file's shape) into the page's details tab. Longer texts
    are typed and left pending, as when the officer has not left the field yet."""
    form = page.details
    page.tabs.setCurrentWidget(form)
    for spec in FIELDS:
        value = values.get(spec.name)
        widget = form.inputs[spec.name]
        if spec.kind in (LINE, PERIOD) and value:
            qtbot.keyClicks(widget, value)
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        elif spec.kind == TEXT and value:
            qtbot.keyClicks(widget, value)
        elif spec.kind in (CHOICE, YES_NO):
            index = widget.findData(value)
            assert index >= 0, spec.name
            widget.setCurrentIndex(index)
            widget.activated.emit(index)
        elif spec.kind == CHOICES:
            for code in value or ():
                form.boxes[spec.name][code].click()
        elif spec.kind == COUNT:
            widget.setValue(-1 if value is None else value)
        elif spec.kind == FLAG and value:
            widget.click()
