"""The instruments a workspace can run: the shipped ones plus those installed in its store.

Installed instruments (an imported XLSForm or an instrument file the team added) and the
"snapshot" of every text an interview was run with live in the encrypted store, keyed by
content hash (``screening.store.library``): they say which forms a team uses, and backups must
carry them. Shipped instruments stay in ``resources/instruments``.

Reports, exports, review and resume find an interview's text with ``by_hash``: the store's
snapshot first, so a case stays reportable after the file is gone, upgraded, or restored on
another laptop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from screening.errors import ErrorCode, InputError, InstrumentError
from screening.instruments import (
    LoadResult,
    list_instruments,
    load_instrument,
    load_instrument_text,
)
from screening.instruments.hashing import canonical_json
from screening.instruments.registry import version_key

if TYPE_CHECKING:
    from screening.store import Store
    from screening.store.library import StoredInstrument

Origin = Literal["shipped", "installed"]
XLSFORM_SUFFIXES = (".xlsx", ".xls", ".csv", ".md")


@dataclass(frozen=True)
class CatalogEntry:
    result: LoadResult
    origin: Origin

    @property
    def key(self) -> str:
        return f"{self.result.instrument.id}@{self.result.instrument.version}"


@dataclass(frozen=True)
class Removal:
    key: str
    kept_as_snapshot: bool  # interviews used this text: it stays in the store


def _load_stored(row: StoredInstrument) -> LoadResult:
    data = json.loads(row.canonical)
    data["content_hash"] = row.content_hash
    try:
        # Canonical JSON checked when it was stored: libyaml reads it (issue #19).
        result = load_instrument_text(json.dumps(data, ensure_ascii=False),
                                      f"store:{row.instrument_id}@{row.version}", fast=True)
    except InstrumentError as exc:  # pragma: no cover - only a damaged or edited store
        raise InstrumentError(
            f"the stored text of {row.instrument_id} {row.version} does not load: "
            f"{exc.message}", code=ErrorCode.INSTRUMENT_HASH, instrument=row.instrument_id
        ) from None
    if result.content_hash != row.content_hash:  # pragma: no cover - as above
        raise InstrumentError("a stored instrument text does not match its hash",
                              code=ErrorCode.INSTRUMENT_HASH, instrument=row.instrument_id)
    return result


_SHIPPED: list[LoadResult] | None = None


def shipped_instruments() -> list[LoadResult]:
    """The shipped instruments, loaded once per process (they are part of the release)."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = list_instruments()
    return list(_SHIPPED)


class InstrumentCatalog:
    """Shipped + installed instruments. Without a store (locked), only the shipped ones."""

    def __init__(self, store: Store | None = None) -> None:
        self._store = store
        self._by_hash: dict[str, LoadResult] = {}

    # -- reading -------------------------------------------------------------------------
    def entries(self) -> list[CatalogEntry]:
        """Every instrument to choose from, by id then version; shipped before installed."""
        out = [CatalogEntry(r, "shipped") for r in shipped_instruments()]
        keys = {e.key for e in out}
        for row in self._store.instruments.installed() if self._store else []:
            if f"{row.instrument_id}@{row.version}" in keys:
                continue
            out.append(CatalogEntry(self._stored(row), "installed"))
        return sorted(out, key=lambda e: (e.result.instrument.id,
                                          version_key(e.result.instrument.version)))

    def get(self, instrument_id: str, version: str) -> CatalogEntry:
        for entry in self.entries():
            if entry.key == f"{instrument_id}@{version}":
                return entry
        raise InstrumentError(f"no instrument '{instrument_id}@{version}' in the catalog",
                              code=ErrorCode.INSTRUMENT_NOT_FOUND, instrument=instrument_id)

    def find(self, ref: str) -> LoadResult:
        """An instrument file (``.yaml``), or ``ID`` / ``ID@VERSION`` from the catalog
        (the newest version when none is given)."""
        candidate = Path(ref)
        if candidate.suffix.lower() in XLSFORM_SUFFIXES:
            raise InputError(f"{candidate} is an XLSForm: import it first with `fieldscreen "
                             f"instruments import {candidate.name} --install`, then use its id",
                             code=ErrorCode.BAD_INPUT)
        if candidate.suffix in (".yaml", ".yml") or candidate.exists():
            return load_instrument(candidate)
        wanted_id, _, wanted_version = ref.partition("@")
        entries = self.entries()
        matches = [e.result for e in entries if e.result.instrument.id == wanted_id
                   and (not wanted_version or e.result.instrument.version == wanted_version)]
        if not matches:
            known = ", ".join(sorted({e.result.instrument.id for e in entries}))
            raise InstrumentError(
                f"no instrument '{ref}' (installed and shipped: {known or 'none'})",
                code=ErrorCode.INSTRUMENT_NOT_FOUND)
        return matches[-1]

    def by_hash(self, instrument_id: str, content_hash: str) -> LoadResult:
        """The exact text an interview was run with (store snapshot, else the catalog)."""
        cached = self._by_hash.get(content_hash)
        if cached is not None:
            return cached
        row = self._store.instruments.get(content_hash) if self._store else None
        if row is not None:
            return self._stored(row)
        for entry in self.entries():
            if entry.result.content_hash == content_hash:
                return entry.result
        raise InstrumentError(
            f"the instrument {instrument_id} with content hash {content_hash[:19]}... is "
            "neither in this store nor installed, so its questions cannot be shown as they "
            "were asked", code=ErrorCode.INSTRUMENT_NOT_FOUND, instrument=instrument_id)

    def _stored(self, row: StoredInstrument) -> LoadResult:
        cached = self._by_hash.get(row.content_hash)
        if cached is None:
            cached = self._by_hash[row.content_hash] = _load_stored(row)
        return cached

    # -- changing ------------------------------------------------------------------------
    def _require_store(self) -> Store:
        if self._store is None:
            raise InputError("unlock the store first", code=ErrorCode.STORE_NOT_INITIALISED)
        return self._store

    def install(self, result: LoadResult, source: str | None = None) -> CatalogEntry:
        """Add an instrument to this workspace's catalog (inside the encrypted store)."""
        store = self._require_store()
        ins = result.instrument
        for entry in self.entries():
            if entry.key == f"{ins.id}@{ins.version}":
                if entry.result.content_hash == result.content_hash:
                    if entry.origin == "shipped":
                        return entry
                    break
                raise InputError(
                    f"'{ins.id}' version {ins.version} is already {entry.origin} with a "
                    "different text; give the changed instrument a new version",
                    code=ErrorCode.INSTRUMENT_DUPLICATE)
        for row in store.instruments.all():  # texts interviews used, installed or not
            if (row.instrument_id, row.version) == (ins.id, ins.version) \
                    and row.content_hash != result.content_hash:
                raise InputError(
                    f"'{ins.id}' version {ins.version} was used by interviews with a different "
                    "text; give the changed instrument a new version",
                    code=ErrorCode.INSTRUMENT_DUPLICATE)
        store.instruments.add(result.content_hash, ins.id, ins.version,
                              canonical_json(ins), install=True,
                              source=Path(source).name if source else None)
        self._by_hash[result.content_hash] = result
        return CatalogEntry(result, "installed")

    def remove(self, key: str) -> Removal:
        """Take an installed instrument out of the catalog. A text that an interview used
        is never deleted: it stays in the store as that interview's snapshot."""
        store = self._require_store()
        instrument_id, sep, version = key.partition("@")
        if not sep or not instrument_id or not version:
            raise InputError("name the instrument as ID@VERSION", code=ErrorCode.BAD_INPUT)
        if any(e.key == key and e.origin == "shipped" for e in self.entries()):
            raise InputError(f"'{key}' is shipped with FieldScreen and cannot be removed",
                             code=ErrorCode.BAD_INPUT)
        kept = store.instruments.uninstall(instrument_id, version)
        if kept is None:
            raise InputError(f"no installed instrument '{key}'",
                             code=ErrorCode.INSTRUMENT_NOT_FOUND)
        return Removal(key, kept)

    def snapshot(self, result: LoadResult) -> None:
        """Keep the exact text an interview is about to use (once per content hash)."""
        ins = result.instrument
        self._require_store().instruments.add(result.content_hash, ins.id, ins.version,
                                              canonical_json(ins), install=False,
                                              source=result.path.name if result.path else None)
        self._by_hash[result.content_hash] = result


__all__ = ["CatalogEntry", "InstrumentCatalog", "Removal", "shipped_instruments"]
