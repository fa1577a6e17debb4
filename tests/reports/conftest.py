"""Fixtures for the referral PDF tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.reports import build_referral_pdf
from tests.reports import fake_catalog
from tests.reports.samples import make_packet


@pytest.fixture
def arabic_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_catalog.install(monkeypatch)


@pytest.fixture
def build(tmp_path: Path):
    """build(packet, name=..., password=...) -> path of a freshly written PDF."""

    def _build(packet, name: str = "referral.pdf", password: str | None = None) -> Path:
        out = tmp_path / name
        build_referral_pdf(packet, out, password=password, allow_plaintext=password is None)
        return out

    return _build


@pytest.fixture
def sample():
    return make_packet
