"""Edit the referral directory in the app: a table of every column of the directory CSV.

Saving validates the whole table with the core's directory parser (every problem named by
row and column); only a valid table replaces the agency's directory, which the core keeps
inside the encrypted store (it reveals which agencies a team works with; backups carry it).
Entries whose id matches a shipped one replace it; shipped entries can be changed here but
not removed. Nothing is written to the data folder.
"""

from __future__ import annotations

import csv
import io

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import N_, _
from app.viewmodels.settings_vm import SettingsViewModel
from app.widgets.bidi_view import show_isolated
from app.widgets.common import Banner, acc, plain_label, set_button
from screening.errors import Problem
from screening.reports.directory import COLUMNS

# The directory file's columns by name in the UI language (the file's own column name is in
# the header's tooltip, for editing a copy in a spreadsheet).
COLUMN_TEXT = {
    "id": N_("ID"),
    "country": N_("Country"),
    "region": N_("Region"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "phone": N_("Phone"),
    "text": N_("Text message"),
    "relay": N_("Relay service"),
    "email": N_("Email"),
    "address": N_("Address"),
    "web": N_("Web"),
    "languages": N_("Languages"),
    "interpreters": N_("Interpreters"),
    "hours": N_("Hours"),
    "needs": N_("Helps with"),
    "example": N_("Example entry"),
    "notes": N_("Notes"),
    "age_recipient": N_("Agency's public key"),
}


def read_rows(text: str) -> list[dict[str, str]]:
    """The rows of a directory CSV (header names as keys)."""
    if not text.strip():
        return []
    return [dict(row) for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"),
                                                            newline=""))]


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return buffer.getvalue()


def problem_text(problem: Problem) -> str:
    """A problem the core found in the table's CSV, named by table row (CSV line L is table
    row L - 1: the CSV has a header line)."""
    if problem.line is not None and problem.line > 1:
        return _("Row {row}: {problem}").format(row=problem.line - 1, problem=problem.message)
    return problem.message


class DirectoryEditorDialog(QDialog):
    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.resize(1200, 600)
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        self.problems = Banner("warning", self)
        self.problems.hide()
        self.table = QTableWidget(0, len(COLUMNS), self)
        for col in range(len(COLUMNS)):
            self.table.setHorizontalHeaderItem(col, QTableWidgetItem())
        # The grid is the CSV itself: ids, phone numbers, addresses, web links and column
        # names read left to right; in a right-to-left UI "+1 555 0101" would come out as
        # "0101 555 1+". Arabic names in cells still shape and read right to left.
        self.table.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        # Each cell is shown in its own direction (an Arabic name right to left, with its
        # full stop at its end); what is edited and saved is the text as typed.
        show_isolated(self.table)
        for row in read_rows(vm.editable_directory()):
            self._append(row)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(lambda: self._append({"country": "", "example": "no"}))
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(self._remove)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.intro)
        layout.addWidget(self.problems)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.cancel_button, self.save_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit the referral directory"))
        self.intro.setText(_("One row per service. Separate several languages or needs with "
                             "';'. Entries with the id of a shipped service replace it."))
        acc(self.table, _("Referral directory"))
        for col, name in enumerate(COLUMNS):
            header = self.table.horizontalHeaderItem(col)
            assert header is not None
            header.setText(_(COLUMN_TEXT[name]) if name in COLUMN_TEXT else name)
            header.setToolTip(_("Column “{name}” in the directory file (CSV)").format(
                name=name))
        set_button(self.add_button, _("Add a service"))
        set_button(self.remove_button, _("Remove the selected service"))
        set_button(self.save_button, _("Save"))
        set_button(self.cancel_button, _("Cancel"))

    def _append(self, values: dict[str, str]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, name in enumerate(COLUMNS):
            self.table.setItem(row, col, QTableWidgetItem(values.get(name, "") or ""))

    def _remove(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)

    def rows(self) -> list[dict[str, str]]:
        out = []
        for row in range(self.table.rowCount()):
            values = {}
            for col, name in enumerate(COLUMNS):
                item = self.table.item(row, col)
                values[name] = item.text().strip() if item is not None else ""
            if any(values.values()):
                out.append(values)
        return out

    def save(self) -> bool:
        """Validate and keep the table; on a problem, say where and keep the dialog open."""
        problems = self.vm.save_edited_directory(to_csv(self.rows()))
        if problems:
            self.problems.set_text(_("Nothing was saved. Please correct:") + "\n"
                                   + "\n".join(problem_text(p) for p in problems))
            self.problems.show()
            return False
        self.accept()
        return True
