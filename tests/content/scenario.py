"""Running a scenario through a shipped instrument with the real engine (issue #16 tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from screening.engine.scoring import ScreeningResult
from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.instruments.loader import LoadResult

CLOCK = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def new_session(loaded: LoadResult, lang: str = "en") -> InterviewSession:
    return InterviewSession(loaded.instrument, loaded.content_hash, MemoryAnswerStore(),
                            "iv-scenario", respondent_language=lang, officer_language="en",
                            clock=lambda: CLOCK)


def answer_all(s: InterviewSession, answers: dict[str, Any]) -> ScreeningResult:
    """Give ``answers`` in order, skipping follow-ups the earlier answers did not open; a value
    ``("special", x)`` answers refused / dont_know. Every name must be an item of the file."""
    items = s.instrument.item_map()
    for key, value in answers.items():
        assert key in items, f"no item {key!r} in {s.instrument.id} {s.instrument.version}"
        if not s.is_relevant(key):
            continue
        if isinstance(value, tuple):
            s.answer(key, special=value[1])
        else:
            s.answer(key, value)
    return s.result()
