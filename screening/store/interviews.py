"""Interviews and their answers: the ``AnswerStore`` protocol the engine writes through.

``save_answer`` is one transaction: the current answer (upsert), a history row and an audit
entry (item name only, never the value). With WAL and ``synchronous=FULL`` the commit is on
disk when it returns; that return is the engine's durable acknowledgement.

Answers can only change while an interview is in progress. A finished interview is reopened
explicitly (``reopen``, audited) before its answers change, so a stored result never
silently disagrees with the answers it was computed from.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from typing import Any

from screening.engine.storage import SPECIALS, AnswerRecord
from screening.errors import ErrorCode, InputError, StoreError
from screening.store.audit import now
from screening.store.connection import Connection
from screening.store.core import StoreHandle, new_id, not_found, to_json
from screening.store.models import (
    INTERVIEW_FINISHED,
    INTERVIEW_IN_PROGRESS,
    Interview,
    InterviewMeta,
)

_INTERVIEW_COLUMNS = (
    "id, case_id, instrument_id, instrument_version, content_hash, respondent_language,"
    " officer_language, interpreter_used, interpreter_language, location, officer, status,"
    " result, position, created_at, updated_at, finished_at, agency"
)
_ANSWER_COLUMNS = "item, value, special, language, answered_at, relevant, note"


def _interview(row: tuple[Any, ...]) -> Interview:
    meta = InterviewMeta(
        instrument_id=row[2],
        instrument_version=row[3],
        content_hash=row[4],
        respondent_language=row[5],
        officer_language=row[6],
        interpreter_used=bool(row[7]),
        interpreter_language=row[8],
        location=row[9],
        officer=row[10],
        agency=row[17],
    )
    return Interview(
        id=row[0],
        case_id=row[1],
        meta=meta,
        status=row[11],
        result=json.loads(row[12]) if row[12] is not None else None,
        position=row[13],
        created_at=row[14],
        updated_at=row[15],
        finished_at=row[16],
    )


def _answer(row: tuple[Any, ...]) -> AnswerRecord:
    item, value, special, language, answered_at, relevant, note = row
    return AnswerRecord(
        item=item,
        value=json.loads(value),
        special=special,
        language=language,
        answered_at=answered_at,
        relevant=bool(relevant),
        note=note,
    )


def _check_answer(answer: AnswerRecord) -> str:
    if not isinstance(answer.item, str) or not answer.item:
        raise InputError("an answer needs an item name", code=ErrorCode.ANSWER_INVALID)
    if answer.special is not None and answer.special not in SPECIALS:
        raise InputError("unknown special answer", code=ErrorCode.ANSWER_INVALID, item=answer.item)
    return to_json(answer.value, "the answer value")


class InterviewRepository:
    """``store.interviews``: interviews and their answers; the engine's ``AnswerStore``."""

    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    def create(self, case_id: str, meta: InterviewMeta, *, created_at: str | None = None) -> str:
        """A new interview in progress; ``created_at`` (ISO 8601 UTC) is for an interview
        received from another FieldScreen, which keeps the time it really began."""
        interview_id = new_id()
        stamp = created_at or now()
        with self._handle.tx("creating an interview") as conn:
            if conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
                raise not_found("case", case_id)
            conn.execute(
                f"INSERT INTO interviews ({_INTERVIEW_COLUMNS}) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, NULL, ?)",
                (
                    interview_id,
                    case_id,
                    meta.instrument_id,
                    meta.instrument_version,
                    meta.content_hash,
                    meta.respondent_language,
                    meta.officer_language,
                    int(bool(meta.interpreter_used)),
                    meta.interpreter_language,
                    meta.location,
                    meta.officer,
                    INTERVIEW_IN_PROGRESS,
                    stamp,
                    stamp,
                    meta.agency,
                ),
            )
            conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id))
            self._handle.audit.append(
                "interview.created",
                case_id=case_id,
                interview_id=interview_id,
                detail={
                    "instrument_id": meta.instrument_id,
                    "instrument_version": meta.instrument_version,
                    "content_hash": meta.content_hash,
                },
            )
        return interview_id

    def get(self, interview_id: str) -> Interview:
        with self._handle.read("reading an interview") as conn:
            row = conn.execute(
                f"SELECT {_INTERVIEW_COLUMNS} FROM interviews WHERE id = ?",
                (interview_id,),
            ).fetchone()
        if row is None:
            raise not_found("interview", interview_id)
        return _interview(row)

    def list(self, case_id: str) -> list[Interview]:
        with self._handle.read("listing interviews") as conn:
            rows = conn.execute(
                f"SELECT {_INTERVIEW_COLUMNS} FROM interviews"
                " WHERE case_id = ? ORDER BY created_at, id",
                (case_id,),
            ).fetchall()
        return [_interview(r) for r in rows]

    def _touch_open_interview(self, conn: Connection, interview_id: str, stamp: str) -> None:
        """Inside a transaction: bump updated_at, or raise if missing or finished."""
        cur = conn.execute(
            "UPDATE interviews SET updated_at = ? WHERE id = ? AND status = ?",
            (stamp, interview_id, INTERVIEW_IN_PROGRESS),
        )
        if cur.rowcount == 1:
            return
        row = conn.execute("SELECT status FROM interviews WHERE id = ?", (interview_id,)).fetchone()
        if row is None:
            raise not_found("interview", interview_id)
        raise StoreError(
            "the interview is finished; reopen it before changing answers",
            code=ErrorCode.INTERVIEW_STATE,
            interview_id=interview_id,
        )

    # -- AnswerStore protocol ------------------------------------------------------------
    def save_answer(self, interview_id: str, answer: AnswerRecord) -> None:
        """Store ``answer`` as the item's current answer and in its history; durable on return."""
        value = _check_answer(answer)
        stamp = now()
        row = (
            interview_id,
            answer.item,
            value,
            answer.special,
            answer.language,
            answer.answered_at,
            int(bool(answer.relevant)),
            answer.note,
        )
        with self._handle.tx("saving an answer") as conn:
            self._touch_open_interview(conn, interview_id, stamp)
            conn.execute(
                f"INSERT INTO answers (interview_id, {_ANSWER_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (interview_id, item) DO UPDATE SET"
                " value = excluded.value, special = excluded.special,"
                " language = excluded.language, answered_at = excluded.answered_at,"
                " relevant = excluded.relevant, note = excluded.note",
                row,
            )
            conn.execute(
                f"INSERT INTO answer_history (interview_id, {_ANSWER_COLUMNS}, saved_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*row, stamp),
            )
            self._handle.audit.append(
                "answer.saved", interview_id=interview_id, detail={"item": answer.item}
            )

    def load_answers(self, interview_id: str) -> dict[str, AnswerRecord]:
        with self._handle.read("loading answers") as conn:
            if (
                conn.execute("SELECT 1 FROM interviews WHERE id = ?", (interview_id,)).fetchone()
                is None
            ):
                raise not_found("interview", interview_id)
            rows = conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE interview_id = ?",
                (interview_id,),
            ).fetchall()
        return {row[0]: _answer(row) for row in rows}

    def set_relevance(self, interview_id: str, changes: Mapping[str, bool]) -> None:
        """Mark kept answers relevant or not (items without an answer are ignored)."""
        if not changes:
            return
        with self._handle.tx("updating relevance") as conn:
            self._touch_open_interview(conn, interview_id, now())
            conn.executemany(
                "UPDATE answers SET relevant = ? WHERE interview_id = ? AND item = ?",
                [(int(bool(rel)), interview_id, item) for item, rel in changes.items()],
            )

    def save_position(self, interview_id: str, item: str | None) -> None:
        with self._handle.tx("saving the position") as conn:
            cur = conn.execute(
                "UPDATE interviews SET position = ? WHERE id = ?", (item, interview_id)
            )
            if cur.rowcount != 1:
                raise not_found("interview", interview_id)

    def load_position(self, interview_id: str) -> str | None:
        with self._handle.read("loading the position") as conn:
            row = conn.execute(
                "SELECT position FROM interviews WHERE id = ?", (interview_id,)
            ).fetchone()
        if row is None:
            raise not_found("interview", interview_id)
        return None if row[0] is None else str(row[0])

    # -- beyond the protocol -------------------------------------------------------------
    def answer_history(self, interview_id: str, item: str) -> builtins.list[AnswerRecord]:
        """Every answer ever saved for ``item``, oldest first."""
        with self._handle.read("loading answer history") as conn:
            rows = conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answer_history"
                " WHERE interview_id = ? AND item = ? ORDER BY id",
                (interview_id, item),
            ).fetchall()
        return [_answer(r) for r in rows]

    def full_history(self, interview_id: str) -> builtins.list[tuple[str, AnswerRecord]]:
        """(saved_at, answer) for every save in the interview, oldest first."""
        with self._handle.read("loading answer history") as conn:
            rows = conn.execute(
                f"SELECT saved_at, {_ANSWER_COLUMNS} FROM answer_history"
                " WHERE interview_id = ? ORDER BY id",
                (interview_id,),
            ).fetchall()
        return [(r[0], _answer(r[1:])) for r in rows]

    def finish(self, interview_id: str, result: Mapping[str, Any], *,
               finished_at: str | None = None) -> None:
        """Store the screening result, mark the interview finished and the case screened.
        ``finished_at`` as for ``create``: the time a received interview really ended."""
        result_json = to_json(dict(result), "the screening result")
        stamp = finished_at or now()
        with self._handle.tx("finishing an interview") as conn:
            self._touch_open_interview(conn, interview_id, stamp)
            conn.execute(
                "UPDATE interviews SET status = ?, result = ?, finished_at = ? WHERE id = ?",
                (INTERVIEW_FINISHED, result_json, stamp, interview_id),
            )
            case_id = conn.execute(
                "SELECT case_id FROM interviews WHERE id = ?", (interview_id,)
            ).fetchone()[0]
            conn.execute(
                "UPDATE cases SET status = CASE status WHEN 'draft' THEN 'screened'"
                " ELSE status END, updated_at = ? WHERE id = ?",
                (stamp, case_id),
            )
            self._handle.audit.append(
                "interview.finished", case_id=case_id, interview_id=interview_id
            )

    def reopen(self, interview_id: str) -> None:
        """Make a finished interview editable again; its stored result is cleared."""
        stamp = now()
        with self._handle.tx("reopening an interview") as conn:
            cur = conn.execute(
                "UPDATE interviews SET status = ?, result = NULL, finished_at = NULL,"
                " updated_at = ? WHERE id = ? AND status = ?",
                (INTERVIEW_IN_PROGRESS, stamp, interview_id, INTERVIEW_FINISHED),
            )
            if cur.rowcount != 1:
                self.get(interview_id)  # raises STORE_NOT_FOUND if missing
                raise StoreError(
                    "the interview is not finished",
                    code=ErrorCode.INTERVIEW_STATE,
                    interview_id=interview_id,
                )
            self._handle.audit.append("interview.reopened", interview_id=interview_id)
