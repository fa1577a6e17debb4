"""The case list: search, status filter, sort; a case's interviews; resume, new, delete."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.qt_i18n import _, ngettext
from app.viewmodels.case_list_model import (
    COLUMNS,
    MASKED_NAME,
    STATUS_TEXT,
    CaseIdRole,
    received_tooltip,
)
from app.viewmodels.cases_vm import CaseDetail, CasesViewModel
from app.widgets.common import acc, heading, plain_label, refresh_heading, sensitive, set_button
from app.windows import dialogs
from app.windows.new_case_dialog import NewCaseDialog
from app.windows.server_dialogs import CaseServerPanel
from screening.i18n.bidi import isolate

SEARCH_DELAY_MS = 250
SIZE_ROWS = 40  # rows measured to fit the columns to their contents


class CasesPage(QWidget):
    """Emits:
    new_case_requested(object): a ``NewPerson`` draft (in memory only) for a new case; the
        case is created by the consent step, never here.
    new_interview_requested(str): case id.
    resume_requested(str): interview id (an interview in progress).
    review_requested(str): interview id (a finished interview).
    referral_requested(str): case id.
    names_shown(): the officer chose to show the names the list was masking.
    """

    new_case_requested = Signal(object)
    new_interview_requested = Signal(str)
    resume_requested = Signal(str)
    review_requested = Signal(str)
    referral_requested = Signal(str)
    names_shown = Signal()

    def __init__(self, vm: CasesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.detail: CaseDetail | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = heading("", self)
        top.addWidget(self.title)
        top.addStretch(1)
        self.new_case_button = QPushButton(self)
        self.new_case_button.clicked.connect(self.new_case)
        top.addWidget(self.new_case_button)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self.search = QLineEdit(self)
        self._search_timer.timeout.connect(lambda: self.vm.model.set_search(self.search.text()))
        sensitive(self.search)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.status_label = plain_label("", self, wrap=False)
        self.status = QComboBox(self)
        self.status.currentIndexChanged.connect(
            lambda _i: self.vm.model.set_status(self.status.currentData() or None))
        self.status_label.setBuddy(self.status)
        self.names_button = QPushButton(self)  # masked names (issue #14): show or hide
        self.names_button.clicked.connect(self._toggle_names)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_label)
        filters.addWidget(self.status)
        filters.addWidget(self.names_button)
        layout.addLayout(filters)
        self.count = plain_label("", self)
        layout.addWidget(self.count)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.table = QTableView(split)
        self.table.setModel(vm.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # names vary most
        # Columns fit about a screenful of rows, not 1,000 (Qt's default): measuring text in
        # six scripts for 1,000 rows took longer than the query (issue #19). Not 0 ("the
        # visible rows"): a table not shown would then measure every row.
        header.setResizeContentsPrecision(SIZE_ROWS)
        header.setStretchLastSection(False)
        self.table.setTabKeyNavigation(False)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda _i: self._primary_action())
        vm.model.modelReset.connect(self._model_reset)
        # A new order lets the selection go; the selected case is found again in it.
        self._reselect: str | None = None
        vm.model.layoutAboutToBeChanged.connect(self._keep_selection)
        vm.model.layoutChanged.connect(self._restore_selection)

        side = QWidget(split)
        side_layout = QVBoxLayout(side)
        self.case_title = heading("", side, factor=1.2)
        self.case_name = plain_label("", side)
        self.case_status = plain_label("", side)
        self.case_received = plain_label("", side)  # who handed it over, when (issue #15)
        self.case_received.setObjectName("caseReceived")
        self.interviews_label = plain_label("", side)
        self.interviews = QListWidget(side)
        # A line wraps to the list's width (a tooltip has it whole): no sideways scrolling.
        self.interviews.setWordWrap(True)
        self.interviews.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.interviews.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.interviews.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.interviews.itemActivated.connect(lambda _i: self._open_interview())
        self.interviews_label.setBuddy(self.interviews)
        self.resume_button = QPushButton(side)
        self.resume_button.clicked.connect(self._open_interview)
        self.new_interview_button = QPushButton(side)
        self.new_interview_button.clicked.connect(self._new_interview)
        self.referral_button = QPushButton(side)
        self.referral_button.clicked.connect(self._referral)
        self.reopen_button = QPushButton(side)
        self.reopen_button.clicked.connect(self._reopen)
        self.delete_button = QPushButton(side)
        self.delete_button.clicked.connect(self.delete_selected)
        self.side_layout = side_layout
        self.server_panel: CaseServerPanel | None = None  # "Send to server…" (issue #18)
        for w in (self.case_title, self.case_name, self.case_status, self.case_received,
                  self.interviews_label,
                  self.interviews, self.resume_button, self.new_interview_button,
                  self.referral_button, self.reopen_button):
            side_layout.addWidget(w)
        side_layout.addStretch(1)
        side_layout.addWidget(self.delete_button)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        self.retranslate()
        self._show_detail(None)

    def retranslate(self) -> None:
        refresh_heading(self.title, _("Cases"))
        set_button(self.new_case_button, _("New case…"))
        self.search.setPlaceholderText(_("Search by case reference, name or date (2026-03-07)"))
        acc(self.search, _("Search cases"))
        self.status_label.setText(_("Status"))
        current = self.status.currentData()
        self.status.blockSignals(True)
        self.status.clear()
        self.status.addItem(_("All"), "")
        for key, text in STATUS_TEXT.items():
            self.status.addItem(_(text), key)
        self.status.setCurrentIndex(max(0, self.status.findData(current or "")))
        self.status.blockSignals(False)
        acc(self.status, _("Show cases with status"))
        acc(self.table, _("Cases"))
        acc(self.interviews, _("Interviews in this case"))
        self.interviews_label.setText(_("Interviews"))
        set_button(self.new_interview_button, _("New interview"))
        set_button(self.referral_button, _("Referral…"))
        set_button(self.reopen_button, _("Reopen to change answers"))
        set_button(self.delete_button, _("Delete case…"))
        self._names_button_text()
        self.vm.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self._render_count()
        self._show_detail(self.detail)

    def set_server_panel(self, panel: CaseServerPanel) -> None:
        """The case's server line and "Send to server…", under its other actions."""
        self.server_panel = panel
        self.side_layout.insertWidget(self.side_layout.indexOf(self.reopen_button) + 1, panel)
        panel.case_changed.connect(self._sent)
        panel.show_case(self.detail)

    def _sent(self, case_id: str) -> None:
        """A send for the case ended: show its new state (or that it is gone)."""
        self.vm.model.refresh()  # a case removed after sending leaves the list
        self.select_case(case_id)

    # -- names --------------------------------------------------------------------------
    def set_names_masked(self, masked: bool) -> None:
        self.vm.model.set_masked(masked)
        self._names_button_text()
        self._show_detail(self.detail)

    def _toggle_names(self) -> None:
        masked = not self.vm.model.masked
        self.set_names_masked(masked)
        if not masked:
            self.names_shown.emit()

    def _names_button_text(self) -> None:
        if self.vm.model.masked:
            set_button(self.names_button, _("Show names"),
                       _("Names are hidden while an interview is open (Settings)"))
        else:
            set_button(self.names_button, _("Hide names"), _("Show dots instead of names"))

    # -- list ---------------------------------------------------------------------------
    def refresh(self, select_case: str | None = None) -> None:
        self.vm.model.set_search(self.search.text())
        if select_case:
            self.select_case(select_case)

    def select_case(self, case_id: str) -> None:
        row = self.vm.model.row_of(case_id)
        if row >= 0:
            index = self.vm.model.index(row, 0)
            # Not QTableView.selectRow: it takes the column under the view's leading edge,
            # which in a right-to-left layout (Arabic) is past the last column, and selects
            # nothing: a received case was not selected nor its details shown.
            flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                     | QItemSelectionModel.SelectionFlag.Rows)
            self.table.selectionModel().setCurrentIndex(index, flags)
            self.table.scrollTo(index)

    def _keep_selection(self) -> None:
        self._reselect = self.detail.id if self.detail else None

    def _restore_selection(self) -> None:
        case_id, self._reselect = self._reselect, None
        if case_id:
            self.select_case(case_id)

    def _model_reset(self) -> None:
        self._render_count()
        self._show_detail(None)

    def _render_count(self) -> None:
        n = self.vm.model.rowCount()
        if self.vm.model.truncated:
            text = ngettext("More than {n} case found: type more to narrow the search.",
                            "More than {n} cases found: type more to narrow the search.",
                            n).format(n=n)
        elif self.vm.model.filtered:
            text = ngettext("{n} case found", "{n} cases found", n).format(n=n)
        else:
            text = ngettext("{n} case", "{n} cases", n).format(n=n)
        self.count.setText(text)
        self.count.setAccessibleName(text)

    def _selected_case(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(CaseIdRole) if rows else None

    def _selection_changed(self, _sel: QItemSelection, _old: QItemSelection) -> None:
        case_id = self._selected_case()
        self._show_detail(self.vm.detail(case_id) if case_id else None)

    # -- detail -------------------------------------------------------------------------
    def _show_detail(self, detail: CaseDetail | None) -> None:
        self.detail = detail
        self.interviews.clear()
        if detail is None:
            refresh_heading(self.case_title, _("No case selected"), 1.2)
            self.case_name.clear()
            self.case_status.clear()
            self.case_received.clear()
            self.case_received.hide()
        else:
            refresh_heading(self.case_title, detail.reference, 1.2)
            self.case_name.setText(MASKED_NAME if self.vm.model.masked
                                   else detail.name or _("No name recorded"))
            self.case_status.setText(_("Status: {status}").format(status=detail.status))
            received = self.vm.model.received_from(detail.id)
            self.case_received.setText(received_tooltip(received) if received else "")
            self.case_received.setVisible(received is not None)
            for row in detail.interviews:
                state = _("finished") if row.finished else _("in progress")
                text = _("{instrument} · {state} · started {date}").format(
                    instrument=isolate(row.instrument), state=state, date=row.started)
                item = QListWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                self.interviews.addItem(item)
            draft = detail.draft
            rows = [r.id for r in detail.interviews]
            if rows:
                self.interviews.setCurrentRow(rows.index(draft.id) if draft else len(rows) - 1)
        if self.server_panel is not None:
            self.server_panel.show_case(detail)
        self._update_buttons()

    def _current_interview(self) -> tuple[str, bool] | None:
        item = self.interviews.currentItem()
        if item is None or self.detail is None:
            return None
        interview_id = item.data(Qt.ItemDataRole.UserRole)
        row = next((r for r in self.detail.interviews if r.id == interview_id), None)
        return (row.id, row.finished) if row else None

    def _update_buttons(self) -> None:
        has_case = self.detail is not None
        current = self._current_interview()
        for button in (self.new_interview_button, self.referral_button, self.delete_button):
            button.setEnabled(has_case)
        self.resume_button.setEnabled(current is not None)
        set_button(self.resume_button, _("Review answers") if current and current[1]
                   else _("Resume interview"))
        self.reopen_button.setEnabled(bool(current and current[1]))

    def _primary_action(self) -> None:
        if self.detail is None:
            return
        if self.detail.draft is not None:
            self.resume_requested.emit(self.detail.draft.id)
        else:
            self.new_interview_requested.emit(self.detail.id)

    def _open_interview(self) -> None:
        current = self._current_interview()
        if current is None:
            return
        interview_id, finished = current
        (self.review_requested if finished else self.resume_requested).emit(interview_id)

    def _new_interview(self) -> None:
        if self.detail:
            self.new_interview_requested.emit(self.detail.id)

    def _referral(self) -> None:
        if self.detail:
            self.referral_requested.emit(self.detail.id)

    def _reopen(self) -> None:
        current = self._current_interview()
        if current is None or not current[1]:
            return
        if not dialogs.ask(self, _("Reopen the interview?"), _(
                "The stored result is cleared until you finish the interview again. Every "
                "change is recorded in the audit trail."), _("Reopen")):
            return
        if self.vm.app_vm.is_open and self.vm.reopen(current[0]):
            self.resume_requested.emit(current[0])

    # -- new and delete -----------------------------------------------------------------
    def new_case(self) -> NewCaseDialog:
        dialog = NewCaseDialog(self)
        dialog.accepted.connect(lambda: self._continue_new_case(dialog))
        dialog.open()
        return dialog

    def _continue_new_case(self, dialog: NewCaseDialog) -> None:
        person = dialog.person()
        dialog.clear_personal_data()
        self.new_case_requested.emit(person)  # stored only after consent

    def delete_selected(self) -> None:
        if self.detail is None:
            return
        detail = self.detail
        if not dialogs.ask(self, _("Delete this case?"), _(
                "Case {reference} and every interview, answer and note in it will be deleted "
                "from this computer for good. Backups made earlier still contain it.").format(
                    reference=detail.reference), _("Delete for good"), danger=True):
            return
        if self.vm.app_vm.is_open:
            self.vm.delete_case(detail.id)

    def clear_personal_data(self) -> None:
        self._search_timer.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.vm.clear()
        self._show_detail(None)

    def show_failure(self, code: str) -> None:
        show_error(self, code)
