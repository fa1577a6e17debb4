"""A full disk gives a clear error, keeps every answer saved before it, and the store works
again once space is freed. Uses a real tiny filesystem (tmpfs), so it needs root; CI has it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.engine.storage import AnswerRecord
from screening.errors import ErrorCode, StoreError
from screening.store import InterviewMeta, Store

PASSPHRASE = "tiny disk pelican harbour 7"


@contextlib.contextmanager
def tiny_fs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("mounting a tiny tmpfs needs root (CI runs as root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _answer(n: int, size: int) -> AnswerRecord:
    return AnswerRecord(f"q{n}", "synthetic " + "x" * size, None, "en", "2026-01-01T00:00:00Z")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a tmpfs")
def test_disk_full_keeps_saved_answers_and_recovers(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    with tiny_fs(tmp_path / "disk", "3m") as disk:
        data = disk / "data"
        store, _ = Store.create(data, PASSPHRASE)
        case_id = store.cases.create()
        interview = store.interviews.create(
            case_id, InterviewMeta("i", "1", "sha256:" + "0" * 64, "en", "en"))
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as fh:
            while True:  # fill all but the store's current pages
                fh.write(b"\0" * 65536)
                fh.flush()
        os.truncate(filler, max(0, filler.stat().st_size - 400_000))
        saved = []
        error = None
        for n in range(1000):
            try:
                store.interviews.save_answer(interview, _answer(n, 20_000))
            except StoreError as exc:
                error = exc
                break
            saved.append(f"q{n}")
        assert error is not None, "the disk never filled up"
        assert error.code == ErrorCode.STORE_DISK_FULL
        assert "disk is full" in error.message
        assert saved, "nothing was saved before the disk filled"
        # Everything acknowledged is there, in this session and after reopening.
        assert set(saved) <= set(store.interviews.load_answers(interview))
        filler.unlink()
        # usable again once space is freed
        store.interviews.save_answer(interview, _answer(9999, 10))
        store.close()
        with Store.open(data, PASSPHRASE) as again:
            answers = again.interviews.load_answers(interview)
            assert set(saved) | {"q9999"} <= set(answers)
            assert again.integrity_check() == []
            assert again.audit.verify() == (True, None)
            assert uuid.UUID(interview)  # the interview id survived unchanged


def _fill(disk: Path, leave: int = 0) -> Path:
    """Fill the tiny file system, then give back ``leave`` bytes."""
    filler = disk / f"filler-{uuid.uuid4().hex[:6]}"
    with contextlib.suppress(OSError), filler.open("wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a tmpfs")
def test_open_on_a_full_disk_says_disk_full_not_damaged(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    with tiny_fs(tmp_path / "disk", "3m") as disk:
        data = disk / "data"
        store, _ = Store.create(data, PASSPHRASE)
        store.cases.create()
        store.close()
        filler = _fill(disk)
        with pytest.raises(StoreError) as caught:
            Store.open(data, PASSPHRASE)
        assert caught.value.code == ErrorCode.STORE_DISK_FULL
        assert "disk is full" in caught.value.message
        assert "damaged" not in caught.value.message
        filler.unlink()
        with Store.open(data, PASSPHRASE) as again:  # nothing was harmed
            assert again.integrity_check() == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a tmpfs")
def test_backup_on_a_full_disk_says_disk_full(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    with tiny_fs(tmp_path / "disk", "3m") as disk:
        data = disk / "data"
        store, _ = Store.create(data, PASSPHRASE)
        store.cases.create()
        filler = _fill(disk)
        with pytest.raises(StoreError) as caught:
            store.backup(disk / "copy.fsbackup")
        assert caught.value.code == ErrorCode.STORE_DISK_FULL
        assert "disk is full" in caught.value.message
        assert not (disk / "copy.fsbackup").exists()
        assert not [p for p in data.iterdir() if p.name.startswith(".backup-")]
        filler.unlink()
        store.backup(disk / "copy.fsbackup")
        store.close()


def test_sqlite_errors_map_by_result_code(tmp_path: Path) -> None:
    """SQLITE_FULL is a full disk, SQLITE_IOERR an I/O error: never a damaged file."""
    from screening.errors import StoreCorrupt
    from screening.store.connection import sqlite_error

    class Fake(Exception):
        def __init__(self, text: str, code: int) -> None:
            super().__init__(text)
            self.sqlite_errorcode = code

    full = sqlite_error(Fake("some wording", 13), "x")
    assert full.code == ErrorCode.STORE_DISK_FULL and "disk is full" in full.message
    ioerr = sqlite_error(Fake("disk I/O error", 10 | (4 << 8)), "x", tmp_path)
    assert ioerr.code == ErrorCode.STORE_IO and not isinstance(ioerr, StoreCorrupt)
    assert isinstance(sqlite_error(Fake("file is not a database", 26), "x"), StoreCorrupt)
    assert io_error_code(28) == ErrorCode.STORE_DISK_FULL


def io_error_code(errno_value: int) -> ErrorCode:
    from screening.store.fsutil import io_error

    return io_error(OSError(errno_value, os.strerror(errno_value)), "x").code
