"""docs/instruments.md lists every shipped indicator with its element, strength and framework.

An administrator choosing an instrument reads that page, not the YAML: a row that drifts from
the file (a renamed indicator, a changed strength) would mislead them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screening.instruments.registry import list_instruments

DOC = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"
SHIPPED = [r.instrument for r in list_instruments()]


def _rows() -> dict[str, list[list[str]]]:
    """Table rows of the doc, by the backticked indicator name in their first cell."""
    rows: dict[str, list[list[str]]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = re.fullmatch(r"`([a-z0-9_]+)`", cells[0])
        if found:
            rows.setdefault(found.group(1), []).append(cells)
    return rows


@pytest.mark.parametrize("ins", SHIPPED, ids=[i.id for i in SHIPPED])
def test_every_indicator_is_documented_with_element_and_strength(ins) -> None:  # type: ignore[no-untyped-def]
    rows = _rows()
    text = DOC.read_text(encoding="utf-8")
    assert f"`{ins.id}`" in text and ins.version in text, "instrument and its version"
    for ind in ins.indicators:
        assert ind.element and ind.strength and ind.framework_ref, ind.name
        candidates = rows.get(ind.name, [])
        assert any(ind.element in cells and ind.strength in cells for cells in candidates), (
            f"{ins.id}: no row for indicator `{ind.name}` with element {ind.element} "
            f"and strength {ind.strength}")
