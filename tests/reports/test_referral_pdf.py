"""The referral PDF checked with real tools: poppler, qpdf, pypdf."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import screening
from screening.errors import ErrorCode, ReportError
from screening.i18n import Translator
from screening.reports import build_referral_pdf
from tests.reports.pdftools import (
    attachment,
    need,
    one_line,
    page_count,
    pdffonts,
    pdftotext,
)
from tests.reports.samples import LANGUAGES, TEXTS, make_packet

RTL = {"ar", "fa", "ur"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_is_searchable(build, lang: str) -> None:
    pdf = build(make_packet(lang))
    text = one_line(pdftotext(pdf))
    t = TEXTS[lang]
    for key in ("q", "yes", "name"):
        assert t[key] in text, key
    if lang not in RTL:
        # Right-to-left text with numbers comes back in logical order only on pages that
        # are mostly right-to-left (poppler decides per page): see test_arabic_* below.
        assert t["story"] in text
        assert t["outcome"] in text
    _ = Translator(lang)  # the report's own labels come from the UI catalogs
    labels = [_("Declined to answer"), _("Don't know")]
    if lang in RTL:
        # poppler may put a space after a shadda cluster ("فضّ ل"): see
        # docs/pdf-text-extraction.md; compare without spaces there.
        squeezed = text.replace(" ", "")
        assert all(label.replace(" ", "") in squeezed for label in labels)
    else:
        assert all(one_line(label) in text for label in labels)


def test_english_report_with_arabic_interview_shows_both_languages(build) -> None:
    pdf = build(make_packet("en", "ar"))
    text = one_line(pdftotext(pdf))
    assert TEXTS["ar"]["q"] in text and TEXTS["en"]["q"] in text  # asked + report language
    assert "Answer: نعم" in text and "Yes" in text
    assert "Name سلمى الاختبارية" in text
    assert "Translation warning" in text and "machine translation" in text


def test_arabic_extracts_in_logical_order(build, arabic_catalog) -> None:
    pdf = build(make_packet("ar"))
    text = one_line(pdftotext(pdf))
    assert "سلمى الاختبارية" in text  # the name (table cells come out one per line)
    assert "عملت 14 ساعة في اليوم منذ 2023." in text  # number and full stop in place
    assert "توجد مؤشرات: إحالة للتقييم" in text
    assert "الإجابة: عملت 14 ساعة في اليوم منذ 2023." in text  # label + answer isolate
    assert "Example shelter (replace with a local service)" in text  # Latin inside Arabic
    assert "ملف الإحالة" in text
    assert "سري — بيانات شخصية حساسة" in text
    # No presentation forms or private-use code points leak into the extracted text.
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff\ue000-\uf8ff]", text)


def test_shaped_devanagari_extracts_as_typed(build) -> None:
    text = one_line(pdftotext(build(make_packet("hi"))))
    assert "क्या आपके नियोक्ता ने आपके पहचान दस्तावेज़ रख लिए?" in text
    assert "मैंने 2023 से हर दिन 14 घंटे काम किया।" in text


def test_urgent_flags_come_first_and_warnings_only_when_needed(build) -> None:
    pdf = build(make_packet("en"))
    text = one_line(pdftotext(pdf))
    assert text.index("URGENT") < text.index("Screening result") < text.index("Appendix")
    assert "Immediate danger: Says she cannot go back safely" in text
    assert "Translation warning" not in text  # English is the source language
    assert "not a determination" in text


def test_ligatures_extract_as_letters(build) -> None:
    text = pdftotext(build(make_packet("en")))
    assert "Other flags" in text and "\ufb02" not in text and "\ufb01" not in text


def test_pages_fonts_and_structure(build) -> None:
    pdf = build(make_packet("en", "ar", extra_items=40))
    pages = page_count(pdf)
    assert pages >= 4
    text = pdftotext(pdf)
    assert text.count("CONFIDENTIAL") == pages
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in text
    assert text.count(f"FieldScreen {screening.__version__}") == pages
    rows = pdffonts(pdf)
    names = {r["name"].split("+")[-1] for r in rows}
    assert {"NotoSans-Regular", "NotoSans-Bold", "NotoSansArabic-Regular"} <= names
    assert all(r["emb"] == "yes" for r in rows), rows
    assert not any("Helvetica" in r["name"] for r in rows)


@pytest.mark.parametrize("lang", ["en", "ar", "zh_Hans", "hi"])
def test_every_font_is_embedded(build, lang: str) -> None:
    rows = pdffonts(build(make_packet(lang)))
    assert rows and all(r["emb"] == "yes" and r["uni"] == "yes" for r in rows), rows


def test_sample_packet_is_three_pages(build) -> None:
    assert page_count(build(make_packet("en"))) == 3


def test_qpdf_check_passes(build) -> None:
    qpdf = need("qpdf")
    for packet in (make_packet("ar"), make_packet("zh_Hans", "hi")):
        pdf = build(packet)
        proc = subprocess.run([qpdf, "--check", str(pdf)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "No syntax or stream encoding errors" in proc.stdout


def test_footer_hash_is_the_packet_hash(build) -> None:
    packet = make_packet("ru")
    text = pdftotext(build(packet))
    # Every page's footer carries it (the label around it is translated).
    hashes = re.findall(r"\b([0-9a-f]{64})\b", text)
    assert set(hashes) == {packet.packet_sha256()}
    assert len(hashes) == page_count(build(packet))


def test_json_attachment_is_the_packet(build) -> None:
    packet = make_packet("en", "zh_Hans")
    data = attachment(build(packet))
    assert json.loads(data) == packet.to_json()
    assert data == packet.canonical_json()  # so sha256(attachment) is the footer hash


def test_returns_the_file_sha256(tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "r.pdf"
    digest = build_referral_pdf(make_packet("en"), out, password=None, allow_plaintext=True)
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()


def test_missing_script_font_names_the_language(tmp_path: Path) -> None:
    packet = make_packet("en")
    thai = packet.appendix[0].__class__(
        item_id="th",
        number="9.9",
        item_type="yes_no",
        asked_language="th",
        question_asked="คุณทำงานกี่ชั่วโมง",
        status="answered",
        answer_asked=("ใช่",),
    )
    from dataclasses import replace

    out = tmp_path / "r.pdf"
    with pytest.raises(ReportError) as err:
        build_referral_pdf(
            replace(packet, appendix=(*packet.appendix, thai)),
            out,
            password=None,
            allow_plaintext=True,
        )
    assert err.value.code is ErrorCode.REPORT_FONT_MISSING
    assert err.value.context["language"] == "th" and err.value.context["script"] == "THAI"
    assert err.value.context["field"] == "appendix item th"
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temp file


def test_hostile_text_cannot_reorder_the_report(build) -> None:
    from dataclasses import replace

    packet = make_packet("en")
    hostile = replace(packet, person=replace(packet.person, name="Zyxa\u202eTestperson\u0007"))
    text = one_line(pdftotext(build(hostile)))
    assert "ZyxaTestperson" in text  # override and control character dropped, order kept
