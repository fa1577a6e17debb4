"""The review's outcome banner follows the outcome (issue #14): red with a danger icon for
"Urgent: act now", amber with a warning icon when indicators are present, blue with an
information icon when none are; its words say so too, so colour is never the only signal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from guihelp import create_store, make_window, start_interview, unlock
from PySide6.QtGui import QColor, QImage

from app import demo
from app.windows.main_window import MainWindow

CALM = {"work_type": "farm", "hours": 8, "work_story": "Synthetic answer (test).",
        "arrival": "2025-11-02", "needs": ["medical"], "danger_now": "no", "obs_fearful": "no"}


def review_after(qtbot: Any, window: MainWindow, answers: dict[str, Any]) -> Any:
    """The review's outcome banner (an ``OutcomeBanner``) after these answers."""
    interview_id = start_interview(qtbot, window, demo.DEMO_ID)
    vm = window.interview_vm
    assert vm is not None
    for key, value in answers.items():
        assert vm.answer(key, value), key
    window.go_review(interview_id)
    assert window.stack.currentWidget() is window.review_page
    qtbot.wait(10)
    return window.review_page.level


def _middle_colour(banner: Any) -> QColor:
    image: QImage = banner.grab().toImage()
    return image.pixelColor(image.width() - 4, image.height() // 2)  # away from the text


@pytest.fixture
def window(qtbot: Any, data_dir: Path) -> MainWindow:
    create_store(data_dir, demo_instrument=True)
    win = make_window(qtbot, data_dir)
    unlock(qtbot, win)
    return win


@pytest.mark.parametrize(("changes", "severity", "words"), [
    ({"danger_now": "yes"}, "urgent", "Urgent:"),
    ({"hours": 14}, "warning", "Indicators present:"),
    ({}, "info", "No indicators"),
])
def test_banner_colour_icon_and_words_follow_the_outcome(
        qtbot: Any, window: MainWindow, changes: dict[str, Any], severity: str,
        words: str) -> None:
    banner = review_after(qtbot, window, {**CALM, **changes})
    assert banner.severity == severity
    assert banner.label.text().startswith(words)  # the text alone says what it is
    assert banner.icon.isVisible() and not banner.icon.pixmap().isNull()
    assert banner.accessibleDescription()  # "Act now", "Needs action", "For information"
    colour = _middle_colour(banner)
    red, green, blue = colour.red(), colour.green(), colour.blue()
    if severity == "urgent":  # the danger red of the urgent flags, not info-blue
        assert red > 150 and green < 80 and blue < 80
    elif severity == "warning":  # amber
        assert red > 200 and green > 200 and blue < 230 and blue < red - 30
    else:
        assert blue > red


def test_the_three_outcomes_look_different(qtbot: Any, window: MainWindow) -> None:
    colours = set()
    icons = set()
    for changes in ({"danger_now": "yes"}, {"hours": 14}, {}):
        window.go_cases()
        banner = review_after(qtbot, window, {**CALM, **changes})
        colours.add(_middle_colour(banner).name())
        icons.add(bytes(banner.icon.pixmap().toImage().constBits()))
    assert len(colours) == 3
    assert len(icons) == 3
