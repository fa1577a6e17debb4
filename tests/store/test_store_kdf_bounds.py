"""Hostile Argon2id parameters in a key file or a backup are refused before any derivation
(issue #13): a crafted file must not make FieldScreen allocate gigabytes or spin for minutes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from storehelp import PASSPHRASE, file_hashes

from screening.errors import ErrorCode, StoreCorrupt, StoreError
from screening.store import Store
from screening.store import keys as keys_module
from screening.store.keys import DEFAULT_KDF, FAST_KDF, KdfParams

HOSTILE = [
    ("memory_kib", 4 * 1024 * 1024),  # 4 GiB
    ("time_cost", 64),
    ("parallelism", 1000),
    ("time_cost", 0),
    ("memory_kib", 4),
    ("parallelism", 0),
]


@pytest.fixture
def no_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any Argon2id call from here on fails the test (instead of hanging it)."""

    def refuse(*_args: Any, **_kwargs: Any) -> bytes:
        raise AssertionError("a key was derived from hostile KDF parameters")

    monkeypatch.setattr(keys_module, "hash_secret_raw", refuse)


def _set(kdf: dict[str, Any], parameter: str, value: int) -> None:
    kdf[parameter] = value
    if parameter == "parallelism" and value > 0:
        kdf["memory_kib"] = max(kdf["memory_kib"], 8 * value)  # only the one parameter is off


@pytest.mark.parametrize(("parameter", "value"), HOSTILE)
def test_hostile_kdf_in_the_key_file_is_refused_before_derivation(
    store: Store, data_dir: Path, no_derivation: None, parameter: str, value: int
) -> None:
    store.close()
    path = data_dir / "keyslots.json"
    doc = json.loads(path.read_text())
    _set(doc["slots"][0]["kdf"], parameter, value)
    path.write_text(json.dumps(doc))
    before = file_hashes(data_dir)
    with pytest.raises(StoreCorrupt) as error:
        Store.open(data_dir, PASSPHRASE)
    message = str(error.value)
    assert "keyslots.json" in message and parameter in message and str(value) in message
    assert file_hashes(data_dir) == before


@pytest.mark.parametrize(("parameter", "value"), HOSTILE)
def test_hostile_kdf_in_a_backup_is_refused_before_derivation(
    store: Store, data_dir: Path, tmp_path: Path, parameter: str, value: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = store.backup(tmp_path / "hostile.fsbackup").path
    store.close()
    data = backup.read_bytes()
    magic_end = data.index(b"\n") + 1
    header_end = data.index(b"\n", magic_end) + 1
    header = json.loads(data[magic_end:header_end])
    for slot in header["keyslots"]["slots"]:
        _set(slot["kdf"], parameter, value)
    line = json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    backup.write_bytes(data[:magic_end] + line + data[header_end:])
    before = file_hashes(data_dir)

    def refuse(*_args: Any, **_kwargs: Any) -> bytes:
        raise AssertionError("a key was derived from hostile KDF parameters")

    monkeypatch.setattr(keys_module, "hash_secret_raw", refuse)
    with pytest.raises(StoreError) as error:
        Store.restore(data_dir, backup, PASSPHRASE, force=True)
    assert error.value.code == ErrorCode.STORE_BACKUP_INVALID
    message = str(error.value)
    assert "hostile.fsbackup" in message and parameter in message and str(value) in message
    assert file_hashes(data_dir) == before


def test_the_bounds_admit_the_profiles_in_use() -> None:
    for params in (DEFAULT_KDF, FAST_KDF):
        assert KdfParams.from_json(params.to_json()) == params
    upper = {"alg": "argon2id", "version": 19, "time_cost": 16, "memory_kib": 2 * 1024 * 1024,
             "parallelism": 16}
    assert KdfParams.from_json(upper) == KdfParams(16, 2 * 1024 * 1024, 16)
    with pytest.raises(StoreCorrupt, match="memory_kib"):
        KdfParams.from_json({**upper, "memory_kib": 2 * 1024 * 1024 + 1})
    with pytest.raises(StoreCorrupt, match="time_cost"):
        KdfParams.from_json({**upper, "time_cost": 17})
    with pytest.raises(StoreCorrupt):
        KdfParams.from_json({**upper, "time_cost": True})
