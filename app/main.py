"""Composition root of the desktop app: umask, logging, QApplication, language, excepthook.

``run(args)`` is the ``fieldscreen.gui`` entry point (``fieldscreen`` with no arguments, and
``fieldscreen gui [--screenshots DIR] [--lang LANG]``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from screening import __version__
from screening.hardening import harden
from screening.log import setup_logging
from screening.paths import default_data_dir
from screening.workspace import WorkspaceLayout

if TYPE_CHECKING:  # the window (and the core behind it) loads after QApplication exists
    from app.windows.main_window import MainWindow

log = logging.getLogger(__name__)


def _excepthook(kind: type[BaseException], exc: BaseException,
                tb: TracebackType | None) -> None:
    from app.error_dialogs import report_crash

    report_crash(kind, tb, QApplication.activeWindow())


_QT_SETTINGS_DIR: str | None = None


def private_qt_settings() -> None:
    """Keep Qt's own settings (file-dialog history, which names folders) off the disk.

    Qt writes them as plain text under ~/.config; folders are often named after people.
    They go to a private temporary folder instead, removed at exit, and the dialogs also
    erase their history as they close (app/windows/dialogs.py). FieldScreen's settings
    live in the encrypted store.
    """
    global _QT_SETTINGS_DIR
    if _QT_SETTINGS_DIR is not None:
        return
    import atexit
    import shutil
    import tempfile

    from PySide6.QtCore import QSettings

    _QT_SETTINGS_DIR = tempfile.mkdtemp(prefix="fieldscreen-qt-")
    atexit.register(shutil.rmtree, _QT_SETTINGS_DIR, True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, _QT_SETTINGS_DIR)


def application() -> QApplication:
    from app.fonts import register_shipped_fonts

    private_qt_settings()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("FieldScreen")
    app.setApplicationVersion(__version__)
    # Every font in resources/fonts, before the first window: Chinese, Arabic and Hindi show
    # on a laptop without those system fonts, with the PDF's coverage (issue #14).
    register_shipped_fonts()
    return app


def _warn_if_incomplete(parent: QWidget) -> None:
    """Say at start if something that fails silently is missing (e.g. text shaping)."""
    from screening.selfcheck import problems

    found = problems(coverage=False)  # languages: after the instruments load (preload)
    if not found:
        return
    from PySide6.QtWidgets import QMessageBox

    from app.qt_i18n import _

    log.warning("self-check: %d problem(s)", len(found))
    QMessageBox.warning(
        parent,
        _("FieldScreen is incomplete"),
        _("Some parts of this installation are missing, so referral PDFs will be refused "
          "until it is repaired. Interviews still work and are saved.") + "\n\n"
        + "\n".join(found),
    )


def warn_about_fonts(parent: QWidget, gaps: list[str]) -> None:
    """Say which languages would show boxes (or make the PDF refuse), naming them."""
    if not gaps:
        return
    from PySide6.QtWidgets import QMessageBox

    from app.qt_i18n import _

    log.warning("font coverage: %d language(s) without a font", len(gaps))
    QMessageBox.warning(
        parent, _("Some languages cannot be shown"),
        _("No font shipped with this installation shows every letter of these languages: "
          "their text would show as boxes and referral PDFs in them will be refused. Add a "
          "font to resources/fonts.") + "\n\n" + "\n".join(gaps))


def build_window(data_dir: Path, lang: str | None = None) -> MainWindow:
    """The main window over ``data_dir``, in ``lang`` (else the saved UI language)."""
    from app.qt_i18n import ui_language
    from app.viewmodels.app_vm import AppViewModel
    from app.windows.main_window import MainWindow

    app_vm = AppViewModel(data_dir)
    ui_language().set_language(lang or app_vm.saved_ui_language() or "en")
    window = MainWindow(app_vm)
    window.start()
    return window


STARTUP_PROBE_ENV = "FIELDSCREEN_STARTUP_PROBE"


def _probe_ready(app: QApplication, window: MainWindow) -> None:
    """``FIELDSCREEN_STARTUP_PROBE=1`` (README, "Building for the field"): after the first
    pass of the event loop, print ``READY <page>`` (the class of the screen shown, e.g.
    UnlockPage; nothing else) and quit, so bench/cold_bench.py can time the start of the
    frozen app, where no code can be injected, from outside. It opens nothing and skips
    nothing before that point: the store stays locked and the app exits as if closed."""
    page = window.stack.currentWidget()
    print("READY", type(page).__name__, flush=True)
    app.quit()


def run(args: argparse.Namespace | None = None) -> int:
    harden()  # no core dumps, no ptrace by other processes (best effort; see hardening.py)
    os.umask(0o077)
    screenshots = getattr(args, "screenshots", None)
    lang = getattr(args, "lang", None)
    app = application()
    if screenshots:
        from app.screenshots import take_screenshots

        given = getattr(args, "data_dir", None)
        return take_screenshots(Path(screenshots), lang or "en",
                                data_dir=Path(given) if given else None)
    data_dir = Path(getattr(args, "data_dir", None) or default_data_dir())
    setup_logging(WorkspaceLayout(data_dir).logs)
    sys.excepthook = _excepthook
    window = build_window(data_dir, lang)
    window.show()
    if os.environ.get(STARTUP_PROBE_ENV) == "1":
        QTimer.singleShot(0, lambda: _probe_ready(app, window))
    # Parse the instruments on a worker once the window is up (not before: it would hold the
    # interpreter lock while the first screen is drawn).
    QTimer.singleShot(400, lambda: window.preload(
        lambda gaps: warn_about_fonts(window, gaps)))
    QTimer.singleShot(500, lambda: _warn_if_incomplete(window))
    # Lock on sleep, screen lock and session switch (D-Bus where there is one): after the
    # first screen, so connecting to the buses does not delay it.
    QTimer.singleShot(300, window.guard.watch_system)
    code = int(app.exec())
    window.app_vm.shutdown()  # workers end before exit
    log.info("exit %s", code)
    return code


def main() -> int:
    return run(None)
