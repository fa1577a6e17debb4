"""From a stored case to a referral PDF: assemble the packet, build it, record it.

This is the one place the CLI (`fieldscreen report`, `fieldscreen demo`) and the GUI's
referral screen go through, so both produce the same packet from the same data.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from screening.casework.consent import (
    AGENCY_SERVER,
    LAW_ENFORCEMENT,
    REFERRAL,
    SCREENING,
    case_consent,
    normalise_scope,
)
from screening.casework.consent import Consent as CaseConsent
from screening.casework.referral_details import (
    ReferralDetails,
    load_referral_details,
    period_value,
)
from screening.engine.dates import DateAnswer
from screening.engine.plan import Plan
from screening.engine.scoring import score
from screening.engine.session import waiting_held_back
from screening.engine.state import Evaluation, Step
from screening.errors import ErrorCode, InputError, InstrumentError, ReportError
from screening.i18n import N_, Translator
from screening.instruments.model import Instrument, ItemType
from screening.instruments.review import language_reviews
from screening.reports.directory import Directory
from screening.reports.indicators import elements_screened, graded_basis
from screening.reports.packet import (
    AppendixEntry,
    Consent,
    Contact,
    Details,
    Flag,
    Indicator,
    IndicatorDomain,
    InstrumentInfo,
    LanguageReview,
    Month,
    Person,
    Referral,
    ReferralPacket,
    Result,
    Variant,
    person_age,
)
from screening.reports.pdf_password import pdf_password_problem
from screening.reports.provenance import (
    packet_holder,
    packet_interview,
    packet_received_from,
    parse_stamp,
)
from screening.store import ReferralRecord, Store
from screening.store.keys import check_passphrase

if TYPE_CHECKING:
    from screening.workspace import Workspace

log = logging.getLogger(__name__)

CONSENT_SCOPES = {
    SCREENING: N_("the screening interview"),
    REFERRAL: N_("sharing with the referral services chosen"),
    LAW_ENFORCEMENT: N_("sharing with law enforcement"),
    AGENCY_SERVER: N_("a copy on the agency's central server, encrypted"),
}
CONSENT_HOW = {
    "verbal": N_("verbal consent"),
    "written": N_("written consent"),
    "signed": N_("signed consent form"),
    "other": N_("other (see narrative)"),
}


def local_time_zone() -> str:
    """The machine's IANA time zone name ($TZ, /etc/localtime), else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    candidates = [name] if name else []
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    return "UTC"


def _lang_for(ins: Instrument, lang: str) -> str:
    return lang if lang in ins.languages else ins.source_language


def _answer_display(ins: Instrument, step: Step, value: Any, lang: str) -> tuple[Any, ...]:
    item = step.node.item
    if value is None:
        return ()
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.YES_NO, ItemType.OBSERVATION,
                     ItemType.MULTIPLE_CHOICE):
        labels = {c.name: ins.text(c.label, lang) for c in ins.choices_for(item)}
        names = value if isinstance(value, list) else [value]
        return tuple(labels.get(str(n), str(n)) for n in names)
    if item.type is ItemType.DATE:  # at its precision and in its calendar (issue #14)
        date = DateAnswer.from_stored(value)
        if date is None:
            return (value,)
        exact = date.gregorian and date.precision == "day" and not date.approximate
        return (date.first_day(),) if exact else (date,)
    # Words, never a raw value ("True", "OK"), in the language of the answer's column.
    _ = Translator(lang)
    if item.type is ItemType.ACKNOWLEDGE:
        return (_("Acknowledged"),)
    if isinstance(value, bool):
        return (_("Yes") if value else _("No"),)
    return (value,)


def _appendix(ins: Instrument, ev: Evaluation, lang: str) -> list[AppendixEntry]:
    entries = []
    section_numbers = {s.name: i for i, s in enumerate(ins.sections, start=1)}
    counters: dict[str, int] = {}
    for step in ev.steps():
        item = step.node.item
        if not item.is_answerable:
            continue
        record = ev.answers.get(step.key)
        if record is None or not record.answered:
            continue  # not answered: nothing to show, and never shown as "no"
        section = step.node.section.name
        counters[section] = counters.get(section, 0) + 1
        asked = record.language if record.language in ins.languages else ins.source_language
        status = record.special if record.special in ("refused", "dont_know") else "answered"
        report_lang = _lang_for(ins, lang)
        different = report_lang != asked
        entries.append(AppendixEntry(
            item_id=step.key,
            number=f"{section_numbers[section]}.{counters[section]}",
            item_type=item.type.value,
            asked_language=asked,
            question_asked=ins.text(item.text, asked),
            status=status,  # type: ignore[arg-type]
            answer_asked=_answer_display(ins, step, record.value, asked),
            question_report=ins.text(item.text, report_lang) if different else None,
            answer_report=(_answer_display(ins, step, record.value, report_lang)
                           if different else None),
            officer_note=record.note or None,
        ))
    return entries


def _result(ins: Instrument, ev: Evaluation, respondent_lang: str, lang: str,
            appendix_ids: set[str], held_back: list[str]) -> Result:
    label_lang = _lang_for(ins, lang)
    scored = score(ev, respondent_lang, label_lang, held_back=held_back)
    domain_labels = {d.name: ins.text(d.label, label_lang) for d in ins.domains}
    grouped: dict[str, list[Indicator]] = {}
    for ind in scored.indicators:
        grouped.setdefault(ind.domain, []).append(Indicator(
            name=ind.name, label=ind.label, strength=ind.strength, element=ind.element,
            triggered_by=tuple(k for k in ind.triggered_by if k in appendix_ids),
        ))
    domains = tuple(
        IndicatorDomain(name=name, label=domain_labels.get(name, name), indicators=tuple(inds))
        for name, inds in grouped.items()
    )
    flags = tuple(
        Flag(name=f.name, kind=f.kind, label=f.label, message=f.message,
             triggered_by=tuple(k for k in f.triggered_by if k in appendix_ids),
             urgent=f.urgent)
        for f in scored.flags
    )
    section_titles = {sec.name: ins.text(sec.title, label_lang) for sec in ins.sections}
    return Result(level=scored.level, label=scored.label, domains=domains, flags=flags,
                  unanswered_core=tuple(scored.unanswered_core),
                  held_back_sections=tuple(section_titles.get(name, name)
                                           for name in scored.held_back_sections),
                  rule=scored.rule, elements_screened=elements_screened(ins),
                  graded=graded_basis(ins, scored))


def _review(ins: Instrument, lang: str) -> LanguageReview | None:
    """Who reviewed the instrument's wording in ``lang`` (the core's one answer to that:
    ``language_reviews``), for a ``reviewed`` language that names a reviewer."""
    by, on = language_reviews(ins).get(lang, (None, None))
    return LanguageReview(by, on) if by else None


def _referrals(records: list[ReferralRecord], directory: Directory,
               consent: CaseConsent | None) -> tuple[Referral, ...]:
    """The chosen services as the packet shows them. A service the person's consent does
    not cover is marked so, with the officer's reason for referring anyway."""
    out = []
    for rec in records:
        outside = not (consent is not None and consent.allows_service(rec.kind))
        override = (rec.override_reason or "").strip() or None if outside else None
        service = directory.get(rec.service_id)
        if service is not None:
            referral = service.to_referral(rec.reason)
        else:
            contacts = (Contact("other", rec.contacts),) if rec.contacts else ()
            referral = Referral(rec.service_id, rec.service_name, rec.kind, contacts,
                                tuple(rec.languages), rec.reason)
        out.append(replace(referral, outside_consent=outside, override_reason=override))
    return tuple(out)


def _local_date(moment: dt.datetime, zone_name: str) -> dt.date:
    try:
        return moment.astimezone(ZoneInfo(zone_name)).date()
    except (ZoneInfoNotFoundError, ValueError):  # the packet refuses the zone by name
        return moment.date()


def _period(text: str | None) -> dt.date | Month | None:
    if not text:
        return None
    value = period_value(text)
    return value if isinstance(value, dt.date) else Month(*value)


def packet_details(details: ReferralDetails) -> Details | None:
    """The case's referral details as the packet holds them (None: none entered)."""
    if details.empty:
        return None
    values = {f.name: getattr(details, f.name) for f in fields(Details)}
    values["exploitation_from"] = _period(details.exploitation_from)
    values["exploitation_to"] = _period(details.exploitation_to)
    return Details(**values)


def build_case_packet(ws: Workspace, case_id: str, *, lang: str, redacted: bool = False,
                      variant: Variant = "full", interview_id: str | None = None,
                      now: dt.datetime | None = None,
                      consent_override: str | None = None) -> ReferralPacket:
    """Assemble the referral packet of a case from the workspace's store (no other I/O), as
    ``variant`` (``redacted=True`` is the older spelling of ``variant="redacted"``).

    The instrument text is the one the interview was run with (the store's snapshot, by
    content hash); the services come from the workspace's directory. ``consent_override``
    is the officer's reason for a full packet the consent does not cover."""
    if redacted:
        variant = "redacted"
    _ = Translator(lang)
    store = ws.store
    case = store.cases.get(case_id)
    interviews = list(case.interviews)
    if interview_id is not None:
        interviews = [i for i in interviews if i.id == interview_id]
    if not interviews:
        raise ReportError("this case has no interview to report on",
                          code=ErrorCode.REPORT_FAILED, case_id=case_id)
    finished = [i for i in interviews if i.finished]
    interview = (finished or interviews)[-1]
    meta = interview.meta
    try:
        loaded = ws.catalog.by_hash(meta.instrument_id, meta.content_hash)
    except InstrumentError as exc:
        raise ReportError(exc.message, code=ErrorCode.REPORT_FAILED) from None
    ins = loaded.instrument
    plan = Plan.build(ins, loaded.content_hash)
    moment = now or dt.datetime.now(dt.UTC)
    ev = Evaluation(plan, store.interviews.load_answers(interview.id), now=moment,
                    language=_lang_for(ins, lang))
    appendix = _appendix(ins, ev, lang)
    context = store.context.get(interview.id)
    # Still in discreet mode: what was held back is missing because of the companion.
    held_back = (waiting_held_back(ev, ev.answers)
                 if context is not None and context.companion == "present" else [])
    result = _result(ins, ev, meta.respondent_language, lang, {e.item_id for e in appendix},
                     held_back)

    prefs = ws.preferences
    profile = prefs.officer_profile()
    received = store.cases.received_from(case_id)
    started = parse_stamp(interview.created_at) or moment
    if context is not None and context.consent_given:
        consent = Consent(
            shared_items=tuple(_(CONSENT_SCOPES[s])
                               for s in normalise_scope(context.consent_scope)),
            recipients=tuple(context.consent_recipients),
            given_at=parse_stamp(context.consent_at) or started,
            recorded_how=_(CONSENT_HOW.get(context.consent_recorded_how,
                                           context.consent_recorded_how)),
        )
    else:  # nothing agreed: nothing to date (the page says no consent was recorded)
        consent = Consent(shared_items=(), recipients=(), given_at=None, recorded_how="",
                          recorded=False)
    interpreter_used = context.interpreter_used if context else meta.interpreter_used
    person = case.person
    dob = None
    if person is not None and person.date_of_birth:
        try:
            dob = dt.date.fromisoformat(person.date_of_birth)
        except ValueError:
            dob = None
    referral_records, narrative = store.referrals.get(case_id)
    directory = ws.directory()
    zone_name = prefs.time_zone() or local_time_zone()
    packet = ReferralPacket(
        document_id=str(uuid.uuid4()),
        generated_at=moment,
        time_zone=zone_name,
        report_language=lang,
        case_reference=case.reference,
        interview=packet_interview(meta, received, profile, started=started,
                                   ended=parse_stamp(interview.finished_at),
                                   interpreter_used=bool(interpreter_used),
                                   interpreter_language=(context.interpreter_language
                                                         if context
                                                         else meta.interpreter_language)),
        person=Person(
            name=person.name if person else None,
            date_of_birth=dob,
            # The one age (date of birth first), on the interview's day where it was held.
            age=person_age(dob, appendix, _local_date(started, zone_name)),
            gender=person.gender if person else None,
            nationality=person.nationality if person else None,
            languages=tuple(person.languages) if person else (),
            contact=person.contact if person else None,
        ),
        consent=consent,
        instrument=InstrumentInfo(
            instrument_id=ins.id,
            version=ins.version,
            title=ins.text(ins.title, _lang_for(ins, lang)),
            validation_status=ins.validation.status,
            content_hash=loaded.content_hash,
            interview_language_status=ins.languages[meta.respondent_language].status
            if meta.respondent_language in ins.languages else "draft",
            report_language_status=ins.languages[lang].status if lang in ins.languages
            else None,
            validation_note=ins.text(ins.validation.note, _lang_for(ins, lang)) or None,
            interview_language_review=_review(ins, meta.respondent_language),
            report_language_review=_review(ins, lang),
        ),
        result=result,
        referrals=_referrals(referral_records, directory, case_consent(store, case_id)),
        appendix=tuple(appendix),
        narrative=narrative,
        details=packet_details(load_referral_details(store, case_id)),
        consent_override=(consent_override or "").strip() or None,
        audit_anchor=_anchor_text(store),
        received_from=packet_received_from(received),
        holder=None if received is None else packet_holder(profile),
    )
    return packet.for_variant(variant)


def _anchor_text(store: Store) -> str:
    anchor = store.audit.anchor()
    return f"{anchor.entry_id}:{anchor.digest}"


REPORT_KINDS: dict[Variant, str] = {
    "full": "referral",
    "redacted": "referral_redacted",
    "minimal": "referral_minimal",
}


def consent_covers_sharing(ws: Workspace, case_id: str) -> bool:
    """Whether the person's consent lets a full packet (who they are) be shared."""
    consent = case_consent(ws.store, case_id)
    return consent is not None and (consent.covers(REFERRAL) or consent.covers(LAW_ENFORCEMENT))


def check_packet_allowed(ws: Workspace, case_id: str, variant: Variant = "full",
                         override_reason: str | None = None, *,
                         handover: bool = False) -> str | None:
    """The override reason a packet carries, or why it cannot be written: a full packet
    shares who the person is, so their consent must cover sharing, or the officer gives a
    reason (printed on page 1 and audited). The other variants need neither."""
    reason = (override_reason or "").strip() or None
    if reason is not None and variant != "full":
        raise InputError(f"an override reason is only for a full packet; a {variant} copy "
                         "needs no consent to share", code=ErrorCode.BAD_INPUT)
    if variant != "full":
        return None
    covered = consent_covers_sharing(ws, case_id)
    if covered and reason is not None:
        raise InputError("the person's consent covers sharing: a full packet needs no "
                         "override reason (leave it out)", code=ErrorCode.BAD_INPUT)
    if not covered and reason is None and handover:  # --to: always the full packet
        raise InputError(
            "the person's consent does not cover sharing their details (it needs 'referral' "
            "or 'law_enforcement'); record that consent first, or give your reason with "
            "--override-reason-file FILE to hand the case over anyway (a hand-over always "
            "holds the full packet)", code=ErrorCode.CONSENT_SHARING, case_id=case_id)
    if not covered and reason is None:
        raise InputError(
            "the person's consent does not cover sharing their details (it needs 'referral' "
            "or 'law_enforcement'); record that consent first, write a --variant redacted or "
            "minimal copy, or give your reason with --override-reason-file FILE to write "
            "the full packet anyway",
            code=ErrorCode.CONSENT_SHARING, case_id=case_id)
    return reason


def _check_consent_allows_a_packet(ws: Workspace, case_id: str) -> None:
    """A full packet without an override (the older name; the hand-over uses it)."""
    check_packet_allowed(ws, case_id, "full")


@dataclass(frozen=True)
class WrittenReport:
    """The two hashes of a packet written: of the file, and of the data embedded in it
    (``referral.json``, the "Data SHA-256" in every footer)."""

    file_sha256: str
    data_sha256: str


def write_case_report(ws: Workspace, case_id: str, out_path: Path, *, lang: str,
                      redacted: bool = False, password: str | None,
                      allow_plaintext: bool = False, interview_id: str | None = None,
                      variant: Variant = "full", override_reason: str | None = None) -> str:
    """``write_case_packet``, returning the file's SHA-256 only."""
    return write_case_packet(ws, case_id, out_path, lang=lang, redacted=redacted,
                             password=password, allow_plaintext=allow_plaintext,
                             interview_id=interview_id, variant=variant,
                             override_reason=override_reason).file_sha256


def write_case_packet(ws: Workspace, case_id: str, out_path: Path, *, lang: str,
                      redacted: bool = False, password: str | None,
                      allow_plaintext: bool = False, interview_id: str | None = None,
                      variant: Variant = "full",
                      override_reason: str | None = None) -> WrittenReport:
    """Build the case's referral PDF at ``out_path`` as ``variant``; record it (with the
    variant) in the audit trail.

    Returns the file's and the data's SHA-256. With ``password`` the PDF is AES-256
    encrypted (at most 32 bytes: ``pdf_password``); without it the caller must pass
    ``allow_plaintext=True`` (after warning the user). A path inside the data folder, over
    one of its files or onto a device is refused (``Workspace.check_output``).
    A full packet the person's consent does not cover needs ``override_reason``: it is
    printed on page 1 and the override is audited (ids only; the reason travels in the
    packet, whose hash the audit trail records).
    """
    if redacted:
        variant = "redacted"
    if variant not in REPORT_KINDS:
        raise InputError(f"unknown packet variant '{variant}' (one of: "
                         f"{', '.join(REPORT_KINDS)})", code=ErrorCode.BAD_INPUT)
    out_path = ws.check_output(out_path)
    if password is not None:
        # AES-256 R6 adds little key stretching: a weak password is the only protection
        # a lost PDF has, so the same rules as passphrases apply.
        if problem := pdf_password_problem(password):
            raise InputError(problem, code=ErrorCode.BAD_INPUT, reason="pdf_password_length")
        check_passphrase(password)
        if ws.store.is_store_secret(password):
            raise InputError("the PDF password must differ from the store's passphrase "
                             "and recovery key", code=ErrorCode.STORE_WEAK_PASSPHRASE)
    from screening.reports.referral_pdf import build_referral_pdf  # ReportLab: on first use

    override = check_packet_allowed(ws, case_id, variant, override_reason)
    packet = build_case_packet(ws, case_id, lang=lang, variant=variant,
                               interview_id=interview_id, consent_override=override)
    store = ws.store
    digest = build_referral_pdf(packet, out_path, password=password,
                                allow_plaintext=allow_plaintext)
    kind = REPORT_KINDS[variant]
    report_id = store.cases.record_report(
        case_id, digest, kind=kind, file_name=out_path.name,
        data_sha256=packet.packet_sha256(),
    )
    if override is not None:
        # Ids only: the reason itself is in the packet, whose hash report.recorded holds.
        store.audit.event("report.consent_override", case_id=case_id,
                          detail={"report_id": report_id, "kind": kind})
    if variant == "full":
        case = store.cases.get(case_id)
        if case.status in ("draft", "screened"):
            store.cases.set_status(case_id, "referred")
    log.info("referral written variant=%s encrypted=%s override=%s", variant,
             password is not None, override is not None)
    return WrittenReport(digest, packet.packet_sha256())
