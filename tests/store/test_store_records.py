"""Interview context and consent, referrals, narrative notes, encrypted settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from storehelp import PASSPHRASE

from screening.errors import InputError, StoreError, WrongPassphrase
from screening.store import InterviewContext, InterviewMeta, ReferralRecord, Store

META = InterviewMeta("adult_indicators", "1.0.0", "sha256:" + "0" * 64, "ar", "en")


def _interview(store: Store) -> tuple[str, str]:
    case_id = store.cases.create()
    return case_id, store.interviews.create(case_id, META)


def test_context_and_consent_round_trip(store: Store) -> None:
    case_id, interview_id = _interview(store)
    assert store.context.get(interview_id) is None
    ctx = InterviewContext(
        consent_given=True, consent_scope=("screening", "share_with_services"),
        consent_recorded_how="verbal", consent_at="2026-11-27T10:00:00+00:00",
        consent_recipients=("Example shelter",), consent_language="ar",
        confidentiality_explained=True, interpreter_used=True, interpreter_language="ar",
        same_gender_offered=True, private_setting=True, companion="separated", breaks=2,
    )
    store.context.save(interview_id, ctx)
    assert store.context.get(interview_id) == ctx
    changed = InterviewContext(**{**ctx.__dict__, "stopped_early": True,
                                  "stopped_reason": "person was tired"})
    store.context.save(interview_id, changed)
    assert store.context.get(interview_id) == changed
    actions = [e.action for e in store.audit.entries(case_id=case_id)]
    assert actions.count("interview.context") == 2


def test_consent_withdrawal_is_kept_on_record(store: Store) -> None:
    _case_id, interview_id = _interview(store)
    store.context.save(interview_id, InterviewContext(consent_given=True,
                                                      consent_scope=("screening",)))
    store.context.withdraw_consent(interview_id)
    ctx = store.context.get(interview_id)
    assert ctx is not None and ctx.consent_given is False  # no current consent
    with pytest.raises(StoreError):
        store.context.withdraw_consent(interview_id)


def test_bad_context_values_refused(store: Store) -> None:
    _case_id, interview_id = _interview(store)
    with pytest.raises(InputError):
        store.context.save(interview_id, InterviewContext(companion="someone"))
    with pytest.raises(StoreError):
        store.context.save("no-such-interview", InterviewContext())


def test_referrals_and_narrative(store: Store) -> None:
    case_id, _ = _interview(store)
    refs = [
        ReferralRecord("us-nhth", "National Human Trafficking Hotline", "hotline",
                       reason="24/7 advice", contacts="1-888-373-7888", languages=("en", "es")),
        ReferralRecord("example-shelter", "Example shelter", "shelter", reason="bed tonight"),
    ]
    store.referrals.save(case_id, refs, "Synthetic narrative for a test person.")
    assert store.referrals.get(case_id) == (refs, "Synthetic narrative for a test person.")
    store.referrals.save(case_id, refs[:1], None)
    assert store.referrals.get(case_id) == (refs[:1], None)
    store.cases.delete(case_id)
    assert store.referrals.get(case_id) == ([], None)


def test_settings_are_inside_the_encrypted_store(store: Store, data_dir: Path) -> None:
    store.settings.set("officer_profile", {"name": "Officer Testperson", "agency": "Test"})
    store.settings.set("auto_lock_minutes", 7)
    assert store.settings.get("auto_lock_minutes") == 7
    assert store.settings.get("missing", "dflt") == "dflt"
    store.close()
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"Testperson" not in path.read_bytes()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.settings.get("officer_profile")["name"] == "Officer Testperson"


def test_failed_unlocks_and_lock_enter_the_audit_trail(store: Store, data_dir: Path) -> None:
    store.close()
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            Store.open(data_dir, "not the passphrase at all")
    with Store.open(data_dir, PASSPHRASE) as again:
        entries = again.audit.entries()
        actions = [e.action for e in entries]
        assert "store.locked" in actions
        failed = [e for e in entries if e.action == "unlock.failed"]
        assert len(failed) == 1 and failed[0].detail == {"attempts": 2}
        assert again.audit.verify() == (True, None)


def test_new_cases_start_as_draft(store: Store) -> None:
    case_id, interview_id = _interview(store)
    assert store.cases.get(case_id).status == "draft"
    store.interviews.finish(interview_id, {"outcome": {"level": "refer"}})
    assert store.cases.get(case_id).status == "screened"


def test_opening_a_case_is_audited_reading_it_internally_is_not(store: Store) -> None:
    case_id, _ = _interview(store)
    store.cases.get(case_id)
    assert "case.opened" not in [e.action for e in store.audit.entries(case_id=case_id)]
    assert store.cases.open(case_id).id == case_id
    assert [e.action for e in store.audit.entries(case_id=case_id)].count("case.opened") == 1


def test_verifying_the_passphrase_on_an_open_store_counts_wrong_answers(
        store: Store, data_dir: Path) -> None:
    from screening.store.throttle import UnlockThrottle

    store.verify_passphrase(PASSPHRASE)
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            store.verify_passphrase("not the passphrase at all")
    assert UnlockThrottle(data_dir / "keyslots.json").failures == 2
    actions = [e.action for e in store.audit.entries()]
    assert actions.count("passphrase.check_failed") == 2
    store.verify_passphrase(PASSPHRASE)
    assert UnlockThrottle(data_dir / "keyslots.json").failures == 0
