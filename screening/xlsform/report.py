"""Located import problems: "survey sheet, row 12: ..." as ``Problem``s (errors or warnings)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from screening.errors import ErrorCode, Problem

# pyxform: "[row : 2] On the 'survey' sheet, ..." (also "[row : 2]" without a sheet)
_PYX_ROW = re.compile(r"\[row\s*:\s*(?P<row>\d+)\]\s*")
_PYX_SHEET = re.compile(r"On the '(?P<sheet>[^']+)' sheet,?\s*")


def where(sheet: str | None, row: int | None) -> str:
    if sheet and row:
        return f"{sheet} sheet, row {row}"
    if sheet:
        return f"{sheet} sheet"
    if row:
        return f"row {row}"
    return ""


@dataclass
class Collector:
    """Errors and warnings of one import, each with file, sheet row and item."""

    file: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # What was reported, by feature (e.g. "location question not asked": 2): the summary
    # that docs/xlsform.md records per fixture.
    features: Counter[str] = field(default_factory=Counter)

    def _problem(
        self, code: ErrorCode, message: str, sheet: str | None, row: int | None, item: str | None
    ) -> Problem:
        prefix = where(sheet, row)
        text = f"{prefix}: {message}" if prefix else message
        return Problem(code, text, file=self.file, line=row, item=item)

    def error(
        self,
        feature: str,
        message: str,
        *,
        sheet: str | None = "survey",
        row: int | None = None,
        item: str | None = None,
        code: ErrorCode = ErrorCode.INSTRUMENT_SCHEMA,
    ) -> None:
        self.errors.append(self._problem(code, message, sheet, row, item))
        self.features["error: " + feature] += 1

    def warn(
        self,
        feature: str,
        message: str,
        *,
        sheet: str | None = "survey",
        row: int | None = None,
        item: str | None = None,
        code: ErrorCode = ErrorCode.INSTRUMENT_SCHEMA,
    ) -> None:
        problem = self._problem(code, message, sheet, row, item)
        if problem not in self.warnings:
            self.warnings.append(problem)
            self.features[feature] += 1


def pyxform_problem(message: str, file: str, code: ErrorCode, label: str = "") -> Problem:
    """Translate one pyxform message into a located Problem (row and sheet where given).

    ``label`` (e.g. ``"pyxform: "``) is put before the message, after the location.
    """
    text = " ".join(str(message).split())
    row = None
    sheet = None
    match = _PYX_ROW.search(text)
    if match:
        row = int(match["row"])
        text = (text[: match.start()] + text[match.end() :]).strip()
    match = _PYX_SHEET.search(text)
    if match:
        sheet = match["sheet"]
        text = (text[: match.start()] + text[match.end() :]).strip()
    if row and not sheet:
        sheet = "survey"
    if text:
        text = label + text[0].upper() + text[1:]
    prefix = where(sheet, row)
    return Problem(code, f"{prefix}: {text}" if prefix else text, file=file, line=row)
