"""Case search across scripts: "gonzalez" finds "González", "мария" finds "МАРИЯ", and part of a
Chinese name finds the whole one.

SQLite's LIKE folds ASCII only, so text is normalised here, once, in Python: NFKC, accents
removed, case-folded, whitespace collapsed. The normalised reference, name and aliases of a
case go into two FTS5 tables under the same rowid (``cases.search_rowid`` points to it):

* ``case_search`` (trigram tokenizer): substring matching in any script, for query terms of
  three characters or more;
* ``case_search_chars`` (schema 7, issue #19): the same text with every character its own
  token and every space a ``|`` token, so a term of one or two characters (two-character
  Chinese names are common) is a phrase query ("小梅" is the phrase 小 梅): exact substring
  matching through an index, where it used to be a scan of every case (a third of a second
  at 100,000 cases).

Queries read only the indexes' rowids (not the stored text), and the case list joins them to
``cases`` through its ``search_rowid`` index.

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


def name_key(name: str | None) -> str:
    """The case list's sort key for a name: accent- and case-blind in every script."""
    return normalise(name or "")


def received_key(agency: str, officer: str) -> str:
    """The sort key of "Received from": the agency, else the officer. A mark no normalised
    text holds goes first, so every received case sorts after every case made here (key
    ``""``), an unnamed sender first among them."""
    return "\x01" + normalise(agency or officer)


def index_text(reference: str, name: str | None, aliases: Iterable[str]) -> str:
    parts = [reference, name or "", *aliases]
    # A separator no query term can contain keeps matches from spanning two fields.
    return " | ".join(normalise(part) for part in parts if part)


def chars_text(text: str) -> str:
    """``index_text`` for ``case_search_chars``: one token per character, a space as ``|``
    (no term holds one), so a phrase never spans two words."""
    return " ".join("|" if ch == " " else ch for ch in text)


def update_index(
    conn: Connection, case_id: str, reference: str, name: str | None, aliases: Iterable[str]
) -> int:
    """(Re)index a case; return the rowid of its entries, for ``cases.search_rowid``."""
    remove_from_index(conn, case_id)
    text = index_text(reference, name, aliases)
    cur = conn.execute("INSERT INTO case_search (case_id, text) VALUES (?, ?)", (case_id, text))
    rowid = int(cur.lastrowid or 0)
    conn.execute("INSERT INTO case_search_chars (rowid, text) VALUES (?, ?)",
                 (rowid, chars_text(text)))
    return rowid


def remove_from_index(conn: Connection, case_id: str) -> None:
    row = conn.execute("SELECT search_rowid FROM cases WHERE id = ?", (case_id,)).fetchone()
    if row is None or row[0] is None:
        return
    conn.execute("DELETE FROM case_search WHERE rowid = ?", (row[0],))
    conn.execute("DELETE FROM case_search_chars WHERE rowid = ?", (row[0],))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def terms(text: str) -> list[str]:
    return [t for t in normalise(text).replace("|", " ").split() if t]


def match_sql(text: str) -> tuple[str, list[object]] | None:
    """A ``SELECT rowid`` of the index entries whose reference, name or an alias contains
    every term of ``text``, lowest rowid first (append ``LIMIT ?``); None if it has no terms.
    """
    words = terms(text)
    if not words:
        return None
    indexed = [t for t in words if len(t) >= MIN_INDEXED]
    short = [t for t in words if len(t) < MIN_INDEXED]
    chars = " AND ".join(_phrase(chars_text(t)) for t in short)
    if not indexed:
        return ("SELECT rowid FROM case_search_chars WHERE case_search_chars MATCH ?"
                " ORDER BY rowid", [chars])
    sql = "SELECT rowid FROM case_search WHERE case_search MATCH ?"
    params: list[object] = [" AND ".join(_phrase(t) for t in indexed)]
    if short:
        sql += (" AND rowid IN (SELECT rowid FROM case_search_chars"
                " WHERE case_search_chars MATCH ?)")
        params.append(chars)
    return sql + " ORDER BY rowid", params


def match_rowids(conn: Connection, text: str, limit: int) -> list[int] | None:
    """The index rowids of the first ``limit`` matches; None if ``text`` has no terms."""
    found = match_sql(text)
    if found is None:
        return None
    sql, params = found
    return [int(row[0]) for row in conn.execute(f"{sql} LIMIT ?", [*params, int(limit)])]
