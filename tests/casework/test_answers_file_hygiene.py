"""Hostile answers files: numbers with thousands of digits and lone UTF-16 surrogates are
bad input (exit 2, naming the file and the place), never an internal error (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from screening.casework.answers_file import read_answers_file
from screening.errors import ErrorCode, InputError
from screening.paths import resource_path
from tests.cli.helpers import PASSPHRASE, run_cli

DEMO = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]
HUGE = "9" * 5000
LONE = "\ud800"


def _doc(answers: dict[str, Any] | None = None, person: dict[str, Any] | None = None) -> str:
    doc = {"consent": {"given": True}, "person": person or {"name": "Synthetic Person"},
           "answers": {**DEMO, **(answers or {})}}
    return json.dumps(doc)  # ensure_ascii: a lone surrogate is written as \ud800


CASES = {
    # name: (file text, text the message must contain besides the file name)
    "huge integer answer": (_doc().replace('"age": 29', f'"age": {HUGE}'), "too many digits"),
    "huge integer in a note": (_doc({"age": {"value": 29, "note": 0}}).replace(
        '"note": 0', f'"note": {HUGE}'), "too many digits"),
    "lone surrogate in an answer": (_doc({"work_type": LONE}), "answers.work_type"),
    "lone surrogate in a note": (_doc({"age": {"value": 29, "note": "ok " + LONE}}),
                                 "answers.age.note"),
    "lone surrogate in a person field": (_doc(person={"name": LONE}), "person.name"),
    "lone surrogate in a key": (_doc({"x" + LONE: 1}), "a key in answers"),
    "lone surrogate in a repeat entry": (_doc({"q": [{"a": LONE}]}), "answers.q[1].a"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_read_answers_file_refuses(name: str, tmp_path: Path) -> None:
    text, where = CASES[name]
    path = tmp_path / "answers.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_answers_file(path)
    assert caught.value.code == ErrorCode.ANSWER_FILE
    assert str(path) in caught.value.message
    assert where in caught.value.message


def test_cli_exit_2_for_a_huge_number_and_a_lone_surrogate(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    for name in ("huge integer answer", "lone surrogate in a note",
                 "lone surrogate in a person field", "lone surrogate in a key"):
        text, where = CASES[name]
        path = tmp_path / "answers.json"
        path.write_text(text, encoding="utf-8")
        done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                       "--answers", str(path), data_dir=data, stdin=PASSPHRASE + "\n")
        assert done.returncode == 2, (name, done.returncode, done.stderr)
        assert str(path) in done.stderr and where in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr.lower()
    listed = run_cli("cases", "list", "--json", data_dir=data, stdin=PASSPHRASE + "\n")
    assert json.loads(listed.stdout) == []  # nothing stored from a refused file


def test_normalise_refuses_what_cannot_be_stored() -> None:
    """The same limits where answers come from the GUI, not a file."""
    from screening.engine.answers import normalise_answer
    from screening.errors import AnswerError
    from screening.instruments.model import ItemType
    from screening.instruments.registry import find_instrument

    instrument = find_instrument("adult_indicators").instrument
    integer = next(i for i in instrument.walk() if i.type is ItemType.INTEGER)
    text = integer.model_copy(update={"type": ItemType.TEXT})
    with pytest.raises(AnswerError):
        normalise_answer(instrument, integer, 10 ** 5000)
    with pytest.raises(AnswerError):
        normalise_answer(instrument, text, "a" + LONE)
