"""The "Referral details" section of the referral PDF (issue #15), on the first page after
the urgent flags and the person: what a receiving agency needs to act, in the order an intake
worker asks for it. Other children at risk come first, then the officer's notes for the
receiving service (the reason for the referral); a withheld field says so, naming the copy
(``redaction.FIELDS``). A copy without places shows the region or country the officer gave
for each, or says that none was given.

Labels and the names of codes are the core's (``screening.casework.referral_details``),
translated into the report's language; free text is shown as typed, isolated.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether

from screening.casework.referral_details import BY_NAME
from screening.reports.context import BODY, H3, URGENT_INK, Ctx
from screening.reports.notices import withheld
from screening.reports.packet import Details
from screening.reports.text import Span, TextStyle

Rows = list[tuple[str, Sequence[Span] | Flowable]]


def _names(c: Ctx, key: str, codes: Sequence[str]) -> str:
    """Codes as their labels in the report's language, as one list (never a raw code)."""
    spec = BY_NAME[key]
    return c.join([c._(spec.label_of(code)) for code in codes])


def _label(c: Ctx, key: str) -> str:
    return c._(BY_NAME[key].label)


class _Group:
    """The rows of one part of the section; a withheld field says so."""

    def __init__(self, c: Ctx) -> None:
        self.c = c
        self.rows: Rows = []
        self.entered = c.p.details is not None  # else no field can say "withheld"

    def text(self, key: str, value: str | None, label: str | None = None) -> None:
        c = self.c
        label = label or _label(c, key)
        if c.withheld(f"details.{key}"):
            if self.entered:
                self.rows.append((label, withheld(c)))
        elif value:
            self.rows.append((label, [c.data(value, c.p.interview.officer_language)]))

    def plain(self, label: str, value: str | None) -> None:
        if value:
            self.rows.append((label, [self.c.data(value)]))

    def region(self, key: str, value: str | None, place: str, *, always: bool = False) -> None:
        """The region or country the officer gave (free text, in the officer's language).
        A copy without places (``redaction.PLACE``) shows it where the place would be, and
        says when none was given (``always``: even with no details entered): a hotline must
        not guess it from anything else."""
        c = self.c
        if value:
            self.rows.append((_label(c, key), [c.data(value, c.p.interview.officer_language)]))
        elif c.withheld(f"details.{place}") and (self.entered or always):
            self.rows.append((_label(c, key), [Span(c._("not given"))]))


def _when(c: Ctx, d: Details) -> str | None:
    _ = c._
    start = c.when(d.exploitation_from) if d.exploitation_from else None
    end = c.when(d.exploitation_to) if d.exploitation_to else None
    if start and end:
        return _("from {start} to {end}").format(start=start, end=end)
    if start:
        return (_("since {start}, still going on") if d.exploitation_ongoing
                else _("from {start}")).format(start=start)
    if end:
        return _("until {end}").format(end=end)
    return _("still going on") if d.exploitation_ongoing else None


def _count(c: Ctx, value: int | None) -> str:
    return c._("Not known") if value is None else c.number(value)


def _groups(c: Ctx, d: Details) -> list[tuple[str, Rows]]:
    _ = c._
    contact = _Group(c)
    if d.contact_methods:
        contact.plain(_label(c, "contact_methods"),
                      _names(c, "contact_methods", d.contact_methods))
    contact.text("safe_contact", d.safe_contact)
    contact.text("current_location", d.current_location)
    contact.region("current_region", d.current_region, "current_location", always=True)
    if d.accommodation:
        contact.plain(_label(c, "accommodation"), _names(c, "accommodation", (d.accommodation,)))

    exploitation = _Group(c)
    if d.exploitation_types:
        exploitation.plain(_("Type"), _names(c, "exploitation_types", d.exploitation_types))
    exploitation.text("exploitation_place", d.exploitation_place, _("Where"))
    exploitation.region("exploitation_region", d.exploitation_region, "exploitation_place")
    exploitation.plain(_("When"), _when(c, d))
    exploitation.text("exploiters", d.exploiters)

    victims = _Group(c)  # children first
    if d.other_victims_children is not None or d.other_victims_adults is not None:
        victims.plain(_("Children"), _count(c, d.other_victims_children))
        victims.plain(_("Adults"), _count(c, d.other_victims_adults))
    victims.text("other_victims", d.other_victims, _("About them"))

    police = _Group(c)
    if d.police_informed is not None:
        police.plain(_label(c, "police_informed"), _("Yes") if d.police_informed else _("No"))
    police.text("police_reference", d.police_reference)

    wants = _Group(c)
    if d.wants:
        wants.plain(_("Asks for"), _names(c, "wants", d.wants))
    wants.text("wishes", d.wishes, _("In their words"))
    return [
        (_("Contacting the person safely"), contact.rows),
        (_("Exploitation"), exploitation.rows),
        (_("Other potential victims"), victims.rows),
        (_("Police"), police.rows),
        (_("What the person says they want"), wants.rows),
    ]


def _holder(c: Ctx) -> Rows:
    """A received case: the contact is whoever holds it now (this store's profile), not the
    officer of the agency that sent it."""
    _ = c._
    h = c.p.holder
    assert h is not None
    if c.withheld("holder.phone"):
        return [(_("Holds the case now"), withheld(c))]
    who = [x for x in (h.name, h.agency) if x]
    rows: Rows = [(_("Holds the case now"), c.items(who) or [c.data("—")])]
    if h.phone:
        rows.append((_("Phone"), [c.data(h.phone)]))
    if h.email:
        rows.append((_("Email"), [c.data(h.email)]))
    return rows


def _officer(c: Ctx) -> Rows:
    """How to reach the referring officer (their profile); withheld from a redacted copy."""
    _ = c._
    if c.p.holder is not None:
        return _holder(c)
    iv = c.p.interview
    if c.withheld("interview.officer_phone"):
        return [(_("Referring officer"), withheld(c))]
    if not (iv.officer_phone or iv.officer_email):
        return []
    who = [x for x in (iv.officer_name, iv.agency) if x]
    rows: Rows = [(_("Referring officer"), c.items(who) or [c.data("—")])]
    if iv.officer_phone:
        rows.append((_("Phone"), [c.data(iv.officer_phone)]))
    if iv.officer_email:
        rows.append((_("Email"), [c.data(iv.officer_email)]))
    return rows


def _notes(c: Ctx) -> list[Flowable]:
    """The officer's notes for the receiving service (the case's narrative: the reason for
    the referral), under the words the officer saw when writing them."""
    _ = c._
    title = c.heading(_("Notes for the receiving service"), H3)
    if "narrative" in c.p.withheld:  # notes that were empty stay unshown
        return [KeepTogether([title, c.tb(withheld(c), BODY)])]
    if not c.p.narrative:
        return []
    text = c.tb([c.data(c.p.narrative, c.p.interview.officer_language)], BODY, where="narrative")
    return [title, text]


def details_block(c: Ctx) -> list[Flowable]:
    _ = c._
    d = c.p.details
    if d is None and c.withheld("details.current_location"):
        d = Details()  # a copy without places still says which region, or that none is given
    officer = _officer(c)
    notes = _notes(c)
    if d is None and not officer and not notes:
        return []
    out: list[Flowable] = [c.heading(_("Referral details"))]
    if d is not None and d.other_victims_children:
        out.append(c.tb([Span(_("Other children may be at risk: {count}").format(
            count=c.number(d.other_victims_children)), bold=True)],
            TextStyle(size=10.5, color=URGENT_INK, space_after=2)))
    out += notes
    for title, rows in (_groups(c, d) if d is not None else []):
        if rows:
            out.append(KeepTogether([c.heading(title, H3), c.rows(rows, 0.3)]))
    if officer:
        out.append(KeepTogether([c.heading(_("Contact for this referral"), H3),
                                 c.rows(officer, 0.3)]))
    return out
