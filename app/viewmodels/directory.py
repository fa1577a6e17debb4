"""The referral directory, read through ``screening.reports.directory``.

The shipped ``resources/referrals/*.csv`` files come first; a file the agency imported in
Settings is validated by the core, kept as ``<data folder>/referrals/imported.csv`` (services,
not personal data) and merged over them by id. Widgets get ``ServiceView`` snapshots.
When the directory module is missing the screens say so and still let the officer write notes.
"""

from __future__ import annotations

import importlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.qt_i18n import N_
from screening.paths import resource_path

log = logging.getLogger(__name__)

IMPORTED = ("referrals", "imported.csv")
NATIONAL = "national"

KIND_TEXT = {
    "hotline": N_("Helpline"),
    "shelter": N_("Shelter"),
    "legal": N_("Legal help"),
    "medical": N_("Medical care"),
    "counselling": N_("Counselling"),
    "law_enforcement": N_("Law enforcement"),
    "child_protection": N_("Child protection"),
}
NEED_TEXT = {
    "immediate_danger": N_("Immediate danger"),
    "general": N_("General support"),
    "shelter": N_("Shelter"),
    "legal": N_("Legal help"),
    "immigration": N_("Immigration"),
    "medical": N_("Medical care"),
    "counselling": N_("Counselling"),
    "labour": N_("Labour exploitation"),
    "sexual_exploitation": N_("Sexual exploitation"),
    "minor": N_("Under 18"),
    "tip_report": N_("Reporting a crime"),
}


@dataclass(frozen=True)
class ServiceView:
    service_id: str
    name: str
    kind: str
    needs: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    region: str = ""
    contacts: str = ""
    notes: str = ""
    interpreters: bool = False
    example: bool = False
    hours: str = ""

    def speaks(self, lang: str) -> bool:
        base = lang.replace("-", "_").split("_")[0]
        return any(x == lang or x.split("_")[0] == base for x in self.languages)


ServicesProvider = Callable[[], list[ServiceView] | None]


def _module() -> Any | None:
    try:
        return importlib.import_module("screening.reports.directory")
    except ImportError:
        return None


def available() -> bool:
    return _module() is not None


def to_view(s: Any) -> ServiceView:
    contacts = "; ".join(f"{c.kind}: {c.value}" for c in s.contacts())
    return ServiceView(
        service_id=s.id, name=s.name, kind=s.kind, needs=tuple(s.needs),
        languages=tuple(s.languages), region=s.region, contacts=contacts, notes=s.notes,
        interpreters=bool(s.interpreters), example=bool(s.example), hours=s.hours,
    )


def imported_path(data_dir: Path) -> Path:
    return Path(data_dir).joinpath(*IMPORTED)


def load_directory(data_dir: Path) -> Any | None:
    """The core ``Directory`` (shipped files merged with the imported one), or None."""
    module = _module()
    if module is None:
        return None
    directory = module.Directory(())
    for path in sorted(resource_path("referrals").glob("*.csv")):
        directory = directory.merged(module.load_directory(path))
    extra = imported_path(data_dir)
    if extra.exists():
        directory = module.import_directory(directory, extra)
    return directory


def load_services(data_dir: Path) -> list[ServiceView] | None:
    directory = load_directory(data_dir)
    if directory is None:
        return None
    return [to_view(s) for s in directory.services]


def provider_for(data_dir: Path) -> ServicesProvider:
    return lambda: load_services(data_dir)


def import_csv(data_dir: Path, path: Path) -> int:
    """Validate ``path`` with the core (DirectoryError lists every problem), then keep it.

    Returns how many services the file holds. LookupError when the module is missing.
    """
    module = _module()
    if module is None:
        raise LookupError("directory module not available")
    services = module.load_directory(Path(path)).services
    dest = imported_path(data_dir)
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(path, dest)
    log.info("referral directory imported: %d services", len(services))
    return len(services)


def editable_source(data_dir: Path) -> Path | None:
    """The file to copy for editing in a spreadsheet: the imported one, else the shipped."""
    extra = imported_path(data_dir)
    if extra.exists():
        return extra
    shipped = sorted(resource_path("referrals").glob("*.csv"))
    return shipped[0] if shipped else None
