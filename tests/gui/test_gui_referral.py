"""The referral screen offers what the person's consent covers, as the core decides; a
service outside it needs the officer's reason, which is audited and printed on the packet
(and withheld from the redacted one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from guihelp import PASSPHRASE

from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows import dialogs
from app.windows.referral_page import ReferralPage
from screening.paths import resource_path
from screening.store import PersonInfo
from tests.factories import stored_interview
from tests.reports.pdftools import one_line, pdftotext

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
NAME = "Synthetic Person-Referral"
REASON = "ZQX synthetic reason: the person asked at the end to report the employer"
OUTSIDE = "Referred outside the person's consent."


@pytest.fixture
def app_vm(qtbot, data_dir: Path) -> Iterator[AppViewModel]:
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    yield vm
    vm.shutdown()


def _case(app_vm: AppViewModel, scope: tuple[str, ...] = ("screening", "referral")) -> str:
    done = stored_interview(app_vm.workspace, "adult_indicators", ANSWERS, lang="en",
                            person=PersonInfo(name=NAME), scope=scope)
    return str(done["case_id"])


def _write(qtbot, vm: ReferralViewModel, out: Path, *, redacted: bool) -> None:
    errors: list[str] = []
    vm.failed.connect(lambda code, _i: errors.append(code))
    with qtbot.waitSignal(vm.report_written, timeout=60_000):
        vm.generate(out, lang="en", redacted=redacted, password=None)
    assert errors == []


def test_law_enforcement_is_offered_only_with_consent_to_it(qtbot, app_vm) -> None:
    vm = ReferralViewModel(app_vm)
    vm.load(_case(app_vm))
    assert vm.consent_scopes() == ["screening", "referral to support services"]
    offered = vm.filtered()
    assert offered and "law_enforcement" not in {s.kind for s in offered}
    assert not any(s.outside_consent for s in offered)
    vm.set_show_outside_consent(True)
    police = [s for s in vm.filtered() if s.kind == "law_enforcement"]
    assert police and all(s.outside_consent for s in police)
    assert vm.scope_needed_text(police[0]) == "sharing with law enforcement"

    wide = ReferralViewModel(app_vm)
    wide.load(_case(app_vm, ("screening", "referral", "law_enforcement")))
    assert "law_enforcement" in {s.kind for s in wide.filtered()}
    assert not any(s.outside_consent for s in wide.filtered())


def test_filters_come_from_the_core(qtbot, app_vm) -> None:
    from screening.casework.referrals import offered_services

    vm = ReferralViewModel(app_vm)
    vm.load(_case(app_vm))
    core = offered_services(app_vm.workspace.directory(), vm.consent, need="shelter",
                            language="es")
    assert [s.service_id for s in vm.filtered("shelter", "es")] == [s.id for s in core]


def test_override_is_stored_audited_and_printed(qtbot, app_vm, tmp_path: Path) -> None:
    store = app_vm.require_store()
    case_id = _case(app_vm)
    vm = ReferralViewModel(app_vm)
    vm.load(case_id)
    vm.set_show_outside_consent(True)
    police = next(s for s in vm.filtered() if s.kind == "law_enforcement")
    helpline = next(s for s in vm.filtered() if s.kind == "hotline")
    assert vm.needs_reason(police) and not vm.needs_reason(helpline)
    assert vm.add(police) is False  # no reason: not chosen
    assert vm.add(police, "   ") is False
    assert vm.chosen == []
    assert vm.add(helpline) and vm.add(police, REASON)
    vm.set_reason(helpline.service_id, "Advice line (synthetic)")
    assert vm.save()

    records, _narrative = store.referrals.get(case_id)
    by_id = {r.service_id: r for r in records}
    assert by_id[police.service_id].override_reason == REASON
    assert by_id[helpline.service_id].override_reason is None
    overrides = [e for e in store.audit.entries(case_id=case_id)
                 if e.action == "referral.override"]
    assert [e.detail for e in overrides] == [{
        "service_id": police.service_id, "scope_needed": "law_enforcement", "reason": REASON}]

    again = ReferralViewModel(app_vm)  # reopened: the override is still marked
    again.load(case_id)
    chosen = {c.service.service_id: c for c in again.chosen}
    assert chosen[police.service_id].override_reason == REASON
    assert chosen[police.service_id].service.outside_consent

    full = tmp_path / "full.pdf"
    _write(qtbot, vm, full, redacted=False)
    text = one_line(pdftotext(full))
    assert f"{OUTSIDE} Officer's reason: {REASON}" in text
    assert text.count(OUTSIDE) == 1  # the helpline is within the consent

    redacted = tmp_path / "redacted.pdf"
    _write(qtbot, vm, redacted, redacted=True)
    text = one_line(pdftotext(redacted))
    assert f"{OUTSIDE} Officer's reason: Withheld in this redacted copy" in text
    assert "ZQX" not in text and NAME not in text
    assert len([e for e in store.audit.entries(case_id=case_id)
                if e.action == "referral.override"]) == 1  # saved again: audited once


def test_page_shows_the_consent_and_asks_for_a_reason(qtbot, app_vm,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = _case(app_vm)
    vm = ReferralViewModel(app_vm)
    page = ReferralPage(vm)
    qtbot.addWidget(page)
    page.open(case_id)
    assert page.consent.text() == "Consent covers: screening, referral to support services"
    kinds = page.directory.model()
    shown = [kinds.index(r, 1).data() for r in range(page.directory.rowCount())]
    assert "Law enforcement" not in shown
    assert not page.show_outside.isChecked()

    page.show_outside.setChecked(True)
    row = next(r for r in range(page.directory.rowCount())
               if page._shown[r].kind == "law_enforcement")
    assert page.directory.item(row, 0).text().startswith("⚠ Outside the consent: ")
    page.directory.setCurrentCell(row, 0)
    assert "Outside the person's consent" in page.service_details.text()

    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: None)  # cancelled
    page._add()
    assert page.chosen.rowCount() == 0
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "  ")  # no reason typed
    page._add()
    assert page.chosen.rowCount() == 0
    assert "needs your reason" in page.choose_status.text()
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_text",
                        lambda _p, title, text, *a, **k: asked.append(text) or REASON)
    page._add()
    assert "sharing with law enforcement" in asked[0]
    assert page.chosen.rowCount() == 1
    assert REASON in page.chosen.item(0, 3).text()
    assert page.chosen.item(0, 3).text().startswith("⚠ Outside the consent")

    page.clear_personal_data()
    assert page.consent.text() == "" and page.chosen.rowCount() == 0
