"""Text for CSV cells that a spreadsheet will open: never run as a formula (CSV injection).

One rule for every CSV FieldScreen writes (``export --format csv`` and the CSV tables of
``--format odk``): a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading apostrophe, so Excel, LibreOffice and Google Sheets show it as text. A plain
number (``-3``, ``+1.5``, ``-2e3``) is left alone: it cannot run anything and must stay a number.

JSON exports are exempt on purpose: they are data for programs, not spreadsheets, and must keep
every value exactly as it was answered.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet will show it, not run it."""
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


__all__ = ["FORMULA_START", "spreadsheet_safe"]
