"""Schema 3 (issue #15): a case's referral details in the encrypted store, and a store of
schema 2 upgraded to hold them without losing a case."""

from __future__ import annotations

from pathlib import Path

import pytest
from storehelp import PASSPHRASE

from screening.errors import StoreError
from screening.store import Store
from screening.store.migrations import MIGRATIONS, migrate
from tests.factories import old_schema_case


def test_details_round_trip_audited_by_field_name_only(store: Store) -> None:
    case_id = store.cases.create()
    assert store.referrals.details(case_id) is None
    store.referrals.save_details(case_id, {"exploiters": "QZ synthetic", "wants": ["medical"]},
                                 ["exploiters", "wants"])
    assert store.referrals.details(case_id) == {"exploiters": "QZ synthetic",
                                                "wants": ["medical"]}
    store.referrals.save_narrative(case_id, "QZ reason")
    assert store.referrals.get(case_id) == ([], "QZ reason")
    store.referrals.save_details(case_id, None, ["exploiters", "wants"])
    assert store.referrals.details(case_id) is None
    entries = [e for e in store.audit.entries(case_id=case_id)
               if e.action in ("case.referral_details", "case.referral_reason")]
    assert [e.detail for e in entries] == [{"fields": ["exploiters", "wants"]}, {},
                                           {"fields": ["exploiters", "wants"]}]
    with pytest.raises(StoreError):
        store.referrals.save_details("no-such-case", {"wants": []}, ["wants"])


def test_a_schema_2_store_upgrades_to_hold_referral_details(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def up_to_2(conn, **kwargs):  # type: ignore[no-untyped-def]
        return migrate(conn, MIGRATIONS[:2], **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr("screening.store.store.migrate", up_to_2)
        patched.setattr("screening.store.store.LATEST_VERSION", 2)
        old, _recovery = Store.create(data_dir, PASSPHRASE)
        case_id = old_schema_case(old)
        assert old.schema_version == 2
        old.close()
    with Store.open(data_dir, PASSPHRASE) as store:
        assert store.schema_version >= 3  # and whatever came after
        assert store.cases.get(case_id).id == case_id
        store.referrals.save_details(case_id, {"police_reference": "QZ-1"},
                                     ["police_reference"])
        assert store.referrals.details(case_id) == {"police_reference": "QZ-1"}
    assert list((data_dir / "backups").glob("pre-migration-v2-*.fsbackup"))
