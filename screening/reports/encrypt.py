"""Finishing a built PDF: the JSON attachment, AES-256 encryption, an atomic write.

ReportLab's own encryption is RC4 by default and its 256-bit mode writes the deprecated R5
handler that poppler rejects, so the PDF is built unencrypted *in memory* and pypdf rewrites
it with the standard AES-256 security handler (V5/R6). No plaintext ever reaches the disk
when a password is given. The password is used, never stored or logged.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions

from screening.errors import ErrorCode, ReportError, StoreError
from screening.store.fsutil import AtomicFile

ATTACHMENT_NAME = "referral.json"
# The receiver may print, copy text (search, screen readers) and fill forms, not edit.
PERMISSIONS = (
    UserAccessPermissions.PRINT
    | UserAccessPermissions.PRINT_TO_REPRESENTATION
    | UserAccessPermissions.EXTRACT
    | UserAccessPermissions.EXTRACT_TEXT_AND_GRAPHICS
)


def finish_pdf(pdf: bytes, attachment: bytes, password: str | None,
               pdf_date: str | None = None) -> bytes:
    """Add ``referral.json`` and, with a password, encrypt with AES-256 (R6). ``pdf_date``
    (a PDF date string, e.g. ``D:202612`` for a minimal copy) replaces the creation and
    modification times ReportLab stamps to the second."""
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
        writer.add_attachment(ATTACHMENT_NAME, attachment)
        if pdf_date is not None:
            writer.add_metadata({"/CreationDate": pdf_date, "/ModDate": pdf_date})
        if password is not None:
            writer.encrypt(
                user_password=password,
                # A random owner password nobody knows: permissions cannot be lifted with it.
                owner_password=secrets.token_urlsafe(32),
                permissions_flag=PERMISSIONS,
                algorithm="AES-256",
            )
        out = io.BytesIO()
        writer.write(out)
    except ReportError:
        raise
    except Exception as exc:  # pypdf raises many types; none may leak the password
        raise ReportError(
            f"could not finish the PDF ({type(exc).__name__})",
            code=ErrorCode.REPORT_FAILED,
            stage="finish",
        ) from None
    return out.getvalue()


def atomic_write(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` via a temp file in the same folder, fsync, rename.

    A crash leaves either the old file or the new one under ``path``, never half a PDF; the
    temporary is named as every FieldScreen output's (``.<name>.<8 hex>.tmp``), so the sweep
    of output folders at the next unlock removes one a killed write left behind.
    Returns the SHA-256 (hex) of ``data``.
    """
    try:
        with AtomicFile(path) as fh:
            fh.write(data)
    except StoreError as exc:
        raise ReportError(
            f"cannot write the PDF ({exc.message})", code=ErrorCode.REPORT_FAILED, stage="write"
        ) from None
    return hashlib.sha256(data).hexdigest()
