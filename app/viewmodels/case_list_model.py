"""The case list: a lazy ``QAbstractTableModel`` over the store, with search, status filter and
sort.

One model, no widget per row, and no row in memory that is not on screen (issue #19: 100,000
cases): the row count is one ``store.cases.count``; rows are read a window of ``WINDOW`` at a
time, when the view asks for them, through ``store.cases.page``, which sorts and filters in
SQL on the store's indexes; a few windows are kept. A new search, status or order is a new
count and an empty cache; a case is found again by its position in the new order. Search goes
to the store's full-text index (accent- and case-blind in every script), or matches dates when
the text looks like one ("2026-03" finds cases created or changed then). The rows hold names,
so ``clear()`` empties the model and its cache when the app locks. With ``masked`` (while an
interview is open, by default: issue #14) the name column shows dots, so a list opened in front
of a respondent does not show everyone else's name.
"""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.formatting import datetime_text
from app.qt_i18n import N_, _, ltr, ui_language
from app.viewmodels.app_vm import AppViewModel
from screening.errors import ScreeningError
from screening.i18n.bidi import isolate
from screening.store import CaseSummary, ReceivedFrom
from screening.store.caselist import SEARCH_LIMIT, is_date

log = logging.getLogger(__name__)

CaseIdRole = Qt.ItemDataRole.UserRole + 1
MASKED_NAME = "••••••"  # the same for every name: not even its length shows
WINDOW = 200  # rows read at a time
KEPT_WINDOWS = 8  # windows kept, the least recently used dropped first

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
        self._count = 0
        self._windows: OrderedDict[int, list[CaseSummary]] = OrderedDict()
        self._search = ""
        self._status: str | None = None
        self._sort = (5, Qt.SortOrder.DescendingOrder)
        self.truncated = False  # the search found more than SEARCH_LIMIT cases
        self.masked = False  # names shown as dots
        # Dates as shown, by stamp and UI language: Babel takes ~0.1 ms a date, and the view
        # asks for each cell many times (size hints, paint, accessibility).
        self._dates: dict[tuple[str, str], str] = {}

    def set_masked(self, masked: bool) -> None:
        if masked != self.masked:
            self.masked = masked
            if self._count:
                self.dataChanged.emit(self.index(0, 1), self.index(self._count - 1, 1))

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

    def _order(self) -> dict[str, Any]:
        column, order = self._sort
        return {"sort": COLUMNS[column][0],
                "descending": order == Qt.SortOrder.DescendingOrder}

    def _filter(self) -> dict[str, Any]:
        return {"status": self._status, "query": self._search or None,
                "search_limit": SEARCH_LIMIT}

    def _counted(self) -> int:
        cases = self.app_vm.require_store().cases
        text = self._search
        if not text or is_date(text):
            return cases.count(**self._filter())
        # A search lists its first SEARCH_LIMIT matches; one more says there are more.
        found = cases.count(query=text, search_limit=SEARCH_LIMIT + 1)
        self.truncated = found > SEARCH_LIMIT
        if self._status is None:
            return min(found, SEARCH_LIMIT)
        return cases.count(**self._filter())

    def refresh(self) -> None:
        self.truncated = False
        self.beginResetModel()
        self._windows.clear()
        self._count = 0
        try:
            self._count = self._counted() if self.app_vm.is_open else 0
        finally:
            self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._windows.clear()
        self._dates.clear()
        self._count = 0
        self._search = ""
        self._status = None
        self.truncated = False
        self.endResetModel()

    def _case(self, row: int) -> CaseSummary | None:
        """The case at ``row``, from its window (read from the store when not kept)."""
        if not 0 <= row < self._count:
            return None
        number, at = divmod(row, WINDOW)
        window = self._windows.get(number)
        if window is None:
            store = self.app_vm.store
            if store is None:
                return None
            try:
                window = store.cases.page(offset=number * WINDOW, limit=WINDOW,
                                          **self._order(), **self._filter())
            except ScreeningError as exc:  # painting must go on: the row stays empty
                log.warning("reading the case list failed: %s", exc.code)
                return None
            self._windows[number] = window
            while len(self._windows) > KEPT_WINDOWS:
                self._windows.popitem(last=False)
        else:
            self._windows.move_to_end(number)
        return window[at] if at < len(window) else None

    def case_id(self, row: int) -> str | None:
        case = self._case(row)
        return case.id if case else None

    def received_from(self, case_id: str) -> ReceivedFrom | None:
        """Where a case came from (None: made here, or no such case)."""
        for window in self._windows.values():
            for case in window:
                if case.id == case_id:
                    return case.received_from
        store = self.app_vm.store
        return store.cases.received_from(case_id) if store is not None else None

    def row_of(self, case_id: str) -> int:
        """The row of ``case_id`` in the list as sorted and filtered now; -1 if not listed."""
        store = self.app_vm.store
        if store is None or not self._count:
            return -1
        row = store.cases.position(case_id, **self._order(), **self._filter())
        return row if row is not None and row < self._count else -1

    # -- Qt model -----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ROLES:
            return None
        case = self._case(index.row())
        if case is None:
            return None
        if role == CaseIdRole:
            return case.id
        received = case.received_from
        if role == Qt.ItemDataRole.ToolTipRole:
            # A packet's text (an agency's name) is never read as HTML: escaped, in <qt>.
            return (plain_tooltip(received_tooltip(received))
                    if received and index.column() == RECEIVED_COLUMN else None)
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
            return self._date(case.created_at)
        if column == "received":
            if received is None:  # a screen reader hears a word, not silence
                return ("" if role == Qt.ItemDataRole.DisplayRole
                        else _("Not received: made here"))
            return sender_text(received)
        return self._date(case.updated_at)

    def _date(self, stamp: str) -> str:
        key = (ui_language().lang, stamp)
        text = self._dates.get(key)
        if text is None:
            if len(self._dates) >= 2 * WINDOW * KEPT_WINDOWS:
                self._dates.clear()
            text = self._dates[key] = short_date(stamp)
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A new order, read from the store. Rows held by the view (its selection, its
        current cell) are let go: finding each again costs a count over the store, which
        the cases page does for the one selected case only (``CasesPage``)."""
        if (column, order) == self._sort:
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._windows.clear()
        held = self.persistentIndexList()
        self.changePersistentIndexList(held, [QModelIndex()] * len(held))
        self.layoutChanged.emit()


_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole, CaseIdRole})
