"""No export FieldScreen writes runs a formula when opened in a spreadsheet (CSV injection).

Every format is covered: ``csv`` and the CSV tables of ``odk`` prefix a formula with an
apostrophe (one rule, ``screening.spreadsheet``); ``json`` (and the Kobo-style JSON inside the
ODK zip) is data for programs, not a spreadsheet, so it keeps every value exactly as answered.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from factories import load

from screening.spreadsheet import spreadsheet_safe
from screening.store import InterviewMeta, Store
from screening.store.export import FORMATS
from screening.xlsform.store_export import build_odk_zip

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\tlead tab", "\rlead cr"]
PASSPHRASE = "formula safe tapir orchard 31"
FORM = load(
    """\
    - name: s
      title: {en: S}
      items:
        - {name: t1, type: text, text: {en: One}}
        - {name: t2, type: text, text: {en: Two}}
        - {name: t3, type: text, text: {en: Three}}
        - {name: t4, type: text, text: {en: Four}}
        - {name: t5, type: text, text: {en: Five}}
        - {name: t6, type: text, text: {en: Six}}
        - {name: n, type: integer, text: {en: Number}}
    """,
    id="formula_form",
)
ITEMS = [f"t{i}" for i in range(1, 7)]
ALL_FORMATS = (*FORMATS, "odk")


def test_the_rule() -> None:
    for text in HOSTILE:
        assert spreadsheet_safe(text) == "'" + text
    for text in ("-3", "+1.5", "-2e3", "plain", "", "a=b", "3-2"):
        assert spreadsheet_safe(text) == text


class _Catalog:
    def by_hash(self, instrument_id: str, content_hash: str) -> Any:
        assert (instrument_id, content_hash) == (FORM.instrument.id, FORM.content_hash)
        return FORM


def _csv_cells(raw: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) for c in row]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_every_export_format(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    from screening.engine.storage import AnswerRecord

    store, _ = Store.create(tmp_path / "data", PASSPHRASE)
    with store:
        case_id = store.cases.create()
        interview = store.interviews.create(case_id, InterviewMeta(
            FORM.instrument.id, FORM.instrument.version, FORM.content_hash, "en", "en",
            officer="=officer()"))
        for item, text in zip(ITEMS, HOSTILE, strict=True):
            store.interviews.save_answer(interview, AnswerRecord(
                item, text, None, "en", "2026-01-01T00:00:00Z"))
        store.interviews.save_answer(interview, AnswerRecord(
            "n", -5, None, "en", "2026-01-01T00:00:00Z"))
        store.interviews.finish(interview, {})
        out = tmp_path / f"export.{fmt}"
        builder = (lambda s, ids: build_odk_zip(s, ids, catalog=_Catalog())) \
            if fmt == "odk" else None
        store.export(out, fmt, plaintext_ok=True, builder=builder)
    raw = out.read_bytes()
    if fmt == "json":  # data, not a spreadsheet: exact values
        doc = json.loads(raw)
        values = {a["item"]: a["value"] for a in doc["cases"][0]["interviews"][0]["answers"]}
        assert [values[i] for i in ITEMS] == HOSTILE and values["n"] == -5
        return
    if fmt == "csv":
        cells = _csv_cells(raw)
    else:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        csv_names = [n for n in archive.namelist() if n.endswith(".csv")]
        assert csv_names
        cells = [c for n in csv_names for c in _csv_cells(archive.read(n))]
        (json_name,) = [n for n in archive.namelist() if n.endswith(".json")]
        record = json.loads(archive.read(json_name))[0]
        assert [record[f"s/{i}"] for i in ITEMS] == HOSTILE  # the Kobo JSON: exact
        assert "'=officer()" in cells
    for text in HOSTILE:
        assert "'" + text in cells, (fmt, text)
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [c for c in cells if c.startswith("-") and c != "-5"]
    assert "-5" in cells  # a negative number stays a number
