"""The "Referral details" section of the referral PDF (issue #15), on the first page after
the urgent flags: what a receiving agency needs to act, in the order an intake worker asks
for it. Other children at risk come first; a withheld field says so (``redaction.FIELDS``).

Labels and the names of codes are the core's (``screening.casework.referral_details``),
translated into the report's language; free text is shown as typed, isolated.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether

from screening.casework.referral_details import BY_NAME
from screening.reports.context import H3, URGENT_INK, Ctx
from screening.reports.notices import withheld
from screening.reports.packet import Details
from screening.reports.redaction import EXPLOITATION_REGION
from screening.reports.text import Span, TextStyle

Rows = list[tuple[str, Sequence[Span] | Flowable]]


def _names(c: Ctx, key: str, codes: Sequence[str]) -> str:
    spec = BY_NAME[key]
    # Translators: the separator between items of a list, e.g. "، " in Arabic.
    return c._(", ").join(c._(spec.label_of(code)) for code in codes)


def _label(c: Ctx, key: str) -> str:
    return c._(BY_NAME[key].label)


class _Group:
    """The rows of one part of the section; a withheld field says so."""

    def __init__(self, c: Ctx) -> None:
        self.c = c
        self.rows: Rows = []

    def text(self, key: str, value: str | None, label: str | None = None) -> None:
        c = self.c
        label = label or _label(c, key)
        if c.withheld(f"details.{key}"):
            self.rows.append((label, withheld(c)))
        elif value:
            self.rows.append((label, [c.data(value, c.p.interview.officer_language)]))

    def plain(self, label: str, value: str | None) -> None:
        if value:
            self.rows.append((label, [self.c.data(value)]))


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
    if d.accommodation:
        contact.plain(_label(c, "accommodation"), _names(c, "accommodation", (d.accommodation,)))

    exploitation = _Group(c)
    if d.exploitation_types:
        exploitation.plain(_("Type"), _names(c, "exploitation_types", d.exploitation_types))
    if c.policy.rules["details.exploitation_place"] is EXPLOITATION_REGION:
        exploitation.plain(_label(c, "exploitation_region"), d.exploitation_region)
    else:
        exploitation.text("exploitation_place", d.exploitation_place, _("Where"))
        exploitation.plain(_label(c, "exploitation_region"), d.exploitation_region)
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


def _officer(c: Ctx) -> Rows:
    """How to reach the referring officer (their profile); withheld from a redacted copy."""
    _ = c._
    iv = c.p.interview
    if c.withheld("interview.officer_phone"):
        return [(_("Referring officer"), withheld(c))]
    if not (iv.officer_phone or iv.officer_email):
        return []
    who = " · ".join(x for x in (iv.officer_name, iv.agency) if x)
    rows: Rows = [(_("Referring officer"), [c.data(who or "—")])]
    if iv.officer_phone:
        rows.append((_("Phone"), [c.data(iv.officer_phone)]))
    if iv.officer_email:
        rows.append((_("Email"), [c.data(iv.officer_email)]))
    return rows


def details_block(c: Ctx) -> list[Flowable]:
    _ = c._
    d = c.p.details
    officer = _officer(c)
    if d is None and (not officer or c.withheld("interview.officer_phone")):
        return []
    out: list[Flowable] = [c.heading(_("Referral details"))]
    if d is not None and d.other_victims_children:
        out.append(c.tb([Span(_("Other children may be at risk: {count}").format(
            count=c.number(d.other_victims_children)), bold=True)],
            TextStyle(size=10.5, color=URGENT_INK, space_after=2)))
    for title, rows in (_groups(c, d) if d is not None else []):
        if rows:
            out.append(KeepTogether([c.heading(title, H3), c.rows(rows, 0.3)]))
    if officer:
        out.append(KeepTogether([c.heading(_("Contact for this referral"), H3),
                                 c.rows(officer, 0.3)]))
    return out
