"""From an empty data folder to a finished referral, through the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from guihelp import CANARY_NAME, PASSPHRASE, make_window, start_interview

from app.windows import dialogs
from screening.store import Store


def test_first_run_to_finished_referral(qtbot, data_dir: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, data_dir)
    fr = window.first_run
    assert window.stack.currentWidget() is fr
    assert not Store.exists(data_dir)

    # 1. language, then a passphrase: too short, then strong; confirmation must match
    fr.lang_combo.setCurrentIndex(fr.lang_combo.findData("en"))
    fr.lang_next.click()
    fr.passphrase.edit.setText("short")
    assert fr.passphrase.check_now() == "short"
    assert "Too short" in fr.passphrase.meter.text()
    fr.passphrase.edit.setText(PASSPHRASE)
    assert fr.passphrase.check_now() == "ok"
    fr.confirm.edit.setText(PASSPHRASE + "x")
    fr._update_create()
    assert not fr.create_button.isEnabled()
    assert "not the same" in fr.match_label.text()
    fr.confirm.edit.setText(PASSPHRASE)
    fr._update_create()
    assert fr.create_button.isEnabled()
    with qtbot.waitSignal(window.app_vm.created, timeout=10_000) as created:
        fr.create_button.click()
        assert fr.busy.isVisible()  # key derivation runs on a worker: the window stays live
    recovery_key = created.args[0]

    # 2. the recovery key, shown once, with the warning; Continue only after confirming
    assert fr.steps.currentIndex() == 2
    assert fr.key_label.text() == recovery_key
    assert "nobody can open your data" in fr.key_warning.label.text()
    assert not fr.key_next.isEnabled()
    fr.key_written.setChecked(True)
    fr.key_next.click()
    assert fr.key_label.text() == ""  # gone from the screen and the widget

    # 3. officer profile, stored encrypted
    fr.officer_name.setText("Officer Test")
    fr.officer_agency.setText("Test Agency")
    fr.officer_hotline.setText("+00 123 456")
    fr.profile_done.click()
    assert window.stack.currentWidget() is window.cases_page
    assert window.app_vm.officer_profile().hotline == "+00 123 456"
    assert (data_dir / "ui.json").read_text(encoding="utf-8").strip() == '{"language": "en"}'

    # 4. a case and an interview with the safety triage, Spanish for the respondent
    interview_id = start_interview(qtbot, window, "safety_triage", respondent="es",
                                   officer="en")
    page = window.interview_page
    assert page.view.key == "intro"
    assert page.question.respondent_text.text().startswith("Gracias")
    answers = {"danger_now": 2, "afraid_of_someone": 2, "hurt_or_ill": 2, "basic_needs": 2,
               "safe_place_tonight": 1, "dependants": 2, "hotline_contact": 3,
               "obs_minor": 2, "obs_medical": 2}
    page.go_next()
    for _step in range(100):  # bounded: a changed instrument must fail, not hang
        if window.stack.currentWidget() is not page:
            break
        view = page.view
        if view.key in answers:
            assert page.answer_widget.choose(answers[view.key])
            assert page.saved.text().startswith("✓")
        elif page.answer_widget is not None:
            page.special_buttons["dont_know"].click()
        page.go_next()
    assert window.stack.currentWidget() is window.review_page
    result = window.interview_vm.result_view()
    assert result.level in ("officer_judgement", "no_indicators")
    assert not result.flags

    # 5. finish: the result is stored and the case moves to the referral screen
    window.review_page.finish()
    assert window.stack.currentWidget() is window.referral_page
    store = window.app_vm.store
    assert store.interviews.get(interview_id).finished
    ctx = store.context.get(interview_id)
    assert ctx.consent_given and "screening" in ctx.consent_scope

    # 6. referral: a helpline from the directory, a reason, notes; then the PDF
    ref = window.referral_page
    assert ref.directory.rowCount() > 0
    ref.need.setCurrentIndex(ref.need.findData("shelter"))
    ref.language.setCurrentIndex(ref.language.findData("es"))
    assert ref.directory.rowCount() > 0
    ref.directory.selectRow(0)
    ref._add()
    assert ref.chosen.rowCount() == 1
    ref.chosen.item(0, 2).setText("Needs a safe place tonight")
    ref.narrative.setPlainText("Synthetic narrative for the test.")
    out = tmp_path / "referral.pdf"
    monkeypatch.setattr(dialogs, "choose_save_path", lambda *a, **k: out)
    ref.protect.setChecked(True)
    ref.password.setText("a separate report password 7")
    ref.password_confirm.setText("a separate report password 7")
    errors: list[str] = []
    monkeypatch.setattr("app.windows.referral_page.show_error",
                        lambda _p, code, **_k: errors.append(code))
    ref.generate()
    assert ref.busy.isVisible()  # written on a worker, with a progress bar
    qtbot.waitUntil(lambda: bool(ref.result.text() or errors), timeout=30_000)
    assert errors == []
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    assert "SHA-256" in ref.result.text()
    case_id = window.referral_vm.case_id
    records, narrative = store.referrals.get(case_id)
    assert [r.reason for r in records] == ["Needs a safe place tonight"]
    assert narrative == "Synthetic narrative for the test."
    ref.done_button.click()
    assert window.stack.currentWidget() is window.cases_page
    assert store.cases.get(case_id).person.name == CANARY_NAME
    assert store.cases.get(case_id).status == "referred"
    assert [r.kind for r in store.cases.reports(case_id)] == ["referral"]
