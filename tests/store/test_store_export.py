"""Exports: content, plaintext only on request, encryption round trip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from storehelp import answer, meta

from screening.errors import ErrorCode, InputError, WrongPassphrase
from screening.store import PersonInfo, Store, decrypt_export
from screening.store.export import MAGIC

PASSWORD = "export tangerine lighthouse 77"


@pytest.fixture
def case_ids(store: Store) -> list[str]:
    first = store.cases.create(person=PersonInfo(name="Export Fakename", aliases=("EF",)))
    interview_id = store.interviews.create(first, meta())
    store.interviews.save_answer(interview_id, answer("story", '=HYPERLINK("x")', note="note one"))
    store.interviews.save_answer(interview_id, answer("paid", ["fee", "debt"]))
    store.interviews.save_answer(interview_id, answer("age", 31))
    store.interviews.finish(interview_id, {"outcome": {"level": "refer"}})
    second = store.cases.create(person=PersonInfo(name="Second Fakename"))
    return [first, second]


def test_json_export_holds_everything(store: Store, case_ids: list[str], tmp_path: Path) -> None:
    info = store.export(tmp_path / "all.json", "json", plaintext_ok=True)
    assert info.cases == 2 and not info.encrypted
    doc = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert doc["format"] == "fieldscreen-export"
    by_id = {c["id"]: c for c in doc["cases"]}
    first = by_id[case_ids[0]]
    assert first["person"]["name"] == "Export Fakename"
    (interview,) = first["interviews"]
    assert interview["result"] == {"outcome": {"level": "refer"}}
    assert {a["item"]: a["value"] for a in interview["answers"]}["paid"] == ["fee", "debt"]
    assert len(interview["history"]) == 3
    assert interview["meta"]["instrument_id"] == "test_instrument"


def test_csv_export_is_pseudonymous_and_spreadsheet_safe(
    store: Store, case_ids: list[str], tmp_path: Path
) -> None:
    store.export(tmp_path / "one.csv", "csv", case_ids=[case_ids[0]], plaintext_ok=True)
    raw = (tmp_path / "one.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 3
    values = {r["item"]: r["value"] for r in rows}
    assert values["story"].startswith("'=")  # not run as a formula
    assert json.loads(values["paid"]) == ["fee", "debt"]
    assert values["age"] == "31"
    assert "Fakename" not in raw.decode("utf-8-sig")


def test_plaintext_is_refused_unless_asked_for(
    store: Store, case_ids: list[str], tmp_path: Path
) -> None:
    with pytest.raises(InputError):
        store.export(tmp_path / "x.json", "json")
    with pytest.raises(InputError):
        store.export(tmp_path / "x.xml", "xml", plaintext_ok=True)
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_encrypted_export_round_trip(
    store: Store, case_ids: list[str], tmp_path: Path, fmt: str
) -> None:
    plain = tmp_path / f"plain.{fmt}"
    store.export(plain, fmt, plaintext_ok=True)
    info = store.export(tmp_path / f"enc.{fmt}", fmt, password=PASSWORD)
    assert info.encrypted
    blob = info.path.read_bytes()
    assert blob.startswith(MAGIC)
    assert b"Fakename" not in blob and b"story" not in blob
    data, content = decrypt_export(blob, PASSWORD)
    assert content == fmt
    if fmt == "json":
        decrypted = json.loads(data)
        expected = json.loads(plain.read_bytes())
        decrypted.pop("exported_at")
        expected.pop("exported_at")
        # Each export carries the audit head when it was made: the first export's own
        # audit entry moved it on by one.
        assert decrypted.pop("audit_anchor")["entry_id"] == expected.pop(
            "audit_anchor")["entry_id"] + 1
        assert decrypted == expected
    else:
        assert data == plain.read_bytes()
    with pytest.raises(WrongPassphrase):
        decrypt_export(blob, PASSWORD + "!")
    tampered = bytearray(blob)
    tampered[-20] ^= 1
    with pytest.raises(WrongPassphrase):
        decrypt_export(bytes(tampered), PASSWORD)
    with pytest.raises(InputError):
        decrypt_export(b"not an export", PASSWORD)
    actions = [e for e in store.audit.entries() if e.action == "store.export"]
    assert actions[-1].detail["encrypted"] is True and actions[-1].detail["cases"] == 2


def test_weak_export_password_is_refused(store: Store, case_ids: list[str], tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        store.export(tmp_path / "x.json", "json", password="1234")
    assert info.value.code == ErrorCode.STORE_WEAK_PASSPHRASE
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
