"""What build.spec leaves out of the bundle must not be imported by the shipped code:
`fieldscreen gui --screenshots` once imported PySide6.QtTest and failed only in the bundle,
which `make test` does not build."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _excluded() -> set[str]:
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    block = re.search(r"\n    excludes=\[(.*?)\]", spec, re.DOTALL)  # Analysis(...)
    assert block is not None
    return set(re.findall(r'"([\w.]+)"', block.group(1)))


def test_shipped_code_imports_nothing_the_bundle_leaves_out() -> None:
    excluded = _excluded()
    assert "PySide6.QtTest" in excluded  # the rule this guards is still in the spec
    found = []
    for package in ("app", "screening"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                for name in names:
                    if any(name == x or name.startswith(x + ".") for x in excluded):
                        found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []
