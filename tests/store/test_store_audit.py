"""The audit chain detects altered, deleted and truncated entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from storehelp import PASSPHRASE, answer, meta, raw_connect

from screening.store import PersonInfo, Store


@pytest.fixture
def busy_store(data_dir: Path, store: Store) -> Path:
    case_id = store.cases.create(person=PersonInfo(name="Audit Fakename"))
    interview_id = store.interviews.create(case_id, meta())
    for n in range(4):
        store.interviews.save_answer(interview_id, answer(f"q{n}", n))
    store.interviews.finish(interview_id, {"outcome": "refer"})
    store.close()
    return data_dir


def _verify(data_dir: Path) -> tuple[bool, int | None]:
    with Store.open(data_dir, PASSPHRASE) as store:
        return store.audit.verify()


def test_intact_chain_verifies(busy_store: Path) -> None:
    with Store.open(busy_store, PASSPHRASE) as store:
        report = store.audit.report()
        assert report.ok and report.first_broken is None
        actions = [e.action for e in store.audit.entries()]
    assert actions[:4] == ["store.created", "case.created", "interview.created", "answer.saved"]
    assert actions.count("answer.saved") == 4 and "interview.finished" in actions
    assert report.entries == len(actions)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit SET action = 'case.created' WHERE id = 5",
        'UPDATE audit SET detail = \'{"item":"q9"}\' WHERE id = 5',
        "UPDATE audit SET at = '2020-01-01T00:00:00Z' WHERE id = 5",
        "UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 4) WHERE id = 5",
    ],
)
def test_altered_entry_is_named(busy_store: Path, sql: str) -> None:
    raw = raw_connect(busy_store)
    raw.execute(sql)
    raw.close()
    assert _verify(busy_store) == (False, 5)


def test_deleted_entry_is_named(busy_store: Path) -> None:
    raw = raw_connect(busy_store)
    raw.execute("DELETE FROM audit WHERE id = 4")
    raw.close()
    assert _verify(busy_store) == (False, 4)


def test_deleted_tail_is_detected(busy_store: Path) -> None:
    raw = raw_connect(busy_store)
    last = raw.execute("SELECT max(id) FROM audit").fetchone()[0]
    raw.execute("DELETE FROM audit WHERE id >= ?", (last - 1,))
    raw.close()
    ok, first = _verify(busy_store)
    # Opening appends "store.opened" after the gap, so either way the gap is named.
    assert not ok and first == last - 1


def test_audit_holds_no_names_or_values(busy_store: Path) -> None:
    raw = raw_connect(busy_store)
    rows = raw.execute("SELECT * FROM audit").fetchall()
    raw.close()
    assert "Fakename" not in repr(rows) and "refer" not in repr(rows)
