"""Semantic checks on a schema-valid instrument, one function per rule (after pyxform).

Each rule appends located ``Problem``s; the loader raises if any error was found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from screening.errors import ErrorCode, ExpressionError, Problem
from screening.expr import Expr, parse
from screening.expr.choicefilter import compile_choice_filter
from screening.expr.choicefilter import item_references as choice_item_references
from screening.expr.nodes import Call, Parent, Ref, walk
from screening.instruments.model import (
    CHOICE_TYPES,
    CONTAINERS,
    OUTCOME_LEVELS,
    YES_NO_LIST,
    Instrument,
    Item,
    ItemType,
    Text,
)
from screening.instruments.yamlsource import Path, SourceMap

# Which outcome levels each rule can produce (and so must have wording for).
LEVELS_BY_RULE = {
    "any": ("refer_urgent", "refer", "incomplete", "no_indicators"),
    "threshold": ("refer_urgent", "refer", "some_indicators", "incomplete", "no_indicators"),
    "weighted": ("refer_urgent", "refer", "some_indicators", "incomplete", "no_indicators"),
    "graded": ("refer_urgent", "refer", "some_indicators", "incomplete", "no_indicators"),
    "judgement": ("refer_urgent", "officer_judgement"),
}
assert all(set(levels) <= set(OUTCOME_LEVELS) for levels in LEVELS_BY_RULE.values())

NO_TEXT_TYPES = frozenset({ItemType.CALCULATE, ItemType.HIDDEN})


class Checker:
    def __init__(self, instrument: Instrument, smap: SourceMap) -> None:
        self.ins = instrument
        self.smap = smap
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.paths: dict[str, Path] = {}
        self.item_names: set[str] = set()
        self.repeat_of: dict[str, str] = {}
        # Item -> the repeats around it, outermost first (a repeat's own name left out).
        self.chains: dict[str, tuple[str, ...]] = {}

    def error(self, code: ErrorCode, message: str, path: Path, item: str | None = None,
              column: int | None = None) -> None:
        self.errors.append(
            Problem(code, message, file=self.smap.file, line=self.smap.line_of(path),
                    column=column, item=item)
        )

    def warn(self, code: ErrorCode, message: str, path: Path, item: str | None = None) -> None:
        self.warnings.append(
            Problem(code, message, file=self.smap.file, line=self.smap.line_of(path), item=item)
        )

    # -- traversal ---------------------------------------------------------------------
    def items_with_paths(self) -> Iterator[tuple[Item, Path, str | None]]:
        def walk(items: list[Item], base: Path, repeat: str | None) -> Iterator[
            tuple[Item, Path, str | None]
        ]:
            for index, item in enumerate(items):
                path = (*base, index)
                yield item, path, repeat
                if item.items:
                    inner = item.name if item.type is ItemType.REPEAT else repeat
                    yield from walk(item.items, (*path, "items"), inner)

        for s_index, section in enumerate(self.ins.sections):
            yield from walk(section.items, ("sections", s_index, "items"), None)

    def expression(self, text: str | None, path: Path, item: str | None,
                   what: str) -> Expr | None:
        if text is None:
            return None
        try:
            expr = parse(text)
        except ExpressionError as exc:
            # The location already names the column: say it once.
            message = exc.message.removesuffix(f" at column {exc.column}")
            self.error(ErrorCode.INSTRUMENT_EXPRESSION, f"bad {what} expression: {message}",
                       path, item, column=exc.column)
            return None
        for ref in sorted(expr.references()):
            if ref not in self.item_names:
                self.error(ErrorCode.INSTRUMENT_REFERENCE,
                           f"{what} refers to unknown item ${{{ref}}}", path, item)
        for node in walk(expr.root):
            if (isinstance(node, Call) and node.name == "position" and node.args
                    and isinstance(node.args[0], Parent) and node.args[0].levels > 1
                    and node.args[0].levels > self.repeat_depth(item)):
                levels = node.args[0].levels
                self.error(ErrorCode.INSTRUMENT_EXPRESSION,
                           f"{what}: position({'/'.join(['..'] * levels)}) needs {levels} "
                           f"repeats around '{item}', which has {self.repeat_depth(item)}",
                           path, item, column=node.column)
            if isinstance(node, Call) and node.name == "indexed-repeat":
                problem = self.indexed_repeat(node, item)
                if problem:
                    self.error(ErrorCode.INSTRUMENT_EXPRESSION, f"{what}: {problem}", path, item,
                               column=node.column)
        return expr

    def repeat_depth(self, item: str | None) -> int:
        """How many repeats enclose ``item`` (0 outside every repeat)."""
        depth, repeat = 0, self.repeat_of.get(item) if item else None
        while repeat is not None:
            depth, repeat = depth + 1, self.repeat_of.get(repeat)
        return depth

    def indexed_repeat(self, call: Call, owner: str | None) -> str | None:
        """What is wrong with one ``indexed-repeat(...)`` call, seen from ``owner``'s entry:
        JavaRosa needs references, repeats around the item, and an entry for each of those
        repeats that the context is not inside ("This field is repeated")."""
        target, *rest = call.args
        repeats = rest[0::2]
        if not isinstance(target, Ref) or not all(isinstance(r, Ref) for r in repeats):
            return "indexed-repeat() takes ${item}, then ${repeat} and an index for each repeat"
        if target.name not in self.item_names:
            return None  # reported as an unknown reference
        chain = self.chains.get(target.name, ())
        given = {r.name for r in repeats if isinstance(r, Ref)}
        for name in sorted(given - set(chain)):
            return f"indexed-repeat(): ${{{name}}} is not a repeat around ${{{target.name}}}"
        context = self.chains.get(owner, ()) if owner else ()
        shared = 0
        for mine, theirs in zip(context, chain, strict=False):
            if mine != theirs:
                break
            shared += 1
        for depth, repeat in enumerate(chain):
            if repeat not in given and depth >= shared:
                return (f"indexed-repeat(${{{target.name}}}, ...) does not say which entry of "
                        f"the repeat '{repeat}' to read here: add ${{{repeat}}} and its index")
        return None

    def text(self, text: Text | None, path: Path, item: str | None, what: str,
             required: bool = False) -> None:
        if text is None:
            if required:
                self.error(ErrorCode.INSTRUMENT_SCHEMA, f"{what} is missing", path, item)
            return
        for lang in self.ins.languages:
            if not (text.get(lang) or "").strip():
                self.error(ErrorCode.INSTRUMENT_TRANSLATION,
                           f"{what} has no '{lang}' text", path, item)
        for lang in text:
            if lang not in self.ins.languages:
                self.error(ErrorCode.INSTRUMENT_TRANSLATION,
                           f"{what} has text in '{lang}', which is not a declared language",
                           (*path, lang), item)


def check_languages(c: Checker) -> None:
    ins = c.ins
    if ins.source_language not in ins.languages:
        c.error(ErrorCode.INSTRUMENT_TRANSLATION,
                f"source_language '{ins.source_language}' is not among the languages",
                ("source_language",))
    elif ins.languages[ins.source_language].status != "source":
        c.error(ErrorCode.INSTRUMENT_TRANSLATION,
                f"language '{ins.source_language}' is the source language and must have "
                "status 'source'", ("languages", ins.source_language))
    for lang, info in ins.languages.items():
        if lang != ins.source_language and info.status == "source":
            c.error(ErrorCode.INSTRUMENT_TRANSLATION,
                    f"only the source language may have status 'source' (found on '{lang}')",
                    ("languages", lang))
    for key in ("title", "purpose", "consent"):
        c.text(getattr(ins, key), (key,), None, key)
    for name, text in (ins.notices or {}).items():
        c.text(text, ("notices", name), None, f"notice '{name}'")


def check_names(c: Checker) -> None:
    seen: dict[str, Path] = {}
    for item, path, repeat in c.items_with_paths():
        if item.name in seen:
            c.error(ErrorCode.INSTRUMENT_DUPLICATE,
                    f"duplicate item name '{item.name}' (first at line "
                    f"{c.smap.line_of(seen[item.name])})", path, item.name)
        else:
            seen[item.name] = path
        if repeat:
            c.repeat_of[item.name] = repeat
    c.paths = seen
    c.chains = _repeat_chains(c.ins)
    c.item_names = set(seen)
    section_names: set[str] = set()
    for index, section in enumerate(c.ins.sections):
        if section.name in section_names:
            c.error(ErrorCode.INSTRUMENT_DUPLICATE, f"duplicate section name '{section.name}'",
                    ("sections", index))
        section_names.add(section.name)
    for key in ("indicators", "flags", "domains", "routes"):
        names: set[str] = set()
        for index, entry in enumerate(getattr(c.ins, key)):
            if entry.name in names:
                c.error(ErrorCode.INSTRUMENT_DUPLICATE,
                        f"duplicate {key[:-1]} name '{entry.name}'", (key, index))
            names.add(entry.name)
    for list_name, choices in c.ins.choice_lists.items():
        _check_choice_names(c, choices, ("choice_lists", list_name), None)


def _repeat_chains(ins: Instrument) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}

    def walk_items(items: list[Item], chain: tuple[str, ...]) -> None:
        for item in items:
            out.setdefault(item.name, chain)
            if item.items:
                inner = (*chain, item.name) if item.type is ItemType.REPEAT else chain
                walk_items(item.items, inner)

    for section in ins.sections:
        walk_items(section.items, ())
    return out


def _check_choice_names(c: Checker, choices: list[Any], path: Path, item: str | None) -> None:
    names: set[str] = set()
    for index, choice in enumerate(choices):
        if choice.name in names:
            c.error(ErrorCode.INSTRUMENT_DUPLICATE, f"duplicate choice name '{choice.name}'",
                    (*path, index), item)
        names.add(choice.name)
        c.text(choice.label, (*path, index, "label"), item, f"label of choice '{choice.name}'")


def check_items(c: Checker) -> None:
    for index, section in enumerate(c.ins.sections):
        c.text(section.title, ("sections", index, "title"), None, f"section '{section.name}' title")
        c.expression(section.relevant, ("sections", index, "relevant"), None, "relevant")
        if not section.items:
            c.error(ErrorCode.INSTRUMENT_SCHEMA, f"section '{section.name}' has no items",
                    ("sections", index))
    for item, path, repeat in c.items_with_paths():
        _check_item(c, item, path, repeat)


def _check_item(c: Checker, item: Item, path: Path, repeat: str | None) -> None:
    name = item.name
    if item.type in CONTAINERS:
        if not item.items:
            c.error(ErrorCode.INSTRUMENT_SCHEMA, f"{item.type.value} has no items", path, name)
    elif item.items:
        c.error(ErrorCode.INSTRUMENT_SCHEMA,
                f"only group and repeat items can contain items (this is {item.type.value})",
                (*path, "items"), name)
    if item.type not in NO_TEXT_TYPES and item.type not in CONTAINERS:
        c.text(item.text, (*path, "text"), name, "text", required=True)
    else:
        c.text(item.text, (*path, "text"), name, "text")
    for key in ("guidance", "hint", "required_message", "constraint_message"):
        c.text(getattr(item, key), (*path, key), name, key)
    if item.constraint and not item.constraint_message:
        c.warn(ErrorCode.INSTRUMENT_TRANSLATION,
               "constraint without constraint_message: users see a generic message",
               (*path, "constraint"), name)
    if item.type is ItemType.CALCULATE and not item.calculation:
        c.error(ErrorCode.INSTRUMENT_SCHEMA, "calculate item needs 'calculation'", path, name)
    if item.value_type and not item.calculation:
        c.error(ErrorCode.INSTRUMENT_SCHEMA, "'value_type' is only for items with a calculation",
                (*path, "value_type"), name)
    if item.calculation and item.type not in (ItemType.CALCULATE, ItemType.HIDDEN):
        c.error(ErrorCode.INSTRUMENT_SCHEMA, "'calculation' is only for calculate items",
                (*path, "calculation"), name)
    if item.repeat_count and item.type is not ItemType.REPEAT:
        c.error(ErrorCode.INSTRUMENT_SCHEMA, "'repeat_count' is only for repeat items",
                (*path, "repeat_count"), name)
    if item.special and not item.is_answerable:
        c.error(ErrorCode.INSTRUMENT_SCHEMA,
                f"{item.type.value} items take no answer, so no special answers",
                (*path, "special"), name)
    c.expression(item.relevant, (*path, "relevant"), name, "relevant")
    c.expression(item.constraint, (*path, "constraint"), name, "constraint")
    c.expression(item.calculation, (*path, "calculation"), name, "calculation")
    c.expression(item.repeat_count, (*path, "repeat_count"), name, "repeat_count")
    if item.choice_filter is not None:
        _check_choice_filter(c, item, (*path, "choice_filter"))
    if isinstance(item.required, str):
        c.expression(item.required, (*path, "required"), name, "required")
    _check_item_choices(c, item, path)


def _check_choice_filter(c: Checker, item: Item, path: Path) -> None:
    """Bare names in a choice filter are choice columns; ``${...}`` must name items."""
    text = item.choice_filter or ""
    if item.type not in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        c.error(ErrorCode.INSTRUMENT_SCHEMA, "'choice_filter' is only for choice items", path,
                item.name)
        return
    try:
        expr = compile_choice_filter(text)
    except ExpressionError as exc:
        c.error(ErrorCode.INSTRUMENT_EXPRESSION, f"bad choice_filter expression: {exc.message}",
                path, item.name)
        return
    for ref in sorted(choice_item_references(expr)):
        if ref not in c.item_names:
            c.error(ErrorCode.INSTRUMENT_REFERENCE,
                    f"choice_filter refers to unknown item ${{{ref}}}", path, item.name)


def _check_item_choices(c: Checker, item: Item, path: Path) -> None:
    name = item.name
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        if item.choices is None:
            c.error(ErrorCode.INSTRUMENT_SCHEMA, "choice item needs 'choices'", path, name)
    elif item.choices is not None and item.type not in CHOICE_TYPES:
        c.error(ErrorCode.INSTRUMENT_SCHEMA, f"{item.type.value} items take no choices",
                (*path, "choices"), name)
    if isinstance(item.choices, str) and item.choices not in c.ins.choice_lists:
        c.error(ErrorCode.INSTRUMENT_REFERENCE, f"unknown choice list '{item.choices}'",
                (*path, "choices"), name)
    elif isinstance(item.choices, list):
        if not item.choices:
            c.error(ErrorCode.INSTRUMENT_SCHEMA, "'choices' is empty", (*path, "choices"), name)
        _check_choice_names(c, item.choices, (*path, "choices"), name)
    if (
        item.type in (ItemType.YES_NO, ItemType.OBSERVATION)
        and item.choices is None
        and YES_NO_LIST not in c.ins.choice_lists
    ):
        c.error(ErrorCode.INSTRUMENT_REFERENCE,
                f"{item.type.value} items need a '{YES_NO_LIST}' choice list with 'yes' and "
                "'no' labelled in every language", path, name)


def check_scoring(c: Checker) -> None:
    ins = c.ins
    domains = {d.name for d in ins.domains}
    for index, domain in enumerate(ins.domains):
        c.text(domain.label, ("domains", index, "label"), None, f"domain '{domain.name}' label")
    dimensions: set[str] = set()
    for index, ind in enumerate(ins.indicators):
        path: Path = ("indicators", index)
        c.text(ind.label, (*path, "label"), None, f"indicator '{ind.name}' label")
        c.expression(ind.when, (*path, "when"), None, f"indicator '{ind.name}' when")
        if domains and ind.domain not in domains:
            c.error(ErrorCode.INSTRUMENT_REFERENCE,
                    f"indicator '{ind.name}' has undeclared domain '{ind.domain}'",
                    (*path, "domain"))
        if ind.dimension:
            dimensions.add(ind.dimension)
        if ins.outcome.rule == "weighted" and (ind.strength is None or ind.dimension is None):
            c.error(ErrorCode.INSTRUMENT_SCHEMA,
                    f"indicator '{ind.name}' needs 'strength' and 'dimension' for the "
                    "weighted rule", path)
        if ins.outcome.rule == "graded" and (ind.strength is None or ind.element is None):
            c.error(ErrorCode.INSTRUMENT_SCHEMA,
                    f"indicator '{ind.name}' needs 'strength' and 'element' (act, means or "
                    "purpose) for the graded rule", path)
    for index, flag in enumerate(ins.flags):
        path = ("flags", index)
        c.text(flag.label, (*path, "label"), None, f"flag '{flag.name}' label")
        c.text(flag.message, (*path, "message"), None, f"flag '{flag.name}' message")
        c.expression(flag.when, (*path, "when"), None, f"flag '{flag.name}' when")
    for index, route in enumerate(ins.routes):
        path = ("routes", index)
        c.text(route.message, (*path, "message"), None, f"route '{route.name}' message")
        c.expression(route.when, (*path, "when"), None, f"route '{route.name}' when")
    out = ins.outcome
    for level in LEVELS_BY_RULE[out.rule]:
        if level not in out.labels:
            c.error(ErrorCode.INSTRUMENT_TRANSLATION,
                    f"outcome has no wording for level '{level}'", ("outcome", "labels"))
    for level, text in out.labels.items():
        c.text(text, ("outcome", "labels", level), None, f"outcome label '{level}'")
    for lang in out.threshold_by_language or {}:
        if lang not in ins.languages:
            c.error(ErrorCode.INSTRUMENT_REFERENCE,
                    f"threshold_by_language names undeclared language '{lang}'",
                    ("outcome", "threshold_by_language", lang))
    for name in out.core_items or []:
        if name not in c.item_names:
            c.error(ErrorCode.INSTRUMENT_REFERENCE, f"core item '{name}' does not exist",
                    ("outcome", "core_items"))
    if out.graded:
        present = {ind.element for ind in ins.indicators}
        for index, cond in enumerate(out.graded.refer_when):
            for element in cond.elements:
                if element not in present:
                    c.error(ErrorCode.INSTRUMENT_REFERENCE,
                            f"graded rule needs element '{element}', which no indicator has",
                            ("outcome", "graded", "refer_when", index))
    if out.weighted:
        for group in out.weighted.combine:
            for dim in group:
                if dim not in dimensions:
                    c.error(ErrorCode.INSTRUMENT_REFERENCE,
                            f"weighted rule combines dimension '{dim}', which no indicator has",
                            ("outcome", "weighted", "combine"))


def check_calculation_cycles(c: Checker) -> None:
    """Calculations may refer to each other in any order, but never in a circle."""
    graph: dict[str, set[str]] = {}
    for item, _path, _repeat in c.items_with_paths():
        if item.calculation:
            try:
                graph[item.name] = set(parse(item.calculation).references())
            except ExpressionError:
                continue  # already reported
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for ref in graph.get(node, ()):
            if state.get(ref) == 1:
                cycle = " -> ".join([*trail[trail.index(ref):], ref]) if ref in trail else ref
                c.error(ErrorCode.INSTRUMENT_REFERENCE, f"calculations form a cycle: {cycle}",
                        c.paths.get(node, ()), node)
            elif ref in graph and state.get(ref) is None:
                visit(ref, [*trail, ref])
        state[node] = 2

    for name in graph:
        if state.get(name) is None:
            visit(name, [name])


def check_validation_status(c: Checker) -> None:
    """The declared status must be true of the file: an instrument "built from published
    indicators" declares indicators that name their framework; one "adapted from a
    validated tool" should name that tool (a warning: older files did not)."""
    ins = c.ins
    status = ins.validation.status
    path: Path = ("validation", "status")
    if status == "indicator_based":
        if not ins.indicators:
            c.error(ErrorCode.INSTRUMENT_SCHEMA,
                    "validation status 'indicator_based' needs indicators; this instrument "
                    "declares none", path)
        for index, ind in enumerate(ins.indicators):
            if not ind.framework_ref:
                c.error(ErrorCode.INSTRUMENT_SCHEMA,
                        f"indicator '{ind.name}' has no framework_ref, but the validation "
                        "status 'indicator_based' says every indicator comes from a "
                        "published framework", ("indicators", index), ind.name)
    elif status == "adapted" and not ins.validation.citation:
        c.warn(ErrorCode.INSTRUMENT_SCHEMA,
               "validation status 'adapted' means adapted from a validated tool: name that "
               "tool in validation.citation (or use 'indicator_based', 'guidance_based' or "
               "'draft')", path)


RULES: list[Callable[[Checker], None]] = [
    check_languages,
    check_names,
    check_items,
    check_scoring,
    check_calculation_cycles,
    check_validation_status,
]


def validate_instrument(
    instrument: Instrument, smap: SourceMap
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for a schema-valid instrument."""
    checker = Checker(instrument, smap)
    for rule in RULES:
        rule(checker)
    return checker.errors, checker.warnings
