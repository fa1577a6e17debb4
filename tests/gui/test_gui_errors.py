"""Errors reach the user as a translated dialog chosen by code; details go to the log,
without personal data and without a "copy" button."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app import error_dialogs
from app.workers.task import TaskRunner
from screening.errors import ErrorCode, StoreError


def test_every_error_code_has_a_message_and_a_next_step() -> None:
    for code in ErrorCode:
        what, todo = error_dialogs.message_for(code)
        assert what and todo and what != todo, code


def test_unknown_code_gets_the_generic_message() -> None:
    assert error_dialogs.message_for("no.such.code") == error_dialogs.message_for(
        error_dialogs.INTERNAL)


def test_crash_dialog_has_an_incident_id_and_no_copy_button(qtbot, caplog) -> None:
    caplog.set_level(logging.ERROR)
    secret = "CANARY-PII-" + "passport 12345"  # built at run time: not in the source line
    try:
        raise ValueError(secret)
    except ValueError:
        kind, _exc, tb = sys.exc_info()
        incident = error_dialogs.report_crash(kind, tb)
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes
    box = boxes[-1]
    qtbot.addWidget(box)
    assert incident in box.text()
    assert [b.text() for b in box.buttons()] == ["OK"]
    assert incident in caplog.text and "ValueError" in caplog.text
    assert "CANARY-PII" not in caplog.text  # the message may quote an answer: never logged
    box.close()


def test_worker_failures_come_back_as_codes(qtbot) -> None:
    runner = TaskRunner()

    def fails() -> None:
        raise StoreError("disk trouble", code=ErrorCode.STORE_DISK_FULL)

    with qtbot.waitSignal(runner.busy_changed, timeout=5000,
                          check_params_cb=lambda busy: not busy):
        task = runner.start("test", fails)
        seen: list[tuple[str, str]] = []
        task.signals.failed.connect(lambda code, incident: seen.append((code, incident)))
    assert seen == [(ErrorCode.STORE_DISK_FULL.value, "")]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_error_dialog_buttons_come_from_our_catalogs(qtbot, lang: str) -> None:
    from app.qt_i18n import ui_language

    ui_language().set_language(lang)
    box = error_dialogs.show_error(None, ErrorCode.STORE_LOCKED)
    qtbot.addWidget(box)
    assert box.buttons()[0].text() == ui_language().gettext("OK")
    box.close()
