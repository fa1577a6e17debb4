"""A truncated, zeroed-page or foreign file in place of the database, the key slots or the
unlock state gives a specific message and is never overwritten (checked via the CLI).

A damaged page that unlock does not read no longer stops the unlock (issue #19): the full
page check finds it in the background, from then on nothing is saved, and `fieldscreen check`
names it (see tests/store/test_store_pagecheck.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from screening.engine.storage import AnswerRecord
from screening.store import InterviewMeta, Store
from tests.cli.helpers import PASSPHRASE, run_cli


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("pristine") / "data"
    import os

    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    try:
        store, _ = Store.create(data, PASSPHRASE)
    finally:
        del os.environ["FIELDSCREEN_KDF_PROFILE"]
    case_id = store.cases.create()
    interview = store.interviews.create(
        case_id, InterviewMeta("i", "1", "sha256:" + "0" * 64, "en", "en"))
    for n in range(150):
        store.interviews.save_answer(
            interview, AnswerRecord(f"q{n}", "synthetic " * 40, None, "en", "t"))
    store.close()
    return data


def _zero_page(page: int) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        path = data / "fieldscreen.db"
        raw = bytearray(path.read_bytes())
        raw[4096 * page: 4096 * (page + 1)] = bytes(4096)
        path.write_bytes(bytes(raw))
    return mutate


def _truncate(name: str) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        path = data / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return mutate


def _replace(name: str, content: bytes) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        (data / name).write_bytes(content)
    return mutate


CASES = {
    "db_zeroed_first_page": (_zero_page(0), "damaged or is not this store's database"),
    "db_truncated": (_truncate("fieldscreen.db"), "damaged or is not this store's database"),
    "db_foreign": (_replace("fieldscreen.db", b"SQLite format 3\0" + bytes(8192)),
                   "damaged or is not this store's database"),
    "keyslots_truncated": (_truncate("keyslots.json"), "key file is damaged"),
    "keyslots_zeroed": (_replace("keyslots.json", bytes(600)), "key file is damaged"),
    "keyslots_foreign": (_replace("keyslots.json", b'{"hello": 1}'), "not a FieldScreen key file"),
}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_damaged_store_files_are_refused_untouched(pristine: Path, tmp_path: Path,
                                                   case: str) -> None:
    mutate, expected = CASES[case]
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    mutate(data)
    before = _digests(data)
    done = run_cli("cases", "list", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 1, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _digests(data) == before  # nothing overwritten, nothing added


def test_check_names_a_damaged_page_that_unlock_does_not_read(pristine: Path,
                                                              tmp_path: Path) -> None:
    # Page 21 holds answers: `cases list` never reads it, so it works (before issue #19 the
    # unlock itself refused the store); `fieldscreen check` reads every page and says which.
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    _zero_page(20)(data)
    listed = run_cli("cases", "list", data_dir=data, stdin=PASSPHRASE + "\n")
    assert listed.returncode == 0, listed.stderr
    assert "FS-" in listed.stdout
    done = run_cli("check", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert ("the database file is damaged: 1 page(s) fail their integrity check (page 21); "
            "nothing more is saved: restore a backup (`fieldscreen restore FILE`)"
            ) in done.stderr
    raw = (data / "fieldscreen.db").read_bytes()
    assert raw[4096 * 20: 4096 * 21] == bytes(4096)  # never patched over


def test_check_of_a_sound_store_verifies_every_page(pristine: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    pages = (data / "fieldscreen.db").stat().st_size // 4096  # the unlock writes to the WAL
    done = run_cli("check", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert f"every page's HMAC verified: {pages} pages" in done.stdout


def test_damaged_unlock_count_does_not_reset_the_delay(pristine: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    keyfile = data / "keyslots.json"
    doc = json.loads(keyfile.read_text())
    doc["attempts"] = {"in_a_row": "zero", "total": -1}  # garbled by hand
    keyfile.write_text(json.dumps(doc))
    done = run_cli("cases", "list", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert "waiting" in done.stderr  # a garbled counter is treated as past failures, not zero
