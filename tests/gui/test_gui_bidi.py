"""Directory entries in the Arabic UI: phone numbers and web addresses read left to right, an
English note keeps its full stop at its end (issues #14 and #15). The referral page puts the
shared helper's isolates into what it shows, and Qt lays them out as UAX #9 says."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from guihelp import PASSPHRASE
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication

from app.qt_i18n import ui_language
from app.viewmodels.app_vm import AppViewModel
from app.viewmodels.referral_vm import ReferralViewModel
from app.windows.referral_page import ReferralPage
from screening.i18n.bidi import LRI, PDI, RLM, plain
from screening.paths import resource_path
from screening.reports.directory import COLUMNS
from screening.store import PersonInfo
from tests.factories import stored_interview

PHONE = "+962 79 555 1234"
WEB = "https://example.org/ar/shelter"
NOTE = "Needs a safe place."
ANSWERS = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))["answers"]


@pytest.fixture
def arabic_page(qtbot, data_dir: Path, tmp_path: Path) -> Iterator[ReferralPage]:
    ui_language().set_language("ar")
    vm = AppViewModel(data_dir)
    vm.workspace.create(PASSPHRASE)
    row = dict.fromkeys(COLUMNS, "")
    row.update({"id": "jo-test-shelter", "country": "JO", "region": "عمّان",
                "name": "مأوى تجريبي", "kind": "shelter", "phone": PHONE, "web": WEB,
                "languages": "ar;en", "interpreters": "no", "hours": "24/7",
                "needs": "shelter", "example": "no", "notes": NOTE})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerow(row)
    directory = tmp_path / "jo.csv"
    directory.write_text(out.getvalue(), encoding="utf-8")
    vm.workspace.import_directory(directory)
    done = stored_interview(vm.workspace, "adult_indicators", ANSWERS, lang="ar",
                            person=PersonInfo(name="شخص اصطناعي"),
                            scope=("screening", "referral"))
    page = ReferralPage(ReferralViewModel(vm))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.open(str(done["case_id"]))
    yield page
    vm.shutdown()


def _row(page: ReferralPage) -> int:
    for row in range(page.directory.rowCount()):
        if "مأوى تجريبي" in page.directory.item(row, 0).text():
            return row
    raise AssertionError("the imported service is not listed")


def _x(text: str, index: int) -> float:
    """Where Qt draws the glyph of ``text[index]`` in a right-to-left line (x, left edge)."""
    # One font, no fallback: Qt's string indexes are unreliable across fallback fonts, and
    # where a glyph goes (the bidi order) does not depend on which font draws it.
    font = QFont(QApplication.font())
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.RightToLeft)
    layout.setTextOption(option)
    layout.beginLayout()
    layout.createLine().setLineWidth(100_000)
    layout.endLayout()
    flags = QTextLayout.GlyphRunRetrievalFlag
    wanted = (flags.RetrieveStringIndexes | flags.RetrieveGlyphPositions
              | flags.RetrieveGlyphIndexes)
    for run in layout.glyphRuns(0, len(text), wanted):
        for at, pos in zip(run.stringIndexes(), run.positions(), strict=True):
            if at == index:
                return float(pos.x())
    raise AssertionError(f"no glyph for {text[index]!r}")


def test_directory_contacts_carry_isolates_and_read_left_to_right(arabic_page) -> None:
    page = arabic_page
    assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
    contacts = page.directory.item(_row(page), 3).text()
    assert LRI + PHONE + PDI in contacts and LRI + WEB + PDI in contacts
    assert PHONE in plain(contacts)
    # As Qt lays it out right to left: "+962" on the left of "1234", as written.
    at = contacts.index(PHONE)
    assert _x(contacts, at) < _x(contacts, at + PHONE.index("1234"))
    bare = "هاتف " + PHONE  # what the page showed before: the groups swap places
    at = bare.index(PHONE)
    assert _x(bare, at) > _x(bare, at + PHONE.index("1234"))


def test_selected_service_details_keep_numbers_and_full_stops_in_place(arabic_page) -> None:
    page = arabic_page
    page.directory.setCurrentCell(_row(page), 0)
    details = page.service_details.text()
    assert LRI + PHONE + PDI in details and LRI + WEB + PDI in details
    # Every line starts with a right-to-left mark: Qt sets a paragraph's direction from its
    # first letter and does not skip isolates, so "<name> · kind" needs the UI's direction.
    assert all(line.startswith(RLM) for line in details.split("\n"))
    note = next(line for line in details.split("\n") if NOTE in line).removeprefix(RLM)
    # The note is an isolate of its own (left-to-right) direction: its full stop stays
    # at its end instead of jumping to the start (".Needs a safe place").
    assert note == LRI + NOTE + PDI
    assert _x(note, note.index(".")) > _x(note, note.index("N"))
    bare = NOTE  # before: in the right-to-left label the full stop went to the left
    assert _x(bare, bare.index(".")) < _x(bare, bare.index("N"))


def test_typed_reason_is_shown_isolated_but_kept_as_typed(qtbot, arabic_page) -> None:
    page = arabic_page
    page.directory.setCurrentCell(_row(page), 0)
    page._add()
    assert page.chosen.rowCount() == 1
    reason = page.chosen.item(0, 2)
    reason.setText(f"{NOTE} {PHONE}")
    shown = page.chosen.itemDelegateForColumn(2).displayText(reason.text(), QLocale())
    assert shown == LRI + f"{NOTE} " + LRI + PHONE + PDI + PDI
    assert reason.text() == f"{NOTE} {PHONE}"  # no control character reaches the store
    assert page.vm.chosen[0].reason == f"{NOTE} {PHONE}"
