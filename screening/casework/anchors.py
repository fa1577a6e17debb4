"""Audit anchors that left the laptop: read one back from a file, to check it against the trail.

Every referral packet (printed in the footer, and in its embedded ``referral.json``), every
export (a JSON export's body; an encrypted export's header) and every backup (its header's
``audit_head``) carries the audit chain's head as it was when the file was made. Such a file
is out of reach of whoever later gets the laptop and its passphrase, so
``fieldscreen audit verify --against FILE`` can tell whether the history up to that point was
rewritten or rolled back since (``AuditRepository.check_anchor``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from screening.errors import ErrorCode, InputError, WrongPassphrase
from screening.store import AuditAnchor
from screening.store import backup as backups
from screening.store import export as exports

_HEADER_LIMIT = 1 << 20  # backups and encrypted exports keep their header in the first line


def _bad(path: Path, why: str) -> InputError:
    return InputError(f"{path}: {why}", code=ErrorCode.BAD_INPUT, file=str(path))


def _header_after(path: Path, magic: bytes) -> dict[str, object]:
    with path.open("rb") as handle:
        handle.seek(len(magic))
        line = handle.readline(_HEADER_LIMIT)
    try:
        doc = json.loads(line.decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(path, "its header is damaged") from None
    if not isinstance(doc, dict):
        raise _bad(path, "its header is damaged")
    return doc


def _anchor(path: Path, data: object, what: str) -> tuple[AuditAnchor, str]:
    try:
        if isinstance(data, str):  # a packet's "<entry>:<hex>"
            return AuditAnchor.parse(data), what
        return AuditAnchor.from_json(data), what
    except ValueError:
        raise _bad(path, f"this {what} holds no audit anchor (it was made by an older "
                         "FieldScreen)") from None


def _from_pdf(path: Path, ask_password: Callable[[], str]) -> tuple[AuditAnchor, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(ask_password()):
            raise WrongPassphrase(f"{path}: wrong password for this PDF")
        attachments = reader.attachments
    except (PdfReadError, OSError, ValueError):
        raise _bad(path, "not a readable PDF") from None
    for name in ("referral.json",):
        for blob in attachments.get(name, []):
            try:
                doc = json.loads(blob)
            except (UnicodeDecodeError, ValueError, RecursionError):
                continue
            if isinstance(doc, dict):
                return _anchor(path, doc.get("audit_anchor"), "referral packet")
    raise _bad(path, "this PDF is not a FieldScreen referral packet")


def anchor_from_file(path: Path, ask_password: Callable[[], str]) -> tuple[AuditAnchor, str]:
    """The audit anchor a backup, export or referral packet carries, and what the file is.
    ``ask_password`` is called only for an encrypted PDF. InputError (exit 2) naming the
    file when it has none."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            start = handle.read(64)
    except OSError as exc:
        raise _bad(path, f"cannot read it ({exc.strerror})") from None
    if start.startswith(backups.MAGIC) or start.startswith(backups.LEGACY_MAGIC):
        magic = backups.MAGIC if start.startswith(backups.MAGIC) else backups.LEGACY_MAGIC
        return _anchor(path, _header_after(path, magic).get("audit_head"), "backup")
    if start.startswith(exports.MAGIC):
        return _anchor(path, _header_after(path, exports.MAGIC).get("audit_anchor"),
                       "encrypted export")
    if start.startswith(b"%PDF"):
        return _from_pdf(path, ask_password)
    if start.lstrip().startswith(b"{"):
        try:
            doc = json.loads(path.read_bytes())
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            raise _bad(path, "not a FieldScreen export (invalid JSON)") from None
        if isinstance(doc, dict) and doc.get("format") == "fieldscreen-export":
            return _anchor(path, doc.get("audit_anchor"), "export")
    raise _bad(path, "holds no audit anchor: backups, exports (JSON, or any encrypted export) "
                     "and referral packets carry one; a plaintext CSV or ODK export does not")
