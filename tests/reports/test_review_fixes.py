"""What a review of the packets found (issue #15): a withheld free-text answer says it was
withheld, in the PDF and in referral.json, and the footer's hash is named for what it is."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from screening.i18n import Translator
from screening.paths import resource_path
from screening.reports.pdf_password import pdf_password_problem
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import stored_interview
from tests.reports.pdftools import attachment, one_line, pdftotext
from tests.reports.samples import make_packet

ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]


def _squeezed(text: str) -> str:
    return one_line(text).replace(" ", "")  # poppler may split Arabic clusters with a space


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("variant", ["redacted", "minimal"])
def test_a_withheld_free_text_answer_says_so_in_the_pdf_and_the_json(
        build, lang: str, variant: str) -> None:
    packet = make_packet(lang).for_variant(variant)  # type: ignore[arg-type]
    pdf = build(packet, name=f"{variant}-{lang}.pdf")
    _ = Translator(lang)
    text = _squeezed(pdftotext(pdf))
    assert _("(no answer recorded)").replace(" ", "") not in text
    note = _({"redacted": "Withheld in this redacted copy",
              "minimal": "Withheld in this minimal copy"}[variant]).replace(" ", "")
    # In the appendix (1.3) and under the indicator it triggered (1.2 and 1.3).
    assert text.count(note) >= 2
    [story] = [e for e in json.loads(attachment(pdf))["appendix"] if e["item_id"] == "story"]
    assert story["status"] == "withheld" and story["answer_asked"] == []


def test_the_full_packet_keeps_the_free_text_answer(build) -> None:
    pdf = build(make_packet("en"))
    [story] = [e for e in json.loads(attachment(pdf))["appendix"] if e["item_id"] == "story"]
    assert story["status"] == "answered" and story["answer_asked"]


STRONG_32 = "lantern orchard velvet harbour 2"  # 32 characters, strong enough


def test_the_pdf_password_policy_refuses_more_than_32_bytes() -> None:
    assert len(STRONG_32) == 32 and pdf_password_problem(STRONG_32) is None
    problem = pdf_password_problem(STRONG_32 + "0")
    assert problem and "at most 32 characters" in problem and "--to" in problem
    # Poppler counts bytes: 20 Arabic letters are 40 of them.
    assert pdf_password_problem("كلمة سر طويلة للملف!") is not None


def test_a_32_character_password_opens_in_poppler(build) -> None:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    pdf = build(make_packet("en"), password=STRONG_32)
    done = subprocess.run([pdfinfo, "-upw", STRONG_32, str(pdf)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "AES" in done.stdout or "Encrypted" in done.stdout


def test_report_encrypt_refuses_a_long_password_with_the_reason(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Workspace(data) as ws:
        ws.create(PASSPHRASE)
        done = stored_interview(ws, "adult_indicators", ANSWERS, lang="en",
                                scope=("screening", "referral"))
    out = tmp_path / "long.pdf"
    refused = run_cli("report", str(done["case_id"]), "-o", str(out), "--encrypt",
                      data_dir=data, stdin=f"{PASSPHRASE}\n{STRONG_32}0\n")
    assert refused.returncode == 2, refused.stderr
    assert "at most 32 characters" in refused.stderr and "Traceback" not in refused.stderr
    assert not out.exists()
    written = run_cli("report", str(done["case_id"]), "-o", str(out), "--encrypt",
                      data_dir=data, stdin=f"{PASSPHRASE}\n{STRONG_32}\n")
    assert written.returncode == 0, written.stderr


def test_a_field_that_was_empty_is_not_called_withheld(build) -> None:
    full = make_packet("en")
    assert full.narrative and full.referrals[0].reason
    empty = replace(full, narrative=None,
                    referrals=tuple(replace(r, reason="") for r in full.referrals))
    for packet, name in ((full, "had.pdf"), (empty, "empty.pdf")):
        pdf = build(packet.for_variant("redacted"), name=name)
        text = one_line(pdftotext(pdf))
        data = json.loads(attachment(pdf))
        had = packet is full
        assert ("Why referred Withheld in this redacted copy" in text) is had
        assert ("Notes for the receiving service Withheld in this redacted copy" in text) is had
        assert ("narrative" in data["withheld"]) is had
        assert ("referrals.0.reason" in data["withheld"]) is had
        assert data["narrative"] is None and data["referrals"][0]["reason"] == ""
