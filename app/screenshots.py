"""``fieldscreen gui --screenshots DIR [--lang LANG]``: every screen, one PNG each.

Starts the real window on a throw-away store (temporary folder, random passphrase, synthetic
data from ``app.demo``), drives it the way an officer would, and saves a 1366x768 PNG per
screen for translators and reviewers. The temporary folder is deleted at the end.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app import demo
from app.main import build_window
from app.windows import dialogs
from app.windows.main_window import MainWindow
from screening.paths import default_data_dir
from screening.workspace import Workspace

log = logging.getLogger(__name__)

SIZE = (1366, 768)
# Respondent language per UI language: always a different script, to show both directions.
RESPONDENT = {"en": "ar", "ar": "en", "ru": "zh_Hans", "zh_Hans": "ru", "es": "ar"}


def _process() -> None:
    QEventLoop().processEvents()


def _pump(ms: int = 50) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        _process()
        time.sleep(0.005)


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the screen did not change in time")
        _process()
        time.sleep(0.005)


class Walker:
    def __init__(self, window: MainWindow, out: Path,
                 check: Callable[[Path], Path] | None = None) -> None:
        self.window = window
        self.out = out
        self.check = check or (lambda path: path)
        self.count = 0

    def shot(self, name: str) -> None:
        """Grab the window with any open dialog painted where it sits (centred)."""
        _pump(120)
        base = self.window.grab()
        dialogs_open = [w for w in QApplication.topLevelWidgets()
                        if isinstance(w, QDialog) and w.isVisible()]
        if dialogs_open:
            canvas = QPixmap(base)
            painter = QPainter(canvas)
            painter.fillRect(canvas.rect(), Qt.GlobalColor.black)
            painter.setOpacity(0.55)
            painter.drawPixmap(0, 0, base)
            painter.setOpacity(1.0)
            for dialog in dialogs_open:
                image = dialog.grab()
                pos = QPoint((canvas.width() - image.width()) // 2,
                             (canvas.height() - image.height()) // 2)
                painter.drawPixmap(pos, image)
            painter.end()
            base = canvas
        self.count += 1
        path = self.out / f"{self.count:02d}-{name}.png"
        base.save(str(self.check(path)))
        log.debug("screenshot %d", self.count)

    def close_dialogs(self) -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                w.reject()
        _pump()


def take_screenshots(out: Path, lang: str, data_dir: Path | None = None) -> int:
    """``data_dir``: the officer's data folder (default: the usual one); ``out`` may not be
    inside it, nor a file or device (refused with an InputError before anything is made)."""
    officer = Workspace(data_dir or default_data_dir())
    out = officer.check_output(out, folder=True)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="fieldscreen-demo-"))
    window: MainWindow | None = None
    try:
        window = build_window(tmp / "data", lang)
        window.resize(*SIZE)
        window.show()
        _walk(Walker(window, out, officer.check_output), lang)
        return 0
    except Exception as exc:
        log.error("screenshot walk failed: %s", type(exc).__name__)
        raise
    finally:
        if window is not None:
            window.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _walk(w: Walker, lang: str) -> None:
    win = w.window
    data_dir = win.app_vm.data_dir
    passphrase = "demo " + secrets.token_urlsafe(18)

    # 1. first run
    fr = win.first_run
    w.shot("first-run-language")
    fr.lang_next.click()
    fr.passphrase.edit.setText(passphrase)
    fr.confirm.edit.setText(passphrase)
    fr.passphrase.check_now()
    fr._update_create()
    w.shot("first-run-passphrase")
    fr.create_button.click()
    _wait(lambda: fr.steps.currentIndex() == 2)
    w.shot("first-run-recovery-key")
    fr.key_written.setChecked(True)
    fr.key_next.click()
    fr.officer_name.setText("Officer Demo")
    fr.officer_agency.setText("Example Agency (demo)")
    fr.officer_location.setText("North office (demo)")
    fr.officer_hotline.setText("+00 000 0000")
    w.shot("first-run-profile")
    fr.profile_done.click()
    _wait(lambda: win.stack.currentWidget() is win.cases_page)

    # synthetic data: a demonstration questionnaire (installed in the store) and made-up
    # cases, made through the core as the app makes them (consent first)
    case_ids = demo.seed_cases(win.app_vm.workspace)

    # 2. unlock (after one wrong try, to show the message)
    win.lock()
    _wait(lambda: win.stack.currentWidget() is win.unlock_page)
    win.unlock_page.secret.edit.setText("not the passphrase")
    win.unlock_page.unlock()
    _wait(lambda: not win.unlock_page.busy.isVisible())
    w.shot("unlock")
    win.unlock_page.secret.edit.setText(passphrase)
    win.unlock_page.unlock()
    _wait(lambda: win.stack.currentWidget() is win.cases_page)

    # 3. cases
    win.cases_page.refresh(case_ids[0])
    w.shot("cases")
    win.cases_page.search.setText("gonzalez")
    _wait(lambda: win.cases_page.vm.model.rowCount() == 1)
    win.cases_page.select_case(case_ids[0])
    w.shot("cases-search")
    win.cases_page.search.clear()
    _wait(lambda: win.cases_page.vm.model.rowCount() == len(case_ids))
    dialog = win.cases_page.new_case()
    dialog.name.setText("Rosa Quispe Mamani")
    dialog.date_of_birth.setText("about 1995")
    w.shot("new-case")
    dialog.accept()
    _wait(lambda: win.stack.currentWidget() is win.setup_page)

    # 4. new interview and consent
    page = win.setup_page
    card = next(c for c in page.cards if c.card.id == demo.DEMO_ID)
    card.radio.setChecked(True)
    respondent = RESPONDENT.get(lang, "en")
    officer = lang if lang in demo.LANGS else "en"
    page.officer.setCurrentIndex(max(0, page.officer.findData(officer)))
    page.respondent.setCurrentIndex(max(0, page.respondent.findData(respondent)))
    page.interpreter.setChecked(True)
    page.interpreter_language.setText("(demo)")
    w.shot("new-interview")
    page.next_button.click()
    consent = win.consent_page
    consent.agrees.setChecked(True)
    consent.share_services.setChecked(True)
    consent.confidentiality.setChecked(True)
    w.shot("consent")
    # the question asked when the person does not agree (answered "Back" here)
    QTimer.singleShot(0, lambda: _shoot_and_close(w, "consent-decline"))
    consent.decline_button.click()
    assert win.stack.currentWidget() is consent
    consent.start_button.click()
    _wait(lambda: win.stack.currentWidget() is win.interview_page)

    # 5. interview
    ip = win.interview_page
    ip.go_next()  # the introduction note
    ip.answer_widget.choose(2)  # type: ignore[union-attr]
    w.shot("interview-choice")
    ip.go_next()
    ip.answer_widget.edit.setText("30")  # type: ignore[union-attr]
    ip._edited()
    ip.go_next()
    w.shot("interview-constraint-error")
    ip.answer_widget.edit.setText("14")  # type: ignore[union-attr]
    ip._edited()
    ip.go_next()
    ip.answer_widget.edit.setText("Synthetic answer: long days in the fields (demo).")  # type: ignore[union-attr]
    ip._edited()
    ip.note_button.setChecked(True)
    ip.note.setPlainText("Demo note: spoke through the interpreter.")
    w.shot("interview-text")
    ip.go_next()
    ip.answer_widget.edit.setText("2026-01-15")  # type: ignore[union-attr]
    ip._edited()
    ip.go_next()
    ip.answer_widget.choose(1)  # type: ignore[union-attr]
    ip.answer_widget.choose(2)  # type: ignore[union-attr]
    w.shot("interview-multiple-choice")
    ip.go_next()
    ip.answer_widget.choose(1)  # type: ignore[union-attr]  # "yes": urgent flag
    w.shot("urgent-banner")
    ip.go_next()
    w.shot("interview-observation")
    ip.answer_widget.choose(1)  # type: ignore[union-attr]
    win.idle_warning.start(30, hiding=True)  # what 4.5 idle minutes look like
    w.shot("interview-idle-warning")
    win.idle_warning.end()
    win.pause()  # Ctrl+P or the panic key: the neutral screen
    w.shot("interview-paused")
    win.resume()
    ip.go_next()
    _wait(lambda: win.stack.currentWidget() is win.review_page)

    # 6. review
    w.shot("review")
    win.review_page.finish()
    _wait(lambda: win.stack.currentWidget() is win.referral_page)

    # 7. referral
    ref = win.referral_page
    if ref.directory.rowCount():
        ref.directory.setCurrentCell(0, 0)
        ref._add()
        reason = ref.chosen.item(0, 2)
        if reason is not None:
            reason.setText("Needs a safe place tonight (demo).")
    ref.narrative.setPlainText("Synthetic referral notes for the demonstration.")
    ref.protect.setChecked(True)
    ref.password.setText("demo packet lantern orchard 2026")
    w.shot("referral")
    original = dialogs.choose_save_path
    # Outside the (throw-away) data folder: the app refuses to write into it.
    dialogs.choose_save_path = lambda *_a, **_k: data_dir.parent / "referral-demo.pdf"
    try:
        ref.generate()
        _wait(lambda: not win.app_vm.runner.busy, 60)
    finally:
        dialogs.choose_save_path = original
    w.shot("referral-report")
    w.close_dialogs()

    # 8. settings, one tab at a time
    settings = win.open_settings()
    assert settings is not None
    names = ("general", "profile", "passphrase", "directory", "questionnaires", "backup",
             "audit")
    for index, name in enumerate(names):
        settings.tabs.setCurrentIndex(index)
        _pump(60)
        _grab_dialog(w, settings, f"settings-{name}")
    w.close_dialogs()

    # 9. the case list after an interview: names hidden until the officer shows them
    win.go_cases(case_ids[0])
    w.shot("cases-names-hidden")


def _shoot_and_close(w: Walker, name: str) -> None:
    """Inside a modal question's event loop: grab it, then answer with the safe button."""
    w.shot(name)
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            widget.reject()


def _grab_dialog(w: Walker, dialog: QWidget, name: str) -> None:
    _pump(80)
    w.count += 1
    dialog.grab().save(str(w.out / f"{w.count:02d}-{name}.png"))
