"""Notices on page 1 of a referral packet: where a received case came from, what this copy
withholds (from the redaction table) and, on a full packet written without consent to share,
the officer's reason."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, Spacer

from screening.reports.context import URGENT_BG, URGENT_INK, WARN_INK, Ctx
from screening.reports.text import Span, TextStyle


def withheld(c: Ctx) -> list[Span]:
    """What a withheld field shows: the copy names itself ("... in this minimal copy")."""
    note = c.policy.withheld_note  # None only for the full packet, which withholds nothing
    return [Span(c._(note))] if note else []


def variant_notice(c: Ctx) -> list[Flowable]:
    """What this copy leaves out or gives less precisely, from the redaction table."""
    _ = c._
    policy = c.policy
    if policy.heading is None:
        return []
    style = TextStyle(size=9, color=WARN_INK)
    lines = [c.tb([Span(_(policy.heading), bold=True)], style)]
    if withheld := policy.withheld():
        lines.append(
            c.tb(
                _("Withheld from this copy: {fields}.").format(
                    fields=c.join([_(w) for w in withheld])
                ),
                style,
            )
        )
    if coarsened := policy.coarsened():
        lines.append(
            c.tb(
                _("Given less precisely: {what}.").format(what=c.join([_(w) for w in coarsened])),
                style,
            )
        )
    return [Spacer(1, 4), *lines]


def consent_override(c: Ctx) -> list[Flowable]:
    """A full packet written although the person's consent does not cover sharing: say so
    first, with the officer's reason."""
    _ = c._
    reason = c.p.consent_override
    if not reason:
        return []
    content: list[Flowable] = [
        c.tb(
            [Span(_("Written without the person's consent to share"), bold=True)],
            TextStyle(size=12, color=URGENT_INK),
        ),
        c.tb(
            [
                Span(
                    _(
                        "The person's consent does not cover sharing their details. The officer "
                        "wrote this full packet anyway, for this reason:"
                    )
                )
            ],
            TextStyle(size=9.5, color=URGENT_INK, space_before=2),
        ),
        c.tb(
            [c.data(reason, c.p.interview.officer_language, bold=True)],
            TextStyle(size=10.5, color=URGENT_INK, space_before=3),
            where="consent override",
        ),
    ]
    return [Spacer(1, 6), c.box(content, URGENT_BG, URGENT_INK)]


def received_rows(c: Ctx) -> list[tuple[str, Sequence[Span] | Flowable]]:
    """A case received from another agency says so, and when, before anything else."""
    _ = c._
    src = c.p.received_from
    if src is None:
        return []
    sender: Sequence[Span]
    if c.withheld("received_from.agency"):
        sender = [Span(_("Another agency")), Span(" — "), *withheld(c)]
    else:
        sender = c.items([x for x in (src.agency, src.officer) if x]) or [
            Span(_("Another agency"))]
    rows: list[tuple[str, Sequence[Span] | Flowable]] = [(_("Received from"), sender)]
    if src.received_at is not None:
        rows.append((_("Received on"), [c.data(c.when(src.received_at))]))
    return rows
