"""The case list's store queries (issue #19): count, pages in every order, a case's position,
and search terms of one or two characters through an index; kept right by every write and by
the schema 7 migration of an older store."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from storehelp import PASSPHRASE, meta

from screening.errors import InputError
from screening.store import AuditAnchor, CaseSummary, PersonInfo, ReceivedFrom, Store, search
from screening.store.caselist import SORTS
from screening.store.migrations import MIGRATIONS, migrate
from tests.factories import old_schema_case, old_schema_delete

NAMES = ["Ana María González", "ana maria gonzalez", "ÁLVAREZ Zoë", "Zoe Alvarez", "МАРИЯ Иванова",
         "мария иванова", "李小梅", "王芳", "فاطمة الزهراء", "Nguyễn Thị Lan", "सीता शर्मा", "Émile",
         "emile", "Bob"]


def _received(case_id: str, agency: str, officer: str = "") -> ReceivedFrom:
    return ReceivedFrom(
        case_id=case_id, document_id=f"doc-{case_id}", sender_store_id="store-1",
        sender_case_reference=f"FS-2026-{case_id[:5]}", agency=agency, officer=officer,
        sent_at="2026-03-07T10:00:00Z", received_at="",
        sender_audit_anchor=AuditAnchor(1, "ab" * 32), packet_sha256="cd" * 32,
        file_sha256="ef" * 32, recipient_fingerprint="3f9a 1c2b")


@pytest.fixture
def listed(store: Store) -> Store:
    """Forty cases: names in several scripts (some equal but for case and accents), none for
    a few, own references in mixed case, statuses, interviews, and three received cases."""
    rng = random.Random(19)
    with store.atomic("a listed store"):
        for n in range(40):
            reference = f"{'ab'[n % 2]}-{n:03d}" if n % 5 == 0 else None
            person = PersonInfo(name=f"{rng.choice(NAMES)} {n % 3}") if n % 7 else None
            case_id = store.cases.create(reference, person)
            store.cases.set_status(case_id, rng.choice(("draft", "screened", "closed")))
            for _ in range(n % 3):
                store.interviews.create(case_id, meta())
            if n in (3, 11, 30):
                store.cases.record_received(_received(case_id, {3: "Zeta Unit", 11: "",
                                                                30: "Álpha Agency"}[n],
                                                       officer="Officer Sender"))
    return store


def _key(case: CaseSummary, sort: str) -> Any:
    """The order as the officer reads it, worked out here independently of the SQL."""
    if sort == "name":
        return search.normalise(case.name or "")
    if sort == "reference":
        return case.reference.casefold()
    if sort == "received":
        received = case.received_from
        return (received is not None,
                search.normalise(received.agency or received.officer) if received else "")
    return {"status": case.status, "interviews": case.interview_count,
            "created": case.created_at, "updated": case.updated_at}[sort]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("status", [None, "screened"])
def test_pages_in_every_order_make_the_whole_sorted_list(
        listed: Store, sort: str, descending: bool, status: str | None) -> None:
    every = listed.cases.list(status=status)
    total = listed.cases.count(status=status)
    assert total == len(every) > 0
    pages: list[CaseSummary] = []
    for offset in range(0, total + 7, 7):  # windows of 7, one past the end
        pages += listed.cases.page(offset=offset, limit=7, sort=sort, descending=descending,
                                   status=status)
    assert sorted(c.id for c in pages) == sorted(c.id for c in every)  # each case once
    keys = [_key(c, sort) for c in pages]
    assert keys == sorted(keys, reverse=descending)
    for row, case in enumerate(pages):  # reselection: each case is found where it is listed
        assert listed.cases.position(case.id, sort=sort, descending=descending,
                                     status=status) == row


def test_names_sort_blind_to_accents_and_case_in_every_script(store: Store) -> None:
    names = ["Zoe", "Émile", "emile B", "ÉMILE C", "Álvarez", "alvarez B", "Мария", "мАрия B",
             "李", "Bob"]
    for name in names:
        store.cases.create(person=PersonInfo(name=name))
    store.cases.create()  # no name: first, as ""
    listed = [c.name for c in store.cases.page(offset=0, limit=-1, sort="name",
                                               descending=False)]
    assert listed == [None, "Álvarez", "alvarez B", "Bob", "Émile", "emile B", "ÉMILE C",
                      "Zoe", "Мария", "мАрия B", "李"]


def test_sort_keys_follow_every_write(listed: Store) -> None:
    by_name = listed.cases.page(offset=0, limit=-1, sort="name", descending=False)
    unnamed = sum(1 for c in by_name if not c.name)
    # A renamed person moves; a removed person's name no longer sorts the case.
    last = by_name[-1]
    listed.cases.update_person(last.id, PersonInfo(name="Aaron Ábel"))
    assert listed.cases.position(last.id, sort="name", descending=False) == unnamed
    listed.cases.update_person(last.id, None)
    now = listed.cases.position(last.id, sort="name", descending=False)
    assert now is not None and now <= unnamed  # among the unnamed now
    # Interviews are counted on every path: created, and gone with their case.
    case_id = listed.cases.create(person=PersonInfo(name="Counted Synthetic"))
    for _ in range(4):
        listed.interviews.create(case_id, meta())
    top = listed.cases.page(offset=0, limit=1, sort="interviews", descending=True)[0]
    assert (top.id, top.interview_count) == (case_id, 4)
    listed.cases.delete(case_id)
    assert listed.cases.position(case_id) is None
    assert all(c.interview_count == len(listed.cases.get(c.id).interviews)
               for c in listed.cases.list())


def test_received_cases_sort_after_the_ones_made_here(listed: Store) -> None:
    rows = listed.cases.page(offset=0, limit=-1, sort="received", descending=False)
    senders = [c.received_from.agency if c.received_from else None for c in rows]
    # By agency, else officer ("" here: Officer Sender), accent-blind.
    assert senders[-3:] == ["Álpha Agency", "", "Zeta Unit"]
    assert set(senders[:-3]) == {None}


def test_count_and_page_take_the_search_and_a_date(listed: Store) -> None:
    named = [c for c in listed.cases.list() if c.name and c.name.startswith("李小梅")]
    for query in ("李", "小梅", "李小梅", "李 梅"):  # one and two characters: the char index
        assert listed.cases.count(query=query) == len(named)
        assert {c.id for c in listed.cases.page(offset=0, limit=100, sort="name",
                                                query=query)} == {c.id for c in named}
    gonzalez = listed.cases.count(query="GONZALEZ")
    assert gonzalez == sum(1 for c in listed.cases.list()
                           if c.name and "gonzalez" in search.normalise(c.name))
    # The first search_limit matches only (the list says "more than N").
    assert listed.cases.count(query="a", search_limit=5) == 5
    assert len(listed.cases.page(offset=0, limit=100, query="a", search_limit=5)) == 5
    day = listed.cases.list(limit=1)[0].created_at[:10]
    assert listed.cases.count(query=day) == 40
    assert listed.cases.count(query=day[:7], status="closed") == listed.cases.count(
        status="closed")
    assert listed.cases.count(query="1999-01") == 0
    assert listed.cases.count(query=" | ") == 0  # separators only: nothing, as before
    outside = next(c for c in listed.cases.list() if c.status != "closed")
    assert listed.cases.position(outside.id, status="closed") is None
    with pytest.raises(InputError, match="unknown sort"):
        listed.cases.page(offset=0, limit=1, sort="name; DROP TABLE cases")


def test_short_terms_match_substrings_exactly(store: Store) -> None:
    """The one-token-per-character index finds what a scan of the normalised text finds:
    never a phrase across two words or two fields, never a miss."""
    people = ["ana maria", "Ǆemal straße", "ＡＢ ｃｄ", 'quote"mark', "a|b", "सीता", "李小梅"]
    ids = {store.cases.create(person=PersonInfo(name=name, aliases=("ali ba",))): name
           for name in people}
    texts = {c.id: search.index_text(c.reference, ids[c.id], ("ali ba",))
             for c in store.cases.list()}
    queries = ["am", "a m", "na", "ǆe", "ss", "ab", "b c", "e\"", '"', "|", "a|", "सी", "ी",
               "梅", "小梅", "ib", "ab", "fs", "0", "ia b"]
    for query in queries:
        terms = search.terms(query)
        expected = {i for i, t in texts.items() if terms and all(w in t for w in terms)}
        assert {c.id for c in store.cases.search(query, limit=100)} == expected, query


def test_deleting_a_case_removes_both_index_entries(store: Store) -> None:
    keep = store.cases.create(person=PersonInfo(name="Kept Synthetic"))
    gone = store.cases.create(person=PersonInfo(name="Gone Synthetic"))
    store.cases.update_person(gone, PersonInfo(name="Gone Again"))  # re-indexed once
    store.cases.delete(gone)
    conn = store._handle.conn
    assert conn.execute("SELECT count(*) FROM case_search").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM case_search_chars").fetchone()[0] == 1
    assert [c.id for c in store.cases.search("go")] == []
    assert [c.id for c in store.cases.search("ke")] == [keep]


def test_a_schema_6_store_gets_its_sort_keys_and_char_index(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def up_to_6(conn: Any, **kwargs: Any) -> list[int]:
        return migrate(conn, MIGRATIONS[:6], **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr("screening.store.store.migrate", up_to_6)
        patched.setattr("screening.store.store.LATEST_VERSION", 6)
        old, _recovery = Store.create(data_dir, PASSPHRASE)
        zoe = old_schema_case(old, "Zoë Ünal", aliases=("小梅",))
        ana = old_schema_case(old, "ÁNA Synthetic", reference="fs-2026-low")
        none = old_schema_case(old)
        gone = old_schema_case(old, "Deleted Synthetic")
        old_schema_delete(old, gone)
        with old._handle.tx("schema 6 interviews") as conn:
            for n in range(2):
                conn.execute(
                    "INSERT INTO interviews (id, case_id, instrument_id, instrument_version,"
                    " content_hash, respondent_language, officer_language, created_at,"
                    " updated_at) VALUES (?, ?, 'adult_indicators', '1', ?, 'en', 'en',"
                    " '2026-03-07T09:00:00Z', '2026-03-07T09:00:00Z')",
                    (f"{n}" * 32, ana, "sha256:" + "00" * 32))
            conn.execute(
                "INSERT INTO received_referrals (case_id, document_id, packet_sha256,"
                " file_sha256, sender_store_id, sender_case_reference, sender_agency,"
                " sender_anchor_entry, sender_anchor_digest, recipient_fingerprint, sent_at,"
                " received_at) VALUES (?, 'doc', '', '', 's', 'r', 'Agency', 0, '', '', '', '')",
                (zoe,))
        old.close()
    with Store.open(data_dir, PASSPHRASE) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert [c.id for c in store.cases.page(offset=0, limit=-1, sort="name",
                                                           descending=False)] == [
            none, ana, zoe]
        assert [c.interview_count for c in store.cases.page(
            offset=0, limit=-1, sort="interviews", descending=False)] == [0, 0, 2]
        assert store.cases.page(offset=0, limit=1, sort="received",
                                descending=True)[0].id == zoe
        assert [c.id for c in store.cases.search("梅")] == [zoe]  # the char index, filled
        assert [c.id for c in store.cases.search("un")] == [zoe]
        assert [c.id for c in store.cases.search("ÜNAL")] == [zoe]  # trigrams, joined
        assert store.cases.count(query="le") == 0  # the deleted case was not indexed again
        # New writes keep both indexes right on an upgraded store.
        store.cases.update_person(zoe, PersonInfo(name="Aaron"))
        assert store.cases.search("梅") == []
        assert store.cases.page(offset=0, limit=1, sort="name", descending=True)[0].id == ana
        assert store.cases.resolve("FS-2026-LOW") == ana
        store.cases.delete(ana)
        assert store.cases.count() == 2
    assert list((data_dir / "backups").glob("pre-migration-v6-*"))


def test_references_of_the_cases_asked_for_only(store: Store) -> None:
    """The audit trail names cases by reference: only its cases are read, not the list."""
    named = store.cases.create(reference="AU-2026-0001")
    store.cases.create(reference="AU-2026-0002")
    assert store.cases.references([named, "no-such-case", named]) == {named: "AU-2026-0001"}
    assert store.cases.references([]) == {}


def test_a_search_sees_every_write_since_it_was_last_read(store: Store) -> None:
    """The list keeps a search's matches between its count and its pages: never stale."""
    kite = store.cases.create(person=PersonInfo(name="Kite Synthetic"))
    assert store.cases.count(query="kite") == 1
    assert [c.id for c in store.cases.page(offset=0, limit=10, query="kite")] == [kite]
    other = store.cases.create(person=PersonInfo(name="Kite Other"))
    assert store.cases.count(query="kite") == 2
    store.cases.update_person(kite, PersonInfo(name="Renamed Synthetic"))
    assert [c.id for c in store.cases.page(offset=0, limit=10, query="kite")] == [other]
    assert store.cases.position(other, query="kite") == 0
    store.cases.delete(other)
    assert store.cases.count(query="kite") == 0
    assert store.cases.count(query="kite", search_limit=1) == 0
