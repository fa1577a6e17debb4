"""The referral PDF's content: one function per section, packet in, flowables out.

Every visible string goes through the report language's translator (literal ``_()`` calls,
so Babel can extract them); data (names, answers, instrument wording) is rendered as bidi
isolates in the language it was given in. Dates, times and numbers are formatted with Babel
for the report locale and time zone (see ``context.Ctx``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Spacer

from screening.reports.context import (
    ACCENT,
    BODY,
    CONTACT_NAMES,
    FLAG_NAMES,
    KIND_NAMES,
    MUTED,
    RULE,
    SMALL,
    STATUS_NAMES,
    TITLE,
    URGENT_BG,
    URGENT_INK,
    VALIDATION_NAMES,
    WARN_BG,
    WARN_INK,
    Ctx,
)
from screening.reports.details_section import details_block
from screening.reports.indicator_section import answer_spans, indicators_block, reason_block
from screening.reports.notices import consent_override, received_rows, variant_notice, withheld
from screening.reports.packet import (
    LanguageReview,
    Referral,
    TranslationStatus,
    answered_age,
)
from screening.reports.text import Span, TextStyle


def title_block(c: Ctx) -> list[Flowable]:
    _ = c._
    p = c.p
    out: list[Flowable] = [c.tb([Span(_("Referral packet"), bold=True)], TITLE)]
    facts: list[tuple[str, Sequence[Span] | Flowable]] = [
        (_("Case reference"), [c.data(p.case_reference)]),
        (_("Document ID"), [c.data(p.document_id)]),
        (
            _("Generated"),
            [c.data(c.when(p.generated_at)), Span(" "), c.data("(" + p.time_zone + ")")],
        ),
    ]
    if p.recipient_fingerprint:
        facts.append((_("Recipient key fingerprint"), [c.data(p.recipient_fingerprint)]))
    facts += received_rows(c)
    out.append(c.rows(facts, 0.25))
    return out + variant_notice(c) + consent_override(c)


def urgent_block(c: Ctx) -> list[Flowable]:
    _ = c._
    flags = c.p.result.flags
    out: list[Flowable] = []
    for urgent in (True, False):
        chosen = [f for f in flags if f.urgent == urgent]
        if not chosen:
            continue
        title = _("URGENT") if urgent else _("Other flags")
        ink = URGENT_INK if urgent else WARN_INK
        content: list[Flowable] = [
            c.tb([Span(title, bold=True)], TextStyle(size=12 if urgent else 10, color=ink))
        ]
        for flag in chosen:
            kind = _(FLAG_NAMES.get(flag.kind, FLAG_NAMES["other"]))
            content.append(
                c.tb(
                    [Span(kind + ": ", bold=True), c.data(flag.label, bold=True)],
                    TextStyle(size=10.5, color=ink, space_before=3),
                    where=f"flag {flag.name}",
                )
            )
            if flag.message:
                content.append(c.tb([c.data(flag.message)], BODY, where=f"flag {flag.name}"))
            if flag.triggered_by:
                content.append(c.tb(_triggered_by(c, flag.triggered_by), SMALL))
        out.append(Spacer(1, 6))
        out.append(c.box(content, URGENT_BG if urgent else WARN_BG, ink))
    return out


def _triggered_by(c: Ctx, item_ids: Sequence[str]) -> list[Span]:
    numbers = [(e.number if (e := c.p.entry(i)) else i) for i in item_ids]
    return [Span(c._("Answers to questions: ")), c.data(c.join(numbers))]


def translation_warning(c: Ctx) -> list[Flowable]:
    _ = c._
    ins = c.p.instrument
    notes = []
    if ins.interview_language_status in ("machine", "draft"):
        notes.append(
            _(
                "The questions were asked in {language} using a {status}. Nobody "
                "qualified has checked this wording; answers may reflect translation "
                "errors."
            ).format(
                language=c.language(c.p.interview.respondent_language),
                status=_(STATUS_NAMES[ins.interview_language_status]),
            )
        )
    if ins.report_language_status in ("machine", "draft"):
        notes.append(
            _("The instrument's wording in this report's language is a {status}.").format(
                status=_(STATUS_NAMES[ins.report_language_status])
            )
        )
    if not notes:
        return []
    content: list[Flowable] = [
        c.tb([Span(_("Translation warning"), bold=True)], TextStyle(size=10.5, color=WARN_INK))
    ]
    content += [c.tb(n, BODY) for n in notes]
    return [Spacer(1, 6), c.box(content, WARN_BG, WARN_INK)]


def result_block(c: Ctx) -> list[Flowable]:
    _ = c._
    r = c.p.result
    out: list[Flowable] = [
        c.heading(_("Screening result")),
        c.tb(
            [c.data(r.label, bold=True)],
            TextStyle(size=12.5, color=ACCENT, space_after=3),
            where="result.label",
        ),
        *reason_block(c),
        c.tb(
            _(
                "This is the result of a screening, not a determination. It does not establish "
                "whether this person is or is not a victim of trafficking; it shows whether a "
                "specialised assessment is recommended."
            ),
            SMALL,
        ),
    ]
    if r.held_back_sections:
        out.append(
            c.tb(
                [
                    Span(_("Screening incomplete: these sections were held back because someone "
                           "who came with the person was present: "), bold=True),
                    *c.items(list(r.held_back_sections)),
                ],
                TextStyle(size=9.5, color=WARN_INK, space_before=3),
                where="result.held_back_sections",
            )
        )
    if r.unanswered_core:
        out.append(
            c.tb(
                [
                    Span(_("Core questions without an answer: ")),
                    *_triggered_by(c, r.unanswered_core)[1:],
                ],
                TextStyle(size=9, color=WARN_INK, space_before=3),
            )
        )
    return out + indicators_block(c)


def person_block(c: Ctx) -> list[Flowable]:
    _ = c._
    person = c.p.person
    lang = c.p.interview.respondent_language
    rows: list[tuple[str, Sequence[Span] | Flowable]] = []

    def add(label: str, path: str, value: str | None, *, always: bool = False,
            bold: bool = False, data_lang: str | None = None) -> None:
        if c.withheld(path):
            rows.append((label, withheld(c)))
        elif value or always:
            rows.append((label, [c.data(value or "—", data_lang, bold=bold)]))

    add(_("Name"), "person.name", person.name, always=True, bold=True, data_lang=lang)
    add(_("Date of birth"), "person.date_of_birth",
        c.date(person.date_of_birth) if person.date_of_birth else None)
    if person.age is not None:
        rows.append((_("Age"), [c.data(_age_text(c))]))
    add(_("Gender"), "person.gender", c.gender(person.gender) if person.gender else None)
    add(_("Nationality"), "person.nationality",
        c.country(person.nationality) if person.nationality else None)
    if person.languages:
        rows.append((_("Languages"), [c.data(c.join([c.language(x) for x in person.languages]))]))
    add(_("Contact"), "person.contact", person.contact, always=True, data_lang=lang)
    return [c.heading(_("Person")), c.rows(rows)]


def _age_text(c: Ctx) -> str:
    """The person's one age (``packet.person_age``). A full packet, which shows the date of
    birth, also says when the person's answer to the age question differs from it."""
    _ = c._
    person = c.p.person
    assert person.age is not None
    age = c.age(person.age)
    text = _("{age} (estimate)").format(age=age) if person.age_is_estimate else age
    answered = answered_age(c.p.appendix)
    if person.date_of_birth is not None and answered and answered[1] != person.age:
        entry, number = answered
        text = _("{age} (from the date of birth; the answer to question {question} was "
                 "{answer})").format(age=text, question=entry.number, answer=c.number(number))
    return text


def interview_block(c: Ctx) -> list[Flowable]:
    _ = c._
    iv = c.p.interview
    interpreter = _("No")
    if iv.interpreter_used:
        interpreter = _("Yes") + (
            " — " + c.language(iv.interpreter_language) if iv.interpreter_language else ""
        )
    rows: list[tuple[str, Sequence[Span] | Flowable]] = [
        (_("Started"), [c.data(c.when(iv.started_at))]),
    ]
    if iv.ended_at:
        rows.append((_("Ended"), [c.data(c.when(iv.ended_at))]))
    # A copy without places says so; the region it keeps is in "Referral details".
    rows.append((_("Location"),
                 withheld(c) if c.withheld("interview.location") else [c.data(iv.location or "—")]))
    for label, path, value in ((_("Officer"), "interview.officer_name", iv.officer_name),
                               (_("Agency"), "interview.agency", iv.agency)):
        rows.append((label, withheld(c) if c.withheld(path) else [c.data(value or "—")]))
    rows += [
        (_("Interpreter"), [c.data(interpreter)]),
        (_("Respondent's language"), [c.data(c.language(iv.respondent_language))]),
        (_("Officer's language"), [c.data(c.language(iv.officer_language))]),
    ]
    return [c.heading(_("Interview")), c.rows(rows)]


def consent_block(c: Ctx) -> list[Flowable]:
    _ = c._
    con = c.p.consent
    if not con.recorded:  # nothing agreed, nothing to date
        return [c.heading(_("Consent")),
                c.tb([Span(_("No consent was recorded in FieldScreen."), bold=True)], BODY)]
    recipients: Sequence[Span] = (
        withheld(c) if c.withheld("consent.recipients")
        else c.items(con.recipients) or [c.data("—")])
    rows: list[tuple[str, Sequence[Span] | Flowable]] = [
        (_("Agreed to share"), [c.data(c.join(con.shared_items) or "—")]),
        (_("With"), recipients),
        (_("When"), [c.data(c.when(con.given_at) if con.given_at else "—")]),
        (_("How it was recorded"), [c.data(con.recorded_how)]),
    ]
    return [c.heading(_("Consent")), c.rows(rows)]


def instrument_block(c: Ctx) -> list[Flowable]:
    _ = c._
    ins = c.p.instrument
    validation = _(VALIDATION_NAMES.get(ins.validation_status, ins.validation_status))
    rows: list[tuple[str, Sequence[Span] | Flowable]] = [
        (_("Questionnaire"), [c.data(ins.title, bold=True)]),
        (_("ID and version"), [c.data(f"{ins.instrument_id} {ins.version}")]),
        (
            _("Validation"),
            [c.data(validation)]
            + ([Span(" — "), c.data(ins.validation_note)] if ins.validation_note else []),
        ),
        (_("Interview language"),
         [c.data(_language_status(c, c.p.interview.respondent_language,
                                  ins.interview_language_status,
                                  ins.interview_language_review))]),
    ]
    if ins.report_language_status:
        rows.append((_("Report language"),
                     [c.data(_language_status(c, c.lang, ins.report_language_status,
                                              ins.report_language_review))]))
    rows.append((_("Content hash"), [c.data(ins.content_hash)]))
    return [c.heading(_("Questionnaire used")), c.rows(rows)]


def _language_status(c: Ctx, code: str, status: TranslationStatus,
                     review: LanguageReview | None) -> str:
    """"Arabic — reviewed translation, reviewed by NAME, ROLE on 1 December 2026" (issue #16):
    who signed a reviewed translation off, and when, as the instrument file says."""
    _ = c._
    text = c.language(code) + " — " + _(STATUS_NAMES[status])
    if status != "reviewed" or review is None:
        return text
    try:
        day: str | None = c.date(date.fromisoformat(review.date)) if review.date else None
    except ValueError:
        day = review.date
    if day:
        return text + _(", reviewed by {reviewer} on {date}").format(reviewer=review.reviewer,
                                                                     date=day)
    return text + _(", reviewed by {reviewer}").format(reviewer=review.reviewer)


def referrals_block(c: Ctx) -> list[Flowable]:
    _ = c._
    if not c.p.referrals:
        return []
    out: list[Flowable] = []
    # The heading goes inside the first service's KeepTogether: ReportLab's keepWithNext
    # does not bind a heading to a KeepTogether, which left it alone at the foot of a page.
    heading: list[Flowable] = [c.heading(_("Referrals"))]
    for index, ref in enumerate(c.p.referrals):
        title = [c.data(ref.name, bold=True), Span("  ·  " + _(KIND_NAMES.get(ref.kind, ref.kind)))]
        block: list[Flowable] = [
            *heading,
            c.tb(title, TextStyle(size=10, space_before=5), where=f"referral {ref.service_id}"),
        ]
        heading = []
        if ref.example:
            block.append(
                c.tb(
                    [
                        Span(
                            _(
                                "Example entry from the sample directory: replace it with "
                                "a local service before relying on it."
                            ),
                            bold=True,
                        )
                    ],
                    TextStyle(size=8.5, color=WARN_INK),
                )
            )
        rows: list[tuple[str, Sequence[Span] | Flowable]] = [
            (_(CONTACT_NAMES.get(ct.kind, CONTACT_NAMES["other"])), [c.data(ct.value)])
            for ct in ref.contacts
        ]
        if ref.languages:
            rows.append((_("Languages"), c.items(
                [c.language(x) if x.replace("_", "").isalpha() else x for x in ref.languages])))
        if ref.hours:
            rows.append((_("Hours"), [c.data(ref.hours)]))
        if f"referrals.{index}.reason" in c.p.withheld:  # an empty reason stays unshown
            rows.append((_("Why referred"), withheld(c)))
        elif ref.reason:
            rows.append((_("Why referred"), [c.data(ref.reason)]))
        if rows:
            block.append(c.rows(rows, 0.22))
        if ref.outside_consent:
            block += [Spacer(1, 3), c.box(_outside_consent(c, ref), WARN_BG, WARN_INK)]
        out.append(KeepTogether(block))
    return out


def _outside_consent(c: Ctx, ref: Referral) -> list[Flowable]:
    """The referral is outside what the person agreed to: say so, with the officer's reason
    (free text: withheld from a redacted copy, which still says the referral was outside)."""
    _ = c._
    spans = [Span(_("Referred outside the person's consent."), bold=True), Span(" "),
             Span(_("Officer's reason: "))]
    if c.withheld("referrals.override_reason"):
        spans += withheld(c)
    elif ref.override_reason:
        spans.append(c.data(ref.override_reason, c.p.interview.officer_language))
    else:
        spans.append(Span(_("none recorded")))
    return [c.tb(spans, TextStyle(size=9, color=WARN_INK), where=f"referral {ref.service_id}")]


def appendix_block(c: Ctx) -> list[Flowable]:
    _ = c._
    out: list[Flowable] = [
        c.heading(_("Appendix: questions asked")),
        c.tb(
            _(
                "Every question asked, in the order asked, in the language it was asked in and "
                "in this report's language. Questions skipped by the questionnaire's logic are "
                "not listed."
            ),
            SMALL,
        ),
    ]
    for e in c.p.appendix:
        where = f"appendix item {e.item_id}"
        block: list[Flowable] = [
            HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=4, spaceAfter=3),
            c.tb(
                [Span(e.number + "  ", bold=True), c.data(e.question_asked, e.asked_language)],
                BODY,
                where=where,
            ),
        ]
        if e.question_report and e.question_report != e.question_asked:
            block.append(
                c.tb(
                    [c.data(e.question_report)],
                    TextStyle(size=8.5, color=MUTED, indent=14),
                    where=where,
                )
            )
        answer = [Span(_("Answer: ")), *answer_spans(c, e, report=False)]
        block.append(c.tb(answer, TextStyle(size=9.5, indent=14), where=where))
        if (
            e.status == "answered"
            and e.answer_report is not None
            and tuple(e.answer_report) != tuple(e.answer_asked)
        ):
            block.append(
                c.tb(
                    answer_spans(c, e, report=True),
                    TextStyle(size=8.5, color=MUTED, indent=14),
                    where=where,
                )
            )
        if e.officer_note and not c.withheld("appendix.officer_note"):
            block.append(
                c.tb(
                    [
                        Span(_("Officer's note: ")),
                        c.data(e.officer_note, c.p.interview.officer_language),
                    ],
                    TextStyle(size=8.5, color=MUTED, indent=14),
                    where=where,
                )
            )
        out.append(KeepTogether(block))
    return out


def story(c: Ctx) -> list[Flowable]:
    parts: list[Flowable] = []
    # In the order an intake worker reads a referral: what is urgent, who the person is,
    # why they are referred and how to reach them safely (with the officer's notes), then
    # the screening behind it.
    for section in (
        title_block,
        urgent_block,
        translation_warning,
        person_block,
        details_block,
        result_block,
        referrals_block,
        interview_block,
        consent_block,
        instrument_block,
        appendix_block,
    ):
        parts.extend(section(c))
    return parts
