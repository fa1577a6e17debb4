"""One clock and one set of digits on screen (issue #14).

Dates and times go through Babel in the UI language and the officer's time zone
(``app.formatting``): never "6:34 PM" beside "18:33", never UTC beside local time. Digits
are Western in every UI language, Arabic included, in Qt's widgets as in Babel's text: no
"٥" beside "2026". Lists of languages use the UI language's separator ("، " in Arabic)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from guihelp import create_store, make_window, unlock
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QWidget

from app.formatting import date_text, datetime_text, time_text
from app.qt_i18n import available_ui_languages, ui_language
from app.viewmodels.directory import ServiceView
from app.widgets.service_table import service_columns
from app.windows.main_window import MainWindow


def spaces(text: str) -> str:
    """Babel separates "6:33 PM" with a narrow no-break space; compare with plain ones."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
STAMP = "2026-03-07T17:33:00.000000Z"  # 18:33 in Madrid (UTC+1 in March)


@pytest.fixture
def madrid(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Madrid")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("lang", "clock", "day"), [
    ("en", "6:33 PM", "Mar 7, 2026"),
    ("es", "18:33", "7 mar 2026"),
    ("ru", "18:33", "7 мар. 2026 г."),
    ("ar", "6:33 م", "07\u200f/03\u200f/2026"),
])
def test_times_are_local_and_in_the_ui_languages_clock(madrid: None, lang: str, clock: str,
                                                       day: str) -> None:
    ui_language().set_language(lang)
    assert spaces(time_text(STAMP)) == clock
    assert spaces(date_text(STAMP)) == day
    both = spaces(datetime_text(STAMP))
    assert clock in both and day in both
    assert "T17" not in both and "UTC" not in both
    # A moment the app itself takes (datetime.now(), local) reads on the same clock.
    local = datetime(2026, 3, 7, 18, 33)
    assert spaces(time_text(local)) == clock


def test_every_ui_language_writes_western_digits(madrid: None) -> None:
    for lang in available_ui_languages():
        ui_language().set_language(lang)
        shown = datetime_text(STAMP)
        assert not EASTERN_DIGITS.search(shown), (lang, shown)
        assert "2026" in shown, (lang, shown)
        assert QLocale().toString(1234) in ("1,234", "1.234", "1 234", "1\u00a0234",
                                            "1\u202f234", "1234"), lang
        assert not EASTERN_DIGITS.search(QLocale().toString(5)), lang


def test_an_unreadable_stamp_is_shown_as_it_is() -> None:
    assert "yesterday" in datetime_text("yesterday")
    assert datetime_text("") == ""


@pytest.fixture
def window(qtbot: Any, data_dir: Path) -> MainWindow:
    create_store(data_dir)
    win = make_window(qtbot, data_dir)
    unlock(qtbot, win)
    return win


def _visible_text(root: QWidget) -> str:
    parts = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.isVisible():
            for getter in ("text", "currentText"):
                value = getattr(w, getter, None)
                if callable(value):
                    try:
                        parts.append(str(value()))
                    except TypeError:
                        pass
    return "\n".join(parts)


def test_arabic_settings_show_western_digits_in_qts_widgets(qtbot: Any,
                                                            window: MainWindow) -> None:
    ui_language().set_language("ar")
    dialog = window.open_settings()
    assert dialog is not None
    spin = dialog.general.autolock
    assert isinstance(spin, QAbstractSpinBox)
    assert spin.text() == str(spin.value())  # "5", not "٥"
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert not EASTERN_DIGITS.search(_visible_text(dialog)), dialog.tabs.tabText(index)


def test_widgets_made_before_a_language_change_follow_it(qtbot: Any,
                                                         window: MainWindow) -> None:
    dialog = window.open_settings()
    assert dialog is not None
    ui_language().set_language("ar")  # Settings › Language, with the dialog open
    spin = dialog.general.autolock
    assert spin.locale().language() == QLocale.Language.Arabic  # Arabic conventions...
    assert spin.text() == str(spin.value())  # ...with Western digits


def test_audit_times_are_on_the_officers_clock(qtbot: Any, window: MainWindow,
                                               madrid: None) -> None:
    dialog = window.open_settings()
    assert dialog is not None
    dialog.tabs.setCurrentWidget(dialog.audit)
    dialog.audit.load()
    table = dialog.audit.table
    assert table.horizontalHeaderItem(0).text() == "Time"  # no longer "Time (UTC)"
    newest = table.item(0, 0)
    assert newest.text() == datetime_text(newest.toolTip().strip("\u2066\u2069"))
    assert re.search(r"\d{1,2}:\d\d [AP]M", spaces(newest.text()))  # English: the 12-hour clock
    assert "T" not in newest.text().split(",")[-1]  # not an ISO stamp


def _service(**kw: Any) -> ServiceView:
    base: dict[str, Any] = {f: None for f in ServiceView.__dataclass_fields__}
    base.update(service_id="x", name="Test service", kind="shelter", languages=("ar", "en"),
                interpreters=True, contacts="phone: +00 000 0000", region="national",
                example=False, outside_consent=False, hours="", notes="", needs=())
    base.update(kw)
    return ServiceView(**base)


def test_language_lists_and_regions_read_as_words_in_the_ui_language() -> None:
    from app.widgets.service_table import region_text

    ui_language().set_language("ar")
    _name, _kind, langs, _contacts = service_columns(_service())
    assert "، " in langs and ", " not in langs  # the Arabic comma, not the Latin one
    ui_language().set_language("en")
    assert region_text("national") == "Whole country"
    assert "Example County" in region_text("Example County")
