"""The referral directory: the shipped US file, validation with positions, filters, import."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.reports.directory import (
    COLUMNS,
    DirectoryError,
    import_directory,
    load_directory,
    parse_directory,
    services_for,
    shipped_directory,
)

HEADER = ",".join(COLUMNS)


def row(**values: str) -> str:
    base = {
        "id": "x",
        "country": "US",
        "region": "Example County",
        "name": "Local shelter",
        "kind": "shelter",
        "phone": "+1 555 0111",
        "languages": "en",
        "needs": "shelter",
        "example": "no",
    }
    base.update(values)
    return ",".join(f'"{base.get(c, "")}"' for c in COLUMNS)


def test_shipped_us_directory_has_the_real_hotlines() -> None:
    d = shipped_directory("us")
    nhth = d.get("us-nhth")
    assert nhth is not None and not nhth.example
    assert (nhth.phone, nhth.text, nhth.relay, nhth.hours) == (
        "1-888-373-7888",
        "233733",
        "711",
        "24/7",
    )
    assert nhth.languages == ("en", "es") and nhth.interpreters
    hsi = d.get("us-hsi-tipline")
    assert hsi is not None and hsi.phone == "1-866-347-2423" and not hsi.example
    emergency = d.get("us-911")
    assert emergency is not None and emergency.phone == "911"
    for s in d.services:
        if s.id not in ("us-nhth", "us-hsi-tipline", "us-911"):
            assert s.example and "Example" in s.name and "replace" in s.name


def test_filters_by_need_language_and_region() -> None:
    d = shipped_directory()
    danger = [s.id for s in d.filter(need="immediate_danger")]
    assert danger[:2] == ["us-nhth", "us-911"]  # real services before examples
    arabic = d.filter(need="counselling", language="ar")
    assert [s.id for s in arabic] == ["us-nhth", "us-example-counselling"]
    assert d.filter(need="counselling", language="ar", include_examples=False)[0].id == "us-nhth"
    spanish = d.filter(need="legal", language="es_MX")
    assert spanish[-1].id == "us-example-legal"
    assert "us-example-shelter" not in [s.id for s in d.filter(region="Other County")]
    assert "us-nhth" in [s.id for s in d.filter(region="Other County")]
    both = services_for(d, ["immediate_danger", "minor"], "es")
    assert len({s.id for s in both}) == len(both)


def test_service_becomes_a_packet_referral() -> None:
    ref = (
        shipped_directory()
        .get("us-nhth")
        .to_referral(
            "Immediate danger",  # type: ignore[union-attr]
            interpreters_note="200+ languages",
        )
    )
    assert [c.kind for c in ref.contacts] == ["phone", "text", "relay", "web"]
    assert ref.languages[-1] == "200+ languages" and not ref.example


def test_every_problem_is_reported_with_line_and_column() -> None:
    text = "\n".join(
        [
            HEADER,
            row(id="Bad Id", kind="spa", languages="en;zz-nope"),
            row(id="ok"),
            row(id="ok"),
            row(id="e1", example="yes"),
        ]
    )
    with pytest.raises(DirectoryError) as err:
        parse_directory(text, "agency.csv")
    shown = str(err.value)
    problems = err.value.problems
    assert {(p.line, p.column) for p in problems} >= {
        (2, COLUMNS.index("id") + 1),
        (2, COLUMNS.index("kind") + 1),
        (2, COLUMNS.index("languages") + 1),
        (4, COLUMNS.index("id") + 1),
        (5, COLUMNS.index("name") + 1),
    }
    assert "agency.csv:2" in shown and "already used on line 3" in shown
    assert "Traceback" not in shown


def test_bad_header_and_bad_bytes(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError) as err:
        parse_directory("id,country,region,name,kind,phnoe\n", "a.csv")
    assert "unknown column 'phnoe'" in str(err.value)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(HEADER.encode() + b"\n" + row(name="Caf\xe9").encode("latin-1"))
    with pytest.raises(DirectoryError) as err2:
        load_directory(bad)
    assert "not UTF-8" in str(err2.value)


def test_import_validates_then_merges(tmp_path: Path) -> None:
    own = tmp_path / "agency.csv"
    own.write_text(
        "\ufeff"
        + "\n".join(
            [
                HEADER,
                row(id="us-example-shelter", name="Harbour House", region="Example County"),
                row(id="local-legal", name="City legal clinic", kind="legal", needs="legal"),
            ]
        ),
        encoding="utf-8",
    )
    merged = import_directory(shipped_directory(), own)
    assert merged.get("us-example-shelter").name == "Harbour House"  # type: ignore[union-attr]
    assert not merged.get("us-example-shelter").example  # type: ignore[union-attr]
    assert merged.services[-1].id == "local-legal"
    assert len(merged.services) == len(shipped_directory().services) + 1
    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + "\n" + row(phone="call us"), encoding="utf-8")
    with pytest.raises(DirectoryError):
        import_directory(shipped_directory(), broken)
