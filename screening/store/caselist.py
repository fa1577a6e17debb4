"""The case list's queries: count, one page in any order, a case's position (issue #19).

Every order is an index of ``cases`` (schema 7): the sort key, then the status, with the
rowid as the last tie-breaker in the same direction, so each order is total and a page is an
index range: 200 rows cost about the same at 100 cases as at 100,000, and nothing is held
in memory but the page. ``query`` is what the officer types: a date ("2026", "2026-03",
"2026-03-07") finds cases created or last changed then (stored UTC stamps); any other text
goes to the full-text index (search.py) and lists the first ``search_limit`` matches, as the
list always did (more than that: "type more to narrow the search").
"""

from __future__ import annotations

import json
import re
from typing import Any

from screening.errors import ErrorCode, InputError
from screening.store import search
from screening.store.connection import Connection

SEARCH_LIMIT = 2000
DATE_QUERY = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# The sort key of each column of the list. Reference: ASCII case folded (its index serves
# `cases resolve` too); name and received: search.normalise, written by the repository.
SORT_KEYS = {
    "reference": "c.reference COLLATE NOCASE",
    "name": "c.name_key",
    "status": "c.status",
    "interviews": "c.interview_count",
    "created": "c.created_at",
    "updated": "c.updated_at",
    "received": "c.received_key",
}
SORTS = tuple(SORT_KEYS)
# The index of each order (0007_case_list.sql). Without a search, a page is read along it
# (INDEXED BY: with no statistics the planner would rather sort a status's cases in memory,
# O(n) per page); the status test reads the index entry, not the row.
SORT_INDEXES = {
    "reference": "cases_by_reference",
    "name": "cases_by_name",
    "status": "cases_by_status",
    "interviews": "cases_by_interviews",
    "created": "cases_by_created",
    "updated": "cases_by_update_status",
    "received": "cases_by_received",
}
# A character above every character of a stored stamp: "2026-03" <= stamp < "2026-03\x7f".
_STAMP_END = "\x7f"


def is_date(query: str) -> bool:
    return bool(DATE_QUERY.match(query.strip()))


def _sort_key(sort: str) -> str:
    try:
        return SORT_KEYS[sort]
    except KeyError:
        raise InputError(f"unknown sort '{sort}'; use one of {', '.join(SORTS)}",
                         code=ErrorCode.BAD_INPUT) from None


class Matches:
    """The index rowids a search matched, kept until the next write to the store.

    The list counts a search, then reads its pages: each would run the full-text query
    again (20-30 ms for a common name at 100,000 cases). Kept: the rowids of the last text,
    as many as were asked for, with the connection's change counter when they were read,
    so any write in between (this store has one connection) reads them again.
    """

    def __init__(self) -> None:
        self._key: tuple[int, str, int] | None = None
        self._limit = 0
        self._rowids: list[int] | None = None

    def rowids(self, conn: Connection, text: str, limit: int) -> list[int] | None:
        """The first ``limit`` matches of ``text``; None when it has no search terms."""
        key = (id(conn), text, conn.total_changes)
        if key != self._key or limit > self._limit:
            self._rowids = search.match_rowids(conn, text, limit)
            self._key, self._limit = key, limit
        return None if self._rowids is None else self._rowids[:limit]


def where(conn: Connection, matches: Matches, status: str | None, query: str | None,
          search_limit: int = SEARCH_LIMIT, *, ordered: bool = False) -> tuple[str, list[Any]]:
    """A WHERE clause over ``cases c`` (or "" for every case) and its parameters.

    The status test is written ``+c.status = ?`` (an expression, which no index serves)
    for a query read along an order's index (``ordered``), where SQLite would otherwise
    take the status as constant, drop it from the order (key, status, rowid) and sort every
    group of equal keys to put the rowids in order, which the index has them in already;
    and with a search or a date, where it would rather walk every case of that status (a
    third of the store) than the matches. Only a bare count uses the status index.
    """
    clauses: list[str] = []
    params: list[Any] = []
    text = (query or "").strip()
    if status is not None:
        clauses.append("+c.status = ?" if ordered or text else "c.status = ?")
        params.append(status)
    if text and DATE_QUERY.match(text):
        clauses.append("((c.created_at >= ? AND c.created_at < ?)"
                       " OR (c.updated_at >= ? AND c.updated_at < ?))")
        params += [text, text + _STAMP_END] * 2
    elif text:
        rowids = matches.rowids(conn, text, search_limit)
        if rowids is None:
            clauses.append("0")  # only separators: nothing matches, as before
        else:
            clauses.append("c.search_rowid IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(rowids))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def count(conn: Connection, matches: Matches, status: str | None, query: str | None,
          search_limit: int = SEARCH_LIMIT) -> int:
    sql, params = where(conn, matches, status, query, search_limit)
    return int(conn.execute(f"SELECT count(*) FROM cases c{sql}", params).fetchone()[0])


def _order_terms(sort: str) -> list[str]:
    """The order's columns: the key, then (as in its index) the status, then the rowid, so
    it is total and the index gives it without sorting."""
    key = _sort_key(sort)
    return [key, "c.rowid"] if sort == "status" else [key, "c.status", "c.rowid"]


def order_by(sort: str, descending: bool) -> str:
    direction = " DESC" if descending else ""
    return " ORDER BY " + ", ".join(term + direction for term in _order_terms(sort))


def _source(conn: Connection, matches: Matches, sort: str, status: str | None,
            query: str | None) -> str:
    """``cases c``, read along the order's index, unless a search picks the rows (2,000 at
    most: SQLite sorts them) or a date matches few (the date indexes find them, SQLite sorts
    them); a date that matches many ("2026" in a store of years) is read along the order's
    index too, its cases tested row by row, so a page never sorts 100,000 cases."""
    text = (query or "").strip()
    if text and not (DATE_QUERY.match(text)
                     and count(conn, matches, status, text) > SEARCH_LIMIT):
        return "cases c"
    return f"cases AS c INDEXED BY {SORT_INDEXES[sort]}"


def page_query(conn: Connection, matches: Matches, columns: str, joins: str = "", *,
               offset: int, limit: int, sort: str, descending: bool, status: str | None,
               query: str | None, search_limit: int = SEARCH_LIMIT) -> tuple[str, list[Any]]:
    """``SELECT columns`` of one page of cases (``cases c`` and ``joins``), in order
    (``limit`` -1: to the end)."""
    _sort_key(sort)
    sql, params = where(conn, matches, status, query, search_limit, ordered=True)
    return (f"SELECT {columns} FROM {_source(conn, matches, sort, status, query)}{joins}{sql}"
            f"{order_by(sort, descending)} LIMIT ? OFFSET ?",
            [*params, int(limit), max(0, int(offset))])


def page_rowids(conn: Connection, matches: Matches, *, offset: int, limit: int, sort: str,
                descending: bool, status: str | None, query: str | None,
                search_limit: int = SEARCH_LIMIT) -> list[int]:
    """The rowids of one page of cases, in order (``limit`` -1: to the end)."""
    sql, params = page_query(conn, matches, "c.rowid", offset=offset, limit=limit, sort=sort,
                             descending=descending, status=status, query=query,
                             search_limit=search_limit)
    return [int(r[0]) for r in conn.execute(sql, params)]


def position(conn: Connection, matches: Matches, case_id: str, *, sort: str,
             descending: bool, status: str | None, query: str | None,
             search_limit: int = SEARCH_LIMIT) -> int | None:
    """The row of ``case_id`` in that order and filter (0 = first); None if not listed."""
    terms = _order_terms(sort)
    sql, params = where(conn, matches, status, query, search_limit, ordered=True)
    joiner = " AND " if sql else " WHERE "
    row = conn.execute(f"SELECT {', '.join(terms)} FROM cases c{sql}{joiner}c.id = ?",
                       [*params, case_id]).fetchone()
    if row is None:
        return None
    before = ">" if descending else "<"
    # Rows before it in the order: a row value comparison (SQLite reads it as a range of
    # the order's index), each column with its own collation (NOCASE for the reference).
    ahead = f"({', '.join(terms)}) {before} ({', '.join('?' * len(terms))})"
    source = _source(conn, matches, sort, status, query)
    found = conn.execute(f"SELECT count(*) FROM {source}{sql}{joiner}{ahead}",
                         [*params, *row]).fetchone()
    return int(found[0])
