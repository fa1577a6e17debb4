"""Interviews and the AnswerStore protocol the engine writes through."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest
from storehelp import PASSPHRASE, answer, meta

from screening.engine.storage import AnswerStore
from screening.errors import ErrorCode, InputError, StoreError
from screening.store import Store


@pytest.fixture
def interview(store: Store) -> tuple[str, str]:
    case_id = store.cases.create()
    return case_id, store.interviews.create(case_id, meta())


def test_store_satisfies_the_engine_protocol(store: Store) -> None:
    # checked by mypy; at runtime: every method is there
    as_protocol: AnswerStore = store.interviews
    for name in ("save_answer", "load_answers", "set_relevance", "save_position", "load_position"):
        assert callable(getattr(as_protocol, name))


def test_meta_round_trip(store: Store) -> None:
    case_id = store.cases.create()
    given = meta(
        interpreter_used=True,
        interpreter_language="ar",
        location="Port Fakeville",
        officer="Officer Testname",
    )
    interview_id = store.interviews.create(case_id, given)
    got = store.interviews.get(interview_id)
    assert got.meta == given
    assert got.status == "in_progress" and got.result is None and got.position is None
    assert got.created_at and got.updated_at and got.finished_at is None
    assert "Fakeville" not in repr(got) and "Testname" not in repr(got)
    assert [i.id for i in store.interviews.list(case_id)] == [interview_id]
    assert store.cases.list()[0].interview_count == 1


@pytest.mark.parametrize(
    "value",
    ["texto libre 🙂 مرحبا", ["a", "b"], 3, 2.5, True, None, "2026-03-07", []],
)
def test_answer_values_round_trip(store: Store, interview: tuple[str, str], value: object) -> None:
    _, interview_id = interview
    store.interviews.save_answer(interview_id, answer("q", value, note="a note"))
    got = store.interviews.load_answers(interview_id)["q"]
    assert got == answer("q", value, note="a note")


def test_special_answers_and_relevance(store: Store, interview: tuple[str, str]) -> None:
    _, interview_id = interview
    store.interviews.save_answer(interview_id, answer("q1", None, special="refused"))
    store.interviews.save_answer(interview_id, answer("q2", "yes"))
    store.interviews.set_relevance(interview_id, {"q2": False, "never_answered": True})
    answers = store.interviews.load_answers(interview_id)
    assert answers["q1"].special == "refused" and answers["q1"].value is None
    assert answers["q2"].relevant is False
    assert "never_answered" not in answers
    store.interviews.set_relevance(interview_id, {})
    with pytest.raises(InputError):
        store.interviews.save_answer(interview_id, answer("q3", None, special="maybe"))


def test_changes_keep_history_oldest_first(store: Store, interview: tuple[str, str]) -> None:
    _, interview_id = interview
    for n, value in enumerate(["first", "second", "third"]):
        store.interviews.save_answer(
            interview_id, answer("q", value, answered_at=f"2026-03-07T10:0{n}:00Z"))
    assert store.interviews.load_answers(interview_id)["q"].value == "third"
    assert [a.value for a in store.interviews.answer_history(interview_id, "q")] == [
        "first",
        "second",
        "third",
    ]
    assert store.interviews.answer_history(interview_id, "other") == []
    assert len(store.interviews.full_history(interview_id)) == 3


def test_position(store: Store, interview: tuple[str, str]) -> None:
    _, interview_id = interview
    assert store.interviews.load_position(interview_id) is None
    store.interviews.save_position(interview_id, "q7")
    assert store.interviews.load_position(interview_id) == "q7"
    store.interviews.save_position(interview_id, None)
    assert store.interviews.load_position(interview_id) is None


def test_survives_reopening(store: Store, data_dir: Path, interview: tuple[str, str]) -> None:
    _, interview_id = interview
    store.interviews.save_answer(interview_id, answer("q", ["x"]))
    store.interviews.save_position(interview_id, "q")
    store.close()
    with Store.open(data_dir, PASSPHRASE) as reopened:
        assert reopened.interviews.load_answers(interview_id)["q"].value == ["x"]
        assert reopened.interviews.load_position(interview_id) == "q"


def test_finish_stores_result_and_screens_the_case(
    store: Store, interview: tuple[str, str]
) -> None:
    case_id, interview_id = interview
    store.interviews.save_answer(interview_id, answer("q", "yes"))
    result = {"outcome": {"level": "refer"}, "indicators": ["debt"], "score": 2.5}
    store.interviews.finish(interview_id, result)
    got = store.interviews.get(interview_id)
    assert got.finished and got.result == result and got.finished_at
    assert store.cases.get(case_id).status == "screened"
    with pytest.raises(StoreError) as info:
        store.interviews.save_answer(interview_id, answer("q", "no"))
    assert info.value.code == ErrorCode.INTERVIEW_STATE
    with pytest.raises(StoreError):
        store.interviews.finish(interview_id, result)
    assert store.interviews.load_answers(interview_id)["q"].value == "yes"
    store.interviews.reopen(interview_id)
    assert store.interviews.get(interview_id).result is None
    store.interviews.save_answer(interview_id, answer("q", "no"))
    assert [a.value for a in store.interviews.answer_history(interview_id, "q")] == ["yes", "no"]
    with pytest.raises(StoreError):
        store.interviews.reopen(interview_id)


def test_unknown_ids(store: Store) -> None:
    calls = [
        lambda: store.interviews.create("no-case", meta()),
        lambda: store.interviews.save_answer("nope", answer("q", 1)),
        lambda: store.interviews.load_answers("nope"),
        lambda: store.interviews.set_relevance("nope", {"q": True}),
        lambda: store.interviews.save_position("nope", "q"),
        lambda: store.interviews.load_position("nope"),
        lambda: store.interviews.finish("nope", {}),
        lambda: store.interviews.get("nope"),
        lambda: store.interviews.reopen("nope"),
    ]
    for call in calls:
        with pytest.raises(StoreError) as info:
            call()
        assert info.value.code == ErrorCode.STORE_NOT_FOUND


@pytest.mark.parametrize("bad", [math.nan, math.inf, object(), {1, 2}])
def test_non_json_values_are_refused_and_nothing_is_saved(
    store: Store, interview: tuple[str, str], bad: object
) -> None:
    _, interview_id = interview
    with pytest.raises(InputError):
        store.interviews.save_answer(interview_id, answer("q", bad))
    assert store.interviews.load_answers(interview_id) == {}
    assert store.interviews.answer_history(interview_id, "q") == []
    assert store.audit.verify() == (True, None)


def test_answers_are_audited_by_item_without_values(
    store: Store, interview: tuple[str, str]
) -> None:
    _, interview_id = interview
    store.interviews.save_answer(
        interview_id, answer("q_passport", "Secretvalue Fake", note="Secretnote"))
    entry = store.audit.entries(limit=1)[0]
    assert entry.action == "answer.saved" and entry.interview_id == interview_id
    assert entry.detail == {"item": "q_passport"}
    assert "Secret" not in repr(entry.to_json())


def test_saves_from_two_threads_are_all_kept(store: Store, interview: tuple[str, str]) -> None:
    _, interview_id = interview

    def worker(prefix: str) -> None:
        for n in range(25):
            store.interviews.save_answer(interview_id, answer(f"{prefix}{n}", n))

    threads = [threading.Thread(target=worker, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.interviews.load_answers(interview_id)) == 50
    assert store.audit.verify() == (True, None)
