"""Encryption (AES-256, R6), refusing plaintext, atomic writes, nothing unencrypted on disk."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from screening.errors import ReportError
from screening.reports import build_referral_pdf, encrypt
from tests.reports.pdftools import attachment, need, page_count, pdffonts, pdftotext
from tests.reports.samples import TEXTS, make_packet

PASSWORD = "correct horse battery staple"


def test_encrypted_pdf_needs_the_password(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    packet = make_packet("en", "ar")
    build_referral_pdf(packet, out, password=PASSWORD)
    reader = PdfReader(str(out))
    assert reader.is_encrypted
    assert not reader.decrypt("wrong password")
    assert reader.decrypt(PASSWORD)
    # poppler: refuses without the password, reads with it
    proc = subprocess.run([need("pdftotext"), str(out), "-"], capture_output=True)
    assert proc.returncode != 0
    text = pdftotext(out, password=PASSWORD)
    assert TEXTS["ar"]["name"] in text
    assert page_count(out, PASSWORD) == 3
    assert all(r["emb"] == "yes" for r in pdffonts(out, PASSWORD))
    assert attachment(out, password=PASSWORD) == packet.canonical_json()


def test_encryption_is_aes_256_revision_6(tmp_path: Path) -> None:
    qpdf = need("qpdf")
    out = tmp_path / "r.pdf"
    build_referral_pdf(make_packet("en"), out, password=PASSWORD)
    proc = subprocess.run(
        [qpdf, f"--password={PASSWORD}", "--show-encryption", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "R = 6" in proc.stdout
    assert "AESv3" in proc.stdout
    check = subprocess.run(
        [qpdf, f"--password={PASSWORD}", "--check", str(out)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_password_is_not_in_the_file(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    build_referral_pdf(make_packet("en"), out, password=PASSWORD)
    data = out.read_bytes()
    assert PASSWORD.encode() not in data
    assert PASSWORD.encode("utf-16-be") not in data


def test_plaintext_is_refused_unless_allowed(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    with pytest.raises(ReportError) as err:
        build_referral_pdf(make_packet("en"), out, password=None)
    assert err.value.context["reason"] == "plaintext_not_allowed"
    with pytest.raises(ReportError):
        build_referral_pdf(make_packet("en"), out, password="")
    assert not out.exists()
    build_referral_pdf(make_packet("en"), out, password=None, allow_plaintext=True)
    assert not PdfReader(str(out)).is_encrypted


def test_nothing_unencrypted_reaches_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    writes: list[bytes] = []
    real = encrypt.atomic_write

    def spy(path: Path, data: bytes) -> str:
        writes.append(data)
        return real(path, data)

    monkeypatch.setattr("screening.reports.referral_pdf.atomic_write", spy)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    build_referral_pdf(make_packet("en"), out_dir / "r.pdf", password=PASSWORD)
    assert len(writes) == 1 and b"/Encrypt" in writes[0]
    assert b"Zyxa" not in writes[0] and b"Testperson" not in writes[0]
    assert list(scratch.iterdir()) == []
    assert [p.name for p in out_dir.iterdir()] == ["r.pdf"]


def test_atomic_write_leaves_no_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.pdf"
    out.write_bytes(b"old file")

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ReportError):
        build_referral_pdf(make_packet("en"), out, password=PASSWORD)
    assert out.read_bytes() == b"old file"  # the previous file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_interrupted_write_leaves_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_referral_pdf(make_packet("en"), tmp_path / "r.pdf", password=PASSWORD)
    assert list(tmp_path.iterdir()) == []


def test_written_file_is_private(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    build_referral_pdf(make_packet("en"), out, password=PASSWORD)
    if os.name == "posix":
        assert out.stat().st_mode & 0o077 == 0
