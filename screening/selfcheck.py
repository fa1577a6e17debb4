"""Start-up self-check of what fails silently when missing.

ReportLab quietly stops shaping Arabic and Devanagari when uharfbuzz cannot be imported, and
a bundle missing a font or the migration SQL would only fail later, in front of a
respondent. ``problems()`` names each such gap; the app warns at start, the PDF code refuses
to build without shaping, and `fieldscreen selfcheck` exits 1 when anything is missing.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from screening.errors import ReportError
from screening.paths import instruments_dir, resource_path


def problems() -> list[str]:
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
    return found


def register(sub: Any) -> None:
    p = sub.add_parser("selfcheck", help="check that fonts, text shaping, instruments and the "
                       "schema are all present (exit 1 naming what is missing)")
    p.set_defaults(func=cmd_selfcheck)


def cmd_selfcheck(_args: argparse.Namespace) -> int:
    found = problems()
    for problem in found:
        print(f"missing: {problem}", file=sys.stderr)
    if not found:
        print("ok: fonts, text shaping, instruments and schema are present")
    return 1 if found else 0
