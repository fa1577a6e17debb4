"""Hostile and broken input: the importer raises our error types only, with a reason.

Property tests (hypothesis) mutate real fixture workbooks at the byte level and the cell
level, and the CSV/Markdown forms as text; fixed cases cover non-spreadsheets, truncated and
oversized zips, a zip bomb and a huge sheet.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlshelp import LOCAL

from screening.errors import InputError, InstrumentError
from screening.xlsform import import_xlsform
from screening.xlsform.reading import MAX_SHEET_ROWS

# openpyxl warns about the fixtures' document properties and styles; not our concern.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

XLSX = [p for p in sorted(LOCAL.glob("*.xlsx")) if p.stat().st_size < 50_000]
BASE = {p.name: p.read_bytes() for p in XLSX}
BINARY = {**BASE, "fs_own_work_household.xls": (LOCAL / "fs_own_work_household.xls").read_bytes()}
TEXT_FORMS = {
    p.name: p.read_text(encoding="utf-8")
    for p in (LOCAL / "pyx_group.md", LOCAL / "pyx_case_insensitivity.csv")
}
SLOW = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _import(data: bytes, name: str) -> None:
    """Import; only our error types may come out, and they must say what is wrong."""
    message = "imported"
    try:
        import_xlsform(data, file_name=name)
    except InputError as exc:  # InstrumentError is an InputError
        message = str(exc)
    assert message.strip()
    assert "internal error" not in message, message


@SLOW
@given(st.sampled_from(sorted(BINARY)), st.data())
def test_byte_mutations_never_escape(name: str, data: st.DataObject) -> None:
    raw = bytearray(BINARY[name])
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(raw) // 2, len(raw)))
    _import(bytes(raw[:cut]), name)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.sampled_from(sorted(BASE)), st.data())
def test_xml_mutations_inside_a_valid_zip_never_escape(name: str, data: st.DataObject) -> None:
    """Damage the workbook's XML (sheets, shared strings, styles) but keep the zip valid."""
    with zipfile.ZipFile(io.BytesIO(BASE[name])) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    xml_names = sorted(n for n in entries if n.startswith("xl/") and n.endswith(".xml"))
    target = data.draw(st.sampled_from(xml_names))
    raw = bytearray(entries[target])
    for _ in range(data.draw(st.integers(1, 5))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        if data.draw(st.booleans()):
            raw[pos] = data.draw(st.sampled_from(b'<>"/=&;x0 '))
        else:
            raw[pos : pos + data.draw(st.integers(0, 40))] = data.draw(st.binary(max_size=10))
    entries[target] = bytes(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry, content in entries.items():
            archive.writestr(entry, content)
    _import(out.getvalue(), name)


CELL_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "begin group",
            "end group",
            "begin repeat",
            "end repeat",
            "select_one yes_no",
            "select_multiple x",
            "select_one_from_file a.csv",
            "calculate",
            "range",
            "rank l",
            "geopoint",
            "image",
            "note",
            "${name}",
            "pulldata('a','b','c','d')",
            "instance('x')/root/item",
            "../name",
            "/data/name",
            ". > 3",
            "selected(${x}, 'a')",
            "position(..)",
            "label::English (en)",
            "label:Arabic",
            "list_name",
            "choice_filter",
            "repeat_count",
            "yes",
            "1",
            "=1+1",
            "‘curly’",
            "x" * 300,
            "",
            "\x00",
        ]
    ),
    st.integers(-10, 10),
    st.floats(allow_nan=True),
    st.none(),
)


@SLOW
@given(st.sampled_from(sorted(BASE)), st.data())
def test_cell_mutations_never_escape(name: str, data: st.DataObject) -> None:
    book = openpyxl.load_workbook(io.BytesIO(BASE[name]))
    for _ in range(data.draw(st.integers(1, 6))):
        sheet = book[data.draw(st.sampled_from(book.sheetnames))]
        row = data.draw(st.integers(1, max(2, min(sheet.max_row + 1, 40))))
        col = data.draw(st.integers(1, max(1, min(sheet.max_column + 1, 12))))
        value = data.draw(CELL_VALUES)
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch >= " " or ch in "\t\n")
        sheet.cell(row=row, column=col).value = value
    if data.draw(st.booleans()) and len(book.sheetnames) > 1:
        del book[data.draw(st.sampled_from(book.sheetnames))]
    out = io.BytesIO()
    book.save(out)
    _import(out.getvalue(), name)


@SLOW
@given(
    st.sampled_from(sorted(TEXT_FORMS)),
    st.integers(0, 2000),
    st.integers(0, 30),
    st.text(max_size=30),
)
def test_text_form_mutations_never_escape(name: str, pos: int, cut: int, insert: str) -> None:
    text = TEXT_FORMS[name]
    pos = min(pos, len(text))
    _import((text[:pos] + insert + text[pos + cut :]).encode("utf-8", "replace"), name)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["f.xlsx", "f.xls", "f.csv", "f.md", "f"]))
def test_arbitrary_bytes_never_escape(data: bytes, name: str) -> None:
    _import(data, name)


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(InstrumentError) as caught:
        import_xlsform(data, file_name=name)
    return str(caught.value)


def test_not_a_spreadsheet() -> None:
    assert "not a readable .xlsx workbook" in _refused(b"%PDF-1.7 not a workbook", "form.xlsx")
    assert "empty" in _refused(b"", "form.xlsx")
    assert "cannot import" in _refused(b"\x00\x01\x02 binary", "form")


def test_truncated_zip() -> None:
    data = BASE["pyx_field-list.xlsx"]
    assert "not a readable .xlsx workbook" in _refused(data[: len(data) // 2], "cut.xlsx")


def test_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "not an Excel workbook" in _refused(out.getvalue(), "form.xlsx")


def test_zip_bomb() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 120_000_000 + b"/>")
    assert "zip bomb" in _refused(out.getvalue(), "bomb.xlsx")


def test_huge_sheet() -> None:
    rows = "\n".join(f",text,q{i},Question {i}" for i in range(MAX_SHEET_ROWS + 10))
    form = "survey,,,\n,type,name,label\n" + rows + "\n"
    assert "rows; the limit is" in _refused(form.encode(), "huge.csv")


def test_oversized_file(tmp_path) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024)
    with pytest.raises(InstrumentError, match="the limit is"):
        import_xlsform(path)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(InstrumentError, match="cannot read file"):
        import_xlsform(tmp_path / "nope.xlsx")


def test_workbook_without_survey_sheet() -> None:
    book = openpyxl.Workbook()
    book.active.title = "choices"
    book.create_sheet("settings")
    out = io.BytesIO()
    book.save(out)
    message = _refused(out.getvalue(), "nosurvey.xlsx")
    assert "survey" in message


def test_unsupported_expression_in_relevant_is_an_error_with_row() -> None:
    form = (
        "| survey |\n|  | type | name | label | relevant |\n"
        "|  | text | a | A |  |\n"
        "|  | text | b | B | pulldata('f', 'c', 'k', ${a}) = 'x' |\n"
    )
    message = _refused(form.encode(), "pull.md")
    assert "survey sheet, row 3" in message and "pulldata() is not supported" in message


def test_unsupported_calculation_is_a_warning() -> None:
    form = (
        "| survey |\n|  | type | name | label | calculation |\n"
        "|  | text | a | A |  |\n"
        "|  | calculate | c |  | pulldata('f', 'c', 'k', ${a}) |\n"
    )
    result = import_xlsform(form.encode(), file_name="calc.md")
    assert result.instrument.item_map()["c"].type.value == "hidden"
    (warning,) = [w for w in result.warnings if w.item == "c"]
    assert warning.line == 3 and "the value stays empty" in warning.message


def test_xml_entity_bomb_is_refused() -> None:
    """A "billion laughs" DTD in the shared strings: refused before any expansion."""
    with zipfile.ZipFile(io.BytesIO(BASE["pyx_field-list.xlsx"])) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    levels = "".join(
        f'<!ENTITY l{i} "' + ((f"&l{i - 1};" if i else "lol") * 10) + '">' for i in range(9)
    )
    entries["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE x [{levels}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&l8;</t></si></sst>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    assert "cannot read the file as a spreadsheet" in _refused(out.getvalue(), "lol.xlsx")


def test_a_bug_of_ours_is_reported_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from screening.xlsform import mapping

    def broken(self: object) -> list[object]:
        raise KeyError("boom")

    monkeypatch.setattr(mapping.Mapper, "map_form", broken)
    message = _refused(BASE["pyx_field-list.xlsx"], "bug.xlsx")
    assert "internal error while mapping the form (KeyError)" in message
