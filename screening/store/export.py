"""Exports: JSON (everything about the chosen cases) or CSV (one row per current answer).

A plaintext export is only written when the caller says so explicitly (the CLI prints a
warning on stderr first). An encrypted export is built in memory and written once, encrypted,
so no plaintext copy touches the disk.

Encrypted export format ``FIELDSCREEN-EXPORT 1``::

    b"FIELDSCREEN-EXPORT 1\\n"
    <header JSON> b"\\n"   {"format": "fieldscreen-encrypted-export", "version": 1,
                          "content": "json"|"csv", "created_at": ...,
                          "kdf": {"alg": "argon2id", "version": 19, "time_cost": t,
                                  "memory_kib": m, "parallelism": p, "salt": base64},
                          "cipher": "AES-256-GCM", "nonce": base64 (12 bytes),
                          "audit_anchor": {"entry_id": n, "digest": hex}}
    <ciphertext || 16-byte tag>

key = Argon2id(NFC(password), salt, t, m, p, 32 bytes); the associated data is both header
lines exactly as stored. ``fieldscreen export-decrypt`` reverses it; any AES-GCM + Argon2id
library can too. The header holds no personal data. ``audit_anchor`` is the store's audit
head when the export was made (also in a JSON export's body): ``fieldscreen audit verify
--against FILE`` checks, later, that the history up to it was not rewritten. It is not a
standard container (not an encrypted ZIP or PDF): the recipient needs FieldScreen or a
15-line script.

CSV leaves out the person's details on purpose (it is meant for analysis); cells that a
spreadsheet would run as a formula are prefixed with an apostrophe (``screening.spreadsheet``,
the same rule as the ODK export's CSV tables). JSON is data, not a spreadsheet: exempt.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from screening.errors import ErrorCode, InputError, WrongPassphrase
from screening.spreadsheet import spreadsheet_safe
from screening.store.fsutil import atomic_write
from screening.store.keys import KdfParams, derive_kek, kdf_profile

if TYPE_CHECKING:
    from screening.store.store import Store

MAGIC = b"FIELDSCREEN-EXPORT 1\n"
ENCRYPTED_FORMAT = "fieldscreen-encrypted-export"
FORMATS = ("json", "csv")
CSV_COLUMNS = (
    "case_reference",
    "case_id",
    "case_status",
    "interview_id",
    "instrument_id",
    "instrument_version",
    "interview_status",
    "item",
    "value",
    "special",
    "language",
    "answered_at",
    "relevant",
    "note",
)


@dataclass(frozen=True)
class ExportInfo:
    path: Path
    format: str
    encrypted: bool
    cases: int
    sha256: str  # of the file as written


def _case_doc(store: Store, case_id: str) -> dict[str, Any]:
    case = store.cases.get(case_id)
    referrals, narrative = store.referrals.get(case_id)
    interviews = []
    for interview in case.interviews:
        answers = store.interviews.load_answers(interview.id)
        interviews.append(
            {
                "id": interview.id,
                "meta": interview.meta.to_json(),
                "status": interview.status,
                "result": interview.result,
                "created_at": interview.created_at,
                "updated_at": interview.updated_at,
                "finished_at": interview.finished_at,
                "context": ctx.to_json() if (ctx := store.context.get(interview.id)) else None,
                "answers": [_answer_doc(a) for a in answers.values()],
                "history": [
                    {"saved_at": saved, **_answer_doc(a)}
                    for saved, a in store.interviews.full_history(interview.id)
                ],
            }
        )
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "person": case.person.to_json() if case.person else None,
        "interviews": interviews,
        "referrals": [r.to_json() for r in referrals],
        "narrative": narrative,
        "referral_details": store.referrals.details(case_id),  # issue #15
        "reports": [
            {"kind": r.kind, "file_name": r.file_name, "sha256": r.sha256, "at": r.created_at}
            for r in store.cases.reports(case_id)
        ],
    }


def _answer_doc(answer: Any) -> dict[str, Any]:
    return {
        "item": answer.item,
        "value": answer.value,
        "special": answer.special,
        "language": answer.language,
        "answered_at": answer.answered_at,
        "relevant": answer.relevant,
        "note": answer.note,
    }


def _safe_cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return spreadsheet_safe(text)


def build_export(
    store: Store, case_ids: Iterable[str], fmt: str, anchor: dict[str, Any] | None = None
) -> bytes:
    ids = list(case_ids)
    if fmt == "json":
        doc: dict[str, Any] = {
            "format": "fieldscreen-export",
            "version": 1,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "cases": [_case_doc(store, cid) for cid in ids],
        }
        if anchor is not None:
            doc["audit_anchor"] = anchor
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for cid in ids:
            case = store.cases.get(cid)
            for interview in case.interviews:
                for answer in store.interviews.load_answers(interview.id).values():
                    cells = [
                        case.reference,
                        case.id,
                        case.status,
                        interview.id,
                        interview.meta.instrument_id,
                        interview.meta.instrument_version,
                        interview.status,
                        answer.item,
                        answer.value,
                        answer.special,
                        answer.language,
                        answer.answered_at,
                        int(answer.relevant),
                        answer.note,
                    ]
                    writer.writerow([_safe_cell(c) for c in cells])
        # UTF-8 with BOM: spreadsheet programs otherwise guess a legacy code page.
        return buffer.getvalue().encode("utf-8-sig")
    raise InputError(f"unknown export format; use one of {', '.join(FORMATS)}")


def encrypt_export(
    data: bytes, password: str, content: str, anchor: dict[str, Any] | None = None
) -> bytes:
    params = kdf_profile()
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    header = {
        "format": ENCRYPTED_FORMAT,
        "version": 1,
        "content": content,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kdf": {**params.to_json(), "salt": _b64(salt)},
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
    }
    if anchor is not None:
        header["audit_anchor"] = anchor
    head = MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    key = derive_kek(password, salt, params)
    return head + AESGCM(key).encrypt(nonce, data, head)


def decrypt_export(blob: bytes, password: str) -> tuple[bytes, str]:
    """The plaintext and its content format; WrongPassphrase if the password is wrong."""
    import base64

    if not blob.startswith(MAGIC):
        raise InputError("not an encrypted FieldScreen export", code=ErrorCode.BAD_INPUT)
    end = blob.find(b"\n", len(MAGIC))
    try:
        header = json.loads(blob[len(MAGIC) : end].decode("ascii"))
        if end < 0 or header["format"] != ENCRYPTED_FORMAT or header["cipher"] != "AES-256-GCM":
            raise ValueError
        params = KdfParams.from_json(header["kdf"])
        salt = base64.b64decode(header["kdf"]["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
        content = str(header["content"])
    except Exception:
        raise InputError("the encrypted export is damaged", code=ErrorCode.BAD_INPUT) from None
    head = blob[: end + 1]
    key = derive_kek(password, salt, params)
    try:
        return AESGCM(key).decrypt(nonce, blob[end + 1 :], head), content
    except InvalidTag:
        raise WrongPassphrase("wrong export password, or the file was altered") from None


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


def write_export(path: Path, data: bytes) -> str:
    atomic_write(path, data)
    return hashlib.sha256(data).hexdigest()
