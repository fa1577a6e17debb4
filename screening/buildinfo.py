"""Where this build came from: the version (from pyproject, via package metadata) and, in a
frozen bundle, the commit it was built from (written by build.spec)."""

from __future__ import annotations

import json

from screening import __version__
from screening.paths import resource_root


def build_commit() -> str | None:
    try:
        data = json.loads((resource_root() / "build-info.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    commit = data.get("commit")
    return str(commit) if commit else None


def version_line() -> str:
    commit = build_commit()
    return f"FieldScreen {__version__}" + (f" (commit {commit[:12]})" if commit else "")
