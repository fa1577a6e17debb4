"""The app says what the packet says (issue #16): the instrument card names who reviewed a
reviewed translation and when; the outcome view gives each indicator's element and strength,
what they add up to and why the graded rule gave its outcome; and "some indicators" is calm
(for the officer's judgement), not an alarm.

Real window, offscreen, a real store with the fixture instrument
tests/fixtures/instruments/graded_screen.yaml installed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from guihelp import create_store, make_window, new_case, start_interview, unlock
from PySide6.QtGui import QColor

from app.windows.main_window import MainWindow
from screening.i18n.bidi import plain
from screening.instruments import load_instrument
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE

INSTRUMENT = Path(__file__).resolve().parents[1] / "fixtures" / "instruments" / "graded_screen.yaml"
ALL_NO = {"travel": "no", "threats": "no", "debt": "no", "hours": "no", "pay": "no",
          "days_off": "no"}
REVIEWER = "Qz Rahal, court interpreter"
SHOTS = os.environ.get("FIELDSCREEN_TEST_SHOTS")  # a folder: save the outcome views there


def _window(qtbot: Any, data_dir: Path, lang: str = "en") -> MainWindow:
    create_store(data_dir)
    with Workspace(data_dir).open(PASSPHRASE) as ws:
        ws.catalog.install(load_instrument(INSTRUMENT), INSTRUMENT.name)
    window = make_window(qtbot, data_dir, lang)
    unlock(qtbot, window)
    return window


def _review(qtbot: Any, window: MainWindow, yes: set[str]) -> Any:
    interview_id = start_interview(qtbot, window, "qz_graded")
    vm = window.interview_vm
    assert vm is not None
    for key, value in {**ALL_NO, **dict.fromkeys(yes, "yes")}.items():
        assert vm.answer(key, value), key
    window.go_review(interview_id)
    assert window.stack.currentWidget() is window.review_page
    qtbot.wait(10)
    return window.review_page


def test_the_card_names_the_reviewer_of_a_reviewed_language(qtbot: Any,
                                                            data_dir: Path) -> None:
    window = _window(qtbot, data_dir)
    new_case(qtbot, window)
    page = window.setup_page
    card = next(c for c in page.cards if c.card.id == "qz_graded")
    card.radio.setChecked(True)
    page.respondent.setCurrentIndex(page.respondent.findData("ar"))
    qtbot.waitUntil(lambda: REVIEWER in card.language_line.text())
    assert card.language_line.text() == (
        f"Arabic: translation reviewed by {REVIEWER} on Dec 1, 2026")
    assert card.language_line.isVisibleTo(card)
    assert "translation" not in card.warning.label.text()  # only "this is a draft" remains
    assert REVIEWER in card.radio.accessibleDescription()  # a screen reader hears it too

    page.respondent.setCurrentIndex(page.respondent.findData("es"))
    qtbot.waitUntil(lambda: card.warning.isVisibleTo(card))
    assert "machine translation" in card.warning.label.text()
    assert REVIEWER not in card.warning.label.text() + card.language_line.text()


@pytest.mark.parametrize(("yes", "reason"), [
    ({"threats"}, "Referral for assessment recommended because a strong indicator was found."),
    ({"debt", "hours"}, "Referral for assessment recommended because there are signs of both "
                        "coercion and exploitation."),
])
def test_the_outcome_view_explains_a_referral(qtbot: Any, data_dir: Path, yes: set[str],
                                              reason: str) -> None:
    review = _review(qtbot, _window(qtbot, data_dir), yes)
    details = plain(review.details.text())  # without the direction marks (issue #16)
    assert details.startswith(reason)
    assert review.level.severity == "warning"
    if yes == {"threats"}:
        assert "• Threatened by the employer — Means (coercion) · strong indicator" in details
        assert "Elements found: Act: 0 · Means: 1 (1 strong) · Purpose: 0" in details
    else:  # act before means before purpose
        assert details.index("Owes a debt to the employer — Means (coercion) · medium "
                             "indicator") < details.index("Very long working hours — Purpose "
                                                          "(exploitation) · medium indicator")
        assert "Not found in these answers: Act (recruitment or movement)" in details
    assert "never decides" in details


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_some_indicators_is_calm_and_says_why(qtbot: Any, data_dir: Path, lang: str) -> None:
    window = _window(qtbot, data_dir, lang)
    review = _review(qtbot, window, {"hours"})
    banner = review.level
    assert banner.severity == "notice"
    assert banner.icon.isVisible() and not banner.icon.pixmap().isNull()
    image = banner.grab().toImage()
    colour = QColor(image.pixelColor(image.width() - 4, image.height() // 2))
    # Neither the urgent red nor the amber of "needs action": a quiet grey.
    assert abs(colour.red() - colour.blue()) < 20 and colour.red() > 200
    if lang == "en":
        assert plain(review.details.text()).startswith(
            "Some indicators were found, but not enough on their own to suggest trafficking.")
        assert banner.accessibleDescription() == "For your judgement"
        assert "Very long working hours — Purpose (exploitation) · medium indicator" in (
            plain(review.details.text()))
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        window.resize(1100, 700)
        qtbot.wait(50)
        window.grab().save(str(Path(SHOTS) / f"outcome-some-{lang}.png"))


@pytest.mark.parametrize(("respondent", "expected", "warned"), [
    ("ar", f"Arabic: translation reviewed by {REVIEWER} on Dec 1, 2026", False),
    ("es", "Warning: Spanish is a machine translation", True),
    ("en", "English: original wording", False),
])
def test_the_interview_page_keeps_the_wording_status_in_view(
        qtbot: Any, data_dir: Path, respondent: str, expected: str, warned: bool) -> None:
    """All through the interview the officer sees how the wording the person hears was
    written: who reviewed it and when, or that it is a machine translation to check."""
    window = _window(qtbot, data_dir)
    start_interview(qtbot, window, "qz_graded", respondent=respondent)
    line = window.interview_page.language_status
    assert line.text().startswith(expected)
    assert line.isVisibleTo(window.interview_page)
    assert ("color:" in line.styleSheet()) is warned
    window.interview_page.close_interview()
    assert line.text() == ""  # nothing of the interview left on the page once closed
