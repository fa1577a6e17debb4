"""The ``fieldscreen`` sheet: what an XLSForm cannot hold, kept beside the form.

An instrument exported to XLSForm keeps its questions, choices, translations and logic in
the ordinary ``survey``/``choices``/``settings`` sheets. Everything else (indicators, flags,
routes, outcome rule, provenance, validation, language statuses, consent, FieldScreen item
types like ``yes_no``, special answers, typed defaults, sections) goes as JSON into a sheet
named ``fieldscreen``. pyxform, ODK Central and KoboToolbox ignore sheets they do not know.

Layout: cell A1 holds ``fieldscreen-xlsform-extras/1``; cells A2, A3, ... hold the JSON text
in chunks of at most ``CHUNK`` characters (a spreadsheet cell holds at most 32 767), to be
concatenated. The JSON object:

``instrument``  instrument-level fields except ``sections``, ``choice_lists``, ``content_hash``
``content_hash``  the hash at export; an import that computes another hash was edited
``sections``    ``[{"name", "group"}]`` (a section exported as a top-level group) or
                ``[{"name", "group": null, "title", "items": [...]}]`` (flattened)
``items``       ``{name: {"type"?, "choices"?, "special"?, "default"?}}`` where the XLSForm
                columns are ambiguous
``inline_lists``  ``{list_name: item_name}``: lists that were an item's own ``choices``
``language_keys``  ``{"English (en)": "en"}``: the header spelling of each language code
``exact``       ``{"item/<name>/<field>" | "choice/<list>/<name>" | "section/<name>/<field>":
                original}``: strings a trip through a cell and pyxform would change
                (typographic quotes, surrounding or repeated spaces), restored only where the
                sheet still says the same thing
"""

from __future__ import annotations

import json
from typing import Any

SHEET = "fieldscreen"
FORMAT = "fieldscreen-xlsform-extras/1"
CHUNK = 30_000
MAX_CHARS = 20 * 1024 * 1024


def chunks(data: dict[str, Any]) -> list[str]:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return [FORMAT, *(text[i : i + CHUNK] for i in range(0, len(text), CHUNK))]


def from_cells(cells: list[Any]) -> dict[str, Any] | None:
    """The extras object from column A, or None if the sheet is not ours.

    Raises ``ValueError`` with a reason when the sheet claims our format but is damaged.
    """
    values = [c for c in cells if c is not None]
    if not values or str(values[0]).strip() != FORMAT:
        return None
    text = "".join(str(v) for v in values[1:])
    if len(text) > MAX_CHARS:
        raise ValueError("the fieldscreen sheet is too large")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"the fieldscreen sheet is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("instrument"), dict):
        raise ValueError("the fieldscreen sheet does not hold a FieldScreen object")
    return data
