"""The referral screen offers the three copies of the packet, each with a line saying what it is
for; a full packet the person's consent does not cover asks for the officer's reason
(issue #15). The app writes what `fieldscreen report --variant` writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from guihelp import PASSPHRASE
from pypdf import PdfReader

from app.qt_i18n import _
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows import dialogs
from app.windows.referral_page import ReferralPage
from screening.paths import resource_path
from screening.reports.redaction import DESCRIPTIONS
from screening.store import PersonInfo
from tests.factories import stored_interview

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
NAME = "QZ Synthetic Person-Variants"
REASON = "QZ synthetic: the person asked for the shelter to be told today"


@pytest.fixture
def app_vm(qtbot, data_dir: Path) -> Iterator[AppViewModel]:
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    yield vm
    vm.shutdown()


def _page(qtbot, app_vm: AppViewModel, scope: tuple[str, ...]) -> tuple[ReferralPage, str]:
    case_id = str(stored_interview(app_vm.workspace, "adult_indicators", ANSWERS, lang="en",
                                   person=PersonInfo(name=NAME), scope=scope)["case_id"])
    page = ReferralPage(ReferralViewModel(app_vm))
    qtbot.addWidget(page)
    page.open(case_id)
    return page, case_id


def _generate(qtbot, page: ReferralPage, out: Path,
              monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the PDF (no password, confirmed) into ``out``; returns the suggested names."""
    suggested: list[str] = []

    def choose(_parent, _title, name, *_a, **_k) -> Path:  # type: ignore[no-untyped-def]
        suggested.append(name)
        return out

    monkeypatch.setattr(dialogs, "choose_save_path", choose)
    monkeypatch.setattr(dialogs, "ask", lambda *_a, **_k: True)
    with qtbot.waitSignal(page.vm.report_written, timeout=60_000):
        page.generate()
    return suggested


def test_three_copies_each_with_what_it_is_for(qtbot, app_vm, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    page, case_id = _page(qtbot, app_vm, ("screening", "referral"))
    options = page.options
    assert list(options.buttons) == ["full", "redacted", "minimal"]
    for variant, description in options.descriptions.items():
        assert description.text() == _(DESCRIPTIONS[variant]) and description.text()
    assert options.variant() == "full"
    assert not options.reason.isVisibleTo(page)  # the consent covers sharing

    options.buttons["minimal"].click()
    out = tmp_path / "minimal.pdf"
    suggested = _generate(qtbot, page, out, monkeypatch)
    reference = app_vm.workspace.store.cases.get(case_id).reference
    assert suggested == [f"referral-{reference}-minimal.pdf"]
    data = json.loads(PdfReader(str(out)).attachments["referral.json"][0])
    assert data["variant"] == "minimal" and NAME not in json.dumps(data, ensure_ascii=False)
    assert [r.kind for r in app_vm.workspace.store.cases.reports(case_id)] == [
        "referral_minimal"]


def test_full_packet_without_consent_asks_for_the_reason(qtbot, app_vm, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    page, case_id = _page(qtbot, app_vm, ("screening",))
    options = page.options
    assert options.reason.isVisibleTo(page) and options.reason_label.isVisibleTo(page)
    options.buttons["redacted"].click()
    assert not options.reason.isVisibleTo(page)  # a redacted copy needs no reason
    options.buttons["full"].click()
    started: list[bool] = []
    page.vm.report_started.connect(lambda: started.append(True))
    page.generate()  # no reason typed: nothing is written, the field asks for it
    assert started == []
    assert app_vm.workspace.store.cases.reports(case_id) == []

    options.reason.setText(REASON)
    out = tmp_path / "full.pdf"
    _generate(qtbot, page, out, monkeypatch)
    first = " ".join((PdfReader(str(out)).pages[0].extract_text() or "").split())
    assert "Written without the person's consent to share" in first and REASON in first
    store = app_vm.workspace.store
    [report] = store.cases.reports(case_id)
    overrides = [e for e in store.audit.entries(case_id=case_id)
                 if e.action == "report.consent_override"]
    assert [e.detail for e in overrides] == [{"report_id": report.id, "kind": "referral"}]
    page.clear_personal_data()
    assert options.reason.text() == ""
