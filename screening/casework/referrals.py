"""The referral directory of a workspace, and choosing services within the person's consent.

The directory is the shipped one (``resources/referrals/*.csv``) with the agency's imported
rows merged over it by service id. Imported rows are kept inside the encrypted store: they
reveal which agencies a team works with, and backups carry them.

Consent decides what is offered: a service whose kind needs a scope the person did not agree
to (e.g. law enforcement when the consent covers screening and referral) is not offered;
choosing one anyway needs the officer's reason, which goes into the audit trail and onto the
packet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.casework.consent import Consent, case_consent, scope_needed
from screening.errors import ErrorCode, InputError
from screening.i18n import N_
from screening.paths import resource_path
from screening.reports.directory import Directory, Service, load_directory, parse_directory
from screening.store import ReferralRecord

if TYPE_CHECKING:
    from screening.store import Store


def shipped_directory_all() -> Directory:
    directory = Directory(())
    for path in sorted(resource_path("referrals").glob("*.csv")):
        directory = directory.merged(load_directory(path))
    return directory


def workspace_directory(store: Store | None) -> Directory:
    """Shipped services, with the imported ones (in the store) merged over them by id."""
    directory = shipped_directory_all()
    imported = store.directory.get() if store is not None else None
    if imported is not None:
        source, text = imported
        directory = directory.merged(parse_directory(text, source or "imported.csv"))
    return directory


def imported_csv(store: Store) -> tuple[str | None, str] | None:
    """(file name, CSV text) of the imported directory, or None."""
    return store.directory.get()


def import_directory_text(store: Store, text: str, source: str) -> int:
    """Validate the CSV completely (DirectoryError lists every problem), then keep it in the
    store, replacing an earlier import. Returns how many services it holds."""
    services = parse_directory(text, source).services
    store.directory.put(Path(source).name, text)
    return len(services)


def import_directory_file(store: Store, path: Path) -> int:
    directory = load_directory(Path(path))  # reads, decodes and validates (file, line)
    text = Path(path).read_bytes().decode("utf-8")
    store.directory.put(Path(path).name, text)
    return len(directory.services)


def allowed(service: Service, consent: Consent | None) -> bool:
    """Whether the person's consent covers a referral to ``service``."""
    return consent is not None and consent.allows_service(service.kind)


def offered_services(directory: Directory, consent: Consent | None, *, need: str = "",
                     language: str = "", region: str = "",
                     include_outside_consent: bool = False) -> list[Service]:
    """Services to offer: matching the filters and, unless asked, within the consent."""
    found = directory.filter(need=need or None, language=language or None,
                             region=region or None)
    return [s for s in found if include_outside_consent or allowed(s, consent)]


# How each kind of contact reads on screen (the PDF's words for them, translated by the
# caller); the stored line and the CLI's output keep the codes ("phone: …").
CONTACT_LABELS: dict[str, str] = {
    "phone": N_("Call"), "text": N_("Text"), "relay": N_("TTY/relay"), "email": N_("Email"),
    "address": N_("Address"), "web": N_("Web"),
}


def contact_line(service: Service) -> str:
    """A service's contacts in one line, as a referral record keeps them."""
    return "; ".join(f"{c.kind}: {c.value}" for c in service.contacts())


def labelled_contacts(line: str, translate: Callable[[str], str]) -> str:
    """A line as ``contact_line`` writes it ("phone: 1-888…; web: https://…") with each
    known kind named for the reader: ``translate`` of its label ("Call: 1-888…"). A part
    that does not start with a known kind is left as it is."""
    parts = []
    for part in line.split("; "):
        kind, sep, value = part.partition(": ")
        label = CONTACT_LABELS.get(kind) if sep else None
        parts.append(f"{translate(label)}: {value}" if label else part)
    return "; ".join(parts)


def chosen_records(directory: Directory, choices: Iterable[Mapping[str, Any]]
                   ) -> list[ReferralRecord]:
    """Referral records for ``{"id", "reason", "override_reason"}`` choices; an id the
    directory does not hold is bad input."""
    records = []
    for choice in choices:
        service = directory.get(str(choice["id"]))
        if service is None:
            raise InputError(f"no service '{choice['id']}' in the referral directory "
                             "(`fieldscreen directory list`)", code=ErrorCode.BAD_INPUT)
        records.append(ReferralRecord(
            service.id, service.name, service.kind, reason=str(choice.get("reason") or ""),
            contacts=contact_line(service), languages=service.languages,
            override_reason=(str(choice.get("override_reason") or "").strip() or None)))
    return records


def check_choices(records: Iterable[ReferralRecord], consent: Consent | None) -> None:
    """Refuse a service outside the consent unless the officer gave a reason."""
    for record in records:
        needed = scope_needed(record.kind)
        if consent is not None and consent.covers(needed):
            continue
        if not (record.override_reason or "").strip():
            raise InputError(
                f"service '{record.service_id}': the person's consent does not cover "
                f"'{needed}'; choosing it needs an override with a reason",
                code=ErrorCode.CONSENT_SCOPE, service=record.service_id, scope=needed)


def save_referrals(store: Store, case_id: str, records: list[ReferralRecord],
                   narrative: str | None) -> None:
    """Save the chosen services and the narrative, enforcing the case's consent. Each
    override is audited once, with its reason."""
    consent = case_consent(store, case_id)
    check_choices(records, consent)
    before, _narrative = store.referrals.get(case_id)
    audited = {(r.service_id, (r.override_reason or "").strip()) for r in before}
    with store.atomic("saving referrals"):
        store.referrals.save(case_id, records, narrative)
        for record in records:
            needed = scope_needed(record.kind)
            reason = (record.override_reason or "").strip()
            if consent is not None and consent.covers(needed):
                continue
            if (record.service_id, reason) in audited:
                continue
            store.audit.event("referral.override", case_id=case_id, detail={
                "service_id": record.service_id, "scope_needed": needed, "reason": reason})


__all__ = [
    "CONTACT_LABELS",
    "allowed",
    "check_choices",
    "chosen_records",
    "contact_line",
    "import_directory_file",
    "import_directory_text",
    "imported_csv",
    "labelled_contacts",
    "offered_services",
    "save_referrals",
    "shipped_directory_all",
    "workspace_directory",
]
