"""Schema 4 (issue #15 review): where a received case came from, kept with the case, listed
with it, removed with it; and a store that received cases before schema 4 learns where they
came from from its audit trail when it is upgraded."""

from __future__ import annotations

from pathlib import Path

import pytest
from storehelp import PASSPHRASE

from screening.store import AuditAnchor, PersonInfo, ReceivedFrom, Store
from screening.store.migrations import MIGRATIONS, migrate
from tests.factories import old_schema_case, old_schema_delete

DIGEST = "ab" * 32
AGENCY = "Synthetic Border Unit"
OFFICER = "Officer Synthetic-Sender"


def _received(case_id: str, **changes: object) -> ReceivedFrom:
    values: dict[str, object] = dict(
        case_id=case_id, document_id="doc-1", sender_store_id="store-1",
        sender_case_reference="FS-2026-AAAAA", agency=AGENCY, officer=OFFICER,
        sent_at="2026-03-07T10:00:00+00:00", received_at="",
        sender_audit_anchor=AuditAnchor(41, DIGEST), packet_sha256="cd" * 32,
        file_sha256="ef" * 32, recipient_fingerprint="3f9a 1c2b 7d4e 99aa",
        phone="+962 6 555 0100", email="officer@example.org")
    values.update(changes)
    return ReceivedFrom(**values)  # type: ignore[arg-type]


def test_where_a_case_came_from_is_listed_with_it_and_deleted_with_it(store: Store) -> None:
    local = store.cases.create(person=PersonInfo(name="Local Synthetic"))
    received = store.cases.create(person=PersonInfo(name="Received Synthetic"))
    store.cases.record_received(_received(received))
    rows = {c.id: c for c in store.cases.list()}
    assert rows[local].received_from is None
    got = rows[received].received_from
    assert got is not None and (got.agency, got.officer) == (AGENCY, OFFICER)
    assert got.received_at and got.sender_audit_anchor == AuditAnchor(41, DIGEST)
    assert rows[received].to_json()["received_from"] == got.summary_json()
    assert [c.received_from for c in store.cases.search("Received")] == [got]
    assert store.cases.received_from(received) == got
    assert store.cases.received_like("doc-1", "x", "y") == [got]
    assert store.cases.received_like("other", "store-1", "FS-2026-AAAAA") == [got]
    assert store.cases.received_like("other", "store-1", "FS-2026-BBBBB") == []
    # An update names the case it follows, by reference while that case exists.
    update = store.cases.create()
    store.cases.record_received(_received(update, document_id="doc-2",
                                          earlier_case_id=received, relation="newer"))
    follows = store.cases.received_from(update)
    assert follows is not None and follows.earlier_reference == store.cases.get(
        received).reference
    store.cases.delete(received)
    assert store.cases.received_from(received) is None
    assert [r.case_id for r in store.cases.received_like("doc-1", "store-1",
                                                         "FS-2026-AAAAA")] == [update]
    follows = store.cases.received_from(update)
    assert follows is not None and follows.earlier_case_id == received
    assert follows.earlier_reference is None  # deleted: the id stays, the reference is gone


def test_a_schema_3_store_learns_where_its_received_cases_came_from(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def up_to_3(conn, **kwargs):  # type: ignore[no-untyped-def]
        return migrate(conn, MIGRATIONS[:3], **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr("screening.store.store.migrate", up_to_3)
        patched.setattr("screening.store.store.LATEST_VERSION", 3)
        old, _recovery = Store.create(data_dir, PASSPHRASE)
        assert old.schema_version == 3
        # What `fieldscreen receive` stored before schema 4: a case, its interview with the
        # sending officer, and the provenance in the audit trail only.
        case_id = old_schema_case(old, "Received Synthetic")
        interview_id = "1" * 32  # as schema 3 wrote it (today's code writes schema 5's)
        with old._handle.tx("a schema 3 interview") as conn:
            conn.execute(
                "INSERT INTO interviews (id, case_id, instrument_id, instrument_version,"
                " content_hash, respondent_language, officer_language, officer, created_at,"
                " updated_at) VALUES (?, ?, 'adult_indicators', '1.0.0', ?, 'en', 'en', ?,"
                " '2026-03-07T09:00:00Z', '2026-03-07T09:00:00Z')",
                (interview_id, case_id, "sha256:" + "00" * 32, OFFICER))
        old.audit.event("referral.received", case_id=case_id, interview_id=interview_id,
                        detail={"sender_store_id": "store-1", "sender_agency": AGENCY,
                                "sent_at": "2026-03-07T10:00:00+00:00",
                                "sender_audit_anchor": {"entry_id": 41, "digest": DIGEST},
                                "document_id": "doc-1", "packet_sha256": "cd" * 32,
                                "file_sha256": "ef" * 32,
                                "recipient_fingerprint": "3f9a 1c2b 7d4e 99aa",
                                "sender_case_reference": "FS-2026-AAAAA"})
        local = old_schema_case(old)
        deleted = old_schema_case(old)
        old.audit.event("referral.received", case_id=deleted, detail={"document_id": "x"})
        old_schema_delete(old, deleted)
        old.close()
    with Store.open(data_dir, PASSPHRASE) as store:
        assert store.schema_version >= 4
        rows = {c.id: c for c in store.cases.list()}
        assert set(rows) == {case_id, local}
        assert rows[local].received_from is None
        got = rows[case_id].received_from
        assert got is not None
        assert (got.agency, got.officer, got.document_id) == (AGENCY, OFFICER, "doc-1")
        assert got.sender_audit_anchor == AuditAnchor(41, DIGEST)
        assert (got.sent_at, got.sender_case_reference) == ("2026-03-07T10:00:00+00:00",
                                                            "FS-2026-AAAAA")
        assert got.received_at  # the time of the audit entry
        assert (got.phone, got.email) == ("", "")  # not kept before schema 4
        # Schema 5: the received interview is the sending agency's.
        [interview] = store.cases.get(case_id).interviews
        assert (interview.meta.officer, interview.meta.agency) == (OFFICER, AGENCY)
        assert store.cases.received_like("doc-1", "", "") == [got]
    assert list((data_dir / "backups").glob("pre-migration-v3-*.fsbackup"))
