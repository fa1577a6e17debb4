"""Settings tabs: referral directory, questionnaires, backup/restore/export, audit trail.

Imported questionnaires and the imported (or edited) referral directory are installed by the
core inside the encrypted store; the tabs say so, and backups carry them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.formatting import EXPORT_FORMATS, datetime_text, event_label, event_tooltip, format_label
from app.qt_i18n import _, ltr, ngettext, ui_language
from app.viewmodels.catalog import INSTRUMENT_SUFFIXES, XLSFORM_SUFFIXES, InstrumentCard
from app.viewmodels.settings_vm import SettingsViewModel
from app.widgets.common import Banner, BusyBar, acc, plain_label, set_button
from app.widgets.instrument_card import VALIDATION, languages_text
from app.widgets.service_table import region_text, service_columns
from app.windows import dialogs
from app.windows.directory_editor import DirectoryEditorDialog


def _table(parent: QWidget, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[tuple[str, ...]],
          tooltips: Sequence[tuple[str, ...]] | None = None) -> None:
    """Rows of text; each cell's tooltip is its whole text (a narrow column cuts it) unless
    ``tooltips`` gives another."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(tooltips[r][c] if tooltips else text)
            table.setItem(r, c, item)
    fit = table.property("fit_rows")
    if isinstance(fit, QTimer):
        fit.start()


def _wrap_rows_on_resize(table: QTableWidget) -> None:
    """Keep wrapped cells whole: row heights follow the column widths (once the layout has
    settled: the columns change width several times while a dialog opens)."""
    fit = QTimer(table)
    fit.setSingleShot(True)
    fit.setInterval(0)
    fit.timeout.connect(table.resizeRowsToContents)
    table.setProperty("fit_rows", fit)
    table.horizontalHeader().sectionResized.connect(lambda *_a: fit.start())


class TabPage(QWidget):
    """A page of the settings dialog: retranslated on a language change, loaded on open."""

    def retranslate(self) -> None:
        raise NotImplementedError

    def load(self) -> None:
        """Read what the page shows (the store is open)."""


class _OpTab(TabPage):
    """A tab that runs settings operations and shows their outcome."""

    ops: tuple[str, ...] = ()

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.busy = BusyBar(self)
        self.status = plain_label("", self, selectable=True)
        vm.done.connect(self._done)
        vm.failed.connect(self._failed)

    def _start(self) -> None:
        self.status.clear()
        self.busy.set_busy(True, _("Working"))

    def _done(self, op: str, result: Any) -> None:
        if op in self.ops:
            self.busy.set_busy(False)
            self.finished(op, result)

    def _failed(self, op: str, code: str, incident: str) -> None:
        if op in self.ops:
            self.busy.set_busy(False)
            show_error(self, code, incident=incident or None)

    def finished(self, op: str, result: Any) -> None:
        raise NotImplementedError


class DirectoryTab(_OpTab):
    ops = ("directory",)

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, parent)
        layout = QVBoxLayout(self)
        self.unavailable = Banner("warning", self)
        self.table = _table(self, 5)
        self.intro = plain_label("", self)
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self._import)
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self._copy)
        self.edit_button = QPushButton(self)
        self.edit_button.clicked.connect(self.edit)
        layout.addWidget(self.unavailable)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.edit_button)
        row.addWidget(self.copy_button)
        row.addWidget(self.import_button)
        layout.addLayout(row)

    def retranslate(self) -> None:
        self.unavailable.set_text(_("The referral directory could not be read. Import a "
                                    "corrected directory file."))
        self.intro.setText(_("Edit the directory here, or save a copy, edit it in a "
                             "spreadsheet (keep the header row) and import it. Your entries "
                             "replace shipped ones with the same id. An imported or edited "
                             "directory is kept inside the encrypted data, not as a file; "
                             "backups include it."))
        self.table.setHorizontalHeaderLabels([_("Service"), _("Kind"), _("Languages"),
                                              _("Region"), _("Contact")])
        acc(self.table, _("Referral directory"))
        set_button(self.edit_button, _("Edit…"))
        set_button(self.copy_button, _("Save a copy to edit…"))
        set_button(self.import_button, _("Import a directory file (CSV)…"))

    def load(self) -> None:
        if not self.vm.app_vm.is_open:
            return
        services = self.vm.services()
        self.unavailable.setVisible(services is None)
        self.copy_button.setEnabled(services is not None)
        self.edit_button.setEnabled(services is not None)
        rows = []
        for s in services or []:
            name, kind, langs, contacts = service_columns(s)
            rows.append((name, kind, langs, region_text(s.region), contacts))
        _fill(self.table, rows)

    def edit(self) -> DirectoryEditorDialog:
        dialog = DirectoryEditorDialog(self.vm, self)
        dialog.accepted.connect(self.load)
        dialog.accepted.connect(lambda: self.status.setText("✓ " + _("Directory saved.")))
        dialog.open()
        return dialog

    def _copy(self) -> None:
        path = dialogs.choose_save_path(self, _("Save a copy to edit"), "referrals.csv",
                                        _("CSV files (*.csv)"),
                                        check=self.vm.app_vm.workspace.check_output)
        if path is not None and self.vm.app_vm.is_open:
            self.vm.copy_directory(path)

    def _import(self) -> None:
        path = dialogs.choose_open_path(self, _("Import a referral directory"),
                                        _("CSV files (*.csv)"))
        if path is not None and self.vm.app_vm.is_open:
            self.vm.import_directory(path)

    def finished(self, op: str, result: Any) -> None:
        if result is None:
            self.status.setText("✓ " + _("A copy was saved. Edit it, then import it."))
            return
        self.status.setText("✓ " + ngettext("{n} service imported.", "{n} services imported.",
                                            int(result)).format(n=int(result)))
        self.load()


class InstrumentsTab(_OpTab):
    ops = ("instrument", "instrument.remove")

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, parent)
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        self.table = _table(self, 5)
        # Titles, validation and languages wrap in columns that share the width (issue #14:
        # not "tion / t…"); version and the short hash take what they need.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for column in (1, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        _wrap_rows_on_resize(self.table)
        self.table.currentCellChanged.connect(lambda *_a: self._details())
        self.details = plain_label("", self, selectable=True)
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self._import)
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(self._remove)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.remove_button)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        self._cards: list[InstrumentCard] = []

    def retranslate(self) -> None:
        self.intro.setText(_("Imported questionnaires are installed inside the encrypted data, "
                             "not kept as files; backups include them. Questionnaires shipped "
                             "with FieldScreen cannot be removed."))
        self.table.setHorizontalHeaderLabels([_("Questionnaire"), _("Version"),
                                              _("Validation"), _("Languages"),
                                              _("Content hash")])
        acc(self.table, _("Questionnaires on this computer"))
        acc(self.details, _("Provenance"))
        set_button(self.import_button, _("Import a questionnaire file…"))
        set_button(self.remove_button, _("Remove the selected questionnaire…"))
        self.load()

    def load(self) -> None:
        ui = ui_language().lang
        self._cards = self.vm.catalog.cards(ui)
        _fill(self.table, [(c.title + ("" if c.imported else " " + _("(shipped)")), c.version,
                            _(VALIDATION.get(c.validation, c.validation)),
                            languages_text(c, ui),
                            ltr(c.content_hash.removeprefix("sha256:")[:12] + "…"))
                           for c in self._cards])  # the hash in full below, when chosen
        self._details()

    def _card(self) -> InstrumentCard | None:
        row = self.table.currentRow()
        return self._cards[row] if 0 <= row < len(self._cards) else None

    def _details(self) -> None:
        card = self._card()
        self.remove_button.setEnabled(card is not None and card.imported)
        if card is None:
            self.details.setText(_("Choose a questionnaire to see where its questions come "
                                   "from."))
            return
        self.details.setText(_("Based on: {framework}\nCitation: {citation}\nContent hash: "
                               "{hash}").format(framework=card.provenance,
                                                citation=card.citation, hash=card.content_hash))

    def _import(self) -> None:
        patterns = " ".join("*" + suffix for suffix in INSTRUMENT_SUFFIXES + XLSFORM_SUFFIXES)
        path = dialogs.choose_open_path(self, _("Import a questionnaire"),
                                        _("Questionnaire files or XLSForms") + f" ({patterns})")
        if path is not None and self.vm.app_vm.is_open:
            self.vm.import_instrument(path)

    def _remove(self) -> None:
        card = self._card()
        if card is None or not card.imported:
            return
        if dialogs.ask(self, _("Remove this questionnaire?"), _(
                "{title} {version} will no longer be offered for new interviews. Interviews "
                "that used it keep its exact text, so they can still be read and reported "
                "on.").format(title=card.title, version=card.version), _("Remove")):
            self.vm.remove_instrument(card.key)

    def finished(self, op: str, result: Any) -> None:
        if op == "instrument.remove":
            self.status.setText("✓ " + (
                _("Removed. Its text stays in the encrypted data for the interviews that "
                  "used it.") if result else _("Removed.")))
        else:
            self.status.setText("✓ " + _("Imported: {title} {version}").format(
                title=result.title, version=result.version))
        self.load()


class BackupTab(_OpTab):
    ops = ("backup", "export", "restore")

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, parent)
        layout = QVBoxLayout(self)
        self.backup_intro = plain_label("", self)
        self.backup_button = QPushButton(self)
        self.backup_button.clicked.connect(self._backup)
        self.restore_button = QPushButton(self)
        self.restore_button.clicked.connect(self._restore)
        self.export_intro = plain_label("", self)
        form = QFormLayout()
        self.format = QComboBox(self)
        for code in ("json", "csv"):
            self.format.addItem(format_label(code), code)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.format_label = plain_label("", self, wrap=False)
        self.password_label = plain_label("", self, wrap=False)
        self.format_label.setBuddy(self.format)
        self.password_label.setBuddy(self.password)
        form.addRow(self.format_label, self.format)
        form.addRow(self.password_label, self.password)
        self.export_button = QPushButton(self)
        self.export_button.clicked.connect(self._export)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        layout.addWidget(self.backup_intro)
        layout.addLayout(row)
        layout.addWidget(self.export_intro)
        layout.addLayout(form)
        layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.backup_intro.setText(_(
            "A backup is an encrypted copy of everything. It opens only with the passphrase "
            "(or recovery key) valid when it was made. Keep it on a separate, safe drive."))
        set_button(self.backup_button, _("Make a backup…"))
        set_button(self.restore_button, _("Restore from a backup…"))
        self.export_intro.setText(_(
            "An export is a file of cases for another system. It is always encrypted with the "
            "password you choose here; give the password to the recipient separately."))
        self.format_label.setText(_("Format"))
        for index in range(self.format.count()):
            self.format.setItemText(index, format_label(str(self.format.itemData(index))))
        self.password_label.setText(_("Export password"))
        acc(self.format, _("Export format"))
        acc(self.password, _("Export password"))
        set_button(self.export_button, _("Export all cases…"))

    def _stamp(self) -> str:
        """For file names: sortable, on the officer's clock like every time the app shows."""
        return datetime.now().astimezone().strftime("%Y%m%d-%H%M")

    def _backup(self) -> None:
        path = dialogs.choose_save_path(self, _("Save the backup"),
                                        f"fieldscreen-{self._stamp()}.fsbackup",
                                        _("FieldScreen backups (*.fsbackup)"),
                                        check=self.vm.app_vm.workspace.check_output)
        if path is not None and self.vm.app_vm.is_open:
            self._start()
            self.vm.backup(path)

    def _restore(self) -> None:
        path = dialogs.choose_open_path(self, _("Choose a backup"),
                                        _("FieldScreen backups (*.fsbackup)"))
        if path is None:
            return
        secret = dialogs.ask_text(self, _("Restore from a backup"), _(
            "Passphrase that was valid when the backup was made. The data on this computer "
            "now is replaced (a copy of it is kept in the data folder)."), _("Restore"),
            secret=True)
        if secret:
            self._start()
            self.vm.restore(path, secret)

    def _export(self) -> None:
        if not self.password.text():
            self.status.setText("✗ " + _("Choose a password for the export."))
            self.password.setFocus()
            return
        fmt = str(self.format.currentData())
        assert fmt in EXPORT_FORMATS
        path = dialogs.choose_save_path(self, _("Save the export"),
                                        f"fieldscreen-export-{self._stamp()}.{fmt}.enc",
                                        _("All files (*)"),
                                        check=self.vm.app_vm.workspace.check_output)
        if path is not None and self.vm.app_vm.is_open:
            self._start()
            self.vm.export(path, fmt, self.password.text())

    def finished(self, op: str, result: Any) -> None:
        self.password.clear()
        if op == "backup":
            self.status.setText("✓ " + _("Backup saved as {name}. SHA-256: {digest}").format(
                name=result.path.name, digest=result.sha256))
        elif op == "export":
            self.status.setText("✓ " + ngettext(
                "{n} case exported to {name}.", "{n} cases exported to {name}.",
                result.cases).format(n=result.cases, name=result.path.name))
        else:
            self.status.setText("✓ " + _("The backup was restored."))

    def clear(self) -> None:
        self.password.clear()
        self.status.clear()


class AuditTab(_OpTab):
    ops = ("audit",)

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, parent)
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        self.table = _table(self, 4)
        header = self.table.horizontalHeader()  # the event's name gets the room
        for column in (0, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.verify_button = QPushButton(self)
        self.verify_button.clicked.connect(self._verify)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.busy)
        row.addWidget(self.verify_button)
        layout.addLayout(row)

    def retranslate(self) -> None:
        self.intro.setText(_("Every change is recorded in a chained audit trail (identifiers "
                             "only, never answers). The latest 500 entries are shown."))
        self.table.setHorizontalHeaderLabels([_("Time"), _("Event"), _("Case"),
                                              _("Interview")])
        acc(self.table, _("Audit trail"))
        set_button(self.verify_button, _("Verify the audit trail"))

    def load(self) -> None:
        if not self.vm.app_vm.is_open:
            return
        # Times in the UI language's clock (the exact UTC stamp as the tooltip), events by
        # name (issue #14: never "answer.saved"); an event not known yet: "Other event".
        rows = self.vm.audit_rows()
        _fill(self.table, [(datetime_text(r.at), event_label(r.action), r.case, r.interview)
                           for r in rows],
              [(ltr(r.at), event_tooltip(r.action), r.case, r.interview) for r in rows])

    def _verify(self) -> None:
        self._start()
        self.vm.verify_audit()

    def finished(self, op: str, result: Any) -> None:
        if result.ok:
            self.status.setText("✓ " + ngettext(
                "The audit trail is intact ({n} entry).", "The audit trail is intact ({n} "
                "entries).", result.entries).format(n=result.entries))
        else:
            self.status.setText("✗ " + _("The audit trail is broken at entry {id}. Do not use "
                                         "this data as evidence until it has been checked.")
                                .format(id=result.first_broken))
