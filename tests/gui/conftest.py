"""GUI tests: real widgets, offscreen, over a real SQLCipher store with the fast KDF.

Offscreen unless ``--onscreen``-style runs set QT_QPA_PLATFORM themselves (an empty value
counts as unset: without a platform and a display, pytest aborts instead of failing).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # guihelp


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    # Honoured by the store only under pytest (PYTEST_CURRENT_TEST) or SCREENING_DEV=1.
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")


@pytest.fixture(autouse=True)
def _english_afterwards(qapp: object) -> Iterator[None]:
    """A test that switches to Arabic must not leave the next one right-to-left."""
    yield
    from app.qt_i18n import ui_language

    if ui_language().lang != "en":
        ui_language().set_language("en")
