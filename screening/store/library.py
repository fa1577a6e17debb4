"""Instrument texts and the imported referral directory, kept inside the encrypted store.

``store.instruments``: every instrument text the team installed, and the snapshot of every
text an interview was run with, keyed by content hash (schema version 2). ``store.directory``:
the agency's imported referral directory (validated CSV text). Neither holds personal data,
but both say which forms and which agencies a team works with, so neither is left on disk in
plaintext, and backups carry both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from screening.store.audit import now
from screening.store.core import StoreHandle


@dataclass(frozen=True)
class StoredInstrument:
    content_hash: str
    instrument_id: str
    version: str
    canonical: str = field(repr=False)
    installed: bool
    source: str | None
    added_at: str


_COLUMNS = "content_hash, instrument_id, version, canonical, installed, source, added_at"


def _row(row: tuple[object, ...]) -> StoredInstrument:
    return StoredInstrument(str(row[0]), str(row[1]), str(row[2]), str(row[3]), bool(row[4]),
                            None if row[5] is None else str(row[5]), str(row[6]))


class InstrumentTextRepository:
    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    def add(self, content_hash: str, instrument_id: str, version: str, canonical: str, *,
            install: bool, source: str | None = None) -> None:
        """Keep a text (once per hash). ``install`` also lists it in the catalog; a text
        already installed stays installed when it is added again as a snapshot."""
        h = self._handle
        with h.tx("keeping an instrument text") as conn:
            existing = conn.execute(
                "SELECT installed FROM instrument_texts WHERE content_hash = ?", (content_hash,)
            ).fetchone()
            if existing is None:
                conn.execute(
                    f"INSERT INTO instrument_texts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (content_hash, instrument_id, version, canonical, int(install), source,
                     now()),
                )
            elif install and not existing[0]:
                conn.execute("UPDATE instrument_texts SET installed = 1 WHERE content_hash = ?",
                             (content_hash,))
            else:
                return
            action = "instrument.installed" if install else "instrument.snapshot"
            h.audit.append(action, detail={"instrument_id": instrument_id, "version": version,
                                           "content_hash": content_hash})

    def get(self, content_hash: str) -> StoredInstrument | None:
        with self._handle.read("reading an instrument text") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM instrument_texts WHERE content_hash = ?",
                               (content_hash,)).fetchone()
        return _row(row) if row else None

    def installed(self) -> list[StoredInstrument]:
        with self._handle.read("listing installed instruments") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM instrument_texts WHERE installed = 1"
                                " ORDER BY instrument_id, version").fetchall()
        return [_row(r) for r in rows]

    def all(self) -> list[StoredInstrument]:
        with self._handle.read("listing instrument texts") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM instrument_texts"
                                " ORDER BY instrument_id, version").fetchall()
        return [_row(r) for r in rows]

    def missing(self) -> list[tuple[str, str]]:
        """(instrument id, content hash) of interviews whose text the store does not hold
        (interviews from before schema version 2)."""
        with self._handle.read("finding interviews without their text") as conn:
            rows = conn.execute(
                "SELECT DISTINCT instrument_id, content_hash FROM interviews WHERE content_hash"
                " NOT IN (SELECT content_hash FROM instrument_texts)").fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def used_by(self, content_hash: str) -> int:
        """How many interviews were run with this text."""
        with self._handle.read("counting interviews of an instrument") as conn:
            row = conn.execute("SELECT count(*) FROM interviews WHERE content_hash = ?",
                               (content_hash,)).fetchone()
        return int(row[0])

    def uninstall(self, instrument_id: str, version: str) -> bool | None:
        """Take an installed text out of the catalog. Returns None when none is installed,
        True when interviews used it (the text stays as their snapshot), False when the
        text was deleted."""
        h = self._handle
        with h.tx("removing an instrument") as conn:
            row = conn.execute(
                "SELECT content_hash FROM instrument_texts WHERE instrument_id = ?"
                " AND version = ? AND installed = 1", (instrument_id, version)).fetchone()
            if row is None:
                return None
            content_hash = str(row[0])
            used = conn.execute("SELECT count(*) FROM interviews WHERE content_hash = ?",
                                (content_hash,)).fetchone()[0]
            if used:
                conn.execute("UPDATE instrument_texts SET installed = 0 WHERE content_hash = ?",
                             (content_hash,))
            else:
                conn.execute("DELETE FROM instrument_texts WHERE content_hash = ?",
                             (content_hash,))
            h.audit.append("instrument.removed", detail={
                "instrument_id": instrument_id, "version": version,
                "content_hash": content_hash, "kept_as_snapshot": bool(used)})
        return bool(used)


class DirectoryImportRepository:
    def __init__(self, handle: StoreHandle) -> None:
        self._handle = handle

    def get(self) -> tuple[str | None, str] | None:
        """(source file name, CSV text) of the imported directory, or None."""
        with self._handle.read("reading the imported directory") as conn:
            row = conn.execute("SELECT source, csv FROM directory_import WHERE id = 1").fetchone()
        return (row[0], str(row[1])) if row else None

    def put(self, source: str | None, csv_text: str) -> None:
        h = self._handle
        with h.tx("importing a referral directory") as conn:
            conn.execute("INSERT OR REPLACE INTO directory_import (id, source, csv, imported_at)"
                         " VALUES (1, ?, ?, ?)", (source, csv_text, now()))
            h.audit.append("directory.imported", detail={"bytes": len(csv_text.encode())})

    def clear(self) -> None:
        h = self._handle
        with h.tx("removing the imported directory") as conn:
            conn.execute("DELETE FROM directory_import")
            h.audit.append("directory.cleared")


__all__ = ["DirectoryImportRepository", "InstrumentTextRepository", "StoredInstrument"]
