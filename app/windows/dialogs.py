"""Questions to the officer and file choosers, in one place (tests replace these functions).

Every button text comes from our catalogs, so the standard buttons are translated even
where Qt ships no translation of its own (Hindi, Vietnamese ...).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from app.qt_i18n import _
from screening.errors import ScreeningError


def ask(parent: QWidget | None, title: str, text: str, yes: str, no: str | None = None,
        *, danger: bool = False) -> bool:
    """A yes/no question; the safe answer ("no") is the default."""
    box = QMessageBox(QMessageBox.Icon.Warning if danger else QMessageBox.Icon.Question,
                      title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no or _("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
    box.setAccessibleName(title)
    box.exec()
    return box.clickedButton() is yes_button


def ask_text(parent: QWidget | None, title: str, label: str, ok: str, *,
             secret: bool = False) -> str | None:
    """One line of text, or None when cancelled. ``secret``: typed without echo.

    The dialog is deleted at once: what was typed (a reason, a passphrase) must not linger
    in a hidden widget after the app locks.
    """
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setOkButtonText(ok)
    dialog.setCancelButtonText(_("Cancel"))
    dialog.setAccessibleName(title)
    if secret:
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData
                                   | Qt.InputMethodHint.ImhNoPredictiveText)
    try:
        return dialog.textValue() if dialog.exec() else None
    finally:
        dialog.setTextValue("")
        dialog.deleteLater()


def inform(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
    box.setAccessibleName(title)
    box.open()


def _dialog(parent: QWidget | None, title: str, name_filter: str) -> QFileDialog:
    dialog = QFileDialog(parent, title)
    dialog.setNameFilter(name_filter)
    # Qt's own dialog: same on every platform and translated by qtbase_<lang>.
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    return dialog


def _run_file_dialog(dialog: QFileDialog) -> Path | None:
    try:
        if dialog.exec() and dialog.selectedFiles():
            return Path(dialog.selectedFiles()[0])
        return None
    finally:
        # Qt remembers visited folders ("FileDialog/history") in its plaintext settings
        # when the dialog is destroyed; folders are often named after people. Destroy it
        # now, then forget what it wrote (see also app.main.private_qt_settings).
        sip_delete(dialog)
        forget_file_dialog_history()


def choose_save_path(parent: QWidget | None, title: str, suggested: str,
                     name_filter: str, *,
                     check: Callable[[Path], Path] | None = None) -> Path | None:
    """A file to write, or None. ``check`` (``Workspace.check_output``) refuses a place inside
    the data folder, over one of its files or onto a device: the officer is told why
    (translated) and None is returned, so nothing is written."""
    dialog = _dialog(parent, title, name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.selectFile(suggested)
    path = _run_file_dialog(dialog)
    if path is None or check is None:
        return path
    try:
        return check(path)
    except ScreeningError as exc:
        from app.error_dialogs import show_error

        show_error(parent, str(exc.code))
        return None


def choose_open_path(parent: QWidget | None, title: str, name_filter: str) -> Path | None:
    dialog = _dialog(parent, title, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return _run_file_dialog(dialog)


def sip_delete(widget: QWidget) -> None:
    import shiboken6

    if shiboken6.isValid(widget):
        shiboken6.delete(widget)


def forget_file_dialog_history() -> None:
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    settings.remove("FileDialog")
    settings.sync()
