"""Composition root of the desktop app: umask, logging, QApplication, excepthook, windows."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from screening import __version__
from screening.log import safe_traceback, setup_logging
from screening.paths import default_data_dir

log = logging.getLogger(__name__)


def _excepthook(kind: type[BaseException], exc: BaseException,
                tb: TracebackType | None) -> None:
    incident = uuid.uuid4().hex[:8]
    log.error("unhandled error, incident %s\n%s", incident, safe_traceback(kind, tb))
    box = QMessageBox(QMessageBox.Icon.Critical, "FieldScreen",
                      f"Something went wrong (incident {incident}). Every saved answer is kept.")
    box.exec()


def run(args: argparse.Namespace | None = None) -> int:
    os.umask(0o077)
    data_dir = getattr(args, "data_dir", None) or default_data_dir()
    setup_logging(data_dir / "logs")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("FieldScreen")
    app.setApplicationVersion(__version__)
    sys.excepthook = _excepthook
    from app.windows.main_window import MainWindow

    window = MainWindow(data_dir)
    window.show()
    return int(app.exec())


def main() -> int:
    return run(None)
