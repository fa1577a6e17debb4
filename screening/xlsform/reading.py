"""Reading the file: size and zip checks, pyxform's reader and converter, errors located.

Every failure becomes an ``InstrumentError`` with a reason (never a traceback): pyxform's
``PyXFormError`` messages are translated into located problems; anything else a third-party
reader raises on hostile bytes is caught here, at the boundary, and named by its type.
"""

from __future__ import annotations

import copy
import io
import re
import warnings as pywarnings
import zipfile
from pathlib import Path
from typing import Any

from screening.errors import ErrorCode, InstrumentError, Problem
from screening.xlsform import extras as fs_extras
from screening.xlsform.report import Collector, pyxform_problem

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_SHEET_ROWS = 50_000
SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".md": "md"}


def file_kind(name: str, data: bytes) -> str | None:
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    return None


def refuse(file: str, message: str, code: ErrorCode = ErrorCode.BAD_INPUT) -> InstrumentError:
    problem = Problem(code, message, file=file)
    return InstrumentError(f"{file}: cannot import: {message}", [problem], code=code)


def check_zip(data: bytes, file: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            names = {i.filename for i in infos}
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise refuse(file, f"not a readable .xlsx workbook ({exc})") from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise refuse(file, "the zip file is not an Excel workbook (.xlsx)")
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise refuse(
            file,
            f"the workbook unpacks to {total:,} bytes, more than an XLSForm "
            "needs; refusing it (possible zip bomb)",
        )


def read_definition(data: bytes, kind: str | None, file: str, stem: str) -> Any:
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform

    limit = MAX_TEXT_BYTES if kind in ("csv", "md") else MAX_FILE_BYTES
    if len(data) > limit:
        raise refuse(file, f"the file is {len(data):,} bytes; the limit is {limit:,}")
    if not data.strip():
        raise refuse(file, "the file is empty")
    if kind == "xlsx":
        check_zip(data, file)
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")
            definition = get_xlsform(io.BytesIO(data), file_type=("." + kind) if kind else None)
    except PyXFormError as exc:
        what = {
            "xlsx": ".xlsx workbook",
            "xls": ".xls workbook",
            "csv": "CSV XLSForm",
            "md": "Markdown XLSForm",
        }.get(kind or "", "spreadsheet")
        message = str(exc)
        if "not recognized" in message or "Error reading" in message:
            message = f"not a readable {what}"
        raise refuse(file, message) from None
    except RecursionError:
        raise refuse(file, "the file is nested too deeply to read") from None
    except Exception as exc:  # third-party parsers raise anything on bad bytes
        detail = _short(str(exc), 120)
        raise refuse(
            file,
            f"cannot read the file as a spreadsheet ({type(exc).__name__}"
            + (f": {detail})" if detail else ")"),
        ) from None
    for sheet in ("survey", "choices", "settings", "external_choices", "entities", "osm"):
        rows = getattr(definition, sheet, None)
        if rows is not None and len(rows) > MAX_SHEET_ROWS:
            raise refuse(
                file, f"the {sheet} sheet has {len(rows):,} rows; the limit is {MAX_SHEET_ROWS:,}"
            )
    definition.fallback_form_name = stem
    return definition


def extras_sheet(data: bytes, kind: str | None, collector: Collector) -> dict[str, Any] | None:
    if kind != "xlsx":
        return None
    import openpyxl

    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if fs_extras.SHEET not in book.sheetnames:
                    return None
                sheet = book[fs_extras.SHEET]
                cells = [
                    row[0] if row else None for row in sheet.iter_rows(max_col=1, values_only=True)
                ]
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises anything on damaged files
        collector.warn(
            "fieldscreen sheet unreadable",
            f"the '{fs_extras.SHEET}' sheet cannot be read ({type(exc).__name__}); "
            "FieldScreen metadata is not restored",
            sheet=None,
        )
        return None
    try:
        return fs_extras.from_cells(cells)
    except ValueError as exc:
        collector.warn(
            "fieldscreen sheet unreadable",
            f"{exc}; FieldScreen metadata is not restored",
            sheet=fs_extras.SHEET,
        )
        return None


# -- pyxform ---------------------------------------------------------------------------------
def convert(definition: Any, file: str, stem: str) -> tuple[dict[str, Any], list[str]]:
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json

    found: list[str] = []
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")
            form = workbook_to_json(
                workbook_dict=copy.deepcopy(definition), fallback_form_name=stem, warnings=found
            )
            survey = create_survey_element_from_dict(copy.deepcopy(form))
            survey.to_xml(validate=False, warnings=found)
    except PyXFormError as exc:
        problem = pyxform_problem(str(exc), file, ErrorCode.INSTRUMENT_SCHEMA)
        problem = _locate_unknown_type(problem, definition, file)
        raise InstrumentError(
            f"{file}: not a valid XLSForm (pyxform: {problem.message})", [problem]
        ) from None
    except RecursionError:
        raise refuse(file, "the form is nested too deeply") from None
    except Exception as exc:  # pyxform has bugs on malformed input
        raise refuse(
            file,
            f"pyxform could not convert the form ({type(exc).__name__}: {_short(str(exc))})",
            ErrorCode.INSTRUMENT_SCHEMA,
        ) from None
    return form, found


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _locate_unknown_type(problem: Problem, definition: Any, file: str) -> Problem:
    """pyxform names an unknown type, or a ``${name}`` it cannot resolve (a loop question:
    one name per choice), but not its row; find the row."""
    if problem.line:
        return problem
    match = re.search(r"Unknown question type '([^']*)'", problem.message)
    ref = re.search(r"trying to replace (\$\{[^}]*\})", problem.message)
    if not match and not ref:
        return problem
    for number, row in enumerate(definition.survey or (), start=2):
        for key, value in row.items():
            if (ref and ref[1] in str(value)) or (
                    match and str(key).strip().lower() == "type"
                    and str(value).strip() == match[1].strip()):
                return Problem(
                    problem.code,
                    f"survey sheet, row {number}: {problem.message}",
                    file=file,
                    line=number,
                )
    return problem
