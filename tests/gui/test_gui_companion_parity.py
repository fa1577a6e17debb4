"""The two faces store the same thing for an interview that starts with someone who came with
the person in the room and goes on once the person is alone (issue #14).

Command line: `fieldscreen interview` with `"context": {"companion": "present"}` (the
held-back result), `interview context ID --companion separated`, `interview resume ID`.
App: the set-up with "Someone who came with them is in the room", each item in turn as the
interview screen asks it, the officer's bar "The person is alone now", the rest, finish.
Both stores must then hold the same result, answers, context and status. Synthetic answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from guihelp import PASSPHRASE as GUI_PASSPHRASE
from guihelp import create_store
from PySide6.QtWidgets import QWidget

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.catalog import InstrumentCatalog
from app.viewmodels.interview_vm import InterviewViewModel
from app.viewmodels.setup_vm import SetupViewModel
from app.widgets.companion_bar import CompanionBar
from screening.engine.state import split_key
from screening.store import Store
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, ROOT, run_cli

DEMO = json.loads((ROOT / "resources" / "demo" / "answers.json").read_text(encoding="utf-8"))
INSTRUMENT = DEMO["instrument"]
ANSWERS: dict[str, Any] = DEMO["answers"]
IN = PASSPHRASE + "\n"
CONTEXT = {"location": "Test Office", "private_setting": True, "companion": "present"}
VOLATILE = {"case_id", "interview_id", "answered_at", "updated_at"}


def _same(a: Any, b: Any, where: str = "result") -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), f"{where}: keys differ: {sorted(set(a) ^ set(b))}"
        for key in a:
            if key not in VOLATILE:
                _same(a[key], b[key], f"{where}.{key}")
    else:
        assert a == b, f"{where} differs"


def _cli_face(folder: Path, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the held-back result printed first, the result printed by `resume`)."""
    assert run_cli("init", data_dir=folder, stdin=IN + IN).returncode == 0
    with Workspace(folder).open(PASSPHRASE) as ws:  # the officer of guihelp.create_store
        ws.store.settings.set("officer_profile", {"name": "Officer Test", "agency": "Test "
                                                  "Agency", "location": "Test Office",
                                                  "hotline": "+00 123"})
    first = tmp_path / "answers.json"
    first.write_text(json.dumps({"consent": {"given": True, "scope": ["screening"],
                                             "language": "en"},
                                 "context": CONTEXT, "answers": ANSWERS}), encoding="utf-8")
    done = run_cli("interview", "--instrument", INSTRUMENT, "--lang", "en", "--answers",
                   str(first), "--json", data_dir=folder, stdin=IN)
    assert done.returncode == 0, done.stderr
    held: dict[str, Any] = json.loads(done.stdout)
    interview_id = held["interview_id"]
    done = run_cli("interview", "context", interview_id, "--companion", "separated",
                   data_dir=folder, stdin=IN)
    assert done.returncode == 0, done.stderr
    more = tmp_path / "more.json"
    more.write_text(json.dumps({"answers": ANSWERS}), encoding="utf-8")
    done = run_cli("interview", "resume", interview_id, "--answers", str(more), "--json",
                   data_dir=folder, stdin=IN)
    assert done.returncode == 0, done.stderr
    return held, json.loads(done.stdout)


def _walk(vm: InterviewViewModel) -> None:
    """As the interview screen does: answer what is shown, required check, next."""
    for _step in range(500):  # bounded: a changed instrument must fail, not hang
        view = vm.current_view()
        if view is None:
            return
        name, _instance = split_key(view.key)
        if view.answerable and name in ANSWERS:
            raw = ANSWERS[name]
            if isinstance(raw, dict):
                assert vm.answer(view.key, None, raw["special"])
            else:
                assert vm.answer(view.key, raw)
        if view.answerable:
            assert vm.check_required(view.key), view.key
        vm.next()
    pytest.fail("the interview did not end")


def _gui_face(qtbot: Any, folder: Path) -> tuple[dict[str, Any], str]:
    """(the result the review would show before the person was alone, the interview id)."""
    create_store(folder)
    app_vm = AppViewModel(folder)
    try:
        with qtbot.waitSignal(app_vm.unlocked, timeout=10_000):
            app_vm.unlock(GUI_PASSPHRASE)
        catalog = InstrumentCatalog(app_vm.workspace)
        setup = SetupViewModel(app_vm, catalog)
        setup.begin("", "en")
        key = next(c.key for c in catalog.cards("en") if c.id == INSTRUMENT)
        setup.choose_instrument(key, "en")
        setup.update(respondent_language="en", companion="present")
        interview_id = setup.start((), "verbal", False)
        assert interview_id

        vm = InterviewViewModel(app_vm, interview_id)
        host = QWidget()
        qtbot.addWidget(host)
        bar = CompanionBar(host, run=vm.run)
        bar.resumed.connect(vm.jump)
        host.show()
        _walk(vm)  # everything that can be asked in front of the companion
        held = vm.run.result()
        assert bar.isVisible()
        with qtbot.waitSignal(vm.step_changed, timeout=2000) as moved:
            bar.alone_button.click()
        assert moved.args == ["recruit_channel"] and not bar.alone_button.isVisible()
        _walk(vm)
        assert vm.finish()
        return held, interview_id
    finally:
        app_vm.shutdown()


def _stored(folder: Path, interview_id: str) -> dict[str, Any]:
    with Store.open(folder, PASSPHRASE) as store:
        interview = store.interviews.get(interview_id)
        answers = store.interviews.load_answers(interview_id)
        ctx = store.context.get(interview_id)
        assert ctx is not None
        return {
            "result": interview.result,
            "status": interview.status,
            "meta": interview.meta.to_json(),
            "answers": {k: {"value": r.value, "special": r.special, "language": r.language,
                            "relevant": r.relevant, "note": r.note} for k, r in answers.items()},
            "context": {k: v for k, v in ctx.to_json().items() if k != "consent_at"},
            "companion_audit": [dict(e.detail) for e in sorted(store.audit.entries(),
                                                               key=lambda e: e.id)
                                if e.action == "interview.companion"],
        }


def test_cli_and_app_store_the_same_companion_present_interview(
        qtbot: Any, tmp_path: Path) -> None:
    cli_held, cli_done = _cli_face(tmp_path / "cli", tmp_path)
    app_held, app_interview = _gui_face(qtbot, tmp_path / "app")
    # before the person was alone, both faces held back the same and said so alike
    _same({k: v for k, v in cli_held.items()
           if k not in ("ignored_answers", "case_id", "interview_id")}, app_held)
    assert app_held["outcome"]["level"] == "incomplete"
    assert len(app_held["outcome"]["held_back_sections"]) == 9

    cli = _stored(tmp_path / "cli", cli_done["interview_id"])
    app = _stored(tmp_path / "app", app_interview)
    _same(cli["result"], app["result"])
    assert cli["result"]["outcome"]["level"] == "refer" and cli["result"]["held_back"] == []
    for part in ("status", "meta", "answers", "context", "companion_audit"):
        assert cli[part] == app[part], part
    assert cli["context"]["companion"] == "separated"
    assert cli["companion_audit"] == [{"from": None, "to": "present"},
                                      {"from": "present", "to": "separated"}]
