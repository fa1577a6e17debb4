"""The instruments this computer can run: the shipped ones plus those imported in Settings.

Imported files are copied into ``<data folder>/instruments/`` after they load cleanly
(instrument files hold questions, not personal data, so they are not encrypted).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from screening.errors import ErrorCode, InstrumentError
from screening.paths import instruments_dir

if TYPE_CHECKING:  # the instrument model (pydantic) loads only when first needed
    from screening.instruments import Instrument, LoadResult


def _load(path: Path) -> LoadResult:
    from screening.instruments import load_instrument

    return load_instrument(path)

log = logging.getLogger(__name__)

IMPORTED_DIR = "instruments"


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    name: str
    status: str  # source, reviewed, machine, draft


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
    imported: bool
    content_hash: str
    provenance: str
    citation: str


def answerable_count(instrument: Instrument) -> int:
    from screening.instruments import ItemType

    return sum(1 for item in instrument.walk()
               if item.is_answerable and item.type is not ItemType.ACKNOWLEDGE)


class InstrumentCatalog:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._results: dict[str, LoadResult] = {}
        self._imported: set[str] = set()
        self.reload()

    @property
    def imported_dir(self) -> Path:
        return self.data_dir / IMPORTED_DIR

    def reload(self) -> None:
        self._results.clear()
        self._imported.clear()
        for folder, imported in ((instruments_dir(), False), (self.imported_dir, True)):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.yaml")):
                try:
                    result = _load(path)
                except InstrumentError:
                    # A shipped file that fails is a release bug; the others stay usable.
                    log.warning("an instrument file does not load; skipped (imported=%s)",
                                imported)
                    continue
                key = self._key(result)
                if key in self._results:
                    continue
                self._results[key] = result
                if imported:
                    self._imported.add(key)
        self._results = dict(sorted(self._results.items()))

    @staticmethod
    def _key(result: LoadResult) -> str:
        return f"{result.instrument.id}@{result.instrument.version}"

    def result(self, instrument_id: str, version: str) -> LoadResult:
        found = self._results.get(f"{instrument_id}@{version}")
        if found is None:
            raise InstrumentError("instrument not installed", code=ErrorCode.INSTRUMENT_NOT_FOUND,
                                  instrument=instrument_id)
        return found

    def by_key(self, key: str) -> LoadResult:
        instrument_id, _, version = key.partition("@")
        return self.result(instrument_id, version)

    def imported_results(self) -> list[LoadResult]:
        """The instruments imported in Settings (the report service needs their text)."""
        return [self._results[k] for k in sorted(self._imported)]

    def cards(self, ui_lang: str) -> list[InstrumentCard]:
        return [self.card(key, ui_lang) for key in self._results]

    def card(self, key: str, ui_lang: str) -> InstrumentCard:
        result = self._results[key]
        ins = result.instrument
        return InstrumentCard(
            key=key,
            id=ins.id,
            version=ins.version,
            title=ins.text(ins.title, ui_lang),
            population=ins.population,
            item_count=answerable_count(ins),
            typical_minutes=ins.typical_minutes,
            validation=ins.validation.status,
            languages=tuple(LanguageStatus(code, info.name, info.status)
                            for code, info in ins.languages.items()),
            source_language=ins.source_language,
            imported=key in self._imported,
            content_hash=result.content_hash,
            provenance=" ".join(ins.provenance.source_framework.split()),
            citation=" ".join(ins.provenance.citation.split()),
        )

    def import_file(self, path: Path) -> InstrumentCard:
        """Validate ``path`` and copy it into the imported folder; InstrumentError if bad."""
        result = _load(Path(path))
        self.imported_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        ins = result.instrument
        dest = self.imported_dir / f"{ins.id}-{ins.version}.yaml"
        shutil.copyfile(path, dest)
        self.reload()
        log.info("instrument imported: %s %s", ins.id, ins.version)
        return self.card(self._key(result), ins.source_language)
