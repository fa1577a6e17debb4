"""Spreadsheet rows of the survey and choices sheets (pyxform's JSON has none).

Messages name the sheet and row of what they are about: "survey sheet, row 12: ...".
pyxform keeps blank rows in its sheet data, so data row ``i`` is spreadsheet row ``i + 2``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


def dealiased(definition: Any, sheet: str, default_language: str) -> list[dict[str, Any]]:
    """The rows of one sheet with pyxform's header aliases resolved (``list name``,
    ``label`` -> per-language dict); choices-like sheets get ``__row``."""
    from pyxform import aliases
    from pyxform.parsing.sheet_headers import dealias_and_group_headers
    from pyxform.question import MultipleChoiceQuestion, Option

    rows = getattr(definition, sheet, None) or []
    if not rows:
        return []
    survey = sheet == "survey"
    try:
        result = dealias_and_group_headers(
            sheet_name=sheet,
            sheet_data=copy.deepcopy(list(rows)),
            sheet_header=getattr(definition, f"{sheet}_header", None),
            header_aliases=aliases.survey_header if survey else aliases.list_header,
            header_columns=set(
                MultipleChoiceQuestion.get_slot_names() if survey else Option.get_slot_names()
            ),
            default_language=default_language,
            add_row_number=not survey,
        )
    except Exception:  # rows only locate messages; never fail on them
        return [dict(r) for r in rows] if survey else []
    return [dict(r) for r in result.data]


@dataclass
class RowIndex:
    """Spreadsheet rows of survey elements and choices (pyxform's JSON has none)."""

    survey: dict[tuple[str, ...], int] = field(default_factory=dict)
    types: dict[str, list[int]] = field(default_factory=dict)
    choices: dict[tuple[str, str], int] = field(default_factory=dict)
    lists: dict[str, int] = field(default_factory=dict)

    def row(self, path: tuple[str, ...]) -> int | None:
        return self.survey.get(path)

    @classmethod
    def build(
        cls, survey: Iterable[Mapping[str, Any]], choices: Iterable[Mapping[str, Any]]
    ) -> RowIndex:
        index = cls()
        stack: list[str] = []
        for number, row in enumerate(survey, start=2):
            kind = str(row.get("type") or "").strip()
            name = row.get("name")
            name = str(name).strip() if name is not None else None
            if kind:
                index.types.setdefault(kind, []).append(number)
            words = re.split(r"[\s_]+", kind.lower())
            if words and words[0] == "begin" and len(words) > 1:
                stack.append(name or "")
                index.survey.setdefault(tuple(stack), number)
            elif words and words[0] == "end" and len(words) > 1:
                if stack:
                    stack.pop()
            elif name:
                index.survey.setdefault((*stack, name), number)
        for row in choices:
            list_name = str(row.get("list name") or row.get("list_name") or "").strip()
            name = str(row.get("name") or "").strip()
            row_number = row.get("__row")
            if list_name and isinstance(row_number, int):
                index.lists.setdefault(list_name, row_number)
                if name:
                    index.choices.setdefault((list_name, name), row_number)
        return index
