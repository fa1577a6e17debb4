"""The redacted variant holds none of the person's identifying data or free-text notes:
not in the extracted text, not in the decompressed PDF bytes, not in the JSON attachment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from screening.i18n import Translator
from tests.reports.pdftools import attachment, decompressed, one_line, pdftotext, shown_strings
from tests.reports.samples import make_packet

CANARIES = {
    "name": "CANARYNAME Qxzv",
    "contact": "CANARYPHONE 555-0142",
    "narrative": "CANARYNARRATIVE met at the station",
    "free_text": "CANARYFREETEXT worked nights",
    "note": "CANARYNOTE passport seen",
}
DOB_SHOWN = "Feb 3, 1987"  # how the en locale prints the date of birth


def canary_packet(report: str = "en"):
    packet = make_packet(report)
    person = replace(
        packet.person,
        name=CANARIES["name"],
        contact=CANARIES["contact"],
        date_of_birth=date(1987, 2, 3),
    )
    entries = []
    for e in packet.appendix:
        if e.item_type == "text":
            e = replace(e, answer_asked=(CANARIES["free_text"],))
        if e.item_id == "docs_kept":
            e = replace(e, officer_note=CANARIES["note"])
        entries.append(e)
    return replace(packet, person=person, narrative=CANARIES["narrative"], appendix=tuple(entries))


def everything(pdf) -> str:
    raw = decompressed(pdf)
    return "\n".join(
        [
            one_line(pdftotext(pdf)),
            raw.decode("latin-1"),
            shown_strings(raw),
            attachment(pdf).decode("utf-8"),
        ]
    )


def test_the_search_finds_every_canary_in_the_full_report(build) -> None:
    # Positive control: the same search would have caught a leak.
    blob = everything(build(canary_packet()))
    for value in (*CANARIES.values(), DOB_SHOWN):
        assert value in blob, value


@pytest.mark.parametrize("report", ["en", "ar"])
def test_redacted_report_holds_no_canary(build, report: str) -> None:
    packet = canary_packet(report).redacted_copy()
    pdf = build(packet, name=f"redacted-{report}.pdf")
    blob = everything(pdf)
    for value in (*CANARIES.values(), "CANARY", "1987-02-03", DOB_SHOWN):
        assert value not in blob, value
    raw = decompressed(pdf)
    assert "CANARY".encode("utf-16-be").hex().encode() not in raw.lower()
    text = one_line(pdftotext(pdf))
    _ = Translator(report)
    squeezed = text.replace(" ", "")  # poppler may split Arabic clusters with a space
    assert _("Withheld in this redacted copy").replace(" ", "") in squeezed
    notice = _("Redacted copy: the person's name, date of birth, contact details and all "
               "free-text notes have been removed.")
    assert notice.replace(" ", "")[:20] in squeezed  # the start of the redaction notice


def test_build_redacts_a_packet_marked_redacted(build) -> None:
    packet = canary_packet().redacted_copy()
    text = pdftotext(build(packet))
    assert "CANARY" not in text
    assert "Withheld in this redacted copy" in text


OVERRIDE = "CANARYOVERRIDE the person asked to report the employer"


def override_packet(report: str = "en"):
    packet = make_packet(report)
    police = replace(packet.referrals[0], service_id="us-hsi-tipline", kind="law_enforcement",
                     outside_consent=True, override_reason=OVERRIDE)
    return replace(packet, referrals=(*packet.referrals, police))


def test_an_override_reason_is_free_text_but_the_override_is_not_hidden(build) -> None:
    packet = override_packet()
    full = one_line(pdftotext(build(packet, "full.pdf")))
    assert f"Referred outside the person's consent. Officer's reason: {OVERRIDE}" in full
    assert full.count("Referred outside the person's consent.") == 1

    redacted = packet.redacted_copy()
    assert redacted.referrals[-1].outside_consent and redacted.referrals[-1].override_reason is None
    pdf = build(redacted, "redacted.pdf")
    blob = everything(pdf)
    assert "CANARYOVERRIDE" not in blob
    text = one_line(pdftotext(pdf))
    assert ("Referred outside the person's consent. Officer's reason: Withheld in this "
            "redacted copy") in text
    data = attachment(pdf).decode("utf-8")
    assert '"outside_consent":true' in data.replace(" ", "")


def test_a_packet_marked_redacted_cannot_carry_an_override_reason() -> None:
    from screening.errors import ReportError

    packet = override_packet().redacted_copy()
    with pytest.raises(ReportError):
        replace(packet, referrals=override_packet().referrals)
    with pytest.raises(ReportError):  # a reason without an override is a caller's mistake
        replace(packet.referrals[0], override_reason="x")


def test_the_override_line_is_translated(build) -> None:
    packet = override_packet("es")
    _ = Translator("es")
    label = _("Referred outside the person's consent.")
    assert label != "Referred outside the person's consent."
    text = one_line(pdftotext(build(packet, "es.pdf")))
    assert label in text and OVERRIDE in text
