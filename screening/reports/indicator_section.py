"""The referral PDF's indicators: why the outcome is what it is, what the indicators add up to
(act, means, purpose: the elements of the Palermo definition) and each indicator with its
element, strength and the answers behind it (issue #16).

The words come from ``reports.indicators``, which the app's outcome view uses too. Element
and strength describe the instrument's indicators, not the person, so every variant shows
them; the answers behind an indicator follow the variant's policy (``redaction``).
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether

from screening.reports.context import (
    ACCENT,
    BASIS_NAMES,
    H3,
    MUTED,
    SMALL,
    Ctx,
    join_list,
)
from screening.reports.indicators import (
    element_summary,
    indicator_order,
    indicator_tags,
    outcome_reason,
)
from screening.reports.notices import withheld
from screening.reports.packet import AppendixEntry
from screening.reports.text import Span, TextStyle


def reason_block(c: Ctx) -> list[Flowable]:
    """The one sentence that says why the outcome is what it is (None to add: nothing)."""
    r = c.p.result
    reason = outcome_reason(r.level, r.graded, c._, c.lang)
    if not reason:
        return []
    return [c.tb(reason, TextStyle(size=9.5, color=ACCENT, space_after=2), where="result.reason")]


def _summary(c: Ctx) -> list[Flowable]:
    _ = c._
    r = c.p.result
    found = [(i.element, i.strength) for d in r.domains for i in d.indicators]
    line, missing = element_summary(found, r.elements_screened, c._, c.lang)
    if not line:
        return []
    out: list[Flowable] = [
        c.tb([Span(_("Elements found: "), bold=True), Span(line)],
             TextStyle(size=9.5, space_before=2), where="result.elements"),
    ]
    if missing:
        out.append(c.tb(missing, TextStyle(size=9, color=MUTED), where="result.elements"))
    out.append(c.tb(
        _("Act, means and purpose are the three elements of the definition of trafficking "
          "(Palermo Protocol, art. 3). For a child, the means are not needed."), SMALL))
    return out


def indicators_block(c: Ctx) -> list[Flowable]:
    _ = c._
    r = c.p.result
    if not r.domains:
        return []
    out: list[Flowable] = [c.heading(_("Indicators present"), H3), *_summary(c)]
    for domain in r.domains:
        out.append(
            c.tb(
                [c.data(domain.label, bold=True)],
                TextStyle(size=9.5, space_before=4),
                where=f"domain {domain.name}",
            )
        )
        for ind in sorted(domain.indicators,
                          key=lambda i: indicator_order(i.element, i.strength)):
            # What the person reported (or the officer saw), not a finding.
            basis = c.p.indicator_basis(ind)
            label = [Span("• ")]
            if basis:
                label.append(Span(_(BASIS_NAMES[basis]), bold=True))
            label.append(c.data(ind.label))
            if tags := indicator_tags(ind.element, ind.strength, c._):
                label.append(Span(" — " + tags))
            block = [c.tb(label, TextStyle(size=9.5, indent=8), where=f"indicator {ind.name}")]
            for item_id in ind.triggered_by:
                entry = c.p.entry(item_id)
                if entry is not None:
                    block.append(
                        c.tb(
                            evidence(c, entry),
                            TextStyle(size=8.5, color=MUTED, indent=18),
                            where=f"indicator {ind.name}",
                        )
                    )
            out.append(KeepTogether(block))
    return out


def evidence(c: Ctx, e: AppendixEntry) -> list[Span]:
    question = e.question_report or e.question_asked
    qlang = c.lang if e.question_report else e.asked_language
    spans = [Span(e.number + " "), c.data(question, qlang), Span(" — ")]
    return spans + answer_spans(c, e, report=True)


def answer_spans(c: Ctx, e: AppendixEntry, *, report: bool) -> list[Span]:
    _ = c._
    if e.status == "refused":
        return [Span(_("Declined to answer"), bold=True)]
    if e.status == "dont_know":
        return [Span(_("Don't know"), bold=True)]
    if e.status == "withheld":  # the variant's policy withheld it (redaction.FIELDS)
        return withheld(c)
    values = e.answer_report if (report and e.answer_report is not None) else e.answer_asked
    lang = c.lang if (report and e.answer_report is not None) else e.asked_language
    if not values:
        return [Span(_("(no answer recorded)"))]
    return [c.data(join_list([c.value(v) for v in values], lang), lang, bold=True)]
