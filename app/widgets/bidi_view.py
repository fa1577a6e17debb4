"""Mixed-direction data in views: the shared helper (``screening.i18n.bidi``) applied to Qt.

Qt's text engine implements the Unicode isolates the helper inserts, so a phone number,
URL, id or date shown in the Arabic UI reads left to right, and an English note keeps its
full stop at its end. Read-only text gets the isolates in the string itself (``data``);
editable cells keep the typed text and isolate it only for display (``BidiDelegate``), so no
control character ever reaches what is saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QWidget

from app.qt_i18n import ui_language
from screening.i18n.bidi import LRM, RLM, bidi_text, isolate

__all__ = ["BidiDelegate", "data", "lines", "show_isolated"]


def _around(widget: QWidget | None = None) -> str:
    """The direction of the text around data: the widget's, else the UI's."""
    rtl = widget.isRightToLeft() if widget is not None else ui_language().rtl
    return "rtl" if rtl else "ltr"


def data(text: str) -> str:
    """User, directory or instrument text to put inside a label or a translated sentence:
    every line an isolate of its own direction, with its phone numbers, URLs and ids left to
    right (text without letters, such as a list of numbers, follows the UI's direction)."""
    if "\n" in text:
        return bidi_text(text, default=_around())
    return isolate(text, _around()) if text else text


def lines(texts: list[str], widget: QWidget | None = None) -> str:
    """Lines of the UI's words with data in them, for a label: each starts with a mark of the
    UI's direction. Qt picks each paragraph's direction from its first letter and, unlike
    UAX #9, does not skip isolates, so a line that starts with an Arabic name would be laid
    out right to left in an English UI ("Shelter · <name>" instead of "<name> · Shelter")."""
    mark = RLM if _around(widget) == "rtl" else LRM
    return "\n".join(mark + text for text in texts)


class BidiDelegate(QStyledItemDelegate):
    """Shows each cell's text through ``bidi_text``; editing sees the text as typed."""

    def displayText(self, value: Any, locale: QLocale | QLocale.Language) -> str:
        view = self.parent()
        around = _around(view if isinstance(view, QWidget) else None)
        return bidi_text(super().displayText(value, locale), default=around)


def show_isolated(view: QAbstractItemView, *columns: int) -> BidiDelegate:
    """Display ``columns`` of ``view`` (all of them when none are given) through a
    ``BidiDelegate``."""
    delegate = BidiDelegate(view)
    if columns:
        for column in columns:
            view.setItemDelegateForColumn(column, delegate)
    else:
        view.setItemDelegate(delegate)
    return delegate
