"""A screen reader on the interview screen (issue #14).

Before: the question label's accessible name was "Question in the person's language", so a
screen reader never read the question; nothing was announced for a new question, a refused
answer or an urgent flag.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from respondenthelp import rv_window

from app.widgets.common import announcements

NAME, DESCRIPTION = QAccessible.Text.Name, QAccessible.Text.Description


def _read(widget: QWidget, kind: QAccessible.Text) -> str:
    node = QAccessible.queryAccessibleInterface(widget)
    assert node is not None and node.isValid()
    return node.text(kind)


@pytest.fixture
def heard() -> Iterator[list[tuple[str, bool]]]:
    """What was announced (text, assertive), as the accessibility events were posted."""
    said: list[tuple[str, bool]] = []

    def record(text: str, assertive: bool) -> None:
        said.append((text, assertive))

    announcements().announced.connect(record)
    yield said
    announcements().announced.disconnect(record)


def test_the_question_is_what_a_screen_reader_reads(qtbot, data_dir: Path) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page = window.interview_page
    question = page.question
    assert _read(question.respondent_text, NAME) == "ما العمل الذي تقوم به؟"
    assert _read(question.respondent_text, DESCRIPTION) == (
        "GUIDANCE-CANARY let them answer freely")  # the guidance, for the officer
    assert _read(question.officer_text, NAME) == "What work do you do?"
    # the special answers say both languages; options carry their full label
    assert _read(page.special_buttons["dont_know"], NAME) == "لا أعرف (Don't know)"

    page.vm.jump("obs")  # an observation: the officer's own question, with its guidance
    assert _read(question.officer_text, NAME) == "OBSERVATION-CANARY seems watched"
    assert _read(question.officer_text, DESCRIPTION) == "GUIDANCE-CANARY never ask aloud"
    assert "Question in" not in _read(question.respondent_text, NAME)
    page.vm.jump("needs")  # no guidance here: none left over from the observation
    assert _read(question.officer_text, DESCRIPTION) == ""
    assert _read(question.respondent_text, NAME) == "ما الذي يساعدك الآن؟"


def test_new_question_error_and_flag_are_announced(qtbot, data_dir: Path,
                                                   heard: list[tuple[str, bool]]) -> None:
    window = rv_window(qtbot, data_dir, respondent="ar", officer="en")
    page = window.interview_page
    assert heard == [("What work do you do?", False)]  # the first question, politely
    page.answer_widget.choose(1)
    page.go_next()
    assert heard[-1] == ("How many children came with you?", False)
    page.show_officer.toggle()  # the same question drawn again: not announced again
    page.show_officer.toggle()
    assert len(heard) == 2

    page.answer_widget.edit.setText("many")
    page._edited()
    page.go_next()  # refused: said at once, without moving the focus
    assert heard[-1] == ("Enter a whole number.", True)
    assert page.view.key == "n_children"

    page.answer_widget.edit.setText("2")
    page._edited()
    page.go_next()
    assert heard[-1] == ("Child 1 of 2. Does this child go to school?", False)

    page.vm.jump("danger")
    heard.clear()
    page.answer_widget.choose(1)  # "yes": the urgent flag
    flags = [text for text, assertive in heard if assertive]
    assert len(flags) == 1 and "Urgent: FLAG-CANARY in danger. FLAGMSG-CANARY act now" in flags[0]
    # no direction controls around the helpline: a screen reader would read them out
    assert not any(c in text for text, _a in heard for c in "\u2066\u2067\u2068\u2069\u200e")
    page.answer_widget.choose(1)  # the same flag again: not announced again
    assert len([a for _t, a in heard if a]) == 1
