"""pyxform's JSON representation of an XLSForm -> a FieldScreen instrument (as plain data).

pyxform parses the workbook (``workbook_to_json``: aliases, translations, ``or_other``,
settings); this module maps the result onto our model, element by element, and says what
it could not map: an **error** when running the form without the feature would change which
questions are asked or how many (an unsupported ``relevant``/``required``/``repeat_count``
expression, an unknown type), a **warning** naming what the form loses otherwise (a photo
question that stays empty, a constraint that is not checked).

Repeats nest to any depth; ``begin loop`` is expanded as pyxform does (``loops``).

Texts are registered while mapping and filled afterwards (``texts.fill_translations``);
rows come from ``rows.RowIndex``; unsupported question types from ``qtypes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from screening.errors import ErrorCode, ExpressionError
from screening.expr.choicefilter import compile_choice_filter
from screening.expr.regex import PatternError
from screening.instruments.model import NAME_PATTERN, ItemType
from screening.xlsform.choicenames import ChoiceNames
from screening.xlsform.expressions import ExpressionColumns
from screening.xlsform.languages import DEFAULT_PYXFORM_LANGUAGE
from screening.xlsform.loops import Loops
from screening.xlsform.qtypes import (
    FILE_LIST,
    KNOWN_BIND,
    KNOWN_KEYS,
    SENSITIVE_BIND,
    SUPPORTED_TYPES,
    OtherTypes,
    sensitive_value,
)
from screening.xlsform.report import Collector
from screening.xlsform.rows import RowIndex
from screening.xlsform.texts import Languages, TextSlot, is_meta, text_items

_NAME = re.compile(NAME_PATTERN)


# XForm bind types a calculation's result is cast to (others are stored as text).
_VALUE_TYPES = {"int": "int", "integer": "int", "decimal": "decimal", "date": "date",
                "dateTime": "dateTime"}
_COMPUTED_QUESTIONS = (ItemType.INTEGER, ItemType.DECIMAL, ItemType.DATE, ItemType.DATETIME,
                       ItemType.TEXT)
_QUESTION_VALUE_TYPES = {ItemType.INTEGER: "int", ItemType.DECIMAL: "decimal",
                         ItemType.DATE: "date", ItemType.DATETIME: "dateTime"}


@dataclass
class MappedForm:
    """The result of mapping: plain data ready for ``Instrument.model_validate``."""

    items: list[dict[str, Any]]
    choice_lists: dict[str, list[dict[str, Any]]]
    slots: list[TextSlot]
    paths: dict[str, tuple[str, ...]]  # our item name -> XLSForm path
    rows: dict[str, int]  # our item name -> survey row
    renamed_choices: dict[str, dict[str, str]]


class Mapper(OtherTypes, Loops, ExpressionColumns, ChoiceNames):
    """Maps one pyxform JSON form; problems go to ``collector``."""

    def __init__(
        self,
        form: Mapping[str, Any],
        rows: RowIndex,
        languages: Languages,
        collector: Collector,
        external_choices: Mapping[str, list[Any]] | None = None,
    ) -> None:
        self.form = form
        self.rows = rows
        self.langs = languages
        self.out = collector
        self.external = dict(external_choices or {})
        self.slots: list[TextSlot] = []
        self.choice_lists: dict[str, list[dict[str, Any]]] = {}
        self.list_items: dict[str, list[str]] = {}
        self.names: set[str] = set()
        self.paths: dict[str, tuple[str, ...]] = {}
        self.item_rows: dict[str, int] = {}
        self.unknown_columns: set[str] = set()
        self.expressions: list[tuple[str, frozenset[str]]] = []
        self.prefixed: dict[tuple[str, ...], str] = {}  # see ``Loops``
        self.loops: set[tuple[str, ...]] = set()
        self.choice_paths: set[tuple[str, ...]] = set()
        self.containers: dict[str, str] = {}

    # -- texts ---------------------------------------------------------------------------
    def text(
        self,
        value: Any,
        what: str,
        *,
        sheet: str = "survey",
        row: int | None = None,
        item: str | None = None,
    ) -> dict[str, str] | None:
        """Register a translatable text; returns the (still unfilled) code -> text dict."""
        out: dict[str, str] = {}
        default: str | None = None
        sources: dict[str, str] = {}
        for key, text in text_items(value):
            text = text.strip()
            if not text:
                continue
            if key == DEFAULT_PYXFORM_LANGUAGE and not self.langs.default_is_language:
                default = text
                continue
            lang = self.langs.by_key.get(key)
            if lang is None:
                continue
            if lang.code in out and out[lang.code] != text:
                self.out.warn(
                    "conflicting translations",
                    f"the {what} has two different texts for language '{lang.code}' (columns "
                    f"'{sources[lang.code]}' and '{key}'); using the first",
                    sheet=sheet,
                    row=row,
                    item=item,
                    code=ErrorCode.INSTRUMENT_TRANSLATION,
                )
                continue
            out.setdefault(lang.code, text)
            sources.setdefault(lang.code, key)
        if not out and default is None:
            return None
        self.slots.append(TextSlot(out, what, sheet, row, item, default))
        return out

    # -- names ---------------------------------------------------------------------------
    def _name(self, raw: str, path: tuple[str, ...], row: int | None) -> str | None:
        container = self.prefixed.get(path[:-1])
        if container is not None:
            raw = f"{container}.{raw}"  # a loop's copy: unique, and it says where it is
            self.containers[raw] = container
        if not _NAME.match(raw):
            self.out.error(
                "invalid name",
                f"the name '{raw}' is not allowed in FieldScreen (names start with "
                "a letter or underscore and use only letters, digits, '_', '.', "
                "'-')",
                row=row,
                item=raw,
            )
            return None
        name = raw
        if name in self.names:
            parent = path[-2] if len(path) > 1 else "form"
            name = f"{parent}.{raw}"
            n = 2
            while name in self.names:
                name = f"{parent}.{raw}.{n}"
                n += 1
            self.out.warn(
                "duplicate name renamed",
                f"the name '{raw}' is used more than once in the form; FieldScreen "
                f"needs unique names, so this one is stored as '{name}'",
                row=row,
                item=raw,
            )
        self.names.add(name)
        return name

    # -- elements ------------------------------------------------------------------------
    def map_form(self) -> list[dict[str, Any]]:
        return self._children(self.form.get("children") or (), (), None)

    def _children(
        self, children: Iterable[Any], base: tuple[str, ...], repeat: str | None
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for element in children:
            if not isinstance(element, dict):
                continue
            if not base and is_meta(element):
                self._meta(element)
                continue
            item = self._element(element, base, repeat)
            if item is not None:
                items.append(item)
        return items

    def _meta(self, element: Mapping[str, Any]) -> None:
        """pyxform's ``meta`` group: instanceID (FieldScreen has its own ids), plus what
        the form put there: ``audit``, entities."""
        for child in element.get("children") or ():
            if isinstance(child, dict) and child.get("type") == "audit":
                self.out.warn(
                    "left out",
                    f"'{child.get('name')}' (audit) is left out: FieldScreen keeps its own "
                    "audit log of every answer",
                    row=self.rows.row((str(child.get("name")),)),
                    item=str(child.get("name")),
                )
            if isinstance(child, dict) and child.get("type") == "entity":
                self.out.warn(
                    "entities ignored",
                    "the form creates or updates ODK entities (entities sheet); "
                    "FieldScreen does not keep entities, so this is ignored",
                    sheet="entities",
                    row=None,
                )

    def _element(
        self, el: Mapping[str, Any], base: tuple[str, ...], repeat: str | None
    ) -> dict[str, Any] | None:
        raw_name = str(el.get("name") or "")
        kind = str(el.get("type") or "")
        if kind == "loop":
            return self._loop(el, base, repeat)
        path = (*base, raw_name)
        row = self.rows.row(self.template(path)) or self.rows.row(
            self.template((*base, raw_name.removesuffix("_other"))))
        for key in el:
            if key not in KNOWN_KEYS:
                self.unknown_columns.add(str(key))
        bind = el.get("bind") or {}
        control = el.get("control") or {}
        if not isinstance(bind, dict) or not isinstance(control, dict):
            bind = bind if isinstance(bind, dict) else {}
            control = control if isinstance(control, dict) else {}
        for key in bind:
            if key not in KNOWN_BIND:
                self.out.warn(
                    "bind attribute ignored",
                    f"the bind attribute '{key}' of '{raw_name}' is ignored by FieldScreen",
                    row=row,
                    item=raw_name,
                )
        if el.get("media"):
            media = ", ".join(sorted(str(k) for k in el["media"]))
            self.out.warn(
                "media columns not shown",
                f"media ({media}) of '{raw_name}' are not shown by FieldScreen; only the text is",
                row=row,
                item=raw_name,
            )
        if el.get("instance"):
            self.out.warn(
                "instance attributes ignored",
                f"instance attributes of '{raw_name}' are ignored",
                row=row,
                item=raw_name,
            )
        if el.get("trigger"):
            self.out.warn(
                "trigger ignored",
                f"the trigger of '{raw_name}' is ignored: FieldScreen recomputes the "
                "calculation whenever its inputs change",
                row=row,
                item=raw_name,
            )

        itype = SUPPORTED_TYPES.get(kind)
        if itype is None:
            return self._other_type(el, kind, path, row, repeat)
        if kind == "select one" or kind == "select all that apply":
            list_name = str(el.get("list_name") or el.get("itemset") or "")
            if FILE_LIST.search(list_name):
                return self._placeholder(
                    el,
                    path,
                    row,
                    f"select_one_from_file ({list_name})",
                    "FieldScreen cannot read external choice files",
                    "select from file not asked",
                )
        name = self._name(raw_name, path, row)
        if name is None:
            return None
        self.paths[name] = path
        if row:
            self.item_rows[name] = row
        if itype in (ItemType.GROUP, ItemType.REPEAT) and (
                path in self.loops or path[:-1] in self.prefixed):
            self.prefixed[path] = name
        item: dict[str, Any] = {"name": name, "type": itype.value}
        if name != raw_name:
            item["odk_name"] = raw_name

        # texts
        label = self.text(el.get("label"), f"label of '{name}'", row=row, item=name)
        hint = self.text(el.get("hint"), f"hint of '{name}'", row=row, item=name)
        guidance = self.text(
            el.get("guidance_hint"), f"guidance_hint of '{name}'", row=row, item=name
        )
        if label is not None:
            item["text"] = label
        elif itype not in (ItemType.CALCULATE, ItemType.HIDDEN, ItemType.GROUP, ItemType.REPEAT):
            if hint is not None:
                item["text"], hint = hint, None
                self.slots[-1 if guidance is None else -2].what = f"label of '{name}'"
            else:
                self.out.warn(
                    "no label",
                    f"'{name}' has no label; its name is shown instead",
                    row=row,
                    item=name,
                    code=ErrorCode.INSTRUMENT_TRANSLATION,
                )
                item["text"] = self.text(raw_name, f"label of '{name}'", row=row, item=name)
        if hint is not None:
            item["hint"] = hint
        if guidance is not None:
            item["guidance"] = guidance

        # logic
        relevant = self.expression(bind.get("relevant"), "relevant", row=row, item=name, fatal=True)
        if relevant:
            item["relevant"] = relevant
        self._required(item, bind, row)
        constraint = bind.get("constraint")
        if constraint:
            checked = self.expression(
                constraint,
                "constraint",
                row=row,
                item=name,
                fatal=False,
                loses="answers are not checked against it",
            )
            if checked:
                item["constraint"] = checked
        for attr, key, what in (
            ("jr:constraintMsg", "constraint_message", "constraint_message"),
            ("jr:requiredMsg", "required_message", "required_message"),
        ):
            message = self.text(bind.get(attr), f"{what} of '{name}'", row=row, item=name)
            if message is not None:
                item[key] = message
        self._calculation(item, bind, row, itype)
        self._read_only(item, bind, row)
        held = sensitive_value(bind.get(SENSITIVE_BIND, ""))
        if held:
            item["sensitive"] = True
        elif held is None:
            self.out.warn("sensitive value ignored", f"'{name}': {SENSITIVE_BIND} takes yes "
                          "or no; the item is not held back", row=row, item=name)
        computed = item["type"] == ItemType.CALCULATE.value
        if not computed:
            self._default(item, el, row)
        appearance = control.get("appearance")
        if not computed and isinstance(appearance, str) and appearance.strip():
            item["appearance"] = " ".join(appearance.split())

        # choices
        if itype in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
            chosen = self._choices(el, kind, name, row)
            if chosen is None:
                return None
            item["choices"] = chosen
            self.list_items.setdefault(chosen, []).append(name)
            self._parameters(el, name, row)
        if el.get("choice_filter"):
            choice_filter = self._choice_filter(el, name, row, itype)
            if choice_filter:
                item["choice_filter"] = choice_filter

        # containers
        if itype is ItemType.REPEAT:
            count = control.get("jr:count")
            if count:
                checked = self.expression(count, "repeat_count", row=row, item=name, fatal=True)
                if checked:
                    item["repeat_count"] = checked
        if itype in (ItemType.GROUP, ItemType.REPEAT):
            inner = name if itype is ItemType.REPEAT else repeat
            children = self._children(el.get("children") or (), path, inner)
            if not children:
                self.out.warn(
                    "empty group left out",
                    f"the {itype.value} '{name}' has no questions FieldScreen can "
                    "show; it is left out",
                    row=row,
                    item=name,
                )
                self.names.discard(name)
                self.paths.pop(name, None)
                return None
            item["items"] = children
        return item

    def _required(self, item: dict[str, Any], bind: Mapping[str, Any], row: int | None) -> None:
        value = bind.get("required")
        if value is None or value == "":
            return
        text = str(value).strip()
        lowered = text.lower()
        if lowered in ("yes", "true", "true()", "1"):
            item["required"] = True
        elif lowered in ("no", "false", "false()", "0"):
            return
        else:
            checked = self.expression(text, "required", row=row, item=item["name"], fatal=True)
            if checked:
                item["required"] = checked

    def _calculation(
        self, item: dict[str, Any], bind: Mapping[str, Any], row: int | None, itype: ItemType
    ) -> None:
        calculation = bind.get("calculate")
        name = item["name"]
        if not calculation:
            if itype is ItemType.CALCULATE:
                item["type"] = ItemType.HIDDEN.value
            return
        value_type = _VALUE_TYPES.get(str(bind.get("type") or ""))
        if itype not in (ItemType.CALCULATE, ItemType.HIDDEN, *_COMPUTED_QUESTIONS):
            self.out.warn(
                "calculation on a question ignored",
                f"'{name}' is a {itype.value} with a calculation; FieldScreen keeps "
                "the question and ignores the calculation",
                row=row,
                item=name,
            )
            return
        if itype not in (ItemType.CALCULATE, ItemType.HIDDEN):
            # Collect shows the computed value (and recomputes it over any edit); the value
            # is what the form stores, so FieldScreen computes it too, without asking.
            self.out.warn(
                "calculation on a question",
                f"'{name}' is a question ({itype.value}) with a calculation; FieldScreen "
                "computes its value as Collect does, without asking it",
                row=row,
                item=name,
            )
            value_type = _QUESTION_VALUE_TYPES.get(itype)
            item["type"] = ItemType.CALCULATE.value
            for key in ("hint", "guidance", "required", "required_message", "constraint",
                        "constraint_message"):
                item.pop(key, None)
        checked = self.expression(
            calculation,
            "calculation",
            row=row,
            item=name,
            fatal=False,
            loses="the value stays empty",
        )
        if checked:
            item["calculation"] = checked
            if value_type:
                item["value_type"] = value_type
        else:
            item["type"] = ItemType.HIDDEN.value

    def _read_only(self, item: dict[str, Any], bind: Mapping[str, Any], row: int | None) -> None:
        value = bind.get("readonly")
        if value is None or value == "":
            return
        lowered = str(value).strip().lower()
        if lowered in ("yes", "true", "true()", "1"):
            item["read_only"] = True
        elif lowered not in ("no", "false", "false()", "0"):
            self.out.warn(
                "read_only expression ignored",
                f"read_only expression '{value}' of '{item['name']}' is not "
                "supported; the question stays editable",
                row=row,
                item=item["name"],
            )

    def _default(self, item: dict[str, Any], el: Mapping[str, Any], row: int | None) -> None:
        from pyxform.utils import default_is_dynamic

        value = el.get("default")
        if value is None or value == "":
            return
        if default_is_dynamic(value, el.get("type")):
            self.out.warn(
                "dynamic default dropped",
                f"the default '{value}' of '{item['name']}' is an expression; "
                "FieldScreen only uses fixed defaults, so there is none",
                row=row,
                item=item["name"],
            )
            return
        item["default"] = str(value)

    def _parameters(self, el: Mapping[str, Any], name: str, row: int | None) -> None:
        params = el.get("parameters")
        if isinstance(params, dict) and str(params.get("randomize", "")).lower() == "true":
            self.out.warn(
                "randomize ignored",
                f"'{name}' asks for randomized choices; FieldScreen shows them in "
                "the form's order (screening must be reproducible)",
                row=row,
                item=name,
            )

    def _choice_filter(
        self, el: Mapping[str, Any], name: str, row: int | None, itype: ItemType
    ) -> str | None:
        """The filter text when FieldScreen can run it, else None (with a warning)."""
        text = str(el["choice_filter"])
        if itype not in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
            self.out.warn(
                "choice_filter ignored (not a select)",
                f"choice_filter on '{name}', which is not a select question, is "
                "ignored (as pyxform does)",
                row=row,
                item=name,
            )
            return None
        try:
            compile_choice_filter(text)
        except PatternError as exc:  # a regex() RE2 cannot run: an error in any column
            self.out.error(
                "unsupported expression",
                f"choice_filter '{text}' of '{name}' cannot be run by FieldScreen: "
                f"{exc.message.removesuffix(f' at column {exc.column}')}",  # rewritten text's
                row=row,
                item=name,
                code=exc.code,
            )
            return None
        except ExpressionError as exc:
            self.out.warn(
                "choice_filter not applied",
                f"choice_filter '{text}' of '{name}' cannot be run ({exc.message}); every "
                "choice is offered and the officer must pick a consistent one",
                row=row,
                item=name,
                code=ErrorCode.EXPRESSION_UNSUPPORTED,
            )
            return None
        return text

    def _choices(self, el: Mapping[str, Any], kind: str, name: str, row: int | None) -> str | None:
        list_name = str(el.get("list_name") or el.get("itemset") or "")
        if kind == "select one external":
            options = self.external.get(list_name)
            sheet = "external_choices"
        else:
            options = (self.form.get("choices") or {}).get(list_name)
            sheet = "choices"
        if not options:
            self.out.error(
                "choice list missing",
                f"'{name}' uses the choice list '{list_name}', which has no choices "
                f"on the {sheet} sheet",
                row=row,
                item=name,
            )
            return None
        key = list_name
        if sheet == "external_choices" and list_name in (self.form.get("choices") or {}):
            # The same list name on both sheets: two lists; ours needs two names.
            key = f"{list_name}_external"
            while key in (self.form.get("choices") or {}):
                key += "_"
        if key not in self.choice_lists:
            self.choice_lists[key] = self._options(list_name, options, sheet)
        return key

    def include_all_lists(self) -> None:
        """Also map choice lists no question uses (a FieldScreen export keeps them)."""
        for list_name, options in (self.form.get("choices") or {}).items():
            if list_name not in self.choice_lists and options:
                self.choice_lists[list_name] = self._options(list_name, options, "choices")

    def _options(self, list_name: str, options: Iterable[Any], sheet: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for option in options:
            if not isinstance(option, dict):
                continue
            cname = str(option.get("name", "")).strip()
            row = option.get("__row") or self.rows.choices.get((list_name, cname))
            choice: dict[str, Any] = {"name": cname}
            raw_label = option.get("label")
            default_language = str(self.form.get("default_language") or "")
            if sheet == "external_choices" and isinstance(raw_label, str) and default_language:
                raw_label = {default_language: raw_label}  # as pyxform does on its sheets
            label = self.text(
                raw_label,
                f"label of choice '{cname}' in list '{list_name}'",
                sheet=sheet,
                row=row,
            )
            if label is None:
                label = self.text(
                    cname, f"label of choice '{cname}' in list '{list_name}'", sheet=sheet, row=row
                )
                self.out.warn(
                    "no label",
                    f"choice '{cname}' of list '{list_name}' has no label; its name "
                    "is shown instead",
                    sheet=sheet,
                    row=row,
                    code=ErrorCode.INSTRUMENT_TRANSLATION,
                )
            choice["label"] = label
            if option.get("media"):
                self.out.warn(
                    "media columns not shown",
                    f"media of choice '{cname}' in list '{list_name}' are not shown",
                    sheet=sheet,
                    row=row,
                )
            filters = {
                str(k): str(v)
                for k, v in option.items()
                if k not in ("name", "label", "media", "__row", "list_name", "list name")
                and isinstance(v, (str, int, float))
                and str(v).strip()
            }
            if filters:
                choice["filter"] = filters
            out.append(choice)
        return out
