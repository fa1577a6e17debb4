"""Streamed exports (issue #19): the same files as before, written a case at a time.

The JSON document is byte for byte what ``json.dumps`` of the whole document gave; an
encrypted export is still ``FIELDSCREEN-EXPORT 1`` (the bytes a one-shot AES-GCM gives), old
one-shot files still decrypt, and a decryption that fails leaves nothing where the plaintext
was to go.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st
from storehelp import answer, meta

from screening.errors import InputError, WrongPassphrase
from screening.store import PersonInfo, Store, decrypt_export
from screening.store import export as exports
from screening.store.keys import KdfParams, derive_kek, kdf_profile
from screening.store.streams import IdList, SealedSpool, dumps_indented
from tests.cli.helpers import run_cli

PASSWORD = "export tangerine lighthouse 77"
# Values a JSON export must carry exactly: every script, escapes, nesting, numbers.
HOSTILE: list[Any] = [
    "Zoë \u202eevil\u202c الزهراء 小梅 \"quoted\" back\\slash\nnew line\ttab\x00nul",
    ["fee", "debt", {"nested": [1, 2.5, None, True, {}, []]}],
    {"precision": "month", "value": "2026-03", "approximate": False},
    -0.0,
    12345678901234567890,
    1e-7,
    "",
]


@pytest.fixture
def filled(store: Store) -> list[str]:
    """Three cases: one rich (hostile values, history, a note), one bare, one with two
    interviews; their ids."""
    first = store.cases.create(person=PersonInfo(name="Stream Fakename", aliases=("SF", "ص")))
    interview = store.interviews.create(first, meta())
    for n, value in enumerate(HOSTILE):
        store.interviews.save_answer(interview, answer(f"q{n}", value, note=f"note {n}"))
    store.interviews.save_answer(interview, answer("q0", "changed", special=None))
    store.interviews.finish(interview, {"outcome": {"level": "refer", "score": 3.5}})
    store.cases.create()
    third = store.cases.create(person=PersonInfo(name="Третий Фейк"))
    for _ in range(2):
        other = store.interviews.create(third, meta(respondent_language="ar"))
        store.interviews.save_answer(other, answer("paid", ["a", "b"], special=None))
    return [c.id for c in store.cases.list()]


# -- JSON, as json.dumps wrote it -------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, level=st.integers(min_value=0, max_value=4))
def test_indented_json_is_what_json_dumps_writes(value: Any, level: int) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert dumps_indented(value, level) == expected


def test_the_json_export_is_the_document_json_dumps_wrote(
    store: Store, filled: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "all.json"
    info = store.export(out, "json", plaintext_ok=True)
    raw = out.read_bytes()
    written = json.loads(raw)
    order = [c["id"] for c in written["cases"]]
    assert info.cases == 3 and sorted(order) == sorted(filled)
    stamps = [c["updated_at"] for c in written["cases"]]
    assert stamps == sorted(stamps, reverse=True)  # most recently changed first
    # The document as the export built it before it was streamed: whole, then json.dumps.
    before = {
        "format": "fieldscreen-export",
        "version": 1,
        "exported_at": written["exported_at"],
        "cases": [exports._case_doc(store, store.cases.get(cid)) for cid in order],
        "audit_anchor": written["audit_anchor"],
    }
    assert raw == (json.dumps(before, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    rich = next(c for c in written["cases"] if c["person"] and c["person"]["aliases"])
    answers = {a["item"]: a["value"] for a in rich["interviews"][0]["answers"]}
    assert [answers[f"q{n}"] for n in range(1, len(HOSTILE))] == HOSTILE[1:]


def test_an_empty_store_exports_an_empty_list(store: Store, tmp_path: Path) -> None:
    for fmt in ("json", "csv"):
        info = store.export(tmp_path / f"none.{fmt}", fmt, plaintext_ok=True)
        assert info.cases == 0
    doc = json.loads((tmp_path / "none.json").read_bytes())
    assert doc["cases"] == [] and '"cases": [],' in (tmp_path / "none.json").read_text("utf-8")
    assert (tmp_path / "none.csv").read_bytes() == (
        "\ufeff" + ",".join(exports.CSV_COLUMNS) + "\r\n").encode("utf-8")


def test_the_csv_export_is_the_same_file_in_memory_and_streamed(
    store: Store, filled: list[str], tmp_path: Path
) -> None:
    store.export(tmp_path / "all.csv", "csv", plaintext_ok=True)
    assert (tmp_path / "all.csv").read_bytes() == exports.build_export(store, filled, "csv")


def test_case_id_snapshot_is_compact_and_keeps_every_id() -> None:
    ids = [secrets.token_hex(16) for _ in range(1000)] + ["not-hex", "ÄBC", "A" * 32, ""]
    held = IdList(ids)
    assert list(held) == ids and len(held) == len(ids)
    assert len(held._buf) < 18 * len(ids)


def test_what_an_odk_export_sets_aside_is_sealed_on_disk() -> None:
    """The ODK export keeps the files after its main table in a spool while it writes that
    table: it must come back whole, and nothing of it may be readable on the disk."""
    secret = "Стрим Fakename, الزهراء, answer: yes\n".encode()
    spool = SealedSpool()
    try:
        for _ in range(40_000):  # about 1.7 MB: more than one sealed chunk
            spool.write(secret)
        assert b"".join(spool.chunks()) == secret * 40_000
        spool._file.seek(0)
        on_disk = spool._file.read()
        assert len(on_disk) > len(secret) * 40_000  # all of it went to the file ...
        assert b"Fakename" not in on_disk and "Стрим".encode() not in on_disk  # ... sealed
    finally:
        spool.close()


# -- encryption: the same format, streamed ----------------------------------------------------
def _chunks(data: bytes) -> list[bytes]:
    """Pieces of awkward sizes, across the writer's buffering."""
    sizes = [1, 7, 1 << 18, 3, (1 << 18) - 1, 100_000, 1 << 20]
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        size = sizes[len(out) % len(sizes)]
        out.append(data[pos:pos + size])
        pos += size
    return out


def _produce(data: bytes) -> exports.Producer:
    def produce(out: Any) -> int:
        for piece in _chunks(data):
            out.write(piece)
        return 1

    return produce


def test_streamed_encryption_is_one_shot_aes_gcm(tmp_path: Path) -> None:
    data = secrets.token_bytes(3 * (1 << 20) + 12345)
    anchor = {"entry_id": 7, "digest": "ab" * 32}
    path = tmp_path / "big.enc"
    count, digest = exports.write_export_file(path, "csv", _produce(data), password=PASSWORD,
                                              anchor=anchor)
    blob = path.read_bytes()
    assert count == 1 and digest == hashlib.sha256(blob).hexdigest()
    end = blob.index(b"\n", len(exports.MAGIC)) + 1
    header = json.loads(blob[len(exports.MAGIC):end - 1])
    assert header["content"] == "csv" and header["audit_anchor"] == anchor
    key = derive_kek(PASSWORD, base64.b64decode(header["kdf"]["salt"]),
                     KdfParams.from_json(header["kdf"]))
    nonce = base64.b64decode(header["nonce"])
    assert blob[end:] == AESGCM(key).encrypt(nonce, data, blob[:end])
    # and back, in memory and as a stream
    assert decrypt_export(blob, PASSWORD) == (data, "csv")
    out = tmp_path / "out.csv"
    assert exports.decrypt_export_file(path, out, PASSWORD) == "csv"
    assert out.read_bytes() == data


def test_an_encrypted_export_decrypts_to_the_plaintext_export(
    store: Store, filled: list[str], tmp_path: Path
) -> None:
    store.export(tmp_path / "plain.csv", "csv", plaintext_ok=True)
    store.export(tmp_path / "sealed.csv.enc", "csv", password=PASSWORD)
    assert b"Fakename" not in (tmp_path / "sealed.csv.enc").read_bytes()
    exports.decrypt_export_file(tmp_path / "sealed.csv.enc", tmp_path / "open.csv", PASSWORD)
    assert (tmp_path / "open.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def _one_shot(data: bytes, password: str, content: str) -> bytes:
    """An export as FieldScreen wrote it before streaming (whole, with AESGCM.encrypt)."""
    params = kdf_profile()
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = {
        "format": exports.ENCRYPTED_FORMAT, "version": 1, "content": content,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kdf": {**params.to_json(), "salt": base64.b64encode(salt).decode()},
        "cipher": "AES-256-GCM", "nonce": base64.b64encode(nonce).decode(),
    }
    head = exports.MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    return head + AESGCM(derive_kek(password, salt, params)).encrypt(nonce, data, head)


def test_an_old_one_shot_export_still_decrypts(tmp_path: Path) -> None:
    data = ("case_reference,value\r\nFS-2026-ABCDE,Zoë\r\n" * 5000).encode("utf-8")
    old = tmp_path / "old.csv.enc"
    old.write_bytes(_one_shot(data, PASSWORD, "csv"))
    out = tmp_path / "old.csv"
    assert exports.decrypt_export_file(old, out, PASSWORD) == "csv"
    assert out.read_bytes() == data
    assert decrypt_export(old.read_bytes(), PASSWORD) == (data, "csv")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("where", ["header", "middle", "last byte", "tag", "truncated",
                                   "wrong password"])
def test_a_tampered_export_is_refused_and_leaves_nothing(tmp_path: Path, where: str) -> None:
    data = secrets.token_bytes(2 * (1 << 20))
    source = tmp_path / "export.enc"
    exports.write_export_file(source, "json", _produce(data), password=PASSWORD)
    blob = bytearray(source.read_bytes())
    end = blob.index(b"\n", len(exports.MAGIC)) + 1
    password = PASSWORD
    if where == "header":
        blob[end - 3] ^= 0x01  # a character of the (authenticated) header
    elif where == "middle":
        blob[end + len(data) // 2] ^= 0x80
    elif where == "last byte":
        blob[-17] ^= 0x01  # the last byte of ciphertext, before the tag
    elif where == "tag":
        blob[-1] ^= 0x01
    elif where == "truncated":
        del blob[-1000:]
    else:
        password = PASSWORD + "!"
    source.write_bytes(bytes(blob))
    outdir = tmp_path / "out"
    outdir.mkdir()
    target = outdir / "export.json"
    target.write_bytes(b"what was here before")
    with pytest.raises((WrongPassphrase, InputError)):
        exports.decrypt_export_file(source, target, password)
    assert target.read_bytes() == b"what was here before"  # not replaced, not even in part
    assert _leftovers(outdir) == ["export.json"]  # no temporary with unverified plaintext


def test_a_file_that_is_not_an_export_is_named_before_any_password(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_bytes(b"just some text\n")
    with pytest.raises(InputError, match="not an encrypted FieldScreen export"):
        exports.check_export_file(other)
    with pytest.raises(InputError, match="cannot read"):
        exports.check_export_file(tmp_path / "missing.enc")


def test_cli_export_decrypt_refuses_a_tampered_file_and_writes_nothing(
    tmp_path: Path
) -> None:
    data = "\ufeffcase_reference,value\r\nFS-2026-ABCDE,Zoë\r\n".encode()
    source = tmp_path / "cases.csv.enc"
    exports.write_export_file(source, "csv", _produce(data), password=PASSWORD)
    out = tmp_path / "cases.csv"
    done = run_cli("export-decrypt", str(source), "-o", str(out), stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == data and "NOT encrypted" in done.stderr
    os.unlink(out)
    blob = bytearray(source.read_bytes())
    blob[len(blob) // 2] ^= 0x04
    source.write_bytes(bytes(blob))
    done = run_cli("export-decrypt", str(source), "-o", str(out), stdin=PASSWORD + "\n")
    assert done.returncode == 3, done.stderr
    assert "wrong export password, or the file was altered" in done.stderr
    assert "Traceback" not in done.stderr and "NOT encrypted" not in done.stderr
    assert _leftovers(tmp_path) == ["cases.csv.enc"]
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    done = run_cli("export-decrypt", str(notes), "-o", str(out), stdin="")
    assert done.returncode == 2 and "not an encrypted FieldScreen export" in done.stderr


def test_the_audit_entry_counts_and_hashes_the_streamed_file(
    store: Store, filled: list[str], tmp_path: Path
) -> None:
    info = store.export(tmp_path / "two.json.enc", "json", case_ids=filled[:2],
                        password=PASSWORD)
    entry = [e for e in store.audit.entries() if e.action == "store.export"][-1]
    assert entry.detail == {"format": "json", "encrypted": True, "cases": 2,
                            "sha256": info.sha256}
    assert info.sha256 == hashlib.sha256(info.path.read_bytes()).hexdigest()
    plain, _ = decrypt_export(info.path.read_bytes(), PASSWORD)
    assert [c["id"] for c in json.loads(io.BytesIO(plain).read())["cases"]] == filled[:2]
