"""The interview view-model decides nothing the core decides: "answered" is the core's
``required_error``; a refusal shows the instrument's own wording, else the app's translated
text chosen by error code; stopping, pauses and finishing go through the casework service."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import instrument_yaml
from guihelp import PASSPHRASE, create_store

from app.qt_i18n import ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.interview_vm import InterviewViewModel
from screening.casework.consent import Consent
from screening.casework.lifecycle import InterviewSetup, Started, result_document
from screening.instruments import load_instrument_text

SECTIONS = """\
- name: s1
  title: {en: One}
  items:
    - name: story
      type: text
      text: {en: "Tell me (synthetic)"}
      required: true
      required_message: {en: "Ask again gently (instrument wording)."}
    - name: hours
      type: integer
      text: {en: "Hours?"}
      constraint: ". <= 10"
    - name: needs
      type: multiple_choice
      choices: yes_no
      text: {en: "Needs?"}
      required: true
    - {name: moved, type: yes_no, text: {en: "Moved?"}}
"""


@pytest.fixture
def vm(qtbot, data_dir: Path):
    create_store(data_dir)
    app_vm = AppViewModel(data_dir)
    with qtbot.waitSignal(app_vm.unlocked, timeout=10_000):
        app_vm.unlock(PASSPHRASE)
    loaded = load_instrument_text(
        instrument_yaml(SECTIONS, id="vm_checks"), "vm_checks.yaml")
    ws = app_vm.workspace
    ws.catalog.install(loaded, "vm_checks.yaml")
    started = ws.casework.start(InterviewSetup(loaded, "en"),
                                Consent(given=True, scope=("screening",), language="en"))
    assert isinstance(started, Started)
    model = InterviewViewModel(app_vm, started.interview_id)
    yield model
    app_vm.shutdown()


def _rejections(vm: InterviewViewModel) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    vm.answer_rejected.connect(lambda key, message: out.append((key, message)))
    return out


def test_empty_text_is_not_an_answer_and_the_instrument_says_why(vm) -> None:
    rejected = _rejections(vm)
    assert not vm.check_required("story")
    assert rejected == [("story", "Ask again gently (instrument wording).")]
    assert vm.answer("story", "")  # saved, but the core does not count it as an answer
    assert not vm.check_required("story")
    assert vm.answer("story", "Synthetic words")
    assert vm.check_required("story")


def test_an_empty_selection_is_not_an_answer_and_the_app_says_why(vm) -> None:
    rejected = _rejections(vm)
    assert vm.answer("needs", [])
    assert not vm.check_required("needs")
    assert rejected == [("needs", "This question needs an answer.")]
    assert vm.answer("needs", None, "refused")  # "prefer not to answer" is an answer
    assert vm.check_required("needs")
    assert vm.check_required("moved")  # not required


def test_refusals_without_instrument_wording_are_translated_by_code(vm) -> None:
    rejected = _rejections(vm)
    assert not vm.answer("hours", 11)
    assert not vm.answer("hours", "eleven")
    assert rejected == [("hours", "This value is not allowed here."),
                        ("hours", "Enter a whole number.")]
    ui_language().set_language("ar")
    try:
        rejected.clear()
        assert not vm.answer("hours", 11)
        assert rejected[0][1] != "This value is not allowed here."  # the Arabic text
    finally:
        ui_language().set_language("en")


def test_stop_break_and_finish_go_through_the_core(vm) -> None:
    store = vm.app_vm.require_store()
    vm.record_break()
    vm.stop_early("The person was tired (synthetic)")
    ctx = store.context.get(vm.interview_id)
    assert ctx.breaks == 1 and ctx.stopped_early
    assert ctx.stopped_reason == "The person was tired (synthetic)"
    assert vm.answer("story", "Synthetic words")
    assert vm.finish()
    stored = store.interviews.get(vm.interview_id)
    assert stored.finished
    assert stored.result == result_document(vm.session, vm.run.instrument)  # the one schema
