"""Choice names FieldScreen's name pattern refuses (``1``, ``2022``, ``20_-_50``).

XLSForm choice names may start with a digit; ours (``NAME_PATTERN``) may not. Until the
instrument schema accepts them (see docs/xlsform.md), such names are stored with a leading
underscore (``1`` -> ``_1``), with a warning, but only when no expression reads the answers of
an item using that list: renaming a value an expression compares with would change the
form's logic, so that is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from screening.instruments.model import Choice
from screening.xlsform.report import Collector
from screening.xlsform.rows import RowIndex


@lru_cache(maxsize=4096)
def storable(name: str) -> bool:
    """Whether the instrument schema accepts ``name`` as a choice name (asked of the model
    itself, so relaxing ``Choice.name`` there ends the renaming here)."""
    try:
        Choice(name=name, label={"und": "x"})
    except ValidationError:
        return False
    return True


class ChoiceNames:
    """The part of ``Mapper`` that renames choice names FieldScreen cannot hold."""

    out: Collector
    rows: RowIndex
    choice_lists: dict[str, list[dict[str, Any]]]
    list_items: dict[str, list[str]]
    expressions: list[tuple[str, frozenset[str]]]

    def fix_choice_names(self, items: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
        """Choice names outside our name pattern (``1``, ``2022``) are stored as ``_1`` ...

        Only when no expression reads the answers of an item using that list: renaming a
        value an expression compares with would change the form's logic, so that is an error.
        """
        referenced = (
            set().union(*(refs for _, refs in self.expressions)) if self.expressions else set()
        )
        renamed: dict[str, dict[str, str]] = {}
        for list_name, options in self.choice_lists.items():
            bad = [o["name"] for o in options if not storable(o["name"])]
            if not bad:
                continue
            users = self.list_items.get(list_name, [])
            readers = sorted(u for u in users if u in referenced)
            rows = [self.rows.choices.get((list_name, b)) for b in bad]
            first = next((r for r in rows if r), self.rows.lists.get(list_name))
            shown = ", ".join(f"'{b}'" for b in bad[:5]) + (" ..." if len(bad) > 5 else "")
            existing = {o["name"] for o in options}
            mapping = {b: "_" + b for b in bad}
            if readers:
                self.out.error(
                    "choice names not renamable",
                    f"choice names {shown} of list '{list_name}' are not allowed in FieldScreen "
                    "(names start with a letter or underscore), and expressions read the "
                    f"answers of {', '.join(readers)}, so they cannot be renamed safely",
                    sheet="choices",
                    row=first,
                )
                continue
            invalid = [v for v in mapping.values() if not storable(v) or v in existing]
            if invalid:
                self.out.error(
                    "choice names not storable",
                    f"choice names {shown} of list '{list_name}' cannot be stored in "
                    "FieldScreen (only letters, digits, '_', '.', '-')",
                    sheet="choices",
                    row=first,
                )
                continue
            for option in options:
                option["name"] = mapping.get(option["name"], option["name"])
            renamed[list_name] = mapping
            self.out.warn(
                "choice names renamed",
                f"choice names {shown} of list '{list_name}' start with a digit or symbol, "
                "which FieldScreen names cannot; they are stored with a leading underscore "
                f"({', '.join(mapping[b] for b in bad[:5])}), so answers and exports show "
                "those names",
                sheet="choices",
                row=first,
            )
        for item in _iter_items(items):
            default = item.get("default")
            chosen = item.get("choices")
            renames = renamed.get(chosen) if isinstance(chosen, str) else None
            if renames and isinstance(default, str):
                item["default"] = " ".join(renames.get(v, v) for v in default.split())
        return renamed


def _iter_items(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _iter_items(item.get("items") or ())
