"""Referral details: what a receiving agency needs to act on a referral (issue #15).

Compare the UK National Referral Mechanism form and a hotline's report: a safe way to
contact the person, where they are now (the place, and the region or country that the
redacted and minimal copies show instead: never derived from anything else) and where they
stay, the exploitation (its type, where and when), the alleged exploiters, other potential
victims (children first), the police reference, and what the person says they want. The
officer's own reason for the referral is the case's narrative (``store.referrals``;
``"reason"`` in a ``"referral"`` object), not a second field here. The person's aliases
stay on the person and no packet prints them.

The fields, their kinds, limits and allowed values are data (``FIELDS``, with translatable
labels). The answers file of ``fieldscreen interview`` (``"referral": {...}``), ``fieldscreen
referrals set`` and the app's referral screen all go through ``ReferralDetails.updated`` and
``save_referral_details``, so every face accepts and stores the same things. A field left out
of an update keeps its value; ``null`` or an empty value clears it. Nothing is stored for a
case without a consent on record: the details are about the person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from screening.casework.consent import case_consent
from screening.errors import ErrorCode, InputError
from screening.i18n import N_

if TYPE_CHECKING:
    from screening.store import Store

# -- vocabularies (codes are stored and exported; labels are shown, translated) -----------
CONTACT_METHODS: tuple[tuple[str, str], ...] = (
    ("call", N_("Phone call")),
    ("text", N_("Text message")),
    ("voicemail", N_("Voicemail")),
    ("email", N_("Email")),
    ("in_person", N_("In person")),
    ("through_referrer", N_("Only through the referring officer")),
)
ACCOMMODATION: tuple[tuple[str, str], ...] = (
    ("own_home", N_("Own home")),
    ("family_or_friends", N_("With family or friends")),
    ("employer", N_("Provided by the employer or the exploiters")),
    ("shelter", N_("Shelter or safe house")),
    ("hotel_or_hostel", N_("Hotel or hostel")),
    ("hospital", N_("Hospital")),
    ("detention", N_("Police custody or immigration detention")),
    ("none", N_("Nowhere to stay")),
    ("other", N_("Other")),
)
EXPLOITATION_TYPES: tuple[tuple[str, str], ...] = (
    ("labour", N_("Labour exploitation")),
    ("sexual", N_("Sexual exploitation")),
    ("domestic_servitude", N_("Domestic servitude")),
    ("criminal", N_("Forced criminal activity")),
    ("begging", N_("Forced begging")),
    ("forced_marriage", N_("Forced marriage")),
    ("organ_removal", N_("Organ removal")),
    ("other", N_("Other")),
)
WANTS: tuple[tuple[str, str], ...] = (
    ("safe_place", N_("A safe place to stay")),
    ("medical", N_("Medical care")),
    ("legal_advice", N_("Legal advice")),
    ("immigration_advice", N_("Advice on immigration status")),
    ("counselling", N_("Counselling")),
    ("basic_needs", N_("Food, money or other basic needs")),
    ("safe_work", N_("Help to find safe work")),
    ("contact_family", N_("To contact family")),
    ("return_home", N_("To return home")),
    ("report_to_police", N_("To report to the police")),
    ("no_police", N_("No police involvement")),
    ("time_to_decide", N_("Time to think before deciding")),
)

# Field kinds.
TEXT = "text"  # free text, several lines
LINE = "line"  # free text, one line
CHOICE = "choice"  # one code of ``choices``, or nothing
CHOICES = "choices"  # a list of codes of ``choices``
COUNT = "count"  # a whole number from 0, or nothing (not known)
FLAG = "flag"  # true or false
YES_NO = "yes_no"  # true, false, or nothing (not known)
PERIOD = "period"  # a month (YYYY-MM) or a day (YYYY-MM-DD)

MAX_TEXT = 2000
MAX_REASON = 5000
MAX_COUNT = 9999


@dataclass(frozen=True)
class DetailField:
    """One referral detail: its key, kind, label (N_) and what it accepts."""

    name: str
    kind: str
    label: str
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = MAX_TEXT

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.choices)

    def label_of(self, code: str) -> str:
        """The (untranslated, N_) label of a code; the code itself when unknown."""
        return dict(self.choices).get(code, code)


FIELDS: tuple[DetailField, ...] = (
    DetailField("safe_contact", TEXT, N_("Safe way to contact the person"),
                N_("Number or address, and when it is safe (for example: weekdays after "
                   "18:00, never at weekends)"), max_length=1000),
    DetailField("contact_methods", CHOICES, N_("Safe to use"), choices=CONTACT_METHODS),
    DetailField("current_location", LINE, N_("Where the person is now"), max_length=300),
    DetailField("current_region", LINE, N_("Region or country where the person is now"),
                N_("No address: the redacted and minimal copies show this instead of the "
                   "place"), max_length=120),
    DetailField("accommodation", CHOICE, N_("Accommodation"), choices=ACCOMMODATION),
    DetailField("exploitation_types", CHOICES, N_("Type of exploitation"),
                choices=EXPLOITATION_TYPES),
    DetailField("exploitation_place", LINE, N_("Where the exploitation happened"),
                N_("Town, site or address"), max_length=300),
    DetailField("exploitation_region", LINE, N_("Region or country of the exploitation"),
                N_("No address: the redacted and minimal copies show this instead of the "
                   "place"), max_length=120),
    DetailField("exploitation_from", PERIOD, N_("Exploitation began"),
                N_("YYYY-MM or YYYY-MM-DD")),
    DetailField("exploitation_to", PERIOD, N_("Exploitation ended"),
                N_("YYYY-MM or YYYY-MM-DD; empty while it goes on")),
    DetailField("exploitation_ongoing", FLAG, N_("Still going on")),
    DetailField("exploiters", TEXT, N_("Alleged exploiters"),
                N_("Names, descriptions, vehicles, places, phone numbers")),
    DetailField("other_victims_children", COUNT, N_("Other potential victims: children")),
    DetailField("other_victims_adults", COUNT, N_("Other potential victims: adults")),
    DetailField("other_victims", TEXT, N_("About the other potential victims"),
                N_("Who they are and where, children first")),
    DetailField("police_informed", YES_NO, N_("Police informed")),
    DetailField("police_reference", LINE, N_("Police reference"), max_length=100),
    DetailField("wants", CHOICES, N_("What the person says they want"), choices=WANTS),
    DetailField("wishes", TEXT, N_("What the person wants, in their words")),
)
BY_NAME: dict[str, DetailField] = {f.name: f for f in FIELDS}

# Why a value is refused, by problem code: the CLI prints the English text after the key,
# the app shows it translated beside the field (never parsing the English).
PROBLEMS: dict[str, str] = {
    "text": N_("must be text of at most {max} characters"),
    "one_line": N_("must be one line of at most {max} characters"),
    "choice": N_("must be one of: {allowed}"),
    "choices": N_("must be a list of: {allowed}"),
    "count": N_("must be a whole number from 0 to {max}, or empty when not known"),
    "flag": N_("must be true or false"),
    "yes_no": N_("must be true, false, or empty when not known"),
    "period": N_("must be a month (YYYY-MM) or a day (YYYY-MM-DD)"),
    "future": N_("the date is in the future"),
    "order": N_("the end is before the beginning"),
    "ongoing_end": N_("an exploitation that is still going on has no end date"),
    "police": N_("a police reference means the police were informed"),
    "unknown": N_("unknown key; known keys: {allowed}"),
}
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class DetailError(InputError):
    """A referral detail refused: ``field`` (its key), ``problem`` (a ``PROBLEMS`` code) and
    ``params`` let a face say why in its own language; the message names the key."""

    def __init__(self, where: str, name: str, problem: str, **params: Any) -> None:
        super().__init__(f"{where}: {PROBLEMS[problem].format(**params)}",
                         code=ErrorCode.BAD_INPUT, field=name, problem=problem)
        self.field = name
        self.problem = problem
        self.params = params


def period_value(text: str) -> dt.date | tuple[int, int]:
    """A stored period as a date, or (year, month) when it is given to the month."""
    if _DAY.fullmatch(text):
        return dt.date.fromisoformat(text)
    year, month = text.split("-")
    return int(year), int(month)


def _period_start(text: str) -> dt.date:
    value = period_value(text)
    return value if isinstance(value, dt.date) else dt.date(value[0], value[1], 1)


def _normalise(spec: DetailField, value: Any, where: str) -> Any:
    """The value as stored, or DetailError naming ``where``."""
    allowed = ", ".join(spec.codes)
    if spec.kind in (TEXT, LINE):
        if value is None:
            return None
        problem = "text" if spec.kind == TEXT else "one_line"
        if not isinstance(value, str) or len(value) > spec.max_length or (
                spec.kind == LINE and ("\n" in value or "\r" in value)):
            raise DetailError(where, spec.name, problem, max=spec.max_length)
        return value.strip() or None
    if spec.kind == CHOICE:
        if value is None or value == "":
            return None
        if value not in spec.codes:
            raise DetailError(where, spec.name, "choice", allowed=allowed)
        return value
    if spec.kind == CHOICES:
        if value is None:
            return ()
        if not isinstance(value, list | tuple) or any(v not in spec.codes for v in value):
            raise DetailError(where, spec.name, "choices", allowed=allowed)
        return tuple(c for c in spec.codes if c in value)  # the vocabulary's order, once
    if spec.kind == COUNT:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not (
                0 <= value <= MAX_COUNT):
            raise DetailError(where, spec.name, "count", max=MAX_COUNT)
        return value
    if spec.kind == FLAG:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise DetailError(where, spec.name, "flag")
        return value
    if spec.kind == YES_NO:
        if value is not None and not isinstance(value, bool):
            raise DetailError(where, spec.name, "yes_no")
        return value
    # PERIOD
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    try:
        start = _period_start(text) if _MONTH.fullmatch(text) or _DAY.fullmatch(text) else None
    except ValueError:
        start = None
    if start is None:
        raise DetailError(where, spec.name, "period")
    if start > dt.date.today():
        raise DetailError(where, spec.name, "future")
    return text


@dataclass(frozen=True)
class ReferralDetails:
    """A case's referral details, checked (see ``FIELDS``). Free text is ``repr=False``."""

    safe_contact: str | None = field(default=None, repr=False)
    contact_methods: tuple[str, ...] = ()
    current_location: str | None = field(default=None, repr=False)
    current_region: str | None = field(default=None, repr=False)
    accommodation: str | None = None
    exploitation_types: tuple[str, ...] = ()
    exploitation_place: str | None = field(default=None, repr=False)
    exploitation_region: str | None = field(default=None, repr=False)
    exploitation_from: str | None = None
    exploitation_to: str | None = None
    exploitation_ongoing: bool = False
    exploiters: str | None = field(default=None, repr=False)
    other_victims_children: int | None = None
    other_victims_adults: int | None = None
    other_victims: str | None = field(default=None, repr=False)
    police_informed: bool | None = None
    police_reference: str | None = field(default=None, repr=False)
    wants: tuple[str, ...] = ()
    wishes: str | None = field(default=None, repr=False)

    @property
    def empty(self) -> bool:
        return self == ReferralDetails()

    def to_json(self) -> dict[str, Any]:
        """Every key, in ``FIELDS`` order; lists as lists."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in FIELDS}

    def updated(self, changes: Mapping[str, Any], where: str = "referral") -> ReferralDetails:
        """These details with ``changes`` applied (keys left out keep their value), checked
        field by field and then as a whole; DetailError names the key (``where.key``)."""
        unknown = sorted(set(changes) - set(BY_NAME))
        if unknown:
            raise DetailError(f"{where}.{unknown[0]}", unknown[0], "unknown",
                              allowed=", ".join(BY_NAME))
        values = {name: _normalise(BY_NAME[name], value, f"{where}.{name}")
                  for name, value in changes.items()}
        if values.get("police_reference") and "police_informed" not in values \
                and self.police_informed is None:
            values["police_informed"] = True  # a reference says the police know
        new = replace(self, **values)
        new.check(where)
        return new

    def check(self, where: str = "referral") -> None:
        """Rules between fields (each field is checked on its own by ``updated``)."""
        start, end = self.exploitation_from, self.exploitation_to
        if end and self.exploitation_ongoing:
            raise DetailError(f"{where}.exploitation_to", "exploitation_to", "ongoing_end")
        if start and end and _period_start(end) < _period_start(start):
            raise DetailError(f"{where}.exploitation_to", "exploitation_to", "order")
        if self.police_reference and self.police_informed is False:
            raise DetailError(f"{where}.police_reference", "police_reference", "police")

    @classmethod
    def from_json(cls, doc: Any, where: str = "referral") -> ReferralDetails:
        if not isinstance(doc, Mapping):
            raise InputError(f"{where} must be an object", code=ErrorCode.BAD_INPUT)
        return cls().updated(doc, where)

    def changed_fields(self, other: ReferralDetails) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


@dataclass(frozen=True)
class ReferralUpdate:
    """What a face asks to change: the details given (checked, keys left out are not
    changed) and, when ``has_reason``, the officer's reason for the referral (the case's
    narrative; None clears it)."""

    changes: Mapping[str, Any] = field(default_factory=dict, repr=False)
    reason: str | None = field(default=None, repr=False)
    has_reason: bool = False

    def __repr__(self) -> str:  # keys only: values are about a person
        return f"ReferralUpdate({sorted(self.changes)}, reason={self.has_reason})"


def parse_referral(doc: Any, where: str = "referral") -> ReferralUpdate:
    """A ``"referral"`` object (answers file, ``referrals set`` file) as an update: every key
    checked, ``reason`` taken out as the narrative. DetailError/InputError name the key."""
    if not isinstance(doc, Mapping):
        raise InputError(f'{where} must be an object such as {{"reason": "...", '
                         '"safe_contact": "..."}', code=ErrorCode.BAD_INPUT)
    changes = {k: v for k, v in doc.items() if k != "reason"}
    checked = ReferralDetails().updated(changes, where)  # types, vocabularies, limits
    reason = doc.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise InputError(f"{where}.reason must be text of at most {MAX_REASON} characters",
                         code=ErrorCode.BAD_INPUT, field="reason")
    return ReferralUpdate({k: getattr(checked, k) for k in changes},
                          (reason or "").strip() or None, "reason" in doc)


# -- the service both faces call ------------------------------------------------------------
def _require_consent(store: Store, case_id: str) -> None:
    if case_consent(store, case_id) is None:
        raise InputError("no consent is on record for this case (or it was withdrawn): "
                         "nothing about the person is stored", code=ErrorCode.CONSENT_MISSING,
                         case_id=case_id)


def load_referral_details(store: Store, case_id: str) -> ReferralDetails:
    """The case's details (empty when none were entered). A stored key this version does not
    know, or a value it would refuse, is left out rather than stopping the case."""
    stored = store.referrals.details(case_id) or {}
    details = ReferralDetails()
    for name, value in stored.items():
        try:
            details = details.updated({name: value})
        except InputError:
            continue
    return details


def save_referral_details(store: Store, case_id: str, update: ReferralUpdate
                          ) -> ReferralDetails:
    """Apply ``update`` to the case's details and reason, in one transaction; returns the
    details now stored. Refused (CONSENT_MISSING) when the case has no consent on record."""
    _require_consent(store, case_id)
    current = load_referral_details(store, case_id)
    new = current.updated(update.changes)
    changed = new.changed_fields(current)
    with store.atomic("saving referral details"):
        if changed:
            store.referrals.save_details(case_id, None if new.empty else new.to_json(),
                                         changed)
        if update.has_reason:
            _services, narrative = store.referrals.get(case_id)
            if (narrative or None) != update.reason:
                store.referrals.save_narrative(case_id, update.reason)
    return new


def replace_referral_details(store: Store, case_id: str, details: ReferralDetails) -> None:
    """Store ``details`` as the case's whole details (a received hand-over)."""
    _require_consent(store, case_id)
    current = load_referral_details(store, case_id)
    if changed := details.changed_fields(current):
        store.referrals.save_details(case_id, None if details.empty else details.to_json(),
                                     changed)


__all__ = [
    "ACCOMMODATION",
    "BY_NAME",
    "CONTACT_METHODS",
    "EXPLOITATION_TYPES",
    "FIELDS",
    "PROBLEMS",
    "WANTS",
    "DetailError",
    "DetailField",
    "ReferralDetails",
    "ReferralUpdate",
    "load_referral_details",
    "parse_referral",
    "period_value",
    "replace_referral_details",
    "save_referral_details",
]
