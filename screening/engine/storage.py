"""What the engine needs from a store, and an in-memory store for tests and dry runs.

The engine never touches files; it is handed an ``AnswerStore``. The SQLCipher store in
``screening.store`` implements this protocol; ``MemoryAnswerStore`` exists for unit tests and
refuses to be used outside development or tests, because it keeps nothing encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from screening.errors import ScreeningError
from screening.paths import dev_or_test

SPECIAL_REFUSED = "refused"
SPECIAL_DONT_KNOW = "dont_know"
SPECIALS = (SPECIAL_REFUSED, SPECIAL_DONT_KNOW)


@dataclass(frozen=True)
class AnswerRecord:
    """One item's current answer in one interview.

    ``value`` is JSON-compatible: str for text/select_one/date (ISO), list[str] for
    select_multiple, int/float for numbers, bool for acknowledge; None when ``special`` is
    set. ``language`` is the language the question was asked in; ``answered_at`` an ISO 8601
    UTC timestamp. ``relevant`` is False for an answer kept after an earlier change made its
    item irrelevant: kept for the record, excluded from scoring.
    """

    item: str
    value: Any = field(repr=False)
    special: str | None
    language: str
    answered_at: str
    relevant: bool = True
    note: str | None = field(default=None, repr=False)

    def with_relevance(self, relevant: bool) -> AnswerRecord:
        return replace(self, relevant=relevant)

    @property
    def has_value(self) -> bool:
        """A substantive answer: not special, not empty text, not an empty selection."""
        return self.special is None and self.value is not None and self.value not in ("", [])

    @property
    def answered(self) -> bool:
        """The one definition of "this item is answered": a substantive answer, or "prefer
        not to answer" / "don't know". Empty text and an empty selection are not answers."""
        return self.special is not None or self.has_value


def is_answered(record: AnswerRecord | None) -> bool:
    return record is not None and record.answered


def has_value(record: AnswerRecord | None) -> bool:
    return record is not None and record.has_value


class AnswerStore(Protocol):
    """Durable answer storage for one or more interviews.

    ``save_answer`` must not return before the answer is durable (committed): the caller
    treats a return as the acknowledgement that the answer will survive a crash.
    """

    def save_answer(self, interview_id: str, answer: AnswerRecord) -> None: ...

    def load_answers(self, interview_id: str) -> dict[str, AnswerRecord]: ...

    def set_relevance(self, interview_id: str, changes: Mapping[str, bool]) -> None: ...

    def save_position(self, interview_id: str, item: str | None) -> None: ...

    def load_position(self, interview_id: str) -> str | None: ...


class UnsafeStoreError(ScreeningError):
    """Raised when a plaintext test double is used outside development or tests."""


class MemoryAnswerStore:
    """A plaintext, in-memory AnswerStore for tests and `SCREENING_DEV=1` only."""

    def __init__(self, *, allow_unsafe: bool = False) -> None:
        if not (allow_unsafe or dev_or_test()):
            raise UnsafeStoreError(
                "the in-memory store is for tests only; set SCREENING_DEV=1 to use it"
            )
        self._answers: dict[str, dict[str, AnswerRecord]] = {}
        self._history: dict[str, list[AnswerRecord]] = {}
        self._positions: dict[str, str | None] = {}

    def save_answer(self, interview_id: str, answer: AnswerRecord) -> None:
        self._answers.setdefault(interview_id, {})[answer.item] = answer
        self._history.setdefault(interview_id, []).append(answer)

    def load_answers(self, interview_id: str) -> dict[str, AnswerRecord]:
        return dict(self._answers.get(interview_id, {}))

    def history(self, interview_id: str) -> list[AnswerRecord]:
        return list(self._history.get(interview_id, []))

    def set_relevance(self, interview_id: str, changes: Mapping[str, bool]) -> None:
        answers = self._answers.setdefault(interview_id, {})
        for item, relevant in changes.items():
            if item in answers:
                answers[item] = answers[item].with_relevance(relevant)

    def save_position(self, interview_id: str, item: str | None) -> None:
        self._positions[interview_id] = item

    def load_position(self, interview_id: str) -> str | None:
        return self._positions.get(interview_id)
