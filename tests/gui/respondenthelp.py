"""The respondent-view tests' questionnaire and helpers (issue #14): a synthetic instrument in
English, Arabic and Russian with guidance, a repeat ("Child 2 of 3"), a multiple choice, an
urgent flag and an observation item, every officer-only text marked with a CANARY word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guihelp import PASSPHRASE, create_store, make_window, start_interview, unlock
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QWidget

from app.windows.main_window import MainWindow
from screening.instruments import load_instrument_text
from screening.workspace import Workspace

RV_ID = "respondent_view_test"
# Officer-only wording: none of it may reach the person's window.
OFFICER_ONLY = ("GUIDANCE-CANARY", "OBSERVATION-CANARY", "FLAG-CANARY", "FLAGMSG-CANARY",
                "INDICATOR-CANARY", "TITLE-CANARY", "SECTION-CANARY", "FieldScreen")

RV_INSTRUMENT = """\
# Synthetic questionnaire for the respondent-view tests: made-up wording.
format: fieldscreen-instrument/1
id: respondent_view_test
version: "0.1"
title: {en: "TITLE-CANARY questionnaire", ar: "TITLE-CANARY استبيان", ru: "TITLE-CANARY анкета"}
population: any
purpose: {en: Tests, ar: اختبار, ru: Тест}
provenance: {source_framework: none, citation: none, authored_by: tests, wording: made up}
validation: {status: draft}
source_language: en
languages:
  en: {name: English, status: source}
  ar: {name: العربية, status: machine}
  ru: {name: Русский, status: machine}
choice_lists:
  yes_no:
    - {name: "yes", label: {en: "Yes", ar: "نعم", ru: "Да"}}
    - {name: "no", label: {en: "No", ar: "لا", ru: "Нет"}}
  work:
    - {name: farm, label: {en: "Farm work", ar: "عمل في مزرعة", ru: "Работа на ферме"}}
    - {name: home, label: {en: "Work in a private home", ar: "عمل في منزل خاص",
                           ru: "Работа в частном доме"}}
    - {name: building, label: {en: "Building sites and roads", ar: "مواقع البناء والطرق",
                               ru: "Стройки и дороги"}}
  needs:
    - {name: doctor, label: {en: "A doctor", ar: "طبيب", ru: "Врач"}}
    - {name: sleep, label: {en: "A safe place to sleep", ar: "مكان آمن للنوم",
                            ru: "Безопасное место для ночлега"}}
sections:
  - name: about
    title: {en: "SECTION-CANARY about", ar: "SECTION-CANARY عن", ru: "SECTION-CANARY о"}
    items:
      - name: work
        type: single_choice
        choices: work
        text: {en: "What work do you do?", ar: "ما العمل الذي تقوم به؟",
               ru: "Какую работу вы делаете?"}
        guidance: {en: "GUIDANCE-CANARY let them answer freely",
                   ar: "GUIDANCE-CANARY دعه يجيب", ru: "GUIDANCE-CANARY пусть ответит"}
      - name: n_children
        type: integer
        text: {en: "How many children came with you?", ar: "كم طفلاً جاء معك؟",
               ru: "Сколько детей приехало с вами?"}
      - name: child
        type: repeat
        repeat_count: "${n_children}"
        text: {en: Child, ar: طفل, ru: Ребёнок}
        items:
          - name: child_school
            type: yes_no
            text: {en: "Does this child go to school?", ar: "هل يذهب هذا الطفل إلى المدرسة؟",
                   ru: "Ходит ли этот ребёнок в школу?"}
      - name: needs
        type: multiple_choice
        choices: needs
        text: {en: "What would help you now?", ar: "ما الذي يساعدك الآن؟",
               ru: "Что вам сейчас поможет?"}
      - name: danger
        type: yes_no
        text: {en: "Are you afraid right now?", ar: "هل أنت خائف الآن؟",
               ru: "Вам сейчас страшно?"}
      - name: obs
        type: observation
        text: {en: "OBSERVATION-CANARY seems watched", ar: "OBSERVATION-CANARY مراقب",
               ru: "OBSERVATION-CANARY под присмотром"}
        guidance: {en: "GUIDANCE-CANARY never ask aloud", ar: "GUIDANCE-CANARY لا تسأل",
                   ru: "GUIDANCE-CANARY не спрашивайте"}
indicators:
  - {name: watched, domain: control, when: "${obs} = 'yes'",
     label: {en: "INDICATOR-CANARY watched", ar: "INDICATOR-CANARY", ru: "INDICATOR-CANARY"}}
domains:
  - {name: control, label: {en: Control, ar: السيطرة, ru: Контроль}}
flags:
  - name: afraid
    kind: immediate_danger
    when: "${danger} = 'yes'"
    label: {en: "FLAG-CANARY in danger", ar: "FLAG-CANARY خطر", ru: "FLAG-CANARY опасность"}
    message: {en: "FLAGMSG-CANARY act now", ar: "FLAGMSG-CANARY تصرف", ru: "FLAGMSG-CANARY"}
outcome:
  rule: any
  labels:
    refer_urgent: {en: urgent, ar: عاجل, ru: срочно}
    refer: {en: refer, ar: إحالة, ru: направить}
    incomplete: {en: incomplete, ar: غير مكتمل, ru: неполно}
    no_indicators: {en: none, ar: لا شيء, ru: нет}
"""


def rv_window(qtbot: Any, data_dir: Path, *, respondent: str = "ar", officer: str = "en",
              ui: str = "en") -> MainWindow:
    """The app unlocked, with the questionnaire above installed and its interview started."""
    create_store(data_dir)
    with Workspace(data_dir) as ws:
        ws.open(PASSPHRASE)
        loaded = load_instrument_text(RV_INSTRUMENT, "respondent_view_test.yaml")
        ws.catalog.install(loaded, "respondent_view_test.yaml")
    window = make_window(qtbot, data_dir, lang=ui)
    unlock(qtbot, window)
    start_interview(qtbot, window, RV_ID, respondent=respondent, officer=officer)
    return window


def widget_texts(root: QWidget) -> list[str]:
    """Every text the widget tree under ``root`` holds: shown, hidden, accessible, tips."""
    parts: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        parts += [w.windowTitle(), w.toolTip(), w.accessibleName(), w.accessibleDescription(),
                  w.statusTip(), w.whatsThis()]
        for attr in ("text", "toPlainText", "placeholderText"):
            getter = getattr(w, attr, None)
            if callable(getter):
                try:
                    parts.append(str(getter()))
                except TypeError:
                    pass
        if isinstance(w, QComboBox):
            parts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            for r in range(model.rowCount(QModelIndex())):
                parts.append(str(model.index(r, 0).data(Qt.ItemDataRole.DisplayRole) or ""))
    return [p for p in parts if p and p.strip()]


def accessible_texts(root: QWidget) -> list[str]:
    """Everything a screen reader can reach from ``root``, visible or not."""
    out: list[str] = []
    todo = [QAccessible.queryAccessibleInterface(root)]
    while todo:
        node = todo.pop()
        if node is None or not node.isValid():
            continue
        for kind in (QAccessible.Text.Name, QAccessible.Text.Description,
                     QAccessible.Text.Value, QAccessible.Text.Help):
            out.append(node.text(kind))
        todo += [node.child(i) for i in range(node.childCount())]
    return [p for p in out if p and p.strip()]


def answer(page: Any) -> None:
    """Answer the item on the officer's screen with something valid."""
    view = page.view
    if view.kind == "integer":
        page.answer_widget.edit.setText("3")
        page._edited()
    elif view.choices:
        page.answer_widget.choose(1)
