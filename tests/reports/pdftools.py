"""Real tools for checking PDFs: poppler, qpdf, pypdf."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def pdftotext(pdf: Path, *, password: str | None = None, check: bool = True) -> str:
    """Text as poppler extracts it, with the bidi marks it adds removed."""
    cmd = [need("pdftotext"), "-enc", "UTF-8"]
    if password is not None:
        cmd += ["-upw", password]
    proc = subprocess.run([*cmd, str(pdf), "-"], capture_output=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"pdftotext failed: {proc.stderr.decode(errors='replace')}")
    return BIDI_MARKS.sub("", proc.stdout.decode("utf-8"))


def one_line(text: str) -> str:
    """Whitespace collapsed, so wrapped lines can be searched as one text."""
    return re.sub(r"\s+", " ", text)


def pdffonts(pdf: Path, password: str | None = None) -> list[dict[str, str]]:
    cmd = [need("pdffonts")]
    if password is not None:
        cmd += ["-upw", password]
    out = subprocess.run([*cmd, str(pdf)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object ID: take fields from the right
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def page_count(pdf: Path, password: str | None = None) -> int:
    reader = PdfReader(str(pdf))
    if password is not None:
        reader.decrypt(password)
    return len(reader.pages)


def attachment(pdf: Path, name: str = "referral.json", password: str | None = None) -> bytes:
    reader = PdfReader(str(pdf))
    if password is not None:
        reader.decrypt(password)
    return reader.attachments[name][0]


def decompressed(pdf: Path, password: str | None = None) -> bytes:
    """The whole file with every stream decompressed (qpdf --qdf)."""
    cmd = [need("qpdf"), "--qdf", "--object-streams=disable", "--decrypt"]
    if password is not None:
        cmd.append(f"--password={password}")
    out = pdf.with_suffix(".qdf.pdf")
    subprocess.run([*cmd, str(pdf), str(out)], capture_output=True, check=True)
    try:
        return out.read_bytes()
    finally:
        out.unlink()


def shown_strings(raw: bytes) -> str:
    """What the content streams show: literal strings of Tj/TJ joined, per text object, plus
    ActualText replacements decoded. Catches data even when kerning splits it."""
    out = []
    for bt in re.findall(rb"BT(.*?)ET", raw, re.S):
        parts = re.findall(rb"\(((?:\\.|[^\\)])*)\)", bt)
        out.append(b"".join(parts).decode("latin-1"))
        for hexstr in re.findall(rb"/ActualText <FEFF([0-9A-F]*)>", bt, re.I):
            out.append(bytes.fromhex(hexstr.decode()).decode("utf-16-be"))
    return "\n".join(out)
