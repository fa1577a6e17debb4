"""A FieldScreen instrument -> an XLSForm workbook (.xlsx) for ODK Central / KoboToolbox.

What goes where:

* ``survey``: one row per item; each section is a top-level ``begin group`` named after the
  section (``<name>_section`` if an item already has that name) whose label is the section
  title; sections named with a leading underscore (imported forms' ``_form``) are not
  groups, their items sit at the top level. Types: ``yes_no`` and ``observation`` become
  ``select_one yes_no``; ``datetime`` becomes ``dateTime``; the rest keep their name.
  Columns: ``label``, ``hint``, ``guidance_hint``, ``required_message``,
  ``constraint_message`` per language as ``label::Name (code)`` (code in BCP 47 form,
  ``zh-Hans``), ``required``, ``relevant``, ``constraint``, ``calculation``, ``default``,
  ``read_only``, ``choice_filter``, ``appearance``, ``repeat_count``; sections and items held
  back while a companion is present have ``yes`` in ``bind::fieldscreen:sensitive``.
* ``choices``: every choice list, plus a list per item with its own choices
  (``<item>_choices``); ``Choice.filter`` entries become extra columns.
* ``settings``: ``form_title`` (source language), ``form_id``, ``version``,
  ``default_language``, ``clean_text_values: no`` (keep whitespace as written), and
  ``namespaces`` declaring the ``fieldscreen`` prefix when a column uses it.
* ``fieldscreen``: what XLSForm cannot hold (see ``extras``), so an import restores the
  instrument exactly. ODK and Kobo ignore this sheet.

The published form has no "refused"/"don't know" buttons, no indicators, flags or outcome:
ODK has no such notions. Data collected with it exports like any ODK form.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from screening.errors import ErrorCode, InputError
from screening.instruments.hashing import content_hash
from screening.instruments.model import (
    YES_NO_LIST,
    Choice,
    Instrument,
    Item,
    ItemType,
    Text,
)
from screening.xlsform import extras as fs_extras
from screening.xlsform.languages import bcp47
from screening.xlsform.qtypes import SENSITIVE_BIND, SENSITIVE_NAMESPACE

SENSITIVE_COLUMN = f"bind::{SENSITIVE_BIND}"
TYPE_COLUMN = "bind::type"  # a calculation's stored type (Item.value_type)

TYPES = {
    ItemType.TEXT: "text",
    ItemType.INTEGER: "integer",
    ItemType.DECIMAL: "decimal",
    ItemType.DATE: "date",
    ItemType.TIME: "time",
    ItemType.DATETIME: "dateTime",
    ItemType.NOTE: "note",
    ItemType.ACKNOWLEDGE: "acknowledge",
    ItemType.CALCULATE: "calculate",
    ItemType.HIDDEN: "hidden",
}
TEXT_COLUMNS = ("label", "hint", "guidance_hint", "required_message", "constraint_message")
_ITEM_TEXT = {
    "label": "text",
    "hint": "hint",
    "guidance_hint": "guidance",
    "required_message": "required_message",
    "constraint_message": "constraint_message",
}
LOGIC_COLUMNS = (
    "required",
    "relevant",
    "constraint",
    "calculation",
    "default",
    "read_only",
    "choice_filter",
    "appearance",
    "repeat_count",
)
_SMART = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def loose(text: str) -> str:
    """What a string becomes after a trip through a cell, pyxform and the importer."""
    return " ".join(_ILLEGAL.sub("", text).translate(_SMART).split())


def language_key(code: str, name: str) -> str:
    return f"{name} ({bcp47(code)})"


class _Sheet:
    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.rows: list[dict[str, str]] = []

    def add(self, **values: str) -> None:
        self.rows.append({k: v for k, v in values.items() if v not in (None, "")})

    def add_row(self, row: dict[str, str]) -> None:
        self.rows.append({k: v for k, v in row.items() if v not in (None, "")})


class _Exporter:
    def __init__(self, instrument: Instrument,
                 after_item: Callable[[Item], list[dict[str, str]]] | None = None) -> None:
        self.ins = instrument
        self.after_item = after_item
        self.codes = list(instrument.languages)
        self.keys = {
            code: language_key(code, info.name) for code, info in instrument.languages.items()
        }
        self.exact: dict[str, Any] = {}
        self.item_extras: dict[str, dict[str, Any]] = {}
        self.inline: dict[str, str] = {}
        self.lists: dict[str, list[Choice]] = dict(instrument.choice_lists)
        self.item_names = {item.name for item in instrument.walk()}
        text_cols = [f"{col}::{self.keys[c]}" for col in TEXT_COLUMNS for c in self.codes]
        self.sensitive = any(s.sensitive for s in instrument.sections) or any(
            item.sensitive for item in instrument.walk())
        held = [SENSITIVE_COLUMN] if self.sensitive else []
        typed = ([TYPE_COLUMN] if any(item.value_type for item in instrument.walk()) else [])
        self.survey = _Sheet(["type", "name", *text_cols, *LOGIC_COLUMNS, *held, *typed])
        self.sections: list[dict[str, Any]] = []

    # -- helpers -------------------------------------------------------------------------
    def _texts(self, row: dict[str, str], column: str, text: Text | None, key: str) -> None:
        if not text:
            return
        changed = False
        for code in self.codes:
            value = text.get(code)
            if value:
                row[f"{column}::{self.keys[code]}"] = _ILLEGAL.sub("", value)
                changed = changed or loose(value) != value
        if changed:
            self.exact[key] = dict(text)

    def _plain(self, row: dict[str, str], column: str, value: str | None, key: str) -> None:
        if value is None or value == "":
            return
        row[column] = _ILLEGAL.sub("", value)
        if loose(value) != value:
            self.exact[key] = value

    # -- survey --------------------------------------------------------------------------
    def build(self) -> None:
        groups = section_groups(self.ins)
        for section in self.ins.sections:
            group = groups[section.name]
            if group is None:
                entry: dict[str, Any] = {
                    "name": section.name,
                    "group": None,
                    "title": dict(section.title),
                    "items": [i.name for i in section.items],
                }
                if section.sensitive:
                    entry["sensitive"] = True
                self.sections.append(entry)
                for item in section.items:
                    self._item(item)
                continue
            self.sections.append({"name": section.name, "group": group})
            row: dict[str, str] = {"type": "begin group", "name": group}
            self._texts(row, "label", section.title, f"section/{section.name}/title")
            self._plain(row, "relevant", section.relevant, f"section/{section.name}/relevant")
            if section.sensitive:
                row[SENSITIVE_COLUMN] = "yes"
            self.survey.add_row(row)
            for item in section.items:
                self._item(item)
            self.survey.add(type="end group", name=group)

    def _item(self, item: Item) -> None:
        name = item.name
        row: dict[str, str] = {"name": name}
        kind = item.type
        if kind in (ItemType.GROUP, ItemType.REPEAT):
            word = "group" if kind is ItemType.GROUP else "repeat"
            row["type"] = f"begin {word}"
        elif kind in (
            ItemType.SINGLE_CHOICE,
            ItemType.YES_NO,
            ItemType.OBSERVATION,
            ItemType.MULTIPLE_CHOICE,
        ):
            verb = "select_multiple" if kind is ItemType.MULTIPLE_CHOICE else "select_one"
            row["type"] = f"{verb} {self._list_for(item)}"
        else:
            row["type"] = TYPES[kind]
        for column, attr in _ITEM_TEXT.items():
            self._texts(row, column, getattr(item, attr), f"item/{name}/{attr}")
        if item.required is True:
            row["required"] = "yes"
        elif isinstance(item.required, str):
            self._plain(row, "required", item.required, f"item/{name}/required")
        for column in (
            "relevant",
            "constraint",
            "calculation",
            "choice_filter",
            "appearance",
            "repeat_count",
        ):
            self._plain(row, column, getattr(item, column), f"item/{name}/{column}")
        if item.read_only:
            row["read_only"] = "yes"
        if item.value_type:
            row[TYPE_COLUMN] = item.value_type
        if item.sensitive:
            row[SENSITIVE_COLUMN] = "yes"
        if item.default is not None:
            row["default"] = _default_text(item.default)
            self.item_extras.setdefault(name, {})["default"] = item.default
        if kind in (ItemType.YES_NO, ItemType.OBSERVATION):
            extra = self.item_extras.setdefault(name, {})
            extra["type"] = kind.value
            extra["choices"] = (
                item.choices
                if isinstance(item.choices, str)
                else self._list_for(item)
                if item.choices
                else None
            )
        if item.special is not None:
            self.item_extras.setdefault(name, {})["special"] = list(item.special)
        if item.odk_name is not None:
            self.item_extras.setdefault(name, {})["odk_name"] = item.odk_name
        self.survey.add_row(row)
        if item.items:
            for child in item.items:
                self._item(child)
            self.survey.add(
                type=f"end {'group' if kind is ItemType.GROUP else 'repeat'}", name=name
            )
        for extra in self.after_item(item) if self.after_item else ():
            self.survey.add_row(extra)

    def _list_for(self, item: Item) -> str:
        if isinstance(item.choices, str):
            return item.choices
        if isinstance(item.choices, list):
            for list_name, owner in self.inline.items():
                if owner == item.name:
                    return list_name
            list_name = f"{item.name}_choices"
            n = 2
            while list_name in self.lists:
                list_name = f"{item.name}_choices{n}"
                n += 1
            self.lists[list_name] = list(item.choices)
            self.inline[list_name] = item.name
            return list_name
        return YES_NO_LIST

    # -- choices and settings ------------------------------------------------------------
    def choices_sheet(self) -> _Sheet:
        filters: list[str] = []
        for options in self.lists.values():
            for choice in options:
                for key in choice.filter or {}:
                    if key not in filters:
                        filters.append(key)
        labels = [f"label::{self.keys[c]}" for c in self.codes]
        sheet = _Sheet(["list_name", "name", *labels, *filters])
        for list_name, options in self.lists.items():
            for choice in options:
                row = {"list_name": list_name, "name": choice.name}
                self._texts(row, "label", choice.label, f"choice/{list_name}/{choice.name}")
                for key, value in (choice.filter or {}).items():
                    row[key] = value
                sheet.add_row(row)
        return sheet

    def settings_sheet(self, overrides: Mapping[str, str] | None = None) -> _Sheet:
        ins = self.ins
        values = {
            "form_title": ins.text(ins.title, ins.source_language),
            "form_id": ins.id,
            "version": ins.version,
            "default_language": self.keys[ins.source_language],
            "clean_text_values": "no",
            **({"namespaces": SENSITIVE_NAMESPACE} if self.sensitive else {}),
            **(overrides or {}),
        }
        sheet = _Sheet(list(values))
        sheet.add(**values)
        return sheet

    def extras(self) -> dict[str, Any]:
        saved = self.ins.model_dump(
            mode="json", exclude_none=True, exclude={"sections", "choice_lists", "content_hash"}
        )
        return {
            "format": fs_extras.FORMAT,
            "instrument": saved,
            "content_hash": content_hash(self.ins),
            "sections": self.sections,
            "items": self.item_extras,
            "inline_lists": self.inline,
            "language_keys": {self.keys[c]: c for c in self.codes},
            "exact": self.exact,
        }


def section_groups(instrument: Instrument) -> dict[str, str | None]:
    """Section name -> the top-level group that holds it in XLSForm (None: no group).

    A section is a group named like the section, or ``<name>_section`` when an item already
    has that name; a section whose name starts with ``_`` and has no ``relevant`` is not a
    group (imported forms' items sit at the form's top level). ODK exports use the same
    names, so data columns match the published form.
    """
    taken = {item.name for item in instrument.walk()} | {"meta"}
    out: dict[str, str | None] = {}
    for section in instrument.sections:
        if section.name.startswith("_") and not section.relevant:
            out[section.name] = None
            continue
        name = section.name
        n = 1
        while name in taken:
            name = f"{section.name}_section" + (str(n) if n > 1 else "")
            n += 1
        taken.add(name)
        out[section.name] = name
    return out


def _default_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _write(book: Any, title: str, sheet: _Sheet) -> None:
    ws = book.create_sheet(title)
    ws.append(sheet.columns)
    index = {c: i for i, c in enumerate(sheet.columns)}
    for row in sheet.rows:
        values: list[Any] = [None] * len(sheet.columns)
        for key, value in row.items():
            values[index[key]] = value
        ws.append(values)
    for cells in ws.iter_rows(min_row=1):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a label starting with "=" is text, not a formula


def export_xlsform(
    instrument: Instrument,
    *,
    after_item: Callable[[Item], list[dict[str, str]]] | None = None,
    settings: Mapping[str, str] | None = None,
) -> bytes:
    """The instrument as an .xlsx XLSForm (bytes).

    :param after_item: survey rows to put right after an item's row (after its ``end`` row
      for a group or repeat): the hidden companion fields of the form FieldScreen publishes
      to ODK Central (``screening.server.xform``).
    :param settings: settings-sheet values that replace or add to the instrument's
      (``version``, ``public_key``).
    """
    import openpyxl

    exporter = _Exporter(instrument, after_item)
    exporter.build()
    choices = exporter.choices_sheet()
    book = openpyxl.Workbook()
    book.remove(book.active)
    _write(book, "survey", exporter.survey)
    _write(book, "choices", choices)
    _write(book, "settings", exporter.settings_sheet(settings))
    ws = book.create_sheet(fs_extras.SHEET)
    for chunk in fs_extras.chunks(exporter.extras()):
        ws.append([chunk])
        ws.cell(row=ws.max_row, column=1).data_type = "s"
    out = io.BytesIO()
    try:
        book.save(out)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"instrument '{instrument.id}' cannot be written as a workbook: {exc}",
            code=ErrorCode.BAD_INPUT,
        ) from None
    return out.getvalue()


def write_xlsform(instrument: Instrument, path: Path) -> None:
    data = export_xlsform(instrument)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
