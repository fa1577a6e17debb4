"""Helpers for the XLSForm tests: where the real forms are, and an engine run.

The real XLSForms are copied into ``tests/xlsform/fixtures`` (with their MANIFEST and
licences). One without a licence is only read from the shared folder beside the repository
(``<repo>/../shared/fixtures/xlsforms``) and is skipped when that folder is absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.errors import AnswerError
from screening.instruments.model import Instrument, Item, ItemType

HERE = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[2]
LOCAL = HERE / "fixtures"
SHARED = ROOT / ".." / "shared" / "fixtures" / "xlsforms"
DOC = ROOT / "docs" / "xlsform.md"


def fixture_path(name: str) -> Path:
    for folder in (LOCAL, SHARED):
        path = folder / name
        if path.is_file():
            return path
    pytest.skip(
        f"{name} is not copied into the repository (no licence) and {SHARED.resolve()} is absent"
    )


@dataclass(frozen=True)
class TableRow:
    fixture: str
    features: str
    result: str
    reported: str


def doc_table() -> list[TableRow]:
    """The fixture -> features -> result table of docs/xlsform.md."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*`([^`]+\.(?:xlsx|xls|csv|md))`\s*\|(.*)\|\s*$", line)
        if match:
            cells = [c.strip() for c in match[2].split("|")]
            if len(cells) == 3:
                rows.append(TableRow(match[1], *cells))
    return rows


FIXTURES = [row.fixture for row in doc_table()]
ERROR_FIXTURES = [name for name in FIXTURES if "_ERR_" in name]


# -- answering an instrument with generated answers ------------------------------------------
def candidates(ins: Instrument, item: Item) -> Iterator[Any]:
    kind = item.type
    names = [c.name for c in ins.choices_for(item)]
    if kind in (ItemType.SINGLE_CHOICE, ItemType.YES_NO, ItemType.OBSERVATION):
        yield from names
    elif kind is ItemType.MULTIPLE_CHOICE:
        if names:
            yield names[:1]
            yield names[:2]
            yield from ([n] for n in names[1:])
    elif kind is ItemType.TEXT:
        yield from ("test answer", "ABCDE123456", "ABC1234", "0712345678", "x")
    elif kind is ItemType.INTEGER:
        yield from (1, 5, 0, 10, 25, 100, 2024)
    elif kind is ItemType.DECIMAL:
        yield from (1.5, 0.5, 10.0, 100.25)
    elif kind is ItemType.DATE:
        yield "2024-01-15"
    elif kind is ItemType.TIME:
        yield "10:30"
    elif kind is ItemType.DATETIME:
        yield "2024-01-15T10:30:00"
    elif kind is ItemType.ACKNOWLEDGE:
        yield True


def answer_everything(
    ins: Instrument, content_hash: str, *, repeats: int = 2, language: str | None = None
) -> InterviewSession:
    """Walk the interview as an officer would, answering each asked item with the first
    generated value the engine accepts (a special answer if none fits)."""
    lang = language or ins.source_language
    session = InterviewSession(
        ins,
        content_hash,
        MemoryAnswerStore(allow_unsafe=True),
        "generated-1",
        respondent_language=lang,
        officer_language=ins.source_language,
    )
    for name, node in session.plan.nodes.items():
        if node.item.type is ItemType.REPEAT and node.repeat_count is None and not node.repeats:
            session.set_repeat_count(name, repeats)
    done: set[str] = set()
    while True:
        pending = [s for s in session.steps() if s.key not in done]
        if not pending:
            return session
        step = pending[0]
        done.add(step.key)
        item = step.node.item
        if step.node.asks_count and step.instance is not None:  # an inner repeat's size
            session.set_repeat_count(step.key, repeats)
            continue
        if not item.is_answerable:
            continue
        for value in candidates(ins, item):
            try:
                session.answer(step.key, value)
            except AnswerError:
                continue
            break
        else:
            session.answer(step.key, special=ins.specials_for(item)[0])


def answers_mapping(session: InterviewSession) -> dict[str, Any]:
    """The session's answers in the JSON shape ``replay`` takes (nested repeats: a list of
    entries inside each entry)."""
    from screening.engine.state import split_key

    out: dict[str, Any] = {}

    def scope(path: tuple[tuple[str, int], ...]) -> dict[str, Any]:
        here = out
        for repeat, index in path:
            entries = here.setdefault(repeat, [])
            while len(entries) < index:
                entries.append({})
            here = entries[index - 1]
        return here

    for key, record in session.answers.items():
        if not record.relevant:
            continue
        value: Any = {"special": record.special} if record.special else record.value
        name, instance = split_key(key)
        node = session.plan.nodes[name]
        if node.item.type is ItemType.REPEAT:
            continue
        scope(instance.path if instance else ())[name] = value
    ev = session.evaluation
    for name, node in session.plan.nodes.items():
        if node.item.type is ItemType.REPEAT and node.repeat_count is None:
            for parent in ev.entries(node.repeats):
                if parent is not None and not ev.is_relevant(name, parent):
                    continue
                count = ev.repeat_count(name, parent)
                if count:
                    scope((*(parent.path if parent else ()), (name, count)))
                else:
                    scope(parent.path if parent else ()).setdefault(name, [])
    return out


def run_both_ways(ins: Instrument, content_hash: str) -> InterviewSession:
    """Answer everything, then feed the same answers through ``replay`` (the CLI's
    path) in a fresh session; both must store the same answers."""
    from screening.casework.replay import replay

    first = answer_everything(ins, content_hash)
    again = InterviewSession(
        ins,
        content_hash,
        MemoryAnswerStore(allow_unsafe=True),
        "generated-2",
        respondent_language=ins.source_language,
        officer_language=ins.source_language,
    )
    replay(again, answers_mapping(first))
    stored = {k: (r.value, r.special) for k, r in again.answers.items() if r.relevant}
    expected = {k: (r.value, r.special) for k, r in first.answers.items() if r.relevant}
    assert stored == expected
    assert again.missing_required() == []
    return again


def fixture_outcome(name: str) -> tuple[str, str]:
    """(result, reported) as docs/xlsform.md records them."""
    from screening.errors import InstrumentError
    from screening.xlsform import import_xlsform

    try:
        result = import_xlsform(fixture_path(name))
    except InstrumentError as exc:
        first = exc.problems[0].message if exc.problems else exc.message
        return f"refused: {first}", "—"
    ins = result.instrument
    session = run_both_ways(ins, result.content_hash)
    level = session.result().to_json()["outcome"]["level"]
    questions = sum(1 for item in ins.walk() if item.is_answerable)
    text = (
        f"imported: {questions} questions, languages {', '.join(ins.languages)}; "
        f"runs end to end (outcome {level})"
    )
    reported = "; ".join(f"{k} ×{v}" for k, v in sorted(result.features.items())) or "—"
    return text, reported
