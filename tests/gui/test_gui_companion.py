"""Someone who came with the person is in the room (issue #14), in the app: the set-up page
warns at once, the officer's bar says how many sections are held back and records "the person
is alone now" in the real store, and the review shows no held-back question. Real widgets,
offscreen, over a real SQLCipher store; synthetic people only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from guihelp import PASSPHRASE, create_store, make_window, new_case, unlock
from PySide6.QtWidgets import QWidget

from app.qt_i18n import ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.interview_vm import InterviewViewModel
from app.widgets.companion_bar import CompanionBar
from app.windows.review_page import ReviewPage
from screening.casework.consent import Consent
from screening.casework.lifecycle import InterviewSetup, Started
from screening.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "resources" / "demo" / "answers.json").read_text(encoding="utf-8"))


def _started(ws: Workspace, companion: str = "present") -> str:
    loaded = ws.catalog.find("adult_indicators")
    started = ws.casework.start(InterviewSetup(loaded, "en", companion=companion),
                                Consent(given=True, scope=("screening",), language="en"))
    assert isinstance(started, Started)
    return started.interview_id


def _on_the_setup_page(qtbot: Any, data_dir: Path) -> Any:
    """A new store, unlocked, a new case, adult_indicators chosen on the set-up page."""
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    new_case(qtbot, window)
    card = next(c for c in window.setup_page.cards if c.card.id == "adult_indicators")
    card.radio.setChecked(True)
    return window


def test_the_setup_page_warns_the_officer_as_soon_as_a_companion_is_in_the_room(
        qtbot: Any, data_dir: Path) -> None:
    window = _on_the_setup_page(qtbot, data_dir)
    page = window.setup_page
    assert not page.companion_warning.isVisible()
    page.companion.setCurrentIndex(page.companion.findData("present"))
    assert page.companion_warning.isVisible()  # at once, before "Continue"
    text = page.companion_warning.label.text()
    assert "sections held back in this questionnaire: 9 of 12" in text
    assert "speak with the person alone" in text
    assert "The person is alone now" in text
    assert window.setup_vm.setup.companion == "present"
    # another questionnaire, another count: the core says what is sensitive there
    other = next(c for c in page.cards if c.card.id == "safety_triage")
    other.radio.setChecked(True)
    assert ": 3 of 7)" in page.companion_warning.label.text()  # safety_triage 2.0.0
    page.companion.setCurrentIndex(page.companion.findData("separated"))
    assert not page.companion_warning.isVisible()


def test_the_bar_holds_back_then_records_the_person_alone_in_the_store(
        qtbot: Any, data_dir: Path) -> None:
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        run = ws.casework.open(_started(ws))
        host = QWidget()  # as the interview screen holds it
        qtbot.addWidget(host)
        bar = CompanionBar(host, run=run)
        host.show()
        assert bar.isVisible()
        # neutral words: the companion may read the screen
        assert bar.label.text() == "Discreet mode · sections waiting: 9"
        assert bar.alone_button.text() == "The person is alone now"
        assert bar.accessibleName() == bar.label.text()
        with qtbot.waitSignal(bar.resumed, timeout=2000) as resumed:
            bar.alone_button.click()
        assert resumed.args == ["recruit_channel"]
        assert not bar.label.isVisible() and not bar.alone_button.isVisible()
        assert bar.came_in_button.isVisible()  # someone may come back in
        ctx = ws.store.context.get(run.interview_id)
        assert ctx is not None and ctx.companion == "separated"
        assert [dict(e.detail) for e in ws.store.audit.entries()
                if e.action == "interview.companion"][-1] == {"from": "present",
                                                              "to": "separated"}
        step = run.session.current()
        assert step is not None and step.key == "recruit_channel"


def test_the_person_came_alone_then_someone_comes_in(qtbot: Any, data_dir: Path) -> None:
    """Alone: only the small "someone came in" button. Pressed, the core holds the sensitive
    sections back again (audited) and the interview moves off a held-back item."""
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        run = ws.casework.open(_started(ws, "none"))
        host = QWidget()
        qtbot.addWidget(host)
        bar = CompanionBar(host, run=run)
        host.show()
        assert bar.came_in_button.isVisible() and not bar.label.isVisible()
        assert run.session.jump("recruit_channel") is not None  # a sensitive item
        with qtbot.waitSignal(bar.resumed, timeout=2000) as moved:
            bar.came_in_button.click()
        assert run.session.discreet and bar.label.isVisible()
        assert moved.args[0] and not run.session.is_held_back(moved.args[0])
        ctx = ws.store.context.get(run.interview_id)
        assert ctx is not None and ctx.companion == "present"
        assert [dict(e.detail) for e in ws.store.audit.entries()
                if e.action == "interview.companion"][-1] == {"from": "none", "to": "present"}
        bar.bind(None)  # a lock: nothing bound, nothing shown
        assert not bar.isVisible()


def test_in_arabic_the_bar_reads_right_to_left(qtbot: Any, data_dir: Path) -> None:
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        host = QWidget()
        qtbot.addWidget(host)
        bar = CompanionBar(host, run=ws.casework.open(_started(ws)))
        host.resize(900, 60)
        ui_language().set_language("ar")
        bar.retranslate()
        host.show()
        assert bar.isRightToLeft()
        # the words start on the right, the button ends the line on the left
        assert bar.alone_button.geometry().right() < bar.label.geometry().left()


def test_the_review_shows_how_many_sections_wait_and_none_of_their_questions(
        qtbot: Any, data_dir: Path) -> None:
    create_store(data_dir)
    app_vm = AppViewModel(data_dir)
    try:
        with qtbot.waitSignal(app_vm.unlocked, timeout=10_000):
            app_vm.unlock(PASSPHRASE)
        interview_id = _started(app_vm.workspace)
        vm = InterviewViewModel(app_vm, interview_id)
        vm.run.replay(DEMO["answers"])
        page = ReviewPage()
        qtbot.addWidget(page)
        page.open(vm)
        page.show()
        assert page.held_back.isVisible()
        text = page.held_back.label.text()
        assert text.startswith("Screening incomplete")
        assert "Sections held back: 9. Questions waiting: 41." in text
        rows = [page.tree.topLevelItem(i) for i in range(page.tree.topLevelItemCount())]
        shown = "\n".join(child.text(0) for row in rows if row is not None
                          for child in (row.child(j) for j in range(row.childCount()))
                          if child is not None)
        for question in ("Do you owe money to your employer",
                         "Has anyone threatened you", "Who has your papers now?"):
            assert question not in shown
        assert "Are you or someone close to you in danger right now?" in shown
    finally:
        app_vm.shutdown()


def test_the_interview_page_holds_back_then_goes_on_where_the_person_is_alone(
        qtbot: Any, data_dir: Path) -> None:
    """The bar sits on the real interview screen: while the companion is in the room no
    held-back question can be reached from the section list; "alone now" goes to the first
    held-back question, which the page then shows."""
    window = _on_the_setup_page(qtbot, data_dir)
    page = window.setup_page
    page.companion.setCurrentIndex(page.companion.findData("present"))
    page.next_button.click()
    window.consent_page.agrees.setChecked(True)
    window.consent_page.start_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.interview_page)
    ip = window.interview_page
    vm = window.interview_vm
    assert vm is not None
    bar = ip.companion_bar
    assert bar.isVisible() and "sections waiting: 9" in bar.label.text()
    held = {s.key for s in vm.run.session.held_back()}
    assert held and vm.current_key() not in held
    with qtbot.waitSignal(bar.resumed, timeout=2000) as resumed:
        bar.alone_button.click()
    assert resumed.args[0] in held
    qtbot.waitUntil(lambda: vm.current_key() == resumed.args[0])
    assert ip.view is not None and ip.view.key == resumed.args[0]
    assert not bar.label.isVisible() and bar.came_in_button.isVisible()
