"""Dates as people give them (issue #14): to the day, the month or the year, "about", and in
the calendar the instrument asks for; stored with their precision, old plain dates still read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from factories import load
from hypothesis import given
from hypothesis import strategies as st

from screening.engine.answers import normalise_answer
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.errors import AnswerError

LOADED = load(
    """\
    - name: s
      title: {en: S}
      items:
        - {name: arrival, type: date, text: {en: "When did you arrive?"}}
        - {name: born, type: date, text: {en: "When were you born?"}, appearance: persian}
        - {name: hijri, type: date, text: {en: "Which day?"}, appearance: "islamic"}
        - name: recent
          type: yes_no
          text: {en: "Recent?"}
          relevant: "${arrival} >= date('2025-02-01')"
    """
)
INS = LOADED.instrument


def norm(name: str, value: Any) -> Any:
    return normalise_answer(INS, next(i for i in INS.walk() if i.name == name), value)


@pytest.mark.parametrize(("given", "stored"), [
    ("2025-02", {"value": "2025-02", "precision": "month", "approximate": False}),
    ("2023", {"value": "2023", "precision": "year", "approximate": False}),
    ("2023 approx", {"value": "2023", "precision": "year", "approximate": True}),
    ("about 2023", {"value": "2023", "precision": "year", "approximate": True}),
    ("~2025-02", {"value": "2025-02", "precision": "month", "approximate": True}),
    ({"value": "2025-02-14", "approximate": True},
     {"value": "2025-02-14", "precision": "day", "approximate": True}),
    # ODK stores a month as its first day: with the precision, that is the month
    ({"value": "2025-02-01", "precision": "month"},
     {"value": "2025-02", "precision": "month", "approximate": False}),
])
def test_a_date_is_kept_to_its_precision(given: Any, stored: Any) -> None:
    assert norm("arrival", given) == stored


def test_an_exact_day_is_stored_as_before_and_old_dates_read() -> None:
    from screening.engine.dates import DateAnswer

    assert norm("arrival", "2025-02-14") == "2025-02-14"
    assert norm("arrival", dt.date(2025, 2, 14)) == "2025-02-14"
    old = DateAnswer.from_stored("2024-12-31")  # an answer stored before precision existed
    assert old is not None and (old.precision, old.approximate) == ("day", False)


@pytest.mark.parametrize(("given", "says"), [
    ("last winter", "YYYY-MM-DD, YYYY-MM or YYYY"),
    ("2025-13", "no month 13"),
    ("about 2025-02-30", "not a real date"),  # approximate, but still a day that exists
    ({"value": "2025-02-14", "precision": "month"}, "names a day"),
    ({"value": "2025", "approximate": "yes"}, "true or false"),
    ({"value": "2025", "when": "now"}, "unknown key"),
])
def test_what_is_not_a_date_is_refused_saying_why(given: Any, says: str) -> None:
    with pytest.raises(AnswerError) as refused:
        norm("arrival", given)
    assert says in refused.value.message


def test_a_persian_date_round_trips() -> None:
    stored = norm("born", {"given": "1403-11-26", "calendar": "persian"})
    assert stored == {"value": "2025-02-14", "precision": "day", "approximate": False,
                      "calendar": "persian", "given": "1403-11-26"}
    assert norm("born", stored) == stored  # reading it back (a hand-over checks this) keeps it
    from screening.engine.dates import DateAnswer

    answer = DateAnswer.from_stored(stored)
    assert answer is not None and answer.first_day() == dt.date(2025, 2, 14)
    # typed with Persian digits, and to the month: Bahman 1403 runs 20 Jan - 18 Feb 2025
    month = DateAnswer.from_stored(norm("born", {"given": "۱۴۰۳-۱۱", "calendar": "persian"}))
    assert month is not None and month.given == "1403-11"
    assert (month.first_day(), month.last_day()) == (dt.date(2025, 1, 20), dt.date(2025, 2, 18))
    # 1403 is a leap year in the Persian calendar, 1402 is not
    assert norm("born", {"given": "1403-12-30", "calendar": "persian"})["value"] == "2025-03-20"
    with pytest.raises(AnswerError, match="not a real date"):
        norm("born", {"given": "1402-12-30", "calendar": "persian"})
    # the Gregorian side must agree with what was given
    with pytest.raises(AnswerError, match="not the Gregorian day"):
        norm("born", {**stored, "value": "2025-02-15"})


def test_an_islamic_date_and_a_calendar_the_item_does_not_name() -> None:
    stored = norm("hijri", {"given": "1446-09-01", "calendar": "islamic"})
    assert stored["value"] == "2025-03-01"  # 1 Ramadan 1446 (tabular calendar)
    with pytest.raises(AnswerError, match="Gregorian calendar or the persian calendar"):
        norm("born", {"given": "1446-09-01", "calendar": "islamic"})
    with pytest.raises(AnswerError, match="not the persian calendar"):
        norm("arrival", {"given": "1403-11-26", "calendar": "persian"})
    assert norm("born", "1990-05") == {"value": "1990-05", "precision": "month",
                                        "approximate": False}  # Gregorian is always taken


def test_expressions_see_the_first_day_of_a_month_or_year() -> None:
    session = InterviewSession(INS, LOADED.content_hash, MemoryAnswerStore(), "iv1",
                               respondent_language="en", officer_language="en")
    session.answer("arrival", "2025-02")
    assert "recent" in [s.key for s in session.steps()]
    session.answer("arrival", "2024")
    assert "recent" not in [s.key for s in session.steps()]
    from screening.engine.dates import expression_value

    assert expression_value({"value": "2025-02", "precision": "month",
                             "approximate": True}) == dt.date(2025, 2, 1)


@given(
    year=st.integers(1900, 2100), month=st.none() | st.integers(1, 12),
    day=st.integers(1, 28), approximate=st.booleans(),
)
def test_every_stored_date_reads_back_as_itself(year: int, month: int | None, day: int,
                                                approximate: bool) -> None:
    from screening.engine.dates import DateAnswer

    answer = DateAnswer(year, month, day if month else None, approximate=approximate)
    stored = norm("arrival", answer.stored())
    assert stored == answer.stored()
    assert DateAnswer.from_stored(stored) == answer
