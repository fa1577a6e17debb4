"""Key slots: passphrase, recovery key, re-wrapping, KDF profiles, what the key file holds."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

import pytest
from storehelp import OTHER_PASSPHRASE, PASSPHRASE, file_hashes, master_key

from screening.errors import ErrorCode, InputError, StoreCorrupt, StoreError, WrongPassphrase
from screening.store import PersonInfo, Store
from screening.store import keys as keys_module
from screening.store.keys import DEFAULT_KDF, FAST_KDF, KdfParams, kdf_profile


def test_wrong_passphrase_is_refused_and_changes_no_store_file(data_dir: Path) -> None:
    store, _ = Store.create(data_dir, PASSPHRASE)
    store.cases.create()
    store.close()
    before = file_hashes(data_dir)
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE + "x")
    assert file_hashes(data_dir) == before
    with Store.open(data_dir, PASSPHRASE) as reopened:
        assert len(reopened.cases.list()) == 1


def test_recovery_key_opens_the_store_however_it_is_typed(
    created: tuple[Store, str], data_dir: Path
) -> None:
    store, recovery_key = created
    case_id = store.cases.create()
    store.close()
    sloppy = recovery_key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    with Store.open_with_recovery_key(data_dir, sloppy) as opened:
        assert opened.cases.get(case_id).id == case_id
    with pytest.raises(WrongPassphrase):
        Store.open_with_recovery_key(data_dir, "ABCD-" * 7 + "ABCD")
    with pytest.raises(WrongPassphrase):
        Store.open_with_recovery_key(data_dir, "not a key")
    with pytest.raises(WrongPassphrase):  # the passphrase is not a recovery key, nor vice versa
        Store.open(data_dir, recovery_key)


def test_passphrase_change_rewraps_fast_and_keeps_data(
    created: tuple[Store, str], data_dir: Path
) -> None:
    store, recovery_key = created
    case_id = store.cases.create(person=PersonInfo(name="Testy McFakename"))
    key_before = master_key(data_dir)
    started = time.perf_counter()
    store.change_passphrase(OTHER_PASSPHRASE)
    assert time.perf_counter() - started < 1.0  # a re-wrap, not a re-encryption
    store.close()
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE)
    assert master_key(data_dir, OTHER_PASSPHRASE) == key_before  # same database key
    with Store.open(data_dir, OTHER_PASSPHRASE) as reopened:
        person = reopened.cases.get(case_id).person
        assert person is not None and person.name == "Testy McFakename"
        assert reopened.audit.verify() == (True, None)
        assert "passphrase.changed" in [e.action for e in reopened.audit.entries()]
    with Store.open_with_recovery_key(data_dir, recovery_key):  # untouched by the change
        pass


def test_change_to_weak_passphrase_is_refused(store: Store, data_dir: Path) -> None:
    with pytest.raises(InputError) as info:
        store.change_passphrase("password1")
    assert info.value.code == ErrorCode.STORE_WEAK_PASSPHRASE
    store.close()
    Store.open(data_dir, PASSPHRASE).close()


def test_regenerated_recovery_key_replaces_the_old_one(
    created: tuple[Store, str], data_dir: Path
) -> None:
    store, old_key = created
    new_key = store.regenerate_recovery_key()
    assert new_key != old_key
    store.close()
    with pytest.raises(WrongPassphrase):
        Store.open_with_recovery_key(data_dir, old_key)
    Store.open_with_recovery_key(data_dir, new_key).close()


@pytest.mark.parametrize("weak", ["", "short", "password123", "aaaaaaaaaaaaaaaa", "qwertyuiop1234"])
def test_weak_passphrase_refused_with_reason_and_nothing_written(data_dir: Path, weak: str) -> None:
    with pytest.raises(InputError) as info:
        Store.create(data_dir, weak)
    assert info.value.code == ErrorCode.STORE_WEAK_PASSPHRASE
    assert info.value.context["reason"]
    assert not data_dir.exists()


def test_create_twice_is_refused(store: Store, data_dir: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store.create(data_dir, OTHER_PASSPHRASE)
    assert info.value.code == ErrorCode.STORE_ALREADY_INITIALISED


def test_passphrase_is_unicode_normalised(data_dir: Path) -> None:
    composed = unicodedata.normalize("NFC", "Ñandú café órbita 2026")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    Store.create(data_dir, composed)[0].close()
    Store.open(data_dir, decomposed).close()


def test_fast_kdf_profile_refused_outside_tests(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.delenv("SCREENING_DEV", raising=False)
    with pytest.raises(StoreError) as info:
        kdf_profile()
    assert info.value.code == ErrorCode.STORE_UNSAFE_PROFILE
    with pytest.raises(StoreError):
        Store.create(data_dir, PASSPHRASE)
    assert not data_dir.exists()
    monkeypatch.setenv("SCREENING_DEV", "1")
    assert kdf_profile() == FAST_KDF
    monkeypatch.delenv("FIELDSCREEN_KDF_PROFILE")
    assert kdf_profile() == DEFAULT_KDF
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "turbo")
    with pytest.raises(StoreError):
        kdf_profile()


def test_default_kdf_parameters_are_memory_hard() -> None:
    # Measured at ~0.4 s on the reference machine (bench/store_bench.py prints it).
    assert DEFAULT_KDF.memory_kib >= 64 * 1024
    assert DEFAULT_KDF.time_cost >= 3
    assert FAST_KDF.weaker_than(DEFAULT_KDF)


def test_key_file_holds_no_personal_data(store: Store, data_dir: Path) -> None:
    marker = "Zyxwquff Fakeperson"
    store.cases.create(reference="FS-TEST-1", person=PersonInfo(name=marker, notes=marker))
    store.close()
    text = (data_dir / "keyslots.json").read_text(encoding="ascii")
    assert marker not in text and "FS-TEST-1" not in text
    doc = json.loads(text)
    assert set(doc) == {"format", "version", "store_id", "cipher", "slots", "anchor", "attempts"}
    # The anchor: a counter, the audit head (an id and a hash), the failed-unlock total, a
    # MAC. No times; the attempts' only time is that of the last wrong passphrase.
    assert set(doc["anchor"]) == {"counter", "audit_id", "audit_hash", "failed_total", "mac"}
    assert set(doc["attempts"]) == {"in_a_row", "total", "last_failed"}
    assert {s["kind"] for s in doc["slots"]} == {"passphrase", "recovery"}
    for slot in doc["slots"]:
        assert set(slot) == {"kind", "kdf", "wrap"}  # no time of a passphrase change
        assert set(slot["kdf"]) == {
            "alg",
            "version",
            "time_cost",
            "memory_kib",
            "parallelism",
            "salt",
        }


def test_edited_kdf_parameters_do_not_unlock(store: Store, data_dir: Path) -> None:
    store.close()
    path = data_dir / "keyslots.json"
    doc = json.loads(path.read_text())
    doc["slots"][0]["kdf"]["time_cost"] += 1  # parameters are bound to the wrap
    path.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b'{"format": "something-else"}',
        b'{"format": "fieldscreen-keyslots",'
        b' "version": 1, "store_id": "x", "slots": [{"kind": "passphrase"}]}',
    ],
)
def test_damaged_key_file_is_reported_as_corrupt(
    store: Store, data_dir: Path, content: bytes
) -> None:
    store.close()
    (data_dir / "keyslots.json").write_bytes(content)
    with pytest.raises(StoreCorrupt):
        Store.open(data_dir, PASSPHRASE)


def test_absurd_kdf_parameters_are_refused_before_running_them() -> None:
    with pytest.raises(StoreCorrupt):
        KdfParams.from_json(
            {
                "alg": "argon2id",
                "version": 19,
                "time_cost": 1,
                "memory_kib": 2**40,
                "parallelism": 1,
            }
        )


def test_slot_made_with_weaker_settings_is_upgraded_on_unlock(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    stronger = KdfParams(time_cost=2, memory_kib=512, parallelism=1)
    monkeypatch.setattr(keys_module, "kdf_profile", lambda: stronger)
    monkeypatch.setattr("screening.store.store.kdf_profile", lambda: stronger)
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert "keyslot.upgraded" in [e.action for e in opened.audit.entries()]
    slots = json.loads((data_dir / "keyslots.json").read_text())["slots"]
    passphrase_slot = next(s for s in slots if s["kind"] == "passphrase")
    assert passphrase_slot["kdf"]["time_cost"] == 2
    assert passphrase_slot["kdf"]["memory_kib"] == 512
    Store.open(data_dir, PASSPHRASE).close()


def test_passphrase_needs_twelve_characters() -> None:
    from screening.store.keys import passphrase_problem

    assert "at least 12" in (passphrase_problem("q7#Lm2!xZ9p") or "")  # 11 characters
    assert passphrase_problem("violet tugboat marmalade 1987") is None


def test_is_store_secret_knows_the_passphrase_and_the_recovery_key(
    created: tuple[Store, str], data_dir: Path
) -> None:
    """A PDF or export password equal to either would travel with the file it protects."""
    from screening.store.keys import KeySlots

    store, recovery_key = created
    slots = KeySlots.load(data_dir / "keyslots.json")
    assert slots.is_store_secret(PASSPHRASE)
    assert slots.is_store_secret(recovery_key)
    assert slots.is_store_secret(recovery_key.lower().replace("-", " "))  # however typed
    assert not slots.is_store_secret(OTHER_PASSPHRASE)
    assert not slots.is_store_secret("")
    assert not slots.is_store_secret("ABCD-" * 7 + "ABCD")  # a recovery key, not this one
    store.change_passphrase(OTHER_PASSPHRASE)
    slots = KeySlots.load(data_dir / "keyslots.json")
    assert slots.is_store_secret(OTHER_PASSPHRASE)
    assert not slots.is_store_secret(PASSPHRASE)  # the old passphrase opens nothing now
    assert slots.is_store_secret(recovery_key)


def test_keyslots_file_shows_no_time_of_a_passphrase_change(
    created: tuple[Store, str], data_dir: Path
) -> None:
    store, _ = created
    store.change_passphrase(OTHER_PASSPHRASE)
    text = (data_dir / "keyslots.json").read_text(encoding="ascii")
    assert "created_at" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", text)  # no date or time at all


def test_keyslots_written_with_timestamps_still_load(
    created: tuple[Store, str], data_dir: Path
) -> None:
    """Stores made before the timestamps were dropped keep opening (and lose them on the
    next rewrap)."""
    store, _ = created
    store.close()
    path = data_dir / "keyslots.json"
    doc = json.loads(path.read_text(encoding="ascii"))
    for slot in doc["slots"]:
        slot["created_at"] = "2025-03-04T05:06:07+00:00"
    path.write_text(json.dumps(doc), encoding="ascii")
    with Store.open(data_dir, PASSPHRASE) as reopened:
        reopened.change_passphrase(OTHER_PASSPHRASE)
    assert "2025-03-04" not in path.read_text(encoding="ascii")


def test_key_material_is_wiped_when_the_store_locks(store: Store) -> None:
    """Issue #13: the data key lives in a buffer that is zeroed on lock, and SQLCipher wipes
    and mlocks its own memory (cipher_memory_security)."""
    conn = store._handle.conn
    assert str(conn.execute("PRAGMA cipher_memory_security").fetchone()[0]) == "1"
    buffer = store._key
    assert len(buffer) == 32 and any(buffer)
    store.close()
    assert len(buffer) == 32 and not any(buffer)
