"""The review page reads a multiple-choice answer back as a list in the officer's language:
Arabic items are separated by the Arabic comma, not a Latin one."""

from __future__ import annotations

import datetime as dt

from factories import load

from app.viewmodels.review import answer_text
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore

SECTIONS = """\
- name: s1
  title: {en: One, ar: واحد}
  items:
    - name: needs
      type: multiple_choice
      text: {en: "What do you need?", ar: "ما الذي تحتاجه؟"}
      choices:
        - {name: doctor, label: {en: A doctor, ar: طبيب}}
        - {name: bed, label: {en: A bed, ar: سرير}}
"""
OUTCOME = """\
outcome:
  rule: any
  labels:
    refer_urgent: {en: urgent, ar: عاجل}
    refer: {en: refer, ar: إحالة}
    incomplete: {en: incomplete, ar: غير مكتمل}
    no_indicators: {en: none, ar: لا شيء}
"""


def test_a_list_answer_uses_the_officer_language_separator() -> None:
    loaded = load(SECTIONS, languages=("en", "ar"), outcome=OUTCOME)
    texts = {}
    for officer in ("en", "ar"):
        s = InterviewSession(loaded.instrument, loaded.content_hash, MemoryAnswerStore(), "iv",
                             respondent_language="en", officer_language=officer,
                             clock=lambda: dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
        s.answer("needs", ["doctor", "bed"])
        step = next(st for st in s.steps() if st.key == "needs")
        texts[officer] = answer_text(s, step, s.answers["needs"])
    assert texts == {"en": "A doctor, A bed", "ar": "طبيب، سرير"}
