"""Case search across scripts: "gonzalez" finds "González", "мария" finds "МАРИЯ", and part of a
Chinese name finds the whole one.

SQLite's LIKE folds ASCII only, so text is normalised here, once, in Python: NFKC, accents
removed, case-folded, whitespace collapsed. The normalised reference, name and aliases of a
case go into the FTS5 ``case_search`` table (trigram tokenizer: substring matching in any
script). Query terms of three characters or more use the index; shorter ones (two-character
Chinese names are common) fall back to a substring scan of the same table, which is fine at
field-office sizes (10,000 cases: see bench/store_bench.py).

Not covered: transliteration ("Maria" does not find "Мария").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from screening.store.connection import Connection

MIN_INDEXED = 3


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # Combining marks go (accent-blind search); so do control and format characters (NUL,
    # escapes, bidi overrides, zero-width joiners): FTS5 cannot take NUL in a query, and
    # invisible characters must not make an otherwise equal name unfindable.
    stripped = "".join(
        ch for ch in decomposed
        if ch in "\t\n\r"
        or (not unicodedata.combining(ch) and unicodedata.category(ch) not in ("Cc", "Cf"))
    )
    folded = unicodedata.normalize("NFKC", stripped).casefold()
    return " ".join(folded.split())


def index_text(reference: str, name: str | None, aliases: Iterable[str]) -> str:
    parts = [reference, name or "", *aliases]
    # A separator no query term can contain keeps matches from spanning two fields.
    return " | ".join(normalise(part) for part in parts if part)


def update_index(
    conn: Connection, case_id: str, reference: str, name: str | None, aliases: Iterable[str]
) -> None:
    conn.execute("DELETE FROM case_search WHERE case_id = ?", (case_id,))
    conn.execute(
        "INSERT INTO case_search (case_id, text) VALUES (?, ?)",
        (case_id, index_text(reference, name, aliases)),
    )


def remove_from_index(conn: Connection, case_id: str) -> None:
    conn.execute("DELETE FROM case_search WHERE case_id = ?", (case_id,))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def matching_case_ids(conn: Connection, text: str, limit: int) -> list[str]:
    """Ids of cases whose reference, name or an alias contains every term of ``text``."""
    terms = [t for t in normalise(text).replace("|", " ").split() if t]
    if not terms:
        return []
    indexed = [t for t in terms if len(t) >= MIN_INDEXED]
    short = [t for t in terms if len(t) < MIN_INDEXED]
    sql = "SELECT case_id FROM case_search"
    where: list[str] = []
    params: list[object] = []
    if indexed:
        where.append("case_search MATCH ?")
        params.append(" AND ".join(_phrase(t) for t in indexed))
    for term in short:
        where.append("instr(text, ?) > 0")
        params.append(term)
    sql += " WHERE " + " AND ".join(where) + " LIMIT ?"
    params.append(int(limit))
    return [str(row[0]) for row in conn.execute(sql, params)]
