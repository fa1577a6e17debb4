"""The packet data model: canonical JSON, hash, redaction, validation."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime

import pytest

from screening.errors import ErrorCode, ReportError
from screening.reports.packet import AgeRange
from tests.reports.samples import make_packet


def test_hash_is_sha256_of_sorted_compact_utf8_json() -> None:
    packet = make_packet("ar")
    expected = json.dumps(
        packet.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    assert packet.canonical_json() == expected
    assert packet.packet_sha256() == hashlib.sha256(expected).hexdigest()


def test_hash_changes_with_any_content() -> None:
    a = make_packet("en")
    b = replace(a, case_reference="CASE-2025-18")
    assert a.packet_sha256() != b.packet_sha256()
    assert a.packet_sha256() == make_packet("en").packet_sha256()


def test_json_holds_what_the_report_shows() -> None:
    data = make_packet("en", "ar").to_json()
    assert data["format"] == "fieldscreen-referral/1"
    assert data["person"]["name"] == "سلمى الاختبارية"
    assert data["appendix"][0]["answer_asked"] == ["نعم"]
    assert data["appendix"][0]["answer_report"] == ["Yes"]
    assert data["appendix"][1]["answer_asked"] == [14]
    assert data["generated_at"] == "2025-03-14T15:09:00+00:00"
    assert data["result"]["flags"][0]["kind"] == "immediate_danger"


def test_redacted_copy_drops_personal_data_and_free_text() -> None:
    full = make_packet("en")
    red = full.redacted_copy()
    assert red.redacted
    assert red.person.name is None and red.person.date_of_birth is None
    assert red.person.contact is None and red.narrative is None
    # A band, from the date of birth at the interview (issue #15: never the exact age)
    assert red.person.age == AgeRange(25, 29)
    assert red.person.nationality is None and red.person.gender is None
    story = red.entry("story")
    assert story is not None and story.answer_asked == ()
    assert all(e.officer_note is None for e in red.appendix)
    docs = red.entry("docs_kept")
    assert docs is not None and docs.answer_asked == ("Yes",)  # choice answers stay
    assert red.redacted_copy() is red
    assert red.packet_sha256() != full.packet_sha256()


def test_a_packet_marked_redacted_must_be_redacted() -> None:
    with pytest.raises(ReportError) as err:
        replace(make_packet("en"), variant="redacted")
    assert err.value.code is ErrorCode.REPORT_FAILED


def test_naive_datetimes_and_unknown_zones_are_rejected() -> None:
    with pytest.raises(ReportError):
        replace(make_packet("en"), generated_at=datetime(2025, 1, 1))
    with pytest.raises(ReportError):
        replace(make_packet("en"), time_zone="Mars/Olympus")
    with pytest.raises(ReportError):
        replace(make_packet("en"), report_language="xx-nope")


def test_repr_shows_no_personal_data() -> None:
    packet = make_packet("en")
    text = repr(packet) + repr(packet.person) + repr(packet.appendix)
    assert "Zyxa" not in text and "555" not in text and "Passport" not in text
