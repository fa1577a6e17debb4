"""The shipped instruments (resources/instruments/*.yaml) and lookup by id or file."""

from __future__ import annotations

from pathlib import Path

from screening.errors import ErrorCode, InstrumentError
from screening.instruments.loader import LoadResult, load_instrument
from screening.paths import instruments_dir


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in version.split("."))


def list_instruments(directory: Path | None = None) -> list[LoadResult]:
    """Every instrument in ``directory`` (default: the shipped ones), sorted by id, version.

    A shipped file that fails to load is an error of the release, so it raises.
    """
    folder = directory or instruments_dir()
    # The release's own files read with libyaml (issue #19: the first interview parses all).
    results = [load_instrument(path, fast=directory is None)
               for path in sorted(folder.glob("*.yaml"))]
    return sorted(
        results, key=lambda r: (r.instrument.id, version_key(r.instrument.version))
    )


def find_instrument(id_or_file: str, directory: Path | None = None) -> LoadResult:
    """An instrument file path, or the id of a shipped instrument (``id`` or ``id@version``)."""
    candidate = Path(id_or_file)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return load_instrument(candidate)
    wanted_id, _, wanted_version = id_or_file.partition("@")
    matches = [
        r
        for r in list_instruments(directory)
        if r.instrument.id == wanted_id
        and (not wanted_version or r.instrument.version == wanted_version)
    ]
    if not matches:
        known = ", ".join(sorted({r.instrument.id for r in list_instruments(directory)}))
        raise InstrumentError(
            f"no instrument '{id_or_file}' (shipped instruments: {known or 'none'})",
            code=ErrorCode.INSTRUMENT_NOT_FOUND,
        )
    return matches[-1]
