"""The one setting needed before unlock: the UI language, in a plaintext file.

``ui.json`` in the data folder holds ``{"language": "ar"}`` and nothing else: no names, no
places, nothing about anyone. Everything else (officer profile, auto-lock minutes) is kept in
the encrypted store.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

PREFS_NAME = "ui.json"
_LANG = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


def read_ui_language(data_dir: Path) -> str | None:
    try:
        doc = json.loads((data_dir / PREFS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    lang = doc.get("language") if isinstance(doc, dict) else None
    return lang if isinstance(lang, str) and _LANG.match(lang) else None


def write_ui_language(data_dir: Path, lang: str) -> None:
    if not _LANG.match(lang):
        raise ValueError("not a language code")
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = data_dir / (PREFS_NAME + ".tmp")
        tmp.write_text(json.dumps({"language": lang}) + "\n", encoding="utf-8")
        os.replace(tmp, data_dir / PREFS_NAME)
    except OSError:
        log.warning("could not save the UI language preference")
