"""Restoring an instrument from a FieldScreen export's ``fieldscreen`` sheet (see ``extras``).

The sheets stay authoritative for what they hold: the sheet's item types, texts and logic
win; the ``fieldscreen`` sheet only adds what XLSForm cannot hold. Exact texts are put back
only where the sheet still says the same thing modulo what cells, pyxform and the importer do
to quotes and spaces, so an agency's edits in the spreadsheet are kept.
"""

from __future__ import annotations

from typing import Any

from screening.errors import ErrorCode
from screening.xlsform.exporter import loose
from screening.xlsform.report import Collector
from screening.xlsform.texts import Languages

ROOT_SECTION = "_form"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def apply_extras(
    ins: dict[str, Any],
    extras: dict[str, Any],
    rows: dict[str, int],
    langs: Languages,
    collector: Collector,
) -> None:
    saved = dict(extras.get("instrument") or {})
    sheet_title = ins["title"][langs.source]
    for key, value in saved.items():
        if key in ("id", "version", "format", "source_language", "languages"):
            continue
        ins[key] = value
    title = saved.get("title")
    if isinstance(title, dict) and loose(str(title.get(langs.source))) != loose(sheet_title):
        ins["title"] = {**title, langs.source: sheet_title}
        collector.warn(
            "title edited since export",
            "form_title was changed since export; the other languages' titles "
            "are the exported ones",
            sheet="settings",
            code=ErrorCode.INSTRUMENT_TRANSLATION,
        )
    source = saved.get("source_language")
    if source in langs.codes and source != langs.source:
        ins["languages"][source]["status"] = "source"
        ins["languages"][langs.source]["status"] = "reviewed"
        ins["source_language"] = source
    saved_langs = _dict(saved.get("languages"))
    for code in list(ins["languages"]):
        if isinstance(saved_langs.get(code), dict):
            ins["languages"][code] = dict(saved_langs[code])
    for code in saved_langs:
        if code not in ins["languages"]:
            collector.warn(
                "language removed since export",
                f"language '{code}' was removed from the form since export",
                sheet=None,
                code=ErrorCode.INSTRUMENT_TRANSLATION,
            )

    item_extras = _dict(extras.get("items"))
    inline = _dict(extras.get("inline_lists"))
    lists = ins["choice_lists"]
    by_name: dict[str, dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            by_name[item["name"]] = item
            walk(item.get("items") or [])

    top = ins["sections"][0]["items"]
    walk(top)
    for name, overlay in item_extras.items():
        item = by_name.get(name)
        if item is None or not isinstance(overlay, dict):
            continue
        if "type" in overlay:
            item["type"] = overlay["type"]
            if "choices" in overlay:
                if overlay["choices"] is None:
                    item.pop("choices", None)
                else:
                    item["choices"] = overlay["choices"]
        for key in ("special", "default", "odk_name"):
            if key in overlay:
                item[key] = overlay[key]
    exact = _dict(extras.get("exact"))
    _restore_exact(exact, by_name, lists)
    for list_name, owner in inline.items():
        item = by_name.get(owner)
        if item is not None and item.get("choices") == list_name and list_name in lists:
            item["choices"] = lists.pop(list_name)

    sections = _list(extras.get("sections"))
    groups = {s.get("group"): s for s in sections if isinstance(s, dict) and s.get("group")}
    claimed = {
        n: s
        for s in sections
        if isinstance(s, dict) and not s.get("group")
        for n in s.get("items") or []
    }
    built: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for item in top:
        entry = groups.get(item["name"])
        if entry is not None and item.get("type") == "group":
            section = {
                "name": entry.get("name"),
                "title": item.get("text") or ins["title"],
                "items": item.get("items") or [],
            }
            if item.get("relevant"):
                section["relevant"] = item["relevant"]
            if item.get("sensitive"):  # the group's bind::fieldscreen:sensitive
                section["sensitive"] = True
            built.append(section)
            current = None
            continue
        owner = claimed.get(item["name"])
        if owner is not None and (current is None or current["name"] != owner.get("name")):
            current = {
                "name": owner.get("name"),
                "title": owner.get("title") or ins["title"],
                "items": [],
            }
            if owner.get("sensitive") is True:
                current["sensitive"] = True
            built.append(current)
        elif current is None:
            current = {"name": ROOT_SECTION, "title": ins["title"], "items": []}
            built.append(current)
            collector.warn(
                "item outside exported sections",
                f"'{item['name']}' is outside the exported sections; it is put in "
                f"a section of its own",
                row=rows.get(item["name"]),
                item=item["name"],
            )
        current["items"].append(item)
    ins["sections"] = built
    for section in built:
        for attr in ("title", "relevant"):
            original = exact.get(f"section/{section['name']}/{attr}")
            if original is not None:
                section[attr] = _restored(original, section.get(attr))


def _restored(original: Any, current: Any) -> Any:
    """The exported original where the sheet still says the same thing (modulo what cells,
    pyxform and the importer do to quotes and spaces); the sheet's text where it was edited."""
    if isinstance(original, str) and isinstance(current, str):
        return original if loose(original) == loose(current) else current
    if isinstance(original, dict) and isinstance(current, dict):
        out = dict(current)
        for code, text in original.items():
            if (
                isinstance(text, str)
                and isinstance(current.get(code), str)
                and loose(text) == loose(current[code])
            ):
                out[code] = text
        return out
    return current


def _restore_exact(
    exact: dict[str, Any],
    by_name: dict[str, dict[str, Any]],
    lists: dict[str, list[dict[str, Any]]],
) -> None:
    for key, original in exact.items():
        parts = str(key).split("/")
        if parts[0] == "item" and len(parts) == 3 and parts[1] in by_name:
            item = by_name[parts[1]]
            if parts[2] in item:
                item[parts[2]] = _restored(original, item[parts[2]])
        elif parts[0] == "choice" and len(parts) == 3:
            for choice in lists.get(parts[1], ()):
                if choice.get("name") == parts[2]:
                    choice["label"] = _restored(original, choice.get("label"))
