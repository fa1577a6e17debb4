"""Helpers for the GUI tests: open the window, create or unlock the store, start interviews."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.main import build_window
from app.windows.main_window import MainWindow
from screening.workspace import Workspace

PASSPHRASE = "correct horse battery staple 42"
CANARY_NAME = "CANARY-PII-Zofia Wójcik"
CANARY_TEXT = "CANARY-PII-told me the boss keeps her passport"


def make_window(qtbot: Any, data_dir: Path, lang: str = "en", **kwargs: Any) -> MainWindow:
    window = build_window(data_dir, lang, **kwargs)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)  # closed at teardown: closeEvent saves and closes the store
    window.resize(1366, 768)
    window.show()
    return window


def create_store(data_dir: Path, *, demo_instrument: bool = False) -> None:
    """A store with the officer's profile; ``demo_instrument``: with the demonstration
    questionnaire installed in it (as Settings > Import does)."""
    from app import demo

    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        ws.store.settings.set("officer_profile", {"name": "Officer Test",
                                                  "agency": "Test Agency",
                                                  "location": "Test Office",
                                                  "hotline": "+00 123"})
        if demo_instrument:
            demo.install_demo_instrument(ws)


def unlock(qtbot: Any, window: MainWindow, passphrase: str = PASSPHRASE) -> None:
    page = window.unlock_page
    assert window.stack.currentWidget() is page
    page.secret.edit.setText(passphrase)
    with qtbot.waitSignal(window.app_vm.unlocked, timeout=10_000):
        page.unlock()


def new_case(qtbot: Any, window: MainWindow, name: str = CANARY_NAME) -> None:
    """"New case…", a name typed, Continue: the set-up of a case not stored yet."""
    dialog = window.cases_page.new_case()
    dialog.name.setText(name)
    dialog.accept()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.setup_page)
    assert window.setup_vm.is_new_case


def set_up(window: MainWindow, instrument_id: str, *, respondent: str = "en",
           officer: str = "en") -> None:
    """On the set-up page: the instrument and the languages, then on to consent."""
    page = window.setup_page
    card = next(c for c in page.cards if c.card.id == instrument_id)
    card.radio.setChecked(True)
    page.respondent.setCurrentIndex(page.respondent.findData(respondent))
    page.officer.setCurrentIndex(page.officer.findData(officer))
    page.next_button.click()
    assert window.stack.currentWidget() is window.consent_page


def start_interview(qtbot: Any, window: MainWindow, instrument_id: str, *,
                    respondent: str = "en", officer: str = "en",
                    name: str = CANARY_NAME, referral: bool = True) -> str:
    """New case, chosen instrument and languages, consent given (to the interview and, with
    ``referral``, to sharing with support services); the interview id."""
    new_case(qtbot, window, name)
    set_up(window, instrument_id, respondent=respondent, officer=officer)
    window.consent_page.agrees.setChecked(True)
    window.consent_page.share_services.setChecked(referral)
    window.consent_page.start_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.interview_page)
    assert window.interview_vm is not None
    return window.interview_vm.interview_id


def key(qtbot: Any, window: MainWindow, key: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key on whatever has the focus, as a keyboard would."""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


def all_texts(window: MainWindow) -> str:
    """Every piece of text any widget of the window (or an open dialog) shows or holds."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QWidget,
    )

    parts: list[str] = [window.windowTitle()]
    widgets = [window, *window.findChildren(QWidget)]
    for top in QApplication.topLevelWidgets():
        if top is not window and top.isVisible():
            widgets += [top, *top.findChildren(QWidget)]
    for w in widgets:
        if isinstance(w, (QLabel, QLineEdit, QAbstractButton)):
            parts.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            parts.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            parts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            for r in range(min(model.rowCount(), 500)):
                for c in range(model.columnCount()):
                    parts.append(str(model.index(r, c).data() or ""))
        parts.append(w.accessibleName())
        parts.append(w.toolTip())
    return "\n".join(parts)
