"""What the indicators found add up to, in plain words (issue #16): each indicator's Palermo
element (act, means, purpose) and strength, a count per element, and for the ``graded``
outcome rule the one sentence that says why the outcome is what it is.

The referral packet and the app's outcome view both say it through these functions, each in
its own language (a translator object with ``gettext``), so the two never disagree. Nothing
here is a determination: a reason says which of the instrument's referral conditions the
answers met, never that someone is or is not a victim of trafficking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.numbers import format_decimal

from screening.i18n import N_

if TYPE_CHECKING:
    from screening.engine.scoring import ScreeningResult
    from screening.instruments.model import Instrument

# In the Palermo Protocol's order (art. 3(a)); ``screening.instruments.model.ELEMENTS``.
ELEMENT_ORDER = ("act", "means", "purpose")
ELEMENT_NAMES = {
    # Translators: the Palermo "act" element, after an indicator: "… — Act (recruitment or
    # movement) · strong indicator".
    "act": N_("Act (recruitment or movement)"),
    "means": N_("Means (coercion)"),
    "purpose": N_("Purpose (exploitation)"),
}
# The short names of the summary line "Act: 1 · Means: 2 (1 strong) · Purpose: 1".
ELEMENT_SHORT = {"act": N_("Act"), "means": N_("Means"), "purpose": N_("Purpose")}
# What signs of each element are signs *of*, in "there are signs of coercion and exploitation".
ELEMENT_SIGNS = {
    "act": N_("recruitment or movement"),
    "means": N_("coercion"),
    "purpose": N_("exploitation"),
}
STRENGTH_WORDS = {
    "strong": N_("strong indicator"),
    "medium": N_("medium indicator"),
    "weak": N_("weak indicator"),
}
SEPARATOR = " · "


class Gettext(Protocol):
    """A translator: ``screening.i18n.Translator`` or the app's UI language."""

    def gettext(self, message: str) -> str: ...


@dataclass(frozen=True)
class GradedCondition:
    """One ``refer_when`` condition of a graded rule (``instruments.model.GradedCondition``)."""

    strong: int = 0
    medium: int = 0
    elements: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradedBasis:
    """What a ``graded`` outcome was judged on: the counts, the elements found and the
    condition that held (None: none held)."""

    strong: int
    medium: int  # of medium strength (not counting the strong ones)
    elements_present: tuple[str, ...]
    condition: GradedCondition | None = None


def graded_basis(ins: Instrument, scored: ScreeningResult) -> GradedBasis | None:
    """The basis of a ``graded`` result (None for every other rule)."""
    rule = ins.outcome.graded
    if scored.rule != "graded" or rule is None:
        return None
    details = scored.details
    index = details.get("condition_met")
    condition = None
    if isinstance(index, int) and 0 <= index < len(rule.refer_when):
        cond = rule.refer_when[index]
        condition = GradedCondition(cond.strong, cond.medium, tuple(cond.elements))
    return GradedBasis(
        strong=int(details.get("strong", 0)),
        medium=int(details.get("medium", 0)),
        elements_present=tuple(e for e in ELEMENT_ORDER
                               if e in details.get("elements_present", ())),
        condition=condition,
    )


def elements_screened(ins: Instrument) -> tuple[str, ...]:
    """The elements the instrument's indicators look for, in Palermo order (a screen for
    children may look for no "means": art. 3(c) does not need them)."""
    present = {ind.element for ind in ins.indicators}
    return tuple(e for e in ELEMENT_ORDER if e in present)


def _number(n: int, lang: str) -> str:
    try:
        return format_decimal(n, locale=Locale.parse(lang.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return str(n)


def _and(items: Sequence[str], lang: str) -> str:
    """``items`` as one phrase joined with the language's "and" (CLDR list pattern)."""
    try:
        return format_list(list(items), locale=Locale.parse(lang.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return ", ".join(items)


def indicator_order(element: str | None, strength: str | None) -> tuple[int, int]:
    """A sort key: act before means before purpose, strong before medium before weak (what
    the instrument does not say comes last)."""
    strengths = tuple(STRENGTH_WORDS)
    return (ELEMENT_ORDER.index(element) if element in ELEMENT_ORDER else len(ELEMENT_ORDER),
            strengths.index(strength) if strength in strengths else len(strengths))


def indicator_tags(element: str | None, strength: str | None, t: Gettext) -> str:
    """"Means (coercion) · strong indicator": what kind of sign one indicator is ("" when
    the instrument says neither)."""
    parts = []
    if element in ELEMENT_NAMES:
        parts.append(t.gettext(ELEMENT_NAMES[element]))
    if strength in STRENGTH_WORDS:
        parts.append(t.gettext(STRENGTH_WORDS[strength]))
    return SEPARATOR.join(parts)


@dataclass(frozen=True)
class ElementCount:
    element: str
    count: int
    strong: int
    weak: int = 0  # risk factors: listed, but the graded rule never counts them for an element


def element_counts(found: Iterable[tuple[str | None, str | None]],
                   screened: Sequence[str] = ()) -> list[ElementCount]:
    """How many indicators of each element were found, from (element, strength) pairs: every
    element ``screened`` (none found: 0) and every element found, in Palermo order."""
    pairs = list(found)
    present = {element for element, _strength in pairs}
    out = []
    for element in ELEMENT_ORDER:
        if element not in present and element not in screened:
            continue
        mine = [strength for el, strength in pairs if el == element]
        out.append(ElementCount(element, len(mine), sum(1 for s in mine if s == "strong"),
                                sum(1 for s in mine if s == "weak")))
    return out


def element_summary(found: Iterable[tuple[str | None, str | None]], screened: Sequence[str],
                    t: Gettext, lang: str) -> tuple[str, str | None]:
    """("Act: 1 · Means: 2 (1 strong) · Purpose: 1", "Not found in these answers: …" or
    None). ("", None) when the instrument tags no indicator with an element."""
    counts = element_counts(found, screened)
    if not counts:
        return "", None
    parts = []
    for c in counts:
        name = t.gettext(ELEMENT_SHORT[c.element])
        n = _number(c.count, lang)
        if c.strong and c.weak:
            # Translators: one part of "Act: 1 · Means: 3 (1 strong, 2 weak) · Purpose: 1".
            parts.append(t.gettext("{element}: {n} ({strong} strong, {weak} weak)").format(
                element=name, n=n, strong=_number(c.strong, lang), weak=_number(c.weak, lang)))
        elif c.strong:
            # Translators: one part of "Act: 1 · Means: 2 (1 strong) · Purpose: 1".
            parts.append(t.gettext("{element}: {n} ({strong} strong)").format(
                element=name, n=n, strong=_number(c.strong, lang)))
        elif c.weak:
            # Translators: one part of "Means: 2 (2 weak) · Purpose: 1"; weak indicators are
            # risk factors, which the outcome rule does not count as signs of that element.
            parts.append(t.gettext("{element}: {n} ({weak} weak)").format(
                element=name, n=n, weak=_number(c.weak, lang)))
        else:
            parts.append(t.gettext("{element}: {n}").format(element=name, n=n))
    missing = [t.gettext(ELEMENT_NAMES[c.element]) for c in counts if c.count == 0]
    note = None
    if missing and any(c.count for c in counts):
        note = t.gettext("Not found in these answers: {elements}").format(
            elements=_and(missing, lang))
    return SEPARATOR.join(parts), note


def _clauses(cond: GradedCondition, t: Gettext, lang: str) -> list[str]:
    out = []
    if cond.strong == 1:
        out.append(t.gettext("a strong indicator was found"))
    elif cond.strong > 1:
        out.append(t.gettext("{n} or more strong indicators were found").format(
            n=_number(cond.strong, lang)))
    if cond.medium == 1:
        out.append(t.gettext("an indicator of medium strength or stronger was found"))
    elif cond.medium > 1:
        out.append(t.gettext("{n} or more indicators of medium strength or stronger were "
                             "found").format(n=_number(cond.medium, lang)))
    elements = [t.gettext(ELEMENT_SIGNS[e]) for e in ELEMENT_ORDER if e in cond.elements]
    if len(elements) == 2:
        out.append(t.gettext("there are signs of both {elements}").format(
            elements=_and(elements, lang)))
    elif elements:
        out.append(t.gettext("there are signs of {elements}").format(
            elements=_and(elements, lang)))
    return out


def outcome_reason(level: str, graded: GradedBasis | None, t: Gettext, lang: str) -> str | None:
    """One plain sentence saying why the outcome is what it is; None when there is nothing
    to add to the outcome's own label (no indicators, incomplete, judgement, or an urgent
    outcome that no referral condition explains: its flags do)."""
    if level == "some_indicators":
        return t.gettext("Some indicators were found, but not enough on their own to suggest "
                         "trafficking. Use your professional judgement.")
    if level not in ("refer", "refer_urgent") or graded is None or graded.condition is None:
        return None
    clauses = _clauses(graded.condition, t, lang)
    if not clauses:
        return None
    return t.gettext("Referral for assessment recommended because {reasons}.").format(
        reasons=_and(clauses, lang))


__all__ = [
    "ELEMENT_NAMES",
    "ELEMENT_ORDER",
    "STRENGTH_WORDS",
    "ElementCount",
    "GradedBasis",
    "GradedCondition",
    "element_counts",
    "element_summary",
    "elements_screened",
    "graded_basis",
    "indicator_tags",
    "outcome_reason",
]
