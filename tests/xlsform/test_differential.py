"""Differential test: what we import says what pyxform's own representation says.

For each fixture pyxform converts and FieldScreen imports, walk pyxform's JSON
(``parse_file_to_json``) and check, element by element: names, types, labels in every
language, relevance and constraint texts, choice lists (names and labels), and the set of
languages. Differences we make on purpose are spelt out here (and in docs/xlsform.md):
question types FieldScreen does not ask become hidden; ``../x`` and ``/data/x`` become
``${x}``; choice names starting with a digit get a leading underscore; choice filters are
not applied; blank translations are filled.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from xlshelp import FIXTURES, doc_table, fixture_path

from screening.instruments.model import Instrument, ItemType
from screening.xlsform import import_xlsform
from screening.xlsform.languages import resolve

IMPORTED = [r.fixture for r in doc_table() if r.result.startswith("imported")]
NOT_ASKED = {
    "photo",
    "image",
    "audio",
    "video",
    "file",
    "geopoint",
    "gps",
    "geotrace",
    "geoshape",
    "barcode",
    "osm",
    "start",
    "end",
    "deviceid",
    "rank",
}
TYPES = {
    "select one": ItemType.SINGLE_CHOICE,
    "select one external": ItemType.SINGLE_CHOICE,
    "select all that apply": ItemType.MULTIPLE_CHOICE,
    "text": ItemType.TEXT,
    "integer": ItemType.INTEGER,
    "decimal": ItemType.DECIMAL,
    "date": ItemType.DATE,
    "time": ItemType.TIME,
    "dateTime": ItemType.DATETIME,
    "note": ItemType.NOTE,
    "acknowledge": ItemType.ACKNOWLEDGE,
    "calculate": ItemType.CALCULATE,
    "hidden": ItemType.HIDDEN,
    "group": ItemType.GROUP,
    "repeat": ItemType.REPEAT,
    "phone number": ItemType.TEXT,
    "today": ItemType.CALCULATE,
}


def pyxform_json(name: str) -> dict[str, Any]:
    from pyxform.xls2json import parse_file_to_json

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_file_to_json(str(fixture_path(name)))


def code(key: str) -> str:
    return resolve(key).code


def texts(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"default": value}
    return {k: v for k, v in (value or {}).items() if isinstance(v, str) and v.strip()}


def ours_as_written(expr: str | None) -> str | None:
    return expr


def theirs(expr: str | None, names: set[str]) -> str | None:
    """pyxform's expression as FieldScreen writes it (paths to items -> ${name})."""
    if expr is None:
        return None
    out = " ".join(expr.split())
    for name in names:
        out = out.replace(f"../{name}", "${" + name + "}")
    return out


def walk(children: list[dict[str, Any]], parent: str = "form",
         seen: set[str] | None = None) -> list[dict[str, Any]]:
    """pyxform's elements in order; a name used again (in another group) under the name
    FieldScreen stores it as, ``<group>.<name>`` (docs/xlsform.md)."""
    seen = set() if seen is None else seen
    out = []
    for child in children:
        if child.get("name") == "meta" and (child.get("control") or {}).get("bodyless"):
            continue
        name = str(child.get("name"))
        if name in seen:
            child = {**child, "name": f"{parent}.{name}"}
        seen.add(child["name"])
        out.append(child)
        out.extend(walk(child.get("children") or [], name, seen))
    return out


@pytest.fixture(scope="module", params=IMPORTED)
def pair(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Instrument]:
    name = request.param
    return pyxform_json(name), import_xlsform(fixture_path(name)).instrument


def test_differential_cases_cover_the_converted_fixtures() -> None:
    assert len(IMPORTED) >= 12 and set(IMPORTED) <= set(FIXTURES)


def test_items_names_and_types(pair: tuple[dict[str, Any], Instrument]) -> None:
    form, ins = pair
    ours = ins.item_map()
    elements = walk(form["children"])
    assert {e["name"] for e in elements} == set(ours)
    for element in elements:
        item = ours[element["name"]]
        expected = (
            ItemType.HIDDEN
            if element["type"] in NOT_ASKED or str(element.get("itemset", "")).endswith(".csv")
            else TYPES[element["type"]]
        )
        assert item.type is expected, element["name"]


def test_labels_in_every_language(pair: tuple[dict[str, Any], Instrument]) -> None:
    form, ins = pair
    ours = ins.item_map()
    for element in walk(form["children"]):
        item = ours[element["name"]]
        for key, text in texts(element.get("label")).items():
            if key == "default" and "und" not in ins.languages:
                assert text.strip() in (item.text or {}).values()
                continue
            assert (item.text or {})[code(key)] == text.strip(), (element["name"], key)


def test_relevance_and_constraints(pair: tuple[dict[str, Any], Instrument]) -> None:
    form, ins = pair
    ours = ins.item_map()
    names = set(ours)
    for element in walk(form["children"]):
        item = ours[element["name"]]
        if item.type is ItemType.HIDDEN and element["type"] in NOT_ASKED:
            continue  # never asked: its logic is moot (and reported)
        bind = element.get("bind") or {}
        assert item.relevant == theirs(bind.get("relevant"), names), element["name"]
        if "constraint" in bind:
            assert item.constraint == theirs(bind["constraint"], names), element["name"]
        elif element["type"] == "phone number":
            assert item.constraint == "regex(., '^\\d*$')"  # the type's built-in constraint
        else:
            assert item.constraint is None


def test_choices(pair: tuple[dict[str, Any], Instrument]) -> None:
    form, ins = pair
    ours = ins.item_map()
    for element in walk(form["children"]):
        item = ours[element["name"]]
        if item.type not in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
            continue
        if element["type"] == "select one external":
            continue  # pyxform's JSON does not carry external choices (checked elsewhere)
        theirs_list = form["choices"][element["list_name"]]
        mine = ins.choices_for(item)
        assert [c.name.removeprefix("_") if c.name[1:2].isdigit() else c.name for c in mine] == [
            c["name"] for c in theirs_list
        ]
        for choice, option in zip(mine, theirs_list, strict=True):
            for key, text in texts(option.get("label")).items():
                if key == "default" and "und" not in ins.languages:
                    continue  # the untranslated column fills blanks (checked in fixtures)
                assert choice.label[code(key)] == text.strip()
            filters = {k: v for k, v in option.items() if k not in ("name", "label", "media")}
            assert (choice.filter or {}) == filters


def test_languages(pair: tuple[dict[str, Any], Instrument]) -> None:
    form, ins = pair
    keys: set[str] = set()
    for element in walk(form["children"]):
        keys |= set(texts(element.get("label"))) | set(texts(element.get("hint")))
    for options in (form.get("choices") or {}).values():
        for option in options:
            keys |= set(texts(option.get("label")))
    named = {code(k) for k in keys if k != "default"}
    assert named <= set(ins.languages)
    extra = set(ins.languages) - named
    assert extra <= {"und"}
