"""The case list: a ``QAbstractTableModel`` over the store, with search, status filter and sort.

One model, no widget per row: 10,000 cases are one query (about 40 ms) and a Python sort.
Search goes to the store's full-text index (accent- and case-blind in every script), or
matches dates when the text looks like one ("2026-03" finds cases created or changed then).
The rows hold names, so ``clear()`` empties the model when the app locks. With ``masked``
(while an interview is open, by default: issue #14) the name column shows dots, so a list
opened in front of a respondent does not show everyone else's name.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.formatting import datetime_text
from app.qt_i18n import N_, _, ltr
from app.viewmodels.app_vm import AppViewModel
from screening.i18n.bidi import isolate
from screening.store import CaseSummary, ReceivedFrom

log = logging.getLogger(__name__)

CaseIdRole = Qt.ItemDataRole.UserRole + 1
MASKED_NAME = "••••••"  # the same for every name: not even its length shows
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SEARCH_LIMIT = 2000

STATUS_TEXT = {
    "draft": N_("Draft"),
    "screened": N_("Screened"),
    "referred": N_("Referred"),
    "closed": N_("Closed"),
}
COLUMNS = (
    ("reference", N_("Case reference")),
    ("name", N_("Name")),
    ("status", N_("Status")),
    ("interviews", N_("Interviews")),
    ("created", N_("Created")),
    ("updated", N_("Last change")),
    # Issue #15: a case handed over by another agency shows who sent it (tooltip: when).
    ("received", N_("Received from")),
)
RECEIVED_COLUMN = len(COLUMNS) - 1

AnyIndex = QModelIndex | QPersistentModelIndex


def status_text(status: str) -> str:
    return _(STATUS_TEXT[status]) if status in STATUS_TEXT else status


def sender_text(received: ReceivedFrom) -> str:
    """The case list's "Received from": the agency, else the officer. A packet's text: as an
    isolate of its own direction, bidi controls in it removed (screening.i18n.bidi)."""
    return isolate(received.agency or received.officer) if (
        received.agency or received.officer) else _("an unnamed sender")


def received_tooltip(received: ReceivedFrom) -> str:
    """Who sent a received case and when; and the case it updates or repeats."""
    who = (isolate(_("{officer} ({agency})").format(officer=received.officer,
                                                     agency=received.agency))
           if received.officer and received.agency else sender_text(received))
    lines = [_("Received from {sender} on {received}.").format(
                 sender=who, received=datetime_text(received.received_at)),
             _("Sent on {sent}; their case reference: {reference}.").format(
                 sent=datetime_text(received.sent_at),
                 reference=ltr(received.sender_case_reference))]
    earlier = ltr(received.earlier_reference) if received.earlier_reference else None
    if earlier and received.relation == "newer":
        lines.append(_("An updated referral: case {reference} holds the earlier one.").format(
            reference=earlier))
    elif earlier and received.relation == "older":
        lines.append(_("An older referral than case {reference}, stored as well.").format(
            reference=earlier))
    elif earlier:
        lines.append(_("Received before as case {reference}, and stored again.").format(
            reference=earlier))
    return "\n".join(lines)


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it as it is: Qt reads a tooltip that looks like HTML
    as HTML, so it is escaped and marked as rich text, lines kept."""
    return "<qt>" + "<br>".join(html.escape(line) for line in text.splitlines()) + "</qt>"


def short_date(iso: str) -> str:
    """A stored UTC stamp as the officer's local day and time, in the UI language (Babel),
    like every other time the app shows."""
    return datetime_text(iso) if iso else ""


class CaseListModel(QAbstractTableModel):
    def __init__(self, app_vm: AppViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_vm = app_vm
        self._rows: list[CaseSummary] = []
        self._search = ""
        self._status: str | None = None
        self._sort = (5, Qt.SortOrder.DescendingOrder)
        self.truncated = False  # the search hit SEARCH_LIMIT: more cases match
        self.masked = False  # names shown as dots

    def set_masked(self, masked: bool) -> None:
        if masked != self.masked:
            self.masked = masked
            if self._rows:
                self.dataChanged.emit(self.index(0, 1), self.index(len(self._rows) - 1, 1))

    # -- queries ------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self._search = text.strip()
        self.refresh()

    def set_status(self, status: str | None) -> None:
        self._status = status or None
        self.refresh()

    @property
    def filtered(self) -> bool:
        return bool(self._search or self._status)

    def _query(self) -> list[CaseSummary]:
        store = self.app_vm.require_store()
        text = self._search
        if not text:
            return store.cases.list(status=self._status)
        if _DATE.match(text):
            rows = [c for c in store.cases.list(status=self._status)
                    if c.created_at.startswith(text) or c.updated_at.startswith(text)]
            return rows
        rows = store.cases.search(text, limit=SEARCH_LIMIT + 1)
        self.truncated = len(rows) > SEARCH_LIMIT
        rows = rows[:SEARCH_LIMIT]
        if self._status:
            rows = [c for c in rows if c.status == self._status]
        return rows

    def refresh(self) -> None:
        self.truncated = False
        self.beginResetModel()
        self._rows = self._query() if self.app_vm.is_open else []
        self._sort_rows()
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._search = ""
        self._status = None
        self.endResetModel()

    def case_id(self, row: int) -> str | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def received_from(self, case_id: str) -> ReceivedFrom | None:
        """Where a listed case came from (None: made here, or not listed)."""
        row = self.row_of(case_id)
        return self._rows[row].received_from if row >= 0 else None

    def row_of(self, case_id: str) -> int:
        for i, c in enumerate(self._rows):
            if c.id == case_id:
                return i
        return -1

    # -- Qt model -----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        case = self._rows[index.row()]
        if role == CaseIdRole:
            return case.id
        received = case.received_from
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == RECEIVED_COLUMN:
            # A packet's text (an agency's name) is never read as HTML: escaped, in <qt>.
            return plain_tooltip(received_tooltip(received)) if received else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            column = COLUMNS[index.column()][0]
            if column == "reference":
                return case.reference
            if column == "name" and self.masked:
                return (MASKED_NAME if role == Qt.ItemDataRole.DisplayRole
                        else _("Name hidden"))
            if column == "name":
                return case.name or ""
            if column == "status":
                return status_text(case.status)
            if column == "interviews":
                return str(case.interview_count)
            if column == "created":
                return short_date(case.created_at)
            if column == "received":
                if received is None:  # a screen reader hears a word, not silence
                    return ("" if role == Qt.ItemDataRole.DisplayRole
                            else _("Not received: made here"))
                return sender_text(received)
            return short_date(case.updated_at)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._sort_rows()
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        column, order = self._sort
        name = COLUMNS[column][0]
        keys = {
            "reference": lambda c: c.reference.casefold(),
            "name": lambda c: (c.name or "").casefold(),
            "status": lambda c: c.status,
            "interviews": lambda c: c.interview_count,
            "created": lambda c: c.created_at,
            "updated": lambda c: c.updated_at,
            "received": lambda c: (sender_text(c.received_from).casefold()
                                   if c.received_from else ""),
        }
        self._rows.sort(key=keys[name], reverse=order == Qt.SortOrder.DescendingOrder)
