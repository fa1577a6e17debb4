"""Issue #13 in the app: a file the officer chooses to save (referral PDF, backup, export,
directory copy, screenshots) never lands inside the data folder, over a store file or on a
device; the officer reads a translated reason and nothing is written."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from guihelp import PASSPHRASE

from app import error_dialogs
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows import dialogs
from app.windows.referral_page import ReferralPage
from screening.errors import ErrorCode, InputError
from screening.paths import resource_path
from screening.store import PersonInfo
from tests.factories import stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def app_vm(qtbot, data_dir: Path) -> Iterator[AppViewModel]:
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    # The background page check ends with a checkpoint that rewrites fieldscreen.db: let it
    # finish, so the tests' before/after hashes see only what a refused output did.
    assert vm.require_store().page_check.wait(30) == "ok"
    yield vm
    vm.shutdown()


def test_referral_screen_refuses_a_path_inside_the_data_folder(
        qtbot, app_vm: AppViewModel, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = stored_interview(app_vm.workspace, "adult_indicators", ANSWERS, lang="en",
                            person=PersonInfo(name="Synthetic Person-Target"),
                            scope=("screening", "referral"))
    case_id = str(done["case_id"])
    vm = ReferralViewModel(app_vm)
    page = ReferralPage(vm)
    qtbot.addWidget(page)
    page.open(case_id)
    page.protect.setChecked(True)
    page.password.setText("a separate report password 7")
    page.password_confirm.setText("a separate report password 7")
    shown: list[str] = []
    monkeypatch.setattr("app.windows.referral_page.show_error",
                        lambda _p, code, **_k: shown.append(code))
    started: list[bool] = []
    vm.report_started.connect(lambda: started.append(True))
    store = app_vm.workspace.store
    for target in (data_dir / "fieldscreen.db", data_dir / "logs" / "referral.pdf"):
        before = _hashes(data_dir)
        monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, _t=target, **k: _t)
        page.generate()
        assert shown[-1] == ErrorCode.OUTPUT_TARGET
        assert started == [] and not page.busy.isVisible()
        assert _hashes(data_dir) == before
    assert len(shown) == 2
    assert store.cases.reports(case_id) == []  # nothing written, nothing recorded
    assert store.integrity_check() == []
    what, todo = error_dialogs.message_for(ErrorCode.OUTPUT_TARGET)
    assert "data folder" in what and "outside the data folder" in todo


def test_save_dialog_checks_the_chosen_path(qtbot, app_vm: AppViewModel, data_dir: Path,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(error_dialogs, "show_error", lambda _p, code, **_k: shown.append(code))
    check = app_vm.workspace.check_output
    monkeypatch.setattr(dialogs, "_run_file_dialog", lambda _d: data_dir / "keyslots.json")
    assert dialogs.choose_save_path(None, "Save", "x.json", "*", check=check) is None
    assert shown == [ErrorCode.OUTPUT_TARGET]
    fine = tmp_path / "outside.fsbackup"
    monkeypatch.setattr(dialogs, "_run_file_dialog", lambda _d: fine)
    assert dialogs.choose_save_path(None, "Save", "x.json", "*", check=check) == fine
    assert shown == [ErrorCode.OUTPUT_TARGET]


def test_screenshots_refuse_every_store_target(qtbot, app_vm: AppViewModel, data_dir: Path,
                                               tmp_path: Path) -> None:
    from app.screenshots import take_screenshots

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "db-link").symlink_to(data_dir / "fieldscreen.db")
    os.link(data_dir / "keyslots.json", outside / "keyslots-link")
    before = _hashes(data_dir)
    for target in (data_dir, data_dir / "keyslots.json", data_dir / "fieldscreen.db",
                   data_dir / "logs" / "shots", outside / "db-link", outside / "keyslots-link",
                   Path("/dev/null")):  # never written: the folder is checked first
        with pytest.raises(InputError) as caught:
            take_screenshots(target, "en", data_dir=data_dir)
        assert caught.value.code == ErrorCode.OUTPUT_TARGET
        assert f"refusing to write {target}" in caught.value.message
    assert _hashes(data_dir) == before
    assert not (data_dir / "logs" / "shots").exists()
