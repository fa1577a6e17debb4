"""Indicators, urgent flags and the outcome of a screening.

The result says "indicators present: refer for assessment" at most, never a determination.
Refused and don't-know answers never count as "no": when core items lack an answer the
screen is ``incomplete`` (unless indicators already call for referral) and lists them.

Items *held back* while someone who came with the person was present (issue #14) are neither
"no" nor refused nor missing core answers: the outcome lists their sections in
``held_back_sections`` and is ``incomplete`` for as long as they wait, so a screen that could
not ask its sensitive questions never shows a lower result as if it were complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from screening.engine.state import Evaluation, split_key
from screening.engine.storage import has_value
from screening.errors import ExpressionError
from screening.expr import Expr, truthy
from screening.expr.nodes import Chain
from screening.instruments.model import Instrument


@dataclass(frozen=True)
class TriggeredIndicator:
    name: str
    domain: str
    label: str
    triggered_by: list[str]
    strength: str | None = None
    dimension: str | None = None
    element: str | None = None  # act, means or purpose (Palermo art. 3(a))


@dataclass(frozen=True)
class TriggeredFlag:
    name: str
    kind: str
    urgent: bool
    label: str
    message: str
    triggered_by: list[str]


@dataclass(frozen=True)
class TriggeredRoute:
    name: str
    instrument: str
    message: str


@dataclass(frozen=True)
class ScreeningResult:
    level: str
    label: str
    indicators: list[TriggeredIndicator]
    flags: list[TriggeredFlag]
    unanswered_core: list[str]
    rule: str
    details: dict[str, Any] = field(default_factory=dict)
    routes: list[TriggeredRoute] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)  # item keys waiting, held back
    held_back_sections: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """False while sections are held back: the result cannot be read as a full screen."""
        return not self.held_back

    def to_json(self) -> dict[str, Any]:
        return {
            "indicators": [vars(i) for i in self.indicators],
            "flags": [vars(f) for f in self.flags],
            "routes": [vars(r) for r in self.routes],
            "outcome": {
                "level": self.level,
                "label": self.label,
                "rule": self.rule,
                "unanswered_core": self.unanswered_core,
                "held_back_sections": self.held_back_sections,
                **self.details,
            },
        }


def _answered_refs(ev: Evaluation, refs: frozenset[str]) -> list[str]:
    """The items among ``refs`` that hold a real answer (what triggered an expression)."""
    out = []
    for name in ev.plan.order:
        if name not in refs:
            continue
        value = ev.reference(name, None)
        values = value if isinstance(value, list) else [value]
        if any(v not in ("", None) for v in values):
            out.append(name)
    return out


def _triggering_refs(ev: Evaluation, expr: Expr) -> frozenset[str]:
    """The references of the parts of an ``or`` that are true (so an indicator written
    ``${a} = 'yes' or ${b} = 'no'`` that fired on ``a`` does not also cite ``b``)."""
    root = expr.root
    if isinstance(root, Chain) and all(op == "or" for op, _ in root.rest):
        refs: set[str] = set()
        for part in (root.first, *(node for _, node in root.rest)):
            sub = Expr(expr.source, part)
            if _safe_truthy(ev, sub):
                refs |= _triggering_refs(ev, sub)
        return frozenset(refs) or expr.references()
    return expr.references()


def _safe_truthy(ev: Evaluation, expr: Any) -> bool:
    try:
        return truthy(ev.eval(expr))
    except ExpressionError:
        # A trigger that cannot be evaluated (e.g. a bad regex on odd input) is not "no":
        # it simply does not fire; the unanswered-core check still reports missing input.
        return False


def _unanswered_core(ev: Evaluation, held_back: frozenset[str]) -> list[str]:
    missing = []
    for name in ev.plan.core_items:
        node = ev.plan.nodes.get(name)
        if node is None or node.repeat is not None or name in held_back:
            continue  # a held-back item is reported as held back, not as unanswered
        if not ev.is_relevant(name):
            continue  # skipped by the questionnaire's logic: not missing
        if not has_value(ev.answers.get(name)):
            missing.append(name)
    return missing


def _weighted_met(ins: Instrument, triggered: list[TriggeredIndicator]) -> tuple[bool, list[str]]:
    rule = ins.outcome.weighted
    assert rule is not None
    counts: dict[str, dict[str, int]] = {}
    for ind in triggered:
        if ind.dimension and ind.strength:
            dim = counts.setdefault(ind.dimension, {"strong": 0, "medium": 0, "weak": 0})
            dim[ind.strength] += 1
    present = sorted(
        dim
        for dim, have in counts.items()
        if any(all(have.get(s, 0) >= n for s, n in combo.items())
               for combo in rule.dimension_present)
    )
    met = all(any(dim in present for dim in group) for group in rule.combine)
    return met, present


def _graded_met(
    ins: Instrument, triggered: list[TriggeredIndicator]
) -> tuple[bool, dict[str, Any]]:
    """Whether any ``refer_when`` condition holds, and the counts it was judged on."""
    rule = ins.outcome.graded
    assert rule is not None
    strong = sum(1 for i in triggered if i.strength == "strong")
    medium_or_more = sum(1 for i in triggered if i.strength in ("strong", "medium"))
    # A weak indicator (a risk factor such as a visa tied to one employer) is noted but never
    # stands for its element: a risk factor plus one long-hours answer is not "coercion and
    # exploitation" (ILO-EC grades weak indicators the same way: never enough with one other).
    elements = sorted({i.element for i in triggered
                       if i.element and i.strength in ("strong", "medium")})
    met = next((
        index for index, cond in enumerate(rule.refer_when)
        if strong >= cond.strong and medium_or_more >= cond.medium
        and all(e in elements for e in cond.elements)
    ), None)
    details: dict[str, Any] = {
        "strong": strong, "medium": medium_or_more - strong, "elements_present": elements,
        "condition_met": met,
    }
    return met is not None, details


def score(ev: Evaluation, respondent_language: str, label_language: str, *,
          held_back: Sequence[str] = ()) -> ScreeningResult:
    """The outcome of the answers in ``ev``. ``held_back``: keys of items held back while a
    companion was present and still without an answer (``InterviewSession.result`` passes
    them); while there are any, the outcome is ``incomplete`` unless an urgent flag or the
    indicators already found call for a referral."""
    ins = ev.plan.instrument
    by_name = {i.name: i for i in ins.indicators}
    triggered = []
    for name, expr in ev.plan.indicators.items():
        if _safe_truthy(ev, expr):
            ind = by_name[name]
            triggered.append(TriggeredIndicator(
                name=name, domain=ind.domain, label=ins.text(ind.label, label_language),
                triggered_by=_answered_refs(ev, _triggering_refs(ev, expr)),
                strength=ind.strength, dimension=ind.dimension, element=ind.element,
            ))
    flags_by_name = {f.name: f for f in ins.flags}
    flags = []
    for name, expr in ev.plan.flags.items():
        if _safe_truthy(ev, expr):
            flag = flags_by_name[name]
            flags.append(TriggeredFlag(
                name=name, kind=flag.kind, urgent=flag.urgent,
                label=ins.text(flag.label, label_language),
                message=ins.text(flag.message, label_language),
                triggered_by=_answered_refs(ev, _triggering_refs(ev, expr)),
            ))
    routes = [
        TriggeredRoute(r.name, r.instrument, ins.text(r.message, label_language))
        for r in ins.routes
        if _safe_truthy(ev, ev.plan.routes[r.name])
    ]
    held = list(held_back)
    held_sections = list(dict.fromkeys(
        ev.plan.nodes[split_key(key)[0]].section.name for key in held))
    missing = _unanswered_core(ev, frozenset(held))
    out = ins.outcome
    details: dict[str, Any] = {}
    positive = False
    if out.rule == "any":
        positive = bool(triggered)
    elif out.rule == "threshold":
        threshold = (out.threshold_by_language or {}).get(respondent_language, out.threshold or 1)
        positive = len(triggered) >= threshold
        details = {"count": len(triggered), "threshold": threshold}
    elif out.rule == "weighted":
        positive, present = _weighted_met(ins, triggered)
        details = {"dimensions_present": present}
    elif out.rule == "graded":
        positive, details = _graded_met(ins, triggered)

    if any(flag.urgent for flag in flags):
        level = "refer_urgent"
    elif out.rule == "judgement":
        level = "officer_judgement"
    elif positive:
        level = "refer"
    elif missing or held:
        level = "incomplete"
    elif triggered:
        level = "some_indicators"
    else:
        level = "no_indicators"
    label = ins.text(out.labels.get(level), label_language)  # type: ignore[call-overload]
    return ScreeningResult(level=level, label=label, indicators=triggered, flags=flags,
                           unanswered_core=missing, rule=out.rule, details=details,
                           routes=routes, held_back=held, held_back_sections=held_sections)
