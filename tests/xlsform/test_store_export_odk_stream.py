"""The ODK-shaped zip written as a stream (issue #19): the same files as the zip built in
memory before, batch boundaries and nested repeats included, plaintext or encrypted."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from factories import load
from test_features import imported
from test_nested_repeats import ANSWERS, HOUSEHOLDS, run

from screening.engine.storage import AnswerRecord
from screening.store import InterviewMeta, Store, decrypt_export
from screening.xlsform import store_export
from screening.xlsform.dictionary import data_dictionary
from screening.xlsform.odk_export import odk_json, odk_rows

PASSPHRASE = "streamed zip pelican harbour 19"
EXPORT_PASSWORD = "odk stream export password 7"
FLAT = load(
    """\
    - name: s
      title: {en: S}
      items:
        - {name: story, type: text, text: {en: Story}}
        - {name: n, type: integer, text: {en: Number}}
    """,
    id="flat_form",
)


class _Catalog:
    def __init__(self, *texts: Any) -> None:
        self._texts = {t.content_hash: t for t in texts}

    def by_hash(self, instrument_id: str, content_hash: str) -> Any:
        return self._texts[content_hash]


def _in_memory(store: Any, case_ids: list[str], catalog: Any) -> dict[str, bytes]:
    """The zip's files as ``build_odk_zip`` made them before it streamed: every submission
    of an instrument text reshaped at once, each file written whole."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for case_id in case_ids:
        for interview in store.cases.get(case_id).interviews:
            key = (interview.meta.instrument_id, interview.meta.content_hash)
            groups.setdefault(key, []).append(store_export.interview_submission(store, interview))
    files = {"README.txt": store_export.README.encode("utf-8")}
    for (instrument_id, content_hash), subs in sorted(groups.items()):
        loaded = catalog.by_hash(instrument_id, content_hash)
        ins = loaded.instrument
        folder = f"{ins.id}-{ins.version}"
        for name, text in odk_rows(ins, subs, content_hash=loaded.content_hash).files().items():
            files[f"{folder}/{name}"] = text.encode("utf-8-sig")
        records = odk_json(ins, subs, content_hash=loaded.content_hash)
        files[f"{folder}/{ins.id}.json"] = json.dumps(records, ensure_ascii=False,
                                                      indent=2).encode("utf-8")
        files[f"{folder}/{ins.id}-dictionary.csv"] = data_dictionary(ins).to_csv().encode(
            "utf-8-sig")
    return files


def _files(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture
def households() -> tuple[Any, dict[str, Any]]:
    """The nested-repeat form as imported, and its answers as a session stored them."""
    return imported(HOUSEHOLDS), dict(run(ANSWERS).answers)


@pytest.fixture
def filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           households: tuple[Any, dict[str, Any]]) -> Any:
    """Five cases, seven interviews of two instrument texts (one with nested repeats)."""
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    nested, nested_answers = households
    store, _ = Store.create(tmp_path / "data", PASSPHRASE)
    stamp = "2026-01-01T00:00:00Z"
    for n in range(5):
        case_id = store.cases.create()
        for k in range(1 + n % 2):
            if (n + k) % 3:
                ins, content_hash = nested.instrument, nested.content_hash
                answers = {key: AnswerRecord(key, r.value, None, "en", stamp)
                           for key, r in nested_answers.items()}
                answers["hh[1].hname"] = AnswerRecord("hh[1].hname", f"Ames-{n}{k}", None,
                                                      "en", stamp)
            else:
                ins, content_hash = FLAT.instrument, FLAT.content_hash
                answers = {"story": AnswerRecord("story", f"=cmd {n} «Zoë» 小梅\n",
                                                 None, "en", stamp),
                           "n": AnswerRecord("n", n - 2, None, "en", stamp)}
            interview = store.interviews.create(case_id, InterviewMeta(
                ins.id, ins.version, content_hash, "en", "en", officer=f"Officer {n}"))
            for record in answers.values():
                store.interviews.save_answer(interview, record)
            store.interviews.finish(interview, {})
    yield store, _Catalog(FLAT, nested)
    store.close()


def test_the_streamed_zip_holds_the_same_files(filled: Any, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store, catalog = filled
    monkeypatch.setattr(store_export, "BATCH", 2)  # batches end inside every table
    case_ids = [c.id for c in store.cases.list()]
    expected = _in_memory(store, case_ids, catalog)
    assert any("-hh" in n for n in expected) and any("-person" in n for n in expected)

    out = tmp_path / "odk.zip"
    info = store.export(out, "odk", plaintext_ok=True,
                        writer=lambda s, ids, f: store_export.write_odk_zip(
                            s, ids, f, catalog=catalog))
    assert info.cases == 5
    streamed = _files(out.read_bytes())
    assert list(streamed) == list(expected)  # the same files, in the same order
    assert streamed == expected
    records = json.loads(streamed["flat_form-" + FLAT.instrument.version + "/flat_form.json"])
    assert [r["_id"] for r in records] == list(range(1, len(records) + 1))

    # The same archive through AES-GCM, and built in memory.
    sealed = tmp_path / "odk.zip.enc"
    store.export(sealed, "odk", password=EXPORT_PASSWORD,
                 writer=lambda s, ids, f: store_export.write_odk_zip(s, ids, f, catalog=catalog))
    plain, content = decrypt_export(sealed.read_bytes(), EXPORT_PASSWORD)
    assert content == "odk" and _files(plain) == expected
    assert _files(store_export.build_odk_zip(store, case_ids, catalog=catalog)) == expected


def test_chosen_cases_and_no_interviews(filled: Any, tmp_path: Path) -> None:
    store, catalog = filled
    empty_case = store.cases.create()
    files = _files(store_export.build_odk_zip(store, [empty_case], catalog=catalog))
    assert list(files) == ["README.txt"]
    (first, *_rest) = [c.id for c in store.cases.list() if c.id != empty_case]
    assert _files(store_export.build_odk_zip(store, [first], catalog=catalog)) == \
        _in_memory(store, [first], catalog)
