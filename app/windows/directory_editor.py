"""Edit the referral directory in the app: a table of every column of the directory CSV.

Saving validates the whole table with the core's directory parser (every problem named by
row and column); only a valid table replaces the agency's directory file. Entries whose id
matches a shipped one replace it; shipped entries can be changed here but not removed.
The directory lists services, not people, so it is kept as a plain CSV in the data folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

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

from app.qt_i18n import _
from app.viewmodels import directory
from app.widgets.common import Banner, acc, plain_label, set_button
from screening.errors import ScreeningError
from screening.reports.directory import COLUMNS


def read_rows(path: Path | None) -> list[dict[str, str]]:
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [dict(row) for row in csv.DictReader(fh)]


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return buffer.getvalue()


def _table_rows(message: str, draft: str) -> str:
    """Say "row N" of the table where the core says "file:line" of the CSV it checked."""
    lines = [line.strip() for line in message.splitlines()[1:]] or [message]
    # The CSV has a header line, so CSV line L is table row L - 1.
    return "\n".join(
        re.sub(rf"{re.escape(draft)}:(\d+)", lambda m: f"row {int(m.group(1)) - 1}", line)
        for line in lines
    )


class DirectoryEditorDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.resize(1200, 600)
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        self.problems = Banner("warning", self)
        self.problems.hide()
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        # The grid is the CSV itself: ids, phone numbers, addresses, web links and column
        # names read left to right; in a right-to-left UI "+1 555 0101" would come out as
        # "0101 555 1+". Arabic names in cells still shape and read right to left.
        self.table.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        for row in read_rows(directory.editable_source(data_dir)):
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
        folder = directory.imported_path(self.data_dir).parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = folder / ".edited.csv"
        draft.write_text(to_csv(self.rows()), encoding="utf-8")
        try:
            directory.import_csv(self.data_dir, draft)
        except (ScreeningError, LookupError, OSError, ValueError) as exc:
            self.problems.set_text(_("Nothing was saved. Please correct:") + "\n"
                                   + _table_rows(str(exc), draft.name))
            self.problems.show()
            return False
        finally:
            if draft.exists():
                os.unlink(draft)
        self.accept()
        return True
