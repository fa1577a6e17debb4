"""The referral directory as the screens see it: ``ServiceView`` snapshots and labels.

The core decides everything about the directory (``screening.casework.referrals``): the
shipped ``resources/referrals/*.csv`` with the agency's imported rows merged over them by id,
the imported rows kept inside the encrypted store (``Workspace.directory()``), validation of
an import or an edit (every problem with its line and column). This module only turns core
``Service`` objects into ``ServiceView`` snapshots for widgets and names kinds and needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.qt_i18n import N_
from screening.casework.referrals import contact_line, import_directory_text, imported_csv
from screening.paths import resource_path
from screening.reports.directory import Service
from screening.workspace import Workspace

log = logging.getLogger(__name__)

# The name the directory editor's table is checked and kept under (problems name it).
EDITOR_SOURCE = "edited-in-fieldscreen.csv"

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
    """One service, as a widget shows it. ``outside_consent``: the case's consent does not
    cover referring the person to it (only set where a case is open)."""

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
    outside_consent: bool = False


def to_view(s: Service, *, outside_consent: bool = False) -> ServiceView:
    contacts = contact_line(s)
    return ServiceView(
        service_id=s.id, name=s.name, kind=s.kind, needs=tuple(s.needs),
        languages=tuple(s.languages), region=s.region, contacts=contacts, notes=s.notes,
        interpreters=bool(s.interpreters), example=bool(s.example), hours=s.hours,
        outside_consent=outside_consent,
    )


def all_services(workspace: Workspace) -> list[ServiceView]:
    """Every service of the workspace's directory, in directory order."""
    return [to_view(s) for s in workspace.directory()]


def import_file(workspace: Workspace, path: Path) -> int:
    """Validate a directory CSV with the core and keep it in the encrypted store (replacing
    an earlier import). DirectoryError lists every problem. Returns the number of services."""
    count = workspace.import_directory(Path(path))
    log.info("referral directory imported into the store: %d services", count)
    return count


def has_imported(workspace: Workspace) -> bool:
    """Whether the agency imported or edited a directory (kept in the store)."""
    return imported_csv(workspace.store) is not None


def editable_csv(workspace: Workspace) -> str:
    """The CSV to start editing from: the agency's imported one (from the store), else the
    shipped directory as an example."""
    imported = imported_csv(workspace.store)
    if imported is not None:
        return imported[1]
    shipped = sorted(resource_path("referrals").glob("*.csv"))
    return shipped[0].read_bytes().decode("utf-8") if shipped else ""


def save_edited(workspace: Workspace, text: str) -> int:
    """Validate the edited table's CSV with the core and keep it in the store."""
    count = import_directory_text(workspace.store, text, EDITOR_SOURCE)
    log.info("referral directory edited: %d services", count)
    return count
