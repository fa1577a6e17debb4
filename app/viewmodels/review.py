"""The review screen's data: answers by section, what changed, triggered indicators, outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.qt_i18n import N_, _, ui_language
from screening.engine.storage import (
    SPECIAL_DONT_KNOW,
    SPECIAL_REFUSED,
    AnswerRecord,
    is_answered,
)

if TYPE_CHECKING:
    from screening.engine.session import InterviewSession
    from screening.engine.state import Step

LEVEL_TEXT = {
    "refer_urgent": N_("Urgent: act on the flagged needs now, then refer"),
    "refer": N_("Indicators present: refer for a full assessment"),
    "some_indicators": N_("Some indicators, below the referral threshold"),
    "incomplete": N_("Incomplete: key questions have no answer"),
    "no_indicators": N_("No indicators found by these answers"),
    "officer_judgement": N_("No score: use your professional judgement"),
}
# How much the outcome asks of the officer, for the review's banner (issue #14: not always
# info-blue): act now, act (refer or complete), or nothing to do. Colour and icon follow it;
# the words of LEVEL_TEXT ("Urgent:", "Indicators present:") carry the meaning on their own.
LEVEL_SEVERITY = {
    "refer_urgent": "urgent",
    "refer": "warning",
    # Found, but not enough on their own (issue #16): worth the officer's judgement, calm,
    # not an alarm.
    "some_indicators": "notice",
    "incomplete": "warning",
    "no_indicators": "info",
    "officer_judgement": "info",
}
SEVERITY_TEXT = {
    "urgent": N_("Act now"),
    "warning": N_("Needs action"),
    "notice": N_("For your judgement"),
    "info": N_("For information"),
}
# Translators: a repeat entry, e.g. "Child 2 of 3"; {label} is the questionnaire's own word.
ENTRY_LABELLED = N_("{label} {entry} of {total}")
ENTRY_PLAIN = N_("Entry {entry} of {total}")
# Between the levels of where an item is: "Household 1 of 2 · Person 2 of 3", "Herd · Cow".
WHERE_SEPARATOR = " · "

SPECIAL_TEXT = {
    SPECIAL_REFUSED: N_("Prefer not to answer"),
    SPECIAL_DONT_KNOW: N_("Don't know"),
}


@dataclass(frozen=True)
class ReviewRow:
    key: str
    section: str
    question: str = field(repr=False)
    answer: str = field(repr=False)
    state: str  # answered, special, unanswered, not_asked, note_only
    change: str | None  # edited, now_asked, no_longer_asked
    editable: bool


@dataclass(frozen=True)
class ResultView:
    level: str
    level_text: str
    severity: str  # urgent, warning or info (LEVEL_SEVERITY)
    label: str
    # "Threatened by the employer — Means (coercion) · strong indicator", act before means
    # before purpose (issue #16).
    indicators: tuple[str, ...]
    flags: tuple[tuple[str, str], ...]  # (label, what to do)
    unanswered_core: tuple[str, ...]
    missing_required: tuple[str, ...]
    reason: str | None = None  # why the outcome is what it is (reports.indicators)
    elements: str = ""  # "Act: 1 · Means: 2 (1 strong) · Purpose: 1"
    elements_missing: str | None = None  # "Not found in these answers: …"


def special_text(special: str) -> str:
    return _(SPECIAL_TEXT.get(special, "Prefer not to answer"))


def answer_text(session: InterviewSession, step: Step, record: AnswerRecord | None) -> str:
    """The answer as the officer reads it back (choice labels in the officer's language)."""
    from screening.instruments import ItemType

    if not is_answered(record):  # empty text and an empty selection are not answers
        return _("Not answered")
    assert record is not None
    if record.special:
        return special_text(record.special)
    value: Any = record.value
    item = step.node.item
    ins, lang = session.instrument, session.officer_language
    labels = {c.name: ins.text(c.label, lang) for c in ins.choices_for(item)}
    if item.type is ItemType.MULTIPLE_CHOICE and isinstance(value, list):
        from screening.reports.context import list_separator

        return list_separator(lang).join(labels.get(v) or str(v) for v in value)
    if isinstance(value, str) and value in labels:
        return labels[value]
    if item.type is ItemType.ACKNOWLEDGE:
        return _("Acknowledged")
    if item.type is ItemType.DATE:  # at its precision, in its calendar (issue #14)
        from screening.engine.dates import DateAnswer
        from screening.i18n.dates import describe_date

        date = DateAnswer.from_stored(value)
        if date is not None:
            return describe_date(date, ui_language().lang, _)
    return str(value)


def where_words(session: InterviewSession, step: Step, lang: str, gettext: Any,
                words_lang: str | None = None) -> str:
    """Where an item is, outermost first: each repeat entry around it ("Household 1 of 2",
    in the repeat's own words) and the choice of each ``begin loop`` ("Cow"), labels in
    ``lang``, the app's own words through ``gettext`` (in ``words_lang``, default ``lang``);
    "" at the top level. When the two languages run in different directions, each label and
    each entry is a bidi isolate, so "Household 1 من 2" does not scramble."""
    from app.qt_i18n import rtl
    from screening.engine.state import truncate
    from screening.i18n.bidi import LRI, PDI, RLI, isolate

    plan, ins, instance = session.plan, session.instrument, step.instance
    words_rtl = rtl(words_lang or lang)
    mixed = words_rtl != rtl(lang)
    indices = dict(instance.path) if instance else {}
    parts: list[str] = []
    for name in plan.ancestors(step.node.name):
        item = plan.nodes[name].item
        text = ins.text(item.text, lang) if item.text else ""
        if instance is not None and name in indices:
            parent = truncate(instance, instance.repeats.index(name))
            total = session.evaluation.repeat_count(name, parent)
            words = str(gettext(ENTRY_LABELLED if text else ENTRY_PLAIN)).format(
                label=isolate(text) if mixed else text, entry=indices[name], total=total)
            parts.append((RLI if words_rtl else LRI) + words + PDI if mixed else words)
        elif text and plan.is_loop_choice(name):
            parts.append(isolate(text) if mixed else text)
    line = WHERE_SEPARATOR.join(parts)
    return (RLI if words_rtl else LRI) + line + PDI if mixed and line else line


def _question(session: InterviewSession, step: Step) -> str:
    text = session.instrument.text(step.node.item.text, session.officer_language)
    instance = step.instance
    in_loop = any(session.plan.is_loop_choice(a) for a in session.plan.ancestors(step.name))
    if instance is not None and instance.depth == 1 and not in_loop:
        return _("{question} (entry {number})").format(question=text, number=instance.index)
    if instance is not None or in_loop:
        # Translators: a question with where it was asked: "Age (Household 1 of 2 · Person
        # 2 of 3)", "Where? (Cow)".
        where = where_words(session, step, session.officer_language, _, ui_language().lang)
        return _("{question} ({where})").format(question=text, where=where)
    return text


def build_review(session: InterviewSession, changes: dict[str, str]) -> list[ReviewRow]:
    rows: list[ReviewRow] = []
    ins, lang = session.instrument, session.officer_language
    titles = {s.name: ins.text(s.title, lang) for s in ins.sections}
    for step, relevant in session.evaluation.all_steps():
        item = step.node.item
        if not item.is_answerable or session.is_held_back(step.key):
            continue  # held back while a companion is present: not even the question shows
        record = session.answers.get(step.key)
        change = changes.get(step.key)
        if not relevant and record is None and change is None:
            continue
        if not relevant:
            state = "not_asked"
        elif not is_answered(record):  # the core's one definition of "answered"
            state = "unanswered"
        elif record is not None and record.special:
            state = "special"
        else:
            state = "answered"
        answer = answer_text(session, step, record)
        if record is not None and record.note:
            answer += "\n" + _("Note: {note}").format(note=record.note)
        rows.append(ReviewRow(step.key, titles.get(step.node.section.name, ""),
                              _question(session, step), answer, state, change, relevant))
    return rows


def build_result(session: InterviewSession) -> ResultView:
    from screening.i18n.bidi import isolate
    from screening.reports.indicators import (
        element_summary,
        elements_screened,
        graded_basis,
        indicator_order,
        indicator_tags,
        outcome_reason,
    )

    result = session.result()
    ui = ui_language()
    def line(ind: Any) -> str:
        # The label is in the officer's language, the tags in the UI's: isolated, each keeps
        # its own direction when the two differ (issue #16).
        tags = indicator_tags(ind.element, ind.strength, ui)
        label = isolate(ind.label, "rtl" if ui.rtl else "ltr")
        return f"{label} — {tags}" if tags else label

    elements, missing = element_summary(
        [(i.element, i.strength) for i in result.indicators],
        elements_screened(session.instrument), ui, ui.lang)
    names = {step.key: step for step, _rel in session.evaluation.all_steps()}

    def question(key: str) -> str:
        step = names.get(key)
        return _question(session, step) if step else key

    return ResultView(
        level=result.level,
        level_text=_(LEVEL_TEXT.get(result.level, result.level)),
        severity=LEVEL_SEVERITY.get(result.level, "info"),
        label=result.label,
        indicators=tuple(line(i) for i in sorted(
            result.indicators, key=lambda i: indicator_order(i.element, i.strength))),
        flags=tuple((f.label, f.message) for f in result.flags),
        unanswered_core=tuple(question(k) for k in result.unanswered_core),
        missing_required=tuple(question(k) for k in session.missing_required()),
        reason=outcome_reason(result.level, graded_basis(session.instrument, result), ui,
                              ui.lang),
        elements=elements if result.indicators else "",
        elements_missing=missing,
    )
