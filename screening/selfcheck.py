"""Start-up self-check of what fails silently when missing.

ReportLab quietly stops shaping Arabic and Devanagari when uharfbuzz cannot be imported, and
a bundle missing a font or the migration SQL would only fail later, in front of a
respondent. A language no shipped font covers shows as boxes on a laptop without the right
system fonts and makes the referral PDF refuse (issue #14). ``problems()`` names each such
gap, the language included; the app warns at start, the PDF code refuses to build without
shaping, and `fieldscreen selfcheck` exits 1 when anything is missing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any

from screening.errors import ReportError
from screening.paths import instruments_dir, resource_path, translations_dir


def coverage_problems(results: Iterable[Any] | None = None, *, ui: bool = True) -> list[str]:
    """Every language of the instruments (default: the shipped ones) and, with ``ui``, of
    the UI catalogs, whose text has letters no shipped font has; one line per language."""
    from screening.i18n.glyphs import (
        FontFileError,
        catalog_texts,
        instrument_gaps,
        language_gaps,
        shipped_coverage,
    )

    try:
        cover = shipped_coverage()
    except (OSError, FontFileError) as exc:
        return [f"the shipped fonts cannot be read: {exc}"]
    if results is None:
        from screening.casework.catalog import shipped_instruments

        results = shipped_instruments()
    gaps = instrument_gaps(results, cover)
    if ui:
        gaps += language_gaps(catalog_texts(translations_dir()), "the app's own wording",
                              cover)
    return [gap.describe() for gap in gaps]


def problems(*, coverage: bool = True) -> list[str]:
    """What is missing; ``coverage``: also check that every language can be shown."""
    found: list[str] = []
    try:
        from screening.reports.fonts import FACE_SPECS, require_shaping

        require_shaping()
    except (ImportError, ReportError) as exc:  # reportlab or uharfbuzz missing
        found.append(f"PDF reports unavailable: {exc}")
    else:
        for spec in FACE_SPECS:
            for name in (spec.regular, spec.bold):
                if name and not resource_path("fonts", name).is_file():
                    found.append(f"font missing: resources/fonts/{name} ({spec.family})")
    if not any(instruments_dir().glob("*.yaml")):
        found.append("no instruments found in resources/instruments")
    from importlib import resources

    migrations = resources.files("screening.store.migrations")
    if not any(p.name.endswith(".sql") for p in migrations.iterdir()):
        found.append("the database schema (screening/store/migrations/*.sql) is missing")
    if coverage and not any(p.startswith("font missing") for p in found):
        found += coverage_problems()
    return found


def register(sub: Any) -> None:
    p = sub.add_parser("selfcheck", help="check that fonts, text shaping, instruments and the "
                       "schema are all present, and that a shipped font shows every language "
                       "(exit 1 naming what is missing)")
    p.add_argument("--installed", action="store_true",
                   help="also check the instruments installed in the encrypted store "
                   "(asks for the passphrase)")
    p.set_defaults(func=cmd_selfcheck)


def cmd_selfcheck(args: argparse.Namespace) -> int:
    found = problems()
    if getattr(args, "installed", False):
        from screening.cli.common import open_workspace

        with open_workspace(args) as ws:
            installed = [e.result for e in ws.catalog.entries() if e.origin == "installed"]
        found += coverage_problems(installed, ui=False)
    for problem in found:
        print(f"missing: {problem}", file=sys.stderr)
    if not found:
        print("ok: fonts, text shaping, instruments and schema are present; a shipped font "
              "shows every language")
    return 1 if found else 0
