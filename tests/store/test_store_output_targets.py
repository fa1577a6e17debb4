"""Issue #13, in the core: ``check_output_target`` and the services that must call it
(``Store.backup``, ``Store.export``, ``write_case_report``), so that no face can write an
output over the store, into the data folder or onto a device."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from screening.errors import ErrorCode, InputError
from screening.outputs import check_output_target
from screening.store import Store
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, device_target

EXPORT_PASSWORD = "export tangerine lighthouse 77"


def _refused(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == ErrorCode.OUTPUT_TARGET
    return caught.value.message


def _store_files(data_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (data_dir / "fieldscreen.db", data_dir / "keyslots.json")}


def _targets(data_dir: Path, outside: Path) -> list[Path]:
    outside.mkdir(exist_ok=True)
    link = outside / "db-link"
    if not link.is_symlink():
        link.symlink_to(data_dir / "fieldscreen.db")
    hard = outside / "keyslots-link"
    if not hard.exists():
        os.link(data_dir / "keyslots.json", hard)
    return [data_dir / "keyslots.json", data_dir / "fieldscreen.db", link, hard,
            data_dir / "logs" / "out", data_dir, device_target(outside)]


def test_store_backup_and_export_refuse_store_targets(store: Store, data_dir: Path,
                                                      tmp_path: Path) -> None:
    store.cases.create("CORE-1")
    # The page check's closing checkpoint writes the database file: let it end first, so
    # what is compared is only what the refused outputs might have written.
    assert store.page_check.wait() == "ok"
    targets = _targets(data_dir, tmp_path / "outside")
    before = _store_files(data_dir)
    for target in targets:
        assert str(target) in _refused(store.backup, target)
        _refused(store.export, target, "csv", password=EXPORT_PASSWORD)
        _refused(store.export, target, "json", plaintext_ok=True)
    assert _store_files(data_dir) == before
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert [c.reference for c in again.cases.list()] == ["CORE-1"]
        assert again.integrity_check() == []


def test_check_output_target_says_why(data_dir: Path, tmp_path: Path) -> None:
    Workspace(data_dir).create(PASSPHRASE)
    link, hard = _targets(data_dir, tmp_path / "outside")[2:4]
    assert "inside FieldScreen's data folder" in _refused(
        check_output_target, data_dir / "backups" / "x", data_dir)
    assert "through a symbolic link" in _refused(check_output_target, link, data_dir)
    assert "same file as the store's keyslots.json" in _refused(
        check_output_target, hard, data_dir)
    assert "not a regular file" in _refused(check_output_target, "/dev/null", data_dir)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in _refused(check_output_target, fifo, data_dir)
    assert "is a folder" in _refused(check_output_target, tmp_path, data_dir)
    assert "not a folder" in _refused(check_output_target, fifo, data_dir, folder=True)
    # Places outside are fine: new files, existing files, hard links among themselves.
    new = tmp_path / "new.csv"
    assert check_output_target(new, data_dir) == new
    new.write_text("x")
    os.link(new, tmp_path / "twin.csv")
    assert check_output_target(new, data_dir) == new
    assert check_output_target(tmp_path, data_dir, folder=True) == tmp_path
    assert not (data_dir / "backups" / "x").exists()
