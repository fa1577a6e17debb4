"""The design card's dependency rule: `screening` never imports Qt or `app`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, pkgutil, sys
import screening
names = [m.name for m in pkgutil.walk_packages(screening.__path__, 'screening.')]
for name in names:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'app'))
print(len(names))
print(','.join(bad))
"""


def test_every_screening_module_imports_without_qt() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.splitlines()
    assert int(out[0]) >= 10  # really walked the package
    assert (out[1] if len(out) > 1 else "") == ""


def test_no_source_file_in_screening_mentions_qt_imports() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "screening").rglob("*.py")
        if any(
            line.lstrip().startswith(("import PySide6", "from PySide6", "from app", "import app"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
