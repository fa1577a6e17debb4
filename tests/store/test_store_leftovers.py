"""Issue #13: every open removes what an interrupted operation left in the data folder.

A backup copies the database (encrypted) to ``.backup-*.db`` first; a restore extracts the
backup to ``.restore-*.db``/``.restore-*.keyslots``; key files, the unlock state and the restore
journal are written through ``.*.tmp`` files. A kill in the middle leaves full encrypted copies
of the database behind. The next open must remove all of them, and nothing else: not the live
store, not a ``pre-restore-*`` folder, nothing while a restore journal is pending.
"""

from __future__ import annotations

import fnmatch
import json
import os
import random
import signal
import time
from pathlib import Path

import pytest
from storehelp import OTHER_PASSPHRASE, PASSPHRASE, answer, meta, spawn_store_child

from screening.store import Store
from screening.store import backup as backups
from screening.store.backup import finish_pending_restore, journal_path
from screening.store.fsutil import remove_leftovers
from screening.store.store import DB_NAME, KEYSLOTS_NAME, StorePaths

CHILD = Path(__file__).with_name("crash_ops.py")
ROOT = Path(__file__).resolve().parents[2]
RUNS = 20  # of each operation
BUDGET_S = 20.0

# What a data folder may hold once the store is open (and after it is closed).
LIVE = {
    "fieldscreen.db",
    "fieldscreen.db-wal",
    "fieldscreen.db-shm",
    "keyslots.json",
    "unlock-state.json",
    "fieldscreen.lock",
    "backups",
}


def _leftovers(data_dir: Path) -> list[str]:
    """Everything in the data folder that is not the live store or a kept pre-restore copy."""
    found = [
        p.name
        for p in data_dir.iterdir()
        if p.name not in LIVE and not (p.is_dir() and p.name.startswith("pre-restore-"))
    ]
    backups = data_dir / "backups"
    if backups.is_dir():
        found += [f"backups/{p.name}" for p in backups.iterdir() if p.suffix != ".fsbackup"]
    return sorted(found)


def _kind(name: str) -> str:
    for kind in (".backup-*", ".restore-*", ".fieldscreen-init.db*", "*.tmp"):
        if fnmatch.fnmatchcase(name.rsplit("/", 1)[-1], kind):
            return kind
    return name


def _fill(store: Store) -> tuple[str, str, int]:
    """About a megabyte of answers, so a backup or a restore takes long enough to be hit."""
    case_id = store.cases.create()
    interview_id = store.interviews.create(case_id, meta())
    rng = random.Random(13)
    with store.atomic("filling"):
        for n in range(300):
            text = "".join(rng.choices("abcdefghij ", k=3000))
            store.interviews.save_answer(interview_id, answer(f"q{n}", text))
    return case_id, interview_id, 300


def _run(args: list[str], rng: random.Random) -> str:
    proc = spawn_store_child(CHILD, args, PASSPHRASE + "\n")
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first != "ready\n":
        proc.kill()
        _out, err = proc.communicate(timeout=30)
        pytest.fail(f"child did not start: {first!r} {err}")
    time.sleep(rng.uniform(0.0, 0.3))
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err
    return out


@pytest.mark.slow
def test_open_removes_what_killed_backups_and_restores_left(data_dir: Path, tmp_path: Path) -> None:
    store, _recovery = Store.create(data_dir, PASSPHRASE)
    case_id, interview_id, n_answers = _fill(store)
    source = tmp_path / "out" / "source.fsbackup"
    source.parent.mkdir()
    store.backup(source)
    store.close()
    rng = random.Random(20260313)
    seen: dict[str, int] = {}
    runs = {"backup": 0, "restore": 0}
    dirty_runs = 0
    started = time.monotonic()
    while min(runs.values()) < RUNS and time.monotonic() - started < BUDGET_S:
        op = "backup" if runs["backup"] <= runs["restore"] else "restore"
        target = tmp_path / "out" / "made.fsbackup" if op == "backup" else source
        _run([op, str(data_dir), str(target)], rng)
        runs[op] += 1
        left = _leftovers(data_dir)
        pending = journal_path(data_dir).exists()
        dirty_runs += bool(left)
        for name in left:
            seen[_kind(name)] = seen.get(_kind(name), 0) + 1

        with Store.open(data_dir, PASSPHRASE) as reopened:
            assert _leftovers(data_dir) == [], (op, left, pending)
            assert [c.id for c in reopened.cases.list()] == [case_id]
            assert len(reopened.interviews.load_answers(interview_id)) == n_answers
        assert _leftovers(data_dir) == []
    assert min(runs.values()) >= RUNS // 2, f"only {runs} runs in {BUDGET_S} s"
    # The kills did land in the middle of operations (else this test proves nothing).
    assert dirty_runs >= 3, (dirty_runs, seen)
    assert ".backup-*" in seen or ".restore-*" in seen, seen
    with Store.open(data_dir, PASSPHRASE) as final:
        assert final.integrity_check() == []
        assert final.audit.verify() == (True, None)
        # Beside the output, a killed backup leaves its temporary (a whole encrypted backup).
        # The store cannot know every output folder; the next write of the same file clears
        # them once they are stale.
        made = tmp_path / "out" / "made.fsbackup"
        temps = list(made.parent.glob(".made.fsbackup.*.tmp"))
        for temp in temps:
            os.utime(temp, (time.time() - 3600, time.time() - 3600))
        fresh = _plant(made.parent / ".made.fsbackup.0123abcd.tmp")  # a write in progress
        final.backup(made)
        assert sorted(made.parent.glob(".made.fsbackup.*.tmp")) == [fresh]


def _plant(path: Path, data: bytes = b"\x8f" * 4096) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _every_kind_of_leftover(root: Path) -> list[str]:
    """One of each temporary the code writes in a data folder, named as the code names it."""
    names = [
        ".backup-0123456789ab.db",  # backup.write_backup, killed while copying
        ".backup-0123456789ab.db-wal",
        ".backup-0123456789ab.db-journal",
        ".restore-01234567.db",  # Store.restore, killed before the switch
        ".restore-01234567.db-shm",
        ".restore-01234567.keyslots",
        "..restore-01234567.db.89abcdef.tmp",  # AtomicFile while extracting the backup
        "..restore-01234567.keyslots.89abcdef.tmp",
        ".keyslots.json.0badc0de.tmp",  # KeySlots.save
        ".unlock-state.json.0badc0de.tmp",  # UnlockThrottle
        ".restore-journal.json.0badc0de.tmp",  # run_switch, before the journal exists
        ".fieldscreen-0a1b2c.pdf.tmp",  # reports.encrypt.atomic_write (if ever pointed here)
        StorePaths(root).init_tmp.name,  # Store.create, once fieldscreen.db exists
        StorePaths(root).init_tmp.name + "-wal",
        ".ui.json.0badc0de.tmp",  # Workspace.set_ui_language (AtomicFile)
        "backups/.pre-migration-v1-20260101T000000Z.fsbackup.0badc0de.tmp",
    ]
    for name in names:
        _plant(root / name)
    return names


def test_open_removes_every_kind_of_leftover_and_nothing_else(data_dir: Path) -> None:
    store, _recovery = Store.create(data_dir, PASSPHRASE)
    case_id = store.cases.create()
    store.close()
    _plant(data_dir / "ui.json", b'{"language": "en"}\n')
    kept = _plant(data_dir / "pre-restore-20260101T000000Z" / "fieldscreen.db")
    in_kept = _plant(data_dir / "pre-restore-20260101T000000Z" / ".backup-looks-like-a-leftover.db")
    migration_copy = _plant(data_dir / "backups" / "pre-migration-v1-20260101T000000Z.fsbackup")
    _plant(data_dir / ".backup-a-folder" / "inside")  # a folder is never removed
    link = data_dir / ".backup-link.db"
    link.symlink_to(kept)
    planted = _every_kind_of_leftover(data_dir)
    ui_prefs = (data_dir / "ui.json").read_bytes()

    with Store.open(data_dir, PASSPHRASE) as reopened:
        assert [c.id for c in reopened.cases.list()] == [case_id]
        for name in planted:
            assert not (data_dir / name).exists(), name
        assert not link.is_symlink()
        assert kept.exists() and kept.read_bytes() == b"\x8f" * 4096  # the link's target
        assert in_kept.exists()
        assert migration_copy.exists()
        assert (data_dir / ".backup-a-folder" / "inside").exists()
        for name in ("fieldscreen.db", "keyslots.json", "ui.json"):
            assert (data_dir / name).exists(), name
        assert (data_dir / "ui.json").read_bytes() == ui_prefs


def test_nothing_is_removed_while_a_restore_is_pending(data_dir: Path, tmp_path: Path) -> None:
    """A restore killed after writing its journal: its moves name the ``.restore-*`` files,
    which are then the restored store. Opening rolls it forward first; the sweep alone must
    not touch them."""
    store, _recovery = Store.create(data_dir, PASSPHRASE)
    store.cases.create()
    backup = tmp_path / "b.fsbackup"
    store.backup(backup)
    case_after = store.cases.create()  # in the live store only, not in the backup
    store.close()
    # Reproduce the state of a restore killed just after its journal was written.
    contents = backups.read_backup(backup)
    key, _slot = contents.slots.unlock("passphrase", PASSPHRASE)
    new_db, new_slots = data_dir / ".restore-feedbeef.db", data_dir / ".restore-feedbeef.keyslots"
    backups.extract_and_check(contents, backup, key, new_db)
    contents.slots.save(new_slots)
    moves, _kept = backups.plan_switch(data_dir, DB_NAME, KEYSLOTS_NAME, new_db, new_slots)
    journal_path(data_dir).write_text(json.dumps({"moves": moves}), encoding="ascii")

    assert remove_leftovers(data_dir, data_dir / DB_NAME, journal_path(data_dir)) == []
    assert new_db.exists() and new_slots.exists()

    with Store.open(data_dir, PASSPHRASE) as reopened:  # rolls the restore forward
        assert case_after not in [c.id for c in reopened.cases.list()]
        assert len(reopened.cases.list()) == 1
        assert _leftovers(data_dir) == []
    assert not finish_pending_restore(data_dir)


def test_the_create_database_is_kept_until_it_is_the_store(data_dir: Path) -> None:
    """A create killed before its rename leaves ``.fieldscreen-init.db`` as the only database:
    the sweep must leave it for the open to move into place."""
    store, _recovery = Store.create(data_dir, PASSPHRASE)
    case_id = store.cases.create()
    store.close()
    paths = StorePaths(data_dir)
    os.replace(paths.db, paths.init_tmp)
    assert remove_leftovers(data_dir, data_dir / DB_NAME, journal_path(data_dir)) == []
    with Store.open(data_dir, PASSPHRASE) as reopened:
        assert [c.id for c in reopened.cases.list()] == [case_id]
    assert not paths.init_tmp.exists()


def test_temporaries_left_beside_output_files_are_swept(store: Store, data_dir: Path,
                                                        tmp_path: Path) -> None:
    """Issue #13: a killed backup or report left a whole encrypted copy beside the output."""
    out = tmp_path / "outputs"
    out.mkdir()
    store.backup(out / "monday.fsbackup")
    store.check_output(out / "case.pdf")  # a report about to be written
    old = time.time() - 3600
    stale = [out / ".monday.fsbackup.0badc0de.tmp", out / ".case.pdf.1234abcd.tmp"]
    fresh = out / ".monday.fsbackup.feedf00d.tmp"  # a write in progress, perhaps
    foreign = out / ".holiday.jpg.0badc0de.tmp"  # not a file FieldScreen wrote: never touched
    for path in [*stale, fresh, foreign]:
        path.write_bytes(b"encrypted bytes")
    for path in [*stale, foreign]:
        os.utime(path, (old, old))
    store.close()
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert [p for p in stale if p.exists()] == []
        assert fresh.exists() and foreign.exists()
        opened.rekey(OTHER_PASSPHRASE)  # rekey removes every temporary it knows of
        assert not fresh.exists() and foreign.exists()
    assert (out / "monday.fsbackup").exists()
