"""A synthetic questionnaire for the answer-widget tests (issue #14): a 30-option list, a
12-option multiple choice and dates (one in the Persian calendar), in English and Arabic.
Wording is our own and made up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from factories import instrument_yaml
from guihelp import PASSPHRASE, create_store, make_window, start_interview, unlock

from app.windows.main_window import MainWindow
from screening.instruments import load_instrument_text
from screening.workspace import Workspace

WIDGETS_ID = "widget_checks"
JOBS = (
    ("Farm work", "عمل زراعي"), ("Fishing boat", "قارب صيد"), ("Factory work", "عمل في مصنع"),
    ("Building site", "موقع بناء"), ("Domestic work", "عمل منزلي"),
    ("Café or restaurant", "مقهى أو مطعم"), ("Hotel cleaning", "تنظيف الفنادق"),
    ("Car wash", "غسيل السيارات"), ("Nail salon", "صالون أظافر"),
    ("Selling in the street", "البيع في الشارع"), ("Begging", "التسول"), ("Mining", "التعدين"),
    ("Brick kiln", "مصنع طوب"), ("Logging", "قطع الأشجار"), ("Garment workshop", "ورشة ملابس"),
    ("Food packing", "تعبئة الأغذية"), ("Warehouse", "مستودع"), ("Delivery", "توصيل"),
    ("Security guard", "حارس أمن"), ("Care of older people", "رعاية المسنين"),
    ("Childcare", "رعاية الأطفال"), ("Massage parlour", "صالون تدليك"),
    ("Bar or club", "حانة أو نادٍ"), ("Street market", "سوق الشارع"),
    ("Shop work", "العمل في متجر"), ("Kitchen help", "مساعدة في المطبخ"),
    ("Hairdresser", "مصفف شعر"), ("Laundry", "مغسلة"), ("Animal farm", "مزرعة حيوانات"),
    ("Other work", "عمل آخر"),
)
NEEDS = tuple(JOBS[:12])


def _choices(pairs: tuple[tuple[str, str], ...]) -> str:
    return "".join(f'        - {{name: opt{i:02d}, label: {{en: "{en}", ar: "{ar}"}}}}\n'
                   for i, (en, ar) in enumerate(pairs, start=1))


SECTIONS = (
    """\
- name: work
  title: {en: Work, ar: العمل}
  items:
    - name: job
      type: single_choice
      text: {en: "What work did you do?", ar: "ما العمل الذي قمت به؟"}
      choices:
"""
    + _choices(JOBS)
    + """\
    - name: help_with
      type: multiple_choice
      text: {en: "Which of these did you do?", ar: "أي من هذه قمت به؟"}
      choices:
"""
    + _choices(NEEDS)
    + """\
    - name: arrival
      type: date
      text: {en: "When did you arrive?", ar: "متى وصلت؟"}
    - name: job_start
      type: date
      text: {en: "When did the job start?", ar: "متى بدأ العمل؟"}
      appearance: persian
"""
)
OUTCOME = """\
outcome:
  rule: any
  labels:
    refer_urgent: {en: urgent, ar: عاجل}
    refer: {en: refer, ar: إحالة}
    incomplete: {en: incomplete, ar: غير مكتمل}
    no_indicators: {en: none, ar: لا شيء}
"""


def widgets_instrument_text() -> str:
    return instrument_yaml(SECTIONS, id=WIDGETS_ID, languages=("en", "ar"), outcome=OUTCOME)


def open_widgets_interview(qtbot: Any, data_dir: Path, *, respondent: str = "ar",
                           officer: str = "en", ui: str = "en",
                           size: tuple[int, int] | None = None) -> MainWindow:
    """A store with the questionnaire installed, the window unlocked, an interview on it."""
    create_store(data_dir)
    with Workspace(data_dir) as ws:
        ws.open(PASSPHRASE)
        text = widgets_instrument_text()
        ws.catalog.install(load_instrument_text(text, f"{WIDGETS_ID}.yaml"), f"{WIDGETS_ID}.yaml")
    window = make_window(qtbot, data_dir, ui)
    if size is not None:
        window.resize(*size)
    unlock(qtbot, window)
    start_interview(qtbot, window, WIDGETS_ID, respondent=respondent, officer=officer)
    return window


def go_to(window: MainWindow, key: str) -> None:
    window.interview_page.jump_to(key)
    assert window.interview_page.view is not None and window.interview_page.view.key == key
