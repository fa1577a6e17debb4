"""Hostile input never crashes, hangs or corrupts the store: answer files, directory CSVs,
and odd Unicode (RTL overrides, zero-width, combining runs, 1 MB answers) through the real
engine and the real encrypted store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.casework.answers_file import read_answers_file
from screening.casework.replay import replay
from screening.engine.session import InterviewSession
from screening.engine.storage import AnswerRecord, MemoryAnswerStore
from screening.errors import InputError, ScreeningError
from screening.instruments import find_instrument
from screening.reports.directory import DirectoryError, parse_directory
from screening.store import InterviewMeta, PersonInfo, Store

ADULT = find_instrument("adult_indicators")
ITEM_NAMES = [i.name for i in ADULT.instrument.walk()]
ODD_TEXT = [
    "\u202eevil\u202c name",  # right-to-left override
    "zero\u200bwidth\u200djoiner\u2060",
    "e" + "\u0301" * 500,  # a long combining run
    "محمد González 张伟 Мария 1\u066b5",
    "\ud7ff\ue000\U0010fffd",
    "\x00nul and \x1b[31mescape",
    "𝕏" * 1000,
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=30) | st.sampled_from(["yes", "no", "agent", "2026-02-30", "12"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["special", "value", "note", "x"]) | st.text(max_size=5),
                      children, max_size=3),
    max_leaves=10,
)
answers_maps = st.dictionaries(st.sampled_from(ITEM_NAMES) | st.text(max_size=8), json_values,
                               max_size=12)


def _session() -> InterviewSession:
    return InterviewSession(ADULT.instrument, ADULT.content_hash,
                            MemoryAnswerStore(allow_unsafe=True), "fuzz",
                            respondent_language="ar", officer_language="en")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers_maps)
def test_answer_maps_fail_only_with_clear_errors(answers: dict) -> None:
    session = _session()
    try:
        replay(session, answers)
    except ScreeningError as exc:
        assert exc.message
    else:
        session.result()  # a run that got through can always be scored


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_answer_files_fail_only_with_clear_errors(tmp_path_factory: pytest.TempPathFactory,
                                                  raw: bytes) -> None:
    path = tmp_path_factory.mktemp("answers") / "a.json"
    path.write_bytes(raw)
    try:
        read_answers_file(path)
    except InputError as exc:
        assert str(path) in exc.message


def test_deeply_nested_answer_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(InputError):
        read_answers_file(path)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=600))
def test_directory_csv_fails_only_with_clear_errors(text: str) -> None:
    try:
        parse_directory(text, "fuzz.csv")
    except DirectoryError as exc:
        assert exc.problems or exc.message


def test_directory_csv_with_odd_unicode_names_row_and_column() -> None:
    header = ("id,country,region,name,kind,phone,text,relay,email,address,web,languages,"
              "interpreters,hours,needs,example,notes\n")
    row = f"x1,US,r,{ODD_TEXT[0]},nonsense-kind,1,,,,,,en,no,24/7,general,no,\n"
    with pytest.raises(DirectoryError) as info:
        parse_directory(header + row, "odd.csv")
    assert any(p.line == 2 for p in info.value.problems)


def test_odd_unicode_and_huge_answers_round_trip_through_the_store(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    store, _ = Store.create(data_dir, "hostile input harbour 99")
    with store:
        ids = [store.cases.create(person=PersonInfo(name=text, aliases=(text[::-1],)))
               for text in ODD_TEXT]
        interview = store.interviews.create(
            ids[0], InterviewMeta("i", "1", "sha256:" + "0" * 64, "ar", "en"))
        huge = "ش" * 1_000_000  # 1 M characters, 2 MB of UTF-8
        store.interviews.save_answer(interview, AnswerRecord("big", huge, None, "ar", "t"))
        for n, text in enumerate(ODD_TEXT):
            store.interviews.save_answer(
                interview, AnswerRecord(f"q{n}", text, None, "ar", "t", note=text))
        answers = store.interviews.load_answers(interview)
        assert answers["big"].value == huge
        assert [answers[f"q{n}"].value for n in range(len(ODD_TEXT))] == ODD_TEXT
        for text in ODD_TEXT:
            store.cases.search(text[:40])  # never raises, whatever the text
        assert store.cases.search("gonzález")
        assert store.integrity_check() == []
        assert store.audit.verify() == (True, None)
        assert json.dumps([c.to_json() for c in store.cases.list()], ensure_ascii=False)
