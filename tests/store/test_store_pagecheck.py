"""The full page check (issue #19): unlock reads only what it needs; every other page's HMAC is
verified in the background, and once damage is known nothing more is saved.

The check is compared with SQLCipher's own ``PRAGMA cipher_integrity_check`` on sound and
damaged files (the differential tests), then driven through the Store as an officer meets it.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from storehelp import (
    PASSPHRASE,
    answer,
    decrypted_pages_list,
    file_hashes,
    master_key,
    meta,
    raw_connect,
)

from screening.errors import StoreCorrupt
from screening.store import Store
from screening.store.pagecheck import PENDING_BYTE, PageCheck, PageLayout

PAGE = 4096


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A closed store of about 170 pages: a small case, then one with 300 answers and a long
    free text (its overflow pages are read only when that answer is)."""
    data = tmp_path_factory.mktemp("pagecheck") / "data"
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    try:
        store, _ = Store.create(data, PASSPHRASE)
    finally:
        del os.environ["FIELDSCREEN_KDF_PROFILE"]
    with store:
        small_case = store.cases.create()
        small = store.interviews.create(small_case, meta())
        store.interviews.save_answer(small, answer("q0", "synthetic"))
        interview = store.interviews.create(store.cases.create(), meta())
        for n in range(300):
            store.interviews.save_answer(interview, answer(f"q{n}", "synthetic " * 40))
        store.interviews.save_answer(interview, answer("story", LONG_TEXT))
    return data, small_case


LONG_TEXT = "long-free-text " * 6000  # 90 KB: 22 overflow pages


def _overflow_page(data: Path) -> int:
    """A page in the middle of the long answer's overflow chain (found by decrypting)."""
    key = master_key(data)
    raw = (data / "fieldscreen.db").read_bytes()
    hits = [n + 1 for n, text in enumerate(decrypted_pages_list(raw, key))
            if text.count(b"long-free-text ") > 200]
    assert len(hits) > 10
    return hits[len(hits) // 2]


@pytest.fixture
def data(pristine: tuple[Path, str], tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine[0], tmp_path / "data"))


def _pages(data: Path) -> int:
    return (data / "fieldscreen.db").stat().st_size // PAGE


def _flip(offset: int) -> Callable[[Path], None]:
    def mutate(db: Path) -> None:
        with db.open("r+b") as f:
            f.seek(offset)
            byte = f.read(1)[0]
            f.seek(offset)
            f.write(bytes([byte ^ 0x01]))
    return mutate


def _pragma_pages(rows: list[str]) -> list[int]:
    return sorted({int(n) for row in rows for n in re.findall(r"page (\d+)", row)})


def _both(data: Path, mutate: Callable[[Path], None]) -> tuple[list[int], PageCheck]:
    """SQLCipher's check and ours on the same file, damaged by ``mutate`` after it was opened
    (as a disk fails under an open store; a damaged page 1 would refuse the open itself)."""
    db = data / "fieldscreen.db"
    conn = raw_connect(data)
    try:
        layout = PageLayout.from_connection(conn)
        salt = bytes.fromhex(conn.execute("PRAGMA cipher_salt").fetchone()[0])
        mutate(db)
        rows = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    finally:
        conn.close()
    check = PageCheck(db, master_key(data), salt, layout).start()
    assert check.wait(60) != "running"
    return _pragma_pages(rows), check


def test_layout_is_sqlcipher_4s(data: Path) -> None:
    conn = raw_connect(data)
    layout = PageLayout.from_connection(conn)
    conn.close()
    assert (layout.page_size, layout.iv_size, layout.hmac_size, layout.reserve) == (
        4096, 16, 64, 80)
    assert (layout.hmac_hash, layout.kdf_hash, layout.kdf_iterations, layout.salt_mask) == (
        "sha512", "sha512", 2, 0x3A)
    assert layout.lock_page == PENDING_BYTE // 4096 + 1 == 262145


def test_agrees_with_sqlcipher_on_a_sound_file(data: Path) -> None:
    pragma, check = _both(data, lambda db: None)
    assert pragma == [] and check.state == "ok" and check.damaged_pages == ()
    assert check.pages_checked == _pages(data)


# Offsets inside a page: the ciphertext starts at 0 (16 on page 1, after the salt), then
# the 16-byte IV at 4016, then the 64-byte HMAC at 4032.
@pytest.mark.parametrize(
    ("where", "page", "offset"),
    [("page 1 just after the salt", 1, 16), ("page 1's HMAC", 1, 4095),
     ("a middle page", 70, 1000), ("the last page", -1, 3), ("an IV", 40, 4016 + 5),
     ("an HMAC", 40, 4032 + 30)],
)
def test_agrees_with_sqlcipher_on_a_flipped_byte(data: Path, where: str, page: int,
                                                 offset: int) -> None:
    page = _pages(data) if page == -1 else page
    pragma, check = _both(data, _flip((page - 1) * PAGE + offset))
    assert pragma == [page], where
    assert check.state == "damaged" and check.damaged_pages == (page,), where


def test_agrees_with_sqlcipher_on_a_truncated_last_page(data: Path) -> None:
    size = (data / "fieldscreen.db").stat().st_size
    pragma, check = _both(data, lambda db: os.truncate(db, size - 1000))
    assert pragma == [size // PAGE] == list(check.damaged_pages)
    assert check.state == "damaged"


def test_a_changed_salt_is_damage_on_page_1(data: Path) -> None:
    # The salt is outside every HMAC, so SQLCipher's check (with the salt it read at open)
    # misses it; but the next unlock would fail on every page. Ours names page 1.
    pragma, check = _both(data, _flip(3))
    assert pragma == []
    assert check.damaged_pages == (1,)
    with pytest.raises(StoreCorrupt):
        Store.open(data, PASSPHRASE)


@pytest.mark.slow
def test_skips_the_lock_byte_page_as_sqlcipher_does(data: Path) -> None:
    """Past 1 GiB SQLite never writes the page holding byte 2**30; both checks skip it.
    The file is extended sparsely (no disk used): every page after the real ones fails."""
    lock_page = PENDING_BYTE // PAGE + 1
    real = _pages(data)
    pragma, check = _both(data, lambda db: os.truncate(db, (lock_page + 2) * PAGE))
    assert lock_page not in pragma and lock_page not in check.damaged_pages
    assert pragma == list(check.damaged_pages)
    assert len(pragma) == lock_page + 2 - real - 1


# -- through the Store -----------------------------------------------------------------------
@pytest.fixture
def opened(data: Path) -> Iterator[Store]:
    store = Store.open(data, PASSPHRASE)
    yield store
    store.close()


def test_a_sound_store_is_checked_after_unlock(opened: Store, data: Path) -> None:
    assert opened.page_check.wait() == "ok"
    assert opened.page_check.pages_checked == _pages(data)
    # The automatic checkpoint was off while the file was read; it is back on.
    assert opened._handle.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_a_damaged_page_unlock_does_not_read(data: Path, tmp_path: Path,
                                             pristine: tuple[Path, str]) -> None:
    """Open works; the check names the page; nothing more is saved; no backup of it."""
    late = _overflow_page(data)  # unlock never reads it, nor the other case's export
    _flip((late - 1) * PAGE + 500)(data / "fieldscreen.db")
    store = Store.open(data, PASSPHRASE)
    try:
        told: list[str] = []
        store.page_check.on_done(told.append)
        assert store.page_check.wait() == "damaged"
        assert store.page_check.damaged_pages == (late,)
        assert told == ["damaged"]
        small = pristine[1]
        large = next(c.id for c in store.cases.list() if c.id != small)  # reads work
        interview = store.interviews.list(large)[0].id
        before = file_hashes(data)  # the database, its WAL and the key file
        with pytest.raises(StoreCorrupt, match=r"1 page\(s\) fail their integrity check"):
            store.interviews.save_answer(interview, answer("late", "not saved"))
        with pytest.raises(StoreCorrupt):
            store.cases.create()
        with pytest.raises(StoreCorrupt, match="would not be a backup"):
            store.backup(tmp_path / "copy.fsbackup")
        assert not (tmp_path / "copy.fsbackup").exists()
        with pytest.raises(StoreCorrupt):
            store.change_passphrase("another long passphrase 77")
        with pytest.raises(StoreCorrupt):
            store.rekey("another long passphrase 77")
        # Nothing leaves it either (it did not even unlock before issue #19): no export,
        # not even of the sound case, and no audit entry is silently left out.
        assert store.cases.get(small).id == small  # what is readable can still be viewed
        with pytest.raises(StoreCorrupt, match="nothing can be exported, sent or written"):
            store.export(tmp_path / "out.json", case_ids=[small], plaintext_ok=True)
        assert not (tmp_path / "out.json").exists()
        with pytest.raises(StoreCorrupt):
            store.audit.event("store.export", detail={"cases": 1})
        assert file_hashes(data) == before  # not a byte written since the damage was found
        told_late: list[str] = []
        store.page_check.on_done(told_late.append)  # already ended: called at once
        assert told_late == ["damaged"]
    finally:
        store.close()


def test_known_damage_is_refused_at_once_after_lock_and_unlock(data: Path) -> None:
    late = _overflow_page(data)
    _flip((late - 1) * PAGE + 500)(data / "fieldscreen.db")
    with Store.open(data, PASSPHRASE) as store:
        assert store.page_check.wait() == "damaged"
    with Store.open(data, PASSPHRASE) as again:  # e.g. the app's quick lock, then unlock
        assert again.page_check.wait() == "damaged"
        assert again.page_check.damaged_pages == (late,)
        assert again.page_check.pages_checked == 0  # no new sweep needed to know it


def test_close_during_a_running_check_cancels_it(data: Path) -> None:
    """64 MB of pages: the check is still reading when close comes, and close stops it
    between two 1 MiB chunks instead of waiting for the whole file."""
    with Store.open(data, PASSPHRASE) as store, store.atomic("filling"):
        conn = store._handle.conn
        conn.execute("CREATE TABLE filler (b BLOB)")
        conn.executemany("INSERT INTO filler VALUES (zeroblob(1048576))", [()] * 64)
    store = Store.open(data, PASSPHRASE)
    check = store.page_check
    assert check.state == "running"
    store.close()
    assert check.state == "cancelled"
    assert check.pages_checked < _pages(data)
    assert not any(t.name == "fieldscreen-page-check" and t.is_alive()
                   for t in threading.enumerate())


def test_nothing_leaves_a_damaged_store(data: Path, tmp_path: Path,
                                        pristine: tuple[Path, str]) -> None:
    """Every output asks ``check_output`` first: a referral PDF, a hand-over target, a send
    to the server are refused like an export, before anything is written or sent."""
    from screening.reports.service import write_case_report
    from screening.server.service import ServerService
    from screening.server.settings import ServerSettings
    from screening.workspace import Workspace

    with Workspace(data).open(PASSPHRASE) as ws:
        ws.server.configure(ServerSettings(url="https://central.example.org", project_id=3,
                                           app_user_token="t" * 64), test=False)
    late = _overflow_page(data)
    _flip((late - 1) * PAGE + 500)(data / "fieldscreen.db")
    connections: list[object] = []
    out = tmp_path / "out"
    out.mkdir()
    with Workspace(data).open(PASSPHRASE) as ws:
        assert ws.store.page_check.wait() == "damaged"
        before = file_hashes(data)
        with pytest.raises(StoreCorrupt, match="can still be viewed"):
            write_case_report(ws, pristine[1], out / "r.pdf", lang="en", password=None,
                              allow_plaintext=True)
        with pytest.raises(StoreCorrupt):
            ws.check_output(out / "packet.age")
        with pytest.raises(StoreCorrupt):
            ws.check_output(out, folder=True)
        service = ServerService(ws.store, ws.catalog, client_factory=connections.append)
        with pytest.raises(StoreCorrupt):
            service.send()
        assert connections == []  # no connection was even opened
        assert list(out.iterdir()) == []
        assert file_hashes(data) == before


def test_a_check_without_verdict_refuses_writes_and_outputs(opened: Store, data: Path,
                                                            tmp_path: Path) -> None:
    """The file at the store's path is not the one it opened (replaced under it): the check
    says "error", not "ok", and that is treated as not sound."""
    assert opened.page_check.wait() == "ok"
    out = tmp_path / "out"
    out.mkdir()
    case = opened.cases.create()
    db = data / "fieldscreen.db"
    shutil.copyfile(db, tmp_path / "twin.db")
    os.replace(tmp_path / "twin.db", db)  # the same bytes, another file
    check = opened._start_page_check()  # as after every unlock and rekey
    assert check.wait() == "error"
    assert "replaced" in check.error
    with pytest.raises(StoreCorrupt, match=r"could not be checked.*nothing more is saved"):
        opened.cases.create()
    with pytest.raises(StoreCorrupt, match=r"could not be checked.*fieldscreen check"):
        opened.export(out / "out.json", plaintext_ok=True)
    with pytest.raises(StoreCorrupt, match="could not be checked"):
        opened.backup(out / "copy.fsbackup")
    assert opened.cases.get(case).id == case  # reads still work
    assert list(out.iterdir()) == []


def test_a_cancelled_check_refuses_nothing(opened: Store, tmp_path: Path) -> None:
    opened.page_check.wait()
    check = opened._start_page_check()
    check.cancel_and_join()
    assert check.state in ("cancelled", "ok")  # it may have ended before the cancel
    opened.cases.create()
    assert opened.export(tmp_path / "out.json", plaintext_ok=True).cases == 3


def test_a_damaged_file_is_not_migrated(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pending migration would write to the file: every page is checked first, and a
    damaged file is refused untouched, with no pre-migration copy."""
    from screening.store import migrations as mig

    late = _overflow_page(data)
    _flip((late - 1) * PAGE + 500)(data / "fieldscreen.db")
    before = file_hashes(data)
    extra = mig.Migration(mig.LATEST_VERSION + 1, "extra",
                          "ALTER TABLE cases ADD COLUMN extra INTEGER;")
    monkeypatch.setattr("screening.store.store.migrate",
                        lambda conn, **kw: mig.migrate(conn, [*mig.MIGRATIONS, extra], **kw))
    monkeypatch.setattr("screening.store.store.LATEST_VERSION", extra.version)
    with pytest.raises(StoreCorrupt, match=r"1 page\(s\) fail.*not upgraded"):
        Store.open(data, PASSPHRASE)
    assert file_hashes(data) == before
    assert not (data / "backups").exists() or not list((data / "backups").iterdir())
