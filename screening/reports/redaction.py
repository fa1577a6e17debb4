"""Redaction as a policy, in data: what each variant of a referral packet withholds or gives
less precisely, and the one function that applies it (``apply_policy``).

``FIELDS`` names every field of the packet data (dotted paths through the dataclasses of
``packet``; the records of a tuple share one path) and says, per variant, what happens to it.
Everything that leaves the laptop is made from the packet *after* the policy ran: the PDF
pages, the embedded ``referral.json``, the PDF metadata and the suggested file name. A field
the table does not name stops a redacted or minimal packet (fail closed), and
``redaction_check.unclassified_fields()`` lists it for the test suite: whoever adds a field
to the packet decides here what each variant does with it.

What each variant is for, and why it keeps what it keeps:

``full``
    For the services the person agreed to be referred to. Everything, including who the
    person is and the officer's own words. It needs the person's consent to share
    (``referral`` or ``law_enforcement``), or the officer's reason for writing it anyway,
    which is printed on page 1 and audited.

``redacted``, for a hotline
    A hotline advises on and routes a case it does not see: it needs *what* is happening and
    *roughly where*, never *who*. It keeps the screening result, the indicators and urgent
    flags with the answers behind them (options chosen and numbers), the person's languages
    (to arrange an interpreter), the age in 5-year bands split at 18 (whether the person may
    be a child changes everything a hotline does), the day of the interview (how recent it
    is), the region or country where the person is now (to find local services: the one the
    officer gave, ``details.current_region``; never derived from the services chosen, which
    may be national or far away), the services chosen and the consent's scope.
    It withholds what identifies the person, or the officer who could be asked about them:
    name, date of birth, contact details, gender, nationality, the officer's name and agency,
    every place (the interview's, where the person is now, where the exploitation happened:
    the fields are emptied, never overwritten with a region) and the time of day, and every
    piece of free text (the officer's reasons
    for each referral, notes and narrative, free-text answers, the consent's recipients as
    typed), because free text can hold any of these.

    Of the referral details (issue #15) it keeps what routes a case without naming anyone:
    the types of exploitation, its region (the officer's "region or country" field, shown
    in place of the place itself) and its dates, whether it goes on, the accommodation's kind
    (provided by the employer, a shelter ...), the safe ways to make contact (not the number),
    how many other potential victims there are (children first), whether the police were
    informed, and what the person asks for from the list. It withholds the officer's phone
    and email, the police reference (a key to a police record that names the person; the
    case reference is the key to quote back), and the free text: the safe contact details,
    the alleged exploiters, the other victims and the person's own
    words. The person's aliases are in no packet at all.

``minimal``, for anyone else (a second opinion, statistics)
    As ``redacted``, and dates (answers included) only to the month.

One age per packet (``packet.person_age``: the date of birth first, else the age answered);
a banded copy gives the age question's answer that same band.

No variant withholds the case reference or the document id: they identify the packet, not
the person, and let a receiver quote it back to the officer's agency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from screening.engine.dates import DateAnswer
from screening.errors import ErrorCode, ReportError
from screening.i18n import N_
from screening.reports import packet as pk
from screening.reports.packet import (
    AGE_ITEMS,
    AgeRange,
    AppendixEntry,
    Month,
    Person,
    ReferralPacket,
    Variant,
    person_age,
)


def age_band(age: int) -> AgeRange:
    """5-year bands (20-24, 25-29 ...), with 15-19 split at 18 into 15-17 and 18-19, so that
    a band always says whether the person may be under 18."""
    if 15 <= age <= 17:
        return AgeRange(15, 17)
    if 18 <= age <= 19:
        return AgeRange(18, 19)
    low = age - age % 5
    return AgeRange(low, low + 4)


def _local_day(value: datetime | date | Month, packet: ReferralPacket) -> date:
    if isinstance(value, datetime):
        return value.astimezone(packet.zone).date()
    if isinstance(value, Month):
        return date(value.year, value.month, 1)
    return value


@dataclass(frozen=True)
class Where:
    """What a rule may look at: the field's owner and the whole packet, both as they were
    before the policy ran."""

    packet: ReferralPacket
    owner: Any
    field: Field[Any]

    def withheld(self, value: Any) -> Any:
        """What the field holds when withheld: its default, else nothing of its kind."""
        if self.field.default is not MISSING:
            return self.field.default
        if self.field.default_factory is not MISSING:
            return self.field.default_factory()
        return () if isinstance(value, tuple) else None


class Rule:
    """What happens to one field. ``label`` (for a withheld field) or ``coarsens`` (for one
    given less precisely) is what the packet's notice says about it."""

    coarsens: str | None = None
    withholds: bool = False

    def apply(self, value: Any, where: Where) -> Any:
        raise NotImplementedError


class _Keep(Rule):
    def apply(self, value: Any, where: Where) -> Any:
        return value


class _Withhold(Rule):
    withholds = True

    def apply(self, value: Any, where: Where) -> Any:
        return where.withheld(value)


class _Day(Rule):
    coarsens = N_("dates without the time of day")

    def apply(self, value: Any, where: Where) -> Any:
        return value.astimezone(where.packet.zone).date() if isinstance(value, datetime) else value


class _Month(Rule):
    coarsens = N_("dates only to the month")

    def apply(self, value: Any, where: Where) -> Any:
        if isinstance(value, datetime | date):
            day = _local_day(value, where.packet)
            return Month(day.year, day.month)
        if isinstance(value, DateAnswer):  # an answer "about" a day, or in another calendar
            return value.to_month()
        return value


def person_band(packet: ReferralPacket) -> AgeRange | None:
    """The band of the person's one age (``packet.person_age``)."""
    age = packet.person.age
    if isinstance(age, AgeRange):
        return age
    if age is None:
        day = _local_day(packet.interview.started_at, packet)
        age = person_age(packet.person.date_of_birth, packet.appendix, day)
    return None if age is None else age_band(age)


class _AgeBand(Rule):
    coarsens = N_("age in 5-year bands, split at 18")

    def apply(self, value: Any, where: Where) -> Any:
        if isinstance(value, AgeRange):
            return value
        if isinstance(value, int):
            return age_band(value)
        return person_band(where.packet) if isinstance(where.owner, Person) else None


class _Place(_Withhold):
    """A place: withheld, never overwritten; the copy shows the region the officer gave in
    its own field (``details.*_region``) or says none was given, never a derived one."""

    coarsens = N_("places only to the region")


class _Answers(Rule):
    """Answers in the appendix: free text withheld, the person's age banded, dates by
    ``dates``."""

    def __init__(self, dates: Rule) -> None:
        self.dates = dates
        self.coarsens = dates.coarsens

    def apply(self, value: Any, where: Where) -> Any:
        entry = where.owner
        if value is None or not isinstance(entry, AppendixEntry):
            return value
        if entry.free_text:
            return where.withheld(value)
        if entry.item_id in AGE_ITEMS:
            # The person's one band (date of birth first): never two bands that disagree.
            band = person_band(where.packet)
            return tuple(
                (band or age_band(int(v)))
                if isinstance(v, int | float | Decimal) and not isinstance(v, bool)
                else v
                for v in value
            )
        return tuple(self.dates.apply(v, where) for v in value)


class _AnswerStatus(Rule):
    """An answer the variant withholds (free text, ``_Answers``) is marked so in the data,
    so that the PDF and ``referral.json`` both say "withheld", never "no answer"."""

    def apply(self, value: Any, where: Where) -> Any:
        entry = where.owner
        if isinstance(entry, AppendixEntry) and entry.free_text and value == "answered":
            return "withheld"
        return value


KEEP: Rule = _Keep()
WITHHOLD: Rule = _Withhold()
DAY: Rule = _Day()
MONTH: Rule = _Month()
AGE_BAND: Rule = _AgeBand()
PLACE: Rule = _Place()
ANSWERS_EXACT_DATES: Rule = _Answers(KEEP)
ANSWERS_MONTHS: Rule = _Answers(MONTH)
ANSWER_STATUS: Rule = _AnswerStatus()

# A rule on a record (``instrument``, ``result``) covers everything inside it.
# fmt: off
FIELDS: tuple[tuple[str, str | None, Rule, Rule, Rule], ...] = (
    # path                           withheld, shown as                 full  redacted  minimal
    ("document_id",                  None,                              KEEP, KEEP, KEEP),
    ("generated_at",                 None,                              KEEP, DAY, MONTH),
    ("time_zone",                    None,                              KEEP, KEEP, KEEP),
    ("report_language",              None,                              KEEP, KEEP, KEEP),
    ("case_reference",               None,                              KEEP, KEEP, KEEP),
    ("variant",                      None,                              KEEP, KEEP, KEEP),
    ("withheld",                     None,                              KEEP, KEEP, KEEP),
    ("recipient_fingerprint",        None,                              KEEP, KEEP, KEEP),
    ("audit_anchor",                 None,                              KEEP, KEEP, KEEP),
    ("person.name",                  N_("Name"),                        KEEP, WITHHOLD, WITHHOLD),
    ("person.date_of_birth",         N_("Date of birth"),               KEEP, WITHHOLD, WITHHOLD),
    ("person.age",                   None,                              KEEP, AGE_BAND, AGE_BAND),
    ("person.age_is_estimate",       None,                              KEEP, KEEP, KEEP),
    ("person.gender",                N_("Gender"),                      KEEP, WITHHOLD, WITHHOLD),
    ("person.nationality",           N_("Nationality"),                 KEEP, WITHHOLD, WITHHOLD),
    ("person.languages",             None,                              KEEP, KEEP, KEEP),
    ("person.contact",               N_("Contact"),                     KEEP, WITHHOLD, WITHHOLD),
    ("interview.started_at",         None,                              KEEP, DAY, MONTH),
    ("interview.ended_at",           None,                              KEEP, DAY, MONTH),
    ("interview.location",           None,                              KEEP, PLACE, PLACE),
    ("interview.officer_name",       N_("Officer"),                     KEEP, WITHHOLD, WITHHOLD),
    ("interview.agency",             N_("Agency"),                      KEEP, WITHHOLD, WITHHOLD),
    ("interview.officer_phone",      N_("Officer's phone and email"),   KEEP, WITHHOLD, WITHHOLD),
    ("interview.officer_email",      N_("Officer's phone and email"),   KEEP, WITHHOLD, WITHHOLD),
    ("interview.interpreter_used",   None,                              KEEP, KEEP, KEEP),
    ("interview.interpreter_language", None,                            KEEP, KEEP, KEEP),
    ("interview.respondent_language", None,                             KEEP, KEEP, KEEP),
    ("interview.officer_language",   None,                              KEEP, KEEP, KEEP),
    ("consent.shared_items",         None,                              KEEP, KEEP, KEEP),
    ("consent.recipients",           N_("Consent recipients"),          KEEP, WITHHOLD, WITHHOLD),
    ("consent.given_at",             None,                              KEEP, DAY, MONTH),
    ("consent.recorded_how",         None,                              KEEP, KEEP, KEEP),
    ("consent.recorded",             None,                              KEEP, KEEP, KEEP),
    ("instrument",                   None,                              KEEP, KEEP, KEEP),
    ("result",                       None,                              KEEP, KEEP, KEEP),
    ("referrals.service_id",         None,                              KEEP, KEEP, KEEP),
    ("referrals.name",               None,                              KEEP, KEEP, KEEP),
    ("referrals.kind",               None,                              KEEP, KEEP, KEEP),
    ("referrals.contacts",           None,                              KEEP, KEEP, KEEP),
    ("referrals.languages",          None,                              KEEP, KEEP, KEEP),
    ("referrals.reason",             N_("Why referred"),                KEEP, WITHHOLD, WITHHOLD),
    ("referrals.hours",              None,                              KEEP, KEEP, KEEP),
    ("referrals.example",            None,                              KEEP, KEEP, KEEP),
    ("referrals.outside_consent",    None,                              KEEP, KEEP, KEEP),
    ("referrals.override_reason",    N_("Officer's reason for a referral outside the consent"),
                                                                        KEEP, WITHHOLD, WITHHOLD),
    ("appendix.item_id",             None,                              KEEP, KEEP, KEEP),
    ("appendix.number",              None,                              KEEP, KEEP, KEEP),
    ("appendix.item_type",           None,                              KEEP, KEEP, KEEP),
    ("appendix.asked_language",      None,                              KEEP, KEEP, KEEP),
    ("appendix.question_asked",      None,                              KEEP, KEEP, KEEP),
    ("appendix.question_report",     None,                              KEEP, KEEP, KEEP),
    ("appendix.status",              None,                  KEEP, ANSWER_STATUS, ANSWER_STATUS),
    ("appendix.answer_asked",        N_("Free-text answers"),
                                     KEEP, ANSWERS_EXACT_DATES, ANSWERS_MONTHS),
    ("appendix.answer_report",       N_("Free-text answers"),
                                     KEEP, ANSWERS_EXACT_DATES, ANSWERS_MONTHS),
    ("appendix.officer_note",        N_("Officer's notes on answers"),
                                     KEEP, WITHHOLD, WITHHOLD),
    ("narrative",                    N_("Notes for the receiving service"),
                                                                        KEEP, WITHHOLD, WITHHOLD),
    ("details.contact_methods",      None,                              KEEP, KEEP, KEEP),
    ("details.safe_contact",         N_("Safe contact details"),        KEEP, WITHHOLD, WITHHOLD),
    ("details.current_location",     None,                              KEEP, PLACE, PLACE),
    ("details.current_region",       None,                              KEEP, KEEP, KEEP),
    ("details.accommodation",        None,                              KEEP, KEEP, KEEP),
    ("details.exploitation_types",   None,                              KEEP, KEEP, KEEP),
    ("details.exploitation_place",   None,                              KEEP, PLACE, PLACE),
    ("details.exploitation_region",  None,                              KEEP, KEEP, KEEP),
    ("details.exploitation_from",    None,                              KEEP, DAY, MONTH),
    ("details.exploitation_to",      None,                              KEEP, DAY, MONTH),
    ("details.exploitation_ongoing", None,                              KEEP, KEEP, KEEP),
    ("details.exploiters",           N_("Alleged exploiters"),          KEEP, WITHHOLD, WITHHOLD),
    ("details.other_victims_children", None,                            KEEP, KEEP, KEEP),
    ("details.other_victims_adults", None,                              KEEP, KEEP, KEEP),
    ("details.other_victims",        N_("About the other potential victims"),
                                                                        KEEP, WITHHOLD, WITHHOLD),
    ("details.police_informed",      None,                              KEEP, KEEP, KEEP),
    ("details.police_reference",     N_("Police reference"),            KEEP, WITHHOLD, WITHHOLD),
    ("details.wants",                None,                              KEEP, KEEP, KEEP),
    ("details.wishes",               N_("What the person wants, in their words"),
                                                                        KEEP, WITHHOLD, WITHHOLD),
    ("consent_override",             None,                              KEEP, WITHHOLD, WITHHOLD),
    # A received case (issue #15, review): the sending agency and officer are withheld like
    # the interview's; that it came from another agency, and when, is not.
    ("received_from.agency",         N_("Agency"),                      KEEP, WITHHOLD, WITHHOLD),
    ("received_from.officer",        N_("Officer"),                     KEEP, WITHHOLD, WITHHOLD),
    ("received_from.sent_at",        None,                              KEEP, DAY, MONTH),
    ("received_from.received_at",    None,                              KEEP, DAY, MONTH),
    ("holder.name",                  N_("Officer"),                     KEEP, WITHHOLD, WITHHOLD),
    ("holder.agency",                N_("Agency"),                      KEEP, WITHHOLD, WITHHOLD),
    ("holder.phone",                 N_("Officer's phone and email"),   KEEP, WITHHOLD, WITHHOLD),
    ("holder.email",                 N_("Officer's phone and email"),   KEEP, WITHHOLD, WITHHOLD),
)
# fmt: on


@dataclass(frozen=True)
class RedactionPolicy:
    variant: Variant
    description: str  # one line, N_-marked: what the variant is for
    heading: str | None  # the first line of the notice on page 1 (None: no notice)
    rules: Mapping[str, Rule]
    labels: Mapping[str, str]
    # What a withheld field shows, naming this copy (N_; None: the variant withholds nothing).
    withheld_note: str | None = None

    @property
    def containers(self) -> frozenset[str]:
        """Paths of records the table looks inside (``person``, ``referrals`` ...)."""
        out: set[str] = set()
        for path in self.rules:
            parts = path.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts)))
        return frozenset(out)

    def withheld(self) -> list[str]:
        """What this variant withholds, as the notice names it (N_ strings, in table order)."""
        out: list[str] = []
        for path, rule in self.rules.items():
            label = self.labels.get(path)
            if label and (rule.withholds or isinstance(rule, _Answers)) and label not in out:
                out.append(label)
        return out

    def coarsened(self) -> list[str]:
        """What this variant gives less precisely (N_ strings, in table order)."""
        out: list[str] = []
        for rule in self.rules.values():
            if rule.coarsens and rule.coarsens not in out:
                out.append(rule.coarsens)
        return out

    def withholds(self, path: str) -> bool:
        return self.rules.get(path, KEEP).withholds


DESCRIPTIONS: dict[Variant, str] = {
    "full": N_("Full: everything, for the services the person agreed to share with."),
    "redacted": N_(
        "Redacted, for a hotline: what happened and roughly where, not who; no free text."
    ),
    "minimal": N_("Minimal: as redacted, and dates only to the month."),
}
HEADINGS: dict[Variant, str | None] = {
    "full": None,
    "redacted": N_(
        "Redacted copy: the person's name, date of birth, contact details and all "
        "free-text notes have been removed."
    ),
    "minimal": N_("Minimal copy: no names, contact details, free text or officer details."),
}
WITHHELD_NOTES: dict[Variant, str | None] = {
    "full": None,
    "redacted": N_("Withheld in this redacted copy"),
    "minimal": N_("Withheld in this minimal copy"),
}


def _policy(variant: Variant, column: int) -> RedactionPolicy:
    rules = {path: (full, redacted, minimal)[column] for path, _l, full, redacted, minimal
             in FIELDS}
    labels = {path: label for path, label, *_rules in FIELDS if label}
    return RedactionPolicy(variant, DESCRIPTIONS[variant], HEADINGS[variant], rules, labels,
                           WITHHELD_NOTES[variant])


POLICIES: dict[Variant, RedactionPolicy] = {
    variant: _policy(variant, column) for column, variant in enumerate(pk.VARIANTS)
}


def _bad(message: str, **context: Any) -> ReportError:
    return ReportError(message, code=ErrorCode.REPORT_FAILED, **context)


class _Walk:
    def __init__(self, policy: RedactionPolicy, packet: ReferralPacket) -> None:
        self.policy = policy
        self.packet = packet
        self.containers = policy.containers
        self.changed: list[str] = []
        self.emptied: list[str] = []  # where a value was withheld ("referrals.0.reason")

    def updates(self, obj: Any, prefix: str, at: str | None = None) -> dict[str, Any]:
        """The fields of ``obj`` (a record at ``prefix``; ``at``: with record indexes) that
        the policy changes."""
        out: dict[str, Any] = {}
        for f in fields(obj):
            path = prefix + f.name
            place = (prefix if at is None else at) + f.name
            value = getattr(obj, f.name)
            rule = self.policy.rules.get(path)
            if rule is not None:
                new = rule.apply(value, Where(self.packet, obj, f))
                if new != value and path not in self.changed:
                    self.changed.append(path)
                if new != value and rule.withholds:
                    self.emptied.append(place)
            elif path in self.containers:
                if isinstance(value, tuple):
                    new = tuple(self.record(v, path + ".", f"{place}.{i}.")
                                for i, v in enumerate(value))
                else:
                    new = None if value is None else self.record(value, path + ".",
                                                                 place + ".")
            else:
                # Fail closed: a field nobody classified is never let through.
                raise _bad(
                    f"the redaction policy does not say what a {self.policy.variant} "
                    f"packet does with '{path}' (screening/reports/redaction.py)",
                    field=path,
                )
            if new is not value:
                out[f.name] = new
        return out

    def record(self, obj: Any, prefix: str, at: str) -> Any:
        changes = self.updates(obj, prefix, at)
        return replace(obj, **changes) if changes else obj


def apply_policy(packet: ReferralPacket, variant: Variant) -> ReferralPacket:
    """``packet`` as ``variant``: the one place data is withheld or coarsened."""
    if variant not in POLICIES:
        raise _bad(f"unknown packet variant {variant!r}", field="variant")
    if packet.variant == variant:
        return packet  # built as this variant, so checked in ReferralPacket.__post_init__
    if packet.variant != "full":
        raise _bad(
            f"a {packet.variant} packet cannot be made into a {variant} one; start "
            "from the full packet",
            field="variant",
        )
    if variant == "full":
        return packet
    walk = _Walk(POLICIES[variant], packet)
    updates = walk.updates(packet, "")
    updates["variant"] = variant
    # What held something and was withheld; a field that was empty stays empty (issue #15).
    updates["withheld"] = tuple(walk.emptied)
    return replace(packet, **updates)


def violations(packet: ReferralPacket) -> list[str]:
    """Paths whose data the packet's own variant would withhold or coarsen (empty when the
    packet is what it says it is)."""
    if packet.variant == "full":
        return []
    walk = _Walk(POLICIES[packet.variant], packet)
    walk.updates(packet, "")
    return walk.changed
