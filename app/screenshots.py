"""``fieldscreen gui --screenshots DIR [--lang LANG|all]``: every screen, one PNG each.

Starts the real window on a throw-away store (temporary folder, random passphrase, synthetic
data from ``app.demo``), drives it the way an officer would, and saves a 1366x768 PNG per
screen for translators and reviewers; the respondent view (the person's own window) is saved
too, at the same size. The temporary folder is deleted at the end. ``--lang all`` walks every
UI language, each into its own folder (``DIR/en``, ``DIR/ar``, ...).

The walk, in order: first run, unlock, the case list, a new case and its interview (with the
respondent view open: a choice, a list of 30 options unfiltered and filtered, a number
refused, a text with a note, a date to the month, a multiple choice, a repeat entry "Child 2
of 3", the urgent flag, an observation, the idle warning, the pause screen), the review, the
referral and its encrypted PDF, every settings tab, "Send to server…" and the case queued
for the agency's server, the case list with names hidden, and a second interview with a
companion in the room (the set-up warning, the sections held back, then "The person is alone
now"). The demonstration server (central.example.org) is set without a connection test and
the walk never sends: nothing connects anywhere.
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
from app.qt_i18n import available_ui_languages
from app.windows import dialogs
from app.windows.interview_page import InterviewPage
from app.windows.main_window import MainWindow
from screening.paths import default_data_dir
from screening.workspace import Workspace

log = logging.getLogger(__name__)

SIZE = (1366, 768)
ALL = "all"  # ``--lang all``: every UI language, a folder each
# Respondent language per UI language: a language of the demonstration questionnaire other
# than the officer's, in another script where there is one, to show both directions.
RESPONDENT = {"en": "ar", "ar": "en", "ru": "zh_Hans", "zh_Hans": "ru", "es": "ar",
              "fr": "ar", "pt": "ru", "vi": "zh_Hans", "tl": "ar"}


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

    def _path(self, name: str) -> Path:
        self.count += 1
        return self.check(self.out / f"{self.count:02d}-{name}.png")

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
        base.save(str(self._path(name)))
        log.debug("screenshot %d", self.count)

    def grab(self, widget: QWidget, name: str) -> None:
        """One window on its own: a dialog, or the respondent view."""
        _pump(80)
        widget.grab().save(str(self._path(name)))
        log.debug("screenshot %d", self.count)

    def close_dialogs(self) -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                w.reject()
        _pump()


def screenshot_languages(lang: str) -> list[str]:
    """The UI languages ``--lang`` names: one, or every one for ``all``."""
    return available_ui_languages() if lang.lower() == ALL else [lang]


def take_screenshots(out: Path, lang: str, data_dir: Path | None = None) -> int:
    """``data_dir``: the officer's data folder (default: the usual one); ``out`` may not be
    inside it, nor a file or device (refused with an InputError before anything is made).
    ``lang`` "all": every UI language, each into ``out/<language>``."""
    officer = Workspace(data_dir or default_data_dir())
    out = officer.check_output(out, folder=True)
    languages = screenshot_languages(lang)
    targets = ([(code, officer.check_output(out / code, folder=True)) for code in languages]
               if lang.lower() == ALL else [(lang, out)])
    for code, folder in targets:
        _walk_language(folder, code, officer)
    return 0


def _walk_language(out: Path, lang: str, officer: Workspace) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="fieldscreen-demo-"))
    window: MainWindow | None = None
    try:
        window = build_window(tmp / "data", lang)
        window.resize(*SIZE)
        window.show()
        _walk(Walker(window, out, officer.check_output), lang)
    except Exception as exc:
        log.error("screenshot walk failed: %s", type(exc).__name__)
        raise
    finally:
        if window is not None:
            window.interview_page.respondent.set_on(False)
            window.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _walk(w: Walker, lang: str) -> None:
    win = w.window
    passphrase = "demo " + secrets.token_urlsafe(18)
    _first_run(w, passphrase)
    # synthetic data: a demonstration questionnaire (installed in the store) and made-up
    # cases, made through the core as the app makes them (consent first)
    case_ids = demo.seed_cases(win.app_vm.workspace)
    _demo_server(win)
    _unlock_and_cases(w, passphrase, case_ids)
    _set_up(w, lang, companion=False)
    _interview(w, lang)
    case_id = win.interview_vm.case_id if win.interview_vm else ""
    _review_and_referral(w)
    _settings(w)
    _send(w, case_id)
    # the case list after an interview: names hidden until the officer shows them
    win.go_cases(case_ids[0])
    w.shot("cases-names-hidden")
    _companion(w, lang, case_ids[2])


def _first_run(w: Walker, passphrase: str) -> None:
    win = w.window
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


def _unlock_and_cases(w: Walker, passphrase: str, case_ids: list[str]) -> None:
    win = w.window
    # unlock (after one wrong try, to show the message)
    win.lock()
    _wait(lambda: win.stack.currentWidget() is win.unlock_page)
    win.unlock_page.secret.edit.setText("not the passphrase")
    win.unlock_page.unlock()
    _wait(lambda: not win.unlock_page.busy.isVisible())
    w.shot("unlock")
    win.unlock_page.secret.edit.setText(passphrase)
    win.unlock_page.unlock()
    _wait(lambda: win.stack.currentWidget() is win.cases_page)

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


def _set_up(w: Walker, lang: str, *, companion: bool) -> None:
    """The new-interview page and the consent, up to the first item of the interview.
    ``companion``: someone who came with the person is in the room (discreet mode)."""
    win = w.window
    page = win.setup_page
    card = next(c for c in page.cards if c.card.id == demo.DEMO_ID)
    card.radio.setChecked(True)
    respondent = RESPONDENT.get(lang, "en")
    officer = lang if lang in demo.ALL_LANGS else "en"
    page.officer.setCurrentIndex(max(0, page.officer.findData(officer)))
    page.respondent.setCurrentIndex(max(0, page.respondent.findData(respondent)))
    page.interpreter.setChecked(True)
    page.interpreter_language.setText("(demo)")
    if companion:
        page.companion.setCurrentIndex(page.companion.findData("present"))
        _expect(page.companion_warning.isVisible(), "the companion warning")
        w.shot("companion-setup-warning")
    else:
        w.shot("new-interview")
    page.next_button.click()
    consent = win.consent_page
    consent.agrees.setChecked(True)
    consent.share_services.setChecked(True)
    consent.share_server.setChecked(True)  # a copy on the agency's server (issue #18)
    consent.confidentiality.setChecked(True)
    if not companion:
        w.shot("consent")
        # the question asked when the person does not agree (answered "Back" here)
        QTimer.singleShot(0, lambda: _shoot_and_close(w, "consent-decline"))
        consent.decline_button.click()
        _expect(win.stack.currentWidget() is consent, "the consent page after Back")
    consent.start_button.click()
    _wait(lambda: win.stack.currentWidget() is win.interview_page)


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"screenshot walk: {what} did not show")


def _at(ip: InterviewPage, key: str) -> None:
    """The walk follows the demonstration questionnaire: say so plainly when it changed."""
    current = ip.view.key if ip.view is not None else None
    _expect(current == key, f"item {key!r} (the page shows {current!r})")


def _type(ip: InterviewPage, text: str) -> None:
    ip.answer_widget.edit.setText(text)  # type: ignore[union-attr]
    ip._edited()


def _interview(w: Walker, lang: str) -> None:
    win = w.window
    ip = win.interview_page
    # Ctrl+Shift+R: the respondent view, the person's own window (full screen on a second
    # display; saved here at the officer's screen size).
    ip.respondent.set_on(True)
    person = ip.respondent.window
    assert person is not None
    person.resize(*SIZE)
    _at(ip, "intro")
    ip.go_next()
    _at(ip, "work_type")
    ip.answer_widget.choose(4)  # type: ignore[union-attr]  # "Other work": the long list
    w.shot("interview-choice")
    w.grab(person, "respondent-view")
    ip.go_next()
    _at(ip, "work_kind")  # 30 options: a filter, two-digit keys, special answers in view
    w.shot("interview-long-list")
    w.grab(person, "respondent-view-long-list")
    rows = ip.answer_widget.rows  # type: ignore[union-attr]
    assert rows.filter is not None
    respondent = ip.view.respondent_language if ip.view is not None else "en"
    rows.filter.setFocus()
    rows.filter.setText(demo.WORK_KINDS_FILTER.get(respondent, demo.WORK_KINDS_FILTER["en"]))
    _expect(0 < len(rows.visible_buttons()) < len(rows.buttons), "the filtered list")
    w.shot("interview-long-list-filtered")
    ip.answer_widget.choose(13)  # type: ignore[union-attr]  # option 13: at a market
    ip.go_next()
    _at(ip, "hours")
    _type(ip, "30")
    ip.go_next()
    w.shot("interview-constraint-error")
    _type(ip, "14")
    ip.go_next()
    _at(ip, "work_story")
    _type(ip, "Synthetic answer: long days in the fields (demo).")
    ip.note_button.setChecked(True)
    ip.note.setPlainText("Demo note: spoke through the interpreter.")
    w.shot("interview-text")
    ip.go_next()
    _at(ip, "arrival")
    # as typed: QtTest is not in the bundle, so the edit signal is sent as typing sends it
    edit = ip.answer_widget.edit  # type: ignore[union-attr]
    edit.setText("2025-11")
    edit.textEdited.emit(edit.text())
    ip._edited()
    _expect(bool(ip.answer_widget.reading.text()), "the date read back")  # type: ignore[union-attr]
    w.shot("interview-date-month")
    ip.go_next()
    _at(ip, "needs")
    for number in (1, 2, 5):  # medical care, a safe place, help for my children
        ip.answer_widget.choose(number)  # type: ignore[union-attr]
    w.shot("interview-multiple-choice")
    ip.go_next()
    _at(ip, "n_children")
    _type(ip, "3")
    ip.go_next()
    for entry, age in enumerate(("4", "9", "12"), start=1):  # "Child 2 of 3" on both screens
        _at(ip, f"child[{entry}].child_age")
        _type(ip, age)
        if entry == 2:
            w.shot("interview-repeat")
            w.grab(person, "respondent-view-repeat")
        ip.go_next()
    _at(ip, "danger_now")
    ip.answer_widget.choose(1)  # type: ignore[union-attr]  # "yes": urgent flag
    w.shot("urgent-banner")
    ip.go_next()
    _at(ip, "obs_fearful")
    w.shot("interview-observation")
    w.grab(person, "respondent-view-observation")  # "Please wait a moment" only
    ip.answer_widget.choose(1)  # type: ignore[union-attr]
    win.idle_warning.start(30, hiding=True)  # what 4.5 idle minutes look like
    w.shot("interview-idle-warning")
    win.idle_warning.end()
    win.pause()  # Ctrl+P or the panic key: the neutral screen, on both screens
    w.shot("interview-paused")
    w.grab(person, "respondent-view-paused")
    win.resume()
    ip.respondent.set_on(False)
    ip.go_next()
    _wait(lambda: win.stack.currentWidget() is win.review_page)


def _review_and_referral(w: Walker) -> None:
    win = w.window
    data_dir = win.app_vm.data_dir
    w.shot("review")
    win.review_page.finish()
    _wait(lambda: win.stack.currentWidget() is win.referral_page)

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
    ref.password_confirm.setText("demo packet lantern orchard 2026")
    ref.pdf_password.password.check_now()  # as after a pause in typing
    _expect(ref.generate_button.isEnabled(), "Make PDF… enabled")
    w.shot("referral")
    original = dialogs.choose_save_path
    # Outside the (throw-away) data folder: the app refuses to write into it.
    pdf = data_dir.parent / "referral-demo.pdf"
    dialogs.choose_save_path = lambda *_a, **_k: pdf
    try:
        ref.generate()
        _wait(lambda: not win.app_vm.runner.busy, 60)
    finally:
        dialogs.choose_save_path = original
    # the confirmation of a PDF made with a password: check it is what the shot claims
    _expect(pdf.is_file() and b"/Encrypt" in pdf.read_bytes() and bool(ref.result.text()),
            "the encrypted referral PDF")
    w.shot("referral-report")
    w.close_dialogs()


def _settings(w: Walker) -> None:
    settings = w.window.open_settings()
    assert settings is not None
    names = ("general", "profile", "passphrase", "directory", "questionnaires", "backup",
             "server", "audit")
    for index, name in enumerate(names):
        settings.tabs.setCurrentIndex(index)
        _pump(60)
        w.grab(settings, f"settings-{name}")
    w.close_dialogs()


def _demo_server(win: MainWindow) -> None:
    """The agency's server as Settings › Server keeps it, stored without the connection test
    (`server set --no-test`): the walk never connects."""
    from screening.server.settings import ServerSettings

    win.app_vm.workspace.server.configure(ServerSettings(
        url="https://central.example.org", project_id=3,
        app_user_token="DemoTokenNotARealOne0123456789"), test=False)


def _send(w: Walker, case_id: str) -> None:
    """"Send to server…" on the case just interviewed, then the case queued (as after a send
    that could not reach the server) with "Send queued (1)" in the header; then taken out
    of the queue again, before the automatic retry could try."""
    win = w.window
    win.go_cases(case_id)
    panel = win.cases_page.server_panel
    _expect(panel is not None and panel.send_button.isEnabled(), "Send to server… enabled")
    assert panel is not None
    dialog = panel.open_send()
    _expect(dialog is not None, "the send dialog")
    w.shot("send-to-server")
    w.close_dialogs()
    service = win.app_vm.workspace.server
    service.queue(case_id)
    win.server_vm.queue_changed.emit(win.server_vm.waiting())
    panel.refresh()
    w.shot("case-queued-for-server")
    service.unqueue(case_id)
    win.server_vm.queue_changed.emit(win.server_vm.waiting())


def _companion(w: Walker, lang: str, case_id: str) -> None:
    """A second interview, with someone who came with the person in the room: the warning,
    the interview with the work section held back, then "The person is alone now"."""
    win = w.window
    win.cases_page.select_case(case_id)
    win.cases_page.new_interview_button.click()
    _wait(lambda: win.stack.currentWidget() is win.setup_page)
    _set_up(w, lang, companion=True)
    ip = win.interview_page
    bar = ip.companion_bar
    _expect(bar.alone_button.isVisible(), "the companion bar")
    _at(ip, "danger_now")  # the work section waits
    w.shot("companion-interview")
    bar.alone_button.click()
    _wait(lambda: not bar.alone_button.isVisible())
    w.shot("companion-alone")
    win.go_cases(case_id)


def _shoot_and_close(w: Walker, name: str) -> None:
    """Inside a modal question's event loop: grab it, then answer with the safe button."""
    w.shot(name)
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            widget.reject()
