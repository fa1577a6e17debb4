"""Cases: references, persons, listing, status, reports and deletion for real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from storehelp import PASSPHRASE, answer, decrypted_pages, master_key, meta, raw_connect

from screening.errors import ErrorCode, InputError, StoreError
from screening.store import PersonInfo, Store

REFERENCE = re.compile(r"FS-\d{4}-[0-9A-HJKMNP-TV-Z]{5}")


def test_generated_references_are_pseudonymous_and_unique(store: Store) -> None:
    refs = {store.cases.get(store.cases.create()).reference for _ in range(30)}
    assert len(refs) == 30
    assert all(REFERENCE.fullmatch(r) for r in refs)


def test_own_reference_is_kept_and_must_be_unique(store: Store) -> None:
    case_id = store.cases.create(reference="  PD-2026/0042 ")
    assert store.cases.get(case_id).reference == "PD-2026/0042"
    assert store.cases.resolve("pd-2026/0042") == case_id
    assert store.cases.resolve(case_id) == case_id
    with pytest.raises(InputError):
        store.cases.create(reference="PD-2026/0042")
    for bad in ("", "   ", "x" * 65, "bad\x1b[31mref"):
        with pytest.raises(InputError):
            store.cases.create(reference=bad)
    assert len(store.cases.list()) == 1


def test_person_round_trip_and_repr_hides_it(store: Store) -> None:
    person = PersonInfo(
        name="Fakey Testperson",
        aliases=("Fa", "Testy"),
        date_of_birth="about 1990",
        gender="f",
        nationality="XX",
        languages=("es", "en"),
        contact="+00 000",
        notes="synthetic",
    )
    case_id = store.cases.create(person=person)
    case = store.cases.get(case_id)
    assert case.person == person
    assert "Fakey" not in repr(case) and "Fakey" not in repr(person)
    store.cases.update_person(case_id, None)
    assert store.cases.get(case_id).person is None
    assert store.cases.search("fakey") == []
    store.cases.update_person(case_id, PersonInfo(name="Other Fakename"))
    assert [c.id for c in store.cases.search("fakename")] == [case_id]


def test_list_orders_by_last_change_and_filters_status(store: Store) -> None:
    first = store.cases.create()
    second = store.cases.create()
    assert [c.id for c in store.cases.list()] == [second, first]
    store.cases.set_status(first, "referred")
    assert [c.id for c in store.cases.list()] == [first, second]
    assert [c.id for c in store.cases.list(status="referred")] == [first]
    assert [c.id for c in store.cases.list(limit=1)] == [first]
    with pytest.raises(InputError):
        store.cases.set_status(first, "lost")
    with pytest.raises(StoreError) as info:
        store.cases.set_status("nope", "draft")
    assert info.value.code == ErrorCode.STORE_NOT_FOUND


def test_record_report_keeps_a_base_name_and_hash(store: Store) -> None:
    case_id = store.cases.create()
    digest = "ab" * 32
    store.cases.record_report(case_id, digest.upper(), file_name="/home/officer/Maria/referral.pdf")
    (report,) = store.cases.reports(case_id)
    assert report.file_name == "referral.pdf" and report.sha256 == digest
    with pytest.raises(InputError):
        store.cases.record_report(case_id, "not-a-hash")
    with pytest.raises(StoreError) as info:
        store.cases.record_report("missing-case", digest)
    assert info.value.code == ErrorCode.STORE_NOT_FOUND


def test_unknown_case(store: Store) -> None:
    for call in (
        lambda: store.cases.get("x"),
        lambda: store.cases.resolve("FS-0000-XXXXX"),
        lambda: store.cases.delete("x"),
        lambda: store.cases.update_person("x", None),
    ):
        with pytest.raises(StoreError) as info:
            call()
        assert info.value.code == ErrorCode.STORE_NOT_FOUND


def _count(conn: object, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])  # type: ignore[attr-defined]


def test_delete_removes_everything_for_real(store: Store, data_dir: Path) -> None:
    marker = "Qzxvbnrdel"
    keep = store.cases.create(person=PersonInfo(name="Kept Fakename"))
    case_id = store.cases.create(
        person=PersonInfo(
            name=f"{marker} Fakename", aliases=(f"{marker}alias",), notes=f"{marker} note"
        )
    )
    interview_id = store.interviews.create(case_id, meta(location=f"{marker} town"))
    for n in range(3):
        store.interviews.save_answer(
            interview_id, answer("story", f"{marker} text {n}", note=f"{marker} n"))
    store.interviews.finish(interview_id, {"summary": f"{marker} result"})
    store.cases.record_report(case_id, "cd" * 32, file_name=f"{marker}.pdf")
    assert store.cases.search(marker.lower())

    store.cases.delete(case_id)

    assert store.cases.search(marker) == []
    assert [c.id for c in store.cases.list()] == [keep]
    assert store.audit.verify() == (True, None)
    deleted = [e for e in store.audit.entries() if e.action == "case.deleted"]
    assert deleted[0].detail == {"interviews": [interview_id]}
    store.close()

    raw = raw_connect(data_dir)
    for table in ("cases", "persons", "interviews", "answers", "answer_history", "reports"):
        column = "id" if table == "cases" else "case_id"
        if table in ("answers", "answer_history"):
            assert (
                _count(raw, f"SELECT count(*) FROM {table} WHERE interview_id = ?", interview_id)
                == 0
            )
        else:
            assert _count(raw, f"SELECT count(*) FROM {table} WHERE {column} = ?", case_id) == 0
    assert _count(raw, "SELECT count(*) FROM case_search WHERE case_id = ?", case_id) == 0
    assert _count(raw, "SELECT count(*) FROM case_search") == 1
    raw.close()
    # Below SQL: decrypt every page of the file, free pages included. With secure_delete and
    # FTS5 secure-delete nothing of the case is left for someone who has the key.
    pages = decrypted_pages(data_dir / "fieldscreen.db", master_key(data_dir))
    assert b"Kept Fakename" in pages  # the scan does see live data
    assert marker.encode() not in pages
    assert marker.lower().encode() not in pages  # the normalised search text
    assert not (data_dir / "fieldscreen.db-wal").exists()
    Store.open(data_dir, PASSPHRASE).close()
