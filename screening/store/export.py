"""Exports: JSON (everything about the chosen cases) or CSV (one row per current answer).

A plaintext export is only written when the caller says so explicitly (the CLI prints a
warning on stderr first). Every export is written as a stream (issue #19): the cases are
read one at a time and each is formatted and written, through AES-GCM when encrypted, into
the output's atomic temporary before the next is read, so memory stays flat however many
cases there are, and an encrypted export never has a plaintext copy on disk.

Encrypted export format ``FIELDSCREEN-EXPORT 1``::

    b"FIELDSCREEN-EXPORT 1\\n"
    <header JSON> b"\\n"   {"format": "fieldscreen-encrypted-export", "version": 1,
                          "content": "json"|"csv"|"odk", "created_at": ...,
                          "kdf": {"alg": "argon2id", "version": 19, "time_cost": t,
                                  "memory_kib": m, "parallelism": p, "salt": base64},
                          "cipher": "AES-256-GCM", "nonce": base64 (12 bytes),
                          "audit_anchor": {"entry_id": n, "digest": hex}}
    <ciphertext || 16-byte tag>

key = Argon2id(NFC(password), salt, t, m, p, 32 bytes); the associated data is both header
lines exactly as stored. Streaming changed nothing in it: the bytes are those a one-shot
``AESGCM(key).encrypt(nonce, data, header)`` gives. ``fieldscreen export-decrypt``
reverses it, also as a stream: into a sealed, nameless spool first, and only once the tag
has verified into a temporary beside the output that is then renamed (see
``decrypt_export_file``); any AES-GCM + Argon2id library can too. The header holds no
personal data. ``audit_anchor`` is the store's audit head when the export was made (also
in a JSON export's body): ``fieldscreen audit verify --against FILE`` checks, later, that
the history up to it was not rewritten. It is not a standard container (not an encrypted
ZIP or PDF): the recipient needs FieldScreen or a 15-line script.

CSV leaves out the person's details on purpose (it is meant for analysis); cells that a
spreadsheet would run as a formula are prefixed with an apostrophe (``screening.spreadsheet``,
the same rule as the ODK export's CSV tables). JSON is data, not a spreadsheet: exempt.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag

from screening.errors import ErrorCode, InputError, StoreError, WrongPassphrase
from screening.spreadsheet import spreadsheet_safe
from screening.store.fsutil import STALE_AFTER_S, AtomicFile, io_error, remove_stale_siblings
from screening.store.keys import KdfParams, derive_kek, kdf_profile
from screening.store.streams import (
    HashingWriter,
    IdList,
    SealedSpool,
    SealingWriter,
    Sink,
    TextSink,
    dumps_indented,
    open_sealed,
)

if TYPE_CHECKING:
    from screening.store.core import StoreHandle
    from screening.store.models import Case
    from screening.store.store import Store

MAGIC = b"FIELDSCREEN-EXPORT 1\n"
ENCRYPTED_FORMAT = "fieldscreen-encrypted-export"
FORMATS = ("json", "csv")
_MAX_HEADER = 1 << 16
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

# What writes an export's content into a stream and returns how many cases it holds.
Producer = Callable[[Any], int]


@dataclass(frozen=True)
class ExportInfo:
    path: Path
    format: str
    encrypted: bool
    cases: int
    sha256: str  # of the file as written


def _case_doc(store: Store, case: Case) -> dict[str, Any]:
    case_id = case.id
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


# -- the cases, one at a time ------------------------------------------------------------------
def snapshot_case_ids(handle: StoreHandle) -> IdList:
    """Every case id, most recently changed first, read through a cursor into an ``IdList``
    (1.7 MB for 100,000 cases): what "all cases" means for an export."""
    ids = IdList()
    with handle.read("listing the cases to export") as conn:
        for (case_id,) in conn.execute(
            "SELECT id FROM cases ORDER BY updated_at DESC, rowid DESC"
        ):
            ids.append(case_id)
    return ids


def _cases(store: Store, case_ids: Iterable[str], missing_ok: bool) -> Iterator[Case]:
    """Each case in turn. ``missing_ok``: a case deleted since the ids were read is left out
    (an export of all cases that runs for minutes while the officer works), not an error."""
    for case_id in case_ids:
        try:
            yield store.cases.get(case_id)
        except StoreError as exc:
            if not (missing_ok and exc.code == ErrorCode.STORE_NOT_FOUND):
                raise


_CASES_MARK = "\x00cases\x00"


def write_json(store: Store, case_ids: Iterable[str], out: Any,
               anchor: dict[str, Any] | None = None, *, missing_ok: bool = False) -> int:
    """The JSON export into the binary stream ``out``, a case at a time: byte for byte what
    ``json.dumps(doc, ensure_ascii=False, indent=2)`` of the whole document gives, and a
    newline. Returns the number of cases written."""
    doc: dict[str, Any] = {
        "format": "fieldscreen-export",
        "version": 1,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": _CASES_MARK,
    }
    if anchor is not None:
        doc["audit_anchor"] = anchor
    before, after = json.dumps(doc, ensure_ascii=False, indent=2).split(
        json.dumps(_CASES_MARK), 1)
    out.write(before.encode("utf-8"))
    count = 0
    for case in _cases(store, case_ids, missing_ok):
        text = ("[\n    " if count == 0 else ",\n    ") + dumps_indented(_case_doc(store, case), 2)
        out.write(text.encode("utf-8"))
        count += 1
    out.write((("\n  ]" if count else "[]") + after + "\n").encode("utf-8"))
    return count


def write_csv(store: Store, case_ids: Iterable[str], out: Any, *,
              missing_ok: bool = False) -> int:
    """The CSV export into the binary stream ``out``, a case at a time (UTF-8 with a BOM:
    spreadsheet programs otherwise guess a legacy code page). Returns the number of cases."""
    text = TextSink(out)
    text.write("\ufeff")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for case in _cases(store, case_ids, missing_ok):
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
        count += 1
    text.flush()
    return count


def producer(store: Store, case_ids: Iterable[str], fmt: str,
             anchor: dict[str, Any] | None = None, *, missing_ok: bool = False) -> Producer:
    """What writes ``fmt`` (json or csv) of these cases into a stream."""
    if fmt == "json":
        return lambda out: write_json(store, case_ids, out, anchor, missing_ok=missing_ok)
    if fmt == "csv":
        return lambda out: write_csv(store, case_ids, out, missing_ok=missing_ok)
    raise InputError(f"unknown export format; use one of {', '.join(FORMATS)}")


def build_export(
    store: Store, case_ids: Iterable[str], fmt: str, anchor: dict[str, Any] | None = None
) -> bytes:
    """The export's bytes in memory (small exports and tests; ``Store.export`` streams)."""
    buffer = io.BytesIO()
    producer(store, list(case_ids), fmt, anchor)(buffer)
    return buffer.getvalue()


# -- writing, encrypted or not ------------------------------------------------------------------
def _sealing(password: str, content: str,
             anchor: dict[str, Any] | None) -> tuple[bytes, bytes, bytes]:
    """The two header lines of an encrypted export, its key and nonce."""
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
    return head, derive_kek(password, salt, params), nonce


def _write_sealed(out: HashingWriter, produce: Producer, password: str, content: str,
                  anchor: dict[str, Any] | None) -> int:
    head, key, nonce = _sealing(password, content, anchor)
    out.write(head)
    sealed = SealingWriter(out, key, nonce, head)
    count = produce(sealed)
    sealed.close()
    return count


def write_export_file(dest: Path, content: str, produce: Producer, *,
                      password: str | None = None,
                      anchor: dict[str, Any] | None = None) -> tuple[int, str]:
    """Write an export to ``dest`` as it is produced: into a temporary beside it (0600,
    fsynced, renamed over ``dest`` only when complete), through AES-GCM when ``password`` is
    given. Returns the number of cases and the SHA-256 of the file as written."""
    try:
        with AtomicFile(dest) as raw:
            out = HashingWriter(raw)
            if password is None:
                count = produce(out)
            else:
                count = _write_sealed(out, produce, password, content, anchor)
    except OSError as exc:  # e.g. the disk filled up while writing: the temporary is gone
        raise io_error(exc, "export failed") from None
    return count, out.hexdigest()


def encrypt_export(
    data: bytes, password: str, content: str, anchor: dict[str, Any] | None = None
) -> bytes:
    """``data`` as an encrypted export, in memory."""
    def produce(out: Any) -> int:
        out.write(data)
        return 0

    buffer = io.BytesIO()
    _write_sealed(HashingWriter(buffer), produce, password, content, anchor)
    return buffer.getvalue()


# -- decrypting -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SealedHeader:
    """An encrypted export's header, parsed."""

    head: bytes  # both header lines, as stored: the associated data
    params: KdfParams
    salt: bytes
    nonce: bytes
    content: str


def _not_an_export() -> InputError:
    return InputError("not an encrypted FieldScreen export", code=ErrorCode.BAD_INPUT)


def _damaged() -> InputError:
    return InputError("the encrypted export is damaged", code=ErrorCode.BAD_INPUT)


def _parse_head(head: bytes) -> SealedHeader:
    """``head``: the magic line and the header line with its newline."""
    try:
        if not head.endswith(b"\n"):
            raise ValueError
        header = json.loads(head[len(MAGIC):-1].decode("ascii"))
        if header["format"] != ENCRYPTED_FORMAT or header["cipher"] != "AES-256-GCM":
            raise ValueError
        params = KdfParams.from_json(header["kdf"])
        salt = base64.b64decode(header["kdf"]["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
        content = str(header["content"])
    except Exception:
        raise _damaged() from None
    return SealedHeader(head, params, salt, nonce, content)


def _wrong() -> WrongPassphrase:
    return WrongPassphrase("wrong export password, or the file was altered")


def decrypt_export(blob: bytes, password: str) -> tuple[bytes, str]:
    """The plaintext and its content format; WrongPassphrase if the password is wrong."""
    if not blob.startswith(MAGIC):
        raise _not_an_export()
    end = blob.find(b"\n", len(MAGIC))
    sealed = _parse_head(blob[: end + 1] if end >= 0 else blob)
    source = io.BytesIO(blob)
    source.seek(len(sealed.head))
    plain = io.BytesIO()
    _open(sealed, password, source, plain, len(blob) - len(sealed.head))
    return plain.getvalue(), sealed.content


def read_export_header(source: IO[bytes]) -> SealedHeader:
    """The header of the encrypted export ``source`` is positioned at (InputError if it is
    not one); ``source`` is left at the start of the ciphertext."""
    if source.read(len(MAGIC)) != MAGIC:
        raise _not_an_export()
    return _parse_head(MAGIC + source.readline(_MAX_HEADER))


def check_export_file(path: Path) -> str:
    """The content format of the encrypted export at ``path``; InputError if it is none
    (before anyone is asked for its password)."""
    try:
        with Path(path).open("rb") as f:
            return read_export_header(f).content
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def decrypt_export_file(source: Path, dest: Path, password: str) -> str:
    """Decrypt the export at ``source`` into ``dest`` as a stream; returns its content format.

    No unauthenticated plaintext ever reaches a file: the plaintext is first set aside in a
    ``SealedSpool`` (a nameless temporary file beside ``dest``, re-encrypted under a key only
    this process holds), and only once the tag has verified is it copied into a temporary
    beside ``dest`` (``.<name>.<8 hex>.tmp``, 0600) that is then renamed over ``dest``. A wrong
    password or an altered file raises WrongPassphrase and leaves nothing; a kill before the
    tag verified leaves nothing readable (the spool has no name and its key dies with the
    process). A kill during the final copy can leave a partial temporary of *authenticated*
    plaintext the user asked for: each decryption first removes such temporaries of ``dest``
    last written before this process started (or untouched for ``STALE_AFTER_S``).
    Memory stays flat: everything moves in 1 MiB pieces."""
    dest = Path(dest)
    spool: SealedSpool | None = None
    try:
        with Path(source).open("rb") as f:
            sealed = read_export_header(f)
            size = f.seek(0, io.SEEK_END)
            f.seek(len(sealed.head))
            _sweep_decrypt_leftovers(dest)
            spool = SealedSpool(dest.parent)
            _open(sealed, password, f, spool, size - len(sealed.head))
        with AtomicFile(dest) as out:  # the tag verified: now, and only now, plaintext
            for piece in spool.chunks():
                out.write(piece)
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) == Path(source):
            raise InputError(f"cannot read {source}: {exc.strerror}") from None
        raise io_error(exc, "cannot write the decrypted export") from None
    except InvalidTag:  # the spool was altered under us (another process wrote to it)
        raise StoreError("the decrypted export changed on disk while it was written; "
                         "nothing was written") from None
    finally:
        if spool is not None:
            spool.close()
    return sealed.content


# When this module was loaded: a decryption temporary last written before then belongs to an
# earlier process (one that died during its final copy), never to this one.
_LOADED_AT = time.time()


def _sweep_decrypt_leftovers(dest: Path) -> None:
    since_start = time.time() - _LOADED_AT
    remove_stale_siblings(dest, min(STALE_AFTER_S, since_start))


def _open(sealed: SealedHeader, password: str, source: IO[bytes], out: Sink,
          length: int) -> None:
    key = derive_kek(password, sealed.salt, sealed.params)
    try:
        open_sealed(source, out, length, key, sealed.nonce, sealed.head)
    except EOFError:
        raise _damaged() from None
    except InvalidTag:
        raise _wrong() from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
