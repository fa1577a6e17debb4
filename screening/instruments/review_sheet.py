"""The translation review sheet (.xlsx): written for a reviewer, read back exactly.

One row per text (``review.review_texts``). Only the ``translation``, ``back_translation``,
``comment`` and ``verdict`` cells can be edited (sheet protection, without a password: it
prevents slips, it is not a security boundary). A very hidden ``fieldscreen`` sheet records
the instrument, version, content hash, language and a hash of the ids, so a sheet of another
instrument or version, or one whose ids were edited, is refused.

Formula safety: every text is written as a string cell with Excel's "quote prefix" style, so
no spreadsheet runs it as a formula, even when the reviewer edits the cell; the value stays the
exact text (no visible apostrophe). On reading, a leading apostrophe before ``= + - @`` (how
some spreadsheets store a text the reviewer typed as ``'=...``) is removed again, and a cell
that *is* a formula is refused with its row: its text is not what the reviewer sees.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import warnings
import zipfile
from datetime import date, datetime, time
from typing import Any

from screening.errors import ErrorCode, InputError
from screening.instruments.model import Instrument
from screening.instruments.review import (
    _PLACEHOLDER,
    VERDICTS,
    ReviewSheet,
    SheetRow,
    review_texts,
    rtl,
)
from screening.spreadsheet import FORMULA_START

FORMAT = "fieldscreen-review-sheet/1"
SHEET = "review"
META = "fieldscreen"
README = "how to review"
COLUMNS = ("id", "where", "kind", "source", "translation", "back_translation", "comment",
           "verdict")
EDITABLE = ("translation", "back_translation", "comment", "verdict")
WIDTHS = {"id": 34, "where": 26, "kind": 26, "source": 60, "translation": 60,
          "back_translation": 50, "comment": 40, "verdict": 12}
MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL = 5_000  # characters; the longest text of a shipped instrument is far shorter

_HOW_TO = (
    "How to review this translation",
    "",
    "One row per text of the instrument. 'source' is the wording in the source language; "
    "'translation' is the current wording in {language}.",
    "1. Read each source text and its translation. Correct the translation in its cell if "
    "needed (only the translation, back_translation, comment and verdict columns can be "
    "edited).",
    "2. back_translation: an independent translator's translation of the {language} text back "
    "into the source language, without seeing the source.",
    "3. comment: what you changed and why, or what the problem is.",
    "4. verdict: ok (right as it is), changed (you corrected it) or problem (still wrong or "
    "unclear: needs discussion).",
    "The language is marked reviewed only when every row has a verdict and none is 'problem'. "
    "Do not add, delete or move rows, and do not edit the id column.",
    "Return the file to the person who made it; they apply it with "
    "`fieldscreen instruments apply-review`.",
)


def ids_hash(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()


def _text_cell(cell: Any, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # openpyxl makes "=..." a formula; it is text
    cell.quotePrefix = True  # and stays text when the reviewer edits the cell


def write_review_sheet(ins: Instrument, lang: str, content_hash: str) -> bytes:
    """The review sheet for language ``lang`` of ``ins`` (see ``review.review_language``)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    texts = review_texts(ins)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = SHEET
    right_to_left = rtl(lang)
    ws.sheet_view.rightToLeft = right_to_left
    ws.append(list(COLUMNS))
    header = PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header
    translated = ("translation",)
    # Typed by the reviewer in either language: each cell takes the direction of its first
    # letter (Excel's "context" reading order), so Arabic reads right to left there too.
    typed = ("back_translation", "comment")
    for row_number, text in enumerate(texts, start=2):
        values = {"id": text.id, "where": text.where, "kind": text.kind,
                  "source": text.text.get(ins.source_language, ""),
                  "translation": text.text.get(lang, "")}
        for col, name in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=row_number, column=col)
            if name in values:
                _text_cell(cell, values[name])
            rtl_cell = right_to_left and name in translated
            if right_to_left and name in typed:
                cell.alignment = Alignment(wrap_text=True, vertical="top", readingOrder=0)
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top",
                                           horizontal="right" if rtl_cell else "left",
                                           readingOrder=2 if rtl_cell else 1)
            if name in EDITABLE:
                cell.protection = Protection(locked=False)
    for col, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[name]
    ws.freeze_panes = "A2"
    last = len(texts) + 1
    verdict_col = get_column_letter(COLUMNS.index("verdict") + 1)
    check = DataValidation(type="list", formula1='"' + ",".join(VERDICTS) + '"',
                           allow_blank=True, showErrorMessage=True,
                           errorTitle="verdict", error="Choose ok, changed or problem.")
    check.add(f"{verdict_col}2:{verdict_col}{max(last, 2)}")
    ws.add_data_validation(check)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # the reviewer may widen columns and rows
    ws.protection.formatRows = False

    about = book.create_sheet(README)
    name = ins.languages[lang].name
    for line in _HOW_TO:
        about.append([line.format(language=f"{name} ({lang})")])
    about.append([])
    for label, value in (("instrument", ins.id), ("version", ins.version),
                         ("language", f"{name} ({lang})"), ("status", ins.languages[lang].status),
                         ("texts", str(len(texts)))):
        about.append([label, value])
    about.column_dimensions["A"].width = 110
    about.protection.sheet = True

    meta = book.create_sheet(META)
    for key, value in (("format", FORMAT), ("instrument", ins.id), ("version", ins.version),
                       ("content_hash", content_hash), ("language", lang),
                       ("source_language", ins.source_language), ("texts", str(len(texts))),
                       ("ids_sha256", ids_hash([t.id for t in texts]))):
        meta.append([key, value])
        _text_cell(meta.cell(row=meta.max_row, column=2), value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)  # no sheets added, removed, shown
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------------
def _refuse(file: str, why: str) -> InputError:
    return InputError(f"{file}: {why}", code=ErrorCode.BAD_INPUT)


def _unreadable(file: str, exc: BaseException) -> InputError:
    """Exit 2 for a workbook openpyxl cannot read, saying what is wrong with it."""
    from defusedxml.common import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return _refuse(file, "the file contains XML that FieldScreen refuses to read (an "
                                 "XML entity or document type declaration, which spreadsheet "
                                 "programs never write); open it in the spreadsheet program "
                                 "and save it again, or make a new sheet")
        cause = cause.__cause__ or cause.__context__
    detail = " ".join(str(exc).split())[:160] or type(exc).__name__
    return _refuse(file, f"the workbook is damaged and cannot be read ({detail}); ask for a "
                         "fresh copy of the filled-in sheet")


def _check_zip(data: bytes, file: str) -> None:
    if len(data) > MAX_BYTES:
        raise _refuse(file, f"the file is {len(data):,} bytes; a review sheet is far smaller")
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(file, "not an .xlsx workbook (a review sheet is an Excel .xlsx file)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise _refuse(file, f"the workbook is damaged ({exc})") from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _refuse(file, "the zip file is not an Excel workbook (.xlsx)")
    if sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise _refuse(file, "the workbook unpacks to far more than a review sheet needs")


def _cell_text(cell: Any) -> tuple[str, str | None]:
    """(text, problem): the exact text of a cell, or why it has none."""
    value = cell.value
    if value is None:
        return "", None
    if getattr(cell, "data_type", None) == "f":
        return "", "is a formula, not text (type it as text, e.g. start it with ')"
    if isinstance(value, bool):
        return str(value).upper(), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), None
    if isinstance(value, (datetime, date, time)):
        return "", "became a date or time in the spreadsheet; format the cell as text"
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]  # typed as '=...: the apostrophe only said "this is text"
    return text, None


def _open(data: bytes, file: str) -> Any:
    import openpyxl

    _check_zip(data, file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Not data_only: a formula cell must be seen (and refused), not replaced by the
            # value a spreadsheet last computed for it. Formulas are never evaluated.
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything on a damaged file
        raise _unreadable(file, exc) from None


def _meta(book: Any, file: str) -> dict[str, str]:
    if META not in book.sheetnames or SHEET not in book.sheetnames:
        raise _refuse(file, f"not a FieldScreen review sheet (no '{SHEET}' and '{META}' "
                            "sheets); make one with `fieldscreen instruments review-sheet`")
    meta: dict[str, str] = {}
    ws = book[META]
    ws.reset_dimensions()  # as for the rows: read what is there, not the declared size
    for number, row in enumerate(ws.iter_rows(max_col=2, values_only=True), start=1):
        if number > 100:  # the sheet FieldScreen writes has eight
            break
        if row and row[0] is not None:
            meta[str(row[0])[:100]] = "" if len(row) < 2 or row[1] is None else str(row[1])
    if any(len(value) > 200 for value in meta.values()):
        raise _refuse(file, f"the '{META}' sheet was changed; make a new sheet")
    if meta.get("format") != FORMAT:
        raise _refuse(file, f"not a FieldScreen review sheet of a known format "
                            f"({meta.get('format') or 'none'})")
    return meta


def read_review_sheet(data: bytes, file: str, ins: Instrument, content_hash: str) -> ReviewSheet:
    """The sheet's rows, checked against ``ins``; InputError (exit 2) naming every bad row."""
    book = _open(data, file)
    try:
        meta, raw = _read(book, file, ins, content_hash)
    except InputError:
        raise
    except Exception as exc:  # openpyxl reads rows lazily: a damaged part fails here
        raise _unreadable(file, exc) from None
    finally:
        with contextlib.suppress(Exception):  # a damaged archive may fail to close too;
            book.close()  # that must not hide why it failed
    texts = review_texts(ins)
    if meta.get("ids_sha256") != ids_hash([t.id for t in texts]):
        raise _refuse(file, "this sheet lists its texts differently from this version of "
                            "FieldScreen; make a new sheet")
    return _check_rows(raw, texts, ins, meta["language"], file, meta,
                       hashlib.sha256(data).hexdigest())


def _read(book: Any, file: str, ins: Instrument, content_hash: str
          ) -> tuple[dict[str, str], list[tuple[int, dict[str, Any]]]]:
    """The sheet's metadata and rows, checked against ``ins`` (its id, version, hash)."""
    meta = _meta(book, file)
    made_for = f"'{meta.get('instrument')}' version {meta.get('version')}"
    if meta.get("instrument") != ins.id:
        raise _refuse(file, f"this review sheet was made for {made_for}, not for "
                            f"'{ins.id}' version {ins.version}")
    if meta.get("version") != ins.version:
        raise _refuse(file, f"this review sheet was made for {made_for}, not for version "
                            f"{ins.version}; give the version it was made from: "
                            f"`fieldscreen instruments apply-review "
                            f"{meta.get('instrument')}@{meta.get('version')} {file} ...` "
                            "(or that version's .yaml file)")
    if meta.get("content_hash") != content_hash:
        raise _refuse(file, f"this review sheet was made for {made_for} with the content "
                            f"hash {meta.get('content_hash')}, but that instrument's text "
                            f"now has {content_hash}; make a new sheet")
    lang = meta.get("language", "")
    if lang not in ins.languages or lang == ins.source_language:
        raise _refuse(file, f"the sheet's language '{lang}' is not a translation of "
                            f"'{ins.id}'")
    return meta, _rows(book[SHEET], file)


def _too_long(cells: Any, number: int, file: str) -> None:
    """Refuse a row with a cell longer than any text of an instrument, before anything is
    done with it (compared, printed or written to the instrument)."""
    for index, cell in enumerate(cells):
        value = getattr(cell, "value", None)
        if isinstance(value, str) and len(value) > MAX_CELL:
            column = COLUMNS[index] if index < len(COLUMNS) else f"column {index + 1}"
            raise _refuse(file, f"row {number}: the {column} cell has {len(value):,} "
                                f"characters; a text in a review sheet has at most "
                                f"{MAX_CELL:,}")


def _rows(ws: Any, file: str) -> list[tuple[int, dict[str, Any]]]:
    ws.reset_dimensions()  # the size the file declares is not trusted: read what is there
    rows = ws.iter_rows()
    header = next(rows, None)
    _too_long(header or (), 1, file)
    names = [str(c.value).strip() if c.value is not None else "" for c in header or ()]
    while names and not names[-1]:
        names.pop()
    if tuple(names) != COLUMNS:
        raise _refuse(file, f"the '{SHEET}' sheet's columns were changed (row 1 must be "
                            f"{', '.join(COLUMNS)})")
    out = []
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise _refuse(file, f"the '{SHEET}' sheet has more than {MAX_ROWS:,} rows")
        _too_long(cells, number, file)
        values = {name: cell for name, cell in zip(COLUMNS, cells, strict=False)
                  if hasattr(cell, "value")}
        if any(c.value not in (None, "") for c in values.values()):
            out.append((number, values))
    return out


def _check_rows(raw: list[tuple[int, dict[str, Any]]], texts: list[Any], ins: Instrument,
                lang: str, file: str, meta: dict[str, str], sha256: str) -> ReviewSheet:
    known = {t.id: (index + 2, t) for index, t in enumerate(texts)}
    problems: list[str] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    rows: list[SheetRow] = []
    for number, cells in raw:
        text: dict[str, str] = {}
        bad: dict[str, str] = {}
        for name in COLUMNS:
            value, problem = _cell_text(cells[name]) if name in cells else ("", None)
            if problem:
                bad[name] = problem
            text[name] = value
        row_id = text["id"].strip()
        label = f"row {number} ({row_id})" if row_id else f"row {number}"
        problems.extend(f"{label}: the {name} cell {why}" for name, why in bad.items())
        if "id" in bad:
            continue
        if not row_id:
            problems.append(f"row {number}: no id (rows must not be added; ids must not be "
                            "cleared)")
            continue
        if row_id not in known:
            problems.append(f"{label}: not a text of '{ins.id}' (was the id edited, or the row "
                            "added?)")
            continue
        if row_id in seen:
            problems.append(f"{label}: the same id again (first on row {seen[row_id]})")
            continue
        seen[row_id] = number
        source_text = known[row_id][1].text
        if text["source"] != source_text.get(ins.source_language, ""):
            notes.append(f"{label}: the source text was changed in the sheet; that change is "
                         "ignored (the source wording is changed by the instrument's authors)")
        verdict = text["verdict"].strip().lower() or None
        if verdict is not None and verdict not in VERDICTS:
            problems.append(f"{label}: verdict '{text['verdict']}' is not one of "
                            f"{', '.join(VERDICTS)}")
        translation = text["translation"]
        if "translation" in bad:
            pass
        elif not translation.strip():
            problems.append(f"{label}: the translation is empty")
        else:
            wanted = sorted(_PLACEHOLDER.findall(source_text.get(ins.source_language, "")))
            found = sorted(_PLACEHOLDER.findall(translation))
            if found != wanted and not wanted:
                problems.append(f"{label}: the translation has {' '.join(found)}, but the "
                                "source text has no ${...} placeholder; remove it")
            elif found != wanted:
                problems.append(f"{label}: the translation must keep the placeholders "
                                f"{' '.join(wanted)} exactly as the source text has them "
                                f"(it has {' '.join(found) or 'none'})")
        rows.append(SheetRow(number, row_id, text["source"], translation,
                             text["back_translation"], text["comment"], verdict))
    for row_id, (expected_row, _text) in known.items():
        if row_id not in seen:
            problems.append(f"row {expected_row} ({row_id}): missing from the sheet (deleted, "
                            "or its id edited?)")
    if problems:
        raise InputError(f"{file}: the review sheet cannot be applied "
                         f"({len(problems)} problem(s)):\n" + "\n".join(f"  {p}" for p in problems),
                         code=ErrorCode.BAD_INPUT)
    rows.sort(key=lambda r: known[r.id][0])
    return ReviewSheet(file=file, sha256=sha256, instrument_id=ins.id, version=ins.version,
                       content_hash=meta["content_hash"], language=lang, rows=rows, notes=notes)


__all__ = ["COLUMNS", "EDITABLE", "FORMAT", "META", "SHEET", "read_review_sheet",
           "write_review_sheet"]
