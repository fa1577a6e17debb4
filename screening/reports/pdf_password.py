"""The PDF password policy, shared by `fieldscreen report --encrypt` and the app's PDF
password field (issue #15, review).

Besides the passphrase strength rules (``screening.store.keys.passphrase_problem``), a PDF
password must fit the readers that will open it: poppler, under Evince, Okular and
`pdfinfo -upw` (22.12 measured here), keeps only the first 32 bytes of a password, so an
AES-256 PDF with a longer one never opens there (qpdf issue #195 reports the same). The
limit counts UTF-8 bytes: a letter outside A-Z takes two to four of them.
No Qt and no ReportLab here: the app imports it.
"""

from __future__ import annotations

import unicodedata

from screening.i18n import N_

MAX_PDF_PASSWORD_BYTES = 32

TOO_LONG = N_("PDF readers on many computers accept at most 32 characters (fewer when "
              "they are not A-Z letters or digits); use a shorter password, or hand the "
              "packet over with a recipient key (--to)")
# The same, as the app words it ("Send to…" is its recipient-key hand-over).
TOO_LONG_APP = N_("PDF readers on many computers accept at most 32 characters (fewer when "
                  "they are not A-Z letters or digits); use a shorter password, or hand the "
                  "packet over with a recipient key (Send to…)")


def pdf_password_too_long(password: str) -> bool:
    """Whether a reader that keeps only 32 bytes of the password would fail to open it."""
    return len(unicodedata.normalize("NFC", password).encode("utf-8")) > MAX_PDF_PASSWORD_BYTES


def pdf_password_problem(password: str) -> str | None:
    """Why ``password`` cannot protect a PDF that opens everywhere (English), or None. The
    strength rules are checked separately, as for every passphrase."""
    return TOO_LONG if pdf_password_too_long(password) else None
