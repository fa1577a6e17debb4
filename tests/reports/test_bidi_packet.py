"""Phone numbers, references and hashes inside right-to-left text in the referral PDF (issue
#15), read back two ways: poppler's pdftotext, as a receiving shelter would copy them, and
pypdf, which reads glyphs left to right as they sit on the page (what the eye sees)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from screening.i18n import Translator
from screening.i18n.bidi import plain
from screening.reports.packet import ReferralPacket
from screening.reports.text import Span, TextBlock, TextStyle
from tests.reports.pdftools import one_line, pdftotext
from tests.reports.samples import make_packet

PHONE = "+962 79 555 1234"
REVERSED = "1234 555 79 962+"


def on_the_page(pdf: Path) -> str:
    """The pages' text in display order, left to right (pypdf ignores /ActualText)."""
    return one_line(" ".join(page.extract_text() for page in PdfReader(str(pdf)).pages))


def _with_arabic_details(packet: ReferralPacket) -> ReferralPacket:
    person = replace(packet.person, contact=f"هاتف {PHONE} (واتساب)")
    referrals = list(packet.referrals)
    referrals[1] = replace(
        referrals[1], reason="تحتاج إلى مأوى آمن الليلة، الاتصال على " + PHONE + "."
    )
    return replace(packet, person=person, referrals=tuple(referrals))


def test_arabic_packet_prints_the_phone_number_in_order(build) -> None:
    pdf = build(_with_arabic_details(make_packet("ar")))
    shown = on_the_page(pdf)
    assert shown.count(PHONE) == 2 and REVERSED not in shown  # contact and referral reason
    copied = one_line(pdftotext(pdf))
    assert f"هاتف {PHONE} (واتساب)" in copied
    assert f"الاتصال على {PHONE}." in copied


def test_english_packet_prints_an_arabic_contact_phone_in_order(build) -> None:
    pdf = build(_with_arabic_details(make_packet("en", "ar")))
    shown = on_the_page(pdf)
    assert PHONE in shown and REVERSED not in shown
    assert PHONE in one_line(pdftotext(pdf))


def test_arabic_footer_gives_the_label_before_the_hash(build) -> None:
    pdf = build(make_packet("ar"))
    text = one_line(pdftotext(pdf))
    # The Arabic catalog's label starts with a Latin word ("SHA-256 للبيانات ..."); the
    # paragraph is still right to left, so the hash comes after its label. It is the data's
    # hash, never called the file's ("للملف").
    label = Translator("ar")("Data SHA-256 (referral.json): ").strip()
    assert "للملف" not in label and label in text
    label_at = text.index(label)
    digest = text[label_at + len(label) :].split()[0]
    assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


def test_case_reference_and_police_style_ids_keep_their_order_in_arabic(build) -> None:
    packet = make_packet("ar")
    referrals = list(packet.referrals)
    referrals[0] = replace(referrals[0], reason="مرجع الشرطة 2026-00451 والملف FS-2026-QW2PN")
    pdf = build(replace(packet, referrals=tuple(referrals)))
    assert "مرجع الشرطة 2026-00451 والملف FS-2026-QW2PN" in one_line(pdftotext(pdf))
    shown = on_the_page(pdf)
    assert "2026-00451" in shown and "00451-2026" not in shown


def _line_texts(block: TextBlock, width: float) -> list[str]:
    """Each laid-out line's characters in logical order (LTR lines are already in it)."""
    return ["".join(c.text for c in line.clusters) for line, _rtl in block._layout(width)]


def test_isolated_data_still_wraps_between_words() -> None:
    text = ("Có dấu hiệu: chuyển người này đi đánh giá đầy đủ. Bước sàng lọc này không quyết "
            "định người đó có phải là nạn nhân mua bán người hay không.")
    block = TextBlock([Span(text, isolate=True, lang="vi")], TextStyle(size=12), lang="vi")
    lines = _line_texts(block, 200)
    assert len(lines) > 2
    words = [plain(w) for line in lines for w in line.split()]
    assert words == text.split()  # every line break is at a space, none inside a word


def test_a_phone_number_is_never_split_across_lines() -> None:
    text = "اتصلوا بنا في أي وقت على الرقم " + PHONE + " أو عبر البريد الإلكتروني"
    block = TextBlock([Span(text, isolate=True, lang="ar")], TextStyle(size=12), rtl=True,
                      lang="ar")
    for width in range(120, 320, 10):
        lines = [plain(line) for line in _line_texts(block, width)]
        assert any(PHONE in line for line in lines), (width, lines)


def test_an_english_sentence_in_arabic_text_keeps_its_full_stop(build) -> None:
    packet = make_packet("ar")
    referrals = list(packet.referrals)
    referrals[1] = replace(referrals[1],
                           reason="تحتاج إلى مأوى آمن الليلة. Needs a safe place tonight.")
    shown = on_the_page(build(replace(packet, referrals=tuple(referrals))))
    assert "Needs a safe place tonight." in shown
    assert ".Needs" not in shown.replace(" ", "")
