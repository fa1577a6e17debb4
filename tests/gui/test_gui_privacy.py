"""Qt's own settings must not record folder names (often a person's name) on disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer

from app import main as app_main
from app.windows import dialogs


def test_file_dialog_history_never_reaches_disk(qtbot, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    app_main.private_qt_settings()
    folder = tmp_path / "CANARYFOLDER Zofia Testperson case"
    folder.mkdir()
    dialog = dialogs._dialog(None, "Save", "PDF files (*.pdf)")
    dialog.setDirectory(str(folder))
    dialog.selectFile(str(folder / "referral.pdf"))
    QTimer.singleShot(0, dialog.accept)
    chosen = dialogs._run_file_dialog(dialog)
    assert chosen is not None and chosen.parent == folder
    settings_dir = Path(app_main._QT_SETTINGS_DIR or "")
    for root in (home, settings_dir):
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file():
                assert b"CANARYFOLDER" not in path.read_bytes(), path


def test_fields_holding_personal_data_ask_input_methods_not_to_learn(qtbot) -> None:
    from PySide6.QtCore import Qt

    from app.windows.new_case_dialog import NewCaseDialog

    dialog = NewCaseDialog()
    qtbot.addWidget(dialog)
    for field in (dialog.name, dialog.date_of_birth, dialog.contact):
        assert field.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData
