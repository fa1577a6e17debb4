"""The instruments the chooser offers: a thin adapter over the workspace's catalog.

The core (``screening.casework.catalog``) decides what is in the catalog: the shipped
instruments, plus the ones installed in the encrypted store while it is open. This module only
turns its entries into ``InstrumentCard`` snapshots for widgets, and passes imports and
removals on to it. It knows no file names and loads nothing itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from screening.errors import ErrorCode, InputError, InstrumentError

if TYPE_CHECKING:
    from screening.casework.catalog import CatalogEntry
    from screening.casework.catalog import InstrumentCatalog as CoreCatalog
    from screening.instruments import Instrument, LoadResult
    from screening.workspace import Workspace

log = logging.getLogger(__name__)

INSTRUMENT_SUFFIXES = (".yaml", ".yml")
XLSFORM_SUFFIXES = (".xlsx", ".xls", ".csv", ".md")


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    name: str
    status: str  # source, reviewed, machine, draft
    reviewed_by: str | None = None  # "NAME, ROLE", for a reviewed translation (issue #16)
    reviewed_on: str | None = None  # ISO date of that review


@dataclass(frozen=True)
class InstrumentCard:
    """What the instrument chooser shows; no instrument object reaches a widget."""

    key: str  # "id@version"
    id: str
    version: str
    title: str
    population: str
    item_count: int
    typical_minutes: int | None
    validation: str
    languages: tuple[LanguageStatus, ...]
    source_language: str
    imported: bool  # installed in this workspace's store (not shipped)
    content_hash: str
    provenance: str
    citation: str
    # A newer version of the same instrument is in the catalog: the chooser hides this one
    # unless asked, so nobody picks the unreviewed text by mistake (issue #16).
    newer_version: str | None = None


def answerable_count(instrument: Instrument) -> int:
    from screening.instruments import ItemType

    return sum(1 for item in instrument.walk()
               if item.is_answerable and item.type is not ItemType.ACKNOWLEDGE)


def language_status(ins: Instrument, code: str) -> LanguageStatus:
    """A language's status; for a reviewed one, who signed it off and when (the core's
    ``language_reviews``: its ``languages`` entry, else its latest review)."""
    from screening.instruments.review import language_reviews

    info = ins.languages[code]
    by, on = language_reviews(ins).get(code, (None, None))
    return LanguageStatus(code, info.name, info.status, by, on)


def _language_order(ins: Instrument, order: list[str] | None) -> list[str]:
    """The instrument's languages in its own order. An installed text comes back from the
    store with its keys sorted (its canonical form), so the order is taken from ``order``
    (the shipped version of the same instrument) where it has one, source language first."""
    codes = list(ins.languages)
    if order is None:
        return codes
    rank = {code: i for i, code in enumerate(order)}
    return sorted(codes, key=lambda c: (c != ins.source_language, rank.get(c, len(rank)),
                                        codes.index(c)))


def make_card(result: LoadResult, ui_lang: str, *, imported: bool,
              language_order: list[str] | None = None,
              newer_version: str | None = None) -> InstrumentCard:
    ins = result.instrument
    return InstrumentCard(
        key=f"{ins.id}@{ins.version}",
        id=ins.id,
        version=ins.version,
        title=ins.text(ins.title, ui_lang),
        population=ins.population,
        item_count=answerable_count(ins),
        typical_minutes=ins.typical_minutes,
        validation=ins.validation.status,
        languages=tuple(language_status(ins, code)
                        for code in _language_order(ins, language_order)),
        source_language=ins.source_language,
        imported=imported,
        content_hash=result.content_hash,
        provenance=" ".join(ins.provenance.source_framework.split()),
        citation=" ".join(ins.provenance.citation.split()),
        newer_version=newer_version,
    )


def _card(entry: CatalogEntry, ui_lang: str, entries: list[CatalogEntry]) -> InstrumentCard:
    """``entry`` as a card; ``entries`` (the whole catalog) say whether a newer version of
    it is offered and the language order of its shipped version."""
    from screening.instruments.registry import version_key

    ins = entry.result.instrument
    same = [e.result.instrument for e in entries if e.result.instrument.id == ins.id]
    newest = max(same, key=lambda i: version_key(i.version), default=ins)
    shipped = [e.result.instrument for e in entries
               if e.origin == "shipped" and e.result.instrument.id == ins.id]
    order = list(shipped[-1].languages) if entry.origin == "installed" and shipped else None
    return make_card(entry.result, ui_lang, imported=entry.origin == "installed",
                     language_order=order,
                     newer_version=newest.version if newest.version != ins.version else None)


class InstrumentCatalog:
    """The workspace's catalog as cards. It follows the store: installed instruments are
    listed only while it is unlocked."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @property
    def core(self) -> CoreCatalog:
        return self.workspace.catalog

    # -- reading -------------------------------------------------------------------------
    def cards(self, ui_lang: str) -> list[InstrumentCard]:
        """By instrument, the newest version first (the one to offer), then older ones."""
        from screening.instruments.registry import version_key

        entries = self.core.entries()
        ids = list(dict.fromkeys(e.result.instrument.id for e in entries))
        newest_first = sorted(entries, key=lambda e: version_key(e.result.instrument.version),
                              reverse=True)
        ordered = sorted(newest_first, key=lambda e: ids.index(e.result.instrument.id))
        return [_card(entry, ui_lang, entries) for entry in ordered]

    def card(self, key: str, ui_lang: str) -> InstrumentCard:
        return _card(self._entry(key), ui_lang, self.core.entries())

    def result(self, key: str) -> LoadResult:
        """The instrument text behind a card (InstrumentError when it is not offered)."""
        return self._entry(key).result

    def title(self, instrument_id: str, content_hash: str, ui_lang: str) -> str:
        """The title of the exact text an interview used, even after it was removed from
        the catalog (the store keeps it as the interview's snapshot)."""
        ins = self.core.by_hash(instrument_id, content_hash).instrument
        return ins.text(ins.title, ui_lang)

    def _entry(self, key: str) -> CatalogEntry:
        instrument_id, sep, version = key.partition("@")
        if not sep:
            raise InstrumentError("an instrument key is ID@VERSION",
                                  code=ErrorCode.INSTRUMENT_NOT_FOUND, instrument=instrument_id)
        return self.core.get(instrument_id, version)

    # -- changing ------------------------------------------------------------------------
    def import_file(self, path: Path) -> InstrumentCard:
        """Check an instrument file (.yaml) or an XLSForm (.xlsx, .xls, .csv, .md) and
        install it in the encrypted store. InstrumentError (every problem) if it does not
        load; InputError for another kind of file or a changed text under a used version."""
        from screening.instruments import load_instrument, load_instrument_text

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in INSTRUMENT_SUFFIXES:
            loaded = load_instrument(path)
        elif suffix in XLSFORM_SUFFIXES:
            from screening.xlsform import import_xlsform, instrument_yaml

            form = import_xlsform(path)
            # Install exactly the text `fieldscreen instruments import` writes.
            loaded = load_instrument_text(instrument_yaml(form.instrument, source=path.name),
                                          path.name)
        else:
            raise InputError("not an instrument file or an XLSForm", code=ErrorCode.BAD_INPUT)
        entry = self.core.install(loaded, path.name)
        ins = entry.result.instrument
        # No form id in the log: it says which forms a team uses (the audit trail has it).
        log.info("an instrument was installed")
        return _card(entry, ins.source_language, self.core.entries())

    def remove(self, key: str) -> bool:
        """Take an installed instrument out of the catalog. True when interviews used it:
        its text then stays in the store as their snapshot."""
        removal = self.core.remove(key)
        log.info("an instrument was removed (kept as a snapshot: %s)", removal.kept_as_snapshot)
        return removal.kept_as_snapshot


__all__ = ["InstrumentCard", "InstrumentCatalog", "LanguageStatus", "answerable_count",
           "make_card"]
