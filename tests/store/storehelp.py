"""Helpers shared by the store tests (imported as a plain module: tests/store has no package)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import sqlcipher3
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from screening.engine.storage import AnswerRecord
from screening.store import InterviewMeta
from screening.store.keys import SLOT_PASSPHRASE, KeySlots

PASSPHRASE = "correct horse battery staple 42"
OTHER_PASSPHRASE = "violet tugboat marmalade 1987"


def meta(**overrides: object) -> InterviewMeta:
    fields: dict[str, object] = {
        "instrument_id": "test_instrument",
        "instrument_version": "0.1",
        "content_hash": "sha256:" + "ab" * 32,
        "respondent_language": "es",
        "officer_language": "en",
    }
    fields.update(overrides)
    return InterviewMeta(**fields)  # type: ignore[arg-type]


def answer(item: str, value: object, *, note: str | None = None, **kw: object) -> AnswerRecord:
    return AnswerRecord(
        item=item,
        value=value,
        special=kw.pop("special", None),  # type: ignore[arg-type]
        language=str(kw.pop("language", "es")),
        answered_at=str(kw.pop("answered_at", "2026-03-07T10:00:00Z")),
        relevant=bool(kw.pop("relevant", True)),
        note=note,
    )


def master_key(data_dir: Path, passphrase: str = PASSPHRASE) -> bytes:
    key, _slot = KeySlots.load(data_dir / "keyslots.json").unlock(SLOT_PASSPHRASE, passphrase)
    return key


def raw_connect(data_dir: Path, passphrase: str = PASSPHRASE) -> sqlcipher3.Connection:
    """A bare sqlcipher3 connection with the store's key, as an investigator would open it."""
    conn = sqlcipher3.connect(str(data_dir / "fieldscreen.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{master_key(data_dir, passphrase).hex()}'\"")
    return conn


def decrypted_pages_list(data: bytes, key: bytes, page_size: int = 4096) -> list[bytes]:
    """Each page of a SQLCipher 4 file's bytes, decrypted (as ``decrypted_pages``)."""
    reserve = 80
    out = []
    for n in range(len(data) // page_size):
        page = data[n * page_size : (n + 1) * page_size]
        start = 16 if n == 0 else 0
        iv = page[page_size - reserve : page_size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out.append(decryptor.update(page[start : page_size - reserve]) + decryptor.finalize())
    return out


def decrypted_pages(db_file: Path, key: bytes, page_size: int = 4096) -> bytes:
    """Every page of a SQLCipher 4 file decrypted (free pages included): what someone with the
    key could recover from the file. Layout: AES-256-CBC, 80 reserved bytes per page (IV at
    their start), the first 16 bytes of page 1 are the salt."""
    data = db_file.read_bytes()
    reserve = 80
    out = bytearray()
    for n in range(len(data) // page_size):
        page = data[n * page_size : (n + 1) * page_size]
        start = 16 if n == 0 else 0
        iv = page[page_size - reserve : page_size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out += decryptor.update(page[start : page_size - reserve]) + decryptor.finalize()
    return bytes(out)


def _state_bytes(path: Path) -> bytes:
    """A file's bytes; for a key file, without its ``attempts`` section (a wrong passphrase
    is supposed to change that, and only that)."""
    data = path.read_bytes()
    if path.name == "keyslots.json":
        import json

        doc = json.loads(data)
        doc.pop("attempts", None)
        data = json.dumps(doc, sort_keys=True).encode()
    return data


def file_hashes(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """What is in ``folder``, file by file (a key file's failed-attempt count aside)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(_state_bytes(p)).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def spawn_store_child(script: Path, args: list[str], stdin_text: str) -> subprocess.Popen[str]:
    """A child process running ``script`` on a store (for kill -9 tests), its secrets
    already written to its standard input. It inherits PYTEST_CURRENT_TEST and the fast KDF
    profile from the environment."""
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2], env=os.environ.copy(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(stdin_text)
    proc.stdin.flush()
    return proc
