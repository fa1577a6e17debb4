"""XLSForm question types: which FieldScreen runs, and what happens to the others.

Supported types map one to one (``SUPPORTED_TYPES``). Others are looked up in pyxform's
``QUESTION_TYPE_DICT`` and classified by what they collect:

* aliases of supported types (``q int``, ``phone number``, ``percentage``) -> that type,
  with the type's built-in constraint (``phone number``: digits only);
* ``range`` -> an integer or decimal question with a constraint for its bounds (warning);
* ``trigger`` -> acknowledge;
* media (photo, audio, video, file, osm), locations (geopoint, geotrace, geoshape), barcode,
  rank, ``select_one_from_file``, and device/user metadata -> a **hidden** item that is
  never asked and stays empty (warning naming what the form loses). Keeping the name means
  expressions that refer to it still work and exports keep the form's columns;
* ``start``/``end`` metadata -> hidden and empty (FieldScreen records interview times
  itself); ``today`` -> a calculation ``today()``;
* ``audit``, background audio/location, external instances -> left out (warning);
* entities and unknown types -> error (``begin loop`` is expanded by ``loops``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from screening.instruments.model import ItemType
from screening.xlsform.report import Collector
from screening.xlsform.rows import RowIndex

# pyxform JSON type -> our type, for the types FieldScreen runs as they are.
SUPPORTED_TYPES: dict[str, ItemType] = {
    "text": ItemType.TEXT,
    "string": ItemType.TEXT,
    "integer": ItemType.INTEGER,
    "int": ItemType.INTEGER,
    "decimal": ItemType.DECIMAL,
    "date": ItemType.DATE,
    "time": ItemType.TIME,
    "dateTime": ItemType.DATETIME,
    "datetime": ItemType.DATETIME,
    "note": ItemType.NOTE,
    "acknowledge": ItemType.ACKNOWLEDGE,
    "trigger": ItemType.ACKNOWLEDGE,
    "calculate": ItemType.CALCULATE,
    "hidden": ItemType.HIDDEN,
    "select one": ItemType.SINGLE_CHOICE,
    "select all that apply": ItemType.MULTIPLE_CHOICE,
    "select one external": ItemType.SINGLE_CHOICE,
    "group": ItemType.GROUP,
    "repeat": ItemType.REPEAT,
}
BIND_TYPES = {
    "string": ItemType.TEXT,
    "int": ItemType.INTEGER,
    "decimal": ItemType.DECIMAL,
    "date": ItemType.DATE,
    "time": ItemType.TIME,
    "dateTime": ItemType.DATETIME,
}
FILE_LIST = re.compile(r"\.(csv|xml|geojson)$", re.IGNORECASE)
PRELOAD_WHAT = {
    "start": "the time the form was opened",
    "end": "the time the form was finished",
    "today": "the date of the interview",
    "deviceid": "the device identifier",
    "uri:deviceid": "the device identifier",
    "subscriberid": "the SIM subscriber id",
    "uri:subscriberid": "the SIM subscriber id",
    "simserial": "the SIM serial number",
    "uri:simserial": "the SIM serial number",
    "phonenumber": "the device's phone number",
    "uri:phonenumber": "the device's phone number",
    "username": "the data collector's user name",
    "uri:username": "the data collector's user name",
    "email": "the data collector's e-mail address",
    "uri:email": "the data collector's e-mail address",
}


# Element keys we map (or knowingly ignore); any other key is a column FieldScreen ignores.
KNOWN_KEYS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "guidance_hint",
        "bind",
        "control",
        "children",
        "choices",
        "itemset",
        "list_name",
        "choice_filter",
        "parameters",
        "default",
        "media",
        "trigger",
        "query",
        "__row_number",
        "tags",
        "value",
        "actions",
        "instance",
    }
)
# Held back while someone who came with the person is present (issue #14): `yes` in a
# `bind::fieldscreen:sensitive` column, on a question, group or repeat row. The prefix is
# declared in the settings sheet's `namespaces` (SENSITIVE_NAMESPACE); ODK ignores it.
SENSITIVE_BIND = "fieldscreen:sensitive"
SENSITIVE_NAMESPACE = 'fieldscreen="urn:fieldscreen:xforms:1"'


def sensitive_value(value: object) -> bool | None:
    """True/False for a yes/no cell, None for anything else."""
    text = str(value).strip().lower()
    if text in ("yes", "true", "true()", "1"):
        return True
    if text in ("", "no", "false", "false()", "0"):
        return False
    return None


KNOWN_BIND = frozenset(
    {
        SENSITIVE_BIND,
        "relevant",
        "constraint",
        "calculate",
        "required",
        "readonly",
        "jr:constraintMsg",
        "jr:requiredMsg",
        "jr:preload",
        "jr:preloadParams",
        "type",
        "orx:max-pixels",
    }
)
KNOWN_CONTROL = frozenset({"appearance", "jr:count", "bodyless", "autoplay", "rows"})


class OtherTypes:
    """The part of ``Mapper`` that handles types FieldScreen does not run as they are."""

    out: Collector
    rows: RowIndex
    paths: dict[str, tuple[str, ...]]
    item_rows: dict[str, int]

    def _element(
        self, el: Mapping[str, Any], base: tuple[str, ...], repeat: str | None
    ) -> dict[str, Any] | None:  # pragma: no cover
        raise NotImplementedError

    def _name(self, raw: str, path: tuple[str, ...], row: int | None) -> str | None:
        raise NotImplementedError  # pragma: no cover

    def text(
        self,
        value: Any,
        what: str,
        *,
        sheet: str = "survey",
        row: int | None = None,
        item: str | None = None,
    ) -> dict[str, str] | None:
        raise NotImplementedError  # pragma: no cover

    def _other_type(
        self,
        el: Mapping[str, Any],
        kind: str,
        path: tuple[str, ...],
        row: int | None,
        repeat: str | None,
    ) -> dict[str, Any] | None:
        from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

        spec = QUESTION_TYPE_DICT.get(kind)
        bind = el.get("bind") or {}
        preload = (spec or {}).get("bind", {}).get("jr:preloadParams") or bind.get(
            "jr:preloadParams"
        )
        if kind in ("start", "end") or preload in ("start", "end"):
            what = PRELOAD_WHAT.get(str(preload or kind), "metadata")
            return self._placeholder(
                el,
                path,
                row,
                f"{kind} (metadata)",
                f"it would hold {what}; FieldScreen records the interview's "
                "times itself, so this item stays empty",
                "metadata (start/end) left empty",
            )
        if kind == "today" or preload == "today":
            item = self._placeholder(el, path, row, None, None)
            if item is not None:
                item["type"] = ItemType.CALCULATE.value
                item["calculation"] = "today()"
                item["value_type"] = "date"  # stored as a date, as Collect's preload
            return item
        if preload in PRELOAD_WHAT:
            return self._placeholder(
                el,
                path,
                row,
                f"{kind} (metadata)",
                f"it would hold {PRELOAD_WHAT[preload]}; FieldScreen does "
                "not record device or user identifiers, so it stays empty",
                "metadata (device/user) left empty",
            )
        if kind == "range":
            return self._range(el, path, row, repeat)
        if spec is None:
            if kind in ("entity", "attribute", "label"):
                self.out.error(
                    "unsupported type",
                    f"'{el.get('name')}' has the type '{kind}', which FieldScreen does not support",
                    row=row,
                    item=str(el.get("name")),
                )
                return None
            found = self.rows.types.get(kind)
            self.out.error(
                "unknown type",
                f"unknown question type '{kind}'",
                row=found[0] if found else row,
                item=str(el.get("name")),
            )
            return None
        control = spec.get("control", {})
        btype = spec.get("bind", {}).get("type")
        if control.get("tag") == "upload":
            media = control.get("mediatype", "file").split("/")[0]
            return self._placeholder(
                el,
                path,
                row,
                f"{kind} ({media})",
                "FieldScreen does not capture photos, sound, video or "
                "files; the question is not asked and stays empty",
                "media question not asked",
            )
        if btype in ("geopoint", "geotrace", "geoshape"):
            return self._placeholder(
                el,
                path,
                row,
                f"{kind} (location)",
                "FieldScreen does not record locations; the question is not asked and stays empty",
                "location question not asked",
            )
        if btype == "barcode":
            return self._placeholder(
                el,
                path,
                row,
                kind,
                "FieldScreen does not scan barcodes; the question is not asked and stays empty",
                "barcode question not asked",
            )
        if control.get("tag") == "odk:rank":
            return self._placeholder(
                el,
                path,
                row,
                kind,
                "FieldScreen has no ranking questions; the question is not asked and stays empty",
                "rank question not asked",
            )
        if kind in (
            "audit",
            "background-audio",
            "background-geopoint",
            "start-geopoint",
            "xml-external",
            "csv-external",
        ):
            what = {
                "audit": "FieldScreen keeps its own audit log of every answer",
                "xml-external": "FieldScreen has no external data files",
                "csv-external": "FieldScreen has no external data files",
            }.get(kind, "FieldScreen records no location or sound in the background")
            self.out.warn(
                "left out",
                f"'{el.get('name')}' ({kind}) is left out: {what}",
                row=row,
                item=str(el.get("name")),
            )
            return None
        if control.get("tag") == "input" and btype in BIND_TYPES:
            itype = BIND_TYPES[btype]
            alias = dict(el)
            alias["type"] = {v: k for k, v in SUPPORTED_TYPES.items()}.get(itype, "text")
            builtin = spec.get("bind", {}).get("constraint")
            if builtin and not (el.get("bind") or {}).get("constraint"):
                alias["bind"] = {**(el.get("bind") or {}), "constraint": builtin}
            return self._element(alias, path[:-1], repeat)
        if control.get("tag") == "trigger":
            alias = dict(el)
            alias["type"] = "acknowledge"
            return self._element(alias, path[:-1], repeat)
        self.out.error(
            "unsupported type",
            f"'{el.get('name')}' has the type '{kind}', which FieldScreen does not support",
            row=row,
            item=str(el.get("name")),
        )
        return None

    def _range(
        self, el: Mapping[str, Any], path: tuple[str, ...], row: int | None, repeat: str | None
    ) -> dict[str, Any] | None:
        raw = el.get("parameters")
        params: dict[str, Any] = raw if isinstance(raw, dict) else {}
        start, end, step = (
            str(params.get(k, d)) for k, d in (("start", "1"), ("end", "10"), ("step", "1"))
        )
        try:
            numbers = [float(start), float(end), float(step)]
        except ValueError:
            self.out.error(
                "bad range",
                f"range '{el.get('name')}' has non-numeric parameters",
                row=row,
                item=str(el.get("name")),
            )
            return None
        integral = all(n.is_integer() for n in numbers)
        low, high = sorted(numbers[:2])
        fmt = (lambda n: str(int(n))) if integral else str
        check = f". >= {fmt(low)} and . <= {fmt(high)}"
        if numbers[2] not in (0.0, 1.0) or not integral:
            check += f" and (. - {fmt(low)}) mod {fmt(numbers[2])} = 0"
        own = (el.get("bind") or {}).get("constraint")
        alias = dict(el)
        alias["type"] = "integer" if integral else "decimal"
        alias["bind"] = {
            **(el.get("bind") or {}),
            "constraint": f"({own}) and {check}" if own else check,
        }
        self.out.warn(
            "range asked as a number",
            f"range '{el.get('name')}' is asked as a number between {fmt(low)} and "
            f"{fmt(high)} (no slider)",
            row=row,
            item=str(el.get("name")),
        )
        return self._element(alias, path[:-1], repeat)

    def _placeholder(
        self,
        el: Mapping[str, Any],
        path: tuple[str, ...],
        row: int | None,
        feature: str | None,
        loses: str | None,
        category: str = "question not asked",
    ) -> dict[str, Any] | None:
        """A hidden item standing in for a question FieldScreen cannot ask.

        It keeps the name, so expressions that refer to it still work (they see an
        unanswered value), and exports keep the form's columns.
        """
        raw_name = str(el.get("name") or "")
        if feature:
            self.out.warn(
                category, f"'{raw_name}' has the type {feature}: {loses}", row=row, item=raw_name
            )
        name = self._name(raw_name, path, row)
        if name is None:
            return None
        self.paths[name] = path
        if row:
            self.item_rows[name] = row
        item: dict[str, Any] = {"name": name, "type": ItemType.HIDDEN.value}
        label = self.text(el.get("label"), f"label of '{name}'", row=row, item=name)
        if label is not None:
            item["text"] = label
        return item
