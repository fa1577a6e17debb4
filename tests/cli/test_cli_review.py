"""`fieldscreen instruments review-sheet` / `apply-review` (issue #16), run as a reviewer's
agency would: a shipped instrument copied to a folder, the sheet edited with openpyxl, the
reviewed file checked, loaded and installed into a real encrypted store."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from screening.instruments import load_instrument
from screening.paths import instruments_dir
from tests.cli.helpers import PASSPHRASE, run_cli

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

REVIEWER = "Qz Example, certified translator"
VERDICT, TRANSLATION, ID = 8, 5, 1  # columns of the review sheet


def _ok(proc: object) -> str:
    assert proc.returncode == 0, proc.stderr  # type: ignore[attr-defined]
    return str(proc.stdout)  # type: ignore[attr-defined]


def _bad(proc: object) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)  # type: ignore[attr-defined]
    assert "Traceback" not in proc.stderr  # type: ignore[attr-defined]
    return str(proc.stderr)  # type: ignore[attr-defined]


def _copy(tmp_path: Path, name: str = "youth_quick_screen") -> Path:
    target = tmp_path / f"{name}.yaml"
    shutil.copy(instruments_dir() / f"{name}.yaml", target)
    return target


def _sheet(tmp_path: Path, instrument: Path, lang: str = "ar") -> Path:
    sheet = tmp_path / f"{lang}.xlsx"
    _ok(run_cli("instruments", "review-sheet", str(instrument), "--lang", lang, "-o", str(sheet)))
    return sheet


def _review(sheet: Path, *, edits: dict[str, str] | None = None,
            verdicts: dict[str, str | None] | None = None, delete: str | None = None,
            rename: tuple[str, str] | None = None) -> dict[str, int]:
    """Edit the sheet as a reviewer would; returns the row of every id (before any delete)."""
    book = openpyxl.load_workbook(sheet)
    ws = book["review"]
    rows = {ws.cell(row=r, column=ID).value: r for r in range(2, ws.max_row + 1)}
    for text_id, row in rows.items():
        ws.cell(row=row, column=VERDICT).value = (verdicts or {}).get(text_id, "ok")
        if text_id in (edits or {}):
            ws.cell(row=row, column=TRANSLATION).value = (edits or {})[text_id]
            ws.cell(row=row, column=VERDICT).value = (verdicts or {}).get(text_id, "changed")
    if rename:
        ws.cell(row=rows[rename[0]], column=ID).value = rename[1]
    if delete:
        ws.delete_rows(rows[delete])
    book.save(sheet)
    return rows


def _apply(instrument: Path, sheet: Path, out: Path, *extra: str,
           data_dir: Path | None = None) -> object:
    """With ``data_dir`` (a store), the passphrase on standard input."""
    return run_cli("instruments", "apply-review", str(instrument), str(sheet), "--reviewer",
                   REVIEWER, "--date", "2026-12-03", "-o", str(out), *extra, data_dir=data_dir,
                   stdin=PASSPHRASE + "\n" if data_dir else None)


def test_round_trip_review_sheet_to_reviewed_installed_instrument(tmp_path: Path) -> None:
    source = _copy(tmp_path)
    before = load_instrument(source)
    sheet = _sheet(tmp_path, source)
    question = next(i for i in before.instrument.walk() if i.text and i.type == "yes_no")
    text_id = f"item:{question.name}:text"
    new_wording = "صياغة جديدة راجعها مترجم: " + question.text["ar"]  # type: ignore[index]
    _review(sheet, edits={text_id: new_wording})
    out = tmp_path / "reviewed.yaml"
    printed = _ok(_apply(source, sheet, out))
    assert f"changed {text_id}" in printed and new_wording in printed
    assert f"ar reviewed by {REVIEWER} on 2026-12-03" in printed

    _ok(run_cli("instruments", "check", str(out)))
    after = load_instrument(out)  # the real loader: schema, validation, hash
    ins = after.instrument
    assert ins.item_map()[question.name].text["ar"] == new_wording  # type: ignore[index]
    assert ins.item_map()[question.name].text["en"] == question.text["en"]  # type: ignore[index]
    assert after.content_hash != before.content_hash
    assert ins.version != before.instrument.version
    info = ins.languages["ar"]
    assert (info.status, info.reviewed_by, info.reviewed_on) == (
        "reviewed", REVIEWER, "2026-12-03")
    assert ins.languages["es"].status == before.instrument.languages["es"].status
    review = ins.provenance.reviews[-1]
    assert (review.language, review.reviewer, review.date, review.changed,
            review.from_version) == ("ar", REVIEWER, "2026-12-03", 1, before.instrument.version)
    assert review.sheet_sha256 and len(review.sheet_sha256) == 64
    assert ins.validation == before.instrument.validation  # reviewed is not validated

    # it installs like any other instrument, and the catalog shows the reviewed language
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    _ok(run_cli("instruments", "import", str(out), "--install", data_dir=data,
                stdin=PASSPHRASE + "\n"))
    listed = json.loads(_ok(run_cli("instruments", "list", "--json", data_dir=data,
                                    stdin=PASSPHRASE + "\n")))
    [row] = [r for r in listed if r["id"] == ins.id and r["version"] == ins.version]
    assert row["origin"] == "installed" and row["languages"]["ar"] == "reviewed"


def test_incomplete_review_keeps_the_language_machine_and_names_the_rows(
        tmp_path: Path) -> None:
    source = _copy(tmp_path)
    sheet = _sheet(tmp_path, source)
    rows = _review(sheet, verdicts={"title": "problem", "purpose": ""})
    out = tmp_path / "reviewed.yaml"
    # --require-complete: exit 2 and nothing written
    err = _bad(_apply(source, sheet, out, "--require-complete"))
    assert f"row {rows['title']} (title): verdict 'problem'" in err
    assert f"row {rows['purpose']} (purpose): no verdict" in err
    assert not out.exists()
    # default: written, but the language is not marked reviewed; --json says why
    result = json.loads(_ok(_apply(source, sheet, out, "--json")))
    assert result["status"] == "machine" and result["language"] == "ar"
    assert result["changed"] == []
    assert result["blocking"] == [{"row": rows["title"], "id": "title", "verdict": "problem"},
                                  {"row": rows["purpose"], "id": "purpose", "verdict": None}]
    assert load_instrument(out).instrument.languages["ar"].status == "machine"
    # an existing output is not overwritten without --force
    assert "--force" in _bad(_apply(source, sheet, out))


def test_edited_and_deleted_ids_are_refused_naming_the_rows(tmp_path: Path) -> None:
    source = _copy(tmp_path)
    sheet = _sheet(tmp_path, source)
    rows = _review(sheet, rename=("purpose", "purpose_x"), delete="consent")
    err = _bad(_apply(source, sheet, tmp_path / "out.yaml"))
    assert str(sheet) in err
    assert f"row {rows['purpose']} (purpose_x): not a text of 'youth_quick_screen'" in err
    assert f"row {rows['purpose']} (purpose): missing from the sheet" in err
    assert f"row {rows['consent']} (consent): missing from the sheet" in err
    assert not (tmp_path / "out.yaml").exists()


def test_a_sheet_of_another_instrument_or_version_is_refused(tmp_path: Path) -> None:
    youth = _copy(tmp_path)
    sheet = _sheet(tmp_path, youth)
    _review(sheet)
    other = _copy(tmp_path, "safety_triage")
    err = _bad(_apply(other, sheet, tmp_path / "out.yaml"))
    assert "made for 'youth_quick_screen'" in err and str(sheet) in err
    # the same instrument, a later version (after another review): refused too
    first = tmp_path / "first.yaml"
    _ok(_apply(youth, sheet, first))
    assert "made for 'youth_quick_screen' version" in _bad(
        _apply(first, sheet, tmp_path / "second.yaml"))


def test_damaged_or_foreign_files_are_exit_2_with_the_file_name(tmp_path: Path) -> None:
    source = _copy(tmp_path)
    out = tmp_path / "out.yaml"
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    assert f"{text}: not an .xlsx workbook" in _bad(_apply(source, text, out))
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes((_sheet(tmp_path, source).read_bytes())[:3000])
    assert f"{damaged}: the workbook is damaged" in _bad(_apply(source, damaged, out))
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["id", "translation"])
    buffer = io.BytesIO()
    book.save(buffer)
    plain.write_bytes(buffer.getvalue())
    assert f"{plain}: not a FieldScreen review sheet" in _bad(_apply(source, plain, out))
    assert "cannot read" in _bad(_apply(source, tmp_path / "missing.xlsx", out))


def test_review_sheet_refuses_the_source_language_and_unknown_ones(tmp_path: Path) -> None:
    source = _copy(tmp_path)
    assert "source language" in _bad(run_cli(
        "instruments", "review-sheet", str(source), "--lang", "en", "-o", str(tmp_path / "x")))
    assert "unknown language" in _bad(run_cli(
        "instruments", "review-sheet", str(source), "--lang", "xx", "-o", str(tmp_path / "x")))
    assert not (tmp_path / "x").exists()
    # a shipped id works as well as a file
    _ok(run_cli("instruments", "review-sheet", "youth_quick_screen", "--lang", "zh-Hans",
                "-o", str(tmp_path / "zh.xlsx")))
    meta = openpyxl.load_workbook(tmp_path / "zh.xlsx")["fieldscreen"]
    assert dict(meta.iter_rows(values_only=True))["language"] == "zh_Hans"


# -- review findings on issue #16 (the version a bare id names, damaged workbooks, list) -----
def test_a_bare_id_reviews_the_newest_version_as_interview_runs_it(tmp_path: Path) -> None:
    """After the Arabic review is installed, `youth_quick_screen` names that version (as
    `fieldscreen interview --instrument` does): reviewing Spanish keeps the Arabic review."""
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    source = _copy(tmp_path)
    shipped = load_instrument(source).instrument.version
    ar = _sheet(tmp_path, source)
    _review(ar)
    reviewed = tmp_path / "ar-reviewed.yaml"
    _ok(_apply(source, ar, reviewed))
    _ok(run_cli("instruments", "import", str(reviewed), "--install", data_dir=data,
                stdin=PASSPHRASE + "\n"))
    newest = load_instrument(reviewed).instrument.version

    es = tmp_path / "es.xlsx"
    _ok(run_cli("instruments", "review-sheet", "youth_quick_screen", "--lang", "es", "-o",
                str(es), data_dir=data, stdin=PASSPHRASE + "\n"))
    meta = dict(openpyxl.load_workbook(es)["fieldscreen"].iter_rows(values_only=True))
    assert meta["version"] == newest
    _review(es)
    out = tmp_path / "es-reviewed.yaml"
    _ok(_apply(Path("youth_quick_screen"), es, out, data_dir=data))
    languages = load_instrument(out).instrument.languages
    assert (languages["ar"].status, languages["es"].status) == ("reviewed", "reviewed")

    # A sheet of the older version, applied by bare id: exit 2 saying which version it was
    # made from and exactly what to type instead; that works.
    err = _bad(_apply(Path("youth_quick_screen"), ar, tmp_path / "x.yaml", data_dir=data))
    assert f"made for 'youth_quick_screen' version {shipped}, not for version {newest}" in err
    assert f"apply-review youth_quick_screen@{shipped} {ar}" in err
    again = tmp_path / "ar-again.yaml"
    _ok(_apply(Path(f"youth_quick_screen@{shipped}"), ar, again, data_dir=data))


def test_instruments_list_names_who_reviewed_each_language(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    source = _copy(tmp_path)
    sheet = _sheet(tmp_path, source)
    _review(sheet)
    reviewed = tmp_path / "reviewed.yaml"
    _ok(_apply(source, sheet, reviewed))
    _ok(run_cli("instruments", "import", str(reviewed), "--install", data_dir=data,
                stdin=PASSPHRASE + "\n"))
    version = load_instrument(reviewed).instrument.version
    listed = json.loads(_ok(run_cli("instruments", "list", "--json", data_dir=data,
                                    stdin=PASSPHRASE + "\n")))
    [row] = [r for r in listed if r["id"] == "youth_quick_screen" and r["version"] == version]
    assert row["languages"]["ar"] == "reviewed"  # the existing key keeps its shape
    assert row["reviews"] == {"ar": {"reviewed_by": REVIEWER, "reviewed_on": "2026-12-03"}}
    text = _ok(run_cli("instruments", "list", data_dir=data, stdin=PASSPHRASE + "\n"))
    assert f"ar reviewed by {REVIEWER} on 2026-12-03" in text


def _rezip(sheet: Path, target: Path, change: Any, *, stored: bool = False) -> Path:
    """``sheet`` with its review sheet's XML part changed by ``change``."""
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(sheet) as src, zipfile.ZipFile(target, "w", method) as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = change(part)
            dst.writestr(info.filename, part)
    return target


def test_a_damaged_review_sheet_is_exit_2_saying_what_is_wrong(tmp_path: Path) -> None:
    """openpyxl reads the rows only when asked: a damage there was "unexpected internal
    error" (exit 1). Each is exit 2 naming the file and the damage."""
    source = _copy(tmp_path)
    sheet = _sheet(tmp_path, source)
    _review(sheet)
    out = tmp_path / "out.yaml"

    cut = _rezip(sheet, tmp_path / "cut.xlsx", lambda x: x[: len(x) // 2])
    err = _bad(_apply(source, cut, out))
    assert f"{cut}: the workbook is damaged and cannot be read (" in err

    # The sheet's text changed after its checksum was written (one flipped letter).
    crc = _rezip(sheet, tmp_path / "crc.xlsx", lambda x: x, stored=True)
    raw = crc.read_bytes()
    where = raw.index(b"<t>instrument</t>")
    crc.write_bytes(raw[:where] + b"<t>instrumenT</t>" + raw[where + 17:])
    err = _bad(_apply(source, crc, out))
    assert f"{crc}: the workbook is damaged" in err and "CRC" in err

    entity = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    xxe = _rezip(sheet, tmp_path / "xxe.xlsx", lambda x: entity + x.replace(
        b"<t>instrument</t>", b"<t>&x;</t>", 1))
    err = _bad(_apply(source, xxe, out))
    assert f"{xxe}: the file contains XML that FieldScreen refuses to read" in err
    assert not out.exists()
